"""compare.py SRCDIR REF DIR: DIR, read by the Python reader (python/axon_recording.py), holds
exactly REF's arrays (every spike, value at spikes, state, rate and weight record, bit for bit)
and the same model, time step, duration, seed, populations and projections. Exit 1 with the
first difference."""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(sys.argv[1], "python"))
import axon_recording  # noqa: E402


def main():
    ref, got = axon_recording.load(sys.argv[2]), axon_recording.load(sys.argv[3])
    bad = []
    for key in ("model", "dt", "duration", "seed"):
        if getattr(ref, key) != getattr(got, key):
            bad.append(f"{key}: {getattr(ref, key)!r} != {getattr(got, key)!r}")
    for key in ("populations", "projections"):
        if ref.manifest.get(key) != got.manifest.get(key):
            bad.append(f"{key} differ")

    def same(what, a, b):
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype != b.dtype or a.shape != b.shape or a.tobytes() != b.tobytes():
            bad.append(f"{what}: {a.dtype}{list(a.shape)} != {b.dtype}{list(b.shape)} "
                       "or other values")

    if sorted(ref.spikes) != sorted(got.spikes):
        bad.append(f"spike records {sorted(ref.spikes)} != {sorted(got.spikes)}")
    for name in set(ref.spikes) & set(got.spikes):
        a, b = ref.spikes[name], got.spikes[name]
        same(f"spikes {name}: t", a.t, b.t)
        same(f"spikes {name}: i", a.i, b.i)
        if sorted(a.values) != sorted(b.values):
            bad.append(f"spikes {name}: values at spikes {sorted(a.values)} != {sorted(b.values)}")
        for v in set(a.values) & set(b.values):
            same(f"spikes {name}.{v}", a.values[v], b.values[v])
    for group in ("state", "rates", "weights"):
        ga, gb = getattr(ref, group), getattr(got, group)
        if sorted(ga) != sorted(gb):
            bad.append(f"{group}: {sorted(ga)} != {sorted(gb)}")
        for key in set(ga) & set(gb):
            same(f"{group} {key}: values", ga[key].values, gb[key].values)
            same(f"{group} {key}: times", ga[key].times, gb[key].times)
            same(f"{group} {key}: columns", ga[key].columns, gb[key].columns)
    n = len(ref.spikes) + len(ref.state) + len(ref.rates) + len(ref.weights)
    if n == 0:
        bad.append("nothing recorded in the reference")
    for b in bad:
        print(f"{sys.argv[3]}: {b}")
    sys.exit(1 if bad else 0)


main()
