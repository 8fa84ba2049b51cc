/*
 * The analysis of a whole recording: every spiking population summarised (axon_summarize),
 * every state, rate and weight record described, the terminal table and analysis.json.
 * Figures and the HTML report are drawn from the same object (report.c).
 *
 * A statistic that the data cannot give (a window shorter than a bin, a population of one
 * neuron) is NaN in the summary and null in JSON, so one odd population never stops the
 * report of the others; only running out of memory does.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis_int.h"
#include "sim.h"
#include "report.h"
#include "sbuf.h"
#include "svg.h"

/* ---- options ------------------------------------------------------------------------------- */

void rt_opts_fill(const axon_analysis_opts *in, double duration, axon_analysis_opts *o)
{
    axon_analysis_opts z = {0};
    *o = in ? *in : z;
    if (!(o->rate_bin > 0))
        o->rate_bin = 1e-3;
    if (!(o->smooth > 0))
        o->smooth = 5e-3;
    if (!(o->count_bin > 0))
        o->count_bin = 10e-3;
    if (!(o->lvr_R > 0))
        o->lvr_R = 5e-3;
    if (!(o->sttc_dt > 0))
        o->sttc_dt = 5e-3;
    if (!(o->chi_tau > 0))
        o->chi_tau = 5e-3;
    if (!(o->lz_bin > 0))
        o->lz_bin = 1e-3;
    if (!o->lz_neurons)
        o->lz_neurons = 100;
    if (!o->lz_maxbins)
        o->lz_maxbins = 100000;
    if (!o->pairs)
        o->pairs = 1000;
    if (!(o->max_rate > 0))
        o->max_rate = 100;
    if (!(o->freq_res > 0)) /* Elephant's 8 segments, with segments of at most 2 s */
        o->freq_res = duration > 0 && 4.5 / duration > 0.5 ? 4.5 / duration : 0.5;
}

axon_status axon_analysis_opt_set(axon_analysis_opts *o, const char *name, double v, axon_err *err)
{
    static const struct {
        const char *name;
        size_t off;
        int kind; /* 0 double, 1 uint32_t, 2 size_t, 3 uint64_t */
    } F[] = {
        {"rate_bin", offsetof(axon_analysis_opts, rate_bin), 0},
        {"smooth", offsetof(axon_analysis_opts, smooth), 0},
        {"count_bin", offsetof(axon_analysis_opts, count_bin), 0},
        {"lvr_R", offsetof(axon_analysis_opts, lvr_R), 0},
        {"sttc_dt", offsetof(axon_analysis_opts, sttc_dt), 0},
        {"chi_tau", offsetof(axon_analysis_opts, chi_tau), 0},
        {"lz_bin", offsetof(axon_analysis_opts, lz_bin), 0},
        {"lz_neurons", offsetof(axon_analysis_opts, lz_neurons), 1},
        {"lz_maxbins", offsetof(axon_analysis_opts, lz_maxbins), 2},
        {"pairs", offsetof(axon_analysis_opts, pairs), 1},
        {"max_rate", offsetof(axon_analysis_opts, max_rate), 0},
        {"freq_res", offsetof(axon_analysis_opts, freq_res), 0},
        {"seed", offsetof(axon_analysis_opts, seed), 3},
    };
    if (!o || !name)
        return axon_err_set(err, AXON_EINVAL, "analysis parameter: NULL %s", !o ? "options" : "name");
    for (size_t k = 0; k < sizeof F / sizeof F[0]; k++) {
        if (strcmp(name, F[k].name))
            continue;
        char *p = (char *)o + F[k].off;
        /* 0 is the default in the structure, so only the seed may be set to it */
        bool seed = F[k].kind == 3;
        if (!(seed ? v >= 0 : v > 0) || !isfinite(v) ||
            (F[k].kind && (v != floor(v) || v > 1e18)) || (F[k].kind == 1 && v > UINT32_MAX))
            return axon_err_set(err, AXON_EINVAL, "analysis parameter %s: %g is not allowed (a %s)",
                                name, v,
                                seed        ? "non-negative whole number"
                                : F[k].kind ? "positive whole number"
                                            : "positive number, in SI units");
        switch (F[k].kind) {
        case 0: memcpy(p, &v, sizeof v); break;
        case 1: *(uint32_t *)(void *)p = (uint32_t)v; break;
        case 2: *(size_t *)(void *)p = (size_t)v; break;
        default: *(uint64_t *)(void *)p = (uint64_t)v; break;
        }
        return AXON_OK;
    }
    return axon_err_set(err, AXON_EINVAL, "no analysis parameter '%s' (see docs/analysis.md)",
                        name);
}

