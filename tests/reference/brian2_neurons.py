#!/usr/bin/python3
"""Generate Brian2 reference data for Axon's single-neuron models.

Usage:  /usr/bin/python3 tests/reference/brian2_neurons.py [OUTDIR]
        (OUTDIR defaults to tests/reference/data)

For every case two files are written:
  OUTDIR/<case>.spikes.csv  '# spike times in seconds, Brian2 <ver>, dt=0.1 ms,
                            method=<method>' then one spike time (s) per line
  OUTDIR/<case>.v.csv       '# t_s,v_SI' then 't,v' rows, v sampled every 1 ms
                            from t=0 (value at the start of that step), in volts
                            (Izhikevich: dimensionless v as is)
All numbers are printed with '%.17g'. Everything is float64, deterministic,
numpy code generation, dt = 0.1 ms, one fresh network (start_scope) per case.

Brian2 step semantics relevant to these cases: in each step the state update
sees t = the time at the start of the step (rk4 stages see t, t+dt/2, t+dt/2,
t+dt); the threshold is tested on the updated state, the spike is recorded
with time t (start of the step) and the reset is applied in the same step.

1. Izhikevich (v, u dimensionless), method='rk4', 300 ms:
     dv/dt = (0.04*v**2 + 5*v + 140 - u + I)/ms
     du/dt = a*(b*v - u)/ms
     threshold 'v >= 30', reset 'v = c; u = u + d'
     v(0) = -65, u(0) = b*v(0), I = 10 (constant).
   izh_rs: a=0.02 b=0.2 c=-65 d=8    izh_ib: a=0.02 b=0.2 c=-55 d=4
   izh_ch: a=0.02 b=0.2 c=-50 d=2    izh_fs: a=0.1  b=0.2 c=-65 d=2

2. AdEx (Naud et al. 2008), method='rk4', 500 ms, no refractoriness:
     dv/dt = (-gL*(v - EL) + gL*DeltaT*exp((v - VT)/DeltaT) - w + I)/C
     dw/dt = (a*(v - EL) - w)/tau_w
     I = I_amp*int(t >= 20*ms)*int(t < 420*ms)
     threshold 'v > VT + 5*DeltaT', reset 'v = Vr; w += b'
     v(0) = EL, w(0) = 0.
   (C pF, gL nS, EL mV, VT mV, DeltaT mV, a nS, tau_w ms, b pA, Vr mV, I_amp pA)
   adex_tonic:    200, 10, -70, -50, 2, 2,  30,   0, -58, 500
   adex_adapting: 200, 12, -70, -50, 2, 2, 300,  60, -58, 500
   adex_bursting: 200, 10, -58, -50, 2, 2, 120, 100, -46, 210

3. Hodgkin-Huxley, method='exponential_euler', 150 ms. With u = v/mV:
     dv/dt = (gL*(EL - v) + gNa*m**3*h*(ENa - v) + gK*n**4*(EK - v) + I)/Cm
     dm/dt = alpha_m*(1 - m) - beta_m*m   (same form for h and n)
     alpha_m = 0.1*(u + 40)/(1 - exp(-(u + 40)/10))/ms
     beta_m  = 4*exp(-(u + 65)/18)/ms
     alpha_h = 0.07*exp(-(u + 65)/20)/ms
     beta_h  = 1/(1 + exp(-(u + 35)/10))/ms
     alpha_n = 0.01*(u + 55)/(1 - exp(-(u + 55)/10))/ms
     beta_n  = 0.125*exp(-(u + 65)/80)/ms
     I = I_amp*int(t >= 10*ms)*int(t < 110*ms)
     Cm = 1 uF/cm**2, gNa = 120, gK = 36, gL = 0.3 mS/cm**2,
     ENa = 50 mV, EK = -77 mV, EL = -54.387 mV.
     v(0) = -65 mV; m, h, n start at their steady state at -65 mV:
       m0 = 0.05293248525724958, h0 = 0.5961207535084603,
       n0 = 0.3176769140606974   (computed below, printed to stdout)
     threshold 'v > -20*mV', refractory 'v > -20*mV' (one spike per
     upstroke), no reset.
   hh_step10: I_amp = 10, hh_step5: I_amp = 5, hh_step2: I_amp = 2 uA/cm**2
"""
import os
import sys

