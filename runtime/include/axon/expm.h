/*
 * expm.h — the matrix exponential and the propagator of linear systems x' = A x + b: the
 * `exact` integration scheme's step. Generated code calls axon_propagator in its derive
 * kernel (model.h) to compute a population's propagator from its current parameters; the
 * compiler uses the same functions when it builds the model.
 * Threads: both are [any thread] (pure functions of their arguments, no global state).
 */
#ifndef AXON_EXPM_H
#define AXON_EXPM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * out = exp(M) for an n x n row-major matrix, 1 <= n <= 64 (Higham 2005: scaling and squaring
 * with Pade approximants, after a balancing by powers of two). Returns 0, or -1 when n is out
 * of range, M or out is NULL, M is not finite or the result overflows, -2 when memory runs out
 * (then out is NaN, when n is in range).
 */
int32_t axon_expm(int32_t n, const double *M, double *out);

/*
 * For x' = A x + b with b constant over a step of length h (1 <= n <= 32): Phi = exp(A h) and
 * Gamma = integral_0^h exp(A s) ds, both n x n row-major, so that x(t + h) = Phi x(t) +
 * Gamma b. Works for singular A. Returns 0, or -1 or -2 as axon_expm (then Phi and Gamma are
 * NaN).
 */
int32_t axon_propagator(int32_t n, const double *A, double h, double *Phi, double *Gamma);

#ifdef __cplusplus
}
#endif

#endif /* AXON_EXPM_H */
