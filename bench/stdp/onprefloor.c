/*
 * onprefloor: what `on pre` of pair STDP costs at least per plastic synapse on this machine,
 * without Axon, for COBA's E -> E at N = 64,000 as Axon lays it out (bench/HISTORY.md, "STDP:
 * a deferred row's weights prefetched non-temporally", has the profile this answers): 51,200
 * rows of 64 synapses with 2-byte targets and double weights, each in its own array on
 * transparent huge pages (26 MB of weights); per target neuron its trace and the time of its
 * last spike side by side (16 bytes) and its conductance in the population's own array; the
 * decay factor exp(-k dt / tau) from a table of 4,096 doubles.
 *
 * Each of STEPS steps: the neuron update, a pass over NVARS arrays of 51,200 doubles (the
 * population's state, which the plastic side's lines push out of L2); then SPIKES rows (see
 * COUNTS below), each synapse `w = clip(w + a_post(t) w_max, 0, w_max); g[target] += w` with
 * a_post(t) = a[target] table[(t - t_last[target]) / dt] (as `on pre` computes it), the rows'
 * targets prefetched 8 rows ahead into L2 and their weights into L1 (prefetchw; Axon's
 * runtime prefetches both into L2, which made no difference here) and each target's trace
 * line 8 synapses ahead (as runtime/deliver.c and the generated kernel do); then SPIKES
 * targets spike (their trace, time and history updated); the spiking neurons are drawn
 * before the timed parts. With LIST 1 each row is first listed as on_pre_replay lists it:
 * the synapses whose target spiked since the row's last spike (a 2-byte step per neuron),
 * their targets' histories (32 bytes a neuron) prefetched. With LIST 2 the listed synapses
 * then replay their pairs as the rounds do (the target's history, a count and its last 15
 * spike steps, read; a weight update per post spike since the row's last spike, with the pre
 * trace's own 32 KB decay table), one synapse after the other rather than in rounds.
 *
 *     cc -O2 -march=native bench/stdp/onprefloor.c -o onprefloor -lm
 *     ./onprefloor [LIST [STEPS [SPIKES [NVARS [FLUSH [COUNTS]]]]]]  (defaults 0 10000 100 4 0)
 *
 * With FLUSH > 0, every FLUSH steps a pass walks all rows as a flush of the deferred `on post`
 * does (each synapse's target tested, its weight read and written), outside the timed parts,
 * to leave the caches as a flush leaves them (COBA with STDP at 64,000 flushes about every
 * 800 steps).
 *
 * Without COUNTS every step's SPIKES presynaptic and SPIKES postsynaptic neurons are drawn
 * uniformly (19.5 Hz each); with COUNTS, a file of 51,200 per-neuron spike counts
 * (bench/stdp/counts.py writes COBA with STDP's), in proportion to them. COBA's rates are
 * uneven (11% silent, median 12 Hz, 90th percentile 51), so many targets' traces are zero or
 * older than the decay table and take the kernel's slower paths, as in Axon's run.
 *
 * GCC 12 compiles main() as one function, and the timed loops' speed depends on the rest of
 * it: moving the untimed spike draws and the rows' prefetch into helper functions (the same
 * results) made the rows' pass 1.25x slower (LIST 2 with COUNTS: 18-19 ns a visit against
 * 14.4-15.9). The figures in bench/HISTORY.md are this form's.
 *
 * Prints CPU ns per synapse visit of the rows' pass and of the update pass
 * (CLOCK_PROCESS_CPUTIME_ID around each). Not part of `make check`.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "../microcircuit/floor.h" /* cpu_s, big */

#define NPOST 51200
#define ROW 64
#define TABLE 4096
#define PF 8

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* the neuron whose cumulative share cdf[] first reaches u */
static uint32_t draw(const double *cdf, double u)
{
    uint32_t lo = 0, hi = NPOST - 1;
    while (lo < hi) {
        uint32_t m = (lo + hi) / 2;
        if (cdf[m] < u)
            lo = m + 1;
        else
            hi = m;
    }
    return lo;
}

