file(REMOVE_RECURSE
  "CMakeFiles/test_dns_core.dir/unit/test_dns_core.c.o"
  "CMakeFiles/test_dns_core.dir/unit/test_dns_core.c.o.d"
  "test_dns_core"
  "test_dns_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_dns_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
