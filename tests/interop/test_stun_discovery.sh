#!/bin/sh
# natsim's RFC 5780 discovery core -> coturn with RFC 5780 on two addresses: A1 = 127.0.0.1,
# A2 = 127.0.0.2, P1 = base, P2 = base+1 (coturn turns RFC 5780 on when it listens on two
# addresses of one family). On loopback there is no NAT: discovery must report "no NAT", EIM,
# EIF, and OTHER-ADDRESS = A2:P2. Then every endpoint is probed: A2:P1, A2:P2, CHANGE-REQUEST
# port (answer from A1:P2) and ip+port (from A2:P2), each RESPONSE-ORIGIN checked against the
# datagram's real source address.
. "$(dirname "$0")/lib.sh"
interop_init "$@"

p2=$((base + 1))
start_coturn "$base" -L 127.0.0.1 -L 127.0.0.2 --alt-listening-port "$p2"
wait_for "$work/turnserver.log" "UDP listener opened on: 127.0.0.2:$p2"
"$bin/interop_stun" discover 127.0.0.1:0 "127.0.0.1:$base" >"$work/discover.out" 2>&1
rc=$?
cat "$work/discover.out"
expect "interop_stun exited 0" [ $rc -eq 0 ]
expect "no check failed" sh -c "! grep -q FAIL '$work/discover.out'"
expect "discovery done" has "$work/discover.out" '^state done$'
expect "no NAT, EIM, EIF" has "$work/discover.out" '^nat no mapping EIM filtering EIF'
expect "OTHER-ADDRESS is A2:P2" has "$work/discover.out" " other 127\.0\.0\.2:$p2\$"
expect "four endpoints answered from RESPONSE-ORIGIN" \
  [ "$(grep -c '^ok RESPONSE-ORIGIN is the response' "$work/discover.out")" -eq 4 ]
interop_done
