# Empty dependencies file for test_ice_sim.
# This may be replaced when dependencies are built.
