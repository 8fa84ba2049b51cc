/*
 * Modules, each checked once for itself (sema_check_all), whether or not it is ever run:
 * the names of its scope (parameters, lets, populations, nested instances) and of the
 * types it uses, the dimensions of its expressions, what may appear where (t, i, j, random
 * draws, constants), the arguments of populations, projections, learn clauses and
 * instances, connectors, records and signals, and the binding of every projection's
 * synapse and rules to the neuron types at both ends (sema_bind).
 *
 * The result keeps module-level expressions as sx trees over the module's parameters
 * (VS_MODULE): a module is checked once however many times and with whatever arguments it
 * is instantiated. Instantiation (lower/instance.c) gives the parameters values, folds,
 * and checks what only values tell: whole sizes, ranges, indices, data files.
 */
#include "sema/sema_int.h"
#include "sema/table.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "axon/io.h"

/*
 * A neuron type of the standard library for a name that is not defined: the same name, or
 * one that starts with it or is a near typo (Poisson for PoissonSource), found by reading
 * the `neuron NAME` lines of the stdlib's files (nothing is parsed). The best match, the
 * nearest and then the first in name order, so the hint does not depend on the order of the
 * directory; group is the import path after "std/".
 */
static bool stdlib_neuron(const sema_ctx *s, const char *name, char group[64], char found[64])
{
    int best = 4;
    size_t len = strlen(name);
    for (int d = 0; s->stdlib_dirs && s->stdlib_dirs[d]; d++) {
        DIR *top = opendir(s->stdlib_dirs[d]);
        for (struct dirent *g; top && (g = readdir(top));) {
            if (g->d_name[0] == '.' || strlen(g->d_name) >= 64)
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", s->stdlib_dirs[d], g->d_name);
            DIR *sub = opendir(path);
            for (struct dirent *f; sub && (f = readdir(sub));) {
                size_t fl = strlen(f->d_name);
                if (fl < 6 || strcmp(f->d_name + fl - 5, ".axon"))
                    continue;
                char file[4096 + 256];
                snprintf(file, sizeof file, "%s/%s", path, f->d_name);
                FILE *fp = axon_file_open_read(file);
                char line[512], nm[64];
                while (fp && fgets(line, sizeof line, fp)) {
                    if (sscanf(line, " neuron %63[A-Za-z0-9_]", nm) != 1)
                        continue;
                    int dd = !strcmp(nm, name) ? 0
                             : len >= 3 && !strncasecmp(nm, name, len)
                                 ? 1
                                 : 1 + typo_distance(name, nm);
                    if (dd < best || (dd == best && dd < 4 && strcmp(nm, found) < 0)) {
                        best = dd;
                        memcpy(found, nm, strlen(nm) + 1);               /* < 64 (sscanf) */
                        memcpy(group, g->d_name, strlen(g->d_name) + 1); /* < 64 (above) */
                    }
                }
                if (fp)
                    fclose(fp);
            }
            if (sub)
                closedir(sub);
        }
        if (top)
            closedir(top);
    }
    return best < 4;
}

#define ERR(mc, sp, ...)                                                                           \
    do {                                                                                           \
        diag_error((mc)->d, (sp), __VA_ARGS__);                                                    \
        (mc)->errors++;                                                                            \
    } while (0)

/* A name of a module's scope: a parameter, a let, a population or an instance. */
typedef struct {
    const char *name;
    sx *value; /* as a value: the parameter, the let's value, the population's size, 0 */
    ax_span span;
} mname;

/* The checking of one module (or of a run line: m is NULL). */
typedef struct {
    sema_ctx *s;
    ax_arena *ar;
    diag_ctx *d;
    sm_module *m;
    mname *names;
    int nnames;
    int errors;
} mcheck;

static sm_module *check_module(sema_ctx *s, sm_def *def);

/* ---- expressions at module level --------------------------------------------------------- */

enum { ALLOW_T = 1, ALLOW_I = 2, ALLOW_J = 4, ALLOW_RAND = 8 };

typedef struct {
    mcheck *mc;
    int allow;
} mod_user;

