file(REMOVE_RECURSE
  "CMakeFiles/test_tcp_conn.dir/unit/test_tcp_conn.c.o"
  "CMakeFiles/test_tcp_conn.dir/unit/test_tcp_conn.c.o.d"
  "test_tcp_conn"
  "test_tcp_conn.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_tcp_conn.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
