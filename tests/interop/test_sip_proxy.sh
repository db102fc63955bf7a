#!/bin/sh
# SIPp caller -> natsim's stateful proxy + registrar -> natsim's UA, over UDP on 127.0.0.x.
# natsim's proxy (interop_sip proxy, 127.0.0.1, domain 127.0.0.1, Record-Route) and UA
# (interop_sip uas, 127.0.0.2, which first REGISTERs sip:service@127.0.0.1 there). SIPp
# (127.0.0.3) runs tests/interop/sipp/uac_proxy.xml: 20 calls to sip:service@127.0.0.1:PORT; its
# checks (a failed one fails the call): the proxy's own 100 Trying; exactly one Via, SIPp's,
# in every response; the proxy's Record-Route <sip:127.0.0.1:PORT;lr> in 180 and 200; the
# callee's Contact in the 200; ACK and BYE sent to that Contact with the Route header SIPp built
# from the Record-Route (loose routing through the proxy).
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

sip_proxy_uas
run_sipp call -sf "$sipp_dir/uac_proxy.xml" -m 20 -i 127.0.0.3 -p $((base + 2)) "127.0.0.1:$px"
interop_stop "$uas_pid"
interop_stop "$px_pid"
sipp_report call
grep -v '^[rt]x ' "$work/proxy.out"
grep -v '^[rt]x \|^call ' "$work/uas.out"
p=$work/proxy.out
expect "natsim UA registered through the registrar (200)" has "$work/uas.out" '^registered 200 expires 300$'
expect "sipp exited 0 (every call and every check succeeded)" [ $sipp_rc -eq 0 ]
expect "sipp: 20 successful calls, 0 failed" sipp_calls call 20 0
expect "proxy got 20 INVITEs and answered 100 itself" count_is 20 "$p" \
  '^rx INVITE sip:service@127\.0\.0\.1:' '^tx SIP/2.0 100 Trying to 127\.0\.0\.3:'
expect "proxy forwarded each INVITE to the registered contact" \
  count_is 20 "$p" '^tx INVITE sip:service@127\.0\.0\.2:.* to 127\.0\.0\.2:'
expect "ACK and BYE came to the proxy for the contact (Route) and went on to it" \
  count_is 20 "$p" '^rx ACK sip:service@127\.0\.0\.2:.* from 127\.0\.0\.3:' \
  '^tx ACK sip:service@127\.0\.0\.2:.* to 127\.0\.0\.2:' \
  '^rx BYE sip:service@127\.0\.0\.2:.* from 127\.0\.0\.3:' \
  '^tx BYE sip:service@127\.0\.0\.2:.* to 127\.0\.0\.2:'
expect "natsim UA: 20 incoming, 20 confirmed, 20 ended by BYE" \
  has "$work/uas.out" '^uas incoming 20 confirmed 20 ended_by_bye 20 ended_otherwise 0$'
expect "proxy: nothing malformed or rejected, no loop" \
  has "$p" '^proxy rx [0-9]+ bad 0 rejected 0 registers 1 challenges 0 .* loops 0 bindings 1$'
interop_done
