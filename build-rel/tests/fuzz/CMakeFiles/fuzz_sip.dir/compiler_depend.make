# Empty compiler generated dependencies file for fuzz_sip.
# This may be replaced when dependencies are built.
