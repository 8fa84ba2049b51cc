#!/usr/bin/python3
"""Synapses, learning rules and inputs of the standard library against closed forms and Brian2.

Usage: check_stdlib.py AXON SRCDIR WORKDIR

Models: tests/validation/stdlib.axon. Spikes found in step n are stamped (n + 1) dt; a
recording at (n + 1) dt holds the values after step n (after that step's `on pre`).

- PeriodicSource (module Periodic, 1 s, 5 neurons with periods 7.03 + 1.31 k ms and phases
  0.42 + 3.17 k ms): neuron k's spikes are phase + n period, n = 0, 1, ... up to 1 s,
  each on the 0.1 ms grid and within half a step of it (a nearest grid point; either at a
  tie, as many times here are), none missing or extra.
- TsodyksMarkram (module STPSteady, one PeriodicSource at 50 Hz from 20 ms, 100 spikes;
  U = 0.3, tau_fac = 100 ms, tau_rec = 300 ms): between spikes u and x relax exactly,
  u- = U + (u+ - U) exp(-T / tau_fac), x- = 1 + (x+ - 1) exp(-T / tau_rec), and a spike maps
  u+ = u- + U (1 - u-), x+ = x- (1 - u+). The recorded u and x after each spike must equal
  this replay to 1e-12 relative, and after the last spike the closed-form fixed point
  u+* = U (1 + (1 - U)(1 - e_f)) / (1 - (1 - U) e_f), x-* = (1 - e_r) / (1 - (1 - u+*) e_r),
  x+* = x-* (1 - u+*) to 1e-12.
- NMDA (module NMDABlock, 400 ms, six presynaptic spikes): onto membranes clamped at -80 ...
  0 mV every current has the same time course s(t), so the integrated currents q must stand
  in the ratios of the Jahr-Stevens block, (E - v) / (1 + [Mg] / 3.57 mM exp(-0.062 v / mV)),
  to 1e-12; q and the passive membrane's v against Brian2 (tests/reference/brian2_stdlib.py,
  data/nmda.csv, 12 digits) every 0.5 ms within 1e-9 of the largest |q| and of the largest
  |v - E_L| (measured 3e-12 and 1e-10).
- Vogels (module VogelsReplay, 5 s): 20 Poisson inhibitory inputs onto a LIFCond neuron
  that a current makes fire; the weights recorded every second must equal a replay of the
  rule over the recorded spikes (event-driven traces decayed exactly between events, `on
  pre` before `on post` within a step, both at the step's stamp, clipped to [0, w_max]) to
  1e-12 of w_max. VogelsRate (60 s, seed 1): 800 excitatory and 200 plastic inhibitory
  Poisson inputs at 10 Hz; the rate starts above 4 rho_0 (first second) and its mean over
  the last 30 s must lie within 25% of rho_0 = 5 Hz (the fixed point of the mean drift,
  eta r_pre (2 r_post tau - alpha) = 0, for uncorrelated spikes; the inhibition a spike
  brings makes pre and post slightly anti-correlated, which raises the rate a little).
- Clopath (module ClopathClamp, 100 ms, seven presynaptic spikes): onto membranes clamped at
  v = -30 mV and -60 mV whose filters start at -80 mV (u(t) = v + (u0 - v) exp(-t / tau)),
  the weight after every step must equal a replay of the discrete update in Axon's order
  (neuron update; `on pre`: x_bar += 1 / tau_x, depression with the new u_minus; x_bar's step;
  `every step`: forward-Euler potentiation with the new x_bar and u_plus) to 1e-12, and the
  change over 100 ms must be within 1% of the continuous-time change (exact filters, the
  potentiation integrated by quadrature): 0.4% measured, the Euler step's error.
- ClopathHomeostatic (module ClopathHomeoClamp): the same clamp, with u_sq (the mean squared
  depolarisation, as the authors' code and its ReScience replication, Larisch 2019, filter
  it; here a 50 ms filter of (v - E_L)^2 from 25 mV^2, so that it changes within the run)
  recorded: u_sq relaxes as its closed form (v - E_L)^2 + (u0 - (v - E_L)^2) exp(-t / tau)
  to 1e-12 of (v - E_L)^2, and the weight after every step equals the same replay with A_LTD
  scaled by u_sq / u_ref^2 (u_ref^2 = 60 mV^2; u_sq of the spike's step, after the neuron's
  update) to 1e-12; and differs from Clopath's by more than 1e-4 (the scaling is in effect).
- AdExClopath's u_sq (module ClopathHomeoNeuron, 300 ms, 700 pA, tau_homeo = 50 ms, two
  spikes): every step equals forward Euler of tau_homeo u_sq' = (v - E_L)^2 - u_sq over the
  recorded v (the neuron's method) to 1e-12 of its largest value.
- GraupnerBrunel (module GraupnerPairs, 60 s): 60 pre-post pairs at 1 Hz with post - pre =
  -40, -10, +10, +30 ms onto four targets, the presynaptic calcium after D = 13.7 ms (the
  projection's delay), rho from 0.5, tau = 150 s, sigma = 0 (no noise). rho every 1 ms must
  equal a replay of the discrete update (the jumps; then both equations from the values
  after them: forward Euler in rho with the step functions of that c, c's exact decay over
  the step) to 1e-12. Against continuous time (c exact, the crossings of theta_d and theta_p
  found exactly, rho by RK4 between them) the change of rho must agree within 5% (1.4% to
  4.0% measured: a step counts as above a threshold by c at its start, so each crossing is
  off by up to a step, a few percent of the few milliseconds per pair above a threshold);
  at dt = 0.025 ms within 1.5% and closer than at 0.1 ms for every pairing (first order).
  The signs are the paper's: depression for -40 and -10 ms, potentiation for +10 and +30.
- GraupnerBrunel's noise (module GraupnerNoise, 12 s, sigma = 2.8284 as the paper's, no
  spikes so c = 0): with theta_d = theta_p = -1 both gates are open (noise sigma sqrt(tau)
  sqrt(2) xi), with theta_d = -1 and theta_p = 10 only the depression gate (sigma sqrt(tau)
  xi). rho (500 synapses each, sampled every second from 5 s: 4000 values, relaxation
  times 0.29 s and 0.75 s) must have the mean and variance of the stationary Fokker-Planck
  density p ~ exp(2 int f / g^2) of its drift f and noise g (by quadrature): the mean within
  4.5 standard errors, the variance within 10% (4.5 standard errors of a variance from 4000
  values). With both thresholds at 10 the gates are shut: rho stays at 0.5 (an unstable fixed
  point of the drift) exactly.
- Clopath with AdExClopath (the paper's neuron; a model written into WORKDIR with spike
  files): the frequency dependence of Sjostrom et al. (2001) as the authors' code
  (ModelDB 144566, FrequencyDependence.m) runs it: 5 pairs at rho Hz with post - pre = +10
  or -10 ms, repeated every 10 s (15 times; 10 at 0.1 Hz), the postsynaptic spike forced
  by a 40 mV jump 0.1 ms before, w from 0.5 in [0, 1] (the code has no bound: pre-post at
  50 Hz reaches 1 here), no transmission. The paper's Fig. 2b: post-pre
  pairs depress at 0.1 Hz and potentiate at 50 Hz; pre-post pairs potentiate at 50 Hz, more
  than at 0.1 Hz. (Signs only: the authors' code steps 1 ms with its own spike tricks.)

Prints one line per check and a final "N passed, M failed".
"""
import os
import subprocess
import sys

