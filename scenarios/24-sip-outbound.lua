-- 24-sip-outbound.lua — a phone behind a NAT reached the standard way: RFC 5626 "outbound"
-- flows and RFC 3327 Path, with the edge proxy, the registrar and the home proxy on three
-- different hosts, and STUN keep-alives holding the NAT mapping open.
--
--   bob   10.0.0.20    ─homeB─ NB 128.6.4.33 ─upB─┐
--   carol 192.168.7.10 ─homeC─ NC 77.12.4.9  ─upC─┤           edge.mit.edu       18.7.22.10
--   alice 128.6.5.10 ─────────────────────── upA ─R ─net─    registrar.mit.edu  18.7.22.84
--                                                            proxy.mit.edu      18.7.22.83
--   NB, NC port-restricted cones forgetting idle UDP         ns.mit.edu         18.7.22.1
--   mappings after 60 s
--
-- 1. bob registers through the edge (it is his outbound proxy). The edge forwards the
--    REGISTER to registrar.mit.edu (RFC 3263: _sip._udp.mit.edu) and adds
--    Path: <sip:TOKEN@18.7.22.10:5060;lr;ob>, TOKEN naming the flow: NB's outside address
--    and port, sealed with an HMAC only the edge can make. The registrar stores the Path with
--    bob's binding and answers Require: outbound, Flow-Timer: 25.
-- 2. bob sends a STUN Binding request to the edge's SIP port every 20-25 s (80-100 % of the
--    Flow-Timer): each one refreshes NB's mapping; the answer tells bob the mapping is the
--    same. bob never re-REGISTERs (expires 3600).
-- 3. After 200 s (more than three NAT timeouts) alice calls bob@mit.edu through
--    proxy.mit.edu: it finds bob's contact in the registrar's location service, pushes the
--    stored Path as Route, the edge decodes the token and sends the INVITE over the flow —
--    to NB's mapping, from its port 5060, which NB admits.
-- 4. carol does the same but without keep-alives: her mapping dies after 60 s. A call at
--    +100 s is sent over the dead flow and NB drops it (nat-no-mapping): 408 after Timer B.
--    A call at +200 s is refused by the edge at once: the flow has been silent longer than
--    its flow_timeout (150 s): 430 Flow Failed. proxy.mit.edu removes carol's binding (RFC
--    5626 §7) and, with no other flow of her phone to try, answers alice 480.
--
-- trace: net sip.Method == "REGISTER" && sip.Path contains ";ob" && ip.src == 18.7.22.10
-- trace: net sip.Status-Code == 200 && sip.Path && sip.Require == "outbound"
-- trace: upB sip.Method == "REGISTER" && sip.Contact contains "+sip.instance" && sip.Contact contains "reg-id=1"
-- trace: upB stun.type == 0x0001 && udp.dstport == 5060 && ip.src == 128.6.4.33
-- trace: upB stun.type == 0x0101 && stun.att.type == 0x0020 && udp.srcport == 5060
-- trace: net sip.Method == "INVITE" && sip.Route contains "@18.7.22.10:5060;lr;ob" && ip.dst == 18.7.22.10
-- trace: upB sip.Method == "INVITE" && ip.src == 18.7.22.10 && udp.srcport == 5060
-- trace: net sip.Status-Code == 430 && ip.src == 18.7.22.10 && ip.dst == 18.7.22.83
-- trace: upA sip.Status-Code == 480
-- trace-none: upA sip.Status-Code == 430
-- trace: upC sip.Method == "INVITE" && ip.src == 18.7.22.10 && ip.dst == 77.12.4.9
-- trace-none: homeC sip.Method == "INVITE"
-- trace-seq: upB sip.Method,sip.Status-Code ip.addr == 128.6.4.33 && sip -> REGISTER 200 INVITE 100 180 200 ACK BYE 200

local homeB, homeC = sim.lan("homeB", {delay = "1ms"}), sim.lan("homeC", {delay = "1ms"})
local upA, upB, upC = sim.link("upA", {delay = "5ms"}), sim.link("upB", {delay = "5ms"}),
                      sim.link("upC", {delay = "5ms"})
local net = sim.lan("net", {delay = "2ms"})
local R = sim.router("R")
local NB = sim.nat("NB", {preset = "port-restricted-cone", ports = "random", timeout = "60s"})
local NC = sim.nat("NC", {preset = "port-restricted-cone", ports = "random", timeout = "60s"})
local bob, carol, alice = sim.host("bob"), sim.host("carol"), sim.host("alice")
bob:attach(homeB, {ip = "10.0.0.20/24"})
NB:inside(homeB, {ip = "10.0.0.1/24"})
NB:outside(upB, {ip = "128.6.4.33/24"})
carol:attach(homeC, {ip = "192.168.7.10/24"})
NC:inside(homeC, {ip = "192.168.7.1/24"})
NC:outside(upC, {ip = "77.12.4.9/24"})
alice:attach(upA, {ip = "128.6.5.10/24"})
R:attach(upA, {ip = "128.6.5.1/24"})
R:attach(upB, {ip = "128.6.4.1/24"})
R:attach(upC, {ip = "77.12.4.1/24"})
R:attach(net, {ip = "18.7.22.254/24"})
bob:route("default", "10.0.0.1")
carol:route("default", "192.168.7.1")
alice:route("default", "128.6.5.1")
NB:route("default", "128.6.4.1")
NC:route("default", "77.12.4.1")
local function server(name, ip)
  return sim.host(name, {on = net, ip = ip .. "/24", gateway = "18.7.22.254"})
