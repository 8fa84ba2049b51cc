/*
 * Internal: the simulation object shared by engine.c (state, stepping), record.c (recorders)
 * and write.c (output files).
 */
#ifndef AXON_RT_SIM_H
#define AXON_RT_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "axon/axon.h"
#include "pool.h"

#define RT_BLOCK 16 /* neurons per alignment block: array padding and chunk boundaries */

typedef struct {
    const axon_pop_desc *d;
    uint32_t size;
    uint32_t cap;   /* size rounded up to RT_BLOCK (at least RT_BLOCK) */
    void **vars;    /* d->nvars arrays of cap values */
    uint8_t *fired; /* cap flags; NULL for non-spiking populations */
    uint32_t *spk;  /* the current step's spikes, nspk of them; room for size */
    size_t nspk;
    int nchunks;      /* 0 for an empty population */
    uint32_t *bounds; /* nchunks + 1 chunk boundaries */
    size_t *chunk_n;  /* spikes found by each chunk in the current step */
    uint64_t nspikes; /* all spikes so far */
    int spike_rec;    /* index of its first spike record, or -1 */
} rt_pop;

typedef struct {
    const axon_record_desc *d;
    int kind; /* AXON_REC_SPIKES, _STATE or _RATE */
    int pop;
    int var;             /* state records */
    uint32_t every;      /* sampling period in steps (1 for spike records) */
    uint32_t nsub;       /* state: columns (population size when the subset is all) */
    const uint32_t *sub; /* state: the descriptor's subset, NULL = all neurons */
    size_t n;            /* spikes or samples so far */
    size_t cap;          /* capacity of the arrays below, in spikes or samples */
    double *t;           /* spike or sample times */
    uint32_t *idx;       /* spikes: neuron indices */
    void *vals;          /* state: n rows of nsub values of the model precision */
    double *rate;        /* rate: Hz */
    uint64_t acc;        /* rate: spikes since the last sample */
} rt_rec;

struct axon_sim {
    const axon_model_desc *m;
    uint64_t seed;
    int threads; /* requested, >= 1 */
    size_t esz;  /* bytes per stored value */
    double dt;
    uint64_t step; /* steps done */
    rt_pop *pops;
    rt_rec *recs;
    rt_pool *pool; /* NULL when every population runs as one chunk */
    double wall;
    axon_err err;
};

/* record.c */
axon_status rt_rec_init(axon_sim *s, axon_err *err);
void rt_rec_free(axon_sim *s);
/* Reserves sample storage for the steps [s->step, s->step + nsteps). */
axon_status rt_rec_reserve_run(axon_sim *s, uint64_t nsteps, axon_err *err);
/* Reserves room for a worst-case step (every neuron of every recorded population fires). */
axon_status rt_rec_reserve_step(axon_sim *s, axon_err *err);
/* Records population pi after its update in step s->step; cannot fail after the reserves. */
void rt_rec_pop_step(axon_sim *s, int pi);

#endif /* AXON_RT_SIM_H */
