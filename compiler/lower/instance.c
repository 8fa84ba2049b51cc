/*
 * Module instantiation: a module with its parameters becomes a flat
 * ir_model. Module parameters and lets are folded to constants, nested
 * instances are flattened ("c1.E"), populations get their storage and
 * initial values, projections are bound to their neuron types (which checks
 * every pre./post. use), and records are resolved.
 */
#include "lower/ir.h"
#include "sema/sema_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ERR(in, sp, ...)                                                                           \
    do {                                                                                           \
        diag_error((in)->d, (sp), __VA_ARGS__);                                                    \
        (in)->errors++;                                                                            \
    } while (0)

/* A name of a module scope: a constant (parameter, let) or a member. */
typedef struct {
    const char *name;
    sx *value;
    ax_span span;
} scope_name;

typedef struct scope scope;
struct scope {
    const char *prefix;   /* "" or "c1." */
    scope_name *names;
    int n;
    const char **signals; /* signals declared in this module */
    int nsignals;
    int signal_base;      /* the index of the first in the model's signals */
    int depth;
};

typedef struct {
    sema_ctx *s;
    ax_arena *ar;
    diag_ctx *d;
    ir_model *m;
    int errors;
    double dt;
    const ast_node *stack[16]; /* modules being instantiated (recursion) */
    int nstack;
} inst;

/* ---- expressions at module level ------------------------------------------------ */

enum { ALLOW_T = 1, ALLOW_I = 2, ALLOW_J = 4, ALLOW_RAND = 8 };

typedef struct {
    inst *in;
    scope *sc;
    int allow;
} mod_user;

static sx *module_name(check_ctx *ck, const ast_node *id)
{
    mod_user *u = ck->user;
    for (int k = u->sc->n - 1; k >= 0; k--)
        if (!strcmp(u->sc->names[k].name, id->name))
            return u->sc->names[k].value;
    if (!strcmp(id->name, "i") && (u->allow & ALLOW_I)) {
        sx *e = sx_var(ck->ar, VS_INDEX_I, 0, "i", DIM_NONE);
        e->span = id->span;
        return e;
    }
    if (!strcmp(id->name, "j") && (u->allow & ALLOW_J)) {
        sx *e = sx_var(ck->ar, VS_INDEX_J, 0, "j", DIM_NONE);
        e->span = id->span;
        return e;
    }
    if (!strcmp(id->name, "t") && !(u->allow & ALLOW_T)) {
        diag_error(ck->d, id->span, "the time 't' cannot be used here: this value is fixed "
                                    "when the model is built");
        ck->errors++;
        sx *e = sx_const(ck->ar, 0, DIM_TIME);
        e->unknown = true;
        return e;
    }
    return NULL;
}

/* The closest module-level name (parameter, let, population) for "did you mean". */
static const char *module_suggest(check_ctx *ck, const char *name)
{
    mod_user *u = ck->user;
    const char *best = NULL;
    int len = (int)strlen(name);
    for (int k = 0, bd = 3; k < u->sc->n; k++) {
        int d = typo_distance(name, u->sc->names[k].name);
        if (d < bd && d <= (len <= 3 ? 1 : 2) && d < len) {
            bd = d;
            best = u->sc->names[k].name;
        }
    }
    return best;
}

static check_ctx *mod_check(inst *in, scope *sc, sm_type *t, int allow)
{
    check_ctx *ck = arena_alloc(in->ar, sizeof *ck);
    ck->ar = in->ar;
    ck->d = in->d;
    ck->t = t ? t : arena_alloc(in->ar, sizeof(sm_type));
    ck->ctx = CTX_MODULE;
    ck->weight_var = -1;
    ck->lookup_extra = module_name;
    ck->suggest_extra = module_suggest;
    mod_user *u = arena_alloc(in->ar, sizeof *u);
    u->in = in;
    u->sc = sc;
    u->allow = allow;
    ck->user = u;
    int nv = t ? t->nvars : 0;
    ck->alg_state = arena_alloc(in->ar, (size_t)(nv + 1) * sizeof *ck->alg_state);
    ck->alg_ast = arena_alloc(in->ar, (size_t)(nv + 1) * sizeof *ck->alg_ast);
    for (int v = 0; v < nv; v++)
        ck->alg_state[v] = 2; /* definitions were checked with their type */
    return ck;
}

/* A module-level expression; random draws and indices only where allowed. */
static bool has_rand(const sx *e)
{
    if (!e)
        return false;
    return e->kind == SX_RAND || has_rand(e->a) || has_rand(e->b) || has_rand(e->c);
}

static sx *mod_expr(inst *in, scope *sc, const ast_node *n, int allow)
{
    check_ctx *ck = mod_check(in, sc, NULL, allow);
    sx *e = check_expr(ck, n);
    in->errors += ck->errors;
    if (!(allow & ALLOW_RAND) && has_rand(e)) {
        ERR(in, n->span, "a random value is not allowed here");
        diag_hint(in->d, "random draws belong in initial values, weights and delays");
    }
    return sx_simplify(in->ar, e);
}

/* A constant: a number known when the model is built. */
static bool const_value(inst *in, scope *sc, const ast_node *n, sx **out, const char *what)
{
    sx *e = mod_expr(in, sc, n, 0);
    *out = e;
    if (e->unknown)
        return false; /* an undefined name: reported already */
    if (e->kind != SX_CONST) {
        ERR(in, n->span, "%s must be a constant (known when the model is built)", what);
        return false;
    }
    return true;
}

static bool int_value(inst *in, scope *sc, const ast_node *n, long min, long *out,
                      const char *what)
{
    sx *e;
    if (!const_value(in, sc, n, &e, what))
        return false;
    char d[96];
    if (!dim_is_none(e->dim) && !(e->kind == SX_CONST && e->fn == 1)) {
        ERR(in, n->span, "%s must be a plain number, not %s", what, dim_describe(e->dim, d, sizeof d));
        return false;
    }
    /* N * 0.1 with N = 30 is 3.0000000000000004: within rounding of a whole number */
    double v = e->v;
    if (fabs(v - nearbyint(v)) <= 1e-9 * fmax(1, fabs(v)))
        v = nearbyint(v);
    if (!e->boolean && v == floor(v) && v > 2e9) {
        char nb[32];
        ERR(in, n->span, "%s must be at most 2000000000, not %s", what, fmt_double(nb, v));
        return false;
    }
    if (e->boolean || v != floor(v) || v < (double)min) {
        char nb[32];
        if (v == floor(v) || fabs(v) >= 1e9)
            fmt_double(nb, v);
        else
            snprintf(nb, sizeof nb, "%.10g", v);
        ERR(in, n->span, "%s must be a whole number%s, not %s", what,
            min > 0 ? " of at least 1" : "", nb);
        return false;
    }
    *out = (long)v;
    return true;
}