import numpy as np
import brian2
from brian2 import (NeuronGroup, SpikeMonitor, StateMonitor, Network, SpikeGeneratorGroup, Synapses,
                    start_scope, defaultclock, prefs, ms, mV, pF, nS, pA,
                    uF, mS, uA, cm)

prefs.codegen.target = 'numpy'
prefs.core.default_float_dtype = np.float64

IZH_EQS = '''
dv/dt = (0.04*v**2 + 5*v + 140 - u + I)/ms : 1
du/dt = a*(b*v - u)/ms : 1
'''

ADEX_EQS = '''
dv/dt = (-gL*(v - EL) + gL*DeltaT*exp((v - VT)/DeltaT) - w + I)/C : volt
dw/dt = (a*(v - EL) - w)/tau_w : amp
I = I_amp*int(t >= 20*ms)*int(t < 420*ms) : amp
'''

HH_EQS = '''
dv/dt = (gL*(EL - v) + gNa*m**3*h*(ENa - v) + gK*n**4*(EK - v) + I)/Cm : volt
dm/dt = alpha_m*(1 - m) - beta_m*m : 1
dh/dt = alpha_h*(1 - h) - beta_h*h : 1
dn/dt = alpha_n*(1 - n) - beta_n*n : 1
alpha_m = 0.1*(v/mV + 40)/(1 - exp(-(v/mV + 40)/10))/ms : Hz
beta_m = 4*exp(-(v/mV + 65)/18)/ms : Hz
alpha_h = 0.07*exp(-(v/mV + 65)/20)/ms : Hz
beta_h = 1/(1 + exp(-(v/mV + 35)/10))/ms : Hz
alpha_n = 0.01*(v/mV + 55)/(1 - exp(-(v/mV + 55)/10))/ms : Hz
beta_n = 0.125*exp(-(v/mV + 65)/80)/ms : Hz
I = I_amp*int(t >= 10*ms)*int(t < 110*ms) : amp/meter**2
'''

IZH = {'izh_rs': (0.02, 0.2, -65, 8), 'izh_ib': (0.02, 0.2, -55, 4),
       'izh_ch': (0.02, 0.2, -50, 2), 'izh_fs': (0.1, 0.2, -65, 2)}

ADEX = {  # C, gL, EL, VT, DeltaT, a, tau_w, b, Vr, I_amp
    'adex_tonic':    (200, 10, -70, -50, 2, 2, 30, 0, -58, 500),
    'adex_adapting': (200, 12, -70, -50, 2, 2, 300, 60, -58, 500),
    'adex_bursting': (200, 10, -58, -50, 2, 2, 120, 100, -46, 210),
}

HH = {'hh_step10': 10, 'hh_step5': 5, 'hh_step2': 2}


def hh_steady_state(u=-65.0):
    """m, h, n steady states at v = u mV (same rate functions as HH_EQS)."""
    am = 0.1*(u + 40)/(1 - np.exp(-(u + 40)/10))
    bm = 4*np.exp(-(u + 65)/18)
    ah = 0.07*np.exp(-(u + 65)/20)
    bh = 1/(1 + np.exp(-(u + 35)/10))
    an = 0.01*(u + 55)/(1 - np.exp(-(u + 55)/10))
    bn = 0.125*np.exp(-(u + 65)/80)
    return am/(am + bm), ah/(ah + bh), an/(an + bn)


