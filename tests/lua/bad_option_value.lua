-- expect-exit: 1
-- expect-stderr: bad_option_value.lua:4: bad argument #2 to 'link' (option 'loss': probability in [0, 1] expected)
-- Option values are checked too.
local wire = sim.link("uplink", { delay = "5ms", loss = 2 })
