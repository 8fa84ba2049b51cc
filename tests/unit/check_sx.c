/* Symbolic expressions: folding, dimensions, simplification, derivatives
 * (against finite differences), linearity, evaluation, printing, and the
 * matrix exponential and propagator (against closed forms and series). */
#include "check_random.h"
#include "check_suites.h"

#include "sema/sx.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------------- */

typedef struct {
    double v[VS_COUNT][16];
} env;

static double lookup(void *ctx, int space, int idx)
{
    const env *e = ctx;
    return e->v[space][idx];
}

static double ev(const sx *e, env *pt)
{
    return sx_eval(e, lookup, pt);
}

static ax_dim d_siemens(void)
{
    return dim_div(DIM_CURRENT, DIM_VOLTAGE);
}
static ax_dim d_ohm(void)
{
    return dim_div(DIM_VOLTAGE, DIM_CURRENT);
}
static ax_dim d_farad(void)
{
    return dim_div(dim_mul(DIM_CURRENT, DIM_TIME), DIM_VOLTAGE);
}
static ax_dim d_hz(void)
{
    return dim_div(DIM_NONE, DIM_TIME);
}

/* A variable with a value in the evaluation point. */
static sx *var(ax_arena *ar, env *pt, int space, int idx, const char *name, ax_dim d, double val)
{
    pt->v[space][idx] = val;
    return sx_var(ar, space, idx, name, d);
}

static sx *num(ax_arena *ar, double v)
{
    return sx_const(ar, v, DIM_NONE);
}
static sx *qty(ax_arena *ar, double v, ax_dim d)
{
    return sx_const(ar, v, d);
}
static sx *call1(ax_arena *ar, sx_fn fn, sx *a)
{
    return sx_call(ar, fn, a, NULL, NULL);
}
static sx *powc(ax_arena *ar, sx *a, double p)
{
    return sx_bin(ar, SX_POW, a, num(ar, p));
}

/* A node built by hand, bypassing the folding constructors. */
static sx *raw(ax_arena *ar, sx_kind k, sx *a, sx *b, sx *c)
{
    sx *e = arena_alloc(ar, sizeof *e);
    e->kind = k;
    e->a = a;
    e->b = b;
    e->c = c;
    e->dim = DIM_NONE;
    e->span = SPAN_NONE;
    return e;
}

static sx *rawcall(ax_arena *ar, sx_fn fn, sx *a, sx *b, sx *c)
{
    sx *e = raw(ar, SX_CALL, a, b, c);
    e->fn = fn;
    return e;
}

static int count_nodes(const sx *e)
{
    return e ? 1 + count_nodes(e->a) + count_nodes(e->b) + count_nodes(e->c) : 0;
}

/* Evaluates e; *bad when any subexpression is not finite (then rewrites
 * such as x*0 -> 0 may legitimately change the value). */
static double ev_checked(const sx *e, env *pt, bool *bad)
{
    if (!e)
        return 0;
    double v = ev(e, pt);
    if (!isfinite(v))
        *bad = true;
    ev_checked(e->a, pt, bad);
    ev_checked(e->b, pt, bad);
    ev_checked(e->c, pt, bad);
    return v;
}

static char *show(const sx *e)
{
    strbuf sb = {0};
    sx_print(e, &sb);
    return sb_take(&sb);
}

#define ck_print(e, want)                                                                          \
    do {                                                                                           \
        char *got_ = show(e);                                                                      \
        ck_assert_str_eq(got_, want);                                                              \
        free(got_);                                                                                \
    } while (0)

/* d e / d x against Richardson-extrapolated central differences at pt.
 * The tolerance is 1e-6 relative, plus the rounding floor of the difference
 * quotient itself. xscale is the typical size of x (the step is relative to
 * max(|x|, xscale)). */
static void check_fd(ax_arena *ar, sx *e, int space, int idx, env *pt, double xscale,
                     const char *what)
{
    sx *d = sx_diff(ar, e, space, idx);
    double x0 = pt->v[space][idx];
    double h = 1e-4 * fmax(fabs(x0), xscale);
    double f[4];
    const double at[4] = {-h, h, -h / 2, h / 2};
    for (int i = 0; i < 4; i++) {
        pt->v[space][idx] = x0 + at[i];
        f[i] = ev(e, pt);
    }
    pt->v[space][idx] = x0;
    double f0 = ev(e, pt);
    double dv = ev(d, pt);
    double d1 = (f[1] - f[0]) / (2 * h), d2 = (f[3] - f[2]) / h;
    double fd = (4 * d2 - d1) / 3;
    double mag = fmax(fmax(fabs(f[0]), fabs(f[1])), fabs(f0));
    double tol = 1e-6 * fabs(dv) + 1e3 * DBL_EPSILON * mag / h;
    if (!(isfinite(dv) && fabs(fd - dv) <= tol)) {
        char *s = show(e), *sd = show(d);
        ck_abort_msg("%s: d/dx at x=%.17g: symbolic %.17g, numeric %.17g (tol %g)\n  e = %s\n  "
                     "de = %s",
                     what, x0, dv, fd, tol, s, sd);
        free(s);
        free(sd);
    }
}

/* ---- construction and dimensions ----------------------------------------------------------- */

START_TEST(test_fold_constants)
{
    ax_arena *ar = arena_new();
    sx *s = sx_add(ar, num(ar, 2), num(ar, 3));
    ck_assert_int_eq(s->kind, SX_CONST);
    ck_assert_double_eq(s->v, 5);
    ck_assert_double_eq(sx_sub(ar, num(ar, 2), num(ar, 3))->v, -1);
    ck_assert_double_eq(sx_div(ar, num(ar, 3), num(ar, 4))->v, 0.75);
    ck_assert_double_eq(sx_bin(ar, SX_POW, num(ar, 2), num(ar, 10))->v, 1024);
    ck_assert_double_eq(sx_neg(ar, num(ar, 4))->v, -4);

    /* the dimension of a folded product is the product of dimensions */
    sx *p = sx_mul(ar, qty(ar, 2, DIM_VOLTAGE), qty(ar, 3, DIM_CURRENT));
    ck_assert_int_eq(p->kind, SX_CONST);
    ck_assert_double_eq(p->v, 6);
    ck_assert(dim_eq(p->dim, dim_mul(DIM_VOLTAGE, DIM_CURRENT)));

    /* calls fold through sx_apply_fn */
    sx *c = call1(ar, FN_EXP, num(ar, 0));
    ck_assert_int_eq(c->kind, SX_CONST);
    ck_assert_double_eq(c->v, 1);
    sx *cl = sx_call(ar, FN_CLIP, num(ar, 7), num(ar, 0), num(ar, 5));
    ck_assert_int_eq(cl->kind, SX_CONST);
    ck_assert_double_eq(cl->v, 5);
    ck_assert_double_eq(call1(ar, FN_EXPREL, num(ar, 0))->v, 1);

    /* comparisons and logic fold to booleans */
    sx *lt = sx_bin(ar, SX_LT, num(ar, 1), num(ar, 2));
    ck_assert_int_eq(lt->kind, SX_CONST);
    ck_assert(lt->boolean);
    ck_assert_double_eq(lt->v, 1);
    ck_assert_double_eq(sx_bin(ar, SX_GE, num(ar, 1), num(ar, 2))->v, 0);
    ck_assert_double_eq(sx_bin(ar, SX_AND, lt, num(ar, 0))->v, 0);
    ck_assert_double_eq(sx_not(ar, num(ar, 0))->v, 1);

    /* select with a constant condition is the chosen branch */
    env pt = {0};
    sx *x = var(ar, &pt, VS_STATE, 0, "x", DIM_NONE, 1);
    sx *y = var(ar, &pt, VS_STATE, 1, "y", DIM_NONE, 2);
    ck_assert_ptr_eq(sx_select(ar, lt, x, y), x);
    ck_assert_ptr_eq(sx_select(ar, num(ar, 0), x, y), y);

    /* non-finite results stay unfolded: there is no literal for them */
    ck_assert_int_eq(sx_div(ar, num(ar, 1), num(ar, 0))->kind, SX_DIV);
    ck_assert_int_eq(call1(ar, FN_LOG, num(ar, -1))->kind, SX_CALL);
    /* variables stop folding */
    ck_assert_int_eq(sx_add(ar, x, num(ar, 1))->kind, SX_ADD);
    ck_assert_int_eq(sx_rand(ar, SXR_UNIFORM, 0)->kind, SX_RAND);
    ck_assert(sx_add(ar, x, y)->span.file < 0);
    arena_free(ar);
}
END_TEST

