file(REMOVE_RECURSE
  "../../fuzz_rtp"
  "../../fuzz_rtp.pdb"
  "CMakeFiles/fuzz_rtp.dir/driver.c.o"
  "CMakeFiles/fuzz_rtp.dir/driver.c.o.d"
  "CMakeFiles/fuzz_rtp.dir/fuzz_rtp.c.o"
  "CMakeFiles/fuzz_rtp.dir/fuzz_rtp.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_rtp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
