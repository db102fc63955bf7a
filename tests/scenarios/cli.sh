#!/bin/sh
# Usage: cli.sh NATSIM — the command line's contract: help, version, usage errors exit 2 with a
# message, a missing scenario file is a clear error.
set -u
natsim=$1
fail() { echo "FAIL: $*"; exit 1; }
"$natsim" --help >/tmp/natsim-cli.$$ 2>&1 || fail "--help exited non-zero"
grep -q "run" /tmp/natsim-cli.$$ || fail "--help does not mention run"
"$natsim" --version | grep -q "natsim" || fail "--version does not print the name"
"$natsim" run >/dev/null 2>&1; [ $? -eq 2 ] || fail "run without a file should exit 2"
"$natsim" --no-such-flag >/dev/null 2>&1; [ $? -eq 2 ] || fail "unknown flag should exit 2"
"$natsim" run /nonexistent.lua 2>/tmp/natsim-cli.$$; rc=$?
[ $rc -ne 0 ] || fail "missing scenario should fail"
grep -q "nonexistent.lua" /tmp/natsim-cli.$$ || fail "missing scenario error does not name the file"
"$natsim" run /dev/null --seed notanumber >/dev/null 2>&1; [ $? -eq 2 ] || fail "bad --seed should exit 2"
# On a terminal (a pseudo-terminal from script(1)) a long run shows its progress; --quiet and
# a non-terminal stderr do not.
cat > /tmp/natsim-cli.$$.lua <<'LUA'
local lan = sim.lan("l", {})
local a, b = sim.host("a"), sim.host("b")
a:attach(lan, {ip = "10.0.0.1/24"}); b:attach(lan, {ip = "10.0.0.2/24"})
local s, r = a:udp{port = 1}, b:udp{port = 2}
r:on_recv(function() end)
sim.spawn(function() while true do s:sendto("x", "10.0.0.2", 2); sim.sleep(0.0005) end end)
LUA
script -qec "$natsim run /tmp/natsim-cli.$$.lua --until 200" /tmp/natsim-cli.$$.tty >/dev/null 2>&1 ||
  fail "long run under a pseudo-terminal failed"
tr '\r' '\n' < /tmp/natsim-cli.$$.tty | grep -q "t = .* s / 200 s .*events/s" ||
  fail "no progress line on a terminal"
"$natsim" run /tmp/natsim-cli.$$.lua --until 20 2>/tmp/natsim-cli.$$ >/dev/null
grep -q "events/s" /tmp/natsim-cli.$$ && fail "progress line written to a non-terminal"
# natsim decode turn: ChannelData framing (padding shown), a STUN-format TURN message with TURN
# attribute names, and a malformed datagram refused with the reason (exit 1).
printf '\100\000\000\005hello\000\000\000' > /tmp/natsim-cli.$$.bin
"$natsim" decode turn /tmp/natsim-cli.$$.bin | grep -q "ChannelData channel 0x4000, length 5 + 3 bytes padding" ||
  fail "decode turn: ChannelData not shown"
printf '\000\003\000\010\041\022\244\102abcdefghijkl\000\031\000\004\021\000\000\000' > /tmp/natsim-cli.$$.bin
"$natsim" decode turn /tmp/natsim-cli.$$.bin | grep -q "REQUESTED-TRANSPORT (0x0019), 4 bytes: 17 (UDP)" ||
  fail "decode turn: Allocate's REQUESTED-TRANSPORT not named"
printf '\100\000\000\011abc' > /tmp/natsim-cli.$$.bin
"$natsim" decode turn /tmp/natsim-cli.$$.bin 2>/tmp/natsim-cli.$$; [ $? -eq 1 ] || fail "decode turn: bad ChannelData should exit 1"
grep -q "malformed ChannelData: length runs past the end" /tmp/natsim-cli.$$ || fail "decode turn: no reason given"
rm -f /tmp/natsim-cli.$$.bin
# natsim decode dns: a dig-like dump of a good message; a compression loop fails with exit 1,
# the byte offset and the reason.
corpus=$(dirname "$0")/../fuzz/corpus/dns
"$natsim" decode dns "$corpus/naptr-sip" >/tmp/natsim-cli.$$ 2>&1 || fail "decode dns of a good message failed"
grep -q 'NAPTR.*50 50 "s" "SIP+D2U" "" _sip._udp.mit.edu.' /tmp/natsim-cli.$$ ||
  fail "decode dns does not print the NAPTR record"
