# Empty compiler generated dependencies file for test_tcp_close.
# This may be replaced when dependencies are built.
