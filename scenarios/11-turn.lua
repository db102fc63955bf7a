-- 11-turn.lua — TURN (RFC 8656): a relay a host behind any NAT can always use, and the
-- permission rule that keeps it from being an open door.
--
-- The picture:
--
--      A 192.168.60.155                    S 18.181.0.31:3478 (TURN server, realm example.org)
--         │ lan                                │ s-link
--      NA 68.36.210.57 (symmetric) ── wan ──── R ──── p-link ──── B 138.76.29.33 (peer)
--
-- A sits behind a symmetric NAT: its mapping towards S is useless to anyone else, so B cannot
-- reach A directly, not even by hole punching. A asks S for an allocation: S opens a relayed
-- transport address (18.181.0.31:port) and relays between it and A. The Allocate is refused
-- the first time with 401 (REALM, NONCE): A repeats it with USERNAME, REALM, NONCE and
-- MESSAGE-INTEGRITY, keyed by MD5(alice:example.org:password).
-- Now B knows the relayed address, but S relays nothing from B until A installs a permission
-- for B's IP address (CreatePermission): B's first datagram is dropped at S. After the
-- permission, B's datagrams reach A as Data indications and A answers with Send indications;
-- once A binds a channel (ChannelBind), both directions use 4-byte ChannelData headers instead.
--
-- In Wireshark: "s-link" shows the Allocate / 401 / Allocate / success exchange, the
-- CreatePermission, Send and Data indications (stun.type 0x0016 / 0x0017) and ChannelData
-- (stun.channel); "p-link" shows B's one direct attempt at A's NAT (filtered there) and then B
-- talking to the relayed address only: nothing ever comes to B from A's NAT.
--
-- At the end A does it all again over TCP (RFC 8656 §3.1): only the leg between A and S
-- changes; S still relays over UDP to B. One TCP connection through NA carries the Allocate,
-- the permission, the ChannelBind and the ChannelData, framed on the stream by the length in
-- each header. ChannelData on TCP is padded to a multiple of 4 bytes (§12.5), so a 5-byte
-- payload takes 4 + 8 bytes. The allocation belongs to the connection: when it closes, S
-- deletes the allocation.
--
-- The test suite checks these in the pcaps:
-- trace: s-link stun.type == 0x0003 && !stun.att.type == 0x0008
-- trace: s-link stun.type == 0x0113 && stun.att.error.class == 4 && stun.att.error == 1
-- trace: s-link stun.type == 0x0103 && stun.att.lifetime == 600
-- trace: s-link stun.type == 0x0008
-- trace: s-link stun.type == 0x0016
-- trace: s-link stun.type == 0x0017
-- trace: s-link stun.channel == 0x4000
-- trace: p-link ip.src == 18.181.0.31 && ip.dst == 138.76.29.33
-- trace-none: p-link ip.src == 68.36.210.57
-- trace: s-link tcp && stun.type == 0x0103
-- trace: s-link tcp && stun.channel == 0x4000 && stun.length == 5 && tcp.len == 12

local R = sim.router("R")
local lan = sim.lan("lan", {delay = "1ms"})
local wan = sim.link("wan", {delay = "5ms"})
local s_link = sim.link("s-link", {delay = "10ms"})
local p_link = sim.link("p-link", {delay = "5ms"})

local A = sim.host("A")
A:attach(lan, {ip = "192.168.60.155/24"})
A:route("default", "192.168.60.1")
local NA = sim.nat("NA", {preset = "symmetric"})
NA:inside(lan, {ip = "192.168.60.1/24"})
NA:outside(wan, {ip = "68.36.210.57/24"})
NA:route("default", "68.36.210.1")
R:attach(wan, {ip = "68.36.210.1/24"})

local S = sim.host("S")
S:attach(s_link, {ip = "18.181.0.31/24"})
S:route("default", "18.181.0.1")
R:attach(s_link, {ip = "18.181.0.1/24"})

local B = sim.host("B")
B:attach(p_link, {ip = "138.76.29.33/24"})
B:route("default", "138.76.29.1")
R:attach(p_link, {ip = "138.76.29.1/24"})

local server = turn.server(S, {realm = "example.org", users = {alice = "correct horse"},
                               port = 3478, quota = 4, tcp = true})
print(server)

-- 1. Allocate: 401 first, then the authenticated request succeeds.
local alloc, err = turn.allocate(A, "18.181.0.31:3478",
                                 {user = "alice", password = "correct horse"})
if not sim.expect(alloc ~= nil, "A got an allocation (" .. tostring(err) .. ")") then
  sim.stop()
  return
