-- expect-exit: 1
-- expect-stderr: bad_option.lua:5: bad argument #2 to 'lan' (unknown option 'dely'
-- expect-stderr: known: delay, bandwidth
-- A typo in an option table is an error that names the key.
local lan = sim.lan("home", { dely = "1ms" })
