#!/usr/bin/env bash
# Usage: tests/bench/run.sh [quick]
# Builds natsim's benchmarks and the ns-3 comparison program (Debian's libns3-dev, installed on
# demand), runs the forwarding benchmark on both for H = 1, 50, 500 hosts per side with pcap off
# and on, and prints the figures and the natsim/ns-3 ratio side by side; then the engine and
# scale benchmarks, then TCP bulk throughput (1 flow, 1,000 flows). "quick" uses S = 10 s instead
# of 60 s. Then STUN, TURN, SLAAC, ICE (cores; agents behind real NATs; the NAT matrix of
# scenario 13 with connect times). Figures only: nothing here gates CI.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
"$top/scripts/setup"
build=${NATSIM_BUILD:-$top/build}
secs=60; [ "${1:-}" = quick ] && secs=10
missing=()
for p in libns3-dev libgsl-dev g++ bc; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
ns3bin=$build/ns3_forward
mods="ns3-core ns3-network ns3-internet ns3-csma ns3-point-to-point ns3-applications"
if [ ! -x "$ns3bin" ] || [ "$top/tests/bench/ns3_forward.cc" -nt "$ns3bin" ]; then
  g++ -O2 -std=c++17 -o "$ns3bin" "$top/tests/bench/ns3_forward.cc" $(pkg-config --cflags --libs $mods)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rate() { sed -n 's/.* = \([0-9]*\) datagrams\/s.*/\1/p'; }
printf '%-6s %-5s %-8s %16s %16s %8s\n' H pcap topology "natsim dgram/s" "ns-3 dgram/s" ratio
for h in 1 50 500; do
  for pc in off on; do
    nargs=(); sargs=()
    if [ $pc = on ]; then mkdir -p "$tmp/n$h" "$tmp/s$h"; nargs=(--pcap "$tmp/n$h"); sargs=("$tmp/s$h/ns3"); fi
    n=$("$build/bench_forward" $h $secs "${nargs[@]}")
    s=$("$ns3bin" $h $secs "${sargs[@]}")
    echo "  $n" >&2; echo "  $s" >&2
    nr=$(echo "$n" | rate); sr=$(echo "$s" | rate)
    printf '%-6s %-5s %-8s %16s %16s %7.1fx\n' $h $pc routed "$nr" "$sr" "$(echo "$nr / $sr" | bc -l)"
    n=$("$build/bench_forward" $h $secs --nat "${nargs[@]}")
    echo "  $n" >&2
    printf '%-6s %-5s %-8s %16s %16s %8s\n' $h $pc nat "$(echo "$n" | rate)" "(no NAT)" "-"
    rm -rf "$tmp/n$h" "$tmp/s$h"
  done
done
"$build/bench_engine"
"$build/bench_scale"
for c in 1 100 1000; do "$build/bench_stun" $c $secs; done
"$build/bench_turn"
"$build/bench_tcp"
"$build/bench_tcp" 1000 1000000
"$build/bench_slaac" 1000
"$build/bench_slaac" 1000 stable
"$build/bench_ice" 10000
"$build/bench_boot" 1000
"$build/bench_sip" 5000 10000 50
# ICE in the simulator: agent pairs behind real NATs (1,000 and 10,000 pairs), then the connect
# time per NAT matrix cell (virtual ms), the table scenario 13 prints.
"$build/bench_ice_sim" 1000
"$build/bench_ice_sim" 10000
"$build/natsim" run "$top/scenarios/13-ice-matrix.lua" | sed -n '/^ICE across NATs/,/^== /p' | grep -v '^== '
