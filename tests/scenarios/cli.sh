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
echo "ok: cli contract"
