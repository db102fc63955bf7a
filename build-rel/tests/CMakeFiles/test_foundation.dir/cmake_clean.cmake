file(REMOVE_RECURSE
  "CMakeFiles/test_foundation.dir/unit/test_foundation.c.o"
  "CMakeFiles/test_foundation.dir/unit/test_foundation.c.o.d"
  "test_foundation"
  "test_foundation.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_foundation.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
