file(REMOVE_RECURSE
  "CMakeFiles/test_iface_config.dir/unit/test_iface_config.c.o"
  "CMakeFiles/test_iface_config.dir/unit/test_iface_config.c.o.d"
  "test_iface_config"
  "test_iface_config.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_iface_config.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
