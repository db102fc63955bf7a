-- expect-exit: 1
-- expect-stderr: stale_socket.lua:9: natsim.Socket is gone (closed
-- Using a socket after close() is a Lua error, never a crash.
local lan = sim.lan("lan")
local A = sim.host("A")
A:attach(lan, { ip = "10.0.0.1/24" })
local s = A:udp { port = 5000 }
s:close()
s:sendto("late", "10.0.0.2", 5000)
