/*
 * sx: typed symbolic expressions — construction with constant folding and
 * dimension inference, local simplification, differentiation, substitution,
 * linearity tests, numeric evaluation and printing. The matrix exponential
 * used by the `exact` scheme lives in expm.c.
 *
 * Every function builds new nodes in the arena and never mutates a node
 * that may already be shared; unchanged subtrees are returned as they are,
 * so a pass that changes nothing returns its input pointer (the simplifier
 * relies on that to detect its fixed point).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "sema/sx.h"

#include "axon/expm.h"
#ifdef HAVE_REPL
#include <ffi.h>
#endif

#include <math.h>
#include <string.h>

/* 1 / sqrt(2 pi): the standard normal density at 0. */
#define INV_SQRT_2PI 0.39894228040143267794
#define SQRT1_2 0.70710678118654752440
#define LN10 2.30258509299404568402

/* ---- construction ---------------------------------------------------------------------------- */

static sx *node(ax_arena *ar, sx_kind k)
{
    sx *e = arena_alloc(ar, sizeof *e);
    e->kind = k;
    e->dim = DIM_NONE;
    e->span = SPAN_NONE;
    return e;
}

static bool is_cmp(sx_kind k)
{
    return k >= SX_LT && k <= SX_NE;
}

/* The numeric meaning of the binary kinds, shared by folding and eval so the
 * two can never disagree. */
static double apply_bin(sx_kind k, double a, double b)
{
    switch (k) {
    case SX_ADD: return a + b;
    case SX_SUB: return a - b;
    case SX_MUL: return a * b;
    case SX_DIV: return a / b;
    case SX_POW: return pow(a, b);
    case SX_LT: return a < b ? 1.0 : 0.0;
    case SX_GT: return a > b ? 1.0 : 0.0;
    case SX_LE: return a <= b ? 1.0 : 0.0;
    case SX_GE: return a >= b ? 1.0 : 0.0;
    case SX_EQ: return a == b ? 1.0 : 0.0;
    case SX_NE: return a != b ? 1.0 : 0.0;
    case SX_AND: return (a != 0 && b != 0) ? 1.0 : 0.0;
    case SX_OR: return (a != 0 || b != 0) ? 1.0 : 0.0;
    default: return NAN;
    }
}

/* A folded constant. Folding is skipped when the value is not finite: a
 * literal inf or nan has no source form and code generation would have to
 * special-case it, while the unfolded tree computes the same value. */
static sx *folded(ax_arena *ar, double v, ax_dim dim, bool boolean, bool unknown)
{
    if (!isfinite(v))
        return NULL;
    sx *e = sx_const(ar, v, dim);
    e->boolean = boolean;
    e->unknown = unknown;
    return e;
}

/* The dimension of a ^ p for a constant p: p is read as a fraction with a
 * denominator up to 12, the resolution of ax_dim. */
static ax_dim pow_dim(ax_dim a, double p)
{
    if (dim_is_none(a) || !isfinite(p))
        return DIM_NONE;
    for (int den = 1; den <= 12; den++) {
        double t = p * den;
        double r = nearbyint(t);
        if (fabs(t - r) > 1e-9 * (1 + fabs(t)) || fabs(r) > 1e6)
            continue;
        ax_dim out;
        if (dim_pow(a, (int)r, den, &out))
            return out;
        return DIM_NONE;
    }
    return DIM_NONE;
}

sx *sx_const(ax_arena *ar, double v, ax_dim dim)
{
    sx *e = node(ar, SX_CONST);
    e->v = v;
    e->dim = dim;
    return e;
}

sx *sx_var(ax_arena *ar, int space, int idx, const char *name, ax_dim dim)
{
    sx *e = node(ar, SX_VAR);
    e->space = space;
    e->idx = idx;
    e->name = name;
    e->dim = dim;
    return e;
}

sx *sx_bin(ax_arena *ar, sx_kind k, sx *a, sx *b)
{
    bool unknown = a->unknown || b->unknown;
    bool boolean = is_cmp(k) || k == SX_AND || k == SX_OR;
    ax_dim dim = DIM_NONE;
    switch (k) {
    case SX_ADD:
    case SX_SUB:
        /* the checker has made both sides agree; an unknown side says nothing */
        dim = a->unknown ? b->dim : a->dim;
        break;
    case SX_MUL: dim = dim_mul(a->dim, b->dim); break;
    case SX_DIV: dim = dim_div(a->dim, b->dim); break;
    case SX_POW: dim = b->kind == SX_CONST ? pow_dim(a->dim, b->v) : DIM_NONE; break;
    default: break;
    }
    if (a->kind == SX_CONST && b->kind == SX_CONST) {
        sx *f = folded(ar, apply_bin(k, a->v, b->v), dim, boolean, unknown);
        if (f)
            return f;
    }
    sx *e = node(ar, k);
    e->a = a;
    e->b = b;
    e->dim = dim;
    e->boolean = boolean;
    e->unknown = unknown;
    return e;
}

sx *sx_neg(ax_arena *ar, sx *a)
{
    if (a->kind == SX_CONST) {
        sx *f = sx_const(ar, -a->v, a->dim);
        f->unknown = a->unknown;
        return f;
    }
    sx *e = node(ar, SX_NEG);
    e->a = a;
    e->dim = a->dim;
    e->unknown = a->unknown;
    return e;
}

sx *sx_not(ax_arena *ar, sx *a)
{
    if (a->kind == SX_CONST)
        return folded(ar, a->v == 0 ? 1.0 : 0.0, DIM_NONE, true, a->unknown);
    sx *e = node(ar, SX_NOT);
    e->a = a;
    e->boolean = true;
    e->unknown = a->unknown;
    return e;
}

