file(REMOVE_RECURSE
  "../../fuzz_dhcp"
  "../../fuzz_dhcp.pdb"
  "CMakeFiles/fuzz_dhcp.dir/driver.c.o"
  "CMakeFiles/fuzz_dhcp.dir/driver.c.o.d"
  "CMakeFiles/fuzz_dhcp.dir/fuzz_dhcp.c.o"
  "CMakeFiles/fuzz_dhcp.dir/fuzz_dhcp.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_dhcp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
