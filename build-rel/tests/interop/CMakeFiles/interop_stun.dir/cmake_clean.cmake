file(REMOVE_RECURSE
  "CMakeFiles/interop_stun.dir/interop_stun.c.o"
  "CMakeFiles/interop_stun.dir/interop_stun.c.o.d"
  "interop_stun"
  "interop_stun.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/interop_stun.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
