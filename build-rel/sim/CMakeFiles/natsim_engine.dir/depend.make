# Empty dependencies file for natsim_engine.
# This may be replaced when dependencies are built.
