#!/usr/bin/python3
"""Per-neuron spike counts of E in COBA with STDP (bench/stdp/coba_stdp.axon), for
bench/stdp/onprefloor.c's COUNTS file: the model is copied with `record spikes E` added, run
with axon for the given duration, and E's count of every neuron written, one per line.

usage: bench/stdp/counts.py OUT [--n N] [--duration MS] [--axon PATH]
       (defaults: N = 64000, 1000 ms, ./axon); run from the top of a built tree.
Not part of `make check`.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=64000)
    ap.add_argument("--duration", type=float, default=1000)
    ap.add_argument("--axon", default="./axon")
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    src = open(os.path.join(here, "coba_stdp.axon")).read()
    key = "    project E -> E"
    if key not in src:
        sys.exit("counts.py: coba_stdp.axon has no line starting with '%s'" % key.strip())
    src = src.replace(key, "    record spikes E\n" + key, 1)
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "coba_stdp_spikes.axon")
        with open(model, "w") as f:
            f.write(src)
        rec = os.path.join(tmp, "rec")
        subprocess.run([a.axon, "run", model, "--set", "N=%d" % a.n, "-t", "%g ms" % a.duration,
                        "-q", "-o", rec], check=True)
        idx = np.load(os.path.join(rec, "E.spikes.i.npy"))
    ne = a.n * 4 // 5
    counts = np.bincount(idx.astype(np.int64), minlength=ne)
    tmpout = a.out + ".tmp"
    np.savetxt(tmpout, counts, fmt="%d")
    os.replace(tmpout, a.out)
    print("%s: %d neurons, %d spikes, %.1f%% silent, median %d, 90th percentile %d"
          % (a.out, ne, counts.sum(), 100.0 * (counts == 0).mean(), np.median(counts),
             np.percentile(counts, 90)))


if __name__ == "__main__":
    main()
