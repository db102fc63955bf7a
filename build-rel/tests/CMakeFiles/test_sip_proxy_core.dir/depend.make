# Empty dependencies file for test_sip_proxy_core.
# This may be replaced when dependencies are built.
