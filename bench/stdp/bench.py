#!/usr/bin/python3
"""Plasticity, side by side and alternating: Song et al. against Brian2, and STDP against static.

Two comparisons of the same work on both sides, one thread, dt = 0.1 ms:
  song   examples/stdp_song.axon (1000 Poisson inputs at 15 Hz, all-to-all onto one LIF
         neuron, additive pair STDP) for --song-s seconds of model time, against Brian2's C++
         standalone build of the same model (tests/reference/brian2_song.py: Brian2's own
         examples/synapses/STDP.py, exponential Euler as in Axon, no OpenMP);
  coba   bench/coba/coba.axon (static) against bench/stdp/coba_stdp.axon (the same network
         with pair STDP on E -> E) for --coba-ms of model time at each of --sizes.
Every side is built once; then ROUNDS rounds run every side of a comparison once each, in an
order rotated every round. The figure compared is the CPU time of the simulation loop (Axon:
CLOCK_PROCESS_CPUTIME_ID around axon_sim_run, through bench/coba/synmem.c linked with an
`axon build --emit obj` of the model; Brian2: its _last_run_time, std::clock() without OpenMP).
Ratios are taken round by round, then the median (min-max) over the rounds is printed, with the
load average before and after, the process's peak resident memory (bench/peakrss.c: wait4's
ru_maxrss of each side started by a 1 MiB launcher), the runtime's bytes per synapse
(axon_sim_bytes_per_synapse: targets, synapse variables, row offsets), and the loop's CPU time
per synaptic event (ns/event: over synmem's count of events, each projection's presynaptic
spikes times its mean row; Brian2's side over the Axon side's count, the same model) and, for
COBA, per neuron update (ns/neuron-step), or, for Song et al., per time step: each is the whole
loop's time over one count.

With --per-step, Song et al. has a third side: the same model built with its Poisson inputs'
spike condition drawn every step (AXON_TEST_POISSON_STEPS, the form before geometric gaps;
docs/language.md); with AXON_BASE (another build's axon) and AXON_BASE_LIB (its .libs), a
side built and linked by that build, and in COBA two more (static_N_base, stdp_N_base, each
ratio against its own build's static side; then both builds' ratios round by round). The
model ABI of the two builds must match (runtime/include/axon/model.h).

Usage: bench/stdp/bench.py [--rounds R] [--song-s S] [--coba-ms MS] [--sizes "4000 64000"]
                           [--only song|coba] [--skip-brian] [--per-step]
Environment: AXON (default ./axon), CC (default cc), PYTHON (default /usr/bin/python3, with
python3-brian), AXON_BASE and AXON_BASE_LIB. Run from a built tree (make). Not part of
`make check`.
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench", "coba"))
from floor import (fields, link_synmem, loadavg, log, machine, peakrss_build,  # noqa: E402
                   run_peak, sh, spread)  # (the COBA benchmark's helpers)


class AxonSide:
    """An Axon model linked with synmem.c: built once, run many times."""

    def __init__(self, name, model, sets, ms, a, tmp, axon=None, lib=None, env=None):
        self.name, self.runs, self.a = name, [], a
        obj, exe = os.path.join(tmp, name + ".o"), os.path.join(tmp, name)
        cmd = [axon or a.axon, "build", model, "--emit", "obj", "-o", obj, "-q"]
        for s in sets:
            cmd += ["--set", s]
        if env:
            subprocess.run(cmd, cwd=ROOT, check=True, env=dict(os.environ, **env))
        else:
            sh(cmd)
        # another build's model is linked with that build's headers (its ABI's descriptors)
        inc = os.path.join(os.path.dirname(os.path.abspath(axon)), "runtime", "include") \
            if axon else "runtime/include"
        link_synmem(a.cc, obj, exe, lib, inc)
        self.cmd, self.cwd = [exe, "0", str(ms)], ROOT

    def run(self):
        out, rss = wait4_run(self.a, self.cmd, self.cwd)
        lines = out.splitlines()
        f = fields([ln for ln in lines if ln.startswith("run ")][0])
        self.projs = {d["proj"]: d for d in (fields(ln) for ln in lines if ln.startswith("proj="))}
        self.total = fields([ln for ln in lines if ln.startswith("total ")][0])
        res = dict(cpu=float(f["cpu_s"]), spikes=int(f["spikes"]), rss=rss,
                   events=float(f["events"]), updates=float(f["neuron_steps"]))
        self.runs.append(res)
        return res


class BrianSongSide:
    """Brian2's standalone build of the Song et al. model, run again from its directory."""

    def __init__(self, a, tmp):
        self.name, self.runs, self.a = "brian2_song", [], a
        d = os.path.join(tmp, "brian2_song")
        sh([a.python, "tests/reference/brian2_song.py", os.path.join(tmp, "b2.json"), "--seeds",
            "1", "--no-profile", "--duration", str(a.song_s), "--keep", d])
        self.cmd, self.cwd = ["./main"], d

    def run(self):
        _, rss = wait4_run(self.a, self.cmd, self.cwd)
        with open(os.path.join(self.cwd, "results", "last_run_info.txt")) as fh:
            t = float(fh.read().split()[0])
        res = dict(cpu=t, spikes=None, rss=rss)
        self.runs.append(res)
        return res


