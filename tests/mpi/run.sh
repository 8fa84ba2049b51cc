#!/bin/sh
# Simulations over MPI ranks (docs/mpi.md), on loopback: COBA, Brunel, the reduced cortical
# microcircuit, tests/mpi/spread.axon
# (state records over every rank's neurons, a rate record, delay 0, per-synapse delays),
# tests/mpi/conn.axon (every connector, per-synapse random values built in parts) and
# tests/mpi/dendrites.axon (synapses onto one segment of their target, post.u[seg]),
# tests/mpi/prereads.axon (continuous synapses and handlers that read pre.x) and
# tests/mpi/ddraws.axon (per-synapse delays with handlers that draw, on post and on post.NAME
# among them, and weight records) and
# tests/mpi/via.axon (tripartite synapses by the target) under
# `mpirun -np K` for K = 1, 2, 3 and 1 and 2 threads per rank must write recordings identical,
# byte for byte, to one process's, and a manifest that differs only in threads, ranks and the
# command line; so must a built executable and a C program that calls axon_sim_new_mpi, which
# also checks that each rank holds only the synapses onto its neurons; a rank's peak memory must
# be about its share of a large projection (tests/mpi/big.axon). A rank
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
# the Python reader (python/axon_recording.py) must read every directory as one process's;
# numpy is in tools/debian-deps.sh, so its absence is a failure, not a skip
export PYTHONDONTWRITEBYTECODE=1
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if ! "$py" -c "import numpy" 2>/dev/null; then
    echo "FAIL: numpy (python3-numpy, tools/debian-deps.sh) is not installed: the Python reader is not tested"
    fail=$((fail + 1))
    py=
fi
# same NAME REF DIR: DIR reads as REF. Each .npy file of REF is in DIR, identical, or split into a
# part per rank (DIR/X.rankR-of-K.npy for REF/X.npy: state records and values at spikes over
# several ranks); the Python reader's arrays are identical, bit for bit (tests/mpi/compare.py);
# the manifest is the same but for the threads, the ranks and the command line, and when files
# are split, but for the version and the list of files, and then `axon analyze` prints the same
# table and draws the same figures.
same() {
    s_n=0
    s_split=0
    for s_g in "$2"/*.npy; do
        s_b=${s_g##*/}
        s_n=$((s_n + 1))
        if [ -e "$3/$s_b" ]; then
            if ! cmp -s "$s_g" "$3/$s_b"; then : >"$out"; bad "$1: $s_b differs from one process"; return; fi
        elif ls "$3/${s_b%.npy}".rank*-of-*.npy >/dev/null 2>&1; then
            s_split=1
        else
            : >"$out"; bad "$1: $s_b is missing"; return
        fi
    done
    if [ "$s_n" -eq 0 ]; then : >"$out"; bad "$1: no recordings"; return; fi
    if [ "$s_split" -eq 1 ]; then
        sed '/"files": \[/q' "$2/manifest.json" |
            grep -v -e '"threads":' -e '"ranks":' -e '"meta":' -e '"version":' >"$tmp/m1"
        sed '/"files": \[/q' "$3/manifest.json" |
            grep -v -e '"threads":' -e '"ranks":' -e '"meta":' -e '"version":' >"$tmp/m2"
    else
        grep -v -e '"threads":' -e '"ranks":' -e '"meta":' "$2/manifest.json" >"$tmp/m1"
        grep -v -e '"threads":' -e '"ranks":' -e '"meta":' "$3/manifest.json" >"$tmp/m2"
    fi
    if ! cmp -s "$tmp/m1" "$tmp/m2"; then diff "$tmp/m1" "$tmp/m2" >"$out"; bad "$1: manifest.json"; return; fi
    if [ -n "$py" ] && ! "$py" "$AXON_SRCDIR/tests/mpi/compare.py" "$AXON_SRCDIR" "$2" "$3" >"$out" 2>&1; then
        bad "$1: the Python reader"
        return
    fi
    if [ "$s_split" -eq 1 ]; then
        rm -rf "$tmp/rep1" "$tmp/rep2"
        # (the last line names the report's directory)
        if ! (cd "$2" && "$AXON" analyze . -o "$tmp/rep1" >"$tmp/a1" 2>&1) ||
            ! (cd "$3" && "$AXON" analyze . -o "$tmp/rep2" >"$tmp/a2" 2>&1) ||
            ! sed -i '/^report in /d' "$tmp/a1" "$tmp/a2" || ! cmp -s "$tmp/a1" "$tmp/a2"; then
            diff "$tmp/a1" "$tmp/a2" >"$out"
            bad "$1: axon analyze"
            return
        fi
        for s_g in "$tmp/rep1"/*.svg; do
            if ! cmp -s "$s_g" "$tmp/rep2/${s_g##*/}"; then : >"$out"; bad "$1: axon analyze: ${s_g##*/}"; return; fi
        done
        grep -v '"recording":' "$tmp/rep1/analysis.json" >"$tmp/j1"
        grep -v '"recording":' "$tmp/rep2/analysis.json" >"$tmp/j2"
        if ! cmp -s "$tmp/j1" "$tmp/j2"; then diff "$tmp/j1" "$tmp/j2" >"$out"; bad "$1: axon analyze: analysis.json"; return; fi
    fi
    ok
}

