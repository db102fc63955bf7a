file(REMOVE_RECURSE
  "CMakeFiles/test_sip_txn.dir/unit/test_sip_txn.c.o"
  "CMakeFiles/test_sip_txn.dir/unit/test_sip_txn.c.o.d"
  "test_sip_txn"
  "test_sip_txn.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_sip_txn.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
