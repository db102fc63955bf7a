-- expect-exit: 1
-- expect-stderr: slaac_bad_prefix.lua:6: option 'prefix': '10.0.0.0/8' is not an IPv6 prefix
-- An IPv4 prefix in a Router Advertisement.
local R = sim.router("R")
local lan = sim.lan("l")
R:attach(lan, {}) R:advertise(lan, { prefix = "10.0.0.0/8" })
