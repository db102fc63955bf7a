file(REMOVE_RECURSE
  "CMakeFiles/test_dhcp.dir/unit/test_dhcp.c.o"
  "CMakeFiles/test_dhcp.dir/unit/test_dhcp.c.o.d"
  "test_dhcp"
  "test_dhcp.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_dhcp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
