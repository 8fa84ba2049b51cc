#!/bin/sh
# Analysis benchmark: axon analyze on a long recording of COBA (examples/coba.axon, 4000
# neurons), by default 1000 s (about 70 million spikes). Simulates once into a work directory
# (kept for reruns), then times every analysis alone (bench/analysis/timing.c) and the whole
# of axon analyze (table, analysis.json, figures, index.html), with its peak memory.
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
