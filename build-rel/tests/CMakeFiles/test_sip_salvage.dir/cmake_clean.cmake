file(REMOVE_RECURSE
  "CMakeFiles/test_sip_salvage.dir/unit/test_sip_salvage.c.o"
  "CMakeFiles/test_sip_salvage.dir/unit/test_sip_salvage.c.o.d"
  "test_sip_salvage"
  "test_sip_salvage.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sip_salvage.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
