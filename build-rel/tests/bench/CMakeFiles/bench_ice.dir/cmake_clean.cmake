file(REMOVE_RECURSE
  "../../bench_ice"
  "../../bench_ice.pdb"
  "CMakeFiles/bench_ice.dir/bench_ice.c.o"
  "CMakeFiles/bench_ice.dir/bench_ice.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_ice.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