import numpy as np

AXON, SRC, WORK = sys.argv[1:4]
DT = 1e-4
MODEL = os.path.join(SRC, "tests/validation/stdlib.axon")
results = []


def check(name, ok, detail=""):
    results.append(bool(ok))
    print(("PASS" if ok else "FAIL") + ": " + name + ("  (" + detail + ")" if detail else ""))


def run(module, duration, *extra, tag=""):
    """Runs a module of stdlib.axon; its output directory, or None (a failed check)."""
    out = os.path.join(WORK, "stdlib_" + module + tag)
    p = subprocess.run([AXON, "run", MODEL, "-m", module, "-t", duration, "-o", out, "-q"]
                       + list(extra), capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout + p.stderr)
        check("run " + module, False, "exit status %d" % p.returncode)
        return None
    return out


def load(out, name):
    return np.load(os.path.join(out, name + ".npy"))


# ---- PeriodicSource -------------------------------------------------------------------------
out = run("Periodic", "1 s")
if out:
    t, i = load(out, "P.spikes.t"), load(out, "P.spikes.i")
    for k in range(5):
        period, phase = (7.03 + 1.31 * k) * 1e-3, (0.42 + 3.17 * k) * 1e-3
        want = phase + period * np.arange(0, int((1.0 - phase) / period) + 1)
        got = t[i == k]
        on_grid = np.all(np.abs(got / DT - np.rint(got / DT)) <= 1e-6)
        ok = len(got) == len(want) and on_grid and np.all(np.abs(got - want) <= DT / 2 + 1e-12)
        check("PeriodicSource neuron %d: phase + n period on the grid" % k, ok,
              "%d spikes, expected %d" % (len(got), len(want)))

