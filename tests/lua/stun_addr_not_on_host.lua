-- expect-exit: 1
-- expect-stderr: stun_addr_not_on_host.lua:6: S: cannot bind 10.0.0.9:3478
-- A server can only listen on the host's own addresses.
local S = sim.host("S")
S:attach(sim.lan("l"), { ip = "10.0.0.1/24" })
stun.server(S, { ip = "10.0.0.9" })
