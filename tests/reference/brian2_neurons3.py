#!/usr/bin/python3
"""Brian2 reference data for the neurons of std/neurons added with issue 17.

Usage:  /usr/bin/python3 tests/reference/brian2_neurons3.py [OUTDIR]
        (OUTDIR defaults to tests/reference/data)

Writes the same two files per case as brian2_neurons.py (whose `simulate` it uses:
numpy code generation, float64, dt = 0.1 ms, one fresh network per case):
OUTDIR/<case>.spikes.csv and OUTDIR/<case>.v.csv (the traced variable every 1 ms, SI).
Input spikes are given to Brian2 0.1 ms before Axon's listed times (Brian2 stamps a
spike at the start of the step, Axon at its end) and delivered after the resets.

1. Conductance-based AdEx (stdlib AdExCond, defaults), rk4, 500 ms:
     C v' = -gL (v - EL) + gL DT exp((v - VT)/DT) + ge (Ee - v) + gi (Ei - v) - w + I
     tau_w w' = a (v - EL) - w,  ge' = -ge/tau_e,  gi' = -gi/tau_i
     C = 200 pF, gL = 10 nS, EL = -65 mV, VT = -50 mV, DT = 2 mV, a = 4 nS,
     tau_w = 500 ms, b = 20 pA, Vr = -65 mV, Ee = 0 mV, Ei = -80 mV, tau_e = tau_i = 5 ms;
     threshold v > VT + 5 DT, reset v = Vr; w += b, refractory 5 ms (v held).
     I = 250 pA for 20 <= t < 420 ms; excitatory spikes ge += 3 nS at 50, 54, ..., 90 ms
     and inhibitory gi += 10 nS at 250, 255, ..., 290 ms (Axon's times).  adexc_drive.
2. Traub-Miles (Brian2's COBAHH example, whole cell of 20000 um^2), exponential Euler,
   200 ms, the example's equations; threshold v > -20 mV, refractory 3 ms (only blocks
   spikes); v(0) = -60 mV, gates 0. I = 0.3 nA for 20 <= t < 170 ms and the same
   excitatory (ge += 6 nS) and inhibitory (gi += 67 nS) volleys at 100, 102, ..., 120 ms
   and 140, 145, ..., 160 ms.  tm_drive.
3. Morris-Lecar (Rinzel & Ermentrout 1998, "Hopf"), rk4, 500 ms:
     C v' = -gL (v - EL) - gCa m_inf (v - ECa) - gK w (v - EK) + I,  w' = phi (w_inf - w)/tau_w
     m_inf = (1 + tanh((v - V1)/V2))/2, w_inf = (1 + tanh((v - V3)/V4))/2,
     tau_w = 1/cosh((v - V3)/(2 V4)); C = 20 uF/cm2, gL = 2, gCa = 4.4, gK = 8 mS/cm2,
     EL = -60, ECa = 120, EK = -84, V1 = -1.2, V2 = 18, V3 = 2, V4 = 30 mV, phi = 0.04/ms;
     v(0) = -60 mV, w(0) = w_inf(-60 mV); threshold and refractory v > 0 mV.
     ml_i100: I = 100 uA/cm2; ml_i60: I = 60 uA/cm2 (rest).
4. Hindmarsh-Rose, rk4, 1000 ms (x traced):
     x' = (y - x^3 + 3 x^2 - z + I)/ms, y' = (1 - 5 x^2 - y)/ms, z' = r (4 (x + 1.6) - z)/ms
     x(0) = -1.6, y(0) = 1 - 5*1.6^2, z(0) = 0; threshold and refractory x > 1.
     hr_burst: r = 0.006, I = 3; hr_spike: r = 0.006, I = 1.5.
5. Jansen-Rit, rk4, 1000 ms, v = y1 - y2 traced, no spikes; A = 3.25 mV, B = 22 mV,
   a = 100/s, b = 50/s, C = 135, e0 = 2.5 Hz, v0 = 6 mV, r = 0.56/mV, everything 0 at
   t = 0, threshold False (std/neurons/oscillators has the equations). jr_p220: p = 220 Hz;
   jr_p120: p = 120 Hz.
"""
import os
import sys

sys.dont_write_bytecode = True  # nothing written next to the script

import numpy as np
from brian2 import ms, mV, uA, uF, mS, cm, nA, nS, pA, pF, Hz, second, umetre, siemens

from brian2_neurons import simulate

ADEXC_EQS = '''
dv/dt = (-gL*(v - EL) + gL*DT*exp((v - VT)/DT) + ge*(Ee - v) + gi*(Ei - v) - w + I)/C
        : volt (unless refractory)
dw/dt = (a*(v - EL) - w)/tau_w : amp
dge/dt = -ge/tau_e : siemens
dgi/dt = -gi/tau_i : siemens
I = 250*pA*int(t >= 20*ms)*int(t < 420*ms) : amp
'''

TM_EQS = '''
dv/dt = (gl*(El-v)+ge*(Ee-v)+gi*(Ei-v)-
         g_na*(m*m*m)*h*(v-ENa)-
         g_kd*(n*n*n*n)*(v-EK) + I)/Cm : volt
dm/dt = alpha_m*(1-m)-beta_m*m : 1
dn/dt = alpha_n*(1-n)-beta_n*n : 1
dh/dt = alpha_h*(1-h)-beta_h*h : 1
dge/dt = -ge*(1./taue) : siemens
dgi/dt = -gi*(1./taui) : siemens
alpha_m = 0.32*(mV**-1)*4*mV/exprel((13*mV-v+VT)/(4*mV))/ms : Hz
beta_m = 0.28*(mV**-1)*5*mV/exprel((v-VT-40*mV)/(5*mV))/ms : Hz
alpha_h = 0.128*exp((17*mV-v+VT)/(18*mV))/ms : Hz
beta_h = 4./(1+exp((40*mV-v+VT)/(5*mV)))/ms : Hz
alpha_n = 0.032*(mV**-1)*5*mV/exprel((15*mV-v+VT)/(5*mV))/ms : Hz
beta_n = .5*exp((10*mV-v+VT)/(40*mV))/ms : Hz
I = 0.3*nA*int(t >= 20*ms)*int(t < 170*ms) : amp
'''

