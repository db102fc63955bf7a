-- TCP hole punching without NATs, from Lua: each host listens on its port with reuse=true and
-- connects from that same port to the other at the same moment. The SYNs cross; the
-- simultaneous open gives one connection per side, and nothing reaches the listeners.
local link = sim.link("ab", { delay = "20ms" })
local A, B = sim.host("A"), sim.host("B")
A:attach(link, { ip = "10.0.0.1/24" })
B:attach(link, { ip = "10.0.0.2/24" })
local la = A:tcp_listen { port = 5000, reuse = true }
local lb = B:tcp_listen { port = 6000, reuse = true }
local cb
local tb = sim.spawn(function()
    cb = B:tcp_connect { to = "10.0.0.1:5000", port = 6000, reuse = true, timeout = "2s" }
end)
local ca, err = A:tcp_connect { to = "10.0.0.2:6000", port = 5000, reuse = true, timeout = "2s" }
tb:join()
sim.expect(ca ~= nil and cb ~= nil, "both connects succeed: " .. tostring(err))
sim.expect(tostring(ca) == "<tcp A 10.0.0.1:5000 -> 10.0.0.2:6000 ESTABLISHED>", tostring(ca))
sim.expect(la:accept(0.1) == nil and lb:accept(0.1) == nil, "the listeners got nothing")
ca:send("from A")
sim.expect(cb:recv(1) == "from A", "data flows over the punched connection")

-- When one SYN arrives before the other side connects, the listener takes it: the late
-- connect finds its 4-tuple in use, and accept() returns the connection instead.
local la2 = A:tcp_listen { port = 5001, reuse = true }
local cb2
sim.spawn(function()
    cb2 = B:tcp_connect { to = "10.0.0.1:5001", port = 6001, reuse = true, timeout = "2s" }
end)
sim.sleep(0.03)                                   -- B's SYN reached A's listener at 20 ms
local late, lerr = A:tcp_connect { to = "10.0.0.2:6001", port = 5001, reuse = true }
sim.expect(late == nil and lerr == "address in use", "late connect: " .. tostring(lerr))
local acc = la2:accept(1)
sim.expect(acc ~= nil and cb2 ~= nil, "the listener's connection and B's connect")
acc:send("via accept")
sim.expect(cb2:recv(1) == "via accept", "data over the accepted connection")
sim.stop()
