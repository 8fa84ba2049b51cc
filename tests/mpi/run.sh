#!/bin/sh
# Simulations over MPI ranks (docs/mpi.md), on loopback: COBA, Brunel and tests/mpi/spread.axon
# (state records over every rank's neurons, a rate record, delay 0, per-synapse delays) under
# `mpirun -np K` for K = 1, 2, 3 and 1 and 2 threads per rank must write recordings identical,
# byte for byte, to one process's, and a manifest that differs only in threads, ranks and the
# command line; so must a built executable and a C program that calls axon_sim_new_mpi. A rank
# that fails (a bad output directory on one rank only) must end the whole job with its message,
# never hang; what does not work over ranks yet is refused with a reason. Run by `make check`
# when configure found MPI.
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
    ! grep -q "checkpoint" "$out"; then ok
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
mpirun_ -np 2 "$AXON" run "$(model_file coba)" --set N=1000 -t 0.1s -q -o "$tmp/ck" --checkpoint-every 0.05s >"$out" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "checkpoints do not work over several MPI ranks" "$out"; then ok
else bad "checkpoints over ranks (exit $rc)"; fi

echo "tests/mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
