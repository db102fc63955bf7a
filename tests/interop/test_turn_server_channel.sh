#!/bin/sh
# natsim's TURN server core exercised by turnutils_uclient in its default mode: ChannelBind,
# then ChannelData both ways. uclient picks random channel numbers in RFC 5766's range
# 0x4000-0x7FFF, which natsim's server accepts (its own client binds only RFC 8656's
# 0x4000-0x4FFF). Required: uclient completes with 0 lost, every ChannelBind succeeds, and
# ChannelData is relayed both ways with nothing refused but the 401 challenges.
. "$(dirname "$0")/lib.sh"
interop_init "$@"

peer=$((base + 1))
interop_bg peer turnutils_peer -L 127.0.0.1 -p "$peer"
interop_bg server "$bin/interop_turn" server "127.0.0.1:$base" 127.0.0.1 \
  $((base + 10)) $((base + 19)) example.org alice secret 30
srv=$last_pid
wait_for "$work/server.out" '^ready '
timeout 20 turnutils_uclient -c -u alice -w secret -e 127.0.0.1 -r "$peer" -p "$base" \
  -n 50 -z 5 127.0.0.1 >"$work/uclient.out" 2>&1
rc=$?
interop_stop "$srv"
s=$work/server.out
tail -6 "$work/uclient.out"; cat "$s"
expect "turnutils_uclient exited 0" [ $rc -eq 0 ]
expect "ChannelBind accepted" has "$s" '^request ChannelBind 0x[4-7][0-9a-f]{3} -> success$'
expect "no request refused but the 401 challenges" \
  [ "$(grep '^request .*error' "$s" | grep -vc 'Allocate -> error 401$')" -eq 0 ]
expect "50 sent, 50 received" has "$work/uclient.out" 'tot_send_msgs=50, tot_recv_msgs=50$'
expect "0 lost" has "$work/uclient.out" 'Total lost packets 0 \(0\.0+%\)'
expect "server relayed 50 each way, no unbound channel" \
  has "$s" 'relayed_to_peer 50 relayed_to_client 50 no_permission 0 no_channel 0$'
expect "server saw nothing malformed" has "$s" '^server requests [0-9]+ success [0-9]+ errors [0-9]+ bad 0 '
interop_done
