#!/bin/sh
# SIPp's built-in caller -> natsim's UA answering, with SIPp dropping 10% of the messages it
# sends and receives (-lost 10), at most 10 calls at a time, 50 calls, over UDP on 127.0.0.x.
# The retransmissions must repair every loss on both sides: natsim's 2xx retransmission until
# the ACK (§13.3.1.4) and its transactions answering retransmitted INVITEs and BYEs (§17.2),
# SIPp's retransmitted INVITEs and BYEs. Every call must succeed; the figures (what SIPp lost,
# what each side retransmitted) are printed.
interop_tool=sipp interop_pkg=sip-tester
. "$(dirname "$0")/lib.sh"
interop_init "$@"

sipp_to_uas loss -sf "$sipp_dir/uac_loss.xml" -m 50 -l 10 -lost 10
grep -v '^[rt]x \|^call ' "$out"
echo "natsim sent $(grep -c '^tx SIP/2.0 200 OK' "$out") 200 OK for 50 INVITEs and 50 BYEs," \
  "got $(grep -c '^rx INVITE ' "$out") INVITEs, $(grep -c '^rx BYE ' "$out") BYEs"
expect "sipp exited 0 (every call succeeded)" [ $sipp_rc -eq 0 ]
expect "sipp: 50 successful, 0 failed" sipp_calls loss 50 0
expect "natsim: 50 calls, each ended by SIPp's BYE" \
  has "$out" '^uas incoming 50 confirmed [0-9]+ ended_by_bye 50 ended_otherwise 0$'
expect "natsim: nothing malformed or rejected" has "$out" '^ua rx [0-9]+ bad 0 rejected 0 '
interop_done
