/*
 * Learning switches: the statements a projection's learning rules added to its handlers run
 * under `if P.learning { ... }`, a shared truth value the runtime may change (a protocol's
 * `ee.learning = false`, axon_sim_set_param). The synapse's own statements come first in
 * every handler (sema_bind appends the rules'), so the order is kept. Event-driven variables
 * are still brought up to date at every event, so a trace decays over a pause as if no spike
 * had come; a rule's equations that are integrated every step go on.
 *
 * The protocol of a run line (`run M for 3 s { at 1 s { E.I_ext = 0.5 nA } }`): each change
 * names a parameter of the model as the runtime lists it (ir_params: "E.I_ext", "ee.w_max",
 * "c1.E.tau_m"), so the runtime applies it as axon_sim_set_param would, between steps.
 * Sema checked the times (in order, within the run) and that the values are constants; here
 * the names are resolved and the values checked against the parameters' units.
 */
#include "lower/ir.h"

#include <math.h>
#include <string.h>

/* The closest of the names of the parameters of owner `oname` (for "did you mean"), or NULL:
 * the part after the owner's dot. */
static const char *closest_param(const ir_model *m, const char *oname, const char *name)
{
    size_t on = strlen(oname);
    const char *best = NULL;
    int len = (int)strlen(name);
    for (int k = 0, bd = 3; k < m->nparams; k++) {
        const char *pn = m->params[k].name;
        if (strncmp(pn, oname, on) || pn[on] != '.' || strchr(pn + on + 1, '.'))
            continue;
        int d = typo_distance(name, pn + on + 1);
        if (d < bd && d <= (len <= 3 ? 1 : 2) && d < len) {
            bd = d;
            best = pn + on + 1;
        }
    }
    return best;
}

/* The closest population or named projection of m to path, or NULL. */
static const char *closest_owner(const ir_model *m, const char *path)
{
    const char *best = NULL;
    int len = (int)strlen(path);
    for (int k = 0, bd = 3; k < m->npops + m->nprojs; k++) {
        const char *n = k < m->npops ? m->pops[k].name : m->projs[k - m->npops].name;
        if (strstr(n, "->"))
            continue;
        int d = typo_distance(path, n);
        if (d < bd && d <= (len <= 3 ? 1 : 2) && d < len) {
            bd = d;
            best = n;
        }
    }
    return best;
}

/* Reports why the path of st names no parameter. */
static void no_param(ax_arena *ar, diag_ctx *d, const ir_model *m, const sm_set *st)
{
    static const char *const KIND[] = {"parameter", "state variable", "input", "definition"};
    const char *dot = strrchr(st->path, '.');
    int on = (int)(dot - st->path);
    const char *name = dot + 1;
    for (int k = 0; k < m->npops + m->nprojs; k++) {
        bool proj = k >= m->npops;
        const char *oname = proj ? m->projs[k - m->npops].name : m->pops[k].name;
        if ((int)strlen(oname) != on || strncmp(oname, st->path, (size_t)on))
            continue;
        const sm_type *t = proj ? m->projs[k - m->npops].syn : m->pops[k].type;
        int v = sm_find_var(t, name);
        const char *br = strchr(name, '['); /* an element: of a vector of how many? */
        const char *base = br ? arena_printf(ar, "%.*s", (int)(br - name), name) : name;
        int n0 = sm_find_var(t, arena_printf(ar, "%s[0]", base)), nel = 0;
        while (n0 >= 0 && sm_find_var(t, arena_printf(ar, "%s[%d]", base, nel)) >= 0)
            nel++;
        if (v < 0 && n0 >= 0 && t->vars[n0].kind != VAR_PARAM) { /* a vector of state */
            diag_error(d, st->path_span,
                       "'%s' of %s is a vector %s of %s, not a parameter: a protocol changes "
                       "parameters",
                       base, oname, KIND[t->vars[n0].kind], t->name);
            return;
        }
        if (v < 0 && n0 >= 0 && br) {
            diag_error(d, st->path_span, "'%s' of %s is a vector of %d: '%s' is past its end", base,
                       oname, nel, name);
            return;
        }
        if (v < 0 && n0 >= 0) { /* a vector: its elements have the names */
            diag_error(d, st->path_span,
                       "'%s' of %s is a vector of %d: a protocol sets one "
                       "element at a time",
                       name, oname, nel);
            diag_hint(d, "write %s.%s[0] = ... (to %s.%s[%d])", oname, name, oname, name, nel - 1);
            return;
        }
        if (v >= 0 && t->vars[v].kind != VAR_PARAM) {
            diag_error(d, st->path_span,
                       "'%s' of %s is a %s of %s, not a parameter: a protocol changes "
                       "parameters",
                       name, oname, KIND[t->vars[v].kind], t->name);
            return;
        }
        diag_error(d, st->path_span, "%s %s (%s) has no parameter '%s'",
                   proj ? "projection" : "population", oname, t->name, name);
        const char *best = closest_param(m, oname, name);
        if (best)
            diag_hint(d, "did you mean '%s.%s'?", oname, best);
        return;
    }
    diag_error(d, st->path_span, "module %s has no population or named projection '%.*s'",
               m->module, on, st->path);
    const char *best = closest_owner(m, arena_printf(ar, "%.*s", on, st->path));
    if (best)
        diag_hint(d, "did you mean '%s.%s'?", best, name);
}

