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
    /* The population's spikes per time step of the window, counted once while the input is
     * still in time order (NULL when dt is unknown or the window is not whole steps): every
     * population binning in whole steps sums these instead of scattering every spike again. */
    uint32_t *steps;
    size_t nsteps;
};

/* counts[k] (k < nb) = the population's spikes in bin k of width bin, as 32-bit counts. */
void rt_pop_counts_u32(const axon_trains *tr, double bin, uint32_t *counts, size_t nb);

/* The bin of a spike at time t > t0: bin k holds (t0 + k b, t0 + (k+1) b], i.e. k =
 * ceil(x) - 1 for x = (t - t0) / b less the tolerance. Written without ceil(), which is a
 * libm call on baseline x86-64 and the cost of binning tens of millions of spikes. */
static inline size_t rt_bin_of(double t, double t0, double b)
{
    double x = (t - t0) / b - RT_BIN_TOL;
    if (!(x > 0))
        return 0;
    size_t k = (size_t)x; /* floor */
    return (double)k == x ? k - 1 : k;
}

/* Draws npairs pairs i != j of [0, n) (all pairs, i < j, when there are at most npairs), into
 * pi / pj (npairs entries each, allocated by the caller); returns their number. */
size_t rt_pairs(uint32_t n, uint32_t npairs, uint64_t seed, uint32_t *pi, uint32_t *pj);

/* Mean and sample-free std (ddof 0) of the finite values of x; NaN for none. */
void rt_mean_std(const double *x, size_t n, double *mean, double *std, size_t *used);

#endif /* AXON_RT_ANALYSIS_INT_H */
