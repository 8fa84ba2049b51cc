#!/bin/sh
# Hostile and unlucky inputs (issue "Reliability"): very long lines, unbounded and oversized
# files, bad output directories, interrupted runs. Nothing here measures time: a limit of
# `timeout` seconds catches only work that is orders of magnitude too slow.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"

# ---- the front end: long lines -----------------------------------------------------------
# A valid model of 10,000 neurons on one line (1 MB): lexing was quadratic in the length of a
# line (minutes for this size) and the table of definitions grew by one element at a time
# (gigabytes).
awk 'BEGIN { for (i = 0; i < 10000; i++)
    printf "neuron N%d { parameters { a = %d.5 mV } state { v = 0 mV } equations { v'"'"' = (a - v) / (10 ms) } } ", i, i
    printf "\n" }' >"$tmp/long.axon"
check "the one-line model is over 1 MB" test "$(wc -c <"$tmp/long.axon")" -gt 1000000
expect "check: a 1 MB line" 0 timeout 20 "$AXON" check "$tmp/long.axon"
# an error at the end of that line echoes a window of the line, not all of it
sed 's/$/neuron X { state { v = = 1 } }/' "$tmp/long.axon" >"$tmp/long_bad.axon"
expect "check: an error on a 1 MB line" 1 timeout 20 "$AXON" check "$tmp/long_bad.axon"
contains "check: the error on a long line" "long_bad.axon:1:1017804: error: unexpected '='"
check "check: a long line is echoed in part" test "$(wc -c <"$out")" -lt 1000
contains "check: the excerpt says it is cut" " 1 | ... v' = (a - v) / (10 ms) } } neuron N9999 {"
# messages quote at most 40 bytes of a token: a 100 KB string, a 100 KB malformed number
awk 'BEGIN { s = ""; for (i = 0; i < 100000; i++) s = s "7"
    printf "neuron N {\n    state { v = 0 }\n}\n\"%s\"\nneuron M {\n    parameters { a = %s. }\n}\n", s, s }' >"$tmp/long_tokens.axon"
expect "check: long tokens" 1 "$AXON" check "$tmp/long_tokens.axon"
contains "check: a long string is quoted in part" "error: unexpected string \"7777777777777777777777777777777777777777...\""
contains "check: a long number is quoted in part" "error: malformed number '7777777777777777777777777777777777777777...'"
check "check: long tokens give short messages" test "$(wc -c <"$out")" -lt 2000

# ---- the front end: sizes --------------------------------------------------------------
# An endless model file is read up to the limit (64 MiB), a larger regular file not at all.
expect "check: /dev/zero" 2 timeout 20 "$AXON" check /dev/zero
contains "check: /dev/zero message" "cannot read '/dev/zero': larger than 64 MiB, the limit for a model file"
truncate -s 65M "$tmp/big.axon"
expect "check: a 65 MiB model" 2 "$AXON" check "$tmp/big.axon"
contains "check: a 65 MiB model message" "larger than 64 MiB, the limit for a model file"
# data files: 256 MiB
truncate -s 257M "$tmp/big.csv"
printf 'import "std/neurons/lif"\nimport "std/synapses"\nmodule M {\n    population A = LIF[2]\n    project A -> A : ExpCurrent connect from "/dev/zero"\n}\n' >"$tmp/zero.axon"
expect "check: data from /dev/zero" 1 timeout 20 "$AXON" check "$tmp/zero.axon"
contains "check: data from /dev/zero" "zero.axon:5:41: error: '/dev/zero' is larger than 256 MiB, the limit for a data file"
printf 'import "std/neurons/lif"\nmodule M {\n    population A = LIF[2]\n    population B = LIF[2](I_ext = timed("big.csv", 1 ms) * 1 nA)\n}\n' >"$tmp/zero.axon"
expect "check: a 257 MiB data file" 1 timeout 20 "$AXON" check "$tmp/zero.axon"
contains "check: a 257 MiB data file" "zero.axon:4:41: error: '$tmp/big.csv' is larger than 256 MiB, the limit for a data file"

