-- 01-nat-basics.lua — what a NAT does to one UDP datagram, and to one it did not ask for.
--
-- The picture (the lecture's first NAT slide):
--
--     A 192.168.60.153 ──home LAN── NA ──uplink── R ──backbone── S 18.181.0.31
--                      192.168.60.1   68.36.210.57   │
--                                                    └──other── E 203.0.113.66
--
-- A sends from 192.168.60.153:1211 to the server S. A private address cannot appear on the
-- Internet, so the NAT NA rewrites the source to its own public address 68.36.210.57 and
-- remembers the translation in its table. It preserves the port (1211) because it is free.
-- S therefore believes it talks to 68.36.210.57:1211 and answers there; NA looks the
-- destination up in its table and forwards the answer to 192.168.60.153:1211.
--
-- Then E, a host that A never talked to, sends to the same public endpoint. NA is a
-- port-restricted cone (RFC 4787: endpoint-independent mapping, address-and-port-dependent
-- filtering): the mapping exists, but its filter only admits S's address and port, so E's
-- packet is dropped ("nat-filtered"). A packet to a port with no mapping at all is dropped
-- too ("nat-no-mapping"). This is why a host behind a NAT cannot simply be called: the rest of
-- the lecture (relaying, connection reversal, hole punching) is about working around it.
--
-- In Wireshark: open the pcap of "home" and of "uplink" side by side. The same datagram has
-- source 192.168.60.153:1211 on the first and 68.36.210.57:1211 on the second (and a new
-- IP and UDP checksum). E's packet appears on "uplink" but never on "home".
--
-- The test suite checks exactly that in the pcaps:
-- trace: home ip.src == 192.168.60.153 && udp.srcport == 1211 && ip.dst == 18.181.0.31
-- trace: uplink ip.src == 68.36.210.57 && udp.srcport == 1211 && ip.dst == 18.181.0.31
-- trace: uplink ip.src == 18.181.0.31 && ip.dst == 68.36.210.57 && udp.dstport == 1211
-- trace: home ip.src == 18.181.0.31 && ip.dst == 192.168.60.153 && udp.dstport == 1211
-- trace: uplink ip.src == 203.0.113.66 && udp.dstport == 1211
-- trace-none: home ip.src == 203.0.113.66
-- trace-none: uplink ip.addr == 192.168.60.153

local home = sim.lan("home", {delay = "1ms", bandwidth = "100Mbit"})
local uplink = sim.link("uplink", {delay = "5ms"})
local backbone = sim.link("backbone", {delay = "10ms"})
local other = sim.link("other", {delay = "10ms"})

local A = sim.host("A")
local NA = sim.nat("NA", {preset = "port-restricted-cone", ports = "preserve"})
local R = sim.router("R")
local S = sim.host("S")
local E = sim.host("E")

A:attach(home, {ip = "192.168.60.153/24"})
NA:inside(home, {ip = "192.168.60.1/24"})
NA:outside(uplink, {ip = "68.36.210.57/24"})
R:attach(uplink, {ip = "68.36.210.1/24"})
R:attach(backbone, {ip = "18.181.0.1/24"})
R:attach(other, {ip = "203.0.113.1/24"})
S:attach(backbone, {ip = "18.181.0.31/24"})
E:attach(other, {ip = "203.0.113.66/24"})

A:route("default", "192.168.60.1")
NA:route("default", "68.36.210.1")
S:route("default", "18.181.0.1")
E:route("default", "203.0.113.1")

-- S: an echo server that reports whom it believes it is talking to.
local seen_ip, seen_port
local server = S:udp{port = 7}
sim.spawn(function()
  local data, ip, port = server:recv("5s")
  seen_ip, seen_port = ip, port
  print(string.format("S received %q from %s:%d", data, ip, port))
  server:sendto(data .. " back", ip, port)
end)

local a = A:udp{port = 1211}
a:sendto("hello", "18.181.0.31", 7)
local reply, rip, rport = a:recv("2s")
print(string.format("A received %q from %s:%s", tostring(reply), tostring(rip), tostring(rport)))

print("\nNA's translation table after the exchange:")
NA:print_table()

sim.expect(seen_ip == "68.36.210.57", "S sees the NAT's public address, not 192.168.60.153")
sim.expect(seen_port == 1211, "port preservation: the outside port is the inside port 1211")
sim.expect(reply == "hello back", "the answer found its way back in through the mapping")

local t = NA:table()
sim.expect(#t == 1, "one mapping")
sim.expect(t[1] and t[1].inside == "192.168.60.153:1211" and t[1].outside == "68.36.210.57:1211",
           "mapping 192.168.60.153:1211 <-> 68.36.210.57:1211")

-- E tries to reach A uninvited: once on the mapped port, once on a port with no mapping.
local e = E:udp{port = 4444}
e:sendto("knock knock", "68.36.210.57", 1211)
e:sendto("anyone?", "68.36.210.57", 5555)
local got = a:recv("1s")
sim.expect(got == nil, "nothing uninvited reached A")

local drops = NA:drops()
print("\nNA's drops:")
for _, reason in ipairs({"nat-filtered", "nat-no-mapping"}) do
  print(string.format("  %-16s %d", reason, drops[reason] or 0))
end
sim.expect(drops["nat-filtered"] == 1, "E's packet to the mapped port was filtered (APDF)")
sim.expect(drops["nat-no-mapping"] == 1, "E's packet to an unmapped port found no mapping")
sim.stop() -- the story is told; end the run here
