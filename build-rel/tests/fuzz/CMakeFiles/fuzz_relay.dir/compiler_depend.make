# Empty compiler generated dependencies file for fuzz_relay.
# This may be replaced when dependencies are built.
