file(REMOVE_RECURSE
  "CMakeFiles/natsim_lua.dir/lua/lua_bind.c.o"
  "CMakeFiles/natsim_lua.dir/lua/lua_bind.c.o.d"
  "CMakeFiles/natsim_lua.dir/lua/lua_link.c.o"
  "CMakeFiles/natsim_lua.dir/lua/lua_link.c.o.d"
  "CMakeFiles/natsim_lua.dir/lua/lua_nat.c.o"
  "CMakeFiles/natsim_lua.dir/lua/lua_nat.c.o.d"
  "CMakeFiles/natsim_lua.dir/lua/lua_slaac.c.o"
  "CMakeFiles/natsim_lua.dir/lua/lua_slaac.c.o.d"
  "CMakeFiles/natsim_lua.dir/lua/lua_socket.c.o"
  "CMakeFiles/natsim_lua.dir/lua/lua_socket.c.o.d"
  "CMakeFiles/natsim_lua.dir/lua/lua_task.c.o"
  "CMakeFiles/natsim_lua.dir/lua/lua_task.c.o.d"
  "CMakeFiles/natsim_lua.dir/lua/lua_tcp.c.o"
  "CMakeFiles/natsim_lua.dir/lua/lua_tcp.c.o.d"
  "CMakeFiles/natsim_lua.dir/lua/lua_util.c.o"
  "CMakeFiles/natsim_lua.dir/lua/lua_util.c.o.d"
  "CMakeFiles/natsim_lua.dir/lua/lua_world.c.o"
  "CMakeFiles/natsim_lua.dir/lua/lua_world.c.o.d"
  "CMakeFiles/natsim_lua.dir/lua/simlua.c.o"
  "CMakeFiles/natsim_lua.dir/lua/simlua.c.o.d"
  "CMakeFiles/natsim_lua.dir/lua/simlua_apps.c.o"
  "CMakeFiles/natsim_lua.dir/lua/simlua_apps.c.o.d"
  "libnatsim_lua.a"
  "libnatsim_lua.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/natsim_lua.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
