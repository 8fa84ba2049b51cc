#!/bin/sh
# The neuron half of the microcircuit's step: the update kernel of PotjansLIF
# (examples/microcircuit.axon: exact integration, the Poisson background drawn in the neuron, the
# refractory counter) alone, on the microcircuit's eight populations without synapses
# (bench/microcircuit/neurons.axon, 77,169 neurons at scale 1). The model is compiled with
# `axon build --emit obj` and linked with bench/coba/synmem.c; each run reports the CPU time of
# the simulation loop, from which the CPU time per neuron update follows (it includes the
# runtime's step, spike compaction and recording: 1-3% with no synapses). With AXON_B (a second
# compiler, e.g. another tree's ./axon), the two builds run alternately, the same number of
# times, and must give the same spikes unless the model's code differs on purpose.
#
# usage: bench/microcircuit/neurons.sh [options]
#   --scale S        neuron-count scale (default 1)
#   --duration MS    model time per run (default 1000)
#   --repeat R       runs per build (default 5)
#   --threads T      threads (default 1)
#   --model FILE     the model file (default bench/microcircuit/neurons.axon; its module
#                    MicrocircuitNeurons)
#   --model-b FILE   the model file of build B (default: FILE)
# Environment: AXON (default ./axon), AXON_B (none), CC (default cc). Needs a built tree (make).
# Not part of `make check`. Example (bench/HISTORY.md): nice -n 10 bench/microcircuit/neurons.sh
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. bench/lib.sh
SCALE=1
DUR=1000
REPEAT=5
THREADS=1
MODEL=bench/microcircuit/neurons.axon
MODEL_B=
bench_options "--scale SCALE --duration DUR --repeat REPEAT --threads THREADS --model MODEL --model-b MODEL_B" "$@"
AXON=${AXON:-./axon}
AXON_B=${AXON_B:-}
CC=${CC:-cc}
[ -x "$AXON" ] || { echo "neurons.sh: no $AXON (build the tree first: ./configure && make)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-mcn.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

build() { # build NAME COMPILER MODEL
    "$2" build "$3" -m MicrocircuitNeurons --set "scale=$SCALE" --emit obj -o "$tmp/$1.o" -q >/dev/null
    $CC -O2 -I runtime/include bench/coba/synmem.c "$tmp/$1.o" -L"$root/.libs" \
        -Wl,-rpath,"$root/.libs" -laxonrt -lm -o "$tmp/$1"
}
build A "$AXON" "$MODEL"
BUILDS=A
if [ -n "$AXON_B$MODEL_B" ]; then
    build B "${AXON_B:-$AXON}" "${MODEL_B:-$MODEL}"
    BUILDS="A B"
fi
N=$("$tmp/A" 0 0 1 | awk -F'neurons=' '/^pop=/ { split($2, a, " "); n += a[1] } END { print n }')
echo "microcircuit neurons: $N neurons, $DUR ms at dt = 0.1 ms, $THREADS thread(s), $REPEAT runs per build"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "A: $AXON $MODEL ($(git rev-parse --short HEAD 2>/dev/null || echo '?'))${AXON_B:+; B: $AXON_B}${MODEL_B:+; B: $MODEL_B}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
r=1
while [ "$r" -le "$REPEAT" ]; do
    for b in $BUILDS; do
        "$tmp/$b" 0 "$DUR" "$THREADS" | awk -v b="$b" '/^run / {
            for (i = 2; i <= NF; i++) { if ($i ~ /^cpu_s=/) c = $i; if ($i ~ /^spikes=/) s = $i }
            print b, c, s }' >>"$tmp/runs"
    done
    r=$((r + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v n="$N" -v dur="$DUR" '
    { split($2, c, "="); cpu[$1] = cpu[$1] " " c[2]; sp[$1] = $3; k[$1]++; v[$1, k[$1]] = c[2] }
    END {
        updates = n * int(dur / 0.1 + 0.5)
        for (b = 1; b <= 2; b++) {
            name = b == 1 ? "A" : "B"
            if (!(name in k)) continue
            m = k[name]
            for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
                if (v[name, j] < v[name, i]) { t = v[name, i]; v[name, i] = v[name, j]; v[name, j] = t }
            med = m % 2 ? v[name, (m + 1) / 2] : (v[name, m / 2] + v[name, m / 2 + 1]) / 2
            printf "%s: CPU s%s; median %.3f s = %.3f ns per neuron update (range %.3f-%.3f); %s\n",
                name, cpu[name], med, med / updates * 1e9, v[name, 1] / updates * 1e9,
                v[name, m] / updates * 1e9, sp[name]
            mb[name] = med
        }
        if ("B" in mb) printf "B / A (medians): %.3f\n", mb["B"] / mb["A"]
    }' "$tmp/runs"
