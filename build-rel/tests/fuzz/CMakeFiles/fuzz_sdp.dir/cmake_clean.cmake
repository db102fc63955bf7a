file(REMOVE_RECURSE
  "../../fuzz_sdp"
  "../../fuzz_sdp.pdb"
  "CMakeFiles/fuzz_sdp.dir/driver.c.o"
  "CMakeFiles/fuzz_sdp.dir/driver.c.o.d"
  "CMakeFiles/fuzz_sdp.dir/fuzz_sdp.c.o"
  "CMakeFiles/fuzz_sdp.dir/fuzz_sdp.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_sdp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