START_TEST(test_dimensions)
{
    ax_arena *ar = arena_new();
    env pt = {0};
    sx *v = var(ar, &pt, VS_STATE, 0, "v", DIM_VOLTAGE, 0);
    sx *I = var(ar, &pt, VS_INPUT, 0, "I", DIM_CURRENT, 0);
    sx *tau = var(ar, &pt, VS_PARAM, 0, "tau", DIM_TIME, 0);
    sx *r = var(ar, &pt, VS_PARAM, 1, "rate", d_hz(), 0);
    sx *k = var(ar, &pt, VS_PARAM, 2, "k", DIM_NONE, 0);

    ck_assert(dim_eq(sx_add(ar, v, v)->dim, DIM_VOLTAGE));
    ck_assert(dim_eq(sx_mul(ar, v, I)->dim, dim_mul(DIM_VOLTAGE, DIM_CURRENT)));
    ck_assert(dim_eq(sx_div(ar, v, tau)->dim, dim_div(DIM_VOLTAGE, DIM_TIME)));
    ck_assert(dim_eq(powc(ar, v, 2)->dim, dim_mul(DIM_VOLTAGE, DIM_VOLTAGE)));
    ck_assert(dim_eq(powc(ar, v, -1)->dim, dim_div(DIM_NONE, DIM_VOLTAGE)));
    /* rational exponents: (1/s)^(1/2) and (V^2)^(1/2), (s^3)^(1/3) */
    ax_dim half;
    ck_assert(dim_pow(d_hz(), 1, 2, &half));
    ck_assert(dim_eq(powc(ar, r, 0.5)->dim, half));
    ck_assert(dim_eq(call1(ar, FN_SQRT, r)->dim, half));
    ck_assert(dim_eq(call1(ar, FN_SQRT, sx_mul(ar, v, v))->dim, DIM_VOLTAGE));
    ck_assert(dim_eq(powc(ar, powc(ar, tau, 3), 1.0 / 3)->dim, DIM_TIME));
    ax_dim d112;
    ck_assert(dim_pow(DIM_TIME, 7, 12, &d112));
    ck_assert(dim_eq(powc(ar, tau, 7.0 / 12)->dim, d112));
    /* a non-constant exponent: the base must be a number, so is the result */
    ck_assert(dim_is_none(sx_bin(ar, SX_POW, k, k)->dim));

    sx *cmp = sx_bin(ar, SX_LT, v, v);
    ck_assert(cmp->boolean);
    ck_assert(dim_is_none(cmp->dim));
    ck_assert(sx_bin(ar, SX_OR, cmp, cmp)->boolean);
    ck_assert(sx_not(ar, cmp)->boolean);
    ck_assert(dim_is_none(call1(ar, FN_EXP, k)->dim));
    ck_assert(dim_eq(call1(ar, FN_ABS, v)->dim, DIM_VOLTAGE));
    ck_assert(dim_eq(call1(ar, FN_FLOOR, v)->dim, DIM_VOLTAGE));
    ck_assert(dim_eq(sx_call(ar, FN_MIN, v, v, NULL)->dim, DIM_VOLTAGE));
    ck_assert(dim_eq(sx_call(ar, FN_CLIP, I, I, I)->dim, DIM_CURRENT));
    ck_assert(dim_eq(sx_select(ar, cmp, I, I)->dim, DIM_CURRENT));
    ck_assert(dim_is_none(sx_call(ar, FN_ATAN2, v, v, NULL)->dim));

    /* unknown (pre./post. before binding) propagates; the known side gives the dimension */
    sx *pre = sx_var(ar, VS_PRE, 0, "pre.v", DIM_NONE);
    pre->unknown = true;
    sx *s = sx_sub(ar, pre, v);
    ck_assert(s->unknown);
    ck_assert(dim_eq(s->dim, DIM_VOLTAGE));
    ck_assert(sx_mul(ar, k, s)->unknown);
    ck_assert(call1(ar, FN_EXP, pre)->unknown);
    ck_assert(sx_neg(ar, pre)->unknown);
    ck_assert(!sx_add(ar, v, v)->unknown);

    /* derivative dimensions: d e/d x has dim(e) / dim(x) */
    sx *lif =
        sx_div(ar, sx_sub(ar, v, sx_mul(ar, I, var(ar, &pt, VS_PARAM, 3, "R", d_ohm(), 0))), tau);
    ck_assert(dim_eq(sx_diff(ar, lif, VS_STATE, 0)->dim, d_hz()));
    ck_assert(dim_eq(sx_diff(ar, lif, VS_INPUT, 0)->dim,
                     dim_div(dim_div(DIM_VOLTAGE, DIM_TIME), DIM_CURRENT)));
    ck_assert(dim_eq(sx_diff(ar, lif, VS_PARAM, 0)->dim,
                     dim_div(DIM_VOLTAGE, dim_mul(DIM_TIME, DIM_TIME))));
    ck_assert(
        dim_eq(sx_diff(ar, powc(ar, v, 3), VS_STATE, 0)->dim, dim_mul(DIM_VOLTAGE, DIM_VOLTAGE)));
    /* a zero derivative carries the right dimension too */
    sx *z = sx_diff_dim(ar, sx_mul(ar, I, tau), VS_STATE, 0, DIM_VOLTAGE);
    ck_assert(sx_is_zero(z));
    ck_assert(dim_eq(z->dim, dim_div(dim_mul(DIM_CURRENT, DIM_TIME), DIM_VOLTAGE)));
    ck_assert(sx_diff(ar, sx_mul(ar, I, tau), VS_STATE, 0)->unknown);
    arena_free(ar);
}
END_TEST

START_TEST(test_functions_and_eval)
{
    ck_assert_int_eq(sx_fn_arity(FN_EXP), 1);
    ck_assert_int_eq(sx_fn_arity(FN_MAX), 2);
    ck_assert_int_eq(sx_fn_arity(FN_CLIP), 3);
    ck_assert_str_eq(sx_fn_name(FN_PHI), "Phi");
    ck_assert_str_eq(sx_fn_name(FN_EXPREL), "exprel");
    for (int f = 0; f < FN_COUNT; f++)
        ck_assert_int_eq(sx_fn_lookup(sx_fn_name((sx_fn)f)), f);
    ck_assert_int_eq(sx_fn_lookup("clip"), FN_CLIP);
    ck_assert_int_eq(sx_fn_lookup("nope"), -1);
    ck_assert_int_eq(sx_fn_lookup("phi"), -1);

    ck_assert_double_eq(sx_apply_fn(FN_PHI, 0, 0, 0), 0.5);
    ck_assert_double_eq_tol(sx_apply_fn(FN_PHI, 1.96, 0, 0), 0.9750021048517795, 1e-15);
    /* the lower tail does not cancel to 0 */
    ck_assert_double_eq_tol(sx_apply_fn(FN_PHI, -30, 0, 0) / 4.906713927148187e-198, 1, 1e-12);
    ck_assert_double_eq(sx_apply_fn(FN_SIGMOID, 0, 0, 0), 0.5);
    ck_assert_double_eq_tol(sx_apply_fn(FN_SIGMOID, 2, 0, 0), 1 / (1 + exp(-2.0)), 1e-16);
    ck_assert_double_eq(sx_apply_fn(FN_EXPREL, 0, 0, 0), 1);
    ck_assert_double_eq_tol(sx_apply_fn(FN_EXPREL, 1e-10, 0, 0), 1 + 5e-11, 1e-16);
    ck_assert_double_eq_tol(sx_apply_fn(FN_EXPREL, 1, 0, 0), M_E - 1, 1e-15);
    ck_assert_double_eq(sx_apply_fn(FN_CLIP, -1, 0, 2), 0);
    ck_assert_double_eq(sx_apply_fn(FN_CLIP, 1.5, 0, 2), 1.5);
    ck_assert_double_eq(sx_apply_fn(FN_CLIP, 3, 0, 2), 2);
    ck_assert_double_eq(sx_apply_fn(FN_MIN, 3, 2, 0), 2);
    ck_assert_double_eq(sx_apply_fn(FN_ATAN2, 1, -1, 0), 3 * M_PI / 4);

    ax_arena *ar = arena_new();
    env pt = {0};
    sx *x = var(ar, &pt, VS_STATE, 0, "x", DIM_NONE, 3);
    sx *y = var(ar, &pt, VS_PARAM, 2, "y", DIM_NONE, -2);
    ck_assert_double_eq(ev(sx_bin(ar, SX_GT, x, y), &pt), 1);
    ck_assert_double_eq(ev(sx_bin(ar, SX_EQ, x, y), &pt), 0);
    ck_assert_double_eq(ev(sx_bin(ar, SX_NE, x, y), &pt), 1);
    ck_assert_double_eq(ev(sx_bin(ar, SX_LE, x, x), &pt), 1);
    ck_assert_double_eq(ev(sx_bin(ar, SX_AND, x, num(ar, 0)), &pt), 0);
    ck_assert_double_eq(ev(sx_bin(ar, SX_OR, x, num(ar, 0)), &pt), 1);
    ck_assert_double_eq(ev(sx_not(ar, x), &pt), 0);
    ck_assert_double_eq(ev(sx_select(ar, sx_bin(ar, SX_LT, x, y), x, y), &pt), -2);
    ck_assert_double_eq(ev(sx_bin(ar, SX_POW, x, y), &pt), 1.0 / 9);
    ck_assert_double_eq(ev(sx_call(ar, FN_MAX, x, y, NULL), &pt), 3);
    ck_assert_double_eq(ev(sx_rand(ar, SXR_UNIFORM, 0), &pt), 0.5);
    ck_assert_double_eq(ev(sx_rand(ar, SXR_NORMAL, 1), &pt), 0);
    /* a select evaluates only its chosen branch */
    sx *guard = sx_select(ar, sx_bin(ar, SX_EQ, y, num(ar, 0)), num(ar, 1), sx_div(ar, x, y));
    ck_assert_double_eq(ev(guard, &pt), -1.5);
    arena_free(ar);
}
END_TEST

/* ---- simplification ------------------------------------------------------------------------ */

