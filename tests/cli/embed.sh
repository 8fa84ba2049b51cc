#!/bin/sh
# The embedding API with real compiled models (tests/cli/api.c): loading shared libraries.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}" "${AXON_LIBDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"
inc="-I$AXON_SRCDIR/runtime/include"
rt="-L$AXON_LIBDIR -Wl,-rpath,$AXON_LIBDIR -laxonrt -lm"

izh="$AXON_SRCDIR/examples/izhikevich.axon"
expect "build api" 0 $cc $san $inc -Wall -Wextra -Werror "$AXON_SRCDIR/tests/cli/api.c" $rt -o "$tmp/api"

# ---- axon_model_open
expect "build shared" 0 "$AXON" build "$izh" --emit shared --symbol izh -o "$tmp/libizh.so" -q
expect "open" 0 "$tmp/api" open "$tmp/libizh.so" izh
contains "open runs the model" "Izhikevich4: "
expect "open: wrong symbol" 1 "$tmp/api" open "$tmp/libizh.so" -
contains "open: wrong symbol message" "no model descriptor 'axon_model'"
expect "open: missing file" 1 "$tmp/api" open "$tmp/none.so" -
contains "open: missing file message" "cannot load model library"
printf 'const struct { unsigned abi; } m = {9999};\n' >"$tmp/abi.c"
expect "build foreign ABI" 0 $cc -shared -fPIC "$tmp/abi.c" -o "$tmp/abi.so"
expect "open: foreign ABI" 1 "$tmp/api" open "$tmp/abi.so" m
contains "open: foreign ABI message" "compiled for runtime ABI 9999"
contains "open: foreign ABI message (ours)" "implements ABI"
# a name that is not a descriptor is refused, not read: a function, a variable of a library
# it links, a variable smaller than the ABI field, a variable of another size
printf '#include <stdio.h>\nint f(void) { return 1; }\nconst char small = 1;\nFILE *g(void) { return stdout; }\nconst struct { unsigned abi; char pad[20]; } odd = {%s};\n' \
    "$(sed -n 's/^#define AXON_ABI_VERSION \([0-9]*\).*/\1/p' "$AXON_SRCDIR/runtime/include/axon/model.h")" >"$tmp/notdesc.c"
expect "build a library of no model" 0 $cc -shared -fPIC "$tmp/notdesc.c" -o "$tmp/notdesc.so"
expect "open: a function" 1 "$tmp/api" open "$tmp/notdesc.so" f
contains "open: a function message" "'f' is not a model descriptor (a function)"
expect "open: another library's variable" 1 "$tmp/api" open "$tmp/notdesc.so" stdout
contains "open: another library's variable message" "(a variable of another library it links)"
expect "open: a small variable" 1 "$tmp/api" open "$tmp/notdesc.so" small
contains "open: a small variable message" "(a variable too small)"
expect "open: a variable of another size" 1 "$tmp/api" open "$tmp/notdesc.so" odd
contains "open: a variable of another size message" "'odd' is not a model descriptor (24 bytes, not"

# ---- the API with two real models alive at once: closed loop, checkpoint into a second
# simulation of another thread count, misuse; models built for plain x86-64 so that the run is
# also checked under valgrind (which knows no AVX-512)
cpu=""
[ "$(uname -m)" = x86_64 ] && cpu="--target-cpu x86-64"
expect "suite: build tracker" 0 "$AXON" build "$AXON_SRCDIR/examples/embed/tracker.axon" --emit shared --symbol tracker $cpu -o "$tmp/libtracker.so" -q
expect "suite: build izh" 0 "$AXON" build "$izh" --emit shared --symbol izh $cpu -o "$tmp/libizh2.so" -q
expect "suite" 0 "$tmp/api" suite "$tmp/libtracker.so" tracker "$tmp/libizh2.so" izh
contains "suite: output" "0 failures"
if [ -n "$san" ]; then
    echo "embed: valgrind check skipped (sanitizer build)"