"$natsim" decode dns "$corpus/loop" >/dev/null 2>/tmp/natsim-cli.$$; rc=$?
[ $rc -eq 1 ] || fail "decode dns of a pointer loop should exit 1 (got $rc)"
grep -q "at byte 14: compression pointer loop" /tmp/natsim-cli.$$ ||
  fail "decode dns does not give the offset and reason of a pointer loop"
# natsim decode sdp: a valid description prints its fields; a malformed one exits 1 naming the
# line and the reason.
printf 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n' > /tmp/natsim-cli.$$.sdp
"$natsim" decode sdp /tmp/natsim-cli.$$.sdp > /tmp/natsim-cli.$$ 2>&1 || fail "decode sdp of a valid description failed"
grep -q "direction sendonly" /tmp/natsim-cli.$$ || fail "decode sdp does not show the direction"
printf 'v=0\r\ns=-\r\n' > /tmp/natsim-cli.$$.sdp
"$natsim" decode sdp /tmp/natsim-cli.$$.sdp > /tmp/natsim-cli.$$ 2>&1; [ $? -eq 1 ] || fail "decode sdp of a malformed description should exit 1"
grep -q "line 2: o= must follow v=" /tmp/natsim-cli.$$ || fail "decode sdp error does not name the line and reason"
rm -f /tmp/natsim-cli.$$.sdp
# natsim decode rtp: an RTP packet and an RTCP compound are told apart (RFC 5761); a
# compound that does not start with SR or RR exits 1 with the reason.
printf '\200\000\000\001\000\000\000\240\000\000\000\011\377\377' > /tmp/natsim-cli.$$.rtp
"$natsim" decode rtp /tmp/natsim-cli.$$.rtp > /tmp/natsim-cli.$$ 2>&1 || fail "decode rtp of an RTP packet failed"
grep -q "payload type 0 (PCMU), seq 1, timestamp 160" /tmp/natsim-cli.$$ || fail "decode rtp does not show the RTP header"
printf '\200\311\000\001\000\000\000\011' > /tmp/natsim-cli.$$.rtp
"$natsim" decode rtp /tmp/natsim-cli.$$.rtp > /tmp/natsim-cli.$$ 2>&1 || fail "decode rtp of an RTCP RR failed"
grep -q "RTCP RR (type 201)" /tmp/natsim-cli.$$ || fail "decode rtp does not recognise RTCP"
printf '\200\312\000\001\000\000\000\011' > /tmp/natsim-cli.$$.rtp
"$natsim" decode rtp /tmp/natsim-cli.$$.rtp > /tmp/natsim-cli.$$ 2>&1; [ $? -eq 1 ] || fail "decode rtp of a compound starting with SDES should exit 1"
grep -q "not SR or RR" /tmp/natsim-cli.$$ || fail "decode rtp error does not give the reason"
rm -f /tmp/natsim-cli.$$.rtp
# natsim decode tcp: a SYN 1211 > 80 with MSS 1460 and its checksum for 10.0.0.1 -> 10.0.0.2
# (computed independently); then a bad data offset and an overrunning option fail with reasons.
seg=/tmp/natsim-cli.$$.tcp
printf '\004\273\000\120\000\000\000\001\000\000\000\000\140\002\377\377\177\030\000\000\002\004\005\264' >"$seg"
"$natsim" decode tcp "$seg" --src 10.0.0.1 --dst 10.0.0.2 >/tmp/natsim-cli.$$ 2>&1 ||
  fail "decode tcp of a good SYN failed: $(cat /tmp/natsim-cli.$$)"
grep -q "1211 > 80 \[SYN\] seq=1 .*mss=1460" /tmp/natsim-cli.$$ || fail "decode tcp: no SYN line"
grep -q "(verified)" /tmp/natsim-cli.$$ || fail "decode tcp: checksum not verified"
"$natsim" decode tcp "$seg" --src 10.0.0.1 --dst 10.0.0.3 2>/tmp/natsim-cli.$$ >/dev/null &&
  fail "decode tcp: a wrong pseudo-header must fail"
