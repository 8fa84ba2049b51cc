#!/usr/bin/python3
"""Neuron updates, side by side and alternating: Axon (1 and 2 threads), a hand-written C loop
(two compilers) and Brian2's C++ standalone build (1 thread), for the stdlib LIF and Izhikevich
neurons (bench/neurons/neurons.axon: one population of N neurons, no synapses, dt = 0.1 ms).

Sides (each built once per model, then run ROUNDS times, the order rotated every round):
  axon_1t, axon_2t  the model object (`axon build --emit obj`) linked with bench/coba/synmem.c,
                    run on 1 and 2 threads: the CPU time of axon_sim_run on 1 thread, the wall
                    time on 2 (as `axon run`'s `run`; its CPU time, both threads', is printed
                    below the table)
  c_loop, c_loop2   bench/neurons/loop.c built by CC and CC2 with -O3 -march=native: the CPU
                    time of its loop
  brian2            bench/neurons/brian2_bench.py's standalone project (exact integration for
                    LIF, RK4 for Izhikevich, as in Axon), its program run again:
                    Network::_last_run_time (std::clock: CPU time, one thread)
Every 1-thread side is timed by its CPU time, which a shared machine disturbs less than the wall
time. Reported per model: the median (min-max) over the rounds of ns per neuron update (the
loop's time / (N steps)), ratios taken round by round, the peak resident memory of each side's
process (bench/peakrss.c), the spike counts, the load average before and after, Axon's compile
time (source to runnable code, `axon run`'s `compile`) and Brian2's build time (code
generation and make, once).

Usage: bench/neurons/bench.py [--n N] [--duration MS] [--rounds R] [--models "lif izh"]
                              [--skip-brian]
Environment: AXON (default ./axon), CC (default cc), CC2 (default clang when installed; empty:
no c_loop2), PYTHON (default /usr/bin/python3, with python3-brian). Run from a built tree
(make). bench/neurons/run.sh calls it. Not part of `make check`.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "coba"))
from floor import (fields, link_synmem, loadavg, log, machine, peakrss_build,  # noqa: E402
                   run_peak, sh, spread)  # (the COBA benchmark's helpers)

MODELS = {"lif": ("LIFBench", "LIF"), "izh": ("IzhBench", "Izhikevich")}


class Side:
    def __init__(self, name, cmd, cwd, parse):
        self.name, self.cmd, self.cwd, self.parse, self.runs = name, cmd, cwd, parse, []

    def run(self, a):
        r, rss = run_peak(a.peak, self.cmd, self.cwd)
        if r.returncode:
            sys.exit(f"bench.py: {' '.join(self.cmd)} failed:\n{r.stdout}{r.stderr}")
        res = dict(self.parse(self, r.stdout), rss=rss)
        self.runs.append(res)
        return res


def synmem_result(side, out):
    """1 thread: the loop's CPU time; 2 threads: its wall time (and the CPU time apart)"""
    f = fields([ln for ln in out.splitlines() if ln.startswith("run ")][0])
    wall, cpu = float(f["run_s"]), float(f["cpu_s"])
    return dict(time=wall if side.name == "axon_2t" else cpu, wall=wall, cpu=cpu,
                spikes=int(f["spikes"]))


def loop_result(side, out):
    f = fields(out)
    return dict(time=float(f["cpu_s"]), spikes=int(f["spikes"]))


def ratios(xs, ys):
    """x / y round by round (pairs with y = 0 left out: a loop too short for its clock)"""
    return [x / y for x, y in zip(xs, ys) if y > 0]


def brian_result(side, out):
    with open(os.path.join(side.cwd, "results", "last_run_info.txt")) as fh:
        t = float(fh.read().split()[0])
    return dict(time=t, spikes=side.spikes)  # the count of its first run (brian2_bench.py)


