"""The astrocyte of std/neurons/glia.axon in Brian2, shared by brian2_glia.py and
brian2_glia_ring.py (Stimberg et al. 2018's equations; rk4, as Axon's `method rk4`).

astrocytes(n, O_beta, coupling) builds the NeuronGroup of n astrocytes with glia.axon's default
parameters but O_beta (the IP3 production by glutamate, in uM/s: the scripts differ there),
C = 0.01 uM, h = 0.9, x_A = 1 (I is the caller's). With coupling the group also has the input
J_coupling (mM/s) added to dI/dt: the gap-junction IP3 flux that a Synapses object sums into it.
"""
from brian2 import NeuronGroup, mM, second, umolar

# std/neurons/glia.axon's defaults (O_beta apart)
PARAMS = dict(
    O_P=0.9 * umolar / second, K_P=0.05 * umolar, C_T=2 * umolar, rho_A=0.18,
    Omega_C=6 / second, Omega_L=0.1 / second,
    d_1=0.13 * umolar, d_2=1.05 * umolar, O_2=0.2 / umolar / second, d_3=0.9434 * umolar,
    d_5=0.08 * umolar,
    O_N=0.3 / umolar / second, Omega_N=0.5 / second, K_KC=0.5 * umolar, zeta=10,
    O_delta=1.2 * umolar / second, kappa_delta=1.5 * umolar, K_delta=0.1 * umolar,
    Omega_5P=0.05 / second, K_D=0.7 * umolar, K_3K=1.0 * umolar, O_3K=4.5 * umolar / second,
    C_Theta=0.5 * umolar, Omega_A=0.6 / second, U_A=0.6, G_T=200 * mM,
    rho_e=6.5e-4, Omega_e=60 / second,
)

EQS = """
    dGamma_A/dt = O_N * Y_S * (1 - Gamma_A) - Omega_N * (1 + zeta * C / (C + K_KC)) * Gamma_A : 1
    dI/dt = J_beta + J_delta - J_3K - J_5P{coupling}              : mmolar
    J_beta = O_beta * Gamma_A                                        : mmolar/second
    J_delta = O_delta/(1 + I/kappa_delta) * C**2/(C**2 + K_delta**2) : mmolar/second
    J_3K = O_3K * C**4/(C**4 + K_D**4) * I/(I + K_3K)                : mmolar/second
    J_5P = Omega_5P*I                                                : mmolar/second
    dC/dt = J_r + J_l - J_p                                          : mmolar
    dh/dt = (h_inf - h)/tau_h                                        : 1
    J_r = (Omega_C * m_inf**3 * h**3) * (C_T - (1 + rho_A)*C)        : mmolar/second
    J_l = Omega_L * (C_T - (1 + rho_A)*C)                            : mmolar/second
    J_p = O_P * C**2/(C**2 + K_P**2)                                 : mmolar/second
    m_inf = I/(I + d_1) * C/(C + d_5)                                : 1
    h_inf = Q_2/(Q_2 + C)                                            : 1
    tau_h = 1/(O_2 * (Q_2 + C))                                      : second
    Q_2 = d_2 * (I + d_1)/(I + d_3)                                  : mmolar
    dx_A/dt = Omega_A * (1 - x_A)                                    : 1
    dG_A/dt = -Omega_e*G_A                                           : mmolar
    Y_S                                                              : mmolar
"""


def astrocytes(n, O_beta, coupling=False):
    eqs = EQS.format(coupling=" + J_coupling" if coupling else "")
    if coupling:
        eqs += "    J_coupling                                                       : mmolar/second\n"
    astro = NeuronGroup(n, eqs, threshold="C>C_Theta", refractory="C>C_Theta",
                        reset="G_A += rho_e * G_T * U_A * x_A\nx_A -= U_A * x_A", method="rk4",
                        namespace=dict(PARAMS, O_beta=O_beta))
    astro.C = 0.01 * umolar
    astro.h = 0.9
    astro.x_A = 1.0
    return astro
