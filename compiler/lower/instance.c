/*
 * Module instantiation: a module checked by sema (sm_module) and values for its parameters
 * become a flat ir_model. Parameters get values (the run line's, the command line's, an
 * instance's arguments, else the defaults) and every module-level expression is folded
 * with them; nested instances are flattened ("c1.E"); populations get their storage and
 * initial values, projections their variables (with the bindings sema made), records and
 * signals their targets. Only what values tell is checked here: sizes, ranges, indices,
 * data files, and the command line's overrides.
 */
#include "lower/ir.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ERR(in, sp, ...)                                                                           \
    do {                                                                                           \
        diag_error((in)->d, (sp), __VA_ARGS__);                                                    \
        (in)->errors++;                                                                            \
    } while (0)

typedef struct {
    sema_ctx *s;
    ax_arena *ar;
    diag_ctx *d;
    ir_model *m;
    int errors;
    double dt;
    bool dt_known;         /* the run's step, not the default of a check (ir_instantiate) */
    const ir_override *ov; /* the command line's overrides */
    int nov;
    bool *ov_used; /* ... of populations and projections: applied */
} inst;

/* An instance of a module being made. */
typedef struct {
    const sm_module *mod;
    const char *prefix; /* "" or "c1." */
    sx **vals;          /* the values of the module's parameters */
    int signal_base;    /* the index of its first signal in the model's */
    int **proj_ir;      /* per projection item: the model's projection of each pair
                           (-1: none) */
} env;

/* ---- overrides from the command line ----------------------------------------------------------
 */

static bool is_name(const char *p, size_t n)
{
    if (!n || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
        return false;
    for (size_t k = 1; k < n; k++)
        if (!((p[k] >= 'a' && p[k] <= 'z') || (p[k] >= 'A' && p[k] <= 'Z') || p[k] == '_' ||
              (p[k] >= '0' && p[k] <= '9')))
            return false;
    return true;
}

/* Whether [p, p + n) is a dotted path of names (c1.E). */
static bool is_path(const char *p, size_t n)
{
    for (const char *e = p + n;;) {
        const char *dot = memchr(p, '.', (size_t)(e - p));
        if (!is_name(p, (size_t)((dot ? dot : e) - p)))
            return false;
        if (!dot)
            return true;
        p = dot + 1;
    }
}

bool ir_override_parse(const char *name, const char *value, ir_override *out, char *err,
                       size_t errsize)
{
    const char *arrow = strstr(name, "->"), *last = strrchr(name, '.');
    if (arrow) { /* an unnamed projection's parameter: PRE->POST.NAME (E->I.w, c1.E->c2.I.w),
                    PRE->POST#K.NAME where that name was taken (K: the projection's index) */
        const char *post_end = last;
        while (last && post_end > arrow + 2 && post_end[-1] >= '0' && post_end[-1] <= '9')
            post_end--;
        if (!last || post_end == last || post_end[-1] != '#')
            post_end = last;
        else
            post_end--;
        if (!last || last < arrow || !is_path(name, (size_t)(arrow - name)) ||
            !is_path(arrow + 2, (size_t)(post_end - arrow - 2)) ||
            !is_name(last + 1, strlen(last + 1))) {
            snprintf(err, errsize,
                     "'%s' is not a parameter name (an unnamed projection's is PRE->POST.NAME: "
                     "E->I.w)",
                     name);
            return false;
        }
        *out = (ir_override){.name = name, .text = value};
        return unit_parse_quantity(value, &out->value, err, errsize);
    }
    for (const char *p = name;; p++) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (!dot && n > 2 && p[n - 1] == ']' && strchr(p, '[')) {
            /* an element of a vector: tau[2] */
            const char *br = strchr(p, '[');
            size_t d = (size_t)(br - p) + 1;
            while (d < n - 1 && p[d] >= '0' && p[d] <= '9')
                d++;
            if (d == n - 1 && br[1] != ']')
                n = (size_t)(br - p);
        }
        if (dot) { /* a projection whose name was taken has #K after it: P.A_B_C#3.w */
            size_t h = n;
            while (h > 0 && p[h - 1] >= '0' && p[h - 1] <= '9')
                h--;
            if (h > 1 && h < n && p[h - 1] == '#')
                n = h - 1;
        }
        if (!is_name(p, n)) {
            snprintf(err, errsize,
                     "'%s' is not a parameter name (NAME, or POP.NAME for a "
                     "population's or a named projection's)",
                     name);
            return false;
        }
        if (!dot)
            break;
        p = dot;
    }
    *out = (ir_override){.name = name, .text = value};
    return unit_parse_quantity(value, &out->value, err, errsize);
}

/* The value of an override, in the dimension of the parameter it sets when no unit was
 * written (a plain number: dimensionless, or 0). */
static sx *ov_value(inst *in, const ir_override *o, ax_dim dim, bool boolean)
{
    sx *e = sx_const(in->ar, o->value.si, o->value.has_unit ? o->value.dim : dim);
    e->boolean = o->value.boolean || boolean;
    return e;
}

/* How messages name override o: as the user gave it, on the command line or in a call. */
static const char *ov_said(inst *in, const ir_override *o)
{
    if (o->call) /* "": the model's run module */
        return arena_printf(in->ar, "%s(%s = %s)", *o->call ? o->call : in->m->module, o->name,
                            o->text);
    return arena_printf(in->ar, "--set %s=%s", o->name, o->text);
}

/* Does override o fit a parameter of dimension dim (boolean: a truth value)? `what` names
 * the parameter ("'N' of module COBA"). A plain number fits a dimensionless parameter,
 * and a plain 0 any parameter, as in a model. */
static bool ov_fits(inst *in, const ir_override *o, ax_dim dim, bool boolean, const char *what)
{
    const ax_quantity *q = &o->value;
    char a[96], b[96];
    /* true and false reach here as 1 and 0 through the API (axonc_override is a number) */
    if (boolean && !q->boolean && !q->has_unit && (q->si == 0 || q->si == 1))
        return true;
    if (boolean || q->boolean) {
        if (boolean && q->boolean)
            return true;
        ERR(in, SPAN_NONE, "%s: %s is %s, not %s", ov_said(in, o), what,
            boolean ? "true or false" : dim_describe(dim, a, sizeof a),
            boolean ? "a number" : "true or false");
        return false;
    }
    if (q->has_unit ? dim_eq(q->dim, dim) : dim_is_none(dim) || q->si == 0)
        return true;
    if (!q->has_unit) {
        ERR(in, SPAN_NONE, "%s: %s is %s, but %s has no unit", ov_said(in, o), what,
            dim_describe(dim, a, sizeof a), o->text);
        if (o->call)
            diag_hint(in->d, "write the unit: %s(%s = %s %s)",
                      *o->call ? o->call : in->m->module, o->name, o->text,
                      dim_unit_name(dim, b, sizeof b));
        else
            diag_hint(in->d, "write the unit: --set '%s=%s %s'", o->name, o->text,
                      dim_unit_name(dim, b, sizeof b));
        return false;
    }
    ERR(in, SPAN_NONE, "%s: %s is %s, but %s is %s", ov_said(in, o), what,
        dim_describe(dim, a, sizeof a), o->text, dim_describe(q->dim, b, sizeof b));
    return false;
}

