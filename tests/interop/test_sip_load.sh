#!/bin/sh
# Load: SIPp calling at 50 calls/s, 500 calls, through natsim's stateful proxy (Record-Route)
# to a natsim UA answering every call; the scenario and its checks are those of
# test_sip_proxy.sh (tests/interop/sipp/uac_proxy.xml). Gates only on 0 failed calls and
# 500 successful ones (never on wall time); prints the call rate SIPp achieved, its response
# times and retransmissions, and both natsim counters.
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

sip_proxy_uas
t0=$(date +%s.%N)
run_sipp load -sf "$sipp_dir/uac_proxy.xml" -r 50 -m 500 -i 127.0.0.3 -p $((base + 2)) \
  "127.0.0.1:$px"
t1=$(date +%s.%N)
interop_stop "$uas_pid"
interop_stop "$px_pid"
sipp_report load
ok=$(sipp_stat load 'SuccessfulCall(C)')
failed=$(sipp_stat load 'FailedCall(C)')
echo "load: $ok successful, $failed failed calls in $(echo "$t1 - $t0" | bc 2>/dev/null || echo "?") s;" \
  "SIPp: call rate $(sipp_stat load 'CallRate(C)') calls/s," \
  "response time (INVITE to 200) $(sipp_stat load 'ResponseTime1(C)')," \
  "call length $(sipp_stat load 'CallLength(C)')," \
  "retransmissions $(sipp_stat load 'Retransmissions(C)')"
grep -v '^[rt]x \|^call ' "$work/uas.out"
grep -v '^[rt]x ' "$work/proxy.out"
expect "sipp: 0 failed calls" [ "$failed" = 0 ]
expect "sipp: 500 successful calls" [ "$ok" = 500 ]
expect "natsim UA: 500 incoming, 500 confirmed, 500 ended by BYE" \
  has "$work/uas.out" '^uas incoming 500 confirmed 500 ended_by_bye 500 ended_otherwise 0$'
expect "proxy: nothing malformed or rejected" has "$work/proxy.out" '^proxy rx [0-9]+ bad 0 rejected 0 '
interop_done
