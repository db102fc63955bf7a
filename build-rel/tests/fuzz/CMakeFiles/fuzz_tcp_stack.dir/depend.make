# Empty dependencies file for fuzz_tcp_stack.
# This may be replaced when dependencies are built.
