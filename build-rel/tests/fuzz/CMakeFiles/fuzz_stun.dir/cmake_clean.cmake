file(REMOVE_RECURSE
  "../../fuzz_stun"
  "../../fuzz_stun.pdb"
  "CMakeFiles/fuzz_stun.dir/driver.c.o"
  "CMakeFiles/fuzz_stun.dir/driver.c.o.d"
  "CMakeFiles/fuzz_stun.dir/fuzz_stun.c.o"
  "CMakeFiles/fuzz_stun.dir/fuzz_stun.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_stun.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
