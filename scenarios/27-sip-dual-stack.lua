-- 27-sip-dual-stack.lua — an IPv4-only phone calls an IPv6-only phone through a dual-stack
-- proxy (RFC 6157, IPv6 transition in SIP; RFC 5658, double Record-Route). Signalling works;
-- the media does not, and the scenario shows why.
--
--   alice 192.0.2.10 ── lan4 (5 ms) ──┐                    ┌── lan6 (5 ms) ── bob 2001:db8::20
--   (IPv4 only)                        proxy.example.com    (IPv6 only)
--                                      192.0.2.2 and 2001:db8::2 (registrar + proxy)
--
-- 1. The proxy's node has an address of each family, so its SIP app listens on both and
--    knows one address per family: it names 192.0.2.2 to IPv4 peers and [2001:db8::2] to
--    IPv6 peers (Via sent-by, Record-Route), picked by the family of each message's next hop.
-- 2. Bob registers over IPv6: Contact <sip:bob@[2001:db8::20]:5060>.
-- 3. Alice's INVITE comes in over IPv4 and leaves over IPv6. One Record-Route could name only
--    one of the proxy's addresses, and whichever it is, one of the phones could not reach it.
--    So the proxy record-routes twice, one URI per side, the one facing Bob on top:
--        Record-Route: <sip:[2001:db8::2]:5060;lr>
--        Record-Route: <sip:192.0.2.2:5060;lr>
--    and its Via towards Bob is "SIP/2.0/UDP [2001:db8::2]:5060".
-- 4. Bob's route set is the Record-Route list as it is (first hop [2001:db8::2], IPv6);
--    Alice's is the list reversed (first hop 192.0.2.2, IPv4). Each sends the ACK / BYE to
--    "its" entry; the proxy removes both entries naming itself and forwards to the other
--    phone's Contact, from the address of that phone's family.
-- 5. The media. The SDP offer says "c=IN IP4 192.0.2.10" and the answer "c=IN IP6
--    2001:db8::20": the proxy forwards SDP untouched, and neither phone has an address of the
--    other's family. Both RTP sessions run and count packets as sent, but no packet leaves
--    either host (no route, no source address of that family): not one reaches a wire. Media between single-family phones needs
--    a relay with an address of each family (a media relay the proxy steers, or TURN with
--    RFC 6156 allocations found by ICE, RFC 8445) — not done in natsim.
--
-- trace: lan4 ip && udp && sip.Method == "INVITE" && ip.src == 192.0.2.10 && sdp.connection_info.address == "192.0.2.10"
-- trace: lan6 ipv6 && sip.Method == "REGISTER" && sip.Contact contains "[2001:db8::20]:5060"
-- trace: lan6 ipv6 && sip.Method == "INVITE" && ipv6.src == 2001:db8::2 && sip.Via contains "SIP/2.0/UDP [2001:db8::2]:5060" && sip.Record-Route contains "<sip:[2001:db8::2]:5060;lr>" && sip.Record-Route contains "<sip:192.0.2.2:5060;lr>"
-- trace: lan4 ip && sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && ip.dst == 192.0.2.10 && sip.Record-Route contains "<sip:[2001:db8::2]:5060;lr>" && sdp.connection_info.address == "2001:db8::20"
-- trace: lan4 ip && sip.Method == "ACK" && ip.src == 192.0.2.10 && sip.Route contains "<sip:192.0.2.2:5060;lr>"
-- trace: lan6 ipv6 && sip.Method == "ACK" && ipv6.dst == 2001:db8::20 && sip.Via contains "SIP/2.0/UDP [2001:db8::2]:5060"
-- trace: lan6 ipv6 && sip.Method == "BYE" && ipv6.src == 2001:db8::20 && sip.Route contains "<sip:[2001:db8::2]:5060;lr>"
-- trace: lan4 ip && sip.Method == "BYE" && ip.src == 192.0.2.2 && ip.dst == 192.0.2.10 && sip.Via contains "SIP/2.0/UDP 192.0.2.2:5060"
-- trace: lan6 ipv6 && sip.Status-Code == 200 && sip.CSeq.method == "BYE" && ipv6.dst == 2001:db8::20
-- the proxy never names its IPv4 address on the IPv6 side, nor the other way round:
-- trace-none: lan6 sip.Via contains "192.0.2.2:5060"
-- trace-none: lan4 sip.Via contains "[2001:db8::2]"
-- single-family links, and no media at all:
-- trace-none: lan4 ipv6
-- trace-none: lan6 ip
-- trace-none: lan4 udp.port == 40000
-- trace-none: lan6 udp.port == 40000

local lan4 = sim.lan("lan4", {delay = "5ms"})
local lan6 = sim.lan("lan6", {delay = "5ms"})
local alice = sim.host("alice")
alice:attach(lan4, {ip = "192.0.2.10/24"})
local bob = sim.host("bob")
bob:attach(lan6, {ip6 = "2001:db8::20/64"})
local px_host = sim.host("proxy.example.com")
px_host:attach(lan4, {ip = "192.0.2.2/24"})
px_host:attach(lan6, {ip6 = "2001:db8::2/64"})

-- 1. the proxy takes 192.0.2.2 and, the node being dual-stack, 2001:db8::2 as well
local proxy = sip.proxy(px_host, {domain = "example.com", registrar = true})
local bob_phone = sip.ua(bob, {aor = "sip:bob@example.com", proxy = "2001:db8::2"})
local alice_phone = sip.ua(alice, {aor = "sip:alice@example.com", proxy = "192.0.2.2"})
local bob_call
bob_phone:on_invite(function(call)
  bob_call = call
  call:ring()
  call:answer()
end)

-- 2. Bob registers over IPv6
local ok, status = bob_phone:register()
sim.expect(ok and status == 200, "Bob registered over IPv6")
sim.expect(proxy:bindings("bob@example.com")[1] == "sip:bob@[2001:db8::20]:5060",
           "his binding is an IPv6 contact")

-- 3-4. the call: IPv4 on Alice's side, IPv6 on Bob's
local call = alice_phone:call("sip:bob@example.com")
sim.expect(call:wait_answer(5) and call:state() == "confirmed", "Bob answered Alice")
local m = call:media(1)
print("Alice's RTP would go to", m.remote)
sim.expect(m.remote == "[2001:db8::20]:40000", "the answer names Bob's IPv6 address")

-- 5. two seconds of "talking": nothing arrives either way
sim.sleep(2)
local sa, sb = call:stats(1), bob_call:stats(1)
print(string.format("RTP: Alice sent %d, received %d; Bob sent %d, received %d",
                    sa.packets_sent, sa.packets_received, sb.packets_sent, sb.packets_received))
sim.expect(sa.packets_received == 0 and sb.packets_received == 0,
           "no RTP either way: the SDP addresses are of different families")

-- Bob hangs up: his BYE follows his route set ([2001:db8::2] first); the proxy removes both
-- of its entries and sends the BYE on to Alice over IPv4
bob_call:bye()
local ended, code = call:wait_end(5)
sim.expect(ended, "Bob's BYE reached Alice through both sides of the proxy")
ended, code = bob_call:wait_end(5)
sim.expect(ended and code == 200, "and her 200 OK came back to Bob over IPv6")
sim.expect(proxy:stats().forwarded >= 2, "the proxy forwarded the INVITE and the BYE")
sim.stop()
