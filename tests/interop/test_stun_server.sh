#!/bin/sh
# The reverse: natsim's Binding server core (RFC 5780 on four real sockets: 127.0.0.1 and
# 127.0.0.2, ports base and base+1) exercised by coturn's turnutils_stunclient, which runs its
# RFC 5780 tests (plain Binding, CHANGE-REQUEST, a second local port) and prints what it decoded.
. "$(dirname "$0")/lib.sh"
interop_init "$@"

p2=$((base + 1))
interop_bg server "$bin/interop_stun" server "127.0.0.1:$base" "127.0.0.2:$p2" 20
srv=$last_pid
wait_for "$work/server.out" '^ready 4 sockets'
turnutils_stunclient -p "$base" -L 127.0.0.1 127.0.0.1 >"$work/stunclient.out" 2>&1
rc=$?
turnutils_stunclient -f -p "$base" 127.0.0.1 >"$work/stunclient-f.out" 2>&1
rc_f=$?
interop_stop "$srv"
cat "$work/stunclient.out" "$work/server.out"
out=$work/stunclient.out
expect "turnutils_stunclient exited 0" [ $rc -eq 0 ]
expect "turnutils_stunclient -f exited 0" [ $rc_f -eq 0 ]
expect "reflexive address is 127.0.0.1" has "$out" 'UDP reflexive addr: 127\.0\.0\.1:[0-9]+'
expect "response 1 from A1:P1" has "$out" "Response origin: : 127\.0\.0\.1:$base\$"
expect "OTHER-ADDRESS A2:P2 decoded" has "$out" "Other addr: : 127\.0\.0\.2:$p2\$"
expect "CHANGE-REQUEST answered from A2:P2" has "$out" "Response origin: : 127\.0\.0\.2:$p2\$"
expect "three RFC 5780 responses" [ "$(grep -c '^RFC 5780 response' "$out")" -eq 3 ]
expect "every request answered, none malformed" has "$work/server.out" '^requests ([0-9]+) success \1 errors 0 ignored 0 bad 0$'
interop_done
