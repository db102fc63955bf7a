#!/bin/sh
# SIP over TCP through natsim's proxy: SIPp (-t t1) -> natsim proxy + registrar (--tcp) ->
# natsim UA (--tcp), on 127.0.0.x, with tests/interop/sipp/uac_proxy.xml and all its checks
# (the proxy's 100, one Via in each response, Record-Route, the callee's Contact, ACK and BYE
# along the route set). The UA registers over TCP first: its REGISTER carries rport, so the
# registrar keeps the connection it came on as the binding's flow, and the proxy sends every
# INVITE, ACK and BYE for the UA down that same connection (RFC 5626-lite, docs/protocols/sip.md).
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

sip_proxy_uas --tcp
run_sipp call -sf "$sipp_dir/uac_proxy.xml" -t t1 -m 20 -i 127.0.0.3 -p $((base + 2)) \
  "127.0.0.1:$px"
interop_stop "$uas_pid"
interop_stop "$px_pid"
sipp_report call
p=$work/proxy.out
grep -v '^[rt]x \|^call ' "$work/uas.out" "$p"
expect "natsim UA registered over TCP (200)" has "$work/uas.out" '^registered 200 expires 300$'
expect "sipp exited 0 (every call and every check succeeded)" [ $sipp_rc -eq 0 ]
expect "sipp: 20 successful calls, 0 failed" sipp_calls call 20 0
expect "proxy: SIPp's INVITE, ACK, BYE in over TCP; INVITE, ACK, BYE out to the UA over TCP" \
  count_is 20 "$p" '^rx INVITE .* from 127\.0\.0\.3:.* tcp$' \
  '^rx ACK .* from 127\.0\.0\.3:.* tcp$' '^rx BYE .* from 127\.0\.0\.3:.* tcp$' \
  '^tx INVITE .* to 127\.0\.0\.2:.* tcp$' '^tx ACK .* to 127\.0\.0\.2:.* tcp$' '^tx BYE .* to 127\.0\.0\.2:.* tcp$'
expect "proxy opened no connection of its own (it used the two it accepted)" \
  [ "$(grep -c '^tcp-open' "$p")" -eq 0 ]
expect "nothing over UDP" [ "$(grep '^[rt]x ' "$p" | grep -vc ' tcp$')" -eq 0 ]
expect "natsim UA: 20 incoming, 20 confirmed, 20 ended by BYE" \
  has "$work/uas.out" '^uas incoming 20 confirmed 20 ended_by_bye 20 ended_otherwise 0$'
expect "proxy: nothing malformed or rejected, no loop" \
  has "$p" '^proxy rx [0-9]+ bad 0 rejected 0 registers 1 challenges 0 .* loops 0 bindings 1$'
interop_done
