"""Summarise bench/microcircuit/run.sh: table.py TMPDIR DURATION_MS "THREADS" REPEAT.

Reads TMPDIR/mem (bench/coba/synmem.c: per-projection synapses, bytes per synapse, build
time) and TMPDIR/run.T.R (`axon run` summaries: neurons and spikes per population, the wall
time of the simulation loop). Synaptic events = sum over projections of
synapses / N_pre * spikes of the source population; neuron updates = neurons * steps.
"""
import re
import statistics
import sys

tmp, dur_ms, threads, repeat = sys.argv[1], float(sys.argv[2]), sys.argv[3].split(), int(sys.argv[4])
proj, total = {}, {}
for line in open(tmp + "/mem"):
    f = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
    if line.startswith("proj="):
        proj[line.split()[0][5:]] = int(f["synapses"])
    elif line.startswith("total"):
        total = f
print()
print("| threads | build (s) | bytes/synapse | synapses | run (s), median [min, max] | real-time factor |"
      " run time x threads / synaptic events (ns) | run time x threads / neuron updates (ns) |")
print("|---|---|---|---|---|---|---|---|")
for t in threads:
    runs, events, updates = [], 0, 0
    for r in range(1, repeat + 1):
        text = open("%s/run.%s.%d" % (tmp, t, r)).read()
        neurons, spikes = {}, {}
        for m in re.finditer(r"^\s+(L\w+)\s+(\d+)\s+(\d+)\s", text, re.M):
            neurons[m.group(1)] = int(m.group(2))
            spikes[m.group(1)] = int(m.group(3))
        runs.append(float(re.search(r"run ([0-9.]+) s", text).group(1)))
        events = sum(n / neurons[p.split("->")[0]] * spikes[p.split("->")[0]] for p, n in proj.items())
        updates = sum(neurons.values()) * round(dur_ms / 0.1)
    med = statistics.median(runs)
    print("| %s | %s | %.2f | %.3g | %.3g [%.3g, %.3g] | %.3g | %.3g | %.3g |" % (
        t, total["setup_s"], float(total["bytes_per_synapse"]), int(total["synapses"]), med,
        min(runs), max(runs), med / (dur_ms / 1000), med * int(t) / events * 1e9,
        med * int(t) / updates * 1e9))
print("\nThe last two columns each divide the whole run time (neurons and synapses) by one count:"
      " upper bounds on each cost, per core.")
print("rates of the last run (Hz, the whole run): " + ", ".join(
    "%s %.3f" % (p, spikes[p] / neurons[p] / (dur_ms / 1000)) for p in neurons))
print("synaptic events in the run: %.3g (%.3g per model second); neuron updates %.3g" % (
    events, events / (dur_ms / 1000), updates))
