#!/usr/bin/python3
"""White noise in synapse equations against theory (tests/validation/noise_synapse.axon).

Usage: check_noise_synapse.py AXON SRCDIR WORKDIR

Every tolerance is 4 standard errors of the estimate, from the sample size and the
correlation between samples (as in check_noise.py).

- ou.g: 1000 synapses (10 x 100, all to all), g' = (mu - g) / tau + sigma sqrt(2/tau) xi,
  tau = 10 ms, mu = 1, sigma = 0.5, g(0) ~ N(mu, sigma^2) (stationary from the start),
  dt = 1 ms, every step for 2 s. Per-step synapse equations are exponential Euler plus
  the noise's exact standard deviation sqrt(dt exprel(2 B dt)): for constant
  coefficients the exact OU update, x_{n+1} = mu + rho (x_n - mu) + noise,
  rho = exp(-dt/tau), stationary variance sigma^2 at any dt. Checked: the mean, the
  variance, the autocorrelation at lags 1, 5 and 10 (rho^k), and the correlation of
  neighbouring synapses (0).
- wn.b: b' = amp xi (amp = 2 s^-0.5, b(0) = 0): a Wiener process, Var b(t) = amp^2 t
  (4 t) and mean 0, at t = 0.5, 1 and 2 s over the 1000 synapses.
- 1 and 2 threads give bit-identical recordings, seeds 5 and 6 differ.
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vcheck  # noqa: E402

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "tests/validation/noise_synapse.axon")
v = vcheck.Checks(AXON)
DT, TAU, MU, SIGMA = 1e-3, 10e-3, 1.0, 0.5


def within(name, got, want, se):
    v.check(name, abs(got - want) <= 4 * se,
            "%.6g, expected %.6g +- %.2g (4 SE)" % (got, want, 4 * se))


out = os.path.join(WORK, "nsyn")
if v.run(MODEL, out, ["--dt", "1ms", "-t", "2s", "--seed", "5"]):
    g = np.load(os.path.join(out, "ou.g.npy"))
    b = np.load(os.path.join(out, "wn.b.npy"))
    t = np.load(os.path.join(out, "ou.g.t.npy"))
    v.check("one value per synapse and step", g.shape == (2000, 1000), str(g.shape))
    rho = math.exp(-DT / TAU)
    n = g.size
    var = SIGMA ** 2
    within("OU synapses: mean", g.mean(), MU, math.sqrt(var * (1 + rho) / ((1 - rho) * n)))
    within("OU synapses: variance", g.var(), var,
           var * math.sqrt(2 * (1 + rho * rho) / ((1 - rho * rho) * n)))
    x = (g - MU) / SIGMA
    for lag in (1, 5, 10):
        r = np.sum(x[lag:] * x[:-lag]) / np.sum(x * x)
        want = rho ** lag
        # Bartlett's formula for an AR(1) process
        se = math.sqrt(((1 + rho ** 2) * (1 - rho ** (2 * lag)) / (1 - rho ** 2)
                        - 2 * lag * rho ** (2 * lag)) / n)
        within("OU synapses: autocorrelation at lag %d" % lag, r, want, se)
    r = np.sum(x[:, 1:] * x[:, :-1]) / math.sqrt(np.sum(x[:, 1:] ** 2) * np.sum(x[:, :-1] ** 2))
    within("OU synapses: neighbouring synapses uncorrelated", r, 0,
           math.sqrt((1 + rho * rho) / (1 - rho * rho) / n))
    for tt in (0.5, 1.0, 2.0):
        k = int(round(tt / DT)) - 1          # the record after step k is b at (k + 1) dt
        bt = b[k]
        m = bt.size
        within("Wiener synapses: variance at %g s" % tt, bt.var(), 4 * tt,
               4 * tt * math.sqrt(2.0 / m))
        within("Wiener synapses: mean at %g s" % tt, bt.mean(), 0, math.sqrt(4 * tt / m))

runs = {}
for tag, args in (("t1", ["--threads", "1", "--seed", "5"]),
                  ("t2", ["--threads", "2", "--grain", "1", "--seed", "5"]),
                  ("s6", ["--threads", "2", "--grain", "1", "--seed", "6"])):
    out = os.path.join(WORK, "nsyn_" + tag)
    if v.run(MODEL, out, ["--dt", "1ms", "-t", "50ms"] + args):
        runs[tag] = [np.load(os.path.join(out, f)) for f in ("ou.g.npy", "wn.b.npy")]
if len(runs) == 3:
    v.check("1 and 2 threads bit-identical",
            all(np.array_equal(x, y) for x, y in zip(runs["t1"], runs["t2"])))
    v.check("another seed, other noise",
            not any(np.array_equal(x, y) for x, y in zip(runs["t1"], runs["s6"])))
sys.exit(v.status())