/* ---- one population -------------------------------------------------------------------------- */

/* NaN out a statistic the window cannot give; only out of memory is an error. */
static int rt_soft(axon_status st, double *v)
{
    if (st == AXON_ENOMEM)
        return -1;
    if (st != AXON_OK && v)
        *v = NAN;
    return 0;
}

/* The topographic prominence of the local maximum k of x (n values): its height above the
 * higher of the lowest points between it and the nearest higher point on each side (or the
 * end), as scipy.signal.peak_prominences; *left_base is where the left one is (the rightmost
 * of equal lowest points, as scipy). */
static double rt_prominence(const double *x, size_t n, size_t k, size_t *left_base)
{
    double lmin = x[k], rmin = x[k];
    *left_base = k;
    for (size_t j = k; j-- > 0 && x[j] <= x[k];)
        if (x[j] < lmin) {
            lmin = x[j];
            *left_base = j;
        }
    for (size_t j = k + 1; j < n && x[j] <= x[k]; j++)
        if (x[j] < rmin)
            rmin = x[j];
    return x[k] - (lmin > rmin ? lmin : rmin);
}

/*
 * The most prominent peak of the rate's Welch spectrum above 1 Hz, over the frequencies above
 * 1 Hz. The largest value is usually the low-frequency end of aperiodic activity, which mean
 * removal turns into a bump near the resolution; a peak whose lowest point on the left is the
 * 1 Hz edge (the spectrum only falls from it towards lower frequencies) is that end, not a
 * rhythm, and is left out.
 */
static axon_status rt_peak(const axon_trains *tr, const axon_analysis_opts *o, double *f, double *p)
{
    *f = *p = NAN;
    size_t nb = axon_nbins(tr, o->rate_bin);
    double fs = 1 / o->rate_bin;
    axon_welch_opts wo = {.freq_res = o->freq_res};
    size_t nf = axon_welch_nfreq(nb, fs, &wo);
    if (nf == 0)
        return AXON_OK;
    double *r = malloc(nb * sizeof *r), *fr = malloc(nf * sizeof *fr),
           *ps = malloc(nf * sizeof *ps);
    axon_status st =
        r && fr && ps ? axon_pop_rate(tr, o->rate_bin, AXON_KERNEL_NONE, 0, r, nb) : AXON_ENOMEM;
    if (st == AXON_OK)
        st = axon_welch(r, nb, fs, &wo, fr, ps, NULL);
    size_t k0 = 0;
    while (st == AXON_OK && k0 < nf && fr[k0] < 1)
        k0++;
    double best = -1;
    for (size_t k = k0 + 1; st == AXON_OK && k + 1 < nf; k++)
        if (ps[k] > ps[k - 1] && ps[k] > ps[k + 1]) {
            size_t base;
            double prom = rt_prominence(ps + k0, nf - k0, k - k0, &base);
            if (base > 0 && prom > best) {
                best = prom;
                *p = ps[k];
                *f = fr[k];
            }
        }
    free(r);
    free(fr);
    free(ps);
    return st == AXON_ENOMEM ? st : AXON_OK;
}

