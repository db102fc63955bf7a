-- 35-slaac.lua — IPv6 stateless address autoconfiguration (RFC 4862) with Router Discovery
-- (RFC 4861): a laptop joins an office LAN with no DHCP server and no configuration at all,
-- and ends up with a link-local address, a global address and a default router. Then a second
-- machine with the same interface identifier arrives and fails Duplicate Address Detection.
--
-- The picture:
--
--   laptop  00:1b:63:84:45:e6 ─┐
--   clone   00:1b:63:aa:bb:cc ─┼─ office ── R ── wan ── server 2001:db8:beef::10
--   tablet  (stable ID)       ─┘  1 ms     advertises 2001:db8:cafe::/64 every 10..30 s
--
-- What the laptop does, all in its kernel (here: the simulator's stack):
--   1. Link-local address: fe80::/64 + the interface ID. The ID is the modified EUI-64 of the
--      MAC (RFC 4291 App. A): 00:1b:63 ff:fe 84:45:e6, with the universal/local bit flipped,
--      gives 021b:63ff:fe84:45e6, so fe80::21b:63ff:fe84:45e6.
--   2. The address is *tentative*: not used, not answered for. The laptop joins the address's
--      solicited-node group (ff02::1:ff84:45e6), waits a random 0..1 s (MAX_RTR_SOLICITATION_DELAY,
--      so that a room of machines powered on together does not shout at once), and sends a
--      Neighbor Solicitation *from ::* for its own address (DAD, RFC 4862 §5.4). Nobody
--      answers within RetransTimer (1 s): the address is unique and becomes *preferred*.
--   3. Router Solicitation to all-routers (ff02::2). The router answers with a Router
--      Advertisement to all-nodes: "I am a default router for 30 minutes; 2001:db8:cafe::/64 is
--      on-link (L) and good for autoconfiguration (A), valid 1 h, preferred 30 min".
--   4. Global address: the prefix + the same interface ID, 2001:db8:cafe:0:21b:63ff:fe84:45e6,
--      tentative, DAD again, then preferred. Default route via the router's link-local address.
--
-- The clone is a machine whose administrator typed the laptop's interface ID as a fixed token.
-- Its DAD probe for fe80::21b:63ff:fe84:45e6 reaches the laptop, which owns that address and
-- defends it with a Neighbor Advertisement. Since the clone's link-local address came from its
-- interface ID, every address it would make from that ID would collide too: RFC 4862 §5.4.5
-- says IP operation on the interface should be disabled — "duplicate address detected, admin
-- intervention required". The tablet uses RFC 7217 stable random IDs (a hash of the prefix, the
-- interface and a secret): its addresses do not reveal its MAC and differ per network.
--
-- The test suite checks these in the pcaps:
-- trace: office icmpv6.type == 135 && ipv6.src == :: && icmpv6.nd.ns.target_address == fe80::21b:63ff:fe84:45e6 && icmpv6.opt.nonce
-- trace: office icmpv6.type == 135 && ipv6.src == :: && ipv6.dst == ff02::1:ff84:45e6 && icmpv6.nd.ns.target_address == 2001:db8:cafe:0:21b:63ff:fe84:45e6
-- trace: office icmpv6.type == 133 && ipv6.src == fe80::21b:63ff:fe84:45e6 && ipv6.dst == ff02::2 && ipv6.hlim == 255
-- trace: office icmpv6.type == 134 && icmpv6.opt.prefix == 2001:db8:cafe:: && icmpv6.opt.prefix.flag.a == 1 && icmpv6.opt.prefix.flag.l == 1 && icmpv6.opt.prefix.valid_lifetime == 3600 && icmpv6.opt.prefix.preferred_lifetime == 1800 && icmpv6.nd.ra.router_lifetime == 1800
-- trace: office icmpv6.type == 136 && ipv6.dst == ff02::1 && icmpv6.nd.na.target_address == fe80::21b:63ff:fe84:45e6 && eth.src == 00:1b:63:84:45:e6
-- trace: office icmpv6.type == 135 && ipv6.src == :: && eth.src == 00:1b:63:aa:bb:cc
-- trace: wan icmpv6.type == 128 && ipv6.src == 2001:db8:cafe:0:21b:63ff:fe84:45e6
-- trace-none: office icmpv6.type == 133 && eth.src == 00:1b:63:aa:bb:cc
-- trace-none: office ipv6.src == fe80::21b:63ff:fe84:45e6 && eth.src == 00:1b:63:aa:bb:cc

