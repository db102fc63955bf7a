# Empty compiler generated dependencies file for test_event.
# This may be replaced when dependencies are built.
