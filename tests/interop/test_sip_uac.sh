#!/bin/sh
# natsim's UA core calling -> SIPp's built-in callee (sipp -sn uas), over UDP on 127.0.0.x.
# SIPp (127.0.0.3) answers with 180 and 200 (with SDP); natsim (interop_sip uac on 127.0.0.1)
# makes 20 calls one after the other: it must see 180 and 200 for each, negotiate PCMU towards
# SIPp's SDP, send the ACK and a BYE to SIPp's Contact and get 200 for the BYE. SIPp must count
# 20 successful calls and exit 0.
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

bg_sipp uas -sn uas -m 20 -i 127.0.0.3 -p "$base"
sipp_pid=$last_pid
sleep 0.3 # SIPp binds at once; a first INVITE sent before that is retransmitted at T1 anyway
"$bin/interop_sip" uac "127.0.0.1:$((base + 1))" "sip:service@127.0.0.3:$base" 20 \
  >"$work/uac.out" 2>&1
rc=$?
interop_wait "$sipp_pid"
sipp_report uas
out=$work/uac.out
grep -v '^[rt]x ' "$out" | tail -4
expect "interop_sip uac exited 0" [ $rc -eq 0 ]
expect "natsim: 20 calls, all ok" has "$out" '^uac calls 20 ok 20 failed 0 '
expect "natsim saw 180 and 200 for each, SDP answered with PCMU" \
  [ "$(grep -c '^call [0-9]* progress 180 answered media 127\.0\.0\.3:[0-9]* PCMU/8000$' "$out")" -eq 20 ]
expect "natsim sent 20 ACKs and 20 BYEs to SIPp's Contact" count_is 20 "$out" \
  '^tx ACK sip:127\.0\.0\.3:' '^tx BYE sip:127\.0\.0\.3:'
expect "every BYE answered 200" [ "$(grep -c '^call [0-9]* bye 200$' "$out")" -eq 20 ]
expect "sipp exited 0 (every call succeeded)" [ $wait_rc -eq 0 ]
expect "sipp: 20 successful calls, 0 failed" sipp_calls uas 20 0
expect "natsim: nothing malformed or rejected" has "$out" '^ua rx [0-9]+ bad 0 rejected 0 '
interop_done
