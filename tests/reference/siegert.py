#!/usr/bin/python3
"""Firing rates of a leaky integrate-and-fire neuron driven by white noise.

    tau v' = mu - v + sigma sqrt(2 tau) xi,   spike when v > theta, then v = v_r
    and v is held at v_r for t_ref

(in Axon: v' = (mu - v) / tau + sigma * sqrt(2 / tau) * xi). The stationary
rate is Siegert's formula (Siegert 1951; Brunel 2000, eq. 21):

    1 / nu = t_ref + tau sqrt(pi) int_{(v_r - mu)/s}^{(theta - mu)/s} e^{u^2} (1 + erf u) du

with s = sqrt(2) sigma: Brunel writes the noise tau v' = ... + s sqrt(tau) xi, whose
stationary variance is s^2 / 2, while sigma here is the standard deviation of the free
membrane. e^{u^2} (1 + erf u) is scipy's erfcx(-u), finite for any u.

A simulation with step dt tests the threshold only at the grid points and
misses crossings between them, which lowers the rate. For a diffusion
dx = s dW monitored every dt, the first passage of the discrete walk over
theta behaves as that of the continuous process over theta + beta s sqrt(dt),
beta = -zeta(1/2) / sqrt(2 pi) = 0.5826 (Siegmund 1979; Broadie, Glasserman
and Kou 1997). Here s = sigma sqrt(2 / tau), so the rate at step dt is
Siegert's formula with theta + 0.5826 sigma sqrt(2 dt / tau); this is the
rate Axon is compared with (the correction is first order in sqrt(dt)).

Usage: /usr/bin/python3 tests/reference/siegert.py [OUT]   (default
tests/reference/data/siegert.json)
"""
import json
import math
import os
import sys

import scipy
from scipy.integrate import quad
from scipy.special import erfcx, zeta

TAU, THETA, V_R, T_REF, DT = 20e-3, 20e-3, 10e-3, 2e-3, 1e-4
CASES = [(15e-3, 5e-3), (19e-3, 2e-3), (12e-3, 6e-3), (24e-3, 3e-3)]  # (mu, sigma)
BETA = -zeta(0.5) / math.sqrt(2 * math.pi)


def siegert(mu, sigma, theta=THETA, v_r=V_R, tau=TAU, t_ref=T_REF):
    s = math.sqrt(2) * sigma
    lo, hi = (v_r - mu) / s, (theta - mu) / s
    integral, _ = quad(lambda u: erfcx(-u), lo, hi, epsabs=0, epsrel=1e-12, limit=200)
    return 1.0 / (t_ref + tau * math.sqrt(math.pi) * integral)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                               "data", "siegert.json")
    cases = []
    for mu, sigma in CASES:
        shift = BETA * sigma * math.sqrt(2 * DT / TAU)
        cases.append({"mu": mu, "sigma": sigma, "rate": siegert(mu, sigma),
                      "rate_dt": siegert(mu, sigma, theta=THETA + shift)})
    data = {"generator": "tests/reference/siegert.py, scipy " + scipy.__version__,
            "tau": TAU, "theta": THETA, "v_r": V_R, "t_ref": T_REF, "dt": DT, "beta": BETA,
            "cases": cases}
    with open(out, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
