#!/usr/bin/python3
"""Active dendrites: stdlib DendLIF (tests/validation/dendrites.axon, examples/dendrites.axon)
and synapses that reach one element of the target's vector (post.u[seg], post.I_d[seg]).

Usage: check_dendrites.py AXON SRCDIR WORKDIR

  Charging  a constant current w into segment j of neuron j (continuous, post.I_d[seg] with
            seg = j): u[j] = R_d w (1 - exp(-t / tau_d)) within 1e-12 relative (exponential
            Euler is exact for it), every other segment exactly 0
  Cluster   four spikes at once onto segment 0 (clustered) or one onto each segment
            (dispersed): each u[k] = u[k](t0) exp(-(t - t0) / tau_d) within 1e-12 relative,
            with u[0](t0) = 16 mV clustered and 4 mV on every segment dispersed; the somatic
            potential against a quadrature of tau_m v' = v_rest - v + R I_p sum_k a(u[k](t))
            (scipy, rtol 1e-12): within 0.05 mV at dt = 0.1 ms, the error halving with dt
            (exponential Euler holds the segments' drive over a step: first order); the
            clustered neuron's plateau crosses threshold (its spike within 0.2 ms of the
            quadrature's crossing), the dispersed one stays 14 mV below it and never fires
  Twin      DendLIF with vectors and synapses that pick a segment ((i + j) % 4) against the
            same neuron written with four scalars and a synapse type and projection per
            segment: voltage, every segment and the spikes bit-identical
  Brian2    8 sources with Poisson trains onto 2 targets, synapse i -> j onto segment
            (i (j + 1)) % 4, against tests/reference/brian2_dendrites.py (Brian2 2.5.1, the
            neuron with one scalar per segment and one Synapses object per segment,
            exponential Euler): the same spikes (stamps within 1e-12 s), v and u within 1e-9
            of each variable's largest value
  Threads   examples/dendrites.axon (segments drawn with randint(4)) and the Twin module
            (post.I_d[seg] in continuous): 1 and 2 threads write identical recordings
  Conduct.  the per-segment conductance pattern of docs/language.md (a vector conductance
            input g_d[4] : S, post.g_d[seg] += w with seg = j, each segment's current
            g_d[k] B(u[k]) (E_nmda - u[k]) with an NMDA Mg block): soma and segments of the
            four neurons against a quadrature (scipy LSODA, rtol 1e-12) of the same equations
            with the conductance on segment j of neuron j only, within 1e-11 V at dt = 0.1 ms
            (the scheme is RK4); the other three segments of each neuron bit-identical to one
            another and the addressed one more than 1 mV above them
  Refused   (i + j) % 5 onto four segments (4 for some synapses, which the compiler cannot
            tell): the run stops after connecting with a message naming the projection and
            the range, exit status 1

Prints one line per check and exits 1 if any fails.
"""
import glob
import os
import subprocess
import sys

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vcheck  # noqa: E402

AXON, SRC, WORK = sys.argv[1:4]
MODEL = os.path.join(SRC, "tests/validation/dendrites.axon")
v = vcheck.Checks(AXON)

# DendLIF's defaults (stdlib/neurons/dendrites.axon)
TAU_M, V_REST, V_TH, R = 20e-3, -65e-3, -50e-3, 100e6
TAU_D, R_D, THETA, S_D, I_P = 40e-3, 100e6, 8e-3, 1e-3, 0.3e-9


def load(out, name):
    return np.load(os.path.join(out, name + ".npy"))


def rel_err(x, exact):
    return float(np.max(np.abs(x - exact) / np.maximum(np.abs(exact), 1e-300)))


