#!/usr/bin/python3
"""Brian2 reference for summed Poisson input (`E.ge += w * poisson_input(K, rate)`).

Usage:  /usr/bin/python3 tests/reference/brian2_poisson_input.py [OUTDIR]
        (OUTDIR defaults to tests/reference/data)

2000 conductance-based LIF neurons, each driven by PoissonInput(G, 'ge', N=1000,
rate=5 Hz, weight=0.15 nS) (one binomial draw per neuron and step), numpy code
generation, dt = 0.1 ms, method euler, 1 s, seeds 1..5:

    dv/dt = (v_rest - v + ge / g_L * (E_e - v)) / tau_m : volt (unless refractory)
    dge/dt = -ge / tau_e : siemens
    tau_m = 20 ms, v_rest = -60 mV, E_e = 0 mV, g_L = 10 nS, tau_e = 5 ms,
    threshold v > -50 mV, reset v = -60 mV, refractory 5 ms, v(0) = -60 mV, ge(0) = 0.

Per seed: the mean rate over [0.2 s, 1 s) and the sd of the neurons' rates, the mean
ISI CV (neurons with 3 or more spikes there), and the mean and variance of ge over
neurons and steps in [0.2 s, 1 s) (StateMonitor, every step). Written to
OUTDIR/poisson_input.json.
"""
import json
import os
import sys

import brian2
import numpy as np
from brian2 import (Network, NeuronGroup, PoissonInput, SpikeMonitor, StateMonitor, Hz,
                    defaultclock, ms, mV, nS, seed, start_scope)

N, T0, T = 2000, 0.2, 1.0


def one(s):
    start_scope()
    seed(s)
    defaultclock.dt = 0.1 * ms
    ns = {'tau_m': 20 * ms, 'v_rest': -60 * mV, 'E_e': 0 * mV, 'g_L': 10 * nS, 'tau_e': 5 * ms}
    G = NeuronGroup(N, '''dv/dt = (v_rest - v + ge / g_L * (E_e - v)) / tau_m : volt (unless refractory)
                          dge/dt = -ge / tau_e : siemens''',
                    threshold='v > -50*mV', reset='v = -60*mV', refractory=5 * ms,
                    method='euler', namespace=ns)
    G.v = -60 * mV
    P = PoissonInput(G, 'ge', N=1000, rate=5 * Hz, weight=0.15 * nS)
    sp = SpikeMonitor(G)
    st = StateMonitor(G, 'ge', record=np.arange(0, N, 10))
    Network(G, P, sp, st).run(T * 1e3 * ms, namespace=ns)
    t, i = sp.t_, sp.i_
    keep = t >= T0
    counts = np.bincount(i[keep], minlength=N)
    rates = counts / (T - T0)
    cvs = []
    for k in range(N):
        tk = np.sort(t[keep & (i == k)])
        if len(tk) >= 3:
            isi = np.diff(tk)
            cvs.append(isi.std() / isi.mean())
    ge = st.ge_[:, st.t_ >= T0 - 1e-12]
    return {'seed': s, 'rate': float(rates.mean()), 'rate_sd': float(rates.std()),
            'cv': float(np.mean(cvs)), 'ge_mean': float(ge.mean()), 'ge_var': float(ge.var())}


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'data')
    os.makedirs(outdir, exist_ok=True)
    brian2.prefs.codegen.target = 'numpy'
    runs = [one(s) for s in range(1, 6)]
    for r in runs:
        print(r)
    with open(os.path.join(outdir, 'poisson_input.json'), 'w') as f:
        json.dump({'brian2': brian2.__version__, 'dt_ms': 0.1, 'method': 'euler', 'runs': runs},
                  f, indent=1)


if __name__ == '__main__':
    main()
