# Empty dependencies file for fuzz_dhcp.
# This may be replaced when dependencies are built.
