# Empty compiler generated dependencies file for test_slaac.
# This may be replaced when dependencies are built.
