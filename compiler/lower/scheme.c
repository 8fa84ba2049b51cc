/*
 * Integration schemes. Each population's ODEs x' = f(x, t) become the
 * discrete update of one step, written as ir_assign lists in which every
 * read of a state variable means its value at the start of the step.
 *
 * Choice (unless `method` says otherwise):
 *  - exact: the system is linear with constant coefficients,
 *      x' = A x + b(t, inputs, per-neuron parameters),
 *    A's entries numbers and shared parameters. With b held constant over the step,
 *      x(t + dt) = Phi x(t) + Gamma b,  Phi = exp(A dt),  Gamma = int_0^dt exp(A s) ds,
 *    computed numerically (axon_propagator) by the model's derive kernel whenever a shared
 *    parameter changes (ir_propagator); the update reads Phi and Gamma as derived values.
 *    Entries that are zero whatever the parameters (no path from x_j to x_i in A) are left
 *    out of the update.
 * Shared parameters are symbolic (VS_SHARED, see param.c): expressions of them and numbers
 * are treated as constants (sx_is_param_const), as their folded values were.
 *  - exponential_euler: every x_i' is linear in x_i (A_i + B_i x_i, with A_i
 *    and B_i depending on the other variables) — conductance-based and HH
 *    models. x_i <- x_i + (A_i + B_i x_i) dt exprel(B_i dt), which is
 *    Brian2's -A/B + (x + A/B) exp(B dt) in a form finite at B = 0.
 *  - rk4 otherwise (classic Runge-Kutta; stage times t, t + dt/2, t + dt/2, t + dt).
 * `step { }` maps are applied as written (all right-hand sides from the old values); a neuron
 * may have both, each variable one or the other: the equations see the map's variables as
 * constant over the step, the map reads the equations' variables at the start of the step.
 */
#include "lower/ir.h"

#include "axon/model.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *ir_scheme_name(ir_scheme s)
{
    static const char *const N[] = {"none", "exact", "exponential_euler", "euler", "rk2", "rk4",
                                    "map", "euler_maruyama", "milstein"};
    return N[s];
}

typedef struct {
    ax_arena *ar;
    ir_pop *p;
    int ntemp;
    ir_update *u;
    bool as_written; /* emit assignments to be computed as written (a step map) */
} builder;

static void emit(builder *b, int space, int idx, const char *name, sx *value)
{
    ir_update *u = b->u;
    u->v = arena_grow(b->ar, u->v, (size_t)u->n, (size_t)u->n + 1, sizeof *u->v);
    u->v[u->n++] = (ir_assign){space, idx, name, sx_simplify(b->ar, value), b->as_written};
}

/* A temporary holding value; returns a reference to it. */
static sx *temp(builder *b, const char *name, sx *value)
{
    value = sx_simplify(b->ar, value);
    if (value->kind == SX_CONST || value->kind == SX_VAR || sx_is_param_const(value))
        return value;
    int idx = b->p->type->ntemps + b->ntemp++;
    name = arena_printf(b->ar, "%s%d", name, idx);
    emit(b, VS_TEMP, idx, name, value);
    sx *r = sx_var(b->ar, VS_TEMP, idx, name, value->dim);
    r->boolean = value->boolean;
    return r;
}

/*
 * v where the neuron is not refractory, else held (Brian2's `unless refractory`): a select on
 * _refr < 1 (the counter before this step's count down; whole numbers), which is the
 * condition that permits a spike after the count down (ir_refr_permit: max(_refr - 1, -1) < 0)
 * put another way. The optimiser then computes one comparison for both, and with AVX-512 the
 * select of a new value v = fma(a, b, held) folds into a masked FMA (COBA's forward Euler,
 * bench/HISTORY.md "Refractoriness: one comparison").
 */
static sx *unless_refractory(ax_arena *ar, sx *refr_old, sx *v, sx *held)
{
    return sx_select(ar, sx_bin(ar, SX_LT, refr_old, sx_const(ar, 1, DIM_NONE)), v, held);
}

typedef struct {
    int n;
    int *var;  /* sm var index of each ODE */
    sx **f;    /* folded right-hand sides */
} ode_set;

static sx *state_ref(builder *b, int smv)
{
    const sm_var *v = &b->p->type->vars[smv];
    return sx_var(b->ar, VS_STATE, smv, v->name, v->dim);
}

/* f with every ODE variable replaced by the given values (and t by t + dt_frac dt). */
static sx *f_at(builder *b, const ode_set *o, int i, sx *const *x, double tshift)
{
    sx *e = o->f[i];
    for (int k = 0; k < o->n; k++)
        if (x && x[k] && sx_uses(e, VS_STATE, o->var[k]))
            e = sx_subst(b->ar, e, VS_STATE, o->var[k], x[k]);
    if (tshift != 0 && sx_uses(e, VS_TIME, 0)) {
        sx *tt = sx_add(b->ar, sx_var(b->ar, VS_TIME, 0, "t", DIM_TIME),
                        sx_const(b->ar, tshift, DIM_TIME));
        e = sx_subst(b->ar, e, VS_TIME, 0, tt);
    }
    return e;
}

/* f h with the step h multiplied into a factor of f that is fixed between parameter changes,
 * as Brian2 computes dt * f: (a / c) h = a (h / c), (c a) h = (c h) a, (-a) h = -(a h). Code
 * generation derives h / c once per parameter change, so the step costs one multiply less
 * per variable (and -x / tau becomes one fused multiply-add with x + ...). */
static sx *times_step(ax_arena *ar, sx *f, sx *h)
{
    switch (f->kind) {
    case SX_DIV:
        if (sx_is_param_const(f->b))
            return sx_mul(ar, f->a, sx_div(ar, h, f->b));
        break;
    case SX_MUL:
        if (sx_is_param_const(f->a))
            return sx_mul(ar, sx_mul(ar, f->a, h), f->b);
        if (sx_is_param_const(f->b))
            return sx_mul(ar, f->a, sx_mul(ar, f->b, h));
        break;
    case SX_NEG: return sx_neg(ar, times_step(ar, f->a, h));
    default: break;
    }
    return sx_mul(ar, f, h);
}

/*
 * -a - b - c as -(a + b + c) (a chain of subtractions whose first term is negated; the
 * additions and subtractions of its terms as they were): the same value with one negation,
 * which then folds into a parameter factor ((-(x) / taum) dt = (-(dt / taum)) x). Rounding is
 * symmetric, so only the sign of an exact zero can differ. For the coefficient of x in an
 * exponential-Euler step, -(g_L + ge + gi) / C and COBA's -(ge + gi + 1) / taum: one
 * operation per neuron less (bench/HISTORY.md, "Exponential Euler: the coefficient's
 * negation").
 */
static sx *hoist_neg(ax_arena *ar, sx *e)
{
    switch (e->kind) {
    case SX_NEG: return e;
    case SX_SUB:
    case SX_ADD: {
        sx *l = hoist_neg(ar, e->a);
        if (l->kind != SX_NEG)
            return e;
        /* (-x) - y = -(x + y), (-x) + y = -(x - y) */
        return sx_neg(ar, e->kind == SX_SUB ? sx_add(ar, l->a, e->b) : sx_sub(ar, l->a, e->b));
    }
    case SX_DIV: {
        sx *l = hoist_neg(ar, e->a);
        return l->kind == SX_NEG ? sx_neg(ar, sx_div(ar, l->a, e->b)) : e;
    }
    default: return e;
    }
}