# a FIFO without a writer reads as empty: no open waits for ever
mkfifo "$tmp/fifo.axon" "$tmp/fifo.csv"
expect "check: a FIFO without a writer" 0 timeout 20 "$AXON" check "$tmp/fifo.axon"
expect "fmt: a FIFO without a writer" 0 timeout 20 "$AXON" fmt --check "$tmp/fifo.axon"
check "fmt: the FIFO is still one" test -p "$tmp/fifo.axon"
expect "fmt: /dev/zero" 2 timeout 20 "$AXON" fmt --check /dev/zero
contains "fmt: /dev/zero message" "axon fmt: cannot read '/dev/zero': larger than 64 MiB, the limit for a model file"
if "$AXON" repl --help >/dev/null 2>&1; then
    printf ':load %s\n:quit\n' "$tmp/fifo.axon" >"$tmp/load.in"
    expect "repl: :load a FIFO without a writer" 0 timeout 20 "$AXON" repl <"$tmp/load.in"
    printf ':load /dev/zero\n:quit\n' >"$tmp/load.in"
    expect "repl: :load /dev/zero" 1 timeout 20 "$AXON" repl <"$tmp/load.in"
    contains "repl: :load /dev/zero message" "cannot read '/dev/zero': larger than 64 MiB, the limit for a model file"
fi
printf 'import "std/neurons/lif"\nimport "std/synapses/basic"\nmodule M {\n    population A = LIF[2]\n    project A -> A : VoltageJump(w = 1 mV) connect from "fifo.csv"\n}\n' >"$tmp/fifo_data.axon"
expect "check: data from a FIFO without a writer" 1 timeout 20 "$AXON" check "$tmp/fifo_data.axon"
contains "check: data from a FIFO" "fifo_data.axon:5:52: error: '$tmp/fifo.csv' is empty: it needs a header row naming its columns"

# ---- data files -------------------------------------------------------------------------
# a typo in a first row is not a header: an error at the typo, with a hint (golden tests have
# the messages, tests/golden/semantic/timed_typos.axon; here the hints)
printf 'O.5\n1\n' >"$tmp/typo.csv"
printf 'current, l0\n0.5, 1\n' >"$tmp/typo2.csv"
printf 'import "std/neurons/lif"\nmodule M {\n    population A = LIF[2](I_ext = timed("typo.csv", 1 ms) * 1 nA)\n    population B = LIF[2](I_ext = timed("typo2.csv", 1 ms) * 1 nA)\n}\n' >"$tmp/typo.axon"
expect "check: a typo in the first row of a timed array" 1 "$AXON" check "$tmp/typo.axon"
contains "check: typo message" "typo.csv:1:1: error: 'O.5' is not a number"
contains "check: typo hint" "hint: did you mean '0.5'? ('O' and 'l' are letters, not digits)"
contains "check: not a header hint" "hint: a first row is a header only when every value in it is a column name; 'l0' is not one"

# ---- runs and outputs -------------------------------------------------------------------
# A model that runs for as long as it is let (10,000 s of model time), recording little.
printf 'import "std/neurons/lif"\nmodule Long {\n    population P = LIF[100](I_ext = 0.5 nA)\n    record spikes P\n    record P.v [0 .. 1] every 10 ms\n}\n' >"$tmp/long_run.axon"
# -o that cannot be written is refused before the run (which would take hours)
: >"$tmp/afile"
expect "run: -o a file" 1 timeout 20 "$AXON" run "$tmp/long_run.axon" -t 10000s -o "$tmp/afile" -q
contains "run: -o a file message" "axon run: -o: $tmp/afile: not a directory"
expect "run: -o inside a file" 1 timeout 20 "$AXON" run "$tmp/long_run.axon" -t 10000s -o "$tmp/afile/out" -q
contains "run: -o inside a file message" "cannot create a temporary directory next to it: Not a directory"
if [ "$(id -u)" -ne 0 ]; then
    mkdir "$tmp/ro" && chmod 555 "$tmp/ro"
    expect "run: -o an unwritable directory" 1 timeout 20 "$AXON" run "$tmp/long_run.axon" -t 10000s -o "$tmp/ro" -q
    contains "run: -o an unwritable directory message" "Permission denied"
    chmod 755 "$tmp/ro"
elif [ -d /proc/self ]; then  # root writes anywhere but in such file systems
    expect "run: -o an unwritable directory" 1 timeout 20 "$AXON" run "$tmp/long_run.axon" -t 10000s -o /proc/axon-out -q
fi
expect "build: the long model" 0 "$AXON" build "$tmp/long_run.axon" -o "$tmp/long_exe"
expect "built: -o a file" 1 timeout 20 "$tmp/long_exe" -t 10000s -o "$tmp/afile" -q
contains "built: -o a file message" "-o: $tmp/afile: not a directory"

