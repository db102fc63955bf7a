#!/bin/sh
# SIPp caller cancelling while natsim's UA rings, through natsim's stateful proxy, over UDP on
# 127.0.0.x (RFC 3261 §9, §16.10). natsim's proxy (127.0.0.1) and UA (127.0.0.2, registered,
# "ring": it sends 180 and never answers). SIPp (127.0.0.3) runs
# tests/interop/sipp/uac_cancel.xml 10 times: INVITE, 100, 180, CANCEL, 200 for the CANCEL,
# 487 for the INVITE, ACK. The proxy must answer the CANCEL itself, cancel its branch (CANCEL
# to the UA, 200 from it), ACK the UA's 487 and pass a 487 up; the UA must end each call 487.
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

sip_proxy_uas ring
run_sipp cancel -sf "$sipp_dir/uac_cancel.xml" -m 10 -i 127.0.0.3 -p $((base + 2)) \
  "127.0.0.1:$px"
sleep 0.2 # the last ACK
interop_stop "$uas_pid"
interop_stop "$px_pid"
sipp_report cancel
p=$work/proxy.out
grep -v '^[rt]x \|^call ' "$work/uas.out"
grep -v '^[rt]x ' "$p"
expect "sipp exited 0 (10 calls: 180, 200 for the CANCEL, 487)" [ $sipp_rc -eq 0 ]
expect "sipp: 10 successful, 0 failed" sipp_calls cancel 10 0
expect "proxy answered each CANCEL 200 and cancelled its branch" count_is 10 "$p" \
  '^rx CANCEL .* from 127\.0\.0\.3:' '^tx CANCEL sip:service@127\.0\.0\.2:.* to 127\.0\.0\.2:' \
  '^tx SIP/2.0 200 OK to 127\.0\.0\.3:' '^rx SIP/2.0 200 OK from 127\.0\.0\.2:'
expect "proxy ACKed the UA's 487s and passed 487 up; SIPp's ACKs came back" count_is 10 "$p" \
  '^rx SIP/2.0 487 .* from 127\.0\.0\.2:' '^tx ACK sip:service@127\.0\.0\.2:.* to 127\.0\.0\.2:' \
  '^tx SIP/2.0 487 .* to 127\.0\.0\.3:' '^rx ACK .* from 127\.0\.0\.3:'
expect "natsim UA: 10 calls rung, each ended 487 by the caller" \
  count_is 10 "$work/uas.out" '^call [0-9]* ended status 487 by_remote 1$'
expect "natsim UA: 10 incoming, none answered" \
  has "$work/uas.out" '^uas incoming 10 confirmed 0 ended_by_bye 0 ended_otherwise 10$'
expect "proxy: nothing malformed or rejected" has "$p" '^proxy rx [0-9]+ bad 0 rejected 0 '
interop_done
