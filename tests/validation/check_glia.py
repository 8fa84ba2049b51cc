#!/usr/bin/python3
"""Validation of the astrocyte and the tripartite synapse of std/neurons/glia against Brian2.

Usage: check_glia.py AXON SRCDIR WORKDIR

Runs tests/validation/glia.axon (4 Poisson sources onto 2 targets, each with its astrocyte,
`via A by post`; release-decreasing gliotransmission onto target 0, release-increasing onto
target 1) and compares with tests/reference/data/glia.csv and glia.astro_spikes.csv, written
by tests/reference/brian2_glia.py (Brian2 2.5.1, the same model and integration: rk4 for the
astrocytes, exact for the synapses; the same spike trains; every 5 ms over 3 s):

  releases  the astrocytes' gliotransmitter releases (C crossing C_Theta) at the same steps;
  astro     C, I, h, Gamma_A and G_A of both astrocytes within TOL_ASTRO of each variable's
            largest value (rounding differences of two rk4 codes, amplified near the
            Ca2+ threshold);
  synapse   Gamma_S, u_S, x_S and r_S of synapses 0 (source 0 -> target 0) and 3 (source 2 ->
            target 1), and ge of both targets, within TOL_SYN (Brian2 records the
            event-driven u_S and x_S as stored at the last spike, Axon advanced to the
            start of the sampled step: the reference's are advanced here by their closed
            forms);
  effect    gliotransmission changed release: after the releases r_S of synapse 0 (alpha = 0)
            is below, of synapse 3 (alpha = 1) above, what it would be with Gamma_S = 0
            (checked on the recorded values, not on the reference);
  threads   `--threads 2 --grain 1` gives the same recordings bit for bit.

Then tests/validation/glia_ring.axon (`--dt 1ms`, 20 s): a ring of 6 astrocytes coupled both
ways between neighbours by IP3Diffusion, IP3 starting at 1.2 and 0.5 uM in astrocytes 0 and 4,
against tests/reference/data/glia_ring.csv and glia_ring.astro_spikes.csv
(tests/reference/brian2_glia_ring.py, Brian2 2.5.1, every 50 ms):

  ring      the releases at Brian2's steps; I, C and h of the six astrocytes within
            TOL_ASTRO of each variable's largest value;
  coupling  against the same ring uncoupled (population B of the model): diffusion moves
            every astrocyte's IP3 by more than 0.1 uM at some sample.

Prints one line per check; exits non-zero when one fails.
"""
import os
import sys

import numpy as np

import vcheck

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "tests/validation/glia.axon")
REF = os.path.join(SRC, "tests/reference/data/glia.csv")
REF_SPK = os.path.join(SRC, "tests/reference/data/glia.astro_spikes.csv")
TOL_ASTRO = 1e-9
TOL_SYN = 1e-9
DT = 1e-4
v = vcheck.Checks(AXON)


def load(out, name):
    return np.load(os.path.join(out, name + ".npy"))


out = os.path.join(WORK, "glia")
if not v.run(MODEL, out):
    sys.exit(1)
with open(REF) as f:
    names = f.readline().lstrip("# ").split(" ")[0].split(",")
ref = np.loadtxt(REF, delimiter=",")
col = {n: ref[:, k] for k, n in enumerate(names)}
t = load(out, "A.C.t")
n = min(len(t), len(col["t_s"]))
v.check("the samples are at the reference's times",
        len(t) == len(col["t_s"]) and np.allclose(t, col["t_s"], atol=1e-9),
        "%d samples, Brian2 %d" % (len(t), len(col["t_s"])))

# ---- releases
rs = np.loadtxt(REF_SPK, delimiter=",", ndmin=2)
ai, at = load(out, "A.spikes.i"), load(out, "A.spikes.t")
same = len(ai) == len(rs) and np.array_equal(ai, rs[:, 0].astype(int)) and \
    np.allclose(at, rs[:, 1], atol=1e-9)
v.check("astrocytes release gliotransmitter at Brian2's steps", same and len(ai) > 0,
        "Axon %s, Brian2 %s" % (list(zip(ai, np.round(at, 4))), [tuple(r) for r in np.round(rs, 4)]))


def close(what, got, want, tol):
    scale = np.max(np.abs(want))
    err = np.max(np.abs(got - want)) / scale if scale > 0 else np.max(np.abs(got))
    v.check(what, err <= tol, "max error %.2g of the largest value, tolerance %g" % (err, tol))
    return err


for var in ("C", "I", "h", "Gamma_A", "G_A"):
    got = load(out, "A." + var)[:n]
    want = np.column_stack([col["A%d.%s" % (a, var)][:n] for a in range(2)])
    close("astrocytes' %s" % var, got, want, TOL_ASTRO)
ge = load(out, "E.ge")[:n]
close("targets' ge (sum of w r_S)", ge, np.column_stack([col["E0.ge"][:n], col["E1.ge"][:n]]),
      TOL_SYN)