/* The mean over (at most 1000) evenly spaced times of the spike-phase order parameter. */
static axon_status rt_kuramoto_mean(const axon_trains *tr, double *mean)
{
    enum { NT = 1000 };
    double *t = malloc(NT * sizeof *t), *R = malloc(NT * sizeof *R);
    if (!t || !R) {
        free(t);
        free(R);
        return AXON_ENOMEM;
    }
    for (int k = 0; k < NT; k++)
        t[k] = tr->t0 + (tr->t1 - tr->t0) * (k + 0.5) / NT;
    axon_status st = axon_kuramoto_spikes(tr, t, NT, R);
    if (st == AXON_OK)
        rt_mean_std(R, NT, mean, NULL, NULL);
    free(t);
    free(R);
    return st;
}

axon_status axon_summarize(const axon_trains *tr, const axon_analysis_opts *in,
                           axon_pop_summary *out, axon_err *err)
{
    if (!tr || !out)
        return axon_err_set(err, AXON_EINVAL, "axon_summarize: NULL %s", !tr ? "trains" : "summary");
    axon_analysis_opts o;
    rt_opts_fill(in, tr->t1 - tr->t0, &o);
    memset(out, 0, sizeof *out);
    out->neurons = tr->size;
    out->spikes = tr->n;
    out->duration = tr->t1 - tr->t0;
    double *rate = malloc((tr->size ? tr->size : 1) * sizeof *rate);
    if (!rate)
        return axon_err_set(err, AXON_ENOMEM, "'%s': out of memory", tr->name);
    axon_rates(tr, rate);
    rt_mean_std(rate, tr->size, &out->rate, &out->rate_std, NULL);
    free(rate);
    int bad = rt_soft(axon_isi_stats(tr, o.lvr_R, &out->isi, NULL), NULL);
    axon_status st = axon_fano_factor(tr, o.count_bin, &out->fano);
    if (st != AXON_OK)
        out->fano.neuron = out->fano.population = NAN;
    bad |= rt_soft(st, NULL);
    st = axon_count_correlation(tr, o.count_bin, o.pairs, o.seed, &out->corr);
    if (st != AXON_OK)
        out->corr = (axon_pair_summary){NAN, NAN, 0};
    bad |= rt_soft(st, NULL);
    bad |= rt_soft(axon_pop_sttc(tr, o.sttc_dt, o.pairs, o.seed, &out->sttc), NULL);
    bad |= rt_soft(axon_chi_spikes(tr, o.rate_bin, o.chi_tau, &out->chi), &out->chi);
    bad |= rt_soft(rt_kuramoto_mean(tr, &out->kuramoto), &out->kuramoto);
    bad |= rt_soft(axon_lz_trains(tr, o.lz_bin, o.lz_neurons, o.lz_maxbins, o.seed, &out->lz),
                   &out->lz);
    bad |= rt_soft(rt_peak(tr, &o, &out->peak_freq, &out->peak_power), NULL);
    st = axon_health(tr, o.count_bin, o.max_rate, &out->health, NULL, NULL);
    if (st != AXON_OK) {
        out->health.active_fraction = out->health.hoyer = NAN;
        out->health.dead = out->health.hyperactive = 0;
    }
    bad |= rt_soft(st, NULL);
    bad |= rt_soft(axon_avalanches(tr, 0, &out->avalanches, NULL, NULL, 0), NULL);
    if (bad)
        return axon_err_set(err, AXON_ENOMEM, "'%s': out of memory", tr->name);
    return AXON_OK;
}

/* ---- units ----------------------------------------------------------------------------------- */

