file(REMOVE_RECURSE
  "CMakeFiles/test_sip_outbound_sim.dir/unit/test_sip_outbound_sim.c.o"
  "CMakeFiles/test_sip_outbound_sim.dir/unit/test_sip_outbound_sim.c.o.d"
  "test_sip_outbound_sim"
  "test_sip_outbound_sim.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sip_outbound_sim.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
