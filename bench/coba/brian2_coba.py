#!/usr/bin/python3
"""Brian2 C++-standalone version of the COBA benchmark (bench/coba/run.sh).

The network of bench/coba/coba.axon (and examples/coba.axon), built exactly as
tests/reference/brian2_networks.py's `coba` case, against which Axon's COBA is validated:
  - LIFCond neurons (C = 200 pF, g_L = 10 nS, E_L = -60 mV, v_th = -50 mV, v_reset = -60 mV,
    E_e = 0 mV, E_i = -80 mV, tau_e = 5 ms, tau_i = 10 ms), refractory 5 ms with v held
    (`unless refractory`), method 'exponential_euler' (as Axon's scheme for LIFCond);
  - NE = N * 4 // 5 excitatory, N - NE inhibitory neurons; v ~ U(-60, -50) mV,
    ge ~ N(40, 15) nS, gi ~ N(200, 120) nS;
  - four Synapses objects (E->E, E->I with ge_post += 6 nS; I->E, I->I with gi_post += 67 nS),
    connect(p=K/N) (autapses allowed, as Axon's random(p)), delay 0.1 ms (one step);
  - delivery in the 'after_resets' slot, as Axon delivers after every population's update and
    reset (tests/reference/brian2_networks.py explains why).
dt = 0.1 ms, float64 (--float 32: float32). Spikes are counted with one PopulationRateMonitor per population (one
value per step, no per-spike storage).

With --form euler (or expeuler) it is instead the Brian-team form of the benchmark, the one of
Brian2's, ANNarchy's and BrainPy's published comparisons (bench/coba/coba_euler.axon, the C loop
bench/coba/loop.c; bench/coba/floor.py runs the three): one NeuronGroup of N neurons with
dimensionless conductances,
  dv/dt = (ge*(Ee - v) + gi*(Ei - v) - (v - El) + I)/taum : volt (unless refractory)
  dge/dt = -ge/taue : 1,  dgi/dt = -gi/taui : 1
(taum = 20 ms, taue = 5 ms, taui = 10 ms, Vt = -50 mV, Vr = El = -60 mV, Ee = 0 mV, Ei = -80 mV,
I = 20 mV, refractory 5 ms), method 'euler' (or 'exponential_euler'), P.v = -55 mV + 5 mV randn(),
ge = gi = 0, Synapses(P[:NE], P, on_pre='ge += 0.6') and Synapses(P[NE:], P, on_pre='gi += 6.7')
with connect(p=K/N) and no delay (delivered in the step of the spike, after the reset).

Usage: /usr/bin/python3 brian2_coba.py [N] [--threads T] [--duration MS] [--repeat R]
                                        [--dir PROJECT_DIR] [-K K] [--seed S] [--form F]
                                        [--float 32|64]
  N (default 4000), T (default 1): T = 1 builds without OpenMP (openmp_threads = 0, Brian2's
  default and its fastest one-thread code); T > 1 sets prefs.devices.cpp_standalone.
  openmp_threads = T. --form: vogels (default, the network above), euler or expeuler (the
  Brian-team form). R (default 1): run the compiled program R times (it is built once) and
  report the fastest simulation loop. K (default 80): synapses per neuron, p = K / N.
  --float 32: the state in single precision (prefs.core.default_float_dtype = float32; the
  clock's t and dt stay float64, as in every Brian2 model); default 64.
Prints one line of key=value pairs:
  run_s      Brian2's own timing of the simulation loop (Network::_last_run_time, the value
             written to results/last_run_info.txt), the fastest of the R runs: without
             process start-up, network construction (synapse creation), initialisation
             and I/O
  build_s    wall time of device.build() minus the run of the binary: code generation,
             writing the project and compiling it with make (a fresh directory: a full build)
  make_s     the `make` part of build_s alone
  binary_s   wall time of the compiled program (construction + run + writing results)
  runs       all R values of run_s, comma-separated
  spikes_E, spikes_I, rate_E, rate_I (Hz), synapses (total number created)
"""
import argparse
import os
import shutil
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")

from brian2 import (Network, NeuronGroup, PopulationRateMonitor, Synapses, defaultclock, device,
                    ms, mV, nS, pF, prefs, seed, set_device, second)
import numpy as np

EQS = """
dv/dt = (g_L*(E_L - v) + ge*(E_e - v) + gi*(E_i - v))/C : volt (unless refractory)
dge/dt = -ge/tau_e : siemens
dgi/dt = -gi/tau_i : siemens
"""
EQS_BRIAN = """
dv/dt = (ge*(Ee - v) + gi*(Ei - v) - (v - El) + I)/taum : volt (unless refractory)
dge/dt = -ge/taue : 1
dgi/dt = -gi/taui : 1
"""
NS_BRIAN = {"taum": 20 * ms, "taue": 5 * ms, "taui": 10 * ms, "Vt": -50 * mV, "Vr": -60 * mV,
            "El": -60 * mV, "Ee": 0 * mV, "Ei": -80 * mV, "I": 20 * mV}
NS = {"C": 200 * pF, "g_L": 10 * nS, "E_L": -60 * mV, "v_th": -50 * mV, "v_reset": -60 * mV,
      "t_ref": 5 * ms, "E_e": 0 * mV, "E_i": -80 * mV, "tau_e": 5 * ms, "tau_i": 10 * ms}


