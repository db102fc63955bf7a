# Empty compiler generated dependencies file for fuzz_stun.
# This may be replaced when dependencies are built.
