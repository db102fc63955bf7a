#!/bin/sh
# natsim's UA calling -> natsim's stateful proxy -> SIPp's callee, over UDP on 127.0.0.x: the
# proxy seen from downstream. natsim's proxy (interop_sip proxy, 127.0.0.2, Record-Route)
# locates the callee's domain sipp.test from a static table (no DNS); natsim's UA
# (interop_sip uac, 127.0.0.1) sends its requests to the proxy. SIPp (127.0.0.3) runs
# tests/interop/sipp/uas_proxy.xml, 20 calls; its checks (a failed one fails the call): two
# Vias, the proxy's on top; Max-Forwards 69; the proxy's Record-Route; ACK and BYE arriving
# through the proxy with no Route left. SIPp answers with its [last_Via:] and
# [last_Record-Route:], so the responses test natsim's Via handling back upstream.
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

px=$base
callee=$((base + 2))
sip_start proxy proxy "127.0.0.2:$px" 127.0.0.2 - - 60 "sipp.test=127.0.0.3:$callee"
px_pid=$last_pid
bg_sipp callee -sf "$sipp_dir/uas_proxy.xml" -m 20 -i 127.0.0.3 -p "$callee"
sipp_pid=$last_pid
sleep 0.3 # SIPp binds at once; a first INVITE sent before that is retransmitted at T1 anyway
"$bin/interop_sip" uac "127.0.0.1:$((base + 1))" sip:service@sipp.test 20 "127.0.0.2:$px" \
  >"$work/uac.out" 2>&1
rc=$?
interop_wait "$sipp_pid"
interop_stop "$px_pid"
sipp_report callee
out=$work/uac.out
p=$work/proxy.out
grep -v '^[rt]x \|^call ' "$out"
grep -v '^[rt]x \|^lookup ' "$p"
expect "interop_sip uac exited 0" [ $rc -eq 0 ]
expect "natsim UA: 20 calls, all ok" has "$out" '^uac calls 20 ok 20 failed 0 '
expect "natsim UA saw 180 and 200 for each, SDP answered with PCMU" \
  [ "$(grep -c '^call [0-9]* progress 180 answered media 127\.0\.0\.3:[0-9]* PCMU/8000$' "$out")" -eq 20 ]
expect "natsim UA sent ACK and BYE to the proxy (its route set)" count_is 20 "$out" \
  "^tx ACK sip:127\.0\.0\.3:$callee.* to 127\.0\.0\.2:$px " \
  "^tx BYE sip:127\.0\.0\.3:$callee.* to 127\.0\.0\.2:$px "
expect "proxy located sipp.test from its table" [ "$(grep -c "^lookup sipp.test -> 127.0.0.3:$callee\$" "$p")" -eq 20 ]
expect "sipp exited 0 (every call and every check succeeded)" [ $wait_rc -eq 0 ]
expect "sipp: 20 successful calls, 0 failed" sipp_calls callee 20 0
expect "proxy: nothing malformed or rejected, no loop" \
  has "$p" '^proxy rx [0-9]+ bad 0 rejected 0 .* loops 0 '
expect "natsim UA: nothing malformed or rejected" has "$out" '^ua rx [0-9]+ bad 0 rejected 0 '
interop_done
