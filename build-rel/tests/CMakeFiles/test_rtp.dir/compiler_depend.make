# Empty compiler generated dependencies file for test_rtp.
# This may be replaced when dependencies are built.
