-- 02-relay.lua — relaying (RFC 5128 §2.1): the method that always works, and what it costs.
--
-- The picture:
--
--                            P 18.181.0.40:5001  (relay, far away: 20 ms)
--                                   │
--               ┌────────────────── R ──────────────────┐
--      NA 155.99.25.11 (symmetric)              NB 138.76.29.7 (symmetric)
--               │                                       │
--      A 10.0.0.1:4321                          B 10.1.1.3:4321
--
-- Both NATs are symmetric, the case where hole punching fails (scenario 05). Neither A nor B
-- can be reached from outside, but both can reach P. So each REGISTERs with P, and keeps a
-- KEEPALIVE going every 15 s: that keeps its NAT mapping towards P open (a UDP mapping lives
-- 120 s without traffic, RFC 4787 REQ-5), the "connection" P uses to reach it.
-- A sends RELAY(to B, data) to P; P looks B up and sends RELAYED(from A, data) to B's mapping.
-- NB admits it because it comes from P, the endpoint B's mapping was made for.
--
-- The cost, measured below:
--   - every message crosses P's access link twice (in and out): P pays the bandwidth of every
--     conversation it relays;
--   - the path is A → NA → R → P → R → NB → B instead of A → NA → R → NB → B: two UDP legs
--     instead of one, R crossed twice, P as an extra (application) hop, and here 2 × 20 ms of
--     extra delay each way;
--   - P must stay up for the whole conversation.
-- That is why peers try hole punching first and relay only as the last resort (ICE does the
-- same with TURN).
--
-- In Wireshark: "p-link" shows each message twice, RELAY in and RELAYED out (payload "RLY").
--
-- The test suite checks these in the pcaps:
-- trace: p-link ip.dst == 18.181.0.40 && udp.dstport == 5001 && ip.src == 155.99.25.11
-- trace: p-link ip.src == 18.181.0.40 && udp.srcport == 5001 && ip.dst == 138.76.29.7
-- trace-none: na-up ip.src == 155.99.25.11 && ip.dst == 138.76.29.7

local function site(name, public_ip, gw_ip, private_ip, host_name)
  local lan = sim.lan(name .. "-lan", {delay = "1ms", bandwidth = "100Mbit"})
  local up = sim.link(string.lower(name) .. "-up", {delay = "5ms"})
  local nat = sim.nat(name, {preset = "symmetric"})
  local host = sim.host(host_name)
  local gw = private_ip:gsub("%.%d+$", ".254")
  host:attach(lan, {ip = private_ip .. "/24"})
  host:route("default", gw)
  nat:inside(lan, {ip = gw .. "/24"})
  nat:outside(up, {ip = public_ip .. "/24"})
  nat:route("default", gw_ip)
  return host, up, nat
end

local R = sim.router("R")
local p_link = sim.link("p-link", {delay = "20ms"})
local P = sim.host("P")
P:attach(p_link, {ip = "18.181.0.40/24"})
R:attach(p_link, {ip = "18.181.0.1/24"})
P:route("default", "18.181.0.1")
local A, na_up, NA = site("NA", "155.99.25.11", "155.99.25.1", "10.0.0.1", "A")
local B, nb_up = site("NB", "138.76.29.7", "138.76.29.1", "10.1.1.3", "B")
R:attach(na_up, {ip = "155.99.25.1/24"})
R:attach(nb_up, {ip = "138.76.29.1/24"})

local relay_server = relay.relay(P, {port = 5001})
local a = relay.client(A, {server = "18.181.0.40:5001", name = "A", port = 4321, keepalive = "15s"})
local b = relay.client(B, {server = "18.181.0.40:5001", name = "B", port = 4321, keepalive = "15s"})
print("A registered with P as", a:register("2s"))
print("B registered with P as", b:register("2s"))

-- B echoes everything it gets through the relay back to its sender
sim.spawn(function()
  while true do
    local data, from = b:recv_relayed()
    b:relay_send(from, "echo " .. data)
  end
end)

-- one-way delays of the links, to compare with what we measure
local lan, up, pl = 0.001, 0.005, 0.020
local direct_one_way = lan + up + up + lan          -- A NA R NB B
local relayed_one_way = lan + up + pl + pl + up + lan -- A NA R P R NB B

local N, rtts = 10, {}
local before = p_link:stats()
for i = 1, N do
  local msg = string.format("message %d from A", i)
  local t0 = sim.now()
  a:relay_send("B", msg)
  local echo, from = a:recv_relayed("2s")
  sim.expect(echo == "echo " .. msg and from == "B", "echo " .. i .. " came back through P")
  rtts[#rtts + 1] = sim.now() - t0
  sim.sleep("100ms")
end
local after = p_link:stats()

local st = relay_server:stats()
local rtt = 0
for _, r in ipairs(rtts) do rtt = rtt + r end
rtt = rtt / #rtts
print(string.format("\n%d messages each way through P", N))
print(string.format("  P relayed %d messages, %d payload bytes", st.relayed_msgs, st.relayed_bytes))
print(string.format("  frames on P's link during the exchange: %d (%d bytes)",
                    after.tx_frames - before.tx_frames, after.tx_bytes - before.tx_bytes))
print(string.format("  round trip through P: %.1f ms (link delays alone: %.1f ms)", rtt * 1000,
                    2 * relayed_one_way * 1000))
print(string.format("  a direct path would take %.1f ms: the relay costs %.1f ms per round trip",
                    2 * direct_one_way * 1000, (rtt - 2 * direct_one_way) * 1000))
print("  IP hops: direct 3 routers (NA, R, NB); relayed 4 (NA, R | R, NB) + the relay itself")
print("\nNA's table: A talks to P only, so even a symmetric NAT needs just one mapping")
NA:print_table()
print(string.format("P's registrations: %d", st.registered))

sim.expect(st.relayed_msgs == 2 * N, "P relayed every message and every echo")
sim.expect(after.tx_frames - before.tx_frames >= 4 * N,
           "each message crossed P's link twice: in as RELAY, out as RELAYED")
sim.expect(rtt >= 2 * relayed_one_way - 1e-6, "the relayed round trip pays the detour through P")
sim.expect(rtt - 2 * direct_one_way >= 0.080, "at least 4 x 20 ms more than a direct path")

sim.stop() -- keepalives would tick forever
