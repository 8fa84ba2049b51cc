#!/bin/sh
# Synapse targets in 2 bytes (AXON_PROJ_POST16, ABI 10): the compiler stores the targets of a
# projection onto a population of at most 65,536 neurons as uint16, and the results must be
# those of uint32 targets (AXON_TEST_WIDE_TARGETS=1 makes the compiler keep them, test only),
# byte for byte: tests/cli/targets16.axon (random connectivity, per-synapse delays, STDP,
# every_step and continuous kernels, records of synapse and per-neuron variables) at
# N = 65,536, with 1 and 2 threads, a checkpoint and a resumed run (a checkpoint of 4-byte
# targets resumed with 2-byte ones too: the checkpoint format is unchanged); the memory
# estimate shows the 2 bytes saved at 65,536 and none at 65,537, whose runs match too.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"
model="$AXON_SRCDIR/tests/cli/targets16.axon"

for n in 65536 65537; do
    run "N=$n, 2-byte targets where they fit" "$AXON" run "$model" --set "N=$n" -t 0.1s -o "$tmp/n$n"
    contains "N=$n: the population" "Big                   $n"
    run "N=$n, 4-byte targets" env AXON_TEST_WIDE_TARGETS=1 "$AXON" run "$model" --set "N=$n" \
        -t 0.1s -o "$tmp/w$n"
    same_recordings "$tmp/n$n" "$tmp/w$n" "N=$n, 2 or 4 bytes"
    run "N=$n, 2 threads" "$AXON" run "$model" --set "N=$n" -t 0.1s --threads 2 --grain 1 \
        -o "$tmp/t$n"
    same_recordings "$tmp/n$n" "$tmp/t$n" "N=$n, 1 or 2 threads"
done
# the STDP weights moved between the two samples (0 and 50 ms): the records are not trivially
# equal
tail -c 640000 "$tmp/n65536/b.w.npy" | head -c 320000 >"$tmp/w0"
tail -c 320000 "$tmp/n65536/b.w.npy" >"$tmp/w1"
check "the plastic weights moved" test "$(wc -c <"$tmp/w1")" -eq 320000
check "the plastic weights moved" sh -c '! cmp -s "$1" "$2"' sh "$tmp/w0" "$tmp/w1"

# checkpoint at 0.05 s, resume up to 0.1 s: the uninterrupted run's recordings
run "checkpoint, 2-byte targets" "$AXON" run "$model" -t 0.05s --checkpoint-every 25ms \
    --checkpoint "$tmp/ck16" -o "$tmp/c1"
run "resume, 2-byte targets" "$AXON" run "$model" --resume "$tmp/ck16" -t 0.1s -o "$tmp/r16"
same_recordings "$tmp/n65536" "$tmp/r16" "checkpoint and resume"
run "checkpoint, 4-byte targets" env AXON_TEST_WIDE_TARGETS=1 "$AXON" run "$model" -t 0.05s \
    --checkpoint-every 25ms --checkpoint "$tmp/ck32" -o "$tmp/c2"
run "resume a 4-byte checkpoint with 2-byte targets" "$AXON" run "$model" --resume "$tmp/ck32" \
    -t 0.1s -o "$tmp/r32"
same_recordings "$tmp/n65536" "$tmp/r32" "a 4-byte checkpoint resumed with 2-byte targets"

# the memory estimate: projection d (targets only, 20,000 synapses) takes 2 bytes a synapse
# with 65,536 targets, 4 with 65,537 or when kept wide
est() { "$AXON" run "$model" --set "N=$1" --dry-run 2>&1 | grep 'projection d '; }
check "estimate: 2 bytes a target at 65,536" test "$(est 65536)" = \
    "  projection d                            20000 synapses         42.2 KiB"
check "estimate: 4 bytes a target at 65,537" test "$(est 65537)" = \
    "  projection d                            20000 synapses         81.3 KiB"
check "estimate: 4 bytes a target when kept wide" test \
    "$(AXON_TEST_WIDE_TARGETS=1 "$AXON" run "$model" --dry-run 2>&1 | grep 'projection d ')" = \
    "  projection d                            20000 synapses         81.3 KiB"

finish targets16
