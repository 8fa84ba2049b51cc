#!/bin/sh
# on_post deferred to each synapse's next on_pre (AXON_PROJ_DEFER_POST, runtime/deliver.c)
# against the eager path (AXON_TEST_POST=defer and =eager override the runtime's choice, by the
# size of the weights, which would keep this small network eager): every recording bit for bit, with
# 1 and 2 threads, with rows longer than the replay's chunk, with weights recorded every few steps
# (each record brings the weights up to date), with none recorded until the end (the histories
# overflow and flush, and a run of more than 65,535 steps flushes for the 16-bit steps), across a
# checkpoint, with 4-byte targets, over 2 and 3 MPI ranks, and through live arrays in a step
# callback.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}" "${AXON_LIBDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"
model="$AXON_SRCDIR/tests/cli/defer.axon"

# same DIR1 DIR2: both hold the same recordings, file by file, byte for byte (at least
# the spikes (2 files) and four projections' weights (2 files each))
same() { same_npy "$1" "$2" 10; }

for th in 1 2; do
    run "deferred, $th threads" env AXON_TEST_POST=defer "$AXON" run "$model" -q --threads $th --grain 1 -o "$tmp/d$th"
    run "eager, $th threads" env AXON_TEST_POST=eager "$AXON" run "$model" -q --threads $th \
        --grain 1 -o "$tmp/e$th"
    check "deferred = eager, $th threads" same "$tmp/d$th" "$tmp/e$th"
done
check "1 thread = 2 threads" same "$tmp/d1" "$tmp/d2"
# rows longer than the replay kernels' chunk of 256 synapses (on_pre_replay, cg_syn.c): E -> E
# rows of about 480 synapses with K = 600, cut between 2 threads by target ranges
run "deferred, long rows" env AXON_TEST_POST=defer "$AXON" run "$model" -q -t 100ms --set K=600 \
    --threads 2 --grain 1 -o "$tmp/dk"
run "eager, long rows" env AXON_TEST_POST=eager "$AXON" run "$model" -q -t 100ms --set K=600 -o "$tmp/ek"
check "deferred = eager, rows of two chunks" same "$tmp/dk" "$tmp/ek"
# single precision: last-update times stored as floats, spike times in double as eager
run "deferred, single" env AXON_TEST_POST=defer "$AXON" run "$model" -q --precision single -o "$tmp/ds"
run "eager, single" env AXON_TEST_POST=eager "$AXON" run "$model" -q --precision single -o "$tmp/es"
check "deferred = eager, single precision" same "$tmp/ds" "$tmp/es"

# 4-byte targets (AXON_TEST_WIDE_TARGETS, tests/cli/targets16.sh): the replay's places in the
# histories in 64 bits (cg_syn.c, rp_place_type), over rows of two chunks and 2 threads
run "deferred, 4-byte targets" env AXON_TEST_WIDE_TARGETS=1 AXON_TEST_POST=defer "$AXON" run \
    "$model" -q -t 100ms --set K=600 --threads 2 --grain 1 -o "$tmp/dw"
run "eager, 4-byte targets" env AXON_TEST_WIDE_TARGETS=1 AXON_TEST_POST=eager "$AXON" run \
    "$model" -q -t 100ms --set K=600 -o "$tmp/ew"
check "deferred = eager, 4-byte targets" same "$tmp/dw" "$tmp/ew"
check "4-byte targets = 2-byte ones" same "$tmp/dw" "$tmp/ek"

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
    # under AddressSanitizer the leak checker would count Open MPI's own allocations, which it
    # never frees, and fail every rank at exit (as in tests/mpi/run.sh): off for these runs
    san_env=AXON_TEST_POST=defer
    [ -z "$san" ] || san_env="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    for np in 2 3; do
        run "deferred over $np ranks" env "$san_env" AXON_TEST_POST=defer timeout -k 5 300 "$MPIRUN" \
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