models="coba brunel micro spread conn draws weights dendrites prereads ddraws via"
model_file() {
    case $1 in
        coba) echo "$AXON_SRCDIR/examples/coba.axon" ;;
        brunel) echo "$AXON_SRCDIR/examples/brunel.axon" ;;
        micro) echo "$AXON_SRCDIR/examples/microcircuit.axon" ;;
        *) echo "$AXON_SRCDIR/tests/mpi/$1.axon" ;;
    esac
}
model_args() {
    case $1 in
        coba) echo "--set N=1000 -t 0.2s" ;;
        brunel) echo "--set N=2500 -t 0.2s" ;;
        # the reduced cortical microcircuit: 3859 neurons in 8 populations, exchanges every step
        micro) echo "--set scale=0.05 --set k_scale=0.05 -t 0.1s" ;;
        # (its every step handler draws for every synapse in every step)
        draws) echo "--set N=200 -t 0.1s" ;;
        prereads | ddraws | via) echo "-t 0.1s" ;;
        *) echo "-t 0.2s" ;;
    esac
}
# the exchange interval each must use: its smallest delay in steps of 0.1 ms (0 -> 1)
interval() {
    case $1 in coba) echo 1 ;; brunel) echo 15 ;; draws | dendrites | prereads | ddraws) echo 3 ;; weights | via) echo 5 ;; *) echo 1 ;; esac
}

