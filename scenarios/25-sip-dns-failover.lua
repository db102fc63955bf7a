-- 25-sip-dns-failover.lua — RFC 3263 server location: SRV priorities, failover to the next
-- server when the first one is down, and a domain reachable over TCP only.
--
--   alice 128.6.4.10 ─┐                                   ┌─ bob 18.7.22.50, carol 18.7.22.60
--   proxy.rutgers.edu ├── rutgers-net ── R ── mit-net ────┼─ sip1.mit.edu 18.7.22.85 (down)
--        128.6.4.2   ─┘      5 ms          10 ms          ├─ proxy.mit.edu 18.7.22.83
--                                                         ├─ proxy.lab.mit.edu 18.7.22.90
--                                                         └─ ns.mit.edu 18.7.22.1 (DNS)
--
-- mit.edu publishes no NAPTR, two SRV records for SIP over UDP and none for TCP:
--     _sip._udp.mit.edu  SRV 10 0 5060 sip1.mit.edu     (the primary: its machine is off)
--     _sip._udp.mit.edu  SRV 20 0 5060 proxy.mit.edu    (the backup)
-- lab.mit.edu publishes SIP over TCP only:  _sip._tcp.lab.mit.edu SRV 0 0 5060 proxy.lab.mit.edu
--
-- 1. Alice calls bob@mit.edu. proxy.rutgers.edu locates mit.edu (RFC 3263 §4.1): NAPTR mit.edu
--    (none), so SRV for each transport it has, _sip._udp.mit.edu and _sip._tcp.mit.edu; the
--    UDP records are ordered by priority (RFC 2782): sip1 first, then proxy.mit.edu. Their
--    addresses came with the SRV answer (additional section, cached); the AAAA questions go
--    out and find nothing. Target list: 18.7.22.85:5060/udp, 18.7.22.83:5060/udp.
-- 2. The INVITE goes to sip1.mit.edu: the router asks ARP for 18.7.22.85, nobody answers,
--    the datagram is dropped. proxy.rutgers.edu retransmits (Timer A: 0.5, 1, 2, 4 … s) and
--    gives up at Timer B (64·T1 = 32 s). Alice's phone waits: it got 100 Trying.
-- 3. RFC 3263 §4.3: a timeout means "try the next target". proxy.rutgers.edu sends the INVITE
--    again, as a new client transaction with a new branch, to proxy.mit.edu, which forwards
--    it to Bob. Bob answers; the call is up 32 s late, but it is up.
-- 4. Alice calls carol@lab.mit.edu: NAPTR (none), SRV _sip._udp.lab.mit.edu (none),
--    _sip._tcp.lab.mit.edu → proxy.lab.mit.edu: the branch goes over TCP (Via SIP/2.0/TCP),
--    although proxy.rutgers.edu itself is configured for UDP.
-- 5. Alice calls Carol again within the TTL (300 s): every answer comes from the resolver's
--    cache, no DNS packet is sent.
-- 6. The dialog stays on TCP between the proxies (RFC 5658). proxy.rutgers.edu takes Carol's
--    INVITE in over UDP and sends it on over TCP, so it record-routes twice, one URI per side:
--        Record-Route: <sip:128.6.4.2:5060;transport=tcp;lr>   (the side facing lab.mit.edu)
--        Record-Route: <sip:128.6.4.2:5060;lr>                 (the side facing Alice)
--    and proxy.lab.mit.edu likewise (TCP towards rutgers, UDP towards Carol). Alice's ACK and
--    BYE carry all four as Route; each proxy removes both of its own entries, and the next
--    entry's ;transport=tcp makes the Via of the hop between the proxies say TCP, so the
--    200 OK for the BYE comes back over TCP too. (With one <sip:128.6.4.2:5060;lr> the
--    in-dialog requests used the open connection but said UDP in their Via, and the BYE's
--    200 came back as a datagram.)
--
-- The test suite checks these in the pcaps:
-- trace: mit-net dns.flags.response == 0 && dns.qry.type == 35 && dns.qry.name == "mit.edu"
-- trace: mit-net dns.flags.response == 0 && dns.qry.type == 33 && dns.qry.name == "_sip._udp.mit.edu"
-- trace: mit-net dns.flags.response == 0 && dns.qry.type == 33 && dns.qry.name == "_sip._tcp.mit.edu"
-- trace: mit-net dns.flags.response == 0 && dns.qry.type == 28 && dns.qry.name == "sip1.mit.edu"
-- trace: mit-net dns.flags.response == 1 && dns.srv.priority == 20 && dns.srv.target == "proxy.mit.edu"
-- trace: mit-net arp.opcode == 1 && arp.dst.proto_ipv4 == 18.7.22.85
-- trace: mit-net sip.Method == "INVITE" && ip.src == 18.7.22.83 && ip.dst == 18.7.22.50
-- trace: mit-net tcp && sip.Method == "INVITE" && ip.src == 128.6.4.2 && ip.dst == 18.7.22.90 && sip.Via contains "SIP/2.0/TCP"
-- trace: mit-net tcp && sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && ip.src == 18.7.22.90
-- trace-none: mit-net udp && sip.Method == "INVITE" && ip.dst == 18.7.22.90
-- 6. double Record-Route on the way in, and every later message between the proxies on TCP:
-- trace: mit-net tcp && sip.Method == "INVITE" && ip.src == 128.6.4.2 && sip.Record-Route contains "<sip:128.6.4.2:5060;transport=tcp;lr>" && sip.Record-Route contains "<sip:128.6.4.2:5060;lr>"
-- trace: mit-net udp && sip.Method == "INVITE" && ip.src == 18.7.22.90 && ip.dst == 18.7.22.60 && sip.Record-Route contains "<sip:18.7.22.90:5060;lr>" && sip.Record-Route contains "<sip:18.7.22.90:5060;transport=tcp;lr>"
-- trace: mit-net tcp && sip.Method == "ACK" && ip.src == 128.6.4.2 && ip.dst == 18.7.22.90 && sip.Via contains "SIP/2.0/TCP 128.6.4.2"
-- trace: mit-net tcp && sip.Method == "BYE" && ip.src == 128.6.4.2 && ip.dst == 18.7.22.90 && sip.Via contains "SIP/2.0/TCP 128.6.4.2"
-- trace: mit-net tcp && sip.Status-Code == 200 && sip.CSeq.method == "BYE" && ip.src == 18.7.22.90 && ip.dst == 128.6.4.2
-- trace-none: mit-net udp && sip && ip.addr == 128.6.4.2 && ip.addr == 18.7.22.90
-- trace-none: mit-net sip.Via contains "SIP/2.0/UDP 128.6.4.2" && ip.addr == 18.7.22.90
-- trace-none: rutgers-net sip.Status-Code == 408 || sip.Status-Code == 503
-- Every DNS question, in order: each asked once, the third call's answered from the cache.
-- trace-seq: mit-net dns.qry.type,dns.qry.name dns.flags.response == 0 -> 35/mit.edu 33/_sip._udp.mit.edu 33/_sip._tcp.mit.edu 28/sip1.mit.edu 28/proxy.mit.edu 35/lab.mit.edu 33/_sip._udp.lab.mit.edu 33/_sip._tcp.lab.mit.edu 28/proxy.lab.mit.edu
-- Where proxy.rutgers.edu sent its INVITEs: the dead primary (first transmission and Timer A
-- retransmissions at 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s) until Timer B, then the backup (a new
-- branch); then Carol's two calls over TCP:
-- trace-seq: rutgers-net ip.dst,sip.Via.transport sip.Method == "INVITE" && ip.src == 128.6.4.2 -> 18.7.22.85/UDP,UDP 18.7.22.85/UDP,UDP 18.7.22.85/UDP,UDP 18.7.22.85/UDP,UDP 18.7.22.85/UDP,UDP 18.7.22.85/UDP,UDP 18.7.22.85/UDP,UDP 18.7.22.83/UDP,UDP 18.7.22.90/TCP,UDP 18.7.22.90/TCP,UDP
-- the primary never answers: ARP for it goes unanswered on mit-net
-- trace-none: mit-net arp.opcode == 2 && arp.src.proto_ipv4 == 18.7.22.85