static sx *module_name(check_ctx *ck, const ast_node *id)
{
    mod_user *u = ck->user;
    for (int k = u->mc->nnames - 1; k >= 0; k--)
        if (!strcmp(u->mc->names[k].name, id->name))
            return u->mc->names[k].value;
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
        diag_error(ck->d, id->span,
                   "the time 't' cannot be used here: this value is fixed "
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
    for (int k = 0, bd = 3; k < u->mc->nnames; k++) {
        int d = typo_distance(name, u->mc->names[k].name);
        if (d < bd && d <= (len <= 3 ? 1 : 2) && d < len) {
            bd = d;
            best = u->mc->names[k].name;
        }
    }
    return best;
}

/* A checker for the module's scope; t: a neuron type whose names come first (initialisers). */
static check_ctx *mod_check(mcheck *mc, const sm_type *t, int allow)
{
    check_ctx *ck = arena_alloc(mc->ar, sizeof *ck);
    ck->ar = mc->ar;
    sema_check_externs(mc->s, ck);
    ck->d = mc->d;
    ck->t = t ? (sm_type *)t : arena_alloc(mc->ar, sizeof(sm_type));
    ck->ctx = CTX_MODULE;
    ck->weight_var = -1;
    ck->lookup_extra = module_name;
    ck->suggest_extra = module_suggest;
    mod_user *u = arena_alloc(mc->ar, sizeof *u);
    u->mc = mc;
    u->allow = allow;
    ck->user = u;
    int nv = t ? t->nvars : 0;
    ck->alg_state = arena_alloc(mc->ar, (size_t)(nv + 1) * sizeof *ck->alg_state);
    ck->alg_ast = arena_alloc(mc->ar, (size_t)(nv + 1) * sizeof *ck->alg_ast);
    for (int v = 0; v < nv; v++)
        ck->alg_state[v] = 2; /* definitions were checked with their type */
    return ck;
}

static bool has_rand(const sx *e)
{
    if (!e)
        return false;
    return e->kind == SX_RAND || has_rand(e->a) || has_rand(e->b) || has_rand(e->c);
}

/* A module-level expression; random draws and indices only where allowed. Its draws are
 * numbered from *draws, which is advanced past them (NULL: from 0, for an expression whose
 * draws have a stream of their own). */
static sx *drawn_expr(mcheck *mc, const ast_node *n, int allow, int *draws)
{
    check_ctx *ck = mod_check(mc, NULL, allow);
    ck->ndraws = draws ? *draws : 0;
    sx *e = check_expr(ck, n);
    if (draws)
        *draws = ck->ndraws;
    mc->errors += ck->errors;
    if (!(allow & ALLOW_RAND) && has_rand(e)) {
        ERR(mc, n->span, "a random value is not allowed here");
        diag_hint(mc->d, "random draws belong in initial values, weights and delays");
    }
    return sx_simplify(mc->ar, e);
}

static sx *mod_expr(mcheck *mc, const ast_node *n, int allow)
{
    return drawn_expr(mc, n, allow, NULL);
}

/* Known when the model is built: numbers and module parameters only. */
static bool is_const(const sx *e)
{
    if (!e)
        return true;
    switch (e->kind) {
    case SX_CONST: return true;
    case SX_VAR: return e->space == VS_MODULE;
    case SX_RAND:
    case SX_TABLE: return false;
    default: return is_const(e->a) && is_const(e->b) && is_const(e->c);
    }
}

static bool anydim(const sx *e)
{
    return e->kind == SX_CONST && e->fn == 1;
}

/* A constant (its value is given when the module is instantiated). */
static bool const_expr(mcheck *mc, const ast_node *n, sx **out, const char *what)
{
    sx *e = mod_expr(mc, n, 0);
    *out = e;
    if (e->unknown)
        return false; /* an undefined name: reported already */
    if (!is_const(e)) {
        ERR(mc, n->span, "%s must be a constant (known when the model is built)", what);
        return false;
    }
    return true;
}

/* A constant plain number (whether it is a whole one is known when instantiated). */
static bool count_expr(mcheck *mc, const ast_node *n, sx **out, const char *what)
{
    if (!const_expr(mc, n, out, what))
        return false;
    char d[96];
    if (!dim_is_none((*out)->dim) && !anydim(*out)) {
        ERR(mc, n->span, "%s must be a plain number, not %s", what,
            dim_describe((*out)->dim, d, sizeof d));
        return false;
    }
    return true;
}

/* ---- names --------------------------------------------------------------------------------- */

static void add_name(mcheck *mc, const char *name, sx *value, ax_span sp)
{
    for (int k = 0; k < mc->nnames; k++)
        if (!strcmp(mc->names[k].name, name)) {
            ERR(mc, sp, "'%s' is already defined in this module", name);
            diag_note(mc->d, mc->names[k].span, "the first definition is here");
            return;
        }
    mc->names = arena_grow(mc->ar, mc->names, (size_t)mc->nnames, (size_t)mc->nnames + 1,
                           sizeof *mc->names);
    mc->names[mc->nnames++] = (mname){name, value, sp};
}

static void add_item(mcheck *mc, sm_mitem it)
{
    sm_module *m = mc->m;
    m->items =
        arena_grow(mc->ar, m->items, (size_t)m->nitems, (size_t)m->nitems + 1, sizeof *m->items);
    m->items[m->nitems++] = it;
}

static const sm_def *find_def(mcheck *mc, const char *name, ast_kind kind, ax_span sp,
                              const char *what)
{
    const sm_def *d = sema_find(mc->s, name);
    if (d && d->kind == kind)
        return d;
    if (d)
        ERR(mc, sp, "'%s' is not a %s", name, what);
    else {
        ERR(mc, sp, "undefined %s '%s'", what, name);
        const char *best = NULL;
        for (int i = 0, bd = 3; i < sema_def_count(mc->s); i++) {
            const sm_def *o = sema_def(mc->s, i);
            int dd = typo_distance(name, o->name);
            if (o->kind == kind && dd < bd) {
                bd = dd;
                best = o->name;
            }
        }
        if (best)
            diag_hint(mc->d, "did you mean '%s'?", best);
    }
    return NULL;
}

/* The population or instance named name among the first n items of m, or NULL. */
static const sm_mitem *find_member(const sm_module *m, int n, const char *name)
{
    for (int i = 0; i < n; i++) {
        const sm_mitem *it = &m->items[i];
        if ((it->kind == MI_POP && !strcmp(it->pop->name, name)) ||
            (it->kind == MI_INST && !strcmp(it->inst->name, name)))
            return it;
    }
    return NULL;
}

/* Every population path of the first n items of m (nested ones as "c1.E"), for hints. */
static void pop_paths(ax_arena *ar, const sm_module *m, int n, const char *prefix,
                      const char ***out, int *nout)
{
    for (int i = 0; i < n; i++) {
        const sm_mitem *it = &m->items[i];
        if (it->kind == MI_POP) {
            *out = arena_grow(ar, *out, (size_t)*nout, (size_t)*nout + 1, sizeof **out);
            (*out)[(*nout)++] = arena_printf(ar, "%s%s", prefix, it->pop->name);
        } else if (it->kind == MI_INST && it->inst->mod) {
            pop_paths(ar, it->inst->mod, it->inst->mod->nitems,
                      arena_printf(ar, "%s%s.", prefix, it->inst->name), out, nout);
        }
    }
}

/* Resolves a path (E, c1.E) to a population of this module or a nested one; *rel receives
 * the path as text. NULL after an error. */
static const sm_mpop *find_pop(mcheck *mc, const ast_node *path, const char **rel)
{
    strbuf sb = {0};
    const ast_node *parts[16];
    int np = 0;
    for (const ast_node *p = path; p && np < 16; p = p->kind == AST_MEMBER ? p->a : NULL)
        parts[np++] = p;
    for (int k = np - 1; k >= 0; k--)
        sb_printf(&sb, "%s%s", parts[k]->name, k ? "." : "");
    *rel = sb_arena_take(&sb, mc->ar);
    const sm_module *m = mc->m;
    int n = m->nitems;
    for (int k = np - 1; k >= 0; k--) {
        const sm_mitem *it = find_member(m, n, parts[k]->name);
        if (it && k == 0 && it->kind == MI_POP)
            return it->pop;
        if (!it || k == 0 || it->kind != MI_INST || !it->inst->mod)
            break;
        m = it->inst->mod;
        n = m->nitems;
    }
    /* what the module's source says of that name explains the mistake better */
    const ast_node *mod = np == 1 && mc->m && mc->m->def ? mc->m->def->ast : NULL;
    for (int i = 0; mod && i < mod->nkids; i++) {
        const ast_node *it = mod->kids[i];
        if (!it->name || strcmp(it->name, *rel))
            continue;
        if (it->kind == AST_POPULATION) {
            const sm_def *t = sema_find(mc->s, it->str);
            if (!t || t->kind != AST_NEURON || !t->type || t->type->errors) {
                mc->errors++; /* its type's error was reported at the population */
                return NULL;
            }
            if (it->span.off > path->span.off) {
                ERR(mc, path->span, "the population '%s' is used before it is declared", *rel);
                diag_note(mc->d, it->span, "'%s' is declared here", *rel);
                diag_hint(mc->d, "declare populations before the projections and records that "
                                 "use them");
                return NULL;
            }
        }
        if (it->kind == AST_PROJECT) {
            ERR(mc, path->span, "'%s' is a projection, not a population", *rel);
            diag_note(mc->d, it->span, "the projection '%s' is declared here", *rel);
            return NULL;
        }
        if (it->kind == AST_SIGNAL || it->kind == AST_LET) {
            ERR(mc, path->span, "'%s' is a %s, not a population", *rel,
                it->kind == AST_SIGNAL ? "signal" : "let");
            return NULL;
        }
    }
    ERR(mc, path->span, "no population named '%s' in this module", *rel);
    const char **names = NULL;
    int nn = 0;
    pop_paths(mc->ar, mc->m, mc->m->nitems, "", &names, &nn);
    const char *best = NULL;
    for (int i = 0, bd = 3; i < nn; i++) {
        int d = typo_distance(*rel, names[i]);
        if (d < bd) {
            bd = d;
            best = names[i];
        }
    }
    if (best)
        diag_hint(mc->d, "did you mean '%s'?", best);
    return NULL;
}

/* ---- arguments ------------------------------------------------------------------------------ */

typedef struct {
    const char *name;
    const ast_node *value;
    ax_span span;
} marg;

/* Named arguments (name = value), each name once. */
static marg *bind_args(mcheck *mc, const ast_node *args, int *nout)
{
    int n = args ? args->nkids : 0;
    marg *b = arena_alloc(mc->ar, (size_t)(n + 1) * sizeof *b);
    int k = 0;
    for (int i = 0; i < n; i++) {
        const ast_node *a = args->kids[i];
        if (a->kind != AST_NAMED) {
            ERR(mc, a->span, "arguments here must be named: write 'name = value'");
            continue;
        }
        for (int j = 0; j < k; j++)
            if (!strcmp(b[j].name, a->name))
                ERR(mc, a->span, "'%s' is given twice", a->name);
        b[k++] = (marg){a->name, a->a, a->span};
    }
    *nout = k;
    return b;
}

/* The arguments of an instance of module m or of a run line, in the scope of mc: constants
 * of their parameter's dimension. Per parameter of m: the value, or NULL. */
static sx **module_args(mcheck *mc, const sm_module *m, const ast_node *args, const char *what)
{
    int na = 0;
    marg *b = bind_args(mc, args, &na);
    sx **vals = arena_alloc(mc->ar, (size_t)(m->nparams + 1) * sizeof *vals);
    for (int a = 0; a < na; a++) {
        int k = -1;
        for (int q = 0; q < m->nparams && k < 0; q++)
            if (!strcmp(m->params[q].name, b[a].name))
                k = q;
        if (k < 0) {
            ERR(mc, b[a].span, "module %s has no parameter '%s'", m->def->name, b[a].name);
            const char *best = NULL;
            for (int q = 0, bd = 3; q < m->nparams; q++) {
                int d = typo_distance(b[a].name, m->params[q].name);
                if (d < bd) {
                    bd = d;
                    best = m->params[q].name;
                }
            }
            if (best)
                diag_hint(mc->d, "did you mean '%s'?", best);
            continue;
        }
        sx *e;
        if (!const_expr(mc, b[a].value, &e, what))
            continue;
        /* the default says what the parameter is */
        const sx *def = m->params[k].value;
        char a1[96], b1[96];
        if (!def->unknown && (e->boolean != def->boolean ||
                              (!e->boolean && !anydim(e) && !dim_eq(e->dim, def->dim)))) {
            ERR(mc, b[a].value->span, "'%s' of module %s is %s, but this value is %s", b[a].name,
                m->def->name,
                def->boolean ? "true or false" : dim_describe(def->dim, a1, sizeof a1),
                e->boolean ? "true or false" : dim_describe(e->dim, b1, sizeof b1));
            continue;
        }
        vals[k] = e;
    }
    return vals;
}

/* ---- populations ---------------------------------------------------------------------------- */

/* `from [(i, t), ...]`: names and constants here; the rest is the spike source's data */
static void spike_list(mcheck *mc, sm_mpop *mp, const ast_node *src)
{
    mp->spikes = arena_alloc(mc->ar, (size_t)(src->nkids + 1) * sizeof *mp->spikes);
    for (int k = 0; k < src->nkids; k++) {
        const ast_node *pair = src->kids[k];
        sx *i, *t;
        if (!const_expr(mc, pair->kids[0], &i, "a neuron index") ||
            !const_expr(mc, pair->kids[1], &t, "a spike time"))
            continue;
        mp->spikes[mp->nspikes++] =
            (sm_mspike){i, t, pair->span, pair->kids[0]->span, pair->kids[1]->span};
    }
}

/* The value of a population's initialiser `var = [a, b, ...]` or `var = from "FILE"`: one
 * value per neuron, in a table (SX_TABLE indexed by the neuron); its length is checked against
 * the population's size when the module is instantiated. NULL after reporting a problem. */
static sx *data_values(mcheck *mc, check_ctx *ck, const sm_type *t, int var, const ast_node *n)
{
    const sm_var *sv = &t->vars[var];
    double *v = NULL;
    long nv = 0;
    const char *path = "values";
    if (n->kind == AST_FROM) {
        if (!tab_values(mc->ar, mc->d, n->span, n->str, sv->name, sv->dim,
                        t->kind == AST_NEURON ? "neuron" : "synapse", &v, &nv)) {
            mc->errors++;
            return NULL;
        }
        path = n->str;
    } else {
        v = arena_alloc(mc->ar, (size_t)(n->nkids + 1) * sizeof *v);
        int bad = 0;
        char a1[96], b1[96];
        for (int k = 0; k < n->nkids; k++) {
            int before = ck->errors;
            sx *e = sx_simplify(mc->ar, check_expr(ck, n->kids[k]));
            mc->errors += ck->errors - before;
            if (ck->errors > before || e->unknown) {
                bad++;
            } else if (e->kind != SX_CONST || e->boolean) {
                ERR(mc, n->kids[k]->span, "a value of the list must be a constant number");
                bad++;
            } else if (!anydim(e) && !dim_eq(e->dim, sv->dim)) {
                ERR(mc, n->kids[k]->span, "'%s' is %s, but this value is %s", sv->name,
                    dim_describe(sv->dim, a1, sizeof a1), dim_describe(e->dim, b1, sizeof b1));
                check_dim_hint(mc->d, sv->dim, e->dim, NULL);
                bad++;
            } else
                v[nv++] = e->v;
        }
        if (bad)
            return NULL;
    }
    sx_table *st = arena_alloc(mc->ar, sizeof *st);
    st->path = arena_printf(mc->ar, "%s (%s)", path, sv->name);
    st->nrows = nv;
    st->ncols = 1;
    st->v = v;
    sx *e = sx_table_at(mc->ar, st, NULL, NULL);
    e->dim = sv->dim;
    e->span = n->span;
    return e;
}

/* One more than the largest number of a random draw in e (0 without any). */
static int draws_after(const sx *e)
{
    if (!e)
        return 0;
    if (e->kind == SX_RAND)
        return e->idx + 1;
    int a = draws_after(e->a), b = draws_after(e->b), c = draws_after(e->c);
    return a > b ? (a > c ? a : c) : (b > c ? b : c);
}

/* The draws of a type's initial values: those of an instance's arguments and initialisers are
 * numbered after them (the variables they do not set keep their own), so that no two draws of
 * one population or projection share a number. */
static int type_draws(const sm_type *t)
{
    int n = 0;
    for (int v = 0; v < t->nvars; v++)
        if (draws_after(t->vars[v].value) > n)
            n = draws_after(t->vars[v].value);
    return n;
}

/* A population's argument `p = value` for parameter v of its type t, its draws numbered from
 * *draws; false when reported. */
static bool pop_param(mcheck *mc, sm_mpop *mp, const sm_type *t, int v, const ast_node *value,
                      int *draws)
{
    const sm_var *pv = &t->vars[v];
    /* random draws are allowed here and refused below, with a better message */
    sx *e = drawn_expr(mc, value, ALLOW_T | ALLOW_RAND | (pv->per_item ? ALLOW_I : 0), draws);
    if (!e->unknown && !anydim(e) && !dim_eq(e->dim, pv->dim)) {
        char a1[96], b1[96];
        ERR(mc, value->span, "'%s' of %s is %s, but this value is %s", pv->name, t->name,
            dim_describe(pv->dim, a1, sizeof a1), dim_describe(e->dim, b1, sizeof b1));
        check_dim_hint(mc->d, pv->dim, e->dim, NULL);
        return false;
    }
    if (!pv->per_item && has_rand(e)) {
        ERR(mc, value->span, "'%s' is shared by the whole population and cannot be random",
            pv->name);
        diag_hint(mc->d, "declare it in 'parameters per neuron' for a value per neuron");
        return false;
    }
    mp->set[v] = e;
    return true;
}

/* The size of vector name of type t (its elements are name[0] ...), 0 when it has none. */
static int vector_size_of(mcheck *mc, const sm_type *t, const char *name)
{
    int size = 0;
    while (sm_find_var(t, arena_printf(mc->ar, "%s[%d]", name, size)) >= 0)
        size++;
    return size;
}

/* `P = T[n](tau = [1 ms, 2 ms])`, `(w = 0.5)`: every element of a vector parameter, from a
 * list of one value each or one value for all. False when t has no vector of that name. */
static bool vector_param(mcheck *mc, sm_mpop *mp, const sm_type *t, const marg *arg, int *draws)
{
    int size = vector_size_of(mc, t, arg->name);
    if (size == 0)
        return false;
    const ast_node *list = arg->value->kind == AST_LIST ? arg->value : NULL;
    if (list && list->nkids != size) {
        ERR(mc, list->span, "'%s' has %d element%s, but the list holds %d value%s", arg->name,
            size, size == 1 ? "" : "s", list->nkids, list->nkids == 1 ? "" : "s");
        return true;
    }
    for (int k = 0; k < size; k++) {
        int v = sm_find_var(t, arena_printf(mc->ar, "%s[%d]", arg->name, k));
        if (t->vars[v].kind != VAR_PARAM) {
            ERR(mc, arg->span, "'%s' is a state variable of %s: set its initial value in the "
                               "population's { } block", arg->name, t->name);
            return true;
        }
        if (!pop_param(mc, mp, t, v, list ? list->kids[k] : arg->value, draws) && !list)
            break; /* one value for all: one error */
    }
    return true;
}

static void population(mcheck *mc, const ast_node *n)
{
    const sm_def *def = sema_find(mc->s, n->str);
    if (!def || def->kind != AST_NEURON) {
        if (def)
            ERR(mc, n->span, "'%s' is a %s, not a neuron type", n->str,
                def->kind == AST_SYNAPSE ? "synapse"
                : def->kind == AST_RULE  ? "rule"
                                         : "module");
        else {
            ERR(mc, n->span, "undefined neuron type '%s'", n->str);
            const char *best = NULL;
            for (int i = 0, bd = 3; i < sema_def_count(mc->s); i++) {
                const sm_def *o = sema_def(mc->s, i);
                int dd = typo_distance(n->str, o->name);
                if (o->kind == AST_NEURON && dd < bd) {
                    bd = dd;
                    best = o->name;
                }
            }
            /* a longer name that starts with it: Poisson for PoissonSource */
            size_t len = strlen(n->str);
            for (int i = 0; !best && len >= 3 && i < sema_def_count(mc->s); i++) {
                const sm_def *o = sema_def(mc->s, i);
                if (o->kind == AST_NEURON && !strncasecmp(o->name, n->str, len))
                    best = o->name;
            }
            char group[64], found[64];
            if (best)
                diag_hint(mc->d, "did you mean '%s'?", best);
            else if (stdlib_neuron(mc->s, n->str, group, found))
                diag_hint(mc->d, "'%s' is in the standard library: import \"std/%s\"%s%s%s", found,
                          group, strcmp(found, n->str) ? " (and write '" : "",
                          strcmp(found, n->str) ? found : "", strcmp(found, n->str) ? "')" : "");
            else
                diag_hint(mc->d, "is an import missing? (for example: import \"std/neurons\")");
        }
        return;
    }
    const sm_type *t = def->type;
    if (!t || t->errors)
        return; /* its own errors were reported */
    sm_mpop *mp = arena_alloc(mc->ar, sizeof *mp);
    mp->name = n->name;
    mp->span = n->span;
    mp->type = t;
    mp->size_span = n->a->span;
    if (!count_expr(mc, n->a, &mp->size, "a population size"))
        mp->size = sx_const(mc->ar, 1, DIM_NONE);
    mp->set = arena_alloc(mc->ar, (size_t)(t->nvars + 1) * sizeof *mp->set);
    /* ( ) arguments: parameters, their draws numbered after the type's, in order */
    int draws = type_draws(t);
    int nargs = 0;
    marg *args = bind_args(mc, n->b, &nargs);
    for (int a = 0; a < nargs; a++) {
        int v = sm_find_var(t, args[a].name);
        if (v < 0 && vector_param(mc, mp, t, &args[a], &draws))
            continue;
        if (v < 0 || t->vars[v].kind != VAR_PARAM) {
            if (v >= 0 && t->vars[v].kind == VAR_STATE)
                ERR(mc, args[a].span,
                    "'%s' is a state variable of %s: set its initial value in "
                    "the population's { } block",
                    args[a].name, t->name);
            else
                ERR(mc, args[a].span, "%s has no parameter '%s'", t->name, args[a].name);
            continue;
        }
        (void)pop_param(mc, mp, t, v, args[a].value, &draws);
    }
    /* { } initialisers: state and per-neuron parameters, and `let`s that the ones after them
       may use (added to the module's names for the block). One checker for the block, so
       that each random draw has its own number and a let's draw is one value per neuron
       wherever the let is used. */
    check_ctx *ck = mod_check(mc, t, ALLOW_I | ALLOW_RAND);
    ck->ctx = CTX_STATE_INIT;
    ck->visible = t->nvars;
    /* numbered after the draws of the type's initial values and of the ( ) arguments */
    ck->ndraws = draws;
    int nnames = mc->nnames, ninit;
    ast_node **init = sema_expand_init_vectors(mc->ar, mc->d, t, n->kids, n->nkids, &ninit);
    for (int k = 0; k < ninit; k++) {
        const ast_node *st = init[k];
        if (st->kind == AST_LET) {
            int before = ck->errors;
            sx *e = check_expr(ck, st->a);
            mc->errors += ck->errors - before;
            if (sm_find_var(t, st->name) >= 0) {
                ERR(mc, st->span, "'%s' is a variable of %s: give the 'let' another name",
                    st->name, t->name);
                continue;
            }
            add_name(mc, st->name, e, st->span);
            continue;
        }
        if (st->kind != AST_ASSIGN || st->a->kind != AST_IDENT || st->op != '=') {
            ERR(mc, st->span, "a population's initialiser must be 'name = value' or 'let name = "
                              "value'");
            continue;
        }
        int v = sm_find_var(t, st->a->name);
        if (v < 0 || (t->vars[v].kind != VAR_STATE &&
                      !(t->vars[v].kind == VAR_PARAM && t->vars[v].per_item))) {
            if (v >= 0 && t->vars[v].kind == VAR_PARAM)
                ERR(mc, st->a->span,
                    "'%s' is a shared parameter of %s: set it in the "
                    "population's ( ) arguments",
                    st->a->name, t->name);
            else
                ERR(mc, st->a->span, "%s has no state variable '%s'", t->name, st->a->name);
            continue;
        }
        if (st->b->kind == AST_LIST || st->b->kind == AST_FROM) {
            sx *e = data_values(mc, ck, t, v, st->b);
            if (e)
                mp->set[v] = e;
            continue;
        }
        int before = ck->errors;
        sx *e = check_expr(ck, st->b);
        mc->errors += ck->errors - before;
        if (sx_uses(e, t->vars[v].kind == VAR_STATE ? VS_STATE : VS_PARAM, v)) {
            ERR(mc, st->b->span, "the initial value of '%s' refers to '%s' itself", st->a->name,
                st->a->name);
            for (int q = 0; q < mc->nnames; q++)
                if (!strcmp(mc->names[q].name, st->a->name)) {
                    diag_hint(mc->d,
                              "here '%s' is the neuron's own; the module's '%s' is hidden: "
                              "give the module's a different name",
                              st->a->name, st->a->name);
                    break;
                }
            continue;
        }
        if (!e->unknown && !anydim(e) && !dim_eq(e->dim, t->vars[v].dim)) {
            char a1[96], b1[96];
            ERR(mc, st->b->span, "'%s' is %s, but this value is %s", st->a->name,
                dim_describe(t->vars[v].dim, a1, sizeof a1), dim_describe(e->dim, b1, sizeof b1));
            check_dim_hint(mc->d, t->vars[v].dim, e->dim, NULL);
            continue;
        }
        mp->set[v] = e;
    }
    mc->nnames = nnames; /* the block's lets end with it */
    if (n->c && n->c->kind == AST_METHOD) {
        /* the population's method wins over the neuron's */
        if (sema_method_known(mc->d, n->c)) {
            mp->method = n->c->name;
            mp->method_span = n->c->span;
        } else
            mc->errors++;
    } else if (n->c) {
        mp->from = true;
        mp->from_span = n->c->span;
        if (n->c->kind == AST_FROM)
            mp->from_file = n->c->str;
        else
            spike_list(mc, mp, n->c);
    }
    add_item(mc, (sm_mitem){.kind = MI_POP, .pop = mp});
    add_name(mc, n->name, mp->size, n->span);
}

/* ---- projections ------------------------------------------------------------------------------
 */

/* Arguments of the synapse (rule = -1) or of its `learn` clause number `rule`: they name that
 * one's parameters (two rules may have parameters of the same name). Per-synapse values may
 * be expressions of i and j and random draws, numbered from *draws. */
static void syn_args(mcheck *mc, const sm_type *t, const ast_node *args, sx **vals,
                     const char *owner, int rule, int *draws)
{
    int nargs = 0;
    marg *b = bind_args(mc, args, &nargs);
    for (int a = 0; a < nargs; a++) {
        int v = -1;
        for (int k = 0; k < t->nvars && v < 0; k++)
            if (t->vars[k].rule == rule && !strcmp(t->vars[k].name, b[a].name))
                v = k;
        if (v < 0 || (t->vars[v].kind != VAR_PARAM && t->vars[v].kind != VAR_STATE)) {
            ERR(mc, b[a].span, "%s has no parameter '%s'", owner, b[a].name);
            continue;
        }
        const sm_var *pv = &t->vars[v];
        bool per = pv->kind == VAR_STATE || pv->per_item;
        ast_kind vk = b[a].value->kind;
        if (vk == AST_LIST || vk == AST_FROM) {
            /* one value per synapse, in their order (by i, then j): counted when the module
               is instantiated (instance.c) */
            if (!per) {
                ERR(mc, b[a].value->span,
                    "'%s' is shared by every synapse of the projection: it takes one value, "
                    "not one per synapse", pv->name);
                continue;
            }
            sx *e = data_values(mc, mod_check(mc, NULL, 0), t, v, b[a].value);
            if (e)
                vals[v] = e;
            continue;
        }
        sx *e = drawn_expr(mc, b[a].value, per ? ALLOW_I | ALLOW_J | ALLOW_RAND : 0, draws);
        if (!e->unknown && !anydim(e) && !dim_eq(e->dim, pv->dim)) {
            char a1[96], b1[96];
            ERR(mc, b[a].value->span, "'%s' of %s is %s, but this value is %s", pv->name, owner,
                dim_describe(pv->dim, a1, sizeof a1), dim_describe(e->dim, b1, sizeof b1));
            check_dim_hint(mc->d, pv->dim, e->dim, NULL);
            continue;
        }
        if (!per && !is_const(e)) {
            ERR(mc, b[a].value->span,
                "'%s' is shared by every synapse of the projection: its "
                "value must be a constant",
                pv->name);
            continue;
        }
        vals[v] = e;
    }
}

static void connector(mcheck *mc, sm_mproj *p, const ast_node *c, int *draws)
{
    const ast_node *k = c->a;
    p->has_conn = true;
    p->conn_span = k->span;
    if (k->kind == AST_WHERE) {
        p->conn = CONN_WHERE;
        sx *e = drawn_expr(mc, k->a, ALLOW_I | ALLOW_J | ALLOW_RAND, draws);
        if (!e->boolean && !e->unknown)
            ERR(mc, k->a->span, "the condition of 'where' must be a comparison of i and j");
        p->conn_arg = e;
        return;
    }
    if (k->kind == AST_FROM) {
        p->conn = CONN_FILE;
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
                sx *e = mod_expr(mc, arg->a, 0);
                if (!e->boolean || !is_const(e))
                    ERR(mc, arg->a->span, "'autapses' must be true or false");
                else
                    p->autapses = e;
            } else {
                ERR(mc, arg->span, "connectors take no argument named '%s' (only 'autapses')",
                    arg->name);
            }
        } else if (npos < 2) {
            pos[npos++] = arg;
        } else {
            ERR(mc, arg->span, "too many arguments for '%s'", name);
        }
    }
    struct {
        const char *name;
        sm_conn_kind kind;
        int args;
    } const KINDS[] = {{"all_to_all", CONN_ALL, 0},
                       {"one_to_one", CONN_ONE, 0},
                       {"random", CONN_RANDOM, 1},
                       {"fixed_indegree", CONN_INDEGREE, 1},
                       {"fixed_outdegree", CONN_OUTDEGREE, 1}};
    for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++) {
        if (strcmp(KINDS[i].name, name))
            continue;
        p->conn = KINDS[i].kind;
        if (npos != KINDS[i].args) {
            ERR(mc, k->span, "'%s' takes %d argument%s", name, KINDS[i].args,
                KINDS[i].args == 1 ? "" : "s");
            return;
        }
        if (pos[0])
            p->conn_arg_span = pos[0]->span;
        sx *e;
        if (p->conn == CONN_RANDOM && const_expr(mc, pos[0], &e, "a connection probability")) {
            if (!dim_is_none(e->dim)) {
                char a1[96];
                ERR(mc, pos[0]->span,
                    "a connection probability must be a plain number "
                    "between 0 and 1, not %s",
                    dim_describe(e->dim, a1, sizeof a1));
            } else {
                p->conn_arg = e;
            }
        } else if ((p->conn == CONN_INDEGREE || p->conn == CONN_OUTDEGREE) &&
                   count_expr(mc, pos[0], &e, "a number of connections")) {
            p->conn_arg = e;
        }
        return;
    }
    ERR(mc, k->span, "unknown connector '%s'", name);
    diag_hint(mc->d, "the connectors are all_to_all, one_to_one, random(p), fixed_indegree(k), "
                     "fixed_outdegree(k), where (...) and from \"file\"");
}

