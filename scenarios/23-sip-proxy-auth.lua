-- 23-sip-proxy-auth.lua — two duties of a stateful proxy (RFC 3261): proxy authentication
-- (407, §22.3) and Timer C (§16.6 step 11, §16.8), on the lecture's network of scenario 15.
--
-- The picture:
--
--   alice 128.6.4.10 ─┐                                   ┌─ bob 18.7.22.50 (answers)
--   proxy.rutgers.edu ├── rutgers-net ── R ── mit-net ────┼─ carol 18.7.22.51 (rings forever)
--        128.6.4.2   ─┘      5 ms          10 ms          ├─ proxy.mit.edu 18.7.22.83
--                                                         ├─ registrar.mit.edu 18.7.22.84
--                                                         └─ ns.mit.edu 18.7.22.1 (DNS)
--
-- 1. proxy.rutgers.edu forwards calls for rutgers.edu's own users only when they prove who
--    they are. Alice's first INVITE gets 407 Proxy Authentication Required with two
--    challenges, `Proxy-Authenticate: Digest realm="rutgers.edu", nonce=…, qop="auth",
--    algorithm=SHA-256` and the same with algorithm=MD5 (RFC 8760: the preferred first).
--    Her phone ACKs the 407 (it is a final response to an INVITE) and sends the INVITE again
--    with CSeq 2, the same Call-ID and a `Proxy-Authorization: Digest username="alice",
--    realm="rutgers.edu", … algorithm=SHA-256` answer. The proxy checks it, removes it (it
--    was for this proxy only) and forwards the INVITE as in scenario 15.
-- 2. Bob answers; after 2 s Alice hangs up. Her BYE is not challenged: it belongs to a dialog
--    (its To has a tag) that was authorised when it was set up.
-- 3. Alice calls Carol. Her phone kept the challenge it answered (RFC 3261 §22.3: credentials
--    are cached per realm), so this INVITE carries `Proxy-Authorization` for rutgers.edu
--    straight away, with the same nonce and the next nonce count, nc=00000002 (RFC 7616
--    §3.4.1): the proxy has seen nc 1 for that nonce, takes 2, and forwards without a 407.
--    (A repeated nc, or the nonce 5 minutes old, would get a new 407 with stale=true.)
--    Carol's phone rings and rings. proxy.mit.edu runs Timer C on the branch
--    to Carol's phone (RFC 3261 asks for more than 3 minutes; this scenario sets 20 s): every
--    provisional restarts it, and when it fires after a provisional the proxy CANCELs the
--    branch (§16.8). Carol's phone answers the CANCEL 200 and the INVITE 487 Request
--    Terminated, the best (only) final response, which reaches Alice: the call failed 20 s
--    after the ringing began. (Had the phone sent nothing at all, the branch would have
--    counted as 408 Request Timeout.)
--
-- The test suite checks these in the pcaps:
-- trace: rutgers-net sip.Status-Code == 407 && sip.auth.realm contains "rutgers.edu" && sip.auth.algorithm == "SHA-256"
-- trace: rutgers-net sip.Status-Code == 407 && sip.auth.algorithm == "MD5" && sip.auth.qop contains "auth"
-- trace: rutgers-net sip.Method == "INVITE" && ip.src == 128.6.4.10 && sip.auth.username contains "alice" && sip.auth.algorithm == "SHA-256"
-- trace-none: mit-net sip.Proxy-Authorization
-- trace-none: rutgers-net sip.Method == "BYE" && sip.Proxy-Authorization
-- trace: rutgers-net sip.Method == "INVITE" && ip.src == 128.6.4.10 && sip.auth.nc == "00000001"
-- trace: rutgers-net sip.Method == "INVITE" && ip.src == 128.6.4.10 && sip.auth.nc == "00000002" && sip.r-uri contains "carol"
-- trace-none: rutgers-net sip.Status-Code == 407 && sip.auth.stale
-- trace: mit-net sip.Method == "CANCEL" && ip.src == 18.7.22.83 && ip.dst == 18.7.22.51
-- trace: mit-net sip.Status-Code == 487 && ip.src == 18.7.22.51
-- Alice's ladder, both calls (407 and the retry the first time only; the 487 after Timer C):
-- trace-seq: rutgers-net sip.Method,sip.Status-Code ip.addr == 128.6.4.10 && sip -> INVITE 100 407 ACK INVITE 100 180 200 ACK BYE 200 INVITE 100 180 487 ACK
-- Carol's phone: rings, is CANCELled by proxy.mit.edu when Timer C fires:
-- trace-seq: mit-net sip.Method,sip.Status-Code ip.addr == 18.7.22.51 && sip -> REGISTER 401 REGISTER 200 INVITE 100 180 CANCEL 200 487 ACK

