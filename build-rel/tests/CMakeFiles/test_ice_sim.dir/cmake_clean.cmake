file(REMOVE_RECURSE
  "CMakeFiles/test_ice_sim.dir/unit/test_ice_sim.c.o"
  "CMakeFiles/test_ice_sim.dir/unit/test_ice_sim.c.o.d"
  "test_ice_sim"
  "test_ice_sim.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_ice_sim.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
