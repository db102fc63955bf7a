file(REMOVE_RECURSE
  "CMakeFiles/test_tcp_close.dir/unit/test_tcp_close.c.o"
  "CMakeFiles/test_tcp_close.dir/unit/test_tcp_close.c.o.d"
  "test_tcp_close"
  "test_tcp_close.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_tcp_close.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