sx *sx_call(ax_arena *ar, sx_fn fn, sx *a, sx *b, sx *c)
{
    int n = sx_fn_arity(fn);
    if (n < 2)
        b = NULL;
    if (n < 3)
        c = NULL;
    sx *args[3] = {a, b, c};
    bool all_const = true, unknown = false;
    for (int i = 0; i < n; i++) {
        all_const = all_const && args[i]->kind == SX_CONST;
        unknown = unknown || args[i]->unknown;
    }
    ax_dim dim = DIM_NONE;
    switch (fn) {
    case FN_SQRT: dim = pow_dim(a->dim, 0.5); break;
    case FN_ABS:
    case FN_FLOOR:
    case FN_ROUND:
    case FN_MOD:
    case FN_CEIL: dim = a->dim; break;
    case FN_MIN:
    case FN_MAX:
    case FN_CLIP: dim = (a->unknown && !b->unknown) ? b->dim : a->dim; break;
    default: break;
    }
    if (all_const) {
        double v = sx_apply_fn(fn, a->v, b ? b->v : 0, c ? c->v : 0);
        sx *f = folded(ar, v, dim, false, unknown);
        if (f)
            return f;
    }
    sx *e = node(ar, SX_CALL);
    e->fn = fn;
    e->a = a;
    e->b = b;
    e->c = c;
    e->dim = dim;
    e->unknown = unknown;
    return e;
}

sx *sx_select(ax_arena *ar, sx *cond, sx *a, sx *b)
{
    if (cond->kind == SX_CONST)
        return cond->v != 0 ? a : b;
    sx *e = node(ar, SX_SELECT);
    e->a = cond;
    e->b = a;
    e->c = b;
    e->dim = (a->unknown && !b->unknown) ? b->dim : a->dim;
    e->boolean = a->boolean && b->boolean;
    e->unknown = cond->unknown || a->unknown || b->unknown;
    return e;
}

sx *sx_rand(ax_arena *ar, int dist, int draw)
{
    sx *e = node(ar, SX_RAND);
    e->fn = dist;
    e->idx = draw;
    return e;
}

double sx_table_value(const sx_table *tab, double row, double col)
{
    double r = floor(row), c = floor(col);
    r = r < 0 || r != r ? 0 : r > (double)(tab->nrows - 1) ? (double)(tab->nrows - 1) : r;
    c = c < 0 || c != c ? 0 : c > (double)(tab->ncols - 1) ? (double)(tab->ncols - 1) : c;
    return tab->v[(long)r * tab->ncols + (long)c];
}

sx *sx_table_at(ax_arena *ar, const sx_table *tab, sx *row, sx *col)
{
    if (row && row->kind == SX_CONST && (!col || col->kind == SX_CONST))
        return sx_const(ar, sx_table_value(tab, row->v, col ? col->v : 0), DIM_NONE);
    sx *e = node(ar, SX_TABLE);
    e->tab = tab;
    e->a = row;
    e->b = col;
    return e;
}

sx *sx_add(ax_arena *ar, sx *a, sx *b)
{
    return sx_bin(ar, SX_ADD, a, b);
}
sx *sx_sub(ax_arena *ar, sx *a, sx *b)
{
    return sx_bin(ar, SX_SUB, a, b);
}
sx *sx_mul(ax_arena *ar, sx *a, sx *b)
{
    return sx_bin(ar, SX_MUL, a, b);
}
sx *sx_div(ax_arena *ar, sx *a, sx *b)
{
    return sx_bin(ar, SX_DIV, a, b);
}
static sx *sx_pow(ax_arena *ar, sx *a, sx *b)
{
    return sx_bin(ar, SX_POW, a, b);
}
static sx *num(ax_arena *ar, double v)
{
    return sx_const(ar, v, DIM_NONE);
}

/* A zero of a given dimension (the result of x*0, x-x, d(const)/dx ...). */
static sx *zero(ax_arena *ar, ax_dim dim, bool unknown)
{
    sx *e = sx_const(ar, 0.0, dim);
    e->unknown = unknown;
    return e;
}

static const struct {
    const char *name;
    int arity;
} FNS[FN_COUNT] = {
    [FN_EXP] = {"exp", 1},     [FN_LOG] = {"log", 1},       [FN_LOG10] = {"log10", 1},
    [FN_SQRT] = {"sqrt", 1},   [FN_SIN] = {"sin", 1},       [FN_COS] = {"cos", 1},
    [FN_TAN] = {"tan", 1},     [FN_TANH] = {"tanh", 1},     [FN_SINH] = {"sinh", 1},
    [FN_COSH] = {"cosh", 1},   [FN_ATAN] = {"atan", 1},     [FN_ABS] = {"abs", 1},
    [FN_FLOOR] = {"floor", 1}, [FN_CEIL] = {"ceil", 1},     [FN_SIGMOID] = {"sigmoid", 1},
    [FN_PHI] = {"Phi", 1},     [FN_EXPREL] = {"exprel", 1}, [FN_EXPM1] = {"expm1", 1},
    [FN_MIN] = {"min", 2},     [FN_MAX] = {"max", 2},       [FN_ATAN2] = {"atan2", 2},
    [FN_CLIP] = {"clip", 3},     [FN_SIGN] = {"sign", 1},     [FN_ROUND] = {"round", 1},
    [FN_MOD] = {"mod", 2},
};

int sx_fn_arity(sx_fn fn)
{
    return (unsigned)fn < FN_COUNT ? FNS[fn].arity : 0;
}
const char *sx_fn_name(sx_fn fn)
{
    return (unsigned)fn < FN_COUNT ? FNS[fn].name : "?";
}

/* Functions the checker knows by name besides FNS (random draws, tables, vectors, inputs). */
static const char *const SPECIAL_FNS[] = {"pow",   "rand", "uniform", "normal",       "randint",
                                          "timed", "topk", "sum",     "poisson_input"};

const char *sx_builtin_name(int k)
{
    if (k < 0)
        return NULL;
    if (k < FN_COUNT)
        return FNS[k].name;
    k -= FN_COUNT;
    return (size_t)k < sizeof SPECIAL_FNS / sizeof *SPECIAL_FNS ? SPECIAL_FNS[k] : NULL;
}

bool sx_is_builtin(const char *name)
{
    for (int k = 0; sx_builtin_name(k); k++)
        if (!strcmp(sx_builtin_name(k), name))
            return true;
    return false;
}

