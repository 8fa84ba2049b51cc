#!/bin/sh
# The Python reader of recordings (python/axon_recording.py): needs numpy; Neo is optional.
set -u
export PYTHONDONTWRITEBYTECODE=1
: "${AXON:?}" "${AXON_SRCDIR:?}"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
# expected PACKAGE: tools/debian-deps.sh installs it, so its absence is a failure, not a skip
expected() { sed 's/#.*//' "$AXON_SRCDIR/tools/debian-deps.sh" 2>/dev/null | grep -qw -- "$1"; }
if ! "$py" -c "import numpy" 2>/dev/null; then
    if expected python3-numpy; then
        echo "FAIL: numpy is not installed, but tools/debian-deps.sh installs it (python3-numpy)"
        exit 1
    fi
    echo "SKIP: numpy (Debian: python3-numpy) not installed"
    exit 77
fi
rc=0
if ! "$py" -c "import neo" 2>/dev/null && expected python3-neo; then
    echo "FAIL: Neo is not installed, but tools/debian-deps.sh installs it (python3-neo): to_neo() is not tested"
    rc=1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# values at spikes (`record spikes E.v`), with the spikes and an every-step record of v to
# check them against
printf 'import "std/neurons"\nmodule SV {\n    population E = LIF[20](I_ext = 0.2 nA, t_ref = 0 ms) { v = uniform(-65 mV, -50 mV) }\n    record spikes E.v\n    record E.v\n}\nrun SV for 100 ms\n' >"$work/sv.axon"
"$AXON" run "$work/sv.axon" -q -o "$work/sv" || exit 1
"$py" "$AXON_SRCDIR/tests/python/check_reader.py" "$AXON_SRCDIR" "$work" || rc=1
# recordings split into parts as over MPI ranks (check_reader.py made them): the C reader too
# reads them as the one-process ones, so axon analyze prints the same
for pair in "$AXON_SRCDIR/tests/reference/data/analysis split-data" "$work/sv split-sv"; do
    set -- $pair
    "$AXON" analyze "$1" -o "$work/r1" >"$work/a1" 2>&1
    "$AXON" analyze "$work/$2" -o "$work/r2" >"$work/a2" 2>&1
    sed -i -e 1d -e '/^report in /d' "$work/a1" "$work/a2" # the directory's name
    if [ -s "$work/a1" ] && cmp -s "$work/a1" "$work/a2" && cmp -s "$work/r1/trace_0_E.v.svg" "$work/r2/trace_0_E.v.svg"; then
        echo "PASS: axon analyze reads $2 as one process's"
    else
        echo "FAIL: axon analyze reads $2 as one process's"
        diff "$work/a1" "$work/a2"
        rc=1
    fi
done
"$AXON" analyze "$work/split-missing" -q >"$work/a1" 2>&1
if grep -q "split-missing/E.v.rank1-of-2.npy: listed in manifest.json but missing" "$work/a1"; then
    echo "PASS: axon analyze names a missing part"
else
    echo "FAIL: axon analyze names a missing part"; cat "$work/a1"; rc=1
fi
"$AXON" analyze "$work/split-wrong" -q >"$work/a1" 2>&1
if grep -q "no part holds the column of neuron 4" "$work/a1"; then
    echo "PASS: axon analyze refuses a part of the wrong neurons"
else
    echo "FAIL: axon analyze refuses a part of the wrong neurons"; cat "$work/a1"; rc=1
fi
exit $rc