static int cmp16(const void *a, const void *b)
{
    return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

int main(int argc, char **argv)
{
    int list = argc > 1 ? atoi(argv[1]) : 0;
    long steps = argc > 2 ? atol(argv[2]) : 10000, spikes = argc > 3 ? atol(argv[3]) : 100;
    int nvars = argc > 4 ? atoi(argv[4]) : 4;
    long flush = argc > 5 ? atol(argv[5]) : 0;
    const char *counts = argc > 6 ? argv[6] : NULL;
    if (list < 0 || list > 2 || steps < 1 || steps > 60000 || spikes < 1 || spikes > NPOST ||
        nvars < 1 || nvars > 16 || flush < 0) {
        fprintf(stderr, "usage: onprefloor [LIST (0-2) [STEPS (1-60000) [SPIKES (1-51200) "
                        "[NVARS (1-16) [FLUSH (steps, 0: none) [COUNTS]]]]]]\n");
        return 2;
    }
    /* which neurons spike: uniformly, or in proportion to COUNTS (one count per neuron) */
    double *cdf = NULL;
    if (counts) {
        FILE *f = fopen(counts, "r");
        cdf = malloc(NPOST * sizeof *cdf);
        double acc = 0;
        for (int j = 0; j < NPOST; j++) {
            long c;
            if (!f || fscanf(f, "%ld", &c) != 1 || c < 0) {
                fprintf(stderr, "onprefloor: %s: %d counts expected\n", counts, NPOST);
                free(cdf);
                if (f)
                    fclose(f);
                return 1;
            }
            acc += (double)c;
            cdf[j] = acc;
        }
        fclose(f);
        for (int j = 0; j < NPOST; j++)
            cdf[j] /= acc;
    }
    const size_t nsyn = (size_t)NPOST * ROW;
    uint16_t *tg = big(nsyn * sizeof *tg);
    double *w = big(nsyn * sizeof *w);
    double *tr = big((size_t)NPOST * 2 * sizeof *tr); /* a_post, the time it is at (s) */
    uint16_t *lastpost = big(NPOST * sizeof *lastpost);
    uint16_t *lastpre = big(NPOST * sizeof *lastpre);
    uint16_t *hist = big((size_t)NPOST * 16 * sizeof *hist); /* 32 bytes a neuron */
    double *state[16];
    for (int v = 0; v < nvars; v++)
        state[v] = big(NPOST * sizeof(double));
    double *g = state[0];
    uint32_t *lst = malloc(ROW * sizeof *lst);
    double table[TABLE], table2[TABLE]; /* the post and the pre trace's decay */
    const double apre_i = 0.01;
    const double dt = 0.1e-3, tau = 20e-3, wmax = 12e-9, apost = -0.0105;
    for (int k = 0; k < TABLE; k++)
        table2[k] = table[k] = exp(-k * dt / tau);
    uint64_t x = 88172645463325252ull;
    for (size_t r = 0; r < NPOST; r++) {
        for (int k = 0; k < ROW; k++) {
            tg[r * ROW + k] = (uint16_t)(rnd(&x) % NPOST);
            w[r * ROW + k] = 6e-9;
        }
        qsort(tg + r * ROW, ROW, sizeof *tg, cmp16);
    }
    for (int j = 0; j < NPOST; j++)
        tr[2 * j + 1] = -1e9;
    uint32_t *spk = malloc((size_t)spikes * sizeof *spk);
    uint32_t *pspk = malloc((size_t)spikes * sizeof *pspk);
    double c_rows = 0, c_upd = 0, sum = 0;
    size_t visits = 0, listed = 0;
    for (long n = 0; n < steps; n++) {
        for (long k = 0; k < spikes; k++) { /* the step's pre and post spikes, not timed */
            spk[k] =
                cdf ? draw(cdf, (double)(rnd(&x) >> 11) * 0x1p-53) : (uint32_t)(rnd(&x) % NPOST);
            pspk[k] =
                cdf ? draw(cdf, (double)(rnd(&x) >> 11) * 0x1p-53) : (uint32_t)(rnd(&x) % NPOST);
        }
        double c0 = cpu_s();
        for (int j = 0; j < NPOST; j++) { /* the update: every state array read and written */
            double s = 0;
            for (int v = 1; v < nvars; v++)
                s += state[v][j];
            g[j] = 0.99 * g[j] + 1e-12 * s;
            for (int v = 1; v < nvars; v++) /* values near 1: no subnormal numbers */
                state[v][j] = 0.999 * state[v][j] + 1e-3;
        }
        double c1 = cpu_s();
        const double tnow = (double)(n + 1) * dt;
        for (long k = 0; k < spikes && k < PF; k++) {
            const char *p = (const char *)(tg + (size_t)spk[k] * ROW);
            for (int b = 0; b < ROW * 2; b += 64)
                __builtin_prefetch(p + b, 0, 2);
            p = (const char *)(w + (size_t)spk[k] * ROW);
            for (int b = 0; b < ROW * 8; b += 64)
                __builtin_prefetch(p + b, 1, 2);
        }
        for (long k = 0; k < spikes; k++) {
            if (k + PF < spikes) {
                const char *p = (const char *)(tg + (size_t)spk[k + PF] * ROW);
                for (int b = 0; b < ROW * 2; b += 64)
                    __builtin_prefetch(p + b, 0, 2);
                p = (const char *)(w + (size_t)spk[k + PF] * ROW);
                for (int b = 0; b < ROW * 8; b += 64)
                    __builtin_prefetch(p + b, 1, 2);
            }
            const uint32_t i = spk[k];
            const uint16_t *t = tg + (size_t)i * ROW;
            double *wr = w + (size_t)i * ROW;
            if (list) { /* the synapses whose target spiked since the row's last spike */
                uint32_t m = 0;
                for (int s = 0; s < ROW; s++) {
                    int due = lastpost[t[s]] > lastpre[i];
                    lst[m] = (uint32_t)s;
                    m += (uint32_t)due;
                    __builtin_prefetch(hist + (due ? 16 * (size_t)t[s] : 0), 0, 3);
                }
                listed += m;
                sum += m;
                if (list == 2) /* the replays: each listed synapse's pairs since lastpre[i] */
                    for (uint32_t q = 0; q < m; q++) {
                        const uint32_t s = lst[q], j = t[s];
                        const uint16_t *h = hist + 16 * (size_t)j;
                        double v = wr[s];
                        for (int e = 1; e <= h[0]; e++) {
                            if (h[e] <= lastpre[i])
                                continue;
                            const double gap = (double)(h[e] - lastpre[i]) * dt;
                            const double kf = gap * (1.0 / dt) + 0.5;
                            const double f = kf < TABLE ? table2[(uint64_t)kf] : exp(-gap / tau);
                            v = v + apre_i * f * wmax;
                            v = v < 0 ? 0 : v > wmax ? wmax : v;
                        }
                        wr[s] = v;
                    }
            }
            for (int s = 0; s < ROW; s++) {
                if (s + PF < ROW)
                    __builtin_prefetch(tr + 2 * t[s + PF], 1, 3);
                /* as the generated kernel: times in seconds, the table's index from the gap,
                   both ends checked, exp beyond the table unless the trace is 0 */
                const uint32_t j = t[s];
                const double a = tr[2 * j], gap = tnow - tr[2 * j + 1];
                const double kf = gap * (1.0 / dt) + 0.5;
                double f;
                if (kf < TABLE && kf >= 0)
                    f = table[(uint64_t)kf];
                else
                    f = a == 0 ? 1.0 : exp(-gap / tau);
                double v = wr[s] + a * f * wmax;
                v = v < 0 ? 0 : v > wmax ? wmax : v;
                wr[s] = v;
                g[j] += v;
            }
            lastpre[i] = (uint16_t)n;
            visits += ROW;
        }
        for (long k = 0; k < spikes; k++) { /* postsynaptic spikes */
            uint32_t j = pspk[k];
            double kf = (tnow - tr[2 * j + 1]) * (1.0 / dt) + 0.5;
            double f = kf < TABLE ? table[(uint64_t)kf] : 0;
            tr[2 * j] = tr[2 * j] * f + apost;
            tr[2 * j + 1] = tnow;
            lastpost[j] = (uint16_t)n;
            uint16_t *h = hist + 16 * (size_t)j; /* its history: a count, then up to 15 steps */
            if (h[0] < 15) {
                h[0]++;
                h[h[0]] = (uint16_t)n;
            } else {
                memmove(h + 1, h + 2, 14 * sizeof *h);
                h[15] = (uint16_t)n;
            }
        }
        double c2 = cpu_s();
        c_upd += c1 - c0;
        c_rows += c2 - c1;
        if (flush && n % flush == flush - 1) { /* a flush's walk: every row's list and weights */
            for (size_t q = 0; q < nsyn; q++) {
                double v = w[q] + (lastpost[tg[q]] > lastpre[q / ROW] ? 1e-15 : 0.0);
                w[q] = v < wmax ? v : wmax;
            }
            for (int j = 0; j < NPOST; j++)
                lastpre[j] = (uint16_t)n;
        }
    }
    for (int j = 0; j < NPOST; j++)
        sum += g[j];
    printf("list %d: rows %.3f ns per synapse visit (%zu visits, %.1f%% listed), update %.3f "
           "ns per neuron (%d arrays); checksum %g\n",
           list, c_rows / (double)visits * 1e9, visits, 100.0 * (double)listed / (double)visits,
           c_upd / ((double)steps * NPOST) * 1e9, nvars, sum);
    for (int v = 0; v < nvars; v++)
        free(state[v]);
    free(spk);
    free(pspk);
    free(cdf);
    free(lst);
    free(hist);
    free(lastpre);
    free(lastpost);
    free(tr);
    free(w);
    free(tg);
    return 0;
}
