file(REMOVE_RECURSE
  "CMakeFiles/test_turn_tcp.dir/unit/test_turn_tcp.c.o"
  "CMakeFiles/test_turn_tcp.dir/unit/test_turn_tcp.c.o.d"
  "test_turn_tcp"
  "test_turn_tcp.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_turn_tcp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
