-- expect-exit: 1
-- expect-stderr: tcp_accept_misuse.lua:12: accept: not a listening socket
-- accept() on a connected socket is a Lua error, never a crash.
local link = sim.link("ab")
local A, B = sim.host("A"), sim.host("B")
A:attach(link, { ip = "10.0.0.1/24" })
B:attach(link, { ip = "10.0.0.2/24" })
local l = B:tcp_listen { port = 80 }
local c = A:tcp_connect { to = "10.0.0.2:80" }
sim.expect(c ~= nil, "connected")
sim.expect(l:accept(1) ~= nil, "accepted")
c:accept()
