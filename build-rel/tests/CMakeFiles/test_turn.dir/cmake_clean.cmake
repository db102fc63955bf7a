file(REMOVE_RECURSE
  "CMakeFiles/test_turn.dir/unit/test_turn.c.o"
  "CMakeFiles/test_turn.dir/unit/test_turn.c.o.d"
  "test_turn"
  "test_turn.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_turn.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