# ---- Charging
out = os.path.join(WORK, "dend_charging")
if v.run(MODEL, out, ["-m", "Charging", "-t", "200 ms"]):
    w = 0.1e-9
    worst, others = 0.0, 0.0
    for j in range(4):
        for k in range(4):
            u = load(out, "D.u[%d]" % k)[:, j]
            t = load(out, "D.u[%d].t" % k)
            if k == j:
                exact = R_D * w * (1 - np.exp(-t / TAU_D))  # t: the end of each step
                worst = max(worst, rel_err(u, exact))
            else:
                others = max(others, float(np.abs(u).max()))
    v.check("Charging: u[j] = R_d w (1 - exp(-t/tau_d)) in segment j only, 1e-12 relative",
            worst < 1e-12 and others == 0.0, "worst %.2e, other segments max %g" % (worst, others))


# ---- Cluster
def cluster(dt):
    out = os.path.join(WORK, "dend_cluster_%g" % dt)
    if not v.run(MODEL, out, ["-m", "Cluster", "-t", "100 ms", "--dt", "%g ms" % dt]):
        return None
    return out


def reference(u0, t0, t):
    """v(t) of tau_m v' = v_rest - v + R I_p sum_k a(u_k), u_k = u0[k] exp(-(s - t0)/tau_d) for
    s >= t0 and 0 before (v(0) = v_rest), by solve_ivp in two pieces."""
    def drive(s, after):
        u = u0 * np.exp(-(s - t0) / TAU_D) if after else np.zeros(4)
        return R * I_P * np.sum(1 / (1 + np.exp(-(u - THETA) / S_D)))

    def rhs(after):
        return lambda s, y: [(V_REST - y[0] + drive(s, after)) / TAU_M]
    a = solve_ivp(rhs(False), (0, t0), [V_REST], rtol=1e-12, atol=1e-15, method="DOP853")
    b = solve_ivp(rhs(True), (t0, t[-1]), [a.y[0, -1]], rtol=1e-12, atol=1e-15,
                  method="DOP853", dense_output=True)
    before = t < t0
    vref = np.empty_like(t)
    if before.any():
        early = solve_ivp(rhs(False), (0, t0), [V_REST], rtol=1e-12, atol=1e-15,
                          method="DOP853", dense_output=True)
        vref[before] = early.sol(t[before])[0]
    vref[~before] = b.sol(t[~before])[0]
    return vref, b


errs = {}
for dt in (0.1, 0.05):
    out = cluster(dt)
    if not out:
        continue
    worst_u, worst_v = 0.0, 0.0
    for pop, want in (("C", [16e-3, 0, 0, 0]), ("X", [4e-3] * 4)):
        t = load(out, pop + ".u[0].t")
        u = np.stack([load(out, "%s.u[%d]" % (pop, k))[:, 0] for k in range(4)], axis=1)
        first = int(np.argmax(u.sum(axis=1) > 0))  # the first recorded value after the jumps
        t0 = t[first]
        u0 = u[first]
        ok0 = np.allclose(u0, want, rtol=1e-12, atol=0)
        later = t >= t0
        exact = u0[None, :] * np.exp(-(t[later, None] - t0) / TAU_D)
        mask = exact > 0
        worst_u = max(worst_u, rel_err(u[later][mask], exact[mask]) if mask.any() else 0.0,
                      float(np.abs(u[~later]).max()) if (~later).any() else 0.0,
                      0.0 if ok0 else 1.0)
        # the reference's segments jump at t0, the first recorded time with the jump; the
        # scheme holds each step's drive at its start value (exponential Euler), so the
        # difference is first order in dt
        vref, sol = reference(u0, t0, t)
        vm = load(out, pop + ".v")[:, 0]
        worst_v = max(worst_v, float(np.abs(vm - vref).max()))
        if dt == 0.1:
            peak = float(vm.max())
            if pop == "C":
                crossing = t[later][np.argmax(sol.sol(t[later])[0] > V_TH)]
                v.check("Cluster: clustered input drives the soma over threshold (peak %.2f mV "
                        "without spikes)" % (peak * 1e3), peak > V_TH)
                cs = os.path.join(out, "CS.spikes.t.npy")
                st = np.load(cs) if os.path.exists(cs) else np.array([])
                v.check("Cluster: the clustered neuron fires within 0.2 ms of the quadrature's "
                        "crossing", len(st) >= 1 and abs(st[0] - crossing) <= 0.2e-3,
                        "first spike %s, crossing %.4f ms"
                        % ("%.4f ms" % (st[0] * 1e3) if len(st) else "none", crossing * 1e3))
            else:
                xs = os.path.join(out, "XS.spikes.t.npy")
                n = len(np.load(xs)) if os.path.exists(xs) else 0
                v.check("Cluster: dispersed input leaves every segment below threshold and the "
                        "soma 14 mV below it, no spike",
                        u0.max() < THETA and peak < V_TH - 14e-3 and n == 0,
                        "peak %.3f mV, %d spikes" % (peak * 1e3, n))
    v.check("Cluster dt = %g ms: u[k] = u[k](t0) exp(-(t - t0)/tau_d), 16 mV clustered, 4 mV "
            "dispersed, 1e-12 relative" % dt, worst_u < 1e-12, "worst %.2e" % worst_u)
    errs[dt] = worst_v
