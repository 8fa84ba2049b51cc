#!/bin/sh
# The REPL's latency and speed (issue: "From pressing Enter on a neuron definition to it being
# usable: under 50 ms; :run of COBA (4,000 neurons, 100 ms) at the same speed as axon run").
#
# Each round runs one scripted session (axon repl < script) that, after importing the stdlib,
# times with :time (wall clock inside the REPL, the time from the entry's Enter to the next
# prompt): a new neuron definition (the 1st, 5th and 20th of the session: each is checked with
# all earlier ones), the simulation COBA(N = 4000) (instantiation and native code), and
# :run sim 100 ms; then, alternating, one `axon run bench/coba/coba.axon -t 100ms` (its
# summary's run time: the same simulation loop). Prints the median and range over the rounds,
# and the load average before and after.
#
# usage: bench/repl/run.sh [ROUNDS]      (default 7). Environment: AXON (default ./axon).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
AXON=${AXON:-./axon}
ROUNDS=${1:-7}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
{
    echo 'import "std/neurons/lif"'
    echo ':load bench/coba/coba.axon'
    i=1
    while [ $i -le 20 ]; do
        body="neuron N$i { parameters { tau = 10 ms } state { v = 0 mV } equations { v' = -v / tau } }"
        case $i in 1|5|20) echo ":time $body" ;; *) echo "$body" ;; esac
        i=$((i + 1))
    done
    echo ':time sim = COBABench(N = 4000)'
    echo ':time :run sim 100 ms'
} >"$tmp/session.axr"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$tmp/times"
r=1
while [ "$r" -le "$ROUNDS" ]; do
    NO_COLOR=1 "$AXON" repl <"$tmp/session.axr" >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
    grep '^time:' "$tmp/out" | awk -v r="$r" '{ print r, NR, $2 }' >>"$tmp/times"
    run=$("$AXON" run bench/coba/coba.axon -t 100ms | sed -n 's/.*run \([0-9.]*\) s.*/\1/p')
    echo "$r 9 $(awk -v s="$run" 'BEGIN { print s * 1000 }')" >>"$tmp/times"
    r=$((r + 1))
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
awk '
function stats(k, label,   n, i, j, t, a) {
    n = 0
    for (i in v) { split(i, a, SUBSEP); if (a[1] == k) x[++n] = v[i] }
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
    printf "| %-44s | %9.2f | %9.2f | %9.2f |\n", label, (n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2), x[1], x[n]
    med[k] = (n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2)
    delete x
}
{ v[$2, $1] = $3 }
END {
    print "| what (ms) | median | min | max |"
    print "|---|---|---|---|"
    stats(1, "1st neuron definition, Enter to usable")
    stats(2, "5th neuron definition")
    stats(3, "20th neuron definition")
    stats(4, "sim = COBABench(N = 4000): instantiate + JIT")
    stats(5, ":run sim 100 ms (REPL, whole command)")
    stats(9, "axon run -t 100ms: simulation loop")
    printf "\n:run / axon run (medians): %.2f\n", med[5] / med[9]
}' "$tmp/times"
