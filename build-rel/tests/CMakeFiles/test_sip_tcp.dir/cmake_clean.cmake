file(REMOVE_RECURSE
  "CMakeFiles/test_sip_tcp.dir/unit/test_sip_tcp.c.o"
  "CMakeFiles/test_sip_tcp.dir/unit/test_sip_tcp.c.o.d"
  "test_sip_tcp"
  "test_sip_tcp.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sip_tcp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
