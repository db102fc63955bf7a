-- 26-sip-ipv6.lua — a SIP call between two IPv6-only phones through an IPv6-only proxy
-- (RFC 3261 §19.1.1 and §25: an IPv6 address in a SIP URI or a Via is written in brackets;
-- RFC 4566 / RFC 8866: SDP says "IN IP6"). Alice speaks UDP, Bob TCP.
--
--   alice 2001:db8::10 ──┐
--   bob   2001:db8::20 ──┼── lan (5 ms) ── proxy.example.com 2001:db8::2 (registrar + proxy)
--
-- 1. The hosts have no IPv4 address at all: every SIP app binds the node's global IPv6
--    address (a node with IPv4 would use its IPv4 address, see docs/protocols/sip.md).
-- 2. Bob's phone (transport="tcp") registers over a TCP connection to [2001:db8::2]:5060; its
--    Contact is <sip:bob@[2001:db8::20]:5060;transport=tcp>: the brackets keep the port apart
--    from the address's own colons.
-- 3. Alice's INVITE goes over UDP with "Via: SIP/2.0/UDP [2001:db8::10]:5060" and an SDP
--    offer "c=IN IP6 2001:db8::10". The proxy adds its own Via and, because the registered
--    Contact says ;transport=tcp, opens a TCP connection to Bob for that hop only; UDP on one
--    side, TCP on the other, so it record-routes twice (RFC 5658):
--    "<sip:[2001:db8::2]:5060;transport=tcp;lr>" on top of "<sip:[2001:db8::2]:5060;lr>".
-- 4. 180, 200, ACK and BYE follow the same ladder as over IPv4 (scenario 15); the RTP
--    streams run between the two IPv6 addresses of the SDP.
--
-- In Wireshark: "sip" shows the ladder with IPv6 addresses in the Via, Contact and
-- Record-Route headers; "ipv6 && udp" the UDP hops, "ipv6 && tcp" Bob's.
--
-- trace: lan ipv6 && tcp && sip.Method == "REGISTER" && ipv6.src == 2001:db8::20 && sip.Contact contains "[2001:db8::20]:5060;transport=tcp"
-- trace: lan ipv6 && udp && sip.Method == "INVITE" && ipv6.src == 2001:db8::10 && sip.Via contains "SIP/2.0/UDP [2001:db8::10]:5060"
-- trace: lan ipv6 && udp && sip.Method == "INVITE" && sdp.connection_info.address_type == "IP6" && sdp.connection_info.address == "2001:db8::10"
-- trace: lan ipv6 && tcp && sip.Method == "INVITE" && ipv6.dst == 2001:db8::20 && sip.r-uri contains "[2001:db8::20]" && sip.Record-Route contains "<sip:[2001:db8::2]:5060;lr>"
-- trace: lan ipv6 && tcp && sip.Method == "INVITE" && ipv6.dst == 2001:db8::20 && sip.Record-Route contains "<sip:[2001:db8::2]:5060;transport=tcp;lr>"
-- trace: lan ipv6 && tcp && sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && ipv6.src == 2001:db8::20
-- trace: lan ipv6 && udp && sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && ipv6.dst == 2001:db8::10
-- trace: lan ipv6 && sip.Method == "BYE" && ipv6.src == 2001:db8::10
-- trace: lan rtp.p_type == 0 && ipv6.src == 2001:db8::20 && ipv6.dst == 2001:db8::10
-- trace-none: lan ip

local lan = sim.lan("lan", {delay = "5ms"})
local alice = sim.host("alice", {on = lan, ip6 = "2001:db8::10/64"})
local bob = sim.host("bob", {on = lan, ip6 = "2001:db8::20/64"})
local proxy_host = sim.host("proxy.example.com", {on = lan, ip6 = "2001:db8::2/64"})

-- 1. the apps: no address given, each takes its node's IPv6 address
local proxy = sip.proxy(proxy_host, {domain = "example.com", registrar = true})
local bob_phone = sip.ua(bob, {aor = "sip:bob@example.com", proxy = "2001:db8::2",
                               transport = "tcp"})
local alice_phone = sip.ua(alice, {aor = "sip:alice@example.com", proxy = "2001:db8::2"})

bob_phone:on_invite(function(call)
  call:ring()
  sim.spawn(function()
    sim.sleep(1)
    call:answer()
  end)
end)

-- 2. registration over TCP and IPv6
local ok, status = bob_phone:register()
local binding = proxy:bindings("bob@example.com")[1]
print("bob registered:", ok, status, binding)
sim.expect(ok and status == 200, "Bob's phone registered over IPv6")
sim.expect(binding == "sip:bob@[2001:db8::20]:5060;transport=tcp",
           "the binding is an IPv6 literal in brackets")

-- 3. the call
local call = alice_phone:call("sip:bob@example.com")
sim.expect(call:wait_answer(10) and call:state() == "confirmed", "Bob answered")
local m = call:media(1)
print("alice's RTP goes to", m.remote)
sim.expect(m.remote == "[2001:db8::20]:40000", "the SDP answer names Bob's IPv6 address")
sim.sleep(2)
local st = call:stats(1)
print(string.format("alice received %d RTP packets over IPv6", st.packets_received))
sim.expect(st.packets_received > 50, "RTP flows over IPv6")

-- 4. Alice hangs up
call:bye()
local ended, code = call:wait_end(5)
sim.expect(ended and code == 200, "the BYE went through the proxy over IPv6")
sim.expect(proxy:stats().tcp_connections == 2, "TCP only towards Bob (his and the proxy's)")
sim.stop()
