#!/bin/sh
# The embedding API with real compiled models (tests/cli/api.c): loading shared libraries.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}" "${AXON_LIBDIR:?}"
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"
cc=${CC:-cc}
san=${AXON_SAN:-}
inc="-I$AXON_SRCDIR/runtime/include"
rt="-L$AXON_LIBDIR -Wl,-rpath,$AXON_LIBDIR -laxonrt -lm"

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; [ -s "$out" ] && sed 's/^/    /' "$out"; }
# expect NAME STATUS CMD... : CMD exits with STATUS
expect() {
    name=$1 want=$2
    shift 2
    NO_COLOR=1 "$@" >"$out" 2>&1
    rc=$?
    if [ "$rc" -eq "$want" ]; then ok; else bad "$name (exit $rc, expected $want)"; fi
}
# contains NAME TEXT : the last command's output contains TEXT
contains() {
    if grep -qF -- "$2" "$out"; then ok; else bad "$1: output lacks '$2'"; fi
}

izh="$AXON_SRCDIR/examples/izhikevich.axon"
expect "build api" 0 $cc $san $inc -Wall -Wextra -Werror "$AXON_SRCDIR/tests/cli/api.c" $rt -o "$tmp/api"

# ---- axon_model_open
expect "build shared" 0 "$AXON" build "$izh" --emit shared --symbol izh -o "$tmp/libizh.so" -q
expect "open" 0 "$tmp/api" open "$tmp/libizh.so" izh
contains "open runs the model" "Izhikevich4: "
expect "open: wrong symbol" 1 "$tmp/api" open "$tmp/libizh.so" -
contains "open: wrong symbol message" "no model descriptor 'axon_model'"
expect "open: missing file" 1 "$tmp/api" open "$tmp/none.so" -
contains "open: missing file message" "cannot load model library"
printf 'const struct { unsigned abi; } m = {9999};\n' >"$tmp/abi.c"
expect "build foreign ABI" 0 $cc -shared -fPIC "$tmp/abi.c" -o "$tmp/abi.so"
expect "open: foreign ABI" 1 "$tmp/api" open "$tmp/abi.so" m
contains "open: foreign ABI message" "compiled for runtime ABI 9999"
contains "open: foreign ABI message (ours)" "implements ABI"

echo "embed: $pass passed, $fail failed"
[ $fail -eq 0 ]
