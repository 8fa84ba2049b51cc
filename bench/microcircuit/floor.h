/*
 * What memfloor.c, ringfloor.c, procfloor.c and bench/stdp/onprefloor.c share: the process's CPU
 * time, zeroed memory on transparent huge pages (as the runtime's synapse arrays are), and random
 * places in it. Each program includes it once; each program's header says how to build it.
 */
#ifndef AXON_BENCH_FLOOR_H
#define AXON_BENCH_FLOOR_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define HUGE_PAGE ((size_t)2 << 20)

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* n zeroed bytes on huge pages where the kernel gives them; exits with a message if none */
static void *big(size_t n)
{
    n = (n + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p = aligned_alloc(HUGE_PAGE, n);
    if (!p) {
        fprintf(stderr, "out of memory (%zu bytes)\n", n);
        exit(1);
    }
#ifdef MADV_HUGEPAGE
    (void)madvise(p, n, MADV_HUGEPAGE);
#endif
    memset(p, 0, n);
    return p;
}

/* n places in [0, span), multiples of unit, at random (xorshift64 from a fixed seed: the same
 * places every run); exits with a message if out of memory */
__attribute__((unused)) static uint64_t *places(size_t n, uint64_t span, uint64_t unit)
{
    uint64_t *pb = malloc(n * sizeof *pb), x = 88172645463325252ull;
    if (!pb) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (size_t k = 0; k < n; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        pb[k] = x % span / unit * unit;
    }
    return pb;
}

#endif
