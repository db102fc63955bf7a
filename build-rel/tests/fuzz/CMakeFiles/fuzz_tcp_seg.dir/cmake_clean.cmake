file(REMOVE_RECURSE
  "../../fuzz_tcp_seg"
  "../../fuzz_tcp_seg.pdb"
  "CMakeFiles/fuzz_tcp_seg.dir/driver.c.o"
  "CMakeFiles/fuzz_tcp_seg.dir/driver.c.o.d"
  "CMakeFiles/fuzz_tcp_seg.dir/fuzz_tcp_seg.c.o"
  "CMakeFiles/fuzz_tcp_seg.dir/fuzz_tcp_seg.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_tcp_seg.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
