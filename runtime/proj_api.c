/*
 * The public API of projections (<axon/axon.h>): their names and indices, synapse counts and
 * memory, delays, connectivity and per-synapse variables. Split from proj.c, which builds and
 * frees the connectivity these functions read.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proj_int.h"
#include "sim.h"

/* ---- public API */

int axon_sim_proj_index(axon_sim *s, const char *name)
{
    if (!s)
        return -1;
    rt_begin(s);
    for (uint32_t q = 0; name && q < s->m->nprojs; q++)
        if (!strcmp(s->m->projs[q].name, name))
            return (int)q;
    axon_err_set(&s->err, AXON_EINVAL, "model '%s' has no projection '%s'", s->m->name,
                 name ? name : "(null)");
    return -1;
}

axon_status rt_check_proj(axon_sim *s, int proj, const char *fn)
{
    if (proj < 0 || (uint32_t)proj >= s->m->nprojs)
        return axon_err_set(&s->err, AXON_EINVAL, "%s: no projection %d (model '%s' has %u)", fn,
                            proj, s->m->name, s->m->nprojs);
    return AXON_OK;
}

uint64_t axon_sim_synapse_count(axon_sim *s, int proj)
{
    if (!s)
        return 0;
    rt_begin(s);
    if (rt_check_proj(s, proj, "axon_sim_synapse_count") != AXON_OK)
        return 0;
    return s->projs[proj].nsyn_all;
}

double axon_sim_bytes_per_synapse(axon_sim *s, int proj)
{
    if (!s)
        return 0.0;
    rt_begin(s);
    if (rt_check_proj(s, proj, "axon_sim_bytes_per_synapse") != AXON_OK ||
        s->projs[proj].nsyn == 0)
        return 0.0;
    return (double)s->projs[proj].bytes / (double)s->projs[proj].nsyn;
}

axon_status axon_sim_proj_delays(axon_sim *s, int proj, double *dmin, double *dmax,
                                 uint64_t *nrounded)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (rt_check_proj(s, proj, "axon_sim_proj_delays") != AXON_OK)
        return AXON_EINVAL;
    const rt_proj *pr = &s->projs[proj];
    int het = pr->delay || pr->doff;
    uint32_t lo = het ? pr->dmin : pr->d->delay_steps;
    uint32_t hi = het ? pr->dmax : pr->d->delay_steps;
    if (dmin)
        *dmin = lo * s->dt;
    if (dmax)
        *dmax = hi * s->dt;
    if (nrounded)
        *nrounded = het ? pr->nrounded : 0;
    return AXON_OK;
}

axon_status axon_sim_connectivity(axon_sim *s, int proj, const uint64_t **row,
                                  const uint32_t **post)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (rt_check_proj(s, proj, "axon_sim_connectivity") != AXON_OK)
        return AXON_EINVAL;
    rt_proj *pr = &s->projs[proj];
    if (row)
        *row = pr->row;
    if (post && (pr->post16 || pr->blk) && !pr->post32) {
        /* 16-bit targets (AXON_PROJ_POST16): widened once, kept until axon_sim_free */
        if (!(pr->post32 = malloc((pr->nsyn ? (size_t)pr->nsyn : 1) * sizeof *pr->post32)))
            return axon_err_set(&s->err, AXON_ENOMEM,
                                "axon_sim_connectivity: out of memory for the targets of '%s'",
                                pr->d->name);
        for (uint64_t k = 0; k < pr->nsyn; k++)
            pr->post32[k] = rt_target(pr, k); /* (in blocks too: model.h, ABI 13) */
    }
    if (post)
        *post = pr->post16 || pr->blk ? pr->post32 : pr->post;
    return AXON_OK;
}

/* The owner of index q for rt_var_view: projection q. */
static void proj_owner(const axon_sim *s, uint32_t q, rt_var_owner *o)
{
    const axon_proj_desc *d = &s->m->projs[q];
    *o = (rt_var_owner){d->name, d->vars, d->nvars, (size_t)s->projs[q].nsyn, s->projs[q].vars,
                        s->projs[q].npre, s->projs[q].npost};
}

axon_status axon_sim_syn_var(axon_sim *s, const char *path, axon_tensor *view)
{
    axon_status st = rt_var_view(s, path, "projection", s ? s->m->nprojs : 0, proj_owner, view);
    if (st == AXON_OK)
        s->syn_live = 1; /* callbacks may read it: rt_run brings it up to date for them */
    return st;
}
