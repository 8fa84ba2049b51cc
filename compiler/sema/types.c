/*
 * The global table of definitions and the checking of neuron, synapse and
 * rule bodies (declarations, equations, handlers), plus the binding of a
 * synapse and its rules to the neuron types of a projection.
 */
#include "sema/sema_int.h"

#include <dlfcn.h>
#include <string.h>

#define ERR(ck, sp, ...)                                                                           \
    do {                                                                                           \
        diag_error((ck)->d, (sp), __VA_ARGS__);                                                    \
        (ck)->errors++;                                                                            \
    } while (0)

static const char *kind_word(ast_kind k)
{
    switch (k) {
    case AST_NEURON: return "neuron";
    case AST_SYNAPSE: return "synapse";
    case AST_RULE: return "rule";
    case AST_MODULE: return "module";
    default: return "definition";
    }
}

const sm_def *sema_find(const sema_ctx *s, const char *name)
{
    for (int i = 0; i < s->ndefs; i++)
        if (!strcmp(s->defs[i].name, name))
            return &s->defs[i];
    return NULL;
}

int sema_def_count(const sema_ctx *s) { return s->ndefs; }
const sm_def *sema_def(const sema_ctx *s, int i) { return &s->defs[i]; }

/* Files are visited imports first, so that when a name is defined twice the
 * definition in the importing file (usually the user's) is the one reported,
 * with a note at the imported one. */
/* `extern "LIB" fn NAME(x, ...) -> real`: the library is loaded into the process (with
 * RTLD_GLOBAL, so that JIT-compiled kernels find NAME by name) and the function looked up.
 * Libraries stay loaded: compiled code may call them as long as the process lives. */
static void declare_extern(sema_ctx *s, const ast_node *n)
{
    for (int k = 0; k < s->nexterns; k++)
        if (!strcmp(s->externs[k].name, n->name)) {
            diag_error(s->d, n->span, "the extern function '%s' is already declared", n->name);
            return;
        }
    if (sx_fn_lookup(n->name) >= 0 || !strcmp(n->name, "rand") || !strcmp(n->name, "uniform") ||
        !strcmp(n->name, "normal") || !strcmp(n->name, "timed") || !strcmp(n->name, "pow")) {
        diag_error(s->d, n->span, "'%s' is a function of the language: an extern function "
                                  "needs another name", n->name);
        return;
    }
    if (n->nkids > 3) {
        diag_error(s->d, n->span, "an extern function takes at most 3 arguments, '%s' has %d",
                   n->name, n->nkids);
        return;
    }
    if (s->no_extern_load) {
        s->externs = arena_grow(s->ar, s->externs, (size_t)s->nexterns,
                                (size_t)s->nexterns + 1, sizeof *s->externs);
        s->externs[s->nexterns++] = (sx_extern){n->name, n->str, n->nkids, NULL};
        return;
    }
    dlerror();
    void *lib = dlopen(n->str, RTLD_NOW | RTLD_GLOBAL);
    if (!lib) {
        const char *why = dlerror();
        diag_error(s->d, n->span, "cannot load the library '%s': %s", n->str,
                   why ? why : "unknown reason");
        return;
    }
    dlerror();
    void *addr = dlsym(lib, n->name);
    if (!addr) {
        diag_error(s->d, n->span, "the library '%s' has no function '%s'", n->str, n->name);
        return;
    }
    s->externs = arena_grow(s->ar, s->externs, (size_t)s->nexterns, (size_t)s->nexterns + 1,
                            sizeof *s->externs);
    s->externs[s->nexterns++] = (sx_extern){n->name, n->str, n->nkids, addr};
}

void sema_set_extern_loading(sema_ctx *s, bool load) { s->no_extern_load = !load; }

int sema_extern_count(const sema_ctx *s) { return s->nexterns; }
const sx_extern *sema_extern(const sema_ctx *s, int i) { return &s->externs[i]; }

void sema_check_externs(const sema_ctx *s, check_ctx *ck)
{
    ck->externs = s->externs;
    ck->nexterns = s->nexterns;
}

static void build_table(sema_ctx *s)
{
    for (int o = 0; o < s->norder; o++) {
        int f = s->order[o];
        ast_node *root = s->files[f].root;
        for (int i = 0; i < root->nkids; i++) {
            ast_node *n = root->kids[i];
            if (n->kind == AST_EXTERN) {
                declare_extern(s, n);
                continue;
            }
            if (n->kind != AST_NEURON && n->kind != AST_SYNAPSE && n->kind != AST_RULE &&
                n->kind != AST_MODULE)
                continue;
            const sm_def *old = sema_find(s, n->name);
            if (old) {
                diag_error(s->d, n->span, "%s '%s' is already defined", kind_word(n->kind),
                           n->name);
                if (old->file != s->files[f].id)
                    diag_hint(s->d, "imported definitions share one namespace with this file's: "
                                    "rename one of them");
                diag_note(s->d, old->ast->span, "the first definition of '%s' is here", n->name);
                continue;
            }
            if (s->ndefs == s->capdefs) { /* doubling: a file may define thousands */
                s->capdefs = s->capdefs ? 2 * s->capdefs : 16;
                s->defs = arena_grow(s->ar, s->defs, (size_t)s->ndefs, (size_t)s->capdefs,
                                     sizeof *s->defs);
            }
            s->defs[s->ndefs++] = (sm_def){n->name, n->kind, n, s->files[f].id, NULL, NULL};
        }
    }
}

/* ---- declarations ---------------------------------------------------------------- */

/* A unit written after ':' in a declaration: unit symbols combined with
 * '*', '/' and integer powers, or 1. */
static bool unit_of(check_ctx *ck, const ast_node *n, ax_unit *out)
{
    switch (n->kind) {
    case AST_NUM:
        if (n->str) {
            char err[128];
            if (!unit_parse(n->str, out, err, sizeof err))
                return false;
            out->scale *= n->num;
            return n->num == 1;
        }
        *out = (ax_unit){DIM_NONE, n->num};
        return n->num == 1;
    case AST_IDENT:
        return unit_lookup(n->name, strlen(n->name), out);
    case AST_BINARY: {
        ax_unit a, b;
        if (n->op == '^') {
            if (!unit_of(ck, n->a, &a))
                return false;
            const ast_node *e = n->b;
            int sign = 1;
            if (e->kind == AST_UNARY && e->op == '-') {
                sign = -1;
                e = e->a;
            }
            if (e->kind != AST_NUM || e->str || !(e->flags & NUM_INTEGER))
                return false;
            int p = sign * (int)e->num;
            if (!dim_pow(a.dim, p, 1, &out->dim))
                return false;
            out->scale = 1;
            for (int i = 0; i < (p < 0 ? -p : p); i++)
                out->scale = p < 0 ? out->scale / a.scale : out->scale * a.scale;
            return true;
        }
        if ((n->op != '*' && n->op != '/') || !unit_of(ck, n->a, &a) || !unit_of(ck, n->b, &b))
            return false;
        out->dim = n->op == '*' ? dim_mul(a.dim, b.dim) : dim_div(a.dim, b.dim);
        out->scale = n->op == '*' ? a.scale * b.scale : a.scale / b.scale;
        return true;
    }
    default:
        return false;
    }
}