const char *axon_unit_pretty(const char *u)
{
    if (!u || !strcmp(u, "1") || !*u)
        return "";
    /* a product of units of factor 1 (as the descriptor writes the SI units: "kg*m^2*s^-3*A^-1")
       named by the table of units the language and the API share, or per square metre */
    double e[7], f;
    if (rt_unit_parse(u, e, &f) != 0 || f != 1)
        return u;
    if (e[0] == 0 && e[1] == 0 && e[2] == 0 && e[3] == 0 && e[4] == 0 && e[5] == 0 && e[6] == 0)
        return ""; /* "m*m^-1" */
    const char *name = rt_unit_symbol(e);
    if (name)
        return !strcmp(name, "ohm") ? "\u03a9" : name;
    e[0] += 2; /* m^-2 */
    static const char *const PER_M2[][2] = {{"S", "S/m\u00b2"}, {"F", "F/m\u00b2"}, {"A", "A/m\u00b2"}};
    name = rt_unit_symbol(e);
    for (size_t k = 0; name && k < sizeof PER_M2 / sizeof PER_M2[0]; k++)
        if (!strcmp(name, PER_M2[k][0]))
            return PER_M2[k][1];
    return u;
}

/* ---- a recording ----------------------------------------------------------------------------- */

void axon_analysis_free(axon_analysis *a)
{
    if (!a)
        return;
    for (size_t k = 0; k < a->npops; k++) {
        axon_trains_free(a->pops[k].tr);
        free(a->pops[k].dead);
        free(a->pops[k].hyper);
    }
    free(a->pops);
    for (size_t k = 0; k < a->nseries; k++) {
        free(a->series[k].dead);
        free(a->series[k].always);
    }
    free(a->series);
    free(a->table);
    free(a);
}

/* The samples of s in (t0, t1]: first index and count. */
void rt_series_window(const axon_rec_series *s, double t0, double t1, double dt, size_t *first,
                      size_t *n)
{
    double eps = 1e-6 * dt;
    size_t a = 0, b = s->nsamples;
    while (a < b && s->times[a] <= t0 + eps)
        a++;
    while (b > a && s->times[b - 1] > t1 + eps)
        b--;
    *first = a;
    *n = b - a;
}

/* A phase variable of an oscillator population, for the Kuramoto order parameter. */
int rt_is_phase(const axon_rec_series *s)
{
    return s->kind == AXON_SERIES_STATE && s->var &&
           (!strcmp(s->var, "theta") || !strcmp(s->var, "phi") || !strcmp(s->var, "phase")) &&
           !*axon_unit_pretty(s->unit);
}

static axon_status rt_describe_series(const axon_analysis *a, rt_series *d, axon_err *err)
{
    const axon_rec_series *s = d->s;
    size_t first, n;
    rt_series_window(s, a->t0, a->t1, a->info->dt, &first, &n);
    d->first = first;
    d->n = n;
    const double *x = s->values + first * s->ncols;
    size_t m = n * s->ncols;
    d->mean = d->std = d->min = d->max = d->chi = d->kuramoto = NAN;
    if (m) {
        rt_mean_std(x, m, &d->mean, &d->std, NULL);
        d->min = d->max = x[0];
        for (size_t k = 1; k < m; k++) {
            if (x[k] < d->min)
                d->min = x[k];
            if (x[k] > d->max)
                d->max = x[k];
        }
    }
    if (s->kind == AXON_SERIES_STATE && s->ncols >= 2 && n >= 2 && !rt_is_phase(s))
        d->chi = axon_chi(x, n, s->ncols);
    if (rt_is_phase(s) && n) {
        double *R = malloc(n * sizeof *R);
        if (!R)
            return axon_err_set(err, AXON_ENOMEM, "out of memory");
        axon_kuramoto(x, n, s->ncols, R);
        rt_mean_std(R, n, &d->kuramoto, NULL, NULL);
        d->kuramoto_last = R[n - 1];
        free(R);
    }
    if (s->kind == AXON_SERIES_WEIGHTS && n) {
        axon_status st = axon_weights_stats(x, s->ncols, NAN, NAN, 0, &d->w_first);
        if (st == AXON_OK)
            st = axon_weights_stats(s->values + (first + n - 1) * s->ncols, s->ncols, NAN, NAN, 0,
                                    &d->w_last);
        if (st != AXON_OK)
            return axon_err_set(err, st, "out of memory");
    }
    d->graded = 0;
    if (s->kind == AXON_SERIES_STATE && n && !rt_is_phase(s)) {
        int p = axon_recording_pop_index(a->rec, s->owner);
        const axon_rec_pop *pp = p >= 0 ? axon_recording_pop(a->rec, (size_t)p) : NULL;
        if (pp && !pp->spiking) {
            d->dead = malloc(s->ncols * sizeof *d->dead);
            d->always = malloc(s->ncols * sizeof *d->always);
            axon_status st = AXON_ENOMEM;
            if (d->dead && d->always)
                st = axon_health_graded(x, n, s->ncols, 0, &d->health, d->dead, d->always);
            if (st == AXON_ENOMEM)
                return axon_err_set(err, st, "out of memory");
            d->graded = st == AXON_OK;
            /* columns are the recorded neurons: subset[k], or k */
            for (uint32_t k = 0; d->graded && s->subset && k < d->health.dead; k++)
                d->dead[k] = s->subset[d->dead[k]];
            for (uint32_t k = 0; d->graded && s->subset && k < d->health.hyperactive; k++)
                d->always[k] = s->subset[d->always[k]];
        }
    }
    return AXON_OK;
}