/* ---- overrides from the command line and `run` ------------------------------------------ */

typedef struct {
    const char *name;
    const ast_node *value;
    ax_span span;
    bool used;
    sx *computed; /* a value already computed in a parent module's scope */
} arg_binding;

/* Matches named arguments against a module's parameters. */
static arg_binding *bind_args(inst *in, const ast_node *args, int *nout)
{
    int n = args ? args->nkids : 0;
    arg_binding *b = arena_alloc(in->ar, (size_t)(n + 1) * sizeof *b);
    int k = 0;
    for (int i = 0; i < n; i++) {
        const ast_node *a = args->kids[i];
        if (a->kind != AST_NAMED) {
            ERR(in, a->span, "arguments here must be named: write 'name = value'");
            continue;
        }
        for (int j = 0; j < k; j++)
            if (!strcmp(b[j].name, a->name))
                ERR(in, a->span, "'%s' is given twice", a->name);
        b[k++] = (arg_binding){a->name, a->a, a->span, false, NULL};
    }
    *nout = k;
    return b;
}

/* ---- populations ---------------------------------------------------------------------------- */

static void add_name(inst *in, scope *sc, const char *name, sx *value, ax_span sp)
{
    for (int k = 0; k < sc->n; k++)
        if (!strcmp(sc->names[k].name, name)) {
            ERR(in, sp, "'%s' is already defined in this module", name);
            diag_note(in->d, sc->names[k].span, "the first definition is here");
            return;
        }
    sc->names = arena_grow(in->ar, sc->names, (size_t)sc->n, (size_t)sc->n + 1, sizeof *sc->names);
    sc->names[sc->n++] = (scope_name){name, value, sp};
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

/* Replaces the shared parameters of a type by their values (vals[v] != NULL). */
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

/* `population S = SpikeSource[n] from "spikes.csv"` or `from [(i, t), ...]` (data.c) */
static void spike_source(inst *in, scope *sc, ir_pop *p, const ast_node *src)
{
    ir_spike_in *sp = NULL;
    long n = 0;
    if (src->kind == AST_FROM) {
        if (!ir_spikes_file(in->ar, in->d, p, src->span, src->str, &sp, &n)) {
            in->errors++;
            return;
        }
    } else {
        sp = arena_alloc(in->ar, (size_t)(src->nkids + 1) * sizeof *sp);
        for (int k = 0; k < src->nkids; k++) {
            const ast_node *pair = src->kids[k];
            long i;
            sx *e;
            if (!int_value(in, sc, pair->kids[0], 0, &i, "a neuron index") ||
                !const_value(in, sc, pair->kids[1], &e, "a spike time"))
                continue;
            if (i >= p->size) {
                ERR(in, pair->kids[0]->span, "neuron %ld does not exist: %s has %d neuron%s, "
                    "numbered 0 to %d", i, p->name, p->size, p->size == 1 ? "" : "s", p->size - 1);
                continue;
            }
            if (!dim_eq(e->dim, DIM_TIME)) {
                char a[96];
                ERR(in, pair->kids[1]->span, "a spike time must be a time, not %s",
                    dim_describe(e->dim, a, sizeof a));
                continue;
            }
            sp[n++] = (ir_spike_in){i, e->v, pair->span, pair->kids[1]->span};
        }
    }
    if (!ir_spike_source(in->ar, in->d, p, sp, n, in->dt, "spike times"))
        in->errors++;
}

static void population(inst *in, scope *sc, const ast_node *n)
{
    const sm_def *def = sema_find(in->s, n->str);
    if (!def || def->kind != AST_NEURON) {
        if (def)
            ERR(in, n->span, "'%s' is a %s, not a neuron type", n->str,
                def->kind == AST_SYNAPSE ? "synapse" : def->kind == AST_RULE ? "rule" : "module");
        else {
            ERR(in, n->span, "undefined neuron type '%s'", n->str);
            const char *best = NULL;
            for (int i = 0, bd = 3; i < sema_def_count(in->s); i++) {
                const sm_def *o = sema_def(in->s, i);
                int dd = typo_distance(n->str, o->name);
                if (o->kind == AST_NEURON && dd < bd) {
                    bd = dd;
                    best = o->name;
                }
            }
            if (best)
                diag_hint(in->d, "did you mean '%s'?", best);
            else
                diag_hint(in->d, "is an import missing? (for example: import \"std/neurons\")");
        }
        return;
    }
    const sm_type *t = def->type;
    if (!t || t->errors)
        return; /* its own errors were reported */
    long size;
    if (!int_value(in, sc, n->a, 1, &size, "a population size"))
        size = 1;
    ir_pop p = {0};
    p.name = arena_printf(in->ar, "%s%s", sc->prefix, n->name);
    p.type = t;
    p.type_name = t->name;
    p.size = (int)size;
    p.span = n->span;
    p.refr_var = p.permit_var = -1;
    /* parameter values: defaults, then the population's overrides */
    sx **shared = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *shared);
    sx **init = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *init);
    for (int v = 0; v < t->nvars; v++)
        init[v] = t->vars[v].value;
    int nargs = 0;
    arg_binding *args = bind_args(in, n->b, &nargs);
    for (int a = 0; a < nargs; a++) {
        int v = sm_find_var(t, args[a].name);
        if (v < 0 || t->vars[v].kind != VAR_PARAM) {
            if (v >= 0 && t->vars[v].kind == VAR_STATE)
                ERR(in, args[a].span, "'%s' is a state variable of %s: set its initial value in "
                                      "the population's { } block", args[a].name, t->name);
            else
                ERR(in, args[a].span, "%s has no parameter '%s'", t->name, args[a].name);
            continue;
        }
        const sm_var *pv = &t->vars[v];
        /* random draws are allowed by mod_expr and refused below, with a better message */
        sx *e = mod_expr(in, sc, args[a].value, ALLOW_T | ALLOW_RAND | (pv->per_item ? ALLOW_I : 0));
        if (!e->unknown && !(e->kind == SX_CONST && e->fn == 1) && !dim_eq(e->dim, pv->dim)) {
            char a1[96], b1[96];
            ERR(in, args[a].value->span, "'%s' of %s is %s, but this value is %s", pv->name,
                t->name, dim_describe(pv->dim, a1, sizeof a1), dim_describe(e->dim, b1, sizeof b1));
            check_dim_hint(in->d, pv->dim, e->dim);
            continue;
        }
        if (!pv->per_item && has_rand(e)) {
            ERR(in, args[a].value->span, "'%s' is shared by the whole population and cannot be "
                                         "random", pv->name);
            diag_hint(in->d, "declare it in 'parameters per neuron' for a value per neuron");
            continue;
        }
        init[v] = e;
    }
    /* shared parameters: defaults may use earlier parameters */
    for (int v = 0; v < t->nvars; v++) {
        if (t->vars[v].kind != VAR_PARAM || t->vars[v].per_item)
            continue;
        shared[v] = fold(in->ar, init[v], VS_PARAM, shared, v);
    }
    /* storage: state, per-neuron parameters, inputs */
    int *slot = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *slot);
    p.vars = arena_alloc(in->ar, (size_t)(t->nvars + 3) * sizeof *p.vars);
    for (int v = 0; v < t->nvars; v++) {
        const sm_var *sv = &t->vars[v];
        slot[v] = -1;
        if (sv->kind == VAR_ALG || (sv->kind == VAR_PARAM && !sv->per_item))
            continue;
        ir_var_kind k = sv->kind == VAR_STATE ? IRV_STATE : sv->kind == VAR_PARAM ? IRV_PARAM
                      : IRV_INPUT;
        slot[v] = p.nvars;
        p.vars[p.nvars++] = (ir_var){sv->name, k, v, sv->dim, sv->boolean, NULL};
    }
    /* initialisers of the population */
    for (int k = 0; k < n->nkids; k++) {
        const ast_node *st = n->kids[k];
        if (st->kind != AST_ASSIGN || st->a->kind != AST_IDENT || st->op != '=') {
            ERR(in, st->span, "a population's initialiser must be 'name = value'");
            continue;
        }
        int v = sm_find_var(t, st->a->name);
        if (v < 0 || (t->vars[v].kind != VAR_STATE && !(t->vars[v].kind == VAR_PARAM &&
                                                        t->vars[v].per_item))) {
            if (v >= 0 && t->vars[v].kind == VAR_PARAM)
                ERR(in, st->a->span, "'%s' is a shared parameter of %s: set it in the "
                                     "population's ( ) arguments", st->a->name, t->name);
            else
                ERR(in, st->a->span, "%s has no state variable '%s'", t->name, st->a->name);
            continue;
        }
        check_ctx *ck = mod_check(in, sc, (sm_type *)t, ALLOW_I | ALLOW_RAND);
        ck->ctx = CTX_STATE_INIT;
        ck->visible = t->nvars;
        ck->ndraws = 0;
        sx *e = check_expr(ck, st->b);
        in->errors += ck->errors;
        if (sx_uses(e, t->vars[v].kind == VAR_STATE ? VS_STATE : VS_PARAM, v)) {
            ERR(in, st->b->span, "the initial value of '%s' refers to '%s' itself",
                st->a->name, st->a->name);
            for (int q = 0; q < sc->n; q++)
                if (!strcmp(sc->names[q].name, st->a->name)) {
                    diag_hint(in->d, "here '%s' is the neuron's own; the module's '%s' is hidden: "
                                     "give the module's a different name",
                              st->a->name, st->a->name);
                    break;
                }
            continue;
        }
        if (!e->unknown && !(e->kind == SX_CONST && e->fn == 1) &&
            !dim_eq(e->dim, t->vars[v].dim)) {
            char a1[96], b1[96];
            ERR(in, st->b->span, "'%s' is %s, but this value is %s", st->a->name,
                dim_describe(t->vars[v].dim, a1, sizeof a1), dim_describe(e->dim, b1, sizeof b1));
            check_dim_hint(in->d, t->vars[v].dim, e->dim);
            continue;
        }
        init[v] = e;
    }
    /* initial values, with shared parameters folded and earlier values substituted */
    for (int v = 0; v < t->nvars; v++) {
        if (slot[v] < 0 || !init[v])
            continue;
        sx *e = fold(in->ar, init[v], VS_PARAM, shared, t->nvars);
        for (int u = 0; u < t->nvars; u++) {
            if (u == v || slot[u] < 0)
                continue;
            int sp = t->vars[u].kind == VAR_STATE ? VS_STATE : VS_PARAM;
            if (sx_uses(e, sp, u) && p.vars[slot[u]].init)
                e = sx_subst(in->ar, e, sp, u, p.vars[slot[u]].init);
        }
        p.vars[slot[v]].init = sx_simplify(in->ar, e);
    }
    /* re-index variables from sm_type order to storage order, fold shared params */
    p.spike = t->has_spike ? fold(in->ar, t->spike, VS_PARAM, shared, t->nvars) : NULL;
    p.reset = fold_block(in->ar, t->reset, VS_PARAM, shared, t->nvars);
    p.events = arena_alloc(in->ar, (size_t)(t->nevents + 1) * sizeof *p.events);
    for (int e = 0; e < t->nevents; e++) {
        p.events[e] = t->events[e];
        p.events[e].cond = fold(in->ar, t->events[e].cond, VS_PARAM, shared, t->nvars);
        p.events[e].body = fold_block(in->ar, t->events[e].body, VS_PARAM, shared, t->nvars);
    }
    p.nevents = t->nevents;
    if (n->c)
        spike_source(in, sc, &p, n->c);
    p.output = fold(in->ar, t->output, VS_PARAM, shared, t->nvars);
    p.slot = slot;
    p.shared = shared;
    if (t->refractory) {
        sx *r = fold(in->ar, t->refractory, VS_PARAM, shared, t->nvars);
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
    add_name(in, sc, n->name, sx_const(in->ar, (double)size, DIM_NONE), n->span);
}

