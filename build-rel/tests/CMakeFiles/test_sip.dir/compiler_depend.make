# Empty compiler generated dependencies file for test_sip.
# This may be replaced when dependencies are built.