if len(errs) == 2:
    ratio = errs[0.1] / errs[0.05] if errs[0.05] > 0 else float("inf")
    v.check("Cluster: somatic v against the quadrature within 0.05 mV at dt = 0.1 ms, the error "
            "first order in dt", errs[0.1] < 0.05e-3 and 1.6 < ratio < 2.4,
            "%.2e V at 0.1 ms, %.2e V at 0.05 ms, ratio %.2f" % (errs[0.1], errs[0.05], ratio))

# ---- Twin
out = os.path.join(WORK, "dend_twin")
if v.run(MODEL, out, ["-m", "Twin", "-t", "500 ms"]):
    pairs = [("V.v", "T.v")] + [("V.u[%d]" % k, "T.u%d" % k) for k in range(4)]
    same = all(np.array_equal(load(out, a), load(out, b)) for a, b in pairs)
    sv, st = load(out, "V.spikes.t"), load(out, "T.spikes.t")
    same_spikes = np.array_equal(sv, st) and np.array_equal(load(out, "V.spikes.i"),
                                                            load(out, "T.spikes.i"))
    umax = max(float(load(out, a).max()) for a, _ in pairs[1:])
    v.check("Twin: vectors and post.u[seg] / post.I_d[seg] against four scalars and projections: "
            "v, u and spikes bit-identical", same and same_spikes and len(sv) > 0,
            "%d spikes, u up to %.1f mV" % (len(sv), umax * 1e3))

# ---- Brian2
out = os.path.join(WORK, "dend_brian")
if v.run(MODEL, out, ["-m", "Brian", "-t", "1 s"]):
    ref = np.loadtxt(os.path.join(SRC, "tests/reference/data/dendrites.csv"), delimiter=",")
    rsp = np.loadtxt(os.path.join(SRC, "tests/reference/data/dendrites.spikes.csv"),
                     delimiter=",", ndmin=2)
    t = load(out, "D.v.t")
    ok_t = len(t) == len(ref) and np.allclose(t, ref[:, 0], rtol=0, atol=1e-12)
    worst = 0.0
    for a in range(2):
        for c, name in enumerate(["D.v"] + ["D.u[%d]" % k for k in range(4)]):
            x = load(out, name)[:, a] if ok_t else np.zeros(len(ref))
            col = ref[:, 1 + 5 * a + c]
            worst = max(worst, float(np.abs(x - col).max() / max(np.abs(col).max(), 1e-300)))
    o = np.lexsort((rsp[:, 0], rsp[:, 1]))
    si, st = load(out, "D.spikes.i"), load(out, "D.spikes.t")
    same = (len(st) == len(rsp) and np.array_equal(si, rsp[o, 0].astype(si.dtype))
            and float(np.abs(st - rsp[o, 1]).max()) <= 1e-12)
    v.check("Brian2: the same %d spikes (%s per target)" % (len(rsp), np.bincount(
        rsp[:, 0].astype(int), minlength=2).tolist()), same and len(rsp) > 0,
        "axon %d spikes" % len(st))
    v.check("Brian2: v and u[k] within 1e-9 of each variable's largest value", ok_t and
            worst < 1e-9, "worst %.2e" % worst)