grep -q "bad checksum" /tmp/natsim-cli.$$ || fail "decode tcp: bad checksum not named"
printf '\004\273\000\120\000\000\000\001\000\000\000\000\100\002\377\377\000\000\000\000' >"$seg"
"$natsim" decode tcp "$seg" 2>/tmp/natsim-cli.$$ >/dev/null && fail "decode tcp: data offset 4 accepted"
grep -q "data offset < 5" /tmp/natsim-cli.$$ || fail "decode tcp: bad data offset not named"
printf '\004\273\000\120\000\000\000\001\000\000\000\000\140\002\377\377\000\000\000\000\002\010\005\264' >"$seg"
"$natsim" decode tcp "$seg" 2>/tmp/natsim-cli.$$ >/dev/null && fail "decode tcp: overrun accepted"
grep -q "option overruns the header" /tmp/natsim-cli.$$ || fail "decode tcp: overrun not named"
rm -f "$seg"
# natsim decode dhcp: every option named and decoded; a malformed message exits 1 naming the
# byte and the rule; the decoder takes no options.
corpus=$(dirname "$0")/../fuzz/corpus/dhcp
"$natsim" decode dhcp "$corpus/ack" >/tmp/natsim-cli.$$ 2>&1 || fail "decode dhcp ack failed"
for want in "DHCP DHCPACK (BOOTREPLY), xid 0x3903f326" "Your-IP 192.168.1.100" \
            "Server-ID (54), length 4: 192.168.1.1" "Lease-Time (51), length 4: 3600 s" \
            "Subnet-Mask (1), length 4: 255.255.255.0" "Router (3), length 4: 192.168.1.1" \
            "Domain-Name-Server (6), length 8: 9.9.9.9, 1.1.1.1" "Unknown (224), length 2: 0102"; do
  grep -qF "$want" /tmp/natsim-cli.$$ || fail "decode dhcp ack: no '$want'"
done
"$natsim" decode dhcp "$corpus/overload" | grep -qF 'Hostname (12), length 3: "abc"' ||
  fail "decode dhcp: options in an overloaded file field not shown"
"$natsim" decode dhcp "$corpus/bad-cookie" >/dev/null 2>/tmp/natsim-cli.$$; rc=$?
[ $rc -eq 1 ] || fail "malformed DHCP should exit 1, got $rc"
grep -q "byte 236: bad magic cookie" /tmp/natsim-cli.$$ || fail "bad cookie error does not say where"
"$natsim" decode dhcp "$corpus/ack" --verbose >/dev/null 2>&1; [ $? -ne 0 ] ||
  fail "decode dhcp should refuse options"
rm -f /tmp/natsim-cli.$$ /tmp/natsim-cli.$$.lua /tmp/natsim-cli.$$.tty
# natsim decode sip: a message is dumped with typed headers; a malformed one exits 1 with the
# reason; a well-formed one RFC 3261 would refuse exits 1 with the 400 reason phrase.
printf 'OPTIONS sip:bob@example.com SIP/2.0\r\nv: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\r\nTo: <sip:bob@example.com>\r\nFrom: <sip:a@example.com>;tag=1\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nl: 0\r\n\r\n' > /tmp/natsim-cli.$$.sip
"$natsim" decode sip /tmp/natsim-cli.$$.sip > /tmp/natsim-cli.$$ || fail "decode sip of a valid message failed"
grep -q "v (Via): .*" /tmp/natsim-cli.$$ && grep -q "branch z9hG4bK1 (RFC 3261)" /tmp/natsim-cli.$$ ||
  fail "decode sip does not show the typed Via"
printf 'INVITE <sip:bob@example.com> SIP/2.0\r\n\r\n' > /tmp/natsim-cli.$$.sip
"$natsim" decode sip /tmp/natsim-cli.$$.sip >/dev/null 2>/tmp/natsim-cli.$$; [ $? -eq 1 ] ||
  fail "decode sip of a malformed message should exit 1"
grep -q "Request-URI in <>" /tmp/natsim-cli.$$ || fail "decode sip does not give the reason"
printf 'OPTIONS sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nTo: <sip:b@h>\r\nFrom: <sip:a@h>;tag=1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n' > /tmp/natsim-cli.$$.sip
"$natsim" decode sip /tmp/natsim-cli.$$.sip >/dev/null 2>/tmp/natsim-cli.$$; [ $? -eq 1 ] &&
  grep -q "400 Missing Call-ID" /tmp/natsim-cli.$$ || fail "decode sip does not refuse a request without Call-ID"
rm -f /tmp/natsim-cli.$$ /tmp/natsim-cli.$$.lua /tmp/natsim-cli.$$.tty /tmp/natsim-cli.$$.sip
echo "ok: cli contract"