int sx_fn_lookup(const char *name)
{
    for (int i = 0; i < FN_COUNT; i++)
        if (!strcmp(FNS[i].name, name))
            return i;
    return -1;
}

/* ---- numbers --------------------------------------------------------------------------------- */

double sx_apply_fn(sx_fn fn, double a, double b, double c)
{
    switch (fn) {
    case FN_EXP: return exp(a);
    case FN_LOG: return log(a);
    case FN_LOG10: return log10(a);
    case FN_SQRT: return sqrt(a);
    case FN_SIN: return sin(a);
    case FN_COS: return cos(a);
    case FN_TAN: return tan(a);
    case FN_TANH: return tanh(a);
    case FN_SINH: return sinh(a);
    case FN_COSH: return cosh(a);
    case FN_ATAN: return atan(a);
    case FN_ABS: return fabs(a);
    case FN_FLOOR: return floor(a);
    case FN_ROUND: return round(a);
    case FN_SIGN: return a > 0 ? 1.0 : a < 0 ? -1.0 : 0.0;
    case FN_MOD: return a - b * floor(a / b);
    case FN_CEIL: return ceil(a);
    case FN_SIGMOID: return 1.0 / (1.0 + exp(-a));
    /* erfc keeps the lower tail accurate where 0.5 * (1 + erf) would cancel */
    case FN_PHI: return 0.5 * erfc(-a * SQRT1_2);
    case FN_EXPREL: return a == 0 ? 1.0 : expm1(a) / a;
    case FN_EXPM1: return expm1(a);
    case FN_MIN: return fmin(a, b);
    case FN_MAX: return fmax(a, b);
    case FN_ATAN2: return atan2(a, b);
    case FN_CLIP: return fmin(fmax(a, b), c);
    default: return NAN;
    }
}

double sx_eval(const sx *e, sx_lookup lookup, void *ctx)
{
    switch (e->kind) {
    case SX_CONST: return e->v;
    case SX_VAR: return lookup ? lookup(ctx, e->space, e->idx) : NAN;
    case SX_RAND: return e->fn == SXR_UNIFORM ? 0.5 : 0.0;
    case SX_NEG: return -sx_eval(e->a, lookup, ctx);
    case SX_NOT: return sx_eval(e->a, lookup, ctx) == 0 ? 1.0 : 0.0;
    case SX_AND: /* short-circuit like the generated code */
        return (sx_eval(e->a, lookup, ctx) != 0 && sx_eval(e->b, lookup, ctx) != 0) ? 1.0 : 0.0;
    case SX_OR:
        return (sx_eval(e->a, lookup, ctx) != 0 || sx_eval(e->b, lookup, ctx) != 0) ? 1.0 : 0.0;
    case SX_SELECT:
        return sx_eval(e->a, lookup, ctx) != 0 ? sx_eval(e->b, lookup, ctx)
                                               : sx_eval(e->c, lookup, ctx);
    case SX_TABLE:
        return sx_table_value(e->tab, e->a ? sx_eval(e->a, lookup, ctx) : 0,
                              e->b ? sx_eval(e->b, lookup, ctx) : 0);
    case SX_CALL: {
        double a = sx_eval(e->a, lookup, ctx);
        double b = e->b ? sx_eval(e->b, lookup, ctx) : 0;
        double c = e->c ? sx_eval(e->c, lookup, ctx) : 0;
        return sx_apply_fn((sx_fn)e->fn, a, b, c);
    }
    case SX_EXT: {
        double args[3] = {e->a ? sx_eval(e->a, lookup, ctx) : 0,
                          e->b ? sx_eval(e->b, lookup, ctx) : 0,
                          e->c ? sx_eval(e->c, lookup, ctx) : 0};
        double r;
        return sx_call_extern(e->ext, args, &r) ? r : NAN;
    }
    default: return apply_bin(e->kind, sx_eval(e->a, lookup, ctx), sx_eval(e->b, lookup, ctx));
    }
}

/* ---- structure ------------------------------------------------------------------------------- */

bool sx_is_param_const(const sx *e)
{
    if (!e)
        return true;
    switch (e->kind) {
    case SX_CONST: return true;
    case SX_VAR: return e->space == VS_SHARED || e->space == VS_DERIVED;
    case SX_RAND:
    case SX_TABLE:
    case SX_EXT: /* an extern C function: the compiler may not be able to call it (without
                    libffi), so no exact propagator is computed from it when the model is
                    built; code generation still derives it with the parameters, at run time */
        return false;
    default:
        return sx_is_param_const(e->a) && sx_is_param_const(e->b) && sx_is_param_const(e->c);
    }
}

bool sx_is_const(const sx *e)
{
    return e->kind == SX_CONST;
}
bool sx_numbers_only(const sx *e)
{
    if (!e || e->kind == SX_CONST)
        return true;
    if (e->kind == SX_VAR || e->kind == SX_RAND || e->kind == SX_TABLE || e->kind == SX_EXT)
        return false;
    return sx_numbers_only(e->a) && sx_numbers_only(e->b) && sx_numbers_only(e->c);
}

bool sx_is_zero(const sx *e)
{
    return e->kind == SX_CONST && e->v == 0;
}
bool sx_is_one(const sx *e)
{
    return e->kind == SX_CONST && e->v == 1;
}

static bool is_dimless_one(const sx *e)
{
    return sx_is_one(e) && dim_is_none(e->dim);
}

bool sx_equal(const sx *a, const sx *b)
{
    if (a == b)
        return true;
    if (!a || !b || a->kind != b->kind)
        return false;
    switch (a->kind) {
    case SX_CONST:
        /* bit for bit, so 0 and -0 (and distinct nans) stay apart */
        return memcmp(&a->v, &b->v, sizeof a->v) == 0 && dim_eq(a->dim, b->dim);
    case SX_VAR: return a->space == b->space && a->idx == b->idx;
    case SX_RAND: return a->fn == b->fn && a->idx == b->idx;
    case SX_TABLE:
        if (a->tab != b->tab)
            return false;
        break;
    case SX_CALL:
        if (a->fn != b->fn)
            return false;
        break;
    case SX_EXT:
        if (a->ext != b->ext)
            return false;
        break;
    default: break;
    }
    return sx_equal(a->a, b->a) && sx_equal(a->b, b->b) && sx_equal(a->c, b->c);
}

