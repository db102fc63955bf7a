# tests/interop/lib.sh — shared by the interop test scripts (sourced, POSIX sh).
#
# Usage in a test:  . "$(dirname "$0")/lib.sh"; interop_init "$@"
#   $1  directory of the interop programs (interop_stun, interop_turn, interop_sip)
#   $2  a work directory under the build tree (recreated; coturn's db, pid file and logs go here)
# Everything runs on 127.0.0.x (Linux routes all of 127/8 to lo): nothing leaves the machine.
# Every process a test starts is recorded and killed by the EXIT trap, so no daemon outlives it.
# Exit 77 (ctest SKIP_RETURN_CODE) only when the independent implementation is not installed:
# coturn's turnserver, or what the script named before interop_init with
#   interop_tool=sipp interop_pkg=sip-tester

interop_init() {
  bin=$1
  work=$2
  tool=${interop_tool:-turnserver}
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: ${interop_pkg:-coturn} is not installed ($tool not found; scripts/setup installs it)"
    exit 77
  fi
  rm -rf "$work" && mkdir -p "$work" || exit 1
  pids=""
  trap interop_cleanup EXIT
  trap 'exit 1' INT TERM HUP
  # Ports: a block of 20 derived from the shell's pid, so two tests (or two worktrees) running
  # at once rarely collide; below the kernel's ephemeral range (32768-60999).
  base=$((10000 + ($$ % 1000) * 20))
  fails=0
}

# Kills every process started with interop_bg (TERM, then KILL after 2 s) and waits for it.
interop_cleanup() {
  for p in $pids; do
    kill -TERM "$p" 2>/dev/null
  done
  for p in $pids; do
    i=0
    while kill -0 "$p" 2>/dev/null && [ $i -lt 20 ]; do
      sleep 0.1; i=$((i + 1))
    done
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
  done
  pids=""
}

# interop_bg NAME CMD...: starts CMD in the background, output in $work/NAME.out; $! recorded.
interop_bg() {
  name=$1; shift
  "$@" >"$work/$name.out" 2>&1 &
  pids="$pids $!"
  last_pid=$!
}

# interop_forget PID: drops PID from the processes the EXIT trap stops (it has ended), so the
# trap never signals a pid the system may have reused since.
interop_forget() {
  rest=""
  for p in $pids; do
    [ "$p" = "$1" ] || rest="$rest $p"
  done
  pids=$rest
}

# interop_stop PID: stops one background process (TERM), waits for it to finish writing, and
# forgets it.
interop_stop() {
  kill -TERM "$1" 2>/dev/null
  wait "$1" 2>/dev/null
  interop_forget "$1"
}

# wait_for FILE PATTERN: waits until FILE has a line matching PATTERN (5 s at most, checking
# every 20 ms: the channel test starts a server up to 150 times).
wait_for() {
  i=0
  while ! grep -q -- "$2" "$1" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 250 ]; then
      echo "FAIL: timed out waiting for '$2' in $1"; cat "$1"
      exit 1
    fi
    sleep 0.02
  done
}

# start_coturn LISTEN_PORT [turnserver options]: coturn in the foreground (no -o) with its
# db, pid file and log under $work, no TLS/DTLS/TCP/CLI, then waits until its UDP listener on
# 127.0.0.1:LISTEN_PORT is open.
start_coturn() {
  port=$1; shift
  interop_bg turnserver turnserver -n -v --no-tls --no-dtls --no-tcp --no-cli \
    -p "$port" --db "$work/turndb" --pidfile "$work/turnserver.pid" \
    -l "$work/turnserver.log" --simple-log --no-stdout-log -m 1 "$@"
  coturn_pid=$last_pid
  wait_for "$work/turnserver.log" "UDP listener opened on: 127.0.0.1:$port"
}

