#!/usr/bin/python3
"""Summed Poisson input, `P.x += w * poisson_input(K, rate)`, against its exact distribution
(tests/validation/poisson_input.axon).

Usage: check_poisson_input.py AXON SRCDIR WORKDIR

Every tolerance is 4 standard errors of the estimate, from the sample size.

- Module Counts, dt = 0.1 ms, 1000 neurons x 2000 steps. Each recorded value is
  w B, B ~ Binomial(K, p), p = rate dt, one draw per neuron and step, independent:
  mean w K p, variance w^2 K p (1 - p). Standard errors: the mean's
  sqrt(var / n), the variance's sqrt((m4 - var^2) / n) with m4 the sample's fourth
  central moment. S (K = 20, 50 Hz, K p = 0.1; the waiting-time algorithm) also
  against the binomial probabilities of 0, 1 and 2 spikes; L (K = 10000, 100 Hz,
  K p = 100; inversion from the mode) also P(B <= 90) and P(B >= 110); I (w = 2,
  K = 500, 40 Hz) is an input that the next step reads (its first step is 0).
  Independence: the correlation between neighbouring neurons and between
  successive steps is 0 within 4 / sqrt(n).
- Module Shot: g' = -g / tau (tau = 5 ms, exact: g_{n+1} = a g_n, a = exp(-dt/tau))
  plus w B at the end of every step (w = 0.5 nS, K = 1000, 5 Hz). Stationary
  mean w K p / (1 - a), variance w^2 K p (1 - p) / (1 - a^2), lag-1
  autocorrelation a, over 1000 neurons from 50 ms to 1 s (standard errors as in
  check_noise.py for an AR(1) process with rho = a). The continuous shot
  noise's (Campbell) values w K rate tau and w^2 K rate tau / 2 are printed.
- Module Brian: 2000 conductance-based LIF neurons (method euler) with
  `E.ge += 0.15 nS * poisson_input(1000, 5 Hz)` against Brian2's PoissonInput
  (tests/reference/data/poisson_input.json, tests/reference/brian2_poisson_input.py,
  5 seeds): over [0.2 s, 1 s), the mean rate, the sd of the neurons' rates, the mean
  ISI CV, and the mean and variance of ge; the mean over seeds 1-3 within Brian2's
  mean +- (3 seed-to-seed sd + 2%), as in check_stats.py. (Brian2 adds the input
  after the threshold, before the reset; Axon after the reset: for ge, which the
  reset does not touch, the two are the same process.)
- 1 and 2 threads give bit-identical recordings (seed 5), seeds 5 and 6 differ.
"""
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vcheck  # noqa: E402

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "tests/validation/poisson_input.axon")
v = vcheck.Checks(AXON)
DT = 1e-4


def within(name, got, want, se):
    v.check(name, abs(got - want) <= 4 * se,
            "%.6g, expected %.6g +- %.2g (4 SE)" % (got, want, 4 * se))


def moments(name, x, w, K, p):
    n = x.size
    mean, var = w * K * p, w * w * K * p * (1 - p)
    m4 = np.mean((x - x.mean()) ** 4)
    within(name + ": mean", x.mean(), mean, math.sqrt(var / n))
    within(name + ": variance", x.var(), var, math.sqrt(max(m4 - var * var, 0) / n))
    within(name + ": correlation of neighbouring neurons",
           np.corrcoef(x[:, :-1].ravel(), x[:, 1:].ravel())[0, 1], 0, 1 / math.sqrt(n))
    within(name + ": correlation of successive steps",
           np.corrcoef(x[:-1].ravel(), x[1:].ravel())[0, 1], 0, 1 / math.sqrt(n))


def binom_cdf(k, K, p):
    return sum(math.comb(K, j) * p ** j * (1 - p) ** (K - j) for j in range(k + 1))


