/*
 * Hand-written reference loop for the neuron-update benchmark (bench/neurons/run.sh).
 *
 * The same models as bench/neurons/neurons.axon (stdlib LIF and Izhikevich), written the way
 * a careful C programmer would: structure of arrays, constants folded by hand (no divisions in
 * the loop), an int32 refractory counter, and the population processed in blocks of BLOCK
 * neurons: a vectorised update loop over the block, then a scalar pass over the same block
 * (still in L1) that finds the spikes and appends them to the step's spike list (Izhikevich:
 * and applies the reset there, so c and d are read only for neurons that fire). Nothing else
 * is stored. (A single loop writing a uint8 flag per neuron makes GCC vectorise 64 neurons per
 * iteration and spill most registers: 1.5-2x slower for the RK4 body.)
 *
 *   LIF:  exact propagator of  v' = (v_rest - v + R (I_syn + I_ext)) / tau_m,
 *         I_syn' = -I_syn / tau_syn;  spike when v > v_th (not refractory), v <- v_reset,
 *         v held for 2 ms (19 further steps at dt = 0.1 ms, as in Axon and Brian2).
 *   Izh:  classical RK4 (Brian2's 'rk4') of v' = (0.04 v^2 + 5 v + 140 - u + I_ext) / ms,
 *         u' = a (b v - u) / ms with per-neuron a, b, c, d, I_ext (the stdlib neuron declares
 *         them `per neuron`); spike when v >= 30: v <- c, u <- u + d.
 *
 * Initial values: v = uniform(-65 mV, -50 mV) (Izhikevich: uniform(-65, -50), u = b v), drawn
 * with the Axon runtime's own counter-based generator (runtime/rng.c, same seed 0, stream and
 * index as Axon's generated init kernel), so the spike count must equal Axon's exactly.
 *
 * Build: cc -O3 -march=native -I runtime/include bench/neurons/loop.c runtime/rng.c -lm
 * Usage: loop lif|izh [N [STEPS]]     (defaults: N = 1000000, STEPS = 10000)
 * Prints one line: model, N, steps, spikes, the step loop's wall time (time_s) and CPU time (cpu_s),
 * ns per neuron update (from the wall time).
 */
#define _POSIX_C_SOURCE 200809L

#include "axon/rng.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK 2048 /* neurons per update/compaction block */

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }

static void *alloc(size_t n, size_t size)
{
    void *p = aligned_alloc(64, (n * size + 63) / 64 * 64);
    if (!p) {
        fprintf(stderr, "loop: out of memory\n");
        exit(1);
    }
    memset(p, 0, n * size);
    return p;
}

/* Axon's init kernel draws rand() for population 0 from stream 1024, index i, step 0, k 0. */
static double axon_init_rand(uint32_t i)
{
    return axon_rng_uniform(0, 1024, i, 0, 0);
}

/* ---- LIF ---------------------------------------------------------------------------------- */

/* Integrates one block; a neuron that fires gets refr = ref_steps, which no other neuron has. */
static void lif_block(double *restrict v, double *restrict is, int32_t *restrict refr, uint32_t n,
                      double pvv, double pvs, double pv0, double pss, double v_th, double v_reset,
                      int32_t ref_steps)
{
    for (uint32_t j = 0; j < n; j++) {
        double vj = v[j], sj = is[j];
        int32_t r = refr[j];
        double vn = r > 0 ? vj : pvv * vj + pvs * sj + pv0;
        int fire = (r <= 0) & (vn > v_th);
        v[j] = fire ? v_reset : vn;
        is[j] = pss * sj;
        refr[j] = fire ? ref_steps : (r > 0 ? r - 1 : 0);
    }
}

/* The block's spikes, appended to spk (spikes are rare: a predictable branch). */
static size_t lif_spikes(const int32_t *restrict refr, uint32_t base, uint32_t n,
                         int32_t ref_steps, uint32_t *restrict spk, size_t k)
{
    uint32_t j = 0;
    for (; j + 16 <= n; j += 16) { /* 16 at a time: one compare and a mostly-untaken branch */
        int any = 0;
        for (uint32_t q = 0; q < 16; q++)
            any |= refr[j + q] == ref_steps;
        if (any)
            for (uint32_t q = j; q < j + 16; q++)
                if (refr[q] == ref_steps)
                    spk[k++] = base + q;
    }
    for (; j < n; j++)
        if (refr[j] == ref_steps)
            spk[k++] = base + j;
    return k;
}