local rutgers = sim.lan("rutgers-net", {delay = "5ms"})
local mit = sim.lan("mit-net", {delay = "10ms"})
local R = sim.router("R")
R:attach(rutgers, {ip = "128.6.4.1/24"})
R:attach(mit, {ip = "18.7.22.254/24"})
local alice = sim.host("alice", {on = rutgers, ip = "128.6.4.10/24", gateway = "128.6.4.1"})
local prutgers = sim.host("proxy.rutgers.edu", {on = rutgers, ip = "128.6.4.2/24",
                                                gateway = "128.6.4.1"})
local bob = sim.host("bob", {on = mit, ip = "18.7.22.50/24", gateway = "18.7.22.254"})
local carol = sim.host("carol", {on = mit, ip = "18.7.22.60/24", gateway = "18.7.22.254"})
local pmit = sim.host("proxy.mit.edu", {on = mit, ip = "18.7.22.83/24", gateway = "18.7.22.254"})
local plab = sim.host("proxy.lab.mit.edu", {on = mit, ip = "18.7.22.90/24",
                                            gateway = "18.7.22.254"})
local ns = sim.host("ns.mit.edu", {on = mit, ip = "18.7.22.1/24", gateway = "18.7.22.254"})
-- sip1.mit.edu (18.7.22.85) is switched off: no host answers for that address

