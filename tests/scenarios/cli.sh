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
rm -f /tmp/natsim-cli.$$ /tmp/natsim-cli.$$.lua /tmp/natsim-cli.$$.tty
echo "ok: cli contract"
