/*
 * Weights: summary statistics, histograms, the fraction at the bounds of a learning rule, and
 * the effective rank of a projection's weight matrix.
 *
 * The effective rank needs singular values. They are the square roots of the eigenvalues of
 * the smaller Gram matrix (M^T M or M M^T), which are found by Householder reduction to
 * tridiagonal form and the implicit QL algorithm with Wilkinson shifts: O(n^3) for n the
 * smaller dimension, eigenvalues only, no dependency. Squaring the matrix loses the smallest
 * singular values below sqrt(machine epsilon) times the largest, which the effective rank
 * (an entropy of the normalised singular values) does not notice.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_int.h"

static int rt_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* numpy.quantile's default (linear interpolation between order statistics). */
static double rt_quantile(const double *sorted, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t lo = (size_t)floor(pos);
    if (lo + 1 >= n)
        return sorted[n - 1];
    return sorted[lo] + (pos - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

axon_status axon_weights_stats(const double *w, size_t n, double lo, double hi, double tol,
                               axon_weight_stats *out)
{
    if (!out || (n && !w))
        return AXON_EINVAL;
    memset(out, 0, sizeof *out);
    out->n = n;
    if (n == 0) {
        out->mean = out->std = out->min = out->max = NAN;
        out->q05 = out->q25 = out->q50 = out->q75 = out->q95 = NAN;
        out->lo = out->hi = out->near_lo = out->near_hi = NAN;
        return AXON_OK;
    }
    double *s = malloc(n * sizeof *s);
    if (!s)
        return AXON_ENOMEM;
    memcpy(s, w, n * sizeof *s);
    qsort(s, n, sizeof *s, rt_cmp);
    rt_mean_std(s, n, &out->mean, &out->std, NULL);
    out->min = s[0];
    out->max = s[n - 1];
    out->q05 = rt_quantile(s, n, 0.05);
    out->q25 = rt_quantile(s, n, 0.25);
    out->q50 = rt_quantile(s, n, 0.50);
    out->q75 = rt_quantile(s, n, 0.75);
    out->q95 = rt_quantile(s, n, 0.95);
    out->lo = isnan(lo) ? (s[0] < 0 ? s[0] : 0) : lo;
    out->hi = isnan(hi) ? s[n - 1] : hi;
    double band = (tol > 0 ? tol : 0.01) * (out->hi - out->lo);
    size_t nl = 0, nh = 0;
    for (size_t k = 0; k < n; k++) {
        nl += s[k] <= out->lo + band;
        nh += s[k] >= out->hi - band;
    }
    out->near_lo = (double)nl / (double)n;
    out->near_hi = (double)nh / (double)n;
    free(s);
    return AXON_OK;
}

axon_status axon_histogram(const double *x, size_t n, double lo, double hi, double *counts,
                           size_t nbins)
{
    if ((n && !x) || !counts || nbins == 0 || !(hi > lo))
        return AXON_EINVAL;
    memset(counts, 0, nbins * sizeof *counts);
    double h = (hi - lo) / (double)nbins;
    for (size_t k = 0; k < n; k++) {
        if (!(x[k] >= lo && x[k] <= hi))
            continue;
        size_t b = (size_t)((x[k] - lo) / h);
        counts[b < nbins ? b : nbins - 1] += 1;
    }
    return AXON_OK;
}

/* ---- symmetric eigenvalues ------------------------------------------------------------------ */

/* Householder reduction of the symmetric n x n matrix a (destroyed) to tridiagonal d (diagonal)
 * and e (e[k] couples d[k] and d[k+1], e[n-1] = 0). */
static int rt_tridiag(double *a, size_t n, double *d, double *e)
{
    double *v = malloc(n * sizeof *v), *p = malloc(n * sizeof *p);
    if (!v || !p) {
        free(v);
        free(p);
        return -1;
    }
    for (size_t k = 0; k + 2 < n; k++) {
        size_t m = n - k - 1; /* the column below the diagonal: rows k+1 .. n-1 */
        double norm = 0;
        for (size_t i = 0; i < m; i++) {
            v[i] = a[(k + 1 + i) * n + k];
            norm += v[i] * v[i];
        }
        norm = sqrt(norm);
        if (norm == 0) {
            e[k] = 0;
            continue;
        }
        double alpha = v[0] > 0 ? -norm : norm;
        v[0] -= alpha;
        double vn = 0;
        for (size_t i = 0; i < m; i++)
            vn += v[i] * v[i];
        e[k] = alpha;
        if (vn == 0)
            continue;
        vn = sqrt(vn);
        for (size_t i = 0; i < m; i++)
            v[i] /= vn;
        /* A' = H A H with H = I - 2 v v^T on the trailing block: p = A v, K = v.p,
         * q = p - K v, A' = A - 2 v q^T - 2 q v^T */
        double K = 0;
        for (size_t i = 0; i < m; i++) {
            double s = 0;
            const double *row = a + (k + 1 + i) * n + k + 1;
            for (size_t j = 0; j < m; j++)
                s += row[j] * v[j];
            p[i] = s;
            K += v[i] * s;
        }
        for (size_t i = 0; i < m; i++)
            p[i] -= K * v[i];
        for (size_t i = 0; i < m; i++) {
            double *row = a + (k + 1 + i) * n + k + 1;
            for (size_t j = 0; j < m; j++)
                row[j] -= 2 * (v[i] * p[j] + p[i] * v[j]);
        }
    }
    for (size_t k = 0; k < n; k++)
        d[k] = a[k * n + k];
    if (n >= 2)
        e[n - 2] = a[(n - 1) * n + n - 2];
    e[n - 1] = 0;
    free(v);
    free(p);
    return 0;
}

/* Eigenvalues of the symmetric tridiagonal (d, e) into d, by implicit QL with Wilkinson
 * shifts; -2 when an eigenvalue does not converge in 60 iterations (not seen in practice). */
static int rt_tql(double *d, double *e, size_t n)
{
    for (size_t l = 0; l < n; l++) {
        int iter = 0;
        for (;;) {
            size_t m = l;
            for (; m + 1 < n; m++) {
                double dd = fabs(d[m]) + fabs(d[m + 1]);
                if (fabs(e[m]) <= DBL_EPSILON * dd)
                    break;
            }
            if (m == l)
                break;
            if (iter++ == 60)
                return -2;
            double g = (d[l + 1] - d[l]) / (2 * e[l]);
            double r = hypot(g, 1.0);
            g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
            double s = 1, c = 1, p = 0;
            int deflated = 0;
            for (size_t i = m; i-- > l;) {
                double f = s * e[i], b = c * e[i];
                r = hypot(f, g);
                e[i + 1] = r;
                if (r == 0) { /* an underflow split the matrix: restart on the smaller part */
                    d[i + 1] -= p;
                    e[m] = 0;
                    deflated = 1;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
            }
            if (deflated)
                continue;
            d[l] -= p;
            e[l] = g;
            e[m] = 0;
        }
    }
    return 0;
}

static int rt_cmp_desc(const void *a, const void *b)
{
    return rt_cmp(b, a);
}

axon_status axon_effective_rank(const double *m, size_t rows, size_t cols, double *erank,
                                double *sv, axon_err *err)
{
    size_t n = rows < cols ? rows : cols;
    if (!m || !erank)
        return axon_err_set(err, AXON_EINVAL, "effective rank: NULL %s", !m ? "matrix" : "result");
    if (n == 0)
        return axon_err_set(err, AXON_EINVAL, "effective rank of an empty matrix");
    if (n > 20000)
        return axon_err_set(err, AXON_ERANGE,
                            "effective rank: %zu x %zu is too large (the "
                            "smaller side must be at most 20000)",
                            rows, cols);
    double *g = calloc(n * n, sizeof *g), *d = malloc(n * sizeof *d), *e = malloc(n * sizeof *e);
    if (!g || !d || !e) {
        free(g);
        free(d);
        free(e);
        return axon_err_set(err, AXON_ENOMEM, "effective rank: out of memory");
    }
    /* the Gram matrix of the smaller side, upper triangle then mirrored */
    if (cols <= rows) { /* M^T M: cols x cols */
        for (size_t r = 0; r < rows; r++) {
            const double *row = m + r * cols;
            for (size_t i = 0; i < n; i++)
                if (row[i] != 0)
                    for (size_t j = i; j < n; j++)
                        g[i * n + j] += row[i] * row[j];
        }
    } else { /* M M^T: rows x rows */
        for (size_t i = 0; i < n; i++)
            for (size_t j = i; j < n; j++) {
                double s = 0;
                for (size_t c = 0; c < cols; c++)
                    s += m[i * cols + c] * m[j * cols + c];
                g[i * n + j] = s;
            }
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < i; j++)
            g[i * n + j] = g[j * n + i];
    int rc = rt_tridiag(g, n, d, e);
    if (!rc)
        rc = rt_tql(d, e, n);
    free(g);
    free(e);
    if (rc) {
        free(d);
        return rc == -1 ? axon_err_set(err, AXON_ENOMEM, "effective rank: out of memory")
                        : axon_err_set(err, AXON_ERANGE,
                                       "effective rank: the eigenvalue iteration did not converge");
    }
    double total = 0;
    for (size_t k = 0; k < n; k++) {
        d[k] = d[k] > 0 ? sqrt(d[k]) : 0;
        total += d[k];
    }
    qsort(d, n, sizeof *d, rt_cmp_desc);
    /* singular values below the Gram matrix's rounding are noise, not rank */
    double floor_ = d[0] * 1e-7;
    double h = 0, kept = 0;
    for (size_t k = 0; k < n; k++)
        if (d[k] > floor_)
            kept += d[k];
    for (size_t k = 0; k < n; k++)
        if (d[k] > floor_) {
            double p = d[k] / kept;
            h -= p * log(p);
        }
    *erank = total > 0 ? exp(h) : NAN;
    if (sv)
        memcpy(sv, d, n * sizeof *sv);
    free(d);
    return AXON_OK;
}

axon_status axon_sim_weight_matrix(axon_sim *s, const char *path, double *m, axon_err *err)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (!dot)
        return axon_err_set(err, AXON_EINVAL, "'%s' is not PROJECTION.VARIABLE", path ? path : "");
    char name[256];
    size_t len = (size_t)(dot - path);
    if (len >= sizeof name)
        return axon_err_set(err, AXON_EINVAL, "projection name too long");
    memcpy(name, path, len);
    name[len] = '\0';
    int q = axon_sim_proj_index(s, name);
    axon_tensor v;
    const uint64_t *row;
    const uint32_t *post;
    if (q < 0 || axon_sim_syn_var(s, path, &v) != AXON_OK ||
        axon_sim_connectivity(s, q, &row, &post) != AXON_OK)
        return axon_err_set(err, AXON_EINVAL, "no synapse variable '%s'", path);
    const axon_model_desc *md = axon_sim_model(s);
    uint32_t npre = md->pops[md->projs[q].pre].size, npost = md->pops[md->projs[q].post].size;
    /* per synapse: 1-D, or 2-D in blocks with the targets (model.h, ABI 13; axon_sim_syn_var) */
    size_t blk = v.ndim == 2 ? v.shape[1] : 1, bstride = v.ndim == 2 ? v.strides[0] : 0;
    if (v.ndim == 2 ? v.shape[0] * blk < row[npre] || v.strides[1] != 1
                    : v.shape[0] != row[npre] || v.strides[0] != 1)
        return axon_err_set(err, AXON_EINVAL,
                            "'%s' is stored per neuron, not per synapse: no weight matrix", path);
    if (v.dtype != AXON_F32 && v.dtype != AXON_F64)
        return axon_err_set(err, AXON_EINVAL, "'%s' is not a real-valued variable (%s)", path,
                            axon_dtype_name(v.dtype));
    memset(m, 0, (size_t)npre * npost * sizeof *m);
    for (uint32_t i = 0; i < npre; i++)
        for (uint64_t k = row[i]; k < row[i + 1]; k++) {
            size_t x = blk > 1 ? (size_t)(k / blk * bstride + k % blk) : (size_t)k;
            m[(size_t)i * npost + post[k]] +=
                v.dtype == AXON_F32 ? ((const float *)v.data)[x] : ((const double *)v.data)[x];
        }
    return AXON_OK;
}