def wait4_run(a, cmd, cwd):
    """Runs cmd to its end under bench/peakrss.c; its stdout and its peak resident memory in
    MiB."""
    r, rss = run_peak(a.peak, cmd, cwd)
    if r.returncode:
        sys.exit(f"bench.py: {' '.join(cmd)} failed:\n{r.stdout}{r.stderr}")
    return r.stdout, rss


def rounds(sides, n):
    before = loadavg()
    for r in range(n):
        k = r % len(sides)
        for side in sides[k:] + sides[:k]:
            res = side.run()
            log(f"  round {r + 1} {side.name}: loop cpu {res['cpu']:.4f} s")
    return before, loadavg()


def ratio(x, y):
    return spread([a["cpu"] / b["cpu"] for a, b in zip(x.runs, y.runs)])


def song(a, tmp):
    log("== song: building")
    ax = AxonSide("axon_song", "examples/stdp_song.axon", [], a.song_s * 1000, a, tmp)
    sides = [ax] + ([] if a.skip_brian else [BrianSongSide(a, tmp)])
    if a.per_step:
        sides.append(AxonSide("axon_song_per_step", "examples/stdp_song.axon", [],
                              a.song_s * 1000, a, tmp, env={"AXON_TEST_POISSON_STEPS": "1"}))
    if os.environ.get("AXON_BASE"):
        sides.append(AxonSide("axon_song_base", "examples/stdp_song.axon", [], a.song_s * 1000,
                              a, tmp, axon=os.environ["AXON_BASE"],
                              lib=os.environ.get("AXON_BASE_LIB")))
    brian = None if a.skip_brian else sides[1]
    before, after = rounds(sides, a.rounds)
    steps = a.song_s * 1e4
    print(f"\n### Song et al. (2000), {a.song_s:g} s of model time, 1 thread "
          f"(load average before {before}, after {after})\n")
    events = ax.runs[0]["events"]  # the same model on every side
    print("| side | loop CPU s, median (min-max) | ns per step | ns/event | peak RSS MiB | "
          "brian2_song / side |")
    print("|---|---|---|---|---|---|")
    for s in sides:
        cpu = [x["cpu"] for x in s.runs]
        ns = spread([c / steps * 1e9 for c in cpu])
        nse = spread([c / events * 1e9 for c in cpu])
        rss = spread([x["rss"] for x in s.runs])
        r = ratio(brian, s) if brian else "-"
        print(f"| {s.name} | {spread(cpu)} | {ns} | {nse} | {rss} | {r} |")
    print(f"\nAxon: {ax.total.get('synapses')} synapses, "
          f"{float(ax.total.get('bytes_per_synapse', 'nan')):.2f} bytes per synapse (the weight, "
          f"the target, the post-ordered index, and per input neuron its trace and row offset).")
    for s in sides[1:]:
        if s.name.startswith("axon_"):
            print(f"{s.name} / axon_song, loop CPU: {ratio(s, ax)}")


