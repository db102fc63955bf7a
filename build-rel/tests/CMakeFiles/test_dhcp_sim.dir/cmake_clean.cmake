file(REMOVE_RECURSE
  "CMakeFiles/test_dhcp_sim.dir/unit/test_dhcp_sim.c.o"
  "CMakeFiles/test_dhcp_sim.dir/unit/test_dhcp_sim.c.o.d"
  "test_dhcp_sim"
  "test_dhcp_sim.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_dhcp_sim.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
