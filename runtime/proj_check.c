/*
 * Projections (model.h): the validation of their descriptors before anything is built
 * (rt_proj_check, called by axon_sim_new through rt_check_model): populations, connectors and
 * their parameters, the synapse count's bound, delays, variables and their layouts (ABI 12's
 * interleaved groups, ABI 13's blocks), handlers and flags. A model that passes builds
 * (proj.c) without a check of its own.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "proj_int.h"
#include "sim.h"

/* A third population (ABI 7): one side, a population of the model, of the size of that side
 * (its neuron of synapse i -> j is j, or i). */
static axon_status rt_check_via(const axon_model_desc *m, const axon_proj_desc *d, axon_err *err)
{
    uint32_t vf = d->flags & (AXON_PROJ_VIA_POST | AXON_PROJ_VIA_PRE);
    if (!vf)
        return AXON_OK;
    const char *nm = d->name ? d->name : "?";
    if (vf == (AXON_PROJ_VIA_POST | AXON_PROJ_VIA_PRE) || d->via < 0 ||
        (uint32_t)d->via >= m->npops)
        return axon_err_set(err, AXON_EINVAL, "projection '%s': a third population %d, by "
                            "both sides or of no population", nm, d->via);
    const axon_pop_desc *side = &m->pops[vf == AXON_PROJ_VIA_POST ? d->post : d->pre];
    if (m->pops[d->via].size != side->size)
        return axon_err_set(err, AXON_EINVAL, "projection '%s': third population '%s' has %u "
                            "neurons, its side '%s' %u", nm, m->pops[d->via].name,
                            m->pops[d->via].size, side->name, side->size);
    return AXON_OK;
}

/* AXON_CONN_FILE: the edges are in range, sorted by (pre, post), with no pair twice and no
 * i -> i where autapses are excluded. */
static axon_status rt_check_edges(const axon_proj_desc *d, uint32_t npre, uint32_t npost,
                                  axon_err *err)
{
    if (d->nedges > 0 && (!d->edge_pre || !d->edge_post))
        return axon_err_set(err, AXON_EINVAL, "projection '%s': %llu edges but no table", d->name,
                            (unsigned long long)d->nedges);
    if (d->nedges > RT_MAX_SYN)
        return axon_err_set(err, AXON_ERANGE, "projection '%s': %llu edges, at most %u", d->name,
                            (unsigned long long)d->nedges, RT_MAX_SYN);
    for (uint64_t s = 0; s < d->nedges; s++) {
        uint32_t i = d->edge_pre[s], j = d->edge_post[s];
        if (i >= npre || j >= npost)
            return axon_err_set(err, AXON_EINVAL, "projection '%s': edge %llu (%u -> %u) is out "
                                "of range", d->name, (unsigned long long)s, i, j);
        if (rt_no_self(d) && i == j)
            return axon_err_set(err, AXON_EINVAL, "projection '%s': edge %llu connects %u to "
                                "itself", d->name, (unsigned long long)s, i);
        if (s > 0 && (d->edge_pre[s - 1] > i || (d->edge_pre[s - 1] == i && d->edge_post[s - 1] >= j)))
            return axon_err_set(err, AXON_EINVAL, "projection '%s': edges are not sorted by "
                                "(pre, post) without repeats at edge %llu", d->name,
                                (unsigned long long)s);
    }
    return AXON_OK;
}

