# Empty compiler generated dependencies file for test_sip_outbound.
# This may be replaced when dependencies are built.
