/*
 * Writing an analysis: analysis.json (every number, the options used, the figures), the
 * figures (figures.c) and index.html, a page that needs nothing but a browser: the figures are
 * linked SVG files next to it, the styles inline.
 *
 * Each file is written atomically (afile.h); index.html goes last, so a page that exists
 * refers to figures that exist.
 */
#define _POSIX_C_SOURCE 200809L

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "axon/io.h"
#include "figures.h"
#include "json.h"
#include "report.h"

/* One look for the page: the figures' palette and fonts, readable tables, figures in a grid
 * that reflows on narrow screens. */
#define RT_REPORT_CSS                                                                              \
    "body{margin:0;font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;color:#222;"               \
    "background:#f6f6f4}\n"                                                                        \
    "header{background:#0072B2;color:#fff;padding:18px 32px}\n"                                    \
    "header h1{margin:0;font-size:24px}.sub{margin:6px 0 0;opacity:.9}\n"                          \
    "header code{color:#fff}\nmain{padding:8px 32px 40px;max-width:1560px}\n"                      \
    "section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px 20px 16px;"       \
    "margin:18px 0}\nh2{font-size:18px;color:#0072B2;border-bottom:1px solid #eee;"                \
    "padding-bottom:6px}\n"                                                                        \
    "table{border-collapse:collapse;margin:8px 0}\nth,td{padding:4px 12px;text-align:left;"        \
    "border-bottom:1px solid #eee}\n.kv th{color:#555;font-weight:normal}\n"                       \
    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"                                   \
    ".grid th{background:#fafafa}\n.note{color:#666;font-size:13px}\n"                             \
    ".figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(560px,1fr));gap:16px}\n"     \
    "figure{margin:0}figure img{width:100%;height:auto;border:1px solid #eee}\n"                   \
    "figcaption{color:#555;font-size:13px;margin-top:4px}\n"                                       \
    "pre{background:#fafafa;border:1px solid #eee;padding:10px;overflow:auto;font-size:13px}\n"    \
    "summary{cursor:pointer;color:#0072B2;margin:8px 0}\n"

/* ---- analysis.json ----------------------------------------------------------------------- */

static void rt_key_num(rt_sbuf *b, const char *key, double v, int first)
{
    rt_sb_puts(b, first ? "" : ", ");
    rt_sb_json_str(b, key);
    rt_sb_puts(b, ": ");
    rt_sb_num(b, v);
}

static void rt_json_indices(rt_sbuf *b, const char *key, const uint32_t *x, uint32_t n)
{
    rt_sb_puts(b, ", ");
    rt_sb_json_str(b, key);
    rt_sb_puts(b, ": [");
    for (uint32_t k = 0; k < n; k++)
        rt_sb_printf(b, k ? ", %u" : "%u", x[k]);
    rt_sb_puts(b, "]");
}

/* A histogram over bins [2^k, 2^(k+1)): their lower edges and counts. */
static void rt_json_hist(rt_sbuf *b, const char *key, const uint64_t *h, int n)
{
    rt_sb_puts(b, ", ");
    rt_sb_json_str(b, key);
    rt_sb_puts(b, ": {\"edges\": [");
    for (int k = 0; k < n; k++)
        rt_sb_printf(b, k ? ", %llu" : "%llu", 1ULL << k);
    rt_sb_puts(b, "], \"counts\": [");
    for (int k = 0; k < n; k++)
        rt_sb_printf(b, k ? ", %llu" : "%llu", (unsigned long long)h[k]);
    rt_sb_puts(b, "]}");
}

static void rt_json_pop(rt_sbuf *b, const rt_popan *p)
{
    const axon_pop_summary *s = &p->sum;
    rt_sb_puts(b, "    {\"name\": ");
    rt_sb_json_str(b, p->tr->name);
    rt_sb_puts(b, ", ");
    rt_key_num(b, "neurons", s->neurons, 1);
    rt_key_num(b, "spikes", (double)s->spikes, 0);
    rt_key_num(b, "duration", s->duration, 0);
    rt_key_num(b, "rate", s->rate, 0);
    rt_key_num(b, "rate_std", s->rate_std, 0);
    rt_sb_puts(b, ",\n      \"isi\": {");
    rt_key_num(b, "neurons", s->isi.neurons, 1);
    rt_key_num(b, "cv", s->isi.cv, 0);
    rt_key_num(b, "cv2", s->isi.cv2, 0);
    rt_key_num(b, "lv", s->isi.lv, 0);
    rt_key_num(b, "lvr", s->isi.lvr, 0);
    rt_key_num(b, "mean", s->isi.mean_isi, 0);
    rt_sb_puts(b, "},\n      \"fano\": {");
    rt_key_num(b, "neuron", s->fano.neuron, 1);
    rt_key_num(b, "population", s->fano.population, 0);
    rt_sb_puts(b, "},\n      \"count_correlation\": {");
    rt_key_num(b, "mean", s->corr.mean, 1);
    rt_key_num(b, "std", s->corr.std, 0);
    rt_key_num(b, "pairs", s->corr.pairs, 0);
    rt_sb_puts(b, "},\n      \"sttc\": {");
    rt_key_num(b, "mean", s->sttc.mean, 1);
    rt_key_num(b, "std", s->sttc.std, 0);
    rt_key_num(b, "pairs", s->sttc.pairs, 0);
    rt_sb_puts(b, "},\n      \"cch\": {");
    rt_key_num(b, "bin", RT_CCH_BIN, 1);
    rt_key_num(b, "max_lag", RT_CCH_LAGS, 0);
    rt_sb_puts(b, ", \"mean\": [");
    for (int k = 0; k <= 2 * RT_CCH_LAGS; k++) {
        rt_sb_puts(b, k ? ", " : "");
        rt_sb_num(b, p->cch[k]);
    }
    rt_sb_puts(b, "]},\n      ");
    rt_key_num(b, "chi", s->chi, 1);
    rt_key_num(b, "kuramoto", s->kuramoto, 0);
    rt_key_num(b, "lempel_ziv", s->lz, 0);
    rt_sb_puts(b, ",\n      \"spectrum\": {");
    rt_key_num(b, "peak_frequency", s->peak_freq, 1);
    rt_key_num(b, "peak_power", s->peak_power, 0);
    rt_sb_puts(b, "},\n      \"health\": {");
    rt_key_num(b, "active_fraction", s->health.active_fraction, 1);
    rt_key_num(b, "hoyer", s->health.hoyer, 0);
    rt_key_num(b, "dead", s->health.dead, 0);
    rt_key_num(b, "hyperactive", s->health.hyperactive, 0);
    rt_json_indices(b, "dead_neurons", p->dead, s->health.dead);
    rt_json_indices(b, "hyperactive_neurons", p->hyper, s->health.hyperactive);
    rt_sb_puts(b, "},\n      \"avalanches\": {");
    const axon_avalanche_summary *v = &s->avalanches;
    rt_key_num(b, "count", (double)v->count, 1);
    rt_key_num(b, "bin", v->bin, 0);
    rt_key_num(b, "mean_size", v->mean_size, 0);
    rt_key_num(b, "mean_duration", v->mean_duration, 0);
    rt_key_num(b, "max_size", (double)v->max_size, 0);
    rt_key_num(b, "max_duration", (double)v->max_duration, 0);
    rt_key_num(b, "size_exponent", v->alpha, 0);
    rt_key_num(b, "duration_exponent", v->tau_t, 0);
    rt_json_hist(b, "size_histogram", p->hsize, p->nhsize);
    rt_json_hist(b, "duration_histogram", p->hdur, p->nhdur);
    rt_sb_puts(b, "}}");
}

static void rt_json_weights(rt_sbuf *b, const char *key, const axon_weight_stats *w)
{
    rt_sb_puts(b, ", ");
    rt_sb_json_str(b, key);
    rt_sb_puts(b, ": {");
    rt_key_num(b, "mean", w->mean, 1);
    rt_key_num(b, "std", w->std, 0);
    rt_key_num(b, "min", w->min, 0);
    rt_key_num(b, "max", w->max, 0);
    rt_key_num(b, "q05", w->q05, 0);
    rt_key_num(b, "q25", w->q25, 0);
    rt_key_num(b, "q50", w->q50, 0);
    rt_key_num(b, "q75", w->q75, 0);
    rt_key_num(b, "q95", w->q95, 0);
    rt_key_num(b, "near_low", w->near_lo, 0);
    rt_key_num(b, "near_high", w->near_hi, 0);
    rt_sb_puts(b, "}");
}

static void rt_json_series(rt_sbuf *b, const rt_series *d)
{
    static const char *const KIND[] = {"state", "rate", "weights"};
    const axon_rec_series *s = d->s;
    rt_sb_puts(b, "    {\"file\": ");
    rt_sb_json_str(b, s->file);
    rt_sb_puts(b, ", \"kind\": ");
    rt_sb_json_str(b, KIND[s->kind]);
    rt_sb_puts(b, s->kind == AXON_SERIES_WEIGHTS ? ", \"projection\": " : ", \"population\": ");
    rt_sb_json_str(b, s->owner);
    rt_sb_puts(b, ", \"variable\": ");
    rt_sb_json_str(b, s->var);
    rt_sb_puts(b, ", \"unit\": ");
    rt_sb_json_str(b, s->unit);
    rt_sb_puts(b, ", ");
    rt_key_num(b, "samples", (double)d->n, 1);
    rt_key_num(b, "columns", (double)s->ncols, 0);
    rt_key_num(b, "mean", d->mean, 0);
    rt_key_num(b, "std", d->std, 0);
    rt_key_num(b, "min", d->min, 0);
    rt_key_num(b, "max", d->max, 0);
    if (!isnan(d->chi))
        rt_key_num(b, "chi", d->chi, 0);
    if (rt_is_phase(s)) {
        rt_key_num(b, "kuramoto_mean", d->kuramoto, 0);
        rt_key_num(b, "kuramoto_last", d->kuramoto_last, 0);
    }
    if (s->kind == AXON_SERIES_WEIGHTS && d->n) {
        rt_json_weights(b, "first", &d->w_first);
        rt_json_weights(b, "last", &d->w_last);
    }
    if (d->graded) {
        rt_sb_puts(b, ", \"health\": {");
        rt_key_num(b, "active_fraction", d->health.active_fraction, 1);
        rt_key_num(b, "hoyer", d->health.hoyer, 0);
        rt_key_num(b, "dead", d->health.dead, 0);
        rt_key_num(b, "always_active", d->health.hyperactive, 0);
        rt_json_indices(b, "dead_neurons", d->dead, d->health.dead);
        rt_json_indices(b, "always_active_neurons", d->always, d->health.hyperactive);
        rt_sb_puts(b, "}");
    }
    rt_sb_puts(b, "}");
}

static void rt_json_options(rt_sbuf *b, const axon_analysis_opts *o)
{
    rt_sb_puts(b, "  \"options\": {");
    rt_key_num(b, "rate_bin", o->rate_bin, 1);
    rt_key_num(b, "smooth", o->smooth, 0);
    rt_key_num(b, "count_bin", o->count_bin, 0);
    rt_key_num(b, "lvr_R", o->lvr_R, 0);
    rt_key_num(b, "sttc_dt", o->sttc_dt, 0);
    rt_key_num(b, "chi_tau", o->chi_tau, 0);
    rt_key_num(b, "lz_bin", o->lz_bin, 0);
    rt_key_num(b, "lz_neurons", o->lz_neurons, 0);
    rt_key_num(b, "lz_maxbins", (double)o->lz_maxbins, 0);
    rt_key_num(b, "pairs", o->pairs, 0);
    rt_key_num(b, "max_rate", o->max_rate, 0);
    rt_key_num(b, "freq_res", o->freq_res, 0);
    rt_key_num(b, "seed", (double)o->seed, 0);
    rt_sb_puts(b, "},\n");
}

static void rt_analysis_json(rt_sbuf *b, const axon_analysis *a, const rt_figlist *figs)
{
    const axon_rec_info *in = a->info;
    rt_sb_puts(b, "{\n  \"format\": \"axon-analysis\",\n  \"version\": 1,\n  \"recording\": {");
    rt_sb_puts(b, "\"dir\": ");
    rt_sb_json_str(b, in->dir);
    rt_sb_puts(b, ", \"model\": ");
    rt_sb_json_str(b, in->model);
    rt_key_num(b, "dt", in->dt, 0);
    rt_key_num(b, "duration", in->duration, 0);
    rt_key_num(b, "seed", (double)in->seed, 0);
    rt_sb_puts(b, ", \"axon_version\": ");
    rt_sb_json_str(b, in->axon_version);
    static const char *const META[] = {"command", "source", "source_sha256"};
    for (int k = 0; k < 3; k++) {
        rt_sb_puts(b, ", ");
        rt_sb_json_str(b, META[k]);
        rt_sb_puts(b, ": ");
        rt_sb_json_str(b, axon_recording_meta(a->rec, META[k]));
    }
    rt_sb_puts(b, "},\n  \"analyzed_by\": ");
    rt_sb_json_str(b, PACKAGE_VERSION);
    rt_sb_printf(b, ",\n  \"window\": [");
    rt_sb_num(b, a->t0);
    rt_sb_puts(b, ", ");
    rt_sb_num(b, a->t1);
    rt_sb_puts(b, "],\n");
    rt_json_options(b, &a->opts);
    rt_sb_puts(b, "  \"populations\": [");
    for (size_t k = 0; k < a->npops; k++) {
        rt_sb_puts(b, k ? ",\n" : "\n");
        rt_json_pop(b, &a->pops[k]);
    }
    rt_sb_puts(b, a->npops ? "\n  ],\n  \"series\": [" : "],\n  \"series\": [");
    for (size_t k = 0; k < a->nseries; k++) {
        rt_sb_puts(b, k ? ",\n" : "\n");
        rt_json_series(b, &a->series[k]);
    }
    rt_sb_puts(b, a->nseries ? "\n  ],\n  \"figures\": [" : "],\n  \"figures\": [");
    for (size_t k = 0; figs && k < figs->n; k++) {
        rt_sb_puts(b, k ? ",\n    {\"file\": " : "\n    {\"file\": ");
        rt_sb_json_str(b, figs->v[k].file);
        rt_sb_puts(b, ", \"kind\": ");
        rt_sb_json_str(b, figs->v[k].kind);
        rt_sb_puts(b, ", \"title\": ");
        rt_sb_json_str(b, figs->v[k].title);
        rt_sb_puts(b, "}");
    }
    rt_sb_puts(b, figs && figs->n ? "\n  ]\n}\n" : "]\n}\n");
}

/* ---- index.html ------------------------------------------------------------------------------ */

static void rt_html_row(rt_sbuf *b, const char *k, const char *v)
{
    rt_sb_puts(b, "<tr><th>");
    rt_sb_xml(b, k);
    rt_sb_puts(b, "</th><td>");
    rt_sb_xml(b, v ? v : "—");
    rt_sb_puts(b, "</td></tr>\n");
}

/*
 * The model's source, when the file the manifest names is still there with the recorded
 * SHA-256: a report that shows a source must show the one that ran, so an edited file is only
 * mentioned.
 */
static void rt_html_source(rt_sbuf *b, const axon_analysis *a)
{
    const char *path = axon_recording_meta(a->rec, "source");
    const char *want = axon_recording_meta(a->rec, "source_sha256");
    if (!path || !want)
        return;
    char hex[65];
    if (axon_sha256_file(path, hex, NULL) != AXON_OK) {
        rt_sb_puts(b, "<p class=\"note\">The model's source (");
        rt_sb_xml(b, path);
        rt_sb_puts(b, ") is not readable from here.</p>\n");
        return;
    }
    if (strcmp(hex, want)) {
        rt_sb_puts(b, "<p class=\"note\">");
        rt_sb_xml(b, path);
        rt_sb_puts(b, " has changed since the run (its SHA-256 differs): not shown.</p>\n");
        return;
    }
    FILE *fp = axon_file_open_read(path);
    char *text = malloc(1 << 20);
    size_t n = fp && text ? fread(text, 1, (1 << 20) - 1, fp) : 0;
    if (fp)
        fclose(fp);
    if (text) {
        text[n] = '\0';
        rt_sb_puts(b, "<details><summary>Model source: <code>");
        rt_sb_xml(b, path);
        rt_sb_puts(b, "</code> (as run: same SHA-256)</summary>\n<pre>");
        rt_sb_xml(b, text);
        rt_sb_puts(b, "</pre></details>\n");
    }
    free(text);
}

static void rt_html(rt_sbuf *b, const axon_analysis *a, const rt_figlist *figs)
{
    const axon_rec_info *in = a->info;
    const char *model = in->model ? in->model : "recording";
    rt_sb_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<title>");
    rt_sb_xml(b, model);
    rt_sb_puts(b, " — Axon analysis</title>\n<style>\n" RT_REPORT_CSS "</style>\n</head>\n<body>\n"
                  "<header><h1>");
    rt_sb_xml(b, model);
    rt_sb_puts(b, "</h1><p class=\"sub\">Axon analysis of <code>");
    rt_sb_xml(b, in->dir);
    rt_sb_printf(b, "</code>, window %g s to %g s</p></header>\n<main>\n", a->t0, a->t1);
    /* the run */
    rt_sb_puts(b, "<section><h2>Run</h2>\n<table class=\"kv\">\n");
    char buf[128];
    rt_html_row(b, "model", in->model);
    snprintf(buf, sizeof buf, "%g s in steps of %g ms (seed %llu, %d thread%s)", in->duration,
             in->dt * 1e3, (unsigned long long)in->seed, in->threads, in->threads == 1 ? "" : "s");
    rt_html_row(b, "simulated", buf);
    rt_html_row(b, "command", axon_recording_meta(a->rec, "command"));
    rt_html_row(b, "source", axon_recording_meta(a->rec, "source"));
    rt_html_row(b, "source SHA-256", axon_recording_meta(a->rec, "source_sha256"));
    rt_html_row(b, "recorded by Axon", in->axon_version);
    rt_html_row(b, "analysed by Axon", PACKAGE_VERSION);
    rt_sb_puts(b, "</table>\n");
    if (axon_recording_npops(a->rec)) {
        rt_sb_puts(b, "<table class=\"grid\"><tr><th>population</th><th>type</th>"
                      "<th>neurons</th></tr>\n");
        for (size_t k = 0; k < axon_recording_npops(a->rec); k++) {
            const axon_rec_pop *p = axon_recording_pop(a->rec, k);
            rt_sb_puts(b, "<tr><td>");
            rt_sb_xml(b, p->name);
            rt_sb_puts(b, "</td><td>");
            rt_sb_xml(b, p->type ? p->type : "");
            rt_sb_printf(b, "</td><td class=\"n\">%u</td></tr>\n", p->size);
        }
        rt_sb_puts(b, "</table>\n");
    }
    rt_html_source(b, a);
    rt_sb_puts(b, "</section>\n");
    /* the summary */
    if (a->npops) {
        rt_sb_puts(b, "<section><h2>Summary</h2>\n<table class=\"grid\"><tr><th></th>");
        for (size_t k = 0; k < a->npops; k++) {
            rt_sb_puts(b, "<th>");
            rt_sb_xml(b, a->pops[k].tr->name);
            rt_sb_puts(b, "</th>");
        }
        rt_sb_puts(b, "</tr>\n");
        for (const rt_row *r = RT_ROWS; r->key; r++) {
            rt_sb_puts(b, "<tr><th>");
            rt_sb_xml(b, r->label);
            rt_sb_puts(b, "</th>");
            for (size_t k = 0; k < a->npops; k++) {
                char v[32];
                rt_fmt(v, sizeof v, r->fmt, r->get(&a->pops[k].sum));
                rt_sb_printf(b, "<td class=\"n\">%s</td>", v);
            }
            rt_sb_puts(b, "</tr>\n");
        }
        rt_sb_puts(b, "</table>\n<p class=\"note\">Definitions, parameters and defaults: "
                      "docs/analysis.md. Every number is in <a href=\"analysis.json\">"
                      "analysis.json</a>.</p>\n</section>\n");
    }
    /* the figures */
    if (figs && figs->n) {
        rt_sb_puts(b, "<section><h2>Figures</h2>\n<div class=\"figs\">\n");
        for (size_t k = 0; k < figs->n; k++) {
            rt_sb_puts(b, "<figure><a href=\"");
            rt_sb_xml(b, figs->v[k].file);
            rt_sb_puts(b, "\"><img src=\"");
            rt_sb_xml(b, figs->v[k].file);
            rt_sb_puts(b, "\" alt=\"");
            rt_sb_xml(b, figs->v[k].title);
            rt_sb_puts(b, "\"></a><figcaption>");
            rt_sb_xml(b, figs->v[k].title);
            rt_sb_puts(b, "</figcaption></figure>\n");
        }
        rt_sb_puts(b, "</div>\n</section>\n");
    }
    rt_sb_puts(b, "</main>\n</body>\n</html>\n");
}

/* ---- writing --------------------------------------------------------------------------------- */

static char *rt_join2(const char *dir, const char *name)
{
    size_t a = strlen(dir), n = strlen(name);
    char *p = malloc(a + n + 2);
    if (p) {
        memcpy(p, dir, a);
        p[a] = '/';
        memcpy(p + a + 1, name, n + 1);
    }
    return p;
}

static axon_status rt_write_text(const char *dir, const char *name, rt_sbuf *b, axon_err *err)
{
    char *p = rt_join2(dir, name);
    axon_status st =
        p ? rt_sb_write_file(b, p, err) : axon_err_set(err, AXON_ENOMEM, "out of memory");
    free(p);
    free(b->p);
    *b = (rt_sbuf){0};
    return st;
}

/* Removes the figures that dir/analysis.json, an earlier analysis of ours read before this one
 * was written (old), listed and this one (figs) does not: a report keeps only its own figures,
 * as a recording keeps only its manifest's files. Only regular files in dir with a plain name
 * ending in .svg are removed; a missing, unreadable or foreign analysis.json removes nothing. */
static void rt_remove_old_figures(const char *dir, const rt_json_doc *old, const rt_figlist *figs)
{
    const rt_json *root = old ? rt_json_root(old) : NULL;
    const char *format = rt_json_str(root, "format");
    const rt_json *list = rt_json_get(root, "figures");
    if (!format || strcmp(format, "axon-analysis") || !list || list->type != RT_JARR)
        return;
    for (size_t i = 0; i < list->n; i++) {
        const char *name = rt_json_str(list->items[i], "file");
        size_t n = name ? strlen(name) : 0;
        /* a figure's name: a copied or edited analysis.json names nothing else to remove */
        if (n < 5 || name[0] == '.' || strchr(name, '/') || strcmp(name + n - 4, ".svg"))
            continue;
        bool kept = false;
        for (size_t k = 0; k < figs->n && !kept; k++)
            kept = !strcmp(figs->v[k].file, name);
        char *p = kept ? NULL : rt_join2(dir, name);
        struct stat st;
        if (p && lstat(p, &st) == 0 && S_ISREG(st.st_mode))
            unlink(p);
        free(p);
    }
}

axon_status axon_analysis_write(const axon_analysis *a, const char *dir, axon_err *err)
{
    if (!a)
        return axon_err_set(err, AXON_EINVAL, "axon_analysis_write: no analysis");
    if (!dir || !*dir)
        return axon_err_set(err, AXON_EINVAL, "no report directory given");
    struct stat sb;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return axon_err_set(err, AXON_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return axon_err_set(err, AXON_EIO, "%s: not a directory", dir);
    /* the earlier report's list of figures, read before this one replaces it */
    char *oldpath = rt_join2(dir, "analysis.json");
    rt_json_doc *old = oldpath && stat(oldpath, &sb) == 0 && S_ISREG(sb.st_mode)
                           ? rt_json_read(oldpath, NULL)
                           : NULL;
    free(oldpath);
    rt_figlist figs = {0};
    axon_status st = rt_figures_write(a, dir, &figs, err);
    rt_sbuf b = {0};
    if (st == AXON_OK) {
        rt_analysis_json(&b, a, &figs);
        st = rt_write_text(dir, "analysis.json", &b, err);
    }
    if (st == AXON_OK) {
        rt_html(&b, a, &figs);
        st = rt_write_text(dir, "index.html", &b, err);
    }
    if (st == AXON_OK) /* the new page is complete: the old one's other figures go */
        rt_remove_old_figures(dir, old, &figs);
    rt_json_free(old);
    rt_figlist_free(&figs);
    return st;
}
