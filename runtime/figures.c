/*
 * The figures of a report: raster, population rate, ISI distribution, rate spectrum, state
 * traces, weight histograms and weights over time, Kuramoto order parameter. Every figure has
 * the same size, fonts, palette (a population keeps its colour in every figure) and layout
 * (svg.h).
 *
 * Size. A raster draws one mark per spike while there are at most RT_RASTER_SPIKES of them;
 * beyond that it becomes a density image (spikes per pixel: a group of neurons over a slice of
 * time), so a million spikes make a figure of a few hundred kilobytes that a browser opens at
 * once. Lines with more points than pixels are reduced per pixel column by the writer.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "figures.h"
#include "svg.h"

#define RT_W 720
#define RT_H 380
#define RT_RASTER_SPIKES 100000
#define RT_TRACES 4 /* state traces per figure */

void rt_figlist_free(rt_figlist *f)
{
    for (size_t k = 0; k < f->n; k++) {
        free(f->v[k].file);
        free(f->v[k].title);
    }
    free(f->v);
    *f = (rt_figlist){0};
}

/* Context of one report's figures. */
typedef struct {
    const axon_analysis *a;
    const char *dir;
    rt_figlist *figs;
    axon_err *err;
    const char *path;   /* one figure (axon_analysis_figure): its path instead of dir/file */
    double tscale;      /* time axis unit: 1 (s) or 1e-3 (ms) */
    const char *tlabel; /* "time (s)" or "time (ms)" */
    char sub[256];      /* the common subtitle */
} rt_figctx;

static const char *rt_pop_color(const rt_figctx *c, const char *pop)
{
    int k = axon_recording_pop_index(c->a->rec, pop);
    return RT_COLORS[(k < 0 ? 0 : k) % RT_NCOLORS];
}

/* A name safe in a file name: letters, digits, '-', '_', '.' kept, the rest '_'. */
static void rt_safe(char *out, size_t len, const char *in)
{
    size_t n = 0;
    for (; *in && n + 1 < len; in++) {
        char ch = *in;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '-' || ch == '_' || ch == '.';
        out[n++] = ok ? ch : '_';
    }
    out[n] = '\0';
}

static char *rt_dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

/* Writes the figure into the directory and lists it. */
static axon_status rt_fig_done(rt_figctx *c, rt_svg *s, const char *file, const char *kind,
                               const char *title)
{
    rt_figlist *f = c->figs;
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        rt_fig *v = realloc(f->v, cap * sizeof *v);
        if (!v) {
            rt_svg_end(s, "/dev/null", NULL);
            return axon_err_set(c->err, AXON_ENOMEM, "out of memory");
        }
        f->v = v;
        f->cap = cap;
    }
    const char *dir = c->path ? "" : c->dir, *name = c->path ? c->path : file;
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);
    if (!path) {
        rt_svg_end(s, "/dev/null", NULL);
        return axon_err_set(c->err, AXON_ENOMEM, "out of memory");
    }
    snprintf(path, len, "%s%s%s", dir, *dir ? "/" : "", name);
    axon_status st = rt_svg_end(s, path, c->err);
    free(path);
    if (st != AXON_OK)
        return st;
    rt_fig *g = &f->v[f->n];
    g->file = rt_dup(name);
    g->title = rt_dup(title);
    g->kind = kind;
    if (!g->file || !g->title) {
        free(g->file);
        free(g->title);
        return axon_err_set(c->err, AXON_ENOMEM, "out of memory");
    }
    f->n++;
    return AXON_OK;
}

/* ---- raster ---------------------------------------------------------------------------------- */