/* Names that would be confusing: t, dt, i, j; multi-letter unit symbols. */
static void check_decl_name(check_ctx *ck, const char *name, ax_span sp)
{
    if (!strcmp(name, "t") || !strcmp(name, "dt")) {
        ERR(ck, sp, "'%s' is reserved: it is the %s", name,
            name[0] == 't' ? "simulation time" : "time step");
        return;
    }
    size_t l = strlen(name);
    if (l > 1 && unit_is_name(name, l)) {
        ERR(ck, sp, "'%s' is a unit; choose another name", name);
        return;
    }
    if (sx_is_builtin(name))
        diag_warning(ck->d, sp, "'%s' hides the built-in function of the same name", name);
}

/* A rule merged into a synapse sees its own variables and the synapse's, not those of the
 * other rules on the projection (two rules may both have a `w_max`). */
static int rule_scope_lookup(check_ctx *ck, const char *name)
{
    const sm_type *t = ck->t;
    for (int v = ck->rule_base; v < t->nvars; v++)
        if (!strcmp(t->vars[v].name, name))
            return v;
    for (int v = 0; v < ck->host_nvars && v < t->nvars; v++)
        if (!strcmp(t->vars[v].name, name))
            return v;
    return -1;
}

static int add_var(check_ctx *ck, const char *name, ax_span sp, sm_var_kind kind)
{
    sm_type *t = ck->t;
    int old = ck->lookup_var == rule_scope_lookup ? rule_scope_lookup(ck, name)
                                                  : sm_find_var(t, name);
    if (old >= 0) {
        ERR(ck, sp, "'%s' is already declared", name);
        diag_note(ck->d, t->vars[old].span, "the first declaration of '%s' is here", name);
        return -1;
    }
    check_decl_name(ck, name, sp);
    t->vars = arena_grow(ck->ar, t->vars, (size_t)t->nvars, (size_t)t->nvars + 1, sizeof *t->vars);
    sm_var *v = &t->vars[t->nvars];
    memset(v, 0, sizeof *v);
    v->name = name;
    v->span = sp;
    v->kind = kind;
    v->ode = -1;
    v->rule = -1;
    return t->nvars++;
}

/* Value and unit of a parameter or state declaration. */
static void decl_value(check_ctx *ck, sm_var *v, const ast_node *d, const char *what)
{
    ax_unit u = {DIM_NONE, 1};
    bool declared = false;
    if (d->b && d->b->kind == AST_IDENT && ck->rule_weight && !strcmp(d->b->name, ck->rule_weight)) {
        /* `w_max : w = 1`: a rule's parameter in the unit of the weight it is bound to */
        v->weight_unit = true;
        if (ck->weight_var < 0) { /* the rule alone: the weight's unit is not known yet */
            v->value = d->a ? check_expr(ck, d->a) : sx_const(ck->ar, 0, DIM_NONE);
            v->dim = DIM_NONE;
            v->unknown = true;
            return;
        }
        ax_dim wd = ck->t->vars[ck->weight_var].dim;
        sx *e = d->a ? check_expr(ck, d->a) : sx_const(ck->ar, 0, wd);
        /* a plain number is accepted here; the projection requires a value unless the
           weight is dimensionless */
        if (!e->unknown && !(e->kind == SX_CONST && dim_eq(e->dim, DIM_NONE)) &&
            !dim_eq(e->dim, wd)) {
            char a[96], b[96];
            ERR(ck, d->a->span, "the default of '%s' is %s, but it is in the unit of the weight, "
                                "%s", v->name, sm_dim_text(e->dim, a, sizeof a),
                sm_dim_text(wd, b, sizeof b));
        }
        v->value = e;
        v->dim = wd;
        v->boolean = false;
        return;
    } else if (d->b) {
        if (!unit_of(ck, d->b, &u)) {
            ERR(ck, d->b->span, "expected a unit after ':' (like mV, nS/ms or 1)");
        } else if (u.scale != u.scale || u.scale <= 0) {
            ERR(ck, d->b->span, "invalid unit");
        } else {
            declared = true;
        }
    }
    if (d->a) {
        sx *e = check_expr(ck, d->a);
        if (declared && !e->unknown && !(e->kind == SX_CONST && e->fn == 1) &&
            !dim_eq(e->dim, u.dim)) {
            char a[96], b[96];
            ERR(ck, d->a->span, "the %s of '%s' is %s, but its declared unit is %s", what, v->name,
                sm_dim_text(e->dim, a, sizeof a), sm_dim_text(u.dim, b, sizeof b));
            check_dim_hint(ck->d, u.dim, e->dim, NULL);
        }
        v->value = e;
        v->unknown = e->unknown && !declared;
        v->dim = declared ? u.dim : e->dim;
        v->boolean = e->boolean;
        if (e->kind == SX_CONST && e->fn == 1 && !declared)
            v->dim = DIM_NONE;
    } else {
        v->dim = u.dim;
        v->value = sx_const(ck->ar, 0, u.dim);
    }
}

/* A parameter without a value, or a state variable without a value or a unit (decl[k]): a
 * vector's elements (consecutive in decl) are reported once, at element 0, as the vector. */
