#!/usr/bin/python3
"""Brian2 reference for Song, Miller & Abbott (2000): additive STDP onto one neuron.

Usage:  /usr/bin/python3 tests/reference/brian2_song.py [OUTFILE] [--seeds S]
            [--duration SECONDS] [--no-profile] [--keep DIR]
        (OUTFILE defaults to tests/reference/data/song.json; seeds 1..S, S = 4;
        duration 100 s; --keep: build the last seed's standalone project in DIR and
        leave it there, so that bench/stdp/bench.py can run its ./main again)

The model is Brian2's own example (examples/synapses/STDP.py, after Song et
al. 2000), the same as examples/stdp_song.axon:
  1000 Poisson inputs at 15 Hz, all-to-all onto one LIF neuron
  (tau_m = 10 ms, E_l = -74 mV, v_t = -54 mV, v_r = -60 mV, E_e = 0 mV,
  dimensionless conductance ge with tau_e = 5 ms); additive pair STDP with
  all-to-all pairing: tau_pre = tau_post = 20 ms, dApre = 0.01 gmax,
  dApost = -1.05 dApre, weights clipped to [0, gmax], gmax = 0.01, initial
  weights rand() * gmax. dt = 0.1 ms.

Axon semantics mirrored: the neuron starts at v = v_r and is integrated by
exponential Euler (Axon's choice for this linear-in-v equation); synaptic
pathways run after resets (Axon delivers after every update and reset).
Brian2 runs in C++ standalone mode; its simulation loop time is recorded
too (bench/stdp reads it).

Per seed the file stores: the output rate over the last 10 s, the fractions
of weights below 0.1 gmax and above 0.9 gmax at the end, the mean weight,
and a 10-bin histogram of w / gmax.
"""
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np


def run(seed, duration, workdir, profile=True):
    import brian2 as b2
    from brian2 import ms, mV, Hz, second

    b2.set_device('cpp_standalone', directory=workdir, build_on_run=False)
    b2.device.reinit()
    b2.device.activate(directory=workdir, build_on_run=False)
    b2.prefs.devices.cpp_standalone.openmp_threads = 0
    b2.seed(seed)
    b2.defaultclock.dt = 0.1 * ms
    N = 1000
    taum = 10 * ms
    taupre = 20 * ms
    taupost = taupre
    Ee = 0 * mV
    vt = -54 * mV
    vr = -60 * mV
    El = -74 * mV
    taue = 5 * ms
    F = 15 * Hz
    gmax = .01
    dApre = .01
    dApost = -dApre * taupre / taupost * 1.05
    dApost *= gmax
    dApre *= gmax
    eqs = '''
    dv/dt = (ge * (Ee-v) + El - v) / taum : volt
    dge/dt = -ge / taue : 1
    '''
    inp = b2.PoissonGroup(N, rates=F)
    out = b2.NeuronGroup(1, eqs, threshold='v>vt', reset='v = vr',
                         method='exponential_euler')
    out.v = vr
    S = b2.Synapses(inp, out,
                    '''w : 1
                       dApre/dt = -Apre / taupre : 1 (event-driven)
                       dApost/dt = -Apost / taupost : 1 (event-driven)''',
                    on_pre='''ge += w
                              Apre += dApre
                              w = clip(w + Apost, 0, gmax)''',
                    on_post='''Apost += dApost
                               w = clip(w + Apre, 0, gmax)''')
    S.connect()
    S.w = 'rand() * gmax'
    for pw in S._pathways:
        pw.when = 'after_resets'
    sm = b2.SpikeMonitor(out)
    b2.run(duration * second, profile=profile)
    t0 = time.time()
    b2.device.build(directory=workdir, compile=True, run=True, debug=False)
    wall = time.time() - t0
    # the loop time of the simulation proper, from Brian2's profiling
    loop = float(sum(v for _, v in b2.magic_network.profiling_info) / second) \
        if profile and hasattr(b2, 'magic_network') else float('nan')
    run_s = float(getattr(b2.device, '_last_run_time', float('nan')))
    w = np.asarray(S.w[:]) / gmax
    ts = np.asarray(sm.t / second)
    rate_last = float(np.sum(ts >= duration - 10) / 10.0)
    hist = np.histogram(w, bins=10, range=(0, 1))[0].tolist()
    return {
        'seed': seed, 'rate_last10s': rate_last,
        'frac_low': float(np.mean(w < 0.1)), 'frac_high': float(np.mean(w > 0.9)),
        'mean_w': float(np.mean(w)), 'hist': hist,
        'spikes': int(len(ts)), 'build_and_run_s': wall, 'loop_s': loop, 'run_s': run_s,
    }


def main():
    args = sys.argv[1:]
    out = 'tests/reference/data/song.json'
    seeds, duration, profile, keep = 4, 100.0, True, None
    k = 0
    while k < len(args):
        if args[k] == '--seeds':
            seeds = int(args[k + 1])
            k += 2
        elif args[k] == '--no-profile':  # timing: profiling adds a clock read per object and step
            profile = False
            k += 1
        elif args[k] == '--keep':
            keep = args[k + 1]
            k += 2
        elif args[k] == '--duration':
            duration = float(args[k + 1])
            k += 2
        else:
            out = args[k]
            k += 1
    res = []
    for s in range(1, seeds + 1):
        last = keep is not None and s == seeds
        d = keep if last else tempfile.mkdtemp(prefix='axon_song_')
        try:
            r = run(s, duration, d, profile)
        finally:
            if not last:
                shutil.rmtree(d, ignore_errors=True)
        print(json.dumps(r), flush=True)
        res.append(r)
    doc = {'model': 'Song, Miller & Abbott (2000) as in Brian2 examples/synapses/STDP.py',
           'duration_s': duration, 'dt_s': 1e-4, 'brian2_version': __import__('brian2').__version__,
           'seeds': res}
    os.makedirs(os.path.dirname(out) or '.', exist_ok=True)
    with open(out, 'w') as f:
        json.dump(doc, f, indent=1)


if __name__ == '__main__':
    main()
