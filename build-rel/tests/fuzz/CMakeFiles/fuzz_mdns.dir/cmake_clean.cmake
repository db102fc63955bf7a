file(REMOVE_RECURSE
  "../../fuzz_mdns"
  "../../fuzz_mdns.pdb"
  "CMakeFiles/fuzz_mdns.dir/driver.c.o"
  "CMakeFiles/fuzz_mdns.dir/driver.c.o.d"
  "CMakeFiles/fuzz_mdns.dir/fuzz_mdns.c.o"
  "CMakeFiles/fuzz_mdns.dir/fuzz_mdns.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_mdns.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
