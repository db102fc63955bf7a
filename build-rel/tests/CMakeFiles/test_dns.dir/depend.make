# Empty dependencies file for test_dns.
# This may be replaced when dependencies are built.
