# Empty dependencies file for fuzz_rtp.
# This may be replaced when dependencies are built.
