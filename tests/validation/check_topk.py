#!/usr/bin/python3
"""k-winners-take-all, topk(x, k), against an exact ranking (tests/validation/topk.axon).

Usage: check_topk.py AXON SRCDIR WORKDIR

50 neurons whose x is a new whole number in 0..9 every step (many ties), dt = 0.1 ms, 10 ms.
The flag of step n must be exactly whether the neuron's x of step n - 1 (the value at the
start of step n) is among the k largest, equal values ordered by neuron index (numpy's stable
sort of -x): for k = 5 until 5 ms, then k = 12 (the run line's protocol), and for k = 2
throughout. Each step must have exactly k winners. Also with --set U.k=0 (no winner), U.k=50
and U.k=80 (everyone), 2 threads (identical), and single precision.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vcheck  # noqa: E402

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "tests/validation/topk.axon")
v = vcheck.Checks(AXON)


def expected(x, k):
    """flags[n] from x[n - 1]: the k largest, ties by index."""
    want = np.zeros_like(x)
    for n in range(1, x.shape[0]):
        order = np.argsort(-x[n - 1], kind="stable")
        want[n, order[:k]] = 1
    return want


def case(name, args, ks):
    out = os.path.join(WORK, "topk_" + name)
    if not v.run(MODEL, out, ["--seed", "3"] + args):
        return None
    x = np.load(os.path.join(out, "U.x.npy"))
    win = np.load(os.path.join(out, "U.win.npy"))
    top2 = np.load(os.path.join(out, "U.top2.npy"))
    v.check(name + ": ties present", all(len(np.unique(r)) < len(r) for r in x))
    ok = True
    for lo, hi, k in ks:
        w = expected(x, k)[lo:hi]
        ok &= np.array_equal(win[lo:hi], w) and np.all(win[lo:hi].sum(axis=1) == min(k, 50))
    v.check(name + ": winners exactly the k largest, ties by index", ok)
    v.check(name + ": topk(x, 2)", np.array_equal(top2[1:], expected(x, 2)[1:]))
    return x, win


base = case("protocol", [], [(1, 50, 5), (50, 100, 12)])
for k in (0, 50, 80):
    case("k=%d" % k, ["--set", "U.k=%d" % k], [(1, 50, k)])
par = case("2 threads", ["--threads", "2", "--grain", "1"], [(1, 50, 5), (50, 100, 12)])
if base and par:
    v.check("1 and 2 threads bit-identical", all(np.array_equal(a, b) for a, b in zip(base, par)))
case("single precision", ["--precision", "single"], [(1, 50, 5), (50, 100, 12)])
sys.exit(v.status())
