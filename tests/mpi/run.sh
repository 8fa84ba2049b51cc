#!/bin/sh
# Simulations over MPI ranks (docs/mpi.md), on loopback: COBA, Brunel and tests/mpi/spread.axon
# (state records over every rank's neurons, a rate record, delay 0, per-synapse delays) under
# `mpirun -np K` for K = 1, 2, 3 and 1 and 2 threads per rank must write recordings identical,
# byte for byte, to one process's, and a manifest that differs only in threads, ranks and the
# command line; so must a built executable and a C program that calls axon_sim_new_mpi. A rank
# that fails (a bad output directory on one rank only) must end the whole job with its message,
# never hang; what does not work over ranks yet is refused with a reason. Checkpoints: a job
# checkpointing every so often, killed with SIGKILL and resumed with as many ranks, writes the
# recordings of one uninterrupted process, byte for byte; another rank count, a missing or a
# damaged part end the job with a clear message from every rank, never a hang. Run by `make
# check` when configure found MPI.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out="$tmp/out"
MPIRUN=${MPIRUN:-mpirun}
# Under AddressSanitizer (configure --enable-asan) the leak checker would count Open MPI's own
# allocations, which it never frees, and fail every rank at exit: it is off here (the other
# suites check the runtime's own code for leaks); every other check stays on.
if [ -n "${AXON_SAN:-}" ]; then
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
    export ASAN_OPTIONS
fi
# every process on this machine, as root too, yielding the core while it waits (the machine may
# be shared); a hang fails the test instead of the suite
mpirun_() { timeout -k 5 300 "$MPIRUN" --oversubscribe --allow-run-as-root --mca mpi_yield_when_idle 1 "$@"; }

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; [ -s "$out" ] && sed 's/^/    /' "$out" | tail -20; }
# same NAME REF DIR: DIR holds REF's .npy files, each identical, and the same manifest but for
# the threads, the ranks and the command line
same() {
    n=0
    for g in "$2"/*.npy; do
        n=$((n + 1))
        if ! cmp -s "$g" "$3/${g##*/}"; then : >"$out"; bad "$1: ${g##*/} differs from one process"; return; fi
    done
    if [ "$n" -eq 0 ] || [ "$(ls "$3"/*.npy | wc -l)" -ne "$n" ]; then : >"$out"; bad "$1: recordings"; return; fi
    grep -v -e '"threads":' -e '"ranks":' -e '"meta":' "$2/manifest.json" >"$tmp/m1"
    grep -v -e '"threads":' -e '"ranks":' -e '"meta":' "$3/manifest.json" >"$tmp/m2"
    if cmp -s "$tmp/m1" "$tmp/m2"; then ok; else diff "$tmp/m1" "$tmp/m2" >"$out"; bad "$1: manifest.json"; fi
}

models="coba brunel spread"
model_file() {
    case $1 in
        coba) echo "$AXON_SRCDIR/examples/coba.axon" ;;
        brunel) echo "$AXON_SRCDIR/examples/brunel.axon" ;;
        *) echo "$AXON_SRCDIR/tests/mpi/$1.axon" ;;
    esac
}
model_args() {
    case $1 in
        coba) echo "--set N=1000 -t 0.2s" ;;
        brunel) echo "--set N=2500 -t 0.2s" ;;
        *) echo "-t 0.2s" ;;
    esac
}
# the exchange interval each must use: its smallest delay in steps of 0.1 ms (0 -> 1)
interval() {
    case $1 in coba) echo 1 ;; brunel) echo 15 ;; *) echo 1 ;; esac
}

for m in $models; do
    f=$(model_file "$m")
    # shellcheck disable=SC2046
    if ! "$AXON" run "$f" $(model_args "$m") --seed 7 -q -o "$tmp/$m.ref" >"$out" 2>&1; then
        bad "$m: one process"
        continue
    fi
    ok
    for np in 1 2 3; do
        for th in 1 2; do
            d="$tmp/$m.$np.$th"
            # shellcheck disable=SC2046
            if ! mpirun_ -np "$np" "$AXON" run "$f" $(model_args "$m") --seed 7 --threads "$th" \
                -o "$d" >"$out" 2>&1; then
                bad "$m: mpirun -np $np, $th threads"
                continue
            fi
            # rank 0 alone reports, and says how the run was split
            if [ "$np" -gt 1 ]; then
                if [ "$(grep -c '^  total' "$out")" -eq 1 ] &&
                    grep -q "^MPI: $np ranks of $th thread.*every $(interval "$m") step" "$out"; then ok
                else bad "$m: mpirun -np $np, $th threads: the summary"; fi
            fi
            same "$m: mpirun -np $np, $th threads" "$tmp/$m.ref" "$d"
        done
    done
