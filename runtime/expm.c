/*
 * expm: the matrix exponential and the step propagator of linear systems,
 * for the `exact` integration scheme (<axon/expm.h>). One implementation for
 * the compiler, which checks a model's propagator when it builds it, and for
 * the generated derive kernels, which compute it again whenever a parameter
 * it depends on changes at run time.
 *
 * sx_expm is Algorithm 2.3 of N. J. Higham, "The scaling and squaring
 * method for the matrix exponential revisited", SIAM J. Matrix Anal. Appl.
 * 26(4), 2005: the lowest-degree diagonal Pade approximant r_m (m = 3, 5, 7,
 * 9, 13) whose backward error bound theta_m covers the 1-norm of the matrix;
 * above theta_13 the matrix is scaled by 2^-s into range, r_13 applied and
 * the result squared s times. The rational function is evaluated with a
 * partial-pivot LU solve. All of this runs on small matrices, once per
 * parameter change, so clarity wins over blocking or BLAS.
 *
 * The matrices of models in SI are badly scaled (LIF's R / tau_m is 5e9
 * 1/s next to 1/tau_m = 50 1/s), and the squarings that such a norm calls
 * for cost digits in the small entries. So the matrix is first balanced
 * by a diagonal similarity D^-1 M D with powers of two, exact in floating
 * point (see balance), kept unless it raises the 1-norm into the range
 * that needs squarings; exp(M) = D exp(D^-1 M D) D^-1.
 */
#include "axon/expm.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* sx_propagator works on the augmented matrix of size 2n. */
enum { EXPM_MAX_N = 64, PROPAGATOR_MAX_N = 32 };

/* Higham 2005, Table 2.3: the largest 1-norm for which r_m reaches unit
 * roundoff in IEEE double precision. */
static const double THETA3 = 1.495585217958292e-2;
static const double THETA5 = 2.539398330063230e-1;
static const double THETA7 = 9.504178996162932e-1;
static const double THETA9 = 2.097847961257068e0;
static const double THETA13 = 5.371920351148152e0;

/* Coefficients b_0 .. b_m of the numerator of r_m (the denominator has the
 * same ones with alternating signs). */
static const double PADE3[] = {120.0, 60.0, 12.0, 1.0};
static const double PADE5[] = {30240.0, 15120.0, 3360.0, 420.0, 30.0, 1.0};
static const double PADE7[] = {17297280.0, 8648640.0, 1995840.0, 277200.0,
                               25200.0,    1512.0,    56.0,      1.0};
static const double PADE9[] = {17643225600.0, 8821612800.0, 2075673600.0, 302702400.0, 30270240.0,
                               2162160.0,     110880.0,     3960.0,       90.0,        1.0};
static const double PADE13[] = {64764752532480000.0,
                                32382376266240000.0,
                                7771770303897600.0,
                                1187353796428800.0,
                                129060195264000.0,
                                10559470521600.0,
                                670442572800.0,
                                33522128640.0,
                                1323241920.0,
                                40840800.0,
                                960960.0,
                                16380.0,
                                182.0,
                                1.0};

/* C = A B for n x n row-major matrices; C must not alias A or B. */
static void matmul(int n, const double *A, const double *B, double *C)
{
    memset(C, 0, sizeof *C * (size_t)n * (size_t)n);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            double a = A[i * n + k];
            if (a == 0)
                continue;
            for (int j = 0; j < n; j++)
                C[i * n + j] += a * B[k * n + j];
        }
}

/* The 1-norm (largest absolute column sum), the norm the theta_m refer to. */
static double norm1(int n, const double *A)
{
    double best = 0;
    for (int j = 0; j < n; j++) {
        double s = 0;
        for (int i = 0; i < n; i++)
            s += fabs(A[i * n + j]);
        if (s > best)
            best = s;
    }
    return best;
}

