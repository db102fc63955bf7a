file(REMOVE_RECURSE
  "libinterop_net.a"
)
