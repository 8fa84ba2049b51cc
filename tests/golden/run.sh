#!/bin/sh
# Golden tests.
#  - parse/*.axon: every construct of the language; must parse with no
#    diagnostics (--syntax-only), and `axon dump ast` must equal NAME.ast.
#  - errors/*.axon: syntax errors; `axon check --syntax-only --brief` must
#    print exactly the lines of NAME.expected (file:line:col: level: message).
#  - semantic/*.axon: semantic errors (names, units, access rules ...);
#    `axon check --brief` must print exactly NAME.expected.
#  - in both, NAME.full (optional): the whole rendering, with source excerpts
#    and hints, must equal it.
#  - ir/*.axon: `axon dump ir` must equal NAME.ir.
#  - stdlib/ and examples/: every model must check with no diagnostics.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

cd "$AXON_SRCDIR/tests/golden/parse" || exit 1
for f in *.axon; do
    if "$AXON" check --syntax-only "$f" >"$tmp" 2>&1 && [ ! -s "$tmp" ]; then ok; else bad "parse/$f" "$(cat "$tmp")"; fi
    g="${f%.axon}.ast"
    if [ -f "$g" ]; then
        "$AXON" dump ast "$f" >"$tmp" 2>&1
        if cmp -s "$tmp" "$g"; then ok; else bad "parse/$g" "$(diff "$g" "$tmp" | head -20)"; fi
    fi
done

# expected_errors DIR [FLAGS]: each DIR/NAME.axon against DIR/NAME.expected
expected_errors() {
    dir=$1
    shift
    cd "$AXON_SRCDIR/tests/golden/$dir" || exit 1
    for f in *.axon; do
        [ -f "$f" ] || continue
        e="${f%.axon}.expected"
        if [ ! -f "$e" ]; then bad "$dir/$f" "no $e"; continue; fi
        NO_COLOR=1 "$AXON" check --brief "$@" "$f" >"$tmp" 2>&1
        rc=$?
        if [ $rc -ne 1 ]; then bad "$dir/$f" "exit status $rc, expected 1"; continue; fi
        if cmp -s "$tmp" "$e"; then ok; else bad "$dir/$f" "$(diff "$e" "$tmp" | head -20)"; fi
        full="${f%.axon}.full"
        [ -f "$full" ] || continue
        NO_COLOR=1 "$AXON" check "$@" "$f" >"$tmp" 2>&1
        if cmp -s "$tmp" "$full"; then ok; else bad "$dir/$full" "$(diff "$full" "$tmp" | head -20)"; fi
    done
}
expected_errors errors --syntax-only
expected_errors semantic

if [ -d "$AXON_SRCDIR/tests/golden/ir" ]; then
    cd "$AXON_SRCDIR/tests/golden/ir" || exit 1
    for f in *.axon; do
        [ -f "$f" ] || continue
        g="${f%.axon}.ir"
        NO_COLOR=1 "$AXON" dump ir "$f" >"$tmp" 2>&1
        if cmp -s "$tmp" "$g"; then ok; else bad "ir/$f" "$(diff "$g" "$tmp" | head -20)"; fi
    done
fi

cd "$AXON_SRCDIR" || exit 1
for f in $(find stdlib examples -name '*.axon' | sort); do
    if "$AXON" check "$f" >"$tmp" 2>&1 && [ ! -s "$tmp" ]; then ok; else bad "$f" "$(cat "$tmp")"; fi
done

echo "golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
