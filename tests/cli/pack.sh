#!/bin/sh
# A projection's variables stored per neuron share one array, their values interleaved
# (model.h, ABI 12; compiler/lower/synapse.c, ir_pack): STDP traces and their last-update
# times. Against the same models built with an array per variable (AXON_TEST_UNPACKED):
# recordings of the traces and weights byte for byte (deferred and eager on_post, 1 and 2
# threads), checkpoints byte for byte and resumed runs, the API's views, values and live arrays
# (tests/cli/pack_api.c), the strides in `axon build`'s header, and a non-finite value found in
# a variable of the second lane, with the same message.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}" "${AXON_LIBDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"
model="$AXON_SRCDIR/tests/cli/pack.axon"

# same DIR1 DIR2: both hold the same recordings, file by file, byte for byte (at least
# the spikes of E and I, two weights and six traces (2 files each))
same() { same_npy "$1" "$2" 20; }

for post in defer eager; do
    for th in 1 2; do
        run "packed, $post, $th threads" env AXON_TEST_POST=$post "$AXON" run "$model" -q \
            --threads $th --grain 1 -o "$tmp/p$post$th"
    done
    run "unpacked, $post" env AXON_TEST_UNPACKED=1 AXON_TEST_POST=$post "$AXON" run "$model" -q \
        -o "$tmp/u$post"
    check "packed = unpacked, $post" same "$tmp/p${post}1" "$tmp/u$post"
    check "packed: 1 thread = 2 threads, $post" same "$tmp/p${post}1" "$tmp/p${post}2"
done
check "deferred = eager" same "$tmp/pdefer1" "$tmp/peager1"

# checkpoints: the same bytes from either layout (each variable's values as one array), and a
# run resumed from one equals the straight run
run "packed, checkpoint" env AXON_TEST_POST=defer "$AXON" run "$model" -q -t 100ms \
    --checkpoint-every 60ms -o "$tmp/c1"
run "unpacked, checkpoint" env AXON_TEST_UNPACKED=1 AXON_TEST_POST=defer "$AXON" run "$model" -q \
    -t 100ms --checkpoint-every 60ms -o "$tmp/c0"
check "checkpoints written" test -s "$tmp/c1.checkpoint" -a -s "$tmp/c0.checkpoint"
check "checkpoint: packed = unpacked" cmp -s "$tmp/c1.checkpoint" "$tmp/c0.checkpoint"
run "resume packed" env AXON_TEST_POST=defer "$AXON" run "$model" -q --resume "$tmp/c1.checkpoint" \
    -o "$tmp/r1"
check "resumed = straight" same "$tmp/r1" "$tmp/pdefer1"
run "resume unpacked from packed" env AXON_TEST_UNPACKED=1 AXON_TEST_POST=defer "$AXON" run \
    "$model" -q --resume "$tmp/c1.checkpoint" -o "$tmp/r0"
check "resumed in the other layout = straight" same "$tmp/r0" "$tmp/pdefer1"

# a checkpoint that model ABI 13 wrote of tests/validation/trace_decay.axon (its postsynaptic
# trace then had a last-update time, which ABI 14 removed: the trace is advanced every step):
# refused with the reason, and nothing written
expect "resume an ABI 13 checkpoint of a trace now advanced every step" 1 "$AXON" run \
    "$AXON_SRCDIR/tests/validation/trace_decay.axon" -q \
    --resume "$AXON_SRCDIR/tests/cli/abi13_decay.checkpoint" -o "$tmp/abi13"
contains "ABI 13 checkpoint: the reason" "written for model ABI 13, which kept a last-update time per postsynaptic neuron"
check "ABI 13 checkpoint: nothing written" test ! -e "$tmp/abi13"

# the header: every projection variable's stride (2 for pair STDP's presynaptic trace and
# time and for the triplet rule's two postsynaptic traces, 4 for its two presynaptic ones and
# their time, 1 for an array of its own: pair STDP's postsynaptic trace, which is advanced
# every step and has no time, ABI 14)
run "build packed" "$AXON" build "$model" --emit obj -o "$tmp/pack.o" -q
check "header: ee.a_pre's stride 2" grep -q "^enum { axon_model_ee_a_pre_stride = 2 };" "$tmp/pack.h"
check "header: ee.a_post's stride 1" grep -q "^enum { axon_model_ee_a_post_stride = 1 };" "$tmp/pack.h"
check "header: ei.o2's stride 2" grep -q "^enum { axon_model_ei_o2_stride = 2 };" "$tmp/pack.h"
check "header: ei._last_pre's stride 4" grep -q "^enum { axon_model_ei__last_pre_stride = 4 };" \
    "$tmp/pack.h"
