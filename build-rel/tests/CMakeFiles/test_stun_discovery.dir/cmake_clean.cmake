file(REMOVE_RECURSE
  "CMakeFiles/test_stun_discovery.dir/unit/test_stun_discovery.c.o"
  "CMakeFiles/test_stun_discovery.dir/unit/test_stun_discovery.c.o.d"
  "test_stun_discovery"
  "test_stun_discovery.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_stun_discovery.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