static uint64_t run_lif(uint32_t N, uint64_t steps, double secs[2])
{
    const double dt = 1e-4, tau_m = 20e-3, tau_syn = 5e-3, v_rest = -65e-3, v_th = -50e-3,
                 v_reset = -65e-3, R = 100e6, I_ext = 0.2e-9, t_ref = 2e-3;
    /* exact propagator of the linear system (constants only; I_syn = 0 here but integrated) */
    const double em = exp(-dt / tau_m), es = exp(-dt / tau_syn);
    const double pvv = em;
    const double pvs = R * tau_syn / (tau_syn - tau_m) * (es - em);
    const double pv0 = (1 - em) * (v_rest + R * I_ext);
    const double pss = es;
    /* after the spike step the neuron is held while (steps since spike) * dt < t_ref */
    const int32_t ref_steps = (int32_t)lround(t_ref / dt) - 1;

    double *v = alloc(N, sizeof *v), *is = alloc(N, sizeof *is);
    int32_t *refr = alloc(N, sizeof *refr);
    uint32_t *spk = alloc(N, sizeof *spk);
    for (uint32_t i = 0; i < N; i++)
        v[i] = -0.065 + 0.015 * axon_init_rand(i);

    uint64_t total = 0;
    double t0 = now(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (uint64_t s = 0; s < steps; s++) {
        size_t k = 0;
        for (uint32_t b = 0; b < N; b += BLOCK) {
            uint32_t n = N - b < BLOCK ? N - b : BLOCK;
            lif_block(v + b, is + b, refr + b, n, pvv, pvs, pv0, pss, v_th, v_reset, ref_steps);
            k = lif_spikes(refr + b, b, n, ref_steps, spk, k);
        }
        total += k;
    }
    secs[0] = now() - t0;
    secs[1] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    free(v);
    free(is);
    free(refr);
    free(spk);
    return total;
}

/* ---- Izhikevich ---------------------------------------------------------------------------- */

/* Integrates one block (pure arithmetic, vectorised). */
static void izh_block(double *restrict v, double *restrict u, const double *restrict a,
                      const double *restrict b,
                      const double *restrict iext, uint32_t n, double h)
{
    /* h = dt / ms: the equations are in units of 1/ms */
#define FV(V, U) (0.04 * (V) * (V) + 5.0 * (V) + 140.0 - (U) + ie)
#define FU(V, U) (aj * (bj * (V) - (U)))
    for (uint32_t j = 0; j < n; j++) {
        double vj = v[j], uj = u[j], aj = a[j], bj = b[j], ie = iext[j];
        double k1v = h * FV(vj, uj), k1u = h * FU(vj, uj);
        double v2 = vj + 0.5 * k1v, u2 = uj + 0.5 * k1u;
        double k2v = h * FV(v2, u2), k2u = h * FU(v2, u2);
        double v3 = vj + 0.5 * k2v, u3 = uj + 0.5 * k2u;
        double k3v = h * FV(v3, u3), k3u = h * FU(v3, u3);
        double v4 = vj + k3v, u4 = uj + k3u;
        double k4v = h * FV(v4, u4), k4u = h * FU(v4, u4);
        double vn = vj + (k1v + 2.0 * k2v + 2.0 * k3v + k4v) * (1.0 / 6.0);
        double un = uj + (k1u + 2.0 * k2u + 2.0 * k3u + k4u) * (1.0 / 6.0);
        v[j] = vn;
        u[j] = un;
    }
#undef FV
#undef FU
}

/* Threshold and reset over the block while it is in L1 (spikes are rare: a predictable
 * branch, and c, d are read only for neurons that fire). */
static size_t izh_spikes(double *restrict v, double *restrict u, const double *restrict c,
                         const double *restrict d, uint32_t base, uint32_t n,
                         uint32_t *restrict spk, size_t k)
{
    uint32_t j = 0;
    for (; j + 8 <= n; j += 8) { /* 8 at a time: one compare and a mostly-untaken branch */
        int any = 0;
        for (uint32_t q = 0; q < 8; q++)
            any |= v[j + q] >= 30.0;
        if (!any)
            continue;
        for (uint32_t q = j; q < j + 8; q++)
            if (v[q] >= 30.0) {
                v[q] = c[q];
                u[q] += d[q];
                spk[k++] = base + q;
            }
    }
    for (; j < n; j++)
        if (v[j] >= 30.0) {
            v[j] = c[j];
            u[j] += d[j];
            spk[k++] = base + j;
        }
    return k;
}

static uint64_t run_izh(uint32_t N, uint64_t steps, double secs[2])
{
    const double h = 1e-4 / 1e-3; /* dt / ms */
    double *v = alloc(N, sizeof *v), *u = alloc(N, sizeof *u);
    double *a = alloc(N, sizeof *a), *b = alloc(N, sizeof *b), *c = alloc(N, sizeof *c);
    double *d = alloc(N, sizeof *d), *iext = alloc(N, sizeof *iext);
    uint32_t *spk = alloc(N, sizeof *spk);
    for (uint32_t i = 0; i < N; i++) {
        a[i] = 0.02;
        b[i] = 0.2;
        c[i] = -65;
        d[i] = 8;
        iext[i] = 10;
        v[i] = -65 + 15 * axon_init_rand(i);
        u[i] = b[i] * v[i];
    }

    uint64_t total = 0;
    double t0 = now(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    for (uint64_t s = 0; s < steps; s++) {
        size_t k = 0;
        for (uint32_t blk = 0; blk < N; blk += BLOCK) {
            uint32_t n = N - blk < BLOCK ? N - blk : BLOCK;
            izh_block(v + blk, u + blk, a + blk, b + blk, iext + blk, n, h);
            k = izh_spikes(v + blk, u + blk, c + blk, d + blk, blk, n, spk, k);
        }
        total += k;
    }
    secs[0] = now() - t0;
    secs[1] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    free(v);
    free(u);
    free(a);
    free(b);
    free(c);
    free(d);
    free(iext);
    free(spk);
    return total;
}

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "lif") && strcmp(argv[1], "izh"))) {
        fprintf(stderr, "usage: loop lif|izh [N [STEPS]]\n");
        return 2;
    }
    uint32_t N = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 1000000u;
    uint64_t steps = argc > 3 ? strtoull(argv[3], NULL, 10) : 10000u;
    double secs[2] = {0, 0}; /* the loop's wall and CPU time */
    uint64_t spikes = !strcmp(argv[1], "lif") ? run_lif(N, steps, secs)
                                               : run_izh(N, steps, secs);
    printf("model=%s N=%u steps=%llu spikes=%llu time_s=%.4f cpu_s=%.6f ns_per_update=%.4f\n",
           argv[1], N, (unsigned long long)steps, (unsigned long long)spikes, secs[0], secs[1],
           secs[0] * 1e9 / ((double)N * (double)steps));
    return 0;
}
