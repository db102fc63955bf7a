-- 28-sip-outbound-redundancy.lua — one phone, two flows: RFC 5626 outbound with two edge
-- proxies (reg-id 1 and 2), and what the home proxy does when the flow it tries answers 430.
--
--   bob 10.0.0.20 ─homeB─ NB 128.6.4.33 ─upB─ R ─acc1─ 128.6.1.10 edge1.mit.edu 18.7.22.10 ─┐
--                                            │ └acc2─ 128.6.2.10 edge2.mit.edu 18.7.22.11 ─┤net
--   alice 128.6.5.10 ────────────────── upA ─┘   (R is on net too)  proxy.mit.edu 18.7.22.83
--                                                                   ns.mit.edu    18.7.22.1
--   Each edge has two legs: its SIP address on acc1 / acc2, where the phones reach it, and a
--   leg on net toward proxy.mit.edu (registrar and home proxy at once), which routes the
--   edges' SIP addresses over net. NB: port-restricted cone, UDP mappings live 60 s.
--
-- 1. bob's phone has outbound = {edges = {edge1, edge2}}: it registers flow 1 through edge1
--    and flow 2 through edge2, with the same +sip.instance and reg-id=1 / reg-id=2. The
--    registrar keeps two bindings (one per instance and reg-id) with the two Paths and lists
--    both in its 200 OK, each Contact with its instance and reg-id.
-- 2. bob sends STUN keep-alives on both flows (every 16-20 s: Flow-Timer 20).
-- 3. At +60 s acc2 fails. bob's keep-alives to edge2 go unanswered: each is retransmitted
--    (RFC 5389 RTO 500 ms: +0.5, +1.5, +3.5, +7.5 s) and after 10 s bob calls the flow failed
--    and tries to register it again (those REGISTERs die on acc2 too).
-- 4. At +120 s alice calls bob. proxy.mit.edu sends ONE INVITE for bob's phone (one per
--    instance, RFC 5626 §7), over the most recently registered flow: flow 2, through edge2.
--    edge2 has not heard from that flow for more than its flow_timeout (45 s): 430 Flow
--    Failed. The proxy removes that binding, sends the INVITE again over flow 1 through
--    edge1, bob's phone rings and answers. alice never sees the 430.
--
-- trace: upB sip.Method == "REGISTER" && sip.Contact contains "reg-id=1" && ip.dst == 128.6.1.10
-- trace: upB sip.Method == "REGISTER" && sip.Contact contains "reg-id=2" && ip.dst == 128.6.2.10
-- trace: net sip.Status-Code == 200 && sip.CSeq.method == "REGISTER" && sip.Contact contains "reg-id=1" && sip.Contact contains "reg-id=2"
-- trace: acc2 stun.type == 0x0001 && ip.src == 128.6.4.33
-- trace: net sip.Status-Code == 430 && ip.src == 18.7.22.11 && ip.dst == 18.7.22.83
-- trace: acc1 sip.Method == "INVITE" && ip.src == 128.6.1.10 && ip.dst == 128.6.4.33
-- trace-none: upA sip.Status-Code == 430
-- trace-seq: net sip.Method,sip.Status-Code,ip.dst sip.CSeq.method == "INVITE" && ip.src != 128.6.5.10 && ip.dst != 128.6.5.10 -> INVITE/128.6.2.10 100/18.7.22.83 430/18.7.22.83 INVITE/128.6.1.10 100/18.7.22.83 180/18.7.22.83 200/18.7.22.83
-- trace-seq: upA sip.Method,sip.Status-Code sip.CSeq.method == "INVITE" -> INVITE 100 180 200

local homeB = sim.lan("homeB", {delay = "1ms"})
local upA, upB = sim.link("upA", {delay = "5ms"}), sim.link("upB", {delay = "5ms"})
local acc1, acc2 = sim.link("acc1", {delay = "3ms"}), sim.link("acc2", {delay = "3ms"})
local net = sim.lan("net", {delay = "2ms"})
local R = sim.router("R")
local NB = sim.nat("NB", {preset = "port-restricted-cone", ports = "random", timeout = "60s"})
local bob, alice = sim.host("bob"), sim.host("alice")
bob:attach(homeB, {ip = "10.0.0.20/24"})
NB:inside(homeB, {ip = "10.0.0.1/24"})
NB:outside(upB, {ip = "128.6.4.33/24"})
alice:attach(upA, {ip = "128.6.5.10/24"})
R:attach(upA, {ip = "128.6.5.1/24"})
R:attach(upB, {ip = "128.6.4.1/24"})
R:attach(acc1, {ip = "128.6.1.1/24"})
R:attach(acc2, {ip = "128.6.2.1/24"})
R:attach(net, {ip = "18.7.22.254/24"})
bob:route("default", "10.0.0.1")
alice:route("default", "128.6.5.1")
NB:route("default", "128.6.4.1")
local function server(name, ip)
  return sim.host(name, {on = net, ip = ip .. "/24", gateway = "18.7.22.254"})