/* `via POP by post|pre` (tripartite synapses): the clause and the synapse's `via NAME` go
 * together; POP is a population of neurons. False after an error (nothing to bind). */
static bool third_population(mcheck *mc, sm_mproj *p, const ast_node *n, const ast_node *via,
                             const sm_type **third)
{
    const sm_type *st = p->syn->type;
    if (!via) {
        if (st && st->via) {
            ERR(mc, n->span, "synapse %s has a third neuron ('via %s'): the projection needs "
                             "'via POP by post' or 'via POP by pre'", p->syn->name, st->via);
            diag_hint(mc->d, "POP is a population of the size of the targets (by post) or of "
                             "the sources (by pre): synapse i -> j sees its neuron j (or i)");
            return false;
        }
        return true;
    }
    p->via_pre = !strcmp(via->str, "pre");
    p->via_span = via->span;
    const sm_mpop *V = find_pop(mc, via->a, &p->via);
    if (st && !st->via) {
        ERR(mc, via->span, "synapse %s has no third neuron: 'via %s' needs 'via NAME' in the "
                           "synapse", p->syn->name, p->via);
        diag_hint(mc->d, "declare it in the synapse (via astro) and use it in its handlers "
                         "(astro.J += 1)");
        return false;
    }
    if (!V)
        return false;
    if (!V->type || V->from) {
        ERR(mc, via->a->span, "'%s' is a spike source; a third population is a population of "
                              "neurons", p->via);
        return false;
    }
    *third = V->type;
    return true;
}