def vogels(N, NE, p):
    """The network of coba.axon: two groups E and I, four Synapses with delay 0.1 ms."""
    kw = dict(threshold="v > v_th", reset="v = v_reset", refractory="t_ref",
              method="exponential_euler", namespace=dict(NS))
    E = NeuronGroup(NE, EQS, name="E", **kw)
    I = NeuronGroup(N - NE, EQS, name="I", **kw)
    for P in (E, I):
        P.v = "-60*mV + 10*mV*rand()"
        P.ge = "40*nS + 15*nS*randn()"
        P.gi = "200*nS + 120*nS*randn()"
    syns = []
    for pre, var, weight in ((E, "ge", 6 * nS), (I, "gi", 67 * nS)):
        for post in (E, I):
            S = Synapses(pre, post, on_pre=f"{var}_post += w", delay=0.1 * ms,
                         namespace={"w": weight}, name=f"S_{pre.name}{post.name}")
            S.connect(p=p)
            S.pre.when = "after_resets"  # deliver after the reset, as Axon does
            syns.append(S)
    return (E, I), E, I, syns


def brian_team(N, NE, p, method):
    """The Brian-team form: one group, its subgroups E and I, two Synapses without delay."""
    P = NeuronGroup(N, EQS_BRIAN, threshold="v > Vt", reset="v = Vr", refractory=5 * ms,
                    method=method, namespace=dict(NS_BRIAN), name="P")
    P.v = "-55*mV + 5*mV*randn()"
    E, I = P[:NE], P[NE:]
    syns = []
    for pre, var, weight in ((E, "ge", 0.6), (I, "gi", 6.7)):
        S = Synapses(pre, P, on_pre=f"{var}_post += w", namespace={"w": weight},
                     name=f"S_{'E' if pre is E else 'I'}")
        S.connect(p=p)
        syns.append(S)
    return (P,), E, I, syns


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("N", nargs="?", type=int, default=4000)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--duration", type=float, default=1000.0, help="ms")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--dir", default="", help="project directory (kept; default: a temporary one)")
    ap.add_argument("-K", type=float, default=80.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--form", choices=("vogels", "euler", "expeuler"), default="vogels")
    ap.add_argument("--float", choices=("32", "64"), default="64",
                    help="prefs.core.default_float_dtype: float32 or float64 (default)")
    a = ap.parse_args()
    N, threads, duration_ms, K, rng_seed = a.N, a.threads, a.duration, a.K, a.seed
    keep = a.dir != ""
    directory = a.dir if keep else tempfile.mkdtemp(prefix="brian2_coba_")
    if keep and os.path.isdir(directory):
        shutil.rmtree(directory)  # always a full build
    p = K / N

    set_device("cpp_standalone", directory=directory, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = threads if threads > 1 else 0
    # Brian2's default GCC flags already are -O3 -ffast-math -fno-finite-math-only -march=native
    flags = prefs.codegen.cpp.extra_compile_args_gcc
    if "-march=native" not in flags or "-O3" not in flags:
        prefs.codegen.cpp.extra_compile_args_gcc = list(flags) + ["-O3", "-march=native"]
    prefs.core.default_float_dtype = np.float32 if a.float == "32" else np.float64
    defaultclock.dt = 0.1 * ms
    seed(rng_seed)

    NE = N * 4 // 5
    if a.form == "vogels":
        groups, E, I, syns = vogels(N, NE, p)
    else:
        method = "euler" if a.form == "euler" else "exponential_euler"
        groups, E, I, syns = brian_team(N, NE, p, method)
    rE = PopulationRateMonitor(E, name="rate_E")
    rI = PopulationRateMonitor(I, name="rate_I")
    # an explicit Network: the magic run() only collects objects named in this frame, not the
    # Synapses held in the list (it would simulate I->I alone, and the activity dies out)
    net = Network(*groups, *syns, rE, rI)
    net.run(duration_ms * ms)

    t0 = time.perf_counter()
    device.build(directory=directory, compile=True, run=True, with_output=False)
    total = time.perf_counter() - t0
    run_binary = device.timers["run_binary"]
    make_s = device.timers["compile"]["make"]
    runs = [device._last_run_time]
    for _ in range(a.repeat - 1):
        device.run(directory, False, [])
        runs.append(device._last_run_time)
    run_s = min(runs)
    dt = float(defaultclock.dt / second)
    spk = [int(round(float(np.sum(m.rate / (1 / second))) * dt * len(G)))
           for m, G in ((rE, E), (rI, I))]
    T = duration_ms * 1e-3
    nsyn = sum(len(S) for S in syns)
    steps = int(round(duration_ms / 0.1))
    print(f"N={N} threads={threads} steps={steps} spikes_E={spk[0]} spikes_I={spk[1]} "
          f"rate_E={spk[0] / (NE * T):.3f} rate_I={spk[1] / ((N - NE) * T):.3f} "
          f"synapses={nsyn} run_s={run_s:.4f} build_s={total - run_binary:.3f} "
          f"make_s={make_s:.3f} binary_s={run_binary:.3f} runs={','.join(f'{r:.4f}' for r in runs)} "
          f"openmp_threads={prefs.devices.cpp_standalone.openmp_threads} "
          f"flags='{' '.join(prefs.codegen.cpp.extra_compile_args_gcc)}'")
    if not keep:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