out = os.path.join(WORK, "pin_counts")
if v.run(MODEL, out, ["-m", "Counts", "--dt", "0.1ms", "-t", "200ms", "--seed", "5"]):
    S = np.load(os.path.join(out, "S.c.npy"))
    L = np.load(os.path.join(out, "L.c.npy"))
    I = np.load(os.path.join(out, "I.c.npy"))
    v.check("counts: one value per neuron and step", S.shape == (2000, 1000), str(S.shape))
    v.check("counts: whole numbers", np.all(S == np.round(S)) and np.all(L == np.round(L)))
    moments("S (K p = 0.1)", S, 1, 20, 50 * DT)
    for k in range(3):
        q = math.comb(20, k) * (50 * DT) ** k * (1 - 50 * DT) ** (20 - k)
        within("S: P(B = %d)" % k, np.mean(S == k), q, math.sqrt(q * (1 - q) / S.size))
    moments("L (K p = 100)", L, 1, 10000, 100 * DT)
    for name, got, q in (("P(B <= 90)", np.mean(L <= 90), binom_cdf(90, 10000, 100 * DT)),
                         ("P(B >= 110)", np.mean(L >= 110), 1 - binom_cdf(109, 10000, 100 * DT))):
        within("L: " + name, got, q, math.sqrt(q * (1 - q) / L.size))
    v.check("I: nothing in the first step (an input is read the step after)",
            np.all(I[0] == 0))
    moments("I (an input, w = 2)", I[1:], 2, 500, 40 * DT)

out = os.path.join(WORK, "pin_shot")
if v.run(MODEL, out, ["-m", "Shot", "--dt", "0.1ms", "-t", "1s", "--seed", "5"]):
    g = np.load(os.path.join(out, "G.g.npy"))[500:]
    w, K, p, tau = 0.5e-9, 1000, 5 * DT, 5e-3
    a = math.exp(-DT / tau)
    mean, var = w * K * p / (1 - a), w * w * K * p * (1 - p) / (1 - a * a)
    n = g.size
    within("shot noise: stationary mean", g.mean(), mean, math.sqrt(var * (1 + a) / ((1 - a) * n)))
    within("shot noise: stationary variance", g.var(), var,
           var * math.sqrt(2 * (1 + a * a) / ((1 - a * a) * n)))
    x = g - g.mean()
    r1 = np.sum(x[1:] * x[:-1]) / np.sum(x * x)
    within("shot noise: lag-1 autocorrelation", r1, a, math.sqrt((1 - a * a) / n))
    print("   (continuous shot noise, Campbell: mean %.4g, variance %.4g)"
          % (w * K * 5 * tau, w * w * K * 5 * tau / 2))

# ---- against Brian2's PoissonInput ----
ref = json.load(open(os.path.join(SRC, "tests/reference/data/poisson_input.json")))["runs"]
stats = []
for sd in (1, 2, 3):
    out = os.path.join(WORK, "pin_brian%d" % sd)
    if not v.run(MODEL, out, ["-m", "Brian", "-t", "1s", "--seed", str(sd)]):
        break
    t = np.load(os.path.join(out, "E.spikes.t.npy"))
    i = np.load(os.path.join(out, "E.spikes.i.npy"))
    ge = np.load(os.path.join(out, "E.ge.npy"))
    gt = np.load(os.path.join(out, "E.ge.t.npy"))
    keep = t >= 0.2
    rates = np.bincount(i[keep], minlength=2000) / 0.8
    cvs = []
    for k in range(2000):
        tk = np.sort(t[keep & (i == k)])
        if len(tk) >= 3:
            isi = np.diff(tk)
            cvs.append(isi.std() / isi.mean())
    g = ge[gt >= 0.2 - 1e-9]
    stats.append({"rate": rates.mean(), "rate_sd": rates.std(), "cv": np.mean(cvs),
                  "ge_mean": g.mean(), "ge_var": g.var()})
if len(stats) == 3:
    for key in ("rate", "rate_sd", "cv", "ge_mean", "ge_var"):
        got = np.mean([x[key] for x in stats])
        b = np.array([r[key] for r in ref])
        tol = 3 * b.std(ddof=1) + 0.02 * abs(b.mean())
        v.check("Brian2 PoissonInput: " + key, abs(got - b.mean()) <= tol,
                "%.5g, Brian2 %.5g +- %.2g (3 sd over seeds + 2%%)" % (got, b.mean(), tol))

runs = {}
for tag, args in (("t1", ["--threads", "1", "--seed", "5"]),
                  ("t2", ["--threads", "2", "--grain", "1", "--seed", "5"]),
                  ("s6", ["--threads", "2", "--grain", "1", "--seed", "6"])):
    out = os.path.join(WORK, "pin_" + tag)
    if v.run(MODEL, out, ["-m", "Counts", "-t", "20ms"] + args):
        runs[tag] = [np.load(os.path.join(out, f + ".c.npy")) for f in "SLI"]
if len(runs) == 3:
    v.check("1 and 2 threads bit-identical",
            all(np.array_equal(x, y) for x, y in zip(runs["t1"], runs["t2"])))
    v.check("another seed, other draws",
            not all(np.array_equal(x, y) for x, y in zip(runs["t1"], runs["s6"])))
sys.exit(v.status())
