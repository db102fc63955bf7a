-- 03-connection-reversal.lua — connection reversal (RFC 5128 §2.2): when only one side is
-- behind a NAT, let that side make the first move.
--
-- The picture:
--
--         Srv 18.181.0.31:5002 (reversal server)      B 18.181.1.50 (public, no NAT)
--                        │                                 │
--                        └────────────── R ────────────────┘
--                                        │
--                              NA 155.99.25.11 (port-restricted cone)
--                                        │
--                              A 10.0.0.1:4321
--
-- B wants to talk to A. B can learn A's public endpoint (155.99.25.11:4321), but a datagram
-- from B to it is dropped by NA: A's mapping only admits the servers A talked to. A, however,
-- keeps a registration with the reversal server (REGISTER, then a KEEPALIVE every 15 s,
-- well inside the NAT's 120 s mapping lifetime), so the server *can* reach A.
-- So B asks the server: REVERSE(A, "contact me"). The server forwards the request to A over
-- A's existing mapping, filling in B's endpoint as the server sees it. A then sends a PUNCH
-- to B. That outbound datagram opens a mapping whose filter admits B, B answers PUNCH-ACK,
-- and from then on B can send to A's public endpoint directly: the connection has been
-- "reversed" (opened by the side behind the NAT).
--
-- This only works when the requester is reachable: if B were behind a NAT too, A's PUNCH
-- would die at B's NAT. Then one needs hole punching (scenario 04) or a relay (02).
--
-- In Wireshark: on "na-up" see B's first datagram arrive and go nowhere, then REVERSE from
-- the server, A's PUNCH to B, the PUNCH-ACK, and B's data.
--
-- The test suite checks these in the pcaps:
-- trace: na-up ip.src == 18.181.1.50 && ip.dst == 155.99.25.11 && udp.srcport == 6001
-- trace: na-up ip.src == 18.181.0.31 && udp.srcport == 5002 && ip.dst == 155.99.25.11
-- trace: na-up ip.src == 155.99.25.11 && ip.dst == 18.181.1.50
-- trace: home ip.src == 18.181.1.50 && ip.dst == 10.0.0.1

local R = sim.router("R")
local srv_link = sim.link("srv-link", {delay = "5ms"})
local b_link = sim.link("b-link", {delay = "5ms"})
local na_up = sim.link("na-up", {delay = "10ms"})
local home = sim.lan("home", {delay = "1ms", bandwidth = "100Mbit"})

local Srv = sim.host("Srv")
local B = sim.host("B")
local NA = sim.nat("NA", {preset = "port-restricted-cone", ports = "preserve"})
local A = sim.host("A")

Srv:attach(srv_link, {ip = "18.181.0.31/24"})
R:attach(srv_link, {ip = "18.181.0.1/24"})
B:attach(b_link, {ip = "18.181.1.50/24"})
R:attach(b_link, {ip = "18.181.1.1/24"})
NA:outside(na_up, {ip = "155.99.25.11/24"})
R:attach(na_up, {ip = "155.99.25.1/24"})
NA:inside(home, {ip = "10.0.0.254/24"})
A:attach(home, {ip = "10.0.0.1/24"})
Srv:route("default", "18.181.0.1")
B:route("default", "18.181.1.1")
NA:route("default", "155.99.25.1")
A:route("default", "10.0.0.254")

local server = relay.reversal(Srv, {port = 5002})
local a = relay.client(A, {server = "18.181.0.31:5002", name = "A", port = 4321, keepalive = "15s"})
local b = relay.client(B, {server = "18.181.0.31:5002", name = "B", port = 6000})

local a_pub = a:register("2s")
print("A registered with the reversal server, public endpoint", a_pub)
sim.expect(a_pub == "155.99.25.11:4321", "A's public endpoint is NA's address, port preserved")

-- Let time pass: A's keepalives keep the mapping towards the server alive.
sim.sleep("40s")
sim.expect(a:stats().keepalives_sent == 2, "A sent a keepalive every 15 s")

-- B first tries the direct way, with an ordinary socket: dropped by NA's filter.
local raw = B:udp{port = 6001}
raw:sendto("hello A?", "155.99.25.11", 4321)
local got = a:recv("1s")
local filtered_before = NA:drops()["nat-filtered"] or 0
print(string.format("B's direct datagram: %s (NA nat-filtered drops: %d)",
                    got and "arrived" or "dropped", filtered_before))
sim.expect(got == nil and filtered_before == 1, "an unsolicited datagram from B is filtered")

-- Now the reversal.
local ok, info = b:reverse("A", {timeout = "3s"})
print(string.format("B: reversal %s, A contacted us from %s after %.3f s", ok and "succeeded" or "FAILED",
                    tostring(info.ep), info.time or -1))
local aok, ainfo = a:wait_punch("B", "3s")
print(string.format("A: reached B at %s (the endpoint the server saw)", tostring(ainfo and ainfo.ep)))
sim.expect(ok and info.ep == "155.99.25.11:4321", "A contacted B from its public mapping")
sim.expect(aok and ainfo.ep == "18.181.1.50:6000", "A reached B where the server saw B")
sim.expect(server:stats().reverses == 1, "the server forwarded one REVERSE")

-- B can now send to A directly; the data does not pass the server.
b:send_to_peer("hello A, you called me back")
local msg, from = a:recv("1s")
print(string.format("A received %q from %s", tostring(msg), tostring(from)))
sim.expect(msg == "hello A, you called me back" and from == "B", "B's data reached A directly")

print("\nNA's table: A's mapping now admits both the server and B")
NA:print_table()
local t = NA:table()
local admits_b = false
for _, m in ipairs(t) do
  for _, p in ipairs(m.permits) do
    if p == "18.181.1.50:6000" then admits_b = true end
  end
end
sim.expect(admits_b, "the mapping's filter admits B after A's PUNCH")

sim.stop() -- keepalives would tick forever
