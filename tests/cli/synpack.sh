#!/bin/sh
# A projection's targets and its only per-synapse variable, a weight no kernel writes, stored
# side by side in blocks of four synapses (model.h, ABI 13; compiler/lower/synapse.c,
# ir_block; runtime/proj.c, rt_pack_blocks). Against the same models built with the split
# arrays (AXON_TEST_SPLIT_SYNAPSES): recordings of spikes and weights byte for byte (1 and 2
# threads, double and float weights), checkpoints byte for byte and runs resumed across the
# layouts, the header's stride and block, the API's views, values, live arrays, connectivity,
# weight matrix and parameters (tests/cli/synpack_api.c), and a non-finite weight found with
# the same message.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}" "${AXON_LIBDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"
model="$AXON_SRCDIR/tests/cli/synpack.axon"

# same DIR1 DIR2: both hold the same recordings, file by file, byte for byte (the spikes of
# E and I and five projections' weights: 2 files each)
same() { same_npy "$1" "$2" 14; }

for prec in double single; do
    for th in 1 2 3; do
        run "blocks, $prec, $th threads" "$AXON" run "$model" -q --synapse-precision $prec \
            --threads $th --grain 1 -o "$tmp/b$prec$th"
    done
    run "split, $prec" env AXON_TEST_SPLIT_SYNAPSES=1 "$AXON" run "$model" -q \
        --synapse-precision $prec -o "$tmp/s$prec"
    check "blocks = split, $prec" same "$tmp/b${prec}1" "$tmp/s$prec"
    check "blocks: 1 thread = 2 threads, $prec" same "$tmp/b${prec}1" "$tmp/b${prec}2"
    check "blocks: 1 thread = 3 threads, $prec" same "$tmp/b${prec}1" "$tmp/b${prec}3"
done

# a single-precision model (float state and weights: 6-float blocks)
for th in 1 3; do
    run "blocks, precision single, $th threads" "$AXON" run "$model" -q --precision single \
        --threads $th --grain 1 -o "$tmp/ps$th"
done
run "split, precision single" env AXON_TEST_SPLIT_SYNAPSES=1 "$AXON" run "$model" -q \
    --precision single -o "$tmp/pss"
check "blocks = split, precision single" same "$tmp/ps1" "$tmp/pss"
check "blocks: 1 thread = 3 threads, precision single" same "$tmp/ps1" "$tmp/ps3"

# the memory estimate does not grow (axon run --dry-run: the same bytes per projection)
run "blocks: estimate" "$AXON" run "$model" -t 10ms -o "$tmp/mb" --dry-run
cp "$out" "$tmp/mem.b"
run "split: estimate" env AXON_TEST_SPLIT_SYNAPSES=1 "$AXON" run "$model" -t 10ms -o "$tmp/ms" \
    --dry-run
check "estimate: the same bytes" cmp -s "$tmp/mem.b" "$out"

# checkpoints: the same bytes from either layout (each variable as one array, the targets as
# built), and a run resumed from one equals the straight run, in either layout
run "blocks, checkpoint" "$AXON" run "$model" -q -t 100ms --checkpoint-every 60ms -o "$tmp/c1"
run "split, checkpoint" env AXON_TEST_SPLIT_SYNAPSES=1 "$AXON" run "$model" -q -t 100ms \
    --checkpoint-every 60ms -o "$tmp/c0"
check "checkpoints written" test -s "$tmp/c1.checkpoint" -a -s "$tmp/c0.checkpoint"
check "checkpoint: blocks = split" cmp -s "$tmp/c1.checkpoint" "$tmp/c0.checkpoint"
run "resume in blocks" "$AXON" run "$model" -q --resume "$tmp/c1.checkpoint" -o "$tmp/r1"
check "resumed = straight" same "$tmp/r1" "$tmp/bdouble1"
run "resume split from blocks" env AXON_TEST_SPLIT_SYNAPSES=1 "$AXON" run "$model" -q \
    --resume "$tmp/c1.checkpoint" -o "$tmp/r0"
check "resumed in the other layout = straight" same "$tmp/r0" "$tmp/bdouble1"

