# Empty dependencies file for test_sip_outbound_sim.
# This may be replaced when dependencies are built.
