# Empty dependencies file for fuzz_mdns.
# This may be replaced when dependencies are built.