START_TEST(test_simplify_rules)
{
    ax_arena *ar = arena_new();
    env pt = {0};
    sx *x = var(ar, &pt, VS_STATE, 0, "x", DIM_VOLTAGE, 0);
    sx *y = var(ar, &pt, VS_STATE, 1, "y", DIM_VOLTAGE, 0);
    sx *g = var(ar, &pt, VS_PARAM, 0, "g", d_siemens(), 0);
    sx *zv = qty(ar, 0, DIM_VOLTAGE), *one = num(ar, 1), *zero = num(ar, 0);

    ck_assert_ptr_eq(sx_simplify(ar, raw(ar, SX_ADD, x, zv, NULL)), x);
    ck_assert_ptr_eq(sx_simplify(ar, raw(ar, SX_ADD, zv, x, NULL)), x);
    ck_assert_ptr_eq(sx_simplify(ar, raw(ar, SX_SUB, x, zv, NULL)), x);
    sx *n = sx_simplify(ar, raw(ar, SX_SUB, zv, x, NULL));
    ck_assert_int_eq(n->kind, SX_NEG);
    ck_assert_ptr_eq(n->a, x);
    ck_assert_ptr_eq(sx_simplify(ar, raw(ar, SX_MUL, x, one, NULL)), x);
    ck_assert_ptr_eq(sx_simplify(ar, raw(ar, SX_MUL, one, x, NULL)), x);
    ck_assert_ptr_eq(sx_simplify(ar, raw(ar, SX_DIV, x, one, NULL)), x);
    /* a one with a unit changes the dimension, so it stays */
    ck_assert_int_eq(sx_simplify(ar, sx_mul(ar, x, qty(ar, 1, d_siemens())))->kind, SX_MUL);
    ck_assert_int_eq(sx_simplify(ar, sx_mul(ar, qty(ar, -1, d_siemens()), x))->kind, SX_MUL);
    sx *m1 = sx_simplify(ar, sx_mul(ar, x, num(ar, -1)));
    ck_assert_int_eq(m1->kind, SX_NEG);
    ck_assert(dim_eq(m1->dim, DIM_VOLTAGE));

    /* x * 0 is a zero of the product's dimension */
    sx *m0 = sx_simplify(ar, sx_mul(ar, g, zv));
    ck_assert(sx_is_zero(m0));
    ck_assert(dim_eq(m0->dim, DIM_CURRENT));
    sx *m0b = sx_simplify(ar, sx_mul(ar, zero, g));
    ck_assert(sx_is_zero(m0b));
    ck_assert(dim_eq(m0b->dim, d_siemens()));
    sx *d0 = sx_simplify(ar, sx_div(ar, qty(ar, 0, DIM_CURRENT), x));
    ck_assert(sx_is_zero(d0));
    ck_assert(dim_eq(d0->dim, d_siemens()));
    /* x - x with x structurally equal (separately built) */
    sx *xx = sx_simplify(
        ar, sx_sub(ar, sx_mul(ar, g, x), sx_mul(ar, g, sx_var(ar, VS_STATE, 0, "x", DIM_VOLTAGE))));
    ck_assert(sx_is_zero(xx));
    ck_assert(dim_eq(xx->dim, DIM_CURRENT));
    ck_assert_int_eq(sx_simplify(ar, sx_sub(ar, x, y))->kind, SX_SUB);
    /* x / x is not 1: x may be 0 */
    ck_assert_int_eq(sx_simplify(ar, sx_div(ar, x, x))->kind, SX_DIV);

    ck_assert_ptr_eq(sx_simplify(ar, raw(ar, SX_NEG, raw(ar, SX_NEG, x, NULL, NULL), NULL, NULL)),
                     x);
    ck_assert_ptr_eq(sx_simplify(ar, raw(ar, SX_POW, x, one, NULL)), x);
    sx *p0 = sx_simplify(ar, raw(ar, SX_POW, x, zero, NULL));
    ck_assert(sx_is_one(p0));
    ck_assert(dim_is_none(p0->dim));
    sx *nc = sx_simplify(ar, raw(ar, SX_NEG, num(ar, 2.5), NULL, NULL));
    ck_assert_int_eq(nc->kind, SX_CONST);
    ck_assert_double_eq(nc->v, -2.5);

    /* hand-built constant subtrees fold, calls included */
    sx *fold = raw(ar, SX_MUL, raw(ar, SX_ADD, num(ar, 2), num(ar, 3), NULL),
                   rawcall(ar, FN_EXP, zero, NULL, NULL), NULL);
    sx *f = sx_simplify(ar, fold);
    ck_assert_int_eq(f->kind, SX_CONST);
    ck_assert_double_eq(f->v, 5);

    /* (c1 * x) * c2 -> (c1 c2) * x */
    sx *cc = sx_simplify(ar, sx_mul(ar, sx_mul(ar, num(ar, 3), x), num(ar, 4)));
    ck_assert_int_eq(cc->kind, SX_MUL);
    ck_assert_int_eq(cc->a->kind, SX_CONST);
    ck_assert_double_eq(cc->a->v, 12);
    ck_assert_ptr_eq(cc->b, x);
    ck_assert(dim_eq(cc->dim, DIM_VOLTAGE));

    /* select with a (folded) constant condition */
    sx *sel = raw(ar, SX_SELECT, raw(ar, SX_LT, num(ar, 1), num(ar, 2), NULL), x, y);
    ck_assert_ptr_eq(sx_simplify(ar, sel), x);
    sx *sel2 = raw(ar, SX_SELECT, raw(ar, SX_GT, num(ar, 1), num(ar, 2), NULL), x, y);
    ck_assert_ptr_eq(sx_simplify(ar, sel2), y);

    /* rules compose to a fixed point */
    sx *nest =
        raw(ar, SX_DIV,
            raw(ar, SX_SUB, raw(ar, SX_MUL, raw(ar, SX_ADD, x, zv, NULL), one, NULL), zv, NULL),
            one, NULL);
    ck_assert_ptr_eq(sx_simplify(ar, nest), x);
    sx *minus = sx_simplify(ar, sx_sub(ar, x, sx_neg(ar, y)));
    ck_assert_int_eq(minus->kind, SX_ADD);
    /* nothing to do: the very same node comes back */
    sx *lif = sx_div(ar, sx_sub(ar, y, x), var(ar, &pt, VS_PARAM, 1, "tau", DIM_TIME, 0));
    ck_assert_ptr_eq(sx_simplify(ar, lif), lif);
    arena_free(ar);
}
END_TEST

static const double SAFE_CONSTS[] = {0, 1, -1, 2, 0.5, -0.25, 4, 0, 1};

/* Random dimensionless trees over x, y, z built without folding, biased
 * towards the patterns the simplifier rewrites. Constants are powers of
 * two so every rewrite is exact and values must agree bit for bit. */
static sx *rand_tree(ax_arena *ar, rng *r, sx **vars, int depth)
{
    double u = urand(r);
    if (depth == 0 || u < 0.2) {
        if (urand(r) < 0.5)
            return vars[(int)(urand(r) * 3)];
        return num(ar, SAFE_CONSTS[(int)(urand(r) * 9)]);
    }
    int op = (int)(urand(r) * 11);
    sx *a = rand_tree(ar, r, vars, depth - 1);
    switch (op) {
    case 0: return raw(ar, SX_ADD, a, rand_tree(ar, r, vars, depth - 1), NULL);
    case 1: return raw(ar, SX_SUB, a, rand_tree(ar, r, vars, depth - 1), NULL);
    case 2: return raw(ar, SX_MUL, a, rand_tree(ar, r, vars, depth - 1), NULL);
    case 3: return raw(ar, SX_DIV, a, rand_tree(ar, r, vars, depth - 1), NULL);
    case 4: return raw(ar, SX_NEG, a, NULL, NULL);
    case 5: { /* x - x, the two sides built separately */
        rng copy = *r;
        sx *b = rand_tree(ar, &copy, vars, depth - 1);
        sx *c = rand_tree(ar, r, vars, depth - 1);
        return raw(ar, SX_SUB, b, c, NULL);
    }
    case 6: return raw(ar, SX_POW, a, num(ar, (int)(urand(r) * 4)), NULL);
    case 7: {
        static const sx_fn fns[] = {FN_SIN,    FN_TANH, FN_ATAN, FN_SIGMOID,
                                    FN_EXPREL, FN_ABS,  FN_PHI,  FN_FLOOR};
        return rawcall(ar, fns[(int)(urand(r) * 8)], a, NULL, NULL);
    }
    case 8:
        return raw(ar, SX_SELECT, raw(ar, SX_LT, a, rand_tree(ar, r, vars, depth - 1), NULL),
                   rand_tree(ar, r, vars, depth - 1), rand_tree(ar, r, vars, depth - 1));
    case 9:
        return raw(ar, SX_MUL, raw(ar, SX_MUL, num(ar, SAFE_CONSTS[(int)(urand(r) * 9)]), a, NULL),
                   num(ar, SAFE_CONSTS[(int)(urand(r) * 9)]), NULL);
    default: return rawcall(ar, FN_MAX, a, rand_tree(ar, r, vars, depth - 1), NULL);
    }
}

/* No rule applies anywhere in a simplified tree. */
static void check_normal(const sx *e)
{
    if (!e || e->kind == SX_CONST || e->kind == SX_VAR)
        return;
    bool all_const = e->a->kind == SX_CONST && (!e->b || e->b->kind == SX_CONST) &&
                     (!e->c || e->c->kind == SX_CONST);
    /* only a non-finite result may stay unfolded */
    ck_assert_msg(!all_const || !isfinite(sx_eval(e, NULL, NULL)),
                  "constant subtree left unfolded (kind %d)", e->kind);
    switch (e->kind) {
    case SX_ADD: ck_assert(!sx_is_zero(e->a) && !sx_is_zero(e->b)); break;
    case SX_SUB:
        ck_assert(!sx_is_zero(e->a) && !sx_is_zero(e->b));
        ck_assert(!sx_equal(e->a, e->b));
        break;
    /* 0 * x and 0 / x stay where x is numbers alone that did not fold (inf or NaN) */
    case SX_MUL:
        ck_assert(!sx_is_zero(e->a) || sx_numbers_only(e->b));
        ck_assert(!sx_is_zero(e->b) || sx_numbers_only(e->a));
        ck_assert(!sx_is_one(e->a) && !sx_is_one(e->b));
        break;
    case SX_DIV:
        ck_assert(!sx_is_zero(e->a) || sx_numbers_only(e->b));
        ck_assert(!sx_is_one(e->b));
        break;
    case SX_POW: ck_assert(!sx_is_zero(e->b) && !sx_is_one(e->b)); break;
    case SX_NEG: ck_assert_int_ne(e->a->kind, SX_NEG); break;
    case SX_SELECT: ck_assert_int_ne(e->a->kind, SX_CONST); break;
    default: break;
    }
    check_normal(e->a);
    check_normal(e->b);
    check_normal(e->c);
}

START_TEST(test_simplify_preserves_value)
{
    ax_arena *ar = arena_new();
    rng r = {42};
    env pt = {0};
    sx *vars[3] = {var(ar, &pt, VS_STATE, 0, "x", DIM_NONE, 0),
                   var(ar, &pt, VS_STATE, 1, "y", DIM_NONE, 0),
                   var(ar, &pt, VS_PARAM, 0, "z", DIM_NONE, 0)};
    int compared = 0, shrunk = 0;
    for (int t = 0; t < 3000; t++) {
        sx *e = rand_tree(ar, &r, vars, 1 + t % 6);
        sx *s = sx_simplify(ar, e);
        ck_assert_ptr_eq(sx_simplify(ar, s), s); /* a fixed point */
        ck_assert_int_le(count_nodes(s), count_nodes(e));
        shrunk += count_nodes(s) < count_nodes(e);
        check_normal(s);
        for (int k = 0; k < 5; k++) {
            for (int i = 0; i < 2; i++)
                pt.v[VS_STATE][i] = uniform(&r, -3, 3);
            pt.v[VS_PARAM][0] = k == 0 ? 0.0 : uniform(&r, -3, 3);
            bool bad = false;
            double a = ev_checked(e, &pt, &bad);
            if (bad)
                continue; /* x * 0 -> 0 assumes x finite */
            double b = ev(s, &pt);
            if (a != b) {
                char *se = show(e), *ss = show(s);
                ck_abort_msg("%s = %.17g but simplified %s = %.17g", se, a, ss, b);
                free(se);
                free(ss);
            }
            compared++;
        }
    }
    ck_assert_int_gt(compared, 5000);
    ck_assert_int_gt(shrunk, 1000);
    arena_free(ar);
}
END_TEST

