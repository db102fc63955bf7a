# Empty dependencies file for test_stun.
# This may be replaced when dependencies are built.
