file(REMOVE_RECURSE
  "CMakeFiles/test_sip_ua.dir/unit/test_sip_ua.c.o"
  "CMakeFiles/test_sip_ua.dir/unit/test_sip_ua.c.o.d"
  "test_sip_ua"
  "test_sip_ua.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sip_ua.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
