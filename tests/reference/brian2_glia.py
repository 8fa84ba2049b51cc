#!/usr/bin/python3
"""Brian2 reference for the astrocyte and the tripartite synapse of std/neurons/glia (issue 17).

Usage:  /usr/bin/python3 tests/reference/brian2_glia.py [OUTDIR]   (default tests/reference/data)

Brian2 2.5.1, numpy code generation, float64, dt = 0.1 ms, 3 s. The model is Stimberg et al.
(2018)'s recurrent neuron-glial network reduced as std/neurons/glia.axon says (deterministic,
no IP3 diffusion between astrocytes, no clip of Gamma_A, the astrocyte's glutamate the sum
over its synapses), on a small network: 4 sources with Poisson spike trains (numpy seed 17,
rates 20, 30, 40 and 50 Hz, on the 0.1 ms grid; written to OUTDIR/glia_spikes.csv, which
tests/validation/glia.axon reads) project onto 2 targets (target 0 from every source, target 1
from sources 2 and 3) whose conductance ge sums w r_S; each target has its astrocyte (Axon:
`via A by post`). Astrocytes: rk4 (Axon: `method
rk4`), O_beta = 5 uM/s (the paper's Figure 2 value, for releases within 3 s), the rest the
paper's network values; synapses: alpha = 0 (release-decreasing gliotransmission) for
target 0's synapses and alpha = 1 (release-increasing) for target 1's.

Timing: Axon delivers a spike stamped T (the end of its step) after the update of that step;
Brian2 is given it at T - dt and delivers it after the update of its step. The summed
variables (the astrocyte's glutamate Y_S, the synapse's gliotransmitter G_A) are read at the
start of a step (order -1), as Axon's `continuous` block reads them. Values are recorded at
the end of every step (Axon's sample time (n + 1) dt), every 5 ms.

Writes OUTDIR/glia.csv: t_s, then C, I, h, G_A, Gamma_A of the two astrocytes, ge of the two
targets, and Gamma_S, u_S, x_S, r_S of synapses 0 (source 0 -> target 0) and 3 (source 2 ->
target 1); and OUTDIR/glia.astro_spikes.csv (i, t_s of the astrocytes' releases, Axon's
stamps).
"""
import os
import sys

import numpy as np
from brian2 import (Hz, NeuronGroup, SpikeGeneratorGroup, SpikeMonitor, StateMonitor, Synapses,
                    defaultclock, mM, ms, nS, prefs, run, second, start_scope, umolar)

from brian2_glia_astro import astrocytes
from grid_spikes import poisson_on_grid

prefs.codegen.target = "numpy"
prefs.core.default_float_dtype = np.float64

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
DT = 0.1e-3
T = 3.0
N_SRC, N_POST = 4, 2
RATES = [20.0, 30.0, 40.0, 50.0]

# ---- spike trains: Poisson on the grid, at least one step apart (Axon's stamps, >= dt)
os.makedirs(OUT, exist_ok=True)
src_i, src_t = poisson_on_grid(os.path.join(OUT, "glia_spikes.csv"), RATES, T, 17)

start_scope()
defaultclock.dt = DT * second

# ---- the synapse's parameters (the astrocyte's: brian2_glia_astro.py)
rho_c, Y_T, Omega_c = 0.005, 500 * mM, 40 / second
U_0__star, Omega_f, Omega_d = 0.6, 3.33 / second, 2.0 / second
O_G, Omega_G = 1.5 / umolar / second, 0.5 / (60 * second)
w_e = 0.05 * nS

src = SpikeGeneratorGroup(N_SRC, src_i, src_t * second)
tgt = NeuronGroup(N_POST, "ge : siemens")

syn = Synapses(src, tgt, model="""
    dY_S/dt = -Omega_c * Y_S                                    : mmolar (clock-driven)
    dGamma_S/dt = O_G * G_A * (1 - Gamma_S) - Omega_G * Gamma_S : 1 (clock-driven)
    du_S/dt = -Omega_f * u_S                                    : 1 (event-driven)
    dx_S/dt = Omega_d * (1 - x_S)                               : 1 (event-driven)
    r_S                                                         : 1
    G_A                                                         : mmolar
    alpha                                                       : 1 (constant)
    astrocyte_index                                             : integer (constant)
    """, on_pre="""
    u_S += ((1 - Gamma_S) * U_0__star + alpha * Gamma_S) * (1 - u_S)
    r_S = u_S * x_S
    x_S -= r_S
    Y_S += rho_c * Y_T * r_S
    ge_post += w_e * r_S
    """, method="exact")
# target 0 from every source, target 1 from sources 2 and 3: synapses by source, then target,
# (0,0) (1,0) (2,0) (2,1) (3,0) (3,1)
syn.connect("j == 0 or i >= 2")
syn.x_S = 1.0
syn.alpha = "1.0 * j"
syn.astrocyte_index = "j"

astro = astrocytes(N_POST, 5 * umolar / second)  # the paper's Figure 2 O_beta
astro.I = 0.01 * umolar

# each synapse's astrocyte is its target's: glutamate summed into the astrocyte, the
# astrocyte's gliotransmitter read by its synapses
syn_to_astro = Synapses(syn, astro, "Y_S_post = Y_S_pre : mmolar (summed)")
syn_to_astro.connect("astrocyte_index_pre == j")
astro_to_syn = Synapses(astro, syn, "G_A_post = G_A_pre : mmolar (summed)")
astro_to_syn.connect("i == astrocyte_index_post")

ast_mon = StateMonitor(astro, ["C", "I", "h", "G_A", "Gamma_A"], record=True, when="end")
tgt_mon = StateMonitor(tgt, ["ge"], record=True, when="end")
syn_mon = StateMonitor(syn, ["Gamma_S", "u_S", "x_S", "r_S"], record=[0, 3], when="end")
spk = SpikeMonitor(astro)
run(T * second)

# every 5 ms: the ends of steps 49, 99, ... (Axon's samples at 5 ms, 10 ms, ...)
k = slice(49, None, 50)
cols = [np.asarray(ast_mon.t[k] / second) + DT]
names = ["t_s"]
for v in ["C", "I", "h", "G_A", "Gamma_A"]:
    for a in range(N_POST):
        cols.append(np.asarray(getattr(ast_mon, v)[a][k]))
        names.append("A%d.%s" % (a, v))
for a in range(N_POST):
    cols.append(np.asarray(tgt_mon.ge[a][k]))
    names.append("E%d.ge" % a)
for v in ["Gamma_S", "u_S", "x_S", "r_S"]:
    for pos, s_ in enumerate((0, 3)):
        cols.append(np.asarray(getattr(syn_mon, v)[pos][k]))
        names.append("syn%d.%s" % (s_, v))
np.savetxt(os.path.join(OUT, "glia.csv"), np.column_stack(cols), delimiter=",",
           header=",".join(names) + " (SI: C, I, G_A in mol/m^3 = mM; ge in S)", fmt="%.15g")
np.savetxt(os.path.join(OUT, "glia.astro_spikes.csv"),
           np.column_stack([np.asarray(spk.i), np.asarray(spk.t / second) + DT]),
           delimiter=",", header="i,t_s (Axon's stamps: Brian2's time + dt)", fmt="%.15g")
print("astrocyte releases:", list(zip(np.asarray(spk.i), np.round(np.asarray(spk.t / second) + DT, 4))))