/* ---- projections ------------------------------------------------------------------------------ */

/* Resolves a path (E, c1.E) to a population of this module or a nested one. */
static int pop_of_path(inst *in, scope *sc, const ast_node *path)
{
    strbuf sb = {0};
    sb_puts(&sb, sc->prefix);
    const ast_node *parts[16];
    int np = 0;
    for (const ast_node *p = path; p && np < 16; p = p->kind == AST_MEMBER ? p->a : NULL)
        parts[np++] = p;
    for (int k = np - 1; k >= 0; k--)
        sb_printf(&sb, "%s%s", parts[k]->name, k ? "." : "");
    int idx = ir_find_pop(in->m, sb.buf);
    if (idx < 0) {
        ERR(in, path->span, "no population named '%s' in this module", sb.buf + strlen(sc->prefix));
        const char *best = NULL;
        for (int i = 0, bd = 3; i < in->m->npops; i++) {
            const char *nm = in->m->pops[i].name;
            if (strncmp(nm, sc->prefix, strlen(sc->prefix)))
                continue;
            int d = typo_distance(sb.buf + strlen(sc->prefix), nm + strlen(sc->prefix));
            if (d < bd) {
                bd = d;
                best = nm + strlen(sc->prefix);
            }
        }
        if (best)
            diag_hint(in->d, "did you mean '%s'?", best);
        else
            diag_hint(in->d, "populations must be declared before the projections that use them");
    }
    sb_free(&sb);
    return idx;
}

