/*
 * Hand-written C loop of the COBA benchmark in the Brian-team form (bench/coba/floor.sh): the
 * floor that Axon's generated code has to beat.
 *
 * The network is the one of Brian2's, ANNarchy's and BrainPy's published COBA comparisons
 * (Vogels & Abbott 2005 as in Brette et al. 2007), with dimensionless conductances and forward
 * Euler (bench/coba/coba_euler.axon, `brian2_coba.py --form euler`):
 *
 *   dv/dt  = (ge (Ee - v) + gi (Ei - v) - (v - El) + I) / taum     (v held while refractory)
 *   dge/dt = -ge / taue,  dgi/dt = -gi / taui
 *   taum = 20 ms, taue = 5 ms, taui = 10 ms, El = Vr = -60 mV, Vt = -50 mV, Ee = 0 mV,
 *   Ei = -80 mV, I = 20 mV; spike when v > Vt, v <- Vr, refractory 5 ms;
 *   NE = 4N/5 excitatory neurons (ge += 0.6 on the targets of a spike), N - NE inhibitory
 *   (gi += 6.7); random connectivity with p = K / N (autapses allowed), no delay: a spike of
 *   step n is delivered after the reset of step n and seen by the update of step n + 1;
 *   v ~ N(-55 mV, 5 mV), ge = gi = 0; dt = 0.1 ms.
 *
 * Written the way a careful C programmer would: structure of arrays; constants folded by hand
 * (dt / taum, 1 - dt / taue, ...: no division in the loop); a uint8 refractory counter; the
 * population processed in blocks: a vectorised update of the block, then a scalar scan of the
 * same block (still in L1) that appends its spikes to the step's spike list; CSR connectivity
 * with uint32 row offsets and uint32 targets (the weights are the two constants, no
 * per-synapse value). Floating type float or double (the first argument). Units: mV and ms.
 *
 * The random numbers (xoshiro256+) are not Axon's or Brian2's, so the activity agrees in
 * distribution only: compare rates, not spike counts.
 *
 * Build: cc -O3 -march=native bench/coba/loop.c -lm -o coba_loop
 * Usage: coba_loop float|double [N [STEPS [K [SEED]]]]  (defaults 4000, 10000, 80, 1)
 * Prints one line of key=value pairs: the step loop's wall seconds (run_s, as Axon's `run` and
 * Brian2's _last_run_time) and CPU seconds (cpu_s), spike counts, rates and the bytes per
 * synapse.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BLOCK 1024 /* neurons per update/scan block */

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *alloc(size_t n, size_t size)
{
    void *p = aligned_alloc(64, (n * size + 63) / 64 * 64 + 64);
    if (!p) {
        fprintf(stderr, "coba_loop: out of memory\n");
        exit(1);
    }
    memset(p, 0, n * size);
    return p;
}

/* xoshiro256+ seeded by splitmix64 */
typedef struct {
    uint64_t s[4];
} rng_t;

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15u);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        r->s[i] = z ^ (z >> 31);
    }
}

/* uniform in (0, 1) */
static double rng_uniform(rng_t *r)
{
    uint64_t *s = r->s, res = s[0] + s[3], t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return ((double)(res >> 11) + 0.5) * 0x1.0p-53;
}

static double rng_normal(rng_t *r)
{
    double u1 = rng_uniform(r), u2 = rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

/* CSR of random(p) connectivity from every neuron to all N (geometric skips) */
typedef struct {
    uint32_t *row; /* N + 1 offsets */
    uint32_t *col; /* targets */
    uint64_t nsyn;
} csr_t;

static csr_t connect(uint32_t N, double p, rng_t *r)
{
    csr_t c;
    size_t cap = (size_t)((double)N * N * p * 1.05) + 1024;
    c.row = alloc((size_t)N + 1, sizeof *c.row);
    c.col = alloc(cap, sizeof *c.col);
    c.nsyn = 0;
    double lq = log1p(-p);
    for (uint32_t i = 0; i < N; i++) {
        c.row[i] = (uint32_t)c.nsyn;
        double j = -1;
        for (;;) {
            j += 1 + floor(log(rng_uniform(r)) / lq);
            if (j >= N)
                break;
            if (c.nsyn == cap) {
                fprintf(stderr, "coba_loop: too many synapses\n");
                exit(1);
            }
            c.col[c.nsyn++] = (uint32_t)j;
        }
    }
    c.row[N] = (uint32_t)c.nsyn;
    return c;
}

#define REF_STEPS 49 /* held for steps k+1 .. k+49 after a spike in step k (5 ms / dt - 1) */

/* The model in one floating type: REAL, with the functions suffixed by SFX. */
#define REAL float
#define SFX(f) f##_float
#include "loop_body.h"
#undef REAL
#undef SFX
#define REAL double
#define SFX(f) f##_double
#include "loop_body.h"
#undef REAL
#undef SFX

int main(int argc, char **argv)
{
    if (argc < 2 || (strcmp(argv[1], "float") && strcmp(argv[1], "double"))) {
        fprintf(stderr, "usage: coba_loop float|double [N [STEPS [K [SEED]]]]\n");
        return 2;
    }
    uint32_t N = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 4000u;
    uint64_t steps = argc > 3 ? strtoull(argv[3], NULL, 10) : 10000u;
    double K = argc > 4 ? strtod(argv[4], NULL) : 80.0;
    uint64_t seed = argc > 5 ? strtoull(argv[5], NULL, 10) : 1u;
    if (N < 5 || K <= 0 || K > N) {
        fprintf(stderr, "coba_loop: need N >= 5 and 0 < K <= N\n");
        return 2;
    }
    uint32_t NE = (uint32_t)((uint64_t)N * 4 / 5);
    rng_t r;
    rng_seed(&r, seed);
    csr_t c = connect(N, K / N, &r);
    uint64_t spk[2];
    double cpu;
    double secs = !strcmp(argv[1], "float") ? run_float(N, NE, &c, steps, &r, spk, &cpu)
                                            : run_double(N, NE, &c, steps, &r, spk, &cpu);
    double T = (double)steps * 1e-4;
    /* bytes per synapse: the targets and the row offsets (no per-synapse weight) */
    double bps = (double)(c.nsyn * sizeof *c.col + ((size_t)N + 1) * sizeof *c.row) /
                 (double)c.nsyn;
    printf("sim=c_%s N=%u steps=%llu synapses=%llu spikes_E=%llu spikes_I=%llu rate_E=%.3f "
           "rate_I=%.3f run_s=%.4f cpu_s=%.4f bytes_per_synapse=%.3f\n",
           argv[1], N, (unsigned long long)steps, (unsigned long long)c.nsyn,
           (unsigned long long)spk[0], (unsigned long long)spk[1], (double)spk[0] / (NE * T),
           (double)spk[1] / ((N - NE) * T), secs, cpu, bps);
    free(c.row);
    free(c.col);
    return 0;
}
