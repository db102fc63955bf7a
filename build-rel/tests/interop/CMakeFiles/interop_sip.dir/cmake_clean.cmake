file(REMOVE_RECURSE
  "CMakeFiles/interop_sip.dir/interop_sip.c.o"
  "CMakeFiles/interop_sip.dir/interop_sip.c.o.d"
  "interop_sip"
  "interop_sip.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/interop_sip.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
