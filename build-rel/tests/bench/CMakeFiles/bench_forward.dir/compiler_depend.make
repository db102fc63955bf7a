# Empty compiler generated dependencies file for bench_forward.
# This may be replaced when dependencies are built.