static const sm_def *find_def(inst *in, const char *name, ast_kind kind, ax_span sp,
                              const char *what)
{
    const sm_def *d = sema_find(in->s, name);
    if (d && d->kind == kind)
        return d;
    if (d)
        ERR(in, sp, "'%s' is not a %s", name, what);
    else {
        ERR(in, sp, "undefined %s '%s'", what, name);
        const char *best = NULL;
        for (int i = 0, bd = 3; i < sema_def_count(in->s); i++) {
            const sm_def *o = sema_def(in->s, i);
            int dd = typo_distance(name, o->name);
            if (o->kind == kind && dd < bd) {
                bd = dd;
                best = o->name;
            }
        }
        if (best)
            diag_hint(in->d, "did you mean '%s'?", best);
    }
    return NULL;
}

/* Values for the parameters of a synapse (and its rules) from arguments:
 * per-synapse values may be expressions of i and j and random draws. */
/* Arguments of the synapse (rule = -1) or of its `learn` clause number `rule`: they name that
 * one's parameters (two rules may have parameters of the same name). */
static void syn_args(inst *in, scope *sc, const sm_type *t, const ast_node *args, sx **vals,
                     const char *owner, int rule)
{
    int nargs = 0;
    arg_binding *b = bind_args(in, args, &nargs);
    for (int a = 0; a < nargs; a++) {
        int v = -1;
        for (int k = 0; k < t->nvars && v < 0; k++)
            if (t->vars[k].rule == rule && !strcmp(t->vars[k].name, b[a].name))
                v = k;
        if (v < 0 || (t->vars[v].kind != VAR_PARAM && t->vars[v].kind != VAR_STATE)) {
            ERR(in, b[a].span, "%s has no parameter '%s'", owner, b[a].name);
            continue;
        }
        const sm_var *pv = &t->vars[v];
        bool per = pv->kind == VAR_STATE || pv->per_item;
        sx *e = mod_expr(in, sc, b[a].value, per ? ALLOW_I | ALLOW_J | ALLOW_RAND : 0);
        if (!e->unknown && !(e->kind == SX_CONST && e->fn == 1) && !dim_eq(e->dim, pv->dim)) {
            char a1[96], b1[96];
            ERR(in, b[a].value->span, "'%s' of %s is %s, but this value is %s", pv->name, owner,
                dim_describe(pv->dim, a1, sizeof a1), dim_describe(e->dim, b1, sizeof b1));
            check_dim_hint(in->d, pv->dim, e->dim);
            continue;
        }
        if (!per && e->kind != SX_CONST) {
            ERR(in, b[a].value->span, "'%s' is shared by every synapse of the projection: its "
                                      "value must be a constant", pv->name);
            continue;
        }
        vals[v] = e;
    }
}

static void connector(inst *in, scope *sc, ir_proj *p, const ast_node *c)
{
    const ast_node *k = c->a;
    if (k->kind == AST_WHERE) {
        p->conn = CONN_WHERE;
        sx *e = mod_expr(in, sc, k->a, ALLOW_I | ALLOW_J | ALLOW_RAND);
        if (!e->boolean && !e->unknown)
            ERR(in, k->a->span, "the condition of 'where' must be a comparison of i and j");
        p->conn_arg = e;
        return;
    }
    if (k->kind == AST_FROM) {
        p->conn = CONN_FILE;
        p->file = k->str;
        return;
    }
    const char *name = k->name;
    int nargs = k->kind == AST_CALL ? k->nkids : 0;
    int npos = 0;
    const ast_node *pos[2] = {NULL, NULL};
    for (int a = 0; a < nargs; a++) {
        const ast_node *arg = k->kids[a];
        if (arg->kind == AST_NAMED) {
            if (!strcmp(arg->name, "autapses")) {
                sx *e = mod_expr(in, sc, arg->a, 0);
                if (!e->boolean || e->kind != SX_CONST)
                    ERR(in, arg->a->span, "'autapses' must be true or false");
                else
                    p->autapses = e->v != 0;
            } else {
                ERR(in, arg->span, "connectors take no argument named '%s' (only 'autapses')",
                    arg->name);
            }
        } else if (npos < 2) {
            pos[npos++] = arg;
        } else {
            ERR(in, arg->span, "too many arguments for '%s'", name);
        }
    }
    struct {
        const char *name;
        ir_conn_kind kind;
        int args;
    } const KINDS[] = {{"all_to_all", CONN_ALL, 0}, {"one_to_one", CONN_ONE, 0},
                       {"random", CONN_RANDOM, 1}, {"fixed_indegree", CONN_INDEGREE, 1},
                       {"fixed_outdegree", CONN_OUTDEGREE, 1}};
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++) {
        if (strcmp(KINDS[i].name, name))
            continue;
        p->conn = KINDS[i].kind;
        if (npos != KINDS[i].args) {
            ERR(in, k->span, "'%s' takes %d argument%s", name, KINDS[i].args,
                KINDS[i].args == 1 ? "" : "s");
            return;
        }
        const ir_pop *pre = &in->m->pops[p->pre], *post = &in->m->pops[p->post];
        if (p->conn == CONN_ONE && pre->size != post->size)
            ERR(in, k->span, "one_to_one needs populations of the same size (%s has %d neurons, "
                             "%s has %d)", pre->name, pre->size, post->name, post->size);
        if (p->conn == CONN_RANDOM) {
            sx *e;
            if (const_value(in, sc, pos[0], &e, "a connection probability")) {
                if (!dim_is_none(e->dim)) {
                    char a1[96];
                    ERR(in, pos[0]->span, "a connection probability must be a plain number "
                                          "between 0 and 1, not %s",
                        dim_describe(e->dim, a1, sizeof a1));
                } else if (e->v < 0 || e->v > 1) {
                    char nb[32];
                    ERR(in, pos[0]->span, "a connection probability must be a number between "
                                          "0 and 1, not %s", fmt_double(nb, e->v));
                }
                p->conn_arg = e;
            }
        } else if (p->conn == CONN_INDEGREE || p->conn == CONN_OUTDEGREE) {
            long kk;
            if (int_value(in, sc, pos[0], 0, &kk, "a number of connections")) {
                int limit = p->conn == CONN_INDEGREE ? pre->size : post->size;
                if (kk > limit)
                    ERR(in, pos[0]->span, "%ld connections per neuron, but the %s population "
                                          "has only %d neurons", kk,
                        p->conn == CONN_INDEGREE ? "source" : "target", limit);
                p->conn_arg = sx_const(in->ar, (double)kk, DIM_NONE);
            }
        }
        return;
    }
    ERR(in, k->span, "unknown connector '%s'", name);
    diag_hint(in->d, "the connectors are all_to_all, one_to_one, random(p), fixed_indegree(k), "
                     "fixed_outdegree(k), where (...) and from \"file\"");
}