/* Draws pops' spikes in (t0, t1], every stride-th neuron, as marks or as a density. */
static void rt_raster_draw(rt_figctx *c, rt_svg *s, double t0, double t1, uint32_t stride,
                           const uint32_t *offset, uint32_t total)
{
    const axon_analysis *a = c->a;
    size_t count = 0;
    for (size_t p = 0; p < a->npops; p++) {
        const axon_trains *tr = a->pops[p].tr;
        for (uint32_t k = 0; k < tr->size; k += stride)
            for (size_t j = tr->off[k]; j < tr->off[k + 1]; j++)
                count += tr->t[j] > t0 && tr->t[j] <= t1;
    }
    char note[160];
    if (count <= RT_RASTER_SPIKES) {
        double *x = malloc((count ? count : 1) * sizeof *x),
               *y = malloc((count ? count : 1) * sizeof *y);
        if (!x || !y) {
            s->b.oom = 1;
            free(x);
            free(y);
            return;
        }
        for (size_t p = 0; p < a->npops; p++) {
            const axon_trains *tr = a->pops[p].tr;
            size_t m = 0;
            for (uint32_t k = 0; k < tr->size; k += stride)
                for (size_t j = tr->off[k]; j < tr->off[k + 1]; j++)
                    if (tr->t[j] > t0 && tr->t[j] <= t1) {
                        x[m] = tr->t[j];
                        y[m++] = offset[p] + k / stride + 0.5;
                    }
            rt_svg_ticks(s, x, y, m, 1, rt_pop_color(c, tr->name));
        }
        free(x);
        free(y);
        snprintf(note, sizeof note, "every spike (%zu)%s", count,
                 stride > 1 ? ", every other neuron" : "");
        if (stride > 2)
            snprintf(note, sizeof note, "every spike of every %u-th neuron (%zu)", stride, count);
        rt_svg_note(s, note);
        return;
    }
    /* density: one cell per pixel, 15 shades of each population's colour */
    uint32_t w = (uint32_t)(s->px1 - s->px0), h = (uint32_t)(s->py1 - s->py0);
    if (total < h)
        h = total;
    uint32_t *cnt = calloc((size_t)w * h, sizeof *cnt);
    uint8_t *cells = calloc((size_t)w * h, 1);
    uint16_t *owner = calloc(h, sizeof *owner);
    if (!cnt || !cells || !owner) {
        s->b.oom = 1;
        free(cnt);
        free(cells);
        free(owner);
        return;
    }
    double rows_per = (double)total / h;
    for (size_t p = 0; p < a->npops; p++) {
        const axon_trains *tr = a->pops[p].tr;
        for (uint32_t k = 0; k < tr->size; k += stride) {
            double yr = offset[p] + k / stride;
            uint32_t row = h - 1 - (uint32_t)(yr / rows_per); /* row 0 is the top */
            owner[row] = (uint16_t)p;
            for (size_t j = tr->off[k]; j < tr->off[k + 1]; j++)
                if (tr->t[j] > t0 && tr->t[j] <= t1) {
                    uint32_t col = (uint32_t)((tr->t[j] - t0) / (t1 - t0) * w);
                    cnt[(size_t)row * w + (col < w ? col : w - 1)]++;
                }
        }
    }
    uint8_t pal[3 * (1 + 15 * RT_NCOLORS)];
    pal[0] = pal[1] = pal[2] = 255;
    for (int q = 0; q < RT_NCOLORS; q++)
        for (int l = 1; l <= 15; l++)
            for (int ch = 0; ch < 3; ch++) {
                double f = l / 15.0; /* blend with white */
                pal[3 * (1 + q * 15 + (l - 1)) + ch] =
                    (uint8_t)(255 - f * (255 - RT_COLOR_RGB[q][ch]) + 0.5);
            }
    /* each population scaled to its own busiest cell, so a sparse one stays visible */
    for (size_t p = 0; p < a->npops; p++) {
        uint32_t most = 0;
        for (uint32_t r = 0; r < h; r++)
            if (owner[r] == p)
                for (uint32_t q = 0; q < w; q++)
                    if (cnt[(size_t)r * w + q] > most)
                        most = cnt[(size_t)r * w + q];
        int col = axon_recording_pop_index(a->rec, a->pops[p].tr->name) % RT_NCOLORS;
        for (uint32_t r = 0; r < h; r++)
            if (owner[r] == p)
                for (uint32_t q = 0; q < w; q++) {
                    uint32_t v = cnt[(size_t)r * w + q];
                    if (v)
                        cells[(size_t)r * w + q] =
                            (uint8_t)(1 + col * 15 + (int)ceil(15 * sqrt((double)v / most)) - 1);
                }
    }
    rt_svg_image(s, cells, w, h, pal, 1 + 15 * RT_NCOLORS, t0, t1, 0, total);
    double px = (t1 - t0) / w;
    snprintf(note, sizeof note,
             "density of %zu spikes: a pixel is %.3g neurons x %.3g %s, "
             "darker is more",
             count, rows_per * stride, px >= 1 ? px : px * 1e3, px >= 1 ? "s" : "ms");
    rt_svg_note(s, note);
    free(cnt);
    free(cells);
    free(owner);
}

static axon_status rt_fig_raster(rt_figctx *c, double t0, double t1, const char *file,
                                 const char *title, int zoom)
{
    const axon_analysis *a = c->a;
    uint32_t offset[64], total = 0;
    size_t np = a->npops < 64 ? a->npops : 64;
    /* a zoomed raster shows every stride-th neuron, so that it stays marks, not a density */
    uint32_t stride = 1;
    if (zoom) {
        size_t count = 0;
        for (size_t p = 0; p < np; p++)
            for (size_t j = 0; j < a->pops[p].tr->n; j++)
                count += a->pops[p].tr->t[j] > t0 && a->pops[p].tr->t[j] <= t1;
        while (count / stride > RT_RASTER_SPIKES / 2)
            stride++;
    }
    for (size_t p = 0; p < np; p++) {
        offset[p] = total;
        total += (a->pops[p].tr->size + stride - 1) / stride;
    }
    rt_svg s;
    int ms = t1 <= 2; /* milliseconds only near the start: 999000 ms reads worse than 999 s */
    char sub[400];
    snprintf(sub, sizeof sub, "%s, %g s to %g s", a->info->model ? a->info->model : "", t0, t1);
    rt_svg_begin(&s, RT_W, 420, title, sub);
    rt_svg_axes(&s, t0, t1, 0, total ? total : 1, ms ? "time (ms)" : "time (s)",
                stride > 1 ? "neuron (subsampled)" : "neuron", ms ? 1e-3 : 1, 1.0 / stride, 0);
    rt_figctx cc = *c;
    rt_raster_draw(&cc, &s, t0, t1, stride, offset, total);
    for (size_t p = 0; p < np; p++)
        rt_svg_band_label(&s, offset[p] + (a->pops[p].tr->size + stride - 1) / stride * 0.98,
                          a->pops[p].tr->name, rt_pop_color(c, a->pops[p].tr->name));
    return rt_fig_done(c, &s, file, zoom ? "raster_zoom" : "raster", title);
}