def coba(a, tmp):
    for N in map(int, a.sizes.split()):
        log(f"== coba N = {N}: building")
        st = AxonSide(f"static_{N}", "bench/coba/coba.axon", [f"N={N}"], a.coba_ms, a, tmp)
        pl = AxonSide(f"stdp_{N}", "bench/stdp/coba_stdp.axon", [f"N={N}"], a.coba_ms, a, tmp)
        sides = [st, pl]
        base = os.environ.get("AXON_BASE")
        if base:  # the same two models built and linked by another build, in the same rounds
            lib = os.environ.get("AXON_BASE_LIB")
            sides += [AxonSide(f"static_{N}_base", "bench/coba/coba.axon", [f"N={N}"], a.coba_ms,
                               a, tmp, axon=base, lib=lib),
                      AxonSide(f"stdp_{N}_base", "bench/stdp/coba_stdp.axon", [f"N={N}"],
                               a.coba_ms, a, tmp, axon=base, lib=lib)]
        before, after = rounds(sides, a.rounds)
        print(f"\n### COBA with STDP on E -> E against static COBA, N = {N}, {a.coba_ms:g} ms, "
              f"1 thread (load average before {before}, after {after})\n")
        print("| side | loop CPU s, median (min-max) | ns/neuron-step | ns/event | spikes | "
              "peak RSS MiB | E -> E bytes/synapse | all bytes/synapse | side / static |")
        print("|---|---|---|---|---|---|---|---|---|")
        for s in sides:
            ee = s.projs.get("ee") or next(iter(s.projs.values()))
            ref = sides[2] if s.name.endswith("_base") else st  # each build against its static
            cpu = [x["cpu"] for x in s.runs]
            print(f"| {s.name} | {spread(cpu)} | "
                  f"{spread([x['cpu'] / x['updates'] * 1e9 for x in s.runs])} | "
                  f"{spread([x['cpu'] / x['events'] * 1e9 for x in s.runs])} | "
                  f"{s.runs[0]['spikes']} | {spread([x['rss'] for x in s.runs])} | "
                  f"{float(ee['bytes_per_synapse']):.2f} ({ee['proj']}) | "
                  f"{float(s.total['bytes_per_synapse']):.2f} | {ratio(s, ref)} |")
        if base:
            print(f"\nthis build / the base build, loop CPU: static {ratio(st, sides[2])}, "
                  f"STDP {ratio(pl, sides[3])}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--song-s", type=float, default=100.0, help="s of model time (Song et al.)")
    ap.add_argument("--coba-ms", type=float, default=1000.0, help="ms of model time (COBA)")
    ap.add_argument("--sizes", default="4000 64000")
    ap.add_argument("--only", choices=("song", "coba"))
    ap.add_argument("--skip-brian", action="store_true")
    ap.add_argument("--per-step", action="store_true",
                    help="Song et al.: a side with the inputs drawn every step")
    a = ap.parse_args()
    if a.rounds < 1 or a.song_s <= 0 or a.coba_ms <= 0:
        ap.error("--rounds, --song-s and --coba-ms must be positive")
    a.axon = os.environ.get("AXON", os.path.join(ROOT, "axon"))
    a.cc = os.environ.get("CC", "cc")
    a.python = os.environ.get("PYTHON", "/usr/bin/python3")
    tmp = tempfile.mkdtemp(prefix="axon-stdp.")
    try:
        a.peak = peakrss_build(a.cc, tmp)
        cpu, commit = machine()
        print(f"Plasticity, {a.rounds} rounds alternating; {cpu}, {os.cpu_count()} cores; Axon at "
              f"{commit}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        if a.only != "coba":
            song(a, tmp)
        if a.only != "song":
            coba(a, tmp)
        print("\nratios: round by round, the first side's loop CPU time over the second's; "
              "median (min-max) over the rounds.")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
