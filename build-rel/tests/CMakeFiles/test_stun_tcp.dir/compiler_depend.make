# Empty compiler generated dependencies file for test_stun_tcp.
# This may be replaced when dependencies are built.