# the header: S, R and T in blocks (stride 5 doubles, or 6 floats); D (dense rows: on pre
# computes their targets) and L (STDP) apart
run "build, blocks" "$AXON" build "$model" --emit obj -o "$tmp/pack.o" -q
check "header: S.w in blocks of 4, stride 5" \
    grep -q "^enum { axon_model_S_w_stride = 5, axon_model_S_w_block = 4 };" "$tmp/pack.h"
check "header: three projections in blocks" test "$(grep -c "_block = 4" "$tmp/pack.h")" = 3
check "header: D.w apart (dense)" grep -q "^enum { axon_model_D_w_stride = 1 };" "$tmp/pack.h"
check "header: L.w apart" grep -q "^enum { axon_model_L_w_stride = 1 };" "$tmp/pack.h"
run "build, float weights" "$AXON" build "$model" --emit obj -o "$tmp/f32.o" -q \
    --synapse-precision single
check "header: float weights, stride 6" \
    grep -q "^enum { axon_model_T_w_stride = 6, axon_model_T_w_block = 4 };" "$tmp/f32.h"
run "build, split" env AXON_TEST_SPLIT_SYNAPSES=1 "$AXON" build "$model" --emit obj \
    -o "$tmp/split.o" -q
check "header: no block split" test "$(grep -c "_block" "$tmp/split.h")" = 0
run "build, 4-byte targets" env AXON_TEST_WIDE_TARGETS=1 "$AXON" build "$model" --emit obj \
    -o "$tmp/wide.o" -q
check "header: no block with 4-byte targets" test "$(grep -c "_block" "$tmp/wide.h")" = 0

# the API (tests/cli/synpack_api.c), either layout: the same values
inc="-I$AXON_SRCDIR/runtime/include"
rt="-L$AXON_LIBDIR -Wl,-rpath,$AXON_LIBDIR -laxonrt -lm"
for v in pack split; do
    obj="$tmp/$v.o"
    # shellcheck disable=SC2086 # $rt and $inc are lists of flags
    run "link synpack_api, $v" $cc $san $inc "$AXON_SRCDIR/tests/cli/synpack_api.c" "$obj" $rt \
        -o "$tmp/api_$v"
    run "API, $v" "$tmp/api_$v"
    grep -v '^layout' "$out" >"$tmp/api_$v.out"
    cp "$out" "$tmp/api_$v.all"
done
check "API: blocks = split" cmp -s "$tmp/api_pack.out" "$tmp/api_split.out"
check "API: blocks seen" test "$(grep -c ': blocks$' "$tmp/api_pack.all")" = 6
check "API: split seen" test "$(grep -c ': blocks$' "$tmp/api_split.all")" = 0
check "API: hashes and spikes" \
    awk '/hash /{n++} /^E: [1-9]/{e=1} END { exit !(n == 3 && e) }' "$tmp/api_pack.out"

# a non-finite weight (a state variable: the check looks at it) of synapse 11,000 (2 -> 3000),
# past the first 1,024 blocks that the check sums at a time (written with j, so that it is not
# a constant of no finite value, which the checker refuses)
cat >"$tmp/blow.axon" <<'EOF'
import "std/neurons/lif"
synapse StateW {
    state { w = 0.1 nA }
    on pre { post.I_syn += w }
}
module M {
    population P = LIF[3]
    population Q = LIF[4000]
    project t = P -> Q : StateW(w = if j == 3000 and i == 2 then 1e300 nA * (1e300 + 0 * j) else 0.1 nA)
        connect random(1)
    record spikes Q
}
run M for 10 ms
EOF
expect "non-finite, blocks" 1 "$AXON" run "$tmp/blow.axon" -q -o "$tmp/nfp"
contains "non-finite, blocks: found" "projection 't', variable 'w' (equation at $tmp/blow.axon:3:13), synapse 11000 (neuron 2 -> neuron 3000): +inf"
cp "$out" "$tmp/nf.p"
expect "non-finite, split" 1 env AXON_TEST_SPLIT_SYNAPSES=1 "$AXON" run "$tmp/blow.axon" -q \
    -o "$tmp/nfu"
check "non-finite: blocks = split" cmp -s "$tmp/nf.p" "$out"
finish synpack
