/*
 * Internal: the analysis of a recording (summary.c builds it; report.c writes analysis.json,
 * the figures and index.html from it; figures.c draws).
 */
#ifndef AXON_RT_REPORT_H
#define AXON_RT_REPORT_H

#include "analysis_int.h"
#include "sbuf.h"

/* The population's mean cross-correlogram: lags -RT_CCH_LAGS .. RT_CCH_LAGS bins of
 * RT_CCH_BIN. */
#define RT_CCH_LAGS 50
#define RT_CCH_BIN 1e-3

/* Avalanche histograms: bin k holds the values in [2^k, 2^(k+1)). */
#define RT_LOGBINS 48

/* A spiking population of the recording. */
typedef struct {
    const axon_rec_pop *rp;
    axon_trains *tr;
    axon_pop_summary sum;
    uint32_t *dead, *hyper;                       /* sum.health.dead / .hyperactive indices */
    uint64_t hsize[RT_LOGBINS], hdur[RT_LOGBINS]; /* avalanche sizes and durations */
    int nhsize, nhdur;                            /* bins used (the last non-empty + 1) */
    double cch[2 * RT_CCH_LAGS + 1]; /* mean cross-correlogram of sampled pairs (NaN: none) */
} rt_popan;

/* A state, rate or weight record restricted to the window. */
typedef struct {
    const axon_rec_series *s;
    size_t first, n;                   /* samples in the window */
    double mean, std, min, max;        /* over every value in the window */
    double chi;                        /* state of >= 2 neurons (not phases) */
    double kuramoto, kuramoto_last;    /* phase variables */
    axon_weight_stats w_first, w_last; /* weights: the first and last sample */
    int graded;                        /* health holds a non-spiking population's activity */
    axon_health_summary health;
    uint32_t *dead, *always; /* graded: the neurons (population indices) never / always active */
} rt_series;

struct axon_analysis {
    const axon_recording *rec;
    const axon_rec_info *info;
    double t0, t1;
    axon_analysis_opts opts; /* defaults filled in */
    rt_popan *pops;
    size_t npops;
    rt_series *series;
    size_t nseries;
    char *table;
};

/* A row of the summary table and of analysis.json's "summary". */
typedef struct {
    const char *key, *label, *fmt;
    double (*get)(const axon_pop_summary *);
} rt_row;
extern const rt_row RT_ROWS[]; /* ends with key NULL */

void rt_opts_fill(const axon_analysis_opts *in, double duration, axon_analysis_opts *o);
void rt_fmt(char *buf, size_t len, const char *fmt, double v);
void rt_series_window(const axon_rec_series *s, double t0, double t1, double dt, size_t *first,
                      size_t *n);
int rt_is_phase(const axon_rec_series *s);

#endif /* AXON_RT_REPORT_H */