ML_EQS = '''
dv/dt = (-gL*(v - EL) - gCa*m_inf*(v - ECa) - gK*w*(v - EK) + I)/C : volt
dw/dt = phi*(w_inf - w)/tau_w : 1
m_inf = (1 + tanh((v - V1)/V2))/2 : 1
w_inf = (1 + tanh((v - V3)/V4))/2 : 1
tau_w = 1/cosh((v - V3)/(2*V4)) : 1
'''

HR_EQS = '''
dx/dt = (y - x**3 + 3*x**2 - z + I)/ms : 1
dy/dt = (1 - 5*x**2 - y)/ms : 1
dz/dt = r*(4*(x + 1.6) - z)/ms : 1
'''

JR_EQS = '''
dy0/dt = y3 : volt
dy1/dt = y4 : volt
dy2/dt = y5 : volt
dy3/dt = A*a*S_py - 2*a*y3 - a**2*y0 : volt/second
dy4/dt = A*a*(p + 0.8*C*S_ex) - 2*a*y4 - a**2*y1 : volt/second
dy5/dt = B*b*C/4*S_in - 2*b*y5 - b**2*y2 : volt/second
S_py = 2*e0/(1 + exp(r*(v0 - (y1 - y2)))) : Hz
S_ex = 2*e0/(1 + exp(r*(v0 - C*y0))) : Hz
S_in = 2*e0/(1 + exp(r*(v0 - C/4*y0))) : Hz
v = y1 - y2 : volt
'''


def times(start, stop, step):
    """Axon's spike times start, start + step, ..., stop (ms), as Brian2 times."""
    return (np.arange(start, stop + step / 2, step) - 0.1) * ms


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'data')
    os.makedirs(outdir, exist_ok=True)

    ns = {'C': 200*pF, 'gL': 10*nS, 'EL': -65*mV, 'VT': -50*mV, 'DT': 2*mV, 'a': 4*nS,
          'tau_w': 500*ms, 'b': 20*pA, 'Vr': -65*mV, 'Ee': 0*mV, 'Ei': -80*mV,
          'tau_e': 5*ms, 'tau_i': 5*ms}
    simulate(outdir, 'adexc_drive', ADEXC_EQS, ns, {'v': -65*mV}, 500*ms, 'rk4',
             spikes_in=[(times(50, 90, 4), 'ge_post += 3*nS'),
                        (times(250, 290, 5), 'gi_post += 10*nS')],
             threshold='v > VT + 5*DT', reset='v = Vr; w += b', refractory=5*ms)

    area = 20000*umetre**2
    ns = {'Cm': 1*uF*cm**-2*area, 'gl': 5e-5*siemens*cm**-2*area, 'El': -60*mV,
          'EK': -90*mV, 'ENa': 50*mV, 'g_na': 100*mS*cm**-2*area,
          'g_kd': 30*mS*cm**-2*area, 'VT': -63*mV, 'taue': 5*ms, 'taui': 10*ms,
          'Ee': 0*mV, 'Ei': -80*mV}
    simulate(outdir, 'tm_drive', TM_EQS, ns, {'v': -60*mV}, 200*ms, 'exponential_euler',
             spikes_in=[(times(100, 120, 2), 'ge_post += 6*nS'),
                        (times(140, 160, 5), 'gi_post += 67*nS')],
             threshold='v > -20*mV', refractory=3*ms)

    for case, I in [('ml_i100', 100), ('ml_i60', 60)]:
        ns = {'C': 20*uF/cm**2, 'gL': 2*mS/cm**2, 'gCa': 4.4*mS/cm**2, 'gK': 8*mS/cm**2,
              'EL': -60*mV, 'ECa': 120*mV, 'EK': -84*mV, 'V1': -1.2*mV, 'V2': 18*mV,
              'V3': 2*mV, 'V4': 30*mV, 'phi': 0.04/ms, 'I': I*uA/cm**2}
        w0 = (1 + np.tanh((-60 - 2) / 30)) / 2
        simulate(outdir, case, ML_EQS, ns, {'v': -60*mV, 'w': w0}, 500*ms, 'rk4',
                 threshold='v > 0*mV', refractory='v > 0*mV')

    for case, r, I in [('hr_burst', 0.006, 3.0), ('hr_spike', 0.006, 1.5)]:
        simulate(outdir, case, HR_EQS, {'r': r, 'I': I}, {'x': -1.6, 'y': 1 - 5 * 1.6**2},
                 1000*ms, 'rk4', var='x', threshold='x > 1', refractory='x > 1')

    for case, p in [('jr_p220', 220), ('jr_p120', 120)]:
        ns = {'A': 3.25*mV, 'B': 22*mV, 'a': 100/second, 'b': 50/second, 'C': 135,
              'e0': 2.5*Hz, 'v0': 6*mV, 'r': 0.56/mV, 'p': p*Hz}
        simulate(outdir, case, JR_EQS, ns, {}, 1000*ms, 'rk4', threshold='False')


if __name__ == '__main__':
    main()
