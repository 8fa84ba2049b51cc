#!/usr/bin/python3
"""Validation of examples/tempotron.axon: the tempotron of Guetig & Sompolinsky (2006), written
with neuron events, against a replay of its definition.

Usage: check_tempotron.py AXON SRCDIR WORKDIR

The example runs 60 trials of T = 500 ms (dt = 0.1 ms); trial k shows pattern A (k even,
label 1) or B (k odd, label 0). The weights are recorded at the end of every trial (after
that trial's learning). For every trial k >= 1 the replay starts from the weights recorded
after trial k - 1 and the afferents' recorded spikes of trial k:

  V(s) = sum_j w_{i_j} K(s - t_j),  K(u) = V0 (exp(-u / tau) - exp(-u / tau_s)) for u >= 0,

on the trial's grid s = kT + dt, ..., (k + 1)T (the neuron is reset at each trial's end). The
tempotron fires at the first s with V(s) > theta (then t_max = s), else t_max is the first s
of the largest V(s) (the running maximum of the `peak` event). After a missed A every weight
grows by lambda sum_{t_j <= t_max} K(t_max - t_j) over its afferent's spikes; after a B that
fired it shrinks by the same. Checked, for w0 = 0.1 (the example: only misses) and w0 = 0.3
(a false alarm too):

  - the trials in which the tempotron fires, and the time of each output spike (1e-12 s);
  - the weights after every trial equal the replay to 1e-12 of the largest weight;
  - the rule learns: the first A is missed (w0 = 0.1) or a B fires (w0 = 0.3), and each of
    the last 10 trials is classified right (A fires, B does not);
  - the margins: no V(s) within 1e-9 of theta or of the trial's maximum where the replay
    decides, so the comparison is not decided by rounding.

Prints one line per check; exits non-zero when one fails.
"""
import os
import sys

import numpy as np

import vcheck

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "examples/tempotron.axon")
v = vcheck.Checks(AXON)
DT, T = 1e-4, 0.5
TAU, TAU_S, V0, THETA, LAM = 15e-3, 3.75e-3, 2.1165, 1.0, 0.02
STEPS = int(round(T / DT))


def load(out, name):
    return np.load(os.path.join(out, name + ".npy"))


def replay_trial(k, w, t_in, i_in):
    """Whether trial k fires, its output spike time (or None), and the weights after it."""
    s = k * T + DT * np.arange(1, STEPS + 1)
    sel = (t_in >= k * T - DT / 2) & (t_in < (k + 1) * T - DT / 2)
    tj, ij = t_in[sel], i_in[sel]
    u = s[:, None] - tj[None, :]
    kern = np.where(u >= 0, V0 * (np.exp(-np.maximum(u, 0) / TAU)
                                  - np.exp(-np.maximum(u, 0) / TAU_S)), 0.0)
    V = kern @ w[ij]
    above = np.nonzero(V > THETA)[0]
    fired = above.size > 0
    m = above[0] if fired else int(np.argmax(V))
    margin = np.min(np.abs(V - THETA))
    if not fired:
        rest = np.delete(V, m)
        margin = min(margin, V[m] - rest.max()) if rest.size else margin
    label = 1 if k % 2 == 0 else 0
    w = w.copy()
    if label != fired:
        ki = np.zeros_like(w)
        np.add.at(ki, ij, kern[m])
        w += LAM * ki if label == 1 else -LAM * ki
    return fired, (s[m] if fired else None), w, margin


def check_run(w0):
    out = os.path.join(WORK, "tempotron_%g" % w0)
    if not v.run(MODEL, out, ["--set", "w0=%g" % w0]):
        return
    t_in, i_in = load(out, "In.spikes.t"), load(out, "In.spikes.i")
    t_out = load(out, "Out.spikes.t")
    W = load(out, "syn.w")
    n = W.shape[0]
    fired_ax = np.zeros(n, bool)
    fired_ax[np.floor(t_out / T - DT / (2 * T)).astype(int)] = True
    fired_re, t_re, err, margin, errors = [], [], 0.0, np.inf, []
    for k in range(1, n):
        f, ts, w, mg = replay_trial(k, W[k - 1], t_in, i_in)
        fired_re.append(f)
        if ts is not None:
            t_re.append(ts)
        err = max(err, np.max(np.abs(w - W[k])))
        margin = min(margin, mg)
        if f != (k % 2 == 0):
            errors.append(k)
    scale = np.max(np.abs(W))
    t_ax = t_out[t_out >= T - DT / 2]
    v.check("w0 = %g: the trials that fire and the output spike times" % w0,
            np.array_equal(fired_ax[1:], fired_re) and len(t_ax) == len(t_re)
            and np.max(np.abs(t_ax - np.array(t_re)), initial=0) <= 1e-12,
            "%d output spikes in trials 1 .. %d" % (len(t_re), n - 1))
    v.check("w0 = %g: weights after every trial equal the replay (1e-12 of the largest)" % w0,
            err <= 1e-12 * scale, "max difference %.1e, largest weight %.3f; errors in trials %s"
            % (err, scale, errors[:8]))
    v.check("w0 = %g: V is never within 1e-9 of a decision" % w0, margin > 1e-9,
            "smallest margin %.1e" % margin)
    last = all(fired_ax[k] == (k % 2 == 0) for k in range(n - 10, n))
    first = (not fired_ax[0]) if w0 < 0.2 else any(fired_ax[k] for k in range(1, n, 2))
    v.check("w0 = %g: learns (%s; the last 10 trials right)"
            % (w0, "the first A missed" if w0 < 0.2 else "a B fired"), first and last,
            "fired in trials %s" % list(np.nonzero(fired_ax)[0][:12]))


check_run(0.1)
check_run(0.3)
sys.exit(v.status())
