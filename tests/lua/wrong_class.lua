-- expect-exit: 1
-- expect-stderr: wrong_class.lua:6: bad argument #1 to 'attach' (natsim.Link or natsim.Lan expected, got natsim.Host)
-- Handles are typed: a host is not a link.
local A = sim.host("A")
local B = sim.host("B")
A:attach(B, { ip = "10.0.0.1/24" })
