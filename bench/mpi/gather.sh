#!/bin/sh
# The per-step gathers of a whole population's variable over MPI ranks (docs/mpi.md, "What
# needs a whole population"): a signal that follows a population's mean (examples/reward.axon),
# topk (tests/validation/topk.axon) and synapses that read presynaptic variables
# (tests/mpi/prereads.axon), all at dt = 0.1 ms, each as 2 ranks of 1 thread (mpirun -np 2),
# R times. Reports per model the gathers per step, the wall time rank 0 spent in them per step
# and per gather (waiting for the other rank included: ranks yield their core while they wait)
# and the simulation loop's wall time per step, as median (min .. max), with the load average
# before and after. Wall time, not CPU time: on a loaded machine it counts the waits for a
# descheduled rank too, so read it with the load.
#
# usage: bench/mpi/gather.sh [--duration MS] [--repeat R]
#   --duration MS   model time of each run (default 500)
#   --repeat R      runs per model (default 5)
# Environment: AXON (default ./axon), MPIRUN (default mpirun). Needs a tree configured with MPI.
# Not part of `make check`.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. bench/lib.sh
DUR=500
R=5
bench_options "--duration DUR --repeat R" "$@"
AXON=${AXON:-./axon}
MPIRUN=${MPIRUN:-mpirun}
[ -x "$AXON" ] || { echo "gather.sh: no $AXON (build the tree first)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-gather.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "MPI gathers: 2 ranks x 1 thread, $DUR ms of model time, $R runs per model"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores;" \
     "$(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# stats FILE COLUMN SCALE: median (min .. max) of the column times SCALE
stats() {
    cut -d' ' -f"$2" "$1" | sort -g | awk -v k="$3" '{ v[NR] = $1 * k } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.2f (%.2f .. %.2f)", m, v[1], v[NR] }'
}
echo "| model | gathers per step | in gathers, us per step | us per gather | loop, us per step |"
echo "|---|---|---|---|---|"
for f in examples/reward.axon tests/validation/topk.axon tests/mpi/prereads.axon; do
    : >"$tmp/r"
    k=0
    steps=0
    while [ $k -lt "$R" ]; do
        "$MPIRUN" --oversubscribe --allow-run-as-root --mca mpi_yield_when_idle 1 -np 2 \
            "$AXON" run "$f" -t "${DUR}ms" --threads 1 >"$tmp/out" 2>&1 ||
            { cat "$tmp/out" >&2; exit 1; }
        run=$(sed -n 's/.*run \([0-9.]*\) s (.*/\1/p' "$tmp/out")
        line=$(grep 'gathers of whole populations' "$tmp/out") ||
            { echo "gather.sh: $f made no gathers" >&2; exit 1; }
        n=$(echo "$line" | sed 's/^MPI: \([0-9]*\) gathers.*/\1/')
        g=$(echo "$line" | sed 's/.*variables, \([0-9.]*\) s in them.*/\1/')
        steps=$(awk -v d="$DUR" 'BEGIN { printf "%d", d / 0.1 }')
        echo "$run $g $n" >>"$tmp/r"
        k=$((k + 1))
    done
    n=$(head -1 "$tmp/r" | cut -d' ' -f3)
    echo "| ${f##*/} | $(awk -v n="$n" -v s="$steps" 'BEGIN { printf "%.2f", n / s }') |" \
         "$(stats "$tmp/r" 2 "$(awk -v s="$steps" 'BEGIN { print 1e6 / s }')") |" \
         "$(stats "$tmp/r" 2 "$(awk -v n="$n" 'BEGIN { print 1e6 / n }')") |" \
         "$(stats "$tmp/r" 1 "$(awk -v s="$steps" 'BEGIN { print 1e6 / s }')") |"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
