file(REMOVE_RECURSE
  "CMakeFiles/test_turn_lua.dir/unit/test_turn_lua.c.o"
  "CMakeFiles/test_turn_lua.dir/unit/test_turn_lua.c.o.d"
  "test_turn_lua"
  "test_turn_lua.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_turn_lua.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
