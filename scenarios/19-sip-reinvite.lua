-- 19-sip-reinvite.lua — changing a call that is already up: re-INVITE (RFC 3261 §14) with a
-- new SDP offer (RFC 3264 §8) adds a second media stream, and a later one removes it.
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
-- In Wireshark (wan): INVITE/200/ACK three times; the 2nd INVITE's SDP has "m=audio 40002",
-- the 3rd has "m=audio 0"; Telephony → RTP → RTP Streams shows four streams, two of them short.
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

call:bye()
sim.expect(call:wait_end(5), "hung up")
sim.stop()
