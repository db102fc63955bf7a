file(REMOVE_RECURSE
  "../../bench_sip"
  "../../bench_sip.pdb"
  "CMakeFiles/bench_sip.dir/bench_sip.c.o"
  "CMakeFiles/bench_sip.dir/bench_sip.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/bench_sip.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
