#!/bin/sh
# natsim's TURN server core exercised by turnutils_uclient in its default mode: ChannelBind,
# then ChannelData both ways. uclient picks a random channel number in RFC 5766's range
# 0x4000-0x7FFF; natsim's server follows RFC 8656 §11.2 (0x4000-0x4FFF, else 400), and uclient
# gives up at the first refused ChannelBind. So each try runs a fresh server and uclient, until
# one picks channels both RFCs allow. uclient binds two channels (p = 1/16 a try; a refused try
# takes ~60 ms; 150 tries all miss with p ~ 6e-5).
# Required: that try completes with 0 lost and ChannelData relayed both ways; every refused
# ChannelBind was one outside 0x4000-0x4FFF answered 400 (the known incompatibility, see
# docs/interop.md), and nothing else was refused.
. "$(dirname "$0")/lib.sh"
interop_init "$@"

peer=$((base + 1))
interop_bg peer turnutils_peer -L 127.0.0.1 -p "$peer"
try=0; refused=0; passed=0; odd=0
while [ $try -lt 150 ] && [ $passed -eq 0 ]; do
  try=$((try + 1))
  interop_bg "server$try" "$bin/interop_turn" server "127.0.0.1:$base" 127.0.0.1 \
    $((base + 10)) $((base + 19)) example.org alice secret 30
  srv=$last_pid
  wait_for "$work/server$try.out" '^ready '
  timeout 20 turnutils_uclient -c -u alice -w secret -e 127.0.0.1 -r "$peer" -p "$base" \
    -n 50 -z 5 127.0.0.1 >"$work/uclient$try.out" 2>&1
  rc=$?
  interop_stop "$srv"
  s=$work/server$try.out
  if grep -Eq '^request ChannelBind 0x[0-9a-f]+ -> error 400$' "$s"; then
    refused=$((refused + 1))
    # Only the 401 challenges and ChannelBinds outside 0x4000-0x4FFF may have been refused.
    other=$(grep '^request .*error' "$s" | grep -v 'Allocate -> error 401$' |
            grep -Evc '^request ChannelBind 0x[5-7][0-9a-f]{3} -> error 400$')
    [ "$other" -eq 0 ] || { echo "try $try: unexpected refusal"; cat "$s"; odd=$((odd + 1)); }
    grep -q 'channel bind: error 400' "$work/uclient$try.out" || odd=$((odd + 1))
  else
    passed=$try
  fi
done
echo "tries $try refused $refused passed_on $passed"
s=$work/server$passed.out
expect "every refused try: 400 for a channel outside 0x4000-0x4FFF only, reported by uclient" \
  [ $odd -eq 0 ]
expect "a try with RFC 8656 channel numbers" [ $passed -ne 0 ]
if [ $passed -ne 0 ]; then
  tail -6 "$work/uclient$passed.out"; cat "$s"
  expect "turnutils_uclient exited 0" [ $rc -eq 0 ]
  expect "ChannelBind accepted" has "$s" '^request ChannelBind 0x4[0-9a-f]{3} -> success$'
  expect "50 sent, 50 received" has "$work/uclient$passed.out" 'tot_send_msgs=50, tot_recv_msgs=50$'
  expect "0 lost" has "$work/uclient$passed.out" 'Total lost packets 0 \(0\.0+%\)'
  expect "server relayed 50 each way, no unbound channel" \
    has "$s" 'relayed_to_peer 50 relayed_to_client 50 no_permission 0 no_channel 0$'
  expect "server saw nothing malformed" has "$s" '^server requests [0-9]+ success [0-9]+ errors [0-9]+ bad 0 '
fi
interop_done
