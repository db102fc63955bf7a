-- A NAT host's own TCP sockets own their outside ports: a listener on the NAT's outside port
-- 1211 takes inbound SYNs (they are not "unsolicited"), and the translation table never hands
-- 1211 to an inside host (port preservation falls back to another port).
local lan = sim.lan("lan", { delay = "1ms" })
local wan = sim.link("wan", { delay = "5ms" })
local A, S = sim.host("A"), sim.host("S")
local N = sim.nat("N", { preset = "port-restricted-cone", unsolicited = "rst" })
A:attach(lan, { ip = "192.168.1.2/24" })
A:gateway("192.168.1.1")
N:inside(lan, { ip = "192.168.1.1/24" })
N:outside(wan, { ip = "68.36.210.57/24" })
S:attach(wan, { ip = "68.36.210.1/24" })

local own = N:tcp_listen { port = 1211 }
local srv = S:tcp_listen { port = 80 }
sim.spawn(function()
    local c = srv:accept(5)
    local ip, port = c:remote_addr()
    c:send(ip .. ":" .. port)
end)
local c, err = A:tcp_connect { to = "68.36.210.1:80", port = 1211, timeout = "5s" }
sim.expect(c ~= nil, "A connects out: " .. tostring(err))
local seen = c:recv(5)
sim.expect(seen ~= nil and seen ~= "68.36.210.57:1211" and seen:match("^68%.36%.210%.57:"),
           "A's mapping avoids the NAT host's port 1211: " .. tostring(seen))

local t, terr = S:tcp_connect { to = "68.36.210.57:1211", timeout = "5s" }
sim.expect(t ~= nil, "S reaches the NAT host's own listener: " .. tostring(terr))
local acc = own:accept(5)
sim.expect(acc ~= nil, "the NAT host accepts it")
sim.stop()
