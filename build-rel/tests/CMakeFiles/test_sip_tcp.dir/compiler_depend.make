# Empty compiler generated dependencies file for test_sip_tcp.
# This may be replaced when dependencies are built.
