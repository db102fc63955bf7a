file(REMOVE_RECURSE
  "CMakeFiles/test_simlua.dir/unit/test_simlua.c.o"
  "CMakeFiles/test_simlua.dir/unit/test_simlua.c.o.d"
  "test_simlua"
  "test_simlua.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_simlua.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
