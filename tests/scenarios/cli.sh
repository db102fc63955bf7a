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
rm -f /tmp/natsim-cli.$$
echo "ok: cli contract"
