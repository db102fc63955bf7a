# Empty dependencies file for test_dns_core.
# This may be replaced when dependencies are built.
