/*
 * Structural plasticity (`structure every PERIOD { prune when C; grow when C { ... } }` in a
 * synapse or a rule). A projection's synapses, as its `connect` gives them, are a fixed pool
 * of potential synapses; each has a hidden truth value "active" (1 when the model starts).
 *
 * - Every handler of the projection (on pre, on post, on post.NAME, continuous, every step)
 *   runs only for active synapses: its statements are moved under `if active { ... }`
 *   (consecutive statements of the synapse and of its rules in separate ifs, so that the
 *   learning switch (protocol.c) still finds the rules' statements). Because the condition
 *   reads a per-synapse value, no trace is kept per neuron (synapse.c): an inactive synapse's
 *   event-driven variables decay, and nothing adds to them, as over a pause.
 * - The update `if active { if prune { active = false } } else { if grow { active = true;
 *   GROW BLOCK } }` runs after the every_step handler in the steps n with
 *   (n + 1) % struct_steps == 0, that is at t = PERIOD, 2 PERIOD, ... (cg_syn.c): a synapse
 *   pruned in one update is not grown in the same one. Its random draws are those of an every
 *   step handler: keyed by (seed, projection, draw, synapse, step), so by the interval, and
 *   the same for any thread count.
 */
#include "lower/ir.h"

#include <math.h>

static sx *active_ref(ax_arena *ar, int var)
{
    sx *e = sx_var(ar, VS_HIDDEN, var, "active", DIM_NONE);
    e->boolean = true;
    return e;
}

static sm_stmt *if_stmt(ax_arena *ar, sx *cond, sm_block then, sm_block els, ax_span sp)
{
    sm_stmt *st = arena_alloc(ar, sizeof *st);
    *st = (sm_stmt){.kind = ST_IF, .cond = cond, .then = then, .els = els, .idx = -1, .span = sp};
    return st;
}

static sm_stmt *setactive(ax_arena *ar, int var, bool on, ax_span sp)
{
    sm_stmt *st = arena_alloc(ar, sizeof *st);
    *st = (sm_stmt){.kind = ST_ASSIGN, .op = '=', .space = VS_HIDDEN, .idx = var,
                    .name = "active", .value = sx_const(ar, on, DIM_NONE), .span = sp};
    st->value->boolean = true;
    return st;
}

static sm_block one(ax_arena *ar, sm_stmt *st)
{
    sm_block b = {arena_alloc(ar, sizeof *b.v), 1};
    b.v[0] = st;
    return b;
}

/* b with each run of consecutive statements of the same origin (synapse, rules) under
 * `if active { ... }`. */
static sm_block gate(ax_arena *ar, sm_block b, sx *active)
{
    if (!b.n)
        return b;
    sm_block r = {arena_alloc(ar, (size_t)b.n * sizeof *r.v), 0};
    for (int k = 0; k < b.n;) {
        int e = k;
        while (e < b.n && b.v[e]->from_rule == b.v[k]->from_rule)
            e++;
        sm_block run = {arena_alloc(ar, (size_t)(e - k) * sizeof *run.v), e - k};
        for (int q = k; q < e; q++)
            run.v[q - k] = b.v[q];
        sm_stmt *g = if_stmt(ar, active, run, (sm_block){0}, b.v[k]->span);
        g->from_rule = b.v[k]->from_rule;
        r.v[r.n++] = g;
        k = e;
    }
    return r;
}

int ir_structure_var(ax_arena *ar, ir_proj *p)
{
    p->vars = arena_grow(ar, p->vars, (size_t)p->nvars, (size_t)p->nvars + 1, sizeof *p->vars);
    sx *one_ = sx_const(ar, 1, DIM_NONE);
    one_->boolean = true;
    p->vars[p->nvars] = (ir_var){"active", IRV_HIDDEN, -1, DIM_NONE, true, one_, 0};
    return p->nvars++;
}

static double shared_value(void *ctx, int space, int idx)
{
    const ir_model *m = ctx;
    if (space == VS_SHARED && idx >= 0 && idx < m->nshared)
        return m->shared_vals[idx];
    return space == VS_DT ? m->dt : NAN;
}

static bool plan(sema_ctx *s, const ir_model *m, ir_proj *p)
{
    ax_arena *ar = sema_arena(s);
    double every = sx_eval(p->struct_every, shared_value, (void *)m);
    double steps = every / m->dt;
    long k = lround(steps);
    if (!(every > 0)) {
        diag_error(sema_diag(s), p->struct_span, "the period of 'structure every' must be "
                                                 "positive, not %g ms", every * 1e3);
        return false;
    }
    if (k < 1 || fabs((double)k - steps) > 1e-9 * steps) {
        diag_error(sema_diag(s), p->struct_span,
                   "the period of 'structure every' (%g ms) is not a whole number of steps "
                   "(dt = %g ms)",
                   every * 1e3, m->dt * 1e3);
        return false;
    }
    if (k > (long)UINT32_MAX) {
        diag_error(sema_diag(s), p->struct_span, "the period of 'structure every' is too long");
        return false;
    }
    p->struct_steps = (uint32_t)k;
    sx *active = active_ref(ar, p->active_var);
    p->on_pre = gate(ar, p->on_pre, active);
    p->on_post = gate(ar, p->on_post, active);
    p->continuous = gate(ar, p->continuous, active);
    p->every_step = gate(ar, p->every_step, active);
    for (int e = 0; e < p->nevh; e++)
        p->evh[e].body = gate(ar, p->evh[e].body, active);
    ax_span sp = p->struct_span;
    sm_block prune = {0}, grow = {0};
    if (p->prune)
        prune = one(ar, if_stmt(ar, p->prune, one(ar, setactive(ar, p->active_var, false, sp)),
                                (sm_block){0}, sp));
    if (p->grow) {
        sm_block body = {arena_alloc(ar, (size_t)(p->grow_init.n + 1) * sizeof *body.v), 0};
        body.v[body.n++] = setactive(ar, p->active_var, true, sp);
        for (int q = 0; q < p->grow_init.n; q++)
            body.v[body.n++] = p->grow_init.v[q];
        grow = one(ar, if_stmt(ar, p->grow, body, (sm_block){0}, sp));
    }
    p->structure = one(ar, if_stmt(ar, active, prune, grow, sp));
    return true;
}

bool ir_structure(sema_ctx *s, ir_model *m)
{
    bool ok = true;
    for (int q = 0; q < m->nprojs; q++)
        if (m->projs[q].structural)
            ok &= plan(s, m, &m->projs[q]);
    return ok;
}
