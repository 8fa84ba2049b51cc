/*
 * Analyses of pairs and of the whole population's coordination: spike-count correlations,
 * cross-correlograms, the spike time tiling coefficient, Golomb's chi, the Kuramoto order
 * parameter and the van Rossum and Victor-Purpura distances (definitions in analysis.h and
 * docs/analysis.md).
 *
 * Binned trains are never stored densely: a neuron's counts are the runs of equal bins in its
 * sorted spike times, so a pair costs the two neurons' spikes, not the number of bins (a
 * 1,000 s recording has a million 1 ms bins per neuron).
 */
#include <stdlib.h>
#include <string.h>

#include "analysis_int.h"

/* ---- spike-count correlation ---------------------------------------------------------------- */

/* Sum and sum of squares of neuron k's counts over the first nb bins. */
static void rt_count_moments(const axon_trains *tr, uint32_t k, double bin, size_t nb, double *s1,
                             double *s2)
{
    double a = 0, b = 0;
    for (size_t j = tr->off[k], e = tr->off[k + 1]; j < e;) {
        size_t bk = rt_bin_of(tr->t[j], tr->t0, bin), c = 0;
        while (j < e && rt_bin_of(tr->t[j], tr->t0, bin) == bk) {
            j++;
            c++;
        }
        if (bk < nb) {
            a += (double)c;
            b += (double)c * (double)c;
        }
    }
    *s1 = a;
    *s2 = b;
}

/* Sum over the first nb bins of the product of neurons x's and y's counts (a merge). */
static double rt_count_product(const axon_trains *tr, uint32_t x, uint32_t y, double bin, size_t nb)
{
    size_t i = tr->off[x], ie = tr->off[x + 1], j = tr->off[y], je = tr->off[y + 1];
    double p = 0;
    while (i < ie && j < je) {
        size_t bi = rt_bin_of(tr->t[i], tr->t0, bin), bj = rt_bin_of(tr->t[j], tr->t0, bin);
        if (bi < bj) {
            i++;
        } else if (bj < bi) {
            j++;
        } else {
            size_t ci = 0, cj = 0;
            while (i < ie && rt_bin_of(tr->t[i], tr->t0, bin) == bi) {
                i++;
                ci++;
            }
            while (j < je && rt_bin_of(tr->t[j], tr->t0, bin) == bi) {
                j++;
                cj++;
            }
            if (bi < nb)
                p += (double)ci * (double)cj;
        }
    }
    return p;
}

double axon_pearson(const double *x, const double *y, size_t n)
{
    if (!x || !y || n == 0)
        return NAN;
    double mx = 0, my = 0;
    for (size_t k = 0; k < n; k++) {
        mx += x[k];
        my += y[k];
    }
    mx /= (double)n;
    my /= (double)n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t k = 0; k < n; k++) {
        sxy += (x[k] - mx) * (y[k] - my);
        sxx += (x[k] - mx) * (x[k] - mx);
        syy += (y[k] - my) * (y[k] - my);
    }
    return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : NAN;
}

/* Draws the pairs of a population; *pi and *pj are freed by the caller. */
static size_t rt_pairs_alloc(const axon_trains *tr, uint32_t npairs, uint64_t seed, uint32_t **pi,
                             uint32_t **pj)
{
    uint64_t all = tr->size < 2 ? 0 : (uint64_t)tr->size * (tr->size - 1) / 2;
    size_t cap = all < npairs ? (size_t)all : npairs;
    *pi = malloc((cap ? cap : 1) * sizeof **pi);
    *pj = malloc((cap ? cap : 1) * sizeof **pj);
    if (!*pi || !*pj)
        return SIZE_MAX;
    return rt_pairs(tr->size, npairs, seed, *pi, *pj);
}

/* The mean and standard deviation of one measure over npairs pairs of a population drawn with
 * the seed; measure(tr, i, j, arg) gives a pair's value (NAN: the pair is left out). */
typedef double (*rt_pair_measure)(const axon_trains *tr, uint32_t i, uint32_t j, const void *arg);

