
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/tests/fuzz/driver.c" "tests/fuzz/CMakeFiles/fuzz_mdns.dir/driver.c.o" "gcc" "tests/fuzz/CMakeFiles/fuzz_mdns.dir/driver.c.o.d"
  "/work/main/tests/fuzz/fuzz_mdns.c" "tests/fuzz/CMakeFiles/fuzz_mdns.dir/fuzz_mdns.c.o" "gcc" "tests/fuzz/CMakeFiles/fuzz_mdns.dir/fuzz_mdns.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-rel/protocols/CMakeFiles/natsim_protocols.dir/DependInfo.cmake"
  "/work/main/build-rel/sim/CMakeFiles/natsim_lua.dir/DependInfo.cmake"
  "/work/main/build-rel/sim/CMakeFiles/natsim_engine.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
