# Empty compiler generated dependencies file for test_stun_core.
# This may be replaced when dependencies are built.
