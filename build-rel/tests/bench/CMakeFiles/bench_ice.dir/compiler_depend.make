# Empty compiler generated dependencies file for bench_ice.
# This may be replaced when dependencies are built.