# expect DESCRIPTION COMMAND...: runs a check, reports it, counts failures.
expect() {
  what=$1; shift
  if "$@"; then echo "ok $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

# has FILE PATTERN: FILE has a line matching the extended regex PATTERN.
has() { grep -Eq -- "$2" "$1"; }

# interop_done: exits 0 when every check passed.
interop_done() {
  if [ "$fails" -ne 0 ]; then
    echo "$fails check(s) failed; logs in $work"
    exit 1
  fi
  echo "all checks passed"
  exit 0
}

# ---- SIPp (the SIP tests: interop_tool=sipp interop_pkg=sip-tester before interop_init)

sipp_dir=$(dirname "$0")/sipp

# sipp_exec NAME SIPP-ARGS...: becomes sipp (call it in a subshell), 60 s at most, stdin
# ignored, in $work (where SIPp writes its files): statistics in $work/NAME.csv (-trace_stat),
# the final screens in $work/NAME.screen, errors in $work/NAME.err.
sipp_exec() {
  name=$1; shift
  cd "$work" && exec timeout 60 sipp -nostdin -timeout 50s -trace_stat -stf "$name.csv" \
    -trace_screen -screen_file "$name.screen" -trace_err -error_file "$name.err" "$@"
}

# run_sipp NAME SIPP-ARGS...: runs sipp in the foreground (sipp_exec), its output in
# $work/NAME.out. sipp_rc gets its exit code: 0 when every call succeeded, 1 when at least one
# failed.
run_sipp() {
  (sipp_exec "$@") >"$work/$1.out" 2>&1
  sipp_rc=$?
}

# bg_sipp NAME SIPP-ARGS...: the same in the background (like interop_bg; $last_pid is its pid).
bg_sipp() {
  (sipp_exec "$@") >"$work/$1.out" 2>&1 &
  pids="$pids $!"
  last_pid=$!
}

# interop_wait PID: waits for a background process to finish by itself, forgets it, and sets
# wait_rc to its exit code.
interop_wait() {
  wait "$1"
  wait_rc=$?
  interop_forget "$1"
}

# sip_start NAME INTEROP-SIP-ARGS...: natsim's interop_sip in the background (interop_bg, output
# in $work/NAME.out), then waits until it prints "ready"; $last_pid is its pid.
sip_start() {
  ss_name=$1; shift
  interop_bg "$ss_name" "$bin/interop_sip" "$@"
  wait_for "$work/$ss_name.out" '^ready '
}

# sipp_to_uas NAME SIPP-ARGS...: natsim's UA answering (uas, 127.0.0.2:$base, AOR
# sip:service@127.0.0.2, ready) called by SIPp run NAME (run_sipp: sipp_rc) from
# 127.0.0.1:$base+1 with SIPP-ARGS; natsim stopped once SIPp has ended, SIPp's report printed.
# Sets out to natsim's log ($work/uas.out).
sipp_to_uas() {
  stu_name=$1; shift
  sip_start uas uas "127.0.0.2:$base" sip:service@127.0.0.2 - 60
  stu_pid=$last_pid
  run_sipp "$stu_name" "$@" -i 127.0.0.1 -p $((base + 1)) "127.0.0.2:$base"
  interop_stop "$stu_pid"
  sipp_report "$stu_name"
  out=$work/uas.out
}

# sip_proxy_uas [--tcp] [UAS-MODE]: natsim's proxy + registrar (proxy, 127.0.0.1:$base, domain
# 127.0.0.1, no users) and natsim's UA (uas, 127.0.0.2:$base+1) registered there as
# sip:service@127.0.0.1, each ready; UAS-MODE e.g. "ring". Sets px (the proxy's port), px_pid
# and uas_pid.
sip_proxy_uas() {
  spu_tcp=
  if [ "$1" = --tcp ]; then spu_tcp=--tcp; shift; fi
  px=$base
  sip_start proxy $spu_tcp proxy "127.0.0.1:$px" 127.0.0.1 - - 60
  px_pid=$last_pid
  sip_start uas $spu_tcp uas "127.0.0.2:$((base + 1))" sip:service@127.0.0.1 "127.0.0.1:$px" \
    60 "$@"
  uas_pid=$last_pid
}

# sipp_stat NAME COUNTER: the cumulative value of COUNTER (a column of SIPp's -trace_stat file,
# e.g. "SuccessfulCall(C)") in its last line.
sipp_stat() {
  awk -F';' -v k="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) c = i }
                       { v = $c } END { print v }' "$work/$1.csv"
}

# sipp_report NAME: prints SIPp's message table (messages, retransmissions, timeouts,
# unexpected) from its final screen, and its error log if any.
sipp_report() {
  sed -n '/Messages  Retrans/,/^---/p' "$work/$1.screen" | sed -n '1,/^---/p' | head -20
  [ -s "$work/$1.err" ] && head -20 "$work/$1.err"
  return 0
}

# count_is N FILE PATTERN...: every (basic regex) PATTERN matches exactly N lines of FILE;
# prints the ones that do not.
count_is() {
  ci_n=$1 ci_f=$2; shift 2
  ci_ok=0
  for ci_pat in "$@"; do
    ci_c=$(grep -c -- "$ci_pat" "$ci_f")
    [ "$ci_c" -eq "$ci_n" ] || { echo "  '$ci_pat': $ci_c lines, not $ci_n"; ci_ok=1; }
  done
  return $ci_ok
}

# sipp_calls NAME OK FAILED: SIPp's run NAME counted OK successful and FAILED failed calls.
sipp_calls() {
  sc_s=$(sipp_stat "$1" 'SuccessfulCall(C)') sc_f=$(sipp_stat "$1" 'FailedCall(C)')
  [ "$sc_s" = "$2" ] && [ "$sc_f" = "$3" ] && return 0
  echo "  SIPp $1: $sc_s successful, $sc_f failed"
  return 1
}
