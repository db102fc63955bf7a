# Empty compiler generated dependencies file for test_turn_lua.
# This may be replaced when dependencies are built.
