file(REMOVE_RECURSE
  "CMakeFiles/interop_net.dir/interop_net.c.o"
  "CMakeFiles/interop_net.dir/interop_net.c.o.d"
  "libinterop_net.a"
  "libinterop_net.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/interop_net.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