elif [ -z "$cpu" ] || ! command -v valgrind >/dev/null 2>&1; then
    echo "embed: valgrind check skipped (valgrind is not installed, or not x86-64)"
else
    expect "suite under valgrind" 0 valgrind -q --error-exitcode=1 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect "$tmp/api" suite "$tmp/libtracker.so" tracker "$tmp/libizh2.so" izh
    # the Check suites of the API and of its misuse (every export with NULL and bad
    # arguments), in one process so that valgrind sees every call
    ck="${AXON_BUILDDIR:-.}/tests/unit/check_axon"
    if [ -x "$ck" ]; then
        for suite in api misuse; do
            expect "Check suite $suite under valgrind" 0 env CK_FORK=no valgrind -q --error-exitcode=1 \
                --leak-check=full --errors-for-leak-kinds=definite,indirect "$ck" $suite
            contains "Check suite $suite under valgrind: output" "100%: Checks:"
        done
    else
        echo "embed: Check suites under valgrind skipped (built without Check)"
    fi
fi

# ---- the typed header of --emit obj: names of the model as C names
expect "typed: build coba.o" 0 "$AXON" build "$AXON_SRCDIR/examples/coba.axon" --set N=500 --emit obj --symbol coba -o "$tmp/coba.o" -q
expect "typed: build izh.o" 0 "$AXON" build "$izh" --emit obj --symbol izh -o "$tmp/izh.o" -q
expect "typed: compile" 0 $cc $san $inc -I"$tmp" -Wall -Wextra -Werror "$AXON_SRCDIR/tests/cli/typed.c" "$tmp/coba.o" "$tmp/izh.o" $rt -o "$tmp/typed"
expect "typed: run" 0 "$tmp/typed"
contains "typed: output" "E spikes"
expect "typed: C++" 0 ${CXX:-c++} -x c++ -std=c++11 -Wall -Wextra -Werror -fsyntax-only $inc "$tmp/coba.h"
# a misspelt name fails the build: an unknown constant does not compile, an unknown accessor
# does not link (and does not compile with -Werror=implicit-function-declaration)
sed 's/coba_pop_E !=/coba_pop_EE !=/' "$AXON_SRCDIR/tests/cli/typed.c" >"$tmp/typo1.c"
expect "typed: misspelt constant" 1 $cc $inc -I"$tmp" -c "$tmp/typo1.c" -o "$tmp/typo1.o"
contains "typed: misspelt constant message" "coba_pop_EE"
sed 's/coba_E_v(c);/coba_E_vv(c);/' "$AXON_SRCDIR/tests/cli/typed.c" >"$tmp/typo2.c"
expect "typed: misspelt accessor" 1 $cc $inc -I"$tmp" "$tmp/typo2.c" "$tmp/coba.o" "$tmp/izh.o" $rt -o "$tmp/typo2"
contains "typed: misspelt accessor message" "coba_E_vv"

# ---- the closed-loop example (also built against the installed tree by tests/cli/install.sh)
expect "closed loop: build tracker.o" 0 "$AXON" build "$AXON_SRCDIR/examples/embed/tracker.axon" --emit obj --symbol tracker -o "$tmp/tracker.o" -q
expect "closed loop: compile" 0 $cc $san -std=c11 -Wall -Wextra -Werror $inc -I"$tmp" "$AXON_SRCDIR/examples/embed/closed_loop.c" "$tmp/tracker.o" $rt -o "$tmp/closed_loop"
expect "closed loop: the network tracks the target" 0 "$tmp/closed_loop" --check
contains "closed loop: output" "error ratio network / drive off"