# ---- axon build: outputs -----------------------------------------------------------------
# Every output is written through an exclusive temporary file and renamed into place: links
# planted at the old predictable temporary name or at the output itself are not followed
# (their target keeps its bytes), and the outputs get the permissions of a file created there
# (not mkstemp's 0600).
mkdir "$tmp/b" && echo secret >"$tmp/b/target"
ln -s target "$tmp/b/m.h.tmp" && ln -s target "$tmp/b/m.o" && ln -s target "$tmp/b/m.h"
expect "build: obj over planted links" 0 sh -c "umask 022 && '$AXON' build '$tmp/long_run.axon' --emit obj -o '$tmp/b/m.o' -q"
check "build: the links' target is untouched" test "$(cat "$tmp/b/target")" = secret
check "build: m.o is a file now" test -f "$tmp/b/m.o" -a ! -L "$tmp/b/m.o"
check "build: m.h is a file now" test -f "$tmp/b/m.h" -a ! -L "$tmp/b/m.h"
check "build: object and header 0644 under umask 022" test "$(stat -c %a "$tmp/b/m.o") $(stat -c %a "$tmp/b/m.h")" = "644 644"
check "build: no temporary file left" test -z "$(ls "$tmp/b" | grep 'tmp-')"
expect "build: exe under umask 027" 0 sh -c "umask 027 && '$AXON' build '$tmp/long_run.axon' -o '$tmp/b/exe' -q"
check "build: exe 0750 under umask 027" test "$(stat -c %a "$tmp/b/exe")" = 750
# an output named like an option is a file, not an option of the C compiler
expect "build: -o -x" 0 sh -c "cd '$tmp/b' && '$AXON' build '$tmp/long_run.axon' -o -x -q"
check "build: the file -x" test -x "$tmp/b/-x"
# $CC may hold arguments
expect "build: CC with arguments" 0 env CC="${CC:-cc} -O1" "$AXON" build "$tmp/long_run.axon" -o "$tmp/b/cc_args" -q
check "build: CC with arguments: an executable" test -x "$tmp/b/cc_args"
expect "build: CC that is not there" 1 env CC="/nonexistent/cc -O1" "$AXON" build "$tmp/long_run.axon" -o "$tmp/b/cc_none" -q
contains "build: CC that is not there: message" "cannot run the C compiler '/nonexistent/cc'"

# Background jobs of a script start with SIGINT ignored, and Axon leaves an ignored signal
# ignored: env --default-signal undoes that where env has it.
launch=
env --default-signal=INT true 2>/dev/null && launch="env --default-signal=INT"
# stopped SIG NUMBER WHO: runs the long model (WHO: exe, the built executable; run, axon run)
# in the background into $tmp/sig and sends SIG once it simulates (after 1 s, 3 s for axon run,
# which compiles first; once more later if the signal came before the handlers were set), then
# checks the exit status 128 + NUMBER and the partial recordings.
stopped() {
    sig=$1 num=$2 who=$3
    rm -rf "$tmp/sig" "$tmp/sig.checkpoint"
    for delay in 1 4; do
        case $who in
        exe) $launch "$tmp/long_exe" -t 10000s -o "$tmp/sig" -q >"$out" 2>&1 & ;;
        run) $launch "$AXON" run "$tmp/long_run.axon" -t 10000s -o "$tmp/sig" -q >"$out" 2>&1 & ;;
        esac
        pid=$!
        [ $who = run ] && sleep 2
        sleep $delay
        kill -$sig $pid
        wait $pid
        rc=$?
        [ -f "$tmp/sig/manifest.json" ] && break
    done
    check "$who: $sig: exit status $rc, expected $((128 + num))" test "$rc" -eq $((128 + num))
    if grep -q '"partial": true' "$tmp/sig/manifest.json" 2>/dev/null; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: $who: $sig: no partial recordings"; cat "$out"; fi
    contains "$who: $sig: message" "stopped by SIG$sig at"
    check "$who: $sig: no temporary directory left" test -z "$(ls "$tmp" | grep 'sig.tmp-')"
    check "$who: $sig: spikes recorded" test -s "$tmp/sig/P.spikes.t.npy"
    # and a checkpoint to continue from, next to -o DIR (tests/cli/embed.sh resumes one)
    check "$who: $sig: checkpoint written" test -s "$tmp/sig.checkpoint"
    contains "$who: $sig: checkpoint message" "continue with --resume $tmp/sig.checkpoint"
}
if [ -n "$launch" ]; then stopped INT 2 exe; stopped INT 2 run; else stopped TERM 15 exe; fi
stopped TERM 15 run

