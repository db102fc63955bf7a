# Empty compiler generated dependencies file for test_dhcp_core.
# This may be replaced when dependencies are built.