static void projection(mcheck *mc, const ast_node *n)
{
    const sm_def *syn = find_def(mc, n->str, AST_SYNAPSE, n->span, "synapse type");
    if (!syn)
        return;
    sm_mproj *p = arena_alloc(mc->ar, sizeof *p);
    p->name = n->name;
    p->span = n->span;
    p->syn = syn;
    /* learn clauses */
    p->learns = arena_alloc(mc->ar, 8 * sizeof *p->learns);
    const ast_node *conn = NULL, *delay = NULL, *via = NULL;
    const ast_node *learn_args[8];
    for (int k = 0; k < n->nkids; k++) {
        const ast_node *c = n->kids[k];
        if (c->kind == AST_CONNECT) {
            if (conn)
                ERR(mc, c->span, "a projection has one 'connect'");
            conn = c;
        } else if (c->kind == AST_DELAY) {
            if (delay)
                ERR(mc, c->span, "a projection has one 'delay'");
            delay = c;
        } else if (c->kind == AST_VIA) {
            if (via)
                ERR(mc, c->span, "a projection has one 'via'");
            via = c;
        } else if (c->kind == AST_LEARN) {
            const sm_def *r = find_def(mc, c->str, AST_RULE, c->span, "learning rule");
            if (!r)
                continue;
            if (p->nlearns == 8) {
                ERR(mc, c->span, "too many learning rules on one projection");
                continue;
            }
            learn_args[p->nlearns] = c->a;
            p->learns[p->nlearns++] = (sm_learn){r, c->name, c->span};
        }
    }
    if (conn && conn->a->kind == AST_FROM) {
        p->file = conn->a->str;
        p->file_span = conn->a->span;
    }
    if (!conn) {
        ERR(mc, n->span, "the projection says nothing about which neurons to connect");
        diag_hint(mc->d, "add 'connect all_to_all', 'connect random(p)', ...");
    }
    const char **signals = arena_alloc(mc->ar, (size_t)(mc->m->nsignals + 1) * sizeof *signals);
    for (int k = 0; k < mc->m->nsignals; k++)
        signals[k] = mc->m->signals[k].name;
    /* each path resolved (and an unknown one reported) once */
    p->npre = n->a->nkids;
    p->npost = n->b->nkids;
    p->pre = arena_alloc(mc->ar, (size_t)(p->npre + 1) * sizeof *p->pre);
    p->post = arena_alloc(mc->ar, (size_t)(p->npost + 1) * sizeof *p->post);
    p->pre_type = arena_alloc(mc->ar, (size_t)(p->npre + 1) * sizeof *p->pre_type);
    p->post_type = arena_alloc(mc->ar, (size_t)(p->npost + 1) * sizeof *p->post_type);
    for (int si = 0; si < p->npre; si++) {
        const sm_mpop *P = find_pop(mc, n->a->kids[si], &p->pre[si]);
        p->pre_type[si] = P ? P->type : NULL;
    }
    for (int ti = 0; ti < p->npost; ti++) {
        const sm_mpop *Q = find_pop(mc, n->b->kids[ti], &p->post[ti]);
        p->post_type[ti] = Q ? Q->type : NULL;
    }
    const sm_type *third = NULL;
    if (!third_population(mc, p, n, via, &third))
        return;
    /* (pre type, post type) pairs whose binding failed: `A -> B, C` with B and C
       of one type would report the same errors twice */
    const sm_type *failed[64][2];
    int nfailed = 0;
    const sm_type *first = NULL;
    p->bound = arena_alloc(mc->ar, (size_t)(p->npre * p->npost + 1) * sizeof *p->bound);
    for (int si = 0; si < p->npre; si++)
        for (int ti = 0; ti < p->npost; ti++) {
            const sm_type *P = p->pre_type[si], *Q = p->post_type[ti];
            if (!P || !Q)
                continue;
            bool seen = false;
            for (int k = 0; k < nfailed && !seen; k++)
                seen = failed[k][0] == P && failed[k][1] == Q;
            if (seen) {
                mc->errors++;
                continue;
            }
            sm_type *t = sema_bind(mc->s, syn, P, Q, third, p->learns, p->nlearns, signals,
                                   mc->m->nsignals, n->span);
            if (!t) {
                mc->errors++;
                if (nfailed < 64) {
                    failed[nfailed][0] = P;
                    failed[nfailed++][1] = Q;
                }
                continue;
            }
            p->bound[si * p->npost + ti] = t;
            if (!first)
                first = t;
        }
    /* arguments: the variables of every binding are the synapse's and its rules', in order */
    /* their draws numbered after the type's initial values', in order, then the connector's */
    int draws = first ? type_draws(first) : 0;
    if (first) {
        p->vals = arena_alloc(mc->ar, (size_t)(first->nvars + 1) * sizeof *p->vals);
        syn_args(mc, first, n->c, p->vals, syn->name, -1, &draws);
        for (int r = 0; r < p->nlearns; r++)
            syn_args(mc, first, learn_args[r], p->vals, p->learns[r].rule->name, r, &draws);
    }
    if (conn)
        connector(mc, p, conn, &draws);
    if (delay) {
        p->delay_clause_span = delay->span;
        p->delay_span = delay->a->span;
        sx *e = mod_expr(mc, delay->a, ALLOW_I | ALLOW_J | ALLOW_RAND);
        if (!e->unknown && !dim_eq(e->dim, DIM_TIME)) {
            char a1[96];
            ERR(mc, delay->a->span, "a delay must be a time, not %s",
                dim_describe(e->dim, a1, sizeof a1));
            check_dim_hint(mc->d, DIM_TIME, e->dim, NULL);
        }
        p->delay = e;
    }
    add_item(mc, (sm_mitem){.kind = MI_PROJ, .proj = p});
}