/* The avalanches' sizes and durations in bins of powers of two. */
static axon_status rt_aval_hist(rt_popan *p, axon_err *err)
{
    size_t m = p->sum.avalanches.count;
    if (m == 0)
        return AXON_OK;
    uint64_t *sz = malloc(m * sizeof *sz), *du = malloc(m * sizeof *du);
    axon_avalanche_summary av;
    if (!sz || !du ||
        axon_avalanches(p->tr, p->sum.avalanches.bin, &av, sz, du, m) == AXON_ENOMEM) {
        free(sz);
        free(du);
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < m && k < av.count; k++) {
        int bs = 0, bd = 0;
        while (bs + 1 < RT_LOGBINS && sz[k] >> (bs + 1))
            bs++;
        while (bd + 1 < RT_LOGBINS && du[k] >> (bd + 1))
            bd++;
        p->hsize[bs]++;
        p->hdur[bd]++;
        if (bs + 1 > p->nhsize)
            p->nhsize = bs + 1;
        if (bd + 1 > p->nhdur)
            p->nhdur = bd + 1;
    }
    free(sz);
    free(du);
    return AXON_OK;
}

static axon_status rt_pop_analysis(axon_analysis *a, size_t k, axon_err *err)
{
    rt_popan *p = &a->pops[a->npops];
    memset(p, 0, sizeof *p);
    p->tr = axon_recording_trains(a->rec, (int)k, a->t0, a->t1, err);
    if (!p->tr)
        return AXON_ENOMEM;
    p->rp = axon_recording_pop(a->rec, k);
    a->npops++;
    axon_status st = axon_summarize(p->tr, &a->opts, &p->sum, err);
    if (st != AXON_OK)
        return st;
    uint32_t n = p->tr->size;
    p->dead = malloc((n ? n : 1) * sizeof *p->dead);
    p->hyper = malloc((n ? n : 1) * sizeof *p->hyper);
    if (!p->dead || !p->hyper)
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    axon_health_summary h;
    if (axon_health(p->tr, a->opts.count_bin, a->opts.max_rate, &h, p->dead, p->hyper) ==
        AXON_ENOMEM)
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    axon_status cs =
        axon_pop_cch(p->tr, RT_CCH_BIN, RT_CCH_LAGS, a->opts.pairs, a->opts.seed, p->cch);
    if (cs == AXON_ENOMEM)
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    if (cs != AXON_OK)
        for (int j = 0; j <= 2 * RT_CCH_LAGS; j++)
            p->cch[j] = NAN;
    return rt_aval_hist(p, err);
}

static void rt_table(axon_analysis *a);

