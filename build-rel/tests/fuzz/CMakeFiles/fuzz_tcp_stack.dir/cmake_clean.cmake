file(REMOVE_RECURSE
  "../../fuzz_tcp_stack"
  "../../fuzz_tcp_stack.pdb"
  "CMakeFiles/fuzz_tcp_stack.dir/driver.c.o"
  "CMakeFiles/fuzz_tcp_stack.dir/driver.c.o.d"
  "CMakeFiles/fuzz_tcp_stack.dir/fuzz_tcp_stack.c.o"
  "CMakeFiles/fuzz_tcp_stack.dir/fuzz_tcp_stack.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_tcp_stack.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
