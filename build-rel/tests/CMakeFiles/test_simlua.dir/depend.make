# Empty dependencies file for test_simlua.
# This may be replaced when dependencies are built.
