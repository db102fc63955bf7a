# Empty dependencies file for natsim_lua.
# This may be replaced when dependencies are built.
