/*
 * Structural plasticity at run time (the compiler's lower/structure.c): a structural
 * projection has the hidden per-synapse truth value "active"; its kernels skip inactive
 * synapses and its every_step kernel prunes and grows them. The runtime only counts them. Over
 * MPI ranks a rank holds, prunes and grows the synapses onto its neurons (their draws keyed by
 * the index in the whole projection, like any handler's: deliver.c), counts those, and the
 * manifest gets the sum over the ranks (write.c, rt_gather_active).
 */
#include "sim.h"

#include <string.h>

/* The storage index of the hidden "active" variable of a projection, or -1. */
static int rt_struct_var(const axon_proj_desc *d)
{
    for (uint32_t v = 0; v < d->nvars; v++)
        if (d->vars[v].kind == AXON_VAR_HIDDEN && d->vars[v].name &&
            !strcmp(d->vars[v].name, "active"))
            return (int)v;
    return -1;
}

int rt_struct_is(const axon_proj_desc *d)
{
    return rt_struct_var(d) >= 0;
}

uint64_t rt_struct_active(const axon_sim *s, int proj)
{
    const rt_proj *pr = &s->projs[proj];
    int v = rt_struct_var(pr->d);
    if (v < 0)
        return pr->nsyn_all;
    uint64_t n = 0;
    int32_t e = rt_elem(&pr->d->vars[v], s->esz); /* the compiler's is the precision */
    if (e == AXON_ELEM_F64) {
        const double *a = pr->vars[v];
        for (uint64_t k = 0; k < pr->nsyn; k++)
            n += a[k] != 0;
    } else if (e == AXON_ELEM_F32) {
        const float *a = pr->vars[v];
        for (uint64_t k = 0; k < pr->nsyn; k++)
            n += a[k] != 0;
    }
    return n;
}

uint64_t axon_sim_active_synapses(axon_sim *s, int proj)
{
    if (!s)
        return 0;
    rt_begin(s);
    if (rt_check_proj(s, proj, "axon_sim_active_synapses") != AXON_OK)
        return 0;
    return rt_struct_active(s, proj);
}