/* Linear with constant coefficients (numbers and shared parameters)? A[i n + j] = d f_i / d x_j. */
static bool const_linear(ax_arena *ar, const ode_set *o, sx **A)
{
    for (int i = 0; i < o->n; i++)
        for (int j = 0; j < o->n; j++) {
            sx *d = sx_diff(ar, o->f[i], VS_STATE, o->var[j]);
            if (!sx_is_param_const(d))
                return false;
            A[i * o->n + j] = d;
        }
    return true;
}

/* Appends to *list ("tau_m = 0.01 s, ...") each shared parameter e reads that is not there yet
 * (seen: per shared slot). */
static void shared_names(ax_arena *ar, const ir_model *m, const sx *e, bool *seen,
                         const char **list, int *n)
{
    if (!e)
        return;
    if (e->kind == SX_VAR && e->space == VS_SHARED && e->idx >= 0 && e->idx < m->nshared) {
        if (seen[e->idx])
            return;
        seen[e->idx] = true;
        char u[64];
        dim_si_name(e->dim, u, sizeof u);
        *list = arena_printf(ar, "%s%s%s = %g%s%s", *list, *n ? ", " : "", e->name,
                             m->shared_vals[e->idx], strcmp(u, "1") ? " " : "",
                             strcmp(u, "1") ? u : "");
        (*n)++;
        return;
    }
    shared_names(ar, m, e->a, seen, list, n);
    shared_names(ar, m, e->b, seen, list, n);
    shared_names(ar, m, e->c, seen, list, n);
}

/* The value a parameter constant has with the model's shared values as built. */
static double shared_value(void *ctx, int space, int idx)
{
    const ir_model *m = ctx;
    return space == VS_SHARED && idx >= 0 && idx < m->nshared ? m->shared_vals[idx] : NAN;
}

/* reach[i n + j]: can x_j influence x_i (a path j -> i in the graph of A's entries that are
 * not the number 0)? Then Phi and Gamma may be nonzero there, for some parameter values. */
static void reachable(int n, sx *const *A, bool *reach)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            reach[i * n + j] = i == j || !sx_is_zero(A[i * n + j]);
    for (int k = 0; k < n; k++)
        for (int i = 0; i < n; i++)
            for (int j = 0; reach[i * n + k] && j < n; j++)
                reach[i * n + j] |= reach[k * n + j];
}

static int nonlinear_var(ax_arena *ar, const ode_set *o)
{
    for (int i = 0; i < o->n; i++)
        if (!sx_linear_in(ar, o->f[i], VS_STATE, o->var[i], NULL, NULL))
            return i;
    return -1;
}

static int cond_nonlinear_var(ax_arena *ar, const ode_set *o)
{
    for (int i = 0; i < o->n; i++)
        if (!sx_cond_linear_in(ar, o->f[i], VS_STATE, o->var[i], NULL, NULL))
            return i;
    return -1;
}

static bool has_rand(const sx *e)
{
    return e && (e->kind == SX_RAND || has_rand(e->a) || has_rand(e->b) || has_rand(e->c));
}

/* ---- white noise ---------------------------------------------------------------------
 * x_i' = f_i(x, t) + sum_k g_ik(x, t) xi_k, xi_k independent white noises (Ito). Each xi_k
 * becomes one standard normal draw z_k per neuron and step (stream of its draw number, keyed
 * by the neuron index and the step), so its increment over a step is sqrt(dt) z_k:
 *  - exact (Ornstein-Uhlenbeck): the drift is linear with constant coefficients, the noise
 *    additive, and every noisy x_i is a variable on its own (x_i' = a x_i + b + sum_k g_k xi_k,
 *    no other equation reads x_i, its noises in no other equation). The drift's exact update
 *    plus the exact noise: sqrt(dt exprel(2 a dt)) sum_k g_k z_k, whose variance
 *    g^2 (e^(2 a dt) - 1) / (2 a) is that of the process after dt.
 *  - euler_maruyama: additive noise otherwise; x + f dt + sum_k g_k sqrt(dt) z_k.
 *  - milstein: multiplicative noise that is scalar (one noise source) or diagonal (one noise
 *    per equation, in no other equation, g_i a function of x_i among the variables with
 *    equations); Euler-Maruyama plus, for each x_i and noise k,
 *    sum_j g_jk (d g_ik / d x_j) dt (z_k^2 - 1) / 2: strong order 1, no Levy areas needed.
 */
typedef struct {
    int n;          /* noise sources of the type */
    sx **g;         /* g[i n + k]: the factor of xi_k in x_i', NULL when it has none */
    bool additive;  /* no factor depends on a variable with an equation */
} noise_set;

/* Splits each o->f into its drift (left in o->f) and the factors of the noises. */
static void noise_split(builder *b, ode_set *o, noise_set *nz)
{
    const sm_type *t = b->p->type;
    nz->n = t->nnoise;
    nz->g = arena_alloc(b->ar, (size_t)(o->n * nz->n + 1) * sizeof *nz->g);
    nz->additive = true;
    for (int i = 0; i < o->n; i++)
        for (int k = 0; k < nz->n; k++) {
            sx *B = NULL;
            /* sema checked that xi_k enters linearly */
            if (!sx_uses(o->f[i], VS_NOISE, k) ||
                !sx_linear_in(b->ar, o->f[i], VS_NOISE, k, NULL, &B))
                continue;
            nz->g[i * nz->n + k] = sx_simplify(b->ar, B);
            for (int j = 0; j < o->n; j++)
                nz->additive &= !sx_uses(B, VS_STATE, o->var[j]);
            ax_dim nd = DIM_NONE;
            nd.e[DIM_T] = -DIM_DEN / 2;
            o->f[i] = sx_simplify(b->ar, sx_subst(b->ar, o->f[i], VS_NOISE, k,
                                                  sx_const(b->ar, 0, nd)));
        }
}

static bool noisy(const noise_set *nz, int i)
{
    for (int k = 0; k < nz->n; k++)
        if (nz->g[i * nz->n + k])
            return true;
    return false;
}

/* Is noise k in another equation than i? */
static bool noise_shared(const ode_set *o, const noise_set *nz, int i, int k)
{
    for (int j = 0; j < o->n; j++)
        if (j != i && nz->g[j * nz->n + k])
            return true;
    return false;
}

/* Exact (Ornstein-Uhlenbeck) update possible? A: the drift's matrix (const_linear). */
static bool noise_exact(const ode_set *o, const noise_set *nz, sx *const *A)
{
    if (!A || !nz->additive)
        return false;
    for (int i = 0; i < o->n; i++) {
        if (!noisy(nz, i))
            continue;
        for (int j = 0; j < o->n; j++)
            if (j != i && (!sx_is_zero(A[i * o->n + j]) || !sx_is_zero(A[j * o->n + i])))
                return false;
        for (int k = 0; k < nz->n; k++)
            if (nz->g[i * nz->n + k] && noise_shared(o, nz, i, k))
                return false;
    }
    return true;
}

