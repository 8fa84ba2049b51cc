#!/usr/bin/python3
"""Poisson sources drawn as geometric gaps (tests/validation/poisson_gaps.axon) against the
exact law of a Bernoulli(p) trial per neuron and step, and against the per-step form (one
uniform draw per neuron and step, kept by the test-only AXON_TEST_POISSON_STEPS).

Usage: check_poisson_gaps.py AXON SRCDIR WORKDIR

Every tolerance is 4 standard errors of the estimate, from the sample size (a chi-square
at its 1e-4 quantile).

- Counts (2000 sources, p = 0.005, 20,000 steps), seed 5, gaps and per-step form: the
  neurons' counts against Binomial(20000, p) (mean, variance; Fano factor 1 - p printed),
  the correlation of neighbouring neurons' counts 0; the intervals between spikes against
  the geometric law as a window of W steps sees it (an interval of k steps fits W - k
  times: weights (W - k) p^2 (1 - p)^(k - 1)): their mean, P(1), P(<= 100), P(> 600), and
  a chi-square over 20 bins; the two forms against each other (mean and variance of the
  counts, P(interval = 1)). Seeds 1-4 of the gaps: the mean count over 8000 more neurons.
- Change (the run line's protocol): C's rate 10 Hz, 200 Hz from 1 s: the spikes of the
  first step and of the first 10 steps after the change at the new rate (the old one would
  give a twentieth); none in [1.5 s, 1.8 s) at 0 Hz; every neuron in every step of
  [1.8 s, 1.9 s) at 10 kHz (p = 1); p = 0.5 from 1.9 s. H (PoissonSourceHetero, per-neuron
  rates 25-100 Hz by i % 4): each group's counts in [0, 1 s), then 400 Hz for all from 1 s
  (first step, and [1 s, 2 s)).
- Edges: rate 0 never fires; p = 1 and p = 2 fire in every step.
- Reset: a neuron with `spike when rate * dt > rand() { n += 1 }` (p = 0.01): n at 1 s is
  each neuron's count of recorded spikes, and their mean is 100.
- Cap: p = 2.5e-7 for 3 x 2^22 steps (gaps beyond the counter's cap of 2^22 steps): the
  total count, and the fractions of neurons whose first spike comes after 2^22 steps and
  after 2^23, against (1 - p)^k.
- 1 and 2 threads (--grain 1) give bit-identical recordings, seeds 5 and 6 differ; a run
  of Change checkpointed at 1.2 s and resumed equals one run, bit for bit; so does the built
  executable.
"""
import math
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vcheck  # noqa: E402

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "tests/validation/poisson_gaps.axon")
v = vcheck.Checks(AXON)
DT = 1e-4


def within(name, got, want, se):
    v.check(name, abs(got - want) <= 4 * se,
            "%.6g, expected %.6g +- %.2g (4 SE)" % (got, want, 4 * se))


def chi2_limit(df, z=3.719):
    """The 1e-4 upper quantile of chi-square with df degrees (Wilson-Hilferty)."""
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def steps(out, pop):
    """Spikes (neuron, step) of POP; a spike of step n is stamped (n + 1) dt."""
    i = vcheck.load(out, pop + ".spikes.i").astype(np.int64)
    t = vcheck.load(out, pop + ".spikes.t")
    return i, np.rint(t / DT).astype(np.int64) - 1


def run(out, args, env=None):
    if os.path.isdir(out):
        return True
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run([AXON, "run", MODEL, "-o", out, "-q"] + args, capture_output=True,
                       text=True, env=e)
    if p.returncode:
        print(p.stdout + p.stderr)
        v.check("run " + " ".join(args), False)
        return False
    return True


def intervals(i, n):
    o = np.lexsort((n, i))
    i, n = i[o], n[o]
    same = i[1:] == i[:-1]
    return (n[1:] - n[:-1])[same]


