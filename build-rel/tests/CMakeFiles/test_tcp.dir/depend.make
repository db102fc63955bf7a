# Empty dependencies file for test_tcp.
# This may be replaced when dependencies are built.
