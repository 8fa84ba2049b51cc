#!/bin/sh
# Refractory counters in small integers (ABI 11): where the refractory period is a known number
# of steps the compiler stores the counter as int8 (up to 127 steps) or int16 (up to 32,767),
# where it is a parameter as int32, and the results must be those of the counter kept in the
# model's precision (AXON_TEST_WIDE_REFR=1 makes the compiler keep it, test only), byte for byte:
# tests/cli/refr8.axon (periods of 13, 19 and 1499 steps, one per neuron as a parameter, a
# shared parameter that a protocol changes, the second time beyond int32's range, per-neuron
# periods half of them NaN, a known period beyond the int32 counter's cap; held
# and free refractoriness; synapses whose input the target's counter masks), with 1 and 2
# threads, a checkpoint and a resumed run; the memory estimate shows the 7 bytes saved per
# neuron of an int8 counter, 6 of an int16 one and 4 of an int32 one.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"
model="$AXON_SRCDIR/tests/cli/refr8.axon"

run "narrow counters" "$AXON" run "$model" -o "$tmp/n"
run "counters in the precision" env AXON_TEST_WIDE_REFR=1 "$AXON" run "$model" -o "$tmp/w"
same_recordings "$tmp/n" "$tmp/w" "int8/int16 or double counters"
run "narrow counters, 2 threads" "$AXON" run "$model" --threads 2 --grain 1 -o "$tmp/t"
same_recordings "$tmp/n" "$tmp/t" "1 or 2 threads"
run "single precision, narrow" "$AXON" run "$model" --precision single -o "$tmp/sn"
run "single precision, wide" env AXON_TEST_WIDE_REFR=1 "$AXON" run "$model" --precision single \
    -o "$tmp/sw"
same_recordings "$tmp/sn" "$tmp/sw" "single precision: int8/int16 or float counters"
# the long period holds: L's neurons spike at most twice in 0.3 s
check "the 150 ms period holds" test "$(wc -c <"$tmp/n/L.spikes.i.npy")" -le \
    "$((128 + 4 * 2 * 500))"
# the period capped at 2^31 - 128 steps holds too: from 120 ms on, H's neurons spike once at most
run "up to the change at 120 ms" "$AXON" run "$model" -t 0.12s -o "$tmp/h"
spikes() { echo $((($(wc -c <"$1") - 128) / 4)); }
check "the capped period holds" test \
    "$(($(spikes "$tmp/n/H.spikes.i.npy") - $(spikes "$tmp/h/H.spikes.i.npy")))" -le 500

# checkpoint at 0.15 s, resume up to 0.3 s: the uninterrupted run's recordings
run "checkpoint" "$AXON" run "$model" -t 0.15s --checkpoint-every 50ms --checkpoint "$tmp/ck" \
    -o "$tmp/c"
run "resume" "$AXON" run "$model" --resume "$tmp/ck" -t 0.3s -o "$tmp/r"
same_recordings "$tmp/n" "$tmp/r" "checkpoint and resume"
# a checkpoint of counters kept in the precision is another model's (its arrays have other
# sizes): refused, not misread
run "checkpoint, wide counters" env AXON_TEST_WIDE_REFR=1 "$AXON" run "$model" -t 0.15s \
    --checkpoint-every 50ms --checkpoint "$tmp/ckw" -o "$tmp/cw"
expect "a checkpoint of wide counters resumed with narrow ones" 1 "$AXON" run "$model" \
    --resume "$tmp/ckw" -t 0.3s -o "$tmp/rw"
contains "a checkpoint of wide counters: the message" "differs from this simulation's model"

# the memory estimate: S (v, g, I and an int8 counter) 3 * 8 + 1 bytes a neuron, L (an int16
# counter) 3 * 8 + 2, P (v, I, t_ref and an int32 counter) 3 * 8 + 4; all 4 * 8 when kept wide
est() { "$@" run "$model" --dry-run 2>&1 | grep "population $pop "; }
pop=S
check "estimate: an int8 counter" test "$(est "$AXON")" = \
    "  population S                              500 neurons          15.0 KiB"
check "estimate: the counter kept wide" test "$(est env AXON_TEST_WIDE_REFR=1 "$AXON")" = \
    "  population S                              500 neurons          18.5 KiB"
pop=L
check "estimate: an int16 counter" test "$(est "$AXON")" = \
    "  population L                              500 neurons          15.5 KiB"
pop=P
check "estimate: an int32 counter (a period that is a parameter)" test "$(est "$AXON")" = \
    "  population P                              500 neurons          16.5 KiB"
check "estimate: that counter kept wide" test "$(est env AXON_TEST_WIDE_REFR=1 "$AXON")" = \
    "  population P                              500 neurons          18.5 KiB"

finish refr8
