"""Helpers shared by the validation scripts: PASS/FAIL lines, running axon, recordings.

    import vcheck
    v = vcheck.Checks(axon)
    if v.run(model, outdir, ["--seed", "1"]): ...
    v.check("name", ok, "detail")
    sys.exit(v.status())

A script run as `SCRIPT AXON SRCDIR WORKDIR` that checks the recordings of one model
tests/validation/NAME.axon starts with `v, model, work, out = vcheck.start("NAME")` and reads
them with `vcheck.load(out, "pop.v")`.
"""
import os
import subprocess
import sys


def load(out, name):
    """The recording NAME of the run written into OUT (OUT/NAME.npy)."""
    import numpy as np
    return np.load(os.path.join(out, name + ".npy"))


def same(out, other, names):
    """Whether the recordings NAMES of the runs in OUT and OTHER are the same bit for bit."""
    import numpy as np
    return all(np.array_equal(load(out, n), load(other, n)) for n in names)


def start(name):
    """The start of a script run as SCRIPT AXON SRCDIR WORKDIR: runs tests/validation/NAME.axon
    into WORKDIR/NAME. Returns (the checks, the model's path, WORKDIR, the run's folder); exits
    with status 1 when the run fails."""
    axon, src, work = sys.argv[1:4]
    model = os.path.join(src, "tests/validation", name + ".axon")
    v = Checks(axon)
    out = os.path.join(work, name)
    if not v.run(model, out):
        sys.exit(1)
    return v, model, work, out


class Checks:
    def __init__(self, axon):
        self.axon = axon
        self.results = []

    def check(self, name, ok, detail=""):
        self.results.append(bool(ok))
        print(("PASS" if ok else "FAIL") + ": " + name + ("  (" + detail + ")" if detail else ""))

    def run(self, path, out, extra=()):
        """axon run PATH -o OUT -q EXTRA...; a failure is reported as a failed check."""
        p = subprocess.run([self.axon, "run", path, "-o", out, "-q"] + list(extra),
                           capture_output=True, text=True)
        if p.returncode:
            print(p.stdout + p.stderr)
            self.check("run " + path + " " + " ".join(extra), False)
            return False
        return True

    def status(self):
        return 0 if all(self.results) else 1


def network_stats(axon, src, model, work, name, sizes, check, what, extra=()):
    """Runs MODEL for 1 s with seeds 1, 2 and 3 (into WORK/NAME1, NAME2, NAME3) and returns, per
    population of SIZES (its name: its number of neurons), the statistics of
    tests/reference/netstats.py over [0.1 s, 1 s) of each run; a run that fails is printed and
    reported as check("run " + WHAT, False)."""
    import numpy as np
    sys.path.insert(0, os.path.join(src, "tests/reference"))
    import netstats
    stats = {pop: [] for pop in sizes}
    for seed in (1, 2, 3):
        out = os.path.join(work, "%s%d" % (name, seed))
        p = subprocess.run([axon, "run", model, "-t", "1s", "--seed", str(seed), "-o", out, "-q"]
                           + list(extra), capture_output=True, text=True)
        if p.returncode:
            print(p.stdout + p.stderr)
            check("run " + what, False)
            continue
        for pop in sizes:
            t = np.load(os.path.join(out, pop + ".spikes.t.npy"))
            i = np.load(os.path.join(out, pop + ".spikes.i.npy"))
            stats[pop].append(netstats.all_stats(t, i, sizes[pop], 0.1, 1.0))
    return stats


def against_brian2(stats, ref, check, label):
    """Checks the mean over seeds of each statistic (rate, cv, fano, sync) of each population of
    STATS (network_stats) against Brian2's seeds REF[pop][key]: within m +- (3 s + 2% of m), m and
    s their mean and standard deviation. The check is named LABEL % (pop, key). Returns the means,
    by (pop, key)."""
    import numpy as np
    means = {}
    for pop in stats:
        if not stats[pop]:
            continue
        for key in ("rate", "cv", "fano", "sync"):
            b = np.array(ref[pop][key], dtype=float)
            m, s = b.mean(), b.std(ddof=1)
            a = np.mean([st[key] for st in stats[pop]])
            check(label % (pop, key), abs(a - m) <= 3 * s + 0.02 * abs(m),
                  "Axon %.4g (seeds 1-3), Brian2 %.4g +- %.2g (%d seeds)" % (a, m, s, len(b)))
            means[(pop, key)] = a
    return means
