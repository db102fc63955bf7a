#!/bin/sh
# SIPp INVITE with "Require: 100rel, precondition" -> natsim's UA, over UDP on 127.0.0.x
# (tests/interop/sipp/require.xml, 10 calls). natsim supports neither extension, so it must
# answer 420 Bad Extension with "Unsupported: 100rel, precondition" (RFC 3261 §8.2.2.3; checked
# by SIPp), take SIPp's ACK for the 420, and never offer the call to its user (no ring).
# Then the same with "Proxy-Require" towards natsim's proxy (§16.3 step 6): 420 from the proxy,
# nothing forwarded (the callee is not even registered: a proxy ignoring Proxy-Require answers
# 480).
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

sip_start uas uas "127.0.0.2:$base" sip:service@127.0.0.2 - 60
uas_pid=$last_pid
run_sipp require -sf "$sipp_dir/require.xml" -key require Require -m 10 -i 127.0.0.1 \
  -p $((base + 1)) "127.0.0.2:$base"
rc_ua=$sipp_rc
sip_start proxy proxy "127.0.0.3:$((base + 2))" 127.0.0.3 - - 60
px_pid=$last_pid
run_sipp proxy-require -sf "$sipp_dir/require.xml" -key require Proxy-Require -m 10 \
  -i 127.0.0.1 -p $((base + 3)) "127.0.0.3:$((base + 2))"
sleep 0.2 # the last ACK
interop_stop "$uas_pid"
interop_stop "$px_pid"
sipp_report require
sipp_report proxy-require
grep -v '^[rt]x ' "$work/proxy.out"
out=$work/uas.out
grep -v '^[rt]x ' "$out"
expect "sipp exited 0 (10 x 420 with Unsupported, checked)" [ $rc_ua -eq 0 ]
expect "sipp: 10 successful, 0 failed" sipp_calls require 10 0
expect "natsim answered 420 to each INVITE" \
  [ "$(grep -c '^tx SIP/2.0 420 Bad Extension' "$out")" -eq 10 ]
expect "natsim got the ACK for each 420" [ "$(grep -c '^rx ACK ' "$out")" -eq 10 ]
expect "natsim offered no call to its user" \
  has "$out" '^uas incoming 0 confirmed 0 ended_by_bye 0 ended_otherwise 0$'
expect "natsim: nothing malformed or rejected" has "$out" '^ua rx 20 bad 0 rejected 0 '
expect "Proxy-Require: sipp exited 0 (10 x 420 with Unsupported, checked)" [ $sipp_rc -eq 0 ]
expect "Proxy-Require: sipp: 10 successful, 0 failed" sipp_calls proxy-require 10 0
expect "proxy answered 420 to each INVITE" \
  count_is 10 "$work/proxy.out" '^tx SIP/2.0 420 Bad Extension to 127\.0\.0\.1:'
expect "proxy forwarded nothing" has "$work/proxy.out" \
  '^proxy rx 20 bad 0 rejected 0 registers 0 challenges 0 forwarded 0 stateless 0 '
interop_done
