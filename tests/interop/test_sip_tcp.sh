#!/bin/sh
# SIP over TCP (RFC 3261 §18) between SIPp (-t t1: one TCP connection) and natsim's UA core
# (interop_sip --tcp: Via SIP/2.0/TCP, Contact ;transport=tcp, reliable transactions, a TCP
# listener on its SIP port, streams framed by Content-Length), both directions, on 127.0.0.x:
# 1. sipp -sn uac -t t1 -> natsim UA answering: 10 calls, every message on SIPp's connection
#    (responses go back on the connection the request came in on, §18.2.2);
# 2. natsim UA calling over TCP -> sipp -sn uas -t t1: 10 calls, natsim opens one connection
#    and reuses it for every request, ACK and BYE.
# SIPp must count every call successful; natsim must have sent and received only over TCP.
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

sip_start callee --tcp uas "127.0.0.2:$base" sip:service@127.0.0.2 - 60
uas_pid=$last_pid
run_sipp uac -sn uac -t t1 -m 10 -i 127.0.0.1 -p $((base + 1)) "127.0.0.2:$base"
rc_uac=$sipp_rc
interop_stop "$uas_pid"

callee=$((base + 2))
bg_sipp uas -sn uas -t t1 -m 10 -i 127.0.0.3 -p "$callee"
sipp_pid=$last_pid
sleep 0.3 # SIPp's listener; natsim's connect would otherwise be refused (no retransmission on TCP)
"$bin/interop_sip" --tcp uac "127.0.0.1:$((base + 3))" \
  "sip:service@127.0.0.3:$callee;transport=tcp" 10 >"$work/caller.out" 2>&1
rc=$?
interop_wait "$sipp_pid"
sipp_report uac
sipp_report uas
grep -v '^[rt]x \|^call ' "$work/callee.out" "$work/caller.out"
u=$work/callee.out
c=$work/caller.out
expect "1. sipp (TCP caller) exited 0" [ $rc_uac -eq 0 ]
expect "1. sipp: 10 successful, 0 failed" sipp_calls uac 10 0
expect "1. natsim UA: 10 incoming, 10 confirmed, 10 ended by BYE" \
  has "$u" '^uas incoming 10 confirmed 10 ended_by_bye 10 ended_otherwise 0$'
expect "1. natsim got INVITE, ACK, BYE over TCP, answered 180 on the same connection" \
  count_is 10 "$u" '^rx INVITE .* tcp$' '^rx ACK .* tcp$' '^rx BYE .* tcp$' \
  "^tx SIP/2.0 180 Ringing to 127\.0\.0\.1:$((base + 1)) .* tcp\$"
expect "1. nothing over UDP" [ "$(grep '^[rt]x ' "$u" | grep -vc ' tcp$')" -eq 0 ]
expect "2. natsim UA exited 0: 10 calls ok" has "$c" '^uac calls 10 ok 10 failed 0 '
expect "2. natsim opened one connection and sent everything on it" \
  count_is 1 "$c" "^tcp-open 127\.0\.0\.3:$callee ok\$"
expect "2. natsim sent INVITE, ACK, BYE over TCP and saw 180, 200" count_is 10 "$c" \
  '^tx INVITE .* tcp$' '^tx ACK .* tcp$' '^tx BYE .* tcp$' '^rx SIP/2.0 180 .* tcp$'
expect "2. nothing over UDP" [ "$(grep '^[rt]x ' "$c" | grep -vc ' tcp$')" -eq 0 ]
expect "2. sipp (TCP callee) exited 0" [ $wait_rc -eq 0 ]
expect "2. sipp: 10 successful, 0 failed" sipp_calls uas 10 0
expect "natsim: nothing malformed or rejected" \
  [ "$(grep -c '^ua rx [0-9]* bad 0 rejected 0 ' "$u" "$c" | grep -c ':1$')" -eq 2 ]
interop_done