axon_analysis *axon_analyze(const axon_recording *r, double t0, double t1,
                            const axon_analysis_opts *o, axon_err *err)
{
    if (!r) {
        axon_err_set(err, AXON_EINVAL, "axon_analyze: no recording");
        return NULL;
    }
    const axon_rec_info *in = axon_recording_info(r);
    if (t1 < 0)
        t1 = in->duration;
    if (!(t0 >= 0) || !(t1 > t0) || t1 > in->duration * (1 + 1e-12) + 1e-12) {
        axon_err_set(err, AXON_EINVAL,
                     "%s: the window (%g s, %g s] is not inside the recording (0 s, %g s]", in->dir,
                     t0, t1, in->duration);
        return NULL;
    }
    axon_analysis *a = calloc(1, sizeof *a);
    if (!a) {
        axon_err_set(err, AXON_ENOMEM, "out of memory");
        return NULL;
    }
    a->rec = r;
    a->info = in;
    a->t0 = t0;
    a->t1 = t1;
    rt_opts_fill(o, t1 - t0, &a->opts);
    size_t np = axon_recording_npops(r), ns = axon_recording_nseries(r);
    a->pops = calloc(np ? np : 1, sizeof *a->pops);
    a->series = calloc(ns ? ns : 1, sizeof *a->series);
    axon_status st =
        a->pops && a->series ? AXON_OK : axon_err_set(err, AXON_ENOMEM, "out of memory");
    for (size_t k = 0; k < np && st == AXON_OK; k++)
        if (axon_recording_pop(r, k)->has_spikes)
            st = rt_pop_analysis(a, k, err);
    for (size_t k = 0; k < ns && st == AXON_OK; k++) {
        a->series[k].s = axon_recording_series(r, k);
        a->nseries++;
        st = rt_describe_series(a, &a->series[k], err);
    }
    if (st == AXON_OK) {
        rt_table(a);
        if (!a->table)
            st = axon_err_set(err, AXON_ENOMEM, "out of memory");
    }
    if (st != AXON_OK) {
        axon_analysis_free(a);
        return NULL;
    }
    return a;
}

size_t axon_analysis_npops(const axon_analysis *a)
{
    return a ? a->npops : 0;
}

const axon_pop_summary *axon_analysis_pop(const axon_analysis *a, size_t k, const char **name)
{
    if (!a || k >= a->npops)
        return NULL;
    if (name)
        *name = a->pops[k].tr->name;
    return &a->pops[k].sum;
}

const char *axon_analysis_table(const axon_analysis *a)
{
    return a ? a->table : NULL;
}

/* ---- the terminal table ---------------------------------------------------------------------- */

/* One row: a label and a value per population, formatted by fmt (NaN as "-"). */
typedef double (*rt_getter)(const axon_pop_summary *);

#define RT_GET(name, expr)                                                                         \
    static double name(const axon_pop_summary *s)                                                  \
    {                                                                                              \
        return (double)(expr);                                                                     \
    }
RT_GET(g_neurons, s->neurons)
RT_GET(g_spikes, s->spikes)
RT_GET(g_rate, s->rate)
RT_GET(g_rate_std, s->rate_std)
RT_GET(g_cv, s->isi.cv)
RT_GET(g_cv2, s->isi.cv2)
RT_GET(g_lv, s->isi.lv)
RT_GET(g_lvr, s->isi.lvr)
RT_GET(g_fano, s->fano.neuron)
RT_GET(g_fano_pop, s->fano.population)
RT_GET(g_corr, s->corr.mean)
RT_GET(g_sttc, s->sttc.mean)
RT_GET(g_chi, s->chi)
RT_GET(g_kur, s->kuramoto)
RT_GET(g_lz, s->lz)
RT_GET(g_peak, s->peak_freq)
RT_GET(g_active, s->health.active_fraction)
RT_GET(g_hoyer, s->health.hoyer)
RT_GET(g_dead, s->health.dead)
RT_GET(g_hyper, s->health.hyperactive)
RT_GET(g_aval, s->avalanches.count)
RT_GET(g_alpha, s->avalanches.alpha)

