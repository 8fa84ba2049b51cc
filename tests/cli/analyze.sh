#!/bin/sh
# axon analyze and axon run --report: the table, analysis.json, the manifest's provenance,
# errors on bad input that name the file, every figure kind rendered to PNG (rsvg-convert) at
# its size and not blank, and the HTML report's screenshot in headless Chromium not blank.
# The renderers are optional: without them those checks are skipped and say so, unless
# tools/debian-deps.sh installs them (librsvg2-bin, chromium): then their absence fails.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
export PYTHONDONTWRITEBYTECODE=1
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"
py=/usr/bin/python3
[ -x "$py" ] || py=python3

# missing PACKAGE WHAT: a tool is not installed; a failure where tools/debian-deps.sh installs it
missing() {
    if sed 's/#.*//' "$AXON_SRCDIR/tools/debian-deps.sh" 2>/dev/null | grep -qw -- "$1"; then
        bad "$1 is not installed, but tools/debian-deps.sh installs it ($2)"
    else
        echo "SKIP: $1 is not installed ($2)"
    fi
}

coba="$AXON_SRCDIR/examples/coba.axon"
# ---- axon run --report: provenance in the manifest, the report next to the recordings
expect "run --report" 0 "$AXON" run "$coba" -t 300ms --set N=1000 --set p=0.08 -o "$tmp/c o" --report --seed 2
contains "run --report: table" "ISI CV"
contains "run --report: where" "report in $tmp/c o/report/index.html"
sum=$(sha256sum "$coba" | cut -d' ' -f1)
if grep -q "\"source_sha256\": \"$sum\"" "$tmp/c o/manifest.json"; then ok; else bad "manifest: source hash"; fi
if grep -qF "\"command\": \"axon run $coba -t 300ms --set N=1000 --set p=0.08 -o '$tmp/c o' --report --seed 2\"" "$tmp/c o/manifest.json"; then ok; else
    bad "manifest: command line"; grep command "$tmp/c o/manifest.json"; fi
if grep -q '"name": "E", "type": "LIFCond", "size": 800' "$tmp/c o/manifest.json"; then ok; else bad "manifest: population sizes"; fi
for f in index.html analysis.json raster.svg rate.svg isi.svg spectrum.svg; do
    if [ -s "$tmp/c o/report/$f" ]; then ok; else bad "run --report: no $f"; fi
done
if grep -q 'Model source: <code>' "$tmp/c o/report/index.html" && grep -q 'module COBA' "$tmp/c o/report/index.html"; then
    ok; else bad "report: the model's source is not shown"; fi
# --param: units of the parameter's dimension; a negative value, another dimension, a unit on a
# count and 0 (the structure's "default") are usage errors that say which
expect "param: units" 0 "$AXON" analyze "$tmp/c o" -q -o "$tmp/par" --param count_bin=5ms --param 'max_rate=50 Hz'
if grep -q '"count_bin": 0.005' "$tmp/par/analysis.json" && grep -q '"max_rate": 50' "$tmp/par/analysis.json"; then ok
else bad "param: the values used"; grep -o '"count_bin": [^,]*\|"max_rate": [^,]*' "$tmp/par/analysis.json"; fi
expect "param: negative" 2 "$AXON" analyze "$tmp/c o" -q --param count_bin=-5ms
contains "param: negative message" "analysis parameter count_bin: -0.005 is not allowed (a positive number, in SI units)"
expect "param: another dimension" 2 "$AXON" analyze "$tmp/c o" -q --param count_bin=5mV
contains "param: another dimension message" "--param count_bin=5mV: 'count_bin' is a time, and 'mV' is not a unit of one"
expect "param: a unit on a count" 2 "$AXON" analyze "$tmp/c o" -q --param pairs=5nS
contains "param: a unit on a count message" "'pairs' is a count or a seed: give a plain number"
expect "param: an unknown name with a unit" 2 "$AXON" analyze "$tmp/c o" -q --param Count_bin=5ms
contains "param: an unknown name with a unit message" "no analysis parameter 'Count_bin'"
expect "param: 0 pairs" 2 "$AXON" analyze "$tmp/c o" -q --param pairs=0
contains "param: 0 pairs message" "analysis parameter pairs: 0 is not allowed (a positive whole number)"
# ... Axon's version in the manifest and the report; the report's run table, summary table
# and figures
version=$("$AXON" --version | sed 's/^axon //')
if grep -q "\"axon_version\": \"$version\"" "$tmp/c o/manifest.json"; then ok; else bad "manifest: no axon_version $version"; fi
html="$tmp/c o/report/index.html"
for want in "<tr><th>command</th><td>axon run $coba -t 300ms --set N=1000 --set p=0.08 -o " \
    "<tr><th>recorded by Axon</th><td>$version</td>" "<tr><th>analysed by Axon</th><td>$version</td>" \
    "<tr><th>source SHA-256</th><td>$sum</td>" "<tr><th>model</th><td>COBA</td>" \
    "<tr><th>ISI CV</th><td class=\"n\">" "<img src=\"raster.svg\"" "<img src=\"rate.svg\"" \
    "<a href=\"analysis.json\">"; do
    if grep -qF -- "$want" "$html"; then ok; else bad "index.html lacks '$want'"; fi
