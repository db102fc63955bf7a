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
