file(REMOVE_RECURSE
  "CMakeFiles/test_sip_proxy_core.dir/unit/test_sip_proxy_core.c.o"
  "CMakeFiles/test_sip_proxy_core.dir/unit/test_sip_proxy_core.c.o.d"
  "test_sip_proxy_core"
  "test_sip_proxy_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sip_proxy_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
