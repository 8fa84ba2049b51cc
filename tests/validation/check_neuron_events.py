#!/usr/bin/python3
"""Validation of neuron events seen by synapses (language.md, "Events").

Usage: check_neuron_events.py AXON SRCDIR WORKDIR

Runs tests/validation/neuron_events.axon (dt = 0.1 ms, 30 ms) and compares with closed
forms. An event found in step s runs its synapses' `on post.NAME` handlers in that step: `t`
there reads s dt (the start of the step, as in `on post`), event-driven variables are
advanced to the event's stamp (s + 1) dt.

  ticks     `event tick when mod(x, 5) == 0` of a step counter (x = s + 1 after step s):
            every synapse counts floor((s + 1) / 5) ticks (exact), stamps the last at
            (5k - 1) dt (1e-15 s), and its event-driven trace a (a' = -a / tau, += 1 at each
            tick) is (1 - r^k) / (1 - r), r = exp(-5 dt / tau), after k ticks (1e-12);
  crossings `event cross when v > theta { v = v_r }` of v' = (v_inf - v) / tau (exact
            scheme) from v_r: the events are ceil(T / dt) steps apart, T = tau
            ln((v_inf - v_r) / (v_inf - theta)), the first in step ceil(T / dt) - 1;
  taught    a learning rule `on post.error { w += eta * a_pre }` with a presynaptic trace
            a_pre' = -a_pre / tau (+1 at each presynaptic spike): at the error of 10 ms,
            w = 1 + eta sum exp(-(10 ms - t_k) / tau) over the earlier presynaptic spikes
            (1e-12); learning is switched off at 12 ms, so the error at 15 ms changes
            nothing (bit for bit);
  threads   `--threads 2 --grain 1` gives the same recordings bit for bit.

Prints one line per check; exits non-zero when one fails.
"""
import math
import os
import sys

import numpy as np

import vcheck
from vcheck import load, same

v, MODEL, WORK, out = vcheck.start("neuron_events")
DT = 1e-4

# ---- ticks ----------------------------------------------------------------------------------
n = load(out, "ticks.n")
steps = np.arange(n.shape[0])           # record k is taken at the end of step k
k = np.floor((steps + 1) / 5)
v.check("ticks: on post.tick runs once per tick, on every synapse (exact)",
        np.array_equal(n, np.repeat(k[:, None], n.shape[1], axis=1)),
        "%d ticks in %d steps" % (n[-1, 0], n.shape[0]))
tl = load(out, "ticks.t_last")
has = k > 0
want_t = (5 * k[has] - 1) * DT
err_t = np.max(np.abs(tl[has] - want_t[:, None]))
v.check("ticks: t in the handler is the start of the event's step", err_t <= 1e-15,
        "max error %.2g s" % err_t)
r = math.exp(-5 * DT / 2e-3)
want_a = (1 - r ** k) / (1 - r)
a = load(out, "ticks.a")
err_a = np.max(np.abs(a - want_a[:, None])) / np.max(want_a)
v.check("ticks: event-driven trace advanced to each event", err_a <= 1e-12,
        "max error %.2g of the largest value, tolerance 1e-12" % err_a)

# ---- crossings ------------------------------------------------------------------------------
tau, v_inf, theta, v_r = 10e-3, 20e-3, 15e-3, 0.0
T = tau * math.log((v_inf - v_r) / (v_inf - theta))
period = math.ceil(T / DT)
cn = load(out, "crossings.n")[:, 0]
ev_steps = np.flatnonzero(np.diff(np.concatenate(([0], cn))) > 0)
want_steps = np.arange(period - 1, n.shape[0], period)
v.check("crossings: events every ceil(T / dt) steps, T = tau ln((v_inf - v_r) / (v_inf - theta))",
        np.array_equal(ev_steps, want_steps),
        "event steps %s, expected %s (T = %.4f ms)" % (list(ev_steps), list(want_steps), T * 1e3))

# ---- taught ---------------------------------------------------------------------------------
w = load(out, "taught.w")
pre = {0: [2e-3, 5e-3, 9e-3], 1: [4e-3]}
want_w = np.array([1 + 0.1 * sum(math.exp(-(10e-3 - s) / 5e-3) for s in pre[i]) for i in (0, 1)])
tw = load(out, "taught.w.t")
before = w[tw < 10e-3 - DT / 2]
after = w[tw > 10e-3 - DT / 2]
err_w = np.max(np.abs(after - want_w)) / np.max(want_w)
v.check("taught: on post.error in a rule, with a presynaptic trace", err_w <= 1e-12 and
        np.all(before == 1), "w %s, expected %s; max error %.2g" % (w[-1], want_w, err_w))
v.check("taught: learning off at 12 ms, the error at 15 ms changes nothing",
        np.all(after == after[0]))

# ---- threads --------------------------------------------------------------------------------
two = os.path.join(WORK, "neuron_events_t2")
if v.run(MODEL, two, ["--threads", "2", "--grain", "1"]):
    names = ("ticks.n", "ticks.a", "ticks.t_last", "crossings.n", "crossings.t_last", "taught.w")
    v.check("--threads 2 gives the same recordings bit for bit", same(out, two, names))

sys.exit(v.status())
