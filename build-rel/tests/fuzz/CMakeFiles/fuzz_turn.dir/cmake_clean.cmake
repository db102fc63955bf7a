file(REMOVE_RECURSE
  "../../fuzz_turn"
  "../../fuzz_turn.pdb"
  "CMakeFiles/fuzz_turn.dir/driver.c.o"
  "CMakeFiles/fuzz_turn.dir/driver.c.o.d"
  "CMakeFiles/fuzz_turn.dir/fuzz_turn.c.o"
  "CMakeFiles/fuzz_turn.dir/fuzz_turn.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_turn.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