static void projection(inst *in, scope *sc, const ast_node *n)
{
    const sm_def *syn = find_def(in, n->str, AST_SYNAPSE, n->span, "synapse type");
    if (!syn)
        return;
    /* learn clauses */
    sm_learn learns[8];
    int nlearns = 0;
    const ast_node *conn = NULL, *delay = NULL;
    const ast_node *learn_args[8];
    for (int k = 0; k < n->nkids; k++) {
        const ast_node *c = n->kids[k];
        if (c->kind == AST_CONNECT) {
            if (conn)
                ERR(in, c->span, "a projection has one 'connect'");
            conn = c;
        } else if (c->kind == AST_DELAY) {
            if (delay)
                ERR(in, c->span, "a projection has one 'delay'");
            delay = c;
        } else if (c->kind == AST_LEARN) {
            const sm_def *r = find_def(in, c->str, AST_RULE, c->span, "learning rule");
            if (!r)
                continue;
            if (nlearns == 8) {
                ERR(in, c->span, "too many learning rules on one projection");
                continue;
            }
            learn_args[nlearns] = c->a;
            learns[nlearns++] = (sm_learn){r, c->name, c->span};
        }
    }
    /* `connect from FILE`: read once, checked for each (source, target) pair */
    tab *edges = NULL;
    if (conn && conn->a->kind == AST_FROM &&
        !(edges = tab_read(in->ar, in->d, conn->a->span, conn->a->str, TAB_HEADER)))
        in->errors++;
    if (!conn) {
        ERR(in, n->span, "the projection says nothing about which neurons to connect");
        diag_hint(in->d, "add 'connect all_to_all', 'connect random(p)', ...");
    }
    const char **signals = sc->signals;
    /* (pre type, post type) pairs whose binding failed: `A -> B, C` with B and C
       of one type would report the same errors twice */
    const sm_type *failed[64][2];
    int nfailed = 0;
    /* each path resolved (and an unknown one reported) once */
    int *pres = arena_alloc(in->ar, (size_t)(n->a->nkids + 1) * sizeof *pres);
    int *posts = arena_alloc(in->ar, (size_t)(n->b->nkids + 1) * sizeof *posts);
    for (int si = 0; si < n->a->nkids; si++)
        pres[si] = pop_of_path(in, sc, n->a->kids[si]);
    for (int ti = 0; ti < n->b->nkids; ti++)
        posts[ti] = pop_of_path(in, sc, n->b->kids[ti]);
    for (int si = 0; si < n->a->nkids; si++)
        for (int ti = 0; ti < n->b->nkids; ti++) {
            int pre = pres[si];
            int post = posts[ti];
            if (pre < 0 || post < 0)
                continue;
            const ir_pop *P = &in->m->pops[pre], *Q = &in->m->pops[post];
            bool seen = false;
            for (int k = 0; k < nfailed && !seen; k++)
                seen = failed[k][0] == P->type && failed[k][1] == Q->type;
            if (seen) {
                in->errors++;
                continue;
            }
            sm_type *t = sema_bind(in->s, syn, P->type, Q->type, learns, nlearns, signals,
                                   sc->nsignals, n->span);
            if (!t) {
                in->errors++;
                if (nfailed < 64) {
                    failed[nfailed][0] = P->type;
                    failed[nfailed++][1] = Q->type;
                }
                continue;
            }
            ir_proj p = {0};
            p.pre = pre;
            p.post = post;
            p.syn = t;
            p.span = n->span;
            p.autapses = true;
            p.signal_base = sc->signal_base;
            if (n->name)
                p.name = n->a->nkids * n->b->nkids == 1
                             ? arena_printf(in->ar, "%s%s", sc->prefix, n->name)
                             : arena_printf(in->ar, "%s%s.%s_%s", sc->prefix, n->name, P->name,
                                            Q->name);
            else
                p.name = arena_printf(in->ar, "%s->%s", P->name, Q->name);
            if (find_proj(in->m, p.name) >= 0)
                p.name = arena_printf(in->ar, "%s#%d", p.name, in->m->nprojs);
            /* parameter values */
            sx **vals = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *vals);
            for (int v = 0; v < t->nvars; v++)
                vals[v] = t->vars[v].value;
            syn_args(in, sc, t, n->c, vals, syn->name, -1);
            for (int r = 0; r < nlearns; r++)
                syn_args(in, sc, t, learn_args[r], vals, learns[r].rule->name, r);
            if (edges && !ir_edges(in->ar, in->d, &p, P, Q, edges, vals))
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
                    ERR(in, lr->span, "'%s' of rule %s is in the unit of the weight, here %s: "
                                      "the plain-number default does not apply", pv->name,
                        lr->rule->name, dim_describe(pv->dim, a1, sizeof a1));
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
                    vals[v] && vals[v]->kind == SX_CONST)
                    shared[v] = vals[v];
            p.slot = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *p.slot);
            p.vars = arena_alloc(in->ar, (size_t)(t->nvars + 1) * sizeof *p.vars);
            for (int v = 0; v < t->nvars; v++) {
                const sm_var *sv = &t->vars[v];
                p.slot[v] = -1;
                if (sv->kind == VAR_ALG || sv->kind == VAR_INPUT || shared[v])
                    continue;
                p.slot[v] = p.nvars;
                /* a name that two rules use is stored as RULE_name */
                const char *vname = sv->name;
                for (int o = 0; o < t->nvars && sv->rule >= 0; o++)
                    if (o != v && !strcmp(t->vars[o].name, sv->name)) {
                        /* the rule's name, and its clause number when it is learned twice */
                        int same = 0;
                        for (int r = 0; r < nlearns; r++)
                            same += learns[r].rule == learns[sv->rule].rule;
                        vname = same > 1 ? arena_printf(in->ar, "%s%d_%s", learns[sv->rule].rule->name,
                                                        sv->rule + 1, sv->name)
                                         : arena_printf(in->ar, "%s_%s", learns[sv->rule].rule->name,
                                                        sv->name);
                        break;
                    }
                p.vars[p.nvars++] = (ir_var){vname, sv->kind == VAR_STATE ? IRV_STATE : IRV_PARAM,
                                             v, sv->dim, sv->boolean,
                                             fold(in->ar, vals[v], VS_PARAM, shared, t->nvars)};
            }
            p.shared = shared;
            p.on_pre = fold_block(in->ar, t->on_pre, VS_PARAM, shared, t->nvars);
            p.on_post = fold_block(in->ar, t->on_post, VS_PARAM, shared, t->nvars);
            p.continuous = fold_block(in->ar, t->continuous, VS_PARAM, shared, t->nvars);
            p.every_step = fold_block(in->ar, t->every_step, VS_PARAM, shared, t->nvars);
            in->m->projs = arena_grow(in->ar, in->m->projs, (size_t)in->m->nprojs,
                                      (size_t)in->m->nprojs + 1, sizeof *in->m->projs);
            in->m->projs[in->m->nprojs++] = p;
            ir_proj *pp = &in->m->projs[in->m->nprojs - 1];
            if (conn)
                connector(in, sc, pp, conn);
            if (delay && pp->delay) {
                ERR(in, delay->span, "the delays come from the connection file's 'delay' column "
                                     "and from 'delay'");
            } else if (delay) {
                sx *e = mod_expr(in, sc, delay->a, ALLOW_I | ALLOW_J | ALLOW_RAND);
                if (!e->unknown && !dim_eq(e->dim, DIM_TIME)) {
                    char a1[96];
                    ERR(in, delay->a->span, "a delay must be a time, not %s",
                        dim_describe(e->dim, a1, sizeof a1));
                    check_dim_hint(in->d, DIM_TIME, e->dim);
                } else if (e->kind == SX_CONST && e->v < 0) {
                    ERR(in, delay->a->span, "a delay cannot be negative");
                }
                pp->delay = e;
            }
        }
}