# ---- Threads
def same_files(o1, o2):
    names = sorted(os.path.basename(f) for f in glob.glob(os.path.join(o1, "*.npy")))
    return names, [n for n in names if not np.array_equal(np.load(os.path.join(o1, n)),
                                                          np.load(os.path.join(o2, n)))]


ex = os.path.join(SRC, "examples/dendrites.axon")
for n, (name, path, extra) in enumerate((
        ("examples/dendrites.axon (randint(4) segments)", ex, []),
        ("the Twin module (post.I_d[seg] in continuous)", MODEL, ["-m", "Twin", "-t", "200 ms"]))):
    o1, o2 = os.path.join(WORK, "dend_%d_t1" % n), os.path.join(WORK, "dend_%d_t2" % n)
    if v.run(path, o1, extra + ["--threads", "1"]) and v.run(path, o2, extra + ["--threads", "2"]):
        names, diff = same_files(o1, o2)
        nsp = sum(len(np.load(f)) for f in glob.glob(os.path.join(o1, "*.spikes.t.npy")))
        v.check("Threads: %s identical for 1 and 2 threads" % name, names and not diff and nsp,
                "%d files, %d spikes%s" % (len(names), nsp, ", differ: " + " ".join(diff)
                                           if diff else ""))

# ---- Conductance (SegNMDA: the constants of tests/validation/dendrites.axon)
TAU_N, E_L, E_N, C_N, G_C, C_MG, W_G = 20e-3, -65e-3, 0.0, 200e-12, 10e-9, 1.0, 10e-9


def seg_nmda(t, y, j):
    vs, u = y[0], y[1:]
    g = np.zeros(4)
    g[j] = W_G  # neuron j: the conductance on its segment j only
    b = 1 / (1 + C_MG / 3.57 * np.exp(-0.062 * u * 1e3))
    du = (E_L - u) / TAU_N + (g * b * (E_N - u) + G_C * (vs - u)) / C_N
    dv = (E_L - vs) / TAU_N + G_C * np.sum(u - vs) / C_N
    return np.concatenate(([dv], du))


out = os.path.join(WORK, "dend_conductance")
if v.run(MODEL, out, ["-m", "Conductance", "-t", "200 ms"]):
    t = load(out, "N.v.t")
    worst, apart, rise = 0.0, True, np.inf
    for j in range(4):
        q = solve_ivp(seg_nmda, (0, t[-1]), np.full(5, E_L), args=(j,), t_eval=t, rtol=1e-12,
                      atol=1e-15, method="LSODA")
        got = [load(out, "N.v")[:, j]] + [load(out, "N.u[%d]" % k)[:, j] for k in range(4)]
        worst = max([worst] + [float(np.abs(g - e).max()) for g, e in zip(got, q.y)])
        rest = [got[1 + k] for k in range(4) if k != j]
        apart = apart and all(np.array_equal(rest[0], r) for r in rest[1:])
        rise = min(rise, float(got[1 + j][-1] - rest[0][-1]))
    v.check("Conductance: g_d[k] B(u[k]) (E - u[k]) on the addressed segment only, against "
            "a quadrature within 1e-11 V", worst < 1e-11 and apart and rise > 1e-3,
            "worst %.2e V, other segments identical: %s, addressed one %.2f mV above"
            % (worst, apart, rise * 1e3))

# ---- Refused
p = subprocess.run([AXON, "run", MODEL, "-m", "Refused", "-t", "10 ms", "-q",
                    "-o", os.path.join(WORK, "dend_refused")],
                   capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"))
msg = p.stdout + p.stderr
v.check("Refused: a drawn segment outside 0 .. 3 stops the run, naming the projection",
        p.returncode == 1 and "projection 'P->D'" in msg and "'P->D.seg' = 4" in msg
        and "[0, 3]" in msg, msg.strip()[:200])

sys.exit(v.status())
