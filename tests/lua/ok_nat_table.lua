-- The lecture's picture: a host behind a port-restricted-cone NAT talks to a server; the
-- NAT table shows inside 192.168.60.153:1211 <-> outside 68.36.210.57:1211, the server sees
-- the outside endpoint, and an unsolicited packet from elsewhere is filtered.
local home = sim.lan("home", { delay = "1ms" })
local internet = sim.lan("internet", { delay = "10ms" })
local A = sim.host("A")
local N = sim.nat("NA", { preset = "port-restricted-cone", timeout = 120 })
local S = sim.host("S")
local M = sim.host("M")
A:attach(home, { ip = "192.168.60.153/24" })
N:inside(home, { ip = "192.168.60.1/24" })
N:outside(internet, { ip = "68.36.210.57/24" })
S:attach(internet, { ip = "68.36.210.1/24" })
M:attach(internet, { ip = "68.36.210.2/24" })
A:gateway("192.168.60.1")

sim.expect(tostring(N) == "<nat port-restricted-cone 68.36.210.57, 0 mappings>", tostring(N))

local server = S:udp { port = 3478 }
server:on_recv(function(data, ip, port)
    server:sendto(ip .. ":" .. port, ip, port)   -- tell the client what we saw
end)
local s = A:udp { port = 1211 }
s:sendto("who am i?", "68.36.210.1", 3478)
local seen = s:recv(1)
sim.expect(seen == "68.36.210.57:1211", "the server sees the NAT's outside endpoint: " ..
           tostring(seen))

local t = N:table()
sim.expect(#t == 1, "one mapping")
local m = t[1]
sim.expect(m.proto == "udp" and m.inside == "192.168.60.153:1211" and
           m.outside == "68.36.210.57:1211", "mapping inside <-> outside")
sim.expect(m.permits[1] == "68.36.210.1:3478", "APDF admits exactly the server's endpoint")
sim.expect(m.pkts_out == 1 and m.pkts_in == 1, "one packet each way")
sim.expect(math.abs(m.expires - m.last_used - 120) < 1e-9, "expires 120 s after last use")
sim.expect(tostring(N) == "<nat port-restricted-cone 68.36.210.57, 1 mapping>", tostring(N))

local c = N:config()
sim.expect(c.mapping == "EIM" and c.filtering == "APDF" and c.timeout == 120, "config")

-- Unsolicited: M was never contacted, so the filter drops it.
M:udp():sendto("let me in", "68.36.210.57", 1211)
local data, err = s:recv(1)
sim.expect(data == nil and err == "timeout", "nothing from M gets through")
sim.expect(N:drops()["nat-filtered"] == 1, "the NAT counts one nat-filtered drop")

-- After the mapping expires the table is empty again.
sim.run(sim.now() + 130)
sim.expect(#N:table() == 0, "the mapping expired")
