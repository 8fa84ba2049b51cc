#!/bin/sh
# Command-line behaviour: help, exit codes, usage errors, diagnostics format.
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
        fail=$((fail + 1)); echo "FAIL: $name: exit $rc, expected $want"; sed 's/^/    /' "$out"; fi
}
# contains NAME TEXT : the last command's output contains TEXT
contains() {
    if grep -qF -- "$2" "$out"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $1: output lacks '$2'"; sed 's/^/    /' "$out"; fi
}

expect "no arguments" 2 "$AXON"
contains "no arguments" "usage: axon COMMAND"
expect "--help" 0 "$AXON" --help
contains "--help" "check"
expect "--version" 0 "$AXON" --version
contains "--version" "axon 0."
expect "help check" 0 "$AXON" help check
contains "help check" "usage: axon check"
expect "check --help" 0 "$AXON" check --help
expect "help unknown" 2 "$AXON" help frobnicate
expect "unknown command" 2 "$AXON" frobnicate
contains "unknown command" "unknown command 'frobnicate'"
expect "check without files" 2 "$AXON" check
contains "check without files" "no input files"
expect "check unknown option" 2 "$AXON" check --frob x.axon
expect "check missing file" 2 "$AXON" check "$tmp/nope.axon"
contains "check missing file" "cannot read '$tmp/nope.axon'"
expect "dump nothing" 2 "$AXON" dump
expect "dump bad what" 2 "$AXON" dump llamas "$tmp/x.axon"

printf 'neuron N {\n    state { v = 1 }\n}\n' >"$tmp/good.axon"
expect "check good" 0 "$AXON" check "$tmp/good.axon"
printf 'neuron N {\n    state { v = = 1 }\n}\n' >"$tmp/bad.axon"
expect "check bad" 1 "$AXON" check "$tmp/bad.axon"
contains "check bad: location" "bad.axon:2:17: error: unexpected '='"
contains "check bad: source line" " 2 |     state { v = = 1 }"
contains "check bad: caret" "   |                 ^"
expect "check brief" 1 "$AXON" check --brief "$tmp/bad.axon"
if [ "$(wc -l <"$out")" -eq 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: --brief prints one line"; fi
expect "dump ast" 0 "$AXON" dump ast "$tmp/good.axon"
contains "dump ast" "neuron N"
expect "dump tokens" 0 "$AXON" dump tokens "$tmp/good.axon"
contains "dump tokens" "SEP (before })"

echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
