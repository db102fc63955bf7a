file(REMOVE_RECURSE
  "../../fuzz_sip_core"
  "../../fuzz_sip_core.pdb"
  "CMakeFiles/fuzz_sip_core.dir/driver.c.o"
  "CMakeFiles/fuzz_sip_core.dir/driver.c.o.d"
  "CMakeFiles/fuzz_sip_core.dir/fuzz_sip_core.c.o"
  "CMakeFiles/fuzz_sip_core.dir/fuzz_sip_core.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_sip_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
