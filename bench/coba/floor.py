#!/usr/bin/python3
"""COBA in the Brian-team form: Axon against the hand-written C loop and Brian2, alternating.

The network of Brian2's, ANNarchy's and BrainPy's published COBA comparisons (dimensionless
conductances, forward Euler; bench/coba/coba_euler.axon) on three sides, the same model, scheme,
duration and dt = 0.1 ms on each:
  c_float, c_double     bench/coba/loop.c (cc -O3 -march=native): the floor to beat
  c_float_cc2, ...      the same loop built by a second compiler, CC2 (default clang)
  axon_euler[_f32]      coba_euler.axon's COBAEuler (method euler), double [single] precision
  axon_expeuler[_f32]   COBAExpEuler: the same neuron with Axon's default, exponential Euler
  brian2_euler          brian2_coba.py --form euler (C++ standalone, 1 thread, no OpenMP)
  brian2_expeuler       brian2_coba.py --form expeuler (Brian2's exponential_euler)
  brian2_..._f32        the same in single precision (brian2_coba.py --float 32: Brian2's
                        prefs.core.default_float_dtype = float32)
  axon_..._base         an Axon side compiled by the axon of AXON_BASE (another build, e.g. of
                        the commit before a change), linked with this tree's runtime, or run
                        with the runtime in AXON_BASE_LIB (that build's .libs) when it is set
Every side is built once per N; then ROUNDS rounds run every side once each, in an order rotated
by one every round, so that a drift of the machine's speed reaches all sides alike.

The figure compared is the CPU time of the simulation loop alone (no construction, no
compilation), which a loaded machine disturbs much less than the wall time: Brian2's own
Network::_last_run_time (std::clock() when built without OpenMP), the C loop's and Axon's
CLOCK_PROCESS_CPUTIME_ID around the loop (Axon through bench/coba/synmem.c, which links an
`axon build --emit obj` of the model with the runtime and times axon_sim_run). The wall time of
the loop is printed too. Ratios are taken round by round (same round, adjacent runs), then the
median over the rounds is reported with its minimum and maximum. Per side the table also gives
the loop's CPU time per neuron and step (ns/neuron-step: loop CPU / (N steps)) and per synaptic
event (ns/event: loop CPU / (spikes x synapses / N)), both the whole loop's time over one count,
and the peak resident memory of the process (bench/peakrss.c: wait4's ru_maxrss of a side
started by a 1 MiB launcher; Brian2's figure is its compiled program's).

Usage: bench/coba/floor.py [--sizes "4000 64000"] [--rounds R] [--duration MS] [-K K]
                           [--sides "c_float axon_euler ..."] [--skip-brian]
Environment: AXON (default ./axon), AXON_BASE (for the _base sides), AXON_BASE_LIB (the
directory of the libaxonrt the _base sides run with; default this tree's), CC (default cc),
CC2 (default clang; empty: no _cc2 sides),
PYTHON (for Brian2's builds, default
/usr/bin/python3, the interpreter with python3-brian). Run from a built tree (make).
Prints progress to stderr and Markdown tables to stdout.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AXON_SIDES = {  # side: (module, precision)
    "axon_euler": ("COBAEuler", "double"),
    "axon_euler_f32": ("COBAEuler", "single"),
    "axon_expeuler": ("COBAExpEuler", "double"),
    "axon_expeuler_f32": ("COBAExpEuler", "single"),
}
ALL_SIDES = ["c_float", "c_double", "c_float_cc2", "c_double_cc2", *AXON_SIDES, "brian2_euler",
             "brian2_euler_f32", "brian2_expeuler", "brian2_expeuler_f32"]


def axon_side(name):
    """The AXON_SIDES key of an Axon side (with or without _base), else None."""
    base = name[:-len("_base")] if name.endswith("_base") else name
    return base if base in AXON_SIDES else None


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def fields(line):
    """The key=value pairs of a line."""
    return dict(w.split("=", 1) for w in line.split() if "=" in w)


def sh(cmd, cwd=ROOT):
    r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"floor.py: {' '.join(cmd)} failed:\n{r.stdout}{r.stderr}")
    return r.stdout


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def machine():
    """This machine's CPU model and the tree's commit, for a benchmark's header."""
    with open("/proc/cpuinfo") as f:
        cpu = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")), "?")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                            capture_output=True, text=True).stdout.strip() or "?"
    return cpu, commit


def peakrss_build(cc, tmp):
    """bench/peakrss.c built into tmp: (the program, the file it writes)."""
    exe = os.path.join(tmp, "peakrss")
    sh([cc, "-O2", "bench/peakrss.c", "-o", exe])
    return exe, os.path.join(tmp, "peak_rss")


