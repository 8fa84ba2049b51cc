"""Poisson spike trains on the 0.1 ms grid, the input of brian2_dendrites.py and brian2_glia.py
(and of the Axon models that read the file they write).

poisson_on_grid(path, rates, T, seed): source n fires in step k (1 <= k < T / dt - 1) with
probability rates[n] dt, at most once a step (numpy's default_rng(seed), the sources in turn).
Writes the trains to PATH as Axon reads a spike file (i,t:ms, the stamps k dt, sorted by time,
then source) and returns, in that order, the sources and the times (k - 1) dt in s at which
Brian2's SpikeGeneratorGroup is given them (Axon delivers a spike stamped T after the update of
its step; Brian2, given it at T - dt, after the update of its step).
"""
import numpy as np

DT = 0.1e-3


def poisson_on_grid(path, rates, T, seed):
    rng = np.random.default_rng(seed)
    rows = []
    for n, r in enumerate(rates):
        steps = np.nonzero(rng.random(int(round(T / DT)) - 2) < r * DT)[0] + 1
        rows += [(n, k) for k in steps]
    rows.sort(key=lambda x: (x[1], x[0]))
    with open(path, "w") as f:
        f.write("i,t:ms\n")
        for n, k in rows:
            f.write("%d,%.1f\n" % (n, k * 0.1))
    return np.array([n for n, _ in rows]), (np.array([k for _, k in rows]) - 1) * DT
