# Empty compiler generated dependencies file for bench_stun.
# This may be replaced when dependencies are built.