def model(a, key, tmp):
    mod, title = MODELS[key]
    log(f"== {title}: building")
    out = sh([a.axon, "run", "bench/neurons/neurons.axon", "-m", mod, "--set", f"N={a.n}",
              "-t", "1 ms"])
    compile_s = next(float(ln.split()[1]) for ln in out.splitlines() if ln.startswith("compile"))
    obj, exe = os.path.join(tmp, f"{key}.o"), os.path.join(tmp, f"{key}_axon")
    sh([a.axon, "build", "bench/neurons/neurons.axon", "-m", mod, "--set", f"N={a.n}",
        "--emit", "obj", "-o", obj, "-q"])
    link_synmem(a.cc, obj, exe)
    steps = int(round(a.duration / 0.1))
    sides = [Side("axon_1t", [exe, "0", str(a.duration), "1"], ROOT, synmem_result),
             Side("axon_2t", [exe, "0", str(a.duration), "2"], ROOT, synmem_result)]
    for name, loop in a.loops:
        sides.append(Side(name, [loop, key, str(a.n), str(steps)], ROOT, loop_result))
    build = "not run"
    if not a.skip_brian:
        d = os.path.join(tmp, f"brian2_{key}")
        out = sh([a.python, "bench/neurons/brian2_bench.py", key, str(a.n), str(a.duration), d])
        f = fields([ln for ln in out.splitlines() if ln.startswith("model=")][0])
        build = f"{float(f['build_s']):.1f} s (make {float(f['make_s']):.1f} s)"
        b = Side("brian2", ["./main"], d, brian_result)
        b.spikes = int(f["spikes"])
        sides.append(b)
    before = loadavg()
    for r in range(a.rounds):
        k = r % len(sides)
        for side in sides[k:] + sides[:k]:
            res = side.run(a)
            log(f"  round {r + 1} {side.name}: {res['time']:.4f} s")
    after = loadavg()
    per = a.n * steps / 1e9
    print(f"\n### {title}, N = {a.n}, {a.duration:g} ms = {steps} steps (load average before "
          f"{before}, after {after})\n")
    refs = [s for s in sides if s.name in ("c_loop", "c_loop2", "brian2")]
    print("| side | ns per neuron update, median (min-max) | peak RSS MiB | spikes | "
          + " | ".join(f"{r.name} / side" for r in refs) + " |")
    print("|---|---|---|---|" + "---|" * len(refs))
    for s in sides:
        row = [s.name, spread([x["time"] / per for x in s.runs]),
               spread([x["rss"] for x in s.runs]), str(s.runs[0]["spikes"])]
        row += [spread(ratios([x["time"] for x in r.runs], [y["time"] for y in s.runs]))
                for r in refs]
        print("| " + " | ".join(row) + " |")
    a1, a2 = sides[0], sides[1]
    w1, w2 = [x["wall"] for x in a1.runs], [x["wall"] for x in a2.runs]
    print("\nThe 1-thread sides are timed by CPU time, axon_2t by wall time.")
    print(f"Axon 2 threads against 1 (wall time, round by round): {spread(ratios(w1, w2))}; "
          f"the 2-thread loop's CPU time (both threads) {spread([x['cpu'] for x in a2.runs])} s "
          f"against {spread([x['cpu'] for x in a1.runs])} s. Axon compile {compile_s:.3f} s "
          f"(source to runnable code); Brian2 build {build}.")
    spikes = {s.name: s.runs[0]["spikes"] for s in sides}
    same = len({v for k, v in spikes.items() if k != "brian2"}) == 1
    ref = spikes["axon_1t"]
    print(f"Spike counts: Axon and the C loops {'equal' if same else 'DIFFER'}"
          + (f"; Brian2 {100 * (spikes['brian2'] - ref) / ref:+.3f}% against Axon (its own "
             "random initial values)" if "brian2" in spikes and ref else "") + ".")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000000)
    ap.add_argument("--duration", type=float, default=1000.0, help="ms of model time")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--models", default="lif izh")
    ap.add_argument("--skip-brian", action="store_true")
    a = ap.parse_args()
    if a.n < 1 or a.duration <= 0 or a.rounds < 1:
        ap.error("--n, --duration and --rounds must be positive")
    for m in a.models.split():
        if m not in MODELS:
            ap.error(f"unknown model '{m}' (lif, izh)")
    a.axon = os.environ.get("AXON", os.path.join(ROOT, "axon"))
    a.cc = os.environ.get("CC", "cc")
    a.cc2 = os.environ.get("CC2", shutil.which("clang") or "")
    a.python = os.environ.get("PYTHON", "/usr/bin/python3")
    tmp = tempfile.mkdtemp(prefix="axon-neurons.")
    try:
        a.peak = peakrss_build(a.cc, tmp)
        a.loops = []
        for name, cc in (("c_loop", a.cc), ("c_loop2", a.cc2)):
            if cc:
                exe = os.path.join(tmp, name)
                sh([cc, "-O3", "-march=native", "-I", "runtime/include", "bench/neurons/loop.c",
                    "runtime/rng.c", "-lm", "-o", exe])
                a.loops.append((name, exe))
        cpu, commit = machine()
        compilers = "; ".join(sh([cc, "--version"]).splitlines()[0] for cc in (a.cc, a.cc2) if cc)
        print(f"Neuron updates, {a.rounds} rounds alternating; {cpu}, {os.cpu_count()} cores; "
              f"Axon at {commit}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; C loops: "
              f"{compilers}")
        for m in a.models.split():
            model(a, m, tmp)
        print("\nratios: round by round, the peer's time over the side's (> 1: the side is "
              "faster); median (min-max) over the rounds.")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
