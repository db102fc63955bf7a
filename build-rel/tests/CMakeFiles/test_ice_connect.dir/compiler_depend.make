# Empty compiler generated dependencies file for test_ice_connect.
# This may be replaced when dependencies are built.
