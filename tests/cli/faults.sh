#!/bin/sh
# Faults while a compiled model runs (issue "Reliability"): every allocation of a small run
# fails in turn (tests/cli/failalloc.c, loaded with LD_PRELOAD), and writing the recordings
# fails at every size (a file size limit, ulimit -f). Each run must end with status 0 or 1 (a
# message, no crash, no hang), and the output directory must be exactly what it was (a
# failure) or the complete new recording (a success; here the same bytes), with no temporary
# file or directory left behind.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"

cat >"$tmp/small.axon" <<'MODEL'
import "std/neurons/lif"
import "std/synapses/basic"
module Small {
    population E = LIF[20](I_ext = 0.5 nA)
    population I = LIF[5](I_ext = 0.4 nA)
    project E -> I : VoltageJump(w = 0.5 mV) connect random(0.3) delay 1 ms
    project I -> E : VoltageJump(w = -0.5 mV) connect all_to_all
    record spikes E
    record E.v [0 .. 3] every 1 ms
    record rate I every 5 ms
}
run Small for 50 ms
MODEL
if NO_COLOR=1 "$AXON" build "$tmp/small.axon" -o "$tmp/small" >"$out" 2>&1; then ok; else bad "build"; fi
rec="$tmp/rec"
# the recordings a successful run writes with 1 and 2 threads (the manifest records the
# command line and the threads: always these)
for threads in 1 2; do
    "$tmp/small" -o "$rec" -q --threads $threads && mv "$rec" "$tmp/ref$threads" ||
        bad "a run without faults ($threads threads)"
done

# after NAME RC THREADS: checks the status, the message and the output directory of the last run
after() {
    name=$1 rc=$2 ref="$tmp/ref$3"
    case $rc in
    0) ;;
    1) [ -s "$out" ] || { bad "$name: status 1 without a message"; return; } ;;
    *) bad "$name: exit status $rc"; return ;;
    esac
    if grep -q "nan at" "$out"; then bad "$name: a failure taken for NaN"; return; fi
    if ! diff -r "$ref" "$rec" >/dev/null 2>&1; then bad "$name: the output directory changed"; return; fi
    left=$(ls -a "$tmp" "$rec" | grep -e '\.tmp-' -e '\.tmp\.')
    if [ -n "$left" ]; then bad "$name: left $left"; return; fi
    ok
}

# ---- every allocation fails in turn (glibc's allocator replaced: not with sanitizers, whose
# allocator it would fight). The whole program here, with its main(); the libraries' own
# allocations fail in turn, with a leak check and under the sanitizers too, in
# tests/unit/failalloc.c.
if [ -n "${AXON_SAN:-}" ]; then
    echo "faults: allocation failures not injected (sanitizer build)"
elif ! $cc -shared -fPIC -O2 "$AXON_SRCDIR/tests/cli/failalloc.c" -o "$tmp/failalloc.so" 2>"$out"; then
    bad "build failalloc.so"
else
    for threads in 1 2; do
        rm -rf "$rec" && cp -r "$tmp/ref$threads" "$rec"
        AXON_FAIL_COUNT="$tmp/count" LD_PRELOAD="$tmp/failalloc.so" "$tmp/small" -o "$rec" -q \
            --threads $threads >"$out" 2>&1
        after "no allocation fails ($threads threads)" $? $threads
        n=$(cat "$tmp/count" 2>/dev/null || echo 0)
        [ "$n" -gt 50 ] && ok || bad "only $n allocations counted"
        k=1
        while [ $k -le "$n" ]; do
            rm -rf "$rec" && cp -r "$tmp/ref$threads" "$rec"
            AXON_FAIL_ALLOC=$k LD_PRELOAD="$tmp/failalloc.so" timeout 20 "$tmp/small" -o "$rec" -q \
                --threads $threads >"$out" 2>&1
            rc=$?
            after "allocation $k of $n fails ($threads threads)" $rc $threads
            if [ $rc -eq 1 ] && ! grep -qi -e memory -e allocate -e "worker thread" "$out"; then
                bad "allocation $k of $n: the message does not say that memory ran out"
            fi
            k=$((k + 1))
        done
    done
fi

# ---- writing fails: a file size limit of B blocks (512 bytes in POSIX sh; SIGXFSZ ignored,
# so write returns EFBIG) for every B until the recordings fit; the messages go through a pipe,
# which the limit does not stop
b=0
while [ $b -le 64 ]; do
    rm -rf "$rec" && cp -r "$tmp/ref1" "$rec"
    { (trap '' XFSZ; ulimit -f $b; exec "$tmp/small" -o "$rec" -q --threads 1) 2>&1
        echo $? >"$tmp/rc"; } | cat >"$out"
    rc=$(cat "$tmp/rc")
    after "a file size limit of $b blocks" $rc 1
    [ $rc -eq 0 ] && break
    if [ $rc -eq 1 ] && ! grep -q "File too large" "$out"; then bad "limit $b: the reason is not given"; fi
    b=$((b + 1))
done
[ $b -gt 0 ] && [ $b -le 64 ] && ok || bad "file size limits: a run fit in $b blocks"

finish faults
