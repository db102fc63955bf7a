-- expect-exit: 1
-- expect-stderr: bad_arg_type.lua:4: bad argument #1 to 'host' (string expected, got table)
-- A node name must be a string.
local A = sim.host({ name = "A" })