# ---- Tsodyks-Markram: exact maps between spikes and their fixed point --------------------------
out = run("STPSteady", "2010 ms")
if out:
    U, tau_fac, tau_rec, T = 0.3, 0.1, 0.3, 0.02
    ef, er = np.exp(-T / tau_fac), np.exp(-T / tau_rec)
    ts = load(out, "tm.u.t")
    u_rec, x_rec = load(out, "tm.u")[:, 0], load(out, "tm.x")[:, 0]
    u, x, err, n = U, 1.0, 0.0, 0
    for s in range(100):
        if s:
            u = U + (u - U) * ef
            x = 1 + (x - 1) * er
        u += U * (1 - u)
        x -= u * x
        k = int(round((0.02 + s * T) / DT)) - 1  # the sample at the spike's stamp
        err = max(err, abs(u_rec[k] - u) / u, abs(x_rec[k] - x) / x)
        n += 1
    check("TsodyksMarkram: u and x after each spike equal the exact replay",
          n == 100 and err <= 1e-12 and abs(ts[k] - 2.0) < 1e-12,
          "%d spikes, max relative difference %.1e" % (n, err))
    up = U * (1 + (1 - U) * (1 - ef)) / (1 - (1 - U) * ef)
    xp = (1 - er) / (1 - (1 - up) * er) * (1 - up)
    e2 = max(abs(u_rec[-1] - up) / up, abs(x_rec[-1] - xp) / xp)
    check("TsodyksMarkram: 50 Hz fixed point", e2 <= 1e-12,
          "u+ %.12f (closed form %.12f), x+ %.12f (%.12f)" % (u_rec[-1], up, x_rec[-1], xp))

# ---- NMDA with the magnesium block ------------------------------------------------------------
out = run("NMDABlock", "400 ms")
if out:
    q, v = load(out, "V.q"), load(out, "M.v")[:, 0]
    clamp = -80e-3 + 20e-3 * np.arange(5)
    drive = (0 - clamp) / (1 + 1 / 3.57 * np.exp(-0.062 * clamp / 1e-3))
    ratio = q[-1, :4] / q[-1, 0]
    err = np.max(np.abs(ratio - drive[:4] / drive[0]))
    check("NMDA: charge at -80, -60, -40, -20 mV in the ratios of the Mg block",
          err <= 1e-12 and q[-1, 0] > 0 and np.all(q[:, 4] == 0),
          "max difference %.1e; relative to -80 mV: %s" % (err, ", ".join("%.4f" % x for x in ratio)))
    ref = np.loadtxt(os.path.join(SRC, "tests/reference/data/nmda.csv"), delimiter=",",
                     comments="#", ndmin=2)
    idx = np.rint(ref[:, 0] / DT).astype(int) - 1
    eq = np.max(np.abs(q[idx] - ref[:, 1:6])) / np.max(np.abs(ref[:, 1:6]))
    ev = np.max(np.abs(v[idx] - ref[:, 6])) / np.max(np.abs(ref[:, 6] + 70e-3))
    check("NMDA vs Brian2: clamped charge and passive membrane",
          len(idx) == 800 and eq <= 1e-9 and ev <= 1e-9,
          "%d samples; q %.1e of its largest value, v %.1e of its largest deviation"
          % (len(idx), eq, ev))

