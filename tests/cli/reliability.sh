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

# ---- the front end: sizes --------------------------------------------------------------
# An endless model file is read up to the limit (64 MiB), a larger regular file not at all.
expect "check: /dev/zero" 2 timeout 20 "$AXON" check /dev/zero
contains "check: /dev/zero message" "cannot read '/dev/zero': larger than 64 MiB, the limit for a model file"
truncate -s 65M "$tmp/big.axon"
expect "check: a 65 MiB model" 2 "$AXON" check "$tmp/big.axon"
contains "check: a 65 MiB model message" "larger than 64 MiB, the limit for a model file"
# data files: 256 MiB
truncate -s 257M "$tmp/big.csv"
printf 'import "std/neurons/lif"\nimport "std/synapses"\nmodule M {\n    population A = LIF[2]\n    project A -> A : ExpCurrent connect from "/dev/zero"\n}\n' >"$tmp/zero.axon"
expect "check: data from /dev/zero" 1 timeout 20 "$AXON" check "$tmp/zero.axon"
contains "check: data from /dev/zero" "zero.axon:5:41: error: '/dev/zero' is larger than 256 MiB, the limit for a data file"
printf 'import "std/neurons/lif"\nmodule M {\n    population A = LIF[2]\n    population B = LIF[2](I_ext = timed("big.csv", 1 ms) * 1 nA)\n}\n' >"$tmp/zero.axon"
expect "check: a 257 MiB data file" 1 timeout 20 "$AXON" check "$tmp/zero.axon"
contains "check: a 257 MiB data file" "zero.axon:4:41: error: '$tmp/big.csv' is larger than 256 MiB, the limit for a data file"

# ---- data files -------------------------------------------------------------------------
# a typo in a first row is not a header: an error at the typo, with a hint (golden tests have
# the messages, tests/golden/semantic/timed_typos.axon; here the hints)
printf 'O.5\n1\n' >"$tmp/typo.csv"
printf 'current, l0\n0.5, 1\n' >"$tmp/typo2.csv"
printf 'import "std/neurons/lif"\nmodule M {\n    population A = LIF[2](I_ext = timed("typo.csv", 1 ms) * 1 nA)\n    population B = LIF[2](I_ext = timed("typo2.csv", 1 ms) * 1 nA)\n}\n' >"$tmp/typo.axon"
expect "check: a typo in the first row of a timed array" 1 "$AXON" check "$tmp/typo.axon"
contains "check: typo message" "typo.csv:1:1: error: 'O.5' is not a number"
contains "check: typo hint" "hint: did you mean '0.5'? ('O' and 'l' are letters, not digits)"
contains "check: not a header hint" "hint: a first row is a header only when every value in it is a column name; 'l0' is not one"

echo "reliability: $pass passed, $fail failed"
[ $fail -eq 0 ]
