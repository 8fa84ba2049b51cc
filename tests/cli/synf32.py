"""synf32.py DOUBLE SINGLE: the records of two runs of tests/cli/synf32.axon, without and
with --synapse-precision single. The static synapse variables (the weights of S, F and R, the
factor c of the structural projection G: no handler writes them) of the second are the float
rounding of the first's, value for value, and not all of them equal the double values. The
plastic weights of M, bounded by a float w_max per synapse, are within that bound's rounding
of the double run's. Records are written in the model's precision (float64) either way. Exit 1 with the first
difference."""
import array
import struct
import sys


def load(path):
    """The values of a float64 .npy file (format 1.0, little-endian)."""
    with open(path, "rb") as f:
        b = f.read()
    n = int.from_bytes(b[8:10], "little")
    head = b[10:10 + n].decode("latin1")
    if "'<f8'" not in head:
        sys.exit(f"{path}: not float64: {head}")
    a = array.array("d")
    a.frombytes(b[10 + n:])
    return a


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def main():
    d, s = sys.argv[1], sys.argv[2]
    for proj, var in (("S", "w"), ("F", "w"), ("R", "w"), ("G", "c")):
        a, b = load(f"{d}/{proj}.{var}.npy"), load(f"{s}/{proj}.{var}.npy")
        if len(a) != len(b) or not a:
            sys.exit(f"{proj}: {len(a)} and {len(b)} values")
        for k, (x, y) in enumerate(zip(a, b)):
            if y != f32(x):
                sys.exit(f"{proj}.{var}[{k}]: {y!r}, expected the float rounding of {x!r}")
        if all(x == y for x, y in zip(a, b)):
            sys.exit(f"{proj}: every weight is the double one: not stored as float")
    # M's weights are plastic (double), bounded by its float w_max: within the bound's
    # rounding (float's 6e-8 relative of 0.6 nA) of the double run's
    a, b = load(f"{d}/M.w.npy"), load(f"{s}/M.w.npy")
    if len(a) != len(b) or not a:
        sys.exit(f"M: {len(a)} and {len(b)} values")
    worst = max(abs(x - y) for x, y in zip(a, b))
    if worst > 1e-16:
        sys.exit(f"M.w: {worst!r} from the double run's, more than w_max's rounding")
    print("S.w, F.w, R.w, G.c: float roundings of the double values; M.w within 1e-16")


main()