# Brian2 records an event-driven variable as it was stored at the synapse's last spike; Axon
# advances it to the start of the sampled step, n dt (a spike of that step: as stored). The
# reference's u_S and x_S are advanced from the last spike of the synapse's source (Axon's
# stamp) to n dt = sample time - dt by their closed forms
spikes = np.loadtxt(os.path.join(SRC, "tests/reference/data/glia_spikes.csv"), delimiter=",",
                    skiprows=1, ndmin=2)
OMEGA_F, OMEGA_D = 3.33, 2.0
ts = col["t_s"][:n]
for var in ("Gamma_S", "u_S", "x_S", "r_S"):
    got = load(out, "syn." + var)[:n]
    want = np.column_stack([col["syn0.%s" % var][:n], col["syn3.%s" % var][:n]])
    if var in ("u_S", "x_S"):
        for c, src in enumerate((0, 2)):
            st = np.sort(spikes[spikes[:, 0] == src, 1] * 1e-3)
            k = np.searchsorted(st, ts + 1e-9, side="right") - 1
            gap = np.maximum(np.where(k >= 0, ts - DT - st[np.maximum(k, 0)], 0.0), 0.0)
            if var == "u_S":
                want[:, c] = want[:, c] * np.exp(-OMEGA_F * gap)
            else:
                want[:, c] = 1 - (1 - want[:, c]) * np.exp(-OMEGA_D * gap)
    close("synapses' %s" % var, got, want, TOL_SYN)

# ---- the effect of gliotransmission on release (Axon's values alone)
g = load(out, "syn.Gamma_S")
v.check("gliotransmitter activates the presynaptic receptors after a release",
        len(at) > 0 and g[t > at.min() + 0.05].max() > 0.1 and g[t < at.min() - 0.01].max() < 1e-3,
        "max Gamma_S after %.3f s: %.3f" % (at.min() if len(at) else -1, g.max()))
U0 = 0.6
u0 = (1 - g[:, 0]) * U0 + 0 * g[:, 0]
u3 = (1 - g[:, 1]) * U0 + 1 * g[:, 1]
late = g[:, 0] > 0.1
v.check("resting release probability: lower with alpha = 0, higher with alpha = 1",
        late.any() and np.all(u0[late] < U0) and np.all(u3[g[:, 1] > 0.1] > U0),
        "U_0 %.3f and %.3f at the largest Gamma_S" % (u0.min(), u3.max()))

two = os.path.join(WORK, "glia_t2")
if v.run(MODEL, two, ["--threads", "2", "--grain", "1"]):
    same = all(np.array_equal(load(out, k), load(two, k))
               for k in ("A.C", "A.G_A", "E.ge", "syn.Gamma_S", "syn.r_S"))
    v.check("--threads 2 gives the same recordings bit for bit", same)

# ---- IP3 diffusion between astrocytes
ring = os.path.join(WORK, "glia_ring")
if v.run(os.path.join(SRC, "tests/validation/glia_ring.axon"), ring, ["--dt", "1ms"]):
    RREF = os.path.join(SRC, "tests/reference/data/glia_ring.csv")
    with open(RREF) as f:
        names = f.readline().lstrip("# ").split(" ")[0].split(",")
    ref = np.loadtxt(RREF, delimiter=",")
    col = {name: ref[:, k] for k, name in enumerate(names)}
    t = load(ring, "A.I.t")
    v.check("ring: the samples are at the reference's times",
            len(t) == len(col["t_s"]) and np.allclose(t, col["t_s"], atol=1e-9),
            "%d samples, Brian2 %d" % (len(t), len(col["t_s"])))
    rs = np.loadtxt(os.path.join(SRC, "tests/reference/data/glia_ring.astro_spikes.csv"),
                    delimiter=",", ndmin=2)
    ai, at = load(ring, "A.spikes.i"), load(ring, "A.spikes.t")
    v.check("ring: releases at Brian2's steps",
            len(ai) == len(rs) > 0 and np.array_equal(ai, rs[:, 0].astype(int))
            and np.allclose(at, rs[:, 1], atol=1e-9), "%d releases, Brian2 %d" % (len(ai), len(rs)))
    if len(t) == len(col["t_s"]):
        for var in ("I", "C", "h"):
            want = np.column_stack([col["A%d.%s" % (a, var)] for a in range(6)])
            close("ring: astrocytes' %s" % var, load(ring, "A." + var), want, TOL_ASTRO)
    moved = np.abs(load(ring, "A.I") - load(ring, "B.I")).max(axis=0)
    v.check("ring: diffusion moves every astrocyte's IP3 (against the uncoupled ring)",
            np.all(moved > 1e-4), "largest change per astrocyte %s uM"
            % np.array2string(moved * 1e3, precision=2))

sys.exit(v.status())
