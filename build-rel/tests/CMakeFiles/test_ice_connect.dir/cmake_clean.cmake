file(REMOVE_RECURSE
  "CMakeFiles/test_ice_connect.dir/unit/test_ice_connect.c.o"
  "CMakeFiles/test_ice_connect.dir/unit/test_ice_connect.c.o.d"
  "test_ice_connect"
  "test_ice_connect.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_ice_connect.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
