-- expect-exit: 1
-- expect-stderr: slaac_advertise_host.lua:6: calling 'advertise' on bad self (only a router sends Router Advertisements)
-- Hosts do not advertise.
local A = sim.host("A")
local lan = sim.lan("l")
A:attach(lan, {}):node():advertise(lan, { prefix = "2001:db8::/64" })
