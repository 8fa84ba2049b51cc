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
