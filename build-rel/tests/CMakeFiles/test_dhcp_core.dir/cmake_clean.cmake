file(REMOVE_RECURSE
  "CMakeFiles/test_dhcp_core.dir/unit/test_dhcp_core.c.o"
  "CMakeFiles/test_dhcp_core.dir/unit/test_dhcp_core.c.o.d"
  "test_dhcp_core"
  "test_dhcp_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_dhcp_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
