#!/bin/sh
# Usage: run.sh NATSIM SCENARIO.lua OUTDIR — runs one scenario with pcaps and event log in OUTDIR.
# The scenario's own expectations decide the exit status.
set -eu
natsim=$1 script=$2 out=$3
rm -rf "$out"
mkdir -p "$out"
exec "$natsim" run "$script" --seed 1 --pcap-dir "$out" --log "$out/events.jsonl" --quiet