# ---- Vogels et al. (2011) inhibitory plasticity ---------------------------------------------------
def vogels_replay(pre_t, pre_i, post_t, n, w0, eta, w_max, alpha, tau, samples):
    """The weights at the sample times, from the rule applied to the spikes in Axon's order."""
    events = sorted([(t, 0, i) for t, i in zip(pre_t, pre_i)] + [(t, 1, -1) for t in post_t])
    w = np.full(n, w0)
    x_pre, t_pre = np.zeros(n), np.zeros(n)
    x_post, t_post = 0.0, 0.0
    out, k = [], 0
    for t, kind, i in events:
        while k < len(samples) and t > samples[k] + 1e-12:
            out.append(w.copy())
            k += 1
        if kind == 0:
            x_pre[i] = x_pre[i] * np.exp(-(t - t_pre[i]) / tau) + 1
            t_pre[i] = t
            xp = x_post * np.exp(-(t - t_post) / tau)
            w[i] = min(max(w[i] + eta * (xp - alpha), 0.0), w_max)
        else:
            x_post = x_post * np.exp(-(t - t_post) / tau) + 1
            t_post = t
            w = np.clip(w + eta * x_pre * np.exp(-(t - t_pre) / tau), 0.0, w_max)
    while k < len(samples):
        out.append(w.copy())
        k += 1
    return np.array(out)


out = run("VogelsReplay", "5 s")
if out:
    w = load(out, "inh.w")
    ts = load(out, "inh.w.t")
    ref = vogels_replay(load(out, "Pre.spikes.t"), load(out, "Pre.spikes.i"),
                        load(out, "Post.spikes.t"), 20, 5e-9, 0.5e-9, 20e-9, 2 * 10 * 0.02, 0.02, ts)
    err = np.max(np.abs(w - ref)) / 20e-9
    clipped = int(np.sum(ref[-1] == 0))
    check("Vogels: weights equal the replay of the rule", w.shape == (5, 20) and err <= 1e-12,
          "%d samples of 20 weights, max difference %.1e of w_max; %d held at 0 at the end; "
          "%d postsynaptic spikes" % (len(ts), err, clipped, len(load(out, "Post.spikes.t"))))
out = run("VogelsRate", "60 s", "--seed", "1")
if out:
    t = load(out, "Post.spikes.t")
    first, last = np.sum(t <= 1.0), np.sum(t > 30.0) / 30.0
    check("Vogels: the rate goes to rho_0", first > 4 * 5 and abs(last - 5) <= 0.25 * 5,
          "%d Hz in the first second, %.2f Hz over the last 30 s (rho_0 = 5 Hz)" % (first, last))

# ---- Clopath et al. (2010) voltage-based STDP --------------------------------------------------------
CL_PRE = [2e-3, 5e-3, 9e-3, 14e-3, 30e-3, 31e-3, 60e-3]
CL = dict(A_LTD=14e-5 / 1e-3, A_LTP=8e-5 / 1e-6, theta_minus=-70.6e-3,
          theta_plus=-45.3e-3, tau_x=15e-3, tau_minus=10e-3, tau_plus=7e-3, u0=-80e-3, w0=0.5,
          usq0=25e-6, tau_h=50e-3, u_ref2=60e-6, E_L=-70.6e-3)


def clopath_replay(v, steps, homeo=False):
    """The weight after each step: Axon's discrete update onto a membrane clamped at v; with
    homeo, A_LTD scaled by u_sq / u_ref2 (ClopathHomeostatic), u_sq the mean of (v - E_L)^2."""
    pre = {int(round(t / DT)) - 1 for t in CL_PRE}
    um = up = CL["u0"]
    usq = CL["usq0"]
    x, w, out = 0.0, CL["w0"], []
    for n in range(steps):
        um = v + (um - v) * np.exp(-DT / CL["tau_minus"])
        up = v + (up - v) * np.exp(-DT / CL["tau_plus"])
        usq = (v - CL["E_L"]) ** 2 + (usq - (v - CL["E_L"]) ** 2) * np.exp(-DT / CL["tau_h"])
        if n in pre:
            x += 1 / CL["tau_x"]
            scale = usq / CL["u_ref2"] if homeo else 1.0
            w = min(max(w - CL["A_LTD"] * scale * max(um - CL["theta_minus"], 0), 0), 1)
        x *= np.exp(-DT / CL["tau_x"])
        w = min(max(w + CL["A_LTP"] * x * max(v - CL["theta_plus"], 0)
                    * max(up - CL["theta_minus"], 0) * DT, 0), 1)
        out.append(w)
    return np.array(out)


