#!/usr/bin/python3
"""White noise in equations against theory (tests/validation/noise.axon).

Usage: check_noise.py AXON SRCDIR WORKDIR

Every tolerance is 4 standard errors of the estimate, computed from the sample
size (and, for time series, the correlation between samples).

- Module Stationary, dt = 1 ms, 1000 Ornstein-Uhlenbeck processes
  (tau = 10 ms, stationary sd sigma), every step for 2 s after 0.1 s, in
  x = (v - mu) / sigma. Exact update (the default): x_{n+1} = rho x_n + noise
  with rho = exp(-dt/tau), stationary variance 1. Euler-Maruyama ('method
  euler'): rho = 1 - dt/tau, variance (2 dt/tau) / (1 - rho^2) = 1.0526 at
  this coarse step (so the variance test tells the two schemes apart).
  Checked: the mean (0), the variance, and the autocorrelation at lags of
  1, 5, 10 and 20 steps (rho^k). Standard errors: the mean's is
  sqrt(var (1 + rho) / ((1 - rho) n)), the variance's
  var sqrt(2 (1 + rho^2) / ((1 - rho^2) n)), the autocorrelation's from
  Bartlett's formula for an AR(1) process, n = samples (neurons x steps).
- Module Strong: geometric Brownian motion x' = a x + b x xi with w' = xi, the
  same noise, so the exact solution x0 exp((a - b^2/2) t + b w(t)) is known
  path by path (Ito). Mean absolute error at t = 1 s over 4000 paths at dt = 4
  and 2 ms: Milstein (the default) converges with strong order 1 (the error
  halves: ratio in [1.6, 2.5]), Euler-Maruyama with order 1/2 (ratio in
  [1.2, 1.7], sqrt(2) = 1.41), and Milstein's error is below a tenth of
  Euler-Maruyama's. The mean of x(1 s) is Ito's exp(a t) (the Stratonovich
  reading would give exp((a + b^2/2) t), 38% higher) within 4 standard errors.
- Module Siegert: 4 x 2000 noisy LIF neurons, rates over [0.1 s, 1.1 s)
  against tests/reference/data/siegert.json (tests/reference/siegert.py):
  Siegert's rate with the threshold raised by 0.5826 sigma sqrt(2 dt / tau),
  the correction for a threshold tested every dt. Tolerance 4 standard errors
  of the mean of the neurons' rates plus 1% for the correction's
  higher-order terms. The uncorrected rate is printed: it is 2-8% higher.
- 1 and 2 threads give bit-identical recordings (module Stationary, seed 5),
  and seeds 5 and 6 differ.
- examples/brunel_noise.axon (Brunel 2000, N = 5000, g = 5, eta = 2, the
  external Poisson input replaced by white noise of the same mean and
  variance) against Brian2 (tests/reference/data/brunel_noise.json, 5 seeds,
  tests/reference/brian2_networks.py --cases brunel_noise): as in
  check_stats.py, the mean over seeds 1-3 of each statistic (rate, ISI CV,
  Fano factor, synchrony) within Brian2's mean +- (3 seed-to-seed sd + 2%).
"""
import json
import math
import os
import subprocess
import sys

import numpy as np

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "tests/validation/noise.axon")
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS" if ok else "FAIL") + ": " + name + ("  (" + detail + ")" if detail else ""))


def run(module, out, args):
    p = subprocess.run([AXON, "run", MODEL, "-m", module, "-o", out, "-q"] + args,
                       capture_output=True, text=True)
    if p.returncode:
        print(p.stdout + p.stderr)
        check("run noise.axon -m " + module, False)
        return False
    return True


def within(name, got, want, se, what=""):
    check(name, abs(got - want) <= 4 * se,
          "%s%.5g, expected %.5g +- %.2g (4 SE)" % (what, got, want, 4 * se))


# ---- Ornstein-Uhlenbeck: stationary statistics ----
DT, TAU = 1e-3, 10e-3
out = os.path.join(WORK, "ou")
if run("Stationary", out, ["--dt", "1ms", "-t", "2.1s", "--seed", "5"]):
    for pop, rho, var in (("P", math.exp(-DT / TAU), 1.0),
                          ("E", 1 - DT / TAU, (2 * DT / TAU) / (1 - (1 - DT / TAU) ** 2))):
        v = np.load(os.path.join(out, pop + ".v.npy"))
        t = np.load(os.path.join(out, pop + ".v.t.npy"))
        x = (v[t > 0.1 - 1e-9] + 0.060) / 0.002
        n = x.size
        scheme = "exact" if pop == "P" else "Euler-Maruyama"
        within("OU %s: mean" % scheme, x.mean(), 0.0,
               math.sqrt(var * (1 + rho) / ((1 - rho) * n)))
        within("OU %s: stationary variance" % scheme, x.var(), var,
               var * math.sqrt(2 * (1 + rho ** 2) / ((1 - rho ** 2) * n)))
        xc = x - x.mean()
        c0 = np.mean(xc * xc)
        for k in (1, 5, 10, 20):
            r = np.mean(xc[k:] * xc[:-k]) / c0
            p2 = rho ** 2
            se = math.sqrt(((1 + p2) * (1 - p2 ** k) / (1 - p2) - 2 * k * p2 ** k) / n)
            within("OU %s: autocorrelation at %d ms" % (scheme, k), r, rho ** k, se)

