file(REMOVE_RECURSE
  "CMakeFiles/test_mdns_querier.dir/unit/test_mdns_querier.c.o"
  "CMakeFiles/test_mdns_querier.dir/unit/test_mdns_querier.c.o.d"
  "test_mdns_querier"
  "test_mdns_querier.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_mdns_querier.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
