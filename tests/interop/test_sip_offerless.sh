#!/bin/sh
# SIPp caller whose INVITE has no SDP -> natsim's UA core answering, over UDP on 127.0.0.x
# (RFC 3261 §13.2.1, RFC 3264 §5). natsim (interop_sip uas on 127.0.0.2) rings and answers with
# its offer in the 200 OK; SIPp (127.0.0.1, tests/interop/sipp/uac_offerless.xml) checks that
# the 200 carries an SDP audio offer, answers in its ACK, then sends BYE: 10 calls. natsim must
# take every ACK's answer (the call confirmed with PCMU towards SIPp's media address; an ACK
# without a usable answer would have ended it with BYE) and end every call on SIPp's BYE.
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

sipp_to_uas offerless -sf "$sipp_dir/uac_offerless.xml" -m 10
grep -v '^[rt]x ' "$out" | tail -4
expect "sipp exited 0 (every 200 had an SDP offer)" [ $sipp_rc -eq 0 ]
expect "sipp: 10 successful, 0 failed" sipp_calls offerless 10 0
expect "natsim got 10 INVITEs, none with an offer (no media known when answering)" \
  count_is 10 "$out" '^rx INVITE sip:service@127\.0\.0\.2' ' answer 0 media none$'
expect "natsim took each ACK's answer: PCMU to SIPp's media address" \
  count_is 10 "$out" '^call [0-9]* confirmed (ACK) media 127\.0\.0\.1:[0-9]* PCMU/8000$'
expect "natsim: 10 incoming, 10 confirmed, 10 ended by BYE" \
  has "$out" '^uas incoming 10 confirmed 10 ended_by_bye 10 ended_otherwise 0$'
expect "natsim: nothing malformed or rejected" has "$out" '^ua rx [0-9]+ bad 0 rejected 0 '
interop_done
