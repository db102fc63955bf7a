file(REMOVE_RECURSE
  "CMakeFiles/test_nat_tcp.dir/unit/test_nat_tcp.c.o"
  "CMakeFiles/test_nat_tcp.dir/unit/test_nat_tcp.c.o.d"
  "test_nat_tcp"
  "test_nat_tcp.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_nat_tcp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