end
local edge_h, reg_h = server("edge.mit.edu", "18.7.22.10"), server("registrar.mit.edu", "18.7.22.84")
local px_h, ns = server("proxy.mit.edu", "18.7.22.83"), server("ns.mit.edu", "18.7.22.1")

dns.server(ns, {zone = "mit.edu", ttl = 3600, records = {
  {name = "_sip._udp.mit.edu", type = "SRV", priority = 0, weight = 0, port = 5060,
   target = "registrar.mit.edu"},
  {name = "registrar.mit.edu", type = "A", data = "18.7.22.84"},
}})

local registrar = sip.registrar(reg_h, {domain = "mit.edu", flow_timer = 25})
local proxy = sip.proxy(px_h, {domain = "mit.edu", location = registrar})
local edge = sip.proxy(edge_h, {domain = "edge.mit.edu", dns = "18.7.22.1", outbound = true,
                                flow_timeout = 150})

local function phone(host, user, keepalive)
  return sip.ua(host, {aor = "sip:" .. user .. "@mit.edu", registrar = "18.7.22.10",
                       proxy = "18.7.22.10", outbound = true, keepalive = keepalive,
                       expires = 3600, media = false})
end
local b = phone(bob, "bob", nil)            -- keep-alives every 80-100 % of Flow-Timer
local c = phone(carol, "carol", false)      -- the control: no keep-alives
local a = sip.ua(alice, {aor = "sip:alice@rutgers.edu", proxy = "18.7.22.83", media = false})

-- 1 ------------------------------------------------------------------ registration
sim.expect(b:register() and c:register(), "bob and carol register through the edge")
print("bob's binding at the registrar:", registrar:bindings("bob@mit.edu")[1])
print("edge:", edge:stats().forwarded, "requests forwarded")

-- 2 ------------------------------------------------------------------ the control at +100 s
-- carol's flow has been silent for 100 s: NC forgot it 40 s ago, but the edge (flow_timeout
-- 150 s) still believes in it and sends the INVITE there.
sim.sleep(100)
print("at +100 s: NC (carol, no keep-alives):") NC:print_table()
local drops0 = NC:drops()["nat-no-mapping"] or 0
local c1 = a:call("sip:carol@mit.edu")
local ok1, st1 = c1:wait_answer(40)
print("alice -> carol at +100 s:", ok1, st1, " NC dropped",
      (NC:drops()["nat-no-mapping"] or 0) - drops0, "INVITEs (no mapping)")
sim.expect(not ok1 and st1 == 408, "without keep-alives the INVITE dies at NC: 408 (Timer B)")
sim.expect((NC:drops()["nat-no-mapping"] or 0) > drops0, "NC had no mapping for carol's flow")

-- 3 ------------------------------------------------------------------ bob after 200 s
sim.sleep(200 - sim.now())
print("at +200 s: NB (bob, keep-alives):") NB:print_table()
local sb = b:stats()
print(string.format("bob sent %d STUN keep-alives, %d answered; %d REGISTERs in all",
                    sb.keepalives, sb.keepalive_answers, sb.registrations))
sim.expect(sb.keepalives >= 8 and sb.keepalive_answers == sb.keepalives,
           "bob's keep-alives went out every 20-25 s and were all answered")
sim.expect(sb.registrations == 1, "bob did not re-REGISTER: keep-alives alone held the mapping")
sim.expect(#NB:table() == 1 and #NC:table() == 0,
           "NB still maps bob's flow; NC forgot carol's (60 s idle)")
local incoming
b:on_invite(function(call) incoming = call call:ring() call:answer() end)
local call = a:call("sip:bob@mit.edu")
local ok = call:wait_answer(5)
print("alice -> bob:", ok, "  proxy.mit.edu pushed Path", proxy:stats().via_path,
      "time(s), edge sent", edge:stats().via_token, "request(s) over flows")
sim.expect(ok and incoming ~= nil, "the call reached bob through the edge's flow")
sim.expect(proxy:stats().via_path >= 1 and edge:stats().via_token >= 1,
           "routed by the stored Path and the flow token")
sim.sleep(1)
call:bye()
sim.expect(call:wait_end(5), "alice's BYE reached bob through the flow too (flow-token Record-Route)")

-- 4 ------------------------------------------------------------------ carol again: 430
-- Now carol's flow has been silent for over 150 s: the edge answers for it.
local c2 = a:call("sip:carol@mit.edu")
local t0 = sim.now()
local ok2, st2 = c2:wait_answer(40)
print(string.format("alice -> carol again: %s %s after %.0f ms; edge flow failures: %d",
                    tostring(ok2), tostring(st2), (sim.now() - t0) * 1000, edge:stats().flow_failed))
sim.expect(not ok2 and st2 == 480 and edge:stats().flow_failed == 1,
           "the edge knows the flow is gone (430 Flow Failed); the home proxy answers 480 at once")
sim.expect(#registrar:bindings("carol@mit.edu") == 0,
           "the home proxy removed carol's failed flow from the location service")
sim.stop()
