# Empty compiler generated dependencies file for test_nat.
# This may be replaced when dependencies are built.