done

# a built executable splits the same way
if "$AXON" build "$(model_file spread)" --emit exe -o "$tmp/spread-exe" -q >"$out" 2>&1 &&
    mpirun_ -np 2 "$tmp/spread-exe" -t 0.2s --seed 7 -q -o "$tmp/spread.exe" >"$out" 2>&1; then
    same "axon build --emit exe: mpirun -np 2" "$tmp/spread.ref" "$tmp/spread.exe"
else
    bad "axon build --emit exe: mpirun -np 2"
fi
# and checkpoints the same way: 0.1 s checkpointed every 30 ms on 3 ranks, resumed (from the
# checkpoint at 90 ms) up to 0.2 s, equals one process's 0.2 s
if [ -x "$tmp/spread-exe" ] &&
    mpirun_ -np 3 "$tmp/spread-exe" -t 0.1s --seed 7 -q -o "$tmp/spread.exe1" \
        --checkpoint-every 30ms >"$out" 2>&1 &&
    mpirun_ -np 3 "$tmp/spread-exe" -t 0.2s -q -o "$tmp/spread.exe2" \
        --resume "$tmp/spread.exe1.checkpoint" >"$out" 2>&1; then
    same "axon build --emit exe: checkpoint and resume on 3 ranks" "$tmp/spread.ref" "$tmp/spread.exe2"
else
    bad "axon build --emit exe: checkpoint and resume on 3 ranks"
fi

# axon_sim_new_mpi from a C program (tests/mpi/api.c): two runs of 0.05 s on 3 ranks of 2
# threads equal one process's run of 0.1 s; the information and refusals of the API
if [ -n "${AXON_LIBDIR:-}" ] &&
    "$AXON" build "$(model_file spread)" --emit obj -o "$tmp/spread.o" -q >"$out" 2>&1 &&
    ${CC:-cc} ${AXON_SAN:-} ${MPI_CFLAGS:-} -I"$AXON_SRCDIR/runtime/include" -Wall -Wextra -Werror \
        "$AXON_SRCDIR/tests/mpi/api.c" "$tmp/spread.o" -L"$AXON_LIBDIR" -Wl,-rpath,"$AXON_LIBDIR" \
        -laxonrt ${MPI_LIBS:-} -lm -o "$tmp/api" >"$out" 2>&1 &&
    "$AXON" run "$(model_file spread)" -t 0.1s --seed 7 -q -o "$tmp/spread.ref1" >"$out" 2>&1 &&
    mpirun_ -np 3 "$tmp/api" "$tmp/spread.api" >"$out" 2>&1 && grep -q '^ok$' "$out"; then
    same "axon_sim_new_mpi: 3 ranks" "$tmp/spread.ref1" "$tmp/spread.api"
    same "axon_sim_restore over 3 ranks" "$tmp/spread.ref1" "$tmp/spread.api.file"
    same "axon_sim_restore_mem over 3 ranks" "$tmp/spread.ref1" "$tmp/spread.api.mem"
else
    bad "axon_sim_new_mpi (tests/mpi/api.c)"
fi

# axon analyze reads a directory written over ranks as one process's
if (cd "$tmp/spread.ref" && "$AXON" analyze . >"$tmp/a1" 2>&1) &&
    (cd "$tmp/spread.3.2" && "$AXON" analyze . >"$tmp/a3" 2>&1) &&
    cmp -s "$tmp/a1" "$tmp/a3"; then ok; else diff "$tmp/a1" "$tmp/a3" >"$out"; bad "axon analyze over ranks"; fi

# a bad output directory on rank 1 only: the job ends with rank 1's message, and fast
: >"$tmp/nodir"
mpirun_ -np 2 sh -c 'if [ "${OMPI_COMM_WORLD_RANK:-0}" = 1 ]; then o="$1/nodir/out"; else o="$1/good"; fi
    exec "$2" run "$3" --set N=1000 -t 0.2s -q -o "$o"' sh "$tmp" "$AXON" "$(model_file coba)" >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] &&
    grep -q "axon run (rank 1 of 2): -o: .*nodir" "$out"; then ok
else bad "a bad output directory on rank 1 (exit $rc)"; fi