bool sx_uses(const sx *e, int space, int idx)
{
    if (!e)
        return false;
    if (e->kind == SX_VAR)
        return e->space == space && (idx < 0 || e->idx == idx);
    return sx_uses(e->a, space, idx) || sx_uses(e->b, space, idx) || sx_uses(e->c, space, idx);
}

/* The node kind of e with new children, through the folding constructors.
 * A same-kind rebuild keeps e's span: it still stands for that source. */
static sx *rebuild(ax_arena *ar, const sx *e, sx *a, sx *b, sx *c)
{
    sx *n;
    switch (e->kind) {
    case SX_CONST:
    case SX_VAR:
    case SX_RAND: return (sx *)e;
    case SX_NEG: n = sx_neg(ar, a); break;
    case SX_NOT: n = sx_not(ar, a); break;
    case SX_CALL: n = sx_call(ar, (sx_fn)e->fn, a, b, c); break;
    case SX_EXT: n = sx_ext(ar, e->ext, a, b, c); break;
    case SX_TABLE: n = sx_table_at(ar, e->tab, a, b); break;
    case SX_SELECT: n = sx_select(ar, a, b, c); break;
    default: n = sx_bin(ar, e->kind, a, b); break;
    }
    if (n->kind == e->kind && n != a && n != b && n != c)
        n->span = e->span;
    return n;
}

sx *sx_subst(ax_arena *ar, sx *e, int space, int idx, sx *r)
{
    if (!e)
        return NULL;
    if (e->kind == SX_VAR)
        return (e->space == space && e->idx == idx) ? r : e;
    if (!sx_uses(e, space, idx))
        return e;
    sx *a = sx_subst(ar, e->a, space, idx, r);
    sx *b = sx_subst(ar, e->b, space, idx, r);
    sx *c = sx_subst(ar, e->c, space, idx, r);
    return rebuild(ar, e, a, b, c);
}

/* ---- simplification -------------------------------------------------------------------------- */

static bool is_unary_minus(const sx *e)
{
    return e->kind == SX_NEG || (e->kind == SX_CONST && e->v < 0);
}

/* One local rewrite at n, whose children are already simplified; returns n
 * when no rule applies. Every rule yields a tree with fewer nodes, so
 * repeating passes reaches a fixed point. No rule changes a value beyond
 * rounding, except x*0 and 0/x (which assume x finite and nonzero; where x is made of numbers
 * alone and did not fold, it is not, and they do not apply). */
static sx *rewrite(ax_arena *ar, sx *n)
{
    sx *a = n->a, *b = n->b;
    switch (n->kind) {
    case SX_ADD:
        if (sx_is_zero(b))
            return a;
        if (sx_is_zero(a))
            return b;
        if (b->kind == SX_NEG) /* x + -y = x - y exactly */
            return sx_sub(ar, a, b->a);
        if (a->kind == SX_NEG)
            return sx_sub(ar, b, a->a);
        break;
    case SX_SUB:
        if (sx_is_zero(b))
            return a;
        if (sx_is_zero(a))
            return sx_neg(ar, b);
        if (sx_equal(a, b))
            return zero(ar, n->dim, n->unknown);
        if (b->kind == SX_NEG)
            return sx_add(ar, a, b->a);
        break;
    case SX_MUL:
        /* not 0 * (1 / 0): a part of numbers alone that did not fold is inf or NaN */
        if ((sx_is_zero(a) && !sx_numbers_only(b)) || (sx_is_zero(b) && !sx_numbers_only(a)))
            return zero(ar, n->dim, n->unknown);
        /* a dimensioned one (1 V) changes the dimension, so it stays */
        if (is_dimless_one(b))
            return a;
        if (is_dimless_one(a))
            return b;
        if (a->kind == SX_NEG && b->kind == SX_NEG)
            return sx_mul(ar, a->a, b->a);
        /* constants first: x * c -> c * x; a parameter constant (sx_is_param_const) counts
           as a constant, before anything else */
        if (b->kind == SX_CONST || (sx_is_param_const(b) && !sx_is_param_const(a))) {
            sx *t = a;
            a = b;
            b = t;
        }
        if (a->kind == SX_CONST && a->v == -1 && dim_is_none(a->dim))
            return sx_neg(ar, b);
        if (sx_is_param_const(a)) {
            if (b->kind == SX_NEG) /* c * -x -> (-c) * x */
                return sx_mul(ar, sx_neg(ar, a), b->a);
            /* c2 * (c1 * x) -> (c2 c1) * x */
            if (b->kind == SX_MUL && (sx_is_param_const(b->a) || sx_is_param_const(b->b))) {
                sx *c1 = sx_is_param_const(b->a) ? b->a : b->b;
                sx *x = c1 == b->a ? b->b : b->a;
                sx *k = sx_mul(ar, a, c1);
                if (sx_is_param_const(k))
                    return sx_mul(ar, k, x);
            }
        }
        break;
    case SX_DIV:
        if (is_dimless_one(b))
            return a;
        if (sx_is_zero(a) && !sx_numbers_only(b)) /* not 0 / 0 */
            return zero(ar, n->dim, n->unknown);
        if (a->kind == SX_NEG && b->kind == SX_NEG)
            return sx_div(ar, a->a, b->a);
        break;
    case SX_POW:
        if (sx_is_one(b))
            return a;
        if (sx_is_zero(b)) /* pow(x, 0) is 1 for every x, nan included */
            return num(ar, 1.0);
        break;
    case SX_NEG:
        if (a->kind == SX_NEG)
            return a->a;
        if (a->kind == SX_SUB) /* -(x - y) = y - x: rounding is symmetric */
            return sx_sub(ar, a->b, a->a);
        break;
    case SX_NOT:
        if (a->kind == SX_NOT && a->a->boolean)
            return a->a;
        break;
    case SX_SELECT:
        if (sx_equal(n->b, n->c))
            return n->b;
        break;
    default: break;
    }
    return n;
}

