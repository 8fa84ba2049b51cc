#!/usr/bin/python3
"""Brian2 reference for short-term plasticity: the order of `on pre` and per-step synapse
equations within a step (docs/language.md, "How synapse dynamics run").

Usage:  /usr/bin/python3 tests/reference/brian2_stp.py [OUTFILE]
        (OUTFILE defaults to tests/reference/data/stp.csv)

One presynaptic neuron (a SpikeGeneratorGroup) fires at 10, 30, ..., 190 ms and 400 ms
(Axon's times: Brian2 stamps the same spike one step earlier, so it is given 0.1 ms less)
onto one conductance-based membrane through a Tsodyks-Markram synapse:

    u' = (U - u) / tau_fac,  x' = (1 - x) / tau_rec       (U = 0.2, tau_fac = 50 ms,
    on_pre: u += U (1 - u); ge_post += A u x; x -= u x       tau_rec = 100 ms, A = 4 nS)

once with u and x `clock-driven` (integrated every step, method exact) and once
`event-driven`, as tests/validation/stp.axon does. The membrane:

    C v' = g_L (E_L - v) + ge (E_e - v),  ge' = -ge / tau_e
    (C = 200 pF, g_L = 10 nS, E_L = -60 mV, E_e = 0 mV, tau_e = 5 ms, v(0) = E_L)

integrated by exponential Euler (Axon's choice for this system), dt = 0.1 ms, 450 ms,
numpy code generation, float64. Written: columns t_s (the end of a step, Axon's sampling
time), ge and v of the clock-driven case, ge and v of the event-driven case, in SI (the
values after that step), every 0.5 ms (the step that ends then), 12 significant digits.
"""
import os
import sys

import numpy as np
from brian2 import (NeuronGroup, SpikeGeneratorGroup, StateMonitor, Synapses, defaultclock, ms,
                    mV, nS, pF, prefs, run, start_scope)
import brian2

prefs.codegen.target = "numpy"
TIMES = [10, 30, 50, 70, 90, 110, 130, 150, 170, 190, 400]


def simulate(mode):
    start_scope()
    defaultclock.dt = 0.1 * ms
    S = SpikeGeneratorGroup(1, [0] * len(TIMES), (np.array(TIMES) - 0.1) * ms)
    P = NeuronGroup(1, """dv/dt = (10*nS * (-60*mV - v) + ge * (0*mV - v)) / (200*pF) : volt
                          dge/dt = -ge / (5*ms) : siemens""", method="exponential_euler")
    P.v = -60 * mV
    syn = Synapses(S, P, """U : 1
        du/dt = (U - u) / (50*ms) : 1 (%s)
        dx/dt = (1 - x) / (100*ms) : 1 (%s)""" % (mode, mode),
                   on_pre="""u += U * (1 - u)
        ge_post += 4*nS * u * x
        x -= u * x""", method="exact")
    syn.connect()
    syn.U = 0.2
    syn.u = 0.2
    syn.x = 1
    # the value after each step: recorded at the start of the next one
    M = StateMonitor(P, ["ge", "v"], record=0, when="end")
    run(450 * ms)
    return np.asarray(M.t / ms) * 1e-3 + 1e-4, np.asarray(M.ge[0] / nS) * 1e-9, \
        np.asarray(M.v[0] / mV) * 1e-3


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "data", "stp.csv")
    t, ge_c, v_c = simulate("clock-driven")
    _, ge_e, v_e = simulate("event-driven")
    with open(out, "w") as f:
        f.write("# Brian2 %s, dt=0.1 ms: t_s,ge_clock_S,v_clock_V,ge_event_S,v_event_V\n"
                % brian2.__version__)
        for k, row in enumerate(zip(t, ge_c, v_c, ge_e, v_e)):
            if k % 5 == 4:
                f.write(",".join("%.12g" % x for x in row) + "\n")


if __name__ == "__main__":
    main()
