file(REMOVE_RECURSE
  "../../bench_stun"
  "../../bench_stun.pdb"
  "CMakeFiles/bench_stun.dir/bench_stun.c.o"
  "CMakeFiles/bench_stun.dir/bench_stun.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_stun.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
