/*
 * The parameters of a model as the runtime lists them (ir_params; model.h, ABI 4): every
 * parameter of every population and projection by its path ("E.tau_m", "E->I.w"). A
 * per-item parameter is a variable of its owner; a shared one is a value that was folded
 * into the code when the model was built, so the runtime can read it but not change it.
 */
#include "lower/ir.h"

#include <string.h>

static void add(ax_arena *ar, ir_model *m, ir_param p)
{
    m->params =
        arena_grow(ar, m->params, (size_t)m->nparams, (size_t)m->nparams + 1, sizeof *m->params);
    m->params[m->nparams++] = p;
}

/* The parameters of one owner: the variables of type t that are parameters, stored
 * (slot[v] >= 0, named after vars[slot[v]]) or shared (shared[v]). */
static void owner_params(ax_arena *ar, ir_model *m, int owner, bool proj, const char *oname,
                         const sm_type *t, const int *slot, const ir_var *vars, sx *const *shared)
{
    for (int v = 0; v < t->nvars; v++) {
        const sm_var *sv = &t->vars[v];
        if (sv->kind != VAR_PARAM)
            continue;
        ir_param p = {.owner = owner,
                      .proj = proj,
                      .sm_var = v,
                      .dim = sv->dim,
                      .boolean = sv->boolean,
                      .slot = -1,
                      .var = -1,
                      .value = 0};
        const char *name = sv->name;
        if (slot[v] >= 0) {
            if (vars[slot[v]].kind != IRV_PARAM)
                continue; /* a state variable */
            p.var = slot[v];
            name = vars[slot[v]].name;
        } else if (shared[v] && shared[v]->kind == SX_CONST) {
            p.value = shared[v]->v;
        } else {
            continue;
        }
        p.name = arena_printf(ar, "%s.%s", oname, name);
        add(ar, m, p);
    }
}

bool ir_params(sema_ctx *s, ir_model *m)
{
    ax_arena *ar = sema_arena(s);
    for (int i = 0; i < m->npops; i++) {
        const ir_pop *p = &m->pops[i];
        owner_params(ar, m, i, false, p->name, p->type, p->slot, p->vars, p->shared);
    }
    for (int k = 0; k < m->nprojs; k++) {
        const ir_proj *p = &m->projs[k];
        owner_params(ar, m, k, true, p->name, p->syn, p->slot, p->vars, p->shared);
    }
    return true;
}
