-- 09-stun.lua — STUN (RFC 8489): a host behind a NAT learns its public address.
--
-- The lecture's slide: "Send a message to a STUN server on the Internet, which returns the
-- source IP address and port number." The host cannot see its public address anywhere on its
-- own interfaces: only the NAT knows it, and only for the packets it translates. So the host
-- asks somebody outside to look at the packet and tell it what it saw.
--
-- The picture:
--
--                    S 18.181.0.31:3478  (STUN server on the Internet)
--                           │ s-link
--                           R 18.181.0.1 / 68.36.210.1
--                           │ access
--              NA 68.36.210.57 (port-restricted cone, port preservation)
--                           │ home
--          A 192.168.60.153        B 192.168.60.154          (and P 18.181.0.99, public, beside S)
--
-- What happens, step by step (the Wireshark view of each step is in the trace lines below):
--   1. A sends a Binding request (type 0x0001) from 192.168.60.153:1211 to 18.181.0.31:3478.
--      Its body is a 96-bit random transaction id and a FINGERPRINT; no addresses at all.
--   2. NA has no mapping for 192.168.60.153:1211 yet: it makes one (EIM: one mapping for every
--      destination), keeps the port because it is free (port preservation, RFC 4787 §4.2.1),
--      and rewrites the source to 68.36.210.57:1211. That is the table printed below.
--   3. S answers a Binding success response (0x0101) with XOR-MAPPED-ADDRESS = the source it
--      saw, 68.36.210.57:1211. XOR (with the magic cookie 0x2112A442) because some NATs
--      "helpfully" rewrote their own address wherever it appeared in a payload; XORed, it does
--      not appear, so it survives (RFC 8489 §14.2).
--   4. NA's filter admits the answer (it comes from exactly the endpoint A sent to) and sends
--      it to 192.168.60.153:1211. A now knows 68.36.210.57:1211: its server-reflexive address.
--   5. B does the same from the same private port 1211. Port 1211 outside is taken (by A), so
--      NA picks another one: B's mapped address shows a different port. The public port tells
--      nothing about the private one.
--   6. P, which has a public address, asks S too: its mapped address is its own address, so P
--      knows it is not behind a NAT (the first test of RFC 5780 discovery, scenario 10).
--   7. A asks again from the same socket: same mapping, same answer. A new socket (port 1212)
--      gets a new mapping. The mapping is per (private address, port), not per host.
--   8. A asks once more over TCP (RFC 8489 §6.2.2), from private port 1211 again. TCP is a
--      stream: the message's length is in its header, and the server reads it from the
--      connection's bytes; it answers on the same connection, with XOR-MAPPED-ADDRESS = the
--      connection's remote endpoint. No retransmissions (TCP does them): one request, and the
--      client would give up after Ti = 39.5 s. The NAT keeps TCP mappings apart from UDP ones
--      (RFC 5382): a fourth row, proto tcp, with its own state and timeouts.
-- The address is only useful while the mapping lives (120 s of silence here, RFC 4787 REQ-5),
-- and whether others can use it depends on the filtering (port-restricted: only S may answer
-- now). That is the next step: hole punching (scenario 04) and ICE.
--
-- The test suite checks these in the pcaps:
-- trace: home stun.type == 0x0001 && ip.src == 192.168.60.153 && udp.srcport == 1211
-- trace: access stun.type == 0x0001 && ip.src == 68.36.210.57 && udp.srcport == 1211
-- trace: s-link stun.type == 0x0101 && stun.att.ipv4 == 68.36.210.57 && stun.att.port == 1211
-- trace: home stun.type == 0x0101 && ip.dst == 192.168.60.153 && stun.att.ipv4 == 68.36.210.57
-- trace: home stun.att.crc32.status == "Good"
-- trace: s-link stun.type == 0x0101 && stun.att.ipv4 == 18.181.0.99
-- trace: s-link tcp && stun.type == 0x0101 && stun.att.ipv4 == 68.36.210.57 && tcp.dstport == 1211
-- trace: home tcp && stun.type == 0x0001 && ip.src == 192.168.60.153
-- trace-none: access ip.src == 192.168.60.153 || ip.dst == 192.168.60.153
-- trace-none: s-link stun.att.ipv4 == 192.168.60.153

local home = sim.lan("home", {delay = "1ms"})
local access = sim.link("access", {delay = "10ms"})
local s_link = sim.lan("s-link", {delay = "5ms"})
local A, B, P, S = sim.host("A"), sim.host("B"), sim.host("P"), sim.host("S")
local NA = sim.nat("NA", {preset = "port-restricted-cone", ports = "preserve"})
local R = sim.router("R")

