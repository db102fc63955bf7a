# Empty compiler generated dependencies file for fuzz_sip_outbound.
# This may be replaced when dependencies are built.
