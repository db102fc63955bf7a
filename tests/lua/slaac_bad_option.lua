-- expect-exit: 1
-- expect-stderr: slaac_bad_option.lua:7: bad argument #1 to 'wait_address' (unknown option 'scop'
-- A typo in wait_address's options names the key.
local A = sim.host("A")
local lan = sim.lan("l")
local eth0 = A:attach(lan, { slaac = true })
eth0:wait_address { scop = "global" }
