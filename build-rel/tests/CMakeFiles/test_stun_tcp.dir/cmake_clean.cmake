file(REMOVE_RECURSE
  "CMakeFiles/test_stun_tcp.dir/unit/test_stun_tcp.c.o"
  "CMakeFiles/test_stun_tcp.dir/unit/test_stun_tcp.c.o.d"
  "test_stun_tcp"
  "test_stun_tcp.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_stun_tcp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