/* ---- population rate ------------------------------------------------------------------------- */

static axon_status rt_fig_rate(rt_figctx *c)
{
    const axon_analysis *a = c->a;
    const axon_analysis_opts *o = &a->opts;
    size_t nb = a->npops ? axon_nbins(a->pops[0].tr, o->rate_bin) : 0;
    if (nb < 2)
        return AXON_OK;
    double *x = malloc(nb * sizeof *x), *r = malloc(a->npops * nb * sizeof *r);
    if (!x || !r) {
        free(x);
        free(r);
        return axon_err_set(c->err, AXON_ENOMEM, "out of memory");
    }
    double top = 0;
    for (size_t k = 0; k < nb; k++)
        x[k] = a->t0 + (k + 0.5) * o->rate_bin;
    for (size_t p = 0; p < a->npops; p++) {
        axon_pop_rate(a->pops[p].tr, o->rate_bin, AXON_KERNEL_GAUSS, o->smooth, r + p * nb, nb);
        for (size_t k = 0; k < nb; k++)
            if (r[p * nb + k] > top)
                top = r[p * nb + k];
    }
    char title[128], sub[400];
    snprintf(title, sizeof title, "Population rate");
    snprintf(sub, sizeof sub, "%s; %g ms bins, Gaussian smoothing σ = %g ms", c->sub,
             o->rate_bin * 1e3, o->smooth * 1e3);
    rt_svg s;
    rt_svg_begin(&s, RT_W, RT_H, title, sub);
    rt_svg_axes(&s, a->t0, a->t1, 0, top > 0 ? top * 1.08 : 1, c->tlabel, "rate (Hz)", c->tscale, 1,
                0);
    for (size_t p = 0; p < a->npops; p++) {
        const char *col = rt_pop_color(c, a->pops[p].tr->name);
        rt_svg_line(&s, x, r + p * nb, nb, col, 1.5, NULL);
        rt_svg_legend(&s, a->pops[p].tr->name, col, NULL);
    }
    free(x);
    free(r);
    return rt_fig_done(c, &s, "rate.svg", "rate", title);
}

/* ---- ISI distribution ------------------------------------------------------------------------ */

static axon_status rt_fig_isi(rt_figctx *c)
{
    const axon_analysis *a = c->a;
    double top_isi = 0;
    for (size_t p = 0; p < a->npops; p++)
        if (isfinite(a->pops[p].sum.isi.mean_isi) && a->pops[p].sum.isi.mean_isi > top_isi)
            top_isi = a->pops[p].sum.isi.mean_isi;
    if (!(top_isi > 0))
        return AXON_OK;
    enum { NB = 80 };
    double xmax = 4 * top_isi, bin = xmax / NB, edges[NB + 1], h[NB], ymax = 0;
    for (int k = 0; k <= NB; k++)
        edges[k] = k * bin;
    double hs[64][NB];
    size_t np = a->npops < 64 ? a->npops : 64;
    for (size_t p = 0; p < np; p++) {
        uint64_t over;
        axon_isi_histogram(a->pops[p].tr, bin, h, NB, &over);
        double total = (double)over;
        for (int k = 0; k < NB; k++)
            total += h[k];
        for (int k = 0; k < NB; k++) {
            hs[p][k] = total > 0 ? h[k] / total : 0;
            if (hs[p][k] > ymax)
                ymax = hs[p][k];
        }
    }
    const char *title = "Inter-spike intervals";
    char sub[400];
    snprintf(sub, sizeof sub, "%s; %.3g ms bins, all neurons pooled", c->sub, bin * 1e3);
    rt_svg s;
    rt_svg_begin(&s, RT_W, RT_H, title, sub);
    rt_svg_axes(&s, 0, xmax, 0, ymax > 0 ? ymax * 1.08 : 1, "interval (ms)",
                "fraction of intervals", 1e-3, 1, 0);
    for (size_t p = 0; p < np; p++) {
        const char *col = rt_pop_color(c, a->pops[p].tr->name);
        /* populations after the first dashed: with like distributions, the later outline
           would hide the earlier one */
        const char *dash = p > 0 ? "6 4" : NULL;
        rt_svg_steps(&s, edges, hs[p], NB, col, np == 1 ? 0.25 : 0.12, dash);
        char lab[96];
        snprintf(lab, sizeof lab, "%s (CV %.2f)", a->pops[p].tr->name, a->pops[p].sum.isi.cv);
        rt_svg_legend(&s, lab, col, dash);
    }
    return rt_fig_done(c, &s, "isi.svg", "isi", title);
}

