/*
 * Checking neuron, synapse and rule bodies: scopes, names, dimensions and
 * what may be written where. See sema.h for the two-pass treatment of
 * pre./post. references.
 */
#include "sema/check.h"
#include "sema/table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A literal 0 written without a unit fits any dimension (0 mV = 0 nA = 0);
 * this marks such constants (SX_CONST's fn is otherwise unused). */
enum { CONST_ANYDIM = 1 };

static bool anydim(const sx *e) { return e && e->kind == SX_CONST && e->fn == CONST_ANYDIM; }

const char *sm_dim_text(ax_dim d, char *buf, size_t size) { return dim_describe(d, buf, size); }

/* Does e depend on the binding (pre, post, signals, a rule's weight)? */
static bool involves_binding(const check_ctx *ck, const sx *e)
{
    if (!e)
        return false;
    if (e->kind == SX_VAR) {
        if (e->space == VS_PRE || e->space == VS_POST || e->space == VS_SIGNAL ||
            e->space == VS_THIRD)
            return true;
        if (ck->weight_var >= 0 && (e->space == VS_STATE || e->space == VS_PARAM) &&
            e->idx == ck->weight_var)
            return true;
    }
    return involves_binding(ck, e->a) || involves_binding(ck, e->b) || involves_binding(ck, e->c);
}

/* Reports an error unless the pass should stay quiet about it: the bound
 * pass repeats only what the binding made visible. */
static bool report_ok(check_ctx *ck, const sx *a, const sx *b)
{
    if (!ck->bound)
        return true;
    return involves_binding(ck, a) || involves_binding(ck, b);
}

static void bound_note(check_ctx *ck)
{
    if (ck->bound && ck->at.file >= 0)
        diag_note(ck->d, ck->at, "in the projection declared here");
}

#define ERR(ck, sp, ...)                                                                           \
    do {                                                                                           \
        diag_error((ck)->d, (sp), __VA_ARGS__);                                                    \
        (ck)->errors++;                                                                            \
    } while (0)

/* ---- white noise ------------------------------------------------------------ */

static ax_dim noise_dim(void)
{
    ax_dim d = DIM_NONE;
    d.e[DIM_T] = -DIM_DEN / 2;
    return d;
}

/* `xi` or `xi_NAME` (not declared): a white-noise source of the type, in equations only. */
static sx *noise_ref(check_ctx *ck, const ast_node *n)
{
    sm_type *t = ck->t;
    if (!t || ck->ctx != CTX_EQUATION) {
        ERR(ck, n->span, "white noise '%s' is allowed only in the right side of a "
                         "differential equation", n->name);
        if (ck->ctx == CTX_HANDLER || ck->ctx == CTX_STATE_INIT || ck->ctx == CTX_MODULE)
            diag_hint(ck->d, "a random number is drawn with normal(mean, sd); 'xi' is white "
                             "noise in equations: v' = -v / tau + sigma * xi");
        else
            diag_hint(ck->d, "write it in an equation: v' = -v / tau + sigma * xi");
        sx *e = sx_const(ck->ar, 0, noise_dim());
        e->unknown = true; /* no follow-on dimension errors */
        return e;
    }
    int k = 0;
    while (k < t->nnoise && strcmp(t->noise[k].name, n->name))
        k++;
    if (k == t->nnoise) {
        t->noise = arena_grow(ck->ar, t->noise, (size_t)t->nnoise, (size_t)t->nnoise + 1,
                              sizeof *t->noise);
        t->noise[t->nnoise++] = (sm_noise){arena_strdup(ck->ar, n->name), ck->ndraws++, n->span};
    }
    sx *e = sx_var(ck->ar, VS_NOISE, k, t->noise[k].name, noise_dim());
    e->span = n->span;
    return e;
}

/* The first white-noise reference in e, or NULL. */
static const sx *find_noise(const sx *e)
{
    if (!e)
        return NULL;
    if (e->kind == SX_VAR && e->space == VS_NOISE)
        return e;
    const sx *r = find_noise(e->a);
    if (!r)
        r = find_noise(e->b);
    return r ? r : find_noise(e->c);
}

static void noise_misplaced(check_ctx *ck, const sx *e, ax_span at, const char *where)
{
    const sx *x = find_noise(e);
    if (!x)
        return;
    ERR(ck, x->span, "white noise '%s' is allowed only in the right side of a differential "
                     "equation, not in %s", x->name, where);
    bool inside = x->span.file == at.file && x->span.off >= at.off &&
                  x->span.end_off <= at.end_off;
    if (!inside && at.file >= 0)
        diag_note(ck->d, at, "it reaches %s through a definition used here", where);
    diag_hint(ck->d, "a random number is drawn with normal(mean, sd)");
}

static void noise_block(check_ctx *ck, const sm_block *b, const char *where)
{
    for (int k = 0; k < b->n; k++) {
        const sm_stmt *st = b->v[k];
        noise_misplaced(ck, st->value, st->span, where);
        noise_misplaced(ck, st->cond, st->span, where);
        noise_block(ck, &st->then, where);
        noise_block(ck, &st->els, where);
    }
}

/* Does a noise factor read a variable whose own equation has noise (itself included)? Such a
 * factor would make the noise multiplicative, with an Ito-Stratonovich correction; one that
 * reads only variables without noise (Graupner & Brunel's calcium gate) keeps it additive. */
static bool noisy_factor(const sm_type *t, const sx *factor)
{
    for (int k = 0; k < t->nodes; k++)
        if (sx_uses(factor, VS_STATE, t->odes[k].var) && sx_uses(t->odes[k].rhs, VS_NOISE, -1))
            return true;
    return false;
}

void check_noise(check_ctx *ck)
{
    sm_type *t = ck->t;
    if (t->method && !strcmp(t->method, "milstein") && !t->nnoise && !ck->bound) {
        ERR(ck, t->method_span, "'method milstein' is for equations with white noise 'xi'");
        diag_hint(ck->d, "without noise, use exact, exponential_euler, euler, rk2 or rk4");
    }
    if (!t->nnoise || ck->bound)
        return;
    for (int k = 0; k < t->nodes; k++) {
        sx *rhs = t->odes[k].rhs;
        for (int q = 0; q < t->nnoise; q++) {
            if (!sx_uses(rhs, VS_NOISE, q))
                continue;
            sx *B = NULL;
            if (!sx_linear_in(ck->ar, rhs, VS_NOISE, q, NULL, &B)) {
                ERR(ck, t->odes[k].span, "white noise '%s' must enter the equation of %s' "
                                         "linearly", t->noise[q].name,
                    t->vars[t->odes[k].var].name);
                diag_hint(ck->d, "write it as a term 'g * %s' (not %s^2, or %s inside a "
                                 "function): the increment of %s over a step is random with "
                                 "variance dt", t->noise[q].name, t->noise[q].name,
                          t->noise[q].name, t->noise[q].name);
                break;
            }
            if (sx_uses(B, VS_NOISE, -1)) {
                ERR(ck, t->odes[k].span, "the factor of white noise '%s' in the equation of "
                                         "%s' is itself noise", t->noise[q].name,
                    t->vars[t->odes[k].var].name);
                diag_hint(ck->d, "a product of white noises has no meaning: add independent "
                                 "noises as separate terms (sigma_a * xi_a + sigma_b * xi_b)");
                break;
            }
            /* synapses: one step of exponential Euler-Maruyama per step (synapse.c), additive
               noise only */
            const char *vn = t->vars[t->odes[k].var].name;
            if (ck->in_synapse && t->odes[k].event_driven) {
                ERR(ck, t->odes[k].span, "event-driven equations are solved exactly between "
                                         "events and cannot have white noise '%s'",
                    t->noise[q].name);
                diag_hint(ck->d, "drop 'event-driven' to integrate %s' every step", vn);
                break;
            }
            if (ck->in_synapse && noisy_factor(t, B)) {
                ERR(ck, t->odes[k].span, "the factor of white noise '%s' in the synapse equation "
                                         "of %s' depends on a noisy variable of the synapse: "
                                         "only additive noise is supported in synapses",
                    t->noise[q].name, vn);
                diag_hint(ck->d, "the factor may use parameters, pre.x, post.x and the synapse's "
                                 "variables that have no noise of their own");
                break;
            }
        }
    }
    noise_misplaced(ck, t->spike, t->spike_span, "the spike condition");
    noise_block(ck, &t->reset, "a reset");
    noise_misplaced(ck, t->refractory, t->refractory_span, "'refractory'");
    noise_misplaced(ck, t->output, SPAN_NONE, "the output");
    for (int k = 0; k < t->nevents; k++) {
        noise_misplaced(ck, t->events[k].cond, t->events[k].span, "an 'on' condition");
        noise_block(ck, &t->events[k].body, "an event");
    }
    noise_block(ck, &t->step, "a step map");
    noise_block(ck, &t->on_pre, "'on pre'");
    noise_block(ck, &t->on_post, "'on post'");
    noise_block(ck, &t->continuous, "'continuous'");
    noise_block(ck, &t->every_step, "'every step'");
}

/* ---- dimension messages ---------------------------------------------------- */

/* A hint for a mismatch between want and got (the value got, when known, or NULL): what factor
 * is missing. */
static void mismatch_hint(check_ctx *ck, ax_dim want, ax_dim got, const sx *gotx)
{
    ax_dim q = dim_div(want, got);
    char u[64];
    if (dim_eq(q, noise_dim()) && gotx && sx_uses(gotx, VS_NOISE, -1))
        /* the noise is there, its factor lacks the square root of a time */
        diag_hint(ck->d,
                  "white noise 'xi' is in 1/sqrt(s), so its factor must be in %s: for a "
                  "noise of standard deviation sigma, write sigma * sqrt(2 / tau)",
                  dim_unit_name(dim_div(want, noise_dim()), u, sizeof u));
    else if (dim_is_none(got) && !dim_is_none(want))
        diag_hint(ck->d, "write the unit: for example '%s'", dim_unit_name(want, u, sizeof u));
    else if (dim_eq(dim_div(got, want), noise_dim()))
        diag_hint(ck->d, "white noise 'xi' is in 1/sqrt(s): the factor in front of it must be "
                         "in %s", dim_unit_name(dim_div(want, noise_dim()), u, sizeof u));
    else if (dim_eq(q, noise_dim()))
        diag_hint(ck->d, "did you forget the white noise 'xi' (1/sqrt(s))?");
    else if (dim_eq(q, DIM_TIME))
        diag_hint(ck->d, "did you forget to multiply by a time (or a time constant)?");
    else if (dim_eq(dim_div(got, want), DIM_TIME))
        diag_hint(ck->d, "did you forget to divide by a time constant?");
    else if (dim_quantity(q) && !dim_is_none(q)) {
        const char *qq = dim_quantity(q);
        diag_hint(ck->d, "did you forget %s %s (%s)?", strchr("aeiou", qq[0]) ? "an" : "a", qq,
                  dim_unit_name(q, u, sizeof u));
    } else if (dim_quantity(dim_div(got, want)) && !dim_is_none(dim_div(got, want))) {
        const char *qq = dim_quantity(dim_div(got, want));
        diag_hint(ck->d, "did you forget to divide by %s %s (%s)?",
                  strchr("aeiou", qq[0]) ? "an" : "a", qq,
                  dim_unit_name(dim_div(got, want), u, sizeof u));
    }
}

void check_dim_hint(diag_ctx *d, ax_dim want, ax_dim got, const sx *got_value)
{
    check_ctx ck = {.d = d};
    mismatch_hint(&ck, want, got, got_value);
}

/* Checks that a and b have the same dimension (for + - comparisons, min ...);
 * lname/rname name the two sides in the message. */
static bool same_dim_named(check_ctx *ck, ax_span sp, sx *a, sx *b, const char *what,
                           const char *lname, const char *rname)
{
    if (a->unknown || b->unknown || anydim(a) || anydim(b))
        return true;
    if (dim_eq(a->dim, b->dim))
        return true;
    if (report_ok(ck, a, b)) {
        char l[96], r[96];
        ERR(ck, sp, "dimension mismatch in %s: %s is %s, %s is %s", what, lname,
            sm_dim_text(a->dim, l, sizeof l), rname, sm_dim_text(b->dim, r, sizeof r));
        /* where one side has the noise, its factor is what to mend: the other side is wanted */
        bool anoise = sx_uses(a, VS_NOISE, -1) && !sx_uses(b, VS_NOISE, -1);
        mismatch_hint(ck, anoise ? b->dim : a->dim, anoise ? a->dim : b->dim, anoise ? a : b);
        bound_note(ck);
    }
    return false;
}

static bool same_dim(check_ctx *ck, ax_span sp, sx *a, sx *b, const char *what)
{
    return same_dim_named(ck, sp, a, b, what, "left side", "right side");
}

static bool want_dimensionless(check_ctx *ck, ax_span sp, sx *e, const char *what)
{
    if (e->unknown || anydim(e) || dim_is_none(e->dim))
        return true;
    if (report_ok(ck, e, NULL)) {
        char d[96];
        ERR(ck, sp, "%s must be dimensionless, but it is %s", what, sm_dim_text(e->dim, d, sizeof d));
        if (dim_eq(e->dim, DIM_VOLTAGE))
            diag_hint(ck->d, "divide by a voltage scale, e.g. (v - v_half) / (5 mV)");
        bound_note(ck);
    }
    return false;
}

static bool want_bool(check_ctx *ck, ax_span sp, sx *e, const char *what)
{
    if (e->boolean || e->unknown)
        return true;
    if (report_ok(ck, e, NULL)) {
        ERR(ck, sp, "%s must be a condition (true or false), not a number", what);
        diag_hint(ck->d, "compare it with something, e.g. 'v > v_th'");
        bound_note(ck);
    }
    return false;
}

static bool want_number(check_ctx *ck, ax_span sp, sx *e, const char *what)
{
    if (!e->boolean)
        return true;
    if (report_ok(ck, e, NULL)) {
        ERR(ck, sp, "%s must be a number, not a condition", what);
        bound_note(ck);
    }
    return false;
}

/* ---- names ------------------------------------------------------------------- */

static const char *const BUILTIN_NAMES[] = {"t", "dt", "i", "j", NULL};

/* The closest known name to `name` among the type's variables, lets and
 * builtins, for "did you mean" (NULL when nothing is close). */
static const char *suggest(check_ctx *ck, const char *name)
{
    const char *best = NULL;
    int bestd = 3;
    int len = (int)strlen(name);
    int limit = len <= 3 ? 1 : 2;
    for (int i = 0; i < ck->t->nvars; i++) {
        int d = typo_distance(name, ck->t->vars[i].name);
        if (d < bestd && d <= limit) {
            bestd = d;
            best = ck->t->vars[i].name;
        }
    }
    for (int i = ck->nlets - 1; i >= 0; i--) {
        int d = typo_distance(name, ck->lets[i].name);
        if (d < bestd && d <= limit) {
            bestd = d;
            best = ck->lets[i].name;
        }
    }
    for (int i = 0; BUILTIN_NAMES[i]; i++) {
        int d = typo_distance(name, BUILTIN_NAMES[i]);
        if (d < bestd && d <= limit && len > 1) {
            bestd = d;
            best = BUILTIN_NAMES[i];
        }
    }
    for (int f = 0; f < FN_COUNT; f++) {
        int d = typo_distance(name, sx_fn_name((sx_fn)f));
        if (d < bestd && d <= limit && len > 2) {
            bestd = d;
            best = sx_fn_name((sx_fn)f);
        }
    }
    const char *extra = ck->suggest_extra ? ck->suggest_extra(ck, name) : NULL;
    if (extra && typo_distance(name, extra) < bestd)
        best = extra;
    return best;
}

static sx *var_ref(check_ctx *ck, int space, int idx, const sm_var *v, ax_span sp)
{
    sx *e = sx_var(ck->ar, space, idx, v->name, v->dim);
    e->boolean = v->boolean;
    e->unknown = v->unknown;
    e->span = sp;
    return e;
}

static sx *expand_alg(check_ctx *ck, int idx, ax_span sp);

/* A variable of the type being checked, as an expression. */
static sx *own_var(check_ctx *ck, int idx, ax_span sp)
{
    sm_var *v = &ck->t->vars[idx];
    switch (v->kind) {
    case VAR_ALG: return expand_alg(ck, idx, sp);
    case VAR_PARAM:
        if (ck->ctx == CTX_PARAM_DEFAULT && idx >= ck->visible) {
            ERR(ck, sp, "parameter '%s' is used before its definition", v->name);
            diag_hint(ck->d, "a parameter's default may use only the parameters above it");
            sx *e = var_ref(ck, VS_PARAM, idx, v, sp);
            e->unknown = true; /* its unit is not known yet */
            return e;
        }
        return var_ref(ck, VS_PARAM, idx, v, sp);
    case VAR_STATE:
        if (ck->ctx == CTX_PARAM_DEFAULT) {
            ERR(ck, sp, "a parameter's default cannot use the state variable '%s'", v->name);
        } else if (ck->ctx == CTX_STATE_INIT && idx >= ck->visible) {
            ERR(ck, sp, "the initial value uses '%s' before it is initialised", v->name);
            diag_hint(ck->d, "state variables are initialised in the order they are declared");
            sx *e = var_ref(ck, VS_STATE, idx, v, sp);
            e->unknown = true;
            return e;
        }
        return var_ref(ck, VS_STATE, idx, v, sp);
    case VAR_INPUT:
        if (ck->ctx == CTX_PARAM_DEFAULT || ck->ctx == CTX_STATE_INIT)
            ERR(ck, sp, "input '%s' has no value before the simulation starts", v->name);
        return var_ref(ck, VS_INPUT, idx, v, sp);
    }
    return NULL;
}

/* Algebraic definitions are substituted where they are used; each is
 * checked once, and a definition that uses itself is an error. */
static sx *expand_alg(check_ctx *ck, int idx, ax_span sp)
{
    sm_var *v = &ck->t->vars[idx];
    int *st = &ck->alg_state[idx];
    if (*st == 1) {
        ERR(ck, sp, "the definition of '%s' uses itself", v->name);
        return sx_const(ck->ar, 0, v->dim);
    }
    if (*st == 0) {
        *st = 1;
        const ast_node *def = ck->alg_ast[idx];
        int saved_ctx = ck->ctx;
        /* definitions are checked in equation context wherever they are used */
        if (ck->ctx != CTX_STATE_INIT)
            ck->ctx = CTX_EQUATION;
        int saved_lets = ck->nlets;
        ck->nlets = 0; /* a definition does not see the lets of where it is used */
        v->value = check_expr(ck, def->a);
        ck->nlets = saved_lets;
        ck->ctx = saved_ctx;
        v->dim = v->value->dim;
        v->boolean = v->value->boolean;
        *st = 2;
    } else if (ck->ctx == CTX_STATE_INIT && ck->alg_ast[idx]) {
        /* re-check uses of state in initial values (their order matters; a population's
           initialiser, checked with no syntax of the type, sees every state variable) */
        int saved_lets = ck->nlets;
        ck->nlets = 0;
        (void)check_expr(ck, ck->alg_ast[idx]->a);
        ck->nlets = saved_lets;
    }
    return v->value;
}

/* pre.x / post.x: a variable of a bound neuron, or unknown before binding. */
/* The name of the neuron of a space (pre, post, the via name), and its type once bound. */
static const char *side_name(const check_ctx *ck, int space)
{
    return space == VS_PRE ? "pre" : space == VS_POST ? "post" : ck->t->via;
}

static const sm_type *side_type(const check_ctx *ck, int space)
{
    return space == VS_PRE ? ck->t->pre : space == VS_POST ? ck->t->post : ck->t->third;
}

/* Is n `NAME.x` with NAME the synapse's third neuron (`via NAME`)? */
static bool is_third(const check_ctx *ck, const ast_node *n)
{
    return n->kind == AST_MEMBER && n->a->kind == AST_IDENT && ck->t->via &&
           !strcmp(n->a->name, ck->t->via);
}

/* The number of elements of vector `name` of neuron type nt (its variables "name[0]" ...),
 * 0 when it has none. */
static int vector_elements(check_ctx *ck, const sm_type *nt, const char *name)
{
    int k = 0;
    while (k < 256 && sm_find_var(nt, arena_printf(ck->ar, "%s[%d]", name, k)) >= 0)
        k++;
    return k;
}

static sx *side_var(check_ctx *ck, int space, const char *name, ax_span sp)
{
    const sm_type *nt = side_type(ck, space);
    const char *side = side_name(ck, space);
    if (!ck->in_synapse) {
        ERR(ck, sp, "'%s.%s': '%s.' is only meaningful inside synapses and rules", side, name,
            side);
        diag_hint(ck->d, "a neuron receives other neurons' activity through its inputs { }, "
                         "which projections add to");
        sx *e = sx_const(ck->ar, 0, DIM_NONE);
        e->unknown = true; /* no follow-on dimension errors */
        return e;
    }
    if (space == VS_THIRD && (ck->ctx == CTX_PARAM_DEFAULT || ck->ctx == CTX_STATE_INIT)) {
        ERR(ck, sp, "'%s.%s': the third neuron is seen by handlers and equations, not by "
                    "defaults and initial values", side, name);
        sx *e = sx_const(ck->ar, 0, DIM_NONE);
        e->unknown = true;
        return e;
    }
    if (!nt) {
        sx *e = sx_var(ck->ar, space, -1, name, DIM_NONE);
        e->unknown = true;
        e->span = sp;
        return e;
    }
    int idx = sm_find_var(nt, name);
    int elements = idx < 0 ? vector_elements(ck, nt, name) : 0;
    if (elements > 0) {
        ERR(ck, sp, "'%s.%s' is a vector of %d elements: a synapse reaches one of them, "
                    "'%s.%s[k]'", side, name, elements, side, name);
        diag_hint(ck->d, "k is a whole number or a parameter of the synapse (post.%s[seg] += w)",
                  name);
        bound_note(ck);
        sx *e = sx_var(ck->ar, space, -1, name, DIM_NONE);
        e->unknown = true;
        return e;
    }
    if (idx < 0) {
        if (space == VS_THIRD)
            ERR(ck, sp, "the third neuron type %s ('via %s') has no variable '%s'", nt->name,
                side, name);
        else
            ERR(ck, sp, "the %ssynaptic neuron type %s has no variable '%s'",
                space == VS_PRE ? "pre" : "post", nt->name, name);
        const char *best = NULL;
        int limit = strlen(name) <= 3 ? 1 : 2;
        for (int i = 0, bd = 3; i < nt->nvars; i++) {
            int d = typo_distance(name, nt->vars[i].name);
            if (d < bd && d <= limit) {
                bd = d;
                best = nt->vars[i].name;
            }
        }
        if (best) {
            diag_hint(ck->d, "did you mean '%s.%s'?", side, best);
        } else {
            /* what a synapse can use: the neuron's state variables and inputs */
            strbuf sb = {0};
            int nlisted = 0;
            for (int i = 0; i < nt->nvars; i++)
                if (nt->vars[i].kind == VAR_STATE || nt->vars[i].kind == VAR_INPUT)
                    sb_printf(&sb, "%s'%s'", nlisted++ ? ", " : "", nt->vars[i].name);
            if (nlisted)
                diag_hint(ck->d, "the state variables and inputs of %s are %s", nt->name, sb.buf);
            sb_free(&sb);
        }
        bound_note(ck);
        sx *e = sx_var(ck->ar, space, -1, name, DIM_NONE);
        e->unknown = true;
        return e;
    }
    const sm_var *v = &nt->vars[idx];
    if (v->kind == VAR_ALG) {
        /* a definition of the neuron: its value in terms of that neuron's variables
           would need re-basing; read-only access to state and parameters suffices */
        ERR(ck, sp, "'%s.%s' is a definition of %s, not a variable; it cannot be read from a synapse",
            side, name, nt->name);
        diag_hint(ck->d, "write its formula in terms of %s.<state variables>", side);
        bound_note(ck);
    }
    sx *e = var_ref(ck, space, idx, v, sp);
    if (space == VS_THIRD) /* printed as written (pre. and post. are added by the printer) */
        e->name = arena_printf(ck->ar, "%s.%s", side, name);
    return e;
}

static int find_let(const check_ctx *ck, const char *name)
{
    for (int i = ck->nlets - 1; i >= 0; i--)
        if (!strcmp(ck->lets[i].name, name))
            return i;
    return -1;
}

int sm_find_var(const sm_type *t, const char *name)
{
    for (int i = 0; i < t->nvars; i++)
        if (!strcmp(t->vars[i].name, name))
            return i;
    return -1;
}

static sx *lookup_ident(check_ctx *ck, const ast_node *n)
{
    const char *name = n->name;
    int l = find_let(ck, name);
    if (l >= 0) {
        sx *e = sx_var(ck->ar, VS_TEMP, ck->lets[l].slot, name, ck->lets[l].dim);
        e->boolean = ck->lets[l].boolean;
        e->unknown = ck->lets[l].unknown;
        e->span = n->span;
        return e;
    }
    if (ck->rule_weight && !strcmp(name, ck->rule_weight)) {
        if (ck->weight_var >= 0) {
            const sm_var *v = &ck->t->vars[ck->weight_var];
            return var_ref(ck, v->kind == VAR_PARAM ? VS_PARAM : VS_STATE, ck->weight_var, v,
                           n->span);
        }
        sx *e = sx_var(ck->ar, VS_PARAM, -1, name, DIM_NONE);
        e->unknown = true;
        e->span = n->span;
        return e;
    }
    int v = ck->lookup_var ? ck->lookup_var(ck, name) : sm_find_var(ck->t, name);
    if (v >= 0)
        return own_var(ck, v, n->span);
    for (int m = 0; m < ck->t->nmodulators; m++)
        if (!strcmp(ck->t->modulators[m], name)) {
            int si = ck->signal_index ? ck->signal_index(ck, name) : -1;
            sx *e = sx_var(ck->ar, VS_SIGNAL, si, name, DIM_NONE);
            e->unknown = si < 0;
            e->span = n->span;
            return e;
        }
    if (ck->lookup_extra) {
        sx *e = ck->lookup_extra(ck, n);
        if (e)
            return e;
    }
    if (!strcmp(name, "t") || !strcmp(name, "dt")) {
        sx *e = sx_var(ck->ar, name[0] == 't' ? VS_TIME : VS_DT, 0, name, DIM_TIME);
        e->span = n->span;
        if (ck->ctx == CTX_PARAM_DEFAULT && name[0] == 't')
            ERR(ck, n->span, "a parameter's default cannot depend on the time 't'");
        return e;
    }
    ax_unit u;
    if (unit_lookup(name, strlen(name), &u)) {
        sx *e = sx_const(ck->ar, u.scale, u.dim);
        e->span = n->span;
        return e;
    }
    if (!strcmp(name, "i") || !strcmp(name, "j")) {
        ERR(ck, n->span, "'%s' (a neuron index) is only defined in connectors and per-synapse "
                         "expressions of a projection", name);
        return sx_const(ck->ar, 0, DIM_NONE);
    }
    if (!strcmp(name, "pi")) {
        return sx_const(ck->ar, M_PI, DIM_NONE);
    }
    if (!strcmp(name, "xi") || !strncmp(name, "xi_", 3))
        return noise_ref(ck, n);
    ERR(ck, n->span, "undefined name '%s'", name);
    char ub[32];
    const char *sym = unit_spelled_out(name, ub, sizeof ub);
    const char *best = sym ? NULL : suggest(ck, name);
    if (sym)
        diag_hint(ck->d, "units are written as symbols: did you mean '%s'?", sym);
    else if (best)
        diag_hint(ck->d, "did you mean '%s'?", best);
    sx *e = sx_const(ck->ar, 0, DIM_NONE);
    e->unknown = true; /* keep quiet about follow-on dimension errors */
    return e;
}

/* ---- expressions ----------------------------------------------------------------- */

static sx *number(check_ctx *ck, const ast_node *n)
{
    ax_unit u = {DIM_NONE, 1.0};
    if (n->str) {
        char err[128];
        if (!unit_parse(n->str, &u, err, sizeof err)) {
            ERR(ck, n->span, "%s", err);
            u = (ax_unit){DIM_NONE, 1.0};
        }
    }
    sx *e = sx_const(ck->ar, n->num * u.scale, u.dim);
    if (!n->str && n->num == 0)
        e->fn = CONST_ANYDIM;
    e->span = n->span;
    return e;
}

/* timed("file.csv", period): row floor(t / period) of the file (the last row after its
 * end), column i (one column per neuron) or the only column. The row index gets
 * 1e-3 dt on top of t so that t = n dt, computed in floating point, never falls
 * just short of a row boundary that lies on the time grid (as Brian2's timestep()). */
static sx *timed(check_ctx *ck, const ast_node *n)
{
    sx *zero = sx_const(ck->ar, 0, DIM_NONE);
    if (n->nkids != 2 || n->kids[0]->kind != AST_STRING) {
        ERR(ck, n->span, "timed() takes a file name and a period: timed(\"file.csv\", 1 ms)");
        return zero;
    }
    sx *period = sx_simplify(ck->ar, check_expr(ck, n->kids[1]));
    if (period->unknown)
        return zero;
    if (period->kind != SX_CONST || !dim_eq(period->dim, DIM_TIME) || !(period->v > 0)) {
        ERR(ck, n->kids[1]->span, "the period of timed() must be a positive constant time, "
                                  "like 1 ms");
        return zero;
    }
    /* t, through the scope's own lookup: where t is not allowed, that says so */
    ast_node tn = {.kind = AST_IDENT, .name = "t", .span = n->span};
    sx *t = check_expr(ck, &tn);
    if (t->unknown)
        return zero;
    const ast_node *file = n->kids[0];
    tab *tb = tab_read(ck->ar, ck->d, file->span, file->str, TAB_MAYBE_HEADER);
    if (!tb) {
        ck->errors++;
        return zero;
    }
    if (!tb->nrows) {
        ERR(ck, file->span, "'%s' has no rows of values", tb->path);
        return zero;
    }
    sx_table *st = arena_alloc(ck->ar, sizeof *st);
    st->path = tb->path;
    st->nrows = tb->nrows;
    st->ncols = tb->ncols;
    st->v = tb->v;
    sx *dt = sx_var(ck->ar, VS_DT, 0, "dt", DIM_TIME);
    sx *tt = sx_add(ck->ar, t, sx_mul(ck->ar, sx_const(ck->ar, 1e-3, DIM_NONE), dt));
    sx *row = sx_call(ck->ar, FN_FLOOR, sx_div(ck->ar, tt, period), NULL, NULL);
    sx *col = st->ncols > 1 ? sx_var(ck->ar, VS_INDEX_I, 0, "i", DIM_NONE) : NULL;
    sx *e = sx_table_at(ck->ar, st, row, col);
    e->span = n->span;
    return e;
}

/* topk(x, k): x a variable of the neuron stored per neuron, k a whole number or a shared
 * parameter; a truth value (VS_SELECT) that the runtime computes over the population. */
static sx *topk(check_ctx *ck, const ast_node *n)
{
    sm_type *t = ck->t;
    sx *no = sx_const(ck->ar, 0, DIM_NONE);
    no->boolean = true;
    if (!t || t->kind != AST_NEURON || ck->in_synapse || ck->ctx == CTX_STATE_INIT ||
        ck->ctx == CTX_PARAM_DEFAULT || ck->ctx == CTX_MODULE) {
        ERR(ck, n->span, "topk(x, k) compares a neuron's x with its population's: it is "
                         "allowed only in a neuron's equations, step map, conditions, events "
                         "and output");
        return no;
    }
    if (n->nkids != 2) {
        ERR(ck, n->span, "'topk' takes 2 arguments (a variable and a count), not %d", n->nkids);
        return no;
    }
    const ast_node *x = n->kids[0];
    int v = x->kind == AST_IDENT ? sm_find_var(t, x->name) : -1;
    if (v < 0 || !(t->vars[v].kind == VAR_STATE || (t->vars[v].kind == VAR_PARAM &&
                                                     t->vars[v].per_item)) ||
        t->vars[v].boolean) {
        ERR(ck, x->span, "the first argument of topk must be a state variable or a per-neuron "
                         "parameter of %s (a number)", t->name);
        return no;
    }
    sx *k = check_expr(ck, n->kids[1]);
    bool param = k->kind == SX_VAR && k->space == VS_PARAM && k->idx >= 0 &&
                 !t->vars[k->idx].per_item;
    if (k->unknown)
        return no;
    if ((k->kind != SX_CONST && !param) || k->boolean ||
        (!dim_is_none(k->dim) && !anydim(k))) {
        ERR(ck, n->kids[1]->span, "the count of topk must be a plain whole number or a "
                                  "(shared) parameter of %s", t->name);
        return no;
    }
    if (k->kind == SX_CONST && (k->v < 0 || k->v != floor(k->v) || k->v > 4e9)) {
        ERR(ck, n->kids[1]->span, "the count of topk must be a whole number of at least 0, "
                                  "not %g", k->v);
        return no;
    }
    int q = 0;
    for (; q < t->nselects; q++) {
        const sx *kq = t->selects[q].k;
        if (t->selects[q].var == v && kq->kind == k->kind &&
            (k->kind == SX_CONST ? kq->v == k->v : kq->idx == k->idx))
            break;
    }
    if (q == t->nselects) {
        t->selects = arena_grow(ck->ar, t->selects, (size_t)t->nselects,
                                (size_t)t->nselects + 1, sizeof *t->selects);
        t->selects[t->nselects++] = (sm_select){v, k, n->span};
    }
    const char *kn = k->kind == SX_CONST ? arena_printf(ck->ar, "%.0f", k->v)
                                          : t->vars[k->idx].name;
    sx *e = sx_var(ck->ar, VS_SELECT, q, arena_printf(ck->ar, "topk(%s, %s)", t->vars[v].name, kn),
                   DIM_NONE);
    e->boolean = true;
    e->span = n->span;
    return e;
}

/* randint(n): a whole number from 0 to n - 1, each equally likely: min(floor(n u), n - 1)
 * with u a uniform draw in [0, 1) (the min guards against n u rounding up to n). */
static sx *randint(check_ctx *ck, const ast_node *n)
{
    if (n->nkids != 1) {
        ERR(ck, n->span, "'randint' takes 1 argument, not %d", n->nkids);
        return sx_const(ck->ar, 0, DIM_NONE);
    }
    if (ck->ctx == CTX_PARAM_DEFAULT) {
        ERR(ck, n->span, "a parameter's default cannot be random");
        diag_hint(ck->d, "for heterogeneous values use 'parameters per neuron' and set "
                         "them in the population's initialiser");
    }
    int draw = ck->ndraws++;
    sx *k = check_expr(ck, n->kids[0]);
    if (!want_dimensionless(ck, n->kids[0]->span, k, "the argument of 'randint'"))
        return sx_const(ck->ar, 0, DIM_NONE);
    if (k->kind == SX_CONST && (k->v < 1 || k->v != floor(k->v) || k->v > 1e15)) {
        ERR(ck, n->kids[0]->span, "randint(n) needs a whole number n of at least 1, not %g",
            k->v);
        return sx_const(ck->ar, 0, DIM_NONE);
    }
    sx *u = sx_rand(ck->ar, SXR_UNIFORM, draw);
    sx *e = sx_call(ck->ar, FN_MIN, sx_call(ck->ar, FN_FLOOR, sx_mul(ck->ar, k, u), NULL, NULL),
                    sx_sub(ck->ar, k, sx_const(ck->ar, 1, DIM_NONE)), NULL);
    e->span = n->span;
    return e;
}

static sx *call(check_ctx *ck, const ast_node *n)
{
    const char *name = n->name;
    int nargs = n->nkids;
    sx *args[3] = {NULL, NULL, NULL};
    bool known = sx_fn_lookup(name) >= 0;
    static const char *const SPECIAL[] = {"rand",  "uniform", "normal", "randint",
                                          "timed", "topk",    "pow"};
    for (size_t k = 0; k < sizeof SPECIAL / sizeof *SPECIAL && !known; k++)
        known = !strcmp(name, SPECIAL[k]);
    for (int k = 0; k < ck->nexterns && !known; k++)
        known = !strcmp(ck->externs[k].name, name);
    for (int i = 0; i < nargs; i++)
        if (n->kids[i]->kind == AST_NAMED) {
            if (known) {
                ERR(ck, n->kids[i]->span, "'%s' takes no named arguments", name);
            } else { /* Nope(N = 3), exq(x = 1) */
                ERR(ck, n->span, "unknown function '%s'", name);
                const char *best = suggest(ck, name);
                if (best)
                    diag_hint(ck->d, "did you mean '%s'?", best);
            }
            return sx_const(ck->ar, 0, DIM_NONE);
        }
    /* random draws */
    if (!strcmp(name, "rand") || !strcmp(name, "uniform") || !strcmp(name, "normal")) {
        int want = name[0] == 'r' ? 0 : 2;
        if (nargs != want) {
            ERR(ck, n->span, "'%s' takes %d argument%s, not %d", name, want, want == 1 ? "" : "s",
                nargs);
            return sx_const(ck->ar, 0.5, DIM_NONE);
        }
        if (ck->ctx == CTX_PARAM_DEFAULT) {
            ERR(ck, n->span, "a parameter's default cannot be random");
            diag_hint(ck->d, "for heterogeneous values use 'parameters per neuron' and set "
                             "them in the population's initialiser");
        }
        int draw = ck->ndraws++;
        if (want == 0)
            return sx_rand(ck->ar, SXR_UNIFORM, draw);
        sx *a = check_expr(ck, n->kids[0]);
        sx *b = check_expr(ck, n->kids[1]);
        if (!want_number(ck, n->kids[0]->span, a, "an argument") ||
            !want_number(ck, n->kids[1]->span, b, "an argument"))
            return a;
        if (name[0] == 'u')
            same_dim_named(ck, n->span, a, b, "uniform(low, high)", "low", "high");
        else
            same_dim_named(ck, n->span, a, b, "normal(mean, sd)", "mean", "sd");
        ax_dim d = anydim(a) ? b->dim : a->dim;
        sx *r = sx_rand(ck->ar, name[0] == 'u' ? SXR_UNIFORM : SXR_NORMAL, draw);
        sx *e;
        if (name[0] == 'u') /* low + (high - low) * u */
            e = sx_add(ck->ar, a, sx_mul(ck->ar, sx_sub(ck->ar, b, a), r));
        else
            e = sx_add(ck->ar, a, sx_mul(ck->ar, b, r));
        e->dim = d;
        e->unknown = a->unknown || b->unknown;
        e->span = n->span;
        return e;
    }
    if (!strcmp(name, "randint"))
        return randint(ck, n);
    if (!strcmp(name, "timed"))
        return timed(ck, n);
    if (!strcmp(name, "topk"))
        return topk(ck, n);
    for (int k = 0; k < ck->nexterns; k++) {
        const sx_extern *ext = &ck->externs[k];
        if (strcmp(ext->name, name))
            continue;
        if (nargs != ext->nargs) {
            ERR(ck, n->span, "'%s' takes %d argument%s, not %d", name, ext->nargs,
                ext->nargs == 1 ? "" : "s", nargs);
            return sx_const(ck->ar, 0, DIM_NONE);
        }
        sx *xs[3] = {NULL, NULL, NULL};
        for (int i = 0; i < nargs; i++) {
            xs[i] = check_expr(ck, n->kids[i]);
            char d[96];
            if (!xs[i]->unknown && (!dim_is_none(xs[i]->dim) || xs[i]->boolean)) {
                ERR(ck, n->kids[i]->span, "the C function '%s' takes plain numbers, but this is %s",
                    name, xs[i]->boolean ? "a truth value" : dim_describe(xs[i]->dim, d, sizeof d));
                diag_hint(ck->d, "divide by a unit to get a number: %s(x / 1 mV)", name);
                return sx_const(ck->ar, 0, DIM_NONE);
            }
        }
        sx *e = sx_ext(ck->ar, ext, xs[0], xs[1], xs[2]);
        e->span = n->span;
        return e;
    }
    if (!strcmp(name, "pow")) {
        if (nargs != 2) {
            ERR(ck, n->span, "'pow' takes 2 arguments, not %d", nargs);
            return sx_const(ck->ar, 0, DIM_NONE);
        }
        ast_node fake = *n;
        fake.kind = AST_BINARY;
        fake.op = '^';
        fake.a = n->kids[0];
        fake.b = n->kids[1];
        return check_expr(ck, &fake);
    }
    int fn = sx_fn_lookup(name);
    if (fn < 0) {
        ERR(ck, n->span, "unknown function '%s'", name);
        const char *best = suggest(ck, name);
        if (best)
            diag_hint(ck->d, "did you mean '%s'?", best);
        return sx_const(ck->ar, 0, DIM_NONE);
    }
    int arity = sx_fn_arity((sx_fn)fn);
    if ((fn == FN_MIN || fn == FN_MAX) && nargs > 2) {
        /* min(a, b, c, ...) = min(min(a, b), c) ... */
        sx *acc = NULL;
        for (int i = 0; i < nargs; i++) {
            sx *x = check_expr(ck, n->kids[i]);
            want_number(ck, n->kids[i]->span, x, "a function argument");
            if (acc) {
                same_dim(ck, n->span, acc, x, name);
                sx *m = sx_call(ck->ar, (sx_fn)fn, acc, x, NULL);
                if (anydim(acc))
                    m->dim = x->dim;
                m->unknown = acc->unknown || x->unknown;
                acc = m;
            } else {
                acc = x;
            }
        }
        acc->span = n->span;
        return acc;
    }
    if (nargs != arity) {
        ERR(ck, n->span, "'%s' takes %d argument%s, not %d", name, arity, arity == 1 ? "" : "s",
            nargs);
        return sx_const(ck->ar, 0, DIM_NONE);
    }
    bool unknown = false;
    for (int i = 0; i < nargs; i++) {
        args[i] = check_expr(ck, n->kids[i]);
        want_number(ck, n->kids[i]->span, args[i], "a function argument");
        unknown |= args[i]->unknown;
    }
    switch (fn) {
    case FN_ABS: case FN_FLOOR: case FN_CEIL: case FN_ROUND: case FN_SIGN:
        break;
    case FN_MOD:
        same_dim(ck, n->span, args[0], args[1], name);
        break;
    case FN_SQRT:
        break;
    case FN_MIN: case FN_MAX: case FN_ATAN2:
        same_dim(ck, n->span, args[0], args[1], name);
        break;
    case FN_CLIP:
        same_dim_named(ck, n->kids[1]->span, args[0], args[1], "clip(x, low, high)", "x", "low");
        same_dim_named(ck, n->kids[2]->span, args[0], args[2], "clip(x, low, high)", "x", "high");
        break;
    default: {
        char what[64];
        snprintf(what, sizeof what, "the argument of %s()", name);
        want_dimensionless(ck, n->kids[0]->span, args[0], what);
        break;
    }
    }
    sx *e = sx_call(ck->ar, (sx_fn)fn, args[0], args[1], args[2]);
    /* min/max/clip of a bare 0 and a quantity have the quantity's unit */
    if ((fn == FN_MIN || fn == FN_MAX || fn == FN_CLIP) && anydim(args[0]))
        e->dim = anydim(args[1]) && args[2] ? args[2]->dim : args[1]->dim;
    if (fn == FN_SQRT && !args[0]->unknown) {
        ax_dim h;
        if (!dim_pow(args[0]->dim, 1, 2, &h)) {
            ERR(ck, n->span, "cannot take the square root of this unit");
            h = DIM_NONE;
        }
        e->dim = h;
    }
    if (fn == FN_ATAN2)
        e->dim = DIM_NONE;
    /* numbers in and no number out (sqrt(-1), log(0), exp(1000)): see binary() */
    bool numbers = !unknown && e->kind != SX_CONST;
    for (int i = 0; i < nargs && numbers; i++)
        numbers = args[i]->kind == SX_CONST;
    if (numbers && nargs > 0) {
        double v = sx_apply_fn((sx_fn)fn, args[0]->v, nargs > 1 ? args[1]->v : 0,
                               nargs > 2 ? args[2]->v : 0);
        if (!isfinite(v))
            diag_warning(
                ck->d, n->span, "this is not a finite number: %s",
                isnan(v) ? arena_printf(ck->ar, "the argument is outside the domain of %s()", name)
                         : arena_printf(ck->ar, "%s() is infinite there or overflows", name));
    }
    e->unknown = unknown;
    e->span = n->span;
    return e;
}

static const char *op_text(int op) { return ast_op_name(op); }

static sx *binary(check_ctx *ck, const ast_node *n)
{
    sx *a = check_expr(ck, n->a);
    sx *b = check_expr(ck, n->b);
    sx *e = NULL;
    char what[64];
    bool bad = false; /* the result's unit is unknown after an error */
    switch (n->op) {
    case OP_AND: case OP_OR:
        want_bool(ck, n->a->span, a, "each side of 'and'/'or'");
        want_bool(ck, n->b->span, b, "each side of 'and'/'or'");
        e = sx_bin(ck->ar, n->op == OP_AND ? SX_AND : SX_OR, a, b);
        break;
    case '<': case '>': case OP_LE: case OP_GE: case OP_EQ: case OP_NE: {
        want_number(ck, n->a->span, a, "a compared value");
        want_number(ck, n->b->span, b, "a compared value");
        snprintf(what, sizeof what, "comparison '%s'", op_text(n->op));
        same_dim(ck, n->span, a, b, what);
        sx_kind k = n->op == '<' ? SX_LT : n->op == '>' ? SX_GT : n->op == OP_LE ? SX_LE
                  : n->op == OP_GE ? SX_GE : n->op == OP_EQ ? SX_EQ : SX_NE;
        e = sx_bin(ck->ar, k, a, b);
        break;
    }
    case '+': case '-':
        want_number(ck, n->a->span, a, "an operand of '+'/'-'");
        want_number(ck, n->b->span, b, "an operand of '+'/'-'");
        snprintf(what, sizeof what, "'%s'", op_text(n->op));
        same_dim(ck, n->span, a, b, what);
        e = sx_bin(ck->ar, n->op == '+' ? SX_ADD : SX_SUB, a, b);
        if (anydim(a))
            e->dim = b->dim;
        break;
    case '%': /* a mod b: the same unit on both sides */
        want_number(ck, n->a->span, a, "an operand of '%'");
        want_number(ck, n->b->span, b, "an operand of '%'");
        same_dim(ck, n->span, a, b, "'%'");
        e = sx_call(ck->ar, FN_MOD, a, b, NULL);
        if (anydim(a))
            e->dim = b->dim;
        break;
    case '*': case '/':
        want_number(ck, n->a->span, a, "an operand of '*'/'/'");
        want_number(ck, n->b->span, b, "an operand of '*'/'/'");
        e = sx_bin(ck->ar, n->op == '*' ? SX_MUL : SX_DIV, a, b);
        break;
    case '^': {
        want_number(ck, n->a->span, a, "a power's base");
        want_number(ck, n->b->span, b, "an exponent");
        want_dimensionless(ck, n->b->span, b, "an exponent");
        e = sx_bin(ck->ar, SX_POW, a, b);
        if (!a->unknown && !dim_is_none(a->dim) && !anydim(a)) {
            if (b->kind != SX_CONST) {
                if (report_ok(ck, a, b)) {
                    char d[96];
                    ERR(ck, n->span, "the exponent of %s must be a constant",
                        sm_dim_text(a->dim, d, sizeof d));
                    bad = true;
                    diag_hint(ck->d, "a power with a varying exponent needs a dimensionless base");
                }
            } else {
                bool ok = false;
                for (int den = 1; den <= 12 && !ok; den++) {
                    double num = b->v * den;
                    if (fabs(num - nearbyint(num)) < 1e-9 && fabs(num) < 1000)
                        ok = dim_pow(a->dim, (int)nearbyint(num), den, &e->dim);
                }
                if (!ok && report_ok(ck, a, b)) {
                    char d[96];
                    char u[64];
                    ERR(ck, n->span, "cannot raise %s to the power %g",
                        sm_dim_text(a->dim, d, sizeof d), b->v);
                    bad = true;
                    diag_hint(ck->d, "make the base dimensionless first, e.g. (x / (1 %s))^%g",
                              dim_unit_name(a->dim, u, sizeof u), b->v);
                }
            }
        }
        break;
    }
    default:
        ERR(ck, n->span, "unsupported operator");
        return a;
    }
    /* two numbers and no number out: folding leaves the operation for run time, where it
       gives inf or NaN. A warning: a test may want a NaN, a model an infinite bound */
    if (!bad && !a->unknown && !b->unknown && a->kind == SX_CONST && b->kind == SX_CONST &&
        e->kind != SX_CONST) {
        double v = n->op == '/' ? a->v / b->v : n->op == '^' ? pow(a->v, b->v) : INFINITY;
        diag_warning(ck->d, n->span, "this is not a finite number: %s",
                     n->op == '/' && b->v == 0
                         ? (a->v == 0 ? "zero divided by zero" : "a division by zero")
                     : n->op == '%' && b->v == 0 ? "a remainder of a division by zero"
                     : n->op == '^' && a->v == 0 && b->v < 0
                         ? "zero to a negative power (a division by zero)"
                     : isnan(v) ? "a negative number to a fractional power"
                                : "the result overflows");
    }
    e->unknown = a->unknown || b->unknown || bad;
    e->span = n->span;
    return e;
}

sx *check_expr(check_ctx *ck, const ast_node *n)
{
    sx *e;
    switch (n->kind) {
    case AST_NUM: return number(ck, n);
    case AST_BOOL:
        e = sx_const(ck->ar, n->num, DIM_NONE);
        e->boolean = true;
        e->span = n->span;
        return e;
    case AST_IDENT: return lookup_ident(ck, n);
    case AST_MEMBER:
        if (n->b && (n->a->kind == AST_PRE || n->a->kind == AST_POST)) {
            ERR(ck, n->span, "a synapse cannot read one element of a vector yet ('%s.%s[...]')",
                n->a->kind == AST_PRE ? "pre" : "post", n->name);
            diag_hint(ck->d, "compute it in the neuron, for example with a vector input "
                             "('g_d[4] : S') that the synapse adds to with 'post.g_d[seg] += w' "
                             "and whose current the neuron computes from u[k]");
            (void)check_expr(ck, n->b);
            e = sx_const(ck->ar, 0, DIM_NONE);
            e->unknown = true;
            return e;
        }
        if (n->a->kind == AST_PRE || n->a->kind == AST_POST)
            return side_var(ck, n->a->kind == AST_PRE ? VS_PRE : VS_POST, n->name, n->span);
        if (is_third(ck, n))
            return side_var(ck, VS_THIRD, n->name, n->span);
        ERR(ck, n->span, "'.' is allowed here only after 'pre' or 'post'%s",
            ck->in_synapse ? " or the name of the synapse's third neuron ('via NAME')" : "");
        return sx_const(ck->ar, 0, DIM_NONE);
    case AST_CALL: return call(ck, n);
    case AST_BINARY: return binary(ck, n);
    case AST_UNARY: {
        sx *a = check_expr(ck, n->a);
        if (n->op == OP_NOT) {
            want_bool(ck, n->a->span, a, "the operand of 'not'");
            e = sx_not(ck->ar, a);
        } else {
            want_number(ck, n->a->span, a, "the operand of '-'");
            e = n->op == '-' ? sx_neg(ck->ar, a) : a;
            if (anydim(a))
                e->fn = CONST_ANYDIM;
        }
        e->unknown = a->unknown;
        e->span = n->span;
        return e;
    }
    case AST_COND: {
        sx *c = check_expr(ck, n->a);
        want_bool(ck, n->a->span, c, "the condition of 'if'");
        sx *a = check_expr(ck, n->b);
        sx *b = check_expr(ck, n->c);
        if (a->boolean != b->boolean)
            ERR(ck, n->span, "the two branches of 'if' must both be numbers or both conditions");
        else
            same_dim_named(ck, n->span, a, b, "'if'", "the 'then' value", "the 'else' value");
        e = sx_select(ck->ar, c, a, b);
        if (anydim(a))
            e->dim = b->dim;
        e->unknown = c->unknown || a->unknown || b->unknown;
        e->span = n->span;
        return e;
    }
    case AST_STRING:
        ERR(ck, n->span, "a string is not allowed here");
        return sx_const(ck->ar, 0, DIM_NONE);
    case AST_LIST:
    case AST_FROM:
        ERR(ck, n->span, "%s is allowed only as the whole value of a population's initialiser "
                         "(v = [1 mV, 2 mV], v = from \"v.npy\")",
            n->kind == AST_LIST ? "a list of values" : "'from FILE'");
        e = sx_const(ck->ar, 0, DIM_NONE);
        e->unknown = true;
        return e;
    case AST_INDEX: /* left by vector.c only where it reported the vector */
        ERR(ck, n->span, "'%s[...]': only a vector of a neuron has elements", n->name);
        return sx_const(ck->ar, 0, DIM_NONE);
    case AST_PRE: case AST_POST:
        ERR(ck, n->span, "'%s' must be followed by '.' and a variable name",
            n->kind == AST_PRE ? "pre" : "post");
        return sx_const(ck->ar, 0, DIM_NONE);
    default:
        ERR(ck, n->span, "%s is not allowed in an expression", ast_kind_name(n->kind));
        return sx_const(ck->ar, 0, DIM_NONE);
    }
}

/* ---- statements ------------------------------------------------------------- */

static sm_stmt *stmt_new(check_ctx *ck, sm_stmt_kind k, ax_span sp)
{
    sm_stmt *st = arena_alloc(ck->ar, sizeof *st);
    st->kind = k;
    st->span = sp;
    return st;
}

static void push_stmt(check_ctx *ck, sm_block *b, sm_stmt *st)
{
    if (!st)
        return;
    b->v = arena_grow(ck->ar, b->v, (size_t)b->n, (size_t)b->n + 1, sizeof *b->v);
    b->v[b->n++] = st;
}

/* `X[e]` as written, for an element lhs whose name is that of the element checked
 * ("X[0]") and whose b is the index e. */
static const char *element_text(check_ctx *ck, const ast_node *lhs)
{
    strbuf sb = {0};
    sb_printf(&sb, "%.*s[", (int)strcspn(lhs->name, "["), lhs->name);
    ast_expr_str(lhs->b, &sb);
    sb_putc(&sb, ']');
    const char *text = arena_printf(ck->ar, "%s", sb.buf ? sb.buf : "");
    sb_free(&sb);
    return text;
}

/* The variable an assignment writes, with the checks of what may be
 * written: state (and inputs of the target, with += / -=), never
 * parameters or definitions. Returns the target as an expression (NULL on
 * error) and fills space/idx. */
static sx *assign_target(check_ctx *ck, const ast_node *lhs, int op, const char *where)
{
    if (lhs->kind == AST_MEMBER) {
        if (lhs->a->kind == AST_IDENT && !is_third(ck, lhs)) {
            check_expr(ck, lhs); /* reports the '.' */
            return NULL;
        }
        int space = lhs->a->kind == AST_PRE ? VS_PRE : lhs->a->kind == AST_POST ? VS_POST
                                                                                : VS_THIRD;
        sx *e = side_var(ck, space, lhs->name, lhs->span);
        const sm_type *nt = side_type(ck, space);
        if (nt && e->idx >= 0) {
            const sm_var *v = &nt->vars[e->idx];
            const char *side = side_name(ck, space);
            const char *name = lhs->b ? element_text(ck, lhs) : v->name;
            if (v->kind == VAR_PARAM || v->kind == VAR_ALG) {
                ERR(ck, lhs->span, "'%s.%s' is a %s of %s and cannot be written", side, name,
                    v->kind == VAR_PARAM ? "parameter" : "definition", nt->name);
                diag_hint(ck->d, "a synapse may add to the target's inputs or state variables");
                bound_note(ck);
                return NULL;
            }
            if (v->kind == VAR_INPUT && op != OP_ADD_ASSIGN && op != OP_SUB_ASSIGN) {
                ERR(ck, lhs->span, "'%s.%s' is an input: synapses add to it with '+=' or '-='",
                    side, name);
                bound_note(ck);
                return NULL;
            }
        }
        return e;
    }
    const char *name = lhs->name;
    if (find_let(ck, name) >= 0) {
        ERR(ck, lhs->span, "'%s' is a 'let' value and cannot be assigned", name);
        return NULL;
    }
    if (ck->rule_weight && !strcmp(name, ck->rule_weight))
        return lookup_ident(ck, lhs);
    int idx = ck->lookup_var ? ck->lookup_var(ck, name) : sm_find_var(ck->t, name);
    if (idx < 0) {
        sx *e = lookup_ident(ck, lhs); /* reports "undefined" or the module-level name */
        if (e && !e->unknown)
            ERR(ck, lhs->span, "'%s' cannot be assigned here", name);
        return NULL;
    }
    sm_var *v = &ck->t->vars[idx];
    if (v->kind == VAR_PARAM) {
        ERR(ck, lhs->span, "cannot assign to parameter '%s' in %s", name, where);
        diag_hint(ck->d, "parameters are constant; declare '%s' in state { } to change it", name);
        return NULL;
    }
    if (v->kind == VAR_ALG) {
        ERR(ck, lhs->span, "cannot assign to '%s': it is defined by an equation", name);
        diag_hint(ck->d, "a definition is recomputed from its formula wherever it is used; to "
                         "change '%s', make it a state variable", name);
        return NULL;
    }
    if (v->kind == VAR_INPUT) {
        ERR(ck, lhs->span, "cannot assign to input '%s' here: inputs are summed from projections",
            name);
        return NULL;
    }
    v->written = true;
    return var_ref(ck, VS_STATE, idx, v, lhs->span);
}

static sm_stmt *check_stmt(check_ctx *ck, const ast_node *n, const char *where);

/* The assignment n of value to target (NULL: an error was reported), checked: truth values
 * and numbers, dimensions. */
static sm_stmt *assign_stmt(check_ctx *ck, const ast_node *n, sx *target, sx *value)
{
    if (!target)
        return NULL;
    if (target->boolean != value->boolean && !target->unknown && !value->unknown) {
        ERR(ck, n->b->span, "'%s' is %s but the value is %s", target->name,
            target->boolean ? "a condition" : "a number",
            value->boolean ? "a condition" : "a number");
        return NULL;
    }
    if (n->op == OP_MUL_ASSIGN || n->op == OP_DIV_ASSIGN) {
        want_dimensionless(ck, n->b->span, value, "the factor of '*=' or '/='");
    } else if (!target->unknown && !value->unknown && !anydim(value) &&
               !dim_eq(target->dim, value->dim)) {
        if (report_ok(ck, target, value)) {
            char l[96], r[96];
            ERR(ck, n->span, "dimension mismatch in assignment to '%s%s%s': it is %s, the "
                             "value is %s",
                target->space == VS_PRE ? "pre." : target->space == VS_POST ? "post." : "",
                target->name, "", sm_dim_text(target->dim, l, sizeof l),
                sm_dim_text(value->dim, r, sizeof r));
            mismatch_hint(ck, target->dim, value->dim, value);
            bound_note(ck);
        }
    }
    sm_stmt *st = stmt_new(ck, ST_ASSIGN, n->span);
    st->op = n->op;
    st->space = target->space;
    st->idx = target->idx;
    st->name = target->name;
    st->value = value;
    return st;
}

/* The statements that run `st` for element k of [lo, hi) where idx == k: a binary search on
 * idx, so that a spike costs about log2(hi - lo) comparisons; a value of idx that is no
 * element's (the runtime refuses such values) reaches none. */
static sm_stmt *element_switch(check_ctx *ck, sx *idx, sm_stmt *const *st, int lo, int hi)
{
    sm_stmt *s = stmt_new(ck, ST_IF, st[lo]->span);
    if (hi - lo == 1) {
        s->cond = sx_bin(ck->ar, SX_EQ, idx, sx_const(ck->ar, lo, DIM_NONE));
        push_stmt(ck, &s->then, st[lo]);
        return s;
    }
    int mid = lo + (hi - lo) / 2;
    s->cond = sx_bin(ck->ar, SX_LT, idx, sx_const(ck->ar, mid, DIM_NONE));
    push_stmt(ck, &s->then, element_switch(ck, idx, st, lo, mid));
    push_stmt(ck, &s->els, element_switch(ck, idx, st, mid, hi));
    return s;
}

/* `post.X[e] op= value` in a synapse: element e of the target's vector X (an input or state
 * variable; the vector's elements are the variables "X[0]" ...). e is a whole number, or a
 * parameter of the synapse, which is fixed once the synapse is connected; its values are
 * checked when the projection is lowered (lower/synapse.c) and by the runtime. */
static sm_stmt *element_assign(check_ctx *ck, const ast_node *n, const char *where)
{
    const ast_node *lhs = n->a, *at = lhs->b;
    sx *idx = check_expr(ck, at);
    sx *value = check_expr(ck, n->b);
    if (lhs->a->kind != AST_POST) {
        ERR(ck, lhs->span, "only an element of the target's vector can be addressed "
                           "('post.%s[...]')", lhs->name);
        return NULL;
    }
    bool constant = idx->kind == SX_CONST;
    bool param = idx->kind == SX_VAR && idx->space == VS_PARAM && idx->idx >= 0 &&
                 ck->t->vars[idx->idx].kind == VAR_PARAM && !idx->boolean;
    if (idx->unknown)
        return NULL;
    if (constant && (idx->boolean || !dim_is_none(idx->dim) || idx->v != floor(idx->v) ||
                     idx->v < 0 || idx->v > 1e9)) {
        ERR(ck, at->span, "the element of 'post.%s' must be a whole number from 0, or a "
                          "parameter of the synapse", lhs->name);
        return NULL;
    }
    if (!constant && !param) {
        bool state = idx->kind == SX_VAR && idx->space == VS_STATE;
        ERR(ck, at->span, "the element of 'post.%s' must be a whole number or a parameter of "
                          "the synapse, which is fixed once it is connected%s",
            lhs->name, state ? ": this is a state variable" : "");
        diag_hint(ck->d, "declare it in 'parameters { }' and give each synapse its element "
                         "when it is connected, for example '%s = randint(4)' or "
                         "'%s = j %% 4' among the projection's arguments",
                  at->kind == AST_IDENT ? at->name : "seg", at->kind == AST_IDENT ? at->name
                                                                             : "seg");
        return NULL;
    }
    if (param && !dim_is_none(idx->dim)) {
        want_dimensionless(ck, at->span, idx, "an element's number");
        return NULL;
    }
    const sm_type *nt = ck->t->post;
    if (!nt) /* checked alone: the target's type is known once bound */
        return assign_stmt(ck, n, side_var(ck, VS_POST, lhs->name, lhs->span), value);
    int size = vector_elements(ck, nt, lhs->name);
    if (size == 0) {
        if (sm_find_var(nt, lhs->name) >= 0) {
            ERR(ck, at->span, "'post.%s' is not a vector: %s has one '%s' per neuron", lhs->name,
                nt->name, lhs->name);
            diag_hint(ck->d, "write 'post.%s' without an element", lhs->name);
            bound_note(ck);
        } else {
            (void)side_var(ck, VS_POST, lhs->name, lhs->span); /* "has no variable" */
        }
        return NULL;
    }
    if (constant && idx->v >= size) {
        ERR(ck, at->span, "element %.0f is out of range: 'post.%s' has %d element%s (0 to %d)",
            idx->v, lhs->name, size, size == 1 ? "" : "s", size - 1);
        bound_note(ck);
        return NULL;
    }
    /* the checks of what may be written, on element 0 (every element is alike) */
    ast_node *el = ast_new(ck->ar, AST_MEMBER, lhs->span);
    *el = *lhs;
    el->name = arena_printf(ck->ar, "%s[%d]", lhs->name, constant ? (int)idx->v : 0);
    sx *target = assign_target(ck, el, n->op, where);
    if (!target)
        return NULL;
    sx *shown = sx_var(ck->ar, target->space, target->idx, element_text(ck, el), target->dim);
    shown->boolean = target->boolean;
    sm_stmt *first = assign_stmt(ck, n, shown, value);
    if (!first)
        return NULL;
    int lo = constant ? (int)idx->v : 0, hi = constant ? lo + 1 : size;
    sm_stmt **st = arena_alloc(ck->ar, (size_t)size * sizeof *st);
    for (int k = lo; k < hi; k++) {
        st[k] = arena_alloc(ck->ar, sizeof *st[k]);
        *st[k] = *first;
        st[k]->name = arena_printf(ck->ar, "%s[%d]", lhs->name, k);
        st[k]->idx = sm_find_var(nt, st[k]->name);
    }
    if (constant)
        return st[lo];
    sm_elem_index e = {idx->idx, size, lhs->name, at->span};
    ck->t->elem_idx = arena_grow(ck->ar, ck->t->elem_idx, (size_t)ck->t->nelem_idx,
                                 (size_t)ck->t->nelem_idx + 1, sizeof e);
    ck->t->elem_idx[ck->t->nelem_idx++] = e;
    return element_switch(ck, idx, st, 0, size);
}

static void check_stmts(check_ctx *ck, sm_block *b, ast_node *const *kids, int nk,
                        const char *where)
{
    int saved = ck->nlets;
    for (int i = 0; i < nk; i++)
        push_stmt(ck, b, check_stmt(ck, kids[i], where));
    ck->nlets = saved;
}

static sm_stmt *check_stmt(check_ctx *ck, const ast_node *n, const char *where)
{
    switch (n->kind) {
    case AST_LET: {
        sx *v = check_expr(ck, n->a);
        if (find_let(ck, n->name) >= 0 || sm_find_var(ck->t, n->name) >= 0) {
            ERR(ck, n->span, "'%s' is already defined", n->name);
            return NULL;
        }
        if (ck->nlets == (int)(sizeof ck->lets / sizeof ck->lets[0])) {
            ERR(ck, n->span, "too many 'let' values in one block");
            return NULL;
        }
        int slot = ck->t->ntemps++;
        ck->lets[ck->nlets++] = (check_let){n->name, slot, v->dim, v->boolean, v->unknown};
        sm_stmt *st = stmt_new(ck, ST_LET, n->span);
        st->space = VS_TEMP;
        st->idx = slot;
        st->name = n->name;
        st->value = v;
        return st;
    }
    case AST_IF: {
        sm_stmt *st = stmt_new(ck, ST_IF, n->span);
        st->cond = check_expr(ck, n->a);
        want_bool(ck, n->a->span, st->cond, "the condition of 'if'");
        check_stmts(ck, &st->then, n->kids, n->nkids, where);
        if (n->b && n->b->kind == AST_IF)
            push_stmt(ck, &st->els, check_stmt(ck, n->b, where));
        else if (n->b)
            check_stmts(ck, &st->els, n->b->kids, n->b->nkids, where);
        return st;
    }
    case AST_ASSIGN: {
        if (n->a->kind == AST_MEMBER && n->a->b)
            return element_assign(ck, n, where);
        sx *target = assign_target(ck, n->a, n->op, where);
        sx *value = check_expr(ck, n->b);
        return assign_stmt(ck, n, target, value);
    }
    default:
        ERR(ck, n->span, "%s is not a statement", ast_kind_name(n->kind));
        return NULL;
    }
}

sm_block check_block(check_ctx *ck, const ast_node *const *stmts, int n, const char *where)
{
    sm_block b = {0};
    check_stmts(ck, &b, (ast_node *const *)stmts, n, where);
    return b;
}
