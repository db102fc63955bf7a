# Empty dependencies file for fuzz_sip_core.
# This may be replaced when dependencies are built.
