#!/usr/bin/python3
"""The analyses of <axon/analysis.h> that `axon analyze` does not report, against an
independent numpy implementation on a real run.

Usage: analysis_lib_ref.py LIB.json ERANK.json MATRIX.npy SRCDIR

LIB.json is `analysis_lib rec tests/reference/data/analysis` (tests/validation/analysis_lib.c):
population E of the real run tests/reference/analysis_net.axon (200 COBA neurons, Poisson drive,
STDP, 2 s); ERANK.json and MATRIX.npy are `analysis_lib erank` on the same model run for
0.5 s: the dense E -> E weight matrix after STDP and its effective rank. Everything here is
computed again from the definitions in docs/analysis.md with numpy alone, written from those
definitions and not from Axon's C:

- spikes are binned by their step, n = rint(t / dt) - 1 (Axon bins floating-point times with a
  tolerance): counts, the PSTH and the ISI histogram must agree exactly;
- the smoothed rates are np.convolve with the sampled kernels (Axon: a direct sum for the
  Gaussian, a recursive filter for the exponential), divided by the kernel mass inside the
  window: to 1e-12 of the largest rate (Gaussian), 1e-10 (exponential, a recursion over 2000
  samples);
- van Rossum from the double sum over spike pairs (Axon: O(n) recursions), to 1e-9 relative;
  Victor-Purpura by the textbook dynamic programme, to 1e-9 relative;
- the graded health of E.v from boolean arrays, exactly (the Hoyer sparsity to 1e-12);
- the weight histogram with numpy.histogram, exactly;
- the effective rank from numpy.linalg.svd (LAPACK; Axon: eigenvalues of the Gram matrix by
  Householder and QL), singular values to 1e-9 of the largest, the rank to 1e-9 relative.
"""
import json
import math
import os
import sys

import numpy as np

LIB, ERANK, MATRIX, SRC = sys.argv[1:5]
DATA = os.path.join(SRC, "tests/reference/data/analysis")
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS" if ok else "FAIL") + ": " + name + ("  (" + detail + ")" if detail else ""))


def close(name, got, ref, rtol, atol=0.0):
    got = np.asarray([np.nan if g is None else g for g in np.ravel(got)], dtype=float)
    ref = np.asarray(ref, dtype=float).ravel()
    if got.shape != ref.shape:
        check(name, False, f"{got.shape[0]} values, reference {ref.shape[0]}")
        return
    err = np.abs(got - ref)
    tol = rtol * np.abs(ref) + atol
    k = int(np.argmax(err - tol))
    check(name, bool(np.all(err <= tol)), f"worst [{k}]: axon {got[k]!r}, numpy {ref[k]!r}")


lib = json.load(open(LIB))
m = json.load(open(os.path.join(DATA, "manifest.json")))
dt, T = m["dt"], m["duration"]
files = {(f["record"], f["kind"]): f for f in m["files"]}
e = next(f for f in m["files"] if f["kind"] == "spike_times" and f["population"] == "E")
t = np.load(os.path.join(DATA, e["path"]))
i = np.load(os.path.join(DATA, files[(e["record"], "spike_indices")]["path"])).astype(np.int64)
n = lib["size"]
check("population E", n == 200 and len(t) > 1000, f"{n} neurons, {len(t)} spikes")
steps = np.rint(t / dt).astype(np.int64) - 1