end
-- an edge: its SIP address is on its access link (where the phones reach it); its second leg
-- on net carries the REGISTERs and INVITEs to and from proxy.mit.edu
local function edge_host(name, acc, acc_ip, net_ip, gw)
  local h = sim.host(name)
  h:attach(acc, {ip = acc_ip .. "/24"})
  h:attach(net, {ip = net_ip .. "/24"})
  h:route("default", gw)              -- the phones' side: over the access link
  return h
end
local e1_h = edge_host("edge1.mit.edu", acc1, "128.6.1.10", "18.7.22.10", "128.6.1.1")
local e2_h = edge_host("edge2.mit.edu", acc2, "128.6.2.10", "18.7.22.11", "128.6.2.1")
local px_h, ns = server("proxy.mit.edu", "18.7.22.83"), server("ns.mit.edu", "18.7.22.1")
px_h:route("128.6.1.10/32", "18.7.22.10")  -- the edges' SIP addresses over their net legs
px_h:route("128.6.2.10/32", "18.7.22.11")

dns.server(ns, {zone = "mit.edu", ttl = 3600, records = {
  {name = "_sip._udp.mit.edu", type = "SRV", priority = 0, weight = 0, port = 5060,
   target = "proxy.mit.edu"},
  {name = "proxy.mit.edu", type = "A", data = "18.7.22.83"},
}})

local home = sip.proxy(px_h, {domain = "mit.edu", registrar = true, flow_timer = 20})
local function edge(h, name)
  return sip.proxy(h, {domain = name, dns = "18.7.22.1", outbound = true, flow_timeout = 45})
end
local edge1, edge2 = edge(e1_h, "edge1.mit.edu"), edge(e2_h, "edge2.mit.edu")
local b = sip.ua(bob, {aor = "sip:bob@mit.edu", proxy = "128.6.1.10", expires = 3600,
                       outbound = {edges = {"128.6.1.10", "128.6.2.10"}}, media = false})
local a = sip.ua(alice, {aor = "sip:alice@rutgers.edu", proxy = "18.7.22.83", media = false})

-- 1 ------------------------------------------------------------------ two flows
sim.expect(b:register(), "bob registers flow 1 through edge1")
sim.sleep(1)
local binds = home:bindings("bob@mit.edu")
print("bob's bindings at proxy.mit.edu:") for _, c in ipairs(binds) do print("  " .. c) end
sim.expect(#binds == 2, "two bindings: one per (instance, reg-id), the same contact URI")
sim.expect(b:stats().registrations == 2, "both flows registered (flow 2 through edge2)")

-- 2, 3 --------------------------------------------------------------- edge2's link fails
sim.sleep(60 - sim.now())
local sb = b:stats()
sim.expect(sb.keepalives >= 4 and sb.keepalive_answers == sb.keepalives,
           "keep-alives on both flows, all answered")
acc2:down()
print(string.format("+%.0f s: acc2 down", sim.now()))
sim.sleep(120 - sim.now())
sb = b:stats()
print(string.format("bob: %d keep-alives, %d answered, %d retransmitted, %d flow failures",
                    sb.keepalives, sb.keepalive_answers, sb.keepalive_rtx, sb.flow_failures))
sim.expect(sb.flow_failures >= 1 and sb.keepalive_rtx >= 4,
           "the keep-alives to edge2 were retransmitted, then the flow counted as failed")

-- 4 ------------------------------------------------------------------ the call
local incoming
b:on_invite(function(call) incoming = call call:ring() call:answer() end)
local call = a:call("sip:bob@mit.edu")
local ok, st = call:wait_answer(5)
local hs = home:stats()
print(string.format("alice -> bob: %s %s; edge2 flow_failed %d, proxy forwarded %d, " ..
                    "flow retries %d", tostring(ok), tostring(st), edge2:stats().flow_failed,
                    hs.forwarded, hs.flow_retries))
sim.expect(edge2:stats().flow_failed == 1, "edge2 answered 430: its flow is silent")
sim.expect(hs.flow_retries == 1 and edge1:stats().via_token >= 1,
           "the home proxy tried bob's other flow, through edge1")
sim.expect(ok and incoming ~= nil, "bob's phone rang and answered over flow 1")
sim.expect(#home:bindings("bob@mit.edu") == 1, "the failed flow's binding was removed")
sim.sleep(1)
call:bye()
sim.expect(call:wait_end(5), "the BYE went through edge1 too")
sim.stop()
