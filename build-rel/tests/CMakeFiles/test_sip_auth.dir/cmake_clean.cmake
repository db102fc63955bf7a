file(REMOVE_RECURSE
  "CMakeFiles/test_sip_auth.dir/unit/test_sip_auth.c.o"
  "CMakeFiles/test_sip_auth.dir/unit/test_sip_auth.c.o.d"
  "test_sip_auth"
  "test_sip_auth.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sip_auth.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
