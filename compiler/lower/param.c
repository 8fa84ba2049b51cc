/*
 * The parameters of a model as the runtime lists them (model.h, ABI 4): every parameter of
 * every population and projection by its path ("E.tau_m", "E->I.w").
 *
 * Shared parameters are not folded into the model's expressions as numbers: instantiation
 * replaces each by a reference to a slot of the model's shared values (VS_SHARED), which
 * kernels read from their step context, so that the runtime can change them between steps.
 * The slot keeps the value the model was built with (the default of the shared values
 * block). Per-item parameters (per neuron, per synapse) are variables of their owner.
 */
#include "lower/ir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void add(ax_arena *ar, ir_model *m, ir_param p)
{
    m->params =
        arena_grow(ar, m->params, (size_t)m->nparams, (size_t)m->nparams + 1, sizeof *m->params);
    m->params[m->nparams++] = p;
}

sx **ir_param_refs(ax_arena *ar, ir_model *m, int owner, bool proj, const char *oname,
                   const sm_type *t, sx *const *vals, const char *const *names)
{
    sx **refs = arena_alloc(ar, (size_t)(t->nvars + 1) * sizeof *refs);
    for (int v = 0; v < t->nvars; v++) {
        const sm_var *sv = &t->vars[v];
        refs[v] = vals[v];
        if (!vals[v] || vals[v]->kind != SX_CONST)
            continue;
        int slot = m->nshared++;
        m->shared_vals =
            arena_grow(ar, m->shared_vals, (size_t)slot, (size_t)slot + 1, sizeof *m->shared_vals);
        m->shared_vals[slot] = vals[v]->v;
        const char *name = names && names[v] ? names[v] : sv->name;
        sx *r = sx_var(ar, VS_SHARED, slot, name, sv->dim);
        r->boolean = sv->boolean;
        r->span = vals[v]->span;
        refs[v] = r;
        add(ar, m,
            (ir_param){.name = arena_printf(ar, "%s.%s", oname, name),
                       .owner = owner,
                       .proj = proj,
                       .sm_var = v,
                       .dim = sv->dim,
                       .boolean = sv->boolean,
                       .slot = slot,
                       .var = -1,
                       .value = vals[v]->v,
                       .elements = proj ? ir_element_size(t, v) : 0});
    }
    return refs;
}

sx *ir_param_switch(ax_arena *ar, ir_model *m, int owner, bool proj, const char *oname,
                    const char *name, int sm_var, double value)
{
    int slot = m->nshared++;
    m->shared_vals =
        arena_grow(ar, m->shared_vals, (size_t)slot, (size_t)slot + 1, sizeof *m->shared_vals);
    m->shared_vals[slot] = value;
    sx *r = sx_var(ar, VS_SHARED, slot, name, DIM_NONE);
    r->boolean = true;
    add(ar, m,
        (ir_param){.name = arena_printf(ar, "%s.%s", oname, name),
                   .owner = owner,
                   .proj = proj,
                   .sm_var = sm_var,
                   .dim = DIM_NONE,
                   .boolean = true,
                   .slot = slot,
                   .var = -1,
                   .value = value});
    return r;
}

/* The per-item parameters of one owner: variables of type t stored as IRV_PARAM. */
static void per_item(ax_arena *ar, ir_model *m, int owner, bool proj, const char *oname,
                     const sm_type *t, const int *slot, const ir_var *vars)
{
    for (int v = 0; v < t->nvars; v++) {
        const sm_var *sv = &t->vars[v];
        if (sv->kind != VAR_PARAM || slot[v] < 0 || vars[slot[v]].kind != IRV_PARAM)
            continue;
        add(ar, m,
            (ir_param){.name = arena_printf(ar, "%s.%s", oname, vars[slot[v]].name),
                       .owner = owner,
                       .proj = proj,
                       .sm_var = v,
                       .dim = sv->dim,
                       .boolean = sv->boolean,
                       .slot = -1,
                       .var = slot[v],
                       .value = 0,
                       .elements = proj ? ir_element_size(t, v) : 0});
    }
}

/* populations first, then projections; each owner's in its type's order */
static int by_owner(const void *x, const void *y)
{
    const ir_param *a = x, *b = y;
    if (a->proj != b->proj)
        return a->proj - b->proj;
    if (a->owner != b->owner)
        return a->owner < b->owner ? -1 : 1;
    return (a->sm_var > b->sm_var) - (a->sm_var < b->sm_var);
}

bool ir_params(sema_ctx *s, ir_model *m)
{
    ax_arena *ar = sema_arena(s);
    for (int i = 0; i < m->npops; i++) {
        const ir_pop *p = &m->pops[i];
        per_item(ar, m, i, false, p->name, p->type, p->slot, p->vars);
    }
    for (int k = 0; k < m->nprojs; k++) {
        const ir_proj *p = &m->projs[k];
        per_item(ar, m, k, true, p->name, p->syn, p->slot, p->vars);
    }
    if (m->nparams > 1)
        qsort(m->params, (size_t)m->nparams, sizeof *m->params, by_owner);
    return true;
}

double ir_shared_value(const ir_model *m, const sx *ref)
{
    if (!ref || ref->kind != SX_VAR || ref->space != VS_SHARED || ref->idx < 0 ||
        ref->idx >= m->nshared)
        return NAN;
    return m->shared_vals[ref->idx];
}

static double lookup_shared(void *ctx, int space, int idx)
{
    const double *shared = ctx;
    return space == VS_SHARED ? shared[idx] : NAN;
}

bool ir_derive_propagators(const ir_model *m, const double *shared, double *out)
{
    bool ok = true;
    for (int k = 0; k < m->nprops; k++) {
        const ir_propagator *pr = &m->props[k];
        int nn = pr->n * pr->n;
        double *A = malloc((size_t)nn * sizeof *A);
        if (!A)
            return false;
        for (int i = 0; i < nn; i++)
            A[i] = pr->A[i] ? sx_eval(pr->A[i], lookup_shared, (void *)shared) : 0;
        ok &= sx_propagator(pr->n, A, m->dt, out + pr->phi, out + pr->gamma) == 0;
        free(A);
    }
    return ok;
}