/* The closest of n names (for "did you mean"), or NULL. */
static const char *closest(const char *name, const char *const *names, int n)
{
    const char *best = NULL;
    int len = (int)strlen(name);
    for (int k = 0, bd = 3; k < n; k++) {
        int d = typo_distance(name, names[k]);
        if (d < bd && d <= (len <= 3 ? 1 : 2) && d < len) {
            bd = d;
            best = names[k];
        }
    }
    return best;
}

/* The parameter part of a dotted override, when its path is `path`; else NULL. */
static const char *ov_param_of(const ir_override *o, const char *path)
{
    const char *dot = strrchr(o->name, '.');
    size_t n = dot ? (size_t)(dot - o->name) : 0;
    if (!dot || strncmp(o->name, path, n) || path[n])
        return NULL;
    return dot + 1;
}

int ir_find_pop(const ir_model *m, const char *path)
{
    for (int i = 0; i < m->npops; i++)
        if (!strcmp(m->pops[i].name, path))
            return i;
    return -1;
}

static int find_proj(const ir_model *m, const char *path)
{
    for (int i = 0; i < m->nprojs; i++)
        if (m->projs[i].name && !strcmp(m->projs[i].name, path))
            return i;
    return -1;
}

/* Replaces the variables (space, v) that have a value (vals[v] != NULL) by it: a type's shared
 * parameters, a module's parameters (VS_MODULE). */
static sx *fold(ax_arena *ar, sx *e, int space, sx *const *vals, int n)
{
    if (!e)
        return NULL;
    for (int v = 0; v < n; v++)
        if (vals[v] && sx_uses(e, space, v))
            e = sx_subst(ar, e, space, v, vals[v]);
    return sx_simplify(ar, e);
}

static sm_block fold_block(ax_arena *ar, sm_block b, int space, sx *const *vals, int n);

static sm_stmt *fold_stmt(ax_arena *ar, const sm_stmt *st, int space, sx *const *vals, int n)
{
    sm_stmt *c = arena_alloc(ar, sizeof *c);
    *c = *st;
    c->value = fold(ar, st->value, space, vals, n);
    c->cond = fold(ar, st->cond, space, vals, n);
    c->then = fold_block(ar, st->then, space, vals, n);
    c->els = fold_block(ar, st->els, space, vals, n);
    return c;
}

static sm_block fold_block(ax_arena *ar, sm_block b, int space, sx *const *vals, int n)
{
    sm_block r = {0};
    if (!b.n)
        return r;
    r.v = arena_alloc(ar, (size_t)b.n * sizeof *r.v);
    for (int k = 0; k < b.n; k++)
        r.v[r.n++] = fold_stmt(ar, b.v[k], space, vals, n);
    return r;
}

/* ---- values ------------------------------------------------------------------------------------
 */

/* e (over the module's parameters) with their values, folded */
static sx *ev(inst *in, const env *en, const sx *e)
{
    return fold(in->ar, (sx *)e, VS_MODULE, en->vals, en->mod->nparams);
}

/* A whole number of at least min (a size, an index, a degree). */
static bool int_value(inst *in, const sx *e, ax_span sp, long min, long *out, const char *what)
{
    char d[96];
    if (e->kind != SX_CONST && sx_numbers_only(e)) {
        ERR(in, sp,
            "%s is not a finite number with these values (a division by zero, an "
            "overflow)",
            what);
        return false;
    }
    if (e->kind != SX_CONST) {
        ERR(in, sp, "%s must be a constant (known when the model is built)", what);
        return false;
    }
    if (!dim_is_none(e->dim) && e->fn != 1) {
        ERR(in, sp, "%s must be a plain number, not %s", what, dim_describe(e->dim, d, sizeof d));
        return false;
    }
    /* N * 0.1 with N = 30 is 3.0000000000000004: within rounding of a whole number */
    double v = e->v;
    if (fabs(v - nearbyint(v)) <= 1e-9 * fmax(1, fabs(v)))
        v = nearbyint(v);
    if (!e->boolean && v == floor(v) && v > 2e9) {
        char nb[32];
        ERR(in, sp, "%s must be at most 2000000000, not %s", what, fmt_double(nb, v));
        return false;
    }
    if (e->boolean || v != floor(v) || v < (double)min) {
        char nb[32];
        if (v == floor(v) || fabs(v) >= 1e9)
            fmt_double(nb, v);
        else
            snprintf(nb, sizeof nb, "%.10g", v);
        ERR(in, sp, "%s must be a whole number%s, not %s", what, min > 0 ? " of at least 1" : "",
            nb);
        return false;
    }
    *out = (long)v;
    return true;
}

/* ---- populations ---------------------------------------------------------------------------- */

/* A spike source: `from "spikes.csv"` or `from [(i, t), ...]` (data.c) */
static void spike_source(inst *in, const env *en, ir_pop *p, const sm_mpop *mp)
{
    ir_spike_in *sp = NULL;
    long n = 0;
    if (mp->from_file) {
        if (!ir_spikes_file(in->ar, in->d, p, mp->from_span, mp->from_file, &sp, &n)) {
            in->errors++;
            return;
        }
    } else {
        sp = arena_alloc(in->ar, (size_t)(mp->nspikes + 1) * sizeof *sp);
        for (int k = 0; k < mp->nspikes; k++) {
            const sm_mspike *s = &mp->spikes[k];
            long i;
            if (!int_value(in, ev(in, en, s->i), s->ispan, 0, &i, "a neuron index"))
                continue;
            sx *e = ev(in, en, s->t);
            if (i >= p->size) {
                if (p->size_bad)
                    continue;
                ERR(in, s->ispan,
                    "neuron %ld does not exist: %s has %d neuron%s, numbered 0 "
                    "to %d",
                    i, p->name, p->size, p->size == 1 ? "" : "s", p->size - 1);
                continue;
            }
            if (!dim_eq(e->dim, DIM_TIME)) {
                char a[96];
                ERR(in, s->tspan, "a spike time must be a time, not %s",
                    dim_describe(e->dim, a, sizeof a));
                continue;
            }
            sp[n++] = (ir_spike_in){i, e->v, s->span, s->tspan};
        }
    }
    if (!ir_spike_source(in->ar, in->d, p, sp, n, in->dt, "spike times"))
        in->errors++;
}

/* Marks the shared parameters listed from index first on whose value is their type's default
 * computed from other parameters (`V_cut = V_T + 5 * Delta_T`), which nothing overrode
 * (vals[v] is that default; ir_param.derived_from): a protocol's change of those others does
 * not reach them, where compiling with the new value would, and warns (protocol.c). */
static void mark_derived(inst *in, int first, const sm_type *t, sx *const *vals)
{
    for (int k = first; k < in->m->nparams; k++) {
        ir_param *q = &in->m->params[k];
        int v = q->sm_var;
        if (q->slot < 0 || v < 0 || v >= t->nvars || !t->vars[v].value ||
            vals[v] != t->vars[v].value)
            continue;
        for (int u = 0; u < t->nvars && !q->derived_from; u++)
            if (u != v && sx_uses(vals[v], VS_PARAM, u))
                q->derived_from = vals[v];
    }
}

sx *ir_fold_params(ax_arena *ar, const sx *e, sx *const *vals, int n)
{
    return fold(ar, (sx *)e, VS_PARAM, vals, n);
}

