# Empty dependencies file for fuzz_tcp_seg.
# This may be replaced when dependencies are built.
