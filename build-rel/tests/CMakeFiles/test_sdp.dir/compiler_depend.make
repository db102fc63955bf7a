# Empty compiler generated dependencies file for test_sdp.
# This may be replaced when dependencies are built.
