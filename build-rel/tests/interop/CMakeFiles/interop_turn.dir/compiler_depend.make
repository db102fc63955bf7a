# Empty compiler generated dependencies file for interop_turn.
# This may be replaced when dependencies are built.
