file(REMOVE_RECURSE
  "CMakeFiles/test_mdns.dir/unit/test_mdns.c.o"
  "CMakeFiles/test_mdns.dir/unit/test_mdns.c.o.d"
  "test_mdns"
  "test_mdns.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_mdns.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
