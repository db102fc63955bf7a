# Empty compiler generated dependencies file for fuzz_sip_locate.
# This may be replaced when dependencies are built.
