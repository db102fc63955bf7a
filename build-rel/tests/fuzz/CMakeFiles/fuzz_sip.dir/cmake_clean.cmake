file(REMOVE_RECURSE
  "../../fuzz_sip"
  "../../fuzz_sip.pdb"
  "CMakeFiles/fuzz_sip.dir/driver.c.o"
  "CMakeFiles/fuzz_sip.dir/driver.c.o.d"
  "CMakeFiles/fuzz_sip.dir/fuzz_sip.c.o"
  "CMakeFiles/fuzz_sip.dir/fuzz_sip.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_sip.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
