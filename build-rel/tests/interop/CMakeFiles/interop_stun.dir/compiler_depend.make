# Empty compiler generated dependencies file for interop_stun.
# This may be replaced when dependencies are built.
