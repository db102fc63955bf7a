#!/bin/sh
# The reverse: natsim's TURN server core over real sockets (listening on 127.0.0.1:base, every
# allocation's relayed address a real socket on 127.0.0.1) exercised by coturn's
# turnutils_uclient (-s: Send/Data indications; 2 clients x 50 messages of 100 bytes) with a
# turnutils_peer echo peer. uclient must report all messages back and 0 lost; natsim's server
# must have relayed every one both ways and seen nothing malformed.
. "$(dirname "$0")/lib.sh"
interop_init "$@"

peer=$((base + 1))
interop_bg server "$bin/interop_turn" server "127.0.0.1:$base" 127.0.0.1 $((base + 10)) \
  $((base + 19)) example.org alice secret 30
srv=$last_pid
wait_for "$work/server.out" '^ready '
interop_bg peer turnutils_peer -L 127.0.0.1 -p "$peer"
timeout 20 turnutils_uclient -s -c -u alice -w secret -e 127.0.0.1 -r "$peer" -p "$base" \
  -n 50 -z 5 -m 2 127.0.0.1 >"$work/uclient.out" 2>&1
rc=$?
# A TURN server is a STUN server too: turnutils_stunclient's Binding on the TURN port.
turnutils_stunclient -p "$base" 127.0.0.1 >"$work/stunclient.out" 2>&1
src=$?
interop_stop "$srv"
tail -6 "$work/uclient.out"
cat "$work/server.out"
out=$work/uclient.out
expect "turnutils_uclient exited 0" [ $rc -eq 0 ]
cat "$work/stunclient.out"
expect "Binding on the TURN port answered (stunclient exit 0)" [ $src -eq 0 ]
expect "Binding response carries the client's address" has "$work/stunclient.out" 'UDP reflexive addr: 127\.0\.0\.1:'
expect "Binding answered with success" has "$work/server.out" '^request Binding -> success$'
expect "100 sent, 100 received" has "$out" 'tot_send_msgs=100, tot_recv_msgs=100$'
expect "0 lost" has "$out" 'Total lost packets 0 \(0\.0+%\)'
expect "allocations made with 401 then credentials" has "$work/server.out" '^request Allocate -> error 401$'
expect "no request refused except the 401s" \
  [ "$(grep '^request ' "$work/server.out" | grep -v 'Allocate -> error 401' | grep -c 'error')" -eq 0 ]
expect "server relayed 100 each way" has "$work/server.out" 'relayed_to_peer 100 relayed_to_client 100 no_permission 0'
expect "server saw nothing malformed" has "$work/server.out" '^server requests [0-9]+ success [0-9]+ errors [0-9]+ bad 0 '
interop_done
