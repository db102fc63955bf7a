# CMake generated Testfile for 
# Source directory: /work/main/tests/vectors
# Build directory: /work/main/build-rel/tests/vectors
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[vectors/stun]=] "/root/.pyenv/shims/python3" "/work/main/tests/vectors/stun_vectors.py" "/work/main/build-rel/tests/vectors/stun_vectors" "/work/main/build-rel/natsim")
set_tests_properties([=[vectors/stun]=] PROPERTIES  _BACKTRACE_TRIPLES "/work/main/tests/vectors/CMakeLists.txt;8;add_test;/work/main/tests/vectors/CMakeLists.txt;0;")
