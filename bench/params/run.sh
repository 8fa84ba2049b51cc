#!/bin/sh
# The update kernels before and after run-time parameters (issue 10: "measure the update
# kernels before and after on bench/neurons and bench/coba: no slowdown beyond 3%").
#
# Before: an axon built from commit BASE (default 6d2e2f9, main just before shared parameters
# were loaded from the step context and derived quantities came from a derive kernel: they were
# folded into the kernels as numbers). After: an axon built from commit AFTER (default a1c696d,
# the change merged), or with AFTER=. this tree's axon (with --on-nan ignore: the non-finite
# check came later and is measured by bench/neurons/nan.sh). Same model files
# (bench/neurons/neurons.axon, bench/coba/coba.axon, unchanged since BASE), each build with its
# own stdlib (only reformatted since BASE), one thread, the same seed; the spike counts of the
# two builds must be equal (the results are bit-identical), else the script stops. (This
# tree's COBA gives other spikes than BASE's, for changes made after AFTER: compare this tree
# with AFTER=. only for LIF and Izhikevich, MODELS="lif izh".)
#
# Two figures per model:
#  - instructions executed in the simulation loop (callgrind --toggle-collect=axon_sim_run,
#    code for x86-64-v3): independent of the machine's load;
#  - CPU time (user + sys, /usr/bin/time) of the simulation loop: a long run minus a run of a
#    few steps, so compilation cancels out; ROUNDS rounds, the two builds alternating (which
#    goes first changes every round); median, min and max of the rounds, the ratio of the
#    medians, and the load average before and after.
#
# usage: bench/params/run.sh [ROUNDS]         (default 5)
# Environment: BASE, AFTER (commits; AFTER=. this tree), BASE_AXON, AFTER_AXON (axons already
# built from them: no build), MODELS (default "lif izh coba"), SKIP_CPU=1, SKIP_CALLGRIND=1. Needs git,
# autotools (to build the commits), valgrind. Not part of `make check`; takes about 25 minutes
# with the two builds on a quiet 2-core machine.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
ROUNDS=${1:-5}
BASE=${BASE:-6d2e2f9}
AFTER=${AFTER:-a1c696d}
MODELS=${MODELS:-lif izh coba}
unset AXON_STDLIB AXON_PATH
tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-params.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

echo "run-time parameters, update kernels: before = $BASE, after = $AFTER"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC')"
# build COMMIT DIR: an axon of that commit in DIR
build() {
    echo "building $1 (git archive, configure, make axon) ..."
    mkdir "$2"
    git archive "$1" | tar -x -C "$2"
    (cd "$2" && autoreconf -fi && ./configure && make -j2 axon) >"$2.log" 2>&1 ||
        { tail -30 "$2.log"; exit 1; }
}
if [ -z "${BASE_AXON:-}" ]; then
    build "$BASE" "$tmp/base"
    BASE_AXON="$tmp/base/axon"
fi
AFTER_OPTS=""
if [ "$AFTER" = . ]; then
    AFTER_AXON=./axon
    AFTER_OPTS="--on-nan ignore"
elif [ -z "${AFTER_AXON:-}" ]; then
    build "$AFTER" "$tmp/after"
    AFTER_AXON="$tmp/after/axon"
fi

# name file module N duration(long) duration(callgrind)
ALL="lif bench/neurons/neurons.axon LIFBench 100000 1s 30ms
izh bench/neurons/neurons.axon IzhBench 100000 500ms 30ms
coba bench/coba/coba.axon COBABench 4000 20s 300ms"
MODELS=$(echo "$ALL" | while read -r name rest; do
    case " $MODELS " in *" $name "*) echo "$name $rest" ;; esac
done)

# cpu BUILD FILE MODULE N DURATION [OPTS...] -> "cpu_seconds spikes"
cpu() {
    bin=$1 file=$2 mod=$3 n=$4 dur=$5
    shift 5
    /usr/bin/time -f "%U %S" -o "$tmp/time" "$bin" run "$file" -m "$mod" --set "N=$n" -t "$dur" \
        --seed 1 "$@" >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; exit 1; }
    awk 'NR == 1 { c = $1 + $2 } END { printf "%.3f", c }' "$tmp/time"
    awk '$1 == "total" { printf " %s\n", $3 }' "$tmp/out"
}

