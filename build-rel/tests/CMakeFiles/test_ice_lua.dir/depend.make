# Empty dependencies file for test_ice_lua.
# This may be replaced when dependencies are built.