/* Does value v fit parameter p? Reports it when not. */
static bool fits(diag_ctx *d, const ir_param *p, const sm_set *st)
{
    const sx *v = st->value;
    char a[96], b[96];
    if (p->boolean || v->boolean) {
        if (p->boolean && v->boolean)
            return true;
        diag_error(d, st->value_span, "'%s' is %s, not %s", p->name,
                   p->boolean ? "true or false" : dim_describe(p->dim, a, sizeof a),
                   p->boolean ? "a number" : "true or false");
        return false;
    }
    if (dim_eq(v->dim, p->dim) || (v->fn == 1 && v->v == 0))
        return true;
    diag_error(d, st->value_span, "'%s' is %s, but this value is %s", p->name,
               dim_describe(p->dim, a, sizeof a), dim_describe(v->dim, b, sizeof b));
    if (dim_is_none(v->dim))
        diag_hint(d, "write its unit: %s", dim_unit_name(p->dim, b, sizeof b));
    return false;
}

/* b with its rule statements moved under `if sw { ... }` (b itself when it has none). */
static sm_block gate(ax_arena *ar, sm_block b, sx *sw)
{
    int nr = 0;
    for (int k = 0; k < b.n; k++)
        nr += b.v[k]->from_rule;
    if (!nr)
        return b;
    sm_block r = {arena_alloc(ar, (size_t)(b.n - nr + 1) * sizeof *r.v), 0};
    sm_stmt *g = arena_alloc(ar, sizeof *g);
    *g = (sm_stmt){.kind = ST_IF, .cond = sw, .idx = -1};
    g->then.v = arena_alloc(ar, (size_t)nr * sizeof *g->then.v);
    for (int k = 0; k < b.n; k++) {
        if (b.v[k]->from_rule) {
            if (!g->then.n)
                g->span = b.v[k]->span;
            g->then.v[g->then.n++] = b.v[k];
        } else
            r.v[r.n++] = b.v[k];
    }
    r.v[r.n++] = g;
    return r;
}

bool ir_learning(sema_ctx *s, ir_model *m)
{
    ax_arena *ar = sema_arena(s);
    for (int k = 0; k < m->nprojs; k++) {
        ir_proj *p = &m->projs[k];
        if (!p->learning)
            continue;
        p->on_pre = gate(ar, p->on_pre, p->learning);
        p->on_post = gate(ar, p->on_post, p->learning);
        p->every_step = gate(ar, p->every_step, p->learning);
        for (int e = 0; e < p->nevh; e++)
            p->evh[e].body = gate(ar, p->evh[e].body, p->learning);
        p->pre_after = gate(ar, p->pre_after, p->learning);
        p->post_after = gate(ar, p->post_after, p->learning);
    }
    return true;
}

/* A change of parameter p (to the protocol's values so far, cur) does not reach a parameter of
 * the same owner whose default was computed from p when the model was built (`b = 2 * a`) and
 * that the protocol has not set itself (set): the runtime changes only what it is told, where
 * compiling with the new value would have computed b again. Warns, with the value to give it. */
