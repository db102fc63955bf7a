# Empty dependencies file for test_stun_discovery.
# This may be replaced when dependencies are built.