static axon_status rt_pair_summary(const axon_trains *tr, uint32_t npairs, uint64_t seed,
                                   rt_pair_measure measure, const void *arg,
                                   axon_pair_summary *out)
{
    uint32_t *pi, *pj;
    size_t m = rt_pairs_alloc(tr, npairs, seed, &pi, &pj);
    double *r = m != SIZE_MAX ? malloc((m ? m : 1) * sizeof *r) : NULL;
    if (!r) {
        free(pi);
        free(pj);
        return AXON_ENOMEM;
    }
    for (size_t q = 0; q < m; q++)
        r[q] = measure(tr, pi[q], pj[q], arg);
    size_t used;
    rt_mean_std(r, m, &out->mean, &out->std, &used);
    out->pairs = (uint32_t)used;
    free(r);
    free(pi);
    free(pj);
    return AXON_OK;
}

typedef struct {
    double bin;
    size_t nb;
} rt_count_arg;

/* The correlation coefficient of the spike counts of i and j in bins (NAN where one is constant). */
static double rt_count_pair(const axon_trains *tr, uint32_t i, uint32_t j, const void *arg)
{
    const rt_count_arg *c = arg;
    double n = (double)c->nb, a1, a2, b1, b2;
    rt_count_moments(tr, i, c->bin, c->nb, &a1, &a2);
    rt_count_moments(tr, j, c->bin, c->nb, &b1, &b2);
    double va = n * a2 - a1 * a1, vb = n * b2 - b1 * b1;
    return va > 0 && vb > 0
               ? (n * rt_count_product(tr, i, j, c->bin, c->nb) - a1 * b1) / sqrt(va * vb)
               : NAN;
}

axon_status axon_count_correlation(const axon_trains *tr, double bin, uint32_t npairs,
                                   uint64_t seed, axon_pair_summary *out)
{
    size_t nb = axon_nbins(tr, bin);
    if (nb < 2 || !out)
        return AXON_EINVAL;
    rt_count_arg c = {bin, nb};
    return rt_pair_summary(tr, npairs, seed, rt_count_pair, &c, out);
}

/* ---- cross-correlograms --------------------------------------------------------------------- */

/* Adds the coincidence counts of trains a and b (bins below nb) at lags -maxlag .. maxlag to
 * out; returns a's spikes in those bins. */
static size_t rt_cch_add(const double *a, size_t na, const double *b, size_t nb_, double t0,
                         double bin, size_t nbins, uint32_t maxlag, double *out)
{
    size_t lo = 0, used = 0;
    for (size_t i = 0; i < na; i++) {
        size_t ba = rt_bin_of(a[i], t0, bin);
        if (ba >= nbins)
            break;
        used++;
        while (lo < nb_ && rt_bin_of(b[lo], t0, bin) + maxlag < ba)
            lo++;
        for (size_t j = lo; j < nb_; j++) {
            size_t bb = rt_bin_of(b[j], t0, bin);
            if (bb >= nbins || bb > ba + maxlag)
                break;
            out[maxlag + (ptrdiff_t)bb - (ptrdiff_t)ba] += 1;
        }
    }
    return used;
}

axon_status axon_cch(const double *a, size_t na, const double *b, size_t nb, double t0, double t1,
                     double bin, uint32_t maxlag, double *out)
{
    if ((na && !a) || (nb && !b) || !out || !(bin > 0) || !(t1 > t0))
        return AXON_EINVAL;
    memset(out, 0, (2 * (size_t)maxlag + 1) * sizeof *out);
    size_t nbins = (size_t)floor((t1 - t0) / bin + RT_BIN_TOL);
    rt_cch_add(a, na, b, nb, t0, bin, nbins, maxlag, out);
    return AXON_OK;
}

axon_status axon_pop_cch(const axon_trains *tr, double bin, uint32_t maxlag, uint32_t npairs,
                         uint64_t seed, double *out)
{
    size_t nbins = axon_nbins(tr, bin), len = 2 * (size_t)maxlag + 1;
    if (nbins == 0 || !out)
        return AXON_EINVAL;
    memset(out, 0, len * sizeof *out);
    uint32_t *pi, *pj;
    size_t m = rt_pairs_alloc(tr, npairs, seed, &pi, &pj);
    double *one = m != SIZE_MAX ? malloc(len * sizeof *one) : NULL;
    if (!one) {
        free(pi);
        free(pj);
        return AXON_ENOMEM;
    }
    for (size_t q = 0; q < m; q++) {
        memset(one, 0, len * sizeof *one);
        const double *a = tr->t + tr->off[pi[q]], *b = tr->t + tr->off[pj[q]];
        size_t na = tr->off[pi[q] + 1] - tr->off[pi[q]], nb = tr->off[pj[q] + 1] - tr->off[pj[q]];
        size_t used = rt_cch_add(a, na, b, nb, tr->t0, bin, nbins, maxlag, one);
        for (size_t k = 0; used && k < len; k++)
            out[k] += one[k] / (double)used;
    }
    for (size_t k = 0; m && k < len; k++)
        out[k] /= (double)m;
    free(one);
    free(pi);
    free(pj);
    return AXON_OK;
}

