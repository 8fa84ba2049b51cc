#!/bin/sh
# The cost of the non-finite check (axon run --on-nan): the neuron benchmark's models
# (bench/neurons/neurons.axon) run with --on-nan ignore (no check) and --on-nan stop (the
# default: a pass over the state every 64 steps), alternating, ROUNDS times each, as
# executables built once by axon build. Two figures per run: the CPU time of the process
# (user + system, from /usr/bin/time: steadier than wall time on a shared machine, where other
# processes take the cores; getrusage of the child, in microseconds) and the wall time of the
# simulation loop (the summary's "run").
#
# usage: bench/neurons/nan.sh [N [DURATION_MS [ROUNDS]]]   (defaults: 100000, 1000 ms, 11)
# Environment: AXON (default ./axon), MODELS (default "lif izh"), PYTHON (default python3: any
# Python 3, for getrusage). Not part of `make check`.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
N=${1:-100000}
DUR=${2:-1000}
ROUNDS=${3:-11}
AXON=${AXON:-./axon}
MODELS=${MODELS:-lif izh}
PYTHON=${PYTHON:-python3}

echo "non-finite check: N = $N, $DUR ms, $ROUNDS rounds, 1 thread, alternating"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-nan.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

# run EXE ACTION: "cpu_s wall_s" of one run
run() {
    $PYTHON -c '
import resource, subprocess, sys
subprocess.run(sys.argv[2:], check=True, stdout=open(sys.argv[1], "w"))
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print("%.4f" % (r.ru_utime + r.ru_stime), end=" ")' "$tmp/out" "$1" -t "$DUR ms" --threads 1 --on-nan "$2" || exit 1
    awk '/^run / { print $2 }' "$tmp/out"
}

echo "| model | --on-nan | CPU s: median | min | max | wall s (loop): median | min | max |"
echo "|---|---|---|---|---|---|---|---|"
for m in $MODELS; do
    case $m in
    lif) mod=LIFBench ;;
    izh) mod=IzhBench ;;
    *) echo "unknown model '$m' (lif, izh)" >&2; exit 2 ;;
    esac
    $AXON build bench/neurons/neurons.axon -m $mod --set "N=$N" -o "$tmp/$m"
    : >"$tmp/ignore"
    : >"$tmp/stop"
    r=0
    while [ $r -lt "$ROUNDS" ]; do
        run "$tmp/$m" ignore >>"$tmp/ignore"
        run "$tmp/$m" stop >>"$tmp/stop"
        r=$((r + 1))
    done
    for a in ignore stop; do
        sort -n -k1,1 "$tmp/$a" | awk -v m="$mod" -v a="$a" '{ c[NR] = $1 } END {
            printf "| %s | %s | %.4f | %.4f | %.4f |", m, a, NR % 2 ? c[(NR+1)/2] : (c[NR/2] + c[NR/2+1]) / 2, c[1], c[NR] }'
        sort -n -k2,2 "$tmp/$a" | awk '{ w[NR] = $2 } END {
            printf " %.3f | %.3f | %.3f |\n", NR % 2 ? w[(NR+1)/2] : (w[NR/2] + w[NR/2+1]) / 2, w[1], w[NR] }'
    done
    # the cost: the ratio of the medians, and the median of the pairs' ratios (round r of
    # stop against round r of ignore: neighbours in time see similar load)
    paste "$tmp/ignore" "$tmp/stop" | awk '{ r[NR] = $3 / $1 } END {
        n = NR; for (i = 2; i <= n; i++) for (j = i; j > 1 && r[j-1] > r[j]; j--) { t = r[j]; r[j] = r[j-1]; r[j-1] = t }
        printf "%s: CPU time of the check, median of the paired ratios: %+.2f%% (pairs from %+.2f%% to %+.2f%%)\n", "'$mod'",
            100 * ((n % 2 ? r[(n+1)/2] : (r[n/2] + r[n/2+1]) / 2) - 1), 100 * (r[1] - 1), 100 * (r[n] - 1) }' >>"$tmp/cost"
done
cat "$tmp/cost"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
