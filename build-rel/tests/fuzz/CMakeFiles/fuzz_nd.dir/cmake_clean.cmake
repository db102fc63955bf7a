file(REMOVE_RECURSE
  "../../fuzz_nd"
  "../../fuzz_nd.pdb"
  "CMakeFiles/fuzz_nd.dir/driver.c.o"
  "CMakeFiles/fuzz_nd.dir/driver.c.o.d"
  "CMakeFiles/fuzz_nd.dir/fuzz_nd.c.o"
  "CMakeFiles/fuzz_nd.dir/fuzz_nd.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_nd.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