dns.server(ns, {
  zone = "mit.edu", ttl = 300,
  records = {
    {name = "_sip._udp.mit.edu", type = "SRV", priority = 10, weight = 0, port = 5060,
     target = "sip1.mit.edu"},
    {name = "_sip._udp.mit.edu", type = "SRV", priority = 20, weight = 0, port = 5060,
     target = "proxy.mit.edu"},
    {name = "sip1.mit.edu", type = "A", data = "18.7.22.85"},
    {name = "proxy.mit.edu", type = "A", data = "18.7.22.83"},
    {name = "_sip._tcp.lab.mit.edu", type = "SRV", priority = 0, weight = 0, port = 5060,
     target = "proxy.lab.mit.edu"},
    {name = "proxy.lab.mit.edu", type = "A", data = "18.7.22.90"},
  },
})

local pxmit = sip.proxy(pmit, {domain = "mit.edu", registrar = true})
local pxlab = sip.proxy(plab, {domain = "lab.mit.edu", registrar = true})
local pxrutgers = sip.proxy(prutgers, {domain = "rutgers.edu", dns = "18.7.22.1"})

local bob_phone = sip.ua(bob, {aor = "sip:bob@mit.edu", proxy = "18.7.22.83", media = false})
local carol_phone = sip.ua(carol, {aor = "sip:carol@lab.mit.edu", proxy = "18.7.22.90",
                                   media = false})
local alice_phone = sip.ua(alice, {aor = "sip:alice@rutgers.edu", proxy = "128.6.4.2",
                                   media = false})
for _, phone in ipairs({bob_phone, carol_phone}) do
  phone:on_invite(function(call)
    call:ring()
    call:answer()
  end)
end
sim.expect(bob_phone:register() and carol_phone:register(), "Bob and Carol registered")

-- 1-3. Bob: the primary is down, the backup takes the call after Timer B
local t0 = sim.now()
local call = alice_phone:call("sip:bob@mit.edu")
local answered = call:wait_answer(40)
local waited = sim.now() - t0
print(string.format("alice -> bob: answered=%s after %.1f s", tostring(answered), waited))
sim.expect(answered, "the call to Bob went through the backup server")
sim.expect(waited > 32 and waited < 33, "after Timer B (32 s) on the dead primary")
sim.expect(pxrutgers:stats().failovers == 1, "one failover (RFC 3263 §4.3)")
sim.expect(pxmit:stats().forwarded == 1, "proxy.mit.edu forwarded the INVITE to Bob")
call:bye()
sim.expect(call:wait_end(5), "Alice hung up")

-- 4. Carol: lab.mit.edu has SIP over TCP only
call = alice_phone:call("sip:carol@lab.mit.edu")
sim.expect(call:wait_answer(5), "the call to Carol went through")
sim.expect(pxrutgers:stats().tcp_connections == 1, "proxy.rutgers.edu -> proxy.lab.mit.edu over TCP")
call:bye()
sim.expect(call:wait_end(5), "Alice hung up")

-- 5. Carol again: located from the resolver's cache (the trace-seq above shows no new query)
local lookups = pxrutgers:stats().lookups
call = alice_phone:call("sip:carol@lab.mit.edu")
sim.expect(call:wait_answer(5), "the second call to Carol went through")
sim.expect(pxrutgers:stats().lookups == lookups + 1, "located again, from the cache")
call:bye()
sim.expect(call:wait_end(5), "Alice hung up")
sim.expect(pxrutgers:stats().failovers == 1, "no other failover")
sim.stop()