def link_synmem(cc, obj, exe, lib=None, inc="runtime/include"):
    """An `axon build --emit obj` object linked with bench/coba/synmem.c and the runtime of
    lib (default this tree's .libs), with inc's headers (default this tree's)."""
    lib = lib or os.path.join(ROOT, ".libs")
    sh([cc, "-O2", "-I", inc, "bench/coba/synmem.c", obj, f"-L{lib}", f"-Wl,-rpath,{lib}",
        "-laxonrt", "-lm", "-o", exe])


def run_peak(peak, cmd, cwd, env=None):
    """Runs cmd under peakrss (peak: peakrss_build's pair): the CompletedProcess (output
    captured) and the peak resident memory in MiB (NaN if the command failed)."""
    r = subprocess.run([peak[0], peak[1]] + cmd, cwd=cwd, capture_output=True, text=True,
                       env=env)
    if r.returncode:
        return r, float("nan")
    with open(peak[1]) as fh:
        return r, float(fields(fh.read())["peak_rss_mib"])


class Side:
    """One side at one N: built once, run many times; each run gives cpu_s, run_s, spikes."""

    def __init__(self, name, N, a, tmp):
        self.name, self.N, self.runs, self.info = name, N, [], {}
        self.env = None
        self.peak = a.peak
        steps = int(round(a.duration / 0.1))
        if name.startswith("c_"):
            exe = "coba_loop2" if name.endswith("_cc2") else "coba_loop"
            self.cmd = [os.path.join(tmp, exe), name.split("_")[1], str(N), str(steps), str(a.K)]
            self.cwd = ROOT
        elif axon_side(name):
            mod, prec = AXON_SIDES[axon_side(name)]
            axon = a.axon_base if name.endswith("_base") else a.axon
            obj, exe = os.path.join(tmp, f"{name}_{N}.o"), os.path.join(tmp, f"{name}_{N}")
            sh([axon, "build", "bench/coba/coba_euler.axon", "-m", mod, "--precision", prec,
                "--emit", "obj", "-o", obj, "--set", f"N={N}", "--set", f"K={a.K}", "-q"])
            link_synmem(a.cc, obj, exe)
            self.cmd, self.cwd = [exe, "0", str(a.duration)], ROOT
            if name.endswith("_base") and a.axon_base_lib:  # the runpath yields to it
                self.env = dict(os.environ, LD_LIBRARY_PATH=a.axon_base_lib)
        else:
            form = name.split("_")[1]
            bits = "32" if name.endswith("_f32") else "64"
            d = os.path.join(tmp, f"{name}_{N}")
            out = sh([a.python, "bench/coba/brian2_coba.py", str(N), "--form", form,
                      "--float", bits, "--duration", str(a.duration), "-K", str(a.K),
                      "--dir", d])
            self.info = fields([ln for ln in out.splitlines() if ln.startswith("N=")][0])
            self.cmd, self.cwd = ["./main"], d

    def run(self):
        t0 = time.perf_counter()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        r, rss = run_peak(self.peak, self.cmd, self.cwd, self.env)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.perf_counter() - t0
        if r.returncode:
            sys.exit(f"floor.py: {self.cmd} failed:\n{r.stdout}{r.stderr}")
        proc_cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        if self.name.startswith("c_"):
            f = fields(r.stdout)
            self.info = f
            res = dict(cpu=float(f["cpu_s"]), wall=float(f["run_s"]),
                       spikes=int(f["spikes_E"]) + int(f["spikes_I"]))
        elif axon_side(self.name):
            lines = r.stdout.splitlines()
            f = fields([ln for ln in lines if ln.startswith("run ")][0])
            self.info = fields([ln for ln in lines if ln.startswith("total ")][0])
            res = dict(cpu=float(f["cpu_s"]), wall=float(f["run_s"]), spikes=int(f["spikes"]))
        else:  # Brian2 writes its loop time (std::clock: CPU seconds) to results/
            with open(os.path.join(self.cwd, "results", "last_run_info.txt")) as fh:
                t = float(fh.read().split()[0])
            res = dict(cpu=t, wall=float("nan"),
                       spikes=int(self.info["spikes_E"]) + int(self.info["spikes_I"]))
        res.update(proc_cpu=proc_cpu, proc_wall=wall, rss=rss)
        self.runs.append(res)
        return res


