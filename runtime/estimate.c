/*
 * The memory a simulation of a model will take (axon_model_memory, axon.h), from the descriptor
 * alone: the same sizes as the allocations of engine.c (state), proj.c (connectivity, synapse
 * variables, spike histories, the temporaries of building) and record.c (recordings), without
 * allocating anything. Sizes are doubles: a model can ask for more than 2^64 bytes.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sim.h"

/* n rounded up to RT_BLOCK, at least RT_BLOCK (rt_pop.cap, rt_proj.cap) */
static double est_cap(double n)
{
    double c = ceil(n / RT_BLOCK) * RT_BLOCK;
    return c > 0 ? c : RT_BLOCK;
}

static double est_pow2(double n)
{
    double c = 16;
    while (c < n)
        c *= 2;
    return c;
}

/* Synapses of projection d between npre and npost neurons: exact, expected (random) or the most
 * (where: the condition is known only by evaluating it). */
static double est_synapses(const axon_proj_desc *d, double npre, double npost, int32_t *approx)
{
    int self = d->pre == d->post && !d->autapses;
    double cand = self && npost > 0 ? npost - 1 : npost;
    *approx = AXON_MEM_EXACT;
    switch (d->connector) {
    case AXON_CONN_ALL: return npre * cand;
    case AXON_CONN_ONE: return self ? 0 : npre;
    case AXON_CONN_RANDOM:
        if (d->p >= 1)
            return npre * cand;
        *approx = AXON_MEM_EXPECTED;
        return d->p > 0 ? d->p * npre * cand : 0;
    case AXON_CONN_INDEGREE: return npost * d->k;
    case AXON_CONN_OUTDEGREE: return npre * d->k;
    case AXON_CONN_FILE: return (double)d->nedges;
    default: *approx = AXON_MEM_AT_MOST; return npre * cand;
    }
}

/* A population's state, spike flags and spike list. */
static double est_pop(const axon_pop_desc *p, size_t esz)
{
    double cap = est_cap(p->size), b = 0;
    for (uint32_t v = 0; v < p->nvars; v++) /* each in its element type (model.h) */
        b += cap * (double)rt_elem_size(rt_elem(&p->vars[v], esz));
    return b + (p->spiking ? cap + 4.0 * ((double)p->size + 1) : 0);
}

/* A projection's arrays for nsyn synapses (*tmp: what building it takes for a while more). */
static double est_proj(const axon_model_desc *m, const axon_proj_desc *d, double nsyn,
                       size_t esz, double *tmp)
{
    const axon_pop_desc *pre = &m->pops[d->pre], *post = &m->pops[d->post];
    /* the targets: uint16 with AXON_PROJ_POST16 once built, uint32 while building (wide: the
       2 bytes more of the build's phases; they are narrowed in place) */
    double cap = est_cap(nsyn), wide = (d->flags & AXON_PROJ_POST16) ? 2.0 * cap : 0;
    double b = 8.0 * (pre->size + 1.0) + 4.0 * cap - wide;
    for (uint32_t v = 0; v < d->nvars; v++) {
        int kind = d->vars[v].kind; /* each in its element type (float when narrowed) */
        /* an interleaved group (model.h, ABI 12): its array, lanes unused included, once */
        int32_t k = d->vars[v].stride;
        /* (in blocks with the targets, ABI 13: the same bytes per synapse as apart) */
        double lanes = k <= 1 || d->vars[v].block > 1 ? 1.0 : d->vars[v].lane == 0 ? (double)k : 0.0;
        b += lanes * (double)rt_elem_size(rt_elem(&d->vars[v], esz)) *
             (kind == AXON_VAR_PER_PRE    ? est_cap(pre->size)
              : kind == AXON_VAR_PER_POST ? est_cap(post->size)
                                          : cap);
    }
    if (d->delays)
        b += 2.0 * cap;
    /* the post-ordered index of on_post and neuron-event handlers: column offsets and two
       words per synapse, the most it takes (one word per synapse where that is less, proj.c) */
    if ((d->flags & AXON_PROJ_DEFER_POST) && d->on_post_at && !d->delays && !d->nevents &&
        !d->every_step && !d->continuous && (double)esz * nsyn >= RT_DEFER_MIN_BYTES)
        b += 2.0 * RT_DEFER_HIST * post->size + 2.0 * pre->size; /* deferred: the histories */
    else if (d->on_post || d->nevents)
        b += 8.0 * (post->size + 1.0) + 8.0 * cap;
    /* temporaries, of one phase at a time: drawing in-degrees (the draws by target) or
       evaluating a where condition (a list grown by doubling); the init kernel (the
       presynaptic index, and the delays); ordering rows by delay (the delays, the
       permutation and a scratch column) */
    double conn = d->connector == AXON_CONN_INDEGREE
                      ? 4.0 * nsyn + 8.0 * (pre->size + 1.0) + 4.0 * pre->size
                  : d->connector == AXON_CONN_WHERE ? 8.0 * nsyn
                                                    : 0;
    double init = ((d->init || d->delays) && nsyn > 0 ? 4.0 * cap : 0) + (d->delays ? 8.0 * nsyn : 0);
    double order = d->delays ? (16.0 + (double)(esz > 4 ? esz : 4)) * nsyn : 0;
    double t = conn > init ? conn : init;
    t = (order > t ? order : t) + wide;
    /* the targets and the variable in blocks (ABI 13, proj.c rt_pack_blocks): the variable's
       array has room for the targets while the targets' own array is still held */
    if (d->flags & AXON_PROJ_BLOCKS)
        t += 2.0 * cap;
    *tmp = t;
    return b;
}

/* Samples of a record with period every over nsteps steps (one more for a partial period). */
static double est_samples(uint64_t nsteps, uint32_t every)
{
    return every ? ceil((double)nsteps / every) : 0;
}