static void missing_value(check_ctx *ck, sm_var_kind kind, const ast_node *const *decl, int k,
                          int ndecl)
{
    const ast_node *d = decl[k];
    bool param = kind == VAR_PARAM;
    const char *need = param ? "a value" : "an initial value or a unit";
    const char *br = (d->flags & DECL_VECTOR_ELEMENT) ? strrchr(d->name, '[') : NULL;
    if (!br) {
        ERR(ck, d->span, "%s '%s' needs %s", param ? "parameter" : "state variable", d->name,
            need);
        if (!param)
            diag_hint(ck->d, "write '%s = 0 mV' or '%s : mV'", d->name, d->name);
        return;
    }
    if (strcmp(br, "[0]"))
        return; /* reported at element 0 */
    int len = (int)(br - d->name) + 1, n = 1; /* "m[" */
    while (k + n < ndecl && (decl[k + n]->flags & DECL_VECTOR_ELEMENT) &&
           !strncmp(decl[k + n]->name, d->name, (size_t)len))
        n++;
    ERR(ck, d->span, "%s vector '%.*s' needs %s", param ? "parameter" : "state", len - 1,
        d->name, need);
    if (param)
        diag_hint(ck->d, "write '%.*s[%d] = 0' (one value for every element) or a list of %d "
                  "values", len - 1, d->name, n, n);
    else
        diag_hint(ck->d, "write '%.*s[%d] = 0 mV' or '%.*s[%d] : mV'", len - 1, d->name, n,
                  len - 1, d->name, n);
}

/* The elements of a vector without a declared unit take theirs from their values, which
 * must agree with element 0's. */
static void same_unit_as_first(check_ctx *ck, const sm_var *var, const ast_node *d)
{
    const char *br = strrchr(var->name, '[');
    if (!br || !strcmp(br, "[0]"))
        return;
    const char *first = arena_printf(ck->ar, "%.*s[0]", (int)(br - var->name), var->name);
    int f = sm_find_var(ck->t, first);
    if (f < 0 || ck->t->vars[f].unknown || var->unknown || dim_eq(ck->t->vars[f].dim, var->dim))
        return;
    char a[96], b[96];
    ERR(ck, d->a ? d->a->span : d->span, "the elements of vector '%.*s' differ in unit: %s is %s, "
        "%s is %s", (int)(br - var->name), var->name, var->name,
        sm_dim_text(var->dim, a, sizeof a), first, sm_dim_text(ck->t->vars[f].dim, b, sizeof b));
    diag_hint(ck->d, "all elements of a vector have one unit; declare it (%.*s[n] : unit = ...)",
              (int)(br - var->name), var->name);
}

static const char *const METHODS[] = {"exact",   "exponential_euler", "euler", "rk2", "rk4",
                                      "milstein", NULL};

/* `method NAME` of a neuron or a population: a known method, else an error with a hint. */
bool sema_method_known(diag_ctx *d, const ast_node *it)
{
    for (int m = 0; METHODS[m]; m++)
        if (!strcmp(METHODS[m], it->name))
            return true;
    diag_error(d, it->span, "unknown integration method '%s'", it->name);
    const char *best = NULL;
    for (int m = 0, bd = 4; METHODS[m]; m++) {
        int dist = edit_distance(it->name, METHODS[m]);
        if (dist < bd) {
            bd = dist;
            best = METHODS[m];
        }
    }
    if (best)
        diag_hint(d, "did you mean '%s'?", best);
    else
        diag_hint(d, "the methods are exact, exponential_euler, euler, rk2, rk4 and milstein");
    return false;
}

/* Which items each kind of definition may hold. */
/* refractory t_ref free: nothing held; refractory t_ref hold x, y: these state variables. */
static void check_refr_hold(check_ctx *ck, sm_type *t, const ast_node *it)
{
    bool hold = !strcmp(it->name, "hold");
    if (!hold && (strcmp(it->name, "free") || it->nkids)) {
        ERR(ck, it->span, "after the refractory period: 'free' (only spikes are blocked) or "
                          "'hold' and the variables held, not '%s'", it->name);
        return;
    }
    if (t->refractory->boolean) {
        ERR(ck, it->span, "'%s' goes with a refractory duration; a refractory condition only "
                          "blocks spikes", it->name);
        return;
    }
    if (!hold) {
        t->refr_hold = REFR_HOLD_NONE;
        return;
    }
    if (!it->nkids) {
        ERR(ck, it->span, "'hold' needs the variables to hold: refractory t_ref hold v");
        diag_hint(ck->d, "write 'refractory t_ref free' to hold none");
        return;
    }
    t->refr_hold = REFR_HOLD_LIST;
    t->refr_vars = arena_alloc(ck->ar, (size_t)it->nkids * sizeof *t->refr_vars);
    for (int k = 0; k < it->nkids; k++) {
        const ast_node *q = it->kids[k];
        int v = sm_find_var(t, q->name);
        if (v < 0 || t->vars[v].kind != VAR_STATE) {
            ERR(ck, q->span, "'hold' takes state variables; '%s' is %s", q->name,
                v < 0 ? "not declared" : "not a state variable");
            continue;
        }
        t->refr_vars[t->nrefr_vars++] = v;
    }
}

/* the condition of `on post.NAME` (or pre.NAME) */
static bool is_event_ref(const ast_node *a)
{
    return a && a->kind == AST_MEMBER && a->a &&
           (a->a->kind == AST_POST || a->a->kind == AST_PRE);
}

/* `on post.NAME { ... }` in a synapse or rule: the body is a handler like `on post`'s; once
 * bound, NAME must be a named event of the post neuron type. */
static void event_handler(check_ctx *ck, const ast_node *it)
{
    sm_type *t = ck->t;
    const ast_node *ref = it->a;
    if (ref->a->kind == AST_PRE) {
        ERR(ck, ref->span, "'on pre.%s': synapses see the events of their postsynaptic neuron "
                           "only (on post.%s)", ref->name, ref->name);
        return;
    }
    for (int k = 0; k < t->nevh; k++)
        if (!strcmp(t->evh[k].name, ref->name)) {
            ERR(ck, ref->span, "a %s has only one 'on post.%s'", kind_word(t->kind), ref->name);
            return;
        }
    sm_evhandler h = {ref->name, -1, {0}, it->span};
    if (ck->bound && t->post) {
        for (int e = 0; e < t->post->nevents; e++)
            if (t->post->events[e].name && !strcmp(t->post->events[e].name, ref->name))
                h.event = e;
        if (h.event < 0) {
            ERR(ck, ref->span, "the postsynaptic neuron %s has no event '%s'", t->post->name,
                ref->name);
            diag_hint(ck->d, "declare it in the neuron: event %s when CONDITION { ... }",
                      ref->name);
            if (ck->at.file >= 0)
                diag_note(ck->d, ck->at, "in the projection declared here");
        }
    }
    ck->ctx = CTX_HANDLER;
    h.body = check_block(ck, (const ast_node *const *)it->kids, it->nkids,
                         arena_printf(ck->ar, "'on post.%s'", ref->name));
    t->evh = arena_grow(ck->ar, t->evh, (size_t)t->nevh, (size_t)t->nevh + 1, sizeof *t->evh);
    t->evh[t->nevh++] = h;
}

