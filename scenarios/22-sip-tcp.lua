-- 22-sip-tcp.lua — a SIP call over TCP (RFC 3261 §18): alice@example.com calls
-- bob@example.com through proxy.example.com, every SIP message on a TCP connection.
--
--   alice 10.0.0.10 ──┐
--   bob   10.0.0.20 ──┼── lan (5 ms) ── proxy.example.com 10.0.0.2 (registrar + proxy)
--
-- 1. The phones and the proxy are configured with transport="tcp": their Via headers say
--    SIP/2.0/TCP, Bob's Contact says ;transport=tcp, and their transactions run in reliable
--    mode: TCP delivers or fails, so nothing is retransmitted (Timer A/E/G do not run) and
--    the wait states that absorb retransmissions (Timers D, I, J, K) are zero (§17).
-- 2. Bob's phone opens a connection to the proxy (port 5060) and registers over it; the 200
--    OK comes back on the same connection (§18.2.2: a response to a TCP request goes over the
--    connection the request came in on, not to the Via's port).
-- 3. Alice's phone opens its own connection and sends the INVITE; the proxy answers 100
--    Trying on it and opens a connection to Bob's registered contact (10.0.0.20:5060) to
--    forward the INVITE. 180 and 200 come back on those connections, hop by hop.
-- 4. The ACK and Bob's BYE reuse the connections that exist (RFC 5923 in spirit: one
--    connection per destination), so a whole call needs four connections, and no SIP message
--    travels over UDP. On a stream a message ends where Content-Length says (§18.3): the
--    receivers frame messages from the byte stream, however TCP cut or merged them.
--
-- 5. A connection that carried nothing for 120 s (tcp_idle) and serves no transaction is
--    closed by the side that opened it (FIN); the other side closes on that FIN. So about
--    two minutes after the BYE the four connections are gone, each closed by its opener.
--
-- In Wireshark: "sip" shows the same ladder as over UDP, each message in TCP segments to or
-- from port 5060; Statistics → Conversations → TCP lists the four connections.
--
-- trace: lan tcp && sip.Method == "REGISTER" && ip.src == 10.0.0.20 && tcp.dstport == 5060
-- trace: lan tcp && sip.Method == "INVITE" && ip.src == 10.0.0.10 && sip.Via contains "SIP/2.0/TCP"
-- trace: lan tcp && sip.Status-Code == 100 && ip.dst == 10.0.0.10
-- trace: lan tcp && sip.Method == "INVITE" && ip.src == 10.0.0.2 && ip.dst == 10.0.0.20 && tcp.dstport == 5060
-- trace: lan tcp && sip.Status-Code == 180 && ip.src == 10.0.0.20
-- trace: lan tcp && sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && ip.dst == 10.0.0.10
-- trace: lan tcp && sip.Method == "ACK" && ip.src == 10.0.0.10
-- trace: lan tcp && sip.Method == "BYE" && ip.src == 10.0.0.20
-- trace-none: lan udp && sip
-- trace: lan tcp.flags.fin == 1 && frame.time_relative > 120 && ip.src == 10.0.0.10 && tcp.dstport == 5060
-- trace-none: lan tcp.flags.fin == 1 && frame.time_relative < 120
-- trace: lan rtp.p_type == 0 && ip.src == 10.0.0.10 && ip.dst == 10.0.0.20

local lan = sim.lan("lan", {delay = "5ms"})
local alice = sim.host("alice", {on = lan, ip = "10.0.0.10/24"})
local bob = sim.host("bob", {on = lan, ip = "10.0.0.20/24"})
local proxy_host = sim.host("proxy.example.com", {on = lan, ip = "10.0.0.2/24"})

local proxy = sip.proxy(proxy_host, {domain = "example.com", registrar = true,
                                     transport = "tcp"})
local bob_phone = sip.ua(bob, {aor = "sip:bob@example.com", proxy = "10.0.0.2",
                               transport = "tcp"})
local alice_phone = sip.ua(alice, {aor = "sip:alice@example.com", proxy = "10.0.0.2",
                                   transport = "tcp"})

local bob_call
bob_phone:on_invite(function(call)
  bob_call = call
  call:ring()
  sim.spawn(function()
    sim.sleep(1)
    call:answer()
  end)
end)

-- 2. registration over TCP
local ok, status = bob_phone:register()
print("bob registered:", ok, status, table.concat(proxy:bindings("bob@example.com"), " "))
sim.expect(ok and status == 200, "Bob's phone registered over TCP")
sim.expect(proxy:bindings("bob@example.com")[1] == "sip:bob@10.0.0.20:5060;transport=tcp",
           "the binding carries ;transport=tcp")

-- 3. the call
local call = alice_phone:call("sip:bob@example.com")
local answered = call:wait_answer(10)
sim.expect(answered and call:state() == "confirmed", "Bob answered over TCP")
sim.sleep(2)

-- 4. Bob hangs up
bob_call:bye()
local ended, code, by_remote = call:wait_end(5)
print("alice: call ended:", ended, code, "by Bob:", by_remote)
sim.expect(ended and code == 200 and by_remote, "Bob's BYE ended the call")
local st = proxy:stats()
print(string.format("proxy: %d messages received, %d TCP connections open",
                    st.received, st.tcp_connections))
sim.expect(st.tcp_connections == 4, "four connections: two from the phones, two to them")
sim.expect(alice_phone:stats().tcp_connections == 2 and bob_phone:stats().tcp_connections == 2,
           "each phone: the one it opened and the one the proxy opened")

-- 5. two idle minutes later the openers have closed their connections
sim.sleep(125)
local left = proxy:stats().tcp_connections + alice_phone:stats().tcp_connections +
             bob_phone:stats().tcp_connections
print("TCP connections left after 125 idle seconds:", left)
sim.expect(left == 0, "idle connections closed by the side that opened them")
sim.stop()
