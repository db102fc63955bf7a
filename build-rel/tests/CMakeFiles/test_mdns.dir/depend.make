# Empty dependencies file for test_mdns.
# This may be replaced when dependencies are built.
