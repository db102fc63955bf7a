# Empty compiler generated dependencies file for bench_scale.
# This may be replaced when dependencies are built.