/* `signal NAME = expr of t`, or `signal NAME = P.x`: the mean of x over population P, as it
 * stands at the start of each step (dimensionless). */
static void signal(inst *in, scope *sc, const ast_node *it, ir_signal *sg)
{
    const ast_node *a = it->a;
    if (a->kind == AST_MEMBER) {
        int p = pop_of_path(in, sc, a->a);
        if (p < 0)
            return;
        const ir_pop *P = &in->m->pops[p];
        int v = sm_find_var(P->type, a->name);
        if (v < 0) {
            ERR(in, a->span, "%s (a %s) has no variable '%s'", P->name, P->type_name, a->name);
            return;
        }
        if (P->slot[v] < 0) {
            ERR(in, a->span, "'%s' of %s is not stored per neuron", a->name, P->name);
            return;
        }
        if (P->type->vars[v].kind == VAR_INPUT) {
            ERR(in, a->span, "'%s' of %s is a summed input, cleared every step: a signal cannot "
                             "follow it", a->name, P->name);
            return;
        }
        if (!dim_eq(P->type->vars[v].dim, DIM_NONE) || P->type->vars[v].boolean) {
            char a1[96];
            ERR(in, a->span, "a signal is a plain number, but %s.%s is %s", P->name, a->name,
                P->type->vars[v].boolean ? "a condition"
                                         : dim_describe(P->type->vars[v].dim, a1, sizeof a1));
            return;
        }
        sg->pop = p;
        sg->var = P->slot[v];
        return;
    }
    sx *e = mod_expr(in, sc, a, ALLOW_T);
    if (e->boolean)
        ERR(in, a->span, "a signal must be a number");
    sg->value = e;
}

/* ---- records, signals, instances, the module body --------------------------------------------------- */