/* The command line's overrides of population p's parameters (--set E.tau_m=30ms): what
 * its ( ) arguments may set, applied after them and after its initialisers. */
static void pop_overrides(inst *in, const ir_pop *p, sx **init)
{
    const sm_type *t = p->type;
    for (int k = 0; k < in->nov; k++) {
        const ir_override *o = &in->ov[k];
        const char *name = ov_param_of(o, p->name);
        if (!name)
            continue;
        in->ov_used[k] = true;
        int v = sm_find_var(t, name);
        if (v < 0 || t->vars[v].kind != VAR_PARAM) {
            if (v >= 0) {
                static const char *const KIND[] = {"parameter", "state variable", "input",
                                                   "definition"};
                ERR(in, SPAN_NONE, "%s: '%s' of %s is a %s of %s, not a parameter",
                    ov_said(in, o), name, p->name, KIND[t->vars[v].kind], t->name);
                continue;
            }
            ERR(in, SPAN_NONE, "%s: %s (a %s) has no parameter '%s'", ov_said(in, o),
                p->name, t->name, name);
            const char **names = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *names);
            int nn = 0;
            for (int u = 0; u < t->nvars; u++)
                if (t->vars[u].kind == VAR_PARAM)
                    names[nn++] = t->vars[u].name;
            const char *best = closest(name, names, nn);
            if (best)
                diag_hint(in->d, "did you mean '%s.%s'?", p->name, best);
            continue;
        }
        const sm_var *pv = &t->vars[v];
        char *what = arena_printf(in->ar, "'%s' of %s (a %s)", name, p->name, t->name);
        if (ov_fits(in, o, pv->dim, pv->boolean, what))
            init[v] = ov_value(in, o, pv->dim, pv->boolean);
    }
}

/* Sets p->vars[slot[v]].init: init[v] with the shared parameters folded and the initial values
 * of the variables it reads substituted, in whatever order they are declared (an initialiser
 * may read a variable declared after it). done[v]: 0 not yet, 1 under way, 2 done. */
static void init_value(inst *in, ir_pop *p, const int *slot, sx **init, sx **shared, char *done,
                       int v)
{
    const sm_type *t = p->type;
    if (done[v] || slot[v] < 0 || !init[v])
        return;
    done[v] = 1;
    sx *e = fold(in->ar, init[v], VS_PARAM, shared, t->nvars);
    for (int u = 0; u < t->nvars; u++) {
        if (u == v || slot[u] < 0)
            continue;
        int sp = t->vars[u].kind == VAR_STATE ? VS_STATE : VS_PARAM;
        if (!sx_uses(e, sp, u))
            continue;
        if (done[u] == 1) {
            ERR(in, p->span, "the initial values of '%s' and '%s' of %s use each other",
                t->vars[v].name, t->vars[u].name, p->name);
            continue;
        }
        init_value(in, p, slot, init, shared, done, u);
        if (p->vars[slot[u]].init)
            e = sx_subst(in->ar, e, sp, u, p->vars[slot[u]].init);
    }
    p->vars[slot[v]].init = sx_simplify(in->ar, e);
    done[v] = 2;
}

static void population(inst *in, const env *en, const sm_mpop *mp)
{
    const sm_type *t = mp->type;
    long size;
    bool size_bad = false;
    if (!int_value(in, ev(in, en, mp->size), mp->size_span, 1, &size, "a population size")) {
        size = 1;
        size_bad = true;
    }
    ir_pop p = {0};
    p.name = arena_printf(in->ar, "%s%s", en->prefix, mp->name);
    p.type = t;
    p.type_name = t->name;
    p.size = (int)size;
    p.size_bad = size_bad;
    p.span = mp->span;
    p.refr_var = p.permit_var = p.gap_var = p.gap_p_var = -1;
    p.method = mp->method ? mp->method : t->method;
    p.method_span = mp->method ? mp->method_span : t->method_span;
    /* parameter values: defaults, then the population's arguments and initialisers, then
       the command line's */
    sx **shared = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *shared);
    sx **init = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *init);
    for (int v = 0; v < t->nvars; v++)
        init[v] = mp->set[v] ? ev(in, en, mp->set[v]) : t->vars[v].value;
    /* values from a list or a file (`v = [...]`, `v = from "v.npy"`): one per neuron */
    for (int v = 0; v < t->nvars; v++) {
        const sx *d = mp->set[v];
        if (d && d->kind == SX_TABLE && !d->a && !d->b && d->tab->nrows != size && !size_bad)
            ERR(in, d->span, "%ld value%s for the %ld neuron%s of %s", d->tab->nrows,
                d->tab->nrows == 1 ? "" : "s", size, size == 1 ? "" : "s", p.name);
    }
    pop_overrides(in, &p, init);
    /* storage: state, per-neuron parameters, inputs */
    int *slot = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *slot);
    p.vars = arena_alloc(in->ar, (size_t)(t->nvars + 3) * sizeof *p.vars);
    for (int v = 0; v < t->nvars; v++) {
        const sm_var *sv = &t->vars[v];
        slot[v] = -1;
        if (sv->kind == VAR_ALG || (sv->kind == VAR_PARAM && !sv->per_item))
            continue;
        ir_var_kind k = sv->kind == VAR_STATE   ? IRV_STATE
                        : sv->kind == VAR_PARAM ? IRV_PARAM
                                                : IRV_INPUT;
        slot[v] = p.nvars;
        p.vars[p.nvars++] = (ir_var){sv->name, k, v, sv->dim, sv->boolean, NULL, 0};
    }
    /* shared parameters: defaults may use earlier parameters */
    for (int v = 0; v < t->nvars; v++) {
        if (t->vars[v].kind != VAR_PARAM || t->vars[v].per_item)
            continue;
        shared[v] = fold(in->ar, init[v], VS_PARAM, shared, v);
    }
    /* initial values, with shared parameters folded and the values they read substituted */
    char *done = arena_alloc(in->ar, (size_t)(t->nvars + 1));
    for (int v = 0; v < t->nvars; v++)
        init_value(in, &p, slot, init, shared, done, v);
    /* re-index variables from sm_type order to storage order; shared parameters become
       references to the model's shared values, which can change at run time (param.c) */
    int first = in->m->nparams;
    sx **sym = ir_param_refs(in->ar, in->m, in->m->npops, false, p.name, t, shared, NULL);
    mark_derived(in, first, t, init);
    p.spike = t->has_spike ? fold(in->ar, t->spike, VS_PARAM, sym, t->nvars) : NULL;
    p.reset = fold_block(in->ar, t->reset, VS_PARAM, sym, t->nvars);
    p.events = arena_alloc(in->ar, (size_t)(t->nevents + 1) * sizeof *p.events);
    for (int e = 0; e < t->nevents; e++) {
        p.events[e] = t->events[e];
        p.events[e].cond = fold(in->ar, t->events[e].cond, VS_PARAM, sym, t->nvars);
        p.events[e].body = fold_block(in->ar, t->events[e].body, VS_PARAM, sym, t->nvars);
    }
    p.nevents = t->nevents;
    p.event_flag = arena_alloc(in->ar, (size_t)(t->nevents + 1) * sizeof *p.event_flag);
    for (int e = 0; e < t->nevents; e++) {
        p.event_flag[e] = -1;
        if (!t->events[e].name)
            continue;
        /* keeps the room for the three hidden variables added later (scheme.c, data.c) */
        p.vars = arena_grow(in->ar, p.vars, (size_t)p.nvars, (size_t)p.nvars + 4, sizeof *p.vars);
        const char *flag = arena_printf(in->ar, "_event_%s", t->events[e].name);
        p.vars[p.nvars] = (ir_var){flag, IRV_HIDDEN, -1, DIM_NONE, true, NULL, 0};
        p.event_flag[e] = p.nvars++;
    }
    if (mp->from)
        spike_source(in, en, &p, mp);
    p.output = fold(in->ar, t->output, VS_PARAM, sym, t->nvars);
    p.slot = slot;
    p.shared = sym;
    if (t->refractory) {
        sx *r = fold(in->ar, t->refractory, VS_PARAM, sym, t->nvars);
        if (r->boolean) {
            p.refr_cond = r;
        } else {
            /* Brian2's rule: refractory for timestep(t_ref) - 1 steps after the spike */
            p.refr_steps = r;
        }
    }
    in->m->pops = arena_grow(in->ar, in->m->pops, (size_t)in->m->npops, (size_t)in->m->npops + 1,
                             sizeof *in->m->pops);
    in->m->pops[in->m->npops++] = p;
}

