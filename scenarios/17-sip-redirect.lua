-- 17-sip-redirect.lua — a redirect server (RFC 3261 §8.3, §21.3.3): "Bob is over there".
--
-- The picture:
--
--   alice 128.6.4.10 ── rutgers-net ── R ── mit-net ─┬─ redirect.mit.edu 18.7.22.83
--                          5 ms             10 ms    └─ bob 18.7.22.50
--
-- A proxy forwards the INVITE itself and stays in the middle; a redirect server only answers
-- where to go: it looks bob@mit.edu up in its location service (Bob's phone registered there)
-- and answers 302 Moved Temporarily with Bob's phone's address in a Contact header. Alice's
-- phone ACKs the 302 (an INVITE transaction ends with an ACK for every final answer that is
-- not a 2xx: RFC 3261 §17.1.1.3) and sends a new INVITE straight to that Contact — same
-- Call-ID, next CSeq (§8.1.3.4). From then on the redirect server sees nothing of the call.
--
-- In Wireshark (mit-net): INVITE → 302 → ACK to redirect.mit.edu, then INVITE → 180 → 200 →
-- ACK directly between the phones, then the BYE.
--
-- The test suite checks these in the pcaps:
-- trace: mit-net sip.Status-Code == 302 && ip.src == 18.7.22.83 && sip.Contact contains "18.7.22.50"
-- trace: mit-net sip.Method == "ACK" && ip.dst == 18.7.22.83 && sip.CSeq.seq == 1
-- trace: mit-net sip.Method == "INVITE" && ip.src == 128.6.4.10 && ip.dst == 18.7.22.50 && sip.CSeq.seq == 2
-- trace: mit-net sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && ip.src == 18.7.22.50 && ip.dst == 128.6.4.10
-- trace: mit-net sip.Method == "BYE" && ip.src == 128.6.4.10 && ip.dst == 18.7.22.50
-- trace-none: mit-net sip.Method == "BYE" && ip.addr == 18.7.22.83
-- Alice's ladder in order: the 302 is ACKed, then the new INVITE goes straight to Bob's phone:
-- trace-seq: mit-net sip.Method,sip.Status-Code ip.addr == 128.6.4.10 && sip -> INVITE 100 302 ACK INVITE 100 180 200 ACK BYE 200

local rutgers = sim.lan("rutgers-net", {delay = "5ms"})
local mit = sim.lan("mit-net", {delay = "10ms"})
local R = sim.router("R")
R:attach(rutgers, {ip = "128.6.4.1/24"})
R:attach(mit, {ip = "18.7.22.254/24"})
local alice = sim.host("alice", {on = rutgers, ip = "128.6.4.10/24", gateway = "128.6.4.1"})
local bob = sim.host("bob", {on = mit, ip = "18.7.22.50/24", gateway = "18.7.22.254"})
local rd = sim.host("redirect.mit.edu", {on = mit, ip = "18.7.22.83/24", gateway = "18.7.22.254"})

-- a redirect server that is also mit.edu's registrar
local redirect = sip.redirect(rd, {domain = "mit.edu"})
local bob_phone = sip.ua(bob, {aor = "sip:bob@mit.edu", registrar = "18.7.22.83", media = false})
local alice_phone = sip.ua(alice, {aor = "sip:alice@rutgers.edu", proxy = "18.7.22.83",
                                   media = false})
bob_phone:on_invite(function(call) call:ring() call:answer() end)

sim.expect(bob_phone:register(), "Bob's phone registered with the redirect server")
local call = alice_phone:call("sip:bob@mit.edu")
local ok = call:wait_answer(10)
print("alice: answered by " .. call:peer() .. ":", ok)
sim.expect(ok, "Alice reached Bob after the 302")
sim.expect(redirect:stats().redirects == 1, "one 302 from the redirect server")
sim.expect(redirect:stats().forwarded == 0, "the redirect server forwarded nothing")
sim.sleep(1)
call:bye()
local ended, code = call:wait_end(5)
sim.expect(ended and code == 200, "BYE answered 200 OK by Bob's phone itself")
sim.stop()
