#!/bin/sh
# natsim's STUN client core -> coturn's Binding server (RFC 8489), over UDP on 127.0.0.1.
# Checks (printed by interop_stun): XOR-MAPPED-ADDRESS is the client socket's own address,
# MAPPED-ADDRESS agrees, FINGERPRINT is present and verified by natsim's codec, SOFTWARE decodes,
# every response decodes; 20 transactions (RFC 8489 timers), every one answered.
. "$(dirname "$0")/lib.sh"
interop_init "$@"

start_coturn "$base" -L 127.0.0.1 --no-rfc5780
"$bin/interop_stun" binding 127.0.0.1:0 "127.0.0.1:$base" 20 >"$work/client.out" 2>&1
rc=$?
cat "$work/client.out"
expect "interop_stun exited 0" [ $rc -eq 0 ]
expect "no check failed" sh -c "! grep -q FAIL '$work/client.out'"
expect "XOR-MAPPED-ADDRESS checked" has "$work/client.out" '^ok XOR-MAPPED-ADDRESS is the socket'
expect "FINGERPRINT verified" has "$work/client.out" '^ok FINGERPRINT present and verified'
expect "SOFTWARE is coturn's" has "$work/client.out" "^software Coturn-"
expect "20 transactions answered, none malformed" has "$work/client.out" '^sent [0-9]+ retransmits [0-9]+ responses 20 bad 0$'
interop_done
