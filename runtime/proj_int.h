/*
 * What proj.c (connectivity, synapse state), proj_check.c (the descriptors' validation) and
 * deliver.c (delivery, continuous synapses, plasticity) share: the limits and connector rules
 * both the validation and the building follow, the post-ordered index as the kernels read it,
 * and row cutting by target.
 */
#ifndef AXON_PROJ_INT_H
#define AXON_PROJ_INT_H

#include <stdint.h>

#include "sim.h"

#define RT_MAX_SYN UINT32_MAX         /* synapses per projection */
#define RT_MAX_POST16 65536u          /* post neurons of 16-bit targets (AXON_PROJ_POST16) */
#define RT_MAX_DELAY ((1u << 24) - 1) /* delay_steps */
#define RT_MAX_PROJS (1u << 22)       /* projection index fits the stream id */

/* pre == post without autapses: i -> i is excluded. */
static inline int rt_no_self(const axon_proj_desc *d)
{
    return d->pre == d->post && !d->autapses;
}

/* Candidates of one neuron's draws among n (one fewer when i -> i is excluded). */
static inline uint32_t rt_candidates(const axon_proj_desc *d, uint32_t n)
{
    return rt_no_self(d) && n > 0 ? n - 1 : n;
}

/* Column j of the post-ordered index as the kernels take it (model.h: pre_of, syn_of, begin,
 * end): the index itself, or a packed index unpacked into buf (rt_col_buf) as entries
 * [0, length). */
typedef struct {
    const uint32_t *pre, *syn;
    uint64_t b, e;
} rt_col_view;

rt_col_view rt_col_entries(const rt_proj *pr, uint32_t j, uint32_t *buf);
/* Builds pr's post-ordered index (proj_cols.c) with scratch for nthreads threads. */
axon_status rt_build_cols(rt_proj *pr, int nthreads);
/* An aligned array of cap indices whose padding [n, cap) is zero (proj.c). */
uint32_t *rt_alloc_index(uint64_t n, uint64_t cap);
/* Turns a deferred on_post back into the eager column walk (proj.c, after a flush). */
void rt_proj_undefer(axon_sim *s, rt_proj *pr);
/* The scratch of thread `task` for rt_col_entries (two buffers, by the parity of `which`). */
uint32_t *rt_col_buf(const rt_proj *pr, int task, uint64_t which);
/* Cuts the synapses [*rb, *re) (targets increasing) to those whose targets are in [lo, hi). */
void rt_cut(const rt_proj *pr, uint64_t *rb, uint64_t *re, uint32_t lo, uint32_t hi,
            uint32_t npost);

#endif