static bool item_allowed(check_ctx *ck, ast_kind owner, const ast_node *it)
{
    const char *what = NULL;
    bool syn = owner == AST_SYNAPSE || owner == AST_RULE;
    switch (it->kind) {
    case AST_PARAMS:
        if (owner == AST_NEURON && (it->flags & BLK_SHARED)) {
            ERR(ck, it->span, "'parameters shared' is for synapses and rules; neuron parameters "
                              "are shared unless declared 'per neuron'");
            return false;
        }
        if (syn && (it->flags & BLK_PER_NEURON)) {
            ERR(ck, it->span, "'parameters per neuron' is for neurons; synapse parameters are "
                              "per synapse unless declared 'shared'");
            return false;
        }
        return true;
    case AST_STATE: case AST_EQUATIONS: return true;
    case AST_INPUTS: case AST_STEP: case AST_OUTPUT: case AST_SPIKE: case AST_ON_EVENT:
    case AST_REFRACTORY:
        if (!syn)
            return true;
        if (it->kind == AST_ON_EVENT && !it->name && is_event_ref(it->a))
            return true; /* on post.NAME: a neuron event's handler */
        what = it->kind == AST_INPUTS ? "'inputs'" : it->kind == AST_STEP ? "'step'"
             : it->kind == AST_OUTPUT ? "'output'" : it->kind == AST_SPIKE ? "'spike when'"
             : it->kind == AST_ON_EVENT ? (it->name ? "'event'" : "'on' with a condition")
             : "'refractory'";
        ERR(ck, it->span, "%s belongs in a neuron, not in a %s", what, kind_word(owner));
        return false;
    case AST_METHOD: return true;
    case AST_ON_PRE: case AST_ON_POST: case AST_CONTINUOUS: case AST_EVERY_STEP:
    case AST_STRUCTURE:
        if (syn)
            return true;
        what = it->kind == AST_ON_PRE ? "'on pre'" : it->kind == AST_ON_POST ? "'on post'"
             : it->kind == AST_CONTINUOUS ? "'continuous'"
             : it->kind == AST_STRUCTURE ? "'structure'" : "'every step'";
        ERR(ck, it->span, "%s belongs in a synapse or a rule, not in a neuron", what);
        diag_hint(ck->d, "pre- and postsynaptic events exist only between neurons");
        return false;
    case AST_VIA:
        if (owner == AST_SYNAPSE)
            return true;
        ERR(ck, it->span, "'via' belongs in a synapse, not in a %s", kind_word(owner));
        diag_hint(ck->d, owner == AST_RULE ? "declare the third neuron in the synapse the rule "
                                             "is learned on"
                                           : "a neuron is the third neuron of a synapse when a "
                                             "projection names its population: via POP by post");
        return false;
    case AST_MODULATOR:
        if (syn)
            return true;
        ERR(ck, it->span, "'modulator' belongs in a synapse or a learning rule, not in a neuron");
        diag_hint(ck->d, "a synapse can carry a signal to its target: modulator d; "
                         "continuous { post.I += g * d }");
        return false;
    default:
        ERR(ck, it->span, "%s is not allowed in a %s", ast_kind_name(it->kind), kind_word(owner));
        return false;
    }
}

static void once(check_ctx *ck, bool *seen, const ast_node *it, const char *what)
{
    if (*seen) {
        ERR(ck, it->span, "a %s has only one %s", kind_word(ck->t->kind), what);
    }
    *seen = true;
}

/* Is e made of numbers and shared parameters of t (a structure period)? */
static bool period_const(const sm_type *t, const sx *e)
{
    if (!e)
        return true;
    switch (e->kind) {
    case SX_CONST: return true;
    case SX_VAR:
        return e->space == VS_PARAM && e->idx >= 0 && e->idx < t->nvars &&
               t->vars[e->idx].kind == VAR_PARAM && !t->vars[e->idx].per_item;
    case SX_RAND: case SX_TABLE: case SX_EXT: return false;
    default: return period_const(t, e->a) && period_const(t, e->b) && period_const(t, e->c);
    }
}

/* structure every PERIOD { prune when C; grow when C { ... } } (sm_structure) */
static void check_structure(check_ctx *ck, const ast_node *it)
{
    sm_structure *st = arena_alloc(ck->ar, sizeof *st);
    st->span = it->span;
    ck->ctx = CTX_HANDLER;
    sx *every = sx_simplify(ck->ar, check_expr(ck, it->a));
    if (!every->unknown && !period_const(ck->t, every)) {
        ERR(ck, it->a->span, "the period of 'structure every' must be a duration of numbers "
                             "and shared parameters, like 100 ms or T");
    } else if (!every->unknown && !dim_eq(every->dim, DIM_TIME)) {
        char a[96];
        ERR(ck, it->a->span, "the period of 'structure every' must be a duration, not %s",
            sm_dim_text(every->dim, a, sizeof a));
    } else if (every->kind == SX_CONST && !(every->v > 0))
        ERR(ck, it->a->span, "the period of 'structure every' must be positive");
    st->every = every;
    bool seen_prune = false, seen_grow = false;
    for (int k = 0; k < it->nkids; k++) {
        const ast_node *q = it->kids[k];
        bool prune = q->kind == AST_PRUNE;
        bool *seen = prune ? &seen_prune : &seen_grow;
        if (*seen)
            ERR(ck, q->span, "a structure block has only one '%s when'", prune ? "prune" : "grow");
        *seen = true;
        ck->nlets = 0;
        sx *c = check_expr(ck, q->a);
        if (!c->boolean && !c->unknown)
            ERR(ck, q->a->span, "the condition of '%s when' must be a comparison, like %s",
                prune ? "prune" : "grow", prune ? "'w < w_min'" : "'uniform() < p_grow'");
        if (prune)
            st->prune = c;
        else {
            st->grow = c;
            st->init = check_block(ck, (const ast_node *const *)q->kids, q->nkids, "'grow'");
        }
    }
    if (!it->nkids)
        ERR(ck, it->span, "a structure block needs 'prune when CONDITION' or 'grow when "
                          "CONDITION { ... }'");
    ck->t->structure = st;
}

/* Checks a definition's body into t. The binding pass (ck->bound) repeats
 * everything with pre/post known; see sema.h. */