/* ---- spike time tiling coefficient ---------------------------------------------------------- */

/* The fraction of (t0, t1] within dt of a spike of a (sorted). */
static double rt_tiled_time(const double *a, size_t n, double t0, double t1, double dt)
{
    double covered = 0, end = t0; /* the union so far ends at `end` */
    for (size_t k = 0; k < n; k++) {
        double lo = a[k] - dt > end ? a[k] - dt : end, hi = a[k] + dt < t1 ? a[k] + dt : t1;
        if (hi > lo)
            covered += hi - lo;
        if (hi > end)
            end = hi;
    }
    return covered / (t1 - t0);
}

/* The fraction of a's spikes within dt of a spike of b (both sorted). */
static double rt_tiled_spikes(const double *a, size_t na, const double *b, size_t nb, double dt)
{
    /* a tolerance for stamps on a grid: 5 ms apart counts as within 5 ms */
    double tol = 1e-9 * dt;
    size_t j = 0, hit = 0;
    for (size_t i = 0; i < na; i++) {
        while (j < nb && b[j] < a[i] - dt - tol)
            j++;
        if (j < nb && b[j] <= a[i] + dt + tol)
            hit++;
    }
    return (double)hit / (double)na;
}

double axon_sttc(const double *a, size_t na, const double *b, size_t nb, double t0, double t1,
                 double dt)
{
    if (!a || !b || na == 0 || nb == 0 || !(dt > 0) || !(t1 > t0))
        return NAN;
    double TA = rt_tiled_time(a, na, t0, t1, dt), TB = rt_tiled_time(b, nb, t0, t1, dt);
    double PA = rt_tiled_spikes(a, na, b, nb, dt), PB = rt_tiled_spikes(b, nb, a, na, dt);
    /* 0/0 where every spike of one train is tiled by a train covering the whole window: the
     * limit is 1 (as Cutts & Eglen's code and Elephant) */
    double x = PA * TB == 1 ? 1 : (PA - TB) / (1 - PA * TB);
    double y = PB * TA == 1 ? 1 : (PB - TA) / (1 - PB * TA);
    return 0.5 * (x + y);
}

/* The STTC of trains i and j within dt (*arg). */
static double rt_sttc_pair(const axon_trains *tr, uint32_t i, uint32_t j, const void *arg)
{
    const double *a = tr->t + tr->off[i], *b = tr->t + tr->off[j];
    size_t na = tr->off[i + 1] - tr->off[i], nb = tr->off[j + 1] - tr->off[j];
    return axon_sttc(a, na, b, nb, tr->t0, tr->t1, *(const double *)arg);
}

axon_status axon_pop_sttc(const axon_trains *tr, double dt, uint32_t npairs, uint64_t seed,
                          axon_pair_summary *out)
{
    if (!tr || !out)
        return AXON_EINVAL;
    return rt_pair_summary(tr, npairs, seed, rt_sttc_pair, &dt, out);
}

/* ---- synchrony ------------------------------------------------------------------------------ */

