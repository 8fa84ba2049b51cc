#!/usr/bin/python3
"""Brian2 reference for IP3 diffusion between astrocytes (std/neurons/glia: IP3Diffusion).

Usage:  /usr/bin/python3 tests/reference/brian2_glia_ring.py [OUTDIR]   (default tests/reference/data)

Brian2 2.5.1, numpy code generation, float64, dt = 1 ms, 20 s. A ring of 6 astrocytes of
std/neurons/glia.axon (no glutamate input, so Gamma_A stays 0) coupled both ways between
neighbours by gap-junction IP3 diffusion as Stimberg et al. (2018)'s example_5_astro_ring.py
writes it (the flux into the target, J_coupling_post = -F/2 (1 + tanh((|dI| - I_Theta) /
omega_I)) sign(dI), dI = I_post - I_pre, summed), F = 0.09 uM/s, I_Theta = 0.3 uM, omega_I =
0.05 uM. IP3 starts at 1.2, 0.01, 0.01, 0.01, 0.5, 0.01 uM (the gradients exceed I_Theta, so
IP3 diffuses), C at 0.01 uM, h at 0.9. Astrocytes: rk4 (Axon: `method rk4`); the summed flux
is computed at the start of a step and held over it (Axon's `continuous`).

Writes OUTDIR/glia_ring.csv: t_s (Axon's sample times, the end of each 50th step), then I,
C and h of the six astrocytes; and OUTDIR/glia_ring.astro_spikes.csv (i, t_s of their
releases, Axon's stamps: Brian2's time + dt).
"""
import os
import sys

import numpy as np
from brian2 import (NeuronGroup, SpikeMonitor, StateMonitor, Synapses, defaultclock, mM, prefs,
                    run, second, start_scope, umolar)

prefs.codegen.target = "numpy"
prefs.core.default_float_dtype = np.float64

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
DT = 1e-3
T = 20.0
N = 6
I0 = [1.2, 0.01, 0.01, 0.01, 0.5, 0.01]

start_scope()
defaultclock.dt = DT * second

# std/neurons/glia.axon's defaults
O_P, K_P, C_T, rho_A = 0.9 * umolar / second, 0.05 * umolar, 2 * umolar, 0.18
Omega_C, Omega_L = 6 / second, 0.1 / second
d_1, d_2, O_2, d_3, d_5 = (0.13 * umolar, 1.05 * umolar, 0.2 / umolar / second,
                           0.9434 * umolar, 0.08 * umolar)
O_beta, O_N, Omega_N, K_KC, zeta = (0.5 * umolar / second, 0.3 / umolar / second,
                                    0.5 / second, 0.5 * umolar, 10)
O_delta, kappa_delta, K_delta = 1.2 * umolar / second, 1.5 * umolar, 0.1 * umolar
Omega_5P, K_D, K_3K, O_3K = 0.05 / second, 0.7 * umolar, 1.0 * umolar, 4.5 * umolar / second
C_Theta, Omega_A, U_A, G_T = 0.5 * umolar, 0.6 / second, 0.6, 200 * mM
rho_e, Omega_e = 6.5e-4, 60 / second
F, I_Theta, omega_I = 0.09 * umolar / second, 0.3 * umolar, 0.05 * umolar

astro = NeuronGroup(N, """
    dGamma_A/dt = O_N * Y_S * (1 - Gamma_A) - Omega_N * (1 + zeta * C / (C + K_KC)) * Gamma_A : 1
    dI/dt = J_beta + J_delta - J_3K - J_5P + J_coupling              : mmolar
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
    J_coupling                                                       : mmolar/second
    """, threshold="C>C_Theta", refractory="C>C_Theta",
    reset="G_A += rho_e * G_T * U_A * x_A\nx_A -= U_A * x_A", method="rk4")
astro.C = 0.01 * umolar
astro.I = np.array(I0) * umolar
astro.h = 0.9
astro.x_A = 1.0

gap = Synapses(astro, astro, """
    delta_I = I_post - I_pre : mmolar
    J_coupling_post = -F/2 * (1 + tanh((abs(delta_I) - I_Theta)/omega_I)) * sign(delta_I) : mmolar/second (summed)
    """)
gap.connect("j == (i + 1) % N_pre or i == (j + 1) % N_pre")

mon = StateMonitor(astro, ["I", "C", "h"], record=True, when="end")
spk = SpikeMonitor(astro)
run(T * second)

k = slice(49, None, 50)  # the ends of steps 49, 99, ...: Axon's samples every 50 ms
cols, names = [np.asarray(mon.t[k] / second) + DT], ["t_s"]
for var in ("I", "C", "h"):
    for a in range(N):
        cols.append(np.asarray(getattr(mon, var)[a][k]))
        names.append("A%d.%s" % (a, var))
os.makedirs(OUT, exist_ok=True)
np.savetxt(os.path.join(OUT, "glia_ring.csv"), np.column_stack(cols), delimiter=",",
           header=",".join(names) + " (SI: I, C in mol/m^3 = mM)", fmt="%.15g")
np.savetxt(os.path.join(OUT, "glia_ring.astro_spikes.csv"),
           np.column_stack([np.asarray(spk.i), np.asarray(spk.t / second) + DT]),
           delimiter=",", header="i,t_s (Axon's stamps: Brian2's time + dt)", fmt="%.15g")
print("releases:", list(zip(np.asarray(spk.i), np.round(np.asarray(spk.t / second) + DT, 4))))
