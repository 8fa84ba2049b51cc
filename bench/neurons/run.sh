#!/bin/sh
# Neuron-update benchmark: Axon (1 and 2 threads) vs a hand-written C loop vs Brian2 C++
# standalone (1 thread), for the stdlib LIF and Izhikevich neurons (bench/neurons/neurons.axon).
#
# usage: bench/neurons/run.sh [N [DURATION_MS]]     (defaults: N = 1000000, 1000 ms)
#   e.g. bench/neurons/run.sh 100000 200    for a quick run
# Environment: AXON (default ./axon), CC (default cc), CC2 (a second compiler for the C loop,
# default clang when installed; CC2= to skip), PYTHON (default /usr/bin/python3, the
# interpreter that has python3-brian), SKIP_BRIAN=1 to leave Brian2 out, MODELS (default
# "lif izh") to run only some of the models.
# Run from anywhere; needs a built tree (make). Not part of `make check`.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
N=${1:-1000000}
DUR=${2:-1000}
AXON=${AXON:-./axon}
CC=${CC:-cc}
if [ -z "${CC2+set}" ]; then CC2=$(command -v clang || true); fi
PYTHON=${PYTHON:-/usr/bin/python3}
SKIP_BRIAN=${SKIP_BRIAN:-0}
MODELS=${MODELS:-lif izh}
STEPS=$(awk -v d="$DUR" 'BEGIN { printf "%d", d / 0.1 + 0.5 }')

tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "neuron benchmark: N = $N, $DUR ms = $STEPS steps of 0.1 ms"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

$CC -O3 -march=native -I runtime/include bench/neurons/loop.c runtime/rng.c -lm -o "$tmp/loop"
[ -z "$CC2" ] || $CC2 -O3 -march=native -I runtime/include bench/neurons/loop.c runtime/rng.c -lm \
    -o "$tmp/loop2"
echo "C loop: $($CC --version | head -1)${CC2:+; second: $($CC2 --version | head -1)}"

# axon_run MODULE THREADS -> "run_s compile_s spikes"
axon_run() {
    $AXON run bench/neurons/neurons.axon -m "$1" --set "N=$N" -t "$DUR ms" --threads "$2" \
        >"$tmp/axon.out" 2>&1 || { cat "$tmp/axon.out" >&2; exit 1; }
    awk '/^compile/ { c = $2; r = $5 } $1 == "total" { s = $3 } END { print r, c, s }' \
        "$tmp/axon.out"
}

# field KEY LINE: the value of KEY=... in a key=value line
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

results="$tmp/results"
: >"$results"
for m in $MODELS; do
    case $m in
    lif) mod=LIFBench name=LIF ;;
    izh) mod=IzhBench name=Izhikevich ;;
    *) echo "unknown model '$m' (lif, izh)" >&2; exit 2 ;;
    esac
    echo "== $name" >&2
    set -- $(axon_run "$mod" 1)
    [ $# -eq 3 ] || { echo "axon run failed" >&2; exit 1; }
    a1_run=$1 a_comp=$2 a1_spk=$3
    echo "  Axon 1T: run $a1_run s, compile $a_comp s, $a1_spk spikes" >&2
    set -- $(axon_run "$mod" 2)
    [ $# -eq 3 ] || { echo "axon run failed" >&2; exit 1; }
    a2_run=$1 a2_spk=$3
    echo "  Axon 2T: run $a2_run s, $a2_spk spikes" >&2
    line=$("$tmp/loop" "$m" "$N" "$STEPS")
    c_run=$(field time_s "$line") c_spk=$(field spikes "$line")
    echo "  C loop:  run $c_run s, $c_spk spikes" >&2
    c2_run=nan c2_spk=nan
    if [ -n "$CC2" ]; then
        line=$("$tmp/loop2" "$m" "$N" "$STEPS")
        c2_run=$(field time_s "$line") c2_spk=$(field spikes "$line")
        echo "  C loop ($CC2): run $c2_run s, $c2_spk spikes" >&2
    fi
    if [ "$SKIP_BRIAN" = 1 ]; then
        b_run=nan b_build=nan b_make=nan b_spk=nan
    else
        line=$("$PYTHON" bench/neurons/brian2_bench.py "$m" "$N" "$DUR" "$tmp/brian2_$m" 2>/dev/null \
               | grep '^model=') || { echo "brian2_bench.py failed" >&2; exit 1; }
        b_run=$(field run_s "$line") b_build=$(field build_s "$line")
        b_make=$(field make_s "$line") b_spk=$(field spikes "$line")
        echo "  Brian2:  run $b_run s, build $b_build s (make $b_make s), $b_spk spikes" >&2
    fi
    echo "$name $a1_run $a2_run $c_run $b_run $a_comp $b_build $b_make $a1_spk $a2_spk $c_spk $b_spk $c2_run $c2_spk" >>"$results"
done

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
awk -v N="$N" -v S="$STEPS" '
function ns(t) { return t == "nan" ? "-" : sprintf("%.2f", t * 1e9 / (N * S)) }
function ratio(x, y) { return (x == "nan" || y == "nan" || y == 0) ? "-" : sprintf("%.2f", x / y) }
BEGIN {
    printf "ns per neuron update (run time / (N * steps)); C loop = cc, C loop 2 = CC2 (clang);\n"
    printf "compile = source to runnable code; Brian2 build = code generation + make\n\n"
    printf "| model | Axon 1T | Axon 2T | C loop | C loop 2 | Brian2 1T | Axon 1T / C | Axon 1T / C 2 | Brian2 / Axon 1T | Axon compile s | Brian2 build s (make) |\n"
    printf "|---|---|---|---|---|---|---|---|---|---|---|\n"
}
{
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %.3f | %s (%s) |\n", $1, ns($2), ns($3), ns($4),
           ns($13), ns($5), ratio($2, $4), ratio($2, $13), ratio($5, $2), $6,
           $7 == "nan" ? "-" : sprintf("%.1f", $7), $8 == "nan" ? "-" : sprintf("%.1f", $8)
    spk[NR] = $0
}
END {
    printf "\nspike counts\n\n| model | Axon 1T | Axon 2T | C loop | C loop 2 | Brian2 | Axon = C loops | Brian2 vs Axon |\n|---|---|---|---|---|---|---|---|\n"
    for (i = 1; i <= NR; i++) {
        split(spk[i], f, " ")
        same = (f[9] == f[10] && f[9] == f[11] && (f[14] == "nan" || f[14] == f[9])) ? "yes" : "NO"
        d = f[12] == "nan" ? "-" : sprintf("%+.3f %%", 100 * (f[12] - f[9]) / f[9])
        printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", f[1], f[9], f[10], f[11], f[14], f[12], same, d
    }
}' "$results"
