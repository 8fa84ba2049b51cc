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

prefs.codegen.target = "numpy"
prefs.core.default_float_dtype = np.float64

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
DT = 0.1e-3
T = 3.0
N_SRC, N_POST = 4, 2
RATES = [20.0, 30.0, 40.0, 50.0]

# ---- spike trains: Poisson on the grid, at least one step apart (Axon's stamps, >= dt)
rng = np.random.default_rng(17)
rows = []
for n, r in enumerate(RATES):
    steps = np.nonzero(rng.random(int(round(T / DT)) - 2) < r * DT)[0] + 1
    rows += [(n, k) for k in steps]
rows.sort(key=lambda x: (x[1], x[0]))
os.makedirs(OUT, exist_ok=True)
with open(os.path.join(OUT, "glia_spikes.csv"), "w") as f:
    f.write("i,t:ms\n")
    for n, k in rows:
        f.write("%d,%.1f\n" % (n, k * 0.1))

start_scope()
defaultclock.dt = DT * second

# ---- parameters (std/neurons/glia.axon's defaults, O_beta as above)
rho_c, Y_T, Omega_c = 0.005, 500 * mM, 40 / second
U_0__star, Omega_f, Omega_d = 0.6, 3.33 / second, 2.0 / second
O_G, Omega_G = 1.5 / umolar / second, 0.5 / (60 * second)
w_e = 0.05 * nS
O_P, K_P, C_T, rho_A = 0.9 * umolar / second, 0.05 * umolar, 2 * umolar, 0.18
Omega_C, Omega_L = 6 / second, 0.1 / second
d_1, d_2, O_2, d_3, d_5 = (0.13 * umolar, 1.05 * umolar, 0.2 / umolar / second,
                           0.9434 * umolar, 0.08 * umolar)
O_beta, O_N, Omega_N, K_KC, zeta = (5 * umolar / second, 0.3 / umolar / second,
                                    0.5 / second, 0.5 * umolar, 10)
O_delta, kappa_delta, K_delta = 1.2 * umolar / second, 1.5 * umolar, 0.1 * umolar
Omega_5P, K_D, K_3K, O_3K = 0.05 / second, 0.7 * umolar, 1.0 * umolar, 4.5 * umolar / second
C_Theta, Omega_A, U_A, G_T = 0.5 * umolar, 0.6 / second, 0.6, 200 * mM
rho_e, Omega_e = 6.5e-4, 60 / second

src = SpikeGeneratorGroup(N_SRC, np.array([n for n, _ in rows]),
                          (np.array([k for _, k in rows]) - 1) * DT * second)
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

astro = NeuronGroup(N_POST, """
    dGamma_A/dt = O_N * Y_S * (1 - Gamma_A) - Omega_N * (1 + zeta * C / (C + K_KC)) * Gamma_A : 1
    dI/dt = J_beta + J_delta - J_3K - J_5P                           : mmolar
    J_beta = O_beta * Gamma_A                                        : mmolar/second
    J_delta = O_delta/(1 + I/kappa_delta) * C**2/(C**2 + K_delta**2) : mmolar/second
    J_3K = O_3K * C**4/(C**4 + K_D**4) * I/(I + K_3K)                : mmolar/second
    J_5P = Omega_5P*I                                                : mmolar/second
    dC/dt = J_r + J_l - J_p                                          : mmolar
    dh/dt = (h_inf - h)/tau_h                                        : 1
    J_r = (Omega_C * m_inf**3 * h**3) * (C_T - (1 + rho_A)*C)        : mmolar/second
    J_l = Omega_L * (C_T - (1 + rho_A)*C)                            : mmolar/second
    J_p = O_P * C**2/(C**2 + K_P**2)                                 : mmolar/second
    m_inf = I/(I + d_1) * C/(C + d_5)                                : 1
    h_inf = Q_2/(Q_2 + C)                                            : 1
    tau_h = 1/(O_2 * (Q_2 + C))                                      : second
    Q_2 = d_2 * (I + d_1)/(I + d_3)                                  : mmolar
    dx_A/dt = Omega_A * (1 - x_A)                                    : 1
    dG_A/dt = -Omega_e*G_A                                           : mmolar
    Y_S                                                              : mmolar
    """, threshold="C>C_Theta", refractory="C>C_Theta",
    reset="G_A += rho_e * G_T * U_A * x_A\nx_A -= U_A * x_A", method="rk4")
astro.C = 0.01 * umolar
astro.I = 0.01 * umolar
astro.h = 0.9
astro.x_A = 1.0

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
