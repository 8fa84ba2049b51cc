#!/bin/sh
# Comparisons of a uniform draw with a threshold that is the same for every neuron (a function
# of parameters, or a choice between such values, as in the microcircuit's Poisson count) are
# made on the draw's 53 bits against an integer threshold computed once per kernel call
# (compiler/codegen/cg_exact.c, cgx_uniform_compare): tests/cli/draws_cmp.axon makes each
# (u > x, u >= x, u < x, u <= x, x < u, x >= u, and a threshold chosen by an earlier comparison)
# and the same comparison against x loaded for each neuron, made in double, and spikes where
# they ever differ. Thresholds at the edges (2^-54, u's value for 0 bits; 2^-53; 1 - 2^-53; 0
# and below; 1 and above; NaN) and, in a second run, exactly at a number below 1/2 that one of
# neurons 0-15 draws and at the doubles just above and below it, where floor and ceiling, < and
# <= of the thresholds decide.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"
model="$AXON_SRCDIR/tests/cli/draws_cmp.axon"
py=/usr/bin/python3
[ -x "$py" ] || py=python3

# no spikes: the header of an empty .npy alone (128 bytes)
quiet() {
    for p in A B Tiny Ulp Top Zero Exact Nan; do
        check "$2: $p: the comparisons agree" test "$(wc -c <"$1/$p.spikes.i.npy")" -eq 128
    done
}
# the comparisons with x, lo and hi have thresholds (their floor and ceiling, computed once)
run "the IR" "$AXON" dump llvm "$model"
contains "thresholds: floor" "@llvm.floor.f64"
contains "thresholds: ceiling" "@llvm.ceil.f64"
run "edges" "$AXON" run "$model" -q -o "$tmp/a"
quiet "$tmp/a" "edges"
run "edges, 2 threads" "$AXON" run "$model" -q --threads 2 --grain 1 -o "$tmp/a2"
same_recordings "$tmp/a" "$tmp/a2" "1 or 2 threads"

# the first draw below 1/2 of neurons 0-15 (uu's first sample), and its neighbours: below 1/2
# the doubles are closer than the draws' 2^-53, so that x 2^53 is not a whole number there and
# floor and ceiling differ (the edge at 2^-54 itself, met only by a draw of 0 bits, cannot be
# hit by drawing)
vals=$("$py" -c '
import math, struct, sys
with open(sys.argv[1], "rb") as f:
    f.seek(128)
    us = struct.unpack("<16d", f.read(128))
k = next(i for i, u in enumerate(us) if 2**-40 < u < 0.5)
print(k, repr(us[k]), repr(math.nextafter(us[k], 2.0)), repr(math.nextafter(us[k], -1.0)))
' "$tmp/a/Exact.uu.npy" 2>&1)
# shellcheck disable=SC2086 # the four numbers
set -- $vals
if [ $# -eq 4 ]; then
    ok
    run "at a draw" "$AXON" run "$model" -q --set "Exact.x=$2" --set "Exact.hi=$3" \
        --set "Exact.lo=$4" -o "$tmp/b"
    quiet "$tmp/b" "at a draw"
    # the draw was met: that neuron of Exact drew x itself
    hit=$("$py" -c '
import struct, sys
with open(sys.argv[1], "rb") as f:
    data = f.read()
print(int(struct.unpack("<16d", data[-128:])[int(sys.argv[2])]))' "$tmp/b/Exact.hit.npy" "$1")
    check "at a draw: the draw equals the threshold" test "$hit" -ge 1
else
    bad "a first draw below 1/2 among neurons 0-15 ($vals)"
fi
finish draws_cmp