static void record(inst *in, scope *sc, const ast_node *n)
{
    ir_rec_kind kind = REC_STATE;
    if (n->str) {
        if (!strcmp(n->str, "spikes"))
            kind = REC_SPIKES;
        else if (!strcmp(n->str, "rate"))
            kind = REC_RATE;
        else if (!strcmp(n->str, "weights"))
            kind = REC_WEIGHTS;
        else {
            ERR(in, n->span, "cannot record '%s'", n->str);
            diag_hint(in->d, "record spikes P, record rate P, record weights PROJ, or record "
                             "P.variable");
            return;
        }
    }
    double every = 0;
    if (n->b) {
        sx *e;
        if (const_value(in, sc, n->b, &e, "a sampling period")) {
            if (!dim_eq(e->dim, DIM_TIME) || e->v <= 0)
                ERR(in, n->b->span, "a sampling period must be a positive time");
            else
                every = e->v;
        }
    }
    int *subset = NULL, nsub = 0;
    if (n->a) {
        long lo, hi;
        if (n->a->kind == AST_RANGE) {
            if (int_value(in, sc, n->a->a, 0, &lo, "a neuron index") &&
                int_value(in, sc, n->a->b, 0, &hi, "a neuron index")) {
                if (hi < lo)
                    ERR(in, n->a->span, "the range is empty (%ld .. %ld)", lo, hi);
                else {
                    nsub = (int)(hi - lo + 1);
                    subset = arena_alloc(in->ar, (size_t)nsub * sizeof *subset);
                    for (int k = 0; k < nsub; k++)
                        subset[k] = (int)lo + k;
                }
            }
        } else {
            subset = arena_alloc(in->ar, (size_t)(n->a->nkids + 1) * sizeof *subset);
            for (int k = 0; k < n->a->nkids; k++)
                if (int_value(in, sc, n->a->kids[k], 0, &lo, "a neuron index"))
                    subset[nsub++] = (int)lo;
        }
    }
    for (int k = 0; k < n->nkids; k++) {
        const ast_node *path = n->kids[k];
        ir_record r = {kind, -1, -1, subset, nsub, every, path->span};
        if (kind == REC_WEIGHTS) {
            char *name = arena_printf(in->ar, "%s%s", sc->prefix, path->name);
            /* `project P = A -> B, C` made P.A_B and P.A_C: record them all */
            int targets[64], nt = 0;
            int exact = path->kind == AST_IDENT ? find_proj(in->m, name) : -1;
            if (exact >= 0)
                targets[nt++] = exact;
            else if (path->kind == AST_IDENT) {
                size_t l = strlen(name);
                for (int q = 0; q < in->m->nprojs && nt < 64; q++) {
                    const char *pn = in->m->projs[q].name;
                    if (pn && !strncmp(pn, name, l) && pn[l] == '.')
                        targets[nt++] = q;
                }
            }
            if (!nt) {
                ERR(in, path->span, "no projection named '%s'", path->name);
                diag_hint(in->d, "name a projection to record its weights: project NAME = A -> B : ...");
                continue;
            }
            bool ok = true;
            for (int q = 0; q < nt && ok; q++) {
                const ir_proj *pj = &in->m->projs[targets[q]];
                int w = sm_find_var(pj->syn, "w");
                ir_record rq = r;
                rq.target = targets[q];
                rq.var = w >= 0 ? pj->slot[w] : -1;
                if (rq.var < 0) {
                    ERR(in, path->span, "the synapses of '%s' have no weight 'w' to record", name);
                    ok = false;
                } else if (q + 1 < nt) {
                    in->m->records = arena_grow(in->ar, in->m->records, (size_t)in->m->nrecords,
                                                (size_t)in->m->nrecords + 1,
                                                sizeof *in->m->records);
                    in->m->records[in->m->nrecords++] = rq;
                } else {
                    r = rq;
                }
            }
            if (!ok)
                continue;
        } else if (kind == REC_STATE) {
            if (path->kind != AST_MEMBER) {
                ERR(in, path->span, "record which variable? write '%s.v' (or 'record spikes %s')",
                    path->name, path->name);
                continue;
            }
            r.target = pop_of_path(in, sc, path->a);
            if (r.target < 0)
                continue;
            const ir_pop *p = &in->m->pops[r.target];
            int v = sm_find_var(p->type, path->name);
            if (v < 0) {
                ERR(in, path->span, "%s (a %s) has no variable '%s'", p->name, p->type_name,
                    path->name);
                continue;
            }
            if (p->slot[v] < 0) {
                ERR(in, path->span, "'%s' of %s is not stored per neuron (it is a %s)",
                    path->name, p->name,
                    p->type->vars[v].kind == VAR_ALG ? "definition" : "shared parameter");
                continue;
            }
            r.var = p->slot[v];
        } else {
            r.target = pop_of_path(in, sc, path);
            if (r.target < 0)
                continue;
            if (kind == REC_SPIKES && !in->m->pops[r.target].spike)
                ERR(in, path->span, "%s (a %s) does not spike", in->m->pops[r.target].name,
                    in->m->pops[r.target].type_name);
        }
        for (int q = 0; q < nsub && r.target >= 0 && kind != REC_WEIGHTS; q++)
            if (subset[q] >= in->m->pops[r.target].size) {
                ERR(in, n->a->span, "neuron %d does not exist: %s has %d neurons, numbered 0 to %d",
                    subset[q], in->m->pops[r.target].name, in->m->pops[r.target].size,
                    in->m->pops[r.target].size - 1);
                break;
            }
        in->m->records = arena_grow(in->ar, in->m->records, (size_t)in->m->nrecords,
                                    (size_t)in->m->nrecords + 1, sizeof *in->m->records);
        in->m->records[in->m->nrecords++] = r;
    }
}

static void module_body(inst *in, const ast_node *mod, scope *sc, arg_binding *args, int nargs);

static void instance(inst *in, scope *sc, const ast_node *n)
{
    const sm_def *d = find_def(in, n->str, AST_MODULE, n->span, "module");
    if (!d)
        return;
    for (int k = 0; k < in->nstack; k++)
        if (in->stack[k] == d->ast) {
            ERR(in, n->span, "module %s contains itself", d->name);
            return;
        }
    scope *child = arena_alloc(in->ar, sizeof *child);
    child->prefix = arena_printf(in->ar, "%s%s.", sc->prefix, n->name);
    child->depth = sc->depth + 1;
    int nargs = 0;
    arg_binding *args = bind_args(in, n->a, &nargs);
    /* argument values are computed in the parent's scope */
    for (int a = 0; a < nargs; a++)
        if (!const_value(in, sc, args[a].value, &args[a].computed, "a module argument"))
            args[a].used = true; /* reported; do not also call it unknown */
    module_body(in, d->ast, child, args, nargs);
    add_name(in, sc, n->name, sx_const(in->ar, 0, DIM_NONE), n->span);
}