/* ---- projections ------------------------------------------------------------------------------
 */

/* The on post.NAME handlers of t, one block per event (a rule's after the synapse's). */
static void event_handlers(ax_arena *ar, ir_proj *p, const sm_type *t, sx **sym)
{
    p->evh = arena_alloc(ar, (size_t)(t->nevh + 1) * sizeof *p->evh);
    p->nevh = 0;
    for (int h = 0; h < t->nevh; h++) {
        sm_block b = fold_block(ar, t->evh[h].body, VS_PARAM, sym, t->nvars);
        int k = 0;
        while (k < p->nevh && p->evh[k].event != t->evh[h].event)
            k++;
        if (k == p->nevh) {
            p->evh[p->nevh++] = (ir_evh){t->evh[h].event, t->evh[h].name, b};
            continue;
        }
        sm_block *m = &p->evh[k].body;
        sm_stmt **v = arena_alloc(ar, (size_t)(m->n + b.n + 1) * sizeof *v);
        memcpy(v, m->v, (size_t)m->n * sizeof *v);
        memcpy(v + m->n, b.v, (size_t)b.n * sizeof *v);
        m->v = v;
        m->n += b.n;
    }
}

/* The command line's overrides of the synapse and rule parameters of projection pj
 * (--set ee.w_max=12nS): what the projection's arguments may set, applied after them and
 * after a connection file's columns. `group`: for `project P = A -> B, C`, the name P that
 * sets them for every pair (else NULL); the pair's own name (P.A_C.w) wins over the group's
 * (P.w), in whatever order they were given. */
static void proj_overrides(inst *in, const ir_proj *pj, const char *group, sx **vals,
                           bool has_switch, double *learning)
{
    const sm_type *t = pj->syn;
    for (int k = 0; k < 2 * in->nov; k++) { /* the group's first, then the pair's own */
        const ir_override *o = &in->ov[k % in->nov];
        const char *name =
            k < in->nov ? (group ? ov_param_of(o, group) : NULL) : ov_param_of(o, pj->name);
        if (!name)
            continue;
        in->ov_used[k % in->nov] = true;
        if (has_switch && !strcmp(name, "learning")) { /* the rules' switch */
            char *what = arena_printf(in->ar, "the learning switch of %s", pj->name);
            if (ov_fits(in, o, DIM_NONE, true, what))
                *learning = o->value.si;
            continue;
        }
        /* the synapse's own parameter, else the one rule that has it */
        int own = -1, ruled = -1, nruled = 0;
        for (int u = 0; u < t->nvars; u++)
            if (!strcmp(t->vars[u].name, name) &&
                (t->vars[u].kind == VAR_PARAM || t->vars[u].kind == VAR_STATE)) {
                if (t->vars[u].rule < 0)
                    own = u;
                else if (!nruled++)
                    ruled = u;
            }
        int v = own >= 0 ? own : nruled == 1 ? ruled : -1;
        if (v < 0) {
            if (nruled > 1) {
                ERR(in, SPAN_NONE,
                    "%s: '%s' is a parameter of several learning rules of "
                    "%s",
                    ov_said(in, o), name, pj->name);
                continue;
            }
            ERR(in, SPAN_NONE, "%s: the synapses of %s (%s) have no parameter '%s'",
                ov_said(in, o), pj->name, t->name, name);
            const char **names = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *names);
            int nn = 0;
            for (int u = 0; u < t->nvars; u++)
                if (t->vars[u].kind == VAR_PARAM || t->vars[u].kind == VAR_STATE)
                    names[nn++] = t->vars[u].name;
            const char *best = closest(name, names, nn);
            if (best)
                diag_hint(in->d, "did you mean '%.*s.%s'?", (int)(name - 1 - o->name), o->name,
                          best);
            continue;
        }
        const sm_var *pv = &t->vars[v];
        char *what = arena_printf(in->ar, "'%s' of %s (%s)", name, pj->name, t->name);
        if (ov_fits(in, o, pv->dim, pv->boolean, what))
            vals[v] = ov_value(in, o, pv->dim, pv->boolean);
    }
}

/* The values of a projection's connector and delay. */
static void connect(inst *in, const env *en, ir_proj *p, const sm_mproj *mp)
{
    p->conn = mp->conn;
    if (mp->autapses)
        p->autapses = ev(in, en, mp->autapses)->v != 0;
    const ir_pop *pre = &in->m->pops[p->pre], *post = &in->m->pops[p->post];
    switch (mp->conn) {
    case CONN_WHERE: p->conn_arg = ev(in, en, mp->conn_arg); break;
    case CONN_FILE: p->file = mp->file; break;
    case CONN_ONE:
        if (pre->size != post->size && !pre->size_bad && !post->size_bad)
            ERR(in, mp->conn_span,
                "one_to_one needs populations of the same size (%s has %d "
                "neurons, %s has %d)",
                pre->name, pre->size, post->name, post->size);
        break;
    case CONN_RANDOM:
        if (mp->conn_arg) {
            sx *e = ev(in, en, mp->conn_arg);
            if (e->v < 0 || e->v > 1) {
                char nb[32];
                ERR(in, mp->conn_arg_span,
                    "a connection probability must be a number between "
                    "0 and 1, not %s",
                    fmt_double(nb, e->v));
            }
            p->conn_arg = e;
        }
        break;
    case CONN_INDEGREE:
    case CONN_OUTDEGREE: {
        long kk;
        if (mp->conn_arg && int_value(in, ev(in, en, mp->conn_arg), mp->conn_arg_span, 0, &kk,
                                      "a number of connections")) {
            int limit = p->conn == CONN_INDEGREE ? pre->size : post->size;
            if (kk > limit && !(p->conn == CONN_INDEGREE ? pre : post)->size_bad)
                ERR(in, mp->conn_arg_span,
                    "%ld connections per neuron, but the %s population "
                    "has only %d neuron%s",
                    kk, p->conn == CONN_INDEGREE ? "source" : "target", limit,
                    limit == 1 ? "" : "s");
            p->conn_arg = sx_const(in->ar, (double)kk, DIM_NONE);
        }
        break;
    }
    case CONN_ALL: break;
    }
    if (mp->delay && p->delay) {
        ERR(in, mp->delay_clause_span,
            "the delays come from the connection file's 'delay' "
            "column and from 'delay'");
    } else if (mp->delay) {
        sx *e = ev(in, en, mp->delay);
        if (e->kind == SX_CONST && e->v < 0)
            ERR(in, mp->delay_span, "a delay cannot be negative");
        p->delay = e;
    }
}

