#!/bin/sh
# Fuzz smoke test: mutated inputs through the fuzz targets, built with AddressSanitizer and
# UBSan (fuzz_front_asan and fuzz_data_asan, made by `make check`): 50,000 models through the
# front end, then 5,000 data files of each kind (connections, timed arrays, spike sources, the
# runtime's CSV reader), then 3,000 checkpoints through the checkpoint reader (fuzz_ckpt_asan).
# Any crash or sanitizer report fails the test.
set -u
: "${AXON_SRCDIR:?}" "${AXON_FUZZ:?}"
N=${AXON_FUZZ_INPUTS:-50000}
ND=${AXON_FUZZ_DATA_INPUTS:-5000}
NC=${AXON_FUZZ_CKPT_INPUTS:-3000}
front="${AXON_FUZZ}_asan"
[ -x "$front" ] || front="$AXON_FUZZ"
data="$(dirname "$AXON_FUZZ")/fuzz_data_asan"
[ -x "$data" ] || data="$(dirname "$AXON_FUZZ")/fuzz_data"
ckpt="$(dirname "$AXON_FUZZ")/fuzz_ckpt_asan"
corpus=$(find "$AXON_SRCDIR/tests/golden" "$AXON_SRCDIR/stdlib" "$AXON_SRCDIR/examples" \
              "$AXON_SRCDIR/tests/fuzz/corpus/front" -name '*.axon' 2>/dev/null | sort)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
"$front" "$N" $corpus
rc=$?
if [ $rc -eq 0 ]; then
    "$data" "$ND" "$AXON_SRCDIR/tests/fuzz/corpus"
    rc=$?
fi
if [ $rc -eq 0 ]; then
    "$ckpt" "$NC" "$AXON_SRCDIR/tests/fuzz/corpus"
    rc=$?
fi
if [ $rc -eq 0 ]; then
    echo "1 passed, 0 failed"
else
    for f in fuzz-hang.axon fuzz-hang.csv; do
        [ -f $f ] && cp $f "$AXON_SRCDIR/tests/fuzz/last-failure.${f##*.}" 2>/dev/null
    done
    [ -f fuzz-fmt.axon ] && cp fuzz-fmt.axon "$AXON_SRCDIR/tests/fuzz/last-failure.axon" 2>/dev/null
    echo "0 passed, 1 failed"
fi
exit $rc
