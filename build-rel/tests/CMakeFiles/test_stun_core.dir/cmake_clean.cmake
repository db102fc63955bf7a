file(REMOVE_RECURSE
  "CMakeFiles/test_stun_core.dir/unit/test_stun_core.c.o"
  "CMakeFiles/test_stun_core.dir/unit/test_stun_core.c.o.d"
  "test_stun_core"
  "test_stun_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_stun_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
