# Empty compiler generated dependencies file for test_turn_client.
# This may be replaced when dependencies are built.
