#!/usr/bin/python3
"""Per-synapse values from data (tests/validation/syn_values.axon), exactly.

Usage: check_syn_values.py AXON SRCDIR WORKDIR

Source 0 spikes at 1 ms, source 1 at 2 ms; each synapse adds its w to its target's g. With
w(i, j) the value number i * n_post + j (all_to_all, by i then j) and i (one_to_one):
after the first spike g_j = w(0, j), after the second w(0, j) + w(1, j). Read at 1.5 ms and
at 3 ms, to 1e-15 relative (the values are exact in binary64 up to the nS scaling).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vcheck  # noqa: E402

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "tests/validation/syn_values.axon")
v = vcheck.Checks(AXON)
out = os.path.join(WORK, "syn_values")
if v.run(MODEL, out, ["--dt", "0.1ms"]):
    t = np.load(os.path.join(out, "B.g.t.npy"))
    mid, end = np.argmin(abs(t - 1.5e-3)), len(t) - 1
    nS = 1e-9
    cases = {"B": np.array([1, 2, 3, 4, 5, 6.0]) * nS, "D": np.array([0.5, 1.5, 2.5, 3.5, 4.5, 5.5]) * nS}
    for pop, w in cases.items():
        g = np.load(os.path.join(out, pop + ".g.npy"))
        w = w.reshape(2, 3)  # by i, then j
        v.check(pop + " (all_to_all): after source 0", np.allclose(g[mid], w[0], rtol=1e-15, atol=0),
                "%s, expected %s" % (g[mid], w[0]))
        v.check(pop + " (all_to_all): after both", np.allclose(g[end], w[0] + w[1], rtol=1e-15, atol=0),
                "%s, expected %s" % (g[end], w[0] + w[1]))
    g = np.load(os.path.join(out, "C.g.npy"))
    v.check("C (one_to_one): after source 0", np.allclose(g[mid], [10 * nS, 0], rtol=1e-15, atol=0),
            str(g[mid]))
    v.check("C (one_to_one): after both", np.allclose(g[end], [10 * nS, 20 * nS], rtol=1e-15, atol=0),
            str(g[end]))
sys.exit(v.status())
