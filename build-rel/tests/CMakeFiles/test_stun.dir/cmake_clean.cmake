file(REMOVE_RECURSE
  "CMakeFiles/test_stun.dir/unit/test_stun.c.o"
  "CMakeFiles/test_stun.dir/unit/test_stun.c.o.d"
  "test_stun"
  "test_stun.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_stun.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