end
local relayed = alloc:relayed()
print("A's relayed address:", relayed, " server-reflexive:", alloc:mapped())
sim.expect(relayed:match("^18%.181%.0%.31:") ~= nil, "the relayed address is on S")
sim.expect(alloc:mapped():match("^68%.36%.210%.57:") ~= nil, "S saw A through NA")
sim.expect(alloc:stats().auth_retries == 1, "the first Allocate was refused with 401")

-- 2. B cannot reach A directly: even if B learnt A's server-reflexive address, NA (symmetric,
--    address-and-port-dependent filtering) admits only what comes from S's 3478.
local b = B:udp{port = 5000}
local mip, mport = alloc:mapped():match("^(.*):(%d+)$")
b:sendto("straight to A?", mip, tonumber(mport))
sim.sleep("100ms")
sim.expect((NA:drops()["nat-filtered"] or 0) == 1, "NA filtered B's direct attempt")
print("B's direct attempt at " .. alloc:mapped() .. ": filtered by NA")

-- 3. B tries the relayed address before A permitted it: S drops the datagram.
local rip, rport = relayed:match("^(.*):(%d+)$")
b:sendto("hello from B (too early)", rip, tonumber(rport))
local data = alloc:recv("1s")
sim.expect(data == nil, "without a permission S relays nothing from B")
sim.expect(server:stats().no_permission == 1, "S dropped B's first datagram (no permission)")
print("B's first datagram: dropped at S, no permission for 138.76.29.33")

-- 4. A installs a permission for B's IP (CreatePermission) and B tries again.
sim.expect(alloc:permit("138.76.29.33") == true, "CreatePermission for B succeeded")
b:sendto("hello from B", rip, tonumber(rport))
local from, channel
data, from, channel = alloc:recv("1s")
sim.expect(data == "hello from B", "B reached A through the relay")
sim.expect(from == "138.76.29.33:5000" and channel == 0, "as a Data indication naming B")

-- 5. A answers with a Send indication; B sees it come from the relayed address.
alloc:send("138.76.29.33:5000", "hello B, this is A")
local reply, ip, port = b:recv("1s")
sim.expect(reply == "hello B, this is A", "A's Send indication reached B")
sim.expect(ip .. ":" .. port == relayed, "B sees the relayed address, never A's NAT")

-- 6. A binds channel 0x4000 to B: from now on 4-byte ChannelData headers, both ways.
channel = alloc:bind("138.76.29.33:5000")
sim.expect(channel == 0x4000, "ChannelBind gave channel 0x4000")
alloc:send("138.76.29.33:5000", "over the channel")
reply = b:recv("1s")
sim.expect(reply == "over the channel", "ChannelData from A reached B")
b:sendto("channel reply", rip, tonumber(rport))
data, from, channel = alloc:recv("1s")
sim.expect(data == "channel reply" and channel == 0x4000, "B's reply came as ChannelData")

print("\nS's allocations:")
server:print()
local st = server:stats()
print(string.format("S relayed %d datagrams to peers and %d to clients; dropped %d without "
                    .. "permission", st.relayed_to_peer, st.relayed_to_client, st.no_permission))
sim.expect(st.relayed_to_peer == 2 and st.relayed_to_client == 2, "S relayed both ways")

-- 7. Delete the allocation (Refresh with LIFETIME 0).
sim.expect(alloc:close() == true, "the allocation was deleted")
sim.expect(server:allocations() == 0, "S holds no allocation any more")

-- The same over TCP between A and S; the relay to B stays UDP.
local talloc, terr = turn.allocate(A, "18.181.0.31:3478",
                                   {user = "alice", password = "correct horse", transport = "tcp"})
if not sim.expect(talloc ~= nil, "A got an allocation over TCP (" .. tostring(terr) .. ")") then
  sim.stop()
  return
end
print("\nOver TCP: relayed " .. talloc:relayed() .. ", server-reflexive " .. talloc:mapped()
      .. " (NA's TCP mapping)")
sim.expect(server:stats().tcp_open == 1, "S holds one TCP connection")
local tch = talloc:bind("138.76.29.33:5000")
sim.expect(tch == 0x4000, "ChannelBind over TCP gave channel 0x4000")
talloc:send("138.76.29.33:5000", "hello")  -- 5 bytes: 3 bytes of padding on TCP
reply, ip, port = b:recv("1s")
sim.expect(reply == "hello" and ip .. ":" .. port == talloc:relayed(),
           "ChannelData over TCP reached B by UDP, from the relayed address")
rip, rport = talloc:relayed():match("^(.*):(%d+)$")
b:sendto("back to A over TCP", rip, tonumber(rport))
data, from, channel = talloc:recv("1s")
sim.expect(data == "back to A over TCP" and channel == 0x4000, "B's reply came back over TCP as ChannelData")
server:print()
sim.expect(talloc:close() == true, "the TCP allocation was deleted")
sim.expect(server:allocations() == 0, "no allocation left")
sim.stop()
