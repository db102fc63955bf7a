file(REMOVE_RECURSE
  "CMakeFiles/test_ice_lua.dir/unit/test_ice_lua.c.o"
  "CMakeFiles/test_ice_lua.dir/unit/test_ice_lua.c.o.d"
  "test_ice_lua"
  "test_ice_lua.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_ice_lua.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
