# Empty compiler generated dependencies file for fuzz_sdp.
# This may be replaced when dependencies are built.
