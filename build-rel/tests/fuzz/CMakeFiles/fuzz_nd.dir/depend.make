# Empty dependencies file for fuzz_nd.
# This may be replaced when dependencies are built.
