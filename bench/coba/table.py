#!/usr/bin/python3
"""Markdown tables from the raw results of bench/coba/run.sh.

Usage: python3 table.py [--duration MS] [-K K] RESULTS

RESULTS holds one line of key=value pairs per measurement (run.sh writes them; `--raw FILE`
keeps them):
  sim=axon N= threads= compile_s= run_s= spikes_E= spikes_I= rate_E= rate_I= wall_s=
           peak_rss_mib=
  sim=axonmem N= synapses= bytes_per_synapse= setup_s=
  sim=brian2 N= threads= run_s= build_s= make_s= binary_s= spikes_E= spikes_I= rate_E= rate_I=
             synapses= ...          (its build and first run)
  sim=brian2 N= threads= rerun=1 run_s= peak_rss_mib=      (its program run again)
  sim=brian2 N= threads= rssonly=1 peak_rss_mib=         (the same, untimed: --repeat 1)
  load= when=before|after
Several lines for the same (N, threads) and side are repetitions, run alternating with the
other side's: times are given as the median (min-max) over them, ratios taken repetition by
repetition (the k-th of each side). Only the standard library is used.

Definitions:
  run s        the simulation loop alone (Axon: `run` of axon run's summary; Brian2:
               Network::_last_run_time)
  RTF          real-time factor, run s / model time
  ns/event     run s / (total spikes * K): K = 80 synaptic events per spike on average
  ns/neuron-step  run s / (N * steps)
  peak RSS     the process's peak resident memory (bench/peakrss.c): Axon's `axon run` with
               its compiler; Brian2's compiled program run again (not its first run, which
               Python starts; with one repetition, an untimed run for the memory alone)
  compile s    (the median of the repetitions) Axon: source to runnable code (parse, check, LLVM JIT; axon run's `compile`);
               Brian2: code generation and `make` of a fresh standalone project
  end-to-end s Axon: the whole `axon run` process (compile, network construction, run);
               Brian2: build + the compiled program (construction, run, writing results),
               without Python's start-up and imports
  B/synapse    Axon's synapse memory per synapse, axon_sim_bytes_per_synapse summed over the
               projections (bench/coba/synmem.c)
"""
import argparse
import statistics
import sys


def parse(path):
    rows = []
    with open(path) as f:
        for line in f:
            kv = dict(t.split("=", 1) for t in line.split() if "=" in t)
            if kv:
                rows.append(kv)
    return rows


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return float("nan")


def fmt(x, spec):
    return "-" if x != x else format(x, spec)


