#!/bin/sh
# Network build time of the microcircuit (issue 18: 203 s at full scale, target 30 s): the
# time to create the simulation (initial state, connectivity, synapse initial values and
# delays), as an executable built by `axon build --emit exe` spends it before a 0.1 ms run,
# for this tree's axon and a peer's (AXON_PEER: another build of Axon, e.g. the commit before
# a change), alternating, R times per thread count. Prints per binary and thread count the
# median and range of the process's CPU time (all threads, user + system) and wall time, and
# the load average before and after.
#
# usage: AXON_PEER=/path/to/other/axon bench/microcircuit/build.sh [--scale S] [--k-scale K]
#            [--threads "T ..."] [--repeat R]
#   defaults: scale 0.2, k-scale 0.2, threads "1 2", 3 repetitions
# Environment: AXON (default ./axon), AXON_PEER (required). Not part of `make check`.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. bench/lib.sh
SCALE=0.2
KSCALE=0.2
THREADS="1 2"
R=3
bench_options "--scale SCALE --k-scale KSCALE --threads THREADS --repeat R" "$@"
AXON=${AXON:-./axon}
: "${AXON_PEER:?set AXON_PEER to the other axon}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "Microcircuit build: scale $SCALE, k_scale $KSCALE, threads {$THREADS}, $R repetitions"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores;" \
     "$(date -u '+%Y-%m-%d %H:%M UTC')"
echo "this: $AXON; peer: $AXON_PEER"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for b in this peer; do
    if [ "$b" = this ]; then a=$AXON; else a=$AXON_PEER; fi
    "$a" build examples/microcircuit.axon --emit exe -o "$tmp/$b" --set "scale=$SCALE" \
        --set "k_scale=$KSCALE" -q
done
# CPU and wall seconds of one run of an executable
cpu='import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.3f %.3f" % (u.ru_utime + u.ru_stime, time.monotonic() - t))
sys.exit(r.returncode)'
r=1
while [ "$r" -le "$R" ]; do
    for T in $THREADS; do
        for b in this peer; do
            python3 -c "$cpu" "$tmp/$b" -t 0.1ms --threads "$T" -q -o "$tmp/out" >>"$tmp/$b.$T"
        done
    done
    r=$((r + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "binary threads  cpu_s median (min .. max)  wall_s median (min .. max)"
for T in $THREADS; do
    for b in this peer; do
        python3 - "$tmp/$b.$T" "$b" "$T" <<'PY'
import statistics, sys
rows = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
c = [r[0] for r in rows]; w = [r[1] for r in rows]
print("%-6s %7s  %.2f (%.2f .. %.2f)  %.2f (%.2f .. %.2f)" % (sys.argv[2], sys.argv[3],
      statistics.median(c), min(c), max(c), statistics.median(w), min(w), max(w)))
PY
    done
done