local office = sim.lan("office", {delay = "1ms"})
local wan = sim.link("wan", {delay = "5ms"})

-- The router: a static address on each side, and Router Advertisements on the office LAN.
-- Real routers advertise every 200..600 s (MaxRtrAdvInterval 600 s); a short interval keeps
-- the run short and shows several unsolicited advertisements.
local R = sim.router("R")
R:attach(office, {ip6 = "2001:db8:cafe::1/64"})
R:attach(wan, {ip6 = "2001:db8:beef::1/64"})
R:advertise(office, {prefix = "2001:db8:cafe::/64", valid = "1h", preferred = "30min",
                     interval = "30s", min_interval = "10s", router_lifetime = "30min"})

local server = sim.host("server")
server:attach(wan, {ip6 = "2001:db8:beef::10/64"})
server:route("2001:db8:cafe::/64", "2001:db8:beef::1")

-- The laptop: no address given, only "autoconfigure, with DAD" (a kernel's defaults).
local laptop = sim.host("laptop")
local eth0 = laptop:attach(office, {mac = "00:1b:63:84:45:e6", slaac = true, dad = true})

local first = eth0:addresses()[1]
print(string.format("t=%.3f  %s  %s (%s)", sim.now(), first.ip, first.state, first.origin))
sim.expect(first.ip == "fe80::21b:63ff:fe84:45e6" and first.state == "tentative",
           "the link-local address starts tentative")
sim.expect(eth0:ip6() == nil, "a tentative address is not usable")

-- DAD: one NS after a random delay of at most 1 s, then RetransTimer (1 s) of silence.
local ll = eth0:wait_address{scope = "link-local", timeout = "5s"}
print(string.format("t=%.3f  %s  preferred after DAD", sim.now(), ll))
sim.expect(ll == "fe80::21b:63ff:fe84:45e6", "link-local from the EUI-64")
sim.expect(sim.now() >= 1 and sim.now() <= 2, "DAD takes the random delay + 1 s")

-- Router Solicitation, Router Advertisement, then DAD for the global address.
local global = eth0:wait_address{scope = "global", timeout = "10s"}
print(string.format("t=%.3f  %s  preferred (SLAAC)", sim.now(), global))
sim.expect(global == "2001:db8:cafe:0:21b:63ff:fe84:45e6", "global address = prefix + EUI-64")
local function secs(t) return t == math.huge and "forever" or string.format("%.0f s", t) end
for _, a in ipairs(eth0:addresses()) do
  print(string.format("         %-36s /%d  %-9s %-10s valid %s, preferred %s", a.ip, a.plen,
                      a.state, a.origin, secs(a.valid), secs(a.preferred)))
end
local st = eth0:slaac_stats()
sim.expect(st.dad_ns_sent == 2 and st.rs_sent >= 1 and st.ra_rx >= 1, "2 DAD probes, RS, RA")

-- The default router came from the RA: the server on the other side is reachable.
local rtt = laptop:ping("2001:db8:beef::10")
sim.expect(rtt ~= nil, "the laptop reaches the server through the advertised default router")

-- The clone: the laptop's interface ID, typed in by hand.
sim.sleep(5)
local clone = sim.host("clone")
local c0 = clone:attach(office, {mac = "00:1b:63:aa:bb:cc", slaac = true,
                                 iid = "::21b:63ff:fe84:45e6"})
local ip, err = c0:wait_address{scope = "link-local", timeout = "5s"}
print(string.format("t=%.3f  clone: %s", sim.now(), tostring(err)))
sim.expect(ip == nil and err:find("admin intervention required") ~= nil,
           "the clone's DAD fails: duplicate address detected, admin intervention required")
sim.expect(c0:addresses()[1].state == "duplicate" and c0:slaac_stats().disabled,
           "IPv6 is disabled on the clone's interface (RFC 4862 5.4.5)")
sim.expect(eth0:addresses()[1].state == "preferred", "the laptop keeps its address")

-- The tablet: RFC 7217 stable IDs. Same network, no MAC in its addresses.
local tablet = sim.host("tablet")
local t0 = tablet:attach(office, {slaac = true, iid = "stable"})
local tg = t0:wait_address{scope = "global", timeout = "40s"}
print(string.format("t=%.3f  tablet: %s", sim.now(), tostring(tg)))
sim.expect(tg ~= nil and tg:find("^2001:db8:cafe:") and not tg:find("ff:fe"),
           "a stable, opaque interface ID")
sim.expect(laptop:ping(tg) ~= nil, "laptop and tablet talk over their SLAAC addresses")

sim.stop()
