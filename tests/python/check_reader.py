#!/usr/bin/python3
"""The Python reader (python/axon_recording.py) on a real recording and on bad ones.

Usage: check_reader.py SRCDIR WORKDIR

Reads tests/reference/data/analysis (spikes, potentials, weights) and compares every array with
numpy's own np.load; checks the errors for bad input name the file; converts to Neo objects when
python3-neo is installed (skipped, saying so, otherwise).
"""
import json
import os
import shutil
import sys

import numpy as np

SRC, WORK = sys.argv[1:3]
sys.path.insert(0, os.path.join(SRC, "python"))
import axon_recording as ar  # noqa: E402

DATA = os.path.join(SRC, "tests/reference/data/analysis")
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS" if ok else "FAIL") + ": " + name + ("  (" + detail + ")" if detail else ""))


rec = ar.load(DATA)
m = json.load(open(os.path.join(DATA, "manifest.json")))
check("model and dt", rec.model == "AnalysisNet" and rec.dt == 1e-4 and rec.duration == 2)
check("population sizes", rec.populations["E"].size == 200 and rec.populations["I"].size == 50)
check("meta", rec.meta["source"].endswith("analysis_net.axon") and len(rec.meta["source_sha256"]) == 64)
e = rec.spikes["E"]
check("spike times", np.array_equal(e.t, np.load(os.path.join(DATA, "E.spikes.t.npy"))))
check("spike indices", np.array_equal(e.i, np.load(os.path.join(DATA, "E.spikes.i.npy"))))
r = e.rates()
check("rates count silent neurons", len(r) == 200 and abs(r.mean() - len(e) / 200 / 2) < 1e-12)
tr = e.trains()
check("trains", len(tr) == 200 and sum(map(len, tr)) == len(e) and all(np.all(np.diff(x) >= 0) for x in tr))
v = rec.state["E.v"]
check("state", v.values.shape == (2000, 10) and v.unit_name == "V" and list(v.neurons) == list(range(10))
      and np.array_equal(v.values, np.load(os.path.join(DATA, "E.v.npy"))) and v.times[0] == 1e-3)
w = rec.weights["ee.w"]
check("weights", w.values.shape == (40, 300) and w.unit_name == "S" and w.columns[5] == 5)
# values at spikes (reader.sh records them): v at each spike is above the threshold, v of the
# step's sample of that neuron is the reset value (the copy is taken before the reset)
sv = ar.load(os.path.join(WORK, "sv"))
s, vv = sv.spikes["E"], sv.state["E.v"]
at = s.values.get("v")
row = np.searchsorted(vv.times, s.t)
check("values at spikes", at is not None and len(at) == len(s) > 20 and s.units["v"] == vv.unit
      and np.all(at > -50e-3) and np.all(at < -49e-3)
      and np.all(np.abs(vv.values[row, s.i] + 65e-3) < 1e-15), f"{len(s)} spikes")


def split(src, name, bounds):
    """A copy of recording src as written over len(bounds) MPI ranks with those blocks of
    neurons (format version 3, docs/running.md): state records and values at spikes in parts."""
    d = os.path.join(WORK, name)
    shutil.copytree(src, d)
    m = json.load(open(os.path.join(d, "manifest.json")))
    m["version"], m["ranks"] = 3, len(bounds)
    spk = {f["population"]: np.load(os.path.join(d, f["path"])) for f in m["files"]
           if f["kind"] == "spike_indices"}
    for f in m["files"]:
        if f["kind"] not in ("state", "spike_values"):
            continue
        a = np.load(os.path.join(d, f["path"]))
        os.remove(os.path.join(d, f["path"]))
        if f["kind"] == "state":
            sub = f["subset"]
            neurons = np.asarray(sub) if isinstance(sub, list) else np.arange(a.shape[1])
        else:
            neurons = spk[f["population"]]
        f["parts"] = []
        for k, (lo, hi) in enumerate(bounds):
            mine = (neurons >= lo) & (neurons < hi)
            part = np.ascontiguousarray(a[:, mine] if f["kind"] == "state" else a[mine])
            path = f["path"][:-4] + f".rank{k}-of-{len(bounds)}.npy"
            np.save(os.path.join(d, path), part)
            f["parts"].append({"path": path, "neurons": [lo, hi], "shape": list(part.shape)})
    json.dump(m, open(os.path.join(d, "manifest.json"), "w"), indent=1)
    return d


