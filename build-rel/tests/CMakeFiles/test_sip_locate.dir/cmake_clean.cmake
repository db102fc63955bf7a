file(REMOVE_RECURSE
  "CMakeFiles/test_sip_locate.dir/unit/test_sip_locate.c.o"
  "CMakeFiles/test_sip_locate.dir/unit/test_sip_locate.c.o.d"
  "test_sip_locate"
  "test_sip_locate.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sip_locate.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
