#!/usr/bin/python3
"""Non-spiking units and map neurons against their closed forms.

Usage: check_units.py AXON SRCDIR WORKDIR

Runs tests/validation/units.axon. Each artificial unit computes, in one
step, y = f(bias) for biases swept over [-4, 4]: compared with f evaluated
by Python's math module, relative tolerance 1e-13 (absolute 1e-15 near 0).
A neuron with equations and a step map, and step-map neurons with `refractory`
(held, and `free`), are compared with their recurrences (1e-12, exact spike
times and values). The Rulkov and Chialvo maps are iterated in Python with the same formula;
the trajectories must agree to 1e-12 relative for 2000 steps (Rulkov) and
200 steps (Chialvo, whose exponential amplifies rounding differences).
Prints one line per check and "N passed, M failed".
"""
import math
import os
import subprocess
import sys

import numpy as np

AXON, SRC, WORK = sys.argv[1:4]
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS" if ok else "FAIL") + ": " + name + ("  (" + detail + ")" if detail else ""))


out = os.path.join(WORK, "units")
steps = 2000
p = subprocess.run([AXON, "run", os.path.join(SRC, "tests/validation/units.axon"), "-t",
                    "%g ms" % (steps * 0.1), "-o", out, "-q"], capture_output=True, text=True)
if p.returncode != 0:
    print(p.stdout + p.stderr)
    check("run units.axon", False)
else:
    N = 101
    z = [-4 + 8 * i / (N - 1) for i in range(N)]
    phi = lambda v: 0.5 * math.erfc(-v / math.sqrt(2))
    sig = lambda v: 1 / (1 + math.exp(-v))
    forms = {
        "relu": lambda v: max(v, 0.0),
        "gelu": lambda v: v * phi(v),
        "prelu": lambda v: max(v, 0.0) + 0.25 * min(v, 0.0),
        "swish": lambda v: v * sig(v),
        "pade": lambda v: (0.02 + 0.5 * v + 0.3 * v**2 + 0.05 * v**3) / (1 + abs(0.1 * v + 0.2 * v**2)),
        "quad": lambda v: (1.0 * v + 0.5) * (-0.5 * v + 1.0) + 0.25 * v**2 + 0.1,
        "rbf": lambda v: math.exp(-(v - 0) ** 2 / (2 * 1**2)),
        "aptx": lambda v: (1 + math.tanh(v)) * 0.5 * v,
    }
    for name, f in forms.items():
        y = np.load(os.path.join(out, name + ".y.npy"))[0]
        want = np.array([f(v) for v in z])
        err = np.max(np.abs(y - want) / np.maximum(np.abs(want), 1e-2))
        check("%s closed form" % name, err <= 1e-13, "max relative error %.2e over %d inputs" % (err, N))

    def iterate(n, x, y, step):
        xs, ys = [], []
        for _ in range(n):
            x, y = step(x, y)
            xs.append(x)
            ys.append(y)
        return np.array(xs), np.array(ys)

    def rulkov(x, y):
        xn = 4.5 / (1 + x * x) + y + 0 + 0  # x * x: pow(x, 2) may differ by an ulp
        return xn, y - 0.001 * (x - (-1.0))

    def chialvo(x, y):
        xn = x * x * math.exp(y - x) + 0.03 + 0
        return xn, 0.89 * y - 0.6 * x + 0.28

    for name, step, x0, y0, n in [("rulkov", rulkov, -1.0, -3.0, steps), ("chialvo", chialvo, 0.5, 0.5, 200)]:
        xs, ys = iterate(steps, x0, y0, step)
        ax = np.load(os.path.join(out, name + ".x.npy"))[:, 0]
        ay = np.load(os.path.join(out, name + ".y.npy"))[:, 0]
        err = max(np.max(np.abs(ax[:n] - xs[:n]) / np.maximum(np.abs(xs[:n]), 1e-3)),
                  np.max(np.abs(ay[:n] - ys[:n]) / np.maximum(np.abs(ys[:n]), 1e-3)))
        check("%s map trajectory" % name, err <= 1e-12, "%d steps, max relative difference %.2e" % (n, err))
        if name == "rulkov":
            check("rulkov bursts", np.sum(np.diff((ax > 0).astype(int)) == 1) > 5,
                  "%d upward crossings of x = 0" % np.sum(np.diff((ax > 0).astype(int)) == 1))

    # equations and a step map in one neuron: the recurrences of units.axon, 1e-12
    dt, tau = 1e-4, 10e-3
    v, u, k, c = 0.0, 0.0, 0.0, 0.0
    want = []
    for n in range(steps):
        v, u, k, c = v + dt * k / tau, k + (u - k) * math.exp(-dt / tau), k + 1, v
        want.append((v, u, c))
    want = np.array(want)
    got = np.stack([np.load(os.path.join(out, "mixed.%s.npy" % x))[:, 0] for x in "vuc"], axis=1)
    n = min(len(got), len(want))
    err = np.max(np.abs(got[:n] - want[:n]) / np.maximum(np.abs(want[:n]), 1e-3)) if n else 1.0
    check("equations and a step map", n == steps and err <= 1e-12,
          "%d steps, max relative difference %.2e; v(%d) = %.6g (dt/tau n(n-1)/2 = %.6g)"
          % (n, err, n, got[n - 1, 0], dt / tau * n * (n - 1) / 2))

    # refractoriness in a step map: exact spike times and values
    for name, period, held in [("count", 14, True), ("count_free", 10, False)]:
        t = np.load(os.path.join(out, name + ".spikes.t.npy"))
        want_t = np.array([(5 + period * m) * dt for m in range(len(t))])
        x = np.load(os.path.join(out, name + ".x.npy"))[:, 0]
        wx, xv, refr = [], 0, 0
        for n in range(steps):
            refr_old, refr = refr, max(refr - 1, 0)
            if not (held and refr_old > 0):
                xv += 1
            if xv >= 5 and refr_old <= 0:
                xv, refr = 0, 9
            wx.append(xv)
        ok = (len(t) == (steps - 5) // period + 1 and np.all(np.abs(t - want_t) < dt / 2) and
              np.array_equal(x, np.array(wx, dtype=float)))
        check("%s: refractory step map" % name, ok,
              "%d spikes every %d steps, first at %.1f ms" % (len(t), period, t[0] * 1e3 if len(t) else 0))

passed = sum(results)
print("units: %d passed, %d failed" % (passed, len(results) - passed))
sys.exit(0 if passed == len(results) else 1)