def same_arrays(a, b):
    ok = sorted(a.spikes) == sorted(b.spikes) and sorted(a.state) == sorted(b.state)
    for k in a.spikes if ok else []:
        x, y = a.spikes[k], b.spikes[k]
        ok = ok and np.array_equal(x.t, y.t) and np.array_equal(x.i, y.i) and \
            sorted(x.values) == sorted(y.values) and \
            all(x.values[v].dtype == y.values[v].dtype and np.array_equal(x.values[v], y.values[v])
                for v in x.values)
    for k in a.state if ok else []:
        ok = ok and a.state[k].values.dtype == b.state[k].values.dtype and \
            np.array_equal(a.state[k].values, b.state[k].values) and \
            np.array_equal(a.state[k].neurons, b.state[k].neurons)
    return ok


# a recording split into parts over MPI ranks reads as the one-process one (reader.sh compares
# `axon analyze` on the same directories)
sdata = split(DATA, "split-data", [[0, 3], [3, 8], [8, 200]])
ssv = split(os.path.join(WORK, "sv"), "split-sv", [[0, 7], [7, 14], [14, 20]])
check("parts: state", same_arrays(rec, ar.load(sdata)))
check("parts: values at spikes and state", same_arrays(sv, ar.load(ssv))
      and len(sv.spikes["E"].values["v"]) > 20)
check("unit names", ar.unit_name("m^-2*kg^-1*s^3*A^2") == "S" and ar.unit_name("1") == ""
      and ar.unit_name("s^-1") == "Hz" and ar.unit_name("furlong") == "furlong")


def fails(path, want):
    try:
        ar.load(path)
    except ar.RecordingError as err:
        return want in str(err), str(err)
    return False, "no error"


def bad_copy(name):
    d = os.path.join(WORK, name)
    shutil.copytree(DATA, d)
    return d


check("no directory", *fails(os.path.join(WORK, "nope"), "nope: not a directory"))
os.makedirs(os.path.join(WORK, "empty"))
check("not a recording", *fails(os.path.join(WORK, "empty"), "not a recording (no manifest.json"))
d = bad_copy("trunc")
with open(os.path.join(d, "E.v.npy"), "r+b") as f:
    f.truncate(1000)
check("truncated file", *fails(d, "E.v.npy: unreadable or truncated"))
d = bad_copy("missing")
os.remove(os.path.join(d, "I.spikes.i.npy"))
check("missing file", *fails(d, "I.spikes.i.npy: listed in manifest.json but missing"))
d = bad_copy("newer")
m2 = dict(m, version=5)
json.dump(m2, open(os.path.join(d, "manifest.json"), "w"))
check("newer manifest", *fails(d, "manifest format version 5 is newer"))
d = bad_copy("badjson")
open(os.path.join(d, "manifest.json"), "w").write('{"format": "axon-recordings",\n "version": }')
check("bad JSON", *fails(d, "manifest.json:2:13"))
# parts: a missing one, and one that does not hold its block's columns
d = split(DATA, "split-missing", [[0, 5], [5, 200]])
os.remove(os.path.join(d, "E.v.rank1-of-2.npy"))
check("missing part", *fails(d, "split-missing/E.v.rank1-of-2.npy: listed in manifest.json but missing"))
d = split(DATA, "split-wrong", [[0, 5], [5, 200]])
m3 = json.load(open(os.path.join(d, "manifest.json")))
m3["files"][4]["parts"][0]["neurons"] = [0, 4]
json.dump(m3, open(os.path.join(d, "manifest.json"), "w"))
check("part of the wrong neurons", *fails(d, "no part holds neuron 4"))

try:
    import neo  # noqa: F401
except ImportError:
    print("SKIP: python3-neo not installed: to_neo() not tested")
else:
    b = rec.to_neo()
    seg = b.segments[0]
    sts = seg.spiketrains
    check("neo spike trains", len(sts) == 250 and sum(len(s) for s in sts) == len(e) + len(rec.spikes["I"])
          and float(sts[0].t_stop) == 2.0 and sts[0].annotations["population"] == "E")
    sig = {s.name: s for s in seg.analogsignals}
    vs = sig["E.v"]
    check("neo analog signals", vs.shape == (2000, 10) and str(vs.units.dimensionality) == "V"
          and abs(float(vs.sampling_period) - 1e-3) < 1e-15 and float(vs.t_start) == 1e-3
          and str(sig["ee.w"].units.dimensionality) == "S")
sys.exit(0 if all(results) else 1)
