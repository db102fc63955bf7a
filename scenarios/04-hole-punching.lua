-- 04-hole-punching.lua — UDP hole punching through two NATs with a rendezvous server
-- (RFC 5128 §3.3 and Figure 5; Ford, Srisuresh, Kegel, "Peer-to-Peer Communication Across
-- Network Address Translators", 2005).
--
-- The picture:
--
--                         S 18.181.0.31:5000  (rendezvous)
--                                 │
--               ┌──────────────── R (the Internet) ───────────────┐
--               │                                                 │
--      NA 155.99.25.11  (port-restricted cone)        NB 138.76.29.7  (port-restricted cone)
--               │                                                 │
--      A 10.0.0.1:4321                                   B 10.1.1.3:4321
--
-- 1. A and B each REGISTER with S. Doing so opens a mapping in their NAT towards S, and S
--    learns two endpoints per client: the private one the client reports (10.0.0.1:4321) and
--    the public one S sees as the datagram's source (155.99.25.11:4321).
-- 2. A asks S for B (CONNECT). S sends A's endpoints to B and B's endpoints to A (PEER),
--    with one nonce for the session.
-- 3. Both now send PUNCH to each other's public and private endpoints every 200 ms. A's first
--    PUNCH to 138.76.29.7:4321 leaves NA and adds B's endpoint to the filter of A's mapping:
--    the hole. It probably dies at NB, whose filter does not yet know A; but as soon as B's
--    PUNCH has left NB, A's next PUNCH gets in, B answers PUNCH-ACK, and the round trip is
--    proven. Both NATs keep the port they used towards S (endpoint-independent mapping),
--    which is why the public endpoint S saw is the one that works.
--    The PUNCHes to the private endpoints go nowhere (10.1.1.3 is not routed on the
--    Internet): they only matter when both clients sit behind the same NAT.
--
-- The second pair, C behind a symmetric NAT NC and D behind a port-restricted cone ND, runs the
-- same protocol and fails. Read NC's table printed below: towards S, C's socket got
-- 155.99.26.11:4321, the endpoint S reports to D; towards D it got a *new* outside port
-- (symmetric = address-and-port-dependent mapping). So
--   - C's PUNCHes reach ND from 155.99.26.11:<new port>, which ND's filter (APDF) has never
--     seen: ND drops them ("nat-filtered" in ND's drops);
--   - D's PUNCHes go to 155.99.26.11:4321, whose mapping only admits S (APDF): NC drops them.
-- Neither side ever sees the other's packet. Scenario 05 tries every pair of NAT types.
--
-- In Wireshark: the "na-up" capture shows REGISTER, PEER and the PUNCH / PUNCH-ACK exchange
-- (UDP payloads starting with "RLY"); "nc-up" shows C's punches leaving from a new port.
--
-- The test suite checks these in the pcaps:
-- trace: na-up ip.src == 155.99.25.11 && udp.srcport == 4321 && ip.dst == 138.76.29.7 && udp.dstport == 4321
-- trace: na-up ip.src == 138.76.29.7 && udp.srcport == 4321 && ip.dst == 155.99.25.11 && udp.dstport == 4321
-- trace: NA-lan ip.src == 138.76.29.7 && ip.dst == 10.0.0.1 && udp.dstport == 4321
-- trace: nc-up ip.src == 155.99.26.11 && ip.dst == 138.76.30.7 && udp.srcport != 4321
-- trace-none: NC-lan ip.src == 138.76.30.7
-- trace-none: ND-lan ip.src == 155.99.26.11

local function site(name, nat_preset, public_ip, gw_ip, private_ip, host_name)
  local lan = sim.lan(name .. "-lan", {delay = "1ms", bandwidth = "100Mbit"})
  local up = sim.link(string.lower(name) .. "-up", {delay = "10ms"})
  local nat = sim.nat(name, {preset = nat_preset, ports = "preserve"})
  local host = sim.host(host_name)
  local private_gw = private_ip:gsub("%.%d+$", ".254")
  host:attach(lan, {ip = private_ip .. "/24"})
  host:route("default", private_gw)
  nat:inside(lan, {ip = private_gw .. "/24"})
  nat:outside(up, {ip = public_ip .. "/24"})
  nat:route("default", gw_ip)
  return nat, host, up
end

local R = sim.router("R")
local s_link = sim.link("s-link", {delay = "5ms"})
local S = sim.host("S")
S:attach(s_link, {ip = "18.181.0.31/24"})
R:attach(s_link, {ip = "18.181.0.1/24"})
S:route("default", "18.181.0.1")

local NA, A, na_up = site("NA", "port-restricted-cone", "155.99.25.11", "155.99.25.1", "10.0.0.1", "A")
local NB, B, nb_up = site("NB", "port-restricted-cone", "138.76.29.7", "138.76.29.1", "10.1.1.3", "B")
local NC, C, nc_up = site("NC", "symmetric", "155.99.26.11", "155.99.26.1", "10.0.0.1", "C")
local ND, D, nd_up = site("ND", "port-restricted-cone", "138.76.30.7", "138.76.30.1", "10.1.1.3", "D")
R:attach(na_up, {ip = "155.99.25.1/24"})
R:attach(nb_up, {ip = "138.76.29.1/24"})
R:attach(nc_up, {ip = "155.99.26.1/24"})
R:attach(nd_up, {ip = "138.76.30.1/24"})

local rendezvous = relay.rendezvous(S, {port = 5000})
local function client(host, name)
  return relay.client(host, {server = "18.181.0.31:5000", name = name, port = 4321,
                             keepalive = "15s", punch_timeout = "3s"})
end
local a, b, c, d = client(A, "A"), client(B, "B"), client(C, "C"), client(D, "D")

-- 1. registration: each client learns its public endpoint from S
for _, cl in ipairs({a, b, c, d}) do
  local pub = cl:register("2s")
  print(string.format("%s registered, S sees it at %s", tostring(cl), tostring(pub)))
end
sim.expect(a:public() == "155.99.25.11:4321", "S sees A at NA's address, port preserved")
sim.expect(b:public() == "138.76.29.7:4321", "S sees B at NB's address, port preserved")

-- 2.+3. A asks S for B, both punch
print("\n--- A punches to B (two port-restricted cones) ---")
local ok, info = a:punch("B")
local bok, binfo = b:wait_punch("A", "5s")
print(string.format("A: %s via %s endpoint %s after %.3f s (%d punches sent)",
                    ok and "success" or "FAILED", info.via, tostring(info.ep), info.time or -1,
                    info.punches_sent))
print(string.format("B: %s via %s endpoint %s", bok and "success" or "FAILED", binfo.via,
                    tostring(binfo.ep)))
sim.expect(ok and info.ep == "138.76.29.7:4321" and info.via == "public",
           "A reached B at the public endpoint S reported")
sim.expect(bok and binfo.ep == "155.99.25.11:4321", "B reached A at A's public endpoint")

-- the punched path carries data in both directions, without S
a:send_to_peer("hello B, this went straight through two NATs")
local msg, from = b:recv("1s")
print(string.format("B received %q from %s", tostring(msg), tostring(from)))
b:send_to_peer("hello A")
local msg2 = a:recv("1s")
sim.expect(msg ~= nil and from == "A", "B got A's data over the punched path")
sim.expect(msg2 == "hello A", "A got B's answer over the punched path")

print("\nNA's table: one mapping for A's socket, its filter now admits S and B")
NA:print_table()
print("NB's table:")
NB:print_table()

-- the failing pair
print("\n--- C (symmetric NAT) punches to D (port-restricted cone) ---")
local cok, cinfo = c:punch("D")
local dok = d:wait_punch("C", "5s")
print(string.format("C: %s after %d punches", cok and "success" or "failed", cinfo.punches_sent))
print("\nNC's table: a new outside port for every destination (symmetric mapping)")
NC:print_table()
print("ND's table:")
ND:print_table()
local function show_drops(node)
  local dr = node:drops()
  print(string.format("%s drops: nat-filtered=%d", node.name, dr["nat-filtered"] or 0))
  return dr["nat-filtered"] or 0
end
local nd_filtered = show_drops(ND)
local nc_filtered = show_drops(NC)

sim.expect(not cok, "symmetric -> port-restricted cone: C's punch fails")
sim.expect(not dok, "... and so does D's")
sim.expect(nd_filtered > 0, "ND filtered C's punches (they came from a port ND never saw)")
sim.expect(nc_filtered > 0, "NC filtered D's punches (that mapping only admits S)")

local nc_ports = {}
for _, m in ipairs(NC:table()) do
  if m.inside == "10.0.0.1:4321" then nc_ports[m.outside] = true end
end
local n = 0
for _ in pairs(nc_ports) do n = n + 1 end
sim.expect(n >= 2, "NC gave C's one socket different outside ports for S and for D")

sim.stop() -- the clients' keepalives would tick forever; the story is told