/* ---- spectrum -------------------------------------------------------------------------------- */

static axon_status rt_fig_spectrum(rt_figctx *c)
{
    const axon_analysis *a = c->a;
    const axon_analysis_opts *o = &a->opts;
    if (!a->npops)
        return AXON_OK;
    size_t nb = axon_nbins(a->pops[0].tr, o->rate_bin);
    double fs = 1 / o->rate_bin;
    axon_welch_opts wo = {.freq_res = o->freq_res};
    size_t nf = axon_welch_nfreq(nb, fs, &wo);
    if (nf < 3)
        return AXON_OK;
    double *r = malloc(nb * sizeof *r), *f = malloc(nf * sizeof *f),
           *ps = malloc(a->npops * nf * sizeof *ps);
    if (!r || !f || !ps) {
        free(r);
        free(f);
        free(ps);
        return axon_err_set(c->err, AXON_ENOMEM, "out of memory");
    }
    double ftop = fs / 2 < 500 ? fs / 2 : 500, lo = INFINITY, hi = 0;
    for (size_t p = 0; p < a->npops; p++) {
        axon_pop_rate(a->pops[p].tr, o->rate_bin, AXON_KERNEL_NONE, 0, r, nb);
        if (axon_welch(r, nb, fs, &wo, f, ps + p * nf, NULL) != AXON_OK)
            memset(ps + p * nf, 0, nf * sizeof *ps);
        for (size_t k = 1; k < nf && f[k] <= ftop; k++)
            if (ps[p * nf + k] > 0) {
                lo = fmin(lo, ps[p * nf + k]);
                hi = fmax(hi, ps[p * nf + k]);
            }
    }
    free(r);
    size_t shown = 0;
    while (shown < nf && f[shown] <= ftop)
        shown++;
    const char *title = "Power spectrum of the population rate";
    char sub[400];
    snprintf(sub, sizeof sub, "%s; Welch, Hann, %.3g Hz resolution", c->sub, o->freq_res);
    rt_svg s;
    rt_svg_begin(&s, RT_W, RT_H, title, sub);
    int logy = hi > 0 && isfinite(lo);
    rt_svg_axes(&s, 0, ftop, logy ? pow(10, floor(log10(lo))) : 0,
                logy ? pow(10, ceil(log10(hi))) : 1, "frequency (Hz)", "power (Hz²/Hz)", 1, 1,
                logy);
    for (size_t p = 0; p < a->npops; p++) {
        const char *col = rt_pop_color(c, a->pops[p].tr->name);
        rt_svg_line(&s, f + 1, ps + p * nf + 1, shown - 1, col, 1.5, NULL);
        char lab[96];
        if (isfinite(a->pops[p].sum.peak_freq))
            snprintf(lab, sizeof lab, "%s (peak %.1f Hz)", a->pops[p].tr->name,
                     a->pops[p].sum.peak_freq);
        else
            snprintf(lab, sizeof lab, "%s", a->pops[p].tr->name);
        rt_svg_legend(&s, lab, col, NULL);
    }
    free(f);
    free(ps);
    return rt_fig_done(c, &s, "spectrum.svg", "spectrum", title);
}

/* ---- state traces ---------------------------------------------------------------------------- */

/* Whether an axis in unit u (axon_unit_pretty's) takes an SI prefix chosen from the data: a
 * unit of one symbol (mV, nS, pA, ms; not mV/ms, not a dimensionless value) */
