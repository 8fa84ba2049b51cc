#!/bin/sh
# Float storage of the synapse variables no handler writes, in a double model
# (--synapse-precision single): tests/cli/synf32.axon (weights drawn per synapse with
# per-synapse delays, from a connection file, a recurrent projection, a structural one whose
# rule writes w but not the factor c, a plastic one, and one whose STDP bound is per synapse). The static weights and c recorded
# are the float rounding of the double model's (synf32.py); the
# plastic projection keeps double: its weights and its target's spikes are the double run's,
# byte for byte; results are the same for 1 and 2 threads, after a checkpoint and resume, and
# over 2 MPI ranks; the memory estimate counts 4 bytes a weight; a double model's checkpoint
# is refused; the header of `axon build --emit obj` types the arrays; a bad value is a usage
# error.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"
model="$AXON_SRCDIR/tests/cli/synf32.axon"
py=/usr/bin/python3
[ -x "$py" ] || py=python3

run "double" "$AXON" run "$model" -q -o "$tmp/d"
run "single synapses" "$AXON" run "$model" -q --synapse-precision single -o "$tmp/s"
run "double synapses, named" "$AXON" run "$model" -q --synapse-precision double -o "$tmp/dd"
same_recordings "$tmp/d" "$tmp/dd" "--synapse-precision double is the default"
run "static weights: the float rounding of the double ones" "$py" \
    "$AXON_SRCDIR/tests/cli/synf32.py" "$tmp/d" "$tmp/s"
for f in L.w.npy P.spikes.i.npy P.spikes.t.npy; do
    check "plastic projection kept in double: $f" cmp -s "$tmp/d/$f" "$tmp/s/$f"
done
run "single synapses, 2 threads" "$AXON" run "$model" -q --synapse-precision single \
    --threads 2 --grain 1 -o "$tmp/s2"
same_recordings "$tmp/s" "$tmp/s2" "1 or 2 threads"

# M's on post, deferred to the next on pre or eager (AXON_TEST_POST, tests/cli/defer.sh), reads
# its float bound alike
run "single synapses, on post deferred" env AXON_TEST_POST=defer "$AXON" run "$model" -q \
    --synapse-precision single -o "$tmp/sd"
run "single synapses, on post eager" env AXON_TEST_POST=eager "$AXON" run "$model" -q \
    --synapse-precision single -o "$tmp/se"
same_recordings "$tmp/sd" "$tmp/se" "on post deferred or eager"

# checkpoint at 0.15 s, resume up to 0.3 s: the uninterrupted run's recordings
run "checkpoint" "$AXON" run "$model" -q --synapse-precision single -t 0.15s \
    --checkpoint-every 50ms --checkpoint "$tmp/ck" -o "$tmp/c"
run "resume" "$AXON" run "$model" -q --synapse-precision single --resume "$tmp/ck" -t 0.3s \
    -o "$tmp/r"
same_recordings "$tmp/s" "$tmp/r" "checkpoint and resume"
expect "a float checkpoint resumed by the double model" 1 "$AXON" run "$model" -q \
    --resume "$tmp/ck" -t 0.3s -o "$tmp/rd"
contains "a float checkpoint in a double model: the message" "differs from this simulation's model"

# the memory estimate: S (4000 synapses expected, w per synapse) 4 bytes less a synapse
est() { "$AXON" run "$model" --dry-run "$@" 2>&1 | grep "projection S "; }
check "estimate: S in double" test "$(est)" = \
    "  projection S                             4000 synapses (expected)     47.7 KiB"
check "estimate: S in float" test "$(est --synapse-precision single)" = \
    "  projection S                             4000 synapses (expected)     32.0 KiB"

# the header of an object: S's w is a float array, L's (plastic) a double one
run "build an object" "$AXON" build "$model" --synapse-precision single --emit obj -q \
    -o "$tmp/m.o"
check "header: float S.w" grep -q "static inline float \*axon_model_S_w(" "$tmp/m.h"
check "header: double L.w" grep -q "static inline double \*axon_model_L_w(" "$tmp/m.h"
check "header: float M.w_max" grep -q "static inline float \*axon_model_M_w_max(" "$tmp/m.h"
check "header: double M.w" grep -q "static inline double \*axon_model_M_w(" "$tmp/m.h"
check "header: float G.c" grep -q "static inline float \*axon_model_G_c(" "$tmp/m.h"
check "header: double G.w (the structural rule writes it)" \
    grep -q "static inline double \*axon_model_G_w(" "$tmp/m.h"

expect "a bad value" 2 "$AXON" run "$model" --synapse-precision half
contains "a bad value: the message" "--synapse-precision is single or double, not 'half'"

# over 2 MPI ranks: the spikes of one process
if [ -z "${MPIRUN:-}" ] || ! command -v "$MPIRUN" >/dev/null 2>&1; then
    echo "synf32: runs over MPI ranks skipped (built without MPI)"
else
    san_env=AXON_TEST_NONE=1
    [ -z "$san" ] || san_env="ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    run "single synapses over 2 ranks" env "$san_env" timeout -k 5 300 "$MPIRUN" \
        --oversubscribe --allow-run-as-root --mca mpi_yield_when_idle 1 -np 2 \
        "$AXON" run "$model" -q --synapse-precision single -o "$tmp/mpi2"
    for f in E.spikes.i.npy E.spikes.t.npy P.spikes.i.npy P.spikes.t.npy; do
        check "2 ranks = 1 process: $f" cmp -s "$tmp/s/$f" "$tmp/mpi2/$f"
    done
    # every array, the float weights' columns that each rank records of its own synapses
    # gathered by the Python reader (tests/mpi/compare.py)
    run "2 ranks = 1 process: every array" "$py" "$AXON_SRCDIR/tests/mpi/compare.py" \
        "$AXON_SRCDIR" "$tmp/s" "$tmp/mpi2"
fi

finish synf32
