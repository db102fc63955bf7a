file(REMOVE_RECURSE
  "CMakeFiles/test_sdp.dir/unit/test_sdp.c.o"
  "CMakeFiles/test_sdp.dir/unit/test_sdp.c.o.d"
  "test_sdp"
  "test_sdp.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sdp.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
