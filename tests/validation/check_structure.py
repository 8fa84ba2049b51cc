#!/usr/bin/python3
"""Validation of structural plasticity (language.md, "Structural plasticity").

Usage: check_structure.py AXON SRCDIR WORKDIR

Runs tests/validation/structure.axon (dt = 0.1 ms, 200 ms). The structure update of a
projection with `structure every T` runs after the every-step work of the steps n with
(n + 1) % (T / dt) == 0, so a record at time t (the end of step round(t / dt) - 1) has seen
round(t / dt) // (T / dt) updates.

  det       w' = -w / tau (exponential Euler: w *= exp(-dt / tau) every step, inactive synapses
            too), prune when w < w_min, grow with p_grow = 1 { w = w_init }: the active flags
            of every synapse at every step equal a replica of the rule (exact), and the
            weights follow it (relative 1e-12); no weight is within 1e-9 of w_min at an
            update, so rounding cannot decide a comparison;
  delivery  on pre { post.I += w } reaches only active synapses: the sink's x in row r (the
            input delivered in step r - 1) is active * w of the spiking source's synapses as
            recorded at the end of step r - 2 (1e-15), for every spike, and some of those
            deliveries had inactive synapses;
  markov    10^4 synapses, every 1 ms prune with probability q = 0.05 (active ones) and grow
            with p = 0.1 (inactive ones), draws keyed by (seed, projection, synapse, step):
            after k updates the active count is Binomial(N, a_k), a_{k+1} = a_k (1 - q) +
            (1 - a_k) p, a_0 = 1: within 5 standard deviations at each of the 200 updates;
            the total of regrowths (n_grown += 1 in the grow block) within 5 standard
            deviations of N times the mean of one synapse's count (its exact distribution by
            dynamic programming over the 200 updates);
  corr      the stdlib rule CorrelationRegrow, its period a parameter (T = 2 ms): synapses
            that start with w = 0 < w_min are all pruned at the first update; then an inactive
            synapse from a neuron of rate r_i to one of rate r_j grows with probability
            p = p_grow r_i r_j / r_0^2 per update and, with w_init >= w_min, stays: after k
            updates each of the 16 classes of 100 synapses has Binomial(100, 1 - (1 - p)^(k-1))
            active: at every update the exact tail probability of the count (the smaller of
            P(X <= c) and P(X >= c)) is at least 1e-5; no synapse is pruned after it grew;
  count     the manifest's "active" count of each projection is the last recorded sum;
  threads   `--threads 2 --grain 1` and another seed's rerun: the same recordings bit for
            bit with 2 threads; a different seed gives different markov flags;
  resume    a run checkpointed at 99 ms (in the middle of a 5 ms and a 2 ms interval) and
            resumed to 200 ms writes the recordings of the uninterrupted run, bit for bit.

Prints one line per check; exits non-zero when one fails.
"""
import json
import math
import os
import sys

import numpy as np

import vcheck
from vcheck import load, same

v, MODEL, WORK, out = vcheck.start("structure")
DT = 1e-4

# ---- det: pruning and growth with p_grow = 1 follow the rule exactly -------------------------
act = load(out, "det.active")
w = load(out, "det.w")
nsteps, nsyn = act.shape
tau, w_min, w_init, K = 20e-3, 0.3, 0.9, 50
i = np.repeat(np.arange(4), 25)
j = np.tile(np.arange(25), 4)
rw = 0.2 + 0.8 * (25 * i + j + 1) / 100
ra = np.ones(nsyn, dtype=bool)
r = math.exp(-DT / tau)
want_a = np.zeros_like(act)
want_w = np.zeros_like(w)
margin = np.inf
for n in range(nsteps):
    rw = rw * r
    if (n + 1) % K == 0:
        margin = min(margin, np.min(np.abs(rw[ra] - w_min)) if ra.any() else np.inf)
        pruned = ra & (rw < w_min)
        grown = ~ra
        rw = np.where(grown, w_init, rw)
        ra = (ra & ~pruned) | grown
    want_a[n] = ra
    want_w[n] = rw
v.check("det: no weight within 1e-9 of w_min at an update", margin > 1e-9, "margin %.3g" % margin)
changes = int(np.sum(np.abs(np.diff(act, axis=0))))
v.check("det: active flags equal the rule's replica at every step (exact)",
        np.array_equal(act, want_a), "%d flag changes, active count %d .. %d"
        % (changes, act.sum(1).min(), act.sum(1).max()))
err_w = np.max(np.abs(w - want_w) / want_w)
v.check("det: weights follow decay and regrowth (relative 1e-12)", err_w <= 1e-12,
        "%.2g" % err_w)

# ---- delivery: only active synapses deliver ---------------------------------------------------
x = load(out, "sink.x")
rows = np.nonzero(np.abs(x).sum(1))[0]
spikes = [(0, 3), (1, 12), (2, 26), (3, 41), (0, 57), (1, 64), (2, 77), (3, 93)]
ok, worst, inactive = len(rows) == len(spikes), 0.0, 0
for rr, (src, _) in zip(rows, spikes):
    s = slice(25 * src, 25 * src + 25)
    want = act[rr - 2, s] * w[rr - 2, s]
    worst = max(worst, float(np.max(np.abs(x[rr] - want))))
    inactive += int(np.sum(act[rr - 2, s] == 0))
v.check("delivery: on pre reaches active synapses only (1e-15)",
        ok and worst <= 1e-15 and inactive > 0,
        "%d spikes, %d deliveries to inactive synapses skipped, error %.2g"
        % (len(rows), inactive, worst))

