# Empty dependencies file for test_tcp_sock.
# This may be replaced when dependencies are built.