local rutgers = sim.lan("rutgers-net", {delay = "5ms"})
local mit = sim.lan("mit-net", {delay = "10ms"})
local R = sim.router("R")
R:attach(rutgers, {ip = "128.6.4.1/24"})
R:attach(mit, {ip = "18.7.22.254/24"})
local alice = sim.host("alice", {on = rutgers, ip = "128.6.4.10/24", gateway = "128.6.4.1"})
local prutgers = sim.host("proxy.rutgers.edu", {on = rutgers, ip = "128.6.4.2/24",
                                                gateway = "128.6.4.1"})
local bob = sim.host("bob", {on = mit, ip = "18.7.22.50/24", gateway = "18.7.22.254"})
local carol = sim.host("carol", {on = mit, ip = "18.7.22.51/24", gateway = "18.7.22.254"})
local pmit = sim.host("proxy.mit.edu", {on = mit, ip = "18.7.22.83/24", gateway = "18.7.22.254"})
local regmit = sim.host("registrar.mit.edu", {on = mit, ip = "18.7.22.84/24",
                                              gateway = "18.7.22.254"})
local ns = sim.host("ns.mit.edu", {on = mit, ip = "18.7.22.1/24", gateway = "18.7.22.254"})

dns.server(ns, {
  zone = "mit.edu", ttl = 300,
  records = {
    {name = "mit.edu", type = "NAPTR", order = 10, preference = 10, flags = "s",
     services = "SIP+D2U", regexp = "", replacement = "_sip._udp.mit.edu"},
    {name = "_sip._udp.mit.edu", type = "SRV", priority = 0, weight = 0, port = 5060,
     target = "proxy.mit.edu"},
    {name = "proxy.mit.edu", type = "A", data = "18.7.22.83"},
  },
})

-- mit.edu as in scenario 15, with Timer C shortened to 20 s on its proxy
local registrar = sip.registrar(regmit, {domain = "mit.edu", users = {bob = "pw", carol = "pw"}})
local px_mit = sip.proxy(pmit, {domain = "mit.edu", location = registrar, timer_c = "20s"})
-- rutgers.edu's proxy authenticates its own users before forwarding their requests
local px_rutgers = sip.proxy(prutgers, {domain = "rutgers.edu", dns = "18.7.22.1",
                                        users = {alice = "secret"}, authenticate = true})

local alice_phone = sip.ua(alice, {aor = "sip:alice@rutgers.edu", password = "secret",
                                   display = "Alice", proxy = "128.6.4.2"})
local bob_phone = sip.ua(bob, {aor = "sip:bob@mit.edu", password = "pw",
                               registrar = "18.7.22.84", proxy = "18.7.22.83"})
local carol_phone = sip.ua(carol, {aor = "sip:carol@mit.edu", password = "pw",
                                   registrar = "18.7.22.84", proxy = "18.7.22.83"})
bob_phone:on_invite(function(call) call:ring() call:answer() end)
carol_phone:on_invite(function(call) call:ring() end) -- and nobody picks up
sim.expect(bob_phone:register() and carol_phone:register(), "Bob and Carol are registered")

-- 1-2. Alice authenticates, talks to Bob for 2 s, hangs up
local call = alice_phone:call("sip:bob@mit.edu")
local answered = call:wait_answer(5)
print("alice -> bob: answered", answered, "after", px_rutgers:stats().proxy_challenges, "challenge(s)")
sim.expect(answered, "the INVITE with credentials went through: Bob answered")
sim.expect(px_rutgers:stats().proxy_challenges == 1, "proxy.rutgers.edu challenged once (407)")
sim.expect(alice_phone:stats().auth_retries == 1, "Alice's phone answered the 407 once")
sim.sleep(2)
call:bye()
sim.expect(select(2, call:wait_end(5)) == 200, "Alice's BYE went through unchallenged")
sim.expect(px_rutgers:stats().proxy_challenges == 1, "no 407 for the in-dialog BYE")

-- 3. Carol's phone rings forever: Timer C at proxy.mit.edu ends the attempt
local t0 = sim.now()
local to_carol = alice_phone:call("sip:carol@mit.edu")
local ok, status = to_carol:wait_answer(60)
local waited = sim.now() - t0
print(string.format("alice -> carol: %s %s after %.3f s; Timer C fired %d time(s) at proxy.mit.edu",
                    tostring(ok), tostring(status), waited, px_mit:stats().timer_c))
sim.expect(not ok and status == 487, "Carol's branch was CANCELled: 487 Request Terminated")
sim.expect(waited > 20 and waited < 20.2, "20 s (Timer C) after the 180, plus the hops")
sim.expect(px_mit:stats().timer_c == 1 and px_mit:stats().cancels == 1,
           "proxy.mit.edu's Timer C fired once and sent one CANCEL")
print(string.format("alice's phone: %d retry after a 407, %d INVITE with cached credentials",
                    alice_phone:stats().auth_retries, alice_phone:stats().auth_reused))
sim.expect(px_rutgers:stats().proxy_challenges == 1 and alice_phone:stats().auth_retries == 1,
           "the second INVITE was not challenged: still one 407, one retry")
sim.expect(alice_phone:stats().auth_reused == 1, "it carried the cached credentials (nc=2)")
sim.sleep(1)
sim.stop()