/* ---- records, signals, instances ---------------------------------------------------------------
 */

static void add_target(mcheck *mc, sm_mrec *r, sm_rtarget tg)
{
    r->targets = arena_grow(mc->ar, r->targets, (size_t)r->ntargets, (size_t)r->ntargets + 1,
                            sizeof *r->targets);
    r->targets[r->ntargets++] = tg;
}

/* The projection named name among m's items (q: its item index), or NULL. */
static const sm_mproj *find_proj(const sm_module *m, const char *name, int *q)
{
    for (int k = 0; k < m->nitems; k++)
        if (m->items[k].kind == MI_PROJ && m->items[k].proj->name &&
            !strcmp(m->items[k].proj->name, name)) {
            *q = k;
            return m->items[k].proj;
        }
    return NULL;
}

/* `record weights P` (var "w") and `record P.u` (a synapse variable): the pairs of the
 * projection named P (`project P = A -> B, C` makes one per pair), or one of them (`record
 * weights P.A_C`, `record P.A_C.u`: the name of the pair in --set and protocols) */
static void synapse_targets(mcheck *mc, sm_mrec *r, const ast_node *path, const char *var,
                            ax_span span)
{
    int q, n0 = r->ntargets, only = -1, other = -1;
    const ast_node *base = path;
    if (path->kind == AST_MEMBER && path->a->kind == AST_IDENT)
        base = path->a; /* P.A_C */
    const sm_mproj *pj = base->kind == AST_IDENT ? find_proj(mc->m, base->name, &q) : NULL;
    for (int k = 0; pj && base != path && k < pj->npre * pj->npost && pj->npre * pj->npost > 1;
         k++) {
        const char *a = pj->pre[k / pj->npost], *b = pj->post[k % pj->npost];
        size_t la = strlen(a);
        if (!strncmp(path->name, a, la) && path->name[la] == '_' && !strcmp(path->name + la + 1, b))
            *(only < 0 ? &only : &other) = k;
    }
    if (other >= 0) { /* P = A, A_B -> B_C, C: both pairs are P.A_B_C */
        ERR(mc, path->span, "'%s.%s' names two pairs of '%s' (%s -> %s and %s -> %s)", base->name,
            path->name, base->name, pj->pre[only / pj->npost], pj->post[only % pj->npost],
            pj->pre[other / pj->npost], pj->post[other % pj->npost]);
        diag_hint(mc->d, "record the whole projection, or give the pairs projections of their own");
        return;
    }
    if (pj && base != path && only < 0) {
        ERR(mc, path->span, "projection '%s' has no pair '%s'", base->name, path->name);
        if (pj->npre * pj->npost == 1)
            diag_hint(mc->d, "'%s' has one pair: record it by that name alone", base->name);
        else
            diag_hint(mc->d, "its pairs are '%s.%s_%s' ... '%s.%s_%s' (PRE_POST)", base->name,
                      pj->pre[0], pj->post[0], base->name, pj->pre[pj->npre - 1],
                      pj->post[pj->npost - 1]);
        return;
    }
    if (!pj) {
        if (base->kind == AST_IDENT)
            ERR(mc, path->span, "no projection named '%s'", base->name);
        else
            ERR(mc, path->span, "a projection is named by one name (or PROJ.PRE_POST for a pair)");
        diag_hint(mc->d, "name a projection to record its synapses: project NAME = A -> B : ...");
        return;
    }
    path = base;
    for (int k = 0; k < pj->npre * pj->npost; k++) {
        if (!pj->bound[k] || (only >= 0 && k != only))
            continue;
        int v = sm_find_var(pj->bound[k], var);
        if (v < 0 && !strcmp(var, "active") && pj->bound[k]->structure)
            v = SM_VAR_ACTIVE; /* structural plasticity: whether each synapse is active */
        if (v < 0 && v != SM_VAR_ACTIVE) {
            if (!strcmp(var, "w"))
                ERR(mc, span, "the synapses of '%s' have no weight 'w' to record", path->name);
            else
                ERR(mc, span, "the synapses of '%s' (%s) have no variable '%s'", path->name,
                    pj->bound[k]->name, var);
            if (!strcmp(var, "active"))
                diag_hint(mc->d, "'active' is whether each synapse is active, for projections "
                                 "with structural plasticity ('structure every' in the synapse "
                                 "or a rule)");
            r->ntargets = n0;
            return;
        }
        add_target(mc, r, (sm_rtarget){path->name, q, k, v, span});
    }
}