# SIGTERM to rank 1's process alone stops every rank after the same step (the stop flag of the
# next exchange): rank 0 writes what was recorded, marked partial, and nothing hangs
mpirun_ -np 2 sh -c 'if [ "${OMPI_COMM_WORLD_RANK:-0}" = 1 ]; then
        "$2" run "$3" -t 1000s -q -o "$1/stopped" & p=$!; sleep 5; kill -TERM $p; wait $p
    else exec "$2" run "$3" -t 1000s -q -o "$1/stopped"; fi' sh "$tmp" "$AXON" "$(model_file spread)" >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] &&
    grep -q '"partial": true' "$tmp/stopped/manifest.json" 2>/dev/null &&
    t1=$(sed -n 's/.*(rank 1 of 2): stopped by SIGTERM at \([0-9.]*\) s.*/\1/p' "$out") &&
    [ -n "$t1" ] && grep -q "(rank 0 of 2): stopped by another MPI rank's stop at $t1 s" "$out" &&
    grep -q "(rank 0 of 2): checkpoint in $tmp/stopped.checkpoint: continue with --resume" "$out" &&
    [ -s "$tmp/stopped.checkpoint.rank1-of-2.a" ]; then ok
else bad "SIGTERM to one rank (exit $rc)"; fi

# a value that becomes infinite on rank 1 only (neurons 3 to 5 of 6): every rank stops at the
# same step, rank 1 names the value, the recording is written (partial), the job fails, no hang
cat >"$tmp/blow.axon" <<'EOF'
neuron Grow {
    parameters { tau = 1 ms }
    state { v = 0 }
    equations { v' = v / tau }
}
module Blow {
    population G = Grow[6] { v = if i >= 3 then 1 else 0 }
    record G.v
}
run Blow for 1 s
EOF
mpirun_ -np 2 "$AXON" run "$tmp/blow.axon" -o "$tmp/blow" -q >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] &&
    grep -q "axon run (rank 1 of 2): population 'G', variable 'v' (equation at $tmp/blow.axon:4:17), neuron 3: +inf" "$out" &&
    grep -q "axon run (rank 0 of 2): stopped by another MPI rank's stop at" "$out" &&
    grep -q '"partial": true' "$tmp/blow/manifest.json" 2>/dev/null; then ok
else bad "a non-finite value on rank 1 only (exit $rc)"; fi

# refused over ranks, with the reason, by every rank alike (no hang)
mpirun_ -np 2 "$AXON" run "$AXON_SRCDIR/examples/stdp_song.axon" -t 0.1s -q >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "weight records do not work over several MPI ranks" "$out"; then ok
else bad "weight records over ranks (exit $rc)"; fi

# structural plasticity (docs/language.md) is refused over ranks, by every rank alike
cat >"$tmp/rewire.axon" <<'EOF'
neuron N {
    inputs { I }
    state { x = 0 }
    step { x = I }
}
synapse S {
    state { w = 1 }
    on pre { post.I += w }
    structure every 1 ms { prune when w < 0.5 }
}
module Rewire {
    population A = N[4]
    project aa = A -> A : S connect all_to_all
}
run Rewire for 10 ms
EOF
mpirun_ -np 2 "$AXON" run "$tmp/rewire.axon" -q >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] &&
    grep -q "projection aa has structural plasticity ('structure every'), which does not run over MPI ranks yet" "$out"; then ok
else bad "structural plasticity over ranks (exit $rc)"; fi

