# Empty dependencies file for test_iface_config.
# This may be replaced when dependencies are built.