/* Whether path names a population of m (quietly: find_pop reports). */
static bool pop_path(const sm_module *m, const ast_node *path)
{
    const ast_node *parts[16];
    int np = 0;
    for (const ast_node *p = path; p && np < 16; p = p->kind == AST_MEMBER ? p->a : NULL)
        parts[np++] = p;
    if (parts[np - 1]->kind != AST_IDENT)
        return false;
    int n = m->nitems;
    for (int k = np - 1; k >= 0; k--) {
        const sm_mitem *it = find_member(m, n, parts[k]->name);
        if (it && k == 0)
            return it->kind == MI_POP;
        if (!it || it->kind != MI_INST || !it->inst->mod)
            return false;
        m = it->inst->mod;
        n = m->nitems;
    }
    return false;
}

/* `record spikes E.v`: the value of v (a state variable or per-neuron parameter) at each spike
 * of E (its own, or listed by `from`), as it stands when the spike is found, before the
 * reset. */
static void spike_var_target(mcheck *mc, sm_mrec *r, const sm_mpop *p, const char *rel,
                             const ast_node *path)
{
    const sm_type *t = p->type;
    if (!t->has_spike && !p->from) {
        ERR(mc, path->span, "%s (a %s) does not spike: there are no spikes to record '%s' at",
            rel, t->name, path->name);
        return;
    }
    int v = sm_find_var(t, path->name);
    if (v < 0) {
        ERR(mc, path->span, "%s (a %s) has no variable '%s'", rel, t->name, path->name);
        return;
    }
    if (t->vars[v].kind != VAR_STATE && !(t->vars[v].kind == VAR_PARAM && t->vars[v].per_item)) {
        ERR(mc, path->span, "'%s' of %s is not stored per neuron (it is a %s)", path->name, rel,
            t->vars[v].kind == VAR_ALG     ? "definition"
            : t->vars[v].kind == VAR_PARAM ? "shared parameter"
                                           : "summed input");
        diag_hint(mc->d, "record a state variable or a per-neuron parameter at the spikes");
        return;
    }
    add_target(mc, r, (sm_rtarget){rel, -1, -1, v, path->span});
}

/* An element number of `record P.m[3]` or `record P.m[0 .. 3]`: a whole number in range. */
static bool element_number(mcheck *mc, const ast_node *e, int size, const char *name, int *k)
{
    if (e->kind != AST_NUM || !(e->flags & NUM_INTEGER) || e->str) {
        ERR(mc, e->span, "an element of vector '%s' is a whole number written out", name);
        return false;
    }
    if (e->num >= size) {
        ERR(mc, e->span, "index %g is out of range: '%s' has %d element%s (0 to %d)", e->num,
            name, size, size == 1 ? "" : "s", size - 1);
        return false;
    }
    *k = (int)e->num;
    return true;
}

/* `record P.m`, m a vector of P's neurons (vector.c made it m[0], m[1] ...): every element;
 * brackets after the last path of the line select its elements (`record P.v, P.m[3]`), not
 * neurons, when that path is a vector. False when P has no vector m. */
static bool vector_targets(mcheck *mc, sm_mrec *r, const ast_node *n, const sm_type *t,
                           const char *rel, const ast_node *path)
{
    int size = vector_size_of(mc, t, path->name);
    if (size == 0)
        return false;
    int first = 0, last = size - 1;
    const ast_node *sel = path == n->kids[n->nkids - 1] ? n->a : NULL;
    const ast_node *only = NULL;
    if (sel && sel->kind == AST_RANGE) {
        if (!element_number(mc, sel->a, size, path->name, &first) ||
            !element_number(mc, sel->b, size, path->name, &last))
            return true;
    } else if (sel && sel->nkids == 1) {
        only = sel->kids[0];
        if (!element_number(mc, only, size, path->name, &first))
            return true;
        last = first;
    } else if (sel) {
        ERR(mc, sel->span, "the elements of a vector are one ([3]) or a range ([0 .. 3])");
        return true;
    }
    if (sel) { /* the brackets were elements, not neurons */
        r->has_subset = false;
        r->nsub = 0;
    }
    for (int k = first; k <= last; k++) {
        int v = sm_find_var(t, arena_printf(mc->ar, "%s[%d]", path->name, k));
        /* a vector of definitions has no elements stored (they are the update's temporaries) */
        if (v < 0 || t->vars[v].kind == VAR_ALG ||
            (t->vars[v].kind == VAR_PARAM && !t->vars[v].per_item)) {
            ERR(mc, path->span, "'%s' of %s is not stored per neuron (it is a %s)", path->name,
                rel, v >= 0 && t->vars[v].kind == VAR_PARAM ? "shared parameter" : "definition");
            return true;
        }
        add_target(mc, r, (sm_rtarget){rel, -1, -1, v, path->span});
    }
    return true;
}