START_TEST(test_subst_equal_uses)
{
    ax_arena *ar = arena_new();
    env pt = {0};
    sx *x = var(ar, &pt, VS_STATE, 0, "x", DIM_NONE, 2);
    sx *y = var(ar, &pt, VS_STATE, 1, "y", DIM_NONE, 5);
    sx *e = sx_add(ar, sx_mul(ar, x, y), call1(ar, FN_EXP, x));
    ck_assert(sx_uses(e, VS_STATE, 0));
    ck_assert(sx_uses(e, VS_STATE, -1));
    ck_assert(!sx_uses(e, VS_STATE, 2));
    ck_assert(!sx_uses(e, VS_PARAM, -1));
    ck_assert(sx_equal(e, sx_add(ar, sx_mul(ar, x, y), call1(ar, FN_EXP, x))));
    ck_assert(!sx_equal(e, sx_add(ar, sx_mul(ar, y, x), call1(ar, FN_EXP, x))));
    ck_assert(!sx_equal(call1(ar, FN_SIN, x), call1(ar, FN_COS, x)));
    ck_assert(!sx_equal(num(ar, 0.0), num(ar, -0.0)));
    ck_assert(!sx_equal(sx_rand(ar, SXR_UNIFORM, 0), sx_rand(ar, SXR_UNIFORM, 1)));
    ck_assert(sx_equal(sx_rand(ar, SXR_NORMAL, 3), sx_rand(ar, SXR_NORMAL, 3)));

    /* x -> 3: folds where it can */
    sx *s = sx_subst(ar, e, VS_STATE, 0, num(ar, 3));
    ck_assert(!sx_uses(s, VS_STATE, 0));
    ck_assert_double_eq_tol(ev(s, &pt), 15 + exp(3.0), 1e-12);
    ck_assert_ptr_eq(sx_subst(ar, e, VS_STATE, 7, num(ar, 3)), e); /* untouched */
    sx *c = sx_subst(ar, sx_mul(ar, x, num(ar, 2)), VS_STATE, 0, num(ar, 4));
    ck_assert_int_eq(c->kind, SX_CONST);
    ck_assert_double_eq(c->v, 8);
    arena_free(ar);
}
END_TEST

/* ---- derivatives ----------------------------------------------------------------------------- */

START_TEST(test_diff_every_function)
{
    ax_arena *ar = arena_new();
    rng r = {7};
    env pt = {0};
    sx *x = var(ar, &pt, VS_STATE, 0, "x", DIM_NONE, 0);
    sx *y = var(ar, &pt, VS_STATE, 1, "y", DIM_NONE, 0);
    sx *z = var(ar, &pt, VS_STATE, 2, "z", DIM_NONE, 0);
    /* argument u = 1.3 x - 0.2 y to exercise the chain rule */
    sx *u = sx_sub(ar, sx_mul(ar, num(ar, 1.3), x), sx_mul(ar, num(ar, 0.2), y));
    static const struct {
        sx_fn fn;
        double lo, hi; /* range of u */
    } ONE[] = {
        {FN_EXP, -5, 5},      {FN_LOG, 0.01, 50},       {FN_LOG10, 0.01, 50},  {FN_SQRT, 0.01, 50},
        {FN_SIN, -6, 6},      {FN_COS, -6, 6},          {FN_TAN, -1.4, 1.4},   {FN_TANH, -4, 4},
        {FN_SINH, -5, 5},     {FN_COSH, -5, 5},         {FN_ATAN, -20, 20},    {FN_ABS, -5, 5},
        {FN_FLOOR, -5, 5},    {FN_CEIL, -5, 5},         {FN_SIGMOID, -20, 20}, {FN_PHI, -6, 6},
        {FN_EXPREL, -30, 30}, {FN_EXPREL, -0.03, 0.03}, {FN_EXPM1, -5, 5},
        {FN_SIGN, -5, 5},     {FN_ROUND, -5, 5},
    };
    int tested[FN_COUNT] = {0};
    for (size_t i = 0; i < sizeof ONE / sizeof ONE[0]; i++) {
        sx *e = call1(ar, ONE[i].fn, u);
        for (int k = 0; k < 40; k++) {
            pt.v[VS_STATE][1] = uniform(&r, -1, 1);
            double target = uniform(&r, ONE[i].lo, ONE[i].hi);
            /* abs, floor, ceil and sign: stay clear of their kinks and jumps (at whole
               numbers); round jumps at halves */
            if ((ONE[i].fn == FN_FLOOR || ONE[i].fn == FN_CEIL || ONE[i].fn == FN_ABS ||
                 ONE[i].fn == FN_SIGN) &&
                fabs(target - nearbyint(target)) < 0.05)
                continue;
            if (ONE[i].fn == FN_ROUND && fabs(target - floor(target) - 0.5) < 0.05)
                continue;
            pt.v[VS_STATE][0] = (target + 0.2 * pt.v[VS_STATE][1]) / 1.3;
            check_fd(ar, e, VS_STATE, 0, &pt, 1.0, sx_fn_name(ONE[i].fn));
            check_fd(ar, e, VS_STATE, 1, &pt, 1.0, sx_fn_name(ONE[i].fn));
        }
        tested[ONE[i].fn] = 1;
    }

    /* two and three arguments, both argument positions */
    sx *two[] = {sx_call(ar, FN_MIN, x, sx_mul(ar, y, y), NULL),
                 sx_call(ar, FN_MAX, sx_mul(ar, x, y), z, NULL),
                 sx_call(ar, FN_ATAN2, x, y, NULL),
                 sx_call(ar, FN_ATAN2, sx_mul(ar, x, y), sx_sub(ar, x, z), NULL),
                 sx_call(ar, FN_CLIP, x, y, z),
                 sx_call(ar, FN_CLIP, sx_mul(ar, x, x), y, sx_add(ar, y, z)),
                 sx_call(ar, FN_MOD, sx_mul(ar, x, z), y, NULL)};
    for (size_t i = 0; i < sizeof two / sizeof two[0]; i++) {
        for (int k = 0; k < 60; k++) {
            for (int j = 0; j < 3; j++)
                pt.v[VS_STATE][j] = uniform(&r, -2, 2);
            /* away from ties and from the atan2 cut (y = 0, x < 0) */
            double X = pt.v[VS_STATE][0], Y = pt.v[VS_STATE][1], Z = pt.v[VS_STATE][2];
            if (fabs(X - Y * Y) < 0.05 || fabs(X * Y - Z) < 0.05 || fabs(Y) < 0.05 ||
                fabs(X - Y) < 0.05 || fabs(X - Z) < 0.05 || fabs(X * X - Y) < 0.05 ||
                fabs(X * X - Y - Z) < 0.05 || fabs(X * Y) < 0.05 || fabs(Z) < 0.05)
                continue;
            /* mod(x z, y) jumps where x z / y is a whole number */
            double q = X * Z / Y;
            if (fabs(q - nearbyint(q)) < 0.05)
                continue;
            for (int j = 0; j < 3; j++)
                check_fd(ar, two[i], VS_STATE, j, &pt, 1.0, sx_fn_name((sx_fn)two[i]->fn));
        }
        tested[two[i]->fn] = 1;
    }
    for (int f = 0; f < FN_COUNT; f++)
        ck_assert_msg(tested[f], "%s not tested", sx_fn_name((sx_fn)f));
    arena_free(ar);
}
END_TEST

START_TEST(test_diff_exprel_near_zero)
{
    ax_arena *ar = arena_new();
    env pt = {0};
    sx *x = var(ar, &pt, VS_STATE, 0, "x", DIM_NONE, 0);
    sx *d = sx_diff(ar, call1(ar, FN_EXPREL, x), VS_STATE, 0);
    ck_assert_double_eq(ev(d, &pt), 0.5); /* the limit, not 0/0 */
    /* against the series 1/2 + x/3 + x^2/8 + x^3/30 where it is exact */
    static const double xs[] = {1e-12, -1e-9, 1e-6, -1e-4, 3e-3, 0.0099, 0.0101, -0.02, 0.05};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double t = xs[i];
        pt.v[VS_STATE][0] = t;
        double want = 0.5 + t / 3 + t * t / 8 + t * t * t / 30 + t * t * t * t / 144 +
                      pow(t, 5) / 840 + pow(t, 6) / 5760;
        /* the series branch is good to rounding, the closed form to ~4e-16 / |x| */
        double tol = fabs(t) < 0.01 ? 1e-15 : 1e-13;
        ck_assert_msg(fabs(ev(d, &pt) - want) <= tol * want, "exprel'(%g) = %.17g, want %.17g", t,
                      ev(d, &pt), want);
    }
    /* the other functions at their special points */
    sx *phi = sx_diff(ar, call1(ar, FN_PHI, x), VS_STATE, 0);
    pt.v[VS_STATE][0] = 0;
    ck_assert_double_eq_tol(ev(phi, &pt), 1 / sqrt(2 * M_PI), 1e-16);
    sx *sig = sx_diff(ar, call1(ar, FN_SIGMOID, x), VS_STATE, 0);
    ck_assert_double_eq(ev(sig, &pt), 0.25);
    pt.v[VS_STATE][0] = 40; /* s(1 - s) would be 0 here */
    ck_assert_double_eq_tol(ev(sig, &pt) / exp(-40.0), 1, 1e-12);
    sx *ab = sx_diff(ar, call1(ar, FN_ABS, x), VS_STATE, 0);
    pt.v[VS_STATE][0] = 0;
    ck_assert_double_eq(ev(ab, &pt), 0);
    pt.v[VS_STATE][0] = -2;
    ck_assert_double_eq(ev(ab, &pt), -1);
    arena_free(ar);
}
END_TEST

START_TEST(test_diff_rules)
{
    ax_arena *ar = arena_new();
    rng r = {99};
    env pt = {0};
    sx *x = var(ar, &pt, VS_STATE, 0, "x", DIM_NONE, 0);
    sx *y = var(ar, &pt, VS_STATE, 1, "y", DIM_NONE, 0);
    /* a^b with both sides depending on x; quotients; selects; negation */
    sx *es[] = {
        sx_bin(ar, SX_POW, sx_add(ar, num(ar, 2), call1(ar, FN_SIN, x)), sx_mul(ar, x, y)),
        sx_bin(ar, SX_POW, num(ar, 3), x),
        powc(ar, sx_add(ar, x, num(ar, 5)), 2.5),
        powc(ar, x, -3),
        sx_div(ar, sx_mul(ar, x, y), sx_add(ar, num(ar, 3), call1(ar, FN_COS, x))),
        sx_neg(ar, sx_div(ar, num(ar, 1), sx_add(ar, num(ar, 3), sx_mul(ar, x, x)))),
        sx_select(ar, sx_bin(ar, SX_GT, y, num(ar, 0)), sx_mul(ar, x, x), call1(ar, FN_EXP, x)),
        sx_add(ar, sx_bin(ar, SX_LT, x, y), x),
        sx_mul(ar, sx_rand(ar, SXR_NORMAL, 0), x),
    };
    for (size_t i = 0; i < sizeof es / sizeof es[0]; i++)
        for (int k = 0; k < 50; k++) {
            pt.v[VS_STATE][0] = uniform(&r, 0.3, 3) * (i == 3 && k % 2 ? -1 : 1);
            pt.v[VS_STATE][1] = uniform(&r, -2, 2);
            if (fabs(pt.v[VS_STATE][0] - pt.v[VS_STATE][1]) < 0.05)
                continue;
            check_fd(ar, es[i], VS_STATE, 0, &pt, 1.0, "rule");
            check_fd(ar, es[i], VS_STATE, 1, &pt, 1.0, "rule");
        }
    /* exact forms */
    ck_print(sx_diff(ar, sx_mul(ar, num(ar, 3), powc(ar, x, 2)), VS_STATE, 0), "6 * x");
    ck_print(sx_diff(ar, sx_mul(ar, x, y), VS_STATE, 0), "y");
    ck_print(sx_diff(ar, call1(ar, FN_EXP, x), VS_STATE, 0), "exp(x)");
    ck_assert(sx_is_zero(sx_diff(ar, call1(ar, FN_EXP, y), VS_STATE, 0)));
    ck_assert(sx_is_zero(sx_diff(ar, sx_bin(ar, SX_LT, x, y), VS_STATE, 0)));
    ck_assert(sx_is_zero(sx_diff(ar, call1(ar, FN_FLOOR, x), VS_STATE, 0)));
    ck_assert(sx_is_one(sx_diff(ar, x, VS_STATE, 0)));
    arena_free(ar);
}
END_TEST