# ---- records of any synapse variable: u and x of short-term plasticity, an STDP trace
stp="$AXON_SRCDIR/tests/cli/stp.axon"
expect "run stp" 0 "$AXON" run "$stp" -o "$tmp/stp" -q
man="$tmp/stp/manifest.json"
for want in '"path": "tm.u.npy", "kind": "weights", "record": 0, "population": null, "projection": "tm", "variable": "u", "unit": "1", "dtype": "float64", "shape": [100, 5], "subset": [0, 1, 2, 3, 4], "period": 0.001' \
            '"path": "tm.x.npy", "kind": "weights"' \
            '"path": "ee.a_pre.npy", "kind": "weights", "record": 2, "population": null, "projection": "ee", "variable": "a_pre", "unit": "1", "dtype": "float64", "shape": [50, 20], "subset": "all", "period": 0.002' \
            '"path": "ee.w.npy", "kind": "weights", "record": 3, "population": null, "projection": "ee", "variable": "w"'; do
    if grep -qF -- "$want" "$man"; then ok; else : >"$out"; bad "stp manifest lacks: $want"; fi
done

# ---- checkpoints from the command line: a run killed with SIGKILL after a checkpoint, resumed,
# gives the recordings of a run that never stopped, bit for bit
coba="$AXON_SRCDIR/examples/coba.axon"
copts="--set N=2000 -t 2s --seed 5 -q"
expect "checkpoint-every without a file" 2 "$AXON" run "$coba" $copts --checkpoint-every 10ms
contains "checkpoint-every without a file message" "--checkpoint-every needs --checkpoint FILE or -o DIR"
expect "checkpoint-every bad value" 2 "$AXON" run "$coba" $copts --checkpoint-every 10kg -o "$tmp/x"
expect "resume a missing file" 1 "$AXON" run "$coba" $copts --resume "$tmp/none.ckpt"
contains "resume a missing file message" "--resume: $tmp/none.ckpt: cannot open"
expect "uninterrupted run" 0 "$AXON" run "$coba" $copts -o "$tmp/ref"
"$AXON" run "$coba" $copts -o "$tmp/killed" --checkpoint-every 10ms >"$out" 2>&1 &
pid=$!
n=0
while [ ! -f "$tmp/killed.checkpoint" ] && [ $n -lt 3000 ] && kill -0 $pid 2>/dev/null; do
    sleep 0.01
    n=$((n + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
if [ -f "$tmp/killed.checkpoint" ] && [ ! -d "$tmp/killed" ]; then ok; else
    : >"$out"; bad "kill: no checkpoint, or the run finished before it was killed"; fi
expect "resume" 0 "$AXON" run "$coba" $copts -o "$tmp/killed" --resume "$tmp/killed.checkpoint"
same=0
for f in "$tmp"/ref/*.npy; do
    if cmp -s "$f" "$tmp/killed/${f##*/}"; then same=$((same + 1)); else : >"$out"; bad "resumed run: ${f##*/} differs"; fi
done
if [ $same -ge 6 ]; then ok; else : >"$out"; bad "resumed run: $same identical files"; fi
# SIGTERM stops a run at the end of a step: the recordings so far (marked partial), a
# checkpoint, exit status 128 + 15 (tests/cli/reliability.sh tests the rest of the stop);
# resumed, the run ends as if never stopped
"$AXON" run "$coba" $copts -o "$tmp/term" --checkpoint-every 10ms >"$tmp/term.out" 2>&1 &
pid=$!
n=0
while [ ! -f "$tmp/term.checkpoint" ] && [ $n -lt 3000 ] && kill -0 $pid 2>/dev/null; do
    sleep 0.01
    n=$((n + 1))
done
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
cp "$tmp/term.out" "$out"
if [ $rc -eq 143 ]; then ok; else bad "SIGTERM: exit status $rc, expected 143"; fi
contains "SIGTERM: message" "stopped by SIGTERM at "
contains "SIGTERM: checkpoint" "continue with --resume $tmp/term.checkpoint"
if grep -q '"partial": true' "$tmp/term/manifest.json" 2>/dev/null; then ok; else
    : >"$out"; bad "SIGTERM: the manifest does not say partial"; fi
expect "SIGTERM: resume" 0 "$AXON" run "$coba" $copts -o "$tmp/term" --resume "$tmp/term.checkpoint"
same=0
for f in "$tmp"/ref/*.npy; do
    if cmp -s "$f" "$tmp/term/${f##*/}"; then same=$((same + 1)); else : >"$out"; bad "SIGTERM, resumed: ${f##*/} differs"; fi
done
if [ $same -ge 6 ]; then ok; else : >"$out"; bad "SIGTERM, resumed: $same identical files"; fi
if grep -q '"partial": false' "$tmp/term/manifest.json"; then ok; else : >"$out"; bad "the resumed run's manifest says partial"; fi
# a signal after the last step (here raised just before the write) stops nothing: the run is
# complete, exit status 0 and a message, its recordings whole, no report made
expect "signal before the write" 0 env AXON_TEST_SIGNAL_BEFORE_WRITE=1 "$AXON" run "$coba" $copts -o "$tmp/late" --report
contains "signal before the write: message" "SIGTERM came after the last step; the run is complete and its recordings are whole (no report made)"
if grep -q '"partial": false' "$tmp/late/manifest.json" && [ ! -e "$tmp/late/report" ]; then ok; else
    : >"$out"; bad "signal before the write: partial, or a report made"; fi
# a checkpoint of another model is refused, with both names
expect "resume another model" 1 "$AXON" run "$izh" -t 100ms -q --resume "$tmp/killed.checkpoint"
contains "resume another model message" "a checkpoint of model 'COBA'"
contains "resume another model message" "this simulation's model 'Izhikevich4'"
# a built executable takes the same options
expect "build coba exe" 0 "$AXON" build "$coba" --set N=500 -o "$tmp/coba_exe" -q
expect "exe: checkpoint" 0 "$tmp/coba_exe" -t 100ms -q --checkpoint-every 40ms --checkpoint "$tmp/exe.ckpt" -o "$tmp/e1"
expect "exe: resume" 0 "$tmp/coba_exe" -t 100ms -q --resume "$tmp/exe.ckpt" -o "$tmp/e2"
for f in "$tmp"/e1/*.npy; do
    if cmp -s "$f" "$tmp/e2/${f##*/}"; then ok; else : >"$out"; bad "exe resume: ${f##*/} differs"; fi
done
# values at spikes (`record spikes E.v`): the same files from axon run, a built executable, and
# the executable resumed from a checkpoint
printf 'import "std/neurons"\nmodule SV {\n    population E = LIF[20](I_ext = 0.2 nA, t_ref = 0 ms) { v = uniform(-65 mV, -50 mV) }\n    population A = AdEx[5](I_ext = 0.8 nA)\n    record spikes E.v, A.w, A.v\n}\nrun SV for 100 ms\n' >"$tmp/sv.axon"
expect "spike values: run" 0 "$AXON" run "$tmp/sv.axon" --seed 3 -q -o "$tmp/sv0"
contains_file() { if grep -qF -- "$2" "$3"; then ok; else : >"$out"; bad "$1: $3 lacks '$2'"; fi; }
contains_file "spike values: manifest" '"path": "E.spikes.v.npy", "kind": "spike_values"' "$tmp/sv0/manifest.json"
contains_file "spike values: manifest (w)" '"path": "A.spikes.w.npy", "kind": "spike_values"' "$tmp/sv0/manifest.json"
expect "spike values: build exe" 0 "$AXON" build "$tmp/sv.axon" -o "$tmp/sv_exe" -q
expect "spike values: exe" 0 "$tmp/sv_exe" --seed 3 -q --checkpoint-every 40ms --checkpoint "$tmp/sv.ckpt" -o "$tmp/sv1"
expect "spike values: exe resumed" 0 "$tmp/sv_exe" --seed 3 -q --resume "$tmp/sv.ckpt" -o "$tmp/sv2"
for f in E.spikes.t E.spikes.v A.spikes.i A.spikes.w A.spikes.v; do
    if [ -s "$tmp/sv0/$f.npy" ] && cmp -s "$tmp/sv0/$f.npy" "$tmp/sv1/$f.npy" &&
        cmp -s "$tmp/sv0/$f.npy" "$tmp/sv2/$f.npy"; then ok; else
        : >"$out"; bad "spike values: $f.npy differs between run, exe and resumed exe"; fi
done
expect "spike values: analyze reads them" 0 "$AXON" analyze "$tmp/sv2" -q
# resumed with a population's parameter set: axon run sets it after the restore, as the
# executable does (compiled in, the checkpoint's value replaced it: a silent no-op)
expect "resume --set: exe" 0 "$tmp/sv_exe" -q --resume "$tmp/sv.ckpt" --set E.I_ext=0.5nA -o "$tmp/sv3"
expect "resume --set: run" 0 "$AXON" run "$tmp/sv.axon" -q --resume "$tmp/sv.ckpt" --set E.I_ext=0.5nA \
    -o "$tmp/sv4"
check "resume --set: run = exe" same_npy "$tmp/sv3" "$tmp/sv4" 5
if cmp -s "$tmp/sv2/E.spikes.t.npy" "$tmp/sv4/E.spikes.t.npy"; then : >"$out"; bad "resume --set: no effect"; else ok; fi
expect "resume --set: a parameter the model lacks" 1 "$AXON" run "$tmp/sv.axon" -q --resume "$tmp/sv.ckpt" \
    --set E.bogus=1nA
contains "resume --set: a parameter the model lacks: message" "--set E.bogus=1nA: E (a LIF) has no parameter 'bogus'"
# ... a projection group's parameter (P.w: P.E_E.w and P.E_F.w) and a truth value (learning),
# which executables take too, with spaces around '='
printf 'import "std/neurons/lif"\nimport "std/synapses/basic"\nimport "std/rules/stdp"\nmodule G {\n    population E = LIFCond[10](I_ext = 0.3 nA)\n    population F = LIFCond[10]\n    project P = E -> E, F : Exc(w = 1 nS) connect random(0.2) delay 1 ms learn STDP(w_max = 12 nS)\n    record spikes E, F\n    record weights P.E_F every 10 ms\n}\nrun G for 100 ms\n' >"$tmp/grp.axon"
expect "resume --set group: checkpoint" 0 "$AXON" run "$tmp/grp.axon" -t 50ms --checkpoint-every 50ms --checkpoint "$tmp/grp.ck" -q
expect "resume --set group: run" 0 "$AXON" run "$tmp/grp.axon" --resume "$tmp/grp.ck" --set P.w=5nS --set P.learning=false -o "$tmp/g1" -q
expect "resume --set group: build" 0 "$AXON" build "$tmp/grp.axon" -o "$tmp/grp_exe" -q
expect "resume --set group: exe" 0 "$tmp/grp_exe" --resume "$tmp/grp.ck" --set P.E_E.w=5nS --set 'P.E_F.w = 5 nS' \
    --set P.E_E.learning=false --set P.E_F.learning=false -o "$tmp/g2" -q
check "resume --set group: run = exe" same_npy "$tmp/g1" "$tmp/g2" 5
expect "resume --set group: without" 0 "$AXON" run "$tmp/grp.axon" --resume "$tmp/grp.ck" -o "$tmp/g3" -q
if cmp -s "$tmp/g1/F.spikes.t.npy" "$tmp/g3/F.spikes.t.npy" || cmp -s "$tmp/g1/P.E_F.w.npy" "$tmp/g3/P.E_F.w.npy"; then
    : >"$out"; bad "resume --set group: no effect"; else ok; fi
expect "exe --set twice" 2 "$tmp/grp_exe" -q --set P.E_E.w=1nS --set 'P.E_E.w = 2 nS'
contains "exe --set twice: message" "--set P.E_E.w is given twice"
expect "exe --set: a number for a truth value" 2 "$tmp/grp_exe" -q --set P.E_E.learning=2
expect "exe --set: true for a number" 2 "$tmp/grp_exe" -q --set P.E_E.w=true
contains "exe --set: true for a number: message" "'P.E_E.w' is a number, not true or false"

finish embed
