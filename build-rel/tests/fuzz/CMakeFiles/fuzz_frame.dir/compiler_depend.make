# Empty compiler generated dependencies file for fuzz_frame.
# This may be replaced when dependencies are built.
