/*
 * Times every analysis of <axon/analysis.h> on a recordings directory, one by one, then the
 * whole of axon_analyze and axon_analysis_write (what `axon analyze` does).
 *
 *     cc -O2 -I runtime/include bench/analysis/timing.c -L.libs -laxonrt -lm -o timing
 *     ./timing DIR [POP]
 *
 * Prints one line per step: seconds of CPU and of wall clock, and what it computed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "axon/analysis.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CPU time of the process: on a shared machine the wall clock measures the neighbours too */
static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double g_t, g_c;
static void lap(const char *what, const char *fmt, double v)
{
    double t = now(), c = cpu();
    printf("  %-36s %7.3f s %7.3f s   ", what, c - g_c, t - g_t);
    printf(fmt, v);
    printf("\n");
    fflush(stdout);
    g_t = now();
    g_c = cpu();
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: timing DIR [POP]\n");
        return 2;
    }
    axon_err err;
    double start = now(), cstart = cpu();
    g_t = start;
    g_c = cstart;
    printf("  %-36s %9s %9s\n", "step", "CPU", "wall");
    axon_recording *r = axon_recording_open(argv[1], &err);
    if (!r) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    size_t total = 0;
    for (size_t k = 0; k < axon_recording_npops(r); k++)
        total += axon_recording_pop(r, k)->nspikes;
    lap("read the recording", "%.0f spikes", (double)total);
    int pop = axon_recording_pop_index(r, argc > 2 ? argv[2] : "E");
    axon_trains *tr = axon_recording_trains(r, pop, 0, -1, &err);
    if (!tr) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    lap("index the trains (one population)", "%.0f spikes", (double)axon_trains_count(tr));
    uint32_t n = axon_trains_size(tr);
    double *rate = malloc(n * sizeof *rate);
    axon_rates(tr, rate);
    lap("rates", "%.0f neurons", n);
    size_t nb = axon_nbins(tr, 1e-3);
    double *pr = malloc(nb * sizeof *pr);
    axon_pop_rate(tr, 1e-3, AXON_KERNEL_GAUSS, 5e-3, pr, nb);
    lap("population rate, Gaussian 5 ms", "%.0f bins", (double)nb);
    axon_isi_summary isi;
    axon_isi_stats(tr, 5e-3, &isi, NULL);
    lap("ISI CV, CV2, LV, LvR", "CV %.3f", isi.cv);
    axon_fano_summary f;
    axon_fano_factor(tr, 10e-3, &f);
    lap("Fano factors (10 ms)", "population %.3f", f.population);
    axon_pair_summary c;
    axon_count_correlation(tr, 10e-3, 1000, 0, &c);
    lap("count correlation, 1000 pairs", "mean %.4f", c.mean);
    axon_pop_sttc(tr, 5e-3, 1000, 0, &c);
    lap("STTC, 1000 pairs", "mean %.4f", c.mean);
    double chi;
    axon_chi_spikes(tr, 1e-3, 5e-3, &chi);
    lap("chi (all neurons)", "%.4f", chi);
    double lz;
    axon_lz_trains(tr, 1e-3, 100, 100000, 0, &lz);
    lap("Lempel-Ziv, 100 neurons x 1e5 bins", "%.4f", lz);
    axon_welch_opts wo = {.freq_res = 0.5};
    size_t nf = axon_welch_nfreq(nb, 1000, &wo);
    double *fr = malloc(nf * sizeof *fr), *ps = malloc(nf * sizeof *ps);
    axon_pop_rate(tr, 1e-3, AXON_KERNEL_NONE, 0, pr, nb);
    axon_welch(pr, nb, 1000, &wo, fr, ps, NULL);
    lap("Welch spectrum (0.5 Hz)", "%.0f frequencies", (double)nf);
    axon_health_summary h;
    axon_health(tr, 10e-3, 100, &h, NULL, NULL);
    lap("health", "%.0f dead", h.dead);
    axon_avalanche_summary av;
    axon_avalanches(tr, 0, &av, NULL, NULL, 0);
    lap("avalanches", "%.0f avalanches", (double)av.count);
    axon_trains_free(tr);
    free(rate);
    free(pr);
    free(fr);
    free(ps);
    g_t = now();
    g_c = cpu();
    axon_analysis *a = axon_analyze(r, 0, -1, NULL, &err);
    if (!a) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    lap("axon_analyze (every population)", "%.0f populations", (double)axon_analysis_npops(a));
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/report-bench", argv[1]);
    if (axon_analysis_write(a, dir, &err) != AXON_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    lap("axon_analysis_write (figures)", "report-bench/", 0);
    struct stat st;
    snprintf(dir, sizeof dir, "%s/report-bench/raster.svg", argv[1]);
    if (stat(dir, &st) == 0)
        printf("  raster.svg: %.0f kB\n", st.st_size / 1024.0);
    axon_analysis_free(a);
    axon_recording_free(r);
    printf("  total %.1f s CPU, %.1f s wall\n", cpu() - cstart, now() - start);
    return 0;
}
