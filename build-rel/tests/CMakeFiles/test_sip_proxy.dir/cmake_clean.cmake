file(REMOVE_RECURSE
  "CMakeFiles/test_sip_proxy.dir/unit/test_sip_proxy.c.o"
  "CMakeFiles/test_sip_proxy.dir/unit/test_sip_proxy.c.o.d"
  "test_sip_proxy"
  "test_sip_proxy.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sip_proxy.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