double axon_chi(const double *x, size_t nt, size_t nn)
{
    if (!x || nt == 0 || nn == 0)
        return NAN;
    double *mean = calloc(nn, sizeof *mean), *sq = calloc(nn, sizeof *sq);
    if (!mean || !sq) {
        free(mean);
        free(sq);
        return NAN;
    }
    /* two passes over the samples: the means, then the centred sums of squares */
    double pm = 0;
    for (size_t t = 0; t < nt; t++) {
        double row = 0;
        for (size_t j = 0; j < nn; j++) {
            mean[j] += x[t * nn + j];
            row += x[t * nn + j];
        }
        pm += row / (double)nn;
    }
    pm /= (double)nt;
    for (size_t j = 0; j < nn; j++)
        mean[j] /= (double)nt;
    double pv = 0;
    for (size_t t = 0; t < nt; t++) {
        double row = 0;
        for (size_t j = 0; j < nn; j++) {
            double d = x[t * nn + j] - mean[j];
            sq[j] += d * d;
            row += x[t * nn + j];
        }
        pv += (row / (double)nn - pm) * (row / (double)nn - pm);
    }
    double vsum = 0;
    for (size_t j = 0; j < nn; j++)
        vsum += sq[j] / (double)nt;
    free(mean);
    free(sq);
    double den = vsum / (double)nn;
    return den > 0 ? sqrt((pv / (double)nt) / den) : NAN;
}

axon_status axon_chi_spikes(const axon_trains *tr, double bin, double tau, double *chi)
{
    size_t nb = axon_nbins(tr, bin);
    if (nb == 0 || !(tau > 0) || !chi)
        return AXON_EINVAL;
    double a = exp(-bin / tau), la = -bin / tau, n = (double)nb;
    /* a^m for the usual gaps between spike bins, so that tens of millions of spikes do not
     * each cost an exp() */
    enum { NPOW = 4096 };
    double *pw = malloc(NPOW * sizeof *pw);
    if (!pw)
        return AXON_ENOMEM;
    pw[0] = 1;
    for (int m = 1; m < NPOW; m++)
        pw[m] = exp(la * m);
    /* Each neuron's trace y[k] = sum over its spikes in bins b <= k of a^(k - b): between two
     * spike bins it decays geometrically, so its sum and sum of squares are geometric series. */
    double vsum = 0;
    uint32_t active = 0;
    for (uint32_t k = 0; k < tr->size; k++) {
        size_t j = tr->off[k], e = tr->off[k + 1];
        double y = 0, s1 = 0, s2 = 0;
        size_t prev = 0;
        int any = 0;
        while (j < e) {
            size_t b = rt_bin_of(tr->t[j], tr->t0, bin), c = 0;
            while (j < e && rt_bin_of(tr->t[j], tr->t0, bin) == b) {
                j++;
                c++;
            }
            if (b >= nb)
                break;
            if (any) { /* samples prev .. b-1 decay from y */
                double am = b - prev < NPOW ? pw[b - prev] : exp(la * (double)(b - prev));
                s1 += y * (1 - am) / (1 - a);
                s2 += y * y * (1 - am * am) / (1 - a * a);
                y *= am;
            }
            y += (double)c;
            prev = b;
            any = 1;
        }
        if (!any)
            continue;
        double am = exp(la * (double)(nb - prev));
        s1 += y * (1 - am) / (1 - a);
        s2 += y * y * (1 - am * am) / (1 - a * a);
        double mu = s1 / n, v = s2 / n - mu * mu;
        vsum += v > 0 ? v : 0;
        active++;
    }
    free(pw);
    if (active < 2) {
        *chi = NAN;
        return AXON_OK;
    }
    /* the mean trace is the filtered population count over the active neurons */
    double *c = malloc(nb * sizeof *c);
    if (!c)
        return AXON_ENOMEM;
    axon_pop_counts(tr, bin, c, nb);
    double y = 0, s1 = 0, s2 = 0;
    for (size_t k = 0; k < nb; k++) {
        y = a * y + c[k];
        double v = y / active;
        s1 += v;
        s2 += v * v;
    }
    free(c);
    double mu = s1 / n, pv = s2 / n - mu * mu, den = vsum / active;
    *chi = den > 0 ? sqrt((pv > 0 ? pv : 0) / den) : NAN;
    return AXON_OK;
}

void axon_kuramoto(const double *theta, size_t nt, size_t nn, double *R)
{
    if (!theta || !R)
        return;
    for (size_t t = 0; t < nt; t++) {
        double c = 0, s = 0;
        for (size_t j = 0; j < nn; j++) {
            c += cos(theta[t * nn + j]);
            s += sin(theta[t * nn + j]);
        }
        R[t] = nn ? sqrt(c * c + s * s) / (double)nn : NAN;
    }
}

