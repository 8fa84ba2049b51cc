/*
 * procfloor: what the microcircuit's delivery would cost at least with procedural connectivity
 * (GeNN's technique: a due part's targets and weights drawn again from the connection's seed
 * when it is delivered, instead of being stored), on this machine, without Axon; to compare
 * with memfloor.c (Axon's stored parts) in the same run.
 *
 * A due part is the synapses of one spike's row that share one delay (about 20 in the
 * microcircuit). Here part k of LEN synapses is drawn from Philox4x32-10 (as
 * axon_philox4x32_10 in runtime/include/axon/rng.h computes it) keyed by the seed, counter
 * (block, k, stream, 0), a vector loop over the part's blocks:
 *   MODE 0  targets only (a shared weight): one 32-bit word per synapse, target = word * NT
 *           >> 32 (uniform with replacement, as a fixed total number with multapses draws);
 *   MODE 1  targets and normal weights (Box-Muller on 32-bit uniforms, two weights per
 *           log and sincos): two words per synapse;
 *   MODE 2  the same with 53-bit uniforms made as the runtime's double draws make them
 *           (axon_rng_bits53 of two words, axon_rng_u53_open): three words per synapse;
 *   MODE 3  targets and normal weights by Marsaglia and Tsang's ziggurat on one 32-bit word
 *           (the fast path vectorised, the 2.8% of draws that leave it scalar): two words
 *           per synapse;
 * then `in[target] += weight` into NT double inputs (a target population's, which L2 holds).
 * A part's count is taken as known: a row's counts per delay (a byte each, one line per
 * spike and projection) would be read once per spike, when its parts are queued, as the
 * delay table is now. Prints CPU ns per synapse and per part (CLOCK_PROCESS_CPUTIME_ID).
 *
 *     clang -O3 -march=native -mprefer-vector-width=512 -ffast-math -fveclib=libmvec \
 *         -Iruntime/include bench/microcircuit/procfloor.c -o procfloor -lm -lmvec
 *     ./procfloor [LEN [MODE [NT]]]      (defaults 20 1 20000; LEN <= 128, NT <= 2^24)
 *
 * -fveclib=libmvec lets Clang call glibc's vector log, sin and cos for Box-Muller (GCC 12 left
 * that loop scalar: 17 ns per synapse); the runtime's generated code would use its own
 * vector math (Clang 14 calls glibc's 4-lane AVX2 versions even with 512-bit vectors
 * preferred). Each run takes 3 rounds of 4M parts, every part of LEN synapses (the
 * microcircuit's vary in length), on 1 thread. Not part of `make check`; bench/HISTORY.md,
 * "Procedural connectivity, measured", has its figures.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "axon/rng.h"
#include "floor.h"

#define MAXLEN 128
#define BATCH 64
#define MAXB (BATCH * (3 * MAXLEN + 3) / 4) /* Philox blocks of a batch, at most */
#define MAXS (BATCH * MAXLEN)               /* synapses of a batch, at most */
#ifndef NPARTS
#define NPARTS 4000000 /* a multiple of BATCH */
#endif
_Static_assert(NPARTS % BATCH == 0, "NPARTS must be a multiple of BATCH");

/* Philox4x32-10 over n blocks with counters (b0[l], b1[l], c2, 0): word 4 l + q of out is word
 * q of block l. Clang inlines the runtime's own function, unrolls its rounds and vectorises
 * the loop over blocks. */
static void philox_lanes(uint32_t n, const uint32_t *b0, const uint32_t *b1, uint32_t c2,
                         uint32_t key0, uint32_t key1, uint32_t *out)
{
    const uint32_t key[2] = {key0, key1};
    for (uint32_t l = 0; l < n; l++) {
        const uint32_t ctr[4] = {b0[l], b1[l], c2, 0};
        axon_philox4x32_10(ctr, key, out + 4 * l);
    }
}

/* Marsaglia & Tsang's (2000) ziggurat of 128 layers for the normal distribution, on 32-bit
 * words: most draws take one word, two table loads, a compare and a multiply (a vector loop
 * below); the rest (2.8%: the mean of kn[i] / 2^31 is 0.972, and layer 1 always leaves) go
 * through zig_fix, which draws its extra uniforms here from a xorshift of the word (a real
 * implementation would take further Philox words). */
static int32_t kn[128];
static double wn[128], fn[128];

static void zig_set(void)
{
    const double m1 = 2147483648.0, vn = 9.91256303526217e-3;
    double dn = 3.442619855899, tn = dn, q = vn / exp(-.5 * dn * dn);
    kn[0] = (int32_t)(dn / q * m1);
    kn[1] = 0;
    wn[0] = q / m1;
    wn[127] = dn / m1;
    fn[0] = 1.0;
    fn[127] = exp(-.5 * dn * dn);
    for (int i = 126; i >= 1; i--) {
        dn = sqrt(-2. * log(vn / dn + exp(-.5 * dn * dn)));
        kn[i + 1] = (int32_t)(dn / tn * m1);
        tn = dn;
        fn[i] = exp(-.5 * dn * dn);
        wn[i] = dn / m1;
    }
}

static double zig_uni(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return ((double)*x + 0.5) * 0x1p-32;
}

static double zig_fix(int32_t hz)
{
    const double r = 3.442619855899;
    uint32_t x = (uint32_t)hz | 1;
    for (;;) {
        int iz = hz & 127;
        double v = hz * wn[iz];
        if (iz == 0) {
            double a, b;
            do {
                a = -log(zig_uni(&x)) / r;
                b = -log(zig_uni(&x));
            } while (b + b < a * a);
            return hz > 0 ? r + a : -r - a;
        }
        if (fn[iz] + zig_uni(&x) * (fn[iz - 1] - fn[iz]) < exp(-.5 * v * v))
            return v;
        zig_uni(&x);
        hz = (int32_t)x;
        if ((hz < 0 ? -(int64_t)hz : (int64_t)hz) < kn[hz & 127])
            return hz * wn[hz & 127];
    }
}