/* Random smooth expressions in x and y for the derivative check. */
static sx *rand_smooth(ax_arena *ar, rng *r, sx *x, sx *y, int depth)
{
    if (depth == 0 || urand(r) < 0.15) {
        double u = urand(r);
        return u < 0.4 ? x : u < 0.7 ? y : num(ar, nearbyint(uniform(r, -30, 30)) / 10);
    }
    sx *a = rand_smooth(ar, r, x, y, depth - 1);
    switch ((int)(urand(r) * 10)) {
    case 0: return sx_add(ar, a, rand_smooth(ar, r, x, y, depth - 1));
    case 1: return sx_sub(ar, a, rand_smooth(ar, r, x, y, depth - 1));
    case 2:
    case 3: return sx_mul(ar, a, rand_smooth(ar, r, x, y, depth - 1));
    case 4: { /* a bounded-away-from-zero denominator */
        sx *b = rand_smooth(ar, r, x, y, depth - 1);
        return sx_div(ar, a, sx_add(ar, num(ar, 1.5), powc(ar, b, 2)));
    }
    case 5: {
        static const sx_fn fns[] = {FN_SIN, FN_COS, FN_TANH, FN_ATAN, FN_SIGMOID, FN_PHI};
        return call1(ar, fns[(int)(urand(r) * 6)], a);
    }
    case 6: return call1(ar, FN_EXPREL, call1(ar, FN_TANH, a));
    case 7: return call1(ar, FN_EXP, call1(ar, FN_SIN, a));
    case 8: return sx_neg(ar, a);
    default:
        return sx_bin(ar, SX_POW, sx_add(ar, num(ar, 1.25), call1(ar, FN_SIN, a)),
                      call1(ar, FN_COS, rand_smooth(ar, r, x, y, depth - 1)));
    }
}

START_TEST(test_diff_random_composites)
{
    ax_arena *ar = arena_new();
    rng r = {2024};
    env pt = {0};
    sx *x = var(ar, &pt, VS_STATE, 0, "x", DIM_NONE, 0);
    sx *y = var(ar, &pt, VS_STATE, 1, "y", DIM_NONE, 0);
    for (int t = 0; t < 400; t++) {
        sx *e = rand_smooth(ar, &r, x, y, 1 + t % 5);
        for (int k = 0; k < 3; k++) {
            pt.v[VS_STATE][0] = uniform(&r, -2, 2);
            pt.v[VS_STATE][1] = uniform(&r, -2, 2);
            check_fd(ar, e, VS_STATE, 0, &pt, 1.0, "composite");
            check_fd(ar, e, VS_STATE, 1, &pt, 1.0, "composite");
        }
    }
    arena_free(ar);
}
END_TEST

/* ---- neuron models ----------------------------------------------------------------------------
 */

enum { X_V, X_M, X_H, X_N, X_U, X_W };

typedef struct {
    sx *lif, *izh, *adex, *hh_v, *hh_m, *hh_h, *hh_n, *hh_m_exprel;
} models;

/* The right-hand sides, in SI with their dimensions. */
static models build_models(ax_arena *ar, env *pt)
{
    models M;
    ax_dim V = DIM_VOLTAGE, A = DIM_CURRENT;
    sx *v = var(ar, pt, VS_STATE, X_V, "v", V, -0.065);
    sx *I = var(ar, pt, VS_INPUT, 0, "I", A, 2e-10);
    sx *mV = qty(ar, 1e-3, V), *ms = qty(ar, 1e-3, DIM_TIME);

    sx *v_rest = var(ar, pt, VS_PARAM, 0, "v_rest", V, -0.065);
    sx *R = var(ar, pt, VS_PARAM, 1, "R", d_ohm(), 1e8);
    sx *tau = var(ar, pt, VS_PARAM, 2, "tau", DIM_TIME, 0.02);
    M.lif = sx_div(ar, sx_add(ar, sx_sub(ar, v_rest, v), sx_mul(ar, R, I)), tau);

    /* Izhikevich with v, u and the input in volts: 0.04 / mV = 40 / V */
    sx *u = var(ar, pt, VS_STATE, X_U, "u", V, -0.013);
    sx *Iv = var(ar, pt, VS_INPUT, 1, "Iv", V, 0.01);
    sx *q = sx_mul(ar, qty(ar, 40, dim_div(DIM_NONE, V)), powc(ar, v, 2));
    M.izh = sx_div(
        ar,
        sx_add(
            ar,
            sx_sub(ar, sx_add(ar, sx_add(ar, q, sx_mul(ar, num(ar, 5), v)), qty(ar, 0.14, V)), u),
            Iv),
        ms);

    sx *w = var(ar, pt, VS_STATE, X_W, "w", A, 5e-11);
    sx *C = var(ar, pt, VS_PARAM, 3, "C", d_farad(), 281e-12);
    sx *gL = var(ar, pt, VS_PARAM, 4, "gL", d_siemens(), 30e-9);
    sx *EL = var(ar, pt, VS_PARAM, 5, "EL", V, -70.6e-3);
    sx *VT = var(ar, pt, VS_PARAM, 6, "VT", V, -50.4e-3);
    sx *DT = var(ar, pt, VS_PARAM, 7, "DT", V, 2e-3);
    sx *leak = sx_neg(ar, sx_mul(ar, gL, sx_sub(ar, v, EL)));
    sx *spike =
        sx_mul(ar, sx_mul(ar, gL, DT), call1(ar, FN_EXP, sx_div(ar, sx_sub(ar, v, VT), DT)));
    M.adex = sx_div(ar, sx_add(ar, sx_sub(ar, sx_add(ar, leak, spike), w), I), C);

    sx *m = var(ar, pt, VS_STATE, X_M, "m", DIM_NONE, 0.05);
    sx *h = var(ar, pt, VS_STATE, X_H, "h", DIM_NONE, 0.6);
    sx *n = var(ar, pt, VS_STATE, X_N, "n", DIM_NONE, 0.32);
    sx *gNa = var(ar, pt, VS_PARAM, 8, "gNa", d_siemens(), 20e-6);
    sx *gK = var(ar, pt, VS_PARAM, 9, "gK", d_siemens(), 6e-6);
    sx *gl = var(ar, pt, VS_PARAM, 10, "gl", d_siemens(), 10e-9);
    sx *ENa = var(ar, pt, VS_PARAM, 11, "ENa", V, 50e-3);
    sx *EK = var(ar, pt, VS_PARAM, 12, "EK", V, -90e-3);
    sx *El = var(ar, pt, VS_PARAM, 13, "El", V, -65e-3);
    sx *Cm = var(ar, pt, VS_PARAM, 14, "Cm", d_farad(), 200e-12);
    sx *iNa = sx_mul(ar, sx_mul(ar, sx_mul(ar, gNa, powc(ar, m, 3)), h), sx_sub(ar, v, ENa));
    sx *iK = sx_mul(ar, sx_mul(ar, gK, powc(ar, n, 4)), sx_sub(ar, v, EK));
    sx *il = sx_mul(ar, gl, sx_sub(ar, El, v));
    M.hh_v = sx_div(ar, sx_add(ar, sx_sub(ar, sx_sub(ar, il, iNa), iK), I), Cm);

    /* rates with u = v / mV; alpha_m = 0.1 (u + 40) / (1 - exp(-(u + 40) / 10)) / ms */
    sx *um = sx_div(ar, v, mV);
    sx *u40 = sx_add(ar, um, num(ar, 40)), *u55 = sx_add(ar, um, num(ar, 55));
    sx *u65 = sx_add(ar, um, num(ar, 65)), *u35 = sx_add(ar, um, num(ar, 35));
#define NEXP(a, k) call1(ar, FN_EXP, sx_div(ar, sx_neg(ar, a), num(ar, k)))
    sx *am = sx_div(
        ar, sx_div(ar, sx_mul(ar, num(ar, 0.1), u40), sx_sub(ar, num(ar, 1), NEXP(u40, 10))), ms);
    sx *bm = sx_div(ar, sx_mul(ar, num(ar, 4), NEXP(u65, 18)), ms);
    sx *ah = sx_div(ar, sx_mul(ar, num(ar, 0.07), NEXP(u65, 20)), ms);
    sx *bh = sx_div(ar, sx_div(ar, num(ar, 1), sx_add(ar, num(ar, 1), NEXP(u35, 10))), ms);
    sx *an = sx_div(
        ar, sx_div(ar, sx_mul(ar, num(ar, 0.01), u55), sx_sub(ar, num(ar, 1), NEXP(u55, 10))), ms);
    sx *bn = sx_div(ar, sx_mul(ar, num(ar, 0.125), NEXP(u65, 80)), ms);
#undef NEXP
    sx *one = num(ar, 1);
    M.hh_m = sx_sub(ar, sx_mul(ar, am, sx_sub(ar, one, m)), sx_mul(ar, bm, m));
    M.hh_h = sx_sub(ar, sx_mul(ar, ah, sx_sub(ar, one, h)), sx_mul(ar, bh, h));
    M.hh_n = sx_sub(ar, sx_mul(ar, an, sx_sub(ar, one, n)), sx_mul(ar, bn, n));
    /* the same alpha_m through exprel, which has no removable singularity:
     * y / (1 - e^-y) = 1 / exprel(-y) */
    sx *am2 = sx_div(
        ar, sx_div(ar, num(ar, 1), call1(ar, FN_EXPREL, sx_div(ar, sx_neg(ar, u40), num(ar, 10)))),
        ms);
    M.hh_m_exprel = sx_sub(ar, sx_mul(ar, am2, sx_sub(ar, one, m)), sx_mul(ar, bm, m));
    return M;
}