/* Per-synapse values from a list or a file (`Exc(w = from "w.npy")`, a table read by the
 * synapse index): as many as the synapses, whose number and order (by i, then j) the
 * connector must fix before the run: all_to_all, one_to_one, a connection file. */
static void data_count(inst *in, const ir_proj *p)
{
    bool self = p->pre == p->post && !p->autapses;
    long npre = in->m->pops[p->pre].size, npost = in->m->pops[p->post].size, n = -1;
    if (p->conn == CONN_ALL)
        n = npre * (npost - (self ? 1 : 0));
    else if (p->conn == CONN_ONE)
        n = self ? 0 : npre;
    else if (p->conn == CONN_FILE)
        n = p->nedges;
    for (int k = 0; k < p->nvars; k++) {
        const sx *d = p->vars[k].init;
        if (!d || d->kind != SX_TABLE || d->a || d->b || (p->conn == CONN_FILE &&
                                                         d->tab->nrows == n))
            continue;
        if (n < 0) {
            ERR(in, d->span, "values per synapse from a list or a file need a connector that "
                             "fixes the synapses before the run: all_to_all, one_to_one or "
                             "connect from FILE");
            diag_hint(in->d, "the synapses of %s are drawn when the simulation starts, so their "
                             "number and order are not known here; a connection file can "
                             "carry the values as a column", p->name);
        } else if (d->tab->nrows != n)
            ERR(in, d->span, "%ld value%s for the %ld synapse%s of %s (one per synapse, by i, "
                             "then j)", d->tab->nrows, d->tab->nrows == 1 ? "" : "s", n,
                n == 1 ? "" : "s", p->name);
    }
}

/* `via POP by post|pre`: POP is another population than the pair's, of the size of the side
 * that indexes it (the third neuron of synapse i -> j is j, or i). */
static bool third_population(inst *in, const env *en, const sm_mproj *mp, ir_proj *p)
{
    int v = ir_find_pop(in->m, arena_printf(in->ar, "%s%s", en->prefix, mp->via));
    if (v < 0)
        return false;
    const ir_pop *V = &in->m->pops[v];
    const ir_pop *side = &in->m->pops[mp->via_pre ? p->pre : p->post];
    if (v == p->pre || v == p->post) {
        ERR(in, mp->via_span, "the third population '%s' is the projection's %s; read and write "
                              "its neurons with pre. and post.", V->name,
            v == p->post ? "target" : "source");
        return false;
    }
    if (V->size != side->size && !V->size_bad && !side->size_bad) {
        ERR(in, mp->via_span, "the third population '%s' has %ld neurons but the %s '%s' has %ld: "
                              "'by %s' gives synapse i -> j the neuron %s of '%s'", V->name,
            (long)V->size, mp->via_pre ? "source" : "target", side->name, (long)side->size,
            mp->via_pre ? "pre" : "post", mp->via_pre ? "i" : "j", V->name);
        return false;
    }
    p->via = v;
    p->via_pre = mp->via_pre;
    return true;
}

/* One projection per (source, target) pair whose binding succeeded; irs[pair] receives the
 * index of each in the model. */
