#!/usr/bin/python3
"""Network validation: delays, continuous and graded synapses.

Usage: check_networks.py AXON SRCDIR WORKDIR

- chain.axon (module Chain) sends one spike through relays with delays 1.5, 0.3 and 2 ms:
  each relay must fire exactly at sender + delay + dt (the delivery happens
  after the updates of the step in which it is due, as in Brian2), for 1 and
  2 threads.
- chain.axon, module Held: input to a refractory neuron's held v is dropped from its spike
  to the end of the period (v stays exactly at the reset value), and counts again after it.
- examples/ann_layer.axon: after two steps the output layer equals the
  closed form PReLU(W2 GELU(W1 ReLU(b))) to 1e-12.
- examples/kuramoto.axon (N = 100, Gaussian frequencies, sd 1 rad/s): the
  order parameter r (mean over the last 5 s of 10 s, dt = 1 ms) is below 0.35
  for total coupling K = 0.5 (incoherent; finite-size r ~ 1/sqrt(N)), above
  0.8 for K = 4, and crosses 0.5 between K = 1.0 and 2.5 (theory: onset at
  K_c = sqrt(8/pi) sd = 1.60).
- examples/wilson_cowan.axon: the excitatory rate oscillates (a limit cycle)
  with an amplitude above 0.1 over the last 200 ms.
- inputs.axon, module Sources: spike sources (a file and a list) are recorded
  at exactly the listed times (rounded to the grid), and relays reached through
  synapses from a file (weights from its column) fire at exactly the steps an
  event-by-event replay of the listed spikes, delays and weights predicts.
- inputs.axon, module Step: LIF neurons driven by a timed array (one column
  per neuron, a row every 10 ms) follow the closed form of a piecewise-constant
  current to 1e-12 relative.
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


for threads in ("1", "2"):
    out = os.path.join(WORK, "chain" + threads)
    p = subprocess.run([AXON, "run", os.path.join(SRC, "tests/validation/chain.axon"), "-m", "Chain", "-t", "10ms",
                        "-o", out, "-q", "--threads", threads], capture_output=True, text=True)
    if p.returncode:
        print(p.stdout + p.stderr)
        check("run chain.axon", False)
        continue
    t = {k: np.load(os.path.join(out, k + ".spikes.t.npy")) for k in "DABC"}
    dt = 1e-4
    want = {"D": 2.1e-3}
    want["A"] = want["D"] + 1.5e-3 + dt
    want["B"] = want["A"] + 0.3e-3 + dt
    want["C"] = want["B"] + 2.0e-3 + dt
    for k in "DABC":
        ok = len(t[k]) == 1 and round(t[k][0] / dt) == round(want[k] / dt)
        check("chain %s (%s thread%s)" % (k, threads, "" if threads == "1" else "s"), ok,
              "spikes at %s ms, expected %.1f ms" % (list(np.round(t[k] * 1e3, 6)), want[k] * 1e3))

    # input to a held variable (module Held): ignored from the spike to the end of the period
    out = os.path.join(WORK, "held" + threads)
    p = subprocess.run([AXON, "run", os.path.join(SRC, "tests/validation/chain.axon"), "-m", "Held",
                        "-t", "4ms", "-o", out, "-q", "--threads", threads],
                       capture_output=True, text=True)
    if p.returncode:
        print(p.stdout + p.stderr)
        check("run chain.axon -m Held", False)
        continue
    v = np.load(os.path.join(out, "A.v.npy"))[:, 0]
    n = np.round(np.load(os.path.join(out, "A.v.t.npy")) / 1e-4).astype(int)
    sa = np.load(os.path.join(out, "A.spikes.t.npy"))
    # samples are stamped (step + 1) dt: n = 1 .. 24 are steps 0 .. 23, n = 25 is step 24
    # (held steps keep v exactly; the free steps 19-23 integrate v_rest = v: equal to 1e-15 V)
    ok = (len(sa) == 1 and round(sa[0] / 1e-4) == 1 and np.all(v[n < 20] == -65e-3) and
          np.all(np.abs(v[n < 25] + 65e-3) < 1e-15) and abs(v[n == 25][0] + 60e-3) < 1e-15)
    check("held input ignored while refractory (%s thread%s)" % (threads, "" if threads == "1" else "s"),
          bool(ok), "spikes at %s ms, v = %s mV" % (list(np.round(sa * 1e3, 6)),
                                                  list(np.round(v[:27] * 1e3, 4))))

# per-synapse delays (module Spread of chain.axon)
out = os.path.join(WORK, "spread")
p = subprocess.run([AXON, "run", os.path.join(SRC, "tests/validation/chain.axon"), "-m", "Spread",
                    "-t", "10ms", "-o", out, "-q"], capture_output=True, text=True)
if p.returncode:
    print(p.stdout + p.stderr)
    check("run chain.axon -m Spread", False)
else:
    dt = 1e-4
    t0 = float(np.load(os.path.join(out, "D.spikes.t.npy"))[0])
    th = np.load(os.path.join(out, "H.spikes.t.npy"))
    ih = np.load(os.path.join(out, "H.spikes.i.npy"))
    want = {j: t0 + math.floor((j + 1) * 0.25e-3 / dt + 0.5) * dt + dt for j in range(16)}
    ok = len(ih) == 16 and all(round(th[ih == j][0] / dt) == round(want[j] / dt) for j in range(16))
    check("per-synapse delays (j + 1) * 0.25 ms on the grid", ok,
          "relay j fires at sender + round(delay / dt) dt + dt")
    check("per-synapse delays: rounding warning", "changed by more than 1%" in p.stderr,
          p.stderr.strip().splitlines()[0] if p.stderr.strip() else "no warning")
    tg = np.load(os.path.join(out, "G.spikes.t.npy"))
    ig = np.load(os.path.join(out, "G.spikes.i.npy"))
    lag = (tg - t0 - dt) * 1e3
    ok = (len(ig) == 64 and len(set(ig.tolist())) == 64 and lag.min() >= 0.5 - 1e-9 and
          lag.max() <= 3.0 + 1e-9 and len(set(np.round(lag, 6))) >= 15 and abs(lag.mean() - 1.75) < 0.3)
    check("per-synapse delays uniform(0.5 ms, 3 ms)", ok,
          "64 relays once each, delays %.1f .. %.1f ms, mean %.2f ms" % (lag.min(), lag.max(), lag.mean()))

def run_example(name, extra, out):
    p = subprocess.run([AXON, "run", os.path.join(SRC, "examples", name), "-o", out, "-q"] + extra,
                       capture_output=True, text=True)
    if p.returncode:
        print(p.stdout + p.stderr)
        check("run " + name, False)
        return False
    return True


out = os.path.join(WORK, "ann")
if run_example("ann_layer.axon", [], out):
    o = np.load(os.path.join(out, "out.y.npy"))[-1]
    b = np.array([0.25 * i - 0.5 for i in range(8)])
    y1 = np.maximum(b, 0)
    W1 = np.array([[0.3 * math.sin(1.0 * i + 2.0 * j) for i in range(8)] for j in range(16)])
    z = W1 @ y1
    y2 = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in z])
    W2 = np.array([[0.2 * math.cos(0.5 * i - 1.5 * j) for i in range(16)] for j in range(4)])
    z2 = W2 @ y2
    y3 = np.maximum(z2, 0) + 0.25 * np.minimum(z2, 0)
    err = np.max(np.abs(o - y3))
    check("ANN layer closed form", err <= 1e-12, "max abs difference %.1e" % err)

rs = {}
for K in (0.5, 1.0, 2.5, 4.0):
    out = os.path.join(WORK, "kur%g" % K)
    if run_example("kuramoto.axon", ["--dt", "1ms", "--set", "K=%g Hz" % K], out):
        th = np.load(os.path.join(out, "osc.theta.npy"))
        t = np.load(os.path.join(out, "osc.theta.t.npy"))
        r = np.abs(np.exp(1j * th).mean(axis=1))
        rs[K] = r[t > 5.0].mean()
if len(rs) == 4:
    check("Kuramoto incoherent at K = 0.5", rs[0.5] < 0.35, "r = %.3f" % rs[0.5])
    check("Kuramoto synchronised at K = 4", rs[4.0] > 0.8, "r = %.3f" % rs[4.0])
    check("Kuramoto onset between K = 1 and 2.5 (K_c = 1.60)", rs[1.0] < 0.5 < rs[2.5],
          "r(1.0) = %.3f, r(2.5) = %.3f" % (rs[1.0], rs[2.5]))

out = os.path.join(WORK, "wc")
if run_example("wilson_cowan.axon", [], out):
    e = np.load(os.path.join(out, "E.r.npy"))[:, 0]
    tail = e[-2000:]
    check("Wilson-Cowan limit cycle", tail.max() - tail.min() > 0.1,
          "E rate between %.3f and %.3f over the last 200 ms" % (tail.min(), tail.max()))

out = os.path.join(WORK, "inputs")
dt = 1e-4
model = os.path.join(SRC, "tests/validation/inputs.axon")
p = subprocess.run([AXON, "run", model, "-m", "Sources", "-t", "20ms", "-o", out, "-q"],
                   capture_output=True, text=True)
if p.returncode:
    print(p.stdout + p.stderr)
    check("run inputs.axon Sources", False)
else:
    def spikes(k):
        return (np.round(np.load(os.path.join(out, k + ".spikes.t.npy")) / dt).astype(int),
                np.load(os.path.join(out, k + ".spikes.i.npy")))
    S = [(0, 1.0e-3), (2, 1.5e-3), (0, 3.3e-3), (1, 5.0e-3), (2, 7.04e-3)]
    T = [(1, 4.0e-3), (0, 2.5e-3), (1, 6.3e-3)]
    for name, listed in (("S", S), ("T", T)):
        steps, idx = spikes(name)
        want = sorted((round(t / dt), i) for i, t in listed)
        check("spike source %s at the listed times" % name, list(zip(steps, idx)) == want,
              "got %s" % list(zip(steps, idx)))
    # replay: an event stamped at step k arrives at k + 12; a relay fires (stamped one step
    # later) when its summed jumps exceed 0.5 mV, and resets
    edges = {0: [(2, 1.0), (1, 0.2)], 1: [(3, 1.0)], 2: [(0, 1.0), (3, 0.1)]}
    arrivals = {}
    for i, t in S:
        for j, w in edges[i]:
            arrivals.setdefault(round(t / dt) + 12, []).append((j, w))
    for i, t in T:
        arrivals.setdefault(round(t / dt) + 12, []).append((i + 2, 1.0))
    v = [0.0] * 4
    want = []
    for k in sorted(arrivals):
        for j, w in arrivals[k]:
            v[j] += w
        for j in range(4):
            if v[j] > 0.5:
                want.append((k + 1, j))
                v[j] = 0.0
    steps, idx = spikes("R")
    got = sorted(zip(steps.tolist(), idx.tolist()))
    check("relays driven through synapses from a file", got == sorted(want),
          "got %s, expected %s" % (got, sorted(want)))

p = subprocess.run([AXON, "run", model, "-m", "Step", "-t", "50ms", "-o", out + "_step", "-q"],
                   capture_output=True, text=True)
if p.returncode:
    print(p.stdout + p.stderr)
    check("run inputs.axon Step", False)
else:
    v = np.load(os.path.join(out + "_step", "P.v.npy"))
    t = np.load(os.path.join(out + "_step", "P.v.t.npy"))
    rows = np.array([[0, 0], [0.1, 0.2], [0.1, 0], [0, 0.05]]) * 1e-9
    tau, R, vr = 20e-3, 100e6, -65e-3
    worst = 0.0
    for n in range(2):
        # v at the start of each 10 ms piece, then the closed form inside it
        starts = [vr]
        for r in range(3):
            vinf = vr + R * rows[r][n]
            starts.append(vinf + (starts[-1] - vinf) * math.exp(-10e-3 / tau))
        r = np.minimum(np.floor(t / 10e-3 + 1e-6).astype(int), 3)
        vinf = vr + R * rows[r, n]
        want = vinf + (np.array(starts)[r] - vinf) * np.exp(-(t - r * 10e-3) / tau)
        worst = max(worst, np.max(np.abs(v[:, n] - want) / np.abs(want)))
    check("LIF driven by a timed array: closed form", worst < 1e-12,
          "max relative difference %.1e" % worst)

passed = sum(results)
print("networks: %d passed, %d failed" % (passed, len(results) - passed))
sys.exit(0 if passed == len(results) else 1)
