-- 16-rtp.lua — the media of a phone call: RTP voice packets and RTCP reports (RFC 3550).
--
-- The picture:
--
--     alice 10.0.1.10 ──lan-a── R ──────wan (20 ms, jitter, 2% loss)────── bob 10.0.2.20
--
-- Once SIP and SDP have agreed on "PCMU to 10.0.2.20 port 4000" (the offer/answer of
-- protocols/sdp), each phone sends one RTP packet every 20 ms: 160 bytes of G.711 mu-law
-- (160 samples of an 8000 Hz clock) behind a 12-byte header carrying the payload type (0 =
-- PCMU), a sequence number (+1 per packet: the receiver counts what is missing), a timestamp
-- (+160 per packet: the receiver measures jitter against it) and the SSRC naming the stream.
-- Sequence number, timestamp and SSRC start at random values (RFC 3550 §5.1); the first packet
-- of a talkspurt has the marker bit set.
--
-- Next to the media, on port 4001, RTCP: every few seconds (RFC 3550 A.7: 5% of the session
-- bandwidth, at least 5 s on average, randomised) each side sends a compound packet: a Sender
-- Report (how much it sent, and an NTP/RTP timestamp pair) with a report block about what it
-- receives (fraction lost, cumulative lost, highest sequence number, interarrival jitter, and
-- LSR/DLSR from which the other side computes the round-trip time), then an SDES with its
-- CNAME. At the end of the call Alice sends BYE.
--
-- The wan loses 2% of the packets and adds up to 4 ms of jitter. What each phone reports in
-- its statistics is exactly what its RTCP tells the other side: the scenario checks both.
--
-- In Wireshark: open rtp-16-wan.pcap, Decode As UDP port 4000 → RTP and 4001 → RTCP, then
-- Telephony → RTP → RTP Streams: two streams of PCMU, their loss and jitter.
--
-- The test suite checks these in the pcaps:
-- decode-as: udp.port==4000,rtp
-- decode-as: udp.port==4001,rtcp
-- trace: wan rtp.p_type == 0 && ip.src == 10.0.1.10 && udp.length == 180
-- trace: wan rtp.p_type == 0 && ip.src == 10.0.2.20 && rtp.marker == 1
-- trace: wan rtcp.pt == 200 && ip.src == 10.0.2.20
-- trace: wan rtcp.sdes.text == "alice"
-- trace: wan rtcp.pt == 203 && ip.src == 10.0.1.10
-- trace-none: wan rtp.p_type != 0

local lan_a = sim.lan("lan-a", {delay = "1ms", bandwidth = "100Mbit"})
local wan = sim.link("wan", {delay = "20ms", bandwidth = "10Mbit", jitter = "4ms", loss = 0.02})
local alice, bob, R = sim.host("alice"), sim.host("bob"), sim.router("R")
alice:attach(lan_a, {ip = "10.0.1.10/24"})
R:attach(lan_a, {ip = "10.0.1.1/24"})
R:attach(wan, {ip = "10.0.2.1/24"})
bob:attach(wan, {ip = "10.0.2.20/24"})
alice:route("default", "10.0.1.1")
bob:route("default", "10.0.2.1")

-- Both phones talk for 10 s (500 packets each), as negotiated in SDP.
local a = rtp.session(alice, {port = 4000, to = "10.0.2.20:4000", duration = "10s", cname = "alice"})
local b = rtp.session(bob, {port = 4000, to = "10.0.1.10:4000", duration = "10s", cname = "bob"})
sim.sleep("10.5s")
-- RTCP is as unreliable as RTP: a lost BYE is simply never seen (the other side times the
-- source out). The loss is switched off for the hang-up so the check below is about BYE,
-- not about luck.
wan:set{loss = 0}
a:bye("hangup")
sim.sleep("1s")

local sa, sb = a:stats(), b:stats()
for _, p in ipairs({{"alice", sa}, {"bob", sb}}) do
  local n, s = p[1], p[2]
  print(string.format("%-5s sent %d, received %d of %d expected, lost %d, jitter %.2f ms, " ..
                      "RTCP sent %d / received %d, RTT %s ms", n, s.packets_sent,
                      s.packets_received, s.expected, s.lost, s.jitter_ms, s.rtcp_sent,
                      s.rtcp_received, s.rtt_ms and string.format("%.1f", s.rtt_ms) or "-"))
end
print(tostring(a))

sim.expect(sa.packets_sent == 500 and sb.packets_sent == 500, "10 s of 20 ms packets: 500 each way")
sim.expect(sa.octets_sent == 500 * 160, "160 bytes of PCMU per packet")
sim.expect(sb.remote_ssrc == sa.ssrc and sa.remote_ssrc == sb.ssrc, "each side locked on the other's SSRC")
for _, s in ipairs({sa, sb}) do
  sim.expect(s.lost > 0 and s.lost < 30, "2% loss: a handful of the ~500 packets lost")
  sim.expect(s.packets_received + s.lost == s.expected, "received + lost = expected (A.3)")
  sim.expect(s.jitter_ms > 0 and s.jitter_ms < 4, "jitter seen, below the link's 4 ms")
  sim.expect(s.sr_received >= 1, "the other side's Sender Reports arrived")
  sim.expect(s.rtt_ms and s.rtt_ms > 41 and s.rtt_ms < 52, "RTT from LSR/DLSR: 2 x 21 ms + jitter")
  sim.expect(s.remote_lost ~= nil, "the other side reported on our stream")
end
sim.expect(sb.bye_received == 1, "bob got alice's BYE")
sim.stop()
