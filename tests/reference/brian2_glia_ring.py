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
from brian2 import (SpikeMonitor, StateMonitor, Synapses, defaultclock, prefs, run, second,
                    start_scope, umolar)

from brian2_glia_astro import astrocytes

prefs.codegen.target = "numpy"
prefs.core.default_float_dtype = np.float64

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "data")
DT = 1e-3
T = 20.0
N = 6
I0 = [1.2, 0.01, 0.01, 0.01, 0.5, 0.01]

start_scope()
defaultclock.dt = DT * second

F, I_Theta, omega_I = 0.09 * umolar / second, 0.3 * umolar, 0.05 * umolar

astro = astrocytes(N, 0.5 * umolar / second, coupling=True)
astro.I = np.array(I0) * umolar

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