static void check_body(check_ctx *ck, const ast_node *def)
{
    sm_type *t = ck->t;
    ast_kind owner = def->kind;
    bool syn = owner == AST_SYNAPSE || owner == AST_RULE;
    ck->in_synapse = syn;
    /* 1. declarations: every name first (parameters, inputs, state, definitions,
       in that order), so that initial values may use definitions; then the
       values, in order */
    int *decl_var = arena_alloc(ck->ar, 256 * sizeof *decl_var);
    const ast_node **decl_ast = arena_alloc(ck->ar, 256 * sizeof *decl_ast);
    const ast_node **decl_blk = arena_alloc(ck->ar, 256 * sizeof *decl_blk);
    int ndecl = 0;
    for (int pass = 0; pass < 4; pass++)
        for (int i = 0; i < def->nkids; i++) {
            const ast_node *it = def->kids[i];
            ast_kind want = pass == 0 ? AST_PARAMS : pass == 1 ? AST_INPUTS
                          : pass == 2 ? AST_STATE : AST_EQUATIONS;
            if (it->kind != want)
                continue;
            for (int k = 0; k < it->nkids; k++) {
                const ast_node *d = it->kids[k];
                if (pass == 3) {
                    if (d->kind != AST_ALGEBRAIC)
                        continue;
                    int v = add_var(ck, d->name, d->span, VAR_ALG);
                    if (v >= 0)
                        ck->alg_ast[v] = d;
                    continue;
                }
                sm_var_kind kind = pass == 0 ? VAR_PARAM : pass == 1 ? VAR_INPUT : VAR_STATE;
                int v = add_var(ck, d->name, d->span, kind);
                if (v < 0)
                    continue;
                t->vars[v].per_item = pass == 0 && (syn ? !(it->flags & BLK_SHARED)
                                                        : (it->flags & BLK_PER_NEURON) != 0);
                if (ndecl < 256) {
                    decl_var[ndecl] = v;
                    decl_ast[ndecl] = d;
                    decl_blk[ndecl++] = it;
                } else if (ndecl++ == 256) {
                    ERR(ck, d->span, "too many declarations (at most 256)");
                }
            }
        }
    for (int k = 0; k < ndecl && k < 256; k++) {
        int v = decl_var[k];
        const ast_node *d = decl_ast[k];
        sm_var *var = &t->vars[v];
        if (var->kind == VAR_INPUT) {
            if (d->a)
                ERR(ck, d->a->span, "an input has no value: it is summed from projections each "
                                    "step");
            decl_value(ck, var, &(ast_node){.kind = AST_DECL, .b = d->b, .span = d->span},
                       "value");
            continue;
        }
        if ((var->kind == VAR_PARAM && !d->a) || (var->kind == VAR_STATE && !d->a && !d->b)) {
            missing_value(ck, var->kind, decl_ast, k, ndecl < 256 ? ndecl : 256);
            continue;
        }
        ck->ctx = var->kind == VAR_PARAM ? CTX_PARAM_DEFAULT : CTX_STATE_INIT;
        ck->visible = v;
        decl_value(ck, var, d, var->kind == VAR_PARAM ? "default" : "initial value");
        if ((d->flags & DECL_VECTOR_ELEMENT) && !d->b)
            same_unit_as_first(ck, var, d);
    }
    (void)decl_blk;
    /* every definition is checked even where unused */
    ck->ctx = CTX_EQUATION;
    for (int v = 0; v < t->nvars; v++)
        if (t->vars[v].kind == VAR_ALG && ck->alg_state[v] == 0) {
            sx *e = sx_var(ck->ar, VS_STATE, v, t->vars[v].name, DIM_NONE);
            (void)e;
            ast_node id = {.kind = AST_IDENT, .name = t->vars[v].name, .span = t->vars[v].span};
            (void)check_expr(ck, &id);
        }
    /* 2. the other items */
    bool seen_step = false, seen_out = false, seen_spike = false, seen_refr = false,
         seen_method = false, seen_pre = false, seen_post = false, seen_cont = false,
         seen_every = false, seen_structure = false;
    for (int i = 0; i < def->nkids; i++) {
        const ast_node *it = def->kids[i];
        if (!ck->bound && !item_allowed(ck, owner, it))
            continue;
        ck->nlets = 0;
        switch (it->kind) {
        case AST_EQUATIONS:
            if ((it->flags & BLK_EVENT_DRIVEN) && !syn)
                ERR(ck, it->span, "'event-driven' equations belong to synapses and rules");
            for (int k = 0; k < it->nkids; k++) {
                const ast_node *q = it->kids[k];
                if (q->kind != AST_ODE)
                    continue;
                int v = sm_find_var(t, q->name);
                if (v < 0 || t->vars[v].kind != VAR_STATE) {
                    static const char *const KIND[] = {"a parameter", "a state variable",
                                                       "an input", "a definition"};
                    if (v < 0) {
                        ERR(ck, q->span, "an equation for %s' needs a state variable '%s', but "
                                         "there is none", q->name, q->name);
                        diag_hint(ck->d, "declare it: state { %s = ... }", q->name);
                    } else {
                        ERR(ck, q->span, "an equation for %s' needs a state variable '%s', but "
                                         "'%s' is %s", q->name, q->name, q->name,
                            KIND[t->vars[v].kind]);
                        diag_hint(ck->d, "only state variables have equations: move '%s' into "
                                         "state { }", q->name);
                    }
                    continue;
                }
                if (t->vars[v].ode >= 0) {
                    ERR(ck, q->span, "'%s' already has an equation", q->name);
                    diag_note(ck->d, t->odes[t->vars[v].ode].span, "the first equation for '%s' "
                                                                    "is here", q->name);
                    continue;
                }
                ck->ctx = CTX_EQUATION;
                int errors = diag_error_count(ck->d);
                sx *rhs = check_expr(ck, q->a);
                ax_dim want = dim_div(t->vars[v].dim, DIM_TIME);
                /* not after an error inside the right side, whose dimension then is a guess */
                if (!rhs->unknown && !(rhs->kind == SX_CONST && rhs->fn == 1) &&
                    !dim_eq(rhs->dim, want) && diag_error_count(ck->d) == errors) {
                    if (!ck->bound) {
                        char a[96], b[96];
                        ERR(ck, q->a->span, "the right side of %s' must be %s, but it is %s",
                            q->name, sm_dim_text(want, a, sizeof a),
                            sm_dim_text(rhs->dim, b, sizeof b));
                        if (dim_eq(rhs->dim, t->vars[v].dim))
                            diag_hint(ck->d, "divide by a time constant, e.g. (v_rest - v) / tau");
                        else
                            check_dim_hint(ck->d, want, rhs->dim, rhs);
                    }
                }
                if (rhs->boolean)
                    ERR(ck, q->a->span, "the right side of %s' is a condition", q->name);
                t->odes = arena_grow(ck->ar, t->odes, (size_t)t->nodes, (size_t)t->nodes + 1,
                                     sizeof *t->odes);
                t->odes[t->nodes] = (sm_ode){v, rhs, (it->flags & BLK_EVENT_DRIVEN) != 0, q->span};
                t->vars[v].ode = t->nodes++;
            }
            break;
        case AST_STEP:
            once(ck, &seen_step, it, "'step' block");
            ck->ctx = CTX_HANDLER;
            t->step = check_block(ck, (const ast_node *const *)it->kids, it->nkids, "a step block");
            break;
        case AST_OUTPUT:
            once(ck, &seen_out, it, "output");
            ck->ctx = CTX_EQUATION;
            t->output_name = it->name;
            t->output = check_expr(ck, it->a);
            break;
        case AST_SPIKE:
            once(ck, &seen_spike, it, "'spike when'");
            ck->ctx = CTX_EQUATION;
            t->has_spike = true;
            t->spike_span = it->span;
            t->spike = check_expr(ck, it->a);
            if (!t->spike->boolean && !t->spike->unknown) {
                ERR(ck, it->a->span, "the spike condition must be a comparison, like 'v > v_th'");
            }
            ck->ctx = CTX_HANDLER;
            t->reset = check_block(ck, (const ast_node *const *)it->kids, it->nkids, "a reset");
            break;
        case AST_ON_EVENT: {
            if (syn) {
                event_handler(ck, it);
                break;
            }
            for (int e = 0; it->name && e < t->nevents; e++)
                if (t->events[e].name && !strcmp(t->events[e].name, it->name))
                    ERR(ck, it->span, "the event '%s' is declared twice", it->name);
            ck->ctx = CTX_EQUATION;
            sm_event ev = {check_expr(ck, it->a), {0}, it->span, it->name};
            if (!ev.cond->boolean)
                ERR(ck, it->a->span, "the condition of '%s' must be a comparison",
                    it->name ? "event" : "on");
            ck->ctx = CTX_HANDLER;
            ev.body = check_block(ck, (const ast_node *const *)it->kids, it->nkids, "an event");
            t->events = arena_grow(ck->ar, t->events, (size_t)t->nevents, (size_t)t->nevents + 1,
                                   sizeof *t->events);
            t->events[t->nevents++] = ev;
            break;
        }
        case AST_REFRACTORY:
            once(ck, &seen_refr, it, "'refractory'");
            ck->ctx = CTX_EQUATION;
            t->refractory = check_expr(ck, it->a);
            t->refractory_span = it->span;
            if (!t->refractory->boolean && !t->refractory->unknown &&
                !dim_eq(t->refractory->dim, DIM_TIME)) {
                char a[96];
                ERR(ck, it->a->span, "'refractory' takes a duration (like 2 ms) or a condition "
                                     "(like v > -20 mV), not %s",
                    sm_dim_text(t->refractory->dim, a, sizeof a));
                if (dim_is_none(t->refractory->dim))
                    check_dim_hint(ck->d, DIM_TIME, t->refractory->dim, NULL);
                else
                    diag_hint(ck->d, "a condition compares, e.g. 'refractory v > v_spike'");
            }
            if (it->name)
                check_refr_hold(ck, t, it);
            break;
        case AST_METHOD: {
            once(ck, &seen_method, it, "'method'");
            if (!sema_method_known(ck->d, it)) {
                ck->errors++;
                break;
            }
            /* a synapse's or rule's equations have one scheme (lower/synapse.c): a method
               that names another would be ignored */
            if (t->kind != AST_NEURON && strcmp(it->name, "exponential_euler")) {
                ERR(ck, it->span,
                    "'method %s' in a %s: its equations are integrated by exponential Euler "
                    "(exactly between events where they are event-driven)",
                    it->name, t->kind == AST_RULE ? "rule" : "synapse");
                diag_hint(ck->d, "for another scheme, put the variables in the postsynaptic "
                                 "neuron (its 'method' applies there)");
                break;
            }
            t->method = it->name;
            t->method_span = it->span;
            break;
        }
        case AST_ON_PRE:
            once(ck, &seen_pre, it, "'on pre'");
            ck->ctx = CTX_HANDLER;
            t->has_on_pre = true;
            t->on_pre = check_block(ck, (const ast_node *const *)it->kids, it->nkids, "'on pre'");
            break;
        case AST_ON_POST:
            once(ck, &seen_post, it, "'on post'");
            ck->ctx = CTX_HANDLER;
            t->has_on_post = true;
            t->on_post = check_block(ck, (const ast_node *const *)it->kids, it->nkids, "'on post'");
            break;
        case AST_CONTINUOUS:
            once(ck, &seen_cont, it, "'continuous' block");
            ck->ctx = CTX_HANDLER;
            t->has_continuous = true;
            t->continuous = check_block(ck, (const ast_node *const *)it->kids, it->nkids,
                                        "'continuous'");
            break;
        case AST_EVERY_STEP:
            once(ck, &seen_every, it, "'every step' block");
            ck->ctx = CTX_HANDLER;
            t->has_every_step = true;
            t->every_step = check_block(ck, (const ast_node *const *)it->kids, it->nkids,
                                        "'every step'");
            break;
        case AST_STRUCTURE:
            once(ck, &seen_structure, it, "'structure' block");
            check_structure(ck, it);
            break;
        default:
            break;
        }
    }
    if (t->refractory && !t->has_spike)
        ERR(ck, t->refractory_span, "'refractory' needs a 'spike when' condition");
    /* a variable changed both by an equation and by the step map is ambiguous */
    for (int k = 0; k < t->step.n; k++) {
        sm_stmt *st = t->step.v[k];
        if (st->kind == ST_ASSIGN && st->space == VS_STATE && st->idx >= 0 &&
            t->vars[st->idx].ode >= 0 && !ck->bound)
            ERR(ck, st->span, "'%s' has an equation and is also set by 'step'", st->name);
    }
    check_noise(ck);
}