# ---- checkpoints over ranks
# killed NAME NP: runs NAME on NP ranks for far longer than it is given, checkpointing every
# 0.01 s to $tmp/NAME.NP.ck, and SIGKILLs mpirun and every rank a moment after the first
# checkpoint set is complete (perhaps while the next is written); then resumes with NP ranks up
# to 0.03 s past the checkpoint, and compares with one process run straight to that time
killed() {
    f=$(model_file "$1")
    ck="$tmp/$1.$2.ck"
    case $1 in coba) set_="--set N=1000" ;; *) set_="" ;; esac
    # shellcheck disable=SC2086
    "$MPIRUN" --oversubscribe --allow-run-as-root --mca mpi_yield_when_idle 1 -np "$2" \
        "$AXON" run "$f" $set_ -t 20s --seed 7 -q -o "$tmp/$1.$2.killed" --checkpoint "$ck" \
        --checkpoint-every 0.01s >"$out" 2>&1 &
    job=$!
    i=0
    while [ ! -e "$ck" ] && [ "$i" -lt 600 ] && kill -0 "$job" 2>/dev/null; do
        sleep 0.1
        i=$((i + 1))
    done
    sleep 0.3
    # mpirun's children are the ranks (on loopback): the whole job, without a chance to clean up
    kill -KILL $(ps -o pid= --ppid "$job") "$job" 2>/dev/null
    wait "$job"
    rc=$?
    if [ "$rc" -ne 137 ] || [ ! -s "$ck" ]; then bad "$1: $2 ranks, killed (exit $rc)"; return; fi
    # the step of the checkpoint (its header's u64 at byte 32), and the time 0.03 s later
    step=$(od -An -t u8 -j 32 -N 8 "$ck" | tr -d ' ')
    t=$(awk -v n="$step" 'BEGIN { printf "%.4fs", n * 1e-4 + 0.03 }')
    # shellcheck disable=SC2086
    if ! mpirun_ -np "$2" "$AXON" run "$f" $set_ -t "$t" -q -o "$tmp/$1.$2.resumed" \
        --resume "$ck" >"$out" 2>&1; then
        bad "$1: $2 ranks, resumed at step $step"
        return
    fi
    # shellcheck disable=SC2086
    if ! "$AXON" run "$f" $set_ -t "$t" --seed 7 -q -o "$tmp/$1.$2.straight" >"$out" 2>&1; then
        bad "$1: one process to $t"
        return
    fi
    same "$1: $2 ranks, killed at step $step and resumed" "$tmp/$1.$2.straight" "$tmp/$1.$2.resumed"
}
for m in coba spread; do
    for np in 2 3; do killed "$m" "$np"; done
done

# resumed with another rank count, or as one process: every rank says why, nothing hangs
ck="$tmp/spread.3.ck"
mpirun_ -np 2 "$AXON" run "$(model_file spread)" -t 1s -q --resume "$ck" >"$out" 2>&1
rc=$?
msg="a checkpoint of 3 MPI ranks, and this simulation runs over 2: resume it with mpirun -np 3"
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "(rank 0 of 2): --resume: .*$msg" "$out" &&
    grep -q "(rank 1 of 2): --resume: .*$msg" "$out"; then ok
else bad "resumed with another rank count (exit $rc)"; fi
"$AXON" run "$(model_file spread)" -t 1s -q --resume "$ck" >"$out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q "a checkpoint of 3 MPI ranks, and this simulation runs as one process" "$out"; then ok
else bad "a checkpoint of 3 ranks resumed as one process (exit $rc)"; fi
mpirun_ -np 2 "$AXON" run "$(model_file spread)" -t 0.1s -q --resume "$tmp/stopped.checkpoint.rank1-of-2.a" >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "rank 1's part of a checkpoint of 2 MPI ranks: resume from its manifest" "$out"; then ok
else bad "resumed from a part instead of the manifest (exit $rc)"; fi

# a mixture, as a job killed between the parts and the manifest would leave if parts were
# written in place: rank 1's part of another set (the executable's, same model and ranks)
for p in a b; do cp "$tmp/spread.exe1.checkpoint.rank1-of-3.a" "$ck.rank1-of-3.$p"; done
mpirun_ -np 3 "$AXON" run "$(model_file spread)" -t 1s -q --resume "$ck" >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] &&
    grep -q "(rank 1 of 3): --resume: $ck.rank1-of-3.[ab]: not a part of the checkpoint its manifest names" "$out"; then ok
else bad "a part of another set on rank 1 (exit $rc)"; fi

# a damaged part (one byte changed) or a missing one on rank 1 only: rank 1 says which file and
# why, the others that rank 1 could not restore; the job ends
for p in "$ck".rank1-of-3.*; do
    printf 'X' | dd of="$p" bs=1 seek=300 conv=notrunc 2>/dev/null
done
mpirun_ -np 3 "$AXON" run "$(model_file spread)" -t 1s -q --resume "$ck" >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] &&
    grep -q "(rank 1 of 3): --resume: $ck.rank1-of-3.[ab]: corrupt: the checksum does not match" "$out" &&
    grep -q "(rank [02] of 3): --resume: rank 1 of 3 could not restore its part of the checkpoint" "$out"; then ok
else bad "a damaged part on rank 1 (exit $rc)"; fi
rm -f "$ck".rank1-of-3.*
mpirun_ -np 3 "$AXON" run "$(model_file spread)" -t 1s -q --resume "$ck" >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] &&
    grep -q "(rank 1 of 3): --resume: $ck.rank1-of-3.[ab]: cannot open" "$out"; then ok
else bad "a missing part on rank 1 (exit $rc)"; fi

echo "tests/mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
