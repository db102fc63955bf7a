# Empty dependencies file for test_sip_salvage.
# This may be replaced when dependencies are built.
