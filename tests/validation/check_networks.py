#!/usr/bin/python3
"""Network validation: delays, continuous and graded synapses.

Usage: check_networks.py AXON SRCDIR WORKDIR

- chain.axon sends one spike through relays with delays 1.5, 0.3 and 2 ms:
  each relay must fire exactly at sender + delay + dt (the delivery happens
  after the updates of the step in which it is due, as in Brian2), for 1 and
  2 threads.
- examples/ann_layer.axon: after two steps the output layer equals the
  closed form PReLU(W2 GELU(W1 ReLU(b))) to 1e-12.
- examples/kuramoto.axon (N = 100, Gaussian frequencies, sd 1 rad/s): the
  order parameter r (mean over the last 5 s of 10 s, dt = 1 ms) is below 0.35
  for total coupling K = 0.5 (incoherent; finite-size r ~ 1/sqrt(N)), above
  0.8 for K = 4, and crosses 0.5 between K = 1.0 and 2.5 (theory: onset at
  K_c = sqrt(8/pi) sd = 1.60).
- examples/wilson_cowan.axon: the excitatory rate oscillates (a limit cycle)
  with an amplitude above 0.1 over the last 200 ms.
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
    p = subprocess.run([AXON, "run", os.path.join(SRC, "tests/validation/chain.axon"), "-t", "10ms",
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

passed = sum(results)
print("networks: %d passed, %d failed" % (passed, len(results) - passed))
sys.exit(0 if passed == len(results) else 1)
