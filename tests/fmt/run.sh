#!/bin/sh
# axon fmt.
#  - NAME.axon laid out must equal NAME.expected, which must already be laid out, and both
#    must read as the same syntax tree (`axon dump ast`);
#  - a copy of the stdlib and the examples, laid out, must mean what the originals mean:
#    the same syntax trees, units and (for files with a module) model IR; and laying the
#    copy out again must change nothing (idempotence);
#  - the stdlib and the examples are kept laid out (`axon fmt --check`);
#  - --check exits 1 on a file that would change, a file with syntax errors is left alone.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NO_COLOR=1

cd "$AXON_SRCDIR/tests/fmt" || exit 1
for f in *.axon; do
    e="${f%.axon}.expected"
    if [ ! -f "$e" ]; then bad "fmt/$f" "no $e"; continue; fi
    "$AXON" fmt - <"$f" >"$tmp/out" 2>&1
    if cmp -s "$tmp/out" "$e"; then ok; else bad "fmt/$f" "$(diff "$e" "$tmp/out" | head -30)"; fi
    "$AXON" fmt - <"$e" >"$tmp/again" 2>&1
    if cmp -s "$tmp/again" "$e"; then ok; else bad "fmt/$e is not laid out" "$(diff "$e" "$tmp/again" | head -20)"; fi
    cp "$f" "$tmp/a.axon"
    cp "$e" "$tmp/b.axon"
    "$AXON" dump ast "$tmp/a.axon" >"$tmp/a.ast" 2>&1
    "$AXON" dump ast "$tmp/b.axon" >"$tmp/b.ast" 2>&1
    if cmp -s "$tmp/a.ast" "$tmp/b.ast"; then ok; else bad "fmt/$f: the syntax tree changed" "$(diff "$tmp/a.ast" "$tmp/b.ast" | head -20)"; fi
done

# the stdlib and the examples, laid out in a copy
cd "$AXON_SRCDIR" || exit 1
mkdir -p "$tmp/tree"
cp -R stdlib examples "$tmp/tree/"
files=$(find stdlib examples -name '*.axon' | sort)
(cd "$tmp/tree" && "$AXON" fmt $files) || bad "axon fmt over a copy of the stdlib and examples"
for f in $files; do
    for what in ast units ir; do
        AXON_STDLIB="$AXON_SRCDIR/stdlib" "$AXON" dump $what "$f" >"$tmp/before" 2>&1
        rb=$?
        (cd "$tmp/tree" && AXON_STDLIB="$tmp/tree/stdlib" "$AXON" dump $what "$f") >"$tmp/after" 2>&1
        ra=$?
        sed "s|$tmp/tree|$AXON_SRCDIR|g" "$tmp/after" >"$tmp/after.s"
        if [ $rb -ne $ra ]; then bad "$f: dump $what exits $ra after fmt, $rb before"
        elif [ $rb -ne 0 ]; then : # no module (dump ir) or no definitions: nothing to compare
        elif cmp -s "$tmp/before" "$tmp/after.s"; then ok
        else bad "$f: dump $what changed" "$(diff "$tmp/before" "$tmp/after.s" | head -20)"; fi
    done
done
if (cd "$tmp/tree" && "$AXON" fmt --check $files >"$tmp/changed"); then ok
else bad "axon fmt is not idempotent on" "$(cat "$tmp/changed")"; fi
if "$AXON" fmt --check $files >"$tmp/changed"; then ok
else bad "not laid out (run: axon fmt \$(find stdlib examples -name '*.axon'))" "$(cat "$tmp/changed")"; fi

# --check and files with errors
printf 'neuron N { state { v = 1; u = 2 } }\n' >"$tmp/n.axon"
"$AXON" fmt --check "$tmp/n.axon" >"$tmp/out" 2>&1
if [ $? -eq 1 ] && grep -q n.axon "$tmp/out"; then ok; else bad "fmt --check on a file that would change"; fi
printf 'neuron N { state { v = } }\n' >"$tmp/e.axon"
cp "$tmp/e.axon" "$tmp/e.orig"
"$AXON" fmt "$tmp/e.axon" >"$tmp/out" 2>&1
if [ $? -eq 1 ] && grep -q 'e.axon:1:' "$tmp/out" && cmp -s "$tmp/e.axon" "$tmp/e.orig"; then ok
else bad "fmt on a file with a syntax error" "$(cat "$tmp/out")"; fi
"$AXON" fmt "$tmp/n.axon" && "$AXON" fmt --check "$tmp/n.axon" >/dev/null
if [ $? -eq 0 ]; then ok; else bad "fmt FILE rewrites the file"; fi

# a symbolic link stays one; the file it names is laid out
printf 'neuron N { state { v = 1; u = 2 } }\n' >"$tmp/target.axon"
ln -s target.axon "$tmp/link.axon"
"$AXON" fmt "$tmp/link.axon"
if [ -L "$tmp/link.axon" ] && "$AXON" fmt --check "$tmp/target.axon" >/dev/null; then ok
else bad "fmt on a symbolic link replaced the link or left its file unformatted"; fi

echo "fmt: $pass passed, $fail failed"
[ $fail -eq 0 ]