static sx *simplify_pass(ax_arena *ar, sx *e)
{
    if (!e || e->kind == SX_CONST || e->kind == SX_VAR || e->kind == SX_RAND)
        return e;
    sx *a = simplify_pass(ar, e->a);
    sx *b = simplify_pass(ar, e->b);
    sx *c = simplify_pass(ar, e->c);
    sx *n = e;
    bool all_const = (!a || a->kind == SX_CONST) && (!b || b->kind == SX_CONST) &&
                     (!c || c->kind == SX_CONST) && (a || e->kind != SX_TABLE);
    /* rebuild on change, and also for constant children: a hand-built node
     * may have skipped folding */
    if (a != e->a || b != e->b || c != e->c || all_const ||
        (e->kind == SX_SELECT && a->kind == SX_CONST)) {
        n = rebuild(ar, e, a, b, c);
        if (a == e->a && b == e->b && c == e->c && n->kind == e->kind && n->a == a && n->b == b &&
            n->c == c)
            n = e; /* nothing folded: keep the original node */
    }
    return rewrite(ar, n);
}

sx *sx_simplify(ax_arena *ar, sx *e)
{
    /* each pass that changes something removes nodes, so this bound is never
     * reached in practice; it only guards against a rule cycle */
    for (int i = 0; i < 1000; i++) {
        sx *n = simplify_pass(ar, e);
        if (n == e)
            break;
        e = n;
    }
    return e;
}

/* ---- differentiation ------------------------------------------------------------------------- */

typedef struct {
    ax_arena *ar;
    int space, idx;
    ax_dim xdim;
    bool xunknown;
} diff_ctx;

static sx *dzero(const diff_ctx *d, const sx *e)
{
    return zero(d->ar, dim_div(e->dim, d->xdim), e->unknown || d->xunknown);
}

static sx *diff_rec(const diff_ctx *d, sx *e);

/* f'(u) * u' for a one-argument function, given f'(u). */
static sx *chain(const diff_ctx *d, sx *fprime, sx *u)
{
    return sx_mul(d->ar, fprime, diff_rec(d, u));
}

/* Derivative of exprel at u. The closed form ((u - 1) e^u + 1) / u^2 is
 * written with expm1 to lose less to cancellation; near 0, where it still
 * cancels (error about 4e-16 / |u|), the Taylor series takes over: its
 * truncation error below 0.01 is under 2e-16. */
static sx *exprel_prime(ax_arena *ar, sx *u)
{
    static const double coef[] = {1.0 / 2, 1.0 / 3, 1.0 / 8, 1.0 / 30, 1.0 / 144, 1.0 / 840};
    int n = (int)(sizeof coef / sizeof coef[0]);
    sx *series = num(ar, coef[n - 1]);
    for (int k = n - 2; k >= 0; k--)
        series = sx_add(ar, num(ar, coef[k]), sx_mul(ar, u, series));
    sx *em1 = sx_call(ar, FN_EXPM1, u, NULL, NULL);
    sx *closed = sx_div(ar, sx_add(ar, sx_mul(ar, sx_sub(ar, u, num(ar, 1)), em1), u),
                        sx_pow(ar, u, num(ar, 2)));
    sx *small = sx_bin(ar, SX_LT, sx_call(ar, FN_ABS, u, NULL, NULL), num(ar, 0.01));
    return sx_select(ar, small, series, closed);
}

static sx *diff_call(const diff_ctx *d, sx *e)
{
    ax_arena *ar = d->ar;
    sx *u = e->a;
    switch ((sx_fn)e->fn) {
    case FN_EXP: return chain(d, e, u);
    case FN_EXPM1: return chain(d, sx_call(ar, FN_EXP, u, NULL, NULL), u);
    case FN_LOG: return sx_div(ar, diff_rec(d, u), u);
    case FN_LOG10: return sx_div(ar, diff_rec(d, u), sx_mul(ar, u, num(ar, LN10)));
    case FN_SQRT: return sx_div(ar, diff_rec(d, u), sx_mul(ar, num(ar, 2), e));
    case FN_SIN: return chain(d, sx_call(ar, FN_COS, u, NULL, NULL), u);
    case FN_COS: return chain(d, sx_neg(ar, sx_call(ar, FN_SIN, u, NULL, NULL)), u);
    case FN_SINH: return chain(d, sx_call(ar, FN_COSH, u, NULL, NULL), u);
    case FN_COSH: return chain(d, sx_call(ar, FN_SINH, u, NULL, NULL), u);
    /* 1 / cos^2 and 1 / cosh^2 rather than 1 + tan^2 and 1 - tanh^2: the
     * latter cancels for large |u| */
    case FN_TAN:
        return sx_div(ar, diff_rec(d, u),
                      sx_pow(ar, sx_call(ar, FN_COS, u, NULL, NULL), num(ar, 2)));
    case FN_TANH:
        return sx_div(ar, diff_rec(d, u),
                      sx_pow(ar, sx_call(ar, FN_COSH, u, NULL, NULL), num(ar, 2)));
    case FN_ATAN:
        return sx_div(ar, diff_rec(d, u), sx_add(ar, num(ar, 1), sx_pow(ar, u, num(ar, 2))));
    case FN_ABS: { /* sign(u) u', with sign(0) = 0 */
        sx *du = diff_rec(d, u);
        sx *z = zero(ar, du->dim, du->unknown);
        sx *neg =
            sx_select(ar, sx_bin(ar, SX_LT, u, zero(ar, u->dim, u->unknown)), sx_neg(ar, du), z);
        return sx_select(ar, sx_bin(ar, SX_GT, u, zero(ar, u->dim, u->unknown)), du, neg);
    }
    case FN_FLOOR:
    case FN_ROUND:
    case FN_SIGN:
    case FN_CEIL: return dzero(d, e);
    case FN_MOD: /* a' - b' floor(a / b) */
        return sx_sub(ar, diff_rec(d, u),
                      sx_mul(ar, diff_rec(d, e->b),
                             sx_call(ar, FN_FLOOR, sx_div(ar, u, e->b), NULL, NULL)));
    case FN_SIGMOID: /* s(u) (1 - s(u)) = s(u) s(-u), which keeps the tails exact */
        return chain(d, sx_mul(ar, e, sx_call(ar, FN_SIGMOID, sx_neg(ar, u), NULL, NULL)), u);
    case FN_PHI: {
        sx *q = sx_div(ar, sx_neg(ar, sx_pow(ar, u, num(ar, 2))), num(ar, 2));
        return chain(d, sx_mul(ar, num(ar, INV_SQRT_2PI), sx_call(ar, FN_EXP, q, NULL, NULL)), u);
    }
    case FN_EXPREL: return chain(d, exprel_prime(ar, u), u);
    case FN_MIN:
        return sx_select(ar, sx_bin(ar, SX_LE, u, e->b), diff_rec(d, u), diff_rec(d, e->b));
    case FN_MAX:
        return sx_select(ar, sx_bin(ar, SX_GE, u, e->b), diff_rec(d, u), diff_rec(d, e->b));
    case FN_ATAN2: { /* (x y' - y x') / (x^2 + y^2) for atan2(y, x) */
        sx *y = u, *x = e->b;
        sx *top = sx_sub(ar, sx_mul(ar, x, diff_rec(d, y)), sx_mul(ar, y, diff_rec(d, x)));
        return sx_div(ar, top, sx_add(ar, sx_pow(ar, x, num(ar, 2)), sx_pow(ar, y, num(ar, 2))));
    }
    case FN_CLIP: { /* min(max(x, lo), hi), branch for branch as sx_apply_fn does it */
        sx *m = sx_call(ar, FN_MAX, u, e->b, NULL);
        sx *dm = sx_select(ar, sx_bin(ar, SX_GE, u, e->b), diff_rec(d, u), diff_rec(d, e->b));
        return sx_select(ar, sx_bin(ar, SX_LE, m, e->c), dm, diff_rec(d, e->c));
    }
    default: return dzero(d, e);
    }
}

