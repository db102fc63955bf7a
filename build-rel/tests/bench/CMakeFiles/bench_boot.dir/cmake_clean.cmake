file(REMOVE_RECURSE
  "../../bench_boot"
  "../../bench_boot.pdb"
  "CMakeFiles/bench_boot.dir/bench_boot.c.o"
  "CMakeFiles/bench_boot.dir/bench_boot.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_boot.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
