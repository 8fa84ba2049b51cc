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
exit $rc