START_TEST(test_diff_neuron_models)
{
    ax_arena *ar = arena_new();
    env pt = {0};
    models M = build_models(ar, &pt);
    rng r = {5};
    struct {
        sx *e;
        const char *name;
    } eqs[] = {{M.lif, "LIF"},    {M.izh, "Izhikevich"},
               {M.adex, "AdEx"},  {M.hh_v, "HH v'"},
               {M.hh_m, "HH m'"}, {M.hh_h, "HH h'"},
               {M.hh_n, "HH n'"}, {M.hh_m_exprel, "HH m' exprel"}};
    for (int k = 0; k < 200; k++) {
        double v = uniform(&r, -0.085, 0.04);
        double um = v / 1e-3;
        if (fabs(um + 40) < 0.5 || fabs(um + 55) < 0.5)
            continue; /* the removable singularities of the plain rate formulas */
        pt.v[VS_STATE][X_V] = v;
        pt.v[VS_STATE][X_M] = urand(&r);
        pt.v[VS_STATE][X_H] = urand(&r);
        pt.v[VS_STATE][X_N] = urand(&r);
        pt.v[VS_STATE][X_U] = uniform(&r, -0.02, 0.0);
        pt.v[VS_STATE][X_W] = uniform(&r, 0, 2e-10);
        pt.v[VS_INPUT][0] = uniform(&r, -5e-10, 5e-10);
        for (size_t i = 0; i < sizeof eqs / sizeof eqs[0]; i++) {
            check_fd(ar, eqs[i].e, VS_STATE, X_V, &pt, 1e-3, eqs[i].name);
            check_fd(ar, eqs[i].e, VS_STATE, X_M, &pt, 1e-2, eqs[i].name);
            check_fd(ar, eqs[i].e, VS_STATE, X_N, &pt, 1e-2, eqs[i].name);
            check_fd(ar, eqs[i].e, VS_STATE, X_W, &pt, 1e-11, eqs[i].name);
            check_fd(ar, eqs[i].e, VS_INPUT, 0, &pt, 1e-11, eqs[i].name);
        }
    }
    /* exactly at the singular voltage the exprel form still has a derivative */
    pt.v[VS_STATE][X_V] = -0.04;
    check_fd(ar, M.hh_m_exprel, VS_STATE, X_V, &pt, 1e-3, "HH m' exprel at -40 mV");
    /* dimensions of the Jacobian entries */
    ax_dim per_s = d_hz();
    ck_assert(dim_eq(sx_diff(ar, M.hh_v, VS_STATE, X_V)->dim, per_s));
    ck_assert(dim_eq(sx_diff(ar, M.hh_m, VS_STATE, X_M)->dim, per_s));
    ck_assert(dim_eq(sx_diff(ar, M.hh_m, VS_STATE, X_V)->dim, dim_div(per_s, DIM_VOLTAGE)));
    ck_assert(dim_eq(sx_diff(ar, M.adex, VS_STATE, X_W)->dim, dim_div(DIM_NONE, d_farad())));
    ck_assert(dim_eq(sx_diff(ar, M.izh, VS_STATE, X_V)->dim, per_s));
    arena_free(ar);
}
END_TEST

/* ---- linearity ------------------------------------------------------------------------------- */

/* Checks e == A + B x at random x (and the current values of the rest). */
static void check_affine(ax_arena *ar, sx *e, int space, int idx, env *pt, double lo, double hi,
                         rng *r, const char *what)
{
    sx *A = NULL, *B = NULL;
    ck_assert_msg(sx_linear_in(ar, e, space, idx, &A, &B), "%s should be linear", what);
    ck_assert(!sx_uses(A, space, idx));
    ck_assert(!sx_uses(B, space, idx));
    ck_assert(dim_eq(A->dim, e->dim));
    for (int k = 0; k < 50; k++) {
        pt->v[space][idx] = uniform(r, lo, hi);
        double a = ev(A, pt), b = ev(B, pt), x = pt->v[space][idx], want = ev(e, pt);
        double scale = fabs(a) + fabs(b * x) + fabs(want);
        ck_assert_msg(fabs(a + b * x - want) <= 1e-12 * scale, "%s: %.17g + %.17g x != %.17g", what,
                      a, b, want);
    }
}

START_TEST(test_linearity)
{
    ax_arena *ar = arena_new();
    env pt = {0};
    models M = build_models(ar, &pt);
    rng r = {11};
    check_affine(ar, M.lif, VS_STATE, X_V, &pt, -0.08, 0.03, &r, "LIF v' in v");
    check_affine(ar, M.hh_v, VS_STATE, X_V, &pt, -0.08, 0.03, &r, "HH v' in v");
    check_affine(ar, M.hh_m, VS_STATE, X_M, &pt, 0, 1, &r, "HH m' in m");
    check_affine(ar, M.hh_h, VS_STATE, X_H, &pt, 0, 1, &r, "HH h' in h");
    check_affine(ar, M.hh_n, VS_STATE, X_N, &pt, 0, 1, &r, "HH n' in n");
    check_affine(ar, M.adex, VS_STATE, X_W, &pt, 0, 1e-9, &r, "AdEx v' in w");
    ck_assert(!sx_linear_in(ar, M.izh, VS_STATE, X_V, NULL, NULL));
    ck_assert(!sx_linear_in(ar, M.adex, VS_STATE, X_V, NULL, NULL));
    ck_assert(!sx_linear_in(ar, M.hh_m, VS_STATE, X_V, NULL, NULL));
    ck_assert(!sx_linear_in(ar, M.hh_v, VS_STATE, X_M, NULL, NULL));
    ck_assert(sx_linear_in(ar, M.hh_v, VS_STATE, X_H, NULL, NULL));

    /* the LIF coefficients, exactly */
    sx *A, *B;
    ck_assert(sx_linear_in(ar, M.lif, VS_STATE, X_V, &A, &B));
    ck_print(B, "-1 / tau");
    ck_print(A, "(v_rest + R * I) / tau");
    ck_assert(dim_eq(B->dim, d_hz()));

    /* synaptic current ge * (E_e - v): linear in v and in ge */
    sx *v = sx_var(ar, VS_STATE, X_V, "v", DIM_VOLTAGE);
    sx *ge = var(ar, &pt, VS_INPUT, 2, "ge", d_siemens(), 3e-9);
    sx *Ee = var(ar, &pt, VS_PARAM, 15, "E_e", DIM_VOLTAGE, 0);
    sx *syn = sx_mul(ar, ge, sx_sub(ar, Ee, v));
    check_affine(ar, syn, VS_STATE, X_V, &pt, -0.08, 0.03, &r, "ge (E_e - v) in v");
    check_affine(ar, syn, VS_INPUT, 2, &pt, 0, 1e-8, &r, "ge (E_e - v) in ge");
    ck_assert(sx_linear_in(ar, syn, VS_STATE, X_V, &A, &B));
    ck_print(B, "-ge");
    ck_assert(dim_eq(B->dim, d_siemens()));

    /* not linear: products, smooth nonlinearities, and anything where a
     * zero derivative convention hides a jump or kink */
    sx *x = var(ar, &pt, VS_STATE, 7, "x", DIM_NONE, 0);
    sx *y = var(ar, &pt, VS_STATE, 8, "y", DIM_NONE, 0);
    sx *nonlin[] = {
        sx_mul(ar, x, x),
        sx_mul(ar, x, sx_add(ar, x, y)),
        call1(ar, FN_EXP, x),
        sx_div(ar, y, x),
        sx_div(ar, x, x),
        call1(ar, FN_FLOOR, x),
        call1(ar, FN_ABS, x),
        sx_bin(ar, SX_GT, x, y),
        sx_add(ar, x, sx_bin(ar, SX_GT, x, num(ar, 0))),
        sx_select(ar, sx_bin(ar, SX_GT, x, num(ar, 0)), sx_mul(ar, num(ar, 2), x), x),
        sx_call(ar, FN_MAX, x, y, NULL),
        sx_call(ar, FN_CLIP, x, num(ar, 0), num(ar, 1)),
        sx_call(ar, FN_ATAN2, y, x, NULL),
        sx_bin(ar, SX_POW, num(ar, 2), x),
        call1(ar, FN_SQRT, sx_mul(ar, x, x)),
    };
    for (size_t i = 0; i < sizeof nonlin / sizeof nonlin[0]; i++) {
        char *s = show(nonlin[i]);
        ck_assert_msg(!sx_linear_in(ar, nonlin[i], VS_STATE, 7, NULL, NULL),
                      "%s is not linear in x", s);
        free(s);
    }
    /* linear, with coefficients that are themselves nonlinear in the rest */
    sx *lin[] = {
        sx_mul(ar, call1(ar, FN_SIN, y), x),
        sx_div(ar, sx_sub(ar, y, x), sx_add(ar, num(ar, 2), sx_mul(ar, y, y))),
        sx_neg(ar, sx_sub(ar, sx_mul(ar, num(ar, 3), x), call1(ar, FN_EXP, y))),
        sx_select(ar, sx_bin(ar, SX_GT, y, num(ar, 0)), sx_mul(ar, num(ar, 2), x), x),
        powc(ar, x, 1),
        sx_add(ar, sx_mul(ar, x, num(ar, 0.5)), sx_mul(ar, num(ar, 0.25), x)),
    };
    for (size_t i = 0; i < sizeof lin / sizeof lin[0]; i++)
        for (int k = 0; k < 4; k++) {
            pt.v[VS_STATE][8] = uniform(&r, -2, 2);
            check_affine(ar, lin[i], VS_STATE, 7, &pt, -3, 3, &r, "lin");
        }
    /* an expression without x is trivially linear: B = 0 */
    ck_assert(sx_linear_in(ar, call1(ar, FN_EXP, y), VS_STATE, 7, &A, &B));
    ck_assert(sx_is_zero(B));
    arena_free(ar);
}
END_TEST

/* Brian2's conditional linearity: A + B x == e at every x, A and B may hold x in functions,
 * denominators and non-integer powers. */
static void check_cond_affine(ax_arena *ar, sx *e, int idx, env *pt, rng *r, const char *what)
{
    sx *A = NULL, *B = NULL;
    ck_assert_msg(sx_cond_linear_in(ar, e, VS_STATE, idx, &A, &B), "%s should be cond. linear",
                  what);
    for (int k = 0; k < 50; k++) {
        pt->v[VS_STATE][idx] = uniform(r, -2, 2);
        double a = ev(A, pt), b = ev(B, pt), x = pt->v[VS_STATE][idx], want = ev(e, pt);
        double scale = fabs(a) + fabs(b * x) + fabs(want);
        ck_assert_msg(fabs(a + b * x - want) <= 1e-12 * scale, "%s: %.17g + %.17g x != %.17g",
                      what, a, b, want);
    }
}

