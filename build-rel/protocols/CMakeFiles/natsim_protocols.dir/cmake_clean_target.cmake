file(REMOVE_RECURSE
  "libnatsim_protocols.a"
)
