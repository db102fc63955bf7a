file(REMOVE_RECURSE
  "../../fuzz_frame"
  "../../fuzz_frame.pdb"
  "CMakeFiles/fuzz_frame.dir/driver.c.o"
  "CMakeFiles/fuzz_frame.dir/driver.c.o.d"
  "CMakeFiles/fuzz_frame.dir/fuzz_frame.c.o"
  "CMakeFiles/fuzz_frame.dir/fuzz_frame.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_frame.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
