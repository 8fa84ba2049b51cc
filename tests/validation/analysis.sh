#!/bin/sh
# axon analyze against the independent numpy/scipy implementation (check_analysis.py), and the
# library's analyses that axon analyze does not report (population rates smoothed, PSTH, ISI
# histogram, distances, graded health, weight histogram, effective rank: analysis_lib.c)
# against numpy (tests/reference/analysis_lib_ref.py), on the same real run.
set -u
export PYTHONDONTWRITEBYTECODE=1
: "${AXON:?}" "${AXON_SRCDIR:?}" "${AXON_LIBDIR:?}"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rc=0
"$py" "$AXON_SRCDIR/tests/validation/check_analysis.py" "$AXON" "$AXON_SRCDIR" "$work" || rc=1

# numpy is needed; tools/debian-deps.sh installs it, so there its absence is a failure
if ! "$py" -c "import numpy" 2>/dev/null; then
    if sed 's/#.*//' "$AXON_SRCDIR/tools/debian-deps.sh" 2>/dev/null | grep -qw python3-numpy; then
        echo "FAIL: numpy is not installed, but tools/debian-deps.sh installs it (python3-numpy)"
        exit 1
    fi
    echo "SKIP: numpy not installed: the library's analyses were not checked against it"
    exit $rc
fi
cc=${CC:-cc}
lib="$work/analysis_lib"
if ! $cc ${AXON_SAN:-} -std=c11 -Wall -Wextra -Werror -I"$AXON_SRCDIR/runtime/include" \
    "$AXON_SRCDIR/tests/validation/analysis_lib.c" -L"$AXON_LIBDIR" -Wl,-rpath,"$AXON_LIBDIR" \
    -laxonrt -lm -o "$lib"; then
    echo "FAIL: build analysis_lib.c"
    exit 1
fi
if "$lib" rec "$AXON_SRCDIR/tests/reference/data/analysis" >"$work/lib.json" &&
    "$AXON" build "$AXON_SRCDIR/tests/reference/analysis_net.axon" --emit shared --symbol net \
        -o "$work/net.so" -q &&
    "$lib" erank "$work/net.so" net ee.w 0.5 "$work/ee.npy" >"$work/erank.json"; then
    "$py" "$AXON_SRCDIR/tests/reference/analysis_lib_ref.py" "$work/lib.json" "$work/erank.json" \
        "$work/ee.npy" "$AXON_SRCDIR" || rc=1
else
    echo "FAIL: analysis_lib"
    rc=1
fi
exit $rc
