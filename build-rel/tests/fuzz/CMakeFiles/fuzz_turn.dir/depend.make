# Empty dependencies file for fuzz_turn.
# This may be replaced when dependencies are built.