static void warn_derived(ax_arena *ar, diag_ctx *d, const ir_model *m, int p, const double *cur,
                         const bool *set, ax_span span)
{
    const ir_param *pp = &m->params[p];
    int nv = pp->proj ? m->projs[pp->owner].syn->nvars : m->pops[pp->owner].type->nvars;
    sx **vals = NULL; /* the owner's shared values so far, made at the first warning */
    for (int q = 0; q < m->nparams; q++) {
        const ir_param *pq = &m->params[q];
        if (q == p || pq->owner != pp->owner || pq->proj != pp->proj || !pq->derived_from ||
            set[q] || pp->sm_var < 0 || pp->sm_var >= nv ||
            !sx_uses(pq->derived_from, VS_PARAM, pp->sm_var))
            continue;
        if (!vals) {
            vals = arena_alloc(ar, (size_t)(nv + 1) * sizeof *vals);
            for (int k = 0; k < m->nparams; k++) {
                const ir_param *pk = &m->params[k];
                if (pk->owner == pp->owner && pk->proj == pp->proj && pk->slot >= 0 &&
                    pk->sm_var >= 0 && pk->sm_var < nv) {
                    vals[pk->sm_var] = sx_const(ar, cur[pk->slot], pk->dim);
                    vals[pk->sm_var]->boolean = pk->boolean;
                }
            }
        }
        sx *e = ir_fold_params(ar, pq->derived_from, vals, nv);
        diag_warning(d, span,
                     "'%s' was computed from '%s' when the model was built (its default) and "
                     "does not follow this change",
                     pq->name, pp->name);
        char v[32], u[64], err[96];
        ax_unit du;
        if (e && e->kind == SX_CONST && !pq->boolean) {
            /* in the unit modellers write (mV, not V), where it has a name */
            dim_unit_name(pq->dim, u, sizeof u);
            double scale = strcmp(u, "1") && unit_parse(u, &du, err, sizeof err) && du.scale > 0
                               ? du.scale
                               : 1;
            if (scale == 1 && strcmp(u, "1"))
                dim_si_name(pq->dim, u, sizeof u);
            diag_hint(d, "to change it too, set it in the same block: %s = %s%s%s", pq->name,
                      fmt_double(v, e->v / scale), strcmp(u, "1") ? " " : "",
                      strcmp(u, "1") ? u : "");
        } else
            diag_hint(d, "to change it too, set it in the same block");
    }
}

bool ir_protocol(sema_ctx *s, ir_model *m)
{
    const sm_run *r = m->run;
    if (!r || !r->nats)
        return true;
    ax_arena *ar = sema_arena(s);
    diag_ctx *d = sema_diag(s);
    int n = 0, errors = 0;
    for (int k = 0; k < r->nats; k++)
        n += r->ats[k].nsets;
    m->events = arena_alloc(ar, (size_t)(n + 1) * sizeof *m->events);
    double *cur = arena_alloc(ar, (size_t)(m->nshared + 1) * sizeof *cur);
    memcpy(cur, m->shared_vals, (size_t)m->nshared * sizeof *cur);
    bool *set = arena_alloc(ar, (size_t)(m->nparams + 1) * sizeof *set);

    for (int k = 0; k < r->nats; k++) {
        const sm_at *at = &r->ats[k];
        /* before the first step that starts at t or later (1e-3 dt of slack, as timed()) */
        double q = ceil(at->t / m->dt - 1e-3);
        uint64_t step = q > 0 ? (uint64_t)q : 0;
        /* what this block and earlier ones set: setting b with a in one block changes both */
        for (int q2 = 0; q2 < at->nsets; q2++)
            for (int i = 0; i < m->nparams; i++)
                if (!strcmp(m->params[i].name, at->sets[q2].path))
                    set[i] = true;
        for (int q2 = 0; q2 < at->nsets; q2++) {
            const sm_set *st = &at->sets[q2];
            int p = -1;
            for (int i = 0; i < m->nparams && p < 0; i++)
                if (!strcmp(m->params[i].name, st->path))
                    p = i;
            if (p < 0) {
                no_param(ar, d, m, st);
                errors++;
                continue;
            }
            if (!fits(d, &m->params[p], st)) {
                errors++;
                continue;
            }
            m->events[m->nevents++] = (ir_event){step, p, st->value->v, st->span};
            if (m->params[p].slot >= 0) {
                cur[m->params[p].slot] = st->value->v;
                warn_derived(ar, d, m, p, cur, set, st->span);
            }
        }
    }
    return errors == 0;
}
