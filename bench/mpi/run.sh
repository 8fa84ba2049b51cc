#!/bin/sh
# MPI benchmark (docs/mpi.md): the same network, COBA (bench/coba/coba.axon: delay 0.1 ms, so
# spikes are exchanged every step), Brunel (examples/brunel.axon: delay 1.5 ms, every 15 steps)
# or the cortical microcircuit (examples/microcircuit.axon at --scale, every step), as one process of 2 threads and as 2 MPI ranks of 1 thread (mpirun -np 2), alternating, R times
# each. Reports the
# simulation loop's wall time (the summary's "run" figure: connectivity building and MPI start
# excluded) as median and range, the time rank 0 spent in the spike exchanges (waiting for the
# other rank included; ranks yield their core while they wait), per step, and the load average
# before and after. Both must count the
# same spikes (checked on the first pair; tests/mpi checks recordings byte for byte).
#
# usage: bench/mpi/run.sh [--model coba|brunel|microcircuit] [--n N] [--scale S] [--duration MS]
#                         [--repeat R]
#   --model M       coba (default), brunel or microcircuit
#   --n N           neurons of coba and brunel (default 4000; COBA: p = 80 / N as in bench/coba)
#   --scale S       the microcircuit's scale and k_scale (default 0.1: 7,718 neurons)
#   --duration MS   model time (default 1000)
#   --repeat R      pairs of runs (default 5)
# Environment: AXON (default ./axon), MPIRUN (default mpirun). Needs a tree configured with MPI.
# Not part of `make check`.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. bench/lib.sh
MODEL=coba
N=4000
DUR=1000
R=5
SCALE=0.1
bench_options "--n N --duration DUR --repeat R --model MODEL --scale SCALE" "$@"
AXON=${AXON:-./axon}
MPIRUN=${MPIRUN:-mpirun}
[ -x "$AXON" ] || { echo "run.sh: no $AXON (build the tree first)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-mpi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

steps=$((DUR * 10))
bench_mpi_model run.sh
echo "MPI benchmark: $MODEL, $size, $DUR ms at dt = 0.1 ms ($steps steps), $R pairs"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores;" \
     "$(date -u '+%Y-%m-%d %H:%M UTC'); $("$MPIRUN" --version 2>&1 | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
"$AXON" build "$src" --emit exe -o "$tmp/coba" $sets -q
# one run: KIND (threads | ranks) -> "run_s comm_s"
one() {
    if [ "$1" = threads ]; then
        "$tmp/coba" -t "${DUR}ms" --threads 2 >"$tmp/out" 2>&1
        cp "$tmp/out" "$tmp/out.threads"
    else
        "$MPIRUN" --oversubscribe --allow-run-as-root --mca mpi_yield_when_idle 1 -np 2 \
            "$tmp/coba" -t "${DUR}ms" --threads 1 \
            >"$tmp/out" 2>&1
    fi
    run=$(sed -n 's/.*run \([0-9.]*\) s (.*/\1/p' "$tmp/out")
    comm=$(sed -n 's/.*exchanges, \([0-9.]*\) s in them.*/\1/p' "$tmp/out")
    echo "$run ${comm:-0}"
}
: >"$tmp/a"
: >"$tmp/b"
k=0
while [ $k -lt "$R" ]; do
    one threads >>"$tmp/a"
    one ranks >>"$tmp/b"
    if [ $k -eq 0 ]; then
        # the spike counts of the summary's table must agree (recordings are not saved)
        sed -n '/^  population /,/^  total /p' "$tmp/out.threads" >"$tmp/ca"
        sed -n '/^  population /,/^  total /p' "$tmp/out" >"$tmp/cb"
        cmp -s "$tmp/ca" "$tmp/cb" || { echo "run.sh: the spike counts differ" >&2; exit 1; }
        grep 'MPI:' "$tmp/out"
    fi
    k=$((k + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# stats FILE COLUMN: median, min, max
stats() {
    cut -d' ' -f"$2" "$1" | sort -g | awk '{ v[NR] = $1 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3f s (%.3f .. %.3f)", m, v[1], v[NR] }'
}
echo "| configuration | simulation loop: median (min .. max) | in exchanges (rank 0) |"
echo "|---|---|---|"
echo "| 1 process x 2 threads | $(stats "$tmp/a" 1) | - |"
comm_med=$(cut -d' ' -f2 "$tmp/b" | sort -g | awk '{ v[NR] = $1 } END {
    print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "| 2 ranks x 1 thread | $(stats "$tmp/b" 1) | $(stats "$tmp/b" 2);" \
     "$(awk -v c="$comm_med" -v n="$steps" 'BEGIN { printf "%.1f us per step", c / n * 1e6 }') |"
