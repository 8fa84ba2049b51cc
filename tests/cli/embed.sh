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

# ---- records of any synapse variable: u and x of short-term plasticity, an STDP trace
stp="$AXON_SRCDIR/tests/cli/stp.axon"
expect "run stp" 0 "$AXON" run "$stp" -o "$tmp/stp" -q
man="$tmp/stp/manifest.json"
for want in '"path": "tm.u.npy", "kind": "weights", "record": 0, "population": null, "projection": "tm", "variable": "u", "unit": "1", "dtype": "float64", "shape": [100, 5], "subset": [0, 1, 2, 3, 4], "period": 0.001' \
            '"path": "tm.x.npy", "kind": "weights"' \
            '"path": "ee.a_pre.npy", "kind": "weights", "record": 2, "population": null, "projection": "ee", "variable": "a_pre", "unit": "1", "dtype": "float64", "shape": [50, 20], "subset": "all", "period": 0.002' \
            '"path": "ee.w.npy", "kind": "weights", "record": 3, "population": null, "projection": "ee", "variable": "w"'; do
    if grep -qF -- "$want" "$man"; then ok; else : >"$out"; bad "stp manifest lacks: $want"; fi
done

echo "embed: $pass passed, $fail failed"
[ $fail -eq 0 ]
