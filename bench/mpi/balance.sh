#!/bin/sh
# Contiguous blocks against round-robin (docs/mpi.md): the reduced cortical microcircuit
# (examples/microcircuit.axon, --scale S --k-scale K) over 2 MPI ranks of 1 thread, each rank
# printing its setup CPU time, its run and exchange times, its neurons, synapses and synaptic
# events (bench/mpi/balance.c), and rank 0 the neurons and events each rank would have under
# either partition, from the same spikes and connectivity. Then the peer: the same program as
# one process (a single MPI rank, started without mpirun), so that each rank's setup and own
# work compare with the whole network's.
# R repetitions, alternating; load average before and after.
#
# usage: bench/mpi/balance.sh [--scale S] [--k-scale K] [--duration MS] [--repeat R] [--np K]
#   defaults: scale 0.1, k-scale 0.1, 500 ms, 3 repetitions, 2 ranks
# Environment: AXON (default ./axon), MPIRUN (default mpirun), CC (default cc). Needs a tree
# configured with MPI. Not part of `make check`.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. bench/lib.sh
SCALE=0.1
KSCALE=0.1
DUR=500
R=3
NP=2
bench_options "--scale SCALE --k-scale KSCALE --duration DUR --repeat R --np NP" "$@"
AXON=${AXON:-./axon}
MPIRUN=${MPIRUN:-mpirun}
CC=${CC:-cc}
[ -x "$AXON" ] || { echo "balance.sh: no $AXON (build the tree first)" >&2; exit 1; }
mpicflags=$(sed -n 's/^MPI_CFLAGS = //p' Makefile 2>/dev/null)
mpilibs=$(sed -n 's/^MPI_LIBS = //p' Makefile 2>/dev/null)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-balance.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "MPI balance: examples/microcircuit.axon, scale $SCALE, k_scale $KSCALE, $DUR ms, $NP ranks" \
     "of 1 thread, $R repetitions"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores;" \
     "$(date -u '+%Y-%m-%d %H:%M UTC'); $("$MPIRUN" --version 2>&1 | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$AXON" build examples/microcircuit.axon --emit obj -o "$tmp/m.o" --set "scale=$SCALE" \
    --set "k_scale=$KSCALE" -q
# shellcheck disable=SC2086
"$CC" -O2 -I runtime/include $mpicflags bench/mpi/balance.c "$tmp/m.o" -L"$root/.libs" \
    -Wl,-rpath,"$root/.libs" -laxonrt $mpilibs -lm -o "$tmp/balance"
r=1
while [ "$r" -le "$R" ]; do
    "$MPIRUN" --oversubscribe --allow-run-as-root --mca mpi_yield_when_idle 1 -np "$NP" \
        "$tmp/balance" 1 "$DUR" >"$tmp/ranks.$r"
    "$tmp/balance" 1 "$DUR" >"$tmp/one.$r" # without mpirun: one rank
    echo "repetition $r (load $(cut -d' ' -f1 /proc/loadavg)):"
    sed 's/^/  /' "$tmp/ranks.$r"
    sed -n 's/^rank=0 /  one process: /p' "$tmp/one.$r"
    r=$((r + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
