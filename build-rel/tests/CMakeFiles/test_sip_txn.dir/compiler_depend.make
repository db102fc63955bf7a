# Empty compiler generated dependencies file for test_sip_txn.
# This may be replaced when dependencies are built.
