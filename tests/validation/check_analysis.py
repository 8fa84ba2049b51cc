#!/usr/bin/python3
"""`axon analyze` against an independent numpy/scipy implementation.

Usage: check_analysis.py AXON SRCDIR WORKDIR

The recording tests/reference/data/analysis (a real run of tests/reference/analysis_net.axon:
250 COBA neurons with Poisson drive and STDP, 2 s) is analysed by `axon analyze` over the
windows of tests/reference/analysis_ref.py, with every pair and every neuron (no sampling).
Each statistic must match tests/reference/data/analysis_ref.json, which that script computed
from the definitions with numpy and scipy, to 1e-9 relative (1e-5 absolute for the power-law
exponents, which the two sides find with different optimisers); counts and neuron lists
exactly. When scipy is installed the reference is also recomputed now and compared the same
way, so the committed numbers cannot drift from the script.
"""
import json
import math
import os
import subprocess
import sys

AXON, SRC, WORK = sys.argv[1:4]
DATA = os.path.join(SRC, "tests/reference/data/analysis")
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS" if ok else "FAIL") + ": " + name + ("  (" + detail + ")" if detail else ""))


def diffs(ref, got, path, out):
    """Collects (path, ref, got, error) for every leaf of ref that got disagrees with."""
    if isinstance(ref, dict):
        for k, v in ref.items():
            diffs(v, got.get(k) if isinstance(got, dict) else None, path + "." + k, out)
    elif isinstance(ref, list):
        if not isinstance(got, list) or len(got) != len(ref):
            out.append((path, ref, got, math.inf))
        else:
            for k, (a, b) in enumerate(zip(ref, got)):
                diffs(a, b, f"{path}[{k}]", out)
    elif ref is None or isinstance(ref, str):
        if got != ref:
            out.append((path, ref, got, math.inf))
    else:
        if got is None:
            out.append((path, ref, got, math.inf))
            return
        exponent = path.endswith("_exponent")
        tol = 1e-5 if exponent else 1e-9 * abs(ref) + 1e-12
        if isinstance(ref, int) and not isinstance(ref, bool) and not exponent:
            tol = 0
        err = abs(ref - got)
        if err > tol:
            out.append((path, ref, got, err))


def compare(ref, label):
    for k, w in enumerate(ref["windows"]):
        t0, t1 = w["window"]
        out = os.path.join(WORK, f"analysis_{label}_{k}")
        cmd = [AXON, "analyze", DATA, "-q", "-o", out, "--param", "pairs=1000000",
               "--param", "lz_neurons=1000000", "--from", f"{t0}s", "--to", f"{t1}s"]
        if t0 == 0:
            cmd[cmd.index("--from"):cmd.index("--from") + 2] = []
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode:
            check(f"axon analyze ({t0} s, {t1} s]", False, p.stdout + p.stderr)
            continue
        got = json.load(open(os.path.join(out, "analysis.json")))
        pops = {q["name"]: q for q in got["populations"]}
        for pop in w["populations"]:
            for key, val in pop.items():
                if key == "name":
                    continue
                bad = []
                diffs(val, pops.get(pop["name"], {}).get(key), key, bad)
                worst = max(bad, key=lambda b: b[3]) if bad else None
                check(f"{label} ({t0} s, {t1} s] {pop['name']} {key}", not bad,
                      f"{worst[0]}: reference {worst[1]}, axon {worst[2]}" if bad else "")
        series = {s["file"]: s for s in got["series"]}
        for s in w["series"]:
            bad = []
            for key, val in s.items():
                if key != "file":
                    diffs(val, series.get(s["file"], {}).get(key), key, bad)
            worst = max(bad, key=lambda b: b[3]) if bad else None
            check(f"{label} ({t0} s, {t1} s] {s['file']}", not bad,
                  f"{worst[0]}: reference {worst[1]}, axon {worst[2]}" if bad else "")


compare(json.load(open(os.path.join(SRC, "tests/reference/data/analysis_ref.json"))), "committed")
try:
    import scipy  # noqa: F401
except ImportError:
    print("SKIP: scipy (Debian: python3-scipy) not installed: the reference was not recomputed")
else:
    live = os.path.join(WORK, "analysis_ref_live.json")
    p = subprocess.run([sys.executable, os.path.join(SRC, "tests/reference/analysis_ref.py"), DATA,
                        live], capture_output=True, text=True)
    if p.returncode:
        check("tests/reference/analysis_ref.py runs", False, p.stdout + p.stderr)
    else:
        compare(json.load(open(live)), "recomputed")
sys.exit(0 if all(results) else 1)