def clopath_continuous(v, T, h=1e-7):
    """The change of w over (0, T) in continuous time (no clipping reached)."""
    t = np.arange(0, T, h) + h / 2
    up = v + (CL["u0"] - v) * np.exp(-t / CL["tau_plus"])
    x = sum(np.where(t >= tk, np.exp(-(t - tk) / CL["tau_x"]), 0) for tk in CL_PRE) / CL["tau_x"]
    ltp = np.sum(CL["A_LTP"] * x * max(v - CL["theta_plus"], 0)
                 * np.maximum(up - CL["theta_minus"], 0)) * h
    ltd = sum(CL["A_LTD"] * max(v + (CL["u0"] - v) * np.exp(-tk / CL["tau_minus"])
                                - CL["theta_minus"], 0) for tk in CL_PRE)
    return ltp - ltd


out = run("ClopathClamp", "100 ms")
if out:
    w = load(out, "cl.w")
    for j, v in enumerate([-30e-3, -60e-3]):
        err = np.max(np.abs(w[:, j] - clopath_replay(v, len(w))))
        change, want = w[-1, j] - CL["w0"], clopath_continuous(v, 0.1)
        check("Clopath at %.0f mV: weights equal the replay; change near continuous time" % (v * 1e3),
              len(w) == 1000 and err <= 1e-12 and abs(change - want) <= 0.01 * abs(want),
              "replay within %.1e; change %.6f, continuous time %.6f" % (err, change, want))

out = run("ClopathHomeoClamp", "100 ms")
if out:
    w, usq = load(out, "cl.w"), load(out, "V.u_sq")
    for j, v in enumerate([-30e-3, -60e-3]):
        t = np.arange(1, len(usq) + 1) * DT
        d2 = (v - CL["E_L"]) ** 2
        usq_exact = d2 + (CL["usq0"] - d2) * np.exp(-t / CL["tau_h"])
        err_u = np.max(np.abs(usq[:, j] - usq_exact)) / d2
        err = np.max(np.abs(w[:, j] - clopath_replay(v, len(w), homeo=True)))
        plain = clopath_replay(v, len(w))
        check("ClopathHomeostatic at %.0f mV: weights equal the replay with A_LTD u_sq / u_ref^2"
              % (v * 1e3), len(w) == 1000 and err <= 1e-12 and err_u <= 1e-12
              and np.max(np.abs(w[:, j] - plain)) > 1e-4,
              "replay within %.1e; u_sq within %.1e of its closed form (to %.1f mV^2); "
              "%.4f from the plain rule"
              % (err, err_u, 1e6 * usq[-1, j], np.max(np.abs(w[:, j] - plain))))

out = run("ClopathHomeoNeuron", "300 ms")
if out:
    v, usq = load(out, "N.v")[:, 0], load(out, "N.u_sq")[:, 0]
    nspikes = len(load(out, "N.spikes.t"))
    pred = usq[:-1] + DT * ((v[:-1] - CL["E_L"]) ** 2 - usq[:-1]) / 50e-3
    err = np.max(np.abs(pred - usq[1:])) / np.max(np.abs(usq))
    check("AdExClopath: u_sq is forward Euler of the mean squared depolarisation, spikes included",
          len(v) == 3000 and nspikes >= 2 and err <= 1e-12,
          "%d spikes; within %.1e of the largest u_sq (%.1f mV^2)" % (nspikes, err, 1e6 * np.max(usq)))

# ---- Graupner & Brunel (2012) calcium-based plasticity ----------------------------------------------
GB = dict(tau_Ca=20e-3, C_pre=1.0, C_post=2.0, theta_d=1.0, theta_p=1.3, gamma_d=200.0,
          gamma_p=321.808, tau=150.0, rho_star=0.5, D=13.7e-3, rho0=0.5)
GB_LAGS = [-40e-3, -10e-3, 10e-3, 30e-3]


def gb_drift(r, hp, hd):
    return (-r * (1 - r) * (GB["rho_star"] - r) + GB["gamma_p"] * (1 - r) * hp
            - GB["gamma_d"] * r * hd) / GB["tau"]