/* Solves Q X = P by Gaussian elimination with partial pivoting; X replaces
 * P and Q is destroyed. False when Q is singular to working precision,
 * which for the Pade denominator only happens on overflow. */
static bool solve(int n, double *Q, double *P)
{
    for (int k = 0; k < n; k++) {
        int piv = k;
        for (int i = k + 1; i < n; i++)
            if (fabs(Q[i * n + k]) > fabs(Q[piv * n + k]))
                piv = i;
        if (Q[piv * n + k] == 0 || !isfinite(Q[piv * n + k]))
            return false;
        if (piv != k)
            for (int j = 0; j < n; j++) {
                double t = Q[k * n + j];
                Q[k * n + j] = Q[piv * n + j];
                Q[piv * n + j] = t;
                t = P[k * n + j];
                P[k * n + j] = P[piv * n + j];
                P[piv * n + j] = t;
            }
        for (int i = k + 1; i < n; i++) {
            double f = Q[i * n + k] / Q[k * n + k];
            if (f == 0)
                continue;
            for (int j = k + 1; j < n; j++)
                Q[i * n + j] -= f * Q[k * n + j];
            for (int j = 0; j < n; j++)
                P[i * n + j] -= f * P[k * n + j];
        }
    }
    for (int k = n - 1; k >= 0; k--)
        for (int j = 0; j < n; j++) {
            double s = P[k * n + j];
            for (int i = k + 1; i < n; i++)
                s -= Q[k * n + i] * P[i * n + j];
            P[k * n + j] = s / Q[k * n + k];
        }
    return true;
}

/* Work space: the powers A^2, A^4, A^6, A^8 and three scratch matrices. */
typedef struct {
    int n;
    double *A2, *A4, *A6, *A8, *U, *V, *T;
} pade_ws;

/* U and V of r_m = (V - U)^-1 (V + U) for m <= 9: U = A * sum b_odd A^(k-1),
 * V = sum b_even A^k, from the even powers already in ws. */
static void pade_low(const pade_ws *w, const double *A, const double *b, int m)
{
    int nn = w->n * w->n;
    const double *pw[5] = {NULL, w->A2, w->A4, w->A6, w->A8};
    for (int i = 0; i < nn; i++) {
        bool diag = i % (w->n + 1) == 0;
        w->T[i] = diag ? b[1] : 0;
        w->V[i] = diag ? b[0] : 0;
    }
    for (int k = 1; 2 * k <= m; k++)
        for (int i = 0; i < nn; i++) {
            w->T[i] += b[2 * k + 1] * pw[k][i];
            w->V[i] += b[2 * k] * pw[k][i];
        }
    matmul(w->n, A, w->T, w->U);
}

/* U and V of r_13, with the factorisation of Higham (2005), eq. (2.13),
 * which needs only A^2, A^4, A^6 and three more products. */
static void pade13(const pade_ws *w, const double *A)
{
    int n = w->n, nn = n * n;
    const double *b = PADE13;
    double *S = w->A8; /* A^8 is not needed at this degree: reuse it */
    for (int i = 0; i < nn; i++)
        S[i] = b[13] * w->A6[i] + b[11] * w->A4[i] + b[9] * w->A2[i];
    matmul(n, w->A6, S, w->T);
    for (int i = 0; i < nn; i++) {
        bool diag = i % (n + 1) == 0;
        w->T[i] += b[7] * w->A6[i] + b[5] * w->A4[i] + b[3] * w->A2[i] + (diag ? b[1] : 0);
    }
    matmul(n, A, w->T, w->U);
    for (int i = 0; i < nn; i++)
        S[i] = b[12] * w->A6[i] + b[10] * w->A4[i] + b[8] * w->A2[i];
    matmul(n, w->A6, S, w->V);
    for (int i = 0; i < nn; i++) {
        bool diag = i % (n + 1) == 0;
        w->V[i] += b[6] * w->A6[i] + b[4] * w->A4[i] + b[2] * w->A2[i] + (diag ? b[0] : 0);
    }
}

