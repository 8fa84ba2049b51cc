#!/usr/bin/python3
"""Brian2 reference for the active-dendrite neuron DendLIF of std/neurons/dendrites (issue 17),
written the way Axon needed before vectors: one scalar variable per segment (u0 ... u3) and one
Synapses object per segment.

Usage:  /usr/bin/python3 tests/reference/brian2_dendrites.py [OUTDIR]   (default tests/reference/data)

Brian2 2.5.1, numpy code generation, float64, dt = 0.1 ms, 1 s. 8 sources with Poisson spike
trains (numpy seed 23, 30 Hz each, on the 0.1 ms grid; written to OUTDIR/dendrites_spikes.csv,
which tests/validation/dendrites.axon reads) project onto 2 DendLIF neurons with every
default parameter; synapse i -> j makes segment (i (j + 1)) % 4 of target j jump by w = 3 mV
(Axon: SegmentJump(w = 3 mV, seg = (i * (j + 1)) % 4): target 0 gets two sources per
segment, target 1 four on segments 0 and 2). Equations (exponential Euler, as Axon
chooses; v held during the 2 ms refractory period, the segments not):

    tau_d u_k' = -u_k,   a_k = 1 / (1 + exp(-(u_k - theta_d) / s_d))
    tau_m v' = v_rest - v + R (I_ext + I_p (((a_0 + a_1) + a_2) + a_3))
    v > v_th: v = v_reset

Timing: Axon delivers a spike stamped T (the end of its step) after the update of that step;
Brian2 is given it at T - dt and delivers it after the update of its step. Values are recorded
at the end of steps (Axon's sample time (n + 1) dt), every 1 ms.

Writes OUTDIR/dendrites.csv (t_s, then v and u0 ... u3 of the two targets, SI) and
OUTDIR/dendrites.spikes.csv (i, t_s of the targets' spikes, Axon's stamps).
"""
import os
import sys

import numpy as np
from brian2 import (Mohm, Network, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor,
                    Synapses, defaultclock, mV, ms, nA, prefs, second, start_scope)

from grid_spikes import poisson_on_grid

prefs.codegen.target = "numpy"
prefs.core.default_float_dtype = np.float64

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
DT = 0.1e-3
T = 1.0
N_SRC, N_POST, K = 8, 2, 4
RATE = 30.0

# ---- spike trains: Poisson on the grid, at least one step apart (Axon's stamps, >= dt)
os.makedirs(OUT, exist_ok=True)
src_i, src_t = poisson_on_grid(os.path.join(OUT, "dendrites_spikes.csv"), [RATE] * N_SRC, T, 23)

start_scope()
defaultclock.dt = DT * second

# ---- DendLIF's defaults (std/neurons/dendrites.axon)
tau_m, v_rest, v_th, v_reset, R = 20 * ms, -65 * mV, -50 * mV, -65 * mV, 100 * Mohm
t_ref, tau_d, theta_d, s_d, I_p, I_ext = 2 * ms, 40 * ms, 8 * mV, 1 * mV, 0.3 * nA, 0 * nA
w = 3 * mV

src = SpikeGeneratorGroup(N_SRC, src_i, src_t * second)
eqs = "".join("""
    du%d/dt = -u%d / tau_d : volt
    a%d = 1 / (1 + exp(-(u%d - theta_d) / s_d)) : 1
    """ % (k, k, k, k) for k in range(K)) + """
    dv/dt = (v_rest - v + R * (I_ext + I_p * (((a0 + a1) + a2) + a3))) / tau_m : volt (unless refractory)
    """
tgt = NeuronGroup(N_POST, eqs, threshold="v > v_th", reset="v = v_reset", refractory=t_ref,
                  method="exponential_euler")
tgt.v = v_rest
# one Synapses object per segment: synapse i -> j reaches segment (i (j + 1)) % 4
syns = []
for k in range(K):
    s_ = Synapses(src, tgt, on_pre="u%d_post += w" % k)
    s_.connect("(i * (j + 1)) %% 4 == %d" % k)
    syns.append(s_)

mon = StateMonitor(tgt, ["v"] + ["u%d" % k for k in range(K)], record=True, when="end")
spk = SpikeMonitor(tgt)
# an explicit network: run()'s magic collection would miss the Synapses held in a list
net = Network(src, tgt, mon, spk, *syns)
net.run(T * second)

# every 1 ms: the ends of steps 9, 19, ... (Axon's samples at 1 ms, 2 ms, ...)
sl = slice(9, None, 10)
cols = [np.asarray(mon.t[sl] / second) + DT]
names = ["t_s"]
for a in range(N_POST):
    for var in ["v"] + ["u%d" % k for k in range(K)]:
        cols.append(np.asarray(getattr(mon, var)[a][sl]))
        names.append("D%d.%s" % (a, var))
np.savetxt(os.path.join(OUT, "dendrites.csv"), np.column_stack(cols), delimiter=",",
           header=",".join(names) + " (SI: V)", fmt="%.17g")
np.savetxt(os.path.join(OUT, "dendrites.spikes.csv"),
           np.column_stack([np.asarray(spk.i), np.asarray(spk.t / second) + DT]),
           delimiter=",", header="i,t_s (Axon's stamps: Brian2's time + dt)", fmt="%.17g")
print("spikes:", len(spk.i), "per target", np.bincount(np.asarray(spk.i), minlength=N_POST))
