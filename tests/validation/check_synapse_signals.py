#!/usr/bin/python3
"""Validation of modulators read in synapses (language.md, "Signals (modulators)").

Usage: check_synapse_signals.py AXON SRCDIR WORKDIR

Runs tests/validation/synapse_signals.axon (its module nested under one with a signal of
its own, so the synapses' signals are not the model's first) and compares with closed forms:

  kick   `on pre { post.v += w * gain }` with gain = floor(t / 10 ms) + 1: from every
         spike's arrival on (no delay: in the step that ends at its time) the target holds w
         times the sum of the plateaus its spikes arrived in; exact (sums of small binary
         fractions);
  mem    `continuous { post.I += g * level }` into v' = (R I - v) / tau (exact scheme),
         level = 0.25, then 1 from the step at 20.1 ms: v = v_inf + (v(T) - v_inf)
         exp(-(t - T) / tau) on both pieces, v_inf = R g level; 1e-12 of the largest value;
  s      a per-step synapse equation s' = (level - s) / tau_s (exponential Euler, exact
         for a signal constant over the step): the same closed form, 1e-12;
  pinned `--signal c.level=0.5` pins the synapses' modulator for the whole run: one piece,
         v_inf = R g 0.5 and s -> 0.5; 1e-12;
  threads  `--threads 2 --grain 1` gives the same recordings bit for bit.

Prints one line per check; exits non-zero when one fails.
"""
import os
import sys

import numpy as np

import vcheck

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "tests/validation/synapse_signals.axon")
v = vcheck.Checks(AXON)
DT, TAU, TAU_S, R, G = 1e-4, 10e-3, 4e-3, 100e6, 0.1e-9
SPIKES = [(0, 5e-3), (0, 15e-3), (1, 25e-3), (0, 35e-3), (1, 35e-3)]
W = 0.5


def load(out, name):
    return np.load(os.path.join(out, name + ".npy"))


def relax(t, pieces, tau):
    """x' = (target - x) / tau from x(0) = 0; pieces = [(start, target), ...] in time order."""
    x = np.empty_like(t)
    x0, t0 = 0.0, 0.0
    for k, (start, target) in enumerate(pieces):
        if k:  # the value where the previous piece ends
            prev = pieces[k - 1][1]
            x0 = prev + (x0 - prev) * np.exp(-(start - t0) / tau)
            t0 = start
        end = pieces[k + 1][0] if k + 1 < len(pieces) else np.inf
        m = (t >= start - DT / 2) & (t < end - DT / 2)
        x[m] = target + (x0 - target) * np.exp(-(t[m] - t0) / tau)
    return x


def close(name, got, want, tol=1e-12):
    err = np.max(np.abs(got - want)) / np.max(np.abs(want))
    v.check(name, err <= tol, "max error %.2g of the largest value, tolerance %g" % (err, tol))


out = os.path.join(WORK, "synapse_signals")
if not v.run(MODEL, out):
    sys.exit(1)

# ---- kick: every arrival adds w * gain(arrival) ---------------------------------------------
cv = load(out, "c.count.v")
t = load(out, "c.count.v.t")
want = np.zeros_like(cv)
for i, ts in SPIKES:
    # without a delay, delivered in the step that ends at the spike's stamp ts (it starts at
    # ts - dt, where the handler reads the signal): recorded from ts on
    want[t >= ts - DT / 2, i] += W * (np.floor((ts - DT) / 10e-3) + 1)
v.check("kick: on pre reads the modulator at the arrival (exact)", np.array_equal(cv, want),
        "final %s, expected %s" % (cv[-1], want[-1]))

# ---- mem and s: the continuous block and a per-step equation driven by the signal ----------
# records are taken at the end of step n, at (n + 1) dt; the signal of step n is its value at
# n dt: level is 1 from step 201 (t >= 20.05 ms), whose record is at 20.2 ms
tm = load(out, "c.mem.v.t")
pieces = [(0.0, 0.25), (201 * DT, 1.0)]
close("mem: continuous { post.I += g * level }", load(out, "c.mem.v")[:, 0],
      R * G * relax(tm, [(s, l) for s, l in pieces], TAU))
close("s: s' = (level - s) / tau_s in the synapse", load(out, "c.drive.s")[:, 0],
      relax(load(out, "c.drive.s.t"), pieces, TAU_S))

# ---- a pinned signal ------------------------------------------------------------------------
pinned = os.path.join(WORK, "synapse_signals_pinned")
if v.run(MODEL, pinned, ["--signal", "c.level=0.5"]):
    close("pinned: mem relaxes to R g 0.5", load(pinned, "c.mem.v")[:, 0],
          R * G * relax(tm, [(0.0, 0.5)], TAU))
    close("pinned: s relaxes to 0.5", load(pinned, "c.drive.s")[:, 0],
          relax(load(pinned, "c.drive.s.t"), [(0.0, 0.5)], TAU_S))

# ---- threads --------------------------------------------------------------------------------
two = os.path.join(WORK, "synapse_signals_t2")
if v.run(MODEL, two, ["--threads", "2", "--grain", "1"]):
    same = all(np.array_equal(load(out, n), load(two, n))
               for n in ("c.count.v", "c.mem.v", "c.drive.s"))
    v.check("--threads 2 gives the same recordings bit for bit", same)

sys.exit(v.status())
