#!/bin/sh
# Scheduling counters of the microcircuit (bench/microcircuit/sched.c): builds this tree's
# runtime once more with -DAXON_SCHED_STATS (counters that a normal build does not have) into a
# temporary directory, links it with the model object, and runs it.
# usage: bench/microcircuit/sched.sh [--scale S] [--k-scale K] [--duration MS] [--threads T]
#                                    [--repeat R]
# Environment: AXON (default ./axon), CC (default cc), SCHED_CFLAGS (extra flags), TRACE (a
# file: every population's run, `phase pop task ns` a line). Run from a
# configured tree (its config.h and Makefile's MPI flags). Not part of `make check`.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. bench/lib.sh
SCALE=0.5
KSCALE=1
DUR=500
THREADS=2
REPEAT=1
bench_options "--scale SCALE --k-scale KSCALE --duration DUR --threads THREADS --repeat REPEAT" "$@"
AXON=${AXON:-./axon}
CC=${CC:-cc}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-sched.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
mpi_cflags=$(sed -n 's/^MPI_CFLAGS = //p' Makefile)
mpi_libs=$(sed -n 's/^MPI_LIBS = //p' Makefile)
srcs=$(sed -n '/^libaxonrt_core_la_SOURCES/,/^[^\t ]/p' Makefile.am | tr ' \\\t' '\n\n\n' |
       grep '^runtime/.*\.c$')
# every runtime source, two at a time; any that does not compile stops the script
pids=
for f in $srcs; do
    # shellcheck disable=SC2086 # flag lists
    $CC -std=c11 -O2 -g -DHAVE_CONFIG_H -D_GNU_SOURCE -DAXON_SCHED_STATS ${SCHED_CFLAGS:-} -I. \
        -Iruntime -Iruntime/include $mpi_cflags -c "$f" -o "$tmp/$(basename "$f" .c).o" &
    pids="$pids $!"
done
for p in $pids; do
    wait "$p" || { echo "sched.sh: the runtime did not compile with -DAXON_SCHED_STATS" >&2; exit 1; }
done
$AXON build examples/microcircuit.axon --set "scale=$SCALE" --set "k_scale=$KSCALE" --emit obj \
    -o "$tmp/m.o" -q >/dev/null
# shellcheck disable=SC2086
$CC -O2 -DAXON_SCHED_STATS -I. -Iruntime -Iruntime/include $mpi_cflags bench/microcircuit/sched.c \
    "$tmp"/*.o $mpi_libs -lpthread -lm -o "$tmp/sched"
echo "sched: scale $SCALE, k_scale $KSCALE, $DUR ms, $THREADS thread(s), $(git rev-parse --short HEAD);" \
     "$(date -u '+%H:%M:%S UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ "$r" -le "$REPEAT" ]; do
    # shellcheck disable=SC2086 # TRACE: a file for every population's run (sched.c)
    "$tmp/sched" 0 "$DUR" "$THREADS" ${TRACE:-}
    echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
    r=$((r + 1))
done
