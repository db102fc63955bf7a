-- expect-exit: 1
-- expect-stderr: tcp_stale.lua:9: natsim.TcpSocket is gone (closed
-- Using a TCP socket after close() is a Lua error, never a crash.
local link = sim.link("ab")
local B = sim.host("B")
B:attach(link, { ip = "10.0.0.2/24" })
local l = B:tcp_listen { port = 80 }
l:close()
l:accept(1)