const rt_row RT_ROWS[] = {
    {"neurons", "neurons", "%.0f", g_neurons},
    {"spikes", "spikes", "%.0f", g_spikes},
    {"rate", "rate (Hz)", "%.3f", g_rate},
    {"rate_std", "  std over neurons", "%.3f", g_rate_std},
    {"cv", "ISI CV", "%.3f", g_cv},
    {"cv2", "ISI CV2", "%.3f", g_cv2},
    {"lv", "ISI LV", "%.3f", g_lv},
    {"lvr", "ISI LvR", "%.3f", g_lvr},
    {"fano", "Fano factor (neuron)", "%.3f", g_fano},
    {"fano_pop", "Fano factor (population)", "%.3f", g_fano_pop},
    {"corr", "count correlation", "%.4f", g_corr},
    {"sttc", "STTC", "%.4f", g_sttc},
    {"chi", "synchrony chi", "%.3f", g_chi},
    {"kuramoto", "Kuramoto R (spikes)", "%.3f", g_kur},
    {"lz", "Lempel-Ziv complexity", "%.3f", g_lz},
    {"peak", "spectral peak (Hz)", "%.1f", g_peak},
    {"active", "active fraction / bin", "%.4f", g_active},
    {"hoyer", "Hoyer sparsity", "%.3f", g_hoyer},
    {"dead", "dead neurons", "%.0f", g_dead},
    {"hyper", "hyperactive neurons", "%.0f", g_hyper},
    {"avalanches", "avalanches", "%.0f", g_aval},
    {"alpha", "  size exponent", "%.2f", g_alpha},
    {NULL, NULL, NULL, NULL},
};

void rt_fmt(char *buf, size_t len, const char *fmt, double v)
{
    if (isnan(v))
        snprintf(buf, len, "-");
    else
        snprintf(buf, len, fmt, v);
}

static void rt_table(axon_analysis *a)
{
    rt_sbuf b = {0};
    rt_sb_printf(&b, "%s: %s, window %g s to %g s\n", a->info->dir,
                 a->info->model ? a->info->model : "?", a->t0, a->t1);
    if (a->npops == 0) {
        rt_sb_puts(&b, "  no spike records\n");
    } else {
        rt_sb_printf(&b, "  %-26s", "");
        for (size_t k = 0; k < a->npops; k++)
            rt_sb_printf(&b, " %12.12s", a->pops[k].tr->name);
        rt_sb_puts(&b, "\n");
        for (const rt_row *r = RT_ROWS; r->key; r++) {
            rt_sb_printf(&b, "  %-26s", r->label);
            for (size_t k = 0; k < a->npops; k++) {
                char v[32];
                rt_fmt(v, sizeof v, r->fmt, r->get(&a->pops[k].sum));
                rt_sb_printf(&b, " %12s", v);
            }
            rt_sb_puts(&b, "\n");
        }
    }
    for (size_t k = 0; k < a->nseries; k++) {
        const rt_series *d = &a->series[k];
        const axon_rec_series *s = d->s;
        if (!rt_is_phase(s) && s->kind != AXON_SERIES_WEIGHTS)
            continue;
        if (rt_is_phase(s))
            rt_sb_printf(&b, "  %s.%s: Kuramoto R mean %.3f, last %.3f\n", s->owner, s->var,
                         d->kuramoto, d->kuramoto_last);
        else if (d->n) {
            const char *u = axon_unit_pretty(s->unit), *pre = "";
            double sc = *u && strcmp(u, s->unit) ? rt_si_prefix(fabs(d->w_first.mean), &pre) : 1;
            rt_sb_printf(&b,
                         "  %s.%s: %zu synapses, mean %.4g -> %.4g %s%s, within 1%% of the "
                         "largest %.1f%%\n",
                         s->owner, s->var, s->ncols, d->w_first.mean / sc, d->w_last.mean / sc, pre,
                         u, 100 * d->w_last.near_hi);
        }
    }
    if (b.oom) {
        free(b.p);
        b.p = NULL;
    }
    a->table = b.p;
}
