file(REMOVE_RECURSE
  "CMakeFiles/test_sip.dir/unit/test_sip.c.o"
  "CMakeFiles/test_sip.dir/unit/test_sip.c.o.d"
  "test_sip"
  "test_sip.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sip.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