static void projection(inst *in, const env *en, const sm_mproj *mp, int *irs)
{
    /* `connect from FILE`: read once, checked for each (source, target) pair */
    tab *edges = NULL;
    if (mp->file && !(edges = tab_read(in->ar, in->d, mp->file_span, mp->file, TAB_HEADER)))
        in->errors++;
    const sm_learn *learns = mp->learns;
    int nlearns = mp->nlearns;
    for (int si = 0; si < mp->npre; si++)
        for (int ti = 0; ti < mp->npost; ti++) {
            int pair = si * mp->npost + ti;
            irs[pair] = -1;
            const sm_type *t = mp->bound[pair];
            if (!t)
                continue;
            int pre = ir_find_pop(in->m, arena_printf(in->ar, "%s%s", en->prefix, mp->pre[si]));
            int post = ir_find_pop(in->m, arena_printf(in->ar, "%s%s", en->prefix, mp->post[ti]));
            if (pre < 0 || post < 0)
                continue;
            const ir_pop *P = &in->m->pops[pre], *Q = &in->m->pops[post];
            ir_proj p = {0};
            p.pre = pre;
            p.post = post;
            p.syn = t;
            p.span = mp->span;
            p.autapses = true;
            p.via = -1;
            if (mp->via && !third_population(in, en, mp, &p))
                continue;
            p.signal_base = en->signal_base;
            if (mp->name)
                p.name = mp->npre * mp->npost == 1
                             ? arena_printf(in->ar, "%s%s", en->prefix, mp->name)
                             : arena_printf(in->ar, "%s%s.%s_%s", en->prefix, mp->name, P->name,
                                            Q->name);
            else
                p.name = arena_printf(in->ar, "%s->%s", P->name, Q->name);
            if (find_proj(in->m, p.name) >= 0)
                p.name = arena_printf(in->ar, "%s#%d", p.name, in->m->nprojs);
            /* parameter values: defaults, the arguments, a connection file's columns, the
               command line's */
            sx **vals = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *vals);
            for (int v = 0; v < t->nvars; v++)
                vals[v] = mp->vals && mp->vals[v] ? ev(in, en, mp->vals[v]) : t->vars[v].value;
            if (edges && !ir_edges(in->ar, in->d, &p, P, Q, edges, vals))
                in->errors++;
            /* `P.learning`: its rules on or off (unless a variable has that name) */
            bool has_switch = nlearns && sm_find_var(t, "learning") < 0;
            double learning = 1;
            proj_overrides(in, &p,
                           mp->name && mp->npre * mp->npost > 1
                               ? arena_printf(in->ar, "%s%s", en->prefix, mp->name)
                               : NULL,
                           vals, has_switch, &learning);
            if (!ir_element_indices(in->d, &p, t, vals))
                in->errors++;
            /* a rule parameter in the weight's unit (`w_max : w = 1`) keeps a plain-number
               default only for dimensionless weights */
            for (int v = 0; v < t->nvars; v++) {
                const sm_var *pv = &t->vars[v];
                if (pv->weight_unit && vals[v] == pv->value && pv->value &&
                    pv->value->kind == SX_CONST && dim_eq(pv->value->dim, DIM_NONE) &&
                    !dim_eq(pv->dim, DIM_NONE)) {
                    char a1[96];
                    const sm_learn *lr = &learns[pv->rule >= 0 ? pv->rule : 0];
                    ERR(in, lr->span,
                        "'%s' of rule %s is in the unit of the weight, here %s: "
                        "the plain-number default does not apply",
                        pv->name, lr->rule->name, dim_describe(pv->dim, a1, sizeof a1));
                    diag_hint(in->d, "give it a value: learn %s(%s = ...)", lr->rule->name,
                              pv->name);
                }
            }
            sx **shared = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *shared);
            for (int v = 0; v < t->nvars; v++)
                if (t->vars[v].kind == VAR_PARAM && !t->vars[v].per_item)
                    shared[v] = fold(in->ar, vals[v], VS_PARAM, shared, v);
            /* a per-synapse parameter that is the same constant for every synapse and
               that nothing changes is folded too: static synapses then store only
               their target index */
            for (int v = 0; v < t->nvars; v++)
                if (t->vars[v].kind == VAR_PARAM && t->vars[v].per_item && !t->vars[v].written &&
                    vals[v]) {
                    /* a number, or one computed from shared parameters (`alpha = 2 * rho_0 *
                       tau`) */
                    sx *f = fold(in->ar, vals[v], VS_PARAM, shared, v);
                    if (f && f->kind == SX_CONST)
                        shared[v] = f;
                }
            /* a name that two rules use is RULE_name */
            const char **vname = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *vname);
            for (int v = 0; v < t->nvars; v++) {
                const sm_var *sv = &t->vars[v];
                vname[v] = sv->name;
                for (int o = 0; o < t->nvars && sv->rule >= 0; o++)
                    if (o != v && !strcmp(t->vars[o].name, sv->name)) {
                        /* the rule's name, and its clause number when it is learned twice */
                        int same = 0;
                        for (int r = 0; r < nlearns; r++)
                            same += learns[r].rule == learns[sv->rule].rule;
                        vname[v] = same > 1 ? arena_printf(in->ar, "%s%d_%s",
                                                           learns[sv->rule].rule->name,
                                                           sv->rule + 1, sv->name)
                                            : arena_printf(in->ar, "%s_%s",
                                                           learns[sv->rule].rule->name, sv->name);
                        break;
                    }
            }
            p.slot = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *p.slot);
            p.vars = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *p.vars);
            for (int v = 0; v < t->nvars; v++) {
                const sm_var *sv = &t->vars[v];
                p.slot[v] = -1;
                if (sv->kind == VAR_ALG || sv->kind == VAR_INPUT || shared[v])
                    continue;
                p.slot[v] = p.nvars;
                p.vars[p.nvars++] = (ir_var){
                    vname[v],    sv->kind == VAR_STATE ? IRV_STATE : IRV_PARAM,     v, sv->dim,
                    sv->boolean, fold(in->ar, vals[v], VS_PARAM, shared, t->nvars), 0};
            }
            /* shared values become references to the model's (param.c) */
            int first = in->m->nparams;
            sx **sym =
                ir_param_refs(in->ar, in->m, in->m->nprojs, true, p.name, t, shared, vname);
            mark_derived(in, first, t, vals);
            p.shared = sym;
            if (has_switch)
                p.learning = ir_param_switch(in->ar, in->m, in->m->nprojs, true, p.name,
                                             "learning", t->nvars, learning);
            p.on_pre = fold_block(in->ar, t->on_pre, VS_PARAM, sym, t->nvars);
            p.on_post = fold_block(in->ar, t->on_post, VS_PARAM, sym, t->nvars);
            p.continuous = fold_block(in->ar, t->continuous, VS_PARAM, sym, t->nvars);
            p.every_step = fold_block(in->ar, t->every_step, VS_PARAM, sym, t->nvars);
            event_handlers(in->ar, &p, t, sym);
            if (t->structure) {
                p.structural = true;
                p.struct_every = fold(in->ar, t->structure->every, VS_PARAM, sym, t->nvars);
                p.struct_span = t->structure->span;
                p.prune = fold(in->ar, t->structure->prune, VS_PARAM, sym, t->nvars);
                p.grow = fold(in->ar, t->structure->grow, VS_PARAM, sym, t->nvars);
                p.grow_init = fold_block(in->ar, t->structure->init, VS_PARAM, sym, t->nvars);
                p.active_var = ir_structure_var(in->ar, &p);
            }
            in->m->projs = arena_grow(in->ar, in->m->projs, (size_t)in->m->nprojs,
                                      (size_t)in->m->nprojs + 1, sizeof *in->m->projs);
            in->m->projs[in->m->nprojs++] = p;
            irs[pair] = in->m->nprojs - 1;
            if (mp->has_conn)
                connect(in, en, &in->m->projs[in->m->nprojs - 1], mp);
            data_count(in, &in->m->projs[in->m->nprojs - 1]);
        }
}

/* ---- records, signals, instances, the module body
 * --------------------------------------------------- */

static void add_record(inst *in, ir_record r)
{
    in->m->records = arena_grow(in->ar, in->m->records, (size_t)in->m->nrecords,
                                (size_t)in->m->nrecords + 1, sizeof *in->m->records);
    in->m->records[in->m->nrecords++] = r;
}

/* The storage index of p's hidden copy of variable var taken at each spike ("_spike_v"),
 * made on first use; ir_schemes assigns it before the reset. */
static int spike_copy(inst *in, ir_pop *p, int var)
{
    for (int k = 0; k < p->ncopies; k++)
        if (p->copies[2 * k + 1] == var)
            return p->copies[2 * k];
    const sm_var *v = &p->type->vars[var];
    p->vars = arena_grow(in->ar, p->vars, (size_t)p->nvars, (size_t)p->nvars + 1, sizeof *p->vars);
    p->vars[p->nvars] = (ir_var){
        arena_printf(in->ar, "_spike_%s", v->name), IRV_HIDDEN, -1, v->dim, v->boolean, NULL, 0};
    p->copies = arena_grow(in->ar, p->copies, (size_t)(2 * p->ncopies),
                           (size_t)(2 * p->ncopies + 2), sizeof *p->copies);
    p->copies[2 * p->ncopies] = p->nvars;
    p->copies[2 * p->ncopies++ + 1] = var;
    return p->nvars++;
}

