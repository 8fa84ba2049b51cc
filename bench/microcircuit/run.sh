#!/bin/sh
# Microcircuit benchmark: the Potjans & Diesmann (2014) cortical microcircuit
# (examples/microcircuit.axon) at full scale by default: 77,169 neurons, 0.3e9 synapses,
# Poisson background, dt = 0.1 ms. The model is compiled once (axon build --emit obj) and linked
# with bench/coba/synmem.c, which builds the network and runs it, once per thread count and
# repetition (thread counts alternate within each repetition). Reported per thread count
# (medians, ranges): the network build (creating the simulation: initial state and
# connectivity), wall and CPU time; the runtime's bytes per synapse; the wall time of the
# simulation loop and its real-time factor; the loop's CPU time (all threads) per synaptic event
# and per neuron update; the load average before and after (the machine may be shared: the CPU
# times are the less disturbed figures).
#
# usage: bench/microcircuit/run.sh [options]
#   --scale S          neuron-count scale (default 1)
#   --k-scale K        in-degree scale (default 1; below scale 0.47 it must be <= scale / 0.47)
#   --threads "T ..."  thread counts (default "1 2")
#   --duration MS      model time (default 1000)
#   --repeat R         repetitions of the thread-count sweep (default 1)
#   --precision P      double (default) or single
#   --synapse-precision P  storage of the per-synapse weights and delays: the model's
#                      precision (default) or single (float weights in a double model)
# Environment: AXON (default ./axon), CC (default cc). Needs a built tree (make) and, at full
# scale, about 5 GiB of memory (double; `axon run examples/microcircuit.axon --dry-run`). Not
# part of `make check`. Example (the figures in bench/RESULTS.md):
#   bench/microcircuit/run.sh --duration 1000 --threads "1 2"
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. bench/lib.sh
SCALE=1
KSCALE=1
THREADS="1 2"
DUR=1000
REPEAT=1
PREC=double
SYNPREC=
bench_options "--scale SCALE --k-scale KSCALE --threads THREADS --duration DUR --repeat REPEAT --precision PREC --synapse-precision SYNPREC" "$@"
AXON=${AXON:-./axon}
CC=${CC:-cc}
LIBDIR=$root/.libs
MODEL=examples/microcircuit.axon
[ -x "$AXON" ] || { echo "run.sh: no $AXON (build the tree first: ./configure && make)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-micro.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
set -- --set "scale=$SCALE" --set "k_scale=$KSCALE" --precision "$PREC"
[ -n "$SYNPREC" ] && set -- "$@" --synapse-precision "$SYNPREC"

echo "Microcircuit benchmark: scale $SCALE, k_scale $KSCALE, $DUR ms at dt = 0.1 ms, $PREC${SYNPREC:+ (synapses: $SYNPREC)}," \
     "threads {$THREADS}, $REPEAT repetition(s)"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores," \
     "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);" \
     "$(date -u '+%Y-%m-%d %H:%M UTC')"
echo "Axon: $($AXON --version 2>&1 | head -1), $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# The model linked with the runtime's accounting and a timed run (bench/coba/synmem.c).
$AXON build "$MODEL" "$@" --emit obj -o "$tmp/m.o" -q >/dev/null
$CC -O2 -I runtime/include bench/coba/synmem.c "$tmp/m.o" -L"$LIBDIR" -Wl,-rpath,"$LIBDIR" \
    -laxonrt -lm -o "$tmp/synmem"

r=1
while [ "$r" -le "$REPEAT" ]; do
    for T in $THREADS; do
        # per projection synapses, the total (bytes, build time), the run, per population spikes
        "$tmp/synmem" 0 "$DUR" "$T" >"$tmp/run.$T.$r"
        echo "threads $T, repetition $r: $(grep '^total' "$tmp/run.$T.$r" | cut -d' ' -f4-);" \
             "$(grep '^run' "$tmp/run.$T.$r" | cut -d' ' -f2-3) (load $(cut -d' ' -f1 /proc/loadavg))"
    done
    r=$((r + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/microcircuit/table.py "$tmp" "$DUR" "$THREADS" "$REPEAT"