static void record(mcheck *mc, const ast_node *n)
{
    sm_mrec *r = arena_alloc(mc->ar, sizeof *r);
    r->kind = REC_STATE;
    if (n->str) {
        if (!strcmp(n->str, "spikes"))
            r->kind = REC_SPIKES;
        else if (!strcmp(n->str, "rate"))
            r->kind = REC_RATE;
        else if (!strcmp(n->str, "weights"))
            r->kind = REC_WEIGHTS;
        else {
            ERR(mc, n->span, "cannot record '%s'", n->str);
            diag_hint(mc->d, "record spikes P, record rate P, record weights PROJ, or record "
                             "P.variable");
            return;
        }
    }
    if (n->b) {
        sx *e;
        r->every_span = n->b->span;
        if (const_expr(mc, n->b, &e, "a sampling period")) {
            if (!dim_eq(e->dim, DIM_TIME))
                ERR(mc, n->b->span, "a sampling period must be a positive time");
            else
                r->every = e;
        }
    }
    if (n->a) {
        r->has_subset = true;
        r->subset_span = n->a->span;
        r->range = n->a->kind == AST_RANGE;
        const ast_node *const *kids = r->range ? (const ast_node *const[]){n->a->a, n->a->b}
                                               : (const ast_node *const *)n->a->kids;
        int nk = r->range ? 2 : n->a->nkids;
        r->sub = arena_alloc(mc->ar, (size_t)(nk + 1) * sizeof *r->sub);
        r->sub_span = arena_alloc(mc->ar, (size_t)(nk + 1) * sizeof *r->sub_span);
        bool ok = true;
        for (int k = 0; k < nk; k++) {
            r->sub_span[k] = kids[k]->span;
            if (!count_expr(mc, kids[k], &r->sub[k], "a neuron index"))
                ok = false;
        }
        r->nsub = nk;
        if (!ok && r->range)
            r->has_subset = false;
    }
    for (int k = 0; k < n->nkids; k++) {
        const ast_node *path = n->kids[k];
        const char *rel;
        int q;
        if (r->kind == REC_WEIGHTS) {
            synapse_targets(mc, r, path, "w", path->span);
        } else if (r->kind == REC_STATE) {
            if (path->kind != AST_MEMBER) {
                ERR(mc, path->span, "record which variable? write '%s.v' (or 'record spikes %s')",
                    path->name, path->name);
                continue;
            }
            /* PROJ.var: a synapse variable of a named projection (not shadowing a population);
               PROJ.PRE_POST.var: of one pair */
            const ast_node *pp = path->a->kind == AST_MEMBER ? path->a->a : path->a;
            if (pp->kind == AST_IDENT && !find_member(mc->m, mc->m->nitems, pp->name) &&
                find_proj(mc->m, pp->name, &q)) {
                synapse_targets(mc, r, path->a, path->name, path->span);
                continue;
            }
            const sm_mpop *p = find_pop(mc, path->a, &rel);
            if (!p)
                continue;
            const sm_type *t = p->type;
            int v = sm_find_var(t, path->name);
            if (v < 0 && vector_targets(mc, r, n, t, rel, path))
                continue;
            if (v < 0) {
                ERR(mc, path->span, "%s (a %s) has no variable '%s'", rel, t->name, path->name);
                continue;
            }
            if (t->vars[v].kind == VAR_ALG ||
                (t->vars[v].kind == VAR_PARAM && !t->vars[v].per_item)) {
                ERR(mc, path->span, "'%s' of %s is not stored per neuron (it is a %s)", path->name,
                    rel, t->vars[v].kind == VAR_ALG ? "definition" : "shared parameter");
                continue;
            }
            add_target(mc, r, (sm_rtarget){rel, -1, -1, v, path->span});
        } else {
            /* `record spikes E.v`: E's spikes and v at each of them (a path whose last name
               follows a population, not an instance) */
            const ast_node *pp = path;
            if (r->kind == REC_SPIKES && path->kind == AST_MEMBER && pop_path(mc->m, path->a))
                pp = path->a;
            const sm_mpop *p = find_pop(mc, pp, &rel);
            if (!p)
                continue;
            if (pp != path) {
                spike_var_target(mc, r, p, rel, path);
                continue;
            }
            if (r->kind == REC_SPIKES && !p->type->has_spike && !p->from)
                ERR(mc, path->span, "%s (a %s) does not spike", rel, p->type->name);
            add_target(mc, r, (sm_rtarget){rel, -1, -1, -1, path->span});
        }
    }
    add_item(mc, (sm_mitem){.kind = MI_RECORD, .rec = r});
}

/* `signal NAME = expr of t`, or `signal NAME = P.x`: the mean of x over population P, as it
 * stands at the start of each step (dimensionless). */
static void signal(mcheck *mc, const ast_node *it, sm_msignal *sg)
{
    const ast_node *a = it->a;
    if (a->kind == AST_MEMBER) {
        const char *rel;
        const sm_mpop *P = find_pop(mc, a->a, &rel);
        if (!P)
            return;
        const sm_type *t = P->type;
        int v = sm_find_var(t, a->name);
        if (v < 0) {
            ERR(mc, a->span, "%s (a %s) has no variable '%s'", rel, t->name, a->name);
            return;
        }
        if (t->vars[v].kind == VAR_ALG || (t->vars[v].kind == VAR_PARAM && !t->vars[v].per_item)) {
            ERR(mc, a->span, "'%s' of %s is not stored per neuron", a->name, rel);
            return;
        }
        if (t->vars[v].kind == VAR_INPUT) {
            ERR(mc, a->span,
                "'%s' of %s is a summed input, cleared every step: a signal cannot "
                "follow it",
                a->name, rel);
            return;
        }
        if (!dim_eq(t->vars[v].dim, DIM_NONE) || t->vars[v].boolean) {
            char a1[96];
            ERR(mc, a->span, "a signal is a plain number, but %s.%s is %s", rel, a->name,
                t->vars[v].boolean ? "a condition" : dim_describe(t->vars[v].dim, a1, sizeof a1));
            return;
        }
        sg->pop = rel;
        sg->var = v;
        return;
    }
    sx *e = mod_expr(mc, a, ALLOW_T);
    if (e->boolean)
        ERR(mc, a->span, "a signal must be a number");
    sg->value = e;
}

/* The call poisson_input(K, RATE) of a Poisson input's right side, and in *weight the other
 * factor of `WEIGHT * poisson_input(...)` (either order; NULL when the call stands alone). */
static const ast_node *poisson_call(const ast_node *e, const ast_node **weight)
{
    *weight = NULL;
    if (e->kind == AST_CALL && !strcmp(e->name, "poisson_input"))
        return e;
    if (e->kind != AST_BINARY || e->op != '*')
        return NULL;
    const ast_node *c = poisson_call(e->a, weight);
    if (c && !*weight) {
        *weight = e->b;
        return c;
    }
    c = poisson_call(e->b, weight);
    if (c && !*weight) {
        *weight = e->a;
        return c;
    }
    return NULL;
}

/* `E.ge += WEIGHT * poisson_input(K, RATE)`: summed Poisson input (Brian2's PoissonInput). K,
 * RATE and WEIGHT are constants; the variable is a state variable or an input of E. */
static void poisson_input(mcheck *mc, const ast_node *it)
{
    const ast_node *lhs = it->a, *weight;
    if (lhs->kind != AST_MEMBER) {
        ERR(mc, lhs->span, "a module can only add to a variable of a population here: "
                           "'P.x += ...'");
        return;
    }
    const ast_node *call = poisson_call(it->b, &weight);
    if (!call) {
        ERR(mc, it->b->span, "what a module adds to a population's variable every step must be "
                             "WEIGHT * poisson_input(K, RATE)");
        diag_hint(mc->d, "the number of spikes of K independent Poisson sources at RATE in "
                         "each step, times the effect of one spike");
        return;
    }
    const char *rel;
    const sm_mpop *P = find_pop(mc, lhs->a, &rel);
    if (!P)
        return;
    const sm_type *t = P->type;
    int v = sm_find_var(t, lhs->name);
    if (v < 0) {
        ERR(mc, lhs->span, "%s (a %s) has no variable '%s'", rel, t->name, lhs->name);
        return;
    }
    const sm_var *var = &t->vars[v];
    if ((var->kind != VAR_STATE && var->kind != VAR_INPUT) || var->boolean) {
        ERR(mc, lhs->span, "'%s' of %s is not a state variable or an input: Poisson input "
                           "cannot add to it", lhs->name, rel);
        return;
    }
    if (call->nkids != 2 || call->kids[0]->kind == AST_NAMED || call->kids[1]->kind == AST_NAMED) {
        ERR(mc, call->span, "poisson_input takes two values: the number of sources and their "
                            "rate, poisson_input(1000, 5 Hz)");
        return;
    }
    sm_minput *in = arena_alloc(mc->ar, sizeof *in);
    *in = (sm_minput){rel, v, NULL, NULL, NULL, it->span, call->kids[0]->span,
                      call->kids[1]->span};
    bool ok = count_expr(mc, call->kids[0], &in->n, "the number of Poisson sources");
    char d1[96], d2[96];
    if (!const_expr(mc, call->kids[1], &in->rate, "the rate of Poisson sources"))
        ok = false;
    else if (!anydim(in->rate) && !dim_eq(in->rate->dim, dim_div(DIM_NONE, DIM_TIME))) {
        ERR(mc, call->kids[1]->span, "the rate of Poisson sources must be a rate (Hz), not %s",
            dim_describe(in->rate->dim, d1, sizeof d1));
        ok = false;
    }
    if (weight) {
        if (!const_expr(mc, weight, &in->weight, "the effect of one Poisson spike"))
            ok = false;
        else if (!anydim(in->weight) && !dim_eq(in->weight->dim, var->dim)) {
            ERR(mc, weight->span, "one Poisson spike adds %s to %s.%s, which is %s",
                dim_describe(in->weight->dim, d1, sizeof d1), rel, lhs->name,
                dim_describe(var->dim, d2, sizeof d2));
            ok = false;
        }
    } else if (!dim_is_none(var->dim)) {
        ERR(mc, it->b->span, "%s.%s is %s: give the effect of one spike, WEIGHT * "
                             "poisson_input(K, RATE)",
            rel, lhs->name, dim_describe(var->dim, d2, sizeof d2));
        ok = false;
    } else
        in->weight = sx_const(mc->ar, 1, DIM_NONE);
    if (ok)
        add_item(mc, (sm_mitem){.kind = MI_INPUT, .input = in});
}

static void instance(mcheck *mc, const ast_node *n)
{
    const sm_def *d = find_def(mc, n->str, AST_MODULE, n->span, "module");
    if (!d)
        return;
    sm_def *def = (sm_def *)d; /* the table's own entry: sema_find returns it */
    if (def->module && def->module->state == 1) {
        ERR(mc, n->span, "module %s contains itself", d->name);
        return;
    }
    sm_minst *mi = arena_alloc(mc->ar, sizeof *mi);
    mi->name = n->name;
    mi->span = n->span;
    mi->mod = check_module(mc->s, def);
    /* argument values are computed in this module's scope */
    mi->args = module_args(mc, mi->mod, n->a, "a module argument");
    add_item(mc, (sm_mitem){.kind = MI_INST, .inst = mi});
    add_name(mc, n->name, sx_const(mc->ar, 0, DIM_NONE), n->span);
}

