# Empty dependencies file for test_turn_tcp.
# This may be replaced when dependencies are built.
