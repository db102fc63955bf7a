#!/bin/sh
# SIPp INVITE with "Require: 100rel, precondition" -> natsim's UA, over UDP on 127.0.0.x
# (tests/interop/sipp/require.xml, 10 calls). natsim supports neither extension, so it must
# answer 420 Bad Extension with "Unsupported: 100rel, precondition" (RFC 3261 §8.2.2.3; checked
# by SIPp), take SIPp's ACK for the 420, and never offer the call to its user (no ring).
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

interop_bg uas "$bin/interop_sip" uas "127.0.0.2:$base" sip:service@127.0.0.2 - 60
uas_pid=$last_pid
wait_for "$work/uas.out" '^ready '
run_sipp require -sf "$sipp_dir/require.xml" -m 10 -i 127.0.0.1 -p $((base + 1)) \
  "127.0.0.2:$base"
sleep 0.2 # the last ACK
interop_stop "$uas_pid"
sipp_report require
out=$work/uas.out
grep -v '^[rt]x ' "$out"
expect "sipp exited 0 (10 x 420 with Unsupported, checked)" [ $sipp_rc -eq 0 ]
expect "sipp: 10 successful, 0 failed" [ "$(sipp_stat require 'SuccessfulCall(C)')" = 10 ] &&
  [ "$(sipp_stat require 'FailedCall(C)')" = 0 ]
expect "natsim answered 420 to each INVITE" \
  [ "$(grep -c '^tx SIP/2.0 420 Bad Extension' "$out")" -eq 10 ]
expect "natsim got the ACK for each 420" [ "$(grep -c '^rx ACK ' "$out")" -eq 10 ]
expect "natsim offered no call to its user" \
  has "$out" '^uas incoming 0 confirmed 0 ended_by_bye 0 ended_otherwise 0$'
expect "natsim: nothing malformed or rejected" has "$out" '^ua rx 20 bad 0 rejected 0 '
interop_done
