#!/usr/bin/python3
"""Validation of run-line protocols (`run M for T { at T1 { ... } }`, language.md).

Usage: check_protocol.py AXON SRCDIR WORKDIR

Runs tests/validation/protocol.axon and compares with closed forms:

  sub   a subthreshold LIF (exact scheme) whose I_ext steps at 50 ms and whose
        I_ext and tau_m step at 120 ms: on every piece,
        v(t) = v_inf + (v(T) - v_inf) exp(-(t - T) / tau), v_inf = v_rest + R I,
        from the value at the step; 1e-12 relative on both sides of each step,
        and the sample right after each step (one dt later) too, which shows
        that the change applies before the step that starts at T, as a
        Brian2 run(T), change, run(...) does;
  rate  a LIF at rest until 0.5 nA switches on at 100 ms: the first spike
        lies within one step of 100 ms + tau ln(RI / (RI - (v_th - v_rest)))
        and the inter-spike intervals within one step of t_ref plus that;
  bias  a per-neuron parameter set for every neuron at 100 ms: every trace
        relaxes to the same v_inf afterwards (1e-12).

and checks that a built executable, and a run resumed from a checkpoint
written at 50 ms (the step of a change), give the same recordings bit for
bit as `axon run`.

tests/validation/protocol_learning.axon turns STDP off (`ee.learning =
false`) from 100 to 200 ms: the weights must not change at all meanwhile
(bit for bit, though input spikes arrive), must change before and after;
with `--set ee.learning=false` no weight changes before 200 ms.

Initial values and per-neuron parameters from data (a literal list, an NPY
file, CSV columns with units in the header), written with the model into
WORKDIR: the LIF trajectories from those values, to 1e-12.

Short-term plasticity (tests/validation/stp.axon) against Brian2
(tests/reference/brian2_stp.py, data/stp.csv): per-step and event-driven u
and x, the postsynaptic ge and v every 0.5 ms within 1e-9 of the largest
value: Axon's order within a step (on pre, then per-step synapse equations)
gives Brian2's results at the same dt.

Prints one line per check and a final "N passed, M failed".
"""
import os
import subprocess
import sys

import numpy as np

AXON, SRC, WORK = sys.argv[1:4]
DT = 1e-4
MODEL = os.path.join(SRC, "tests/validation/protocol.axon")
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS" if ok else "FAIL") + ": " + name + ("  (" + detail + ")" if detail else ""))