static int rt_prefixable(const char *u)
{
    return *u &&
           strspn(u, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\u03a9") == strlen(u);
}

static axon_status rt_fig_traces(rt_figctx *c, const rt_series *d, size_t idx)
{
    const axon_rec_series *s = d->s;
    if (d->n < 2)
        return AXON_OK;
    size_t nc = s->ncols < RT_TRACES ? s->ncols : RT_TRACES;
    const char *unit = axon_unit_pretty(s->unit), *pre = "";
    double scale = 1, lo = INFINITY, hi = -INFINITY;
    for (size_t t = 0; t < d->n; t++)
        for (size_t j = 0; j < nc; j++) {
            double v = s->values[(d->first + t) * s->ncols + j];
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
    int named = rt_prefixable(unit);
    if (named)
        scale = rt_si_prefix(fmax(fabs(lo), fabs(hi)), &pre);
    double pad = hi > lo ? 0.06 * (hi - lo) : fabs(hi) * 0.1 + 1e-12;
    char title[160], ylab[160], file[200], safe[120];
    snprintf(title, sizeof title, "%s.%s", s->owner, s->var ? s->var : "rate");
    if (*unit)
        snprintf(ylab, sizeof ylab, "%s (%s%s)", s->var ? s->var : "rate", named ? pre : "", unit);
    else
        snprintf(ylab, sizeof ylab, "%s", s->var ? s->var : "value");
    rt_safe(safe, sizeof safe, title);
    snprintf(file, sizeof file, "trace_%zu_%s.svg", idx, safe);
    char sub[400];
    if (s->kind == AXON_SERIES_RATE) {
        snprintf(title, sizeof title, "%s: population rate (record)", s->owner);
        snprintf(sub, sizeof sub, "%s; spikes of the last %g ms per neuron, every %g ms", c->sub,
                 s->period * 1e3, s->period * 1e3);
    } else {
        snprintf(sub, sizeof sub, "%s; sampled every %g ms, %zu of %zu recorded", c->sub,
                 s->period * 1e3, nc, s->ncols);
    }
    rt_svg g;
    rt_svg_begin(&g, RT_W, RT_H, title, sub);
    rt_svg_axes(&g, c->a->t0, c->a->t1, lo - pad, hi + pad, c->tlabel, ylab, c->tscale, scale, 0);
    double *y = malloc(d->n * sizeof *y);
    if (!y) {
        rt_svg_end(&g, "/dev/null", NULL);
        return axon_err_set(c->err, AXON_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < nc; j++) {
        for (size_t t = 0; t < d->n; t++)
            y[t] = s->values[(d->first + t) * s->ncols + j];
        const char *col = RT_COLORS[j % RT_NCOLORS];
        rt_svg_line(&g, s->times + d->first, y, d->n, col, 1.2, NULL);
        char lab[64];
        snprintf(lab, sizeof lab, "%s %u", s->kind == AXON_SERIES_WEIGHTS ? "synapse" : "neuron",
                 s->subset ? s->subset[j] : (unsigned)j);
        if (s->kind != AXON_SERIES_RATE)
            rt_svg_legend(&g, lab, col, NULL);
    }
    free(y);
    return rt_fig_done(c, &g, file, "trace", title);
}

/* ---- weights --------------------------------------------------------------------------------- */

static int rt_cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static axon_status rt_fig_weights(rt_figctx *c, const rt_series *d, size_t idx)
{
    const axon_rec_series *s = d->s;
    if (d->n < 1 || s->ncols < 1)
        return AXON_OK;
    const char *unit = axon_unit_pretty(s->unit), *pre = "";
    int named = rt_prefixable(unit);
    double lo = fmin(d->w_first.min, d->w_last.min), hi = fmax(d->w_first.max, d->w_last.max);
    double scale = named ? rt_si_prefix(fmax(fabs(lo), fabs(hi)), &pre) : 1;
    char xlab[160], title[160], file[200], safe[120], sub[400];
    snprintf(xlab, sizeof xlab, *unit ? "%s (%s%s)" : "%s", s->var, named ? pre : "", unit);
    snprintf(safe, sizeof safe, "%s.%s", s->owner, s->var);
    rt_safe(safe, sizeof safe, safe);
    axon_status st = AXON_OK;
    /* the histogram of the first and last samples */
    enum { NB = 40 };
    if (!(hi > lo)) {
        lo -= 0.5 * fabs(lo) + 1e-12;
        hi += 0.5 * fabs(hi) + 1e-12;
    }
    double edges[NB + 1], h0[NB], h1[NB], ymax = 0;
    for (int k = 0; k <= NB; k++)
        edges[k] = lo + (hi - lo) * k / NB;
    const double *first = s->values + d->first * s->ncols,
                 *last = s->values + (d->first + d->n - 1) * s->ncols;
    axon_histogram(first, s->ncols, lo, hi, h0, NB);
    axon_histogram(last, s->ncols, lo, hi, h1, NB);
    for (int k = 0; k < NB; k++)
        ymax = fmax(ymax, fmax(h0[k], h1[k]));
    snprintf(title, sizeof title, "%s.%s: weight distribution", s->owner, s->var);
    snprintf(sub, sizeof sub, "%s; %zu recorded synapses", c->sub, s->ncols);
    snprintf(file, sizeof file, "weights_%zu_%s_hist.svg", idx, safe);
    rt_svg g;
    rt_svg_begin(&g, RT_W, RT_H, title, sub);
    rt_svg_axes(&g, lo, hi, 0, ymax > 0 ? ymax * 1.08 : 1, xlab, "synapses", scale, 1, 0);
    char lab[96];
    rt_svg_steps(&g, edges, h1, NB, RT_COLORS[0], 0.3, NULL);
    snprintf(lab, sizeof lab, "t = %.4g s", s->times[d->first + d->n - 1]);
    rt_svg_legend(&g, lab, RT_COLORS[0], NULL);
    if (d->n > 1) {
        rt_svg_steps(&g, edges, h0, NB, RT_COLORS[1], 0, NULL);
        snprintf(lab, sizeof lab, "t = %.4g s", s->times[d->first]);
        rt_svg_legend(&g, lab, RT_COLORS[1], NULL);
    }
    st = rt_fig_done(c, &g, file, "weights_hist", title);
    if (st != AXON_OK || d->n < 2)
        return st;
    /* over time: the median with the 5-95% band, and a few synapses */
    double *q05 = malloc(d->n * sizeof *q05), *q50 = malloc(d->n * sizeof *q50),
           *q95 = malloc(d->n * sizeof *q95), *row = malloc(s->ncols * sizeof *row),
           *y = malloc(d->n * sizeof *y);
    if (!q05 || !q50 || !q95 || !row || !y) {
        free(q05);
        free(q50);
        free(q95);
        free(row);
        free(y);
        return axon_err_set(c->err, AXON_ENOMEM, "out of memory");
    }
    for (size_t t = 0; t < d->n; t++) {
        memcpy(row, s->values + (d->first + t) * s->ncols, s->ncols * sizeof *row);
        qsort(row, s->ncols, sizeof *row, rt_cmp_d);
        q05[t] = row[(size_t)(0.05 * (s->ncols - 1) + 0.5)];
        q50[t] = row[(size_t)(0.50 * (s->ncols - 1) + 0.5)];
        q95[t] = row[(size_t)(0.95 * (s->ncols - 1) + 0.5)];
    }
    snprintf(title, sizeof title, "%s.%s over time", s->owner, s->var);
    snprintf(file, sizeof file, "weights_%zu_%s_time.svg", idx, safe);
    rt_svg_begin(&g, RT_W, RT_H, title, sub);
    double pad = 0.05 * (hi - lo);
    rt_svg_axes(&g, c->a->t0, c->a->t1, lo - pad, hi + pad, c->tlabel, xlab, c->tscale, scale, 0);
    rt_svg_band(&g, s->times + d->first, q05, q95, d->n, RT_COLORS[0], 0.18);
    size_t few = s->ncols < 5 ? s->ncols : 5;
    for (size_t j = 0; j < few; j++) {
        for (size_t t = 0; t < d->n; t++)
            y[t] = s->values[(d->first + t) * s->ncols + j];
        rt_svg_line(&g, s->times + d->first, y, d->n, "#999999", 0.8, NULL);
    }
    rt_svg_line(&g, s->times + d->first, q50, d->n, RT_COLORS[0], 2, NULL);
    rt_svg_legend(&g, "median", RT_COLORS[0], NULL);
    rt_svg_legend(&g, "5-95% of synapses", "#b3d4ea", NULL);
    rt_svg_legend(&g, "single synapses", "#999999", NULL);
    free(q05);
    free(q50);
    free(q95);
    free(row);
    free(y);
    return rt_fig_done(c, &g, file, "weights_time", title);
}

/* ---- Kuramoto -------------------------------------------------------------------------------- */

static axon_status rt_fig_kuramoto(rt_figctx *c)
{
    const axon_analysis *a = c->a;
    int phases = 0;
    for (size_t k = 0; k < a->nseries; k++)
        phases |= rt_is_phase(a->series[k].s) && a->series[k].n > 1;
    if (!phases && !a->npops)
        return AXON_OK;
    enum { NT = 500 };
    double t[NT], R[NT];
    for (int k = 0; k < NT; k++)
        t[k] = a->t0 + (a->t1 - a->t0) * (k + 0.5) / NT;
    /* from spikes alone, R is defined only where most neurons are between two of their spikes:
       where it is nowhere (sparse or short activity), there is no figure to draw */
    bool any = phases;
    for (size_t p = 0; !any && p < a->npops; p++) {
        axon_kuramoto_spikes(a->pops[p].tr, t, NT, R);
        for (int k = 0; k < NT && !any; k++)
            any = !isnan(R[k]);
    }
    if (!any)
        return AXON_OK;
    const char *title = "Kuramoto order parameter";
    char sub[400];
    snprintf(sub, sizeof sub, "%s; %s", c->sub,
             phases ? "R = |mean exp(iθ)| of the recorded phases"
                    : "phases from spike times, linear between spikes");
    rt_svg g;
    rt_svg_begin(&g, RT_W, RT_H, title, sub);
    rt_svg_axes(&g, a->t0, a->t1, 0, 1.05, c->tlabel, "R", c->tscale, 1, 0);
    for (size_t k = 0; k < a->nseries; k++) {
        const rt_series *d = &a->series[k];
        if (!rt_is_phase(d->s) || d->n < 2)
            continue;
        double *r = malloc(d->n * sizeof *r);
        if (!r) {
            rt_svg_end(&g, "/dev/null", NULL);
            return axon_err_set(c->err, AXON_ENOMEM, "out of memory");
        }
        axon_kuramoto(d->s->values + d->first * d->s->ncols, d->n, d->s->ncols, r);
        const char *col = rt_pop_color(c, d->s->owner);
        rt_svg_line(&g, d->s->times + d->first, r, d->n, col, 1.8, NULL);
        char lab[96];
        snprintf(lab, sizeof lab, "%s.%s", d->s->owner, d->s->var);
        rt_svg_legend(&g, lab, col, NULL);
        free(r);
    }
    int gaps = 0;
    for (size_t p = 0; !phases && p < a->npops; p++) {
        axon_kuramoto_spikes(a->pops[p].tr, t, NT, R);
        for (int k = 0; k < NT; k++)
            gaps |= isnan(R[k]);
        const char *col = rt_pop_color(c, a->pops[p].tr->name);
        rt_svg_line(&g, t, R, NT, col, 1.5, NULL);
        rt_svg_legend(&g, a->pops[p].tr->name, col, NULL);
    }
    /* spike phases are undefined before a neuron's first spike and after its last: where too
     * few neurons have one, R is left out (axon_kuramoto_spikes), and the blank needs a word */
    if (gaps)
        rt_svg_note(&g, "no R where under 90% of the neurons are between two of their spikes");
    return rt_fig_done(c, &g, "kuramoto.svg", "kuramoto", title);
}

/* ---- cross-correlograms ------------------------------------------------------------------- */

static axon_status rt_fig_cch(rt_figctx *c)
{
    const axon_analysis *a = c->a;
    enum { L = 2 * RT_CCH_LAGS + 1 };
    double top = 0, low = INFINITY, edges[L + 1];
    for (int k = 0; k <= L; k++)
        edges[k] = (k - RT_CCH_LAGS - 0.5) * RT_CCH_BIN;
    for (size_t p = 0; p < a->npops; p++)
        for (int k = 0; k < L; k++) {
            top = fmax(top, a->pops[p].cch[k]);
            low = fmin(low, a->pops[p].cch[k]);
        }
    if (!(top > 0))
        return AXON_OK;
    /* the chance level is rate x bin: what matters is the departure from it, not the zero */
    double pad = 0.1 * (top - low) + 1e-12;
    const char *title = "Cross-correlograms";
    char sub[400];
    snprintf(sub, sizeof sub, "%s; mean over up to %u sampled pairs, %g ms bins", c->sub,
             a->opts.pairs, RT_CCH_BIN * 1e3);
    rt_svg g;
    rt_svg_begin(&g, RT_W, RT_H, title, sub);
    rt_svg_axes(&g, edges[0], edges[L], low - pad > 0 ? low - pad : 0, top + pad,
                "lag (ms): the second neuron after the first", "coincidences per spike", 1e-3, 1,
                0);
    /* outlines only: the y axis starts near the lowest value, not at 0, and an area down to
       it would make small differences look large; later populations dashed (see isi) */
    for (size_t p = 0; p < a->npops; p++) {
        const char *col = rt_pop_color(c, a->pops[p].tr->name);
        const char *dash = p > 0 ? "6 4" : NULL;
        rt_svg_steps(&g, edges, a->pops[p].cch, L, col, 0, dash);
        rt_svg_legend(&g, a->pops[p].tr->name, col, dash);
    }
    return rt_fig_done(c, &g, "cch.svg", "cch", title);
}

/* ---- avalanches ----------------------------------------------------------------------------- */

/* The distributions of sizes and durations on log-log axes: per bin [2^k, 2^(k+1)) the
 * probability per unit (count / (avalanches x the bin's width)), at the bin's geometric
 * centre. */
static axon_status rt_fig_avalanches(rt_figctx *c)
{
    const axon_analysis *a = c->a;
    double ymin = INFINITY, ymax = 0, xmax = 1;
    for (size_t p = 0; p < a->npops; p++) {
        const rt_popan *q = &a->pops[p];
        double m = (double)q->sum.avalanches.count;
        for (int k = 0; k < q->nhsize || k < q->nhdur; k++) {
            const uint64_t *h[2] = {q->hsize, q->hdur};
            for (int w = 0; w < 2; w++)
                if (h[w][k]) {
                    double y = (double)h[w][k] / (m * (double)(1ULL << k));
                    ymin = fmin(ymin, y);
                    ymax = fmax(ymax, y);
                    xmax = fmax(xmax, (double)(2ULL << k));
                }
        }
    }
    if (!(ymax > 0))
        return AXON_OK;
    const char *title = "Avalanche sizes and durations";
    char sub[400];
    snprintf(sub, sizeof sub, "%s; bins of the pooled mean interval, log-binned", c->sub);
    rt_svg g;
    rt_svg_begin(&g, RT_W, RT_H, title, sub);
    rt_svg_axes(&g, 1, pow(10, ceil(log10(xmax))), pow(10, floor(log10(ymin))),
                pow(10, ceil(log10(ymax))), "size (spikes), duration (bins)", "probability", 1, 1,
                RT_LOGX | RT_LOGY);
    for (size_t p = 0; p < a->npops; p++) {
        const rt_popan *q = &a->pops[p];
        const char *col = rt_pop_color(c, q->tr->name);
        double m = (double)q->sum.avalanches.count, x[RT_LOGBINS], y[RT_LOGBINS];
        const uint64_t *h[2] = {q->hsize, q->hdur};
        const int nh[2] = {q->nhsize, q->nhdur};
        for (int w = 0; w < 2; w++) {
            int n = 0;
            for (int k = 0; k < nh[w]; k++)
                if (h[w][k]) {
                    x[n] = sqrt((double)(1ULL << k) * (double)((2ULL << k) - 1));
                    y[n++] = (double)h[w][k] / (m * (double)(1ULL << k));
                }
            rt_svg_line(&g, x, y, (size_t)n, col, 1.8, w ? "5 4" : NULL);
            char lab[96];
            if (w)
                snprintf(lab, sizeof lab, "%s durations (%.2f)", q->tr->name,
                         q->sum.avalanches.tau_t);
            else
                snprintf(lab, sizeof lab, "%s sizes (%.2f)", q->tr->name, q->sum.avalanches.alpha);
            rt_svg_legend(&g, lab, col, w ? "5 4" : NULL);
        }
    }
    rt_svg_note(&g, "in brackets: the power-law exponents (maximum likelihood)");
    return rt_fig_done(c, &g, "avalanches.svg", "avalanches", title);
}

/* ---- all of them ----------------------------------------------------------------------------- */

static void rt_figctx_init(rt_figctx *c, const axon_analysis *a, const char *dir,
                           rt_figlist *figs, axon_err *err)
{
    *c = (rt_figctx){a, dir, figs, err, NULL, 1, "time (s)", ""};
    if (a->t1 <= 2) {
        c->tscale = 1e-3;
        c->tlabel = "time (ms)";
    }
    snprintf(c->sub, sizeof c->sub, "%s, %g s to %g s", a->info->model ? a->info->model : "",
             a->t0, a->t1);
}

axon_status rt_figures_write(const axon_analysis *a, const char *dir, rt_figlist *figs,
                             axon_err *err)
{
    rt_figctx c;
    rt_figctx_init(&c, a, dir, figs, err);
    double span = a->t1 - a->t0;
    axon_status st = AXON_OK;
    if (a->npops) {
        st = rt_fig_raster(&c, a->t0, a->t1, "raster.svg", "Spike raster", 0);
        if (st == AXON_OK && span > 2) {
            double z0 = a->t1 - 1 > a->t0 ? a->t1 - 1 : a->t0;
            st = rt_fig_raster(&c, z0, a->t1, "raster_zoom.svg", "Spike raster, last second", 1);
        }
        if (st == AXON_OK)
            st = rt_fig_rate(&c);
        if (st == AXON_OK)
            st = rt_fig_isi(&c);
        if (st == AXON_OK)
            st = rt_fig_spectrum(&c);
    }
    for (size_t k = 0; k < a->nseries && st == AXON_OK; k++) {
        const rt_series *d = &a->series[k];
        if (d->s->kind == AXON_SERIES_WEIGHTS)
            st = rt_fig_weights(&c, d, k);
        else if (!rt_is_phase(d->s))
            st = rt_fig_traces(&c, d, k);
    }
    if (st == AXON_OK)
        st = rt_fig_kuramoto(&c);
    if (st == AXON_OK && a->npops)
        st = rt_fig_cch(&c);
    if (st == AXON_OK && a->npops)
        st = rt_fig_avalanches(&c);
    return st;
}

/* ---- one of them ----------------------------------------------------------------------------- */

static const char *const RT_FIGURE_KINDS[] = {"raster", "rate",       "isi", "spectrum",
                                              "cch",    "avalanches", NULL};

const char *axon_figure_kind(size_t k)
{
    return k < sizeof RT_FIGURE_KINDS / sizeof *RT_FIGURE_KINDS ? RT_FIGURE_KINDS[k] : NULL;
}

axon_status axon_analysis_figure(const axon_analysis *a, const char *kind, const char *pop,
                                 const char *path, axon_err *err)
{
    if (!a || !kind || !path || !*path)
        return axon_err_set(err, AXON_EINVAL, "axon_analysis_figure: NULL argument");
    size_t k = 0;
    while (RT_FIGURE_KINDS[k] && strcmp(RT_FIGURE_KINDS[k], kind))
        k++;
    if (!RT_FIGURE_KINDS[k])
        return axon_err_set(err, AXON_EINVAL,
                            "no figure kind '%s' (raster, rate, isi, spectrum, cch, avalanches)",
                            kind);
    axon_analysis one;
    if (pop) {
        size_t p = 0;
        while (p < a->npops && strcmp(a->pops[p].tr->name, pop))
            p++;
        if (p == a->npops)
            return axon_err_set(err, AXON_EINVAL,
                                "no spike record of a population '%s' in this recording", pop);
        one = *a;
        one.pops = &a->pops[p];
        one.npops = 1;
        a = &one;
    }
    if (!a->npops)
        return axon_err_set(err, AXON_EINVAL, "no spike record to draw a %s from", kind);
    rt_figlist figs = {0};
    rt_figctx c;
    rt_figctx_init(&c, a, NULL, &figs, err);
    c.path = path;
    axon_status st;
    if (!strcmp(kind, "raster"))
        st = rt_fig_raster(&c, a->t0, a->t1, NULL, "Spike raster", 0);
    else if (!strcmp(kind, "rate"))
        st = rt_fig_rate(&c);
    else if (!strcmp(kind, "isi"))
        st = rt_fig_isi(&c);
    else if (!strcmp(kind, "spectrum"))
        st = rt_fig_spectrum(&c);
    else if (!strcmp(kind, "cch"))
        st = rt_fig_cch(&c);
    else
        st = rt_fig_avalanches(&c);
    if (st == AXON_OK && !figs.n)
        st = axon_err_set(err, AXON_EINVAL,
                          "nothing to draw: the window (%g s to %g s) has too few spikes or bins "
                          "for the %s figure",
                          a->t0, a->t1, kind);
    rt_figlist_free(&figs);
    return st;
}
