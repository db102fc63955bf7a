file(REMOVE_RECURSE
  "CMakeFiles/test_tcp.dir/unit/test_tcp.c.o"
  "CMakeFiles/test_tcp.dir/unit/test_tcp.c.o.d"
  "test_tcp"
  "test_tcp.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_tcp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
