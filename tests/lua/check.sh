#!/bin/sh
# tests/lua/check.sh — runs every tests/lua/*.lua through `natsim run` and checks the exit
# status and stderr each script announces in its header:
#   -- expect-exit: N              (default 0)
#   -- expect-stderr: <substring>  (any number; each must appear in stderr)
#   -- args: A B ...               (script arguments, passed after --)
# then checks the command line's usage errors and that a run is deterministic.
# Usage: sh tests/lua/check.sh path/to/natsim
natsim=${1:?usage: sh tests/lua/check.sh path/to/natsim}
dir=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
total=0

fail() {
    echo "FAIL $1: $2"
    failed=$((failed + 1))
}

# expect_run NAME WANT_EXIT STDERR_FILE GOT_EXIT [SUBSTRING...]
check_result() {
    name=$1 want=$2 errf=$3 got=$4
    shift 4
    total=$((total + 1))
    ok=1
    if [ "$got" != "$want" ]; then
        fail "$name" "exit $got, expected $want"
        ok=0
    fi
    for sub in "$@"; do
        if ! grep -qF -- "$sub" "$errf"; then
            fail "$name" "stderr lacks: $sub"
            ok=0
        fi
    done
    if [ $ok = 1 ]; then
        echo "ok   $name"
    else
        sed 's/^/     | /' "$errf"
    fi
}

for f in "$dir"/*.lua; do
    name=$(basename "$f")
    want=$(sed -n 's/^-- expect-exit: *//p' "$f" | head -n 1)
    [ -n "$want" ] || want=0
    args=$(sed -n 's/^-- args: *//p' "$f" | head -n 1)
    # shellcheck disable=SC2086 # args are split into words on purpose
    (cd "$dir" && "$natsim" run "$name" -- $args >"$tmp/out" 2>"$tmp/err")
    got=$?
    # Each expected substring on its own line of a file, so spaces survive.
    sed -n 's/^-- expect-stderr: *//p' "$f" >"$tmp/subs"
    set --
    while IFS= read -r sub; do
        set -- "$@" "$sub"
    done <"$tmp/subs"
    check_result "$name" "$want" "$tmp/err" "$got" "$@"
done

# The command line itself.
usage() {
    name=$1 want=$2 sub=$3
    shift 3
    "$natsim" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    cat "$tmp/out" >>"$tmp/err"
    check_result "cli: $name" "$want" "$tmp/err" "$got" "$sub"
}
usage "no command" 2 "no command given"
usage "unknown command" 2 "unknown command 'frob'" frob
usage "version" 0 "natsim " --version
usage "help" 0 "Usage: natsim COMMAND" --help
usage "run without file" 2 "no scenario file given" run
usage "run unknown flag" 2 "Unknown option --bogus" run --bogus "$dir/ok_time.lua"
usage "run bad seed" 2 "--seed wants a non-negative integer" run --seed=abc "$dir/ok_time.lua"
usage "run bad until" 2 "--until wants a time" run --until 5parsecs "$dir/ok_time.lua"
usage "run missing file" 2 "no such scenario file" run "$dir/no_such_file.lua"
usage "decode without protocol" 2 "Protocols:" decode

# Same scenario, same seed: byte-identical event log and pcaps.
for k in 1 2; do
    mkdir -p "$tmp/run$k"
    "$natsim" run --quiet --seed 7 --log "$tmp/run$k/log.jsonl" --log-frames \
        --pcap-dir "$tmp/run$k" "$dir/ok_nat_table.lua" >/dev/null 2>&1
done
total=$((total + 1))
if diff -r "$tmp/run1" "$tmp/run2" >/dev/null && [ -s "$tmp/run1/log.jsonl" ]; then
    echo "ok   determinism: two runs with --seed 7 are identical"
else
    fail "determinism" "two runs with --seed 7 differ (or wrote nothing)"
fi

echo "$((total - failed))/$total passed"
[ $failed = 0 ]
