/*
 * What proj.c (connectivity, synapse state) and deliver.c (delivery, continuous synapses,
 * plasticity) share: the post-ordered index as the kernels read it, and row cutting by target.
 */
#ifndef AXON_PROJ_INT_H
#define AXON_PROJ_INT_H

#include <stdint.h>

#include "sim.h"

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
