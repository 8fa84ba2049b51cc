#!/usr/bin/python3
"""Vector state within a neuron (tests/validation/vectors.axon).

Usage: check_vectors.py AXON SRCDIR WORKDIR

  Decays   16 exponential decays with 16 time constants, m[k] = m[k](0) exp(-t / tau[k]),
           from the declared 10 mV (P) and from the population's initialisers
           m[k] = (k + 1) mV + i 10 mV, m[0] = -1 mV (Q): every element of every neuron
           within 1e-12 relative (the exact scheme); the elements are in m[0].npy ...
           m[15].npy, each (time, neuron); tau set for all elements by a population's
           argument (S: tau = 3 ms), and one element by --set P.tau[15]=5 ms
  Memory   a leaky-memory neuron written with vectors (m[4], indexed equations, a vector
           of definitions, a sum, an indexed reset) against the same neuron written with scalars by hand: voltage,
           every memory trace and the spike times bit-identical; `record V.m[2]` equal to
           element 2 of `record V.m`; a run resumed from a checkpoint records the same

Prints one line per check and exits 1 if any fails.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vcheck  # noqa: E402

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "tests/validation/vectors.axon")
v = vcheck.Checks(AXON)
TAUS = np.array([1, 1.5, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 40, 50]) * 1e-3


def files(out):
    with open(os.path.join(out, "manifest.json")) as f:
        return {e["path"]: e for e in json.load(f)["files"]}


def load(out, name):
    return np.load(os.path.join(out, name))


out = os.path.join(WORK, "vec_decays")
if v.run(MODEL, out, ["-m", "Decays", "-t", "60 ms"]):
    man = files(out)
    names = ["P.m[%d].npy" % k for k in range(16)]
    v.check("Decays: one file per element, (time, neuron)",
            all(n in man and man[n]["shape"][1:] == [3] and man[n]["unit"] == "kg*m^2*s^-3*A^-1"
                for n in names), ", ".join(sorted(man))[:120])
    for pop, n0 in (("P", lambda k: np.full(3, 10e-3)),
                    ("Q", lambda k: (np.array([-1e-3, -1e-3]) if k == 0 else
                                     (k + 1) * 1e-3 + np.arange(2) * 10e-3))):
        worst = 0.0
        for k in range(16):
            m = load(out, "%s.m[%d].npy" % (pop, k))
            t = load(out, "%s.m[%d].t.npy" % (pop, k))
            exact = n0(k)[None, :] * np.exp(-t / TAUS[k])[:, None]
            rel = np.abs(m - exact) / np.abs(exact)
            worst = max(worst, float(rel.max()))
        v.check("Decays %s: m[k] = m[k](0) exp(-t/tau[k]) for 16 taus, 1e-12 relative" % pop,
                worst < 1e-12, "worst %.2e" % worst)

    m = load(out, "S.m[9].npy")
    t = load(out, "S.m[9].t.npy")
    exact = 10e-3 * np.exp(-t / 3e-3)
    worst = float((np.abs(m[:, 0] - exact) / exact).max())
    v.check("Decays S: a population's (tau = 3 ms) sets every element, 1e-12 relative",
            worst < 1e-12, "worst %.2e" % worst)

# one element set from the command line
out = os.path.join(WORK, "vec_set")
if v.run(MODEL, out, ["-m", "Decays", "-t", "20 ms", "--set", "P.tau[15]=5 ms"]):
    t = load(out, "P.m[15].t.npy")
    w15 = float(np.abs(load(out, "P.m[15].npy")[:, 0] / (10e-3 * np.exp(-t / 5e-3)) - 1).max())
    w14 = float(np.abs(load(out, "P.m[14].npy")[:, 0] / (10e-3 * np.exp(-t / 40e-3)) - 1).max())
    v.check("Decays: --set P.tau[15]=5 ms sets that element only, 1e-12 relative",
            w15 < 1e-12 and w14 < 1e-12, "worst %.2e, %.2e" % (w15, w14))

out = os.path.join(WORK, "vec_memory")
if v.run(MODEL, out, ["-m", "Memory", "-t", "300 ms"]):
    hv, vv = load(out, "H.v.npy"), load(out, "V.v.npy")
    v.check("Memory: v of the vector neuron bit-identical to the hand-written one",
            np.array_equal(hv, vv), "max |diff| %.3g" % float(np.abs(hv - vv).max()))
    same = all(np.array_equal(load(out, "H.m%d.npy" % k), load(out, "V.m[%d].npy" % k))
               for k in range(4))
    v.check("Memory: m[0..3] bit-identical to m0..m3", same)
    # the model must spike, or the reset is untested
    man = files(out)
    sv = [load(out, n) for n in man if n.startswith("V.spikes") and n.endswith(".npy")]
    sh = [load(out, n) for n in man if n.startswith("H.spikes") and n.endswith(".npy")]
    nsp = sum(a.size for a in sv)
    v.check("Memory: spikes of both neurons identical (and some)",
            nsp > 4 and len(sv) == len(sh) and all(np.array_equal(a, b) for a, b in zip(sv, sh)),
            "%d values in V's spike files" % nsp)
    e2 = [e for e in man.values() if e["kind"] == "state" and e["variable"] == "m[2]"]
    v.check("Memory: record V.m[2] is element 2 of record V.m",
            len(e2) == 2 and np.array_equal(load(out, e2[0]["path"]), load(out, e2[1]["path"])),
            ", ".join(e["path"] for e in e2))
    # a checkpoint at 100 ms of a run stopped at 150 ms, resumed to 300 ms: the same recordings
    half = os.path.join(WORK, "vec_half")
    if v.run(MODEL, half, ["-m", "Memory", "-t", "150 ms", "--checkpoint-every", "100 ms"]) and \
            v.run(MODEL, half, ["-m", "Memory", "-t", "300 ms", "--resume", half + ".checkpoint"]):
        names = [n for n in files(out) if n.startswith("V.")]
        v.check("Memory: resumed from a checkpoint, every recording of V identical",
                all(np.array_equal(load(out, n), load(half, n)) for n in names),
                "%d files" % len(names))
sys.exit(v.status())