def spread(xs, spec):
    """median (min-max) of the numbers in xs that are not NaN, else -"""
    xs = [x for x in xs if x == x]
    if not xs:
        return "-"
    if len(xs) == 1:
        return format(xs[0], spec)
    return (f"{format(statistics.median(xs), spec)} ({format(min(xs), spec)}-"
            f"{format(max(xs), spec)})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results")
    ap.add_argument("--duration", type=float, default=1000.0, help="model time, ms")
    ap.add_argument("-K", type=float, default=80.0, help="synaptic events per spike")
    a = ap.parse_args()
    T = a.duration * 1e-3
    rows = parse(a.results)

    axon, brian, mem, loads = {}, {}, {}, {}
    compiles = []  # every Axon compile time, repeats included
    for r in rows:
        sim = r.get("sim")
        if sim is None and "load" in r:
            loads[r.get("when", "?")] = r["load"]
            continue
        if sim == "axonmem":
            mem[int(r["N"])] = r
            continue
        key = (int(r["N"]), int(r["threads"]))
        if sim == "axon":
            compiles.append(num(r["compile_s"]))
            axon.setdefault(key, []).append(r)
        elif sim == "brian2":
            brian.setdefault(key, []).append(r)
    keys = sorted(set(axon) | set(brian))
    if not keys:
        sys.exit("table.py: no results in " + a.results)

    def vals(d, key, k):
        return [num(r.get(k)) for r in d.get(key, [])]

    def get(d, key, k):
        """the median over the repetitions (the first's where only it has k: a build's
        figures, spike counts)"""
        xs = [x for x in vals(d, key, k) if x == x]
        return statistics.median(xs) if xs else float("nan")

    def ratios(key_x, x, key_y, y, k="run_s"):
        """x over y, repetition by repetition"""
        return [p / q for p, q in zip(vals(x, key_x, k), vals(y, key_y, k)) if q == q and q]

    def events(d, key):
        return (get(d, key, "spikes_E") + get(d, key, "spikes_I")) * a.K

    print(f"COBA, {a.duration:g} ms of model time at dt = 0.1 ms, K = {a.K:g} synapses per neuron "
          f"(p = K / N). Simulation loop only; ns/event = run time / (spikes * {a.K:g}).")
    if loads:
        print(f"Load average: {loads.get('before', '?')} before, {loads.get('after', '?')} after.")
    print()
    print("| N | threads | Axon run s | Brian2 run s | Brian2 / Axon (speed-up) "
          "| Axon RTF | Brian2 RTF | Axon ns/event | Brian2 ns/event | Axon ns/neuron-step "
          "| Brian2 ns/neuron-step | Axon peak RSS MiB | Brian2 peak RSS MiB "
          "| Axon rate E / I (Hz) | Brian2 rate E / I (Hz) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    steps = a.duration / 0.1
    for key in keys:
        ar, br = vals(axon, key, "run_s"), vals(brian, key, "run_s")
        ea, eb = events(axon, key), events(brian, key)
        nu = key[0] * steps
        print(f"| {key[0]:,} | {key[1]} | {spread(ar, '.3f')} | {spread(br, '.3f')} "
              f"| {spread(ratios(key, brian, key, axon), '.2f')} "
              f"| {spread([x / T for x in ar], '.3f')} | {spread([x / T for x in br], '.3f')} "
              f"| {spread([x * 1e9 / ea for x in ar], '.2f')} "
              f"| {spread([x * 1e9 / eb for x in br], '.2f')} "
              f"| {spread([x * 1e9 / nu for x in ar], '.2f')} "
              f"| {spread([x * 1e9 / nu for x in br], '.2f')} "
              f"| {spread(vals(axon, key, 'peak_rss_mib'), '.1f')} "
              f"| {spread(vals(brian, key, 'peak_rss_mib'), '.1f')} "
              f"| {fmt(get(axon, key, 'rate_E'), '.2f')} / {fmt(get(axon, key, 'rate_I'), '.2f')} "
              f"| {fmt(get(brian, key, 'rate_E'), '.2f')} / {fmt(get(brian, key, 'rate_I'), '.2f')} |")

    print()
    print("| N | threads | Axon compile s | Brian2 build s (make) | Axon end-to-end s "
          "| Brian2 end-to-end s | Axon synapses | Brian2 synapses | Axon B/synapse "
          "| Axon network setup s |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for key in keys:
        m = mem.get(key[0], {})
        bb, bm = get(brian, key, "build_s"), get(brian, key, "make_s")
        be = bb + get(brian, key, "binary_s")
        ns_a = num(m.get("synapses"))
        print(f"| {key[0]:,} | {key[1]} | {fmt(get(axon, key, 'compile_s'), '.3f')} "
              f"| {fmt(bb, '.1f')} ({fmt(bm, '.1f')}) | {fmt(get(axon, key, 'wall_s'), '.2f')} "
              f"| {fmt(be, '.1f')} | {fmt(ns_a, ',.0f')} "
              f"| {fmt(get(brian, key, 'synapses'), ',.0f')} "
              f"| {fmt(num(m.get('bytes_per_synapse')), '.3f')} "
              f"| {fmt(num(m.get('setup_s')), '.3f')} |")

    # scaling in N and in threads
    sizes = sorted({k[0] for k in keys})
    threads = sorted({k[1] for k in keys})
    print()
    hdr = ["N"]
    for t in threads:
        hdr += [f"Axon {t}T run / N, ns", f"Brian2 {t}T run / N, ns"]
    for t in threads[1:]:
        hdr += [f"Axon {t}T speed-up", f"Brian2 {t}T speed-up"]
    print("| " + " | ".join(hdr) + " |")
    print("|" + "---:|" * len(hdr))
    for n in sizes:
        cells = [f"{n:,}"]
        for t in threads:
            cells += [fmt(get(axon, (n, t), "run_s") * 1e9 / n, ".0f"),
                      fmt(get(brian, (n, t), "run_s") * 1e9 / n, ".0f")]
        t0 = threads[0]
        for t in threads[1:]:
            cells += [fmt(get(axon, (n, t0), "run_s") / get(axon, (n, t), "run_s"), ".2f"),
                      fmt(get(brian, (n, t0), "run_s") / get(brian, (n, t), "run_s"), ".2f")]
        print("| " + " | ".join(cells) + " |")
    print()
    print(f"run / N: the simulation loop's time per neuron (constant for linear scaling); "
          f"speed-up: {threads[0]}-thread run time / t-thread run time.")

    # the targets of the issue
    print()
    print("Targets:")
    nmin, nmax = sizes[0], sizes[-1]

    def verdict(ok):
        return "-" if ok is None else ("met" if ok else "NOT met")

    def speedup(n):
        s = statistics.median(ratios((n, 1), brian, (n, 1), axon) or [float("nan")])
        return s, (None if s != s else s > 1)

    for n in sorted({4000, nmax} & set(sizes)):
        s, ok = speedup(n)
        print(f"- N = {n:,}, 1 thread, Axon ahead of Brian2's exponential_euler loop (the same "
              f"scheme; the issue's 'keep the lead'): {fmt(s, '.2f')}x, "
              f"{verdict(ok)}".replace("-x, -", "no data"))
    c = max(compiles) if compiles else float("nan")
    print(f"- source to running < 0.2 s: Axon compile at most {fmt(c, '.3f')} s over all "
          f"{len(compiles)} runs (network construction not included), "
          f"{verdict(None if c != c else c < 0.2)}")
    if nmax > nmin:
        lin = (get(axon, (nmax, 1), "run_s") / nmax) / (get(axon, (nmin, 1), "run_s") / nmin)
        ev = ((get(axon, (nmax, 1), "run_s") / events(axon, (nmax, 1)))
              / (get(axon, (nmin, 1), "run_s") / events(axon, (nmin, 1))))
        print(f"- near-linear scaling in N: Axon 1T run / N at N = {nmax:,} is "
              f"{fmt(lin, '.2f')}x that at N = {nmin:,}, run / event {fmt(ev, '.2f')}x "
              f"(1.00 = linear)")
    if len(threads) > 1:
        t = threads[-1]
        s = get(axon, (nmax, threads[0]), "run_s") / get(axon, (nmax, t), "run_s")
        print(f"- {t} threads >= 1.8x faster than {threads[0]} at N = {nmax:,}: {fmt(s, '.2f')}x, "
              f"{verdict(None if s != s else s >= 1.8)}")


if __name__ == "__main__":
    main()
