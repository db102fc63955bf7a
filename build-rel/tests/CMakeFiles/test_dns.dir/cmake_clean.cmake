file(REMOVE_RECURSE
  "CMakeFiles/test_dns.dir/unit/test_dns.c.o"
  "CMakeFiles/test_dns.dir/unit/test_dns.c.o.d"
  "test_dns"
  "test_dns.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_dns.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