# ---- determinism ----
outs = {}
for tag, args in (("t1", ["--threads", "1", "--seed", "5"]),
                  ("t2", ["--threads", "2", "--grain", "1", "--seed", "5"]),
                  ("s6", ["--threads", "2", "--grain", "1", "--seed", "6"])):
    outs[tag] = os.path.join(WORK, "det" + tag)
    run("Stationary", outs[tag], ["--dt", "1ms", "-t", "50ms"] + args)
try:
    a, b, c = (np.load(os.path.join(outs[k], "P.v.npy")) for k in ("t1", "t2", "s6"))
    check("noise: 1 and 2 threads bit-identical", np.array_equal(a, b))
    check("noise: seeds 5 and 6 differ", not np.array_equal(a, c) and
          len(np.unique(a[-1])) == a.shape[1], "and every neuron has its own noise")
except OSError as e:
    check("noise determinism recordings", False, str(e))

# ---- Milstein and Euler-Maruyama: strong order ----
A, B = 0.5, 0.8
err = {}
for dt in ("4ms", "2ms"):
    out = os.path.join(WORK, "strong" + dt)
    if not run("Strong", out, ["--dt", dt, "-t", "1s", "--seed", "3"]):
        continue
    for pop in ("G", "H"):
        x = np.load(os.path.join(out, pop + ".x.npy"))[-1]
        w = np.load(os.path.join(out, pop + ".w.npy"))[-1]
        t = float(np.load(os.path.join(out, pop + ".x.t.npy"))[-1])
        exact = np.exp((A - B * B / 2) * t + B * w)
        err[pop, dt] = float(np.mean(np.abs(x - exact)))
        if pop == "G" and dt == "2ms":
            within("Milstein: mean of x(1 s) is Ito's exp(a t)", x.mean(), math.exp(A * t),
                   x.std() / math.sqrt(x.size))
if len(err) == 4:
    rm = err["G", "4ms"] / err["G", "2ms"]
    re = err["H", "4ms"] / err["H", "2ms"]
    check("Milstein: strong order 1", 1.6 <= rm <= 2.5,
          "error %.3g at 4 ms, %.3g at 2 ms, ratio %.3f" % (err["G", "4ms"], err["G", "2ms"], rm))
    check("Euler-Maruyama: strong order 1/2", 1.2 <= re <= 1.7,
          "error %.3g at 4 ms, %.3g at 2 ms, ratio %.3f" % (err["H", "4ms"], err["H", "2ms"], re))
    check("Milstein more accurate than Euler-Maruyama", err["G", "2ms"] < 0.1 * err["H", "2ms"])

# ---- noisy LIF: Siegert ----
ref = json.load(open(os.path.join(SRC, "tests/reference/data/siegert.json")))
out = os.path.join(WORK, "siegert")
N, T0, T1 = 2000, 0.1, 1.1
if run("Siegert", out, ["-t", "1.1s", "--seed", "2"]):
    for pop, case in zip("ABCD", ref["cases"]):
        t = np.load(os.path.join(out, pop + ".spikes.t.npy"))
        i = np.load(os.path.join(out, pop + ".spikes.i.npy"))
        counts = np.bincount(i[(t >= T0) & (t < T1)], minlength=N) / (T1 - T0)
        r = counts.mean()
        want = case["rate_dt"]
        tol = 4 * counts.std() / math.sqrt(N) + 0.01 * want
        check("noisy LIF mu = %g mV, sigma = %g mV: rate vs Siegert" %
              (case["mu"] * 1e3, case["sigma"] * 1e3), abs(r - want) <= tol,
              "%.3f Hz, expected %.3f +- %.3f Hz (Siegert without the dt correction: %.3f Hz)"
              % (r, want, tol, case["rate"]))

# ---- Brunel (2000) with white noise for the external input, against Brian2 ----
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vcheck  # noqa: E402

bref = json.load(open(os.path.join(SRC, "tests/reference/data/brunel_noise.json")))["brunel_noise"]
stats = vcheck.network_stats(AXON, SRC, os.path.join(SRC, "examples/brunel_noise.axon"), WORK,
                             "brunel_noise", {"E": 4000, "I": 1000}, check,
                             "examples/brunel_noise.axon")
vcheck.against_brian2(stats, bref, check, "Brunel with noise %s %s vs Brian2")

print("noise: %d passed, %d failed" % (sum(results), len(results) - sum(results)))
sys.exit(0 if all(results) else 1)
