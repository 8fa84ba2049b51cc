"""Summarise bench/microcircuit/run.sh: table.py TMPDIR DURATION_MS "THREADS" REPEAT.

Reads TMPDIR/run.T.R (bench/coba/synmem.c with T threads, repetition R: per-projection
synapses, the total with bytes per synapse and the build's wall and CPU time, the run's wall
and CPU time and the process's peak resident memory, per-population neurons and spikes). Synaptic events = sum over projections of
synapses / N_pre * spikes of the source population; neuron updates = neurons * steps.
"""
import statistics
import sys

tmp, dur_ms, threads, repeat = sys.argv[1], float(sys.argv[2]), sys.argv[3].split(), int(sys.argv[4])


def fields(line):
    return dict(kv.split("=", 1) for kv in line.split() if "=" in kv)


def med(xs):
    return "%.3g [%.3g, %.3g]" % (statistics.median(xs), min(xs), max(xs))


print()
print("| threads | build wall (s) | build CPU (s) | bytes/synapse | run wall (s) | real-time factor |"
      " run CPU (s) | CPU ns per synaptic event | CPU ns per neuron update | peak RSS (GiB) |")
print("|---|---|---|---|---|---|---|---|---|---|")
for t in threads:
    bw, bc, rw, rc, rss, bps = [], [], [], [], [], 0
    for r in range(1, repeat + 1):
        proj, pops = {}, {}
        for line in open("%s/run.%s.%d" % (tmp, t, r)):
            f = fields(line)
            if line.startswith("proj="):
                proj[f["proj"]] = int(f["synapses"])
            elif line.startswith("pop="):
                pops[f["pop"]] = (int(f["neurons"]), int(f["spikes"]))
            elif line.startswith("total"):
                bw.append(float(f["setup_s"]))
                bc.append(float(f["setup_cpu_s"]))
                bps = float(f["bytes_per_synapse"])
                nsyn = int(f["synapses"])
            elif line.startswith("run "):
                rw.append(float(f["run_s"]))
                rc.append(float(f["cpu_s"]))
                rss.append(float(f["peak_rss_mib"]) / 1024)
        # projections are named PRE->POST
        events = sum(n / pops[p.split("->")[0]][0] * pops[p.split("->")[0]][1] for p, n in proj.items())
        updates = sum(n for n, _ in pops.values()) * round(dur_ms / 0.1)
    c = statistics.median(rc)
    print("| %s | %s | %s | %.2f | %s | %.3g | %s | %.3g | %.3g | %s |" % (
        t, med(bw), med(bc), bps, med(rw), statistics.median(rw) / (dur_ms / 1000), med(rc),
        c / events * 1e9, c / updates * 1e9, med(rss)))
print("\nThe two CPU ns columns each divide the whole loop's CPU time (neurons and synapses, all"
      " threads) by one count: upper bounds on each cost, per core. Peak RSS: the process's VmHWM"
      " (bench/coba/synmem.c).")
print("synapses %d; rates of the last run (Hz): " % nsyn + ", ".join(
    "%s %.3f" % (p, s / n / (dur_ms / 1000)) for p, (n, s) in pops.items()))
print("synaptic events in the run: %.3g (%.3g per model second); neuron updates %.3g" % (
    events, events / (dur_ms / 1000), updates))
