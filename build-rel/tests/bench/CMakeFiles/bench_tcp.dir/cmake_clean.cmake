file(REMOVE_RECURSE
  "../../bench_tcp"
  "../../bench_tcp.pdb"
  "CMakeFiles/bench_tcp.dir/bench_tcp.c.o"
  "CMakeFiles/bench_tcp.dir/bench_tcp.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_tcp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