done
expect "run --report without -o" 2 "$AXON" run "$coba" -t 10ms --report
contains "run --report without -o: message" "--report needs -o DIR"

# ---- axon analyze: the table, a window, analysis.json
expect "analyze" 0 "$AXON" analyze "$tmp/c o" -o "$tmp/rep"
contains "analyze: header" "COBA, window 0 s to 0.3 s"
contains "analyze: rate row" "rate (Hz)"
contains "analyze: avalanches row" "avalanches"
expect "analyze --from --to" 0 "$AXON" analyze "$tmp/c o" --from 100ms --to 0.3s -o "$tmp/rep2" -q
if [ ! -s "$out" ]; then ok; else bad "analyze -q printed something"; fi
cat >"$tmp/check.py" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["format"] == "axon-analysis" and a["window"] == [0, 0.3], a["window"]
assert b["window"] == [0.1, 0.3], b["window"]
e = {p["name"]: p for p in a["populations"]}["E"]
assert e["neurons"] == 800 and e["spikes"] > 0 and 0 < e["isi"]["cv"] < 5
for k in ("fano", "count_correlation", "sttc", "spectrum", "health", "avalanches"):
    assert k in e, k
assert a["recording"]["source_sha256"] and a["recording"]["command"].startswith("axon run")
assert {f["kind"] for f in a["figures"]} >= {"raster", "rate", "isi", "spectrum", "trace", "avalanches"}
assert b["populations"][0]["spikes"] < e["spikes"]
EOF
if "$py" "$tmp/check.py" "$tmp/rep/analysis.json" "$tmp/rep2/analysis.json" >"$out" 2>&1; then ok; else
    bad "analysis.json"; sed 's/^/    /' "$out"; fi

# ---- bad input: clear errors that name the file
expect "analyze: no such directory" 2 "$AXON" analyze "$tmp/nope"
contains "analyze: no such directory message" "$tmp/nope"
mkdir "$tmp/empty"
expect "analyze: not a recording" 2 "$AXON" analyze "$tmp/empty"
contains "analyze: not a recording message" "$tmp/empty: not a recording (no manifest.json"
cp -r "$tmp/c o" "$tmp/trunc"
head -c 200 "$tmp/c o/E.spikes.t.npy" >"$tmp/trunc/E.spikes.t.npy"
expect "analyze: truncated file" 2 "$AXON" analyze "$tmp/trunc"
contains "analyze: truncated file message" "$tmp/trunc/E.spikes.t.npy: truncated data"
cp -r "$tmp/c o" "$tmp/missing"
rm "$tmp/missing/I.spikes.i.npy"
expect "analyze: missing file" 2 "$AXON" analyze "$tmp/missing"
contains "analyze: missing file message" "I.spikes.i.npy: listed in manifest.json but missing"
cp -r "$tmp/c o" "$tmp/newer"
sed 's/"version": 2/"version": 9/' "$tmp/c o/manifest.json" >"$tmp/newer/manifest.json"
expect "analyze: newer manifest" 2 "$AXON" analyze "$tmp/newer"
contains "analyze: newer manifest message" "manifest.json: manifest format version 9 is newer than this Axon reads"
expect "analyze: bad time" 2 "$AXON" analyze "$tmp/c o" --from soon
expect "analyze: --to before --from" 2 "$AXON" analyze "$tmp/nope" --from 1s --to 500ms
contains "analyze: --to before --from message" "--to 0.5 s is not after --from 1 s"
expect "analyze: window outside" 1 "$AXON" analyze "$tmp/c o" --to 5s
contains "analyze: window outside message" "is not inside the recording"
expect "analyze: unknown option" 2 "$AXON" analyze "$tmp/c o" --frob
# a report that cannot be written is refused before the analysis: no table printed
expect "analyze: -o in a missing directory" 2 "$AXON" analyze "$tmp/c o" -o /nonexistent/rep
contains "analyze: -o message" "axon analyze: -o: /nonexistent/rep"
if grep -q "rate (Hz)" "$out"; then bad "analyze: -o refused after the analysis"; else ok; fi