# ---- markov: binomial means ------------------------------------------------------------------
p, q = 0.1, 0.05
ma = load(out, "markov.active")
mt = load(out, "markov.active.t")
N = ma.shape[1]
updates = np.rint(mt / DT).astype(int) // 10
a = [1.0]
for k in range(updates.max()):
    a.append(a[-1] * (1 - q) + (1 - a[-1]) * p)
a = np.array(a)
cnt = ma.sum(1)
mean = N * a[updates]
sd = np.sqrt(N * a[updates] * (1 - a[updates]))
z = np.abs(cnt - mean) / sd
v.check("markov: active count within 5 sd of N a_k at every update", np.all(z <= 5),
        "%d updates, max |z| %.2f, final %d vs %.1f (stationary %.1f)"
        % (len(cnt), z.max(), cnt[-1], mean[-1], N * p / (p + q)))
# one synapse's regrowth count after the last update: exact distribution (state, count)
kmax = int(updates[-1])
dist = np.zeros((2, kmax + 2))  # [active?][count]
dist[1, 0] = 1.0
for _ in range(kmax):
    nd = np.zeros_like(dist)
    nd[1] += dist[1] * (1 - q)          # stays active
    nd[0] += dist[1] * q                # pruned
    nd[0] += dist[0] * (1 - p)          # stays inactive
    nd[1, 1:] += dist[0, :-1] * p       # grows: one more regrowth
    dist = nd
c = np.arange(kmax + 2)
m1 = float((dist.sum(0) * c).sum())
var1 = float((dist.sum(0) * c * c).sum()) - m1 * m1
grown = load(out, "markov.n_grown")[-1].sum()
zg = abs(grown - N * m1) / math.sqrt(N * var1)
v.check("markov: regrowths within 5 sd of the exact mean", zg <= 5,
        "%d vs %.1f +- %.1f (|z| %.2f)" % (grown, N * m1, math.sqrt(N * var1), zg))
zero_lag = np.mean(ma[1:] == ma[:-1])
v.check("markov: flags change between updates as the chain predicts",
        abs(zero_lag - (1 - np.mean(a[1:] * q + (1 - a[1:]) * p))) < 0.01,
        "unchanged fraction %.4f" % zero_lag)

# ---- corr: regrowth by correlation (stdlib CorrelationRegrow) ------------------------------------
ca = load(out, "corr.active")
kc = np.rint(load(out, "corr.active.t") / DT).astype(int) // 20
ri = 5 * 2.0 ** (np.arange(40) % 4)
pc = np.minimum(1, 0.05 * np.outer(ri, ri) / 20.0 ** 2)
I, J = np.meshgrid(np.arange(40), np.arange(40), indexing="ij")
I, J = I.ravel(), J.ravel()
v.check("corr: every synapse is pruned at the first update (w = 0 < w_min)",
        kc[0] == 1 and ca[0].sum() == 0, "%d active after 1 update" % ca[0].sum())


def binom_tail(n, p, c):
    """The smaller of P(X <= c) and P(X >= c) for X ~ Binomial(n, p) (exact)."""
    pmf = [math.comb(n, x) * p ** x * (1 - p) ** (n - x) for x in range(n + 1)]
    return min(sum(pmf[:c + 1]), sum(pmf[c:]))


tail = 1.0
for ci in range(4):
    for cj in range(4):
        sel = (I % 4 == ci) & (J % 4 == cj)
        n, pp = int(sel.sum()), pc[ci, cj]
        for k, c in zip(kc[1:], ca[1:, sel].sum(1)):
            tail = min(tail, binom_tail(n, 1 - (1 - pp) ** (k - 1), int(c)))
v.check("corr: grown synapses per rate class: Binomial(100, 1 - (1 - p)^(k-1)) tails >= 1e-5",
        tail >= 1e-5 and np.all(np.diff(ca, axis=0) >= 0),
        "16 classes, p %.4f .. %.2f, %d updates, smallest tail %.2g, %d active at the end"
        % (pc.min(), pc.max(), kc[-1], tail, ca[-1].sum()))

# ---- count: the manifest ---------------------------------------------------------------------
with open(os.path.join(out, "manifest.json")) as f:
    man = json.load(f)
counts = {pr["name"]: pr.get("active") for pr in man["projections"]}
v.check("count: the manifest's active counts are the last recorded sums",
        counts == {"det": int(act[-1].sum()), "markov": int(cnt[-1]), "corr": int(ca[-1].sum())},
        str(counts))

# ---- threads and seeds -------------------------------------------------------------------------
out2 = os.path.join(WORK, "structure_t2")
out3 = os.path.join(WORK, "structure_seed")
names = ["det.active", "det.w", "sink.x", "markov.active", "markov.n_grown", "corr.active"]
if v.run(MODEL, out2, ["--threads", "2", "--grain", "1"]):
    v.check("threads: 2 threads give the same recordings bit for bit", same(out, out2, names))
if v.run(MODEL, out3, ["--seed", "7"]):
    v.check("threads: another seed draws other flags",
            not np.array_equal(load(out3, "markov.active"), ma)
            and np.array_equal(load(out3, "det.active"), act))

# ---- resume: the flags travel in checkpoints ----------------------------------------------------
ck = os.path.join(WORK, "structure.ck")
out4, out5 = os.path.join(WORK, "structure_part"), os.path.join(WORK, "structure_resumed")
if v.run(MODEL, out4, ["-t", "100ms", "--checkpoint", ck, "--checkpoint-every", "33ms"]) and \
        v.run(MODEL, out5, ["--resume", ck, "-t", "200ms"]):
    v.check("resume: checkpointed at 99 ms and resumed, the same recordings bit for bit",
            same(out, out5, names))
sys.exit(v.status())
