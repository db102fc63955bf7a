# Empty compiler generated dependencies file for test_sip_auth.
# This may be replaced when dependencies are built.