axon_status rt_proj_check(const axon_model_desc *m, axon_err *err)
{
    if (m->nprojs > 0 && !m->projs)
        return axon_err_set(err, AXON_EINVAL, "model '%s': %u projections but no table", m->name,
                            m->nprojs);
    if (m->nprojs > RT_MAX_PROJS)
        return axon_err_set(err, AXON_ERANGE, "model '%s': %u projections, at most %u", m->name,
                            m->nprojs, RT_MAX_PROJS);
    for (uint32_t q = 0; q < m->nprojs; q++) {
        const axon_proj_desc *d = &m->projs[q];
        if (!d->name || !*d->name)
            return axon_err_set(err, AXON_EINVAL, "projection %u has no name", q);
        const char *nm = d->name;
        for (uint32_t r = 0; r < q; r++)
            if (!strcmp(nm, m->projs[r].name))
                return axon_err_set(err, AXON_EINVAL, "two projections are named '%s'", nm);
        if (d->pre < 0 || (uint32_t)d->pre >= m->npops)
            return axon_err_set(err, AXON_EINVAL, "projection '%s': no population %d", nm, d->pre);
        if (d->post < 0 || (uint32_t)d->post >= m->npops)
            return axon_err_set(err, AXON_EINVAL, "projection '%s': no population %d", nm,
                                d->post);
        const axon_pop_desc *a = &m->pops[d->pre], *b = &m->pops[d->post];
        if ((d->flags & AXON_PROJ_POST16) && b->size > RT_MAX_POST16)
            return axon_err_set(err, AXON_EINVAL,
                                "projection '%s': 16-bit targets (AXON_PROJ_POST16) for a "
                                "population of %u neurons, at most %u",
                                nm, b->size, RT_MAX_POST16);
        switch (d->connector) {
        case AXON_CONN_ALL: break;
        case AXON_CONN_ONE:
            if (a->size != b->size)
                return axon_err_set(err, AXON_EINVAL,
                                    "projection '%s': one_to_one needs populations of the same "
                                    "size, but '%s' has %u neurons and '%s' %u",
                                    nm, a->name, a->size, b->name, b->size);
            break;
        case AXON_CONN_RANDOM:
            if (!(d->p >= 0 && d->p <= 1))
                return axon_err_set(err, AXON_EINVAL,
                                    "projection '%s': connection probability %g is not in [0, 1]",
                                    nm, d->p);
            break;
        case AXON_CONN_INDEGREE:
        case AXON_CONN_OUTDEGREE: { /* k of the other side's candidates per neuron of one side */
            const int in = d->connector == AXON_CONN_INDEGREE;
            const uint32_t each = in ? b->size : a->size, among = in ? a->size : b->size;
            if (each > 0 && d->k > rt_candidates(d, among))
                return axon_err_set(err, AXON_EINVAL,
                                    "projection '%s': fixed %s-degree %u, but there are only %u "
                                    "candidate %ssynaptic neurons",
                                    nm, in ? "in" : "out", d->k, rt_candidates(d, among),
                                    in ? "pre" : "post");
            break;
        }
        case AXON_CONN_WHERE:
            if (!d->where)
                return axon_err_set(err, AXON_EINVAL,
                                    "projection '%s': 'where' connector without a condition", nm);
            break;
        case AXON_CONN_FILE: {
            axon_status st = rt_check_edges(d, a->size, b->size, err);
            if (st != AXON_OK)
                return st;
            break;
        }
        default:
            return axon_err_set(err, AXON_EINVAL, "projection '%s': unknown connector %d", nm,
                                d->connector);
        }
        const uint32_t known = AXON_PROJ_SPLIT | AXON_PROJ_EVERY_LOCAL | AXON_PROJ_POST_LOCAL |
                               AXON_PROJ_SYN_DRAWS | AXON_PROJ_VIA_POST | AXON_PROJ_VIA_PRE |
                               AXON_PROJ_READS_PRE | AXON_PROJ_PRE_WRITTEN |
                               AXON_PROJ_DEFER_POST | AXON_PROJ_POST16 | AXON_PROJ_BLOCKS;
        if (d->flags & ~known)
            return axon_err_set(err, AXON_EINVAL, "projection '%s': unknown flags 0x%x", nm,
                                d->flags & ~known);
        axon_status vst = rt_check_via(m, d, err);
        if (vst != AXON_OK)
            return vst;
        if (d->npre_reads > 0 && !d->pre_reads)
            return axon_err_set(err, AXON_EINVAL, "projection '%s': %u pre variables read but "
                                "no table", nm, d->npre_reads);
        for (uint32_t k = 0; k < d->npre_reads; k++)
            if (d->pre_reads[k] < 0 || (uint32_t)d->pre_reads[k] >= m->pops[d->pre].nvars)
                return axon_err_set(err, AXON_EINVAL, "projection '%s': it reads pre variable "
                                    "%d, which population '%s' does not have", nm,
                                    d->pre_reads[k], m->pops[d->pre].name);
        if (d->delay_steps > RT_MAX_DELAY)
            return axon_err_set(err, AXON_ERANGE, "projection '%s': delay of %u steps, at most %u",
                                nm, d->delay_steps, RT_MAX_DELAY);
        if (d->nvars > 0 && !d->vars)
            return axon_err_set(err, AXON_EINVAL, "projection '%s': %u variables but no table", nm,
                                d->nvars);
        for (uint32_t v = 0; v < d->nvars; v++) {
            if (!d->vars[v].name || !*d->vars[v].name)
                return axon_err_set(err, AXON_EINVAL, "projection '%s': variable %u has no name",
                                    nm, v);
            if (d->vars[v].kind < AXON_VAR_STATE || d->vars[v].kind > AXON_VAR_PER_POST ||
                d->vars[v].kind == AXON_VAR_INPUT)
                return axon_err_set(err, AXON_EINVAL,
                                    "projection '%s': variable '%s' has kind %d", nm,
                                    d->vars[v].name, d->vars[v].kind);
        }
        if (d->flags & AXON_PROJ_BLOCKS) {
            /* ABI 13: the targets and the only variable, per synapse, in blocks (model.h):
               2-byte targets, on_pre alone (with init), the block's elements aligned */
            const axon_var_desc *x = d->nvars == 1 ? &d->vars[0] : NULL;
            size_t vsz = x ? rt_elem_size(rt_elem(x, m->precision)) : 0;
            if (!x || (x->kind != AXON_VAR_STATE && x->kind != AXON_VAR_PARAM) ||
                x->block != AXON_SYN_BLOCK || (vsz != 4 && vsz != 8) ||
                x->lane != (int32_t)(AXON_SYN_BLOCK * 2 / vsz) ||
                x->stride != x->lane + AXON_SYN_BLOCK || !(d->flags & AXON_PROJ_POST16) ||
                d->on_post || d->on_post_at || d->on_pre_replay || d->post_replay ||
                d->continuous || d->every_step || d->pre_after || d->post_after || d->nevents ||
                (d->flags & (AXON_PROJ_VIA_POST | AXON_PROJ_VIA_PRE | AXON_PROJ_DEFER_POST)))
                return axon_err_set(err, AXON_EINVAL,
                                    "projection '%s': its targets and variable in blocks "
                                    "(AXON_PROJ_BLOCKS) but not one per-synapse variable of "
                                    "block %d, stride %d and lane %d with 2-byte targets and "
                                    "on_pre alone", nm, AXON_SYN_BLOCK,
                                    AXON_SYN_BLOCK + (int)(vsz ? AXON_SYN_BLOCK * 2 / vsz : 0),
                                    (int)(vsz ? AXON_SYN_BLOCK * 2 / vsz : 0));
        }
        for (uint32_t v = 0; v < d->nvars; v++) {
            /* ABI 12: an interleaved group (model.h): per-neuron variables of one kind, one
               element type and one stride, the lanes below it, lane 0 first */
            const axon_var_desc *x = &d->vars[v];
            if (x->block > 1 && !(d->flags & AXON_PROJ_BLOCKS))
                return axon_err_set(err, AXON_EINVAL, "projection '%s': variable '%s' has "
                                    "block %d without AXON_PROJ_BLOCKS", nm, x->name, x->block);
            if ((x->stride <= 1 && x->lane == 0) || x->block > 1)
                continue;
            int ok = (x->kind == AXON_VAR_PER_PRE || x->kind == AXON_VAR_PER_POST) &&
                     x->stride <= 64 && x->lane >= 0 && x->lane < x->stride;
            uint32_t first = d->nvars;
            for (uint32_t u = 0; ok && u < d->nvars; u++) {
                const axon_var_desc *y = &d->vars[u];
                if (y->kind != x->kind || y->stride <= 1)
                    continue;
                if (first == d->nvars)
                    first = u;
                ok = y->stride == x->stride && y->elem == x->elem &&
                     (u == v || y->lane != x->lane);
            }
            if (!ok || d->vars[first].lane != 0)
                return axon_err_set(err, AXON_EINVAL,
                                    "projection '%s': variable '%s' has lane %d of stride %d, "
                                    "not of a group of per-neuron variables",
                                    nm, x->name, x->lane, x->stride);
        }
        for (uint32_t v = 0; v < d->nvars && d->delays; v++)
            if (d->vars[v].kind == AXON_VAR_PER_PRE)
                return axon_err_set(err, AXON_EINVAL,
                                    "projection '%s': per-synapse delays and a variable stored per "
                                    "presynaptic neuron ('%s')", nm, d->vars[v].name);
        if ((d->pre_after && !d->on_pre) || (d->post_after && !d->on_post))
            return axon_err_set(err, AXON_EINVAL,
                                "projection '%s': per-neuron updates without their handler", nm);
        if (d->nevents && (!d->event_var || !d->event_fn))
            return axon_err_set(err, AXON_EINVAL, "projection '%s': %u events without their "
                                "flags or handlers", nm, d->nevents);
        for (uint32_t k = 0; k < d->nevents; k++) {
            const axon_pop_desc *tp = &m->pops[d->post];
            int32_t v = d->event_var[k];
            if (!d->event_fn[k] || v < 0 || (uint32_t)v >= tp->nvars ||
                tp->vars[v].kind != AXON_VAR_HIDDEN)
                return axon_err_set(err, AXON_EINVAL, "projection '%s': event %u has no handler "
                                    "or no hidden flag variable of population '%s'", nm, k,
                                    tp->name);
        }
    }
    return AXON_OK;
}
