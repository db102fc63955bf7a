file(REMOVE_RECURSE
  "CMakeFiles/test_sip_outbound.dir/unit/test_sip_outbound.c.o"
  "CMakeFiles/test_sip_outbound.dir/unit/test_sip_outbound.c.o.d"
  "test_sip_outbound"
  "test_sip_outbound.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sip_outbound.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