A:attach(home, {ip = "192.168.60.153/24"})
B:attach(home, {ip = "192.168.60.154/24"})
A:gateway("192.168.60.1")
B:gateway("192.168.60.1")
NA:inside(home, {ip = "192.168.60.1/24"})
NA:outside(access, {ip = "68.36.210.57/24"})
NA:route("default", "68.36.210.1")
R:attach(access, {ip = "68.36.210.1/24"})
R:attach(s_link, {ip = "18.181.0.1/24"})
S:attach(s_link, {ip = "18.181.0.31/24"})
S:gateway("18.181.0.1")
P:attach(s_link, {ip = "18.181.0.99/24"})
P:gateway("18.181.0.1")

local server = stun.server(S, {port = 3478, software = "natsim STUN server", tcp = true})
local SERVER = "18.181.0.31:3478"

-- 1-4: A asks.
local a_mapped, info = stun.binding(A, SERVER, {port = 1211})
print(string.format("A 192.168.60.153:1211 learns its public address: %s (round trip %.0f ms)",
                    a_mapped, info.rtt * 1000))
sim.expect(a_mapped == "68.36.210.57:1211", "A's mapped address is the NAT's outside endpoint")
sim.expect(info.from == SERVER and info.transmissions == 1, "answered at the first try")

print("\nThe NAT table that made it:")
NA:print_table()
local t = NA:table()
sim.expect(#t == 1 and t[1].inside == "192.168.60.153:1211" and t[1].outside == a_mapped,
           "the mapping 192.168.60.153:1211 <-> " .. a_mapped)
sim.expect(t[1].permits[1] == SERVER, "the port-restricted filter admits exactly the server")

-- 5: B, same private port.
local b_mapped = stun.binding(B, SERVER, {port = 1211})
print(string.format("\nB 192.168.60.154:1211 learns %s (port 1211 outside was taken by A)",
                    b_mapped))
sim.expect(b_mapped ~= nil and b_mapped:match("^68%.36%.210%.57:") and b_mapped ~= a_mapped,
           "B shares the public address, with another port")

-- 6: a public host learns its own address: no NAT.
-- (P is on S's LAN here; its address is public, so what S sees is what P has.)
local p_mapped = stun.binding(P, SERVER, {port = 5000})
print("P 18.181.0.99:5000 (public) learns " .. tostring(p_mapped) .. ": no NAT in between")
sim.expect(p_mapped == "18.181.0.99:5000", "a public host's mapped address is its own")

-- 7: same socket again: same mapping; another socket: another mapping.
sim.expect(stun.binding(A, SERVER, {port = 1211}) == a_mapped, "same socket, same mapping")
local other = stun.binding(A, SERVER, {port = 1212})
sim.expect(other == "68.36.210.57:1212", "another private port, another mapping: " ..
           tostring(other))

print("\nThe table now:")
NA:print_table()
sim.expect(#NA:table() == 3, "three mappings: A:1211, B:1211, A:1212")
local st = server:stats()
print(string.format("\n%s answered %d Binding requests", tostring(server), st.success))
sim.expect(st.requests == 5 and st.success == 5 and st.errors == 0, "five requests, five answers")

-- 8: the same question over TCP.
local tcp_mapped, tinfo = stun.binding(A, SERVER, {port = 1211, transport = "tcp"})
print(string.format("\nOver TCP, A 192.168.60.153:1211 learns %s (%s, %d transmission)",
                    tostring(tcp_mapped), tinfo and tinfo.transport, tinfo and tinfo.transmissions))
sim.expect(tcp_mapped == "68.36.210.57:1211", "the TCP mapping keeps port 1211 too: " ..
           tostring(tcp_mapped))
sim.expect(tinfo.transport == "tcp" and tinfo.transmissions == 1, "one request, no retransmission")
NA:print_table()
local tcp_row
for _, e in ipairs(NA:table()) do
  if e.proto == "tcp" then tcp_row = e end
end
sim.expect(tcp_row and tcp_row.inside == "192.168.60.153:1211" and tcp_row.outside == tcp_mapped,
           "a TCP row in the NAT table: 192.168.60.153:1211 <-> " .. tostring(tcp_mapped))
sim.expect(server:stats().tcp_connections == 1, "the server accepted one TCP connection")
sim.stop()