static check_ctx *new_check(sema_ctx *s, sm_type *t, const ast_node *def)
{
    check_ctx *ck = arena_alloc(s->ar, sizeof *ck);
    ck->ar = s->ar;
    ck->d = s->d;
    ck->t = t;
    ck->weight_var = -1;
    sema_check_externs(s, ck);
    int nd = 0;
    for (int i = 0; i < def->nkids; i++)
        nd += def->kids[i]->nkids + 1;
    ck->alg_state = arena_alloc(s->ar, (size_t)(nd + 1) * sizeof *ck->alg_state);
    ck->alg_ast = arena_alloc(s->ar, (size_t)(nd + 1) * sizeof *ck->alg_ast);
    return ck;
}

sm_type *sema_check_type(sema_ctx *s, sm_def *def)
{
    if (def->type)
        return def->type;
    sm_type *t = arena_alloc(s->ar, sizeof *t);
    t->kind = def->kind;
    t->name = def->name;
    t->ast = def->ast;
    t->weight_var = -1;
    def->type = t;
    check_ctx *ck = new_check(s, t, def->ast);
    if (def->kind == AST_RULE)
        ck->rule_weight = "w";
    /* modulators are names of the synapse or rule; declare them before the body uses them */
    for (int i = 0; i < def->ast->nkids; i++) {
        const ast_node *it = def->ast->kids[i];
        if (it->kind != AST_MODULATOR || (def->kind != AST_RULE && def->kind != AST_SYNAPSE))
            continue;
        for (int k = 0; k < it->nkids; k++) {
            t->modulators = arena_grow(s->ar, t->modulators, (size_t)t->nmodulators,
                                       (size_t)t->nmodulators + 1, sizeof *t->modulators);
            t->modulator_spans = arena_grow(s->ar, t->modulator_spans, (size_t)t->nmodulators,
                                            (size_t)t->nmodulators + 1,
                                            sizeof *t->modulator_spans);
            t->modulator_spans[t->nmodulators] = it->kids[k]->span;
            t->modulators[t->nmodulators++] = it->kids[k]->name;
        }
    }
    /* `via NAME`: the third neuron's name, known before the handlers use it */
    for (int i = 0; i < def->ast->nkids && def->kind == AST_SYNAPSE; i++) {
        const ast_node *it = def->ast->kids[i];
        if (it->kind != AST_VIA)
            continue;
        if (t->via) {
            ERR(ck, it->span, "a synapse has only one third neuron ('via %s' above)", t->via);
            continue;
        }
        t->via = it->name;
        t->via_span = it->span;
    }
    check_body(ck, def->ast);
    if (t->via && sm_find_var(t, t->via) >= 0)
        ERR(ck, t->via_span, "'%s' is both the third neuron and a variable of synapse %s",
            t->via, def->name);
    for (int m = 0; m < t->nmodulators; m++)
        if (sm_find_var(t, t->modulators[m]) >= 0) {
            ERR(ck, t->modulator_spans[m], "'%s' is both a modulator and a variable of %s %s",
                t->modulators[m], kind_word(def->kind), def->name);
            diag_hint(ck->d, "the modulator is the module's signal of that name; give the "
                             "variable another name");
        }
    t->errors = ck->errors;
    return t;
}