def sh(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        print(" ".join(cmd) + "\n" + p.stdout + p.stderr)
    return p.returncode == 0


def load(out, name):
    return np.load(os.path.join(out, name + ".npy"))


out = os.path.join(WORK, "protocol")
if not sh([AXON, "run", MODEL, "-o", out, "-q"]):
    check("axon run protocol.axon", False)
    sys.exit(1)

# ---- sub: piecewise exponential relaxation ----------------------------------------------
v = load(out, "sub.v")[:, 0]
t = load(out, "sub.v.t")
vrest, R = -65e-3, 100e6
pieces = [(0.0, 0.1e-9, 20e-3), (50e-3, 0.14e-9, 20e-3), (120e-3, 0.05e-9, 10e-3)]
exact = np.empty_like(t)
v0 = -70e-3
for k, (T, I, tau) in enumerate(pieces):
    end = pieces[k + 1][0] if k + 1 < len(pieces) else 1.0
    sel = (t > T + DT / 2) & (t < end + DT / 2)
    vinf = vrest + R * I
    exact[sel] = vinf + (v0 - vinf) * np.exp(-(t[sel] - T) / tau)
    v0 = vinf + (v0 - vinf) * np.exp(-(end - T) / tau)
rel = np.abs(v - exact) / np.abs(exact)
check("LIF with stepped I_ext and tau_m: exact trajectory", rel.max() <= 1e-12,
      "max relative error %.2e over %d samples" % (rel.max(), len(t)))
for T in (50e-3, 120e-3):
    k = int(round(T / DT))  # sample k - 1 is at T, sample k at T + dt
    check("trajectory on both sides of the step at %g ms" % (T * 1e3),
          rel[k - 2:k + 2].max() <= 1e-12 and abs(t[k - 1] - T) < DT / 10,
          "v(T) = %.9f mV, v(T + dt) = %.9f mV, expected %.9f, %.9f" % (
              v[k - 1] * 1e3, v[k] * 1e3, exact[k - 1] * 1e3, exact[k] * 1e3))
# without the protocol the value right after 50 ms would continue towards -55 mV
vinf0 = vrest + R * 0.1e-9
vT = v[int(round(50e-3 / DT)) - 1]
nochange = vinf0 + (vT - vinf0) * np.exp(-DT / 20e-3)
check("the change at 50 ms acts in the step after 50 ms", abs(v[500] - nochange) > 1e-7,
      "%.3e V away from the unchanged trajectory" % abs(v[500] - nochange))

# ---- rate: regular firing from 100 ms on ---------------------------------------------------
sp = load(out, "rate.spikes.t")
tau, vth, tref, I = 20e-3, -50e-3, 2e-3, 0.5e-9
first = 100e-3 + tau * np.log(R * I / (R * I - (vth - vrest)))
period = tref + tau * np.log(R * I / (R * I - (vth - vrest)))
isi = np.diff(sp)
check("no spike before the current switches on", len(sp) > 3 and sp[0] > 100e-3,
      "first spike at %.4f ms" % (sp[0] * 1e3 if len(sp) else 0))
check("first spike after the switch", len(sp) and abs(sp[0] - first) <= DT * (1 + 1e-9),
      "%.4f ms, analytic %.4f ms" % (sp[0] * 1e3 if len(sp) else 0, first * 1e3))
check("period after the switch", len(isi) > 2 and np.all(np.abs(isi - period) <= DT * (1 + 1e-9)),
      "ISI %.4f..%.4f ms, analytic %.4f ms" % (isi.min() * 1e3, isi.max() * 1e3, period * 1e3))

# ---- bias: a per-neuron parameter set for every neuron --------------------------------------
b = load(out, "bias.v")
tb = load(out, "bias.v.t")
ok = True
worst = 0.0
for i in range(3):
    I0 = 0.01e-9 * i
    k = int(round(100e-3 / DT)) - 1
    vT = b[k, i]
    vinf = vrest + R * 0.1e-9
    sel = tb > 100e-3 + DT / 2
    ex = vinf + (vT - vinf) * np.exp(-(tb[sel] - 100e-3) / 20e-3)
    worst = max(worst, np.max(np.abs(b[sel, i] - ex) / np.abs(ex)))
    before = vrest + R * I0 * (1 - np.exp(-tb[k] / 20e-3))
    worst = max(worst, abs(vT - before) / abs(before))
check("per-neuron parameter set for every neuron", worst <= 1e-12, "max relative error %.2e" % worst)

# ---- the same in a built executable and across a checkpoint ----------------------------------
exe = os.path.join(WORK, "protocol.exe")
out2 = os.path.join(WORK, "protocol_exe")
same = sh([AXON, "build", MODEL, "-o", exe]) and sh([exe, "-o", out2, "-q"])
files = ["sub.v.npy", "bias.v.npy", "rate.spikes.t.npy"]


def identical(a, b):
    return all(open(os.path.join(a, f), "rb").read() == open(os.path.join(b, f), "rb").read()
               for f in files)


check("built executable: the same recordings", same and identical(out, out2))
ck = os.path.join(WORK, "protocol.ck")
out3 = os.path.join(WORK, "protocol_part")
out4 = os.path.join(WORK, "protocol_resumed")
same = (sh([AXON, "run", MODEL, "-t", "70 ms", "--checkpoint-every", "50 ms", "--checkpoint", ck,
            "-o", out3, "-q"]) and
        sh([AXON, "run", MODEL, "--resume", ck, "-o", out4, "-q"]))
check("resumed at 50 ms (the step of a change): the same recordings", same and identical(out, out4))

# ---- learning off and on again ----------------------------------------------------------------
LEARN = os.path.join(SRC, "tests/validation/protocol_learning.axon")
out5 = os.path.join(WORK, "learning")
out6 = os.path.join(WORK, "learning_never")
if sh([AXON, "run", LEARN, "-o", out5, "-q"]) and \
        sh([AXON, "run", LEARN, "-o", out6, "-q", "--set", "ee.learning=false"]):
    w = load(out5, "ee.w")
    tw = load(out5, "ee.w.t")
    k1, k2 = int(round(100e-3 / 1e-3)) - 1, int(round(200e-3 / 1e-3)) - 1  # samples at 100, 200 ms
    frozen = np.all(w[k1:k2 + 1] == w[k1])
    before = np.any(w[k1] != 0.5e-9)
    after = np.any(w[-1] != w[k2])
    n_in = np.sum((load(out5, "S.spikes.t") > 0.1) & (load(out5, "S.spikes.t") <= 0.2))
    check("learning off from 100 to 200 ms: the weights do not move", frozen and n_in > 0,
          "%d input spikes meanwhile; %d of %d weights changed before, %d after" % (
              n_in, np.sum(w[k1] != 0.5e-9), w.shape[1], np.sum(w[-1] != w[k2])))
    check("learning works before and after the pause", before and after)
    wn = load(out6, "ee.w")
    check("--set ee.learning=false: no weight changes until the protocol turns learning on",
          np.all(wn[:k2 + 1] == 0.5e-9) and np.any(wn[-1] != 0.5e-9) and abs(tw[-1] - 0.3) < 1e-9)
else:
    check("run protocol_learning.axon", False)

# ---- initial values and per-neuron parameters from data ----------------------------------------
# The model and its data files are written into WORK (paths are relative to the model file):
# per-neuron initial v from a literal list, an NPY file and a CSV column (with a unit in its
# header), and a per-neuron input current from a CSV column; v(t) = v_inf,i + (v0_i - v_inf,i)
# exp(-t / tau) with v_inf,i = R I_i, to 1e-12 relative (to 1 mV near 0).
ddir = os.path.join(WORK, "data")
os.makedirs(ddir, exist_ok=True)
v_list = [-1e-3, 2e-3, 3.5e-3]
v_npy = np.array([4e-3, -5e-3, 6e-3])
v_csv = [7e-3, 8e-3, -9e-3]
I_csv = [0.01e-9, 0.02e-9, 0.03e-9]
np.save(os.path.join(ddir, "v0.npy"), v_npy)
with open(os.path.join(ddir, "cells.csv"), "w") as f:
    f.write("v:mV,I_b:nA\n")
    for v0, I in zip(v_csv, I_csv):
        f.write("%r,%r\n" % (v0 * 1e3, I * 1e9))
with open(os.path.join(ddir, "init_data.axon"), "w") as f:
    f.write("""neuron Cell {
    parameters { tau = 10 ms; R = 100 Mohm }
    parameters per neuron { I_b = 0 nA }
    state { v = 0 mV }
    equations { v' = (-v + R * I_b) / tau }
}
module Data {
    population L = Cell[3] { v = [-1 mV, 2 mV, 3.5 mV] }
    population N = Cell[3] { v = from "v0.npy" }
    population C = Cell[3] { v = from "cells.csv"; I_b = from "cells.csv" }
    record L.v, N.v, C.v
}
run Data for 20 ms
""")
out7 = os.path.join(WORK, "data_out")
if sh([AXON, "run", os.path.join(ddir, "init_data.axon"), "-o", out7, "-q"]):
    worst = 0.0
    for pop, v0s, Is in [("L", v_list, [0] * 3), ("N", v_npy, [0] * 3), ("C", v_csv, I_csv)]:
        v = load(out7, pop + ".v")
        t = load(out7, pop + ".v.t")
        for i in range(3):
            vinf = 100e6 * Is[i]
            ex = vinf + (v0s[i] - vinf) * np.exp(-t / 10e-3)
            # relative to the value, or to 1 mV where a trajectory crosses 0
            worst = max(worst, np.max(np.abs(v[:, i] - ex) / np.maximum(np.abs(ex), 1e-3)))
    check("initial values and per-neuron parameters from a list, NPY and CSV", worst <= 1e-12,
          "max relative error %.2e" % worst)
else:
    check("run init_data.axon", False)

# ---- short-term plasticity against Brian2: the order within a step -------------------------------
# tests/validation/stp.axon against tests/reference/data/stp.csv (brian2_stp.py): u and x
# integrated every step (after `on pre`, Axon's order) and event-driven; ge and v of the
# membrane every 0.5 ms, relative to each trace's largest value: 1e-9 (the data has 12 digits;
# measured 3e-12 against it, 5e-14 against Brian2's full-precision values). The peaks of ge after each spike agree to the same precision.
out8 = os.path.join(WORK, "stp")
if sh([AXON, "run", os.path.join(SRC, "tests/validation/stp.axon"), "-o", out8, "-q"]):
    ref = np.loadtxt(os.path.join(SRC, "tests/reference/data/stp.csv"), delimiter=",",
                     comments="#", ndmin=2)
    for k, (pop, var, what) in enumerate([("C", "ge", "per-step u, x"), ("C", "v", "per-step u, x"),
                                          ("E", "ge", "event-driven u, x"),
                                          ("E", "v", "event-driven u, x")]):
        a = load(out8, pop + "." + var)[:, 0]
        ta = load(out8, pop + "." + var + ".t")
        idx = np.rint(ref[:, 0] / DT).astype(int) - 1  # sample k is at (k + 1) dt
        same_t = np.allclose(ta[idx], ref[:, 0], rtol=0, atol=1e-12)
        r = ref[:, k + 1]
        err = np.max(np.abs(a[idx] - r)) / np.max(np.abs(r))
        check("STP (%s) vs Brian2: %s" % (what, var), same_t and err <= 1e-9,
              "max difference %.1e of the largest value, %d samples" % (err, len(r)))
else:
    check("run stp.axon", False)

print("%d passed, %d failed" % (sum(results), len(results) - sum(results)))
sys.exit(0 if all(results) else 1)