# ---- Counts: the law of the counts and the intervals ----------------------------------------
N, W, P = 2000, 20000, 50 * DT
COUNTS = ["-m", "Counts", "-t", "2 s"]
gaps = os.path.join(WORK, "pg_counts")
steps_form = os.path.join(WORK, "pg_counts_steps")
res = {}
for name, out, env in (("gaps", gaps, None), ("per-step", steps_form,
                                              {"AXON_TEST_POISSON_STEPS": "1"})):
    if not run(out, COUNTS + ["--seed", "5"], env):
        continue
    i, n = steps(out, "P")
    c = np.bincount(i, minlength=N).astype(float)
    mean, var = W * P, W * P * (1 - P)
    m4 = np.mean((c - c.mean()) ** 4)
    within(name + ": mean count", c.mean(), mean, math.sqrt(var / N))
    within(name + ": variance of the counts (Fano %.4f, expected %.4f)" % (c.var() / c.mean(), 1 - P),
           c.var(), var, math.sqrt(max(m4 - var * var, 0) / N))
    within(name + ": correlation of neighbouring neurons' counts",
           np.corrcoef(c[:-1], c[1:])[0, 1], 0, 1 / math.sqrt(N))
    isi = intervals(i, n)
    k = np.arange(1, W)
    w = (W - k) * P * P * (1 - P) ** (k - 1)
    q = w / w.sum()
    m = len(isi)
    emean = (k * q).sum()
    esd = math.sqrt((k * k * q).sum() - emean ** 2)
    within(name + ": mean interval (steps)", isi.mean(), emean, esd / math.sqrt(m))
    for label, sel, got in (("P(interval = 1)", k == 1, np.mean(isi == 1)),
                            ("P(interval <= 100)", k <= 100, np.mean(isi <= 100)),
                            ("P(interval > 600)", k > 600, np.mean(isi > 600))):
        e = q[sel].sum()
        within(name + ": " + label, got, e, math.sqrt(e * (1 - e) / m))
    edges = np.unique(np.searchsorted(np.cumsum(q), np.linspace(0, 1, 21)[1:-1]) + 1)
    bins = np.concatenate(([1], edges, [W]))
    obs = np.histogram(isi, bins=bins)[0]
    exp = np.array([q[(k >= a) & (k < b)].sum() for a, b in zip(bins[:-1], bins[1:])]) * m
    chi2 = float(((obs - exp) ** 2 / exp).sum())
    lim = chi2_limit(len(obs) - 1)
    v.check(name + ": intervals, chi-square over %d bins" % len(obs), chi2 <= lim,
            "%.1f <= %.1f" % (chi2, lim))
    res[name] = (c, isi)
if len(res) == 2:
    (c1, i1), (c2, i2) = res["gaps"], res["per-step"]
    var = W * P * (1 - P)
    within("gaps vs per-step: mean count", c1.mean() - c2.mean(), 0, math.sqrt(2 * var / N))
    within("gaps vs per-step: variance of the counts", c1.var() - c2.var(), 0,
           var * math.sqrt(2 * 2 / (N - 1)))
    p1, p2 = np.mean(i1 == 1), np.mean(i2 == 1)
    within("gaps vs per-step: P(interval = 1)", p1 - p2, 0,
           math.sqrt(P * (1 - P) * (1 / len(i1) + 1 / len(i2))))
more = []
for s in range(1, 5):
    out = os.path.join(WORK, "pg_counts_%d" % s)
    if run(out, COUNTS + ["--seed", str(s)]):
        more.append(np.bincount(steps(out, "P")[0], minlength=N))
if more:
    c = np.concatenate(more).astype(float)
    within("seeds 1-4: mean count of %d neurons" % c.size, c.mean(), W * P,
           math.sqrt(W * P * (1 - P) / c.size))

# ---- Change: parameters changed by the protocol -----------------------------------------------
chg = os.path.join(WORK, "pg_change")
if run(chg, ["--seed", "3"]):
    i, n = steps(chg, "C")
    pc = lambda a, b: int(np.sum((n >= a) & (n < b)))  # noqa: E731
    for label, a, b, p in (("C [0, 1 s) at 10 Hz", 0, 10000, 10 * DT),
                           ("C first step after 200 Hz", 10000, 10001, 200 * DT),
                           ("C first 10 steps after 200 Hz", 10000, 10010, 200 * DT),
                           ("C [1 s, 1.5 s) at 200 Hz", 10000, 15000, 200 * DT),
                           ("C first step at 5 kHz", 19000, 19001, 0.5),
                           ("C [1.9 s, 2 s) at 5 kHz", 19000, 20000, 0.5)):
        e = 2000 * (b - a) * p
        within(label + ": spikes", pc(a, b), e, math.sqrt(e * (1 - p)))
    v.check("C [1.5 s, 1.8 s) at 0 Hz: no spike", pc(15000, 18000) == 0, str(pc(15000, 18000)))
    sel = (n >= 18000) & (n < 19000)
    v.check("C [1.8 s, 1.9 s) at 10 kHz: every neuron in every step",
            sel.sum() == 2000 * 1000 and len(set(zip(i[sel], n[sel]))) == 2000 * 1000,
            str(int(sel.sum())))
    i, n = steps(chg, "H")
    for g in range(4):
        p = (g + 1) * 25 * DT
        cnt = np.bincount(i[n < 10000], minlength=2000)[g::4].astype(float)
        within("H rate %d Hz (i %% 4 = %d): mean count in [0, 1 s)" % ((g + 1) * 25, g),
               cnt.mean(), 10000 * p, math.sqrt(10000 * p * (1 - p) / cnt.size))
    p = 400 * DT
    e = 2000 * p
    within("H first step after 400 Hz: spikes", int(np.sum(n == 10000)), e, math.sqrt(e * (1 - p)))
    cnt = np.bincount(i[n >= 10000], minlength=2000).astype(float)
    within("H [1 s, 2 s) at 400 Hz: mean count", cnt.mean(), 10000 * p,
           math.sqrt(10000 * p * (1 - p) / 2000))

