-- expect-exit: 1
-- expect-stderr: stun_bad_server.lua:6: bad argument #2 to 'binding' ('10.0.0.1' is not "ip:port"
-- The server of a Binding is "ip:port" (or ip, port).
local A = sim.host("A")
A:attach(sim.lan("l"), { ip = "10.0.0.2/24" })
stun.binding(A, "10.0.0.1")
