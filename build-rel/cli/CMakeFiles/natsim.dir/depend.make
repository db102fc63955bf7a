# Empty dependencies file for natsim.
# This may be replaced when dependencies are built.
