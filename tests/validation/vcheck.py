"""Helpers shared by the validation scripts: PASS/FAIL lines and running axon.

    import vcheck
    v = vcheck.Checks(axon)
    if v.run(model, outdir, ["--seed", "1"]): ...
    v.check("name", ok, "detail")
    sys.exit(v.status())
"""
import subprocess


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
