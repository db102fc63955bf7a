file(REMOVE_RECURSE
  "libnatsim_lua.a"
)
