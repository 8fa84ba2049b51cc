#!/bin/sh
# on_post deferred to each synapse's next on_pre (AXON_PROJ_DEFER_POST, runtime/deliver.c)
# against the eager path (AXON_TEST_POST=defer and =eager override the runtime's choice, by the
# size of the weights, which would keep this small network eager): every recording bit for bit, with
# 1 and 2 threads, with weights recorded every few steps (each record brings the weights up
# to date), with none recorded until the end (the histories overflow and flush, and a run of
# more than 65,535 steps flushes for the 16-bit steps), across a checkpoint, and over 2 and 3
# MPI ranks.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}" "${AXON_LIBDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"
model="$AXON_SRCDIR/tests/cli/defer.axon"

# same DIR1 DIR2: both hold the same recordings, file by file, byte for byte
same() {
    n=0
    for f in "$1"/*.npy; do
        [ -f "$f" ] || return 1
        cmp -s "$f" "$2/$(basename "$f")" || { echo "differs: $(basename "$f")"; return 1; }
        n=$((n + 1))
    done
    [ "$n" -ge 10 ] # spikes (2 files) and four projections' weights (2 files each)
}

for th in 1 2; do
    run "deferred, $th threads" env AXON_TEST_POST=defer "$AXON" run "$model" -q --threads $th --grain 1 -o "$tmp/d$th"
    run "eager, $th threads" env AXON_TEST_POST=eager "$AXON" run "$model" -q --threads $th \
        --grain 1 -o "$tmp/e$th"
    check "deferred = eager, $th threads" same "$tmp/d$th" "$tmp/e$th"
done
check "1 thread = 2 threads" same "$tmp/d1" "$tmp/d2"
# single precision: last-update times stored as floats, spike times in double as eager
run "deferred, single" env AXON_TEST_POST=defer "$AXON" run "$model" -q --precision single -o "$tmp/ds"
run "eager, single" env AXON_TEST_POST=eager "$AXON" run "$model" -q --precision single -o "$tmp/es"
check "deferred = eager, single precision" same "$tmp/ds" "$tmp/es"

# weights recorded only at the end: 70,000 steps with no record between
run "deferred, long" env AXON_TEST_POST=defer "$AXON" run "$model" -q -t 7s --set rec=7s -o "$tmp/dl"
run "eager, long" env AXON_TEST_POST=eager "$AXON" run "$model" -q -t 7s --set rec=7s -o "$tmp/el"
check "deferred = eager, 7 s without records" same "$tmp/dl" "$tmp/el"

# a checkpoint in the middle, then the rest from it
run "checkpoint" env AXON_TEST_POST=defer "$AXON" run "$model" -q -t 100ms --checkpoint-every 60ms -o "$tmp/c1"
check "checkpoint written" test -f "$tmp/c1.checkpoint"
run "resume" env AXON_TEST_POST=defer "$AXON" run "$model" -q --resume "$tmp/c1.checkpoint" -o "$tmp/c2"
check "resumed = straight" same "$tmp/c2" "$tmp/d1"

# over MPI ranks (each rank defers for its own targets' synapses): every array, weights
# gathered from the ranks' parts by the Python reader, equal to one process's eager run
# (tests/mpi/compare.py)
py=/usr/bin/python3
if [ -z "${MPIRUN:-}" ] || ! command -v "$MPIRUN" >/dev/null 2>&1; then
    echo "defer: runs over MPI ranks skipped (built without MPI)"
elif ! "$py" -c 'import numpy' 2>/dev/null; then
    echo "defer: runs over MPI ranks skipped (no numpy for $py)"
else
    for np in 2 3; do
        run "deferred over $np ranks" env AXON_TEST_POST=defer timeout -k 5 300 "$MPIRUN" \
            --oversubscribe --allow-run-as-root --mca mpi_yield_when_idle 1 -np $np \
            "$AXON" run "$model" -q -o "$tmp/m$np"
        run "deferred over $np ranks = eager in one process" "$py" \
            "$AXON_SRCDIR/tests/mpi/compare.py" "$AXON_SRCDIR" "$tmp/e1" "$tmp/m$np"
    done
fi

# the deferral is on where the rule allows it: its histories replace the post-ordered index in
# the runtime's own accounting of bytes per synapse (bench/coba/synmem.c) for pair, nearest and
# soft-bound STDP; the triplet rule's on_post reads a postsynaptic trace and keeps its index
inc="-I$AXON_SRCDIR/runtime/include"
rt="-L$AXON_LIBDIR -Wl,-rpath,$AXON_LIBDIR -laxonrt -lm"
run "build obj" "$AXON" build "$model" --emit obj -o "$tmp/defer.o" -q
# shellcheck disable=SC2086 # $rt and $inc are lists of flags
run "link synmem" $cc $san $inc "$AXON_SRCDIR/bench/coba/synmem.c" "$tmp/defer.o" $rt -o "$tmp/synmem"
AXON_TEST_POST=defer "$tmp/synmem" >"$tmp/bd" 2>&1
AXON_TEST_POST=eager "$tmp/synmem" >"$tmp/be" 2>&1
"$tmp/synmem" >"$tmp/bn" 2>&1
bytes() { sed -n "s/^proj=$1 .*bytes_per_synapse=\([0-9.]*\).*/\1/p" "$2"; }
for q in ee ei ie; do
    check "$q: deferred (no post-ordered index)" test -n "$(bytes $q "$tmp/bd")" -a \
        "$(bytes $q "$tmp/bd")" != "$(bytes $q "$tmp/be")"
done
check "ee: fewer bytes per synapse deferred" awk -v d="$(bytes ee "$tmp/bd")" \
    -v e="$(bytes ee "$tmp/be")" 'BEGIN { exit !(d > 0 && e > d) }'
check "ii (triplet): eager either way" test "$(bytes ii "$tmp/bd")" = "$(bytes ii "$tmp/be")"
check "small weights: eager by default" test "$(bytes ee "$tmp/bn")" = "$(bytes ee "$tmp/be")"
finish defer