def gb_events(lag):
    return sorted([(0.1 + k + GB["D"], GB["C_pre"]) for k in range(60)]
                  + [(0.1 + lag + k, GB["C_post"]) for k in range(60)])


def gb_replay(lag, steps, dt, every):
    """rho after every `every`-th step of Axon's discrete update."""
    jumps = {}
    for t, j in gb_events(lag):
        n = int(round(t / dt)) - 1
        jumps[n] = jumps.get(n, 0.0) + j
    decay = np.exp(-dt / GB["tau_Ca"])
    c, r, out = 0.0, GB["rho0"], []
    for n in range(steps):
        c += jumps.get(n, 0.0)
        r += gb_drift(r, float(c > GB["theta_p"]), float(c > GB["theta_d"])) * dt
        c *= decay
        if n % every == every - 1:
            out.append(r)
    return np.array(out)


def gb_rk4(r, a, b, hp, hd, h):
    n = max(1, int(np.ceil((b - a) / h)))
    hh = (b - a) / n
    for _ in range(n):
        k1 = gb_drift(r, hp, hd)
        k2 = gb_drift(r + hh / 2 * k1, hp, hd)
        k3 = gb_drift(r + hh / 2 * k2, hp, hd)
        k4 = gb_drift(r + hh * k3, hp, hd)
        r += hh / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return r


def gb_continuous(lag, T):
    """rho at T in continuous time: c piecewise exponential, its threshold crossings exact."""
    ev = gb_events(lag)
    r = gb_rk4(GB["rho0"], 0.0, ev[0][0], 0, 0, 1e-2)
    c = 0.0
    for k, (te, jump) in enumerate(ev):
        c += jump
        tn = ev[k + 1][0] if k + 1 < len(ev) else T
        cuts = [te] + sorted(te + GB["tau_Ca"] * np.log(c / th)
                             for th in (GB["theta_p"], GB["theta_d"])
                             if c > th and te + GB["tau_Ca"] * np.log(c / th) < tn) + [tn]
        for a, b in zip(cuts[:-1], cuts[1:]):
            cm = c * np.exp(-((a + b) / 2 - te) / GB["tau_Ca"])
            hd = float(cm > GB["theta_d"])
            r = gb_rk4(r, a, b, float(cm > GB["theta_p"]), hd, 1e-4 if hd else 1e-2)
        c *= np.exp(-(tn - te) / GB["tau_Ca"])
    return r


out = run("GraupnerPairs", "60 s")
fine = run("GraupnerPairs", "60 s", "--dt", "0.025 ms", tag="_fine") if out else None
if out and fine:
    rho, rho_fine = load(out, "gb.rho"), load(fine, "gb.rho")
    for j, lag in enumerate(GB_LAGS):
        err = np.max(np.abs(rho[:, j] - gb_replay(lag, 600000, DT, 10)))
        want = gb_continuous(lag, 60.0) - GB["rho0"]
        got, got_fine = rho[-1, j] - GB["rho0"], rho_fine[-1, j] - GB["rho0"]
        e, e_fine = abs(got - want) / abs(want), abs(got_fine - want) / abs(want)
        sign = want < 0 if lag < 0 else want > 0
        check("GraupnerBrunel at %+.0f ms: replay; continuous time; first order in dt" % (lag * 1e3),
              len(rho) == 60000 and err <= 1e-12 and e <= 0.05 and e_fine <= 0.015
              and e_fine < e and sign and np.sign(got) == np.sign(want),
              "replay within %.1e; change %.5f, continuous time %.5f (%.2f%%; %.2f%% at dt/4)"
              % (err, got, want, 100 * e, 100 * e_fine))



def gb_stationary(hp, hd):
    """Mean and variance of rho's stationary density p ~ exp(2 int f / g^2), c fixed."""
    r = np.linspace(-2, 3, 200001)
    f = np.array([gb_drift(x, hp, hd) for x in (r,)])[0]
    g2 = GB["sigma"] ** 2 * (hd + hp) / GB["tau"]
    u = np.concatenate([[0], np.cumsum((f[1:] + f[:-1]) / 2 * np.diff(r))]) * 2 / g2
    p = np.exp(u - u.max())
    p /= np.trapz(p, r)
    m = np.trapz(r * p, r)
    return m, np.trapz((r - m) ** 2 * p, r)


