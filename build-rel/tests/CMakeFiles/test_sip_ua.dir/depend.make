# Empty dependencies file for test_sip_ua.
# This may be replaced when dependencies are built.
