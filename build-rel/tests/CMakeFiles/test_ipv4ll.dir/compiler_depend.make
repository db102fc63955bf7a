# Empty compiler generated dependencies file for test_ipv4ll.
# This may be replaced when dependencies are built.
