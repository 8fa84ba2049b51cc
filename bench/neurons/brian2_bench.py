#!/usr/bin/python3
"""Brian2 C++-standalone version of the neuron-update benchmark (bench/neurons/run.sh).

The same models as bench/neurons/neurons.axon: the stdlib LIF (method 'exact', v held for
2 ms after a spike) and the stdlib Izhikevich neuron (method 'rk4', per-neuron a, b, c, d,
I_ext), one population of N neurons, dt = 0.1 ms, no synapses, one thread (no OpenMP).
Spikes are counted with a PopulationRateMonitor (one value per step, so no per-spike storage).

Usage: /usr/bin/python3 brian2_bench.py lif|izh [N [DURATION_MS [PROJECT_DIR]]]
Prints one line of key=value pairs:
  build_s  wall time of device.build() minus the run of the binary: code generation,
           writing the project and compiling it with make (a fresh directory: a full build)
  make_s   the `make` part of build_s alone
  run_s    Brian2's own timing of the simulation loop (Network::_last_run_time, the value
           written to results/last_run_info.txt), i.e. without process start-up, init and I/O
  spikes   total spike count
"""
import os
import shutil
import sys
import tempfile
import time
import warnings

warnings.filterwarnings("ignore")

from brian2 import (NeuronGroup, PopulationRateMonitor, defaultclock, device, ms, mV, Mohm,
                    nA, prefs, run, set_device, second)
import numpy as np


def main():
    model = sys.argv[1] if len(sys.argv) > 1 else "lif"
    N = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    duration_ms = float(sys.argv[3]) if len(sys.argv) > 3 else 1000.0
    keep = len(sys.argv) > 4
    directory = sys.argv[4] if keep else tempfile.mkdtemp(prefix="brian2_bench_")
    if keep and os.path.isdir(directory):
        shutil.rmtree(directory)  # always a full build

    set_device("cpp_standalone", directory=directory, build_on_run=False)
    prefs.devices.cpp_standalone.openmp_threads = 0  # one thread
    # Brian2's default GCC flags already are -O3 -ffast-math -fno-finite-math-only -march=native
    flags = prefs.codegen.cpp.extra_compile_args_gcc
    if "-march=native" not in flags or "-O3" not in flags:
        prefs.codegen.cpp.extra_compile_args_gcc = list(flags) + ["-O3", "-march=native"]
    defaultclock.dt = 0.1 * ms

    if model == "lif":
        tau_m, v_rest, v_th, v_reset = 20 * ms, -65 * mV, -50 * mV, -65 * mV
        R, tau_syn, I_ext = 100 * Mohm, 5 * ms, 0.2 * nA
        eqs = """
        dv/dt = (v_rest - v + R * (I_syn + I_ext)) / tau_m : volt (unless refractory)
        dI_syn/dt = -I_syn / tau_syn : amp
        """
        P = NeuronGroup(N, eqs, threshold="v > v_th", reset="v = v_reset",
                        refractory=2 * ms, method="exact", name="P",
                        namespace=dict(tau_m=tau_m, v_rest=v_rest, v_th=v_th, v_reset=v_reset,
                                       R=R, tau_syn=tau_syn, I_ext=I_ext))
        P.v = "-65*mV + 15*mV*rand()"
    elif model == "izh":
        eqs = """
        dv/dt = (0.04 * v**2 + 5 * v + 140 - u + I_ext) / ms : 1
        du/dt = a * (b * v - u) / ms : 1
        a : 1
        b : 1
        c : 1
        d : 1
        I_ext : 1
        """
        P = NeuronGroup(N, eqs, threshold="v >= 30", reset="v = c; u += d",
                        method="rk4", name="P")
        P.a = 0.02
        P.b = 0.2
        P.c = -65
        P.d = 8
        P.I_ext = 10
        P.v = "-65 + 15*rand()"
        P.u = "b * v"
    else:
        sys.exit("usage: brian2_bench.py lif|izh [N [DURATION_MS [PROJECT_DIR]]]")

    rate = PopulationRateMonitor(P, name="rate")
    run(duration_ms * ms)

    t0 = time.perf_counter()
    device.build(directory=directory, compile=True, run=True, with_output=False)
    total = time.perf_counter() - t0
    run_binary = device.timers["run_binary"]
    make_s = device.timers["compile"]["make"]
    run_s = device._last_run_time
    spikes = int(round(float(np.sum(rate.rate / (1 / second))) * float(defaultclock.dt / second) * N))
    steps = int(round(duration_ms / 0.1))
    print(f"model={model} N={N} steps={steps} spikes={spikes} run_s={run_s:.4f} "
          f"build_s={total - run_binary:.3f} make_s={make_s:.3f} binary_s={run_binary:.3f} "
          f"ns_per_update={run_s * 1e9 / (N * steps):.4f} "
          f"flags='{' '.join(prefs.codegen.cpp.extra_compile_args_gcc)}'")
    if not keep:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