void sema_check_all(sema_ctx *s)
{
    if (s->checked)
        return;
    s->checked = true;
    build_table(s);
    for (int i = 0; i < s->ndefs; i++)
        if (s->defs[i].kind != AST_MODULE)
            sema_check_type(s, &s->defs[i]);
    /* modules on top of errors in their types would mostly repeat them */
    if (!diag_error_count(s->d))
        sema_check_modules(s);
}

/* ---- binding a synapse (and its rules) to a projection ------------------------------- */

typedef struct {
    const char *const *names;
    int n;
} signal_list;

static int signal_lookup(check_ctx *ck, const char *name)
{
    const signal_list *sl = ck->user;
    for (int k = 0; sl && k < sl->n; k++)
        if (!strcmp(sl->names[k], name))
            return k;
    return -1;
}

/* 1 (and the error) when the module has no signal `name` for modulator of synapse or rule
 * `who` */
static int missing_signal(sema_ctx *s, signal_list *sl, const char *what, const char *who,
                          const char *name, ax_span at)
{
    if (signal_lookup(&(check_ctx){.user = sl}, name) >= 0)
        return 0;
    diag_error(s->d, at, "%s %s needs the modulator '%s', but the module has no signal of that "
                         "name", what, who, name);
    diag_hint(s->d, "declare it in the module: signal %s = ...", name);
    return 1;
}

static sm_block concat(ax_arena *ar, sm_block a, sm_block b)
{
    sm_block m = {0};
    m.v = arena_alloc(ar, (size_t)(a.n + b.n + 1) * sizeof *m.v);
    for (int k = 0; k < a.n; k++)
        m.v[m.n++] = a.v[k];
    for (int k = 0; k < b.n; k++)
        m.v[m.n++] = b.v[k];
    return m;
}

