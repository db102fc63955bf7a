file(REMOVE_RECURSE
  "../../fuzz_sip_outbound"
  "../../fuzz_sip_outbound.pdb"
  "CMakeFiles/fuzz_sip_outbound.dir/driver.c.o"
  "CMakeFiles/fuzz_sip_outbound.dir/driver.c.o.d"
  "CMakeFiles/fuzz_sip_outbound.dir/fuzz_sip_outbound.c.o"
  "CMakeFiles/fuzz_sip_outbound.dir/fuzz_sip_outbound.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_sip_outbound.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
