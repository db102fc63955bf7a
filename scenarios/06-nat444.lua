-- 06-nat444.lua — two NATs in a row (NAT444, carrier-grade NAT, RFC 6888), and hairpinning.
--
-- The picture:
--
--   A 192.168.1.10 ─homeA─ HA ─┐                                   S 203.0.113.10:7
--                    100.64.0.2│                                   │ (tells each client
--                              ├─access─ CGN 198.51.100.1 ─wan─ R ─┘  what it sees)
--   B 192.168.1.10 ─homeB─ HB ─┘ (shared address space 100.64/10, RFC 6598)
--                    100.64.0.3
--
-- A and B have the *same* private address: each sits in its own home behind its own home
-- NAT (HA, HB, port-restricted cones). The provider has no public address per home either, so
-- the homes' outside addresses come from 100.64.0.0/10 and a carrier NAT, CGN, translates them
-- again into its one public address 198.51.100.1. A datagram from A is translated twice:
--
--   192.168.1.10:5000 ──HA──> 100.64.0.2:5000 ──CGN──> 198.51.100.1:<port>
--
-- and S sees only the last one. Both tables hold a piece of the story (printed below). B's
-- datagram from 192.168.1.10:5000 becomes 100.64.0.3:5000 and then needs its own CGN port:
-- 5000 is taken by A's mapping, so port preservation falls back to another port.
--
-- A ping from A to S works through both NATs as well: each maps the ICMP echo identifier like
-- a port, and the reply's TTL shows the three forwarders on the way back, R, CGN and HA
-- (64 - 3 = 61).
--
-- Then A and B, both customers of the same CGN, try to talk using the public endpoints S told
-- them. A's datagram to 198.51.100.1:<B's port> goes up to the CGN and must turn around there:
-- hairpinning (RFC 4787 REQ-9). The CGN translates both addresses and, as REQ-9 requires,
-- the packet B receives comes from A's *public* endpoint, not from 100.64.0.2. Each side's NATs
-- filter (APDF) until each has sent to the other once: the first datagram in each direction
-- opens the holes, the second gets through — hole punching inside one carrier NAT.
--
-- In Wireshark: "homeA" shows 192.168.1.10, "access" shows 100.64.0.2 and 100.64.0.3,
-- "wan" shows only 198.51.100.1; A's datagram to B appears twice on "access" (up to the CGN,
-- and back down, hairpinned) and never on "wan".
--
-- The test suite checks these in the pcaps:
-- trace: homeA ip.src == 192.168.1.10 && udp.srcport == 5000 && ip.dst == 203.0.113.10
-- trace: access ip.src == 100.64.0.2 && udp.srcport == 5000 && ip.dst == 203.0.113.10
-- trace: wan ip.src == 198.51.100.1 && ip.dst == 203.0.113.10 && udp.dstport == 7
-- trace: wan icmp.type == 0 && ip.dst == 198.51.100.1
-- trace: access ip.src == 198.51.100.1 && ip.dst == 100.64.0.3 && udp.dstport == 5000
-- trace-none: wan ip.addr == 100.64.0.0/10 || ip.addr == 192.168.0.0/16

local homeA = sim.lan("homeA", {delay = "1ms", bandwidth = "100Mbit"})
local homeB = sim.lan("homeB", {delay = "1ms", bandwidth = "100Mbit"})
local access = sim.lan("access", {delay = "2ms", bandwidth = "1Gbit"})
local wan = sim.link("wan", {delay = "10ms"})
local srv = sim.link("srv", {delay = "5ms"})

local A, B = sim.host("A"), sim.host("B")
local HA = sim.nat("HA", {preset = "port-restricted-cone"})
local HB = sim.nat("HB", {preset = "port-restricted-cone"})
local CGN = sim.nat("CGN", {preset = "port-restricted-cone", hairpin = true})
local R, S = sim.router("R"), sim.host("S")