/* Milstein without Levy areas: scalar noise, or diagonal noise (at most one noise per
 * equation, in no other equation, its factor a function of the equation's own variable among
 * those with equations). -1 when it applies, else an equation that breaks it. */
static int noise_not_diagonal(const ode_set *o, const noise_set *nz)
{
    if (nz->n == 1)
        return -1;
    for (int i = 0; i < o->n; i++) {
        int count = 0;
        for (int k = 0; k < nz->n; k++) {
            sx *g = nz->g[i * nz->n + k];
            if (!g)
                continue;
            if (++count > 1 || noise_shared(o, nz, i, k))
                return i;
            for (int j = 0; j < o->n; j++)
                if (j != i && sx_uses(g, VS_STATE, o->var[j]))
                    return i;
        }
    }
    return -1;
}

/* Chooses the scheme of equations with noise (p->scheme holds the drift's choice). */
static bool noise_scheme(diag_ctx *d, ir_pop *p, const ode_set *o, const noise_set *nz,
                         sx *const *A)
{
    const sm_type *t = p->type;
    const char *want = t->method;
    bool exact = noise_exact(o, nz, A);
    int nd = noise_not_diagonal(o, nz);
    if (want && !strcmp(want, "exact")) {
        if (!exact) {
            diag_error(d, t->method_span, "'method exact' with white noise needs additive noise "
                                          "on variables whose equations read no other "
                                          "variable and that no other equation reads");
            diag_hint(d, "use euler (Euler-Maruyama) or milstein");
            return false;
        }
    } else if (want && !strcmp(want, "euler")) {
        p->scheme = SCH_EULER_MARUYAMA;
        p->scheme_why = "requested with 'method euler': Euler-Maruyama";
        return true;
    } else if (want && !strcmp(want, "milstein")) {
        if (nd >= 0 && !nz->additive) {
            diag_error(d, t->method_span, "'method milstein' needs diagonal noise");
            diag_hint(d, "one noise source, or one noise per equation, used by no other "
                         "equation, whose factor depends only on the equation's own variable; "
                         "use euler");
            return false;
        }
        p->scheme = SCH_MILSTEIN;
        p->scheme_why = "requested with 'method milstein'";
        return true;
    } else if (want) {
        diag_error(d, t->method_span, "'method %s' cannot integrate white noise", want);
        diag_hint(d, "use euler (Euler-Maruyama), milstein, or exact (linear equations with "
                     "additive noise)");
        return false;
    }
    if (exact) {
        p->scheme = SCH_EXACT;
        p->scheme_why = want ? "requested with 'method': exact Ornstein-Uhlenbeck update"
                             : "linear with additive noise: exact Ornstein-Uhlenbeck update";
    } else if (nz->additive) {
        p->scheme = SCH_EULER_MARUYAMA;
        p->scheme_why = "additive noise";
    } else if (nd < 0) {
        p->scheme = SCH_MILSTEIN;
        p->scheme_why = nz->n == 1 ? "multiplicative noise (one source)"
                                   : "multiplicative diagonal noise";
    } else {
        diag_error(d, t->odes[nd].span, "this multiplicative noise is not supported yet");
        diag_hint(d, "Milstein needs one noise source, or one noise per equation, used by no "
                     "other equation, whose factor depends only on the equation's own variable; "
                     "'method euler' integrates it with Euler-Maruyama (strong order 1/2)");
        return false;
    }
    return true;
}

/* Adds the noise of one step to the drift's update xnew. */
static void noise_add(builder *b, const ir_model *m, const ode_set *o, const noise_set *nz,
                      sx *const *A, sx **xnew)
{
    ax_arena *ar = b->ar;
    const sm_type *t = b->p->type;
    sx **z = arena_alloc(ar, (size_t)(nz->n + 1) * sizeof *z);
    for (int k = 0; k < nz->n; k++)
        z[k] = temp(b, "z", sx_rand(ar, SXR_NORMAL, t->noise[k].draw));
    sx *dt = sx_const(ar, m->dt, DIM_TIME);
    ax_dim half = DIM_NONE;
    half.e[DIM_T] = DIM_DEN / 2;
    sx *sqdt = sx_const(ar, sqrt(m->dt), half);
    for (int i = 0; i < o->n; i++) {
        if (!noisy(nz, i))
            continue;
        sx *sd = sqdt; /* the standard deviation of the noise's effect per unit factor */
        if (b->p->scheme == SCH_EXACT) {
            sx *a2dt = sx_mul(ar, sx_mul(ar, sx_const(ar, 2, DIM_NONE), A[i * o->n + i]), dt);
            sd = sx_call(ar, FN_SQRT, sx_mul(ar, dt, sx_call(ar, FN_EXPREL, a2dt, NULL, NULL)),
                         NULL, NULL);
        }
        sx *e = xnew[i];
        for (int k = 0; k < nz->n; k++) {
            sx *g = nz->g[i * nz->n + k];
            if (!g)
                continue;
            e = sx_add(ar, e, sx_mul(ar, sx_mul(ar, g, sd), z[k]));
            if (b->p->scheme == SCH_MILSTEIN && !nz->additive) {
                sx *c = NULL; /* sum_j g_jk d g_ik / d x_j */
                for (int j = 0; j < o->n; j++) {
                    sx *gj = nz->g[j * nz->n + k];
                    if (!gj)
                        continue;
                    sx *dg = sx_diff_dim(ar, g, VS_STATE, o->var[j], t->vars[o->var[j]].dim);
                    if (!sx_is_zero(dg))
                        c = c ? sx_add(ar, c, sx_mul(ar, gj, dg)) : sx_mul(ar, gj, dg);
                }
                if (c) {
                    sx *z2 = sx_sub(ar, sx_mul(ar, z[k], z[k]), sx_const(ar, 1, DIM_NONE));
                    c = sx_mul(ar, sx_const(ar, 0.5, DIM_NONE), c);
                    e = sx_add(ar, e, sx_mul(ar, sx_mul(ar, c, dt), z2));
                }
            }
        }
        e->dim = xnew[i]->dim;
        xnew[i] = e;
    }
}

/* The hidden truth values of topk(x, k) (ir_select), one per sm_select of the type. */
static bool add_selects(sema_ctx *s, const ir_model *m, ir_pop *p)
{
    ax_arena *ar = sema_arena(s);
    const sm_type *t = p->type;
    if (!t->nselects)
        return true;
    p->selects = arena_alloc(ar, (size_t)t->nselects * sizeof *p->selects);
    for (int q = 0; q < t->nselects; q++) {
        const sm_select *sel = &t->selects[q];
        ir_select *r = &p->selects[p->nselects++];
        r->src = p->slot[sel->var];
        r->k_slot = -1;
        r->k = sel->k->v;
        if (sel->k->kind == SX_VAR) { /* a shared parameter */
            const sx *ref = p->shared[sel->k->idx];
            r->k = ref ? ir_shared_value(m, ref) : NAN;
            if (ref && ref->kind == SX_VAR && ref->space == VS_SHARED)
                r->k_slot = ref->idx;
        }
        if (r->src < 0) {
            diag_error(sema_diag(s), sel->span, "topk: %s of %s is the same for every neuron",
                       t->vars[sel->var].name, p->name);
            return false;
        }
        if (!(r->k >= 0) || r->k != floor(r->k) || r->k > 4e9) {
            diag_error(sema_diag(s), sel->span, "the count of topk must be a whole number of at "
                                                "least 0, not %g (in %s)", r->k, p->name);
            return false;
        }
        sx *no = sx_const(ar, 0, DIM_NONE);
        no->boolean = true;
        r->flag = p->nvars;
        p->vars = arena_grow(ar, p->vars, (size_t)p->nvars, (size_t)p->nvars + 1, sizeof *p->vars);
        p->vars[p->nvars++] = (ir_var){arena_printf(ar, "_topk%d_%s", q, t->vars[sel->var].name),
                                       IRV_HIDDEN,
                                       -1,
                                       DIM_NONE,
                                       true,
                                       no,
                                       0};
    }
    return true;
}

