# Empty dependencies file for test_dhcp_sim.
# This may be replaced when dependencies are built.