# ---- every kind of figure: weights (STDP), a long window (the zoomed raster), phases
sed -e 's|import "std/synapses/basic"|import "std/synapses/basic"\nimport "std/rules/stdp"|' \
    -e 's|project E -> E, I : Exc(w = 6 nS) connect random(p) delay 0.1 ms|project ee = E -> E : Exc(w = 6 nS) connect random(p) delay 0.1 ms learn STDP(w_max = 12 nS)\n    project E -> I : Exc(w = 6 nS) connect random(p) delay 0.1 ms\n    record weights ee [0 .. 199] every 50 ms|' \
    "$coba" >"$tmp/plastic.axon"
expect "run --report: plastic" 0 "$AXON" run "$tmp/plastic.axon" -t 2.2s --set N=1000 --set p=0.08 -o "$tmp/pl" --report -q
if [ ! -s "$out" ]; then ok; else bad "run --report -q printed something"; sed 's/^/    /' "$out"; fi
expect "run --report: kuramoto" 0 "$AXON" run "$AXON_SRCDIR/examples/kuramoto.axon" --dt 1ms -t 3s -o "$tmp/ku" --report -q
for f in raster_zoom.svg weights_0_ee.w_hist.svg weights_0_ee.w_time.svg kuramoto.svg; do
    if [ -s "$tmp/pl/report/$f" ]; then ok; else bad "plastic report: no $f"; fi
done
if grep -q '"kuramoto_mean"' "$tmp/ku/report/analysis.json"; then ok; else bad "kuramoto: no order parameter"; fi
# spike phases leave R undefined near the window's edges: the figure says why it is blank there;
# recorded phases have no such gaps
gapnote="no R where under 90% of the neurons are between two of their spikes"
if grep -qF "$gapnote" "$tmp/pl/report/kuramoto.svg"; then ok; else bad "kuramoto.svg (spike phases): no note on its gaps"; fi
if ! grep -qF "$gapnote" "$tmp/ku/report/kuramoto.svg"; then ok; else bad "kuramoto.svg (recorded phases): a note on gaps it has not"; fi
# where R is nowhere defined (COBA at 4,000 neurons for 100 ms: most neurons spike once or not
# at all), there is no Kuramoto figure, nor one listed; two populations' ISI and CCH outlines:
# the second dashed, so that like distributions stay visible
expect "run --report: no R anywhere" 0 "$AXON" run "$coba" -t 100ms -o "$tmp/nor" --report -q
if [ ! -e "$tmp/nor/report/kuramoto.svg" ] && ! grep -q 'kuramoto.svg' "$tmp/nor/report/index.html"; then ok
else bad "kuramoto.svg drawn with no R anywhere"; fi
for f in isi cch; do
    if grep -q 'stroke-dasharray' "$tmp/nor/report/$f.svg"; then ok; else bad "$f.svg: the second population is not dashed"; fi
done
# more than 100,000 spikes: the raster is a density image, and stays small
expect "run --report: density raster" 0 "$AXON" run "$coba" -t 2s -o "$tmp/big" --report -q
if grep -q 'data:image/png;base64' "$tmp/big/report/raster.svg" && grep -q 'density of' "$tmp/big/report/raster.svg" &&
   [ "$(wc -c <"$tmp/big/report/raster.svg")" -lt 400000 ]; then ok; else bad "big raster: not a small density image"; fi
# a report written again keeps only its own figures: the plastic run's zoomed raster and
# weights go when its first 0.5 s are analysed into the same place; a file the report did not
# write stays
: >"$tmp/pl/report/mine.svg"
expect "analyze again into a report" 0 "$AXON" analyze "$tmp/pl" --to 0.5s -q
if [ ! -e "$tmp/pl/report/raster_zoom.svg" ] && [ -s "$tmp/pl/report/raster.svg" ] &&
    [ -e "$tmp/pl/report/mine.svg" ]; then ok; else bad "analyze again: stale figures kept, or others removed"; ls "$tmp/pl/report"; fi