# ---- population rate: binned, then smoothed
pr = lib["pop_rate"]
b = round(pr["bin"] / dt)
nb = round(T / dt) // b
x = np.bincount(steps // b, minlength=nb)[:nb] / (n * pr["bin"])
close("population rate, 1 ms bins", pr["none"], x, 1e-12)
w = pr["width"] / pr["bin"]  # in samples
half = min(math.ceil(5 * w), nb)
j = np.arange(-half, half + 1)
h = np.exp(-0.5 * (j / w) ** 2)
g = np.convolve(x, h, "same") / np.convolve(np.ones(nb), h, "same")
close("population rate, Gaussian 5 ms", pr["gauss"], g, 0, 1e-12 * x.max())
a = math.exp(-1 / w)
h = (1 - a) * a ** np.arange(nb)
ex = np.convolve(x, h)[:nb] / np.convolve(np.ones(nb), h)[:nb]
close("population rate, exponential 5 ms", pr["exp"], ex, 0, 1e-10 * x.max())

# ---- PSTH: the triggers whose span lies in the window
ps = lib["psth"]
b = round(ps["bin"] / dt)
nbins = len(ps["rate"])
acc, used = np.zeros(nbins), 0
for trig in ps["triggers"]:
    s0 = round((trig - ps["before"]) / dt)
    if s0 < 0 or s0 + nbins * b > round(T / dt):
        continue
    used += 1
    k = (steps[(steps >= s0) & (steps < s0 + nbins * b)] - s0) // b
    acc += np.bincount(k, minlength=nbins)
check("PSTH: triggers used", ps["used"] == used, f"axon {ps['used']}, numpy {used}")
close("PSTH", ps["rate"], acc / (used * n * ps["bin"]), 1e-12)

# ---- ISI histogram of every neuron's intervals, pooled
ih = lib["isi_histogram"]
b = round(ih["bin"] / dt)
nbins = len(ih["counts"])
d = np.concatenate([np.diff(np.sort(steps[i == k])) for k in range(n)]) // b
close("ISI histogram", ih["counts"], np.bincount(d[d < nbins], minlength=nbins), 0)
check("ISI histogram: longer intervals", ih["over"] == int(np.sum(d >= nbins)),
      f"axon {ih['over']}, numpy {int(np.sum(d >= nbins))}")


# ---- distances between pairs of trains
def van_rossum(x, y, tau):
    s = lambda p, q: np.exp(-np.abs(p[:, None] - q[None, :]) / tau).sum()
    return math.sqrt(max(0.0, s(x, x) + s(y, y) - 2 * s(x, y)))


def victor_purpura(x, y, q):
    G = np.zeros((len(x) + 1, len(y) + 1))
    G[:, 0] = np.arange(len(x) + 1)
    G[0, :] = np.arange(len(y) + 1)
    for r in range(1, len(x) + 1):
        for c in range(1, len(y) + 1):
            G[r, c] = min(G[r - 1, c] + 1, G[r, c - 1] + 1, G[r - 1, c - 1] + q * abs(x[r - 1] - y[c - 1]))
    return G[-1, -1]


ds = lib["distances"]
trains = [np.sort(t[i == k]) for k in range(n)]
vr_got, vr_ref, vp_got, vp_ref = [], [], [], []
for p in ds["pairs"]:
    x, y = trains[p["a"]], trains[p["b"]]
    vr_got += p["van_rossum"]
    vr_ref += [van_rossum(x, y, tau) for tau in ds["tau"]]
    vp_got += p["victor_purpura"]
    vp_ref += [victor_purpura(x, y, q) for q in ds["q"]]
both = sum(len(trains[p["a"]]) > 0 and len(trains[p["b"]]) > 0 for p in ds["pairs"])
check("distances: 20 pairs, some with a silent neuron", len(ds["pairs"]) == 20 and 15 <= both < 20, f"{both} with spikes on both sides")
close("van Rossum distance (20 pairs, tau 2, 10, 100 ms)", vr_got, vr_ref, 1e-9)
close("Victor-Purpura distance (20 pairs, q 10, 200, 2000 /s)", vp_got, vp_ref, 1e-9)

# ---- graded health of the recorded potentials
hg = lib["health_graded"]
f = next(f for f in m["files"] if f["path"] == hg["file"])
v = np.load(os.path.join(DATA, f["path"])).astype(np.float64)
act = v > hg["threshold"]
close("graded health: active fraction", [hg["active_fraction"]], [act.mean()], 1e-12)
mabs = np.abs(v).mean(axis=0)
hoyer = (math.sqrt(len(mabs)) - mabs.sum() / math.sqrt((mabs ** 2).sum())) / (math.sqrt(len(mabs)) - 1)
close("graded health: Hoyer sparsity", [hg["hoyer"]], [hoyer], 1e-9, 1e-15)
check("graded health: dead and always active units",
      len(hg["dead"]) > 0 and hg["dead"] == list(np.flatnonzero(~act.any(axis=0))) and hg["always_active"] == list(np.flatnonzero(act.all(axis=0))))

# ---- histogram of the last weight sample
wh = lib["weight_histogram"]
f = next(f for f in m["files"] if f["path"] == wh["file"])
last = np.load(os.path.join(DATA, f["path"])).astype(np.float64)[wh["sample"]]
counts, _ = np.histogram(last, len(wh["counts"]), (last.min(), last.max()))
check("weight histogram: range", wh["lo"] == last.min() and wh["hi"] == last.max())
close("weight histogram", wh["counts"], counts, 0)

# ---- effective rank of a projection's weight matrix after STDP
er = json.load(open(ERANK))
M = np.load(MATRIX)
s = np.linalg.svd(M, compute_uv=False)
check("weight matrix", M.shape == (er["rows"], er["cols"]) and np.count_nonzero(M) > 1000 and len(np.unique(M[M > 0])) > 100,
      f"{M.shape}, {np.count_nonzero(M)} non-zero, {len(np.unique(M[M > 0]))} distinct")
close("singular values", er["singular_values"], s, 0, 1e-9 * s[0])
s = s[s > 1e-7 * s[0]]
p = s / s.sum()
close("effective rank", [er["effective_rank"]], [math.exp(-np.sum(p * np.log(p)))], 1e-9)
sys.exit(0 if all(results) else 1)
