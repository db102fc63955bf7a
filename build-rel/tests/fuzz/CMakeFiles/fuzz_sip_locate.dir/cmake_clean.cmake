file(REMOVE_RECURSE
  "../../fuzz_sip_locate"
  "../../fuzz_sip_locate.pdb"
  "CMakeFiles/fuzz_sip_locate.dir/driver.c.o"
  "CMakeFiles/fuzz_sip_locate.dir/driver.c.o.d"
  "CMakeFiles/fuzz_sip_locate.dir/fuzz_sip_locate.c.o"
  "CMakeFiles/fuzz_sip_locate.dir/fuzz_sip_locate.c.o.d"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/fuzz_sip_locate.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