START_TEST(test_cond_linearity)
{
    ax_arena *ar = arena_new();
    env pt = {0};
    models M = build_models(ar, &pt);
    rng r = {12};
    sx *x = var(ar, &pt, VS_STATE, 7, "x", DIM_NONE, 0);
    sx *y = var(ar, &pt, VS_STATE, 8, "y", DIM_NONE, 0.5);
    /* m_inf(x)^3 y (1 - x) with m_inf = a / (a + b), as Wang-Buzsaki's sodium current */
    sx *a = call1(ar, FN_EXP, x), *b = sx_add(ar, num(ar, 1), call1(ar, FN_EXP, sx_neg(ar, x)));
    sx *m = sx_div(ar, a, sx_add(ar, a, b));
    sx *wb = sx_mul(ar, sx_mul(ar, powc(ar, m, 3), y), sx_sub(ar, num(ar, 1), x));
    sx *cond[] = {
        wb,
        sx_mul(ar, x, call1(ar, FN_EXP, x)),
        sx_div(ar, sx_sub(ar, x, y), sx_sub(ar, num(ar, 3), call1(ar, FN_EXP, x))),
        sx_add(ar, x, call1(ar, FN_ABS, x)),
        sx_mul(ar, sx_add(ar, x, y), sx_bin(ar, SX_POW, sx_add(ar, num(ar, 5), x), num(ar, 0.5))),
    };
    for (size_t i = 0; i < sizeof cond / sizeof cond[0]; i++) {
        char *s = show(cond[i]);
        ck_assert_msg(!sx_linear_in(ar, cond[i], VS_STATE, 7, NULL, NULL), "%s is not linear", s);
        check_cond_affine(ar, cond[i], 7, &pt, &r, s);
        free(s);
    }
    /* polynomial in x beyond degree 1, or x in a denominator by itself: refused, as Brian2 does */
    sx *not_cond[] = {
        sx_mul(ar, x, x),
        sx_mul(ar, sx_add(ar, x, y), sx_sub(ar, x, y)),
        sx_div(ar, y, x),
        sx_div(ar, y, powc(ar, x, 2)),
        sx_bin(ar, SX_POW, x, num(ar, 0.5)),
        M.izh,
    };
    for (size_t i = 0; i < sizeof not_cond / sizeof not_cond[0]; i++) {
        char *s = show(not_cond[i]);
        ck_assert_msg(!sx_cond_linear_in(ar, not_cond[i], VS_STATE, i + 1 < sizeof not_cond /
                                         sizeof not_cond[0] ? 7 : X_V, NULL, NULL),
                      "%s is not conditionally linear", s);
        free(s);
    }
    /* AdEx's v' (exp((v - V_T) / Delta_T)) is; a linear equation's split is the same as
       sx_linear_in's */
    ck_assert(sx_cond_linear_in(ar, M.adex, VS_STATE, X_V, NULL, NULL));
    sx *A, *B;
    ck_assert(sx_cond_linear_in(ar, M.lif, VS_STATE, X_V, &A, &B));
    ck_print(B, "-1 / tau");
    ck_print(A, "(v_rest + R * I) / tau");
    arena_free(ar);
}
END_TEST

/* ---- printing
 * ------------------------------------------------------------------------------------ */

START_TEST(test_print)
{
    ax_arena *ar = arena_new();
    env pt = {0};
    sx *v = var(ar, &pt, VS_STATE, 0, "v", DIM_VOLTAGE, 0);
    sx *vr = var(ar, &pt, VS_PARAM, 0, "v_rest", DIM_VOLTAGE, 0);
    sx *a = sx_var(ar, VS_PARAM, 1, "a", DIM_NONE);
    sx *b = sx_var(ar, VS_PARAM, 2, "b", DIM_NONE);
    sx *c = sx_var(ar, VS_PARAM, 3, "c", DIM_NONE);
    ck_print(sx_div(ar, sx_sub(ar, vr, v), num(ar, 0.02)), "(v_rest - v) / 0.02");
    ck_print(sx_sub(ar, sx_sub(ar, a, b), c), "a - b - c");
    ck_print(sx_sub(ar, a, sx_sub(ar, b, c)), "a - (b - c)");
    ck_print(sx_add(ar, a, sx_mul(ar, b, c)), "a + b * c");
    ck_print(sx_mul(ar, a, sx_add(ar, b, c)), "a * (b + c)");
    ck_print(sx_div(ar, a, sx_mul(ar, b, c)), "a / (b * c)");
    ck_print(sx_mul(ar, sx_div(ar, a, b), c), "a / b * c");
    ck_print(sx_neg(ar, powc(ar, a, 2)), "-a^2");
    ck_print(powc(ar, sx_neg(ar, a), 2), "(-a)^2");
    ck_print(sx_bin(ar, SX_POW, a, sx_bin(ar, SX_POW, b, c)), "a^b^c");
    ck_print(sx_bin(ar, SX_POW, sx_bin(ar, SX_POW, a, b), c), "(a^b)^c");
    ck_print(powc(ar, a, -2), "a^(-2)");
    ck_print(powc(ar, num(ar, 2), 0.5), "1.4142135623730951"); /* folded */
    ck_print(powc(ar, num(ar, -2), 0.5), "(-2)^0.5");          /* nan: not folded */
    ck_print(sx_bin(ar, SX_POW, num(ar, -2), a), "(-2)^a");
    ck_print(sx_add(ar, a, sx_neg(ar, b)), "a + (-b)");
    ck_print(sx_mul(ar, num(ar, -3), a), "-3 * a");
    ck_print(sx_neg(ar, sx_mul(ar, a, b)), "-(a * b)");
    ck_print(sx_neg(ar, sx_neg(ar, a)), "-(-a)");
    ck_print(call1(ar, FN_EXP, sx_div(ar, sx_neg(ar, v), a)), "exp(-v / a)");
    ck_print(sx_call(ar, FN_CLIP, sx_add(ar, a, b), num(ar, 0), c), "clip(a + b, 0, c)");
    ck_print(call1(ar, FN_PHI, a), "Phi(a)");
    ck_print(sx_mul(ar, num(ar, 1e-9), a), "1e-09 * a");
    ck_print(sx_select(ar, sx_bin(ar, SX_GE, v, qty(ar, 0.03, DIM_VOLTAGE)), vr, v),
             "if v >= 0.03 then v_rest else v");
    sx *lt = sx_bin(ar, SX_LT, a, b);
    ck_print(sx_not(ar, sx_bin(ar, SX_AND, lt, c)), "not (a < b and c)");
    ck_print(sx_not(ar, lt), "not a < b");
    ck_print(sx_bin(ar, SX_OR, a, sx_bin(ar, SX_AND, b, c)), "a or b and c");
    ck_print(sx_bin(ar, SX_AND, sx_bin(ar, SX_OR, a, b), c), "(a or b) and c");
    ck_print(sx_bin(ar, SX_LT, sx_rand(ar, SXR_UNIFORM, 0), num(ar, 0.5)), "rand() < 0.5");
    ck_print(sx_mul(ar, sx_rand(ar, SXR_NORMAL, 1), a), "normal() * a");
    ck_print(sx_bin(ar, SX_EQ, sx_add(ar, a, b), sx_bin(ar, SX_LT, a, b)), "a + b == (a < b)");
    ck_print(sx_bin(ar, SX_LT, num(ar, 1), num(ar, 2)), "true");
    ck_print(sx_var(ar, VS_HIDDEN, 3, NULL, DIM_NONE), "11#3");
    ck_print(sx_mul(ar, num(ar, 2), sx_select(ar, lt, a, b)), "2 * (if a < b then a else b)");
    ck_print(sx_select(ar, lt, a, sx_select(ar, sx_bin(ar, SX_GT, a, c), b, c)),
             "if a < b then a else if a > c then b else c");
    arena_free(ar);
}
END_TEST

/* ---- matrix exponential
 * ---------------------------------------------------------------------------- */

static double max_abs(int n, const double *X)
{
    double m = 0;
    for (int i = 0; i < n * n; i++)
        m = fmax(m, fabs(X[i]));
    return m;
}

/* max |X - Y| / max |Y| */
static double rel_err(int n, const double *X, const double *Y)
{
    double m = 0;
    for (int i = 0; i < n * n; i++)
        m = fmax(m, fabs(X[i] - Y[i]));
    return m / max_abs(n, Y);
}

/* exp(M) by its Taylor series in long double, squared back from a small
 * scaled matrix so the series converges fast: the reference. */
static void expm_taylor(int n, const double *M, double *out)
{
    long double A[64], T[64], S[64], P[64];
    int s = 0;
    double nrm = max_abs(n, M) * n;
    while (nrm > 0.5) {
        nrm /= 2;
        s++;
    }
    for (int i = 0; i < n * n; i++) {
        A[i] = ldexpl(M[i], -s);
        T[i] = S[i] = (i % (n + 1) == 0);
    }
    for (int k = 1; k < 40; k++) { /* T = T A / k */
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                long double acc = 0;
                for (int l = 0; l < n; l++)
                    acc += T[i * n + l] * A[l * n + j];
                P[i * n + j] = acc / k;
            }
        for (int i = 0; i < n * n; i++) {
            T[i] = P[i];
            S[i] += P[i];
        }
    }
    for (int q = 0; q < s; q++) {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                long double acc = 0;
                for (int l = 0; l < n; l++)
                    acc += S[i * n + l] * S[l * n + j];
                P[i * n + j] = acc;
            }
        memcpy(S, P, sizeof(long double) * (size_t)(n * n));
    }
    for (int i = 0; i < n * n; i++)
        out[i] = (double)S[i];
}