/* The element type of the refractory counter whose value after a spike is `start`: the
 * counter holds the whole numbers -1 .. start, so where start is a known number it is the
 * smallest signed integer that holds them (int8 up to 127 steps, the 12.7 ms of a 0.1 ms step),
 * which the update reads and writes instead of the 8 bytes of a double (COBA's Euler kernel
 * reads 25 bytes per neuron and step instead of 32, and writes 26 instead of 33); the
 * arithmetic on whole numbers is exact in both, so the results are the same. Where the period
 * is a parameter (shared, which can change at run time, or per neuron) start is a whole number
 * too, but not known: int32, with start capped at AXON_REFR_MAX steps (2^31 - 128, the largest
 * int32 that a float holds too, so that single precision converts it exactly: 59 hours of a
 * 0.1 ms step; a counter kept in the precision would hold more), which takes LIF's update
 * from 49 to 41 bytes per neuron and step. The model's precision everywhere with
 * AXON_TEST_WIDE_REFR set (test only: tests/cli/refr8.sh compares the two byte for byte). Not
 * either where the update calls exprel (exponential Euler): its kernel is bound by its arithmetic,
 * not by memory, and at the edge of the vector registers, and the byte operations that the counter
 * adds made COBA's exponential Euler 1.06x slower where they made its forward Euler 1.12x faster
 * (bench/HISTORY.md, narrow refractory counter). */
static bool calls(const sx *e, int fn)
{
    return e && ((e->kind == SX_CALL && e->fn == fn) || calls(e->a, fn) || calls(e->b, fn) ||
                 calls(e->c, fn));
}

static int refr_elem(const ir_pop *p, const sx *start)
{
    for (int k = 0; k < p->update.n; k++)
        if (calls(p->update.v[k].value, FN_EXPREL))
            return AXON_ELEM_REAL;
    if (getenv("AXON_TEST_WIDE_REFR"))
        return AXON_ELEM_REAL;
    if (!sx_is_const(start))
        return AXON_ELEM_I32; /* a whole number (floor), capped at AXON_REFR_MAX */
    if (start->v != floor(start->v) || !(start->v >= 0))
        return AXON_ELEM_REAL;
    return start->v <= INT8_MAX        ? AXON_ELEM_I8
           : start->v <= INT16_MAX     ? AXON_ELEM_I16
           : start->v <= AXON_REFR_MAX ? AXON_ELEM_I32
                                       : AXON_ELEM_REAL;
}

/* ---- spikes drawn as gaps --------------------------------------------------------------
 * A spike condition `rand() < P` (or `P > rand()`), P fixed between parameter changes, makes a
 * Bernoulli(P) trial per step: the steps between spikes are geometric. Drawing each gap once
 * (cg.c reset_fn: G = 1 + floor(log(u) / log1p(-P)), P(G > k) = (1 - P)^k) and counting it
 * down is the same process in law, and costs a subtraction per neuron and step instead of a
 * Philox block. The law is memoryless, so a gap may be drawn again from any step: where P
 * changes (a parameter set at run time) and where a long gap reaches its cap. */

/* Is e fixed between parameter changes: numbers, dt, parameters (shared or per neuron) and
   what is derived from them, no draw, no time, no state, input, signal or table? */
static bool fixed_between_changes(const sx *e)
{
    if (!e)
        return true;
    switch (e->kind) {
    case SX_CONST: return true;
    case SX_VAR:
        return e->space == VS_PARAM || e->space == VS_SHARED || e->space == VS_DERIVED ||
               e->space == VS_DT;
    case SX_RAND: case SX_TABLE: case SX_EXT: return false;
    default:
        return fixed_between_changes(e->a) && fixed_between_changes(e->b) &&
               fixed_between_changes(e->c);
    }
}

bool ir_block_uses(const sm_block *blk, int space, int idx)
{
    for (int k = 0; k < blk->n; k++) {
        const sm_stmt *st = blk->v[k];
        if (sx_uses(st->value, space, idx) || sx_uses(st->cond, space, idx) ||
            ir_block_uses(&st->then, space, idx) || ir_block_uses(&st->els, space, idx))
            return true;
    }
    return false;
}

bool ir_reset_after_update(const ir_pop *p)
{
    if (p->nevents > 0)
        return false;
    for (int k = 0; k < p->npinputs; k++)
        if (p->vars[p->slot[p->pinputs[k].var]].kind != IRV_INPUT)
            return false;
    for (int v = 0; v < p->type->nvars; v++)
        if (p->slot[v] >= 0 && p->vars[p->slot[v]].kind == IRV_INPUT &&
            ir_block_uses(&p->reset, VS_INPUT, v))
            return false;
    for (int k = 0; k < p->update.n; k++)
        if (p->update.v[k].space == VS_TEMP &&
            ir_block_uses(&p->reset, VS_TEMP, p->update.v[k].idx))
            return false;
    return true;
}

/* P of a spike condition `rand() < P` or `P > rand()` that can be drawn as gaps, else NULL:
 * not with refractoriness (its counter would hold the gap), and only where the reset can run
 * after the update, over the neurons that the deferred pass finds firing (cg.c reset_fn): no
 * events, no Poisson input added to a state variable after the reset, and a reset that reads
 * no input (cleared by the update) nor a temporary of the update. AXON_TEST_POISSON_STEPS
 * (test only) keeps the per-step form, a draw per neuron and step. */
static sx *gap_condition(const ir_pop *p, int *draw)
{
    const sx *c = p->spike;
    if (!c || p->type->refractory || p->nevents > 0 || getenv("AXON_TEST_POISSON_STEPS"))
        return NULL;
    const sx *u = c->kind == SX_LT ? c->a : c->kind == SX_GT ? c->b : NULL;
    sx *prob = c->kind == SX_LT ? c->b : c->a;
    if (!u || u->kind != SX_RAND || u->fn != SXR_UNIFORM || !fixed_between_changes(prob) ||
        !ir_reset_after_update(p))
        return NULL;
    *draw = u->idx;
    return prob;
}

/* The exact update x(t + dt) = Phi x + Gamma b of the linear equations o (x' = A x + b, A's
 * entries parameter constants, b free of o's variables) into xnew, with the propagator
 * registered for the derive kernel (computed again whenever a shared parameter changes). */
