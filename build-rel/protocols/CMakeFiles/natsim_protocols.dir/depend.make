# Empty dependencies file for natsim_protocols.
# This may be replaced when dependencies are built.