A:attach(homeA, {ip = "192.168.1.10/24"}); A:route("default", "192.168.1.1")
B:attach(homeB, {ip = "192.168.1.10/24"}); B:route("default", "192.168.1.1")
HA:inside(homeA, {ip = "192.168.1.1/24"}); HA:outside(access, {ip = "100.64.0.2/10"})
HB:inside(homeB, {ip = "192.168.1.1/24"}); HB:outside(access, {ip = "100.64.0.3/10"})
HA:route("default", "100.64.0.1"); HB:route("default", "100.64.0.1")
CGN:inside(access, {ip = "100.64.0.1/10"}); CGN:outside(wan, {ip = "198.51.100.1/24"})
CGN:route("default", "198.51.100.2")
R:attach(wan, {ip = "198.51.100.2/24"}); R:attach(srv, {ip = "203.0.113.1/24"})
S:attach(srv, {ip = "203.0.113.10/24"}); S:route("default", "203.0.113.1")

-- S answers every datagram with the source it sees, "ip:port".
local echo = S:udp{port = 7}
echo:on_recv(function(_, ip, port) echo:sendto(ip .. ":" .. port, ip, port) end)

local function whoami(sock)
  sock:sendto("who am I?", "203.0.113.10", 7)
  return sock:recv("1s")
end

local a, b = A:udp{port = 5000}, B:udp{port = 5000}
local a_pub, b_pub = whoami(a), whoami(b)
print("S sees A as " .. tostring(a_pub) .. " and B as " .. tostring(b_pub))
sim.expect(a_pub and a_pub:match("^198%.51%.100%.1:"), "S sees A only as the CGN's public address")
sim.expect(b_pub and b_pub:match("^198%.51%.100%.1:"), "S sees B only as the CGN's public address")
sim.expect(a_pub == "198.51.100.1:5000", "A's port survives both NATs (preserved twice)")
sim.expect(b_pub ~= nil and b_pub ~= a_pub, "B needs another CGN port: 5000 is taken by A")

print("\nThe two translations A's datagram went through:")
HA:print_table()
CGN:print_table()
local ha, cgn = HA:table(), CGN:table()
sim.expect(#ha == 1 and ha[1].inside == "192.168.1.10:5000" and ha[1].outside == "100.64.0.2:5000",
           "HA: 192.168.1.10:5000 <-> 100.64.0.2:5000")
local function cgn_entry(inside)
  for _, e in ipairs(CGN:table()) do
    if e.inside == inside and e.proto == "udp" then return e end
  end
end
sim.expect(cgn_entry("100.64.0.2:5000") and cgn_entry("100.64.0.2:5000").outside == a_pub,
           "CGN: 100.64.0.2:5000 <-> A's public endpoint")
sim.expect(#cgn == 2, "the CGN holds one mapping per home")

-- ICMP through both NATs.
local rtt, ttl = A:ping("203.0.113.10", {timeout = "1s"})
print(string.format("\nA pings S through HA and CGN: rtt %s s, ttl %s", tostring(rtt), tostring(ttl)))
sim.expect(rtt ~= nil, "ping crosses both NATs (ICMP echo ids mapped like ports)")
sim.expect(ttl == 61, "the reply crossed R, CGN and HA, each taking one off its TTL: 64 - 3")

-- Hairpinning: A and B talk through the CGN's public address.
local b_ip, b_port = b_pub:match("^(.+):(%d+)$")
local a_ip, a_port = a_pub:match("^(.+):(%d+)$")
a:sendto("hello B (1)", b_ip, tonumber(b_port))  -- opens A's holes; dies at B's filters
sim.sleep(0.1)
b:sendto("hello A", a_ip, tonumber(a_port))       -- admitted: A has sent to B's endpoint
local got_a, from_ip, from_port = a:recv("1s")
a:sendto("hello B (2)", b_ip, tonumber(b_port))  -- now B's holes are open too
local got_b, fb_ip, fb_port = b:recv("1s")
print(string.format("A got %q from %s:%s; B got %q from %s:%s", tostring(got_a), tostring(from_ip),
      tostring(from_port), tostring(got_b), tostring(fb_ip), tostring(fb_port)))
sim.expect(got_a == "hello A", "B reached A through the CGN's hairpin")
sim.expect(from_ip .. ":" .. tostring(from_port) == b_pub,
           "A sees B's public endpoint as the source (RFC 4787 REQ-9), not 100.64.0.3")
sim.expect(got_b == "hello B (2)", "the second datagram reached B: the first one opened the holes")
sim.expect((HB:drops()["nat-filtered"] or 0) + (CGN:drops()["nat-filtered"] or 0) >= 1,
           "the first datagram to B was filtered on its way in")
sim.stop()
