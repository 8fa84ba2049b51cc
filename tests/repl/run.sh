#!/bin/sh
# Scripted REPL sessions (tests/repl/*.axr) against their expected transcripts (*.out):
# standard output and errors together, then the exit status. @SRC@ and @TMP@ stand for the
# source tree and a temporary directory. sim.axr's recordings must equal those of one
# `axon run` of the same length, bit for bit.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
here="$AXON_SRCDIR/tests/repl"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/t"
pass=0
fail=0
for script in "$here"/*.axr; do
    name=$(basename "$script" .axr)
    sed -e "s|@SRC@|$AXON_SRCDIR|g" -e "s|@TMP@|$tmp|g" "$script" >"$tmp/$name.in"
    (cd "$tmp" && TMPDIR="$tmp/t" NO_COLOR=1 timeout -k 5 300 "$AXON" repl <"$tmp/$name.in" >"$tmp/$name.got" 2>&1; echo "exit $?" >>"$tmp/$name.got")
    sed -i -e "s|$AXON_SRCDIR|@SRC@|g" -e "s|$tmp|@TMP@|g" "$tmp/$name.got"
    if [ "${AXON_REPL_UPDATE:-}" = 1 ]; then cp "$tmp/$name.got" "$here/$name.out"; fi
    if diff -u "$here/$name.out" "$tmp/$name.got" >"$tmp/diff"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: repl $name"
        sed 's/^/    /' "$tmp/diff"
    fi
done
# three :runs and one axon run of the same total length: the same recordings
(cd "$tmp" && "$AXON" run "$AXON_SRCDIR/examples/coba.axon" -t 100ms -o "$tmp/run" -q)
n=0
for f in "$tmp"/run/*.npy; do
    n=$((n + 1))
    if cmp -s "$f" "$tmp/repl/$(basename "$f")"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: repl recordings differ from axon run: $(basename "$f")"; fi
done
if [ "$n" -lt 4 ]; then fail=$((fail + 1)); echo "FAIL: axon run wrote $n recordings"; fi
# :plot's files are whole SVG files that render
for f in raster rate isi spectrum cch avalanches; do
    svg="$tmp/plot-$f.svg"
    if head -c 200 "$svg" 2>/dev/null | grep -q '<svg' && tail -c 20 "$svg" | grep -q '</svg>'; then
        pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: :plot $f did not write an SVG file"; fi
    if command -v rsvg-convert >/dev/null; then
        if rsvg-convert "$svg" -o "$tmp/plot.png" 2>"$tmp/rsvg.err"; then pass=$((pass + 1)); else
            fail=$((fail + 1)); echo "FAIL: :plot $f: rsvg-convert"; sed 's/^/    /' "$tmp/rsvg.err"; fi
    fi
done
for e in ':plot frob sim to x.svg|which figure?' ':plot raster sim to x.png|figures are SVG' \
         ':plot raster sim to /nonexistent/x.svg|/nonexistent/x.svg' \
         ':plot rate sim 0 ms, 1 ms to x.svg|nothing to draw' ':plot raster nosim to x.svg|of which simulation?'; do
    out=$(cd "$tmp" && TMPDIR="$tmp/t" NO_COLOR=1 timeout 120 "$AXON" repl -e ":load $AXON_SRCDIR/examples/coba.axon" -e 'sim = COBA(N = 400)' \
        -e ':run sim 20 ms' -e "${e%%|*}" 2>&1)
    if [ $? -eq 1 ] && printf '%s' "$out" | grep -qF -- "${e#*|}"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: '${e%%|*}' did not fail with '${e#*|}':"; printf '%s\n' "$out" | sed 's/^/    /'; fi
done
if [ ! -e "$tmp/x.svg" ] && [ ! -e "$tmp/x.png" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: a failed :plot left a file"; fi
if [ -z "$(ls -A "$tmp/t")" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: :plot left files in TMPDIR: $(ls "$tmp/t")"; fi
# the errors of commands and values: exit 1 with the message, after a simulation of 10 ms
while IFS='|' read -r entry msg; do
    out=$(cd "$tmp" && TMPDIR="$tmp/t" NO_COLOR=1 timeout 120 "$AXON" repl -e ":load $AXON_SRCDIR/examples/coba.axon" \
        -e 'sim = COBA(N = 400)' -e ':run sim 10 ms' -e "$entry" 2>&1)
    if [ $? -eq 1 ] && [ "$(printf '%s\n' "$out" | grep -c '^error: ')" -eq 1 ] &&
        printf '%s\n' "$out" | grep -qxF -- "error: $msg"; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: '$entry' did not fail with 'error: $msg':"; printf '%s\n' "$out" | sed 's/^/    /'; fi
done <<'END'
:|a command is ':' and a name (:help lists them)
:frob|no command ':frob' (:help lists them)
:help frob|no command ':frob' (:help lists them)
:seed -1|the seed is a whole number of at least 0
:seed many|the seed is a whole number of at least 0
:seed|the seed is a whole number of at least 0
:load|which file? (:load model.axon)
:run|which simulation?
:run nosim 10 ms|no simulation named 'nosim' (:sims lists them)
:run sim|how long? (:run sim 100 ms)
:run sim 10 mV|the duration must be a time, like 100 ms, not V
:write sim|into which directory? (:write sim out)
:save sim|which file? (:save sim state.axck)
:restore sim|which file? (:restore sim state.axck)
:raster sim|which population of sim? (sim.E)
:raster sim.X|sim has no population 'X'
:raster sim.E 10 ms|the window is FROM, TO: two times, like 0 ms, 100 ms
:raster sim.E 10 ms, 5 ms|the window's end (5 ms) is not after its start (10 ms)
:rate sim|which population of sim? (sim.E)
sim.X|sim has no population 'X'
sim.E.frob|population E has no variable or parameter 'frob' (it has: v ge gi; parameters C g_L E_L v_th v_reset t_ref E_e E_i tau_e tau_i I_ext)
sim.E.v[5:2]|a slice of E is [i] or [a:b] with 0 <= a < b <= 320
sim.E.v[0:321]|a slice of E is [i] or [a:b] with 0 <= a < b <= 320
sim.E = 1 mV|only a variable can be assigned (sim.POP.VAR = value)
sim = 3 mV|'sim' is a simulation; assign to one of its variables (sim.POP.VAR = value)
:raster sim.E 0 ms, 5 s|the window 0 to 5000 ms is not within the run so far, 0 to 10 ms
:plot raster sim.E 0 ms, 5 s to w.svg|the window 0 to 5000 ms is not within the run so far, 0 to 10 ms
:rate sim.E 0 ms, 5 ms|unexpected '0 ms, 5 ms' after :rate's arguments
:stats sim junk|unexpected 'junk' after :stats's arguments
:drop nosim|no simulation named 'nosim' (:sims lists them)
sim.E.v = 3|E.v is in mV, but 3 is not
sim.E.v[a]|a slice of E is [i] or [a:b] with 0 <= a < b <= 320
s = COBA(|a simulation is NAME = MODULE(name = value, ...)
s = COBA(400, 0.02, 7)|COBA takes 2 parameters
s = COBA(N = 400, N = 40)|COBA(...) sets N twice
s = COBA(40, N = 400)|COBA(...) sets N twice
:run sim 0.01 ms|the duration must be at least one time step (0.1 ms)
END
# a network larger than the machine's memory is refused before it is built, as axon run does
# (COBA at 10 million neurons: about 2e12 synapses)
out=$(cd "$tmp" && NO_COLOR=1 timeout 120 "$AXON" repl -e ":load $AXON_SRCDIR/examples/coba.axon" \
    -e 'big = COBA(N = 10000000)' 2>&1)
if printf '%s\n' "$out" | grep -q "^error: COBA(...) would take about .* GiB, more than the machine's memory"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: a network past the memory: $out"; fi
# a simulation that has not run has nothing to draw
for e in ':raster sim.E' ':rate sim.E' ':plot raster sim to notrun.svg'; do
    out=$(cd "$tmp" && NO_COLOR=1 "$AXON" repl -e ":load $AXON_SRCDIR/examples/coba.axon" -e 'sim = COBA(N = 400)' -e "$e" 2>"$tmp/err")
    if [ $? -eq 1 ] && [ "$(cat "$tmp/err")" = "error: sim has not run yet (:run sim 100 ms)" ] &&
        [ "$out" = "$(printf 'defined module COBA\nsim: COBA, 400 neurons in 2 populations, 4 projections')" ]; then
        pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: '$e' before a run:"; printf '%s\n' "$out" | cat - "$tmp/err" | sed 's/^/    /'; fi
done
if [ ! -e "$tmp/notrun.svg" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: :plot before a run wrote a file"; fi
# an undefined name called with named arguments is unknown, not a function that takes none
out=$(NO_COLOR=1 "$AXON" repl -e 'x = Nope(N = 3)' </dev/null 2>&1)
if printf '%s\n' "$out" | grep -q "error: unknown function 'Nope'"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: Nope(N = 3) gave '$out'"; fi
# files named on the command line: a later file's error comes after the earlier one's output
printf 'neuron Leaky { state { v = 0 mV } equations { v'"'"' = -v / (10 ms) } }\n' >"$tmp/a.axon"
printf 'neuron Bad { state { v = 0 mV } equations { v'"'"' = -v / nope } }\n' >"$tmp/b.axon"
out=$(cd "$tmp" && NO_COLOR=1 "$AXON" repl a.axon b.axon </dev/null 2>&1)
if [ "$(printf '%s\n' "$out" | head -1)" = "defined neuron Leaky" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: a file's output after a later file's error: '$out'"; fi
# :time runs its entry and says how long it took
out=$(NO_COLOR=1 "$AXON" repl -e 'x = 4 mV' -e ':time x / 2' </dev/null 2>&1)
if printf '%s\n' "$out" | head -1 | grep -qx '2 mV' && printf '%s\n' "$out" | sed -n 2p | grep -qE '^time: [0-9]+\.[0-9]{3} ms$' &&
    [ "$(printf '%s\n' "$out" | wc -l)" -eq 2 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: :time gave '$out'"; fi
# FILE arguments are loaded before the entries; one that cannot be read is an error (exit 1)
out=$(echo 'sim = COBA(N = 400)' | NO_COLOR=1 "$AXON" repl -q "$AXON_SRCDIR/examples/coba.axon" 2>&1)
if [ $? -eq 0 ] && [ "$out" = "$(printf 'defined module COBA\nsim: COBA, 400 neurons in 2 populations, 4 projections')" ]; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: repl FILE gave '$out'"; fi
out=$(NO_COLOR=1 "$AXON" repl "$tmp/none.axon" </dev/null 2>&1)
if [ $? -eq 1 ] && [ "$out" = "error: cannot read '$tmp/none.axon': No such file or directory" ]; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: repl with a missing FILE gave '$out'"; fi
out=$(NO_COLOR=1 "$AXON" repl -e </dev/null 2>&1)
if [ $? -eq 2 ] && printf '%s\n' "$out" | head -1 | grep -qxF "axon repl: -e needs code to run, like -e '1 mV / 2 ms'"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: -e without code gave '$out'"; fi
# -e runs entries without reading standard input
out=$(NO_COLOR=1 "$AXON" repl -e 'x = 4 mV' -e 'x / 2' </dev/null 2>&1)
if [ "$out" = "2 mV" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: -e gave '$out'"; fi
NO_COLOR=1 "$AXON" repl -e '1 mV + 1 nA' >/dev/null 2>&1
if [ $? -eq 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: -e with an error did not exit 1"; fi
NO_COLOR=1 "$AXON" repl --frob >/dev/null 2>&1
if [ $? -eq 2 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: a bad option did not exit 2"; fi
# the interactive mode, through a pseudo-terminal
if [ -x /usr/bin/python3 ]; then
    if AXON="$AXON" AXON_SRCDIR="$AXON_SRCDIR" HOME="$tmp" /usr/bin/python3 "$here/pty_test.py" >"$tmp/pty.log" 2>&1; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1)); echo "FAIL: interactive session"; sed 's/^/    /' "$tmp/pty.log"
    fi
else
    fail=$((fail + 1)); echo "FAIL: /usr/bin/python3 is needed for the interactive test"
fi
echo "repl: $pass passed, $fail failed"
[ $fail -eq 0 ]
