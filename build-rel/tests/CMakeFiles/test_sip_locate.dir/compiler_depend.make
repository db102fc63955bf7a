# Empty compiler generated dependencies file for test_sip_locate.
# This may be replaced when dependencies are built.
