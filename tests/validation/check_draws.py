#!/usr/bin/python3
"""Several random draws in one population's or projection's arguments (tests/validation/draws.axon).

Usage: check_draws.py AXON SRCDIR WORKDIR

Each draw of a population (its type's initial values, its ( ) arguments, its { } block) and of
a projection (the synapse's and its rules' initial values, the ( ) arguments of the synapse and
of each `learn`, the `where` condition) has its own number, so its own random stream. Before,
every ( ) argument was numbered 0: `P[N](x = rand(), y = rand())` gave x == y, equal to the
first draw of the type and of the { } block too; a rule's draws were numbered like its
synapse's (`state { r = rand() }` in both gave equal values); and `where (rand() < p)` was
keyed by the source alone, so it connected whole rows or nothing.

- Module Draws, N = 4000: x, y, u, v uniform on (0, 1), z standard normal. No two of them are
  equal anywhere; each follows its distribution (Kolmogorov-Smirnov statistic below
  1.95 / sqrt(N), the 0.1% critical value); every pair's correlation is below 4.5 / sqrt(N)
  in absolute value (4.5 standard deviations of an independent pair's).
- Projection p (40 -> 100, `where (rand() < 0.5)`): the synapse count within 5 standard
  deviations of the binomial mean; every row's within 5 of its binomial's (no row empty or
  full), and the spread of the row counts between 0.5 and 1.5 times the binomial's (about
  4.5 standard deviations of the spread of 40 rows; before, 10 times). Its per-synapse a, b
  (the synapse's arguments), c (the rule's argument), s (the synapse's initial value) and r
  (the rule's) pairwise distinct, uniform and uncorrelated as above.
- The same seed gives bit-identical values with 1 and 2 threads and in a second run; another
  seed gives other values.
- Module DrawsNoise (20 x 20 synapses, 2 s): a synapse's noise xi and its rule's xi_f (a rule's
  noise did not compile before) are two independent Ornstein-Uhlenbeck processes: each one's
  stationary variance g^2 tau / 2 = 0.5 within 5% (over the last 1.9 s), their correlation below
  0.03 (about 40,000 independent samples: 6 standard deviations), 1 and 2 threads identical.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vcheck  # noqa: E402

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "tests/validation/draws.axon")
v = vcheck.Checks(AXON)


def ks_uniform(x):
    x = np.sort(x)
    n = len(x)
    k = np.arange(1, n + 1)
    return max(np.max(k / n - x), np.max(x - (k - 1) / n))


def ks_normal(x):
    from math import erf, sqrt
    x = np.sort(x)
    n = len(x)
    cdf = np.array([0.5 * (1 + erf(t / sqrt(2))) for t in x])
    k = np.arange(1, n + 1)
    return max(np.max(k / n - cdf), np.max(cdf - (k - 1) / n))


def load_all(out, names):
    return {k: np.load(os.path.join(out, k + ".npy"))[0] for k in names}


def independent(what, vals, uniform, normal=()):
    """Pairwise distinct, each of its distribution, pairwise uncorrelated."""
    n = len(next(iter(vals.values())))
    crit, rmax = 1.95 / np.sqrt(n), 4.5 / np.sqrt(n)
    names = sorted(vals)
    equal = sum(int(np.sum(vals[a] == vals[b])) for i, a in enumerate(names) for b in names[i + 1:])
    v.check("%s: no two draws equal" % what, equal == 0, "%d equal values" % equal)
    ks = {k: ks_uniform(vals[k]) for k in uniform}
    ks.update({k: ks_normal(vals[k]) for k in normal})
    v.check("%s: each follows its distribution" % what, max(ks.values()) < crit,
            "largest KS statistic %.4f (%s), critical %.4f" % (max(ks.values()),
                                                               max(ks, key=ks.get), crit))
    r = max(abs(np.corrcoef(vals[a], vals[b])[0, 1]) for i, a in enumerate(names)
            for b in names[i + 1:])
    v.check("%s: pairwise uncorrelated" % what, r < rmax, "largest |r| %.4f < %.4f" % (r, rmax))


POP = ["P.x", "P.y", "P.z", "P.v", "P.u"]
SYN = ["p.a", "p.b", "p.c", "p.s", "p.r"]
runs = {}
for tag, extra in (("1", ["--threads", "1"]), ("2", ["--threads", "2"]), ("again", ["--threads", "1"]),
                   ("seed", ["--threads", "1", "--seed", "2"])):
    out = os.path.join(WORK, "draws_" + tag)
    if v.run(MODEL, out, ["-m", "Draws", "-t", "1 ms"] + extra):
        runs[tag] = load_all(out, POP + SYN + ["p.k"])
if len(runs) == 4:
    d = runs["1"]
    independent("population (type, ( ) and { } draws)",
                {k: d[k] for k in POP}, ["P.x", "P.y", "P.v", "P.u"], ["P.z"])
    independent("projection (synapse, rule and argument draws)", {k: d[k] for k in SYN}, SYN)
    # the where condition: 40 rows of 100 candidates, each with probability 1/2
    nsyn = len(d["p.a"])
    v.check("where (rand() < 0.5): the synapse count is binomial", abs(nsyn - 2000) < 5 * np.sqrt(1000),
            "%d synapses, 2000 +- %.0f" % (nsyn, np.sqrt(1000)))
    rows = np.bincount(runs["1"]["p.k"].astype(int), minlength=40)  # k = i, the source
    ok = rows.min() > 50 - 5 * 5 and rows.max() < 50 + 5 * 5 and 0.5 * 5 < rows.std() < 1.5 * 5
    v.check("where (rand() < 0.5): every row's count is binomial", ok,
            "rows %d .. %d, spread %.2f (binomial 5)" % (rows.min(), rows.max(), rows.std()))
    same = all(np.array_equal(runs["1"][k], runs["2"][k]) and np.array_equal(runs["1"][k], runs["again"][k])
               for k in POP + SYN)
    v.check("1 and 2 threads and a second run: bit-identical", same)
    other = all(not np.array_equal(runs["1"][k], runs["seed"][k]) for k in POP + SYN)
    v.check("another seed: other values everywhere", other)

noise = {}
for th in ("1", "2"):
    out = os.path.join(WORK, "draws_noise_" + th)
    if v.run(MODEL, out, ["-m", "DrawsNoise", "-t", "2 s", "--threads", th]):
        noise[th] = (np.load(os.path.join(out, "q.e.npy")), np.load(os.path.join(out, "q.f.npy")))
if len(noise) == 2:
    e, f = (x[100:] for x in noise["1"])
    ve, vf = e.var(), f.var()
    r = np.corrcoef(e.ravel(), f.ravel())[0, 1]
    v.check("synapse and rule noise: stationary variances 0.5", abs(ve - 0.5) < 0.025 and abs(vf - 0.5) < 0.025,
            "%.4f and %.4f" % (ve, vf))
    v.check("synapse and rule noise: independent", abs(r) < 0.03, "r = %.4f" % r)
    v.check("synapse and rule noise: 1 and 2 threads bit-identical",
            all(np.array_equal(a, b) for a, b in zip(noise["1"], noise["2"])))
sys.exit(v.status())
