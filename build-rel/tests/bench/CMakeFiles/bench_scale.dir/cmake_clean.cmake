file(REMOVE_RECURSE
  "../../bench_scale"
  "../../bench_scale.pdb"
  "CMakeFiles/bench_scale.dir/bench_scale.c.o"
  "CMakeFiles/bench_scale.dir/bench_scale.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_scale.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
