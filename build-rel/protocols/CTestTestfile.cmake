# CMake generated Testfile for 
# Source directory: /work/main/protocols
# Build directory: /work/main/build-rel/protocols
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
