#!/usr/bin/python3
"""Brian2 references for the synapses and rules of the standard library (issue 17).

Usage:  /usr/bin/python3 tests/reference/brian2_stdlib.py [OUTDIR] [--cases nmda,...]
        (OUTDIR defaults to tests/reference/data)

Brian2 2.5.1, numpy code generation, float64, dt = 0.1 ms. Presynaptic spikes come from a
SpikeGeneratorGroup given Axon's listed times minus 0.1 ms (Brian2 stamps a spike at the
start of its step, Axon at the end). Values are sampled at the end of a step (Axon's sample
time (n + 1) dt), 12 significant digits. tests/validation/check_stdlib.py compares
tests/validation/stdlib.axon with them.

nmda (OUTDIR/nmda.csv, every 0.5 ms, 400 ms): the NMDA synapse of std/synapses/nmda,
    x' = -x / tau_rise, s' = -s / tau_decay + alpha x (1 - s)   (clock-driven, exponential
    Euler, as Axon integrates them), on_pre: x += 1 (given two steps before Axon's times and
    delivered before the groups' updates: Axon's x jumps at the start of the step that ends
    at the stamp, docs/language.md "How synapse dynamics run"),
    I_post = w s (E - v_post) / (1 + Mg / 3.57 mM exp(-0.062 v_post / mV))   (summed),
    w = 1 nS, tau_rise = 2 ms, tau_decay = 100 ms, alpha = 0.5/ms, E = 0 mV, Mg = 1 mM,
    from one source firing at 10, 15, 20, 25, 30 and 200 ms onto five membranes clamped at
    v = -80, -60, -40, -20, 0 mV that integrate the current, q' = I / (100 pF), and onto a
    passive membrane C v' = g_L (E_L - v) + I (C = 100 pF, g_L = 5 nS, E_L = -70 mV, exact).
    Columns: t_s, q of the five clamped membranes (V), v of the passive one (V).
"""
import os
import sys

import numpy as np
import brian2
from brian2 import (Network, NeuronGroup, SpikeGeneratorGroup, StateMonitor, Synapses, defaultclock, ms,
                    mV, mM, nS, pF, prefs, start_scope)

prefs.codegen.target = "numpy"
prefs.core.default_float_dtype = np.float64


def source(times_ms, steps=1):
    """One neuron firing at Axon's times_ms, given to Brian2 `steps` steps earlier."""
    return SpikeGeneratorGroup(1, np.zeros(len(times_ms), dtype=int),
                               (np.array(times_ms) - 0.1 * steps) * ms)


def nmda(outdir):
    start_scope()
    defaultclock.dt = 0.1 * ms
    # Axon runs `on pre` and then the step's synapse equations, so x jumps at the start of
    # the step that ends at the spike's stamp T: Brian2 gets the spike one step earlier still
    # and delivers it before the groups' updates (the summed current of that step still
    # reads the old s, as Axon's `continuous` does)
    S = source([10, 15, 20, 25, 30, 200], steps=2)
    V = NeuronGroup(5, """v : volt (constant)
                          dq/dt = I / (100*pF) : volt
                          I : amp""", method="euler")
    V.v = "-80*mV + i*20*mV"
    M = NeuronGroup(1, """dv/dt = (5*nS * (-70*mV - v) + I) / (100*pF) : volt
                          I : amp""", method="exact")
    M.v = -70 * mV
    model = """ds/dt = -s / (100*ms) + 0.5/ms * x * (1 - s) : 1 (clock-driven)
               dx/dt = -x / (2*ms) : 1 (clock-driven)
               I_post = 1*nS * s * (0*mV - v_post) / (1 + 1*mM / (3.57*mM) * exp(-0.062 * v_post / mV)) : amp (summed)"""
    syns = []
    for target in (V, M):
        syn = Synapses(S, target, model, on_pre="x += 1", method="exponential_euler")
        syn.connect()
        syn.pre.when = "before_groups"
        syns.append(syn)
    mq = StateMonitor(V, "q", record=True, when="end")
    mv = StateMonitor(M, "v", record=0, when="end")
    Network(S, V, M, mq, mv, *syns).run(400 * ms)
    t = np.asarray(mq.t / ms) * 1e-3 + 1e-4
    cols = [t] + [np.asarray(mq.q[k] / mV) * 1e-3 for k in range(5)] + \
        [np.asarray(mv.v[0] / mV) * 1e-3]
    with open(os.path.join(outdir, "nmda.csv"), "w") as f:
        f.write("# Brian2 %s, dt=0.1 ms: t_s,q_-80mV_V,q_-60mV_V,q_-40mV_V,q_-20mV_V,q_0mV_V,"
                "v_passive_V\n" % brian2.__version__)
        for k, row in enumerate(zip(*cols)):
            if k % 5 == 4:
                f.write(",".join("%.12g" % x for x in row) + "\n")


CASES = {"nmda": nmda}


def main():
    args = sys.argv[1:]
    cases = list(CASES)
    if "--cases" in args:
        k = args.index("--cases")
        cases = args[k + 1].split(",")
        del args[k:k + 2]
    outdir = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
    os.makedirs(outdir, exist_ok=True)
    for case in cases:
        CASES[case](outdir)
        print("wrote", case)


if __name__ == "__main__":
    main()
