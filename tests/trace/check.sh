#!/bin/sh
# Usage: check.sh SCENARIO.lua RUNDIR — checks every pcap a scenario wrote with tshark:
#  - no malformed packets and no error-level expert info;
#  - no bad IPv4 / UDP / ICMP / ICMPv6 checksums (checksum validation switched on);
#  - each `-- trace: LINK FILTER` line in the scenario matches at least one frame in the pcap of
#    that link (e.g. `-- trace: wan ip.src == 68.36.210.57 && udp.srcport == 1211`), and each
#    `-- trace-none: LINK FILTER` line matches no frame there (what must never appear);
#  - each `-- trace-seq: LINK FIELDS FILTER -> V1 V2 ...` line: the frames of LINK matching
#    FILTER, in capture order, carry exactly the values V1 V2 ... (per frame, the non-empty
#    values of the comma-separated FIELDS joined by "/"), e.g. a SIP ladder:
#    `-- trace-seq: lan sip.Method,sip.Status-Code ip.addr == 10.0.0.1 && sip -> INVITE 100 180 200 ACK`;
#  - `-- decode-as: udp.port==N,rtp` lines are passed to tshark as `-d` (protocols on ports
#    Wireshark does not guess, such as RTP and RTCP).
set -u
script=$1 dir=$2
command -v tshark >/dev/null || { echo "tshark is not installed"; exit 1; }
prefix=$(basename "$script" .lua)
prefs="-o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -o tcp.check_checksum:TRUE"
prefs="$prefs $(grep -E '^-- decode-as: ' "$script" | sed 's/^-- decode-as: /-d /' | tr '\n' ' ')"
bad_filter='_ws.malformed || _ws.expert.severity == error || ip.checksum.status == "Bad" || udp.checksum.status == "Bad" || icmp.checksum.status == "Bad" || icmpv6.checksum.status == "Bad" || tcp.checksum.status == "Bad"'
status=0
found=0
for f in "$dir"/*.pcap; do
  [ -e "$f" ] || continue
  found=$((found + 1))
  total=$(capinfos -T -r -c -M "$f" 2>/dev/null | cut -f2)   # counting needs no dissection
  if ! bad=$(tshark -r "$f" $prefs -Y "$bad_filter" 2>"$dir/.tshark-err"); then
    echo "FAIL $f: tshark could not read it:"; grep -v 'Running as user' "$dir/.tshark-err"
    status=1
  elif [ -n "$bad" ]; then
    echo "FAIL $f: malformed/bad-checksum frames:"
    echo "$bad" | head -20
    status=1
  else
    echo "ok   $f: $total frames, none malformed"
  fi
done
[ $found -gt 0 ] || { echo "FAIL: no pcap in $dir"; exit 1; }
# Expected fields, declared in the scenario.
grep -E '^-- trace(-none)?: ' "$script" | while read -r _ kind link filter; do
  f="$dir/$prefix-$link.pcap"
  [ -e "$f" ] || { echo "FAIL: $f missing (wanted: $filter)"; echo x >> "$dir/.trace-fail"; continue; }
  if ! n=$(tshark -r "$f" $prefs -Y "$filter" 2>"$dir/.tshark-err" | wc -l) ||
     grep -qv 'Running as user' "$dir/.tshark-err"; then
    echo "FAIL $link: tshark rejected '$filter':"; grep -v 'Running as user' "$dir/.tshark-err"
    echo x >> "$dir/.trace-fail"; continue
  fi
  if [ "$kind" = "trace:" ] && [ "$n" -gt 0 ]; then
    echo "ok   $link: $n frames match '$filter'"
  elif [ "$kind" = "trace-none:" ] && [ "$n" -eq 0 ]; then
    echo "ok   $link: no frame matches '$filter', as it should"
  else
    echo "FAIL $link: $n frames match '$filter' (${kind%:})"
    echo x >> "$dir/.trace-fail"
  fi
done
# Expected sequences (ladders), declared in the scenario.
grep -E '^-- trace-seq: ' "$script" | while read -r _ _ link fields rest; do
  filter=${rest%% -> *} want=${rest#* -> }
  f="$dir/$prefix-$link.pcap"
  [ -e "$f" ] || { echo "FAIL: $f missing (wanted: $want)"; echo x >> "$dir/.trace-fail"; continue; }
  eargs=$(echo "$fields" | tr ',' '\n' | sed 's/^/-e /' | tr '\n' ' ')
  if ! got=$(tshark -r "$f" $prefs -Y "$filter" -T fields $eargs 2>"$dir/.tshark-err" |
             sed 's/\t\+/\//g; s/^\///; s/\/$//' | tr '\n' ' ' | sed 's/ $//') ||
     grep -qv 'Running as user' "$dir/.tshark-err"; then
    echo "FAIL $link: tshark rejected '$filter' / '$fields':"; grep -v 'Running as user' "$dir/.tshark-err"
    echo x >> "$dir/.trace-fail"; continue
  fi
  if [ "$got" = "$want" ]; then
    echo "ok   $link: '$filter' gives $got"
  else
    echo "FAIL $link: '$filter' gives '$got', wanted '$want'"
    echo x >> "$dir/.trace-fail"
  fi
done
rm -f "$dir/.tshark-err"
if [ -e "$dir/.trace-fail" ]; then rm -f "$dir/.trace-fail"; status=1; fi
exit $status
