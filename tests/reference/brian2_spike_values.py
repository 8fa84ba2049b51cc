#!/usr/bin/python3
"""Generate Brian2 reference data for variables recorded at spikes (`record spikes E.v, E.w`).

Usage:  /usr/bin/python3 tests/reference/brian2_spike_values.py [OUTDIR]
        (OUTDIR defaults to tests/reference/data)

For the three AdEx cases of brian2_neurons.py (same equations, parameters, method rk4,
dt = 0.1 ms, 500 ms), SpikeMonitor(G, variables=['v', 'w']) records v and w at every spike:
Brian2's SpikeMonitor runs after the threshold and before the reset, so these are the values
of the updated state that crossed V_T + 5 Delta_T, before 'v = Vr; w += b'. Written to
OUTDIR/<case>.spike_values.csv: '# t_s,v_SI,w_SI' then one row per spike ('%.17g').
"""
import os
import sys

import brian2
from brian2 import (Network, NeuronGroup, SpikeMonitor, defaultclock, ms, mV, nS, pA, pF,
                    start_scope)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from brian2_neurons import ADEX, ADEX_EQS  # noqa: E402


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'data')
    os.makedirs(outdir, exist_ok=True)
    brian2.prefs.codegen.target = 'numpy'
    for case, p in ADEX.items():
        C, gL, EL, VT, DeltaT, a, tau_w, b, Vr, I_amp = p
        ns = {'C': C*pF, 'gL': gL*nS, 'EL': EL*mV, 'VT': VT*mV,
              'DeltaT': DeltaT*mV, 'a': a*nS, 'tau_w': tau_w*ms, 'b': b*pA,
              'Vr': Vr*mV, 'I_amp': I_amp*pA, 'ms': ms}
        start_scope()
        defaultclock.dt = 0.1*ms
        G = NeuronGroup(1, ADEX_EQS, method='rk4', namespace=ns,
                        threshold='v > VT + 5*DeltaT', reset='v = Vr; w += b')
        G.v = EL*mV
        G.w = 0*pA
        mon = SpikeMonitor(G, variables=['v', 'w'])
        Network(G, mon).run(500*ms, namespace=ns)
        with open(os.path.join(outdir, f'{case}.spike_values.csv'), 'w') as f:
            f.write(f'# t_s,v_SI,w_SI (Brian2 {brian2.__version__}, dt=0.1 ms, rk4, '
                    'values at the spike, before the reset)\n')
            f.writelines('%.17g,%.17g,%.17g\n' % row
                         for row in zip(mon.t_, mon.v_, mon.w_))
        print(f'{case:14s} spikes={len(mon.t_):3d}')


if __name__ == '__main__':
    main()
