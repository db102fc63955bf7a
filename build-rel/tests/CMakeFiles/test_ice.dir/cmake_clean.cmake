file(REMOVE_RECURSE
  "CMakeFiles/test_ice.dir/unit/test_ice.c.o"
  "CMakeFiles/test_ice.dir/unit/test_ice.c.o.d"
  "test_ice"
  "test_ice.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_ice.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
