#!/bin/sh
# Hostile and unlucky inputs (issue "Reliability"): very long lines, unbounded and oversized
# files, bad output directories, interrupted runs. Nothing here measures time: a limit of
# `timeout` seconds catches only work that is orders of magnitude too slow.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"

# expect NAME STATUS CMD... : runs CMD, checks the exit status
expect() {
    name=$1 want=$2
    shift 2
    NO_COLOR=1 "$@" >"$out" 2>&1
    rc=$?
    if [ "$rc" -eq "$want" ]; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $name: exit $rc, expected $want"; head -c 2000 "$out" | sed 's/^/    /'; fi
}
# contains NAME TEXT : the last command's output contains TEXT
contains() {
    if grep -qF -- "$2" "$out"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $1: output lacks '$2'"; head -c 2000 "$out" | sed 's/^/    /'; fi
}
# check NAME CONDITION... : a test of the shell
check() {
    name=$1
    shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}

# ---- the front end: long lines -----------------------------------------------------------
# A valid model of 10,000 neurons on one line (1 MB): lexing was quadratic in the length of a
# line (minutes for this size) and the table of definitions grew by one element at a time
# (gigabytes).
awk 'BEGIN { for (i = 0; i < 10000; i++)
    printf "neuron N%d { parameters { a = %d.5 mV } state { v = 0 mV } equations { v'"'"' = (a - v) / (10 ms) } } ", i, i
    printf "\n" }' >"$tmp/long.axon"
check "the one-line model is over 1 MB" test "$(wc -c <"$tmp/long.axon")" -gt 1000000
expect "check: a 1 MB line" 0 timeout 20 "$AXON" check "$tmp/long.axon"
# an error at the end of that line echoes a window of the line, not all of it
sed 's/$/neuron X { state { v = = 1 } }/' "$tmp/long.axon" >"$tmp/long_bad.axon"
expect "check: an error on a 1 MB line" 1 timeout 20 "$AXON" check "$tmp/long_bad.axon"
contains "check: the error on a long line" "long_bad.axon:1:1017804: error: unexpected '='"
check "check: a long line is echoed in part" test "$(wc -c <"$out")" -lt 1000
contains "check: the excerpt says it is cut" " 1 | ... v' = (a - v) / (10 ms) } } neuron N9999 {"

echo "reliability: $pass passed, $fail failed"
[ $fail -eq 0 ]
