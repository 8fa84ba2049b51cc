#!/bin/sh
# COBA benchmark: Axon vs Brian2 C++ standalone on the Vogels & Abbott (2005) network of Brette
# et al. (2007) (bench/coba/coba.axon, bench/coba/brian2_coba.py), 1 s of model time at
# dt = 0.1 ms, N neurons with 80 synapses per neuron on average (p = 80 / N), for several N and
# thread counts, side by side: for each (N, threads) Axon and Brian2 run alternating, the order
# swapped every repetition (Brian2 built once, its program run again). Prints progress to
# stderr and Markdown tables (bench/coba/table.py): medians (min-max) over the repetitions,
# ratios round by round, ns per synaptic event and per neuron update, each process's peak
# resident memory (bench/peakrss.c; Axon's is `axon run`'s, the compiler included), bytes per
# synapse, the load average before and after.
#
# usage: bench/coba/run.sh [options]
#   --quick            N = 4000 only (a smoke test: 1-3 minutes, nearly all of it Brian2's 2 builds)
#   --sizes "N ..."    sizes (default "4000 16000 64000 256000")
#   --threads "T ..."  thread counts (default "1 2")
#   --duration MS      model time (default 1000)
#   --repeat R         run every configuration R times, alternating (default 1)
#   --skip-brian       Axon only
#   --raw FILE         also keep the raw results (key=value lines) in FILE
# Environment: AXON (default ./axon), CC (default cc), PYTHON (default /usr/bin/python3, the
# interpreter that has python3-brian); OMP_* variables reach Brian2's OpenMP runs unchanged. Run
# from anywhere; needs a built tree (make). Not part of `make check`.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. bench/lib.sh
SIZES="4000 16000 64000 256000"
THREADS="1 2"
DUR=1000
REPEAT=1
SKIP_BRIAN=0
RAW=
K=80
bench_options "--quick SIZES=4000 --sizes SIZES --threads THREADS --duration DUR --repeat REPEAT --skip-brian SKIP_BRIAN=1 --raw RAW" "$@"
case $REPEAT in '' | *[!0-9]* | 0) echo "run.sh: --repeat needs a positive integer, not '$REPEAT'" >&2; exit 2 ;; esac
for n in $SIZES $THREADS; do
    case $n in '' | *[!0-9]* | 0) echo "run.sh: sizes and thread counts are positive integers, not '$n'" >&2; exit 2 ;; esac
done
awk -v d="$DUR" 'BEGIN { exit !(d + 0 > 0) }' || { echo "run.sh: --duration needs a positive number of ms, not '$DUR'" >&2; exit 2; }
AXON=${AXON:-./axon}
CC=${CC:-cc}
PYTHON=${PYTHON:-/usr/bin/python3}
LIBDIR=$root/.libs
[ -x "$AXON" ] || { echo "run.sh: no $AXON (build the tree first: ./configure && make)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-coba.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
results=$tmp/results
: >"$results"

now() { date +%s.%N; }
# field KEY LINE: the value of KEY=... in a key=value line
field() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

echo "COBA benchmark: N in {$SIZES}, threads in {$THREADS}, $DUR ms at dt = 0.1 ms, K = $K," \
     "$REPEAT repetitions alternating"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores," \
     "$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo);" \
     "$(date -u '+%Y-%m-%d %H:%M UTC')"
echo "Axon: $($AXON --version 2>&1 | head -1), $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
[ "$SKIP_BRIAN" = 1 ] || echo "Brian2: $("$PYTHON" -c 'import brian2; print(brian2.__version__)' \
    2>/dev/null), $(g++ --version | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "load=$(cut -d' ' -f1 /proc/loadavg) when=before" >>"$results"

$CC -O2 bench/peakrss.c -o "$tmp/peakrss"
# rss: the peak resident memory of the last command run by "$tmp/peakrss" "$tmp/rss"
rss() { field peak_rss_mib "$(cat "$tmp/rss")"; }