def simulate(outdir, case, eqs, namespace, init, duration, method, var='v', spikes_in=(),
             **kw):
    """Run one fresh single-neuron network and write its two CSV files.

    var: the variable written to <case>.v.csv. spikes_in: (times, on_pre) pairs, each a
    SpikeGeneratorGroup of one neuron firing at the given Brian2 times onto the neuron
    through a synapse with that on_pre, delivered after the resets (Axon's order)."""
    start_scope()
    defaultclock.dt = 0.1*ms
    G = NeuronGroup(1, eqs, method=method, namespace=namespace, **kw)
    for name, value in init.items():
        setattr(G, name, value)
    spikes = SpikeMonitor(G)
    trace = StateMonitor(G, var, record=0, dt=1*ms)
    drive = []
    for times, on_pre in spikes_in:
        src = SpikeGeneratorGroup(1, np.zeros(len(times), dtype=int), times)
        syn = Synapses(src, G, on_pre=on_pre, namespace=namespace)
        syn.connect()
        syn.pre.when = 'after_resets'
        drive += [src, syn]
    Network(G, spikes, trace, *drive).run(duration, namespace=namespace)
    header = (f'# spike times in seconds, Brian2 {brian2.__version__}, '
              f'dt=0.1 ms, method={method}')
    with open(os.path.join(outdir, f'{case}.spikes.csv'), 'w') as f:
        f.write(header + '\n')
        f.writelines('%.17g\n' % t for t in spikes.t_)
    with open(os.path.join(outdir, f'{case}.v.csv'), 'w') as f:
        f.write(f'# t_s,{var}_SI\n')
        f.writelines('%.17g,%.17g\n' % (t, v)
                     for t, v in zip(trace.t_, getattr(trace, var + '_')[0]))
    first = ', '.join('%.1f' % (t*1e3) for t in spikes.t_[:3])
    print(f'{case:14s} method={method:17s} spikes={len(spikes.t_):3d} '
          f'first(ms)=[{first}]')


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'data')
    os.makedirs(outdir, exist_ok=True)

    for case, (a, b, c, d) in IZH.items():
        ns = {'a': a, 'b': b, 'c': c, 'd': d, 'I': 10.0, 'ms': ms}
        simulate(outdir, case, IZH_EQS, ns, {'v': -65.0, 'u': b*-65.0},
                 300*ms, 'rk4', threshold='v >= 30',
                 reset='v = c; u = u + d')

    for case, p in ADEX.items():
        C, gL, EL, VT, DeltaT, a, tau_w, b, Vr, I_amp = p
        ns = {'C': C*pF, 'gL': gL*nS, 'EL': EL*mV, 'VT': VT*mV,
              'DeltaT': DeltaT*mV, 'a': a*nS, 'tau_w': tau_w*ms, 'b': b*pA,
              'Vr': Vr*mV, 'I_amp': I_amp*pA, 'ms': ms}
        simulate(outdir, case, ADEX_EQS, ns, {'v': EL*mV, 'w': 0*pA},
                 500*ms, 'rk4', threshold='v > VT + 5*DeltaT',
                 reset='v = Vr; w += b')

    m0, h0, n0 = hh_steady_state(-65.0)
    print(f'HH initial gates at -65 mV: m0={m0!r} h0={h0!r} n0={n0!r}')
    for case, I_amp in HH.items():
        ns = {'Cm': 1*uF/cm**2, 'gNa': 120*mS/cm**2, 'gK': 36*mS/cm**2,
              'gL': 0.3*mS/cm**2, 'ENa': 50*mV, 'EK': -77*mV,
              'EL': -54.387*mV, 'I_amp': I_amp*uA/cm**2, 'ms': ms, 'mV': mV}
        init = {'v': -65*mV, 'm': m0, 'h': h0, 'n': n0}
        simulate(outdir, case, HH_EQS, ns, init, 150*ms, 'exponential_euler',
                 threshold='v > -20*mV', refractory='v > -20*mV')


if __name__ == '__main__':
    main()
