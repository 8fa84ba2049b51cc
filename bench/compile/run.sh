#!/bin/sh
# Compile-time benchmark: source to running code for every example (examples/*.axon), as the
# CPU time (user + system) of `axon run --dry-run FILE`: the whole process, from reading the
# source through checking, lowering, code generation, optimisation and the JIT's machine code
# to the descriptor of the model, then the memory estimate instead of the network (building
# the network is the runtime's work and grows with the model's size, not with its source).
# In a build tree, where `axon` is libtool's wrapper script, the program it starts is timed
# (as installed; the script adds about 8 ms).
# CPU time, not wall time: the machine may be shared. Each example runs R times; with a
# baseline (BASELINE, another tree's axon) the two alternate within every repetition. Prints
# the median and the range (min-max) in seconds, the baseline's and the ratio, and the load
# average before and after, as a Markdown table.
#
# usage: bench/compile/run.sh [options] [FILE.axon ...]   (default: examples/*.axon)
#   --repeat R        runs per example and tree (default 5)
#   --target S        mark examples whose median is above S seconds (default 0.2)
# Environment: AXON (default ./axon), BASELINE (an axon to compare with, e.g. the libtool
# wrapper of a second build tree; default none). Needs a built tree (make) and python3 (for
# the CPU time of a child process). Not part of `make check`. Example (bench/RESULTS.md):
#   BASELINE=/tmp/base-tree/axon bench/compile/run.sh --repeat 7
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
REPEAT=5
TARGET=0.2
while [ $# -gt 0 ]; do
    case $1 in
    --repeat) REPEAT=$2; shift ;;
    --target) TARGET=$2; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option '$1' (--help)" >&2; exit 2 ;;
    *) break ;;
    esac
    shift
done
case $REPEAT in ''|*[!0-9]*|0) echo "run.sh: --repeat needs a positive count, not '$REPEAT'" >&2; exit 2 ;; esac
AXON=${AXON:-./axon}
BASELINE=${BASELINE:-}
[ -x "$AXON" ] || { echo "run.sh: no $AXON (build the tree first: ./configure && make)" >&2; exit 1; }
[ -z "$BASELINE" ] || [ -x "$BASELINE" ] || { echo "run.sh: BASELINE '$BASELINE' is not executable" >&2; exit 1; }
if [ $# -eq 0 ]; then set -- examples/*.axon; fi

# program AXON: the program itself, with the library path it needs, where AXON is the libtool
# wrapper script of a build tree (which costs about 8 ms of shell and sed before it starts the
# program); else AXON
program() {
    d=$(dirname "$1")
    if [ -x "$d/.libs/$(basename "$1")" ] && head -c 200 "$1" | grep -q '^#! */bin/.*sh'; then
        echo "env LD_LIBRARY_PATH=$(cd "$d" && pwd)/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} $d/.libs/$(basename "$1")"
    else
        echo "$1"
    fi
}

# cpu "PROGRAM" FILE: the CPU seconds of `PROGRAM run --dry-run FILE` (fails if the run does)
cpu() {
    python3 -c '
import resource, subprocess, sys
def cpu():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime
t0 = cpu()  # children of this process before it ran (a launcher such as pyenv exec-ing it)
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if r.returncode != 0:
    sys.stderr.write(r.stderr.decode(errors="replace"))
    sys.exit(1)
print("%.4f" % (cpu() - t0))
' $1 run --dry-run "$2"
}

# stats "x1 x2 ...": median and range
stats() {
    printf '%s\n' $1 | sort -g | awk '{ v[NR] = $1 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%.3f %.3f %.3f\n", m, v[1], v[NR] }'
}

PROG=$(program "$AXON")
[ -z "$BASELINE" ] || BPROG=$(program "$BASELINE")
echo "compile benchmark: CPU time of \`axon run --dry-run\`, $REPEAT runs per example${BASELINE:+, alternating with $BASELINE}"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "program: $PROG${BASELINE:+; baseline: $BPROG}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
if [ -n "$BASELINE" ]; then
    echo "| example | CPU s, median (range) | baseline CPU s, median (range) | baseline / this |"
    echo "|---|---|---|---|"
else
    echo "| example | CPU s, median (range) |"
    echo "|---|---|"
fi
over=0
for f in "$@"; do
    a=
    b=
    r=0
    while [ "$r" -lt "$REPEAT" ]; do
        a="$a $(cpu "$PROG" "$f")"
        [ -z "$BASELINE" ] || b="$b $(cpu "$BPROG" "$f")"
        r=$((r + 1))
    done
    set -- $(stats "$a")
    mark=$(awk -v m="$1" -v t="$TARGET" 'BEGIN { print (m > t) ? " (over)" : "" }')
    [ -z "$mark" ] || over=$((over + 1))
    line="| $(basename "$f" .axon) | $1 ($2-$3)$mark |"
    if [ -n "$BASELINE" ]; then
        m=$1
        set -- $(stats "$b")
        line="$line $1 ($2-$3) | $(awk -v a="$m" -v b="$1" 'BEGIN { printf "%.2f", (a > 0) ? b / a : 0 }') |"
    fi
    echo "$line"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "examples with a median above $TARGET s: $over"
