# Empty dependencies file for test_sip_server.
# This may be replaced when dependencies are built.