# A model that blows up: v' = v / tau overflows to +inf at t = 0.71 s (neuron 4 first, but the
# check every 64 steps finds neurons 2, 3 and 4 at once and names the first).
cat >"$tmp/blow.axon" <<'EOF'
neuron Grow {
    parameters { tau = 1 ms }
    state { v = 1 }
    equations { v' = v / tau }
}
module Blow {
    population G = Grow[5] { v = 0.5 * i }
    record G.v
}
run Blow for 1 s
EOF
expect "run: a model that blows up" 1 "$AXON" run "$tmp/blow.axon" -o "$tmp/blow" -q
contains "run: nan message" "axon run: population 'G', variable 'v' (equation at $tmp/blow.axon:4:17), neuron 2: +inf at t = 0.7104 s (step 7104; every value was finite at step 7040): the run stopped there (--on-nan warn goes on); writing what was recorded (\"partial\": true)"
check "run: nan: partial recordings" grep -q '"partial": true' "$tmp/blow/manifest.json"
check "run: nan: 7104 steps recorded" grep -q '"shape": \[7104, 5\]' "$tmp/blow/manifest.json"
expect "run: --on-nan warn" 0 "$AXON" run "$tmp/blow.axon" --on-nan warn -q
contains "run: --on-nan warn message" "axon run: warning: population 'G', variable 'v' (equation at $tmp/blow.axon:4:17), neuron 2: +inf at t = 0.7104 s (step 7104; every value was finite at step 7040); the run went on (--on-nan warn)"
expect "run: --on-nan ignore" 0 "$AXON" run "$tmp/blow.axon" --on-nan ignore -q
check "run: --on-nan ignore says nothing" test ! -s "$out"
expect "run: --on-nan bad" 2 "$AXON" run "$tmp/blow.axon" --on-nan maybe
contains "run: --on-nan bad message" "axon run: --on-nan needs stop, warn or ignore, not 'maybe'"
expect "build: the model that blows up" 0 "$AXON" build "$tmp/blow.axon" -o "$tmp/blow_exe"
expect "built: a model that blows up" 1 "$tmp/blow_exe" -q
contains "built: nan message" "neuron 2: +inf at t = 0.7104 s"
expect "built: --on-nan warn" 0 "$tmp/blow_exe" -q --on-nan warn
contains "built: --on-nan warn message" "the run went on (--on-nan warn)"
# A synapse variable that blows up (x' = x / tau, x = 0.25 j): found in the projection, the
# lowest synapse holding +inf named with its neurons
cat >"$tmp/synblow.axon" <<'EOF'
import "std/neurons/lif"
synapse Growing {
    parameters { w = 0.1 mV
                 tau = 1 ms }
    state { x = 1 }
    equations { x' = x / tau }
    on pre { post.v += w * x }
}
module SynBlow {
    population A = LIF[4](I_ext = 0.5 nA)
    project A -> A : Growing(x = 0.25 * j) connect all_to_all
    record spikes A
}
run SynBlow for 1 s
EOF
expect "run: a synapse variable that blows up" 1 "$AXON" run "$tmp/synblow.axon" -o "$tmp/synblow" -q
contains "run: synapse nan message" "axon run: projection 'A->A', variable 'x' (equation at $tmp/synblow.axon:6:17), synapse 3 (neuron 0 -> neuron 3): +inf at t = 0.7104 s (step 7104; every value was finite at step 7040): the run stopped there"
check "run: synapse nan: partial recordings" grep -q '"partial": true' "$tmp/synblow/manifest.json"
expect "run: synapse nan --on-nan warn" 0 "$AXON" run "$tmp/synblow.axon" --on-nan warn -q
contains "run: synapse nan warn message" "warning: projection 'A->A', variable 'x'"

# ---- memory: the estimate before the run (--dry-run, --max-memory) ------------------------
# 2 state variables per neuron, 20 synapses per neuron (a shared weight: 4 bytes each for the
# target), v of 1000 neurons recorded every 1 ms; nothing spikes
cat >"$tmp/mem.axon" <<'EOF'
import "std/synapses/basic"
neuron Calm {
    state { v = 0 mV
            u = 0 mV }
    equations { v' = (u - v) / (10 ms)
                u' = -u / (20 ms) }
    spike when v > 10 mV { v = 0 mV }
}
module Mem(N = 1000) {
    population P = Calm[N]
    project P -> P : VoltageJump(w = 0.1 mV) connect fixed_indegree(20)
    record P.v [0 .. 999] every 1 ms
}
run Mem for 200 ms
EOF
expect "run --dry-run" 0 "$AXON" run "$tmp/mem.axon" --set N=400000 --dry-run -o "$tmp/dry"
contains "dry run: the neurons" "population P                           400000 neurons"
contains "dry run: the synapses" "projection P->P                       8000000 synapses"
contains "dry run: the record" "record P.v                                200 samples"
check "dry run: nothing run" test ! -e "$tmp/dry" -a ! -e "$tmp/dry.checkpoint"
check "dry run: no summary" test -z "$(grep 'real-time factor' "$out")"
expect "run --max-memory 10M" 1 "$AXON" run "$tmp/mem.axon" --set N=400000 --max-memory 10M -o "$tmp/mm"
contains "run --max-memory message" "axon run: the run would take about 76.7 MiB, more than --max-memory (10.0 MiB); see --dry-run for the parts"
check "run --max-memory: no output" test ! -e "$tmp/mm"
expect "run --max-memory 1G" 0 "$AXON" run "$tmp/mem.axon" --set N=1000 --max-memory 1G -q
# a billion neurons with 20 billion synapses: refused at once, not after gigabytes
expect "run: N = 1e9" 1 timeout 20 "$AXON" run "$tmp/mem.axon" --set N=1000000000
contains "run: N = 1e9 message" "more than the machine's memory"
expect "run --max-memory bad" 2 "$AXON" run "$tmp/mem.axon" --max-memory 12Q
contains "run --max-memory bad message" "--max-memory needs a size such as 512M, 4G or '1.5 T', not '12Q'"
# the estimate against the peak resident memory of a built executable (no compiler in the
# process): the difference between N = 400,000 and N = 1,000 (which leaves out the program
# itself) agrees within 10%. Sanitizers' shadow memory would count too: not in such builds.
expect "build: the memory model (big)" 0 "$AXON" build "$tmp/mem.axon" --set N=400000 -o "$tmp/mem_big"
expect "build: the memory model (small)" 0 "$AXON" build "$tmp/mem.axon" --set N=1000 -o "$tmp/mem_small"
# total BUILT: the estimate in bytes
total() { "$1" --dry-run | sed -n 's/.* = \([0-9]*\) bytes$/\1/p'; }
# rss BUILT: the peak resident memory of a run, in bytes
rss() { /usr/bin/time -f '%M' -o "$tmp/rss" "$1" -q && echo $(($(tail -n 1 "$tmp/rss") * 1024)); }
if [ -n "${AXON_SAN:-}" ]; then
    echo "reliability: the estimate is not compared with the resident memory (sanitizer build)"
elif [ ! -x /usr/bin/time ]; then
    echo "reliability: the estimate is not compared with the resident memory (no /usr/bin/time)"
else
    est=$(($(total "$tmp/mem_big") - $(total "$tmp/mem_small")))
    got=$(($(rss "$tmp/mem_big") - $(rss "$tmp/mem_small")))
    check "memory: the estimate ($est bytes) within 10% of the resident memory ($got bytes)" \
        awk -v e="$est" -v g="$got" 'BEGIN { exit !(e > 0 && g > 0 && e <= 1.1 * g && e >= 0.9 * g) }'
fi

# A directory that held another model's recordings keeps only the new ones (and files that no
# manifest listed)
printf 'import "std/neurons/lif"\nmodule Other {\n    population Q = LIF[10](I_ext = 0.5 nA)\n    record spikes Q\n    record Q.v every 1 ms\n}\n' >"$tmp/other.axon"
expect "run: another model" 0 "$AXON" run "$tmp/other.axon" -t 10ms -o "$tmp/shared" -q
: >"$tmp/shared/notes.txt"
expect "run: into its directory" 0 "$AXON" run "$tmp/long_run.axon" -t 10ms -o "$tmp/shared" -q
check "run: only the new model's files and the notes" test "$(ls "$tmp/shared" | tr '\n' ' ')" = "P.spikes.i.npy P.spikes.t.npy P.v.npy P.v.t.npy manifest.json notes.txt "

finish reliability