static sx *diff_rec(const diff_ctx *d, sx *e)
{
    ax_arena *ar = d->ar;
    if (!sx_uses(e, d->space, d->idx))
        return dzero(d, e);
    sx *a = e->a, *b = e->b;
    switch (e->kind) {
    case SX_VAR: { /* sx_uses said it is x */
        sx *one = num(ar, 1.0);
        one->unknown = d->xunknown;
        return one;
    }
    case SX_ADD: return sx_add(ar, diff_rec(d, a), diff_rec(d, b));
    case SX_SUB: return sx_sub(ar, diff_rec(d, a), diff_rec(d, b));
    case SX_NEG: return sx_neg(ar, diff_rec(d, a));
    case SX_MUL: return sx_add(ar, sx_mul(ar, diff_rec(d, a), b), sx_mul(ar, a, diff_rec(d, b)));
    case SX_DIV:
        /* a'/b - (a/b)(b'/b): no b^2, which would overflow before a/b does */
        return sx_sub(ar, sx_div(ar, diff_rec(d, a), b),
                      sx_mul(ar, sx_div(ar, a, b), sx_div(ar, diff_rec(d, b), b)));
    case SX_POW:
        if (!sx_uses(b, d->space, d->idx)) /* b a^(b-1) a' */
            return sx_mul(ar, sx_mul(ar, b, sx_pow(ar, a, sx_sub(ar, b, num(ar, 1)))),
                          diff_rec(d, a));
        /* a^b (b' ln a + b a'/a) */
        return sx_mul(ar, e,
                      sx_add(ar, sx_mul(ar, diff_rec(d, b), sx_call(ar, FN_LOG, a, NULL, NULL)),
                             sx_mul(ar, b, sx_div(ar, diff_rec(d, a), a))));
    case SX_CALL: return diff_call(d, e);
    case SX_EXT:
        /* a C function has no derivative here: its call stands in for one, so that nothing
           that depends on x looks constant (uses_nonsmooth keeps it out of linearity tests) */
        if (sx_uses(e, d->space, d->idx))
            return e;
        return dzero(d, e);
    case SX_SELECT: return sx_select(ar, a, diff_rec(d, b), diff_rec(d, e->c));
    default: return dzero(d, e); /* comparisons and logic are piecewise constant */
    }
}

sx *sx_diff_dim(ax_arena *ar, sx *e, int space, int idx, ax_dim xdim)
{
    diff_ctx d = {ar, space, idx, xdim, false};
    return sx_simplify(ar, diff_rec(&d, e));
}

static const sx *find_var(const sx *e, int space, int idx)
{
    if (!e)
        return NULL;
    if (e->kind == SX_VAR)
        return (e->space == space && e->idx == idx) ? e : NULL;
    const sx *r = find_var(e->a, space, idx);
    if (!r)
        r = find_var(e->b, space, idx);
    if (!r)
        r = find_var(e->c, space, idx);
    return r;
}

sx *sx_diff(ax_arena *ar, sx *e, int space, int idx)
{
    const sx *x = find_var(e, space, idx);
    if (!x) /* d e/dx = 0, but the dimension of x is not known from here */
        return zero(ar, e->dim, true);
    diff_ctx d = {ar, space, idx, x->dim, x->unknown};
    return sx_simplify(ar, diff_rec(&d, e));
}

/* Does x occur where the derivative conventions hide a kink or a jump
 * (comparisons, conditions, floor, abs, min ...)? There a zero second
 * derivative proves nothing. */
static bool uses_nonsmooth(const sx *e, int space, int idx)
{
    if (!e || !sx_uses(e, space, idx))
        return false;
    switch (e->kind) {
    case SX_LT:
    case SX_GT:
    case SX_LE:
    case SX_GE:
    case SX_EQ:
    case SX_NE:
    case SX_AND:
    case SX_OR:
    case SX_NOT:
    case SX_TABLE: return true; /* piecewise constant */
    case SX_EXT: return true;   /* a C function: nothing is known of its shape */
    case SX_SELECT:
        if (sx_uses(e->a, space, idx))
            return true;
        break;
    case SX_CALL:
        switch ((sx_fn)e->fn) {
        case FN_ABS:
        case FN_FLOOR:
        case FN_ROUND:
        case FN_SIGN:
        case FN_MOD:
        case FN_CEIL:
        case FN_MIN:
        case FN_MAX:
        case FN_CLIP:
        case FN_ATAN2: return true; /* atan2 jumps by 2 pi across the negative x axis */
        default: break;
        }
        break;
    default: break;
    }
    return uses_nonsmooth(e->a, space, idx) || uses_nonsmooth(e->b, space, idx) ||
           uses_nonsmooth(e->c, space, idx);
}

