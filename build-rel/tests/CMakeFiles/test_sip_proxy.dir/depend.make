# Empty dependencies file for test_sip_proxy.
# This may be replaced when dependencies are built.
