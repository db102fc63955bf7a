# Empty dependencies file for test_ice.
# This may be replaced when dependencies are built.
