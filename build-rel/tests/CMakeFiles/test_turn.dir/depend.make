# Empty dependencies file for test_turn.
# This may be replaced when dependencies are built.