static void module_body(inst *in, const ast_node *mod, scope *sc, arg_binding *args, int na)
{
    if (in->nstack == (int)(sizeof in->stack / sizeof in->stack[0])) {
        ERR(in, mod->span, "modules nested too deeply");
        return;
    }
    in->stack[in->nstack++] = mod;
    /* parameters */
    for (int k = 0; k < mod->a->nkids; k++) {
        const ast_node *p = mod->a->kids[k];
        sx *v = NULL;
        for (int a = 0; a < na; a++)
            if (!strcmp(args[a].name, p->name)) {
                args[a].used = true;
                if (args[a].computed)
                    v = args[a].computed;
                else
                    const_value(in, sc, args[a].value, &v, "a module parameter");
            }
        if (!v)
            const_value(in, sc, p->a, &v, "a module parameter's default");
        if (v)
            add_name(in, sc, p->name, v, p->span);
    }
    for (int a = 0; a < na; a++)
        if (!args[a].used) {
            ERR(in, args[a].span, "module %s has no parameter '%s'", mod->name, args[a].name);
            const char *best = NULL;
            for (int k = 0, bd = 3; k < mod->a->nkids; k++) {
                int d = typo_distance(args[a].name, mod->a->kids[k]->name);
                if (d < bd) {
                    bd = d;
                    best = mod->a->kids[k]->name;
                }
            }
            if (best)
                diag_hint(in->d, "did you mean '%s'?", best);
        }
    /* signals first: rules of projections refer to them (by their index in sc->signals,
       which is their index in the model's signals less signal_base) */
    sc->signal_base = in->m->nsignals;
    for (int k = 0; k < mod->nkids; k++)
        if (mod->kids[k]->kind == AST_SIGNAL) {
            sc->signals = arena_grow(in->ar, sc->signals, (size_t)sc->nsignals,
                                     (size_t)sc->nsignals + 1, sizeof *sc->signals);
            sc->signals[sc->nsignals++] = mod->kids[k]->name;
            ir_signal sg = {arena_printf(in->ar, "%s%s", sc->prefix, mod->kids[k]->name), NULL,
                            -1, -1};
            in->m->signals = arena_grow(in->ar, in->m->signals, (size_t)in->m->nsignals,
                                        (size_t)in->m->nsignals + 1, sizeof *in->m->signals);
            in->m->signals[in->m->nsignals++] = sg;
        }
    int nsig = 0;
    for (int k = 0; k < mod->nkids; k++) {
        const ast_node *it = mod->kids[k];
        switch (it->kind) {
        case AST_LET: {
            sx *v = NULL;
            const_value(in, sc, it->a, &v, "a 'let' value");
            if (v) /* also when unknown: its uses stay quiet instead of undefined */
                add_name(in, sc, it->name, v, it->span);
            break;
        }
        case AST_POPULATION: population(in, sc, it); break;
        case AST_PROJECT: projection(in, sc, it); break;
        case AST_INSTANCE: instance(in, sc, it); break;
        case AST_RECORD: record(in, sc, it); break;
        case AST_SIGNAL: break; /* below, once every population exists */
        default:
            ERR(in, it->span, "%s is not allowed in a module", ast_kind_name(it->kind));
            break;
        }
    }
    for (int k = 0; k < mod->nkids; k++)
        if (mod->kids[k]->kind == AST_SIGNAL)
            signal(in, sc, mod->kids[k], &in->m->signals[sc->signal_base + nsig++]);
    in->nstack--;
}

static const ast_node *find_run(sema_ctx *s, int root_file)
{
    ast_node *root = sema_file_root(s, root_file);
    const ast_node *run = NULL;
    for (int i = 0; root && i < root->nkids; i++)
        if (root->kids[i]->kind == AST_RUN)
            run = root->kids[i];
    return run;
}

ir_model *ir_instantiate(sema_ctx *s, int root_file, const char *module, const ir_override *ov,
                         int nov, double dt)
{
    inst in = {.s = s, .ar = sema_arena(s), .d = sema_diag(s), .dt = dt};
    ir_model *m = arena_alloc(in.ar, sizeof *m);
    in.m = m;
    m->dt = dt;
    const ast_node *run = find_run(s, root_file);
    const ast_node *run_args = NULL;
    const sm_def *def = NULL;
    /* -m naming the module of the `run` line: its arguments and duration apply */
    if (module && run && run->a && run->a->name && !strcmp(run->a->name, module))
        module = NULL;
    if (module) {
        def = sema_find(s, module);
        if (!def || def->kind != AST_MODULE) {
            diag_error(in.d, SPAN_NONE, "no module named '%s'", module);
            return NULL;
        }
    } else if (run) {
        const char *name = run->a->name;
        def = find_def(&in, name, AST_MODULE, run->a->span, "module");
        if (!def)
            return NULL;
        run_args = run->a->kind == AST_CALL ? run->a : NULL;
        sx *d;
        scope empty = {.prefix = ""};
        if (const_value(&in, &empty, run->b, &d, "the duration of 'run'")) {
            if (!dim_eq(d->dim, DIM_TIME) || d->v <= 0)
                ERR(&in, run->b->span, "'run ... for' needs a positive duration, like 1 s");
            else
                m->duration = d->v;
        }
    } else {
        ast_node *root = sema_file_root(s, root_file);
        for (int i = 0; root && i < root->nkids; i++)
            if (root->kids[i]->kind == AST_MODULE) {
                if (def) {
                    diag_error(in.d, root->kids[i]->span, "this file has several modules and no "
                                                          "'run' line: choose one with -m NAME");
                    return NULL;
                }
                def = sema_find(s, root->kids[i]->name);
            }
        if (!def) {
            diag_error(in.d, SPAN_NONE, "%s has no module to run",
                       diag_file_name(in.d, root_file));
            return NULL;
        }
    }
    m->module = def->name;
    /* arguments: the run line's, then the command line's overrides on top */
    int nrun = 0;
    arg_binding *rargs = bind_args(&in, run_args, &nrun);
    arg_binding *all = arena_alloc(in.ar, (size_t)(nrun + nov + 1) * sizeof *all);
    int na = 0;
    for (int i = 0; i < nrun; i++)
        all[na++] = rargs[i];
    for (int i = 0; i < nov; i++) {
        /* command-line values are parsed as expressions of their own small file */
        char *src = arena_printf(in.ar, "module __set { let __v = %s }", ov[i].value);
        int fid = diag_add_file(in.d, arena_printf(in.ar, "--set %s", ov[i].name), src, strlen(src));
        ast_node *root = parse_file(in.ar, in.d, fid);
        if (!root->nkids || !root->kids[0]->nkids) {
            in.errors++;
            continue;
        }
        const ast_node *value = root->kids[0]->kids[0]->a;
        bool replaced = false;
        for (int k = 0; k < na; k++)
            if (!strcmp(all[k].name, ov[i].name)) {
                all[k].value = value;
                replaced = true;
            }
        if (!replaced)
            all[na++] = (arg_binding){ov[i].name, value, value->span, false, NULL};
    }
    scope *top = arena_alloc(in.ar, sizeof *top);
    top->prefix = "";
    module_body(&in, def->ast, top, all, na);
    if (in.errors || diag_error_count(in.d))
        return NULL;
    return m;
}
