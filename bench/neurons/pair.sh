#!/bin/sh
# What two cores give one kernel: the hand-written C loop (bench/neurons/loop.c) of MODEL
# run alone, then two copies at once (one per core), alternating, ROUNDS times. Two copies
# share nothing but the machine (memory bandwidth, caches, the host's scheduling of the VM's
# cores, clocks), so 2 * alone / pair is the most a 2-thread run of the same kernel can reach
# on this machine; set Axon's 2-thread speed-up (run.sh) against it. Wall time of the step
# loops (loop.c's own timer): meaningful only on an otherwise idle machine, so the load
# average is printed before and after.
#
# usage: bench/neurons/pair.sh [MODEL [N [STEPS [ROUNDS]]]]   (defaults: izh 1000000 2000 3)
#   MODEL: lif or izh. Environment: CC (default cc).
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
case ${1:-} in -h | --help) sed -n '2,/^[^#]/s/^# \{0,1\}\(.*\)/\1/p' "$0"; exit 0 ;; esac
MODEL=${1:-izh}
N=${2:-1000000}
STEPS=${3:-2000}
ROUNDS=${4:-3}
case $MODEL in lif | izh) ;; *) echo "pair.sh: unknown model '$MODEL' (lif, izh)" >&2; exit 2 ;; esac
CC=${CC:-cc}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-pair.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
$CC -O3 -march=native -I runtime/include bench/neurons/loop.c runtime/rng.c -lm -o "$tmp/loop"

# t LINE: loop.c's time_s
t() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n 's/^time_s=//p'; }

echo "pair: $MODEL, N = $N, $STEPS steps; $($CC --version | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq "$ROUNDS"); do
    alone=$(t "$("$tmp/loop" "$MODEL" "$N" "$STEPS")")
    "$tmp/loop" "$MODEL" "$N" "$STEPS" >"$tmp/p1" &
    p1=$!
    "$tmp/loop" "$MODEL" "$N" "$STEPS" >"$tmp/p2"
    wait "$p1"
    a=$(t "$(cat "$tmp/p1")") b=$(t "$(cat "$tmp/p2")")
    awk -v r="$r" -v s="$alone" -v a="$a" -v b="$b" 'BEGIN {
        m = a > b ? a : b
        printf "round %d: alone %.3f s, pair %.3f and %.3f s: two cores give %.2fx\n", r, s, a, b, 2 * s / m }'
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
