file(REMOVE_RECURSE
  "CMakeFiles/test_tcp_sock.dir/unit/test_tcp_sock.c.o"
  "CMakeFiles/test_tcp_sock.dir/unit/test_tcp_sock.c.o.d"
  "test_tcp_sock"
  "test_tcp_sock.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_tcp_sock.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
