# Empty dependencies file for bench_ice_sim.
# This may be replaced when dependencies are built.