for m in $models; do
    f=$(model_file "$m")
    # shellcheck disable=SC2046
    if ! "$AXON" run "$f" $(model_args "$m") --seed 7 -q -o "$tmp/$m.ref" >"$out" 2>&1; then
        bad "$m: one process"
        continue
    fi
    ok
    sed -n 's/^axon run: warning: //p' "$out" >"$tmp/$m.warn"
    for np in 1 2 3; do
        for th in 1 2; do
            d="$tmp/$m.$np.$th"
            # shellcheck disable=SC2046
            if ! mpirun_ -np "$np" "$AXON" run "$f" $(model_args "$m") --seed 7 --threads "$th" \
                -o "$d" >"$out" 2>&1; then
                bad "$m: mpirun -np $np, $th threads"
                continue
            fi
            # rank 0 alone reports, and says how the run was split; its warnings (delays
            # rounded, counted on every rank's part) are one process's
            sed -n 's/^axon run (rank 0 of [0-9]*): warning: //p' "$out" >"$tmp/warn"
            if [ "$np" -gt 1 ] && ! cmp -s "$tmp/$m.warn" "$tmp/warn"; then
                diff "$tmp/$m.warn" "$tmp/warn" >"$out"
                bad "$m: mpirun -np $np, $th threads: the warnings"
            fi
            [ "$np" -eq 2 ] && [ "$th" -eq 1 ] && grep '^MPI: ' "$out" >"$tmp/$m.summary"
            if [ "$np" -gt 1 ]; then
                if [ "$(grep -c '^  total' "$out")" -eq 1 ] &&
                    grep -q "^MPI: $np ranks of $th thread.*every $(interval "$m") step" "$out"; then ok
                else bad "$m: mpirun -np $np, $th threads: the summary"; fi
            fi
            # the exchange's blocks grow for the microcircuit's opening burst (a fifth of the
            # neurons fire at once) and shrink back after it: on average less than twice the
            # empty blocks (2 + 8 populations + 64 words per rank), not the burst's 8 times
            if [ "$m" = micro ] && [ "$np" -gt 1 ]; then
                b=$(sed -n 's/.* \([0-9]*\) bytes received per exchange$/\1/p' "$out")
                if [ -n "$b" ] && [ "$b" -lt $((2 * np * 74 * 4)) ]; then ok
                else bad "$m: mpirun -np $np, $th threads: $b bytes received per exchange"; fi
            fi
            # one rank writes what one process writes, byte for byte
            if [ "$np" -eq 1 ] && ls "$d"/*.rank*-of-*.npy >/dev/null 2>&1; then
                : >"$out"
                bad "$m: mpirun -np 1 split files into parts"
            fi
            same "$m: mpirun -np $np, $th threads" "$tmp/$m.ref" "$d"
        done
    done
done

# the exchange overlaps the computation by default when every delay is at least one step (it
# completes before the next step's delivery, mpi.c); the runs above used it (and spread.axon,
# with a delay of 0, the blocking exchange), and the blocking one (AXON_MPI_OVERLAP=0) writes
# the same recordings
for m in micro ddraws brunel spread; do
    for npth in 2.1 3.2; do
        np=${npth%.*}
        th=${npth#*.}
        d="$tmp/$m.blocking.$npth"
        # shellcheck disable=SC2046
        if ! AXON_MPI_OVERLAP=0 mpirun_ -x AXON_MPI_OVERLAP -np "$np" "$AXON" run \
            "$(model_file "$m")" $(model_args "$m") --seed 7 --threads "$th" -o "$d" >"$out" 2>&1; then
            bad "$m: AXON_MPI_OVERLAP=0 mpirun -np $np, $th threads"
            continue
        fi
        if grep -q "^MPI: .*every $(interval "$m") steps* ([0-9.]* ms): " "$out"; then ok
        else bad "$m: AXON_MPI_OVERLAP=0 mpirun -np $np: the summary says the exchange overlapped"; fi
        same "$m: AXON_MPI_OVERLAP=0 mpirun -np $np, $th threads" "$tmp/$m.ref" "$d"
    done
    # with overlap (the default) the summary says so, but with a delay of 0 (spread.axon)
    if [ "$m" = spread ]; then o=0; else o=1; fi
    if [ "$(grep -c "^MPI: .*, overlapped: " "$tmp/$m.summary")" -eq "$o" ]; then ok
    else sed 's/^/    /' "$tmp/$m.summary"; bad "$m: the summary's overlap (expected $o)"; fi
done

# a rank builds only the synapses onto its neurons, never the whole projection: with 10
# million synapses (tests/mpi/big.axon: one process peaks at about 250 MB), each of 2 ranks
# peaks below 3/4 of one process (about 170 MB: the share plus what does not shrink)
# python3 CMD...: runs CMD, then prints "maxrss KB", its peak resident memory, in one write
# (with PYTHONUNBUFFERED, print's pieces from two ranks can interleave)
maxrss='import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
sys.stdout.write("maxrss %d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stdout.flush()
sys.exit(r.returncode)'
if python3 -c "$maxrss" "$AXON" run "$AXON_SRCDIR/tests/mpi/big.axon" -q -o "$tmp/big.1" >"$out" 2>&1 &&
    one=$(sed -n 's/^maxrss //p' "$out") &&
    mpirun_ -np 2 python3 -c "$maxrss" "$AXON" run "$AXON_SRCDIR/tests/mpi/big.axon" -q \
        -o "$tmp/big.2" >"$out" 2>&1 &&
    [ "$(grep -c '^maxrss ' "$out")" -eq 2 ]; then
    worst=$(sed -n 's/^maxrss //p' "$out" | sort -n | tail -1)
    # (not under AddressSanitizer, whose quarantine of freed memory changes the peaks)
    if [ -n "${AXON_SAN:-}" ]; then :
    elif [ "$worst" -lt $((one * 3 / 4)) ]; then ok
    else echo "one process $one kB, a rank $worst kB" >"$out"; bad "a rank's peak memory (tests/mpi/big.axon)"; fi
    same "tests/mpi/big.axon: mpirun -np 2" "$tmp/big.1" "$tmp/big.2"
else
    bad "a rank's peak memory (tests/mpi/big.axon)"
fi

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

# ---- recordings split into a part per rank
# a missing part: `axon analyze` and the Python reader name the file
cp -r "$tmp/spread.3.2" "$tmp/lost" && rm -rf "$tmp/lost/report" "$tmp/lost/E.v.rank1-of-3.npy"
"$AXON" analyze "$tmp/lost" -q >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && grep -q "$tmp/lost/E.v.rank1-of-3.npy: listed in manifest.json but missing" "$out"; then ok
else bad "a missing part: axon analyze (exit $rc)"; fi
if [ -n "$py" ]; then
    PYTHONPATH="$AXON_SRCDIR/python" "$py" -c 'import sys, axon_recording
try:
    axon_recording.load(sys.argv[1])
except axon_recording.RecordingError as e:
    print(e)' "$tmp/lost" >"$out" 2>&1
    if grep -q "^$tmp/lost/E.v.rank1-of-3.npy: listed in manifest.json but missing" "$out"; then ok
    else bad "a missing part: the Python reader"; fi
fi
# a recording over 3 ranks written over one of 2: the 2 ranks' parts are removed
cp -r "$tmp/spread.2.1" "$tmp/again" &&
    mpirun_ -np 3 "$AXON" run "$(model_file spread)" -t 0.2s --seed 7 -q -o "$tmp/again" >"$out" 2>&1
if [ -z "$(ls "$tmp/again" | grep -e '-of-2\.npy$')" ] && [ -n "$(ls "$tmp/again" | grep -e '-of-3\.npy$')" ]; then
    same "3 ranks written over 2" "$tmp/spread.ref" "$tmp/again"
else bad "3 ranks written over 2: the parts"; fi
# a rank that cannot write its part (a directory in the way of rank 1's file alone) fails every
# rank, rank 1 naming the file, and leaves the directory's earlier recording as it was. (The
# other ranks say "rank 1 of 3 could not write its part of the recordings", but a rank that
# ends the job first may cut another's message off: only the failing rank's is required.)
cp -r "$tmp/spread.2.2" "$tmp/keep" && mkdir "$tmp/keep/E.v.rank1-of-3.npy"
mpirun_ -np 3 "$AXON" run "$(model_file spread)" -t 0.1s --seed 7 -q -o "$tmp/keep" >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] &&
    grep -q "(rank 1 of 3): .*$tmp/keep/E.v.rank1-of-3.npy: a directory is in the way" "$out"; then
    rmdir "$tmp/keep/E.v.rank1-of-3.npy"
    same "a part that cannot be written: the earlier recording" "$tmp/spread.ref" "$tmp/keep"
else bad "a part that cannot be written (exit $rc)"; fi

# a bad output directory on rank 1 only: the job ends with rank 1's message, and fast
: >"$tmp/nodir"
mpirun_ -np 2 sh -c 'if [ "${OMPI_COMM_WORLD_RANK:-0}" = 1 ]; then o="$1/nodir/out"; else o="$1/good"; fi
    exec "$2" run "$3" --set N=1000 -t 0.2s -q -o "$o"' sh "$tmp" "$AXON" "$(model_file coba)" >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] &&
    grep -q "axon run (rank 1 of 2): -o: .*nodir" "$out"; then ok
else bad "a bad output directory on rank 1 (exit $rc)"; fi

# out of memory on rank 1 only: its address space limited to 450 MB (a rank runs big.axon's
# 10 million synapses, 5 million its own, in under 700 MB, and gets to its synapses in under
# 300 MB), too little for its 10 million of 20 million synapses; the job ends with rank 1's
# message and every rank's failure, never a hang. (Not under AddressSanitizer, which reserves
# terabytes of address space for its shadow memory: then not counted.)
if [ -z "${AXON_SAN:-}" ]; then
    mpirun_ -np 2 sh -c 'if [ "${OMPI_COMM_WORLD_RANK:-0}" = 1 ]; then ulimit -v 450000; fi
        exec "$1" run "$2" --set K=2000 --threads 1 -q -o "$3"' sh "$AXON" \
        "$AXON_SRCDIR/tests/mpi/big.axon" "$tmp/oom" >"$out" 2>&1
    rc=$?
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] &&
        grep -q "axon run (rank 1 of 2): projection 'E->E': out of memory for [0-9]* synapses" "$out" &&
        grep -q "axon run (rank 0 of 2): rank 1 of 2 could not .* (see its message)" "$out" &&
        [ ! -e "$tmp/oom/manifest.json" ]; then ok
    else bad "out of memory on rank 1 (exit $rc)"; fi
fi

# out of memory on rank 1 only in mid-run, when the spike exchange must grow for the reduced
# microcircuit's opening burst: the test-only AXON_TEST_MPI_EXCHANGE_WORDS (docs/mpi.md) makes
# rank 1's enlargement fail as if memory had run out. The library returns the failure from the
# step on every rank alike (rank 1 its own message, the others naming rank 1), the driver
# reports it and ends the job, nothing is written and nothing hangs. (The empty blocks of 2
# ranks are 2 + 8 populations + 64 = 74 words: the first enlargement fails.)
mpirun_ -np 2 sh -c 'if [ "${OMPI_COMM_WORLD_RANK:-0}" = 1 ]; then
        AXON_TEST_MPI_EXCHANGE_WORDS=74; export AXON_TEST_MPI_EXCHANGE_WORDS; fi
    exec "$1" run "$2" --set scale=0.05 --set k_scale=0.05 -t 0.05s -q -o "$3"' sh "$AXON" \
    "$(model_file micro)" "$tmp/xoom" >"$out" 2>&1
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] &&
    grep -q "axon run (rank 1 of 2): out of memory for the spike exchange ([0-9]* bytes for blocks of [0-9]* words from each of 2 ranks)" "$out" &&
    ! grep -q "^axon: rank" "$out" && [ ! -e "$tmp/xoom/manifest.json" ]; then ok
else bad "out of memory on rank 1 in the spike exchange (exit $rc)"; fi

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
    ! grep -q "MPI_ABORT" "$out" && [ -s "$tmp/stopped.checkpoint.rank1-of-2.a" ]; then ok
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
    ! grep -q "MPI_ABORT" "$out" && grep -q '"partial": true' "$tmp/blow/manifest.json" 2>/dev/null; then ok
else bad "a non-finite value on rank 1 only (exit $rc)"; fi

# the weights of examples/stdp_song.axon (a record of every synapse's weight, all onto one
# neuron: rank 1 holds none of them) over 2 ranks read as one process's
if "$AXON" run "$AXON_SRCDIR/examples/stdp_song.axon" -t 10s --seed 3 -q -o "$tmp/song.1" >"$out" 2>&1 &&
    mpirun_ -np 2 "$AXON" run "$AXON_SRCDIR/examples/stdp_song.axon" -t 10s --seed 3 -q \
        -o "$tmp/song.2" >"$out" 2>&1; then
    same "examples/stdp_song.axon: mpirun -np 2" "$tmp/song.1" "$tmp/song.2"
else bad "examples/stdp_song.axon: mpirun -np 2"; fi

# refused PATTERN FILE [OPTION...]: `axon run FILE OPTION... -q` on 2 ranks stops, not by the
# timeout (its exit status in rc), with a message that matches PATTERN (grep) in $out
refused() {
    pat=$1
    shift
    mpirun_ -np 2 "$AXON" run "$@" -q >"$out" 2>&1
    rc=$?
    [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "$pat" "$out"
}

# refused over ranks, with the reason, by every rank alike (no hang)
if refused "a third population by the source (via ... by pre, tripartite synapses) does not work over several MPI ranks" "$AXON_SRCDIR/tests/golden/ir/via.axon" -t 0.01s; then ok
else bad "a third population by the source (via ... by pre) over ranks (exit $rc)"; fi
# a synapse that writes at the target a variable it reads at the source, in one population, is
# refused (the write is made on the target's rank; a reader on another rank would not see it)
# rather than run with stale values (reads alone run: tests/mpi/prereads.axon above)
cat >"$tmp/peek.axon" <<'EOF'
import "std/neurons/lif"
synapse Peek {
    parameters { w = 2 nS }
    on pre { post.ge += w * (1 + 0.01 * pre.ge / 1 nS) }
}
module PrePost {
    population E = LIFCond[100](I_ext = 0.25 nA)
    project E -> E : Peek connect random(0.1) delay 1 ms
    record spikes E
}
run PrePost for 10 ms
EOF
if refused "(rank 1 of 2): projection 'E->E': its handlers write at the target a variable that they read at the source" "$tmp/peek.axon" &&
    grep -q "(rank 0 of 2): projection 'E->E': its handlers write at the target a variable that they read at the source" "$out" &&
    "$AXON" run "$tmp/peek.axon" -q -o "$tmp/peek" >"$out" 2>&1; then ok
else bad "a handler writing at the target what it reads at the source over ranks (exit $rc)"; fi

# the run summary counts the gathers of presynaptic variables (axon_mpi_info.gathers):
# tests/mpi/prereads.axon gathers five variables every step (100 steps: 500), COBA none
mpirun_ -np 2 "$AXON" run "$AXON_SRCDIR/tests/mpi/prereads.axon" -t 0.01s >"$out" 2>&1
if grep -q "^MPI: 500 gathers of whole populations' variables" "$out" &&
    mpirun_ -np 2 "$AXON" run "$AXON_SRCDIR/examples/coba.axon" -t 0.01s >"$out" 2>&1 &&
    grep -q "^MPI: 2 ranks" "$out" && ! grep -q "gathers" "$out"; then ok
else bad "the gathers in the run summary over 2 ranks"; fi

# what needs a whole population (topk, a signal following a population's mean: the ranks'
# blocks of the variable are gathered every step, then summed or ranked in index order),
# handlers of neuron events (on post.NAME, on the rank of the target), continuous synapses
# reading every presynaptic oscillator (examples/kuramoto.axon) and structural plasticity
# (tests/validation/structure.axon: pruning and growing with draws and by the source's rate,
# each rank its synapses; the manifest's active counts summed over the ranks) run as one process
for f in tests/validation/topk.axon examples/reward.axon tests/validation/neuron_events.axon \
    examples/kuramoto.axon tests/validation/structure.axon; do
    case $f in
        examples/reward.axon) t=2s ;;
        examples/kuramoto.axon | tests/validation/structure.axon) t=0.1s ;;
        *) t=0.03s ;;
    esac
    if "$AXON" run "$AXON_SRCDIR/$f" -t "$t" --seed 5 -q -o "$tmp/whole.1" >"$out" 2>&1; then
        for np in 2 3; do
            rm -rf "$tmp/whole.$np"
            if mpirun_ -np "$np" "$AXON" run "$AXON_SRCDIR/$f" -t "$t" --seed 5 --threads 2 -q \
                -o "$tmp/whole.$np" >"$out" 2>&1; then
                same "$f: mpirun -np $np" "$tmp/whole.1" "$tmp/whole.$np"
            else bad "$f: mpirun -np $np"; fi
        done
    else bad "$f: one process"; fi
    rm -rf "$tmp/whole.1"
done

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
