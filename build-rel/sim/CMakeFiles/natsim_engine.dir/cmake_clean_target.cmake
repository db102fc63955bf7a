file(REMOVE_RECURSE
  "libnatsim_engine.a"
)
