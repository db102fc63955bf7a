# Empty compiler generated dependencies file for interop_net.
# This may be replaced when dependencies are built.