# flushes every few steps (weights recorded every 2, 3 and 5 ms: 20 to 50 steps apart) cost more
# than the column walk: after three in a row the projection turns eager (rt_proj_undefer), with
# the same results; =adaptive defers from the start and gives up like a large projection, =defer
# never gives up
run "adaptive" env AXON_TEST_POST=adaptive "$AXON" run "$model" -q --threads 1 --grain 1 -o "$tmp/a1"
check "adaptive = eager" same "$tmp/a1" "$tmp/e1"
AXON_TEST_POST=adaptive "$tmp/synmem" 0 100 >"$tmp/ba" 2>&1
AXON_TEST_POST=defer "$tmp/synmem" 0 100 >"$tmp/bd2" 2>&1
after() { sed -n "s/^after proj=$1 bytes_per_synapse=\([0-9.]*\).*/\1/p" "$2"; }
for q in ee ei ie; do
    check "$q: deferred before the run (adaptive)" test "$(bytes $q "$tmp/ba")" = "$(bytes $q "$tmp/bd")"
    check "$q: eager after frequent flushes" test -n "$(after $q "$tmp/ba")" -a \
        "$(after $q "$tmp/ba")" = "$(bytes $q "$tmp/be")"
    check "$q: still deferred with =defer" test "$(after $q "$tmp/bd2")" = "$(bytes $q "$tmp/bd")"
done

# live arrays in step and spike callbacks (tests/cli/defer_live.c): views of the weights taken
# before the run, read in a step callback after every step and written once, then read in a
# spike callback, see the weights as the eager path has them (the run brings them up to date
# before the callbacks)
# shellcheck disable=SC2086 # $rt and $inc are lists of flags
run "link defer_live" $cc $san $inc "$AXON_SRCDIR/tests/cli/defer_live.c" "$tmp/defer.o" $rt \
    -o "$tmp/live"
run "live arrays, deferred" env AXON_TEST_POST=defer "$tmp/live"
cp "$out" "$tmp/live.d"
run "live arrays, eager" env AXON_TEST_POST=eager "$tmp/live"
check "live arrays: deferred = eager" cmp -s "$tmp/live.d" "$out"
check "live arrays: 10 samples, spiking steps and spikes" awk '/^step /{n++}
    /^spiking steps [1-9]/{c=1} /^spikes [1-9]/{f=1} END { exit !(n == 10 && c && f) }' "$out"

# a deferred update that makes a value infinite after the presynaptic neuron's last spike (4 post
# spikes in a run of 45 steps, with no check before its end): the run's last check finds it, as
# the eager path's does, with the same message
cat >"$tmp/blow.axon" <<'EOF'
neuron Clock {
    state { c = 0.8 ms }
    inputs { I : A }
    equations { c' = 1 }
    spike when c >= 1 ms { c = 0 ms }
}
neuron Once {
    state { c = 0 ms; done = 0 }
    equations { c' = 1 }
    spike when c >= 0.3 ms and done < 1 { done = 1 }
}
synapse Blow {
    state { w = 1 }
    on pre { post.I += 0 nA * w }
    on post { w = w * 1e90 }
}
module M {
    population P = Once[1]
    population Q = Clock[1]
    project b = P -> Q : Blow connect all_to_all delay 0.1 ms
    record spikes Q
}
run M for 4.5 ms
EOF
expect "non-finite, deferred" 1 env AXON_TEST_POST=defer "$AXON" run "$tmp/blow.axon" -q -o "$tmp/nfd"
contains "non-finite, deferred: found" "variable 'w' (equation at $tmp/blow.axon:15:15), synapse 0"
cp "$out" "$tmp/nf.d"
expect "non-finite, eager" 1 env AXON_TEST_POST=eager "$AXON" run "$tmp/blow.axon" -q -o "$tmp/nfe"
check "non-finite: deferred = eager" cmp -s "$tmp/nf.d" "$out"
finish defer
