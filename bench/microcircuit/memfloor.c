/*
 * memfloor: what the microcircuit's delivery costs at least on this machine's memory, without
 * Axon. Synapses as the runtime stores them (2-byte targets and 8- or 4-byte weights, each in
 * its own array backed by transparent huge pages, NSYN of them: the synapse data of the
 * microcircuit at scale 0.5), read
 *   stream  in order, target and weight of every synapse (the bandwidth floor);
 *   parts   in parts of LEN consecutive synapses starting at random places (a due part of a
 *           row: delivery's access pattern), each part's `in[target] += weight`, in batches of
 *           BATCH parts whose lines are all prefetched first (as deliver.c does), with
 *           prefetcht0 (into L1) or prefetcht1 (into L2);
 *   packed  the same parts with each synapse's target and weight side by side in one array
 *           (records of 2 + WBYTES bytes, unaligned): a layout the runtime does not have, to
 *           see what fewer lines per part would buy.
 * Prints CPU ns per synapse and per part (CLOCK_PROCESS_CPUTIME_ID).
 *
 *     cc -O2 bench/microcircuit/memfloor.c -o memfloor
 *     ./memfloor [LEN [BATCH [WBYTES [NSYN]]]]     (defaults 25 64 8 150000000)
 *
 * Not part of `make check`. bench/HISTORY.md, "The microcircuit's delivery against the memory
 * floor", has its figures on the Intel host.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "floor.h"

#define NIN 16384 /* targets: a population's inputs, in L1/L2 as in the microcircuit */

/* Prefetches the lines of [p, p + n) into L1 (t1 = 0) or L2 (t1 = 1). */
static inline void lines(const void *p, size_t n, int t1)
{
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)63, e = (uintptr_t)p + n;
    for (; a < e; a += 64) {
        if (t1)
            __builtin_prefetch((const void *)a, 0, 2);
        else
            __builtin_prefetch((const void *)a, 0, 3);
    }
}

/* The parts pass; returns CPU seconds. */
static double parts(const uint16_t *t, const void *w, int wbytes, double *in, const uint64_t *pb,
                    size_t nparts, int len, int batch, int t1)
{
    const double *wd = w;
    const float *wf = w;
    double c0 = cpu_s();
    for (size_t k0 = 0; k0 < nparts; k0 += (size_t)batch) {
        size_t k1 = k0 + (size_t)batch < nparts ? k0 + (size_t)batch : nparts;
        for (size_t k = k0; k < k1; k++) {
            lines(t + pb[k], (size_t)len * sizeof *t, t1);
            lines((const char *)w + pb[k] * (size_t)wbytes, (size_t)len * (size_t)wbytes, t1);
        }
        for (size_t k = k0; k < k1; k++) {
            uint64_t b = pb[k];
            if (wbytes == 8)
                for (int x = 0; x < len; x++)
                    in[t[b + x]] += wd[b + x];
            else
                for (int x = 0; x < len; x++)
                    in[t[b + x]] += wf[b + x];
        }
    }
    return cpu_s() - c0;
}

/* The parts pass over packed records (target, then weight); returns CPU seconds. */
static double packed(const char *r, int wbytes, double *in, const uint64_t *pb, size_t nparts,
                     int len, int batch, int t1)
{
    const size_t rs = 2 + (size_t)wbytes;
    double c0 = cpu_s();
    for (size_t k0 = 0; k0 < nparts; k0 += (size_t)batch) {
        size_t k1 = k0 + (size_t)batch < nparts ? k0 + (size_t)batch : nparts;
        for (size_t k = k0; k < k1; k++)
            lines(r + pb[k] * rs, (size_t)len * rs, t1);
        for (size_t k = k0; k < k1; k++) {
            const char *q = r + pb[k] * rs;
            for (int x = 0; x < len; x++, q += rs) {
                uint16_t tg;
                memcpy(&tg, q, 2);
                if (wbytes == 8) {
                    double wv;
                    memcpy(&wv, q + 2, 8);
                    in[tg] += wv;
                } else {
                    float wv;
                    memcpy(&wv, q + 2, 4);
                    in[tg] += wv;
                }
            }
        }
    }
    return cpu_s() - c0;
}

int main(int argc, char **argv)
{
    int len = argc > 1 ? atoi(argv[1]) : 25, batch = argc > 2 ? atoi(argv[2]) : 64;
    int wbytes = argc > 3 ? atoi(argv[3]) : 8;
    size_t nsyn = argc > 4 ? strtoull(argv[4], NULL, 10) : 150000000;
    if (len < 1 || batch < 1 || (wbytes != 4 && wbytes != 8) || nsyn < (size_t)len * 2) {
        fprintf(stderr, "usage: memfloor [LEN [BATCH [WBYTES (4 or 8) [NSYN]]]]\n");
        return 2;
    }
    uint16_t *t = big(nsyn * sizeof *t);
    void *w = big(nsyn * (size_t)wbytes);
    double *in = big(NIN * sizeof *in);
    for (size_t k = 0; k < nsyn; k++) {
        t[k] = (uint16_t)((k * 2654435761u >> 7) % NIN);
        if (wbytes == 8)
            ((double *)w)[k] = 1e-3 * (double)(k & 7);
        else
            ((float *)w)[k] = 1e-3f * (float)(k & 7);
    }
    /* stream */
    double c0 = cpu_s(), sum = 0;
    for (size_t k = 0; k < nsyn; k++)
        sum += (wbytes == 8 ? ((double *)w)[k] : ((float *)w)[k]) + t[k];
    double c = cpu_s() - c0;
    printf("stream: %.3f ns/synapse, %.2f GB/s (%zu synapses of %d bytes; sum %g)\n",
           c / (double)nsyn * 1e9, (double)nsyn * (2.0 + wbytes) / c / 1e9, nsyn, 2 + wbytes,
           sum);
    /* parts at random places (xorshift64), the same for both prefetch kinds */
    size_t nparts = 4000000;
    uint64_t *pb = places(nparts, nsyn - (size_t)len, 1);
    for (int t1 = 0; t1 < 2; t1++) {
        c = parts(t, w, wbytes, in, pb, nparts, len, batch, t1);
        printf("parts of %d, batches of %d, prefetcht%d: %.3f ns/synapse, %.1f ns/part\n", len,
               batch, t1, c / ((double)nparts * len) * 1e9, c / (double)nparts * 1e9);
    }
    /* the same synapses packed, the split arrays freed first (the same footprint) */
    const size_t rs = 2 + (size_t)wbytes;
    char *r = big(nsyn * rs);
    for (size_t k = 0; k < nsyn; k++) {
        memcpy(r + k * rs, t + k, 2);
        memcpy(r + k * rs + 2, (char *)w + k * (size_t)wbytes, (size_t)wbytes);
    }
    free(t);
    free(w);
    for (int t1 = 0; t1 < 2; t1++) {
        c = packed(r, wbytes, in, pb, nparts, len, batch, t1);
        printf("packed parts of %d, batches of %d, prefetcht%d: %.3f ns/synapse, %.1f ns/part\n",
               len, batch, t1, c / ((double)nparts * len) * 1e9, c / (double)nparts * 1e9);
    }
    double chk = 0;
    for (int j = 0; j < NIN; j++)
        chk += in[j];
    printf("(checksum %g)\n", chk);
    return 0;
}
