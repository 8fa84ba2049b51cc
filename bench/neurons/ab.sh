#!/bin/sh
# Neuron updates at N neurons, CPU time, alternating sides in rounds: Axon at two builds (A: the
# base, B: this tree), the hand-written C loop (gcc and clang) and Brian2's standalone binary,
# for the stdlib LIF and Izhikevich (bench/neurons/neurons.axon, brian2_bench.py). Each side's
# figure is the user + sys CPU seconds of its whole process (/usr/bin/time): Axon's includes its
# compile and init, Brian2's its binary's init (the project is built once, before the rounds).
# Meant for a shared machine, where wall times mean little; run.sh gives the loops' own timers.
#
# usage: bench/neurons/ab.sh [N [STEPS [ROUNDS]]]    (defaults: 1000000 2000 4)
# Environment: AXON_BASE (the A side's axon, required), AXON_BASE_LIB (its libaxonrt folder),
# MODELS (default "lif izh"), CC2 (default clang), PYTHON (default /usr/bin/python3),
# SKIP_BRIAN=1, THREADS (default 1: Axon's --threads on both sides).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
N=${1:-1000000}
STEPS=${2:-2000}
ROUNDS=${3:-4}
: "${AXON_BASE:?AXON_BASE: the axon of the base side}"
AXON_BASE_LIB=${AXON_BASE_LIB:-$(dirname "$AXON_BASE")/.libs}
MODELS=${MODELS:-lif izh}
CC2=${CC2:-clang}
PYTHON=${PYTHON:-/usr/bin/python3}
SKIP_BRIAN=${SKIP_BRIAN:-0}
THREADS=${THREADS:-1}
DUR=$(awk -v s="$STEPS" 'BEGIN { printf "%g", s * 0.1 }')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-ab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cc -O3 -march=native -I runtime/include bench/neurons/loop.c runtime/rng.c -lm -o "$tmp/loop_gcc"
"$CC2" -O3 -march=native -I runtime/include bench/neurons/loop.c runtime/rng.c -lm \
    -o "$tmp/loop_clang"

echo "ab: N = $N, $STEPS steps of 0.1 ms, $ROUNDS rounds, Axon --threads $THREADS"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "A: $AXON_BASE ($AXON_BASE_LIB); B: ./axon ($(git rev-parse --short HEAD))"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$SKIP_BRIAN" != 1 ]; then
    for m in $MODELS; do
        "$PYTHON" bench/neurons/brian2_bench.py "$m" "$N" "$DUR" "$tmp/brian_$m" 2>/dev/null |
            grep '^model=' >"$tmp/brian_$m.line"
    done
fi

# cpu FILE: user + sys seconds from /usr/bin/time -f '%U %S'
cpu() { tail -1 "$1" | awk '{ printf "%.3f", $1 + $2 }'; }

# side NAME MODEL: runs one side once, prints "NAME cpu_s spikes"
side() {
    case $2 in lif) mod=LIFBench ;; izh) mod=IzhBench ;; esac
    case $1 in
    A) LD_LIBRARY_PATH=$AXON_BASE_LIB /usr/bin/time -f '%U %S' -o "$tmp/t" "$AXON_BASE" run \
           bench/neurons/neurons.axon -m "$mod" --set "N=$N" -t "$DUR ms" --threads "$THREADS" \
           >"$tmp/o" 2>&1
       spk=$(awk '$1 == "total" { print $3 }' "$tmp/o") ;;
    B) /usr/bin/time -f '%U %S' -o "$tmp/t" ./axon run bench/neurons/neurons.axon -m "$mod" \
           --set "N=$N" -t "$DUR ms" --threads "$THREADS" >"$tmp/o" 2>&1
       spk=$(awk '$1 == "total" { print $3 }' "$tmp/o") ;;
    gcc | clang)
       /usr/bin/time -f '%U %S' -o "$tmp/t" "$tmp/loop_$1" "$2" "$N" "$STEPS" >"$tmp/o"
       spk=$(tr ' ' '\n' <"$tmp/o" | sed -n 's/^spikes=//p') ;;
    brian)
       (cd "$tmp/brian_$2" && /usr/bin/time -f '%U %S' -o "$tmp/t" ./main >/dev/null 2>&1)
       spk=$(sed 's/.*spikes=\([0-9]*\).*/\1/' "$tmp/brian_$2.line") ;;
    esac
    echo "$1 $(cpu "$tmp/t") $spk"
}

sides="A B clang gcc"
[ "$SKIP_BRIAN" = 1 ] || sides="$sides brian"
for r in $(seq "$ROUNDS"); do
    for m in $MODELS; do
        # rotate the order each round
        order=$(echo "$sides" | tr ' ' '\n' | awk -v r="$r" '{ a[NR] = $0 } END {
            for (i = 0; i < NR; i++) print a[(i + r - 1) % NR + 1] }' | tr '\n' ' ')
        for s in $order; do
            echo "$m $r $(side "$s" "$m")" | tee -a "$tmp/all"
        done
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

awk -v N="$N" -v S="$STEPS" '
function med(k,   n, i, j, t, v) {
    n = split(vals[k], v, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    lo[k] = v[1]; hi[k] = v[n]
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
{ k = $1 " " $3; vals[k] = vals[k] " " $4; spk[k] = spk[k] " " $5; seen[$1] = 1; side[$3] = 1 }
END {
    print "\nCPU s per side, median (min-max); ns per update = median / (N * steps)"
    for (m in seen) for (s in side) { k = m " " s; if (k in vals) {
        md = med(k); printf "%s %-5s %.3f (%.3f-%.3f)  %.3f ns  spikes:%s\n", m, s, md, lo[k], hi[k], md * 1e9 / (N * S), spk[k] } }
}' "$tmp/all"
# the per-round ratios
awk '{ v[$1 " " $2 " " $3] = $4; m[$1] = 1; if ($2 > R) R = $2 }
END { for (k in m) for (r = 1; r <= R; r++)
    printf "%s round %d: B/A %.3f  B/clang %.3f  B/gcc %.3f  brian/B %s\n", k, r,
        v[k " " r " B"] / v[k " " r " A"], v[k " " r " B"] / v[k " " r " clang"],
        v[k " " r " B"] / v[k " " r " gcc"], (k " " r " brian") in v ? sprintf("%.3f", v[k " " r " brian"] / v[k " " r " B"]) : "-" }' "$tmp/all"
