file(REMOVE_RECURSE
  "../../fuzz_dns"
  "../../fuzz_dns.pdb"
  "CMakeFiles/fuzz_dns.dir/driver.c.o"
  "CMakeFiles/fuzz_dns.dir/driver.c.o.d"
  "CMakeFiles/fuzz_dns.dir/fuzz_dns.c.o"
  "CMakeFiles/fuzz_dns.dir/fuzz_dns.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_dns.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
