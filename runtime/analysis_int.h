/*
 * Internal: what the analysis files (trains.c, pairs.c, spectrum.c, weights.c, summary.c,
 * figures.c) share: the spike-train index and the binning rule.
 */
#ifndef AXON_RT_ANALYSIS_INT_H
#define AXON_RT_ANALYSIS_INT_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "axon/analysis.h"
#include "axon/rng.h"

/* Spikes within this fraction of a bin from an edge lie on it (analysis.h, "Time"). */
#define RT_BIN_TOL 1e-9

struct axon_trains {
    char *name;
    uint32_t size;
    size_t n;
    double t0, t1, dt;
    size_t *off; /* size + 1: neuron k's spikes are t[off[k] .. off[k+1]) */
    double *t;   /* sorted within each neuron */
};

/* The bin of a spike at time t > t0: bin k holds (t0 + k b, t0 + (k+1) b]. */
static inline size_t rt_bin_of(double t, double t0, double b)
{
    double x = ceil((t - t0) / b - RT_BIN_TOL) - 1;
    return x < 0 ? 0 : (size_t)x;
}

/* Draws npairs pairs i != j of [0, n) (all pairs, i < j, when there are at most npairs), into
 * pi / pj (npairs entries each, allocated by the caller); returns their number. */
size_t rt_pairs(uint32_t n, uint32_t npairs, uint64_t seed, uint32_t *pi, uint32_t *pj);

/* Mean and sample-free std (ddof 0) of the finite values of x; NaN for none. */
void rt_mean_std(const double *x, size_t n, double *mean, double *std, size_t *used);

#endif /* AXON_RT_ANALYSIS_INT_H */
