#!/usr/bin/python3
"""Network validation: delays.

Usage: check_networks.py AXON SRCDIR WORKDIR

chain.axon sends one spike through relays with delays 1.5, 0.3 and 2 ms:
each relay must fire exactly at sender + delay + dt (the delivery happens
after the updates of the step in which it is due, as in Brian2), for 1 and
2 threads.
"""
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

passed = sum(results)
print("networks: %d passed, %d failed" % (passed, len(results) - passed))
sys.exit(0 if passed == len(results) else 1)
