file(REMOVE_RECURSE
  "CMakeFiles/test_sip_server.dir/unit/test_sip_server.c.o"
  "CMakeFiles/test_sip_server.dir/unit/test_sip_server.c.o.d"
  "test_sip_server"
  "test_sip_server.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sip_server.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
