#!/bin/sh
# SIPp's built-in caller (sipp -sn uac) -> natsim's UA core answering, over UDP on 127.0.0.x.
# natsim (interop_sip uas on 127.0.0.2) rings (180) and answers (200 with an SDP answer from
# sdp_oa to SIPp's PCMU offer) every INVITE. SIPp (127.0.0.1) makes 20 calls: INVITE, 100, 180,
# 200, ACK, BYE, 200. SIPp must count 20 successful calls and exit 0; natsim must have logged
# every request it got (20 each of INVITE, ACK, BYE), confirmed every call on the ACK and ended
# every one on SIPp's BYE, negotiating PCMU towards SIPp's media address.
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

sipp_to_uas uac -sn uac -m 20
grep -v '^[rt]x ' "$out" | tail -4
expect "sipp exited 0 (every call succeeded)" [ $sipp_rc -eq 0 ]
expect "sipp: 20 successful calls" [ "$(sipp_stat uac 'SuccessfulCall(C)')" = 20 ]
expect "sipp: 0 failed calls" [ "$(sipp_stat uac 'FailedCall(C)')" = 0 ]
expect "natsim logged 20 INVITEs" [ "$(grep -c '^rx INVITE sip:service@127.0.0.2' "$out")" -eq 20 ]
expect "natsim logged 20 ACKs" [ "$(grep -c '^rx ACK ' "$out")" -eq 20 ]
expect "natsim logged 20 BYEs" [ "$(grep -c '^rx BYE ' "$out")" -eq 20 ]
expect "natsim sent 180 for each INVITE" count_is 20 "$out" '^tx SIP/2.0 180 Ringing'
expect "natsim sent 200 for each INVITE and BYE (40; more only if retransmitted)" \
  [ "$(grep -c '^tx SIP/2.0 200 OK' "$out")" -ge 40 ]
expect "every offer answered: PCMU to SIPp's media address" \
  [ "$(grep -c 'answer 0 media 127\.0\.0\.1:[0-9]* PCMU/8000$' "$out")" -eq 20 ]
expect "natsim: 20 incoming, 20 confirmed, 20 ended by BYE" \
  has "$out" '^uas incoming 20 confirmed 20 ended_by_bye 20 ended_otherwise 0$'
expect "natsim: nothing malformed or rejected" has "$out" '^ua rx [0-9]+ bad 0 rejected 0 '
interop_done
