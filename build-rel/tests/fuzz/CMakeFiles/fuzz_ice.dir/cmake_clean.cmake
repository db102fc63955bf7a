file(REMOVE_RECURSE
  "../../fuzz_ice"
  "../../fuzz_ice.pdb"
  "CMakeFiles/fuzz_ice.dir/driver.c.o"
  "CMakeFiles/fuzz_ice.dir/driver.c.o.d"
  "CMakeFiles/fuzz_ice.dir/fuzz_ice.c.o"
  "CMakeFiles/fuzz_ice.dir/fuzz_ice.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_ice.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
