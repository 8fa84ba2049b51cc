#!/usr/bin/python3
"""Rate-based and homeostatic learning rules against known results.

Usage: check_rules.py AXON SRCDIR WORKDIR

Models: tests/validation/rules_rate.axon (rate units with graded
projections, stdlib/rules/rate.axon) and tests/validation/rules_homeostasis.axon
(spiking LIF, stdlib/rules/homeostasis.axon and stdlib/neurons/homeostatic.axon).
Recordings of state at time (n + 1) dt hold the values after step n; the
weights are recorded after the plasticity phase of the same step.

- Oja (module OjaPCA, 20 s, eta = 0.5/s): a linear unit driven by 2-D
  zero-mean input x = A s (two incommensurate sinusoids mixed by A, slow
  compared with dt). The weight vector, averaged over the last 5 s, must be
  the principal eigenvector of the covariance of the recorded x to
  |cosine| > 0.99, with norm 1 within 2%.
- Hebbian (module HebbCorr, 5 s): dw = eta pre.y post.y dt, clipped to
  [0, w_max]. The recorded weights must equal a replay of the update from the
  recorded pre.y and post.y of every step to 1e-12; the weight vector must
  point along the principal eigenvector of the input correlation
  <x x^T> (|cosine| > 0.999), so that the correlated pair, started at half
  the others' weight, ends above them; no weight may reach w_max.
- Covariance (module HebbCorr): dw = eta (pre.y - theta_pre)(post.y -
  theta_post) dt. Exact replay to 1e-12; with theta_pre the input mean the
  weights grow along the covariance's principal eigenvector, the correlated
  pair: their weights must end at least 3 times the others' (the linear theory
  gives exp(eta (lambda_1 - lambda_2) T) ~ 5).
- BCM (module BCMSelect, 20 s): 10 linear units, 20 inputs in two groups
  presented in alternation (probability 1/2 each), y0 = 1. Over the last 2 s
  every unit must be selective: it answers one pattern with y within 5% of
  the BCM fixed point y0 / p = 2 and the other with y < 0.05 (selectivity
  1 - y_weak / y_strong > 0.95), and both patterns must be chosen by some unit.
  (Over seeds 0-9 at 20 s: y_strong 1.998 everywhere, y_weak <= 0.003; at 10 s
  a unit can still be on its way.)
- Homeostasis (rules_homeostasis.axon, 10 s, target 10 Hz): 40 LIF neurons
  per population, each with its own 20 Poisson inputs. Without plasticity the
  drives give about 34 Hz and 3.5 Hz (the controls must be off target by more
  than 50%). With SynapticScaling (weights scaled toward the target rate)
  and with the adaptive threshold (LIFCondHomeostatic; LIFHomeostatic, the
  current-based LIF, driven above only) the population rate
  over the last 4 s must be within 10% of the target, for the population
  driven above and the one driven below. Scaling is multiplicative: every
  weight of a neuron must keep its ratio to the neuron's other weights to 1e-10.
"""
import os
import sys

import numpy as np

import vcheck

AXON, SRC, WORK = sys.argv[1:4]
_v = vcheck.Checks(AXON)
check, run = _v.check, _v.run


def load(out, name):
    return np.load(os.path.join(out, name + ".npy"))


RATE = os.path.join(SRC, "tests/validation/rules_rate.axon")
DT = 1e-4

# ---- Oja: the principal component
out = os.path.join(WORK, "oja")
if run(RATE, out, ["-m", "OjaPCA", "-t", "20s"]):
    x = load(out, "In.y")
    w, tw = load(out, "syn.w"), load(out, "syn.w.t")
    wm = w[tw > 15.0 + 1e-9].mean(axis=0)
    ev, vec = np.linalg.eigh(np.cov(x.T))
    pc = vec[:, -1]
    cos = abs(float(wm @ pc)) / float(np.linalg.norm(wm))
    norm = float(np.linalg.norm(wm))
    check("Oja: weights along the first principal component", cos > 0.99,
          "|cos| = %.5f, w = (%.4f, %.4f), PC = (%.4f, %.4f), eigenvalues %.3f, %.3f"
          % (cos, wm[0], wm[1], pc[0], pc[1], ev[1], ev[0]))
    check("Oja: unit norm", abs(norm - 1) < 0.02, "|w| = %.5f" % norm)

