-- 15-sip-call.lua — the lecture's call: alice@rutgers.edu calls bob@mit.edu (RFC 3261).
--
-- The picture:
--
--   alice 128.6.4.10 ─┐                                   ┌─ bob 18.7.22.50 (his phone)
--   proxy.rutgers.edu ├── rutgers-net ── R ── mit-net ────┼─ proxy.mit.edu 18.7.22.83
--        128.6.4.2   ─┘      5 ms          10 ms          ├─ registrar.mit.edu 18.7.22.84
--                                                         └─ ns.mit.edu 18.7.22.1 (DNS)
--
-- 1. Bob's phone registers: REGISTER sip:mit.edu to registrar.mit.edu, which answers 401 with
--    a digest challenge (realm "mit.edu", a nonce); the phone sends the REGISTER again with
--    an Authorization header (MD5 of user, realm, password, nonce …) and gets 200 OK: the
--    location service now maps bob@mit.edu to sip:bob@18.7.22.50:5060 for an hour.
-- 2. Alice's phone sends INVITE sip:bob@mit.edu to her outbound proxy, proxy.rutgers.edu,
--    with an SDP offer (PCMU audio on 128.6.4.10:40000). The proxy answers 100 Trying (so
--    Alice stops retransmitting) and, since mit.edu is not its domain, asks DNS where mit.edu's
--    SIP server is (RFC 3263): NAPTR mit.edu -> SRV _sip._udp.mit.edu -> proxy.mit.edu:5060.
-- 3. proxy.mit.edu answers 100 Trying too, looks bob@mit.edu up in the location service
--    (filled by the registrar) and forwards the INVITE to the phone. Both proxies put a
--    Record-Route header in, so they stay on the signalling path of this dialog.
-- 4. Bob's phone rings (180 Ringing travels back the same way, hop by hop, following the Via
--    headers) and two seconds later Bob accepts: 200 OK with his SDP answer (PCMU on
--    18.7.22.50:40000). Alice's phone ACKs the 200 — along the recorded route.
-- 5. The media does not go through the proxies: RTP flows point to point, 20 ms PCMU packets
--    both ways between the addresses in the SDP.
-- 6. After 5 s Bob hangs up: BYE (along the route set), 200 OK.
--
-- In Wireshark: Telephony → VoIP Calls → Flow Sequence on sip-call-15's mit-net pcap shows the
-- ladder; Telephony → RTP → RTP Streams the two PCMU streams.
--
-- The test suite checks these in the pcaps:
-- decode-as: udp.port==40000,rtp
-- trace: mit-net sip.Status-Code == 401 && sip.auth.realm contains "mit.edu"
-- trace: mit-net sip.Method == "REGISTER" && sip.auth.username contains "bob" && sip.auth.qop == "auth"
-- trace: mit-net sip.Status-Code == 200 && sip.CSeq.method == "REGISTER" && ip.src == 18.7.22.84
-- trace: mit-net dns.qry.type == 35 && dns.qry.name == "mit.edu"
-- trace: mit-net dns.qry.type == 33 || (dns.flags.response == 1 && dns.srv.target == "proxy.mit.edu")
-- trace: rutgers-net sip.Method == "INVITE" && ip.src == 128.6.4.10 && sdp.media.port == 40000
-- trace: rutgers-net sip.Status-Code == 100 && ip.src == 128.6.4.2
-- trace: mit-net sip.Method == "INVITE" && ip.src == 18.7.22.83 && ip.dst == 18.7.22.50
-- trace: mit-net sip.Status-Code == 180 && ip.src == 18.7.22.50
-- trace: rutgers-net sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && sdp.connection_info.address == 18.7.22.50
-- trace: rutgers-net sip.Method == "ACK" && ip.src == 128.6.4.10 && ip.dst == 128.6.4.2
-- trace: mit-net sip.Method == "BYE" && ip.src == 18.7.22.50
-- trace: mit-net sip.Status-Code == 200 && sip.CSeq.method == "BYE" && ip.dst == 18.7.22.50
-- trace: mit-net rtp.p_type == 0 && ip.src == 128.6.4.10 && ip.dst == 18.7.22.50
-- trace: rutgers-net rtp.p_type == 0 && ip.src == 18.7.22.50 && ip.dst == 128.6.4.10
-- trace-none: rutgers-net rtp && ip.addr == 128.6.4.2
-- The ladder in order, as Alice's phone and Bob's phone see it (Wireshark's VoIP call flow):
-- trace-seq: rutgers-net sip.Method,sip.Status-Code ip.addr == 128.6.4.10 && sip -> INVITE 100 180 200 ACK BYE 200
-- trace-seq: mit-net sip.Method,sip.Status-Code ip.addr == 18.7.22.50 && sip -> REGISTER 401 REGISTER 200 INVITE 100 180 200 ACK BYE 200

local rutgers = sim.lan("rutgers-net", {delay = "5ms"})
local mit = sim.lan("mit-net", {delay = "10ms"})
local R = sim.router("R")
R:attach(rutgers, {ip = "128.6.4.1/24"})
R:attach(mit, {ip = "18.7.22.254/24"})
local alice = sim.host("alice", {on = rutgers, ip = "128.6.4.10/24", gateway = "128.6.4.1"})
local prutgers = sim.host("proxy.rutgers.edu", {on = rutgers, ip = "128.6.4.2/24",
                                                gateway = "128.6.4.1"})
local bob = sim.host("bob", {on = mit, ip = "18.7.22.50/24", gateway = "18.7.22.254"})
local pmit = sim.host("proxy.mit.edu", {on = mit, ip = "18.7.22.83/24", gateway = "18.7.22.254"})
local regmit = sim.host("registrar.mit.edu", {on = mit, ip = "18.7.22.84/24",
                                              gateway = "18.7.22.254"})
local ns = sim.host("ns.mit.edu", {on = mit, ip = "18.7.22.1/24", gateway = "18.7.22.254"})

-- mit.edu's zone: where SIP for mit.edu goes (RFC 3263)
dns.server(ns, {
  zone = "mit.edu", ttl = 300,
  records = {
    {name = "mit.edu", type = "NAPTR", order = 10, preference = 10, flags = "s",
     services = "SIP+D2U", regexp = "", replacement = "_sip._udp.mit.edu"},
    {name = "_sip._udp.mit.edu", type = "SRV", priority = 0, weight = 0, port = 5060,
     target = "proxy.mit.edu"},
    {name = "proxy.mit.edu", type = "A", data = "18.7.22.83"},
    {name = "registrar.mit.edu", type = "A", data = "18.7.22.84"},
  },
})

-- the SIP servers: mit.edu's registrar and proxy share one location service
local registrar = sip.registrar(regmit, {domain = "mit.edu", users = {bob = "pw"}})
sip.proxy(pmit, {domain = "mit.edu", location = registrar})
sip.proxy(prutgers, {domain = "rutgers.edu", dns = "18.7.22.1"})

-- the phones
local bob_phone = sip.ua(bob, {aor = "sip:bob@mit.edu", password = "pw", display = "Bob",
                               registrar = "18.7.22.84", proxy = "18.7.22.83"})
local alice_phone = sip.ua(alice, {aor = "sip:alice@rutgers.edu", display = "Alice",
                                   proxy = "128.6.4.2"})

-- Bob's phone rings for two seconds, then he picks up
local bob_call
bob_phone:on_invite(function(call)
  bob_call = call
  print("bob: incoming call from " .. call:peer())
  call:ring()
  sim.spawn(function()
    sim.sleep(2)
    call:answer()
  end)
end)

-- 1. registration (401, then 200 with credentials)
local ok, status = bob_phone:register()
print("bob registered:", ok, status, "bindings:", table.concat(registrar:bindings("bob@mit.edu"), " "))
sim.expect(ok and status == 200, "Bob's phone is registered")
sim.expect(registrar:stats().challenges == 1, "the registrar challenged once (digest)")
sim.expect(registrar:bindings("bob@mit.edu")[1] == "sip:bob@18.7.22.50:5060",
           "bob@mit.edu -> his phone's address")

-- 2-4. the call
local t0 = sim.now()
local call = alice_phone:call("sip:bob@mit.edu")
local answered, why = call:wait_answer(10)
print(string.format("alice: answered=%s after %.3f s, state %s", tostring(answered),
                    sim.now() - t0, call:state()))
sim.expect(answered, "Bob answered")
sim.expect(call:state() == "confirmed", "the dialog is confirmed")
local m = call:media()
print("alice sends " .. m.codec .. " to " .. m.remote)
sim.expect(m.remote == "18.7.22.50:40000" and m.codec == "PCMU", "SDP: PCMU to Bob's phone")
sim.expect(bob_call:media().remote == "128.6.4.10:40000", "SDP: PCMU to Alice's phone")

-- 5. they talk for 5 s; 6. Bob hangs up
sim.sleep(5)
bob_call:bye()
local ended, code, by_remote = call:wait_end(5)
print("alice: call ended:", ended, code, "by Bob:", by_remote)
sim.expect(ended and code == 200 and by_remote, "Bob's BYE ended the call")
sim.expect(select(2, bob_call:wait_end(5)) == 200, "Bob's BYE was answered 200 OK")
sim.sleep(1)

local sa, sb = call:stats(), bob_call:stats()
print(string.format("alice: sent %d, received %d, lost %d; bob: sent %d, received %d, lost %d",
                    sa.packets_sent, sa.packets_received, sa.lost,
                    sb.packets_sent, sb.packets_received, sb.lost))
-- 5 s of talk at 50 packets per second each way (a few more while the BYE travels)
sim.expect(sa.packets_received >= 250 and sa.packets_received <= 260, "~250 packets Bob -> Alice")
sim.expect(sb.packets_received >= 250 and sb.packets_received <= 260, "~250 packets Alice -> Bob")
sim.expect(sa.lost == 0 and sb.lost == 0, "no loss on these links")
sim.stop()