GB["sigma"] = 2.8284
out = run("GraupnerNoise", "12 s")
if out:
    for name, hp, hd in (("open2", 1.0, 1.0), ("open1", 0.0, 1.0)):
        x = load(out, name + ".rho")[4:].ravel()
        m, var = gb_stationary(hp, hd)
        se = np.sqrt(var / len(x))
        check("GraupnerBrunel noise, %s: stationary mean and variance" % name,
              len(x) == 4000 and abs(x.mean() - m) <= 4.5 * se and abs(x.var() / var - 1) <= 0.10,
              "mean %.5f, Fokker-Planck %.5f (+- %.5f); variance %.5f, Fokker-Planck %.5f (%+.1f%%)"
              % (x.mean(), m, se, x.var(), var, 100 * (x.var() / var - 1)))
    shut = load(out, "shut.rho")
    check("GraupnerBrunel noise: no noise while c is below both thresholds",
          shut.shape == (12, 100) and np.all(shut == 0.5), "rho in [%g, %g]" % (shut.min(), shut.max()))


def clopath_pairing(rho, lag):
    """w after the pairing protocol at rho Hz (lag = post - pre), or None if the run failed."""
    name = "clopath_%g_%+d" % (rho, int(round(lag * 1e3)))
    reps, gap = (10, 5 / rho) if rho == 0.1 else (15, 10.0)
    pre = [0.1 + r * gap + k / rho for r in range(reps) for k in range(5)]
    with open(os.path.join(WORK, name + ".csv"), "w") as f:
        f.write("i,t:ms\n")
        f.writelines("0,%.1f\n" % (t * 1e3) for t in sorted(pre))
    with open(os.path.join(WORK, name + "_post.csv"), "w") as f:
        f.write("i,t:ms\n")
        f.writelines("0,%.1f\n" % ((t + lag) * 1e3 - 0.1) for t in sorted(pre))
    with open(os.path.join(WORK, name + ".axon"), "w") as f:
        f.write("""import "std/neurons"
import "std/synapses"
import "std/inputs"
import "std/rules"
synapse WeightOnly {
    parameters { w = 0.5 }
}
module Pairing {
    population Pre = SpikeSource[1] from "%s.csv"
    population Drive = SpikeSource[1] from "%s_post.csv"
    population Post = AdExClopath[1]
    project Drive -> Post : VoltageJump(w = 40 mV) connect all_to_all
    project p = Pre -> Post : WeightOnly connect all_to_all learn Clopath(w_max = 1)
    record p.w every 1 s
    record spikes Post
}
""" % (name, name))
    out = os.path.join(WORK, name)
    duration = "%g s" % (reps * gap + 1)
    p = subprocess.run([AXON, "run", os.path.join(WORK, name + ".axon"), "-t", duration, "-o",
                        out, "-q"], capture_output=True, text=True)
    if p.returncode != 0:
        print(p.stdout + p.stderr)
        return None
    if len(load(out, "Post.spikes.t")) != reps * 5:
        print("%s: %d postsynaptic spikes, expected %d" % (name, len(load(out, "Post.spikes.t")),
                                                            reps * 5))
        return None
    return load(out, "p.w")[-1, 0]


pairing = {(rho, lag): clopath_pairing(rho, lag) for rho in (0.1, 50) for lag in (10e-3, -10e-3)}
if None in pairing.values():
    check("Clopath pairing protocol runs, one postsynaptic spike per pair", False)
else:
    dw = {k: (v - 0.5) / 0.5 for k, v in pairing.items()}
    ok = (dw[(0.1, -10e-3)] < 0 and dw[(50, -10e-3)] > 0 and dw[(50, 10e-3)] > 0
          and dw[(50, 10e-3)] > dw[(0.1, 10e-3)])
    check("Clopath with AdExClopath: frequency dependence of Sjostrom et al. (2001)", ok,
          "relative change pre-post %+.0f%% at 0.1 Hz, %+.0f%% at 50 Hz; post-pre %+.0f%%, %+.0f%%"
          % tuple(100 * dw[k] for k in ((0.1, 10e-3), (50, 10e-3), (0.1, -10e-3), (50, -10e-3))))

passed = sum(results)
print("stdlib: %d passed, %d failed" % (passed, len(results) - passed))
sys.exit(0 if passed == len(results) else 1)