axon_status axon_model_memory(const axon_model_desc *m, double duration, axon_mem_item *items,
                              size_t cap, double *total, axon_err *err)
{
    if (!m || !total)
        return axon_err_set(err, AXON_EINVAL, "axon_model_memory: %s", !m ? "no model" : "no total");
    if (m->abi != AXON_ABI_VERSION)
        return axon_err_set(err, AXON_EINVAL,
                            "model compiled for runtime ABI %u, this runtime implements %d", m->abi,
                            AXON_ABI_VERSION);
    size_t n = (size_t)m->npops + m->nprojs + m->nrecords;
    if (items && cap < n)
        return axon_err_set(err, AXON_ERANGE, "axon_model_memory: room for %zu items, %zu needed",
                            cap, n);
    if (!(m->dt > 0) || !(duration >= 0) || !isfinite(duration))
        return axon_err_set(err, AXON_EINVAL, "axon_model_memory: a duration of %g s, dt %g s",
                            duration, m->dt);
    for (uint32_t q = 0; q < m->nprojs; q++)
        if (m->projs[q].pre < 0 || (uint32_t)m->projs[q].pre >= m->npops ||
            m->projs[q].post < 0 || (uint32_t)m->projs[q].post >= m->npops)
            return axon_err_set(err, AXON_EINVAL, "projection %u: no such population", q);
    for (uint32_t r = 0; r < m->nrecords; r++) {
        const axon_record_desc *d = &m->records[r];
        uint32_t owners = d->kind == AXON_REC_WEIGHTS ? m->nprojs : m->npops;
        if (d->target < 0 || (uint32_t)d->target >= owners)
            return axon_err_set(err, AXON_EINVAL, "record %u: no such %s", r,
                                d->kind == AXON_REC_WEIGHTS ? "projection" : "population");
    }
    size_t esz = m->precision == 4 ? 4 : 8;
    double steps = round(duration / m->dt);
    uint64_t nsteps = steps < 1e18 ? (uint64_t)steps : (uint64_t)1e18;
    double built = 0, tmp_max = 0, rings = 0, recs = 0;
    size_t k = 0;
    axon_mem_item it;
    for (uint32_t p = 0; p < m->npops; p++) {
        const axon_pop_desc *d = &m->pops[p];
        it = (axon_mem_item){AXON_MEM_POP, (int32_t)p, d->size, est_pop(d, esz), AXON_MEM_EXACT};
        built += it.bytes;
        if (items)
            items[k++] = it;
    }
    for (uint32_t q = 0; q < m->nprojs; q++) {
        const axon_proj_desc *d = &m->projs[q];
        int32_t approx;
        double ns = est_synapses(d, m->pops[d->pre].size, m->pops[d->post].size, &approx), tmp;
        it = (axon_mem_item){AXON_MEM_PROJ, (int32_t)q, ns, est_proj(m, d, ns, esz, &tmp), approx};
        built += it.bytes;
        if (tmp > tmp_max)
            tmp_max = tmp;
        if (items)
            items[k++] = it;
    }
    /* spike histories: one per spiking source of a projection with an on_pre handler, with
       room for a worst-case step and the window (the window's spikes can double it) */
    for (uint32_t p = 0; p < m->npops; p++) {
        uint32_t dmax = 0;
        int any = 0;
        for (uint32_t q = 0; q < m->nprojs; q++) {
            const axon_proj_desc *d = &m->projs[q];
            if (d->on_pre && (uint32_t)d->pre == p && m->pops[p].spiking) {
                any = 1;
                /* per-synapse delays: at most RT_MAX_HET_DELAY steps */
                uint32_t dl = d->delays ? RT_MAX_HET_DELAY : d->delay_steps;
                dmax = dl > dmax ? dl : dmax;
            }
        }
        if (any)
            rings += 12.0 * rt_ring_nslot(dmax + 1) + 8.0 * est_pow2(m->pops[p].size);
    }
    for (uint32_t r = 0; r < m->nrecords; r++) {
        const axon_record_desc *d = &m->records[r];
        double cnt, row;
        if (d->kind == AXON_REC_SPIKES || d->kind == AXON_REC_SPIKE_VALUES) {
            /* room for a worst-case step; 12 bytes a spike, or a time and a value */
            cnt = m->pops[d->target].size;
            row = d->kind == AXON_REC_SPIKES ? 12 : 8.0 + (double)esz;
        } else if (d->kind == AXON_REC_RATE) {
            cnt = est_samples(nsteps, d->every);
            row = 16;
        } else {
            double width = d->nsubset;
            if (!width && d->kind == AXON_REC_STATE) {
                width = m->pops[d->target].size;
            } else if (!width) {
                const axon_proj_desc *pd = &m->projs[d->target];
                int kind = d->var >= 0 && (uint32_t)d->var < pd->nvars ? pd->vars[d->var].kind : 0;
                int32_t approx;
                width = kind == AXON_VAR_PER_PRE    ? m->pops[pd->pre].size
                        : kind == AXON_VAR_PER_POST ? m->pops[pd->post].size
                                                    : est_synapses(pd, m->pops[pd->pre].size,
                                                                   m->pops[pd->post].size, &approx);
            }
            cnt = est_samples(nsteps, d->every);
            row = 8.0 + width * (double)esz;
        }
        it = (axon_mem_item){AXON_MEM_REC, (int32_t)r, cnt, cnt * row, AXON_MEM_EXACT};
        recs += it.bytes;
        if (items)
            items[k++] = it;
    }
    /* building (every projection's temporaries are freed before the next is built) and
       running (spike histories and recordings) */
    double build = built + tmp_max, run = built + rings + recs;
    *total = build > run ? build : run;
    return AXON_OK;
}
