-- expect-exit: 1
-- expect-stderr: stun_no_alt.lua:6: bad argument #2 to 'server' (option 'alt_port' needs option 'alt_ip')
-- An alternate port alone makes no RFC 5780 server.
local S = sim.host("S")
S:attach(sim.lan("l"), { ip = "10.0.0.1/24" })
stun.server(S, { alt_port = 3479 })
