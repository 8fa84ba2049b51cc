#!/bin/sh
# Analysis benchmark: axon analyze on a long recording of COBA (examples/coba.axon, 4000
# neurons), by default 1000 s (about 70 million spikes). Simulates once into a work directory
# (kept for reruns), then times every analysis alone (bench/analysis/timing.c) and the whole
# of axon analyze (table, analysis.json, figures, index.html), with its peak memory; then the
# raster of about a million spikes (the first 14 s) and how long headless Chromium takes to
# open the rasters and the report, against a blank SVG, alternating, 5 runs each, medians.
#
# usage: bench/analysis/run.sh [DURATION_S [WORKDIR]]     (defaults: 1000, /tmp/axon-bench-analysis)
# Environment: AXON (default ./axon), CC (default cc). Needs a built tree (make). Not part of
# make check. The simulation takes about 4 minutes of one core, the analysis seconds.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
DUR=${1:-1000}
WORK=${2:-/tmp/axon-bench-analysis}
AXON=${AXON:-./axon}
CC=${CC:-cc}
mkdir -p "$WORK"
rec="$WORK/coba-$DUR"
if [ ! -f "$rec/manifest.json" ]; then
    echo "simulating $DUR s of COBA into $rec ..." >&2
    "$AXON" run examples/coba.axon -t "${DUR}s" -o "$rec" -q
fi
$CC -O2 -I runtime/include bench/analysis/timing.c -L.libs -laxonrt -lm -Wl,-rpath,"$root/.libs" \
    -o "$WORK/timing"
echo "## axon analyze on $DUR s of COBA ($(du -shL "$rec" | cut -f1) of recordings)"
echo
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "each analysis alone, population E:"
"$WORK/timing" "$rec" E
echo
echo "the whole command (axon analyze $rec -q):"
if command -v /usr/bin/time >/dev/null 2>&1; then
    /usr/bin/time -f "  %e s wall, %U s user, %S s system, %M kB peak memory" "$AXON" analyze "$rec" -q -o "$WORK/report"
else
    start=$(date +%s.%N)
    "$AXON" analyze "$rec" -q -o "$WORK/report"
    echo "  $(echo "$(date +%s.%N) - $start" | bc) s wall"
fi
echo "  figures: $(ls "$WORK/report"/*.svg | wc -l), raster.svg $(du -k "$WORK/report/raster.svg" | cut -f1) kB, all $(du -sk "$WORK/report" | cut -f1) kB"

# a raster of about a million spikes: the first 14 s (COBA fires about 70,000 spikes a second)
"$AXON" analyze "$rec" --to 14s -q -o "$WORK/report-1m"
n1m=$(sed -n 's/.*"spikes": \([0-9]*\),.*/\1/p' "$WORK/report-1m/analysis.json" | awk '{s += $1} END {print s}')
echo "  the first 14 s: $n1m spikes, raster.svg $(du -k "$WORK/report-1m/raster.svg" | cut -f1) kB"

# how long a browser takes to open them: headless Chromium drawing each into a screenshot, a
# blank SVG of the same size as the peer (Chromium's own start), alternating
browser=""
for b in chromium chromium-browser google-chrome; do command -v "$b" >/dev/null 2>&1 && { browser=$b; break; }; done
if [ -n "$browser" ] && [ -x /usr/bin/time ]; then
    echo
    echo "headless $browser, screenshot of each page (median of 5, alternating; load $(cut -d' ' -f1-3 /proc/loadavg)):"
    printf '<svg xmlns="http://www.w3.org/2000/svg" width="720" height="420"><rect width="100%%" height="100%%" fill="#fff"/></svg>\n' >"$WORK/blank.svg"
    pages="blank.svg report-1m/raster.svg report/raster.svg report/raster_zoom.svg report/index.html"
    : >"$WORK/browser.txt"
    for k in 1 2 3 4 5; do
        for p in $pages; do
            /usr/bin/time -f "$p %e %U %S" -a -o "$WORK/browser.txt" "$browser" --headless --no-sandbox \
                --disable-gpu --hide-scrollbars --user-data-dir="$WORK/chrome" --window-size=1200,1600 \
                --screenshot="$WORK/shot.png" "file://$WORK/$p" >/dev/null 2>&1
        done
    done
    for p in $pages; do
        w=$(grep "^$p " "$WORK/browser.txt" | awk '{print $2}' | sort -n | tr '\n' ' ')
        c=$(grep "^$p " "$WORK/browser.txt" | awk '{print $3 + $4}' | sort -n | sed -n 3p)
        set -- $w
        printf "  %-28s %6.2f s wall (%s-%s), %5.2f s CPU\n" "$p" "$3" "$1" "$5" "$c"
    done
fi
