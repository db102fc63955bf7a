-- The stun module: an RFC 5780 server on two addresses, a Binding through a NAT, discovery,
-- and the server's statistics.
local home = sim.lan("home", { delay = "1ms" })
local internet = sim.lan("internet", { delay = "10ms" })
local A, S = sim.host("A"), sim.host("S")
local N = sim.nat("N", { preset = "restricted-cone" })
A:attach(home, { ip = "192.168.1.10/24" })
A:gateway("192.168.1.1")
N:inside(home, { ip = "192.168.1.1/24" })
N:outside(internet, { ip = "68.36.210.57/24" })
local s0 = S:attach(internet, { ip = "68.36.210.10/24" })
s0:add_ip("68.36.210.11/24")

local server = stun.server(S, { alt_ip = "68.36.210.11", software = "natsim" })
sim.expect(tostring(server) == "<stun server on S 68.36.210.10:3478, RFC 5780 other address " ..
           "68.36.210.11:3479, 0 requests>", tostring(server))
local eps = server:endpoints()
sim.expect(#eps == 4 and eps[2] == "68.36.210.10:3479" and eps[3] == "68.36.210.11:3478",
           "four local endpoints")

local mapped, info = stun.binding(A, "68.36.210.10:3478", { port = 4000 })
sim.expect(mapped == "68.36.210.57:4000", "mapped " .. tostring(mapped))
sim.expect(info.from == "68.36.210.10:3478" and info.transmissions == 1, "one transmission")
sim.expect(math.abs(info.rtt - 0.044) < 0.01, "rtt " .. info.rtt)
-- also (ip, port) form and CHANGE-REQUEST
-- (restricted cone: the answer from the other port of the same address gets in; one from the
-- other address does not, and the transaction gives up after the RFC schedule, 39.5 s)
local m2, i2 = stun.binding(A, "68.36.210.10", 3478, { port = 4001, change_port = true })
sim.expect(m2 == "68.36.210.57:4001" and i2.from == "68.36.210.10:3479",
           "change-port answer from the other port: " .. tostring(i2 and i2.from))
local t0 = sim.now()
local m3, e3 = stun.binding(A, "68.36.210.10:3478", { port = 4002, change_ip = true })
sim.expect(m3 == nil and e3 == "timeout" and math.abs(sim.now() - t0 - 39.5) < 0.1,
           "change-ip answer filtered: " .. tostring(e3))

local r = stun.discover(A, "68.36.210.10:3478", { port = 5000, hairpin = true })
sim.expect(r.nat and r.mapping == "EIM" and r.filtering == "ADF", r.mapping .. "/" .. r.filtering)
sim.expect(r.mapped == "68.36.210.57:5000" and r.other == "68.36.210.11:3479", "addresses")
sim.expect(r.hairpin == false, "hairpin request filtered by ADF")

-- nobody there: the RFC 8489 schedule gives up after 39.5 s; a shorter timeout wins
t0 = sim.now()
local none, err = stun.binding(A, "68.36.210.99:3478", { timeout = "2s" })
sim.expect(none == nil and err == "timeout" and math.abs(sim.now() - t0 - 2) < 1e-6, "timeout")
t0 = sim.now()
none, err = stun.binding(A, "68.36.210.99:3478", { rto = "100ms", rc = 2 })
sim.expect(none == nil and err == "timeout" and math.abs(sim.now() - t0 - 1.7) < 1e-6,
           "rto 100ms, rc 2: 0.1 + 16 x 0.1 s = " .. (sim.now() - t0))
local st = server:stats()
sim.expect(st.requests == st.success and st.requests >= 7, "server stats")
server:close()
sim.expect(tostring(server) == "<stun server (closed)>", "closed")
local ok, e = pcall(server.stats, server)
sim.expect(not ok and e:find("is gone"), "stale handle: " .. tostring(e))

-- IPv6: XOR-MAPPED-ADDRESS with the transaction id in the XOR mask
local lan6 = sim.lan("v6", { delay = "1ms" })
local X, Y = sim.host("X"), sim.host("Y")
X:attach(lan6, { ip6 = "2001:db8::1/64" })
Y:attach(lan6, { ip6 = "2001:db8::2/64" })
stun.server(Y, { ip = "2001:db8::2" })
local m6, i6 = stun.binding(X, "[2001:db8::2]:3478", { port = 7000 })
sim.expect(m6 == "[2001:db8::1]:7000" and i6["local"] == m6, "IPv6 mapped " .. tostring(m6))
sim.stop()
