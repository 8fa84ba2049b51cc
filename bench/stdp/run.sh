#!/bin/sh
# Plasticity benchmark (bench/stdp):
#  1. the Song, Miller & Abbott (2000) network (examples/stdp_song.axon: 1000 Poisson inputs,
#     one LIF neuron, additive pair STDP) for 100 s of model time, Axon vs Brian2 C++
#     standalone (tests/reference/brian2_song.py, the same model), side by side;
#  2. COBA with STDP on E -> E (bench/stdp/coba_stdp.axon) against the static COBA
#     (bench/coba/coba.axon) at N = 4,000 and 64,000, 1 thread: the slowdown plasticity adds.
# Prints Markdown tables. Times are the simulation loop (Axon: the summary's run time; Brian2:
# the standalone program's measured run time), best of --repeat runs.
#
# usage: bench/stdp/run.sh [--repeat R] [--sizes "N ..."] [--skip-brian]
# Environment: AXON (default ./axon), PYTHON (default /usr/bin/python3, with python3-brian).
# Not part of `make check`.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
REPEAT=3
SIZES="4000 64000"
SKIP_BRIAN=0
while [ $# -gt 0 ]; do
    case $1 in
    --repeat) REPEAT=$2; shift ;;
    --sizes) SIZES=$2; shift ;;
    --skip-brian) SKIP_BRIAN=1 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (--help)" >&2; exit 2 ;;
    esac
    shift
done
AXON=${AXON:-./axon}
PYTHON=${PYTHON:-/usr/bin/python3}
[ -x "$AXON" ] || { echo "run.sh: no $AXON (build the tree first)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-stdp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# best_run FILE ARGS...: the smallest "run X s" of REPEAT runs of axon run; also "compile"
best_run() {
    best=; comp=
    for r in $(seq "$REPEAT"); do
        "$AXON" run "$@" --threads 1 >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; exit 1; }
        t=$(sed -n 's/.*run \([0-9.e+-]*\) s.*/\1/p' "$tmp/out" | tail -1)
        c=$(sed -n 's/^compile \([0-9.e+-]*\) s.*/\1/p' "$tmp/out" | tail -1)
        if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then best=$t; comp=$c; fi
    done
    echo "$best $comp"
}

echo "## Song et al. (2000), 100 s of model time, 1 thread"
echo
set -- $(best_run examples/stdp_song.axon)
axon_song=$1 axon_comp=$2
if [ "$SKIP_BRIAN" = 0 ]; then
    echo "(building and running Brian2 standalone ...)" >&2
    "$PYTHON" tests/reference/brian2_song.py "$tmp/b2.json" --seeds 1 --no-profile >"$tmp/b2.log" 2>&1 ||
        { tail "$tmp/b2.log" >&2; exit 1; }
    b2=$("$PYTHON" -c "import json; s=json.load(open('$tmp/b2.json'))['seeds'][0]; print(s['run_s'], s['build_and_run_s'], s['rate_last10s'])")
    set -- $b2
    b2_run=$1 b2_build=$2 b2_rate=$3
else
    b2_run=nan b2_build=nan b2_rate=nan
fi
awk -v a="$axon_song" -v c="$axon_comp" -v b="$b2_run" -v bb="$b2_build" 'BEGIN {
    printf "| | Axon | Brian2 standalone | Brian2 / Axon |\n|---|---:|---:|---:|\n";
    printf "| simulation loop, s | %.3f | %.3f | %.1f |\n", a, b, b / a;
    printf "| real-time factor | %.4f | %.4f | |\n", a / 100, b / 100;
    printf "| ns per step (1000 Poisson sources, 1000 synapses) | %.0f | %.0f | |\n", a / 1e6 * 1e9, b / 1e6 * 1e9;
    printf "| source to running, s | %.2f | %.0f (build and run) | |\n", c, bb;
}'
echo
echo "## COBA with STDP on E -> E vs static COBA, 1 s, 1 thread"
echo
echo "| N | static run, s | plastic run, s | slowdown |"
echo "|---:|---:|---:|---:|"
for n in $SIZES; do
    set -- $(best_run bench/coba/coba.axon --set N=$n)
    st=$1
    set -- $(best_run bench/stdp/coba_stdp.axon --set N=$n)
    pl=$1
    awk -v n="$n" -v s="$st" -v p="$pl" 'BEGIN { printf "| %d | %.3f | %.3f | %.2fx |\n", n, s, p, p / s }'
done