static bool exact_update(diag_ctx *d, builder *b, ir_model *m, const ode_set *o, sx **A, sx **xnew)
{
    ax_arena *ar = b->ar;
    const sm_type *t = b->p->type;
    ir_pop *p = b->p;
    sx **x0 = arena_alloc(ar, (size_t)o->n * sizeof *x0);
    sx **bv = arena_alloc(ar, (size_t)o->n * sizeof *bv);
    for (int i = 0; i < o->n; i++)
        x0[i] = sx_const(ar, 0, t->vars[o->var[i]].dim);
    for (int i = 0; i < o->n; i++)
        bv[i] = temp(b, "b", f_at(b, o, i, x0, 0));
    int nn = o->n * o->n;
    double *An = arena_alloc(ar, (size_t)(3 * nn) * sizeof *An);
    double *Phi = An + nn, *Gam = An + 2 * nn;
    for (int k = 0; k < nn; k++)
        An[k] = sx_eval(A[k], shared_value, m);
    int rc = sx_propagator(o->n, An, m->dt, Phi, Gam);
    if (rc == -2)
        arena_oom(ar); /* out of memory, not a property of the model */
    if (rc != 0) {
        int k = 0; /* the first of these equations */
        while (k + 1 < t->nodes && t->odes[k].var != o->var[0])
            k++;
        diag_error(d, t->odes[k].span,
                   "the propagator of these equations is not finite "
                   "for dt = %g s",
                   m->dt);
        /* the parameters their coefficients use, with the values they have here (a time
           constant of 0 from --set, a protocol or a module's argument) */
        const char *used = "";
        int nused = 0;
        bool *seen = arena_alloc(ar, (size_t)(m->nshared + 1) * sizeof *seen);
        memset(seen, 0, (size_t)(m->nshared + 1) * sizeof *seen);
        for (int q = 0; q < nn; q++)
            shared_names(ar, m, A[q], seen, &used, &nused);
        if (nused)
            diag_hint(d,
                      "its coefficients use %s: a time constant of 0 (or one that makes the "
                      "system grow without bound) has no propagator",
                      used);
        return false;
    }
    /* computed again by the derive kernel from the current parameters */
    ir_propagator pr = {(int)(p - m->pops), o->n, A, m->nderived, m->nderived + nn};
    m->nderived += 2 * nn;
    m->props = arena_grow(ar, m->props, (size_t)m->nprops, (size_t)m->nprops + 1, sizeof *m->props);
    m->props[m->nprops++] = pr;
    bool *reach = arena_alloc(ar, (size_t)nn * sizeof *reach);
    reachable(o->n, A, reach);
    for (int i = 0; i < o->n; i++) {
        const sm_var *vi = &t->vars[o->var[i]];
        sx *e = sx_const(ar, 0, vi->dim);
        /* x_i' free of the state (an integrator): Phi's row is that of the identity */
        bool free_row = true;
        for (int j = 0; j < o->n; j++)
            free_row &= sx_is_zero(A[i * o->n + j]);
        for (int j = 0; j < o->n; j++) {
            if (!reach[i * o->n + j])
                continue;
            const char *xj = t->vars[o->var[j]].name;
            sx *c = sx_var(ar, VS_DERIVED, pr.phi + i * o->n + j,
                           arena_printf(ar, "Phi[%s,%s]", vi->name, xj),
                           dim_div(vi->dim, t->vars[o->var[j]].dim));
            e = sx_add(ar, e,
                       free_row ? state_ref(b, o->var[j]) : sx_mul(ar, c, state_ref(b, o->var[j])));
            if (!sx_is_zero(bv[j])) {
                c = sx_var(ar, VS_DERIVED, pr.gamma + i * o->n + j,
                           arena_printf(ar, "Gamma[%s,%s]", vi->name, xj),
                           dim_div(vi->dim, bv[j]->dim));
                e = sx_add(ar, e, sx_mul(ar, c, bv[j]));
            }
        }
        e->dim = vi->dim;
        xnew[i] = e;
    }
    return true;
}

/* the most variables of one propagator (axon_propagator's limit, runtime/expm.c) */
#define BLOCK_MAX 32

/*
 * The closed linear blocks of o: comp[i] >= 0 numbers the block of x_i, -1 for none. A block's
 * equations are linear in the state with parameter constants as coefficients (A[i n + j]),
 * read no variable outside it, and connect its variables (each reads or is read by another of
 * it: an alpha function's x' = -x / tau, g' = (x - g) / tau); it has at most BLOCK_MAX of
 * them. A variable held while refractory (held[var]) is in none: an exact update of its block
 * would move the others as if it moved, and then everything that reads it is in none either.
 * Returns the number of blocks. Exponential Euler holds x over the step in g's equation, an
 * error of the first order (g's peak 5% high at dt = tau / 10); build_pop integrates each
 * block exactly instead. A variable on its own (x' = -x / tau) is exact under exponential
 * Euler already and keeps it.
 */
static int linear_blocks(ax_arena *ar, const ode_set *o, const unsigned char *held, sx **A,
                         int *comp)
{
    int n = o->n;
    bool *in = arena_alloc(ar, (size_t)n * sizeof *in);
    for (int i = 0; i < n; i++) {
        in[i] = !(held && held[o->var[i]]);
        for (int j = 0; j < n; j++) {
            sx *dij = sx_diff(ar, o->f[i], VS_STATE, o->var[j]);
            A[i * n + j] = sx_is_param_const(dij) ? dij : NULL;
            in[i] &= A[i * n + j] != NULL;
        }
    }
    for (bool changed = true; changed;) { /* closed: no equation reads a variable outside */
        changed = false;
        for (int i = 0; i < n; i++)
            for (int j = 0; in[i] && j < n; j++)
                if (!in[j] && sx_uses(o->f[i], VS_STATE, o->var[j]))
                    in[i] = false, changed = true;
    }
    /* connected pieces (either direction of a coefficient that is not the number 0) */
    int nb = 0, *stack = arena_alloc(ar, (size_t)n * sizeof *stack);
    for (int i = 0; i < n; i++)
        comp[i] = -1;
    for (int i = 0; i < n; i++) {
        if (!in[i] || comp[i] >= 0)
            continue;
        int top = 0, size = 0;
        comp[i] = nb;
        stack[top++] = i;
        while (top) {
            int u = stack[--top];
            size++;
            for (int j = 0; j < n; j++)
                if (in[j] && comp[j] < 0 && j != u &&
                    (!sx_is_zero(A[u * n + j]) || !sx_is_zero(A[j * n + u]))) {
                    comp[j] = nb;
                    stack[top++] = j;
                }
        }
        if (size >= 2 && size <= BLOCK_MAX) {
            nb++;
            continue;
        }
        for (int j = 0; j < n; j++) /* alone, or too many for one propagator */
            if (comp[j] == nb)
                comp[j] = -2;
    }
    for (int i = 0; i < n; i++)
        if (comp[i] < -1)
            comp[i] = -1;
    return nb;
}

