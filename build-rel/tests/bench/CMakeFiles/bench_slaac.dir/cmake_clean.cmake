file(REMOVE_RECURSE
  "../../bench_slaac"
  "../../bench_slaac.pdb"
  "CMakeFiles/bench_slaac.dir/bench_slaac.c.o"
  "CMakeFiles/bench_slaac.dir/bench_slaac.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_slaac.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
