file(REMOVE_RECURSE
  "../../fuzz_relay"
  "../../fuzz_relay.pdb"
  "CMakeFiles/fuzz_relay.dir/driver.c.o"
  "CMakeFiles/fuzz_relay.dir/driver.c.o.d"
  "CMakeFiles/fuzz_relay.dir/fuzz_relay.c.o"
  "CMakeFiles/fuzz_relay.dir/fuzz_relay.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_relay.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
