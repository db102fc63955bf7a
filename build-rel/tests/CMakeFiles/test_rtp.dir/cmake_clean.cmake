file(REMOVE_RECURSE
  "CMakeFiles/test_rtp.dir/unit/test_rtp.c.o"
  "CMakeFiles/test_rtp.dir/unit/test_rtp.c.o.d"
  "test_rtp"
  "test_rtp.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_rtp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