static void record(inst *in, const env *en, const sm_mrec *mr)
{
    double every = 0;
    if (mr->every) {
        sx *e = ev(in, en, mr->every);
        if (e->v <= 0)
            ERR(in, mr->every_span, "a sampling period must be a positive time");
        else
            every = e->v;
        /* a sample is taken every whole number of steps: say so where that is not the period
           written (0.25 ms at dt = 0.1 ms is every 0.3 ms) */
        double steps = every / in->dt;
        long k = lround(steps);
        if (in->dt_known && every > 0 && fabs((double)(k < 1 ? 1 : k) - steps) > 1e-9 * steps) {
            k = k < 1 ? 1 : k;
            diag_warning(in->d, mr->every_span,
                         "the sampling period (%g ms) is not a whole number of steps (dt = %g "
                         "ms): samples are taken every %ld step%s (%g ms)",
                         every * 1e3, in->dt * 1e3, k, k == 1 ? "" : "s", (double)k * in->dt * 1e3);
            diag_hint(in->d, "give a multiple of the time step, or another --dt");
        }
    }
    int *subset = NULL, nsub = 0;
    if (mr->has_subset) {
        long lo, hi;
        if (mr->range) {
            if (int_value(in, ev(in, en, mr->sub[0]), mr->sub_span[0], 0, &lo, "a neuron index") &&
                int_value(in, ev(in, en, mr->sub[1]), mr->sub_span[1], 0, &hi, "a neuron index")) {
                if (hi < lo)
                    ERR(in, mr->subset_span, "the range is empty (%ld .. %ld)", lo, hi);
                else {
                    nsub = (int)(hi - lo + 1);
                    subset = arena_alloc(in->ar, (size_t)nsub * sizeof *subset);
                    for (int k = 0; k < nsub; k++)
                        subset[k] = (int)lo + k;
                }
            }
        } else {
            subset = arena_alloc(in->ar, (size_t)(mr->nsub + 1) * sizeof *subset);
            for (int k = 0; k < mr->nsub; k++)
                if (int_value(in, ev(in, en, mr->sub[k]), mr->sub_span[k], 0, &lo,
                              "a neuron index"))
                    subset[nsub++] = (int)lo;
        }
    }
    const char *bad = NULL; /* a path whose weights cannot be recorded (reported once) */
    for (int k = 0; k < mr->ntargets; k++) {
        const sm_rtarget *tg = &mr->targets[k];
        ir_record r = {mr->kind, -1, -1, subset, nsub, every, tg->span};
        if (tg->proj >= 0) { /* record weights P, record P.u: a synapse variable */
            r.kind = REC_WEIGHTS;
            r.target = en->proj_ir[tg->proj][tg->pair];
            if (r.target < 0 || (bad && !strcmp(bad, tg->path)))
                continue;
            r.var = tg->var == SM_VAR_ACTIVE ? in->m->projs[r.target].active_var
                                             : in->m->projs[r.target].slot[tg->var];
            if (r.var < 0) {
                /* a constant that nothing changes is not stored */
                const sm_type *st = in->m->projs[r.target].syn;
                const char *vn = st ? st->vars[tg->var].name : "w";
                if (!strcmp(vn, "w"))
                    ERR(in, tg->span,
                        "the synapses of '%s%s' all have the same weight, which nothing "
                        "changes: it is not stored and cannot be recorded",
                        en->prefix, tg->path);
                else
                    ERR(in, tg->span,
                        "'%s' of the synapses of '%s%s' is the same for all of them and nothing "
                        "changes it: it is not stored and cannot be recorded",
                        vn, en->prefix, tg->path);
                bad = tg->path;
                continue;
            }
        } else {
            r.target = ir_find_pop(in->m, arena_printf(in->ar, "%s%s", en->prefix, tg->path));
            if (r.target < 0)
                continue;
            ir_pop *p = &in->m->pops[r.target];
            if (mr->kind == REC_STATE)
                r.var = p->slot[tg->var];
            if (mr->kind == REC_SPIKES && tg->var >= 0) {
                /* the spikes themselves (a duplicate of another spike record is harmless),
                   then the values */
                add_record(in, r);
                r.kind = REC_SPIKE_VALUES;
                r.var = spike_copy(in, p, tg->var);
            }
            for (int q = 0; q < nsub; q++)
                if (subset[q] >= p->size && !p->size_bad) {
                    ERR(in, mr->subset_span,
                        "neuron %d does not exist: %s has %d neuron%s, "
                        "numbered 0 to %d",
                        subset[q], p->name, p->size, p->size == 1 ? "" : "s", p->size - 1);
                    break;
                }
        }
        add_record(in, r);
    }
}

/* A signal: an expression of t, or the mean of a population's variable. */
static void signal(inst *in, const env *en, const sm_msignal *ms, ir_signal *sg)
{
    if (ms->value) {
        sg->value = ev(in, en, ms->value);
        return;
    }
    sg->pop = ir_find_pop(in->m, arena_printf(in->ar, "%s%s", en->prefix, ms->pop));
    if (sg->pop >= 0)
        sg->var = in->m->pops[sg->pop].slot[ms->var];
}

/* `E.ge += w * poisson_input(K, rate)`: K whole, rate dt a probability. */
static void poisson_input(inst *in, const env *en, const sm_minput *mi)
{
    int pi = ir_find_pop(in->m, arena_printf(in->ar, "%s%s", en->prefix, mi->pop));
    if (pi < 0)
        return;
    ir_pop *p = &in->m->pops[pi];
    long n;
    if (!int_value(in, ev(in, en, mi->n), mi->n_span, 0, &n, "the number of Poisson sources"))
        return;
    double rate = ev(in, en, mi->rate)->v, w = ev(in, en, mi->weight)->v, prob = rate * in->dt;
    char nb[32], db[32];
    if (!(rate >= 0) || !isfinite(rate)) {
        ERR(in, mi->rate_span, "the rate of Poisson sources must be at least 0, not %s Hz",
            fmt_double(nb, rate));
        return;
    }
    if (prob > 1) {
        ERR(in, mi->rate_span, "a source at %s Hz would spike more than once per step of %s ms",
            fmt_double(nb, rate), fmt_double(db, in->dt * 1e3));
        diag_hint(in->d, "each source spikes at most once per step (probability rate * dt): "
                         "use more sources at a lower rate, or a smaller dt");
        return;
    }
    if (p->slot[mi->var] < 0) {
        ERR(in, mi->span, "'%s' of %s has no storage: Poisson input cannot add to it",
            p->type->vars[mi->var].name, p->name);
        return;
    }
    p->pinputs = arena_grow(in->ar, p->pinputs, (size_t)p->npinputs, (size_t)p->npinputs + 1,
                            sizeof *p->pinputs);
    p->pinputs[p->npinputs++] = (ir_pinput){mi->var, (double)n, prob, w, mi->span};
}

/* Makes an instance of mod with its parameters' values given[k] (NULL: the default). */
static void module_body(inst *in, const sm_module *mod, const char *prefix, sx **given)
{
    env en = {mod, prefix, NULL, in->m->nsignals, NULL};
    en.vals = arena_alloc(in->ar, (size_t)(mod->nparams + 1) * sizeof *en.vals);
    for (int k = 0; k < mod->nparams; k++) /* a default may use the parameters before it */
        en.vals[k] = given && given[k] ? given[k] : ev(in, &en, mod->params[k].value);
    en.proj_ir = arena_alloc(in->ar, (size_t)(mod->nitems + 1) * sizeof *en.proj_ir);
    /* signals first: rules of projections refer to them by their index (less signal_base) */
    for (int k = 0; k < mod->nsignals; k++) {
        ir_signal sg = {arena_printf(in->ar, "%s%s", prefix, mod->signals[k].name), NULL, -1, -1};
        in->m->signals = arena_grow(in->ar, in->m->signals, (size_t)in->m->nsignals,
                                    (size_t)in->m->nsignals + 1, sizeof *in->m->signals);
        in->m->signals[in->m->nsignals++] = sg;
    }
    for (int i = 0; i < mod->nitems; i++) {
        const sm_mitem *it = &mod->items[i];
        switch (it->kind) {
        case MI_POP: population(in, &en, it->pop); break;
        case MI_PROJ: {
            const sm_mproj *mp = it->proj;
            en.proj_ir[i] =
                arena_alloc(in->ar, (size_t)(mp->npre * mp->npost + 1) * sizeof *en.proj_ir[i]);
            projection(in, &en, mp, en.proj_ir[i]);
            break;
        }
        case MI_INST: {
            const sm_minst *mi = it->inst;
            sx **args = arena_alloc(in->ar, (size_t)(mi->mod->nparams + 1) * sizeof *args);
            for (int k = 0; k < mi->mod->nparams; k++)
                args[k] = mi->args[k] ? ev(in, &en, mi->args[k]) : NULL;
            module_body(in, mi->mod, arena_printf(in->ar, "%s%s.", prefix, mi->name), args);
            break;
        }
        case MI_RECORD: record(in, &en, it->rec); break;
        case MI_INPUT: poisson_input(in, &en, it->input); break;
        }
    }
    for (int k = 0; k < mod->nsignals; k++)
        signal(in, &en, &mod->signals[k], &in->m->signals[en.signal_base + k]);
}

