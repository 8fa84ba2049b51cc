/*
 * The post-ordered index of a projection's synapses, for its on_post handlers (sim.h: col,
 * col_pk, col_first, col_pre, col_syn): built once by rt_build_cols (proj.c, rt_proj_index),
 * read column by column through rt_col_entries. Split from proj.c, which builds the rest of
 * the connectivity.
 */
#include <stdlib.h>
#include <string.h>

#include "proj_int.h"

/* Bits to write the values 0 .. n - 1. */
static uint32_t rt_bits(uint64_t n)
{
    uint32_t b = 0;
    while (b < 64 && n > ((uint64_t)1 << b))
        b++;
    return b;
}

/* Entry k of a packed index of `width` bytes per entry, little-endian (the array has 3 bytes
 * of padding: four are read). */
static inline uint32_t rt_col_word(const uint8_t *pk, uint32_t width, uint64_t k)
{
    const uint8_t *p = pk + k * width;
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return width == 4 ? v : v & (((uint32_t)1 << (8 * width)) - 1);
}

/* The post-ordered index of on_post handlers: for each post j, its synapses in increasing
 * order of (pre, synapse), by a counting sort of the CSR. The pres increase along a column, so
 * each entry can be stored as (dpre << col_shift) | r in col_width = 2, 3 or 4 bytes: dpre the
 * step from the previous entry's pre (from col_first[j], the column's first pre, for its first
 * entry), r the synapse's place in its row (the synapse is row[pre] + r); rt_col_entries unpacks
 * a column by a running sum. Where that does not fit in 4 bytes, or would not take less memory
 * (with the first pres and the threads' scratch), the entries are two words, the pre and the
 * synapse. The entries are the same either way. */
axon_status rt_build_cols(rt_proj *pr, int nthreads)
{
    size_t np = (size_t)pr->npost + 1;
    if (!(pr->col = rt_alloc_zeroed(np * sizeof *pr->col)))
        return AXON_ENOMEM;
    for (uint64_t k = 0; k < pr->nsyn; k++)
        pr->col[rt_target(pr, k) + 1]++;
    for (uint32_t j = 0; j < pr->npost; j++) {
        if (pr->col[j + 1] > pr->col_max)
            pr->col_max = pr->col[j + 1];
        pr->col[j + 1] += pr->col[j];
    }
    /* last: per column, the pre of its entry seen last (UINT32_MAX: none yet) */
    uint32_t *last = malloc(np * sizeof *last);
    uint64_t *next = malloc(np * sizeof *next);
    if (!last || !next) {
        free(last);
        free(next);
        return AXON_ENOMEM;
    }
    /* the largest step between the pres of successive entries of a column, the longest row */
    uint32_t dpre = 0;
    uint64_t rmax = 0;
    memset(last, 0xff, np * sizeof *last);
    for (uint32_t i = 0; i < pr->npre; i++) {
        if (pr->row[i + 1] - pr->row[i] > rmax)
            rmax = pr->row[i + 1] - pr->row[i];
        for (uint64_t k = pr->row[i]; k < pr->row[i + 1]; k++) {
            uint32_t *l = &last[rt_target(pr, k)];
            if (*l != UINT32_MAX && i - *l > dpre)
                dpre = i - *l;
            *l = i;
        }
    }
    /* the fewest bytes that hold an entry, where that takes less memory than two words (with
       the first pres and the threads' scratch) */
    uint32_t shift = rt_bits(rmax), bits = rt_bits((uint64_t)dpre + 1) + shift;
    uint32_t width = bits <= 16 ? 2 : bits <= 24 ? 3 : 4;
    size_t tmp = (size_t)nthreads * 4 * (size_t)pr->col_max;
    size_t pk = (size_t)pr->cap * width + 3;
    int packed = bits <= 32 && shift < 32 &&
                 pk + (np + tmp) * sizeof(uint32_t) < 2 * pr->cap * sizeof(uint32_t);
    if (!packed)
        tmp = pk = 0;
    if (packed ? !(pr->col_pk = rt_alloc_zeroed(pk)) ||
                     !(pr->col_first = calloc(np, sizeof *pr->col_first)) ||
                     !(pr->col_tmp = malloc((tmp ? tmp : 1) * sizeof *pr->col_tmp))
               : (!(pr->col_pre = rt_alloc_index(pr->nsyn, pr->cap)) ||
                  !(pr->col_syn = rt_alloc_index(pr->nsyn, pr->cap)))) {
        free(last);
        free(next);
        return AXON_ENOMEM;
    }
    memcpy(next, pr->col, np * sizeof *next);
    memset(last, 0xff, np * sizeof *last);
    for (uint32_t i = 0; i < pr->npre; i++)
        for (uint64_t k = pr->row[i]; k < pr->row[i + 1]; k++) {
            uint32_t j = rt_target(pr, k), *l = &last[j];
            uint64_t e = next[j]++;
            if (!packed) {
                pr->col_pre[e] = i;
                pr->col_syn[e] = (uint32_t)k;
                continue;
            }
            if (*l == UINT32_MAX) /* the column's first entry: 0 steps from col_first */
                *l = pr->col_first[j] = i;
            uint32_t v = ((i - *l) << shift) | (uint32_t)(k - pr->row[i]);
            for (uint32_t x = 0; x < width; x++)
                pr->col_pk[e * width + x] = (uint8_t)(v >> (8 * x));
            *l = i;
        }
    free(next);
    free(last);
    pr->col_shift = shift;
    pr->col_width = packed ? width : 0;
    pr->bytes += np * sizeof *pr->col + (packed ? pk + np * sizeof(uint32_t) + tmp * sizeof(uint32_t)
                                                : 2 * (size_t)pr->cap * sizeof(uint32_t));
    return AXON_OK;
}

/* Column j of the post-ordered index as the kernels take it (model.h: pre_of, syn_of, begin,
 * end): the index itself, or a packed index unpacked into buf (2 col_max entries: pre, then
 * synapse) as entries [0, length). */
rt_col_view rt_col_entries(const rt_proj *pr, uint32_t j, uint32_t *buf)
{
    uint64_t b = pr->col[j], e = pr->col[j + 1];
    if (!pr->col_pk)
        return (rt_col_view){pr->col_pre, pr->col_syn, b, e};
    uint32_t *pre = buf, *syn = buf + pr->col_max;
    uint32_t sh = pr->col_shift, mask = (uint32_t)(((uint64_t)1 << sh) - 1), w = pr->col_width;
    uint32_t i = pr->col_first[j];
    const uint64_t *row = pr->row;
    for (uint64_t k = b; k < e; k++) {
        uint32_t v = rt_col_word(pr->col_pk, w, k);
        i += v >> sh;
        pre[k - b] = i;
        syn[k - b] = (uint32_t)row[i] + (v & mask);
    }
    return (rt_col_view){pre, syn, 0, e - b};
}

/* The scratch of thread `task` for rt_col_entries: two buffers (rt_plastic_task unpacks the
 * next spike's column while the kernel reads this one's). */
uint32_t *rt_col_buf(const rt_proj *pr, int task, uint64_t which)
{
    return pr->col_tmp ? pr->col_tmp + ((size_t)task * 2 + (which & 1)) * 2 * pr->col_max : NULL;
}