bool sx_linear_in(ax_arena *ar, sx *e, int space, int idx, sx **A, sx **B)
{
    const sx *x = find_var(e, space, idx);
    if (!x) { /* constant in x: A = e, B = 0 (of unknown dimension) */
        if (A)
            *A = sx_simplify(ar, e);
        if (B)
            *B = zero(ar, e->dim, true);
        return true;
    }
    if (uses_nonsmooth(e, space, idx))
        return false;
    diff_ctx d = {ar, space, idx, x->dim, x->unknown};
    sx *b = sx_simplify(ar, diff_rec(&d, e));
    if (sx_uses(b, space, idx))
        return false;
    sx *b2 = sx_simplify(ar, diff_rec(&d, b));
    if (!sx_is_zero(b2))
        return false;
    if (A)
        *A = sx_simplify(ar, sx_subst(ar, e, space, idx, zero(ar, x->dim, x->unknown)));
    if (B)
        *B = b;
    return true;
}

/* Brian2's conditional linearity: x enters e through sums, products, integer powers and
 * numerators only, or else through subterms that are frozen at their value at the start of
 * the step (a function's argument, a denominator, a non-integer power, a condition). freeze
 * replaces each such subterm by a placeholder (space VS_COUNT, numbered in *n, kept in hold). */
typedef struct {
    ax_arena *ar;
    int space, idx;
    sx **hold;
    int n, cap;
} freeze_ctx;

static sx *placeholder(freeze_ctx *f, sx *e)
{
    if (f->n == f->cap) {
        f->hold = arena_grow(f->ar, f->hold, (size_t)f->cap, (size_t)f->cap * 2 + 8,
                             sizeof *f->hold);
        f->cap = f->cap * 2 + 8;
    }
    f->hold[f->n] = e;
    sx *r = sx_var(f->ar, VS_COUNT, f->n++, "_frozen", e->dim);
    r->boolean = e->boolean;
    r->unknown = e->unknown;
    return r;
}

static bool is_x(const freeze_ctx *f, const sx *e)
{
    return e->kind == SX_VAR && e->space == f->space && e->idx == f->idx;
}

static sx *freeze(freeze_ctx *f, sx *e)
{
    if (!e || !sx_uses(e, f->space, f->idx))
        return e;
    switch (e->kind) {
    case SX_VAR: return e;
    case SX_ADD: case SX_SUB: case SX_MUL: case SX_NEG: break;
    case SX_DIV:
        /* a / x^k is not linear (Brian2 refuses it too); any other denominator is frozen */
        if (sx_uses(e->b, f->space, f->idx) && !is_x(f, e->b) &&
            !(e->b->kind == SX_POW && is_x(f, e->b->a)))
            return rebuild(f->ar, e, freeze(f, e->a), placeholder(f, e->b), NULL);
        break;
    case SX_POW:
        if (e->b->kind == SX_CONST && e->b->v >= 1 && e->b->v == floor(e->b->v))
            break; /* a polynomial: expanded, as sympy does */
        return is_x(f, e->a) ? e : placeholder(f, e);
    default: return placeholder(f, e);
    }
    return rebuild(f->ar, e, freeze(f, e->a), freeze(f, e->b), freeze(f, e->c));
}

bool sx_cond_linear_in(ax_arena *ar, sx *e, int space, int idx, sx **A, sx **B)
{
    freeze_ctx f = {ar, space, idx, NULL, 0, 0};
    sx *fe = freeze(&f, e);
    sx *a, *b;
    if (!sx_linear_in(ar, fe, space, idx, &a, &b))
        return false;
    for (int k = 0; k < f.n; k++) {
        a = sx_subst(ar, a, VS_COUNT, k, f.hold[k]);
        b = sx_subst(ar, b, VS_COUNT, k, f.hold[k]);
    }
    if (A)
        *A = sx_simplify(ar, a);
    if (B)
        *B = sx_simplify(ar, b);
    return true;
}

/* ---- printing -------------------------------------------------------------------------------- */

enum { P_SELECT, P_OR, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_UNARY, P_POW, P_ATOM };

static int prec(const sx *e)
{
    switch (e->kind) {
    case SX_CONST: return (e->v < 0 && !e->boolean) ? P_UNARY : P_ATOM;
    case SX_SELECT: return P_SELECT;
    case SX_OR: return P_OR;
    case SX_AND: return P_AND;
    case SX_NOT: return P_NOT;
    case SX_ADD:
    case SX_SUB: return P_ADD;
    case SX_MUL:
    case SX_DIV: return P_MUL;
    case SX_NEG: return P_UNARY;
    case SX_POW: return P_POW;
    default: return is_cmp(e->kind) ? P_CMP : P_ATOM;
    }
}

static const char *op_text(sx_kind k)
{
    switch (k) {
    case SX_ADD: return " + ";
    case SX_SUB: return " - ";
    case SX_MUL: return " * ";
    case SX_DIV: return " / ";
    case SX_POW: return "^";
    case SX_LT: return " < ";
    case SX_GT: return " > ";
    case SX_LE: return " <= ";
    case SX_GE: return " >= ";
    case SX_EQ: return " == ";
    case SX_NE: return " != ";
    case SX_AND: return " and ";
    case SX_OR: return " or ";
    default: return " ? ";
    }
}

static void print_rec(const sx *e, strbuf *sb, int min_prec);

/* The right operand of an arithmetic operator: a leading minus there ("a - -b",
 * "x^-2") is legal but reads badly, so it gets parentheses. */
