file(REMOVE_RECURSE
  "CMakeFiles/test_ipv4ll.dir/unit/test_ipv4ll.c.o"
  "CMakeFiles/test_ipv4ll.dir/unit/test_ipv4ll.c.o.d"
  "test_ipv4ll"
  "test_ipv4ll.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_ipv4ll.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
