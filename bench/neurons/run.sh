#!/bin/sh
# Neuron-update benchmark: Axon (1 and 2 threads) vs a hand-written C loop (two compilers) vs
# Brian2 C++ standalone (1 thread), for the stdlib LIF and Izhikevich neurons
# (bench/neurons/neurons.axon), run alternating in ROUNDS rounds (bench/neurons/bench.py, which
# says what each side measures): medians and spreads of ns per neuron update, ratios round by
# round, peak resident memory, spike counts, the load average before and after.
#
# usage: bench/neurons/run.sh [N [DURATION_MS]]     (defaults: N = 1000000, 1000 ms)
#   e.g. bench/neurons/run.sh 100000 200    for a quick run
# Environment: ROUNDS (default 3), AXON (default ./axon), CC (default cc), CC2 (a second
# compiler for the C loop, default clang when installed; CC2= to skip), PYTHON (default
# /usr/bin/python3, the interpreter that has python3-brian), SKIP_BRIAN=1 to leave Brian2 out,
# MODELS (default "lif izh") to run only some of the models.
# Run from anywhere; needs a built tree (make). Not part of `make check`.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
skip=
[ "${SKIP_BRIAN:-0}" = 1 ] && skip=--skip-brian
exec "${PYTHON:-/usr/bin/python3}" bench/neurons/bench.py --n "${1:-1000000}" \
    --duration "${2:-1000}" --rounds "${ROUNDS:-3}" --models "${MODELS:-lif izh}" $skip
