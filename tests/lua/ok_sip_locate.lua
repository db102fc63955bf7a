-- RFC 3263 through the SIP driver: targets of an address family the proxy cannot send on are
-- skipped (b.test's priority-10 SRV target has only an AAAA record: the IPv4-only proxy goes
-- straight to the priority-20 one, no Timer B), a Request-URI naming a transport is located by
-- SRV for that transport, and a domain with nothing in DNS gets 503.
local lan = sim.lan("lan", {delay = "5ms"})
local A, S, P, B, N = sim.host("A", {on = lan, ip = "10.0.0.10/24"}), sim.host("S", {on = lan, ip = "10.0.0.2/24"}), sim.host("P", {on = lan, ip = "10.0.0.3/24"}),
                      sim.host("B", {on = lan, ip = "10.0.0.20/24"}), sim.host("N", {on = lan, ip = "10.0.0.53/24"})
dns.server(N, {
  zone = "b.test", ttl = 300,
  records = {
    {name = "_sip._udp.b.test", type = "SRV", priority = 10, weight = 0, port = 5060,
     target = "v6.b.test"},
    {name = "_sip._udp.b.test", type = "SRV", priority = 20, weight = 0, port = 5060,
     target = "p.b.test"},
    {name = "_sip._tcp.b.test", type = "SRV", priority = 0, weight = 0, port = 5060,
     target = "p.b.test"},
    {name = "v6.b.test", type = "AAAA", data = "2001:db8::3"},
    {name = "p.b.test", type = "A", data = "10.0.0.3"},
  },
})
local out = sip.proxy(S, {domain = "a.test", dns = "10.0.0.53"})
local pb = sip.proxy(P, {domain = "b.test", registrar = true})
local bob = sip.ua(B, {aor = "sip:bob@b.test", proxy = "10.0.0.3", media = false})
local alice = sip.ua(A, {aor = "sip:alice@a.test", proxy = "10.0.0.2", media = false})
bob:on_invite(function(c) c:answer() end)
sim.expect(bob:register(), "bob registered")

local t0 = sim.now()
local c = alice:call("sip:bob@b.test")
sim.expect(c:wait_answer(5), "answered through p.b.test")
sim.expect(sim.now() - t0 < 1, "at once: the IPv6-only target was skipped, no Timer B")
sim.expect(out:stats().failovers == 0, "no failover needed")
sim.expect(out:stats().tcp_connections == 0, "over UDP (_sip._udp first)")
c:bye()
sim.expect(c:wait_end(5), "ended")

c = alice:call("sip:bob@b.test;transport=tcp")
sim.expect(c:wait_answer(5), "answered over TCP (transport=tcp: SRV _sip._tcp.b.test)")
-- Alice's phone also sends over TCP (the URI's transport); the proxy opened one to p.b.test
sim.expect(out:stats().tcp_connections == 2, "S: Alice's connection and one to p.b.test")
sim.expect(pb:stats().tcp_connections == 1, "p.b.test: the one from S")
c:bye()
c:wait_end(5)

c = alice:call("sip:bob@nowhere.test")
local ok, status = c:wait_answer(5)
sim.expect(not ok and status == 503, "nothing in DNS: 503, got " .. tostring(status))
sim.stop()
