#!/bin/sh
# The Python reader of recordings (python/axon_recording.py): needs numpy; Neo is optional.
set -u
export PYTHONDONTWRITEBYTECODE=1
: "${AXON:?}" "${AXON_SRCDIR:?}"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if ! "$py" -c "import numpy" 2>/dev/null; then
    echo "SKIP: numpy (Debian: python3-numpy) not installed"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# values at spikes (`record spikes E.v`), with the spikes and an every-step record of v to
# check them against
printf 'import "std/neurons"\nmodule SV {\n    population E = LIF[20](I_ext = 0.2 nA, t_ref = 0 ms) { v = uniform(-65 mV, -50 mV) }\n    record spikes E.v\n    record E.v\n}\nrun SV for 100 ms\n' >"$work/sv.axon"
"$AXON" run "$work/sv.axon" -q -o "$work/sv" || exit 1
"$py" "$AXON_SRCDIR/tests/python/check_reader.py" "$AXON_SRCDIR" "$work"
