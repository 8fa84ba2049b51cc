/*
 * Spike trains indexed by neuron, and the analyses of one population that need only its own
 * trains: rates, binned and smoothed population rate, PSTH, inter-spike intervals, Fano
 * factors, activity health and avalanches (definitions in analysis.h and docs/analysis.md).
 *
 * The index is built by a counting sort on neuron indices (two passes over the spikes), which
 * keeps time order within a neuron when the input is in time order, as recordings are; other
 * input is sorted per neuron. Everything below is then linear in the spikes, or in the bins,
 * so a recording of tens of millions of spikes is analysed in about a second.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_int.h"

/* ---- the index --------------------------------------------------------------------------- */

void axon_trains_free(axon_trains *tr)
{
    if (!tr)
        return;
    free(tr->name);
    free(tr->off);
    free(tr->t);
    free(tr->steps);
    free(tr);
}

static int rt_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

axon_trains *axon_trains_new(const char *name, uint32_t size, const double *t, const uint32_t *i,
                             size_t n, double t0, double t1, double dt, axon_err *err)
{
    if (n && (!t || !i)) {
        axon_err_set(err, AXON_EINVAL, "'%s': %zu spikes but no %s", name ? name : "?", n,
                     t ? "indices" : "times");
        return NULL;
    }
    if (!(t1 > t0) || !isfinite(t0) || !isfinite(t1)) {
        axon_err_set(err, AXON_EINVAL, "'%s': empty or invalid window (%g, %g]", name ? name : "?",
                     t0, t1);
        return NULL;
    }
    /* stamps are multiples of dt computed in floating point: a spike stamped t0 or t1 belongs
     * where the exact value would put it */
    double eps = 1e-6 * (dt > 0 ? dt : 1e-9 * (fabs(t0) + fabs(t1) + 1));
    axon_trains *tr = calloc(1, sizeof *tr);
    if (!tr) {
        axon_err_set(err, AXON_ENOMEM, "out of memory");
        return NULL;
    }
    size_t ln = strlen(name ? name : "");
    tr->name = malloc(ln + 1);
    tr->off = calloc((size_t)size + 1, sizeof *tr->off);
    if (!tr->name || !tr->off) {
        axon_trains_free(tr);
        axon_err_set(err, AXON_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(tr->name, name ? name : "", ln + 1);
    tr->size = size;
    tr->t0 = t0;
    tr->t1 = t1;
    tr->dt = dt;
    for (size_t k = 0; k < n; k++) {
        if (i[k] >= size || !isfinite(t[k])) {
            axon_err_set(err, AXON_EINVAL, "'%s': spike %zu has neuron %u (of %u) at time %g",
                         tr->name, k, i[k], size, t[k]);
            axon_trains_free(tr);
            return NULL;
        }
        if (t[k] > t0 + eps && t[k] <= t1 + eps)
            tr->off[i[k] + 1]++;
    }
    for (uint32_t k = 0; k < size; k++)
        tr->off[k + 1] += tr->off[k];
    tr->n = tr->off[size];
    tr->t = malloc((tr->n ? tr->n : 1) * sizeof *tr->t);
    size_t *pos = malloc(((size_t)size + 1) * sizeof *pos);
    if (!tr->t || !pos) {
        free(pos);
        axon_trains_free(tr);
        axon_err_set(err, AXON_ENOMEM, "out of memory for %zu spikes of '%s'", n, tr->name);
        return NULL;
    }
    memcpy(pos, tr->off, ((size_t)size + 1) * sizeof *pos);
    for (size_t k = 0; k < n; k++)
        if (t[k] > t0 + eps && t[k] <= t1 + eps)
            tr->t[pos[i[k]]++] = t[k];
    free(pos);
    double ns = dt > 0 ? (t1 - t0) / dt : 0;
    if (ns >= 1 && ns < 4e9 && fabs(ns - nearbyint(ns)) < 1e-6) {
        tr->nsteps = (size_t)nearbyint(ns);
        tr->steps = calloc(tr->nsteps, sizeof *tr->steps);
        if (!tr->steps) {
            axon_trains_free(tr);
            axon_err_set(err, AXON_ENOMEM, "out of memory for the steps of '%s'", name ? name : "");
            return NULL;
        }
        for (size_t k = 0; k < n; k++)
            if (t[k] > t0 + eps && t[k] <= t1 + eps) {
                size_t b = rt_bin_of(t[k], t0, dt);
                tr->steps[b < tr->nsteps ? b : tr->nsteps - 1]++;
            }
    }
    for (uint32_t k = 0; k < size; k++) {
        double *a = tr->t + tr->off[k];
        size_t m = tr->off[k + 1] - tr->off[k];
        for (size_t j = 1; j < m; j++)
            if (a[j] < a[j - 1]) {
                qsort(a, m, sizeof *a, rt_cmp_double);
                break;
            }
    }
    return tr;
}

axon_trains *axon_sim_trains(axon_sim *s, int pop, double t0, double t1, axon_err *err)
{
    const double *t;
    const uint32_t *i;
    size_t n;
    if (axon_sim_spikes(s, pop, &t, &i, &n) != AXON_OK) {
        axon_err_set(err, AXON_EINVAL, "population %d has no spike record", pop);
        return NULL;
    }
    const axon_model_desc *m = axon_sim_model(s);
    return axon_trains_new(m->pops[pop].name, m->pops[pop].size, t, i, n, t0,
                           t1 < 0 ? axon_sim_time(s) : t1, m->dt, err);
}

axon_trains *axon_recording_trains(const axon_recording *r, int pop, double t0, double t1,
                                   axon_err *err)
{
    const axon_rec_pop *p = pop >= 0 ? axon_recording_pop(r, (size_t)pop) : NULL;
    if (!p || !p->has_spikes) {
        if (!r)
            axon_err_set(err, AXON_EINVAL, "no recording");
        else
            axon_err_set(err, AXON_EINVAL, "%s: population %s has no spike record",
                         axon_recording_info(r)->dir, p ? p->name : "?");
        return NULL;
    }
    const axon_rec_info *in = axon_recording_info(r);
    return axon_trains_new(p->name, p->size, p->t, p->i, p->nspikes, t0, t1 < 0 ? in->duration : t1,
                           in->dt, err);
}

const char *axon_trains_name(const axon_trains *tr)
{
    return tr ? tr->name : NULL;
}

uint32_t axon_trains_size(const axon_trains *tr)
{
    return tr ? tr->size : 0;
}

size_t axon_trains_count(const axon_trains *tr)
{
    return tr ? tr->n : 0;
}

void axon_trains_window(const axon_trains *tr, double *t0, double *t1)
{
    if (t0)
        *t0 = tr ? tr->t0 : 0;
    if (t1)
        *t1 = tr ? tr->t1 : 0;
}

size_t axon_trains_neuron(const axon_trains *tr, uint32_t k, const double **times)
{
    if (!tr || k >= tr->size) {
        if (times)
            *times = NULL;
        return 0;
    }
    if (times)
        *times = tr->t + tr->off[k];
    return tr->off[k + 1] - tr->off[k];
}

/* ---- shared helpers ---------------------------------------------------------------------- */

void rt_mean_std(const double *x, size_t n, double *mean, double *std, size_t *used)
{
    double s = 0, s2 = 0;
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (isfinite(x[k])) {
            s += x[k];
            m++;
        }
    double mu = m ? s / (double)m : NAN;
    for (size_t k = 0; k < n; k++)
        if (isfinite(x[k]))
            s2 += (x[k] - mu) * (x[k] - mu);
    if (mean)
        *mean = mu;
    if (std)
        *std = m ? sqrt(s2 / (double)m) : NAN;
    if (used)
        *used = m;
}

size_t rt_pairs(uint32_t n, uint32_t npairs, uint64_t seed, uint32_t *pi, uint32_t *pj)
{
    if (n < 2 || npairs == 0)
        return 0;
    uint64_t all = (uint64_t)n * (n - 1) / 2;
    size_t m = 0;
    if (all <= npairs) {
        for (uint32_t a = 0; a < n; a++)
            for (uint32_t b = a + 1; b < n; b++) {
                pi[m] = a;
                pj[m++] = b;
            }
        return m;
    }
    /* Pairs drawn with replacement: with far more pairs than draws repeats are rare, and
     * independent draws keep the estimate unbiased. */
    axon_rng_stream rs;
    axon_rng_stream_init(&rs, seed, 0x5041u /* "PA" */);
    for (; m < npairs; m++) {
        uint32_t a = axon_rng_stream_below(&rs, n), b = axon_rng_stream_below(&rs, n - 1);
        pi[m] = a;
        pj[m] = b >= a ? b + 1 : b;
    }
    return m;
}

/* ---- rates -------------------------------------------------------------------------------- */

void axon_rates(const axon_trains *tr, double *rate)
{
    if (!tr || !rate)
        return;
    double T = tr->t1 - tr->t0;
    for (uint32_t k = 0; k < tr->size; k++)
        rate[k] = (double)(tr->off[k + 1] - tr->off[k]) / T;
}

size_t axon_nbins(const axon_trains *tr, double bin)
{
    if (!tr || !(bin > 0))
        return 0;
    double x = (tr->t1 - tr->t0) / bin;
    return x + RT_BIN_TOL < 1 ? 0 : (size_t)floor(x + RT_BIN_TOL);
}

/* The number of steps in a bin, or 0 when the bin is not a whole number of steps. */
static size_t rt_steps_per_bin(const axon_trains *tr, double bin)
{
    if (!tr->steps)
        return 0;
    double k = bin / tr->dt;
    return k >= 1 - 1e-9 && fabs(k - nearbyint(k)) < 1e-9 * k ? (size_t)nearbyint(k) : 0;
}

void rt_pop_counts_u32(const axon_trains *tr, double bin, uint32_t *counts, size_t nb)
{
    size_t q = rt_steps_per_bin(tr, bin);
    memset(counts, 0, nb * sizeof *counts);
    if (q) {
        for (size_t b = 0; b < nb; b++)
            for (size_t j = b * q; j < (b + 1) * q && j < tr->nsteps; j++)
                counts[b] += tr->steps[j];
        return;
    }
    for (size_t k = 0; k < tr->n; k++) {
        size_t b = rt_bin_of(tr->t[k], tr->t0, bin);
        if (b < nb)
            counts[b]++;
    }
}

axon_status axon_pop_counts(const axon_trains *tr, double bin, double *counts, size_t nbins)
{
    if (!tr || (nbins && !counts) || !(bin > 0))
        return AXON_EINVAL;
    size_t q = rt_steps_per_bin(tr, bin);
    memset(counts, 0, nbins * sizeof *counts);
    if (q) {
        for (size_t b = 0; b < nbins; b++)
            for (size_t j = b * q; j < (b + 1) * q && j < tr->nsteps; j++)
                counts[b] += tr->steps[j];
        return AXON_OK;
    }
    for (size_t k = 0; k < tr->n; k++) {
        size_t b = rt_bin_of(tr->t[k], tr->t0, bin);
        if (b < nbins)
            counts[b] += 1;
    }
    return AXON_OK;
}

axon_status axon_smooth(const double *x, size_t n, double dt, axon_kernel kernel, double w,
                        double *out)
{
    if ((n && (!x || !out)) || !(dt > 0) || (kernel != AXON_KERNEL_NONE && !(w > 0)))
        return AXON_EINVAL;
    if (kernel == AXON_KERNEL_NONE) {
        memcpy(out, x, n * sizeof *out);
        return AXON_OK;
    }
    if (kernel == AXON_KERNEL_EXP) {
        /* the causal exponential sampled every dt, h_j = (1 - a) a^j: a recursive filter; the
         * mass inside the window at sample k is 1 - a^(k+1) */
        double a = exp(-dt / w), y = 0, ak = 1;
        for (size_t k = 0; k < n; k++) {
            y = a * y + (1 - a) * x[k];
            ak *= a;
            out[k] = y / (1 - ak);
        }
        return AXON_OK;
    }
    if (kernel != AXON_KERNEL_GAUSS)
        return AXON_EINVAL;
    size_t half = (size_t)ceil(5 * w / dt);
    if (half > n)
        half = n;
    double *h = malloc((half + 1) * sizeof *h);
    if (!h)
        return AXON_ENOMEM;
    for (size_t j = 0; j <= half; j++)
        h[j] = exp(-0.5 * (j * dt / w) * (j * dt / w));
    for (size_t k = 0; k < n; k++) {
        size_t lo = k >= half ? k - half : 0, hi = k + half < n ? k + half : n - 1;
        double s = 0, mass = 0;
        for (size_t j = lo; j <= hi; j++) {
            double hk = h[j > k ? j - k : k - j];
            s += hk * x[j];
            mass += hk;
        }
        out[k] = s / mass;
    }
    free(h);
    return AXON_OK;
}

axon_status axon_pop_rate(const axon_trains *tr, double bin, axon_kernel kernel, double w,
                          double *rate, size_t nbins)
{
    if (!tr || (nbins && !rate) || !(bin > 0) || tr->size == 0)
        return AXON_EINVAL;
    double *c = malloc((nbins ? nbins : 1) * sizeof *c);
    if (!c)
        return AXON_ENOMEM;
    axon_pop_counts(tr, bin, c, nbins);
    double scale = 1.0 / ((double)tr->size * bin);
    for (size_t k = 0; k < nbins; k++)
        c[k] *= scale;
    axon_status st = axon_smooth(c, nbins, bin, kernel, w, rate);
    free(c);
    return st;
}

/* The first index of a sorted array with a[k] > x (binary search). */
static size_t rt_upper(const double *a, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

axon_status axon_psth(const axon_trains *tr, const double *triggers, size_t ntriggers,
                      double before, double bin, double *rate, size_t nbins, size_t *used)
{
    if (!tr || !rate || (ntriggers && !triggers) || !(bin > 0) || nbins == 0 || tr->size == 0)
        return AXON_EINVAL;
    memset(rate, 0, nbins * sizeof *rate);
    size_t m = 0;
    double span = (double)nbins * bin, eps = RT_BIN_TOL * bin;
    for (size_t q = 0; q < ntriggers; q++) {
        double a = triggers[q] - before;
        if (a < tr->t0 - eps || a + span > tr->t1 + eps)
            continue;
        m++;
        for (uint32_t k = 0; k < tr->size; k++) {
            const double *ts = tr->t + tr->off[k];
            size_t n = tr->off[k + 1] - tr->off[k];
            for (size_t j = rt_upper(ts, n, a + eps); j < n && ts[j] <= a + span + eps; j++) {
                size_t b = rt_bin_of(ts[j], a, bin);
                if (b < nbins)
                    rate[b] += 1;
            }
        }
    }
    double scale = m ? 1.0 / ((double)m * tr->size * bin) : NAN;
    for (size_t b = 0; b < nbins; b++)
        rate[b] *= scale;
    if (used)
        *used = m;
    return AXON_OK;
}

/* ---- inter-spike intervals ---------------------------------------------------------------- */

double axon_cv(const double *isi, size_t n)
{
    if (!isi || n < 2)
        return NAN;
    double m, s;
    rt_mean_std(isi, n, &m, &s, NULL);
    return s / m;
}

double axon_cv2(const double *isi, size_t n)
{
    if (!isi || n < 2)
        return NAN;
    double s = 0;
    for (size_t k = 0; k + 1 < n; k++)
        s += fabs(isi[k + 1] - isi[k]) / (isi[k + 1] + isi[k]);
    return 2 * s / (double)(n - 1);
}

double axon_lv(const double *isi, size_t n)
{
    if (!isi || n < 2)
        return NAN;
    double s = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        double r = (isi[k] - isi[k + 1]) / (isi[k] + isi[k + 1]);
        s += r * r;
    }
    return 3 * s / (double)(n - 1);
}

double axon_lvr(const double *isi, size_t n, double R)
{
    if (!isi || n < 2 || !(R >= 0))
        return NAN;
    double s = 0;
    for (size_t k = 0; k + 1 < n; k++) {
        double sum = isi[k] + isi[k + 1];
        s += (1 - 4 * isi[k] * isi[k + 1] / (sum * sum)) * (1 + 4 * R / sum);
    }
    return 3 * s / (double)(n - 1);
}

axon_status axon_isi_stats(const axon_trains *tr, double R, axon_isi_summary *out, double *cv)
{
    if (!tr || !out)
        return AXON_EINVAL;
    size_t most = 0;
    for (uint32_t k = 0; k < tr->size; k++)
        if (tr->off[k + 1] - tr->off[k] > most)
            most = tr->off[k + 1] - tr->off[k];
    double *isi = malloc((most ? most : 1) * sizeof *isi);
    if (!isi)
        return AXON_ENOMEM;
    double scv = 0, scv2 = 0, slv = 0, slvr = 0, sisi = 0;
    size_t nisi = 0;
    uint32_t used = 0;
    for (uint32_t k = 0; k < tr->size; k++) {
        const double *ts = tr->t + tr->off[k];
        size_t n = tr->off[k + 1] - tr->off[k];
        if (cv)
            cv[k] = NAN;
        if (n < 3)
            continue;
        for (size_t j = 0; j + 1 < n; j++) {
            isi[j] = ts[j + 1] - ts[j];
            sisi += isi[j];
        }
        nisi += n - 1;
        double c = axon_cv(isi, n - 1);
        if (cv)
            cv[k] = c;
        scv += c;
        scv2 += axon_cv2(isi, n - 1);
        slv += axon_lv(isi, n - 1);
        slvr += axon_lvr(isi, n - 1, R);
        used++;
    }
    free(isi);
    out->neurons = used;
    out->cv = used ? scv / used : NAN;
    out->cv2 = used ? scv2 / used : NAN;
    out->lv = used ? slv / used : NAN;
    out->lvr = used ? slvr / used : NAN;
    out->mean_isi = nisi ? sisi / (double)nisi : NAN;
    return AXON_OK;
}

axon_status axon_isi_histogram(const axon_trains *tr, double bin, double *counts, size_t nbins,
                               uint64_t *over)
{
    if (!tr || (nbins && !counts) || !(bin > 0))
        return AXON_EINVAL;
    memset(counts, 0, nbins * sizeof *counts);
    uint64_t o = 0;
    for (uint32_t k = 0; k < tr->size; k++)
        for (size_t j = tr->off[k] + 1; j < tr->off[k + 1]; j++) {
            double x = (tr->t[j] - tr->t[j - 1]) / bin + RT_BIN_TOL;
            if (x < (double)nbins)
                counts[(size_t)x] += 1;
            else
                o++;
        }
    if (over)
        *over = o;
    return AXON_OK;
}

/* ---- spike counts -------------------------------------------------------------------------- */

double axon_fano(const double *x, size_t n)
{
    if (!x || n == 0)
        return NAN;
    double m, s;
    rt_mean_std(x, n, &m, &s, NULL);
    return m > 0 ? s * s / m : NAN;
}

axon_status axon_fano_factor(const axon_trains *tr, double bin, axon_fano_summary *out)
{
    size_t nb = axon_nbins(tr, bin);
    if (nb == 0 || !out)
        return AXON_EINVAL;
    /* per neuron: counts are runs of equal bins in its sorted times; the empty bins add only
     * to the mean's denominator */
    double sum = 0;
    uint32_t used = 0;
    for (uint32_t k = 0; k < tr->size; k++) {
        double s1 = 0, s2 = 0;
        size_t j = tr->off[k], e = tr->off[k + 1];
        while (j < e) {
            size_t b = rt_bin_of(tr->t[j], tr->t0, bin), c = 0;
            while (j < e && rt_bin_of(tr->t[j], tr->t0, bin) == b) {
                j++;
                c++;
            }
            if (b < nb) {
                s1 += (double)c;
                s2 += (double)c * (double)c;
            }
        }
        if (s1 > 0) {
            double m = s1 / (double)nb, var = s2 / (double)nb - m * m;
            sum += (var > 0 ? var : 0) / m;
            used++;
        }
    }
    out->neuron = used ? sum / used : NAN;
    double *c = malloc(nb * sizeof *c);
    if (!c)
        return AXON_ENOMEM;
    axon_pop_counts(tr, bin, c, nb);
    out->population = axon_fano(c, nb);
    free(c);
    return AXON_OK;
}

/* ---- activity health ----------------------------------------------------------------------- */

double axon_hoyer(const double *x, size_t n)
{
    if (!x || n < 2)
        return NAN;
    double l1 = 0, l2 = 0;
    for (size_t k = 0; k < n; k++) {
        l1 += fabs(x[k]);
        l2 += x[k] * x[k];
    }
    if (!(l2 > 0))
        return NAN;
    double r = sqrt((double)n);
    return (r - l1 / sqrt(l2)) / (r - 1);
}

axon_status axon_health(const axon_trains *tr, double bin, double max_rate,
                        axon_health_summary *out, uint32_t *dead_idx, uint32_t *hyper_idx)
{
    if (!tr || tr->size == 0 || !out || !(bin > 0) || !isfinite(bin))
        return AXON_EINVAL;
    /* a window shorter than one bin has no active fraction; the rest is of the rates alone */
    size_t nb = axon_nbins(tr, bin);
    double *rate = malloc(tr->size * sizeof *rate);
    if (!rate)
        return AXON_ENOMEM;
    axon_rates(tr, rate);
    uint64_t active = 0; /* (neuron, bin) pairs with a spike */
    uint32_t dead = 0, hyper = 0;
    for (uint32_t k = 0; k < tr->size; k++) {
        size_t last = SIZE_MAX;
        for (size_t j = tr->off[k]; j < tr->off[k + 1]; j++) {
            size_t b = rt_bin_of(tr->t[j], tr->t0, bin);
            if (b != last && b < nb)
                active++;
            last = b;
        }
        if (tr->off[k + 1] == tr->off[k]) {
            if (dead_idx)
                dead_idx[dead] = k;
            dead++;
        }
        if (rate[k] > max_rate) {
            if (hyper_idx)
                hyper_idx[hyper] = k;
            hyper++;
        }
    }
    out->active_fraction = nb ? (double)active / ((double)nb * tr->size) : NAN;
    out->hoyer = axon_hoyer(rate, tr->size);
    out->dead = dead;
    out->hyperactive = hyper;
    free(rate);
    return AXON_OK;
}

axon_status axon_health_graded(const double *x, size_t nt, size_t nn, double threshold,
                               axon_health_summary *out, uint32_t *dead_idx, uint32_t *hyper_idx)
{
    if (!x || !out || nt == 0 || nn == 0)
        return AXON_EINVAL;
    double *mean = calloc(nn, sizeof *mean);
    size_t *on = calloc(nn, sizeof *on);
    if (!mean || !on) {
        free(mean);
        free(on);
        return AXON_ENOMEM;
    }
    uint64_t active = 0;
    for (size_t t = 0; t < nt; t++)
        for (size_t j = 0; j < nn; j++) {
            double v = x[t * nn + j];
            mean[j] += fabs(v) / (double)nt;
            if (v > threshold) {
                on[j]++;
                active++;
            }
        }
    uint32_t dead = 0, hyper = 0;
    for (size_t j = 0; j < nn; j++) {
        if (on[j] == 0) {
            if (dead_idx)
                dead_idx[dead] = (uint32_t)j;
            dead++;
        } else if (on[j] == nt) {
            if (hyper_idx)
                hyper_idx[hyper] = (uint32_t)j;
            hyper++;
        }
    }
    out->active_fraction = (double)active / ((double)nt * (double)nn);
    out->hoyer = axon_hoyer(mean, nn);
    out->dead = dead;
    out->hyperactive = hyper;
    free(mean);
    free(on);
    return AXON_OK;
}

/* ---- avalanches ---------------------------------------------------------------------------- */

/*
 * Discrete power-law exponent by maximum likelihood with x_min = 1 (Clauset, Shalizi & Newman
 * 2009, eq. 3.5): alpha solves zeta'(alpha) / zeta(alpha) = -mean(ln x). The left side
 * increases monotonically in alpha, so bisection on (1, 10] is safe; zeta and its derivative
 * are summed directly to K terms plus the Euler-Maclaurin tail.
 */
static void rt_zeta(double a, double *z, double *dz)
{
    const int K = 64;
    double s = 0, ds = 0;
    for (int k = 1; k < K; k++) {
        double p = pow(k, -a);
        s += p;
        ds -= log(k) * p;
    }
    /* tail from K: integral + half the first term + the first Bernoulli correction */
    double lk = log(K), pk = pow(K, -a);
    s += K * pk / (a - 1) + 0.5 * pk + a * pk / (12.0 * K);
    ds += -K * pk * (lk / (a - 1) + 1 / ((a - 1) * (a - 1))) - 0.5 * lk * pk +
          pk * (1 - a * lk) / (12.0 * K);
    *z = s;
    *dz = ds;
}

static double rt_powerlaw_mle(const uint64_t *x, size_t n)
{
    if (n < 10)
        return NAN;
    double ml = 0;
    for (size_t k = 0; k < n; k++)
        ml += log((double)x[k]) / (double)n;
    if (!(ml > 0))
        return NAN; /* every value 1: no finite exponent */
    double lo = 1.0 + 1e-6, hi = 10;
    for (int it = 0; it < 100; it++) {
        double mid = 0.5 * (lo + hi), z, dz;
        rt_zeta(mid, &z, &dz);
        if (-dz / z > ml) /* -zeta'/zeta decreases in alpha: mean ln x of the model too big */
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* Calls fn(user, size, duration) for every run of non-empty bins of c[0 .. nb) that does not
 * touch an edge (its extent is unknown); returns their number. */
static size_t rt_runs(const uint32_t *c, size_t nb, void (*fn)(void *, uint64_t, uint64_t),
                      void *user)
{
    size_t m = 0;
    for (size_t k = 0; k < nb;) {
        if (c[k] == 0) {
            k++;
            continue;
        }
        size_t start = k;
        uint64_t s = 0;
        while (k < nb && c[k] > 0)
            s += c[k++];
        if (start == 0 || k == nb)
            continue;
        if (fn)
            fn(user, s, k - start);
        m++;
    }
    return m;
}

typedef struct {
    axon_avalanche_summary *out;
    uint64_t *sz, *du;
    size_t m;
    double ssum, dsum;
} rt_aval;

static void rt_aval_add(void *user, uint64_t s, uint64_t d)
{
    rt_aval *a = user;
    a->sz[a->m] = s;
    a->du[a->m++] = d;
    a->ssum += (double)s;
    a->dsum += (double)d;
    if (s > a->out->max_size)
        a->out->max_size = s;
    if (d > a->out->max_duration)
        a->out->max_duration = d;
}

axon_status axon_avalanches(const axon_trains *tr, double bin, axon_avalanche_summary *out,
                            uint64_t *sizes, uint64_t *durations, size_t cap)
{
    if (!tr || !out)
        return AXON_EINVAL;
    memset(out, 0, sizeof *out);
    out->alpha = out->tau_t = out->mean_size = out->mean_duration = NAN;
    if (!(bin > 0)) {
        /* Beggs & Plenz's mean inter-spike interval of the pooled population, but at least a
         * time step, in whole steps: stamps on a grid of dt cannot be told apart in finer
         * bins, where every step with spikes would be an avalanche of its own */
        bin = tr->n ? (tr->t1 - tr->t0) / (double)tr->n : 0;
        if (tr->dt > 0 && bin > 0)
            bin = ceil(bin / tr->dt - RT_BIN_TOL) * tr->dt;
    }
    out->bin = bin;
    size_t nb = axon_nbins(tr, bin);
    if (nb == 0)
        return tr->n ? AXON_EINVAL : AXON_OK;
    /* as many bins as time steps (10 million for 1000 s): counts in 32 bits, and the runs
     * counted before their arrays are allocated */
    uint32_t *c = malloc(nb * sizeof *c);
    if (!c)
        return AXON_ENOMEM;
    rt_pop_counts_u32(tr, bin, c, nb);
    rt_aval a = {out, NULL, NULL, 0, 0, 0};
    size_t m = rt_runs(c, nb, NULL, NULL);
    a.sz = malloc((m ? m : 1) * sizeof *a.sz);
    a.du = malloc((m ? m : 1) * sizeof *a.du);
    if (!a.sz || !a.du) {
        free(c);
        free(a.sz);
        free(a.du);
        return AXON_ENOMEM;
    }
    rt_runs(c, nb, rt_aval_add, &a);
    free(c);
    out->count = m;
    if (m) {
        out->mean_size = a.ssum / (double)m;
        out->mean_duration = a.dsum / (double)m;
    }
    out->alpha = rt_powerlaw_mle(a.sz, m);
    out->tau_t = rt_powerlaw_mle(a.du, m);
    for (size_t k = 0; k < m && k < cap; k++) {
        if (sizes)
            sizes[k] = a.sz[k];
        if (durations)
            durations[k] = a.du[k];
    }
    free(a.sz);
    free(a.du);
    return AXON_OK;
}
