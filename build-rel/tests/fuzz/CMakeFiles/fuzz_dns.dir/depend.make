# Empty dependencies file for fuzz_dns.
# This may be replaced when dependencies are built.
