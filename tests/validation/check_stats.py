#!/usr/bin/python3
"""Network statistics against Brian2.

Usage: check_stats.py AXON SRCDIR WORKDIR

Runs examples/coba.axon and examples/cuba.axon (N = 4000, 2% connectivity,
1 s) and examples/brunel.axon at N = 5000 with g = 3 and g = 5 (eta = 2) for
seeds 1..3 and computes, per population, the statistics of
tests/reference/netstats.py (rate, ISI CV, population Fano factor in 10 ms
bins, rate variance-to-mean in 1 ms bins) over [0.1 s, 1 s). Brian2's values
(tests/reference/data/networks.json, 20 seeds for COBA/CUBA, 5 for Brunel,
same model) give a mean m and
a seed-to-seed standard deviation s for each statistic. Tolerance: the mean
of Axon's three seeds must lie within m +- (3 s + 2% of m); the random
streams differ, so only distributions can be compared.
"""
import json
import os
import sys


AXON, SRC, WORK = sys.argv[1:4]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vcheck  # noqa: E402

ref = json.load(open(os.path.join(SRC, "tests/reference/data/networks.json")))
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS" if ok else "FAIL") + ": " + name + ("  (" + detail + ")" if detail else ""))


RUNS = [("coba", "coba.axon", [], {"E": 3200, "I": 800}),
        ("cuba", "cuba.axon", [], {"E": 3200, "I": 800}),
        ("brunel_sr", "brunel.axon", ["--set", "N=5000", "--set", "g=3", "--set", "eta=2"],
         {"E": 4000, "I": 1000}),
        ("brunel_ai", "brunel.axon", ["--set", "N=5000", "--set", "g=5", "--set", "eta=2"],
         {"E": 4000, "I": 1000})]
regime = {}
for case, example, extra, SIZES in RUNS:
    stats = vcheck.network_stats(AXON, SRC, os.path.join(SRC, "examples", example), WORK, case,
                                 SIZES, check, example, extra)
    means = vcheck.against_brian2(stats, ref[case], check, case + " %s %s")
    regime.update({(case,) + k: a for k, a in means.items()})

# Brunel's two regimes (at this reduced size) are told apart by rate and ISI CV
if ("brunel_sr", "E", "cv") in regime and ("brunel_ai", "E", "cv") in regime:
    sr_cv, ai_cv = regime[("brunel_sr", "E", "cv")], regime[("brunel_ai", "E", "cv")]
    sr_r, ai_r = regime[("brunel_sr", "E", "rate")], regime[("brunel_ai", "E", "rate")]
    check("Brunel g=3 (SR) is more regular and faster than g=5", sr_cv < 0.5 * ai_cv and sr_r > 2 * ai_r,
          "CV %.3f vs %.3f, rate %.1f vs %.1f Hz" % (sr_cv, ai_cv, sr_r, ai_r))

passed = sum(results)
print("statistics: %d passed, %d failed" % (passed, len(results) - passed))
sys.exit(0 if passed == len(results) else 1)
