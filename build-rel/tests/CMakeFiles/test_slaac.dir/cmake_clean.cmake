file(REMOVE_RECURSE
  "CMakeFiles/test_slaac.dir/unit/test_slaac.c.o"
  "CMakeFiles/test_slaac.dir/unit/test_slaac.c.o.d"
  "test_slaac"
  "test_slaac.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_slaac.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
