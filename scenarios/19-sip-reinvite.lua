-- 19-sip-reinvite.lua — changing a call that is already up: re-INVITE (RFC 3261 §14) with a
-- new SDP offer (RFC 3264 §8) adds a second media stream, and a later one removes it; two
-- re-INVITEs at once (glare: 491 and a timed retry); a call whose INVITE has no offer.
--
-- The picture:
--
--   alice 10.0.1.10 ──lan── R ── wan (20 ms) ── bob 10.0.2.20
--
-- Alice calls Bob directly (no proxy: the Request-URI is Bob's address). Once the call is up,
-- Alice sends a re-INVITE inside the dialog (same Call-ID and tags, CSeq 2) whose offer has
-- two m= lines: the first audio stream unchanged (port 40000) and a second one (port 40002).
-- Bob's phone answers 200 OK with two m= lines too, Alice ACKs, and a second RTP stream flows
-- each way. Three seconds later another re-INVITE (CSeq 3) keeps the second m= line but with
-- port 0: the stream is removed (an m= line is never deleted, §8.2), the second RTP sessions
-- send RTCP BYE and stop; the first stream goes on. The o= version rises with each new offer.
--
-- Then glare (§14.1): at 7.165 s both phones send a re-INVITE at the same instant (Bob's CSeq 1,
-- Alice's CSeq 4); each answers the other's 491 Request Pending. Bob, who did not generate the
-- Call-ID, tries again after a random 0-2 s (CSeq 2, at 8.897 s), Alice, the caller, after
-- 2.1-4 s (CSeq 5, at 10.348 s); both retries get 200 OK. The waits come from the phones'
-- seeded generators: same seed, same instants.
-- Last, Alice calls Bob again with an INVITE without SDP (RFC 3264 §5): Bob's 200 OK carries
-- the offer (m=audio 40032) and Alice's ACK the answer; RTP flows as for any call.
--
-- In Wireshark (wan): INVITE/200/ACK three times; the 2nd INVITE's SDP has "m=audio 40002",
-- the 3rd has "m=audio 0"; Telephony → RTP → RTP Streams shows four streams, two of them short.
-- Then two crossing INVITEs, two 491s and their ACKs, and the two retries; the last call's
-- INVITE has no body, its ACK has one.
--
-- The test suite checks these in the pcaps:
-- decode-as: udp.port==40000,rtp
-- decode-as: udp.port==40002,rtp
-- trace: wan sip.Method == "INVITE" && sip.CSeq.seq == 2 && sdp.media.port == 40002
-- trace: wan sip.Status-Code == 200 && sip.CSeq.seq == 2 && sdp.media.port == 40002
-- trace: wan sip.Method == "INVITE" && sip.CSeq.seq == 3 && sdp.media.port == 0
-- trace: wan sip.Method == "ACK" && sip.CSeq.seq == 3
-- trace: wan rtp.p_type == 0 && udp.dstport == 40002 && ip.src == 10.0.2.20
-- trace: wan rtcp.pt == 203 && udp.srcport == 40003
-- trace-seq: wan sip.Method,sip.Status-Code,sip.CSeq.seq sip.CSeq.method == "INVITE" && !(sip.Status-Code == 100) && frame.time_relative > 7 && frame.time_relative < 10.4 -> INVITE/1 INVITE/4 491/4 491/1 INVITE/2 200/2 INVITE/5 200/5
-- trace: wan sip.Method == "INVITE" && sip.CSeq.seq == 1 && !sdp && !(sip.To contains "tag=")
-- trace: wan sip.Status-Code == 200 && sip.CSeq.method == "INVITE" && sdp.media.port == 40032
-- trace: wan sip.Method == "ACK" && sdp.media.port == 40032
-- trace: wan rtp.p_type == 0 && udp.dstport == 40032

local lan = sim.lan("lan", {delay = "1ms"})
local wan = sim.link("wan", {delay = "20ms"})
local alice, bob, R = sim.host("alice"), sim.host("bob"), sim.router("R")
alice:attach(lan, {ip = "10.0.1.10/24"})
R:attach(lan, {ip = "10.0.1.1/24"})
R:attach(wan, {ip = "10.0.2.1/24"})
bob:attach(wan, {ip = "10.0.2.20/24"})
alice:route("default", "10.0.1.1")
bob:route("default", "10.0.2.1")

local alice_phone = sip.ua(alice, {aor = "sip:alice@10.0.1.10"})
local bob_phone = sip.ua(bob, {aor = "sip:bob@10.0.2.20"})
local bob_call
bob_phone:on_invite(function(call) bob_call = call call:answer() end)

local call = alice_phone:call("sip:bob@10.0.2.20")
sim.expect(call:wait_answer(5), "the call is up")
sim.sleep(2)

-- add a second stream
sim.expect(call:reinvite{add = "audio"}, "re-INVITE with two streams answered")
local m2 = call:media(2)
print("stream 2: " .. m2.codec .. " to " .. m2.remote .. ", local port " .. m2.local_port)
sim.expect(m2.active and m2.remote == "10.0.2.20:40002", "stream 2 goes to Bob's port 40002")
sim.expect(bob_call:media(2).remote == "10.0.1.10:40002", "and back to Alice's port 40002")
sim.sleep(3)
local s2 = call:stats(2)
print(string.format("after 3 s: stream 2 received %d packets", s2.packets_received))
sim.expect(s2.packets_received >= 145, "stream 2 carries ~150 packets in 3 s")

-- remove it again
sim.expect(call:reinvite{remove = 2}, "re-INVITE removing stream 2 answered")
sim.expect(not call:media(2).active and not bob_call:media(2).active, "stream 2 is gone (port 0)")
sim.expect(call:media(1).active, "stream 1 is untouched")
local before2, before1 = call:stats(2).packets_received, call:stats(1).packets_received
sim.sleep(2)
sim.expect(call:stats(2).packets_received - before2 <= 3, "no more media on stream 2")
sim.expect(call:stats(1).packets_received - before1 >= 95, "stream 1 still flows")
sim.expect(call:stats(2).bye_received == 1, "stream 2 ended with RTCP BYE")

-- glare (§14.1): both phones re-INVITE at the same instant; each answers the other 491
-- Request Pending, then each sends its re-INVITE again after a random wait: Bob (he did not
-- generate the Call-ID) after 0-2 s, Alice (the caller, owner of the Call-ID) after 2.1-4 s
local bob_ok
local t0 = sim.now()
sim.spawn(function() bob_ok = bob_call:reinvite{} end)
sim.expect(call:reinvite{}, "Alice's re-INVITE goes through on the retry")
local waited = sim.now() - t0
print(string.format("glare: Alice's re-INVITE answered %.2f s after the first try", waited))
sim.expect(bob_ok, "Bob's re-INVITE went through too (he retried first)")
sim.expect(waited >= 2.1 and waited <= 4.2, "Alice waited 2.1-4 s before trying again")
sim.expect(alice_phone:stats().glare == 1 and bob_phone:stats().glare == 1,
           "each phone answered the other's re-INVITE 491 once")
sim.expect(call:media(1).active and bob_call:media(1).active, "the call is unchanged")

call:bye()
sim.expect(call:wait_end(5), "hung up")

-- an INVITE without SDP (RFC 3264 §5): Bob's 200 OK carries the offer, Alice's ACK the answer
local call2 = alice_phone:call("sip:bob@10.0.2.20", {offer = false})
sim.expect(call2:wait_answer(5), "the offerless call is up")
sim.sleep(2)
sim.expect(call2:media(1).remote == "10.0.2.20:40032", "Alice sends to the port of Bob's offer")
sim.expect(call2:stats(1).packets_received >= 95, "and media flows both ways")
sim.expect(bob_call:stats(1).packets_received >= 95, "(Bob receives too)")
call2:bye()
sim.expect(call2:wait_end(5), "hung up")
sim.stop()