sm_type *sema_bind(sema_ctx *s, const sm_def *syn, const sm_type *pre, const sm_type *post,
                   const sm_type *third, const sm_learn *learns, int nlearns, const char *const *signals,
                   int nsignals, ax_span at)
{
    const sm_type *generic = syn->type;
    /* a definition with its own errors has been reported already */
    if (!generic || generic->errors)
        return NULL;
    for (int r = 0; r < nlearns; r++)
        if (!learns[r].rule->type || learns[r].rule->type->errors)
            return NULL;
    sm_type *t = arena_alloc(s->ar, sizeof *t);
    t->kind = generic->kind;
    t->name = generic->name;
    t->ast = generic->ast;
    t->pre = pre;
    t->post = post;
    t->via = generic->via;
    t->via_span = generic->via_span;
    t->third = third;
    t->weight_var = -1;
    signal_list *sl = arena_alloc(s->ar, sizeof *sl);
    sl->names = signals;
    sl->n = nsignals;
    int errors = 0;
    /* the synapse's own modulators: the module's signals of those names */
    t->modulators = arena_grow(s->ar, generic->modulators, (size_t)generic->nmodulators,
                               (size_t)generic->nmodulators + 1, sizeof *t->modulators);
    t->nmodulators = generic->nmodulators;
    for (int m = 0; m < t->nmodulators; m++)
        errors += missing_signal(s, sl, "synapse", syn->name, t->modulators[m], at);
    check_ctx *ck = new_check(s, t, syn->ast);
    ck->bound = true;
    ck->at = at;
    ck->user = sl;
    ck->signal_index = signal_lookup;
    check_body(ck, syn->ast);
    errors += ck->errors;
    int generic_nvars = t->nvars; /* the synapse's own variables */
    int draws = ck->ndraws;       /* a rule's draws are numbered after the synapse's */
    for (int r = 0; r < nlearns; r++) {
        const sm_type *rt = learns[r].rule->type;
        const char *wname = learns[r].bind ? learns[r].bind : "w";
        int wv = sm_find_var(t, wname);
        if (wv < 0 || (t->vars[wv].kind != VAR_PARAM && t->vars[wv].kind != VAR_STATE)) {
            diag_error(s->d, learns[r].span, "rule %s needs a weight: synapse %s has no %s '%s'",
                       rt->name, syn->name, wv < 0 ? "variable" : "parameter or state variable",
                       wname);
            if (!learns[r].bind)
                diag_hint(s->d, "bind the rule to the synapse's weight with 'learn %s on NAME'",
                          rt->name);
            errors++;
            continue;
        }
        if (t->vars[wv].kind == VAR_PARAM && !t->vars[wv].per_item) {
            diag_error(s->d, learns[r].span, "rule %s would change '%s', which is shared by every "
                                             "synapse of the projection", rt->name, wname);
            diag_hint(s->d, "declare it in 'parameters { }' (per synapse), not 'parameters "
                            "shared { }'");
            errors++;
            continue;
        }
        t->vars[wv].written = true;
        for (int m = 0; m < rt->nmodulators; m++)
            errors += missing_signal(s, sl, "rule", rt->name, rt->modulators[m], learns[r].span);
        /* The rule is checked again inside the merged type: its declarations are
           appended after the synapse's (a clash is reported by add_var), `w` is
           the bound weight, pre/post and the signals are known. */
        int base = t->nvars;
        sm_type scratch = *t;
        memset(&scratch.step, 0, sizeof scratch.step);
        scratch.on_pre = scratch.on_post = scratch.continuous = scratch.every_step = (sm_block){0};
        scratch.has_on_pre = scratch.has_on_post = scratch.has_continuous =
            scratch.has_every_step = false;
        scratch.evh = NULL;
        scratch.nevh = 0;
        scratch.via = NULL; /* the third neuron is the synapse's */
        scratch.third = NULL;
        scratch.structure = NULL;
        scratch.modulators = rt->modulators;
        scratch.modulator_spans = rt->modulator_spans;
        scratch.nmodulators = rt->nmodulators;
        check_ctx *rk = new_check(s, &scratch, learns[r].rule->ast);
        rk->bound = true;
        rk->at = learns[r].span;
        rk->rule_weight = "w";
        rk->weight_var = wv;
        rk->user = sl;
        rk->signal_index = signal_lookup;
        rk->rule_base = base;
        rk->host_nvars = generic_nvars;
        rk->lookup_var = rule_scope_lookup;
        rk->ndraws = draws;
        check_body(rk, learns[r].rule->ast);
        draws = rk->ndraws;
        errors += rk->errors;
        t->vars = scratch.vars;
        t->nvars = scratch.nvars;
        for (int v = base; v < t->nvars; v++) {
            t->vars[v].from_rule = true;
            t->vars[v].rule = r;
        }
        t->odes = scratch.odes;
        t->nodes = scratch.nodes;
        t->noise = scratch.noise; /* the rule's own noise sources, after the synapse's */
        t->nnoise = scratch.nnoise;
        t->ntemps = scratch.ntemps;
        /* the rule's own statements: `P.learning = false` turns them off (lower/protocol.c) */
        const sm_block *rb[3] = {&scratch.on_pre, &scratch.on_post, &scratch.every_step};
        for (int h = 0; h < 3; h++)
            for (int q = 0; q < rb[h]->n; q++)
                rb[h]->v[q]->from_rule = true;
        for (int e = 0; e < scratch.nevh; e++) {
            for (int q = 0; q < scratch.evh[e].body.n; q++)
                scratch.evh[e].body.v[q]->from_rule = true;
            t->evh = arena_grow(s->ar, t->evh, (size_t)t->nevh, (size_t)t->nevh + 1,
                                sizeof *t->evh);
            t->evh[t->nevh++] = scratch.evh[e];
        }
        t->on_pre = concat(s->ar, t->on_pre, scratch.on_pre);
        t->on_post = concat(s->ar, t->on_post, scratch.on_post);
        t->continuous = concat(s->ar, t->continuous, scratch.continuous);
        t->every_step = concat(s->ar, t->every_step, scratch.every_step);
        t->has_on_pre |= scratch.has_on_pre;
        t->has_on_post |= scratch.has_on_post;
        t->has_continuous |= scratch.has_continuous;
        t->has_every_step |= scratch.has_every_step;
        if (scratch.structure && t->structure) {
            diag_error(s->d, learns[r].span, "rule %s brings a second 'structure' block to the "
                                             "projection: a projection has one",
                       rt->name);
            diag_note(s->d, t->structure->span, "the first 'structure' block is here");
            errors++;
        } else if (scratch.structure)
            t->structure = scratch.structure;
        if (!t->method)
            t->method = scratch.method;
        for (int m = 0; m < rt->nmodulators; m++) {
            t->modulators = arena_grow(s->ar, t->modulators, (size_t)t->nmodulators,
                                       (size_t)t->nmodulators + 1, sizeof *t->modulators);
            t->modulators[t->nmodulators++] = rt->modulators[m];
        }
    }
    t->errors = errors;
    return errors ? NULL : t;
}

/* ---- axon dump units ---------------------------------------------------------------------- */

void sm_dump_units(const sema_ctx *s, FILE *out)
{
    static const char *const KIND[] = {"parameter", "state", "input", "definition"};
    for (int i = 0; i < s->ndefs; i++) {
        const sm_def *d = &s->defs[i];
        if (!d->type)
            continue;
        fprintf(out, "%s %s\n", kind_word(d->kind), d->name);
        for (int v = 0; v < d->type->nvars; v++) {
            const sm_var *var = &d->type->vars[v];
            char u[64], si[64];
            dim_unit_name(var->dim, u, sizeof u);
            dim_format_si(var->dim, si, sizeof si);
            const char *q = dim_quantity(var->dim);
            fprintf(out, "  %-12s %-10s %-12s %s%s%s\n", var->name, KIND[var->kind],
                    var->boolean ? "condition" : u, var->boolean ? "" : q ? q : si,
                    var->per_item ? (d->kind == AST_NEURON ? ", per neuron" : ", per synapse") : "",
                    "");
        }
    }
}