/* ---- modules and run lines ----------------------------------------------------------------------
 */

static sm_module *check_module(sema_ctx *s, sm_def *def)
{
    if (def->module)
        return def->module;
    const ast_node *mod = def->ast;
    sm_module *m = arena_alloc(s->ar, sizeof *m);
    m->def = def;
    m->state = 1;
    def->module = m;
    mcheck mc = {.s = s, .ar = s->ar, .d = s->d, .m = m};
    if (s->module_depth == 16) {
        ERR(&mc, mod->span, "modules nested too deeply");
        m->state = 2;
        m->errors = mc.errors;
        return m;
    }
    s->module_depth++;
    /* parameters: each default may use the ones before it */
    m->params = arena_alloc(s->ar, (size_t)(mod->a->nkids + 1) * sizeof *m->params);
    for (int k = 0; k < mod->a->nkids; k++) {
        const ast_node *p = mod->a->kids[k];
        sx *v;
        const_expr(&mc, p->a, &v, "a module parameter's default");
        m->params[m->nparams++] = (sm_mparam){p->name, p->span, v};
        sx *var = sx_var(s->ar, VS_MODULE, k, p->name, v->dim);
        var->boolean = v->boolean;
        var->unknown = v->unknown;
        add_name(&mc, p->name, var, p->span);
    }
    /* signals first: rules of projections refer to them */
    for (int k = 0; k < mod->nkids; k++)
        if (mod->kids[k]->kind == AST_SIGNAL) {
            m->signals = arena_grow(s->ar, m->signals, (size_t)m->nsignals, (size_t)m->nsignals + 1,
                                    sizeof *m->signals);
            m->signals[m->nsignals++] =
                (sm_msignal){mod->kids[k]->name, mod->kids[k]->span, NULL, NULL, -1};
        }
    for (int k = 0; k < mod->nkids; k++) {
        const ast_node *it = mod->kids[k];
        switch (it->kind) {
        case AST_LET: {
            sx *v;
            const_expr(&mc, it->a, &v, "a 'let' value");
            add_name(&mc, it->name, v, it->span); /* also when unknown: its uses stay quiet */
            break;
        }
        case AST_POPULATION: population(&mc, it); break;
        case AST_PROJECT: projection(&mc, it); break;
        case AST_INSTANCE: instance(&mc, it); break;
        case AST_RECORD: record(&mc, it); break;
        case AST_SIGNAL: break; /* below, once every population exists */
        case AST_ASSIGN: poisson_input(&mc, it); break;
        default:
            ERR(&mc, it->span, "%s is not allowed in a module", ast_kind_name(it->kind));
            break;
        }
    }
    for (int k = 0, q = 0; k < mod->nkids; k++)
        if (mod->kids[k]->kind == AST_SIGNAL)
            signal(&mc, mod->kids[k], &m->signals[q++]);
    s->module_depth--;
    m->state = 2;
    m->errors = mc.errors;
    return m;
}

/* The dotted name of a path (IDENT or MEMBER chain), or NULL when it is something else. */
static const char *path_name(ax_arena *ar, const ast_node *n)
{
    if (n->kind == AST_IDENT)
        return n->name;
    if (n->kind != AST_MEMBER || !n->a)
        return NULL;
    const char *base = path_name(ar, n->a);
    return base ? arena_printf(ar, "%s.%s", base, n->name) : NULL;
}

/* A time for a message, in s or ms ("100 ms", "1.5 s"). */
static const char *time_text(char *buf, size_t n, double t)
{
    if (t != 0 && fabs(t) < 1)
        snprintf(buf, n, "%.12g ms", t * 1e3);
    else
        snprintf(buf, n, "%.12g s", t);
    return buf;
}

/* The protocol of a run line: times in order within the run, constant values. What the
 * paths name, and whether the values have their units, is checked when the module is
 * instantiated (lower/protocol.c), where the parameters are known. */
static void check_protocol(mcheck *mc, const ast_node *run, sm_run *r)
{
    if (!run->nkids)
        return;
    r->ats = arena_alloc(mc->ar, (size_t)run->nkids * sizeof *r->ats);
    double end = r->duration && r->duration->kind == SX_CONST ? r->duration->v : INFINITY;
    const sm_at *prev = NULL;
    char a[96], nb[48], nb2[48];
    for (int k = 0; k < run->nkids; k++) {
        const ast_node *at = run->kids[k];
        sx *te;
        if (!const_expr(mc, at->a, &te, "the time of 'at'"))
            continue;
        if (te->kind != SX_CONST || !dim_eq(te->dim, DIM_TIME)) {
            if (te->kind == SX_CONST && te->fn == 1 && te->v == 0) {
                /* `at 0` reads as the start */
            } else {
                ERR(mc, at->a->span, "'at' needs a time, like 1 s, not %s",
                    dim_describe(te->dim, a, sizeof a));
                continue;
            }
        }
        if (te->v < 0) {
            ERR(mc, at->a->span, "a time of the protocol cannot be negative (%s)",
                time_text(nb, sizeof nb, te->v));
            continue;
        }
        if (te->v >= end) {
            ERR(mc, at->a->span,
                "at %s is not within the run, which lasts %s: the change would never happen",
                time_text(nb, sizeof nb, te->v), time_text(nb2, sizeof nb2, end));
            diag_note(mc->d, r->duration_span, "the duration of the run");
            continue;
        }
        if (prev && te->v <= prev->t) {
            ERR(mc, at->a->span,
                te->v == prev->t ? "a second block at %s: put its changes in the first"
                                 : "the blocks of a protocol must be in time order: %s "
                                   "comes after a block at %s",
                time_text(nb, sizeof nb, te->v), time_text(nb2, sizeof nb2, prev->t));
            diag_note(mc->d, prev->time_span, "the block at %s", time_text(nb2, sizeof nb2, prev->t));
            continue;
        }
        sm_at *x = &r->ats[r->nats++];
        *x = (sm_at){.t = te->v, .span = at->span, .time_span = at->a->span};
        x->sets = arena_alloc(mc->ar, (size_t)(at->nkids + 1) * sizeof *x->sets);
        for (int q = 0; q < at->nkids; q++) {
            const ast_node *st = at->kids[q];
            const char *path = path_name(mc->ar, st->a);
            if (!path || !strchr(path, '.')) {
                ERR(mc, st->a->span,
                    "a protocol changes the parameter of a population or a named projection: "
                    "write POPULATION.NAME (E.I_ext)");
                continue;
            }
            sx *v;
            if (!const_expr(mc, st->b, &v, "a value set by a protocol"))
                continue;
            if (v->kind != SX_CONST) {
                ERR(mc, st->b->span,
                    "a value set by a protocol must be a constant (known when the model is "
                    "built)");
                continue;
            }
            x->sets[x->nsets++] =
                (sm_set){path, v, st->span, st->a->span, st->b->span};
        }
        prev = x;
    }
}

/* `run Module(args) for DURATION`: the last one of the file */
static void check_run(sema_ctx *s, sm_file *f)
{
    const ast_node *run = NULL;
    for (int i = 0; f->root && i < f->root->nkids; i++)
        if (f->root->kids[i]->kind == AST_RUN)
            run = f->root->kids[i];
    if (!run)
        return;
    sm_run *r = arena_alloc(s->ar, sizeof *r);
    f->run = r;
    mcheck mc = {.s = s, .ar = s->ar, .d = s->d};
    r->span = run->a->span;
    r->module = find_def(&mc, run->a->name, AST_MODULE, run->a->span, "module");
    if (!r->module)
        return;
    r->duration_span = run->b->span;
    if (const_expr(&mc, run->b, &r->duration, "the duration of 'run'") &&
        !dim_eq(r->duration->dim, DIM_TIME))
        ERR(&mc, run->b->span, "'run ... for' needs a positive duration, like 1 s");
    r->args = module_args(&mc, r->module->module, run->a->kind == AST_CALL ? run->a : NULL,
                          "a module parameter");
    check_protocol(&mc, run, r);
}

void sema_check_modules(sema_ctx *s)
{
    for (int i = 0; i < s->ndefs; i++)
        if (s->defs[i].kind == AST_MODULE)
            check_module(s, &s->defs[i]);
    for (int f = 0; f < s->nfiles; f++)
        check_run(s, &s->files[f]);
}

const sm_run *sema_run(const sema_ctx *s, int file)
{
    for (int i = 0; i < s->nfiles; i++)
        if (s->files[i].id == file)
            return s->files[i].run;
    return NULL;
}

bool sema_module_ok(const sm_module *m)
{
    if (!m || m->state != 2 || m->errors)
        return false;
    for (int i = 0; i < m->nitems; i++)
        if (m->items[i].kind == MI_INST && !sema_module_ok(m->items[i].inst->mod))
            return false;
    return true;
}
