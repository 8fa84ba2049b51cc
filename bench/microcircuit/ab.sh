#!/bin/sh
# Microcircuit A/B: one model object (examples/microcircuit.axon, axon build --emit obj, linked
# with bench/coba/synmem.c) run with two runtimes, another build's (AXON_BASE_LIB, its .libs)
# and this tree's (.libs), through LD_LIBRARY_PATH, the sides alternating within each
# repetition and thread count. Prints each run's loop CPU time (all threads) and wall time,
# then per side and thread count the median (min-max) of the loop CPU time and its ratio new /
# base, and the load average before and after. The same spikes on both sides are checked (the
# run's total): a runtime that changes results is reported, not timed.
# With --new-opts the new side runs a second object, compiled with those options as well
# (--new-opts "--synapse-precision single": float weights); AXON_BASE_LIB may then be this
# tree's .libs to compare the options alone. Its spikes may differ: they are printed, not
# checked. Both objects' bytes per synapse (synmem's total line) are printed first.
# With AXON_BASE (another build's axon) the base side's object is compiled by it, against its
# own headers and bench/coba/synmem.c (its tree: the folder of AXON_BASE), and linked with
# AXON_BASE_LIB (default: that tree's .libs): for a change of the model's code or of the ABI,
# which the other runtime could not run. The spikes must still agree.
#
# usage: AXON_BASE_LIB=/path/to/base/.libs bench/microcircuit/ab.sh [options]
#   --scale S          neuron-count scale (default 0.5)
#   --k-scale K        in-degree scale (default 1: full-length rows, as at full scale)
#   --threads "T ..."  thread counts (default "2 1")
#   --duration MS      model time (default 500)
#   --repeat R         repetitions (default 5)
#   --new-opts OPTS    compiler options of the new side's model (default none: one object)
#   --opts OPTS        compiler options of both sides' models (with AXON_BASE: the same
#                      work, e.g. "--synapse-precision single" on both)
# Environment: AXON (default ./axon), AXON_BASE (see above), CC (default cc). Not part of
# `make check`.
set -eu

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
. bench/lib.sh
SCALE=0.5
KSCALE=1
THREADS="2 1"
DUR=500
REPEAT=5
NEW_OPTS=
OPTS=
bench_options "--scale SCALE --k-scale KSCALE --threads THREADS --duration DUR --repeat REPEAT --new-opts NEW_OPTS --opts OPTS" "$@"
AXON=${AXON:-./axon}
CC=${CC:-cc}
if [ -n "${AXON_BASE:-}" ]; then
    AXON_BASE_LIB=${AXON_BASE_LIB:-$(dirname "$AXON_BASE")/.libs}
fi
[ -n "${AXON_BASE_LIB:-}" ] || { echo "ab.sh: set AXON_BASE_LIB to the base build's .libs" >&2; exit 2; }
[ -x "$AXON" ] || { echo "ab.sh: no $AXON (build the tree first)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/axon-mcab.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
echo "Microcircuit A/B: scale $SCALE, k_scale $KSCALE, $DUR ms, threads {$THREADS}, $REPEAT rounds;" \
     "new side's options: '${NEW_OPTS}'; both sides': '${OPTS}';" \
     "base $AXON_BASE_LIB, new $root/.libs ($(git rev-parse --short HEAD 2>/dev/null || echo '?'));" \
     "$(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086 # the options are words
$AXON build examples/microcircuit.axon --set "scale=$SCALE" --set "k_scale=$KSCALE" $OPTS --emit obj \
    -o "$tmp/m.o" -q >/dev/null
$CC -O2 -I runtime/include bench/coba/synmem.c "$tmp/m.o" -laxonrt -L"$root/.libs" -lm \
    -o "$tmp/synmem"
cp "$tmp/synmem" "$tmp/synmem_new"
if [ -n "${AXON_BASE:-}" ]; then
    # the base side: its own compiler, headers and runtime
    base_root=$(cd "$(dirname "$AXON_BASE")" && pwd)
    # shellcheck disable=SC2086
    "$AXON_BASE" build examples/microcircuit.axon --set "scale=$SCALE" --set "k_scale=$KSCALE" \
        $OPTS --emit obj -o "$tmp/mb.o" -q >/dev/null
    $CC -O2 -I "$base_root/runtime/include" "$base_root/bench/coba/synmem.c" "$tmp/mb.o" -laxonrt \
        -L"$AXON_BASE_LIB" -lm -o "$tmp/synmem"
    echo "base side: $AXON_BASE's object and runtime"
fi
if [ -n "$NEW_OPTS" ]; then
    # shellcheck disable=SC2086 # the options are words
    $AXON build examples/microcircuit.axon --set "scale=$SCALE" --set "k_scale=$KSCALE" $NEW_OPTS \
        --emit obj -o "$tmp/mn.o" -q >/dev/null
    $CC -O2 -I runtime/include bench/coba/synmem.c "$tmp/mn.o" -laxonrt -L"$root/.libs" -lm \
        -o "$tmp/synmem_new"
    for side in base new; do
        prog=$tmp/synmem
        [ "$side" = base ] || prog=$tmp/synmem_new
        echo "$side: $(LD_LIBRARY_PATH=$root/.libs "$prog" 0 | grep '^total')"
    done
fi

r=1
while [ "$r" -le "$REPEAT" ]; do
    for T in $THREADS; do
        for side in base new; do
            if [ "$side" = base ]; then
                lib=$AXON_BASE_LIB prog=$tmp/synmem
            else
                lib=$root/.libs prog=$tmp/synmem_new
            fi
            LD_LIBRARY_PATH=$lib "$prog" 0 "$DUR" "$T" >"$tmp/out"
            line=$(grep '^run' "$tmp/out")
            echo "$side $T $line" >>"$tmp/runs"
            echo "round $r, $side, $T thread(s): $line (load $(cut -d' ' -f1 /proc/loadavg))"
        done
    done
    r=$((r + 1))
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# per side and thread count: median (min-max) of cpu_s; the spikes must agree
for T in $THREADS; do
    for side in base new; do
        awk -v s="$side" -v t="$T" '$1 == s && $2 == t {
                for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "cpu_s") print kv[2] }
            }' "$tmp/runs" | sort -n >"$tmp/cpu.$side.$T"
        awk -v s="$side" -v t="$T" '{ v[NR] = $1 } END {
                m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                printf "%s, %s thread(s): loop CPU %.3f s (%.3f-%.3f), %d runs\n", s, t, m, v[1], v[NR], NR
                print m > "/dev/stderr"
            }' "$tmp/cpu.$side.$T" 2>"$tmp/med.$side.$T"
    done
    echo "new / base, $T thread(s): $(awk 'NR == FNR { b = $1; next } { printf "%.3f", $1 / b }' \
        "$tmp/med.base.$T" "$tmp/med.new.$T")"
done
if [ -n "$NEW_OPTS" ]; then
    echo "spikes per side (other options: not checked):" \
        "$(awk '{ for (i = 4; i <= NF; i++) if ($i ~ /^spikes=/) print $1, $i }' "$tmp/runs" | sort -u | tr '\n' ' ')"
elif [ "$(awk '{ for (i = 4; i <= NF; i++) if ($i ~ /^spikes=/) print $i }' "$tmp/runs" | sort -u | wc -l)" -ne 1 ]; then
    echo "ab.sh: the two runtimes give different spikes" >&2
    exit 1
fi
