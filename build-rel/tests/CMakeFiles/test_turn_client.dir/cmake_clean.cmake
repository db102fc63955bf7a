file(REMOVE_RECURSE
  "CMakeFiles/test_turn_client.dir/unit/test_turn_client.c.o"
  "CMakeFiles/test_turn_client.dir/unit/test_turn_client.c.o.d"
  "test_turn_client"
  "test_turn_client.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_turn_client.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