/* Balances A in place: A <- D^-1 A D with D = diag(d), d powers of two,
 * chosen so that the off-diagonal entries come as close as they can to the
 * size of the largest diagonal entry: least squares on the logarithms,
 *   log2 |a_ij| + x_j - x_i = T  for every a_ij != 0, i != j,  d_i = 2^x_i,
 * solved by Gauss-Seidel sweeps (each x_i the mean that its equations ask
 * for); L is work space for the logarithms. Unlike Parlett-Reinsch
 * balancing, which leaves a triangular matrix alone, this recovers the
 * units of a system such as LIF's (v in V, I_syn in A) from its equations. */
static void balance(int n, double *A, double *d, double *L)
{
    double T = -INFINITY, mean = 0;
    int cnt = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double a = fabs(A[i * n + j]);
            L[i * n + j] = a > 0 ? log2(a) : 0;
            if (i == j && a > 0)
                T = fmax(T, L[i * n + j]);
            else if (i != j && a > 0) {
                mean += L[i * n + j];
                cnt++;
            }
        }
    for (int i = 0; i < n; i++)
        d[i] = 1;
    if (!cnt)
        return;
    if (T == -INFINITY)
        T = mean / cnt;
    double *x = d; /* the exponents, then the factors */
    for (int i = 0; i < n; i++)
        x[i] = 0;
    for (int sweep = 0; sweep < 400; sweep++) {
        double change = 0;
        for (int i = 0; i < n; i++) {
            double sum = 0;
            int k = 0;
            for (int j = 0; j < n; j++) {
                if (j == i)
                    continue;
                if (A[i * n + j] != 0) { /* x_i = x_j + log2|a_ij| - T */
                    sum += x[j] + L[i * n + j] - T;
                    k++;
                }
                if (A[j * n + i] != 0) { /* x_i = x_j - log2|a_ji| + T */
                    sum += x[j] - L[j * n + i] + T;
                    k++;
                }
            }
            if (k) {
                double xi = sum / k;
                change = fmax(change, fabs(xi - x[i]));
                x[i] = xi;
            }
        }
        if (change < 0.25)
            break;
    }
    for (int i = 0; i < n; i++) {
        double e = nearbyint(x[i]);
        d[i] = ldexp(1.0, (int)fmax(-900, fmin(900, e)));
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            if (i != j && d[i] != d[j])
                A[i * n + j] = ldexp(A[i * n + j], ilogb(d[j]) - ilogb(d[i]));
}

static bool all_finite(int count, const double *x)
{
    for (int i = 0; i < count; i++)
        if (!isfinite(x[i]))
            return false;
    return true;
}

/* Also a failure when the result overflows: a caller building a propagator
 * has no use for an infinite one. */
