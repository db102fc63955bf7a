# Empty compiler generated dependencies file for test_mdns_querier.
# This may be replaced when dependencies are built.