axon_status axon_kuramoto_spikes(const axon_trains *tr, const double *times, size_t nt, double *R)
{
    if (!tr || (nt && (!times || !R)))
        return AXON_EINVAL;
    for (size_t k = 1; k < nt; k++)
        if (times[k] < times[k - 1])
            return AXON_EINVAL;
    double *c = calloc(nt ? nt : 1, sizeof *c), *s = calloc(nt ? nt : 1, sizeof *s);
    uint32_t *n = calloc(nt ? nt : 1, sizeof *n);
    if (!c || !s || !n) {
        free(c);
        free(s);
        free(n);
        return AXON_ENOMEM;
    }
    for (uint32_t k = 0; k < tr->size; k++) {
        const double *ts = tr->t + tr->off[k];
        size_t m = tr->off[k + 1] - tr->off[k], j = 0;
        if (m < 2)
            continue;
        for (size_t q = 0; q < nt; q++) {
            double t = times[q];
            if (t < ts[0])
                continue;
            while (j + 1 < m && ts[j + 1] <= t)
                j++;
            if (j + 1 >= m)
                break;
            double ph = 2 * M_PI * (t - ts[j]) / (ts[j + 1] - ts[j]);
            c[q] += cos(ph);
            s[q] += sin(ph);
            n[q]++;
        }
    }
    /* Near the window's edges only the neurons that fire right then lie between two of their
     * spikes, and their phases are biased towards 0 (or 2 pi): a spurious synchrony. Samples
     * where fewer than 90% of the neurons with two spikes or more take part are left out. */
    uint32_t eligible = 0;
    for (uint32_t k = 0; k < tr->size; k++)
        eligible += tr->off[k + 1] - tr->off[k] >= 2;
    for (size_t q = 0; q < nt; q++)
        R[q] = n[q] >= 2 && 10 * (uint64_t)n[q] >= 9 * (uint64_t)eligible
                   ? sqrt(c[q] * c[q] + s[q] * s[q]) / n[q]
                   : NAN;
    free(c);
    free(s);
    free(n);
    return AXON_OK;
}

/* ---- distances ------------------------------------------------------------------------------ */

/* sum over i, j of exp(-|x_i - y_j| / tau) for sorted x and y, in O(nx + ny): the kernel's
 * factorisation lets a running sum carry the contributions of the spikes passed so far. */
static double rt_exp_sum(const double *x, size_t nx, const double *y, size_t ny, double tau)
{
    double total = 0, acc = 0, ref = 0;
    size_t j = 0;
    for (size_t i = 0; i < nx; i++) { /* y_j <= x_i */
        while (j < ny && y[j] <= x[i]) {
            acc = acc * exp(-(y[j] - ref) / tau) + 1;
            ref = y[j++];
        }
        if (acc > 0)
            total += acc * exp(-(x[i] - ref) / tau);
    }
    acc = 0;
    j = ny;
    for (size_t i = nx; i-- > 0;) { /* y_j > x_i */
        while (j > 0 && y[j - 1] > x[i]) {
            acc = acc * exp(-(ref - y[j - 1]) / tau) + 1;
            ref = y[--j];
        }
        if (acc > 0)
            total += acc * exp(-(ref - x[i]) / tau);
    }
    return total;
}

double axon_van_rossum(const double *a, size_t na, const double *b, size_t nb, double tau)
{
    if ((na && !a) || (nb && !b) || !(tau > 0))
        return NAN;
    double d = rt_exp_sum(a, na, a, na, tau) + rt_exp_sum(b, nb, b, nb, tau) -
               2 * rt_exp_sum(a, na, b, nb, tau);
    return sqrt(d > 0 ? d : 0);
}

double axon_victor_purpura(const double *a, size_t na, const double *b, size_t nb, double q)
{
    if ((na && !a) || (nb && !b) || !(q >= 0))
        return NAN;
    double *row = malloc((nb + 1) * sizeof *row);
    if (!row)
        return NAN;
    for (size_t j = 0; j <= nb; j++)
        row[j] = (double)j;
    for (size_t i = 1; i <= na; i++) {
        double diag = row[0]; /* G[i-1][j-1] */
        row[0] = (double)i;
        for (size_t j = 1; j <= nb; j++) {
            double up = row[j], best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            double shift = diag + q * fabs(a[i - 1] - b[j - 1]);
            if (shift < best)
                best = shift;
            diag = up;
            row[j] = best;
        }
    }
    double d = row[nb];
    free(row);
    return d;
}
