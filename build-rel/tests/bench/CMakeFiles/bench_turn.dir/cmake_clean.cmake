file(REMOVE_RECURSE
  "../../bench_turn"
  "../../bench_turn.pdb"
  "CMakeFiles/bench_turn.dir/bench_turn.c.o"
  "CMakeFiles/bench_turn.dir/bench_turn.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_turn.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
