-- expect-exit: 1
-- expect-stderr: slaac_not_attached.lua:6: bad argument #1 to 'advertise' (the router is not attached to this link)
-- Advertising on a LAN the router is not on.
local R = sim.router("R")
R:attach(sim.lan("a"), {})
R:advertise(sim.lan("b"), { prefix = "2001:db8::/64" })
