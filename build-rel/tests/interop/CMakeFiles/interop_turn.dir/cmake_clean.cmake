file(REMOVE_RECURSE
  "CMakeFiles/interop_turn.dir/interop_turn.c.o"
  "CMakeFiles/interop_turn.dir/interop_turn.c.o.d"
  "interop_turn"
  "interop_turn.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/interop_turn.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