static void print_right(const sx *e, strbuf *sb, int min_prec)
{
    print_rec(e, sb, is_unary_minus(e) ? P_ATOM : min_prec);
}

static void print_const(const sx *e, strbuf *sb)
{
    char buf[32];
    if (e->boolean)
        sb_puts(sb, e->v != 0 ? "true" : "false");
    else if (isnan(e->v))
        sb_puts(sb, "nan");
    else if (isinf(e->v))
        sb_puts(sb, e->v > 0 ? "inf" : "-inf");
    else
        sb_puts(sb, fmt_double(buf, e->v));
}

static void print_rec(const sx *e, strbuf *sb, int min_prec)
{
    int p = prec(e);
    bool paren = p < min_prec;
    if (paren)
        sb_putc(sb, '(');
    switch (e->kind) {
    case SX_CONST: print_const(e, sb); break;
    case SX_VAR:
        if (e->name) {
            /* the side of a synapse's neuron variables matters to a reader */
            if (e->space == VS_PRE || e->space == VS_POST)
                sb_puts(sb, e->space == VS_PRE ? "pre." : "post.");
            sb_puts(sb, e->name);
        }
        else
            sb_printf(sb, "%d#%d", e->space, e->idx);
        break;
    case SX_RAND: sb_puts(sb, e->fn == SXR_NORMAL ? "normal()" : "rand()"); break;
    case SX_TABLE:
        sb_printf(sb, "\"%s\"[", e->tab->path);
        if (e->a)
            print_rec(e->a, sb, P_SELECT);
        else
            sb_puts(sb, "s");
        if (e->b) {
            sb_puts(sb, ", ");
            print_rec(e->b, sb, P_SELECT);
        }
        sb_putc(sb, ']');
        break;
    case SX_NEG:
        sb_putc(sb, '-');
        print_rec(e->a, sb, P_POW);
        break;
    case SX_NOT:
        sb_puts(sb, "not ");
        print_rec(e->a, sb, P_NOT);
        break;
    case SX_EXT:
    case SX_CALL:
        sb_puts(sb, e->kind == SX_EXT ? e->ext->name : sx_fn_name((sx_fn)e->fn));
        sb_putc(sb, '(');
        print_rec(e->a, sb, P_SELECT);
        if (e->b) {
            sb_puts(sb, ", ");
            print_rec(e->b, sb, P_SELECT);
        }
        if (e->c) {
            sb_puts(sb, ", ");
            print_rec(e->c, sb, P_SELECT);
        }
        sb_putc(sb, ')');
        break;
    case SX_SELECT:
        sb_puts(sb, "if ");
        print_rec(e->a, sb, P_OR);
        sb_puts(sb, " then ");
        print_rec(e->b, sb, P_OR);
        sb_puts(sb, " else ");
        print_rec(e->c, sb, P_SELECT); /* "else if" chains read naturally */
        break;
    case SX_POW: /* right associative: a^b^c is a^(b^c) */
        print_rec(e->a, sb, P_ATOM);
        sb_puts(sb, op_text(e->kind));
        print_right(e->b, sb, P_POW);
        break;
    default:
        if (is_cmp(e->kind)) { /* non-associative: both sides bind tighter */
            print_rec(e->a, sb, P_ADD);
            sb_puts(sb, op_text(e->kind));
            print_rec(e->b, sb, P_ADD);
        } else { /* left associative; a right operand of equal rank keeps its parentheses */
            print_rec(e->a, sb, p);
            sb_puts(sb, op_text(e->kind));
            if (p == P_ADD || p == P_MUL)
                print_right(e->b, sb, p + 1);
            else
                print_rec(e->b, sb, p + 1);
        }
        break;
    }
    if (paren)
        sb_putc(sb, ')');
}

void sx_print(const sx *e, strbuf *sb)
{
    print_rec(e, sb, P_SELECT);
}

/* ---- extern functions ------------------------------------------------------------------------ */

bool sx_call_extern(const sx_extern *ext, const double *args, double *out)
{
#ifdef HAVE_REPL
    /* libffi: the call is built from the declared arity, not by casting the address to a
       function type chosen here */
    ffi_cif cif;
    ffi_type *types[3] = {&ffi_type_double, &ffi_type_double, &ffi_type_double};
    void *values[3] = {(void *)&args[0], (void *)&args[1], (void *)&args[2]};
    if (!ext || !ext->addr || ext->nargs < 0 || ext->nargs > 3 ||
        ffi_prep_cif(&cif, FFI_DEFAULT_ABI, (unsigned)ext->nargs, &ffi_type_double, types) != FFI_OK)
        return false;
    ffi_call(&cif, FFI_FN(ext->addr), out, values);
    return true;
#else
    (void)ext;
    (void)args;
    (void)out;
    return false;
#endif
}

sx *sx_ext(ax_arena *ar, const sx_extern *ext, sx *a, sx *b, sx *c)
{
    sx *args[3] = {a, b, c};
    bool constant = true;
    for (int k = 0; k < ext->nargs; k++)
        constant &= args[k] && args[k]->kind == SX_CONST;
    double v[3] = {0, 0, 0}, r;
    for (int k = 0; constant && k < ext->nargs; k++)
        v[k] = args[k]->v;
    if (constant && sx_call_extern(ext, v, &r) && isfinite(r))
        return sx_const(ar, r, DIM_NONE);
    sx *e = arena_alloc(ar, sizeof *e);
    e->kind = SX_EXT;
    e->ext = ext;
    e->a = a;
    e->b = b;
    e->c = c;
    e->dim = DIM_NONE;
    e->span = SPAN_NONE;
    for (int k = 0; k < ext->nargs; k++)
        e->unknown |= args[k] && args[k]->unknown;
    return e;
}

/* ---- linear systems: the runtime's (one implementation for compiler and derive kernels) ---- */

bool sx_expm(int n, const double *M, double *out)
{
    return axon_expm(n, M, out) == 0;
}

int sx_propagator(int n, const double *A, double h, double *Phi, double *Gamma)
{
    return axon_propagator(n, A, h, Phi, Gamma);
}