rm -f "$tmp/pl/report/mine.svg"
# a trace flat to a unit in the last place (a silent LIF: -65 mV and the next double) is drawn
# on a span of its own; its ticks looped for ever, with memory growing
printf 'neuron K {\n    state { x = -65 mV }\n    equations { x'"'"' = 0 mV / ms }\n}\nmodule Z {\n    population Q = K[2] { x = -65 mV + i * 1e-14 mV }\n    record Q.x every 1 ms\n}\nrun Z for 10 ms\n' >"$tmp/flat.axon"
expect "flat trace: run" 0 "$AXON" run "$tmp/flat.axon" -q -o "$tmp/flat"
expect "flat trace: analyze" 0 timeout 60 "$AXON" analyze "$tmp/flat" -q
if [ -s "$tmp/flat/report/trace_0_Q.x.svg" ]; then ok; else bad "flat trace: no figure"; fi
# a current's axis takes an SI prefix as a voltage's does (it read 'I (A)', ticks 1e-10 ...)
printf 'neuron K {\n    parameters { tau = 10 ms }\n    state { I = 0.5 nA }\n    equations { I'"'"' = -I / tau }\n}\nmodule Z {\n    population Q = K[2]\n    record Q.I every 1 ms\n}\nrun Z for 30 ms\n' >"$tmp/cur.axon"
expect "current trace: run" 0 "$AXON" run "$tmp/cur.axon" -q -o "$tmp/cur" --report
if grep -q '>I (pA)<' "$tmp/cur/report/trace_0_Q.I.svg"; then ok; else bad "current trace: no prefix on the axis"; fi

# ---- figures to PNG: each at the size its SVG declares, with something drawn
if command -v rsvg-convert >/dev/null 2>&1; then
    n=0
    for svg in "$tmp/c o/report/"*.svg "$tmp/pl/report/"*.svg "$tmp/ku/report/"*.svg "$tmp/big/report/raster.svg" \
        "$tmp/flat/report/trace_0_Q.x.svg"; do
        png="$tmp/fig$n.png"
        n=$((n + 1))
        if ! rsvg-convert "$svg" -o "$png" 2>"$out"; then bad "rsvg-convert $svg"; sed 's/^/    /' "$out"; continue; fi
        w=$(sed -n 's/^<svg [^>]*width="\([0-9]*\)".*/\1/p' "$svg")
        h=$(sed -n 's/^<svg [^>]*height="\([0-9]*\)".*/\1/p' "$svg")
        set -- $("$py" "$AXON_SRCDIR/tests/cli/pngstat.py" "$png")
        if [ "$2" = "$w" ] && [ "$3" = "$h" ] && "$py" -c "import sys; sys.exit(not ($4 > 0.02 and $5 >= 3))"; then ok; else
            bad "$(basename "$svg"): PNG ${2}x${3} (SVG ${w}x${h}), inked $4, $5 colours"; fi
    done
    [ "$n" -ge 16 ] && ok || bad "only $n figures rendered"
else
    missing librsvg2-bin "rsvg-convert: the figures were not rendered"
fi

# ---- the HTML report in a headless browser: its screenshot is not blank
browser=""
for b in chromium chromium-browser google-chrome; do command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }; done
if [ -n "$browser" ]; then
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
        --user-data-dir="$tmp/chrome" --window-size=1200,1600 --screenshot="$tmp/shot.png" \
        "file://$tmp/pl/report/index.html" >"$out" 2>&1
    if [ -s "$tmp/shot.png" ]; then
        set -- $("$py" "$AXON_SRCDIR/tests/cli/pngstat.py" "$tmp/shot.png")
        if [ "$2" = 1200 ] && "$py" -c "import sys; sys.exit(not ($4 > 0.05 and $5 >= 20))"; then ok; else
            bad "report screenshot ${2}x${3}: inked $4, $5 colours"; fi
    else
        bad "no screenshot from $browser"; sed 's/^/    /' "$out"
    fi
else
    missing chromium "no headless Chromium: the HTML report was not opened"
fi

finish analyze