static bool build_pop(sema_ctx *s, ir_model *m, ir_pop *p)
{
    ax_arena *ar = sema_arena(s);
    diag_ctx *d = sema_diag(s);
    const sm_type *t = p->type;
    builder b = {ar, p, 0, &p->update, false};
    sx *dt = sx_const(ar, m->dt, DIM_TIME);
    /* hidden variables for refractoriness. A refractory period is a counter alone: _refr is the
       number of steps the neuron is still held, -1 once it may spike again (it counts down to
       -1, not 0, so that "may spike" is _refr < 0 and needs no variable of its own, nor a store
       per neuron and step). A refractory condition keeps a flag, _may_spike. */
    sx *refr_old = NULL;
    if (t->refractory) {
        p->vars = arena_grow(ar, p->vars, (size_t)p->nvars, (size_t)p->nvars + 1, sizeof *p->vars);
        if (p->refr_steps) {
            p->refr_var = p->nvars;
            p->vars[p->nvars++] =
                (ir_var){"_refr", IRV_HIDDEN, -1, DIM_NONE, false, sx_const(ar, -1, DIM_NONE), 0};
            refr_old = sx_var(ar, VS_HIDDEN, p->refr_var, "_refr", DIM_NONE);
        } else {
            p->permit_var = p->nvars;
            sx *one = sx_const(ar, 1, DIM_NONE);
            one->boolean = true;
            p->vars[p->nvars++] = (ir_var){"_may_spike", IRV_HIDDEN, -1, DIM_NONE, true, one, 0};
        }
    }
    if (!add_selects(s, m, p))
        return false;
    p->held = arena_alloc(ar, (size_t)(t->nvars + 1));
    if (p->refr_steps && t->refr_hold == REFR_HOLD_RESET)
        for (int k = 0; k < t->reset.n; k++) {
            const sm_stmt *st = t->reset.v[k];
            if (st->kind == ST_ASSIGN && st->op == '=' && st->space == VS_STATE && st->idx >= 0)
                p->held[st->idx] = 1;
        }
    if (p->refr_steps && t->refr_hold == REFR_HOLD_LIST)
        for (int k = 0; k < t->nrefr_vars; k++)
            p->held[t->refr_vars[k]] = 1;
    /* the equations, with shared parameters as their slots (VS_SHARED) */
    ode_set o = {0};
    o.var = arena_alloc(ar, (size_t)(t->nodes + 1) * sizeof *o.var);
    o.f = arena_alloc(ar, (size_t)(t->nodes + 1) * sizeof *o.f);
    for (int k = 0; k < t->nodes; k++) {
        sx *f = t->odes[k].rhs;
        for (int v = 0; v < t->nvars; v++)
            if (p->shared[v] && sx_uses(f, VS_PARAM, v))
                f = sx_subst(ar, f, VS_PARAM, v, p->shared[v]);
        o.var[o.n] = t->odes[k].var;
        o.f[o.n++] = sx_simplify(ar, f);
        if (has_rand(f)) {
            diag_error(d, t->odes[k].span, "random draws are not allowed in equations");
            diag_hint(d, "white noise is 'xi' (v' = -v / tau + sigma * xi); a random input can "
                         "be drawn in 'step' or in a spike condition");
            return false;
        }
    }
    noise_set nz = {0};
    if (t->nnoise)
        noise_split(&b, &o, &nz);
    sx **xnew = arena_alloc(ar, (size_t)(o.n + 1) * sizeof *xnew);
    if (p->method && p->method != t->method && !o.n) {
        diag_error(d, p->method_span, "'method %s' for a population of %s, which has no "
                                      "equations to integrate", p->method, t->name);
        return false;
    }
    if (t->step.n && !o.n) {
        p->scheme = SCH_MAP;
        p->scheme_why = "a step map";
    } else if (o.n) {
        sx **A = arena_alloc(ar, (size_t)(o.n * o.n + 1) * sizeof *A);
        bool lin = const_linear(ar, &o, A);
        int nl = nonlinear_var(ar, &o);
        const char *want = p->method;
        if (want && !strcmp(want, "exact") && !lin) {
            diag_error(d, p->method_span, "'method exact' needs linear equations with constant "
                                          "coefficients");
            if (nl >= 0)
                diag_hint(d, "%s' is not linear in %s; use exponential_euler or rk4",
                          t->vars[o.var[nl]].name, t->vars[o.var[nl]].name);
            else
                diag_hint(d, "the coefficients depend on other variables; use "
                             "exponential_euler or rk4");
            return false;
        }
        if (want && !strcmp(want, "exponential_euler") && nl >= 0)
            nl = cond_nonlinear_var(ar, &o);
        if (want && !strcmp(want, "exponential_euler") && nl >= 0) {
            diag_error(d, p->method_span, "'method exponential_euler' needs each equation to be "
                                          "linear in its own variable");
            diag_hint(d, "%s' is not linear in %s, even with the functions of %s held over "
                         "the step; use rk4", t->vars[o.var[nl]].name, t->vars[o.var[nl]].name,
                      t->vars[o.var[nl]].name);
            return false;
        }
        if (o.n > 32 && lin && !want)
            lin = false;
        if (want)
            p->scheme = !strcmp(want, "exact") ? SCH_EXACT
                      : !strcmp(want, "exponential_euler") ? SCH_EXPEULER
                      : !strcmp(want, "euler") ? SCH_EULER : !strcmp(want, "rk2") ? SCH_RK2 : SCH_RK4;
        else
            p->scheme = lin ? SCH_EXACT : nl < 0 ? SCH_EXPEULER : SCH_RK4;
        p->scheme_why = want ? (want != t->method ? "requested with the population's 'method'"
                                                  : "requested with 'method'")
                      : lin ? "linear with constant coefficients"
                      : nl < 0 ? "each equation is linear in its own variable"
                               : "non-linear";
        if (nz.n && !noise_scheme(d, p, &o, &nz, lin ? A : NULL))
            return false;
        switch (p->scheme) {
        case SCH_EXACT:
            if (!exact_update(d, &b, m, &o, A, xnew))
                return false;
            break;
        case SCH_EXPEULER: {
            /* chosen, not requested (`method exponential_euler` is Brian2's, every variable
               by its own formula): each closed linear block of several variables exactly */
            int *comp = arena_alloc(ar, (size_t)o.n * sizeof *comp);
            sx **Ab = arena_alloc(ar, (size_t)(o.n * o.n + 1) * sizeof *Ab);
            int nb = 0;
            if (want || nz.n)
                for (int i = 0; i < o.n; i++)
                    comp[i] = -1;
            else
                nb = linear_blocks(ar, &o, refr_old ? p->held : NULL, Ab, comp);
            const char *names = "";
            for (int blk = 0; blk < nb; blk++) {
                int size = 0;
                for (int i = 0; i < o.n; i++)
                    size += comp[i] == blk;
                ode_set ob = {0};
                ob.var = arena_alloc(ar, (size_t)size * sizeof *ob.var);
                ob.f = arena_alloc(ar, (size_t)size * sizeof *ob.f);
                sx **Asub = arena_alloc(ar, (size_t)(size * size) * sizeof *Asub);
                sx **xb = arena_alloc(ar, (size_t)size * sizeof *xb);
                for (int i = 0; i < o.n; i++)
                    if (comp[i] == blk) {
                        int r = ob.n;
                        ob.var[ob.n] = o.var[i];
                        ob.f[ob.n++] = o.f[i];
                        for (int j = 0, c = 0; j < o.n; j++)
                            if (comp[j] == blk)
                                Asub[r * size + c++] = Ab[i * o.n + j];
                        names = arena_printf(ar, "%s%s%s", names,
                                             r     ? ", "
                                             : blk ? "; "
                                                   : "",
                                             t->vars[o.var[i]].name);
                    }
                if (!exact_update(d, &b, m, &ob, Asub, xb))
                    return false;
                for (int i = 0, r = 0; i < o.n; i++)
                    if (comp[i] == blk)
                        xnew[i] = xb[r++];
            }
            if (nb)
                p->scheme_why = arena_printf(ar,
                                             "%s; exactly, as linear blocks with constant "
                                             "coefficients: %s",
                                             p->scheme_why, names);
            for (int i = 0; i < o.n; i++) {
                if (comp[i] >= 0)
                    continue;
                sx *A_i, *B_i;
                if (!sx_linear_in(ar, o.f[i], VS_STATE, o.var[i], &A_i, &B_i))
                    sx_cond_linear_in(ar, o.f[i], VS_STATE, o.var[i], &A_i, &B_i);
                /* dt folded into A_i and B_i where they end in a parameter factor (times_step:
                   (.. / taum) dt is .. (dt / taum), one multiply per neuron less each), so
                   that (A_i + B_i x) dt is A_i dt + (B_i dt) x, one multiply-add */
                sx *x = state_ref(&b, o.var[i]);
                sx *z = times_step(ar, hoist_neg(ar, sx_simplify(ar, B_i)), dt);
                /* -(x c) = (-c) x, c fixed between parameter changes: the negation is then
                   derived with c */
                if (z->kind == SX_NEG && z->a->kind == SX_MUL &&
                    (sx_is_param_const(z->a->a) || sx_is_param_const(z->a->b))) {
                    bool ca = sx_is_param_const(z->a->a);
                    z = sx_mul(ar, sx_neg(ar, ca ? z->a->a : z->a->b), ca ? z->a->b : z->a->a);
                }
                z = temp(&b, "Bdt", z);
                sx *fdt = sx_add(ar, times_step(ar, A_i, dt), sx_mul(ar, z, x));
                xnew[i] = sx_add(ar, x, sx_mul(ar, fdt, sx_call(ar, FN_EXPREL, z, NULL, NULL)));
            }
            break;
        }
        case SCH_EULER:
        case SCH_EULER_MARUYAMA:
        case SCH_MILSTEIN:
            for (int i = 0; i < o.n; i++)
                xnew[i] = sx_add(ar, state_ref(&b, o.var[i]), times_step(ar, o.f[i], dt));
            break;
        case SCH_RK2:
        case SCH_RK4: {
            /* Brian2's form: the stages are k = dt f (times_step folds dt into a factor of f
               that is fixed between parameter changes), y = x + c k, x + (k1 + 2 k2 + 2 k3 +
               k4) / 6 (rk2: x + k2) */
            int stages = p->scheme == SCH_RK2 ? 2 : 4;
            sx **k[4], **y = arena_alloc(ar, (size_t)o.n * sizeof *y);
            for (int st = 0; st < stages; st++) {
                k[st] = arena_alloc(ar, (size_t)o.n * sizeof *k[st]);
                double cy = stages == 2 ? 0.5 : (st == 3 ? 1.0 : 0.5);
                double ts = st == 0 ? 0 : cy * m->dt;
                for (int i = 0; i < o.n; i++) {
                    sx *ki = times_step(ar, f_at(&b, &o, i, st ? y : NULL, ts), dt);
                    /* a held variable has no slope while refractory, also in the stages
                       that the other variables read (Brian2's `unless refractory`) */
                    if (p->held[o.var[i]] && refr_old)
                        ki = unless_refractory(ar, refr_old, ki, sx_const(ar, 0, ki->dim));
                    k[st][i] = temp(&b, "k", ki);
                }
                if (st + 1 < stages) {
                    double cn = stages == 2 ? 0.5 : (st == 2 ? 1.0 : 0.5);
                    for (int i = 0; i < o.n; i++) {
                        sx *step = cn == 1.0 ? k[st][i]
                                             : sx_mul(ar, k[st][i], sx_const(ar, cn, DIM_NONE));
                        y[i] = temp(&b, "y", sx_add(ar, state_ref(&b, o.var[i]), step));
                    }
                }
            }
            for (int i = 0; i < o.n; i++) {
                sx *sum;
                if (stages == 2)
                    sum = k[1][i];
                else {
                    sx *two = sx_const(ar, 2, DIM_NONE);
                    sum = sx_add(ar, sx_add(ar, k[0][i], sx_mul(ar, two, k[1][i])),
                                 sx_add(ar, sx_mul(ar, two, k[2][i]), k[3][i]));
                    sum = sx_mul(ar, sum, sx_const(ar, 1.0 / 6, DIM_NONE));
                }
                xnew[i] = sx_add(ar, state_ref(&b, o.var[i]), sum);
            }
            break;
        }
        default: break;
        }
        if (t->step.n)
            p->scheme_why = arena_printf(ar, "%s; the step map for its variables", p->scheme_why);
        if (nz.n)
            noise_add(&b, m, &o, &nz, A, xnew);
    } else {
        p->scheme = SCH_NONE;
        p->scheme_why = "no equations";
    }
    /* the hidden variables' updates read the old state too */
    if (p->refr_var >= 0) {
        sx *one = sx_const(ar, 1, DIM_NONE);
        emit(&b, VS_HIDDEN, p->refr_var, "_refr",
             sx_call(ar, FN_MAX, sx_sub(ar, refr_old, one), sx_const(ar, -1, DIM_NONE), NULL));
    }
    if (p->permit_var >= 0) {
        sx *permit = sx_var(ar, VS_HIDDEN, p->permit_var, "_may_spike", DIM_NONE);
        permit->boolean = true;
        sx *v = sx_bin(ar, SX_OR, permit, sx_not(ar, p->refr_cond));
        emit(&b, VS_HIDDEN, p->permit_var, "_may_spike", v);
    }
    for (int i = 0; i < o.n; i++) {
        sx *v = xnew[i];
        if (p->held[o.var[i]] && refr_old)
            v = unless_refractory(ar, refr_old, v, state_ref(&b, o.var[i]));
        emit(&b, VS_STATE, o.var[i], t->vars[o.var[i]].name, v);
    }
    if (t->step.n) {
        /* step maps: simultaneous assignment, from the same old values as the equations'
           update (each variable has one or the other); lets become temps. Computed as
           written (no contraction), held like the equations' variables while refractory. */
        b.as_written = true;
        for (int k = 0; k < t->step.n; k++) {
            const sm_stmt *st = t->step.v[k];
            sx *v = st->value;
            for (int q = 0; q < t->nvars; q++)
                if (p->shared[q] && sx_uses(v, VS_PARAM, q))
                    v = sx_subst(ar, v, VS_PARAM, q, p->shared[q]);
            if (st->kind == ST_LET)
                emit(&b, VS_TEMP, st->idx, st->name, v);
            else if (st->kind == ST_ASSIGN && st->space == VS_STATE) {
                sx *cur = state_ref(&b, st->idx);
                switch (st->op) {
                case OP_ADD_ASSIGN: v = sx_add(ar, cur, v); break;
                case OP_SUB_ASSIGN: v = sx_sub(ar, cur, v); break;
                case OP_MUL_ASSIGN: v = sx_mul(ar, cur, v); break;
                case OP_DIV_ASSIGN: v = sx_div(ar, cur, v); break;
                default: break;
                }
                if (p->held[st->idx] && refr_old)
                    v = unless_refractory(ar, refr_old, v, cur);
                emit(&b, VS_STATE, st->idx, st->name, v);
            } else {
                diag_error(d, st->span, "a step map holds only assignments to state variables "
                                        "and 'let'");
                return false;
            }
        }
    }
    /* spikes drawn as gaps: _gap counts down; +inf and P = -1 (never fires) when the model
       starts, so that the first step draws a gap for P unless P is -1 */
    int gap_draw = 0;
    sx *gap_p = gap_condition(p, &gap_draw);
    if (gap_p) {
        p->vars = arena_grow(ar, p->vars, (size_t)p->nvars, (size_t)p->nvars + 2, sizeof *p->vars);
        p->gap_var = p->nvars;
        p->vars[p->nvars++] = (ir_var){"_gap", IRV_HIDDEN, -1, DIM_NONE, false,
                                       sx_const(ar, INFINITY, DIM_NONE), 0};
        p->gap_p_var = p->nvars;
        p->vars[p->nvars++] = (ir_var){"_gap_p", IRV_HIDDEN, -1, DIM_NONE, false,
                                       sx_const(ar, -1, DIM_NONE), 0};
        p->gap_p = gap_p;
        p->gap_draw = gap_draw;
        emit(&b, VS_HIDDEN, p->gap_var, "_gap",
             sx_sub(ar, sx_var(ar, VS_HIDDEN, p->gap_var, "_gap", DIM_NONE),
                    sx_const(ar, 1, DIM_NONE)));
    }
    /* firing: the written condition, gated by refractoriness */
    if (p->spike) {
        p->fire = p->spike;
        if (p->gap_var >= 0) {
            /* the neurons for the deferred pass: a gap run out (0: a spike, 0.5: its cap), or
               a P other than the one it was drawn with (cg.c reset_fn) */
            sx *due = sx_bin(ar, SX_LT, sx_var(ar, VS_HIDDEN, p->gap_var, "_gap", DIM_NONE),
                             sx_const(ar, 1, DIM_NONE));
            sx *moved = sx_bin(ar, SX_NE, sx_var(ar, VS_HIDDEN, p->gap_p_var, "_gap_p", DIM_NONE),
                               p->gap_p);
            due->boolean = moved->boolean = true;
            p->fire = sx_bin(ar, SX_OR, due, moved);
            p->fire->boolean = true;
        }
        if (p->permit_var >= 0) {
            sx *permit = sx_var(ar, VS_HIDDEN, p->permit_var, "_may_spike", DIM_NONE);
            permit->boolean = true;
            p->fire = sx_bin(ar, SX_AND, p->spike, permit);
        } else if (p->refr_var >= 0) {
            p->fire = sx_bin(ar, SX_AND, p->spike, ir_refr_permit(ar, p));
        }
        /* the copies that spike records keep (as the spike finds the variables), the reset,
           then: hold for the refractory period, no new spike until allowed */
        sm_block r = {0};
        r.v = arena_alloc(ar, (size_t)(p->reset.n + p->ncopies + 3) * sizeof *r.v);
        for (int k = 0; k < p->ncopies; k++) {
            int h = p->copies[2 * k], var = p->copies[2 * k + 1];
            const sm_var *v = &t->vars[var];
            sm_stmt *st = arena_alloc(ar, sizeof *st);
            st->kind = ST_ASSIGN;
            st->op = '=';
            st->space = VS_HIDDEN;
            st->idx = h;
            st->name = p->vars[h].name;
            st->value = sx_var(ar, v->kind == VAR_PARAM ? VS_PARAM : VS_STATE, var, v->name,
                               v->dim);
            st->value->boolean = v->boolean;
            r.v[r.n++] = st;
        }
        for (int k = 0; k < p->reset.n; k++)
            r.v[r.n++] = p->reset.v[k];
        if (p->refr_var >= 0) {
            sm_stmt *st = arena_alloc(ar, sizeof *st);
            st->kind = ST_ASSIGN;
            st->op = '=';
            st->space = VS_HIDDEN;
            st->idx = p->refr_var;
            st->name = "_refr";
            /* Brian2: refractory while timestep(t - lastspike) < timestep(t_ref) */
            sx *steps = sx_call(ar, FN_FLOOR, sx_div(ar, sx_add(ar, p->refr_steps,
                                                                 sx_const(ar, 1e-3 * m->dt, DIM_TIME)),
                                                      dt), NULL, NULL);
            /* at least 0, so that input in the step of the spike is ignored (_refr >= 0) */
            st->value = sx_simplify(ar, sx_call(ar, FN_MAX,
                                                sx_sub(ar, steps, sx_const(ar, 1, DIM_NONE)),
                                                sx_const(ar, 0, DIM_NONE), NULL));
            r.v[r.n++] = st;
            p->vars[p->refr_var].elem = refr_elem(p, st->value);
            /* an int32 counter's start, not known here, within its range: min(cap, x) is
               x < cap ? x : cap, so a NaN (a per-neuron period drawn as one: initial values
               are not checked) holds the neuron as the counter kept in the precision does */
            if (p->vars[p->refr_var].elem == AXON_ELEM_I32 && !sx_is_const(st->value))
                st->value =
                    sx_call(ar, FN_MIN, sx_const(ar, AXON_REFR_MAX, DIM_NONE), st->value, NULL);
        }
        if (p->permit_var >= 0) {
            sm_stmt *st = arena_alloc(ar, sizeof *st);
            st->kind = ST_ASSIGN;
            st->op = '=';
            st->space = VS_HIDDEN;
            st->idx = p->permit_var;
            st->name = "_may_spike";
            st->value = sx_const(ar, 0, DIM_NONE);
            st->value->boolean = true;
            r.v[r.n++] = st;
        }
        p->reset = r;
    }
    return true;
}

sx *ir_refr_permit(ax_arena *ar, const ir_pop *p)
{
    sx *c = sx_bin(ar, SX_LT, sx_var(ar, VS_HIDDEN, p->refr_var, "_refr", DIM_NONE),
                   sx_const(ar, 0, DIM_NONE));
    c->boolean = true;
    return c;
}

bool ir_schemes(sema_ctx *s, ir_model *m)
{
    bool ok = true;
    for (int i = 0; i < m->npops; i++)
        ok &= build_pop(s, m, &m->pops[i]);
    return ok && ir_structure(s, m) && ir_synapses(s, m) && ir_learning(s, m) && ir_params(s, m) && ir_protocol(s, m);
}

ir_model *ir_build(sema_ctx *s, int root_file, const char *module, const ir_override *ov,
                   int nov, double dt)
{
    ir_model *m = ir_instantiate(s, root_file, module, ov, nov, dt);
    return m && ir_schemes(s, m) ? m : NULL;
}
