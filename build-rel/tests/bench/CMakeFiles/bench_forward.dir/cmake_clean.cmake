file(REMOVE_RECURSE
  "../../bench_forward"
  "../../bench_forward.pdb"
  "CMakeFiles/bench_forward.dir/bench_forward.c.o"
  "CMakeFiles/bench_forward.dir/bench_forward.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_forward.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
