/*
 * What the microcircuit's background draw costs in C, and what a draw sharing Philox blocks
 * would cost (bench/HISTORY.md, "The neuron half of the step"): Philox4x32-10 as
 * axon_philox4x32_10 (runtime/include/axon/rng.h) computes it, over the microcircuit's 77,169
 * neurons per step, (1) one block per neuron, its first 32-bit word used (what `rand()` pays
 * per neuron and draw), (2) one block per 4 neighbouring neurons, its four words used. CPU ns
 * per neuron, 3 rounds of 3000 steps each:
 *
 *     clang -O3 -march=native bench/microcircuit/philox.c -o philox && ./philox
 *
 * Not part of `make check`; the output is not checked against the runtime's draws.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#define M0 0xD2511F53u
#define M1 0xCD9E8D57u
#define W0 0x9E3779B9u
#define W1 0xBB67AE85u
static inline void philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, uint32_t o[4])
{
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)M0 * c0, p1 = (uint64_t)M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c1 = (uint32_t)p1; c3 = (uint32_t)p0; c0 = n0; c2 = n2; k0 += W0; k1 += W1;
    }
    o[0] = c0; o[1] = c1; o[2] = c2; o[3] = c3;
}
/* one block per neuron: 32-bit word 0 */
__attribute__((noinline)) void per_neuron(uint32_t *out, int n, uint64_t step, uint64_t seed)
{
    for (int i = 0; i < n; i++) {
        uint32_t o[4];
        philox((uint32_t)i, 7, (uint32_t)step, (uint32_t)(step >> 32), (uint32_t)seed, (uint32_t)(seed >> 32), o);
        out[i] = o[0];
    }
}
/* one block per 4 neurons */
__attribute__((noinline)) void per_block(uint32_t *out, int n, uint64_t step, uint64_t seed)
{
    for (int j = 0; j < (n + 3) / 4; j++) {
        uint32_t o[4];
        philox((uint32_t)j, 7, (uint32_t)step, (uint32_t)(step >> 32), (uint32_t)seed, (uint32_t)(seed >> 32), o);
        out[4 * j] = o[0]; out[4 * j + 1] = o[1]; out[4 * j + 2] = o[2]; out[4 * j + 3] = o[3];
    }
}
static double cpu(void) { struct timespec t; clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
int main(void)
{
    int n = 77169, steps = 3000;
    uint32_t *out = malloc((n + 4) * sizeof *out);
    uint64_t acc = 0;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = cpu();
        for (int s = 0; s < steps; s++) { per_neuron(out, n, s, 1); acc += out[s % n]; }
        double t1 = cpu();
        for (int s = 0; s < steps; s++) { per_block(out, n, s, 1); acc += out[s % n]; }
        double t2 = cpu();
        printf("per neuron %.3f ns, per block of 4 %.3f ns per neuron\n", (t1 - t0) / ((double)n * steps) * 1e9, (t2 - t1) / ((double)n * steps) * 1e9);
    }
    return (int)(acc & 1);
}
