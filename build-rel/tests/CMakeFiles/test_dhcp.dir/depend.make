# Empty dependencies file for test_dhcp.
# This may be replaced when dependencies are built.
