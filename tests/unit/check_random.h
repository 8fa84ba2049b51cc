/* splitmix64: a deterministic generator owned by each test (check_sx.c, check_sema.c). */
#ifndef AXON_CHECK_RANDOM_H
#define AXON_CHECK_RANDOM_H

#include <stdint.h>

typedef struct {
    uint64_t s;
} rng;

/* uniform in [0, 1) */
static inline double urand(rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1.0p-53;
}

static inline double uniform(rng *r, double lo, double hi)
{
    return lo + (hi - lo) * urand(r);
}

#endif
