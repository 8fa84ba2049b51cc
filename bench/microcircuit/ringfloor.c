/*
 * ringfloor: what the microcircuit's delivery would cost at least with a ring of inputs per
 * delay at each target (NEST's layout), on this machine's memory, without Axon; to compare
 * with memfloor.c, which measures Axon's layout (a spike's row read one delay part at a time,
 * each part in the step it is due).
 *
 * Synapses as the runtime stores them (2-byte targets and 8-byte weights, each in its own
 * array on transparent huge pages, NSYN of them). A spike's row of ROW synapses, at a random
 * place, is read whole and in order when the spike arrives (every line of it prefetched AHEAD
 * rows ahead); its synapses come in parts of LEN, one per delay, and part p adds its weights
 * to slot (n + 1 + p) mod D of a ring of D slots of NT inputs (double or float): one
 * scattered read-modify-write per synapse, into D * NT inputs. Every SPS rows the step ends:
 * its slot is added to the targets' inputs and cleared, as a neuron update would read it.
 *
 *     cc -O2 bench/microcircuit/ringfloor.c -o ringfloor
 *     ./ringfloor [ROW [LEN [NT [D [FLOAT [SPS [AHEAD [NSYN]]]]]]]]
 *                 (defaults 500 25 20000 64 0 52 8 150000000)
 *
 * The defaults are the microcircuit's largest target population (L2/3e, 20,683 neurons), a
 * row of one projection (3,873 synapses per neuron over its 8 projections: about 500), about
 * 20-25 synapses per delay and 1.3 inputs per target and step (SPS rows of ROW synapses per
 * step: 26,000 events for 20,000 targets). `./ringfloor 80 20 20000 8 0 325` reads 4 delays
 * of a row at once into a ring of 8 slots that L2 holds (1.3 MB): a middle way.
 *
 * Prints CPU ns per synapse (CLOCK_PROCESS_CPUTIME_ID). Not part of `make check`;
 * bench/HISTORY.md, "A ring of inputs per delay, measured", has its figures.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "floor.h"

/* Prefetches the lines of [p, p + n) into L2. */
static inline void lines(const void *p, size_t n)
{
    for (uintptr_t a = (uintptr_t)p & ~(uintptr_t)63, e = (uintptr_t)p + n; a < e; a += 64)
        __builtin_prefetch((const void *)a, 0, 2);
}

typedef struct {
    int row, len, nt, d, fl, sps, ahead;
} shape;

/* The pass over nrows rows starting at rb[]; returns CPU seconds. */
static double ring(const shape *h, const uint16_t *t, const double *w, void *r, double *in,
                   const uint64_t *rb, size_t nrows)
{
    double *rd = r;
    float *rf = r;
    const size_t nt = (size_t)h->nt;
    uint64_t n = 0;
    double c0 = cpu_s();
    for (size_t k = 0; k < nrows; k++) {
        if (k + (size_t)h->ahead < nrows) {
            lines(t + rb[k + (size_t)h->ahead], (size_t)h->row * sizeof *t);
            lines(w + rb[k + (size_t)h->ahead], (size_t)h->row * sizeof *w);
        }
        const uint16_t *tk = t + rb[k];
        const double *wk = w + rb[k];
        for (int p = 0, x = 0; x < h->row; p++) {
            const size_t s = (size_t)((n + 1 + (uint64_t)p) % (uint64_t)h->d) * nt;
            const int e = x + h->len < h->row ? x + h->len : h->row;
            if (h->fl)
                for (; x < e; x++)
                    rf[s + tk[x]] += (float)wk[x];
            else
                for (; x < e; x++)
                    rd[s + tk[x]] += wk[x];
        }
        if ((k + 1) % (size_t)h->sps == 0) { /* the step's slot to the inputs, cleared */
            const size_t s = (size_t)(n % (uint64_t)h->d) * nt;
            for (size_t j = 0; j < nt; j++) {
                in[j] += h->fl ? (double)rf[s + j] : rd[s + j];
                if (h->fl)
                    rf[s + j] = 0;
                else
                    rd[s + j] = 0;
            }
            n++;
        }
    }
    return cpu_s() - c0;
}

int main(int argc, char **argv)
{
    shape h = {.row = argc > 1 ? atoi(argv[1]) : 500,
               .len = argc > 2 ? atoi(argv[2]) : 25,
               .nt = argc > 3 ? atoi(argv[3]) : 20000,
               .d = argc > 4 ? atoi(argv[4]) : 64,
               .fl = argc > 5 ? atoi(argv[5]) : 0,
               .sps = argc > 6 ? atoi(argv[6]) : 52,
               .ahead = argc > 7 ? atoi(argv[7]) : 8};
    size_t nsyn = argc > 8 ? strtoull(argv[8], NULL, 10) : 150000000;
    if (h.row < 1 || h.len < 1 || h.nt < 1 || h.nt > 65536 || h.d < 2 || h.sps < 1 ||
        h.ahead < 1 || nsyn < (size_t)h.row * 2 || (h.row + h.len - 1) / h.len >= h.d) {
        fprintf(stderr, "usage: ringfloor [ROW [LEN [NT (<= 65536) [D (> ROW / LEN) [FLOAT (0 "
                        "or 1) [SPS [AHEAD [NSYN]]]]]]]]\n");
        return 2;
    }
    uint16_t *t = big(nsyn * sizeof *t);
    double *w = big(nsyn * sizeof *w);
    for (size_t k = 0; k < nsyn; k++) {
        t[k] = (uint16_t)((k * 2654435761u >> 7) % (unsigned)h.nt);
        w[k] = 1e-3 * (double)(k & 7);
    }
    /* a part's targets ascending, as in a row of the runtime's */
    for (size_t b = 0; b + (size_t)h.len <= nsyn; b += (size_t)h.len)
        for (size_t i = b + 1; i < b + (size_t)h.len; i++)
            for (size_t j = i; j > b && t[j - 1] > t[j]; j--) {
                uint16_t v = t[j];
                t[j] = t[j - 1];
                t[j - 1] = v;
            }
    void *r = big((size_t)h.nt * (size_t)h.d * (h.fl ? sizeof(float) : sizeof(double)));
    double *in = big((size_t)h.nt * sizeof *in);
    /* 4M parts' worth of rows at random places (xorshift64), each starting a part */
    size_t nrows = 4000000 / (size_t)((h.row + h.len - 1) / h.len);
    uint64_t *rb = places(nrows, nsyn - (size_t)h.row, (uint64_t)h.len);
    double c = ring(&h, t, w, r, in, rb, nrows), chk = 0;
    for (int j = 0; j < h.nt; j++)
        chk += in[j];
    printf("rows of %d in parts of %d, a ring of %d x %d %s inputs (%.1f MB), %d rows a step: "
           "%.3f ns/synapse (checksum %g)\n",
           h.row, h.len, h.d, h.nt, h.fl ? "float" : "double",
           (double)h.nt * h.d * (h.fl ? 4 : 8) / 1e6, h.sps,
           c / ((double)nrows * h.row) * 1e9, chk);
    return 0;
}
