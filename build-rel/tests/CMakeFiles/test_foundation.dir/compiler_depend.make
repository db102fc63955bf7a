# Empty compiler generated dependencies file for test_foundation.
# This may be replaced when dependencies are built.