# ---- Edges and the cap ------------------------------------------------------------------------
edg = os.path.join(WORK, "pg_edges")
if run(edg, ["-m", "Edges", "-t", "100 ms"]):
    v.check("rate 0: no spike", vcheck.load(edg, "Z.spikes.i").size == 0)
    for pop, p in (("One", 1), ("Two", 2)):
        i, n = steps(edg, pop)
        v.check("%s (p = %d): every neuron in every step" % (pop, p),
                i.size == 10 * 1000 and len(set(zip(i, n))) == 10 * 1000, str(i.size))
rst = os.path.join(WORK, "pg_reset")
if run(rst, ["-m", "Reset", "-t", "1 s"]):
    i, n = steps(rst, "R")
    c = np.bincount(i, minlength=500)
    last = vcheck.load(rst, "R.n")[-1]
    v.check("reset: n counts each neuron's spikes", np.array_equal(last, c),
            "%d of 500 equal" % int(np.sum(last == c)))
    within("reset: mean count at p = 0.01", c.mean(), 100, math.sqrt(100 * 0.99 / 500))
cap = os.path.join(WORK, "pg_cap")
K = 1 << 22
if run(cap, ["-m", "Cap", "-t", "%.4f s" % (3 * K * DT)]):
    p = 2.5e-3 * DT
    i, n = steps(cap, "T")
    e = 1000 * 3 * K * p
    within("cap: spikes in 3 x 2^22 steps", i.size, e, math.sqrt(e))
    first = np.full(1000, 3 * K)
    np.minimum.at(first, i, n)
    for label, k in (("2^22", K), ("2^23", 2 * K)):
        e = math.exp(k * math.log1p(-p))
        within("cap: fraction of first spikes after %s steps" % label, np.mean(first >= k), e,
               math.sqrt(e * (1 - e) / 1000))

# ---- threads, seeds, checkpoints, a built executable ------------------------------------------
t1 = os.path.join(WORK, "pg_t1")
t2 = os.path.join(WORK, "pg_t2")
s6 = os.path.join(WORK, "pg_s6")
names = ["C.spikes.i", "C.spikes.t", "H.spikes.i", "H.spikes.t"]
if run(t1, ["--seed", "5", "--threads", "1"]) and \
        run(t2, ["--seed", "5", "--threads", "2", "--grain", "1"]) and \
        run(s6, ["--seed", "6", "--threads", "1"]):
    v.check("1 and 2 threads: bit-identical recordings", vcheck.same(t1, t2, names))
    v.check("seeds 5 and 6 differ", not vcheck.same(t1, s6, names))
    ck = os.path.join(WORK, "pg.ck")
    part = os.path.join(WORK, "pg_part")
    resumed = os.path.join(WORK, "pg_resumed")
    ok = run(part, ["--seed", "5", "-t", "1.3 s", "--checkpoint-every", "1.2 s",
                    "--checkpoint", ck]) and run(resumed, ["--resume", ck])
    v.check("checkpoint at 1.2 s and resume: the recordings of one run",
            ok and vcheck.same(t1, resumed, names))
    exe = os.path.join(WORK, "pg.exe")
    built = os.path.join(WORK, "pg_exe")
    ok = subprocess.run([AXON, "build", MODEL, "-o", exe], capture_output=True).returncode == 0 \
        and subprocess.run([exe, "-o", built, "-q", "--seed", "5"],
                           capture_output=True).returncode == 0
    v.check("built executable: the recordings of axon run", ok and vcheck.same(t1, built, names))

sys.exit(v.status())
