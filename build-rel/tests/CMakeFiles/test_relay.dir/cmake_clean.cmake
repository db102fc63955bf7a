file(REMOVE_RECURSE
  "CMakeFiles/test_relay.dir/unit/test_relay.c.o"
  "CMakeFiles/test_relay.dir/unit/test_relay.c.o.d"
  "test_relay"
  "test_relay.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_relay.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
