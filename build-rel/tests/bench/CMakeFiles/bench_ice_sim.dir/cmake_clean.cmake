file(REMOVE_RECURSE
  "../../bench_ice_sim"
  "../../bench_ice_sim.pdb"
  "CMakeFiles/bench_ice_sim.dir/bench_ice_sim.c.o"
  "CMakeFiles/bench_ice_sim.dir/bench_ice_sim.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_ice_sim.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
