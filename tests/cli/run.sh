#!/bin/sh
# Command-line behaviour: help, exit codes, usage errors, diagnostics format.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$AXON_SRCDIR/tests/cli/lib.sh"

expect "no arguments" 2 "$AXON"
contains "no arguments" "usage: axon COMMAND"
expect "--help" 0 "$AXON" --help
contains "--help" "check"
expect "--version" 0 "$AXON" --version
contains "--version" "axon 0."
expect "help check" 0 "$AXON" help check
contains "help check" "usage: axon check"
expect "check --help" 0 "$AXON" check --help
expect "help unknown" 2 "$AXON" help frobnicate
expect "unknown command" 2 "$AXON" frobnicate
contains "unknown command" "unknown command 'frobnicate'"
expect "check without files" 2 "$AXON" check
contains "check without files" "no input files"
expect "check unknown option" 2 "$AXON" check --frob x.axon
expect "check missing file" 2 "$AXON" check "$tmp/nope.axon"
contains "check missing file" "cannot read '$tmp/nope.axon'"
expect "dump nothing" 2 "$AXON" dump
expect "dump bad what" 2 "$AXON" dump llamas "$tmp/x.axon"

printf 'neuron N {\n    state { v = 1 }\n}\n' >"$tmp/good.axon"
expect "check good" 0 "$AXON" check "$tmp/good.axon"
printf 'neuron N {\n    state { v = = 1 }\n}\n' >"$tmp/bad.axon"
expect "check bad" 1 "$AXON" check "$tmp/bad.axon"
contains "check bad: location" "bad.axon:2:17: error: unexpected '='"
contains "check bad: source line" " 2 |     state { v = = 1 }"
contains "check bad: caret" "   |                 ^"
expect "check brief" 1 "$AXON" check --brief "$tmp/bad.axon"
if [ "$(wc -l <"$out")" -eq 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: --brief prints one line"; fi
expect "dump ast" 0 "$AXON" dump ast "$tmp/good.axon"
contains "dump ast" "neuron N"
expect "dump tokens" 0 "$AXON" dump tokens "$tmp/good.axon"
contains "dump tokens" "SEP (before })"

# ---- axon run ----------------------------------------------------------------------
model="$AXON_SRCDIR/tests/validation/random.axon"
expect "run" 0 "$AXON" run "$model" -t 50ms --set N=200
contains "run: summary" "Random: 0.05 s of model time in 500 steps of 0.1 ms"
contains "run: compile time" "compile "
expect "run: bad -t" 2 "$AXON" run "$model" -t 5kg
contains "run: bad -t message" "-t needs a positive duration"
# durations in any unit of time (the runtime's one unit parser), and nothing else
expect "run: -t in us" 0 "$AXON" run "$model" -t "20000 us" --set N=50
contains "run: -t in us" "Random: 0.02 s of model time in 200 steps"
expect "run: --dt in us" 0 "$AXON" run "$model" -t 2ms --dt "50 us" --set N=50
contains "run: --dt in us" "in 40 steps of 0.05 ms"
expect "run: -t 1 mV" 2 "$AXON" run "$model" -t "1 mV"
# a time step so short that a delay overflows any delay table: a located error, not a wrapped
# count ('the delay 0.1 ms is rounded to 1.87e-08 ms')
expect "run: a delay of 1e16 steps" 1 "$AXON" run "$AXON_SRCDIR/examples/coba.axon" --dt 1e-20s -t 1ms --dry-run
contains "run: a delay of 1e16 steps, message" "coba.axon:21:5: error: the delay 0.1 ms is 1e+16 steps of 1e-17 ms: too many for a projection's delay"
# the options other simulators' users try, and a module named in the wrong case
expect "run: --duration" 2 "$AXON" run "$model" --duration 5ms
contains "run: --duration message" "unknown option '--duration': did you mean -t (--time)?"
expect "run: -m in the wrong case" 1 "$AXON" run "$AXON_SRCDIR/examples/coba.axon" -m coba -t 1ms
contains "run: -m in the wrong case, hint" "hint: did you mean 'COBA'?"
expect "run: -m no such module" 1 "$AXON" run "$AXON_SRCDIR/examples/coba.axon" -m Nope -t 1ms
contains "run: -m no such module, hint" "hint: the file's module: COBA"
# a run shorter than one step, or past the limit of 2^48 steps, is refused before any work
# (--dry-run too); so is a resume from a checkpoint past the end of the run
expect "run: -t under one step" 2 "$AXON" run "$model" -t 1e-9s --set N=50 -o "$tmp/short"
contains "run: -t under one step message" "is shorter than one time step (0.1 ms): nothing would run"
[ ! -e "$tmp/short" ] && ok || bad "run: -t under one step wrote $tmp/short"
expect "run: -t past 2^48 steps, dry run" 2 "$AXON" run "$model" -t 3e10s --set N=50 --dry-run
contains "run: -t past 2^48 steps message" "past the limit of 2^48 steps"
expect "run: checkpoint at 20 ms" 0 "$AXON" run "$model" -t 30ms --set N=50 --checkpoint-every 20ms \
    --checkpoint "$tmp/at20.ck" -q
expect "run: resume past -t" 2 "$AXON" run "$model" -t 10ms --set N=50 --resume "$tmp/at20.ck" -q \
    -o "$tmp/past"
contains "run: resume past -t message" "is at 0.02 s, past the end of the run (-t 0.01 s)"
# the end is the step the run ends at: -t 20.36 ms ends at step 204, a checkpoint at step
# 204 is not past it
expect "run: checkpoint at 20.4 ms" 0 "$AXON" run "$model" -t 30ms --set N=50 --checkpoint-every 20.4ms \
    --checkpoint "$tmp/at204.ck" -q
expect "run: resume at the end of the run" 0 "$AXON" run "$model" -t 20.36ms --set N=50 --resume "$tmp/at204.ck" -q
# a sampling period that is not a whole number of steps: a located warning with the period used
printf 'neuron L {\n    state { v = 0 mV }\n    equations { v'"'"' = -v / (10 ms) }\n}\nmodule M {\n    population N = L[1]\n    record N.v every 0.25 ms\n}\n' >"$tmp/every.axon"
expect "record every 0.25 ms: run" 0 "$AXON" run "$tmp/every.axon" -t 3ms -q -o "$tmp/every"
contains "record every 0.25 ms: warning" "every.axon:7:22: warning: the sampling period (0.25 ms) is not a whole number of steps (dt = 0.1 ms): samples are taken every 3 steps (0.3 ms)"
if [ "$(grep -c "sampling period" "$out")" -eq 1 ]; then ok; else bad "record every 0.25 ms: not one warning"; fi
if grep -q '"period": 0.0003' "$tmp/every/manifest.json"; then ok; else bad "record every 0.25 ms: the manifest's period"; fi
expect "record every 0.25 ms at dt 0.05 ms: no warning" 0 "$AXON" run "$tmp/every.axon" -t 3ms -q --dt 0.05ms
if grep -q "sampling period" "$out"; then bad "record every 0.25 ms at dt 0.05 ms: a warning"; else ok; fi
# a protocol change that makes a derived quantity undefined (a time constant of 0 at 1 s) is
# refused before the first step, not after a second of simulation, and nothing is written
printf 'import "std/neurons/lif"\nmodule M {\n    population E = LIF[3](I_ext = 0.2 nA)\n    record spikes E\n}\nrun M for 3 s {\n    at 1 s { E.tau_m = 0 ms }\n}\n' >"$tmp/p0.axon"
expect "protocol: a time constant of 0" 1 "$AXON" run "$tmp/p0.axon" -q -o "$tmp/p0"
contains "protocol: a time constant of 0: message" "the protocol's change at 1 s, 'E.tau_m' = 0 s, would make a quantity the model derives from it infinite or undefined"
contains "protocol: a time constant of 0: not started" "the run was not started"
check "protocol: a time constant of 0: nothing written" test ! -e "$tmp/p0"
expect "protocol: a run that ends before the change" 0 "$AXON" run "$tmp/p0.axon" -q -t 0.5s
# a protocol sets an element of a vector parameter by its --set name (P.tau[1]); the whole
# vector, or an element past its end, is an error that says so
printf 'neuron V {\n    parameters { tau[3] : ms = [10 ms, 20 ms, 40 ms] }\n    state { m[3] = 1 }\n    equations { m[j]'"'"' = -m[j] / tau[j] }\n}\nmodule M {\n    population P = V[2]\n    record P.m[1]\n}\nrun M for 1 ms {\n    at 0.5 ms { P.tau[1] = 1 ms }\n}\n' >"$tmp/vec.axon"
expect "protocol: a vector element" 0 "$AXON" run "$tmp/vec.axon" -q -o "$tmp/vec"
if /usr/bin/python3 -c "import numpy as np, sys; m = np.load(sys.argv[1])[:, 0]; want = np.exp(-0.5 / 20) * np.exp(-np.arange(1, 6) * 0.1 / 1); sys.exit(int(np.abs(m[5:] - want).max() > 1e-12 or abs(m[4] - np.exp(-0.5 / 20)) > 1e-12))" "$tmp/vec/P.m[1].npy"; then ok
else bad "protocol: a vector element: m[1] is not exp(-0.5/20) exp(-(t - 0.5 ms) / 1 ms)"; fi
sed 's/P.tau\[1\] = 1 ms/P.tau = 1 ms/' "$tmp/vec.axon" >"$tmp/vec_all.axon"
expect "protocol: a whole vector" 1 "$AXON" check "$tmp/vec_all.axon"
contains "protocol: a whole vector message" "'tau' of P is a vector of 3: a protocol sets one element at a time"
sed 's/P.tau\[1\] = 1 ms/P.tau[3] = 1 ms/' "$tmp/vec.axon" >"$tmp/vec_past.axon"
expect "protocol: past a vector's end" 1 "$AXON" check "$tmp/vec_past.axon"
contains "protocol: past a vector's end message" "'tau' of P is a vector of 3: 'tau[3]' is past its end"
# a 2-D NumPy file of per-synapse values: one value per synapse (it said per neuron)
/usr/bin/python3 -c "import numpy as np, sys; np.save(sys.argv[1], np.ones((2, 3)))" "$tmp/w2d.npy"
printf 'import "std/inputs"\nsynapse J {\n    parameters { w = 1 }\n    on pre { post.x += w }\n}\nneuron B {\n    state { x = 0 }\n}\nmodule M {\n    population A = SpikeSource[2] from [(0, 1 ms)]\n    population C = B[3]\n    project p2 = A -> C : J(w = from "w2d.npy") connect all_to_all\n}\n' >"$tmp/w2d.axon"
expect "2-D per-synapse values" 1 "$AXON" check "$tmp/w2d.axon"
contains "2-D per-synapse values: message" "'$tmp/w2d.npy' holds an array of 2 dimensions: give one value per synapse (a 1-D array)"
# a per-synapse delay below 0: the synapse, its neurons and what a delay must be
sed 's|J(w = from "w2d.npy") connect all_to_all|J connect all_to_all delay (j - i) * 0.1 ms|' "$tmp/w2d.axon" >"$tmp/negdelay.axon"
expect "negative delay" 1 "$AXON" run "$tmp/negdelay.axon" -t 1ms -q
contains "negative delay: message" "projection 'p2': synapse 3 (from neuron 1 to 0) has a delay of -0.1 ms: a delay must be a finite time of at least 0"
# --set on a module instance's parameter: a hint that says where it is given, not a name that
# does not exist (it said "did you mean 'm1.U.pe'?")
printf 'import "std/inputs"\nneuron Acc {\n    parameters { g = 1 }\n    state { v = 0 }\n}\nmodule Leaf(pe = 0.2 ms) {\n    population S = PeriodicSource[2](period = pe)\n}\nmodule Mid {\n    a = Leaf()\n    population U = Acc[3]\n}\nmodule Top {\n    m1 = Mid()\n}\n' >"$tmp/nest.axon"
expect "--set on an instance's parameter" 1 "$AXON" run "$tmp/nest.axon" -m Top -t 1ms -q --set 'm1.a.pe=0.5 ms'
contains "--set on an instance's parameter: hint" "hint: 'm1.a' is an instance of a module: its parameters are given where it is made; --set takes those of its populations and projections ('m1.a.S.NAME')"
expect "--set on a misspelt path" 1 "$AXON" run "$tmp/nest.axon" -m Top -t 1ms -q --set 'm1.aa.S.period=0.5 ms'
contains "--set on a misspelt path: hint" "did you mean 'm1.a.S.period'?"
# ... drawn from the owners that have the parameter (m1.U, closer, has no 'period')
expect "--set on a misspelt path, another owner closer" 1 "$AXON" run "$tmp/nest.axon" -m Top -t 1ms -q \
    --set 'm1.aU.period=0.5 ms'
contains "--set on a misspelt path, another owner closer: hint" "did you mean 'm1.a.S.period'?"
# --set making an exact propagator impossible: the parameters, with their values, in a hint
printf 'neuron P {\n    parameters { tau_m = 10 ms; tau_syn = 2 ms }\n    state { V = 0 mV; I = 0 mV }\n    equations {\n        V'"'"' = (I - V) / tau_m\n        I'"'"' = -I / tau_syn\n    }\n}\nmodule M {\n    population N = P[1]\n}\n' >"$tmp/prop0.axon"
expect "--set a time constant of 0 (exact)" 1 "$AXON" run "$tmp/prop0.axon" -t 1ms -q --set N.tau_syn=0ms
contains "--set a time constant of 0 (exact): hint" "hint: its coefficients use tau_m = 0.01 s, tau_syn = 0 s: a time constant of 0"
# --set on an unnamed projection's parameter, PRE->POST.NAME, as executables take it
sed "s/project p2 = /project /" "$tmp/negdelay.axon" >"$tmp/unnamed.axon"
"$AXON" dump ir "$tmp/unnamed.axon" --set 'A->C.w=2' >"$out" 2>&1
contains "--set PRE->POST.w" "shared  w            1          = 2"
expect "--set PRE->POST.w, a malformed name" 2 "$AXON" run "$tmp/negdelay.axon" -q --set 'A->.w=2'
contains "--set PRE->POST.w, a malformed name: message" "an unnamed projection's is PRE->POST.NAME: E->I.w"
# review: a second unnamed projection between the same populations is PRE->POST#1; the
# propagator's hint lists tau_s although xtau_s has it as a part of its name; a state vector is
# not a parameter for a protocol
sed 's|    project p2 = A -> C : J(w = from "w2d.npy") connect all_to_all|    project A -> C : J connect all_to_all\n    project A -> C : J connect all_to_all|' "$tmp/w2d.axon" >"$tmp/two.axon"
"$AXON" dump ir "$tmp/two.axon" --set 'A->C#1.w=3' >"$out" 2>&1
contains "--set PRE->POST#1.w" "shared  w            1          = 3"
sed 's|        I'"'"' = -I / tau_syn|        I'"'"' = -I / tau_syn - I / xtau_syn|; s|tau_syn = 2 ms }|tau_syn = 2 ms; xtau_syn = 3 ms }|' "$tmp/prop0.axon" >"$tmp/prop1.axon"
expect "propagator hint: both culprits" 1 "$AXON" run "$tmp/prop1.axon" -t 1ms -q --set N.tau_syn=0ms --set N.xtau_syn=0ms
contains "propagator hint: both culprits, message" "tau_m = 0.01 s, tau_syn = 0 s, xtau_syn = 0 s"
sed 's/P.tau\[1\] = 1 ms/P.m = 1/' "$tmp/vec.axon" >"$tmp/vec_state.axon"
expect "protocol: a state vector" 1 "$AXON" check "$tmp/vec_state.axon"
contains "protocol: a state vector message" "'m' of P is a vector state variable of V, not a parameter"
# a parameter given twice: a usage error (the last one won, silently)
expect "--set twice" 2 "$AXON" run "$tmp/every.axon" -t 1ms -q --set N.v=1mV --set N.v=2mV
contains "--set twice: message" "--set N.v is given twice"
# a group's and its pair's name for one parameter: the pair's wins in either order; a
# projection whose name was taken (#K) can be named
printf 'import "std/neurons/lif"\nimport "std/synapses/basic"\nmodule G {\n    population A = LIFCond[2]\n    population A_B = LIFCond[2]\n    population B_C = LIFCond[2]\n    population C = LIFCond[2]\n    project P = A, A_B -> B_C, C : Exc(w = 1 nS) connect all_to_all delay 1 ms\n}\n' >"$tmp/amb.axon"
for order in "P.A_C.w=3nS P.w=2nS" "P.w=2nS P.A_C.w=3nS"; do
    set -- $order
    "$AXON" dump ir "$tmp/amb.axon" --set "$1" --set "$2" >"$out" 2>&1
    if grep -A4 "^projection P.A_C:" "$out" | grep -q "shared  w            S          = 3.0000000000000004e-09"; then ok
    else bad "group and pair --set ($order): the pair's value"; fi
done
"$AXON" dump ir "$tmp/amb.axon" --set 'P.A_B_C#3.w=2nS' >"$out" 2>&1
if grep -A4 "^projection P.A_B_C#3:" "$out" | grep -q "shared  w            S          = 2e-09"; then ok
else bad "--set on a projection named with #K"; fi
# the end of the run is a checkpoint time when -t is a multiple of the period: a finished run
# continues from it, and the continued run is the longer run, bit for bit
expect "run: checkpoint at the end" 0 "$AXON" run "$model" -t 20ms --set N=50 --checkpoint-every 10ms \
    --checkpoint "$tmp/end.ck" -q
expect "run: the end's checkpoint is at 20 ms" 2 "$AXON" run "$model" -t 19ms --set N=50 --resume "$tmp/end.ck" -q
contains "run: the end's checkpoint is at 20 ms: message" "is at 0.02 s"
expect "run: continued past the end" 0 "$AXON" run "$model" -t 30ms --set N=50 --resume "$tmp/end.ck" -q \
    -o "$tmp/continued"
expect "run: one run of 30 ms" 0 "$AXON" run "$model" -t 30ms --set N=50 -q -o "$tmp/whole30"
check "run: continued = one run" same_npy "$tmp/continued" "$tmp/whole30" 3
# a checkpoint that cannot be written stops the run before it starts, as -o does
expect "run: --checkpoint in a missing directory" 1 "$AXON" run "$model" -t 10ms --set N=50 \
    --checkpoint /nonexistent/x.ck -q
contains "run: --checkpoint in a missing directory message" "--checkpoint: /nonexistent/x.ck: cannot write in /nonexistent"
expect "run: --checkpoint a directory" 1 "$AXON" run "$model" -t 10ms --set N=50 --checkpoint "$tmp" -q
contains "run: --checkpoint a directory message" "is a directory"
[ ! -e "$tmp/past" ] && ok || bad "run: resume past -t wrote $tmp/past"
expect "run: resume with another size" 1 "$AXON" run "$model" -t 30ms --set N=60 --resume "$tmp/at20.ck" -q
contains "run: resume with another size message" "built otherwise, which differs from this simulation's model in its populations, projections, variables, records or signals: another size or module parameter (--set N=...)"
expect "run: bad --threads" 2 "$AXON" run "$model" --threads 0
expect "run: bad --seed" 2 "$AXON" run "$model" --seed -3
expect "run: bad --precision" 2 "$AXON" run "$model" --precision half
expect "run: bad --set" 2 "$AXON" run "$model" --set N
expect "run: unknown parameter" 1 "$AXON" run "$model" --set M=3
contains "run: unknown parameter message" "module Random has no parameter 'M'"
expect "run: --set with a wrong unit" 1 "$AXON" run "$model" --set "N=3 ms"
contains "run: --set with a wrong unit message" "--set N=3 ms: 'N' of module Random is dimensionless, but 3 ms is a time (ms)"
expect "run: no such module" 1 "$AXON" run "$model" -m Nope
# --set values are numbers with an optional unit, parsed before any work: a bad one is a
# usage error naming the option and the parameter, never model source
expect "run: --set not a number" 2 "$AXON" run "$model" --set N=abc
contains "run: --set not a number message" "axon run: --set N=abc: 'abc' is not a number with an optional unit"
if grep -q "__set" "$out"; then fail=$((fail + 1)); echo "FAIL: --set message shows a synthetic module"; else pass=$((pass + 1)); fi
expect "run: --set cannot inject source" 2 "$AXON" run "$model" --set 'N=4000 } module X {'
expect "run: --set 0/0" 2 "$AXON" run "$AXON_SRCDIR/examples/coba.axon" -t 1ms -q --set N=100 --set p=0/0
contains "run: --set 0/0 message" "--set p=0/0: '0/0' is not a number with an optional unit"
expect "run: --set unknown unit" 2 "$AXON" run "$model" --set "N=3 mv"
contains "run: --set unknown unit message" "unknown unit 'mv'"
expect "run: --set bad name" 2 "$AXON" run "$model" --set "N x=3"
expect "dump: --set not a number" 2 "$AXON" dump ir "$model" --set N=abc
contains "dump: --set not a number message" "axon dump: --set N=abc: 'abc' is not a number"
expect "run: --set unit mismatch" 1 "$AXON" run "$model" --set "P.tau_m=5 mV"
contains "run: --set unit mismatch message" "--set P.tau_m=5 mV: 'tau_m' of P (a LIF) is a time (ms), but 5 mV is a voltage (mV)"
expect "run: --set without the unit" 1 "$AXON" run "$model" --set P.I_ext=3
contains "run: --set without the unit message" "'I_ext' of P (a LIF) is a current (nA), but 3 has no unit"
contains "run: --set without the unit hint" "write the unit: --set 'P.I_ext=3 nA'"
expect "run: --set unknown parameter suggestion" 1 "$AXON" run "$model" --set NN=3
contains "run: --set unknown parameter suggestion" "did you mean 'N'?"
# --set POP.PARAM: a population's parameter, over the population's own arguments
"$AXON" dump ir "$model" --set P.tau_m=30ms --set "P.I_ext=0.5 nA" >"$out" 2>&1
contains "dump ir: --set P.tau_m" "shared  tau_m        s          = 0.03"
contains "dump ir: --set P.I_ext over the population's argument" "shared  I_ext        A          = 5e-10"
"$AXON" run "$model" -t 100ms --set "P.I_ext=0.5 nA" >"$out" 2>&1
contains "run: --set P.I_ext changes the spike count" "  P                      1000        11013"
"$AXON" dump ir "$AXON_SRCDIR/examples/izhikevich.axon" --set RS.d=4 --set RS.b=0.25 >"$out" 2>&1
contains "dump ir: --set a per-neuron parameter" "param   d            1          init 4"
contains "dump ir: --set a per-neuron parameter, used by an initial value" "state   u            1          init -16.25"
"$AXON" dump ir "$AXON_SRCDIR/tests/cli/post_recurrent.axon" --set "ee.w=3 nS" >"$out" 2>&1
contains "dump ir: --set a named projection's synapse value" "state   w            S          init 3.0000000000000004e-09"
printf 'import "std/neurons/lif"\nmodule Inner { population E = LIF[2] }\nmodule Outer { c1 = Inner() }\nrun Outer for 1 ms\n' >"$tmp/nested.axon"
"$AXON" dump ir "$tmp/nested.axon" --set c1.E.tau_m=30ms >"$out" 2>&1
contains "dump ir: --set a nested population's parameter" "shared  tau_m        s          = 0.03"
expect "run: --set unknown population" 1 "$AXON" run "$model" --set PP.tau_m=30ms
contains "run: --set unknown population message" "--set PP.tau_m=30ms: module Random has no population or named projection 'PP'"
contains "run: --set unknown population hint" "did you mean 'P.tau_m'?"
expect "run: --set unknown population parameter" 1 "$AXON" run "$model" --set P.tau_n=30ms
contains "run: --set unknown population parameter message" "P (a LIF) has no parameter 'tau_n'"
contains "run: --set unknown population parameter hint" "did you mean 'P.tau_m'?"
# a value that makes a derived quantity undefined: the message names the parameter
expect "run: --set a time constant of 0" 1 "$AXON" run "$AXON_SRCDIR/examples/coba.axon" -t 1ms -q --set N=100 --set E.tau_e=0ms
contains "run: --set a time constant of 0" "model 'COBA': 'E.tau_e' = 0 s makes a quantity the model derives from it undefined"
expect "run: --set a state variable" 1 "$AXON" run "$model" --set "P.v=-60 mV"
contains "run: --set a state variable message" "'v' of P is a state variable of LIF, not a parameter"
# same seed: identical files for 1 and 2 threads; another seed differs
"$AXON" run "$model" -t 100ms -o "$tmp/t1" --threads 1 -q
"$AXON" run "$model" -t 100ms -o "$tmp/t2" --threads 2 -q
"$AXON" run "$model" -t 100ms -o "$tmp/t3" --threads 2 --seed 9 -q
same=0 differ=0
for f in S.spikes.t.npy S.spikes.i.npy P.spikes.t.npy P.spikes.i.npy P.v.npy; do
    cmp -s "$tmp/t1/$f" "$tmp/t2/$f" && same=$((same + 1))
    cmp -s "$tmp/t1/$f" "$tmp/t3/$f" || differ=$((differ + 1))
done
if [ $same -eq 5 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: 1 and 2 threads differ"; fi
if [ $differ -eq 5 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: seeds 0 and 9 agree"; fi
if [ -f "$tmp/t1/manifest.json" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: no manifest"; fi
# a failed write leaves nothing behind: the parent of -o is a file
: >"$tmp/plainfile"
expect "run: unwritable output" 1 "$AXON" run "$model" -t 10ms -o "$tmp/plainfile/out" -q
if ls "$tmp" | grep -q "tmp-"; then fail=$((fail + 1)); echo "FAIL: temp files left"; else pass=$((pass + 1)); fi
# single precision runs too
expect "run: single precision" 0 "$AXON" run "$model" -t 20ms --precision single -q
# every example runs (the networks at a reduced size)
expect "run: izhikevich example" 0 "$AXON" run "$AXON_SRCDIR/examples/izhikevich.axon" -q -o "$tmp/izh_run"
expect "run: coba example" 0 "$AXON" run "$AXON_SRCDIR/examples/coba.axon" -t 100ms --set N=1000 --set p=0.08 -o "$tmp/coba"
contains "run: coba is active" "total                  1000"
expect "run: cuba example" 0 "$AXON" run "$AXON_SRCDIR/examples/cuba.axon" -t 100ms --set N=1000 --set p=0.08 -q
expect "run: brunel example" 0 "$AXON" run "$AXON_SRCDIR/examples/brunel.axon" -t 100ms --set N=1000 -q
expect "run: wilson-cowan example" 0 "$AXON" run "$AXON_SRCDIR/examples/wilson_cowan.axon" -t 50ms -q
expect "run: kuramoto example" 0 "$AXON" run "$AXON_SRCDIR/examples/kuramoto.axon" -t 100ms --dt 1ms -q
expect "run: ann example" 0 "$AXON" run "$AXON_SRCDIR/examples/ann_layer.axon" -q
expect "run: elm example (vector state)" 0 "$AXON" run "$AXON_SRCDIR/examples/elm.axon" -t 200ms -q
# active dendrites: the clustered volley makes C fire, the dispersed one leaves X silent
expect "run: dendrites example" 0 "$AXON" run "$AXON_SRCDIR/examples/dendrites.axon" -t 300ms -o "$tmp/dend"
contains "run: dendrites: clustered input fires" "  C                         1            3"
contains "run: dendrites: dispersed input does not" "  X                         1            0"
# structural plasticity: by 2 s (two updates, T = 1 s) weak synapses are pruned, the manifest
# counts the active ones of the pool
expect "run: structural example" 0 "$AXON" run "$AXON_SRCDIR/examples/structural.axon" -t 2s -q -o "$tmp/rewire"
active=$(grep -o '"synapses": 1000, "active": [0-9]*' "$tmp/rewire/manifest.json" | sed 's/.*: //')
if [ -n "$active" ] && [ "$active" -gt 0 ] && [ "$active" -lt 1000 ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: structural example: active synapses '$active', expected 1 .. 999"; fi
# a network is bit-identical for 1 and 2 threads too
"$AXON" run "$AXON_SRCDIR/examples/coba.axon" -t 50ms --set N=800 -o "$tmp/c1" -q --threads 1
"$AXON" run "$AXON_SRCDIR/examples/coba.axon" -t 50ms --set N=800 -o "$tmp/c2" -q --threads 2
if cmp -s "$tmp/c1/E.spikes.i.npy" "$tmp/c2/E.spikes.i.npy" && cmp -s "$tmp/c1/E.v.npy" "$tmp/c2/E.v.npy"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: coba differs between 1 and 2 threads"; fi
# module signals: pinned from the command line; unknown names and bad values are usage errors
expect "run: --signal" 0 "$AXON" run "$AXON_SRCDIR/tests/validation/eligibility.axon" -q --signal dopamine=0.5 -t 100ms
expect "run: --signal unknown" 2 "$AXON" run "$AXON_SRCDIR/tests/validation/eligibility.axon" -q --signal dopa=1 -t 100ms
contains "run: --signal unknown message" "has no signal 'dopa'"
expect "run: --signal bad value" 2 "$AXON" run "$AXON_SRCDIR/tests/validation/eligibility.axon" -q --signal dopamine=x -t 100ms
# per-synapse delays and STDP on E -> E: bit-identical for 1 and 2 threads
sed -e 's|import "std/synapses/basic"|import "std/synapses/basic"\nimport "std/rules/stdp"|' \
    -e 's|project E -> E, I : Exc(w = 6 nS) connect random(p) delay 0.1 ms|project ee = E -> E : Exc(w = 6 nS) connect random(p) delay uniform(0.1 ms, 3 ms) learn STDP(w_max = 12 nS)\n    project E -> I : Exc(w = 6 nS) connect random(p) delay uniform(0.1 ms, 3 ms)\n    record weights ee [0 .. 99] every 50 ms|' \
    "$AXON_SRCDIR/examples/coba.axon" >"$tmp/coba_plastic.axon"
for th in 1 2; do  # --grain 1: every phase in parallel, however small
    "$AXON" run "$tmp/coba_plastic.axon" -t 100ms -o "$tmp/cp$th" -q --threads $th --grain 1 2>/dev/null
done
if [ -s "$tmp/cp1/ee.w.npy" ] && cmp -s "$tmp/cp1/E.spikes.i.npy" "$tmp/cp2/E.spikes.i.npy" && \
   cmp -s "$tmp/cp1/ee.w.npy" "$tmp/cp2/ee.w.npy"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: plastic coba with per-synapse delays differs between 1 and 2 threads"; fi
# refused per-synapse delays: the first refused synapse is named, whatever the thread count
# (the delays are rounded on the threads, each stopping at its first refused one)
cat >"$tmp/bad_delays.axon" <<'AXON'
import "std/neurons/lif"
import "std/synapses/basic"
module M() {
    population A = LIF[500]
    population B = LIF[500]
    project A -> B : ExpCurrent(w = 1 pA) connect fixed_indegree(20) delay max(normal(1 ms, 0.2 ms), 0 ms) - 5 ms * (if uniform(0, 1) < 0.01 then 1 else 0)
    project B -> A : ExpCurrent(w = 1 pA) connect fixed_indegree(20) delay normal(1 ms, 0.1 ms) + 10 s * (if uniform(0, 1) < 0.01 then 1 else 0)
}
run M for 1 ms
AXON
for th in 1 2 3; do
    expect "refused delay, $th threads" 1 "$AXON" run "$tmp/bad_delays.axon" -q --threads $th
    sed 's/^/x/' "$out" >"$tmp/bad_delays.$th"
done
contains "refused delay message" "projection 'A->B': synapse"
if cmp -s "$tmp/bad_delays.1" "$tmp/bad_delays.2" && cmp -s "$tmp/bad_delays.1" "$tmp/bad_delays.3"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: refused delays: messages differ between 1, 2 and 3 threads"; fi
# on post that writes post and reads pre of one population stays on one thread: deterministic
for th in 1 2; do
    "$AXON" run "$AXON_SRCDIR/tests/cli/post_recurrent.axon" -q --threads $th --grain 1 -o "$tmp/pr$th" 2>/dev/null
done
if [ -s "$tmp/pr1/ee.w.npy" ] && cmp -s "$tmp/pr1/ee.w.npy" "$tmp/pr2/ee.w.npy" && \
   cmp -s "$tmp/pr1/E.spikes.i.npy" "$tmp/pr2/E.spikes.i.npy"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: recurrent on post differs between 1 and 2 threads"; fi
# -m naming the run line's module keeps the run line's duration
expect "run: -m the run module" 0 "$AXON" run "$AXON_SRCDIR/examples/izhikevich.axon" -m Izhikevich4 -q
# two rules with parameters of the same name compose on one projection (learn ... on g)
expect "run: two rules on one projection" 0 "$AXON" run "$AXON_SRCDIR/tests/cli/two_rules.axon" -q -t 50ms
"$AXON" dump ir "$AXON_SRCDIR/tests/cli/two_rules.axon" >"$out" 2>&1
contains "dump ir: both rules merged" "g = clip(g + eta * (r_target - nu) * g * dt, 0, SynapticScaling_w_max)"
# on post handlers run
printf 'import "std/neurons/lif"\nsynapse S {\n    state { w = 1 nS }\n    on pre { post.ge += w }\n    on post { w += 0.1 nS }\n}\nmodule M {\n    population A = LIFCond[10]\n    project A -> A : S connect all_to_all\n}\n' >"$tmp/onpost.axon"
expect "run: on post" 0 "$AXON" run "$tmp/onpost.axon" -t 10ms -q
# per-synapse delays from a connection file's delay column
printf 'i,j,delay:ms\n0,0,1.5\n0,1,2.25\n1,1,0.5\n' >"$tmp/edges_delay.csv"
printf 'import "std/neurons/lif"\nimport "std/synapses/basic"\nmodule M {\n    population A = LIFCond[2]\n    project A -> A : Exc connect from "edges_delay.csv"\n}\n' >"$tmp/edges_delay.axon"
expect "run: delays from a file" 0 "$AXON" run "$tmp/edges_delay.axon" -t 10ms -q
printf 'import "std/neurons/lif"\nimport "std/synapses/basic"\nmodule M {\n    population A = LIFCond[2]\n    project A -> A : Exc connect from "edges_delay.csv" delay 1 ms\n}\n' >"$tmp/edges_delay2.axon"
expect "run: delays from a file and a clause" 1 "$AXON" run "$tmp/edges_delay2.axon" -t 10ms -q
contains "run: delays twice message" "the delays come from the connection file"
# gap junctions (continuous synapses) run
printf 'import "std/neurons/lif"\nimport "std/synapses/continuous"\nmodule M {\n    population A = LIF[10]\n    project A -> A : Gap connect all_to_all\n}\n' >"$tmp/gap.axon"
expect "run: gap junctions" 0 "$AXON" run "$tmp/gap.axon" -t 10ms -q

# data inputs: spike sources, connections from a file, timed arrays (tests/validation/inputs.axon)
inputs="$AXON_SRCDIR/tests/validation/inputs.axon"
expect "run: inputs (sources)" 0 "$AXON" run "$inputs" -m Sources -t 20ms -o "$tmp/in1" -q --threads 1
expect "run: inputs, 2 threads" 0 "$AXON" run "$inputs" -m Sources -t 20ms -o "$tmp/in2" -q --threads 2
if cmp -s "$tmp/in1/R.spikes.i.npy" "$tmp/in2/R.spikes.i.npy" && cmp -s "$tmp/in1/R.spikes.t.npy" "$tmp/in2/R.spikes.t.npy"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: inputs differ between 1 and 2 threads"; fi
expect "run: inputs (timed), single precision" 0 "$AXON" run "$inputs" -m Step -t 50ms --precision single -q
# data files are found next to the model file, whatever the working directory
expect "run: inputs from another directory" 0 sh -c "cd '$AXON_SRCDIR/tests' && '$AXON' run validation/inputs.axon -m Sources -t 5ms -q"
expect "build: inputs as an executable" 0 "$AXON" build "$inputs" -m Sources -o "$tmp/inputs"
expect "built inputs runs" 0 "$tmp/inputs" -t 20ms -o "$tmp/in3" -q
if cmp -s "$tmp/in1/R.spikes.t.npy" "$tmp/in3/R.spikes.t.npy"; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: the built inputs model differs from axon run"; fi
printf 'i,j\n0,1\n' >"$tmp/e.csv"
printf 'import "std/neurons/lif"\nimport "std/synapses"\nmodule M {\n    population A = LIF[2]\n    project A -> A : ExpCurrent connect from "e.csv"\n    project A -> A : ExpCurrent connect from "none.csv"\n}\n' >"$tmp/edges.axon"
expect "check: missing connection file" 1 "$AXON" check "$tmp/edges.axon"
contains "check: missing connection file message" "edges.axon:6:41: error: cannot open '$tmp/none.csv': No such file or directory"
printf '1,2,3\n' >"$tmp/cols.csv"
printf 'import "std/neurons/lif"\nmodule M {\n    population A = LIF[2](I_ext = timed("cols.csv", 1 ms) * 1 nA)\n}\n' >"$tmp/cols.axon"
expect "run: timed array with a column count that is not the size" 1 "$AXON" run "$tmp/cols.axon" -t 1ms
contains "run: timed array columns message" "'$tmp/cols.csv' has 3 columns, but A has 2 neurons"

# ---- axon build ---------------------------------------------------------------------
izh="$AXON_SRCDIR/examples/izhikevich.axon"
expect "build exe" 0 "$AXON" build "$izh" -o "$tmp/izh"
expect "built exe runs" 0 "$tmp/izh" -t 100ms -o "$tmp/izh_exe"
contains "built exe summary" "Izhikevich4: 0.1 s of model time"
expect "built exe bad option" 2 "$tmp/izh" --frob
expect "build obj" 0 "$AXON" build "$izh" -o "$tmp/izh.o"
if grep -q "extern const axon_model_desc axon_model;" "$tmp/izh.h"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: header"; fi
expect "build shared" 0 "$AXON" build "$izh" -o "$tmp/libizh.so"
expect "build bad --emit" 2 "$AXON" build "$izh" -o "$tmp/x" --emit dll
expect "build bad symbol" 2 "$AXON" build "$izh" -o "$tmp/x.o" --symbol 9x
# the output never replaces a source file of the model: the file itself, a link to it, or
# the header of an object
cp "$izh" "$tmp/self.axon"
cp "$izh" "$tmp/self.h"
ln -s self.axon "$tmp/self_link.axon"
for o in self.axon self_link.axon; do
    expect "build -o the model ($o)" 1 "$AXON" build "$tmp/self.axon" -o "$tmp/$o"
    contains "build -o the model ($o): message" "is a file the model was read from (a model or data file), which the output would replace"
done
expect "build: the header is the model" 1 "$AXON" build "$tmp/self.h" --emit obj -o "$tmp/self.o"
contains "build: the header is the model: message" "(the header) is a file the model was read from"
if cmp -s "$izh" "$tmp/self.axon" && cmp -s "$izh" "$tmp/self.h" && [ -L "$tmp/self_link.axon" ] &&
    [ ! -e "$tmp/self.o" ]; then ok; else bad "build -o the model: a source file was changed"; fi
# kernels that come out identical are generated once: the microcircuit's 55 projections all
# add w to I_syn, so one on_pre function is left (and the model still runs)
"$AXON" dump llvm "$AXON_SRCDIR/examples/microcircuit.axon" >"$tmp/mc.ll" 2>&1
n=$(grep -c '^define internal void @axon_model_proj[0-9]*_on_pre(' "$tmp/mc.ll")
if [ "$n" = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: identical on_pre kernels merged ($n left)"; fi
# populations of one neuron type share their kernels: the microcircuit's eight populations
# have one update body (called by the eight wrappers, so not inlined into them), while a
# body with one caller is inlined (izhikevich.axon: no body left); setup kernels (delays,
# initial values) are not optimised (optnone)
n=$(grep -c '^define internal .*@axon_model_pop[0-9]*_update_body(' "$tmp/mc.ll")
if [ "$n" = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: one update body for the microcircuit ($n)"; fi
n=$(grep -c '^define internal void @axon_model_pop[0-9]*_update(' "$tmp/mc.ll")
if [ "$n" = 8 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: eight update wrappers ($n)"; fi
g=$(sed -n 's/^define internal void @axon_model_proj0_delays(.*) #\([0-9]*\) {$/\1/p' "$tmp/mc.ll")
if [ -n "$g" ] && grep -q "^attributes #$g = {.*optnone" "$tmp/mc.ll"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: the delays kernel is optnone"; fi
"$AXON" dump llvm "$izh" >"$tmp/izh.ll" 2>&1
if grep -q '^define internal void @axon_model_pop0_update(' "$tmp/izh.ll" &&
    ! grep -q '_update_body(' "$tmp/izh.ll"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: a body with one caller is inlined"; fi
# small populations: a loop over fewer neurons than a vector has lanes is not vectorised
# (izhikevich.axon: four populations of one neuron, no vector loop), one of a few dozen is
# not interleaved, and one of thousands keeps its vectors (the microcircuit); populations of one
# type follow the largest of them and keep sharing their body (dendrites.axon: DendLIF[1] twice
# and DendLIF[50], one body with one vector loop)
if ! grep -q '^vector.body' "$tmp/izh.ll"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: populations of one neuron have no vector loop"; fi
if grep -q '^vector.body' "$tmp/mc.ll"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: the microcircuit's populations have a vector loop"; fi
"$AXON" dump llvm "$AXON_SRCDIR/examples/dendrites.axon" >"$tmp/dend.ll" 2>&1
n=$(grep -c '^define internal .*@axon_model_pop[0-9]*_update_body(' "$tmp/dend.ll")
if [ "$n" = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: one DendLIF body for sizes 1 and 50 ($n)"; fi
n=$(sed -n '/^define internal .*@axon_model_pop1_update_body(/,/^}/p' "$tmp/dend.ll" | grep -c '^vector.body')
if [ "$n" = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: DendLIF[50]: one vector loop ($n)"; fi
# ... not interleaved where vectors are 512 bits (8 doubles: 50 neurons take interleave 1): one
# exponential per segment (four) in the vector loop, not sixteen; with 256-bit vectors (4
# doubles) interleave 2 (50 >= 4 x 4 x 2): eight
n=$(sed -n '/^define internal .*@axon_model_pop1_update_body(/,/^}/p' "$tmp/dend.ll" |
    sed -n '/^vector.body/,/^middle.block/p' | grep -c '@llvm.rint')
want=8
grep -q '"prefer-vector-width"="512"' "$tmp/dend.ll" && want=4
if [ "$n" = "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: DendLIF[50]: vector loop interleaved too much ($n exponentials, $want expected)"; fi
# the microcircuit's update loop (session 13): four vectors in flight (four conversions of the
# draws' bits in the vector loop; the optimiser's own choice, one, is 1.3x slower), hinted
# because its body counts without the instructions taken out of the loop (the sixteen
# thresholds: 436 with them, over the hint's 400); its draws compared with the thresholds on
# their bits, not scaled to doubles (no multiplication by 2^-53 in the loop); its Poisson
# count as masked additions (-0.0 for the 0 of `if a then 8 else 0`)
mcv=$(sed -n '/^define internal .*@axon_model_pop[0-9]*_update_body(/,/^}/p' "$tmp/mc.ll" |
    sed -n '/^vector.body/,/^middle.block/p')
n=$(printf '%s\n' "$mcv" | grep -c ' = uitofp ')
if [ "$n" = 4 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: microcircuit: four vectors in flight ($n conversions of draws)"; fi
if ! printf '%s\n' "$mcv" | grep -q '0x3CA0000000000000'; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: microcircuit: draws compared on their bits"; fi
if printf '%s\n' "$mcv" | grep -q 'select .*double -0.000000e+00'; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: microcircuit: the Poisson count as masked additions"; fi
# ... and give the same spikes with 1 and 2 threads (the synapses' initial values and
# per-synapse delays are drawn on the thread pool)
for th in 1 2; do
    expect "microcircuit, $th thread(s)" 0 "$AXON" run "$AXON_SRCDIR/examples/microcircuit.axon" \
        --set scale=0.02 --set k_scale=0.02 -t 40ms --threads $th -o "$tmp/mc$th" -q
done
same=yes
for f in "$tmp"/mc1/*.npy; do cmp -s "$f" "$tmp/mc2/${f##*/}" || same=no; done
if [ "$same" = yes ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: microcircuit differs between 1 and 2 threads"; fi
# per-synapse delays in a table, delivered by target chunks through the rows' cut points at
# each delay (rt_proj_cuts: A -> B's rows are long enough for them, B -> B's are not): the same
# spikes and voltages with 1, 2 and 3 threads
cat >"$tmp/hetcut.axon" <<'AXON'
import "std/inputs/poisson"
import "std/neurons/lif"
import "std/synapses/basic"
module M {
    population A = PoissonSource[200](rate = 40 Hz)
    population B = LIF[3000]
    project A -> B : ExpCurrent(w = normal(20 pA, 5 pA)) connect random(0.5) delay 0.1 ms * (1 + randint(20))
    project B -> B : ExpCurrent(w = normal(-5 pA, 1 pA)) connect fixed_indegree(30) delay 0.1 ms * (1 + randint(30))
    record spikes B
    record B.v [0 .. 2999] every 1 ms
}
run M for 100 ms
AXON
for th in 1 2 3; do
    expect "delay table cut by chunks, $th thread(s)" 0 "$AXON" run "$tmp/hetcut.axon" -q \
        --threads $th --grain 1 -o "$tmp/hc$th"
done
same=yes
for th in 2 3; do
    for f in B.spikes.i B.spikes.t B.v; do
        cmp -s "$tmp/hc1/$f.npy" "$tmp/hc$th/$f.npy" || same=no
    done
done
if [ "$same" = yes ] && [ -s "$tmp/hc1/B.spikes.i.npy" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: delay table cut by chunks differs between 1, 2 and 3 threads"; fi
# --target-cpu: an unknown name is a usage error naming the option, with nothing from LLVM
for cmd in "run $izh" "build $izh -o $tmp/x" "dump llvm $izh"; do
    expect "--target-cpu bogus ($cmd)" 2 "$AXON" $cmd --target-cpu bogus
    contains "--target-cpu bogus ($cmd): message" "--target-cpu"
    if grep -qi "recognized processor\|LLVM ERROR" "$out"; then
        fail=$((fail + 1)); echo "FAIL: --target-cpu bogus ($cmd): LLVM's message"; sed 's/^/    /' "$out"
    else pass=$((pass + 1)); fi
done
if [ "$(uname -m)" = x86_64 ]; then
    # the CPU's features, not the host's: x86-64-v3 has FMA, x86-64 has not
    "$AXON" dump llvm "$izh" --target-cpu x86-64-v3 >"$out" 2>&1
    contains "--target-cpu x86-64-v3: fma" "llvm.fma"
    "$AXON" dump llvm "$izh" --target-cpu x86-64 >"$out" 2>&1
    if grep -q "llvm.fma\|avx" "$out"; then fail=$((fail + 1)); echo "FAIL: --target-cpu x86-64 uses FMA or AVX"; else pass=$((pass + 1)); fi
    # an executable for plain x86-64 gives the results of axon run for that CPU, and runs under
    # valgrind (which knows no AVX-512, so a build for this machine's CPU may not)
    expect "build exe --target-cpu x86-64" 0 "$AXON" build "$izh" --emit exe --target-cpu x86-64 -o "$tmp/izh86" -q
    expect "run exe x86-64" 0 "$tmp/izh86" -t 50ms --seed 3 -o "$tmp/izh86_exe" -q
    expect "run --target-cpu x86-64" 0 "$AXON" run "$izh" --target-cpu x86-64 -t 50ms --seed 3 -o "$tmp/izh86_run" -q
    for f in "$tmp"/izh86_run/*.npy; do
        if cmp -s "$f" "$tmp/izh86_exe/${f##*/}"; then pass=$((pass + 1)); else
            fail=$((fail + 1)); echo "FAIL: x86-64 exe and run differ in ${f##*/}"; fi
    done
    if [ -n "${AXON_SAN:-}" ]; then
        echo "cli: valgrind check skipped (sanitizer build)"
    elif ! command -v valgrind >/dev/null 2>&1; then
        echo "cli: valgrind check skipped (valgrind is not installed)"
    else
        expect "x86-64 exe under valgrind" 0 valgrind --error-exitcode=1 -q "$tmp/izh86" -t 50ms -q
    fi
fi
# --set in a built executable: a parameter of a population or projection, set before the first
# step with its unit; the recordings equal those of axon run with the same --set (which sets it
# when compiling), bit for bit
coba="$AXON_SRCDIR/examples/coba.axon"
expect "build coba exe (for --set)" 0 "$AXON" build "$coba" --set N=400 --set p=0.1 -o "$tmp/coba_set" -q
sets="--set E.tau_e=8ms --set I.g_L=12nS"
expect "exe --set" 0 "$tmp/coba_set" -t 50ms --seed 4 $sets -o "$tmp/set_exe" -q
expect "run --set (same values when compiling)" 0 "$AXON" run "$coba" --set N=400 --set p=0.1 -t 50ms --seed 4 $sets -o "$tmp/set_run" -q
expect "exe without --set" 0 "$tmp/coba_set" -t 50ms --seed 4 -o "$tmp/set_none" -q
nfiles=0 nsame=0 ndiff=0
for f in "$tmp"/set_run/*.npy; do
    nfiles=$((nfiles + 1))
    cmp -s "$f" "$tmp/set_exe/${f##*/}" && nsame=$((nsame + 1))
    cmp -s "$f" "$tmp/set_none/${f##*/}" || ndiff=$((ndiff + 1))
done
if [ $nfiles -ge 3 ] && [ $nsame -eq $nfiles ] && [ $ndiff -ge 2 ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: exe --set: $nsame of $nfiles files equal axon run --set, $ndiff differ without"; fi
# a projection's parameter, by the runtime's name of an unnamed projection
expect "exe --set a projection's" 0 "$tmp/coba_set" -t 50ms --seed 4 --set "E->I.w=4 nS" -o "$tmp/set_proj" -q
if cmp -s "$tmp/set_proj/I.spikes.i.npy" "$tmp/set_none/I.spikes.i.npy"; then
    fail=$((fail + 1)); echo "FAIL: exe --set E->I.w changed nothing"; else pass=$((pass + 1)); fi
# its errors: usage errors (status 2) naming the option, before or right after loading
expect "exe --set not a number" 2 "$tmp/coba_set" -t 1ms -q --set E.tau_e=abc
contains "exe --set not a number" "--set E.tau_e=abc: 'abc' is not a number with an optional unit"
expect "exe --set 0/0" 2 "$tmp/coba_set" -t 1ms -q --set E.tau_e=0/0
expect "exe --set source text" 2 "$tmp/coba_set" -t 1ms -q --set 'E.tau_e=5 } module X {'
expect "exe --set a module parameter" 2 "$tmp/coba_set" -t 1ms -q --set N=3
contains "exe --set a module parameter" "a module parameter is fixed when the model is compiled: axon build --set N=3"
expect "exe --set wrong unit" 2 "$tmp/coba_set" -t 1ms -q --set E.tau_e=5mV
contains "exe --set wrong unit" "--set E.tau_e=5mV: 'E.tau_e' is in s: 'mV' is not s"
expect "exe --set without the unit" 2 "$tmp/coba_set" -t 1ms -q --set E.tau_e=5
contains "exe --set without the unit" "but 5 has no unit"
expect "exe --set 0 without a unit" 0 "$tmp/coba_set" -t 1ms -q --set E.I_ext=0
expect "exe --set unknown" 2 "$tmp/coba_set" -t 1ms -q --set E.tau_q=5ms
contains "exe --set unknown" "population 'E' has no parameter 'tau_q' (did you mean 'E.tau_e'?)"
expect "exe --set a state variable" 2 "$tmp/coba_set" -t 1ms -q --set E.v=5mV
expect "exe --set a time constant of 0" 2 "$tmp/coba_set" -t 1ms -q --set E.tau_e=0ms
contains "exe --set a time constant of 0" "'E.tau_e' = 0 s makes a quantity the model derives from it infinite"
expect "exe --help lists --set" 0 "$tmp/coba_set" --help
contains "exe --help lists --set" "--set POP.NAME=VALUE"
expect "exe -t in us" 0 "$tmp/coba_set" -t "500 us" -q
expect "exe -t 1 mV" 2 "$tmp/coba_set" -t "1 mV" -q

# the embedding example compiles against the object and runs
if [ -n "${AXON_LIBDIR:-}" ] && cc ${AXON_SAN:-} -I"$tmp" -I"$AXON_SRCDIR/runtime/include" "$AXON_SRCDIR/examples/embed/embed.c" \
       "$tmp/izh.o" -L"$AXON_LIBDIR" -Wl,-rpath,"$AXON_LIBDIR" -laxonrt -lm -o "$tmp/embed" 2>"$out"; then
    expect "embed runs" 0 "$tmp/embed"
    contains "embed output" "RS fired"
else
    fail=$((fail + 1)); echo "FAIL: embed example does not compile"; cat "$out"
fi
# the compile-at-run-time example (docs/embedding.md) builds against libaxonc and runs
if [ -n "${AXON_LIBDIR:-}" ] && cc ${AXON_SAN:-} -I"$AXON_SRCDIR/compiler/include" -I"$AXON_SRCDIR/runtime/include" \
       "$AXON_SRCDIR/examples/embed/compile.c" -L"$AXON_LIBDIR" -Wl,-rpath,"$AXON_LIBDIR" -laxonc -laxonrt \
       -o "$tmp/compile" 2>"$out"; then
    expect "compile example runs" 0 "$tmp/compile"
    contains "compile example output" "drive 0.4 nA:"
    contains "compile example: compiled again with another size" "N = 400, drive 0.4 nA:"
    low=$(sed -n 's/^drive 0.2 nA: \([0-9.]*\) Hz$/\1/p' "$out")
    high=$(sed -n 's/^drive 0.4 nA: \([0-9.]*\) Hz$/\1/p' "$out")
    if awk -v l="$low" -v h="$high" 'BEGIN { exit !(l > 0 && h > l) }'; then pass=$((pass + 1)); else
        fail=$((fail + 1)); echo "FAIL: compile example rates: '$low' then '$high'"; fi
else
    fail=$((fail + 1)); echo "FAIL: compile example does not compile"; cat "$out"
fi

# extern C functions: the JIT (the library loaded into the process) and a built executable
# (linked with it) compute the same
printf 'extern "libm.so.6" fn cbrt(x) -> real\nneuron Cube {\n    parameters { tau = 10 ms }\n    state { v = 1 }\n    equations { v'"'"' = -cbrt(v) / tau }\n}\nmodule M {\n    population P = Cube[3]\n    record P.v every 1 ms\n}\nrun M for 20 ms\n' >"$tmp/ext.axon"
expect "run: extern function" 0 "$AXON" run "$tmp/ext.axon" -o "$tmp/ext_run" -q
expect "build: extern function" 0 "$AXON" build "$tmp/ext.axon" -o "$tmp/ext_exe" -q
expect "built exe with an extern function runs" 0 "$tmp/ext_exe" -o "$tmp/ext_exe_out" -q
if cmp -s "$tmp/ext_run/P.v.npy" "$tmp/ext_exe_out/P.v.npy"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: extern function: JIT and executable differ"; fi
expect "dump ir: extern function scheme" 0 "$AXON" dump ir "$tmp/ext.axon"
contains "dump ir: an extern call is non-linear" "scheme rk4"
# an extern function of a shared parameter is derived with the parameters (it failed to
# compile: 'a parameter expression that cannot be derived'), at run time too
printf 'extern "libm.so.6" fn cbrt(x) -> real\nneuron Cube {\n    parameters { tau = 10 ms; k = 2 }\n    state { v = 1 }\n    equations { v'"'"' = -cbrt(k) * v / tau }\n}\nmodule M {\n    population P = Cube[1]\n    record P.v\n}\nrun M for 1 ms\n' >"$tmp/extk.axon"
expect "run: extern function of a parameter" 0 "$AXON" run "$tmp/extk.axon" -o "$tmp/extk8" -q --set P.k=8
expect "build: extern function of a parameter" 0 "$AXON" build "$tmp/extk.axon" -o "$tmp/extk_exe" -q
expect "exe: extern function of a parameter set at run time" 0 "$tmp/extk_exe" -o "$tmp/extk8e" -q --set P.k=8
if cmp -s "$tmp/extk8/P.v.npy" "$tmp/extk8e/P.v.npy"; then ok; else bad "extern function of a parameter: JIT and executable differ"; fi
if /usr/bin/python3 -c "import numpy as np, sys; v = np.load(sys.argv[1]).ravel(); sys.exit(int(abs(v[-1] - np.exp(-0.2)) > 1e-12))" "$tmp/extk8/P.v.npy"; then ok
else bad "extern function of a parameter: v(1 ms) is not exp(-cbrt(8) 1 ms / 10 ms)"; fi

# an undefined type suggests the longer name that starts with it
expect "check: undefined type Poisson" 1 "$AXON" check "$AXON_SRCDIR/tests/golden/semantic/undefined_type_and_projection.axon"
contains "check: undefined type suggestion" "hint: did you mean 'PoissonSource'?"
contains "check: projection used as a population, note" "note: the projection 'syn' is declared here"

# a protocol cannot change a parameter folded into the code (an exponent): an error at the
# change when compiled; a change the runtime refuses (a time constant of 0) fails the run
printf 'neuron P {\n    parameters { tau = 10 ms; v0 = 1 V; p = 2 }\n    state { v = 10 mV }\n    equations { v'"'"' = -v * (v / v0)^p / tau }\n}\nmodule M {\n    population E = P[2]\n}\nrun M for 50 ms {\n    at 30 ms { E.p = 3 }\n}\n' >"$tmp/fixed.axon"
expect "run: protocol changes a folded exponent" 1 "$AXON" run "$tmp/fixed.axon" -q
contains "run: protocol, folded exponent" "fixed.axon:10:16: error: 'E.p' is folded into the code (an exponent): a protocol cannot change it"
# nor the period of 'structure every' (folded into the update's step count); --set gives it
cat >"$tmp/period.axon" <<'EOF'
neuron N {
    inputs { I }
    state { x = 0 }
    step { x = I }
}
synapse S {
    parameters shared { T = 1 ms }
    state { w = 1 }
    on pre { post.I += w }
    structure every T { prune when w < 0.5 }
}
module M {
    population A = N[2]
    project aa = A -> A : S connect all_to_all
}
run M for 10 ms {
    at 5 ms { aa.T = 2 ms }
}
EOF
expect "run: protocol changes a structure period" 1 "$AXON" run "$tmp/period.axon" -q
contains "run: protocol, structure period" "period.axon:17:15: error: 'aa.T' is folded into the code (the period of 'structure every'): a protocol cannot change it"
contains "run: protocol, structure period hint" "hint: give its value when compiling (--set aa.T=...)"
sed 's/at 5 ms { aa.T = 2 ms }//' "$tmp/period.axon" >"$tmp/period_set.axon"
expect "run: --set gives a structure period" 0 "$AXON" run "$tmp/period_set.axon" --set 'aa.T=2 ms' -q
sed 's/E.p = 3/E.tau = 0 ms/' "$tmp/fixed.axon" >"$tmp/zero.axon"
expect "run: protocol sets a time constant of 0" 1 "$AXON" run "$tmp/zero.axon" -q
contains "run: protocol, refused change" "the protocol's change at 0.03 s, 'E.tau' = 0 s, would make a quantity"

# a protocol's change does not reach the parameters whose defaults were computed from it
# (tests/golden/ir/protocol_derived.axon): it warns, with the value to set; set in the same
# block, both change, with no warning, and give what --set of both gives from 0 ms
sed -e 's/^run M for 6 ms {$/run M for 6 ms {\n    at 0 ms { P.a = 10 mV; P.b = 20 mV; P.c = 21 mV; P.d = 30 mV }/' \
    -e '/^    at [234] ms {$/,/^    }$/d' -e '/^    at [34] ms {.*}$/d' \
    "$AXON_SRCDIR/tests/golden/ir/protocol_derived.axon" >"$tmp/derived0.axon"
sed -e '/^run M for 6 ms {$/,$d' "$AXON_SRCDIR/tests/golden/ir/protocol_derived.axon" >"$tmp/derived_set.axon"
echo 'run M for 6 ms' >>"$tmp/derived_set.axon"
expect "run: protocol sets a and what follows it" 0 "$AXON" run "$tmp/derived0.axon" -o "$tmp/derived0" -q
if grep -q warning "$out"; then bad "run: protocol that sets b with a still warns"; else ok; fi
expect "run: the same values by --set" 0 "$AXON" run "$tmp/derived_set.axon" --set 'P.a=10 mV' \
    -o "$tmp/derived_set" -q
if out2=$(same_npy "$tmp/derived0" "$tmp/derived_set" 4); then ok; else
    bad "protocol at 0 ms setting a, b, d and --set a differ: $out2"; fi

finish cli