check "header: no postsynaptic time" test "$(grep -c "_last_post" "$tmp/pack.h")" = 0
# with the postsynaptic traces event-driven (as in single precision): a time each, in the group
run "build packed, event-driven traces" env AXON_TEST_EVENT_TRACES=1 "$AXON" build "$model" \
    --emit obj -o "$tmp/pack_ev.o" -q
check "header: ee.a_post's stride 2, event-driven" \
    grep -q "^enum { axon_model_ee_a_post_stride = 2 };" "$tmp/pack_ev.h"
check "header: ei._last_post's stride 4, event-driven" \
    grep -q "^enum { axon_model_ei__last_post_stride = 4 };" "$tmp/pack_ev.h"
check "header: w's stride 1" grep -q "^enum { axon_model_ee_w_stride = 1 };" "$tmp/pack.h"
run "build unpacked" env AXON_TEST_UNPACKED=1 "$AXON" build "$model" --emit obj -o "$tmp/unpack.o" -q
check "header: every stride 1 unpacked" test "$(grep -c "_stride = [^1]" "$tmp/unpack.h")" = 0
check "header: ee.a_post's stride 1 unpacked" \
    grep -q "^enum { axon_model_ee_a_post_stride = 1 };" "$tmp/unpack.h"

# the API (tests/cli/pack_api.c), either layout: the same values
inc="-I$AXON_SRCDIR/runtime/include"
rt="-L$AXON_LIBDIR -Wl,-rpath,$AXON_LIBDIR -laxonrt -lm"
for v in pack unpack; do
    # shellcheck disable=SC2086 # $rt and $inc are lists of flags
    run "link pack_api, $v" $cc $san $inc "$AXON_SRCDIR/tests/cli/pack_api.c" "$tmp/$v.o" $rt \
        -o "$tmp/api_$v"
    run "API, $v" "$tmp/api_$v"
    cp "$out" "$tmp/api_$v.out"
done
check "API: packed = unpacked" cmp -s "$tmp/api_pack.out" "$tmp/api_unpack.out"
check "API: two hashes and spikes" awk '/hash /{n++} /^E: [1-9]/{e=1} END { exit !(n == 2 && e) }' \
    "$tmp/api_pack.out"

# a non-finite value in the second lane of a group (a and b: stride 2, advanced every step;
# event-driven with their time, stride 4)
cat >"$tmp/blow.axon" <<'EOF'
neuron Clock {
    state { c = 0.8 ms }
    inputs { I : A }
    equations { c' = 1 }
    spike when c >= 1 ms { c = 0 ms }
}
synapse Trace {
    state { w = 1; a = 0; b = 0 }
    equations event-driven {
        a' = -a / (10 ms)
        b' = -b / (10 ms)
    }
    on pre { post.I += 0 nA * w; w = clip(w + a + b, 0, 2) }
    on post { a += 1; b = b * 1e150 + 1e150 }
}
module M {
    population P = Clock[2]
    population Q = Clock[3]
    project t = P -> Q : Trace connect all_to_all delay 0.1 ms
    record spikes Q
}
run M for 10 ms
EOF
expect "non-finite, packed" 1 "$AXON" run "$tmp/blow.axon" -q -o "$tmp/nfp"
contains "non-finite, packed: found" "variable 'b' (equation at $tmp/blow.axon:11:9), postsynaptic neuron 0: +inf"
cp "$out" "$tmp/nf.p"
expect "non-finite, unpacked" 1 env AXON_TEST_UNPACKED=1 "$AXON" run "$tmp/blow.axon" -q -o "$tmp/nfu"
check "non-finite: packed = unpacked" cmp -s "$tmp/nf.p" "$out"
expect "non-finite, event-driven" 1 env AXON_TEST_EVENT_TRACES=1 "$AXON" run "$tmp/blow.axon" -q \
    -o "$tmp/nfe"
check "non-finite: event-driven = advanced every step" cmp -s "$tmp/nf.p" "$out"
finish pack
