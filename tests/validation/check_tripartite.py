#!/usr/bin/python3
"""Validation of tripartite synapses: a synapse that reads and sums into a third population
(`via NAME` in the synapse, `via POP by post|pre` on the projection; language.md).

Usage: check_tripartite.py AXON SRCDIR WORKDIR

Runs tests/validation/tripartite.axon and compares with exact counts:

  fwd    src -> E via A by post (where i + j != 3): the k-th arrival (k = 0, 1, ...) at
         target j adds w (1 + k) to E.v[j] (the handler reads A.c[j] before counting itself
         there), so E.v[j] = w n (n + 1) / 2 after n arrivals; A.c[j] = n, recorded from the
         arrival's stamp on; the astrocyte's input J (astro.J += Y) is integrated by
         G' = J / tau_J in the next step: G[j] = n Y dt / tau_J one step later. Exact but
         for G (sums of dt / tau_J = 0.1: 1e-12);
  back   src -> F via B by pre (where j > i): each synapse of source i adds 1 to B.c[i]
         (spikes of i times its out-degree), and `every step { s = glia.c }` reads it back
         into every synapse of row i: exact;
  threads  `--threads 2 --grain 1` gives the same recordings bit for bit.

Prints one line per check; exits non-zero when one fails.
"""
import os
import sys

import numpy as np

import vcheck

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "tests/validation/tripartite.axon")
v = vcheck.Checks(AXON)
DT, TAU_J, W, Y = 1e-4, 1e-3, 0.25, 0.5
SPIKES = [(0, 2e-3), (1, 2e-3), (2, 4.5e-3), (0, 7e-3), (1, 9e-3), (2, 9e-3), (0, 12e-3)]
NE, NF = 4, 5


def load(out, name):
    return np.load(os.path.join(out, name + ".npy"))


out = os.path.join(WORK, "tripartite")
if not v.run(MODEL, out):
    sys.exit(1)

# arrivals at each target j of fwd: delivered in the step that ends at the stamp ts, so
# recorded from ts on (records are taken at the end of each step)
t = load(out, "E.v.t")
n = np.zeros((len(t), NE))
for i, ts in SPIKES:
    for j in range(NE):
        if i + j != 3:
            n[t >= ts - DT / 2, j] += 1
v.check("fwd: post.v += w (1 + astro.c) reads the third neuron before the count (exact)",
        np.array_equal(load(out, "E.v"), W * n * (n + 1) / 2),
        "final %s, expected %s" % (load(out, "E.v")[-1], W * n[-1] * (n[-1] + 1) / 2))
v.check("fwd: astro.c += 1 counts the arrivals at each target j (exact)",
        np.array_equal(load(out, "A.c"), n), "final %s" % load(out, "A.c")[-1])
# J summed in step k is integrated by the update of step k + 1: one record later
nG = np.vstack([np.zeros((1, NE)), n[:-1]])
G = load(out, "A.G")
err = np.max(np.abs(G - nG * Y * DT / TAU_J))
v.check("fwd: astro.J += Y reaches the astrocyte's input one step later (1e-12)", err <= 1e-12,
        "max error %.2g" % err)

# back: source i's synapses (j > i) each add 1 to B.c[i]
tb = load(out, "B.c.t")
c = np.zeros((len(tb), 3))
for i, ts in SPIKES:
    c[tb >= ts - DT / 2, i] += NF - 1 - i
v.check("back: glia.c += 1 by pre sums the synapses of each source (exact)",
        np.array_equal(load(out, "B.c"), c), "final %s" % load(out, "B.c")[-1])
# s of synapse (i, j) in CSR order (by i, then j) holds B.c[i] after the step's deliveries
rows = [i for i in range(3) for j in range(NF) if j > i]
v.check("back: every step { s = glia.c } reads the source's third neuron (exact)",
        np.array_equal(load(out, "back.s"), c[:, rows]), "final %s" % load(out, "back.s")[-1])

two = os.path.join(WORK, "tripartite_t2")
if v.run(MODEL, two, ["--threads", "2", "--grain", "1"]):
    same = all(np.array_equal(load(out, k), load(two, k))
               for k in ("E.v", "A.c", "A.G", "B.c", "back.s"))
    v.check("--threads 2 gives the same recordings bit for bit", same)

sys.exit(v.status())
