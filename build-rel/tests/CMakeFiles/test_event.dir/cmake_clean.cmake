file(REMOVE_RECURSE
  "CMakeFiles/test_event.dir/unit/test_event.c.o"
  "CMakeFiles/test_event.dir/unit/test_event.c.o.d"
  "test_event"
  "test_event.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_event.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