def spread(xs):
    xs = [x for x in xs if x == x]
    if not xs:
        return "-"
    return f"{statistics.median(xs):.4g} ({min(xs):.4g}-{max(xs):.4g})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="4000 64000")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--duration", type=float, default=1000.0, help="ms of model time")
    ap.add_argument("-K", type=int, default=80)
    ap.add_argument("--sides", default=" ".join(ALL_SIDES))
    ap.add_argument("--skip-brian", action="store_true")
    a = ap.parse_args()
    if a.rounds < 1 or a.duration <= 0 or a.K < 1:
        ap.error("--rounds, --duration and -K must be positive")
    a.axon = os.environ.get("AXON", os.path.join(ROOT, "axon"))
    a.axon_base = os.environ.get("AXON_BASE", "")
    a.axon_base_lib = os.environ.get("AXON_BASE_LIB", "")
    a.cc = os.environ.get("CC", "cc")
    a.python = os.environ.get("PYTHON", "/usr/bin/python3")
    a.cc2 = os.environ.get("CC2", shutil.which("clang") or "")
    names = [s for s in a.sides.split() if not (a.skip_brian and s.startswith("brian2"))
             and not (not a.cc2 and s.endswith("_cc2"))]
    for s in names:
        if s not in ALL_SIDES and not (s.endswith("_base") and axon_side(s)):
            sys.exit(f"floor.py: unknown side '{s}' (known: {' '.join(ALL_SIDES)}, and the "
                     "Axon ones with _base)")
        if s.endswith("_base") and not a.axon_base:
            sys.exit(f"floor.py: side '{s}' needs AXON_BASE, the axon that builds it")
    tmp = tempfile.mkdtemp(prefix="axon-floor.")
    try:
        a.peak = peakrss_build(a.cc, tmp)
        for cc, exe in ((a.cc, "coba_loop"), (a.cc2, "coba_loop2")):
            if cc:
                sh([cc, "-O3", "-march=native", "bench/coba/loop.c", "-lm", "-o",
                    os.path.join(tmp, exe)])
        compilers = "; ".join(sh([cc, "--version"]).splitlines()[0] for cc in (a.cc, a.cc2) if cc)
        cpu, commit = machine()
        print(f"COBA, Brian-team form: {a.duration:g} ms at dt = 0.1 ms, K = {a.K}, {a.rounds} "
              f"rounds alternating; {cpu}, {os.cpu_count()} cores; Axon at {commit}; "
              f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; C loop: {compilers}")
        for N in map(int, a.sizes.split()):
            log(f"== N = {N}: building {' '.join(names)}")
            sides = [Side(s, N, a, tmp) for s in names]
            before = loadavg()
            for r in range(a.rounds):
                k = r % len(sides)
                for side in sides[k:] + sides[:k]:
                    res = side.run()
                    log(f"  round {r + 1} {side.name}: loop cpu {res['cpu']:.4f} s, "
                        f"spikes {res['spikes']}")
            after = loadavg()
            report(N, a, sides, before, after)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(N, a, sides, before, after):
    T = a.duration * 1e-3
    print(f"\n### N = {N} (load average before {before}, after {after})\n")
    ref = {s.name: s for s in sides}
    peers = [p for p in ("c_float", "c_double", "c_float_cc2", "c_double_cc2", "brian2_euler",
                         "brian2_euler_f32", "brian2_expeuler") if p in ref]
    head = ["side", "loop CPU s, median (min-max)", "loop wall s", "process CPU s",
            "ns/neuron-step", "ns/event", "rate Hz", "synapses", "B/synapse",
            "peak RSS MiB"] + [f"{p} / side" for p in peers]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for s in sides:
        cpu = [x["cpu"] for x in s.runs]
        spikes = s.runs[0]["spikes"]
        syn = s.info.get("synapses", "?")
        bps = s.info.get("bytes_per_synapse", "-")
        # synaptic events: every spike reaches its row, synapses / N on average (K where the
        # side does not say)
        fanout = int(syn) / N if syn != "?" else a.K
        row = [s.name, spread(cpu), spread([x["wall"] for x in s.runs]),
               spread([x["proc_cpu"] for x in s.runs]),
               spread([c * 1e9 / (N * T / 1e-4) for c in cpu]),
               spread([c * 1e9 / (spikes * fanout) for c in cpu]) if spikes else "-",
               f"{spikes / (N * T):.2f}", syn, bps if bps == "-" else f"{float(bps):.3f}",
               spread([x["rss"] for x in s.runs])]
        for p in peers:
            ratios = [x["cpu"] / y["cpu"] for x, y in zip(ref[p].runs, s.runs)]
            row.append(spread(ratios))
        print("| " + " | ".join(row) + " |")
    print("\nratios: the peer's loop CPU time over the side's, round by round (> 1: the side is"
          " faster); median (min-max) over the rounds.")


if __name__ == "__main__":
    main()
