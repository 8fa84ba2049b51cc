#!/usr/bin/python3
"""Brian2 reference data for the Wang-Buzsaki neuron and refractoriness that does not clamp.

Usage:  /usr/bin/python3 tests/reference/brian2_neurons2.py [OUTDIR]
        (OUTDIR defaults to tests/reference/data)

Writes the same two files per case as brian2_neurons.py (whose `simulate` it uses:
numpy code generation, float64, dt = 0.1 ms, one fresh network per case):
OUTDIR/<case>.spikes.csv and OUTDIR/<case>.v.csv (v every 1 ms, in volts).

1. Wang & Buzsaki (1996), Brian2's examples/frompapers/Wang_Buzsaki_1996.py with a
   threshold added, method='exponential_euler', 200 ms. With u = v/mV:
     dv/dt = (-gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK) - gL*(v - EL) + I)/Cm
     m = alpha_m/(alpha_m + beta_m)             (instantaneous)
     alpha_m = 0.1*10/exprel(-(u + 35)/10)/ms,  beta_m = 4*exp(-(u + 60)/18)/ms
     dh/dt = 5*(alpha_h*(1 - h) - beta_h*h)
     alpha_h = 0.07*exp(-(u + 58)/20)/ms,       beta_h = 1/(exp(-0.1*(u + 28)) + 1)/ms
     dn/dt = 5*(alpha_n*(1 - n) - beta_n*n)
     alpha_n = 0.01*10/exprel(-(u + 34)/10)/ms, beta_n = 0.125*exp(-(u + 44)/80)/ms
     Cm = 1 uF/cm**2, gNa = 35, gK = 9, gL = 0.1 mS/cm**2, ENa = 55 mV, EK = -90 mV,
     EL = -65 mV; v(0) = -70 mV, h(0) = 1, n(0) = 0 (as the example);
     threshold 'v > -20*mV', refractory 'v > -20*mV' (one spike per upstroke).
   wb_i1: I = 1 uA/cm**2,  wb_i2: I = 2 uA/cm**2 (constant).

2. LIF whose refractoriness only blocks spikes (no `(unless refractory)`),
   method='exact', 200 ms:
     dv/dt = (EL - v + R*I)/tau, tau = 20 ms, EL = -65 mV, R = 100 Mohm, I = 1 nA,
     threshold 'v > -50*mV', reset 'v = -65*mV', refractory 5 ms; v(0) = -65 mV.
   During the 5 ms v rises past the threshold again (it needs 3.25 ms), so every spike
   comes when the refractory period ends.
   lif_free.
"""
import os
import sys

sys.dont_write_bytecode = True  # nothing written next to the script

from brian2 import ms, mV, uA, uF, mS, cm, nA, Mohm

from brian2_neurons import simulate

WB_EQS = '''
dv/dt = (-gNa*m**3*h*(v - ENa) - gK*n**4*(v - EK) - gL*(v - EL) + I)/Cm : volt
m = alpha_m/(alpha_m + beta_m) : 1
alpha_m = 0.1*10/exprel(-(v/mV + 35)/10)/ms : Hz
beta_m = 4*exp(-(v/mV + 60)/18)/ms : Hz
dh/dt = 5*(alpha_h*(1 - h) - beta_h*h) : 1
alpha_h = 0.07*exp(-(v/mV + 58)/20)/ms : Hz
beta_h = 1/(exp(-0.1*(v/mV + 28)) + 1)/ms : Hz
dn/dt = 5*(alpha_n*(1 - n) - beta_n*n) : 1
alpha_n = 0.01*10/exprel(-(v/mV + 34)/10)/ms : Hz
beta_n = 0.125*exp(-(v/mV + 44)/80)/ms : Hz
'''

LIF_EQS = 'dv/dt = (EL - v + R*I)/tau : volt'


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'data')
    os.makedirs(outdir, exist_ok=True)
    for case, I in [('wb_i1', 1), ('wb_i2', 2)]:
        ns = {'Cm': 1*uF/cm**2, 'gNa': 35*mS/cm**2, 'gK': 9*mS/cm**2, 'gL': 0.1*mS/cm**2,
              'ENa': 55*mV, 'EK': -90*mV, 'EL': -65*mV, 'I': I*uA/cm**2, 'ms': ms, 'mV': mV}
        simulate(outdir, case, WB_EQS, ns, {'v': -70*mV, 'h': 1, 'n': 0}, 200*ms,
                 'exponential_euler', threshold='v > -20*mV', refractory='v > -20*mV')
    ns = {'EL': -65*mV, 'R': 100*Mohm, 'I': 1*nA, 'tau': 20*ms, 'mV': mV}
    simulate(outdir, 'lif_free', LIF_EQS, ns, {'v': -65*mV}, 200*ms, 'exact',
             threshold='v > -50*mV', reset='v = -65*mV', refractory=5*ms)


if __name__ == '__main__':
    main()