static int expm(int n, const double *M, double *out)
{
    if (n < 1 || n > EXPM_MAX_N)
        return -1;
    int nn = n * n;
    if (!all_finite(nn, M))
        return -1;
    double *mem = malloc(sizeof(double) * ((size_t)nn * 9 + (size_t)n));
    if (!mem)
        return -2;
    pade_ws w = {n,           mem, mem + nn, mem + 2 * nn, mem + 3 * nn, mem + 4 * nn, mem + 5 * nn,
                 mem + 6 * nn};
    double *A = mem + 7 * nn, *L = mem + 8 * nn, *d = mem + 9 * nn;
    memcpy(A, M, sizeof(double) * (size_t)nn);

    double norm = norm1(n, A);
    balance(n, A, d, L);
    double bnorm = norm1(n, A);
    if (bnorm <= fmax(norm, THETA13))
        norm = bnorm;
    else {
        memcpy(A, M, sizeof(double) * (size_t)nn);
        for (int i = 0; i < n; i++)
            d[i] = 1;
    }
    int s = 0;
    matmul(n, A, A, w.A2);
    if (norm <= THETA3) {
        pade_low(&w, A, PADE3, 3);
    } else {
        matmul(n, w.A2, w.A2, w.A4);
        if (norm <= THETA5) {
            pade_low(&w, A, PADE5, 5);
        } else {
            matmul(n, w.A4, w.A2, w.A6);
            if (norm <= THETA7) {
                pade_low(&w, A, PADE7, 7);
            } else if (norm <= THETA9) {
                matmul(n, w.A4, w.A4, w.A8);
                pade_low(&w, A, PADE9, 9);
            } else {
                /* scale into range; powers of two keep the scaling exact */
                s = (int)ceil(log2(norm / THETA13));
                if (s < 0)
                    s = 0;
                if (s > 0) {
                    for (int i = 0; i < nn; i++)
                        A[i] = ldexp(A[i], -s);
                    for (int i = 0; i < nn; i++) {
                        w.A2[i] = ldexp(w.A2[i], -2 * s);
                        w.A4[i] = ldexp(w.A4[i], -4 * s);
                        w.A6[i] = ldexp(w.A6[i], -6 * s);
                    }
                }
                pade13(&w, A);
            }
        }
    }
    /* P = V + U goes to out, Q = V - U to T; then out = Q^-1 P */
    for (int i = 0; i < nn; i++) {
        out[i] = w.V[i] + w.U[i];
        w.T[i] = w.V[i] - w.U[i];
    }
    bool ok = solve(n, w.T, out);
    for (int k = 0; ok && k < s; k++) {
        matmul(n, out, out, w.T);
        memcpy(out, w.T, sizeof(double) * (size_t)nn);
    }
    /* undo the balancing: exp(M) = D exp(D^-1 M D) D^-1 (exact: powers of two) */
    for (int i = 0; ok && i < n; i++)
        for (int j = 0; j < n; j++)
            if (d[i] != d[j])
                out[i * n + j] = ldexp(out[i * n + j], ilogb(d[i]) - ilogb(d[j]));
    free(mem);
    return ok && all_finite(nn, out) ? 0 : -1;
}

/* exp([[A, I], [0, 0]] h) = [[exp(A h), integral_0^h exp(A s) ds], [0, I]]
 * (Van Loan 1978): one exponential gives both blocks and needs no inverse
 * of A, so singular A is no special case. */
static int propagator(int n, const double *A, double h, double *Phi, double *Gamma)
{
    if (n < 1 || n > PROPAGATOR_MAX_N || !isfinite(h))
        return -1;
    int m = 2 * n;
    double *mem = calloc((size_t)m * (size_t)m * 2, sizeof(double));
    if (!mem)
        return -2;
    double *M = mem, *E = mem + m * m;
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++)
            M[i * m + j] = A[i * n + j] * h;
        M[i * m + n + i] = h;
    }
    int rc = expm(m, M, E);
    if (rc == 0)
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                Phi[i * n + j] = E[i * m + j];
                Gamma[i * n + j] = E[i * m + n + j];
            }
    free(mem);
    return rc;
}

/* On failure the outputs are NaN, so that a caller that only checks the values (the runtime
 * after a derive kernel) sees it. */
static int32_t fail(int32_t rc, int count, double *a, double *b)
{
    for (int i = 0; i < count; i++) {
        a[i] = NAN;
        if (b)
            b[i] = NAN;
    }
    return rc;
}

int32_t axon_expm(int32_t n, const double *M, double *out)
{
    if (n < 1 || n > EXPM_MAX_N || !M || !out)
        return -1;
    int rc = expm(n, M, out);
    return rc ? fail(rc, n * n, out, NULL) : 0;
}

int32_t axon_propagator(int32_t n, const double *A, double h, double *Phi, double *Gamma)
{
    if (n < 1 || n > PROPAGATOR_MAX_N || !A || !Phi || !Gamma)
        return -1;
    int rc = propagator(n, A, h, Phi, Gamma);
    return rc ? fail(rc, n * n, Phi, Gamma) : 0;
}