/* The values of the module's parameters: the run line's arguments (run), then the command
 * line's overrides, each checked against the parameter's default. */
static sx **module_values(inst *in, const sm_module *mod, const sm_run *run)
{
    sx **given = arena_alloc(in->ar, (size_t)(mod->nparams + 1) * sizeof *given);
    for (int k = 0; run && run->args && k < mod->nparams; k++)
        given[k] = run->args[k];
    const char **names = arena_alloc(in->ar, (size_t)(mod->nparams + 1) * sizeof *names);
    for (int k = 0; k < mod->nparams; k++)
        names[k] = mod->params[k].name;
    for (int i = 0; i < in->nov; i++) {
        const ir_override *o = &in->ov[i];
        if (strchr(o->name, '.'))
            continue; /* a population's or a projection's: applied where it is made */
        in->ov_used[i] = true;
        int k = -1;
        for (int q = 0; q < mod->nparams && k < 0; q++)
            if (!strcmp(names[q], o->name))
                k = q;
        if (k < 0) {
            ERR(in, SPAN_NONE, "%s: module %s has no parameter '%s'", ov_said(in, o),
                mod->def->name, o->name);
            const char *best = closest(o->name, names, mod->nparams);
            if (best)
                diag_hint(in->d, "did you mean '%s'?", best);
            continue;
        }
        const sx *def = mod->params[k].value;
        if (ov_fits(in, o, def->dim, def->boolean,
                    arena_printf(in->ar, "'%s' of module %s", o->name, mod->def->name)))
            given[k] = ov_value(in, o, def->dim, def->boolean);
    }
    return given;
}

ir_model *ir_instantiate(sema_ctx *s, int root_file, const char *module, const ir_override *ov,
                         int nov, double dt)
{
    bool dt_known = dt > 0;
    if (!dt_known)
        dt = 1e-4;
    inst in = {.s = s,
               .ar = sema_arena(s),
               .d = sema_diag(s),
               .dt = dt,
               .dt_known = dt_known,
               .ov = ov,
               .nov = nov};
    sema_check_all(s); /* a module with errors there (or unchecked) is not instantiated */
    ir_model *m = arena_alloc(in.ar, sizeof *m);
    in.m = m;
    m->dt = dt;
    in.ov_used = arena_alloc(in.ar, (size_t)(nov + 1) * sizeof *in.ov_used);
    const sm_run *run = sema_run(s, root_file);
    const sm_def *def = NULL;
    /* -m naming the module of the `run` line: its arguments and duration apply */
    if (module && run && run->module && !strcmp(run->module->name, module))
        module = NULL;
    if (module) {
        def = sema_find(s, module);
        if (!def || def->kind != AST_MODULE) {
            diag_error(in.d, SPAN_NONE, "no module named '%s'", module);
            /* the file's modules: the likeliest meant, else all of them */
            const ast_node *root = sema_file_root(s, root_file);
            const char **names =
                arena_alloc(in.ar, (size_t)(root ? root->nkids + 1 : 1) * sizeof *names);
            int n = 0;
            for (int k = 0; root && k < root->nkids; k++)
                if (root->kids[k]->kind == AST_MODULE)
                    names[n++] = root->kids[k]->name;
            const char *best = closest(module, names, n);
            if (best)
                diag_hint(in.d, "did you mean '%s'?", best);
            else if (n) {
                strbuf sb = {0};
                for (int k = 0; k < n; k++)
                    sb_printf(&sb, "%s%s", k ? ", " : "", names[k]);
                diag_hint(in.d, "the file's module%s: %s", n == 1 ? "" : "s", sb.buf);
                sb_free(&sb);
            }
            return NULL;
        }
        run = NULL;
    } else if (run) {
        def = run->module;
        m->run = run;
        sx *d = run->duration;
        if (d->v <= 0)
            ERR(&in, run->duration_span, "'run ... for' needs a positive duration, like 1 s");
        else
            m->duration = d->v;
    } else {
        ast_node *root = sema_file_root(s, root_file);
        for (int i = 0; root && i < root->nkids; i++)
            if (root->kids[i]->kind == AST_MODULE) {
                if (def) {
                    diag_error(in.d, root->kids[i]->span,
                               "this file has several modules and no "
                               "'run' line: choose one with -m NAME");
                    return NULL;
                }
                def = sema_find(s, root->kids[i]->name);
            }
        if (!def) {
            diag_error(in.d, SPAN_NONE, "%s has no module to run", diag_file_name(in.d, root_file));
            return NULL;
        }
    }
    if (!sema_module_ok(def->module))
        return NULL;
    m->module = def->name;
    sx **given = module_values(&in, def->module, run);
    module_body(&in, def->module, "", given);
    /* a population or projection that no module made */
    for (int i = 0; i < nov && !in.errors; i++)
        if (!in.ov_used[i]) {
            const char *dot = strrchr(ov[i].name, '.');
            char *path = arena_printf(in.ar, "%.*s", (int)(dot - ov[i].name), ov[i].name);
            ERR(&in, SPAN_NONE,
                "%s: module %s has no population or named projection '%s'",
                ov_said(&in, &ov[i]), m->module, path);
            /* an instance of a module inside this one: its parameters are its call's */
            size_t pl = strlen(path);
            const char *inner = NULL;
            for (int k = 0; k < m->npops && !inner; k++)
                if (!strncmp(m->pops[k].name, path, pl) && m->pops[k].name[pl] == '.')
                    inner = m->pops[k].name;
            if (inner) {
                diag_hint(in.d,
                          "'%s' is an instance of a module: its parameters are given where "
                          "it is made; --set takes those of its populations and projections "
                          "('%s.NAME')",
                          path, inner);
                continue;
            }
            /* the closest population or projection that has a parameter of that name */
            const char **names =
                arena_alloc(in.ar, (size_t)(m->npops + m->nprojs + 1) * sizeof *names);
            int nn = 0;
            for (int k = 0; k < m->npops; k++) {
                int v = sm_find_var(m->pops[k].type, dot + 1);
                if (v >= 0 && m->pops[k].type->vars[v].kind == VAR_PARAM)
                    names[nn++] = m->pops[k].name;
            }
            for (int k = 0; k < m->nprojs; k++) {
                int v = m->projs[k].syn ? sm_find_var(m->projs[k].syn, dot + 1) : -1;
                if (!strstr(m->projs[k].name, "->") && v >= 0 &&
                    m->projs[k].syn->vars[v].kind == VAR_PARAM)
                    names[nn++] = m->projs[k].name;
            }
            const char *best = closest(path, names, nn);
            if (best)
                diag_hint(in.d, "did you mean '%s.%s'?", best, dot + 1);
        }
    if (in.errors || diag_error_count(in.d))
        return NULL;
    return m;
}
