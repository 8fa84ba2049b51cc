#!/bin/sh
# Fuzz smoke test: 50,000 mutated inputs through the front end, built with
# AddressSanitizer and UBSan (the binary is fuzz_front_asan, made by
# `make check`). Any crash or sanitizer report fails the test.
set -u
: "${AXON_SRCDIR:?}" "${AXON_FUZZ:?}"
N=${AXON_FUZZ_INPUTS:-50000}
bin="${AXON_FUZZ}_asan"
[ -x "$bin" ] || bin="$AXON_FUZZ"
corpus=$(find "$AXON_SRCDIR/tests/golden" "$AXON_SRCDIR/stdlib" "$AXON_SRCDIR/examples" \
              "$AXON_SRCDIR/tests/fuzz/corpus" -name '*.axon' 2>/dev/null | sort)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$bin" "$N" $corpus
rc=$?
if [ $rc -eq 0 ]; then
    echo "1 passed, 0 failed"
else
    [ -f fuzz-hang.axon ] && cp fuzz-hang.axon "$AXON_SRCDIR/tests/fuzz/last-failure.axon" 2>/dev/null
    [ -f fuzz-fmt.axon ] && cp fuzz-fmt.axon "$AXON_SRCDIR/tests/fuzz/last-failure.axon" 2>/dev/null
    echo "0 passed, 1 failed"
fi
exit $rc