/* Every part drawn and delivered, BATCH parts at a time (a step's queue holds thousands):
 * the batch's blocks in one Philox pass, its weights (modes 1-3) in one pass, then each
 * part's synapses added in order. Returns CPU seconds. */
static double run(int len, int mode, uint32_t nt, double *in, uint64_t seed)
{
    /* a part's words: len targets, then (modes 1-3) its weights' words: wpp for each pair of
       synapses (Box-Muller), or one for each synapse (the ziggurat) */
    const uint32_t half = (uint32_t)(len + 1) / 2, npair = half * BATCH;
    const uint32_t wpp = mode == 1 ? 2 : 4;
    const uint32_t words = (uint32_t)len + (mode == 0 ? 0 : mode == 3 ? (uint32_t)len : wpp * half);
    const uint32_t nb = (words + 3) / 4, n = nb * BATCH;
    const double mu = 87.8, sd = 8.78, u32 = 0x1p-32, tau = 6.283185307179586;
    static uint32_t b0[MAXB], pp[MAXB], b1[MAXB], w[4 * MAXB];
    static double ua[MAXS], ub[MAXS], wt[MAXS + BATCH];
    for (uint32_t l = 0; l < n; l++) {
        b0[l] = l % nb; /* the block within its part */
        pp[l] = l / nb; /* the part within the batch */
    }
    double c0 = cpu_s();
    for (uint32_t k0 = 0; k0 < NPARTS; k0 += BATCH) {
        for (uint32_t l = 0; l < n; l++)
            b1[l] = k0 + pp[l];
        philox_lanes(n, b0, b1, 7, (uint32_t)seed, (uint32_t)(seed >> 32), w);
        if (mode == 3) {
            /* word len + x of a part is synapse x's ziggurat word */
            static int32_t hz[MAXS];
            static uint32_t badq[MAXS];
            const uint32_t ns = (uint32_t)len * BATCH;
            for (uint32_t p = 0; p < BATCH; p++)
                for (int x = 0; x < len; x++)
                    hz[p * (uint32_t)len + (uint32_t)x] =
                        (int32_t)w[4 * nb * p + (uint32_t)len + (uint32_t)x];
            for (uint32_t q = 0; q < ns; q++) {
                int32_t h = hz[q];
                wt[q] = mu + sd * ((double)h * wn[h & 127]);
            }
            uint32_t nbad = 0;
            for (uint32_t q = 0; q < ns; q++) {
                int32_t h = hz[q];
                uint32_t a = h < 0 ? 0u - (uint32_t)h : (uint32_t)h;
                badq[nbad] = q;
                nbad += a >= (uint32_t)kn[h & 127];
            }
            for (uint32_t b = 0; b < nbad; b++)
                wt[badq[b]] = mu + sd * zig_fix(hz[badq[b]]);
        } else if (mode != 0) {
            /* synapses 2 x and 2 x + 1 of a part share pair x of uniforms */
            for (uint32_t q = 0; q < npair; q++) {
                const uint32_t *u = w + 4 * nb * (q / half) + (uint32_t)len + wpp * (q % half);
                if (mode == 1) {
                    ua[q] = ((double)u[0] + 0.5) * u32;
                    ub[q] = ((double)u[1] + 0.5) * u32;
                } else {
                    ua[q] = axon_rng_u53_open(axon_rng_bits53(u[0], u[1]));
                    ub[q] = axon_rng_u53_open(axon_rng_bits53(u[2], u[3]));
                }
            }
            for (uint32_t q = 0; q < npair; q++) {
                double r = sd * sqrt(-2.0 * log(ua[q]));
                wt[2 * q] = mu + r * cos(tau * ub[q]);
                wt[2 * q + 1] = mu + r * sin(tau * ub[q]);
            }
        }
        for (uint32_t p = 0; p < BATCH; p++) {
            const uint32_t *u = w + 4 * nb * p;
            const double *v = wt + (mode == 3 ? (uint32_t)len : 2 * half) * p;
            for (int x = 0; x < len; x++)
                in[(uint64_t)u[x] * nt >> 32] += mode == 0 ? mu : v[x];
        }
    }
    return cpu_s() - c0;
}

int main(int argc, char **argv)
{
    int len = argc > 1 ? atoi(argv[1]) : 20, mode = argc > 2 ? atoi(argv[2]) : 1;
    long nt = argc > 3 ? atol(argv[3]) : 20000;
    if (len < 1 || len > MAXLEN || mode < 0 || mode > 3 || nt < 1 || nt > 1 << 24) {
        fprintf(stderr, "usage: procfloor [LEN (1-128) [MODE (0-3) [NT (1-16777216)]]]\n");
        return 2;
    }
    double *in = big((size_t)nt * sizeof *in);
    zig_set();
    for (int round = 0; round < 3; round++) {
        double c = run(len, mode, (uint32_t)nt, in, 12345 + (uint64_t)round);
        printf("procedural parts of %d, mode %d, %ld targets: %.3f ns/synapse, %.1f ns/part\n", len,
               mode, nt, c / ((double)NPARTS * len) * 1e9, c / (double)NPARTS * 1e9);
    }
    double chk = 0;
    for (long j = 0; j < nt; j++)
        chk += in[j];
    printf("(checksum %g)\n", chk);
    free(in);
    return 0;
}
