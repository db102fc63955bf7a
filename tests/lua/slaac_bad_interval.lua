-- expect-exit: 1
-- expect-stderr: slaac_bad_interval.lua:7: bad argument #2 to 'advertise' (bad advertisement options
-- min_interval above 0.75 interval (RFC 4861 6.2.1).
local R = sim.router("R")
local lan = sim.lan("l")
R:attach(lan, {})
R:advertise(lan, { prefix = "2001:db8::/64", interval = "10s", min_interval = "9s" })
