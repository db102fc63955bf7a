# Empty compiler generated dependencies file for bench_boot.
# This may be replaced when dependencies are built.