START_TEST(test_expm_closed_forms)
{
    double E[9], W[9];
    /* diagonal */
    const double D[9] = {1, 0, 0, 0, -2, 0, 0, 0, 0.5};
    ck_assert(sx_expm(3, D, E));
    const double Dw[9] = {exp(1.0), 0, 0, 0, exp(-2.0), 0, 0, 0, exp(0.5)};
    ck_assert_double_le(rel_err(3, E, Dw), 1e-15);

    /* upper triangular, distinct eigenvalues a, b: the (1,2) entry is the
     * divided difference c (e^a - e^b) / (a - b) */
    const double a = -1.5, b = 0.7, c = 2.0;
    const double T[4] = {a, c, 0, b};
    ck_assert(sx_expm(2, T, E));
    const double Tw[4] = {exp(a), c * (exp(a) - exp(b)) / (a - b), 0, exp(b)};
    ck_assert_double_le(rel_err(2, E, Tw), 1e-15);

    /* 3x3 upper triangular: F13 = t13 f[l1,l3] + t12 t23 f[l1,l2,l3] */
    const double l1 = -3, l2 = -1, l3 = 0.5, t12 = 1, t13 = -2, t23 = 0.5;
    const double U[9] = {l1, t12, t13, 0, l2, t23, 0, 0, l3};
    double f12 = (exp(l1) - exp(l2)) / (l1 - l2), f23 = (exp(l2) - exp(l3)) / (l2 - l3);
    double f13 = (exp(l1) - exp(l3)) / (l1 - l3), f123 = (f12 - f23) / (l1 - l3);
    const double Uw[9] = {
        exp(l1), t12 * f12, t13 * f13 + t12 * t23 * f123, 0, exp(l2), t23 * f23, 0, 0, exp(l3)};
    ck_assert(sx_expm(3, U, E));
    ck_assert_double_le(rel_err(3, E, Uw), 1e-15);

    /* a rotation generator, small and large angle (scaling and squaring) */
    const double ws[] = {1.0, 50.0};
    for (int i = 0; i < 2; i++) {
        double w = ws[i];
        const double R[4] = {0, -w, w, 0};
        ck_assert(sx_expm(2, R, E));
        const double Rw[4] = {cos(w), -sin(w), sin(w), cos(w)};
        ck_assert_msg(rel_err(2, E, Rw) < (w > 10 ? 1e-13 : 1e-15), "rotation %g: %g", w,
                      rel_err(2, E, Rw));
    }

    /* nilpotent: the series stops, exp(N) = I + N + N^2 / 2 */
    const double N[9] = {0, 1, 2, 0, 0, 3, 0, 0, 0};
    const double Nw[9] = {1, 1, 3.5, 0, 1, 3, 0, 0, 1};
    ck_assert(sx_expm(3, N, E));
    ck_assert_double_le(rel_err(3, E, Nw), 1e-15);

    /* zero and 1x1 */
    memset(W, 0, sizeof W);
    ck_assert(sx_expm(3, W, E));
    for (int i = 0; i < 9; i++)
        ck_assert_double_eq(E[i], i % 4 == 0 ? 1 : 0);
    const double one = 3;
    ck_assert(sx_expm(1, &one, E));
    ck_assert_double_le(fabs(E[0] - exp(3.0)) / exp(3.0), 2e-16);

    /* errors */
    const double bad[4] = {0, NAN, 0, 0};
    ck_assert(!sx_expm(2, bad, E));
    const double inf[4] = {0, INFINITY, 0, 0};
    ck_assert(!sx_expm(2, inf, E));
    ck_assert(!sx_expm(0, D, E));
}
END_TEST

START_TEST(test_expm_random_vs_taylor)
{
    rng r = {31337};
    double M[25], E[25], R[25];
    /* 1-norms spanning every Pade degree (3, 5, 7, 9, 13) and scaling */
    const double norms[] = {0.01, 0.2, 0.8, 1.8, 4.0, 12.0};
    double worst = 0;
    for (size_t t = 0; t < sizeof norms / sizeof norms[0]; t++)
        for (int rep = 0; rep < 10; rep++) {
            for (int i = 0; i < 25; i++)
                M[i] = uniform(&r, -1, 1);
            /* scale to the wanted 1-norm */
            double nrm = 0;
            for (int j = 0; j < 5; j++) {
                double s = 0;
                for (int i = 0; i < 5; i++)
                    s += fabs(M[i * 5 + j]);
                nrm = fmax(nrm, s);
            }
            for (int i = 0; i < 25; i++)
                M[i] *= norms[t] / nrm;
            ck_assert(sx_expm(5, M, E));
            expm_taylor(5, M, R);
            double err = rel_err(5, E, R);
            worst = fmax(worst, err);
            ck_assert_msg(err < 1e-13, "norm %g: relative error %g", norms[t], err);
        }
    ck_assert_double_lt(worst, 1e-13);
}
END_TEST

START_TEST(test_expm_large_norm)
{
    /* symmetric M = Q D Q^T with a Householder Q and eigenvalues down to
     * -50: exp(M) = Q exp(D) Q^T */
    enum { n = 5 };
    const double lam[n] = {-50, -20, -3, -0.5, 0.2};
    const double hv[n] = {1, -2, 0.5, 3, 1.5};
    double vv = 0, Q[n * n], M[n * n], W[n * n], E[n * n];
    for (int i = 0; i < n; i++)
        vv += hv[i] * hv[i];
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            Q[i * n + j] = (i == j) - 2 * hv[i] * hv[j] / vv;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double m = 0, w = 0;
            for (int k = 0; k < n; k++) {
                m += Q[i * n + k] * lam[k] * Q[j * n + k];
                w += Q[i * n + k] * exp(lam[k]) * Q[j * n + k];
            }
            M[i * n + j] = m;
            W[i * n + j] = w;
        }
    ck_assert(sx_expm(n, M, E));
    ck_assert_msg(rel_err(n, E, W) < 1e-13, "symmetric, norm ~50: %g", rel_err(n, E, W));

    /* non-normal, 1-norm 80: upper triangular with eigenvalues -50 and -10 */
    const double T[4] = {-50, 30, 0, -10};
    const double Tw[4] = {exp(-50.0), 30 * (exp(-50.0) - exp(-10.0)) / (-40.0), 0, exp(-10.0)};
    ck_assert(sx_expm(2, T, E));
    ck_assert_msg(rel_err(2, E, Tw) < 1e-13, "triangular, norm 80: %g", rel_err(2, E, Tw));

    /* exp(M) exp(-M) = I for a random 6x6 of norm about 10 */
    rng r = {8};
    double A[36], P[36], Nn[36], I6[36];
    for (int i = 0; i < 36; i++)
        A[i] = uniform(&r, -2, 2);
    for (int i = 0; i < 36; i++)
        Nn[i] = -A[i];
    ck_assert(sx_expm(6, A, P));
    double Pm[36];
    ck_assert(sx_expm(6, Nn, Pm));
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            double s = 0;
            for (int k = 0; k < 6; k++)
                s += P[i * 6 + k] * Pm[k * 6 + j];
            I6[i * 6 + j] = s;
        }
    double cond = max_abs(6, P) * max_abs(6, Pm);
    for (int i = 0; i < 36; i++)
        ck_assert_double_le(fabs(I6[i] - (i % 7 == 0)), 1e-13 * cond);

    /* overflow is reported */
    const double big[1] = {1000};
    ck_assert(!sx_expm(1, big, E));
}
END_TEST

START_TEST(test_propagator)
{
    /* LIF: v' = -v / tau + (v_rest + R I) / tau */
    const double tau = 0.01, h = 1e-4;
    const double A = -1 / tau;
    double Phi, Gamma;
    ck_assert(sx_propagator(1, &A, h, &Phi, &Gamma) == 0);
    double phi = exp(-h / tau), gamma = -tau * expm1(-h / tau);
    ck_assert_double_le(fabs(Phi - phi) / phi, 1e-15);
    ck_assert_double_le(fabs(Gamma - gamma) / gamma, 1e-15);
    /* one step against the analytic solution */
    double v_rest = -0.065, R = 1e8, I = 2e-10, v0 = -0.07;
    double b = (v_rest + R * I) / tau, vinf = v_rest + R * I;
    double v1 = Phi * v0 + Gamma * b, want = vinf + (v0 - vinf) * exp(-h / tau);
    ck_assert_double_le(fabs(v1 - want), 1e-15 * fabs(want));
    /* a long step on a stiff system */
    const double Astiff = -1e4;
    ck_assert(sx_propagator(1, &Astiff, 0.1, &Phi, &Gamma) == 0);
    ck_assert_double_le(Phi, 1e-300);
    ck_assert_double_le(fabs(Gamma - 1e-4) / 1e-4, 1e-14);

    /* singular A = 0: Phi = I, Gamma = h I */
    const double Z[4] = {0};
    double P2[4], G2[4];
    ck_assert(sx_propagator(2, Z, 0.25, P2, G2) == 0);
    for (int i = 0; i < 4; i++) {
        ck_assert_double_eq_tol(P2[i], i % 3 == 0 ? 1 : 0, 1e-16);
        ck_assert_double_eq_tol(G2[i], i % 3 == 0 ? 0.25 : 0, 1e-16);
    }
    /* singular but nonzero: A = [[0, 1], [0, 0]] gives Gamma = [[h, h^2/2], [0, h]] */
    const double J[4] = {0, 1, 0, 0};
    ck_assert(sx_propagator(2, J, 0.5, P2, G2) == 0);
    const double Pj[4] = {1, 0.5, 0, 1}, Gj[4] = {0.5, 0.125, 0, 0.5};
    ck_assert_double_le(rel_err(2, P2, Pj), 1e-16);
    ck_assert_double_le(rel_err(2, G2, Gj), 1e-16);

    /* a coupled 3x3 (conductance-based synapse chain): A Gamma = Phi - I */
    const double C[9] = {-200, 50, 0, 0, -100, 30, 0, 0, -500};
    double P3[9], G3[9], Ex[9];
    ck_assert(sx_propagator(3, C, 1e-3, P3, G3) == 0);
    double Ch[9];
    for (int i = 0; i < 9; i++)
        Ch[i] = C[i] * 1e-3;
    ck_assert(sx_expm(3, Ch, Ex));
    ck_assert_double_le(rel_err(3, P3, Ex), 1e-14);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int k = 0; k < 3; k++)
                s += C[i * 3 + k] * G3[k * 3 + j];
            ck_assert_double_le(fabs(s - (P3[i * 3 + j] - (i == j))), 1e-13);
        }
    ck_assert(sx_propagator(33, C, 1e-3, P3, G3) == -1);
    ck_assert(sx_propagator(1, &A, NAN, &Phi, &Gamma) == -1);
}
END_TEST

Suite *sx_suite(void)
{
    Suite *s = suite_create("sx");
    TCase *tc = tcase_create("algebra");
    tcase_add_test(tc, test_fold_constants);
    tcase_add_test(tc, test_dimensions);
    tcase_add_test(tc, test_functions_and_eval);
    tcase_add_test(tc, test_simplify_rules);
    tcase_add_test(tc, test_simplify_preserves_value);
    tcase_add_test(tc, test_subst_equal_uses);
    tcase_add_test(tc, test_print);
    suite_add_tcase(s, tc);
    TCase *td = tcase_create("calculus");
    tcase_add_test(td, test_diff_every_function);
    tcase_add_test(td, test_diff_exprel_near_zero);
    tcase_add_test(td, test_diff_rules);
    tcase_add_test(td, test_diff_random_composites);
    tcase_add_test(td, test_diff_neuron_models);
    tcase_add_test(td, test_linearity);
    tcase_add_test(td, test_cond_linearity);
    suite_add_tcase(s, td);
    TCase *tm = tcase_create("expm");
    tcase_add_test(tm, test_expm_closed_forms);
    tcase_add_test(tm, test_expm_random_vs_taylor);
    tcase_add_test(tm, test_expm_large_norm);
    tcase_add_test(tm, test_propagator);
    suite_add_tcase(s, tm);
    return s;
}
