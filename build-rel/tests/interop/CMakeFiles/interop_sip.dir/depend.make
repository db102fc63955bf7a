# Empty dependencies file for interop_sip.
# This may be replaced when dependencies are built.
