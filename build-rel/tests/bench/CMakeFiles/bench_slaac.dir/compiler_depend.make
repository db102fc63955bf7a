# Empty compiler generated dependencies file for bench_slaac.
# This may be replaced when dependencies are built.
