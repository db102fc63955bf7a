
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/sim/lua/lua_bind.c" "sim/CMakeFiles/natsim_lua.dir/lua/lua_bind.c.o" "gcc" "sim/CMakeFiles/natsim_lua.dir/lua/lua_bind.c.o.d"
  "/work/main/sim/lua/lua_link.c" "sim/CMakeFiles/natsim_lua.dir/lua/lua_link.c.o" "gcc" "sim/CMakeFiles/natsim_lua.dir/lua/lua_link.c.o.d"
  "/work/main/sim/lua/lua_nat.c" "sim/CMakeFiles/natsim_lua.dir/lua/lua_nat.c.o" "gcc" "sim/CMakeFiles/natsim_lua.dir/lua/lua_nat.c.o.d"
  "/work/main/sim/lua/lua_slaac.c" "sim/CMakeFiles/natsim_lua.dir/lua/lua_slaac.c.o" "gcc" "sim/CMakeFiles/natsim_lua.dir/lua/lua_slaac.c.o.d"
  "/work/main/sim/lua/lua_socket.c" "sim/CMakeFiles/natsim_lua.dir/lua/lua_socket.c.o" "gcc" "sim/CMakeFiles/natsim_lua.dir/lua/lua_socket.c.o.d"
  "/work/main/sim/lua/lua_task.c" "sim/CMakeFiles/natsim_lua.dir/lua/lua_task.c.o" "gcc" "sim/CMakeFiles/natsim_lua.dir/lua/lua_task.c.o.d"
  "/work/main/sim/lua/lua_tcp.c" "sim/CMakeFiles/natsim_lua.dir/lua/lua_tcp.c.o" "gcc" "sim/CMakeFiles/natsim_lua.dir/lua/lua_tcp.c.o.d"
  "/work/main/sim/lua/lua_util.c" "sim/CMakeFiles/natsim_lua.dir/lua/lua_util.c.o" "gcc" "sim/CMakeFiles/natsim_lua.dir/lua/lua_util.c.o.d"
  "/work/main/sim/lua/lua_world.c" "sim/CMakeFiles/natsim_lua.dir/lua/lua_world.c.o" "gcc" "sim/CMakeFiles/natsim_lua.dir/lua/lua_world.c.o.d"
  "/work/main/sim/lua/simlua.c" "sim/CMakeFiles/natsim_lua.dir/lua/simlua.c.o" "gcc" "sim/CMakeFiles/natsim_lua.dir/lua/simlua.c.o.d"
  "/work/main/sim/lua/simlua_apps.c" "sim/CMakeFiles/natsim_lua.dir/lua/simlua_apps.c.o" "gcc" "sim/CMakeFiles/natsim_lua.dir/lua/simlua_apps.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-rel/sim/CMakeFiles/natsim_engine.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
