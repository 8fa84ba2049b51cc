#!/bin/sh
# Overlap of the spike exchange with computation (docs/mpi.md, "Overlapping the exchange with
# computation"): the same network as 2 MPI ranks of 1 thread (mpirun -np 2), with each exchange
# started without waiting (MPI_Iallgather) and completed before the next step's delivery (the
# default, AXON_MPI_OVERLAP=1), and with the blocking exchange (AXON_MPI_OVERLAP=0), alternating
# (the order swapped every pair), R pairs. Reports for each: the simulation loop's wall time
# (the summary's "run" figure), the wall time rank 0 spent in the exchanges' MPI calls per
# exchange (MPI_Iallgather and MPI_Wait, or MPI_Allgather: waiting for the other rank
# included; ranks yield their core while they wait), and the CPU time (user + system) of the
# whole job (both ranks, their setup included), as median (min .. max), with the load average
# before and after. The two must count the same spikes (checked on every run; tests/mpi checks
# recordings bit for bit).
#
# usage: bench/mpi/overlap.sh [--model coba|brunel|microcircuit] [--n N] [--scale S]
#                             [--duration MS] [--repeat R]
#   --model M       microcircuit (default: exchanges every step), coba (every step) or brunel
#                   (every 15 steps)
#   --n N           neurons of coba and brunel (default 4000)
#   --scale S       the microcircuit's scale and k_scale (default 0.1: 7,718 neurons)
#   --duration MS   model time (default 300)
#   --repeat R      pairs of runs (default 5)
# Environment: AXON (default ./axon), MPIRUN (default mpirun). Needs a tree configured with MPI.
# Not part of `make check`.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. bench/lib.sh
MODEL=microcircuit
N=4000
DUR=300
R=5
SCALE=0.1
bench_options "--n N --duration DUR --repeat R --model MODEL --scale SCALE" "$@"
AXON=${AXON:-./axon}
MPIRUN=${MPIRUN:-mpirun}
[ -x "$AXON" ] || { echo "overlap.sh: no $AXON (build the tree first)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-overlap.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

bench_mpi_model overlap.sh
echo "MPI overlap: $MODEL, $size, $DUR ms at dt = 0.1 ms, 2 ranks x 1 thread, $R pairs"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores;" \
     "$(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?');" \
     "$("$MPIRUN" --version 2>&1 | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
"$AXON" build "$src" --emit exe -o "$tmp/model" $sets -q
# the job's CPU time: mpirun's and its children's (the ranks), printed last as "cpu SECONDS"
cpu='import resource, subprocess, sys
r = subprocess.run(sys.argv[1:])
u = resource.getrusage(resource.RUSAGE_CHILDREN)
sys.stdout.write("cpu %.3f\n" % (u.ru_utime + u.ru_stime))
sys.exit(r.returncode)'
# one OVERLAP (1 | 0) -> appends "run_s comm_s_per_exchange cpu_s" to $tmp/$1
one() {
    AXON_MPI_OVERLAP=$1 python3 -c "$cpu" "$MPIRUN" --oversubscribe --allow-run-as-root \
        --mca mpi_yield_when_idle 1 -x AXON_MPI_OVERLAP -np 2 \
        "$tmp/model" -t "${DUR}ms" --threads 1 >"$tmp/out" 2>&1
    sed -n '/^  population /,/^  total /p' "$tmp/out" >"$tmp/count.$1"
    if [ -s "$tmp/count.ref" ]; then
        cmp -s "$tmp/count.ref" "$tmp/count.$1" || { echo "overlap.sh: the spike counts differ" >&2; exit 1; }
    else
        cp "$tmp/count.$1" "$tmp/count.ref"
    fi
    grep -q "overlapped:" "$tmp/out" && o=1 || o=0
    [ "$o" = "$1" ] || { echo "overlap.sh: AXON_MPI_OVERLAP=$1 not followed" >&2; cat "$tmp/out" >&2; exit 1; }
    [ -s "$tmp/line.$1" ] || grep '^MPI:' "$tmp/out" >"$tmp/line.$1"
    run=$(sed -n 's/.*run \([0-9.]*\) s (.*/\1/p' "$tmp/out")
    ex=$(sed -n 's/.*: \([0-9]*\) exchanges, .*/\1/p' "$tmp/out")
    comm=$(sed -n 's/.*exchanges, \([0-9.]*\) s in them.*/\1/p' "$tmp/out")
    c=$(sed -n 's/^cpu //p' "$tmp/out")
    echo "$run $(awk -v c="$comm" -v n="$ex" 'BEGIN { print c / n }') $c" >>"$tmp/$1"
}
: >"$tmp/1"
: >"$tmp/0"
k=0
while [ $k -lt "$R" ]; do
    if [ $((k % 2)) -eq 0 ]; then one 1; one 0; else one 0; one 1; fi
    k=$((k + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$tmp/line.1" "$tmp/line.0"
# stats FILE COLUMN SCALE: median (min .. max) of the column times SCALE
stats() {
    cut -d' ' -f"$2" "$1" | sort -g | awk -v k="$3" '{ v[NR] = $1 * k } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3f (%.3f .. %.3f)", m, v[1], v[NR] }'
}
echo "| exchange | simulation loop, s | in the exchanges' MPI calls per exchange, us (rank 0) | CPU of the job, s |"
echo "|---|---|---|---|"
echo "| overlapped (AXON_MPI_OVERLAP=1) | $(stats "$tmp/1" 1 1) | $(stats "$tmp/1" 2 1e6) | $(stats "$tmp/1" 3 1) |"
echo "| blocking (AXON_MPI_OVERLAP=0) | $(stats "$tmp/0" 1 1) | $(stats "$tmp/0" 2 1e6) | $(stats "$tmp/0" 3 1) |"