# the options of each build (this tree has the non-finite check, off here)
opts() { [ "$1" = after ] && echo "$AFTER_OPTS" || true; }
binary() { [ "$1" = after ] && echo "$AFTER_AXON" || echo "$BASE_AXON"; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$tmp/cpu"
[ "${SKIP_CPU:-0}" = 1 ] || echo "$MODELS" | while read -r name file mod n long cg; do
    for r in $(seq 1 "$ROUNDS"); do
        order="before after"
        [ $((r % 2)) -eq 0 ] && order="after before"
        for b in $order; do
            set -- $(cpu "$(binary $b)" "$file" "$mod" "$n" "$long" $(opts $b))
            t_long=$1 spikes=$2
            set -- $(cpu "$(binary $b)" "$file" "$mod" "$n" "0.5 ms" $(opts $b))
            echo "$name $b $r $t_long $1 $spikes" >>"$tmp/cpu"
            echo "  $name $b round $r: long $t_long s, short $1 s, $spikes spikes" >&2
        done
    done
done
echo "load average after the CPU times: $(cut -d' ' -f1-3 /proc/loadavg)"

# every run of a model, both builds: the same spike count
awk '{ k = $1; if (k in s && s[k] != $6) { print "spike counts differ for " k ": " s[k] " and " $6; bad = 1 } s[k] = $6 }
     END { exit bad }' "$tmp/cpu" || exit 1

[ "${SKIP_CPU:-0}" = 1 ] || {
echo
echo "CPU time of the simulation loop (long run minus a 5-step run), $ROUNDS rounds, seconds:"
echo
echo "| model | duration | before median (min-max) | after median (min-max) | after / before |"
echo "|---|---|---|---|---|"
echo "$MODELS" | while read -r name file mod n long cg; do
    for b in before after; do
        awk -v m="$name" -v b="$b" '$1 == m && $2 == b { print $4 - $5 }' "$tmp/cpu" | sort -g >"$tmp/$b"
    done
    awk -v name="$name N=$n" -v dur="$long" '
        function med(a, k) { return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
        FNR == 1 { f++ }
        f == 1 { x[++nx] = $1 } f == 2 { y[++ny] = $1 }
        END { printf "| %s | %s | %.3f (%.3f-%.3f) | %.3f (%.3f-%.3f) | %.3f |\n", name, dur,
              med(x, nx), x[1], x[nx], med(y, ny), y[1], y[ny], med(y, ny) / med(x, nx) }' \
        "$tmp/before" "$tmp/after"
done
}

if [ "${SKIP_CALLGRIND:-0}" != 1 ]; then
    command -v valgrind >/dev/null 2>&1 || { echo "valgrind is not installed"; exit 1; }
    echo
    echo "Instructions in the simulation loop (callgrind --toggle-collect=axon_sim_run, --target-cpu x86-64-v3):"
    echo
    echo "| model | duration | before | after | change |"
    echo "|---|---|---|---|---|"
    echo "$MODELS" | while read -r name file mod n long cg; do
        for b in before after; do
            # through the libtool wrapper of an uninstalled axon: every process, summed
            rm -f "$tmp"/cg.*
            valgrind --tool=callgrind --trace-children=yes --toggle-collect=axon_sim_run \
                --callgrind-out-file="$tmp/cg.%p" "$(binary $b)" run "$file" -m "$mod" --set "N=$n" \
                -t "$cg" --seed 1 -q --target-cpu x86-64-v3 $(opts $b) >"$tmp/out" 2>&1 ||
                { cat "$tmp/out" >&2; exit 1; }
            cat "$tmp"/cg.* | awk '/^summary:/ { s += $2 } END { print s }' >"$tmp/ir.$b"
            [ "$(cat "$tmp/ir.$b")" -gt 0 ] || { echo "callgrind counted nothing" >&2; exit 1; }
        done
        awk -v name="$name N=$n" -v dur="$cg" -v a="$(cat "$tmp/ir.before")" -v b="$(cat "$tmp/ir.after")" \
            'BEGIN { printf "| %s | %s | %.1f M | %.1f M | %+.2f%% |\n", name, dur, a / 1e6, b / 1e6, 100 * (b - a) / a }'
    done
fi
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
