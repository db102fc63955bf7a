# Empty compiler generated dependencies file for test_nat_tcp.
# This may be replaced when dependencies are built.
