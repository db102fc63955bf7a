-- expect-exit: 1
-- expect-stderr: stun_bad_value.lua:7: bad argument #2 to 'server' (option 'alt_ip': 'ten.0.0.2' is not an IP address)
-- Option values are checked too: an alternate address that is not an address.
local S = sim.host("S")
S:attach(sim.lan("l"), { ip = "10.0.0.1/24" })
-- the port is fine, the alternate address is not
stun.server(S, { port = 3478, alt_ip = "ten.0.0.2" })