# axon_once N T: one `axon run`, its line in the results
axon_once() {
    t0=$(now)
    "$tmp/peakrss" "$tmp/rss" $AXON run bench/coba/coba.axon --set "N=$1" --set "K=$K" \
        -t "$DUR ms" --threads "$2" >"$tmp/axon.out" 2>&1 || { cat "$tmp/axon.out" >&2; exit 1; }
    t1=$(now)
    line=$(awk -v w="$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" '
        /^compile/ { c = $2; r = $5 }
        $1 == "E" { se = $3; re = $4 } $1 == "I" { si = $3; ri = $4 }
        END { printf "compile_s=%s run_s=%s spikes_E=%s spikes_I=%s rate_E=%s rate_I=%s wall_s=%.3f",
              c, r, se, si, re, ri, w }' "$tmp/axon.out")
    echo "sim=axon N=$1 threads=$2 $line peak_rss_mib=$(rss)" >>"$results"
    echo "  Axon   ${2}T: $line" >&2
}

# brian_main: Brian2's built program run again under peakrss
brian_main() {
    (cd "$tmp/brian2" && "$tmp/peakrss" "$tmp/rss" ./main >/dev/null 2>&1) \
        || { echo "Brian2's program failed" >&2; exit 1; }
}

# brian_rss N T: Brian2's program run once more, untimed, for its peak resident memory alone
# (the build's run is started by Python, whose memory would be its floor)
brian_rss() {
    brian_main
    echo "sim=brian2 N=$1 threads=$2 rssonly=1 peak_rss_mib=$(rss)" >>"$results"
}

# brian_once N T FIRST: Brian2's build and run (FIRST = 1), else its program run again
brian_once() {
    if [ "$3" = 1 ]; then
        rm -rf "$tmp/brian2"
        t0=$(now)
        line=$("$PYTHON" bench/coba/brian2_coba.py "$1" --threads "$2" --duration "$DUR" \
               -K "$K" --dir "$tmp/brian2" 2>"$tmp/brian2.err" | grep '^N=') \
            || { cat "$tmp/brian2.err" >&2; echo "brian2_coba.py failed" >&2; exit 1; }
        t1=$(now)
        line=$(printf '%s\n' "$line" | sed "s/ flags='.*'//")
        echo "sim=brian2 $line script_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" >>"$results"
    else
        brian_main
        line="run_s=$(cut -d' ' -f1 "$tmp/brian2/results/last_run_info.txt") peak_rss_mib=$(rss)"
        echo "sim=brian2 N=$1 threads=$2 rerun=1 $line" >>"$results"
    fi
    echo "  Brian2 ${2}T: $line" >&2
}

for N in $SIZES; do
    # synapse memory, from the runtime's accounting (synmem.c; axon run does not print it)
    $AXON build bench/coba/coba.axon --emit obj -o "$tmp/m.o" --set "N=$N" --set "K=$K" -q \
        >/dev/null
    $CC -O2 -I runtime/include bench/coba/synmem.c "$tmp/m.o" -L"$LIBDIR" -Wl,-rpath,"$LIBDIR" \
        -laxonrt -lm -o "$tmp/synmem"
    line=$("$tmp/synmem" | grep '^total')
    echo "sim=axonmem N=$N synapses=$(field synapses "$line")" \
         "bytes_per_synapse=$(field bytes_per_synapse "$line") setup_s=$(field setup_s "$line")" \
         >>"$results"
    echo "== N = $N: $(field synapses "$line") synapses," \
         "$(field bytes_per_synapse "$line") B/synapse (Axon), setup $(field setup_s "$line") s" >&2
    for T in $THREADS; do
        r=0
        while [ $r -lt "$REPEAT" ]; do
            # the order swapped every repetition
            if [ "$SKIP_BRIAN" = 1 ]; then
                axon_once "$N" "$T"
            elif [ $((r % 2)) = 0 ]; then
                axon_once "$N" "$T"
                brian_once "$N" "$T" $((r == 0))
            else
                brian_once "$N" "$T" 0
                axon_once "$N" "$T"
            fi
            r=$((r + 1))
        done
        # one repetition: Brian2's memory from a run of its own
        [ "$SKIP_BRIAN" = 1 ] || [ "$REPEAT" != 1 ] || brian_rss "$N" "$T"
        rm -rf "$tmp/brian2"
    done
done
echo "load=$(cut -d' ' -f1 /proc/loadavg) when=after" >>"$results"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -z "$RAW" ] || cp "$results" "$RAW"
echo
"$PYTHON" bench/coba/table.py --duration "$DUR" -K "$K" "$results"
