#!/usr/bin/python3
"""Brian2 reference statistics for Axon's example networks.

Usage:  /usr/bin/python3 tests/reference/brian2_networks.py [OUTFILE]
            [--seeds S] [--cases coba,cuba,...]
        (OUTFILE defaults to tests/reference/data/networks.json; seeds 1..S,
        by default S = 20 for coba and cuba, 5 for the Brunel cases)

Simulates, in Brian2 (cython code generation, float64, dt = 0.1 ms), the
networks of examples/coba.axon, examples/cuba.axon and examples/brunel.axon
with seeds 1..S (Brian2's seed()), and stores per seed and population the statistics of
netstats.py (rate, cv, fano, sync) over t in [0.1 s, 1 s). Axon's statistics
should fall inside Brian2's seed-to-seed spread.

Cases (all 1 s; the Axon command that makes the matching recordings):
  coba       examples/coba.axon, N = 4000, p = 0.02 (LIFCond, exponential
             Euler; Exc w = 6 nS, Inh w = 67 nS, delay 0.1 ms).
             axon run examples/coba.axon -o DIR --seed S
  cuba       examples/cuba.axon, N = 4000, p = 0.02 (CUBALIF, exact; ExcV
             1.62 mV, InhV -9 mV, no delay).
             axon run examples/cuba.axon -o DIR --seed S
  brunel_sr  examples/brunel.axon with N = 5000, g = 3, eta = 2 (exact):
             NE = 4000, NI = 1000, CE = 400, CI = 100,
             nu_thr = 20 mV / (J CE tau_m) = 25 Hz, X = 4000 sources at 50 Hz.
             axon run examples/brunel.axon --set N=5000 --set g=3 --set eta=2
  brunel_ai  the same with g = 5, eta = 2.
  brunel_noise  examples/brunel_noise.axon (N = 5000, g = 5, eta = 2): as
             brunel_ai, with the external Poisson input replaced by its
             diffusion approximation (Brunel 2000), white noise with mean
             mu_ext = J CE nu_ext tau_m = 40 mV and standard deviation
             sigma_ext = J sqrt(CE nu_ext tau_m / 2) = 1.41 mV of the free
             membrane: dv/dt = (mu_ext - v)/tau_m + sigma_ext sqrt(2/tau_m) xi,
             method euler (Brian2's Euler-Maruyama; Axon integrates the
             Ornstein-Uhlenbeck part exactly, which differs by O(dt/tau_m)).
             axon run examples/brunel_noise.axon -o DIR --seed S;
             written to its own file: tests/reference/brian2_networks.py
             tests/reference/data/brunel_noise.json --cases brunel_noise
  brunel_ai_12500  examples/brunel.axon as it stands (N = 12500, g = 5,
             eta = 2: CE = 1000, CI = 250, X = 10000 sources at 20 Hz), the
             size of Brunel (2000). axon run examples/brunel.axon
Note that scaling Brunel's network down with J fixed changes the regime
(J CE halves): at N = 5000, g = 5 the neurons fire fairly regularly at
~65 Hz (CV ~0.27); at N = 12500 at ~38 Hz (CV ~0.46), with a strong fast
oscillation of the population rate in both. With input ignored during
refractoriness (below), g = 3 fires at about 190 Hz.

Axon semantics mirrored here:
  - per step: state update (refractory count first), threshold on the
    updated state, reset, *then* synaptic delivery (Axon delivers after every
    population's update and reset; Brian2's default slot 'synapses' lies
    before 'resets', so every pathway is moved to 'after_resets'). This only
    matters for an input that arrives at a neuron in the step it spikes: it
    then acts on the reset value (Axon) instead of being overwritten.
  - refractory t_ref with `(unless refractory)` on v only: v is held in the
    state update for t_ref, and synaptic jumps (`post.v += w`, Brunel)
    arriving while the neuron is refractory are dropped, as Brian2 does by
    default and as Axon does (Axon masks writes to held variables with the
    target's refractory flag). `--additive-refractory` lets the jumps add
    anyway (Axon's behaviour before this was matched; g = 3 then saturates
    at 500 Hz instead of ~190 Hz).
  - random(p): every (i, j) pair independently with probability p,
    autapses allowed (Axon's default; Brian2's connect(p=p)).
  - fixed_indegree(k): every target gets k distinct sources drawn uniformly
    (autapses allowed): connect(i='k for k in sample(N_pre, size=K)').
  - PoissonSource: spike when rand() < rate * dt (Brian2's PoissonGroup).
  - initial values as in the examples (COBA: v ~ U(-60, -50) mV,
    ge ~ N(40, 15) nS, gi ~ N(200, 120) nS, no clipping; CUBA:
    v ~ U(-60, -50) mV, ge = gi = 0; Brunel: v = 0).
  - spike times are converted to Axon's stamps (Brian2's t + dt) before the
    statistics are computed (netstats.py documents the convention).
The random streams differ of course: only distributions can be compared.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import brian2
from brian2 import (NeuronGroup, PoissonGroup, Synapses, SpikeMonitor,
                    Network, start_scope, defaultclock, prefs, seed,
                    ms, mV, pF, nS, Hz, second)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netstats  # noqa: E402

prefs.codegen.target = 'cython'
prefs.core.default_float_dtype = np.float64

DT = 0.1*ms
DURATION = 1*second
T_START, T_END = 0.1, 1.0    # s, the analysis window
NATIVE_REFRACTORY = True     # --additive-refractory turns it off

LIFCOND_EQS = '''
dv/dt = (g_L*(E_L - v) + ge*(E_e - v) + gi*(E_i - v))/C : volt (unless refractory)
dge/dt = -ge/tau_e : siemens
dgi/dt = -gi/tau_i : siemens
'''
LIFCOND_NS = {'C': 200*pF, 'g_L': 10*nS, 'E_L': -60*mV, 'v_th': -50*mV,
              'v_reset': -60*mV, 't_ref': 5*ms, 'E_e': 0*mV, 'E_i': -80*mV,
              'tau_e': 5*ms, 'tau_i': 10*ms}

CUBALIF_EQS = '''
dv/dt = (ge + gi - (v - E_L))/tau_m : volt (unless refractory)
dge/dt = -ge/tau_e : volt
dgi/dt = -gi/tau_i : volt
'''
CUBALIF_NS = {'tau_m': 20*ms, 'tau_e': 5*ms, 'tau_i': 10*ms, 'v_th': -50*mV,
              'v_reset': -60*mV, 'E_L': -49*mV, 't_ref': 5*ms}

BRUNEL_EQS = 'dv/dt = -v/tau_m : volt (unless refractory)'
BRUNEL_NS = {'tau_m': 20*ms, 'theta': 20*mV, 'v_reset': 10*mV,
             't_ref': 2*ms}


def axon_refractory(*groups):
    """Let synaptic jumps reach v during the refractory period, as in Axon.

    `(unless refractory)` makes Brian2 multiply dv/dt by int(not_refractory)
    (which holds v, like Axon) *and* mark v as conditionally written, so
    that every other write to v (a synapse's `v_post += w`) is silently
    dropped while the neuron is refractory. Axon only holds v in the state
    update; its deliveries always apply. Removing the conditional write
    keeps the hold and lets the jumps through.
    """
    if NATIVE_REFRACTORY:
        return
    for G in groups:
        G.variables['v'].conditional_write = None


def after_resets(*synapses):
    """Deliver after the reset, as Axon does."""
    for S in synapses:
        S.pre.when = 'after_resets'
    return synapses


def coba(N=4000, p=0.02):
    NE = N*4//5
    ns = dict(LIFCOND_NS)
    kw = dict(threshold='v > v_th', reset='v = v_reset', refractory='t_ref',
              method='exponential_euler', namespace=ns)
    E = NeuronGroup(NE, LIFCOND_EQS, name='E', **kw)
    I = NeuronGroup(N - NE, LIFCOND_EQS, name='I', **kw)
    axon_refractory(E, I)
    for P in (E, I):
        P.v = '-60*mV + 10*mV*rand()'
        P.ge = '40*nS + 15*nS*randn()'
        P.gi = '200*nS + 120*nS*randn()'
    syns = []
    for pre, var, w in ((E, 'ge', 6*nS), (I, 'gi', 67*nS)):
        for post in (E, I):
            S = Synapses(pre, post, on_pre=f'{var}_post += w', delay=0.1*ms,
                         namespace={'w': w})
            S.connect(p=p)
            syns.append(S)
    return {'E': E, 'I': I}, after_resets(*syns)


def cuba(N=4000, p=0.02):
    NE = N*4//5
    kw = dict(threshold='v > v_th', reset='v = v_reset', refractory='t_ref',
              method='exact', namespace=dict(CUBALIF_NS))
    E = NeuronGroup(NE, CUBALIF_EQS, name='E', **kw)
    I = NeuronGroup(N - NE, CUBALIF_EQS, name='I', **kw)
    axon_refractory(E, I)
    for P in (E, I):
        P.v = '-60*mV + 10*mV*rand()'
        P.ge = 0*mV
        P.gi = 0*mV
    syns = []
    for pre, var, w in ((E, 'ge', 1.62*mV), (I, 'gi', -9*mV)):
        for post in (E, I):
            S = Synapses(pre, post, on_pre=f'{var}_post += w',
                         namespace={'w': w})
            S.connect(p=p)
            syns.append(S)
    return {'E': E, 'I': I}, after_resets(*syns)


def brunel(N=5000, g=5, eta=2, J=0.1*mV, epsilon=0.1):
    NE = N*4//5
    NI = N - NE
    CE = int(round(epsilon*NE))
    CI = int(round(epsilon*NI))
    nu_thr = 20*mV/(J*CE*20*ms)
    kw = dict(threshold='v > theta', reset='v = v_reset', refractory='t_ref',
              method='exact', namespace=dict(BRUNEL_NS))
    E = NeuronGroup(NE, BRUNEL_EQS, name='E', **kw)
    I = NeuronGroup(NI, BRUNEL_EQS, name='I', **kw)
    axon_refractory(E, I)
    E.v = 0*mV
    I.v = 0*mV
    X = PoissonGroup(NE, rates=eta*nu_thr, name='X')
    syns = []
    for pre, w, K in ((E, J, CE), (I, -g*J, CI), (X, J, CE)):
        for post in (E, I):
            S = Synapses(pre, post, on_pre='v_post += w', delay=1.5*ms,
                         namespace={'w': w})
            S.connect(i=f'k for k in sample(N_pre, size={K})')
            syns.append(S)
    return {'E': E, 'I': I, 'X': X}, after_resets(*syns)


BRUNEL_NOISE_EQS = ('dv/dt = (mu_ext - v)/tau_m + sigma_ext*sqrt(2/tau_m)*xi : volt '
                    '(unless refractory)')


def brunel_noise(N=5000, g=5, eta=2, J=0.1*mV, epsilon=0.1):
    NE = N*4//5
    NI = N - NE
    CE = int(round(epsilon*NE))
    CI = int(round(epsilon*NI))
    tau_m = BRUNEL_NS['tau_m']
    nu_ext = eta*20*mV/(J*CE*tau_m)
    ns = dict(BRUNEL_NS, mu_ext=J*CE*nu_ext*tau_m,
              sigma_ext=J*np.sqrt(CE*float(nu_ext*tau_m)/2))
    kw = dict(threshold='v > theta', reset='v = v_reset', refractory='t_ref',
              method='euler', namespace=ns)
    E = NeuronGroup(NE, BRUNEL_NOISE_EQS, name='E', **kw)
    I = NeuronGroup(NI, BRUNEL_NOISE_EQS, name='I', **kw)
    axon_refractory(E, I)
    E.v = 0*mV
    I.v = 0*mV
    syns = []
    for pre, w, K in ((E, J, CE), (I, -g*J, CI)):
        for post in (E, I):
            S = Synapses(pre, post, on_pre='v_post += w', delay=1.5*ms,
                         namespace={'w': w})
            S.connect(i=f'k for k in sample(N_pre, size={K})')
            syns.append(S)
    return {'E': E, 'I': I}, after_resets(*syns)


CASES = {
    'coba': (coba, {}),
    'cuba': (cuba, {}),
    'brunel_sr': (brunel, {'N': 5000, 'g': 3, 'eta': 2}),
    'brunel_ai': (brunel, {'N': 5000, 'g': 5, 'eta': 2}),
    'brunel_ai_12500': (brunel, {'N': 12500, 'g': 5, 'eta': 2}),
    'brunel_noise': (brunel_noise, {'N': 5000, 'g': 5, 'eta': 2}),
}


def simulate(case, s):
    start_scope()
    defaultclock.dt = DT
    seed(s)
    build, args = CASES[case]
    pops, syns = build(**args)
    mons = {k: SpikeMonitor(pops[k]) for k in ('E', 'I')}
    net = Network(*pops.values(), *syns, *mons.values())
    net.run(DURATION)
    dt = float(DT)
    out = {}
    for k, m in mons.items():
        # Axon's stamp: the end of the step, Brian2's t + dt
        t = (np.rint(m.t_/dt) + 1)*dt
        out[k] = netstats.all_stats(t, m.i[:], len(pops[k]), T_START, T_END,
                                    dt)
    return out


DEFINITION = {
    'module': 'tests/reference/netstats.py (all_stats); its docstring is '
              'the exact definition',
    'spike_times': "Axon's convention: a spike of step n (covering "
                   "[n dt, (n+1) dt)) is stamped (n+1) dt; Brian2 times "
                   "+ dt. Statistics work on step numbers n = rint(t/dt) - 1",
    'window': 'steps n with rint(t_start/dt) <= n < rint(t_end/dt), '
              't_start = 0.1 s, t_end = 1.0 s (first 100 ms discarded)',
    'populations': 'E and I separately, all neurons of the population '
                   '(N = its size, silent neurons included)',
    'layout': 'top level: one entry per case (listed in "cases"): '
              '{"seeds", "args" (module arguments), "E": {stat: [one value '
              'per seed]}, "I": {...}}',
    'rate': 'spikes in the window / (N * 0.9 s), Hz, silent neurons '
            'included',
    'cv': 'mean over neurons with >= 3 spikes in the window of '
          'std(ISI)/mean(ISI), ddof = 0',
    'fano': 'population spike count in 10 ms bins (90 bins): var (ddof=0) '
            '/ mean',
    'sync': 'population spike count in 1 ms bins (900 bins): var (ddof=0) '
            '/ mean',
    'axon_runs': {
        'coba': 'axon run examples/coba.axon -o DIR --seed S',
        'cuba': 'axon run examples/cuba.axon -o DIR --seed S',
        'brunel_sr': 'axon run examples/brunel.axon --set N=5000 --set g=3 '
                     '--set eta=2 -o DIR --seed S',
        'brunel_ai': 'axon run examples/brunel.axon --set N=5000 --set g=5 '
                     '--set eta=2 -o DIR --seed S',
        'brunel_ai_12500': 'axon run examples/brunel.axon -o DIR --seed S',
        'brunel_noise': 'axon run examples/brunel_noise.axon -o DIR --seed S',
    },
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('outfile', nargs='?', default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), 'data', 'networks.json'))
    ap.add_argument('--seeds', type=int, default=None,
                    help='seeds 1..S for every case (default: 20 for coba '
                         'and cuba, 5 for the Brunel cases)')
    ap.add_argument('--cases', default=','.join(c for c in CASES if c != 'brunel_noise'))
    ap.add_argument('--additive-refractory', action='store_true',
                    help="let synaptic writes to v add during refractoriness "
                         "(not Brian2's default, nor Axon's)")
    a = ap.parse_args()
    global NATIVE_REFRACTORY
    NATIVE_REFRACTORY = not a.additive_refractory
    result = {'brian2': brian2.__version__, 'dt': float(DT),
              'duration': float(DURATION), 't_start': T_START,
              't_end': T_END, 'codegen': prefs.codegen.target,
              'refractory': 'brian2-native' if not a.additive_refractory
              else 'additive (synaptic writes to v apply while refractory)',
              'cases': [], 'definition': DEFINITION}
    for case in a.cases.split(','):
        nseeds = a.seeds or (20 if case in ('coba', 'cuba') else 5)
        seeds = list(range(1, nseeds + 1))
        res = {'seeds': seeds, 'args': CASES[case][1],
               'E': {k: [] for k in netstats.STATS},
               'I': {k: [] for k in netstats.STATS}}
        for s in seeds:
            t0 = time.time()
            st = simulate(case, s)
            for pop in ('E', 'I'):
                for k, v in st[pop].items():
                    res[pop][k].append(v)
            print(f'{case:10s} seed {s}: ' + '  '.join(
                f'{pop} ' + ' '.join(f'{k}={v:.3g}' for k, v in st[pop].items())
                for pop in ('E', 'I')) + f'  ({time.time() - t0:.0f} s)',
                flush=True)
        result[case] = res
        result['cases'].append(case)
    os.makedirs(os.path.dirname(os.path.abspath(a.outfile)), exist_ok=True)
    with open(a.outfile, 'w') as f:
        json.dump(result, f, indent=1)
    print('summary (mean ± sd over seeds):')
    for case in result['cases']:
        res = result[case]
        for pop in ('E', 'I'):
            print(f'{case:10s} {pop} ' + '  '.join(
                f'{k}={np.mean(v):.3g}±{np.std(v, ddof=1) if len(v) > 1 else 0:.2g}'
                for k, v in res[pop].items()))


if __name__ == '__main__':
    main()