# ---- Hebbian and covariance rules: exact replay, growth along the correlations
out = os.path.join(WORK, "hebb")
if run(RATE, out, ["-m", "HebbCorr", "-t", "5s"]):
    x = load(out, "In.y")
    y, yc = load(out, "Out.y")[:, 0], load(out, "OutCov.y")[:, 0]
    w, wc = load(out, "syn.w"), load(out, "cov.w")
    eta, eta_c, theta_pre, w_max = 1.0, 4.0, 0.4, 1.0
    r = np.array([0.01, 0.01, 0.02, 0.02])
    rc = np.full(4, 0.05)
    err = errc = 0.0
    for n in range(len(y)):
        r = np.clip(r + eta * x[n] * y[n] * DT, 0, w_max)
        rc = np.clip(rc + eta_c * (x[n] - theta_pre) * yc[n] * DT, -2, 2)
        err = max(err, float(np.max(np.abs(r - w[n]))))
        errc = max(errc, float(np.max(np.abs(rc - wc[n]))))
    check("Hebbian: weights equal a replay of dw = eta pre.y post.y dt", err < 1e-12,
          "max difference %.1e over %d steps" % (err, len(y)))
    check("Covariance: weights equal a replay of the rule", errc < 1e-12,
          "max difference %.1e" % errc)
    q = x.T @ x / len(x)
    pc = np.linalg.eigh(q)[1][:, -1]
    wf = w[-1]
    cos = abs(float(wf @ pc)) / float(np.linalg.norm(wf))
    check("Hebbian: growth along the principal eigenvector of <x x^T>", cos > 0.999,
          "|cos| = %.5f, w = %s" % (cos, np.round(wf, 4)))
    check("Hebbian: the correlated pair overtakes the others, below w_max",
          min(wf[:2]) > max(wf[2:]) and wf.max() < w_max,
          "w = %s, started at (0.01, 0.01, 0.02, 0.02)" % np.round(wf, 4))
    ratio = float(wc[-1][:2].mean() / wc[-1][2:].mean())
    check("Covariance: the correlated pair grows faster", ratio > 3,
          "w = %s, ratio %.2f" % (np.round(wc[-1], 4), ratio))

# ---- BCM: selectivity
out = os.path.join(WORK, "bcm")
if run(RATE, out, ["-m", "BCMSelect", "-t", "20s"]):
    x, y, t = load(out, "In.y"), load(out, "Out.y"), load(out, "Out.y.t")
    last = t > 18.0 + 1e-9
    a = x[:, 0] > 0.5
    p = float(a[last].mean())
    ya, yb = y[last & a].mean(axis=0), y[last & ~a].mean(axis=0)
    strong, weak = np.maximum(ya, yb), np.minimum(ya, yb)
    sel = 1 - weak / strong
    ok = bool(np.all(np.abs(strong - 2.0) < 0.1) and np.all(weak < 0.05))
    check("BCM: every unit selective, y_strong = y0/p = 2 (5%), y_weak < 0.05", ok,
          "p = %.2f; strong %.3f .. %.3f, weak %.3f .. %.3f, selectivity >= %.3f"
          % (p, strong.min(), strong.max(), weak.min(), weak.max(), sel.min()))
    na = int(np.sum(ya > yb))
    check("BCM: both patterns chosen", 0 < na < len(ya),
          "%d units prefer pattern A, %d pattern B" % (na, len(ya) - na))

# ---- homeostasis
out = os.path.join(WORK, "homeo")
if run(os.path.join(SRC, "tests/validation/rules_homeostasis.axon"), out):
    N, K, target = 40, 20, 10.0

    def rate(pop, t0, t1):
        t = load(out, pop + ".spikes.t")
        return float(np.sum((t >= t0) & (t < t1))) / N / (t1 - t0)

    for pop in ("Hi0", "Lo0"):
        r = rate(pop, 0, 10)
        check("homeostasis: control %s is off target" % pop, abs(r - target) > 0.5 * target,
              "%.2f Hz without plasticity" % r)
    for pop, what in (("Hi", "synaptic scaling, driven above"), ("Lo", "synaptic scaling, driven below"),
                      ("THi", "adaptive threshold, driven above"),
                      ("TLo", "adaptive threshold, driven below"),
                      ("CHi", "adaptive threshold, current-based, driven above")):
        r0, r = rate(pop, 0, 0.5), rate(pop, 6, 10)
        check("homeostasis: %s (%s) within 10%% of %g Hz" % (pop, what, target),
              abs(r - target) < 0.1 * target, "%.2f Hz over the first 0.5 s, %.2f Hz over the last 4 s"
              % (r0, r))
    for proj, w0 in (("hi", 1.4e-9), ("lo", 0.7e-9)):
        w = load(out, proj + ".w")
        i = np.arange(N * K)
        f = (w / (w0 * (1 + 0.4 * np.sin(1.7 * i)))).reshape(len(w), N, K)
        err = float(np.max(np.abs(f / f[:, :, :1] - 1)))
        check("homeostasis: scaling of %s keeps each neuron's weight ratios" % proj, err < 1e-10,
              "max relative deviation %.1e; scale factors at 10 s %.3f .. %.3f"
              % (err, f[-1, :, 0].min(), f[-1, :, 0].max()))

sys.exit(_v.status())
