# Empty dependencies file for fuzz_ice.
# This may be replaced when dependencies are built.
