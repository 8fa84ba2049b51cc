#!/bin/sh
# The runtime's unit suites of simulations (engine, proj, delays, api) under valgrind (issue
# "Reliability"): memory errors and leaks (definite and indirect) fail the test. The suites
# run hand-written kernels and descriptors compiled for plain x86-64 (no -march), so valgrind,
# which knows no AVX-512, runs all their code; the suites that JIT models for this machine's
# CPU (param, analysis) are left out, and models built with --target-cpu x86-64 run under
# valgrind in tests/cli/embed.sh and run.sh. Skipped (77) without valgrind, and in sanitizer
# builds (whose shadow memory valgrind cannot follow).
set -u
if [ -n "${AXON_SAN:-}" ]; then
    echo "SKIP: a sanitizer build"
    exit 77
fi
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind is not installed"; exit 77; }
[ -x tests/unit/check_axon ] || { echo "FAIL: tests/unit/check_axon is not built"; exit 1; }
fail=0
# (rng's statistical tests draw millions of numbers: hours under valgrind, so not here)
for suite in engine proj delays api; do
    if CK_RUN_SUITE=$suite CK_FORK=no valgrind -q --error-exitcode=1 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect ./tests/unit/check_axon >valgrind-$suite.out 2>&1 &&
        grep -q "100%: Checks" valgrind-$suite.out; then
        echo "PASS: $suite under valgrind"
    else
        fail=$((fail + 1))
        echo "FAIL: $suite under valgrind"
        tail -n 40 valgrind-$suite.out
    fi
    rm -f valgrind-$suite.out
done
[ $fail -eq 0 ]
