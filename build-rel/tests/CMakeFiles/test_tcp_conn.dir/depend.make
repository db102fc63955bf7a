# Empty dependencies file for test_tcp_conn.
# This may be replaced when dependencies are built.
