/*
 * Vectorisable transcendental functions, emitted as straight-line IR.
 *
 * A call to libm's exp() inside a kernel loop keeps LLVM's loop vectoriser
 * from turning the loop into SIMD code (there is no vector libm it may use
 * without a vector-library setting, which the C API does not expose). These
 * versions use only arithmetic, selects and bit operations, so they
 * vectorise, and they are always inlined. Accuracy (double): exp, log,
 * expm1, exprel within about 1 ulp over their ranges (at most 2); the same
 * code runs in the vector body and the scalar remainder, so results do not
 * depend on how neurons are split between threads.
 *
 * Each function takes the precision of its argument: a double gets the double
 * version, a float the float one (the end of this file), with shorter
 * polynomials and twice the vector lanes; a single-precision model computes its
 * math in float (cg.c, math1). Bounds measured on floats are in float ulp.
 */
#include "codegen/cg_int.h"

#include <math.h>
#include <string.h>

LLVMValueRef cgm_f64(cg *c, double v) { return LLVMConstReal(c->f64, v); }
LLVMValueRef cgm_const(cg *c, double v) { return LLVMConstReal(c->fp, v); }

static LLVMValueRef b_add(cg *c, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildFAdd(c->b, a, b, ""); }
static LLVMValueRef b_sub(cg *c, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildFSub(c->b, a, b, ""); }
static LLVMValueRef b_mul(cg *c, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildFMul(c->b, a, b, ""); }
static LLVMValueRef b_div(cg *c, LLVMValueRef a, LLVMValueRef b) { return LLVMBuildFDiv(c->b, a, b, ""); }
static LLVMValueRef sel(cg *c, LLVMValueRef k, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(c->b, k, a, b, "");
}
static LLVMValueRef fcmp(cg *c, LLVMRealPredicate p, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildFCmp(c->b, p, a, b, "");
}

LLVMValueRef cgm_intrinsic(cg *c, const char *name, LLVMTypeRef type, LLVMValueRef *args, int n)
{
    unsigned id = LLVMLookupIntrinsicID(name, strlen(name));
    LLVMValueRef fn = LLVMGetIntrinsicDeclaration(c->mod, id, &type, 1);
    LLVMTypeRef fty = LLVMIntrinsicGetType(c->ctx, id, &type, 1);
    return LLVMBuildCall2(c->b, fty, fn, args, (unsigned)n, "");
}

LLVMValueRef cgm_call(cg *c, const char *name, LLVMTypeRef ret, LLVMTypeRef *params, int n,
                      LLVMValueRef *args)
{
    LLVMTypeRef fty = LLVMFunctionType(ret, params, (unsigned)n, 0);
    LLVMValueRef fn = LLVMGetNamedFunction(c->mod, name);
    if (!fn)
        fn = LLVMAddFunction(c->mod, name, fty);
    return LLVMBuildCall2(c->b, fty, fn, args, (unsigned)n, "");
}

static LLVMValueRef exp_f32(cg *c, LLVMValueRef x);
static LLVMValueRef log_f32(cg *c, LLVMValueRef x);
static LLVMValueRef expm1_f32(cg *c, LLVMValueRef x);
static LLVMValueRef exprel_f32(cg *c, LLVMValueRef x);
static LLVMValueRef tanh_f32(cg *c, LLVMValueRef x);

/* Horner evaluation of sum coef[k] x^k, k = 0..n-1. */
static LLVMValueRef horner(cg *c, LLVMValueRef x, const double *coef, int n)
{
    LLVMValueRef acc = cgm_f64(c, coef[n - 1]);
    for (int k = n - 2; k >= 0; k--)
        acc = b_add(c, b_mul(c, acc, x), cgm_f64(c, coef[k]));
    return acc;
}

/* 2^n for an integer-valued double n in [-1022, 1023], by building the bits. */
static LLVMValueRef pow2i(cg *c, LLVMValueRef n)
{
    LLVMValueRef ni = LLVMBuildFPToSI(c->b, n, c->i64, "");
    LLVMValueRef biased = LLVMBuildAdd(c->b, ni, LLVMConstInt(c->i64, 1023, 0), "");
    LLVMValueRef bits = LLVMBuildShl(c->b, biased, LLVMConstInt(c->i64, 52, 0), "");
    return LLVMBuildBitCast(c->b, bits, c->f64, "");
}

LLVMValueRef cgm_fma(cg *c, LLVMValueRef a, LLVMValueRef b, LLVMValueRef addend)
{
    if (!c->fma)
        return b_add(c, b_mul(c, a, b), addend);
    LLVMValueRef args[3] = {a, b, addend};
    return cgm_intrinsic(c, "llvm.fma", LLVMTypeOf(a), args, 3);
}

/* sum coef[k] x^k, k = 0..n-1 (n <= 32), by Estrin's scheme: pairs c0 + c1 x, then pairs of
 * those with x^2, and so on, so the dependency chain is log2(n) multiply-adds long instead of
 * n (the kernels are latency-bound). */
static LLVMValueRef estrin(cg *c, LLVMValueRef x, const double *coef, int n)
{
    LLVMValueRef t[32];
    for (int k = 0; k < n; k++)
        t[k] = cgm_f64(c, coef[k]);
    LLVMValueRef p = x;
    while (n > 1) {
        int h = 0;
        for (int k = 0; k + 1 < n; k += 2)
            t[h++] = cgm_fma(c, t[k + 1], p, t[k]);
        if (n & 1)
            t[h++] = t[n - 1];
        n = h;
        if (n > 1)
            p = b_mul(c, p, p);
    }
    return t[0];
}

/* Q(r) = (e^r - 1 - r) / r^2 = sum r^k / (k + 2)! on |r| <= ln(2)/2: a degree-10 Chebyshev fit
 * (mpmath chebyfit), error below 1.4e-18, so below 9e-19 in 1 + r Q(r); one term less than
 * the Taylor polynomial of the same accuracy. */
static const double Q_COEF[11] = {
    0.5, 0.1666666666666667, 0.04166666666666667, 0.008333333333326136,
    0.0013888888888883748, 0.00019841269874820627, 2.4801587325547743e-05,
    2.7557255400206422e-06, 2.75572736431103e-07, 2.5105217004720745e-08,
    2.0914686968086876e-09};

/* t = r Q(r), so that e^r = 1 + (r + r t) and exprel(r) = 1 + t. */
static LLVMValueRef q_term(cg *c, LLVMValueRef r) { return b_mul(c, r, estrin(c, r, Q_COEF, 11)); }

/*
 * exp(x) = 2^n e^r with n = round(x / ln 2) and |r| <= ln(2)/2, r computed
 * in two parts (Cody-Waite) so it is exact to about 2^-60. e^r = 1 + (r + r t)
 * with t = r Q(r) (Q_COEF), by Estrin's scheme with FMA. About 1 ulp. 2^n is split
 * in two factors so that results down to the smallest subnormal are right.
 */
LLVMValueRef cgm_exp(cg *c, LLVMValueRef x)
{
    if (LLVMTypeOf(x) == c->f32)
        return exp_f32(c, x);
    static const double LN2_HI = 6.93147180369123816490e-01;
    static const double LN2_LO = 1.90821492927058770002e-10;
    LLVMValueRef big = fcmp(c, LLVMRealOGT, x, cgm_f64(c, 709.782712893384));
    LLVMValueRef tiny = fcmp(c, LLVMRealOLT, x, cgm_f64(c, -745.2));
    LLVMValueRef isnan = fcmp(c, LLVMRealUNO, x, x);
    LLVMValueRef xc = sel(c, big, cgm_f64(c, 0), sel(c, tiny, cgm_f64(c, 0), sel(c, isnan, cgm_f64(c, 0), x)));
    LLVMValueRef args[1] = {b_mul(c, xc, cgm_f64(c, 1.4426950408889634))};
    LLVMValueRef n = cgm_intrinsic(c, "llvm.rint", c->f64, args, 1);
    LLVMValueRef r = cgm_fma(c, n, cgm_f64(c, -LN2_HI), xc);
    r = cgm_fma(c, n, cgm_f64(c, -LN2_LO), r);
    /* e^r = 1 + (r + r t), t = r Q(r) as in half_expm1: the sum with 1 comes last */
    LLVMValueRef t = q_term(c, r);
    LLVMValueRef p = b_add(c, cgm_fma(c, r, t, r), cgm_f64(c, 1));
    /* n in [-1075, 1024]: split as n1 = floor(n / 2), n2 = n - n1 */
    LLVMValueRef half[1] = {b_mul(c, n, cgm_f64(c, 0.5))};
    LLVMValueRef n1 = cgm_intrinsic(c, "llvm.floor", c->f64, half, 1);
    LLVMValueRef n2 = b_sub(c, n, n1);
    LLVMValueRef res = b_mul(c, b_mul(c, p, pow2i(c, n1)), pow2i(c, n2));
    res = sel(c, big, cgm_f64(c, INFINITY), res);
    res = sel(c, tiny, cgm_f64(c, 0), res);
    return sel(c, isnan, x, res);
}

/*
 * log(x): x = m 2^e with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s),
 * s = (m - 1) / (m + 1), |s| < 0.172, by its odd series to s^23
 * (truncation below 1e-18). Special values: log(0) = -inf, log(<0) = nan,
 * log(inf) = inf; subnormals are scaled up first.
 */
LLVMValueRef cgm_log(cg *c, LLVMValueRef x)
{
    if (LLVMTypeOf(x) == c->f32)
        return log_f32(c, x);
    LLVMValueRef sub = fcmp(c, LLVMRealOLT, x, cgm_f64(c, 2.2250738585072014e-308));
    LLVMValueRef xs = sel(c, sub, b_mul(c, x, cgm_f64(c, 18014398509481984.0 /* 2^54 */)), x);
    LLVMValueRef bits = LLVMBuildBitCast(c->b, xs, c->i64, "");
    LLVMValueRef e = LLVMBuildSub(c->b, LLVMBuildLShr(c->b, bits, LLVMConstInt(c->i64, 52, 0), ""),
                                  LLVMConstInt(c->i64, 1023, 0), "");
    LLVMValueRef mbits = LLVMBuildOr(c->b, LLVMBuildAnd(c->b, bits, LLVMConstInt(c->i64, 0x000FFFFFFFFFFFFFULL, 0), ""),
                                     LLVMConstInt(c->i64, 0x3FF0000000000000ULL, 0), "");
    LLVMValueRef m = LLVMBuildBitCast(c->b, mbits, c->f64, "");
    LLVMValueRef ef = LLVMBuildSIToFP(c->b, e, c->f64, "");
    LLVMValueRef hi = fcmp(c, LLVMRealOGT, m, cgm_f64(c, 1.4142135623730951));
    m = sel(c, hi, b_mul(c, m, cgm_f64(c, 0.5)), m);
    ef = sel(c, hi, b_add(c, ef, cgm_f64(c, 1)), ef);
    ef = sel(c, sub, b_sub(c, ef, cgm_f64(c, 54)), ef);
    LLVMValueRef s = b_div(c, b_sub(c, m, cgm_f64(c, 1)), b_add(c, m, cgm_f64(c, 1)));
    LLVMValueRef s2 = b_mul(c, s, s);
    double coef[12];
    for (int k = 0; k < 12; k++)
        coef[k] = 2.0 / (2 * k + 1);
    LLVMValueRef lm = b_mul(c, s, horner(c, s2, coef, 12));
    LLVMValueRef res = b_add(c, b_mul(c, ef, cgm_f64(c, 6.93147180369123816490e-01)),
                            b_add(c, b_mul(c, ef, cgm_f64(c, 1.90821492927058770002e-10)), lm));
    res = sel(c, fcmp(c, LLVMRealOEQ, x, cgm_f64(c, 0)), cgm_f64(c, -INFINITY), res);
    res = sel(c, fcmp(c, LLVMRealOLT, x, cgm_f64(c, 0)), cgm_f64(c, NAN), res);
    res = sel(c, fcmp(c, LLVMRealOEQ, x, cgm_f64(c, INFINITY)), x, res);
    return sel(c, fcmp(c, LLVMRealUNO, x, x), x, res);
}

/*
 * The reduction of expm1 (and of exprel outside its polynomial's interval): x (clamped to
 * [-708, 710]; NaN becomes -708) = n ln 2 + r with n integer and |r| <= ln(2)/2 (Cody-Waite, r
 * exact to about 2^-60), and t = r Q(r) (Q_COEF), so that expm1(r) = r + r t. Returns
 * expm1(x) / 2 = 2^n (1 + expm1(r)) / 2 - 1/2, formed as s expm1(r) + (s - 1/2) with
 * s = 2^(n-1), in which s - 1/2 is exact for |n| <= 53: about 1 ulp, and for n = 0 exactly
 * expm1(r) / 2. Within the clamp, s is a normal number. One evaluation, no branches: the same
 * operations in every lane.
 */
static LLVMValueRef half_expm1(cg *c, LLVMValueRef x)
{
    static const double LN2_HI = 6.93147180369123816490e-01; /* low 32 bits zero */
    static const double LN2_LO = 1.90821492927058770002e-10;
    /* x > -708 ? x : -708 (NaN: -708), then < 710: one max and one min */
    LLVMValueRef lo = cgm_f64(c, -708), hi = cgm_f64(c, 710);
    LLVMValueRef xc = sel(c, fcmp(c, LLVMRealOGT, x, lo), x, lo);
    xc = sel(c, fcmp(c, LLVMRealOLT, xc, hi), xc, hi);
    /* n = round(x / ln 2) by the 1.5 * 2^52 shifter (round to nearest): k holds n in the low
       bits of its significand, so no rounding or conversion instruction is needed */
    static const double SHIFT = 6755399441055744.0; /* 1.5 * 2^52 */
    LLVMValueRef k = cgm_fma(c, xc, cgm_f64(c, 1.4426950408889634), cgm_f64(c, SHIFT));
    LLVMValueRef n = b_sub(c, k, cgm_f64(c, SHIFT));
    LLVMValueRef r = cgm_fma(c, n, cgm_f64(c, -LN2_HI), xc);
    r = cgm_fma(c, n, cgm_f64(c, -LN2_LO), r);
    LLVMValueRef t = q_term(c, r);
    LLVMValueRef p = cgm_fma(c, r, t, r);
    /* s = 2^(n - 1), n - 1 in [-1022, 1023]: the low 12 bits of k are n mod 4096 */
    LLVMValueRef kb = LLVMBuildBitCast(c->b, k, c->i64, "");
    LLVMValueRef bits = LLVMBuildAdd(c->b, LLVMBuildShl(c->b, kb, LLVMConstInt(c->i64, 52, 0), ""),
                                     LLVMConstInt(c->i64, 1022ULL << 52, 0), "");
    LLVMValueRef s = LLVMBuildBitCast(c->b, bits, c->f64, "");
    return cgm_fma(c, s, p, b_sub(c, s, cgm_f64(c, 0.5))); /* expm1(x) / 2 */
}

/* expm1(x): about 2 ulp near |x| = ln(2)/2, else 1; -1 below -708, inf above 709.78, NaN for
 * NaN. */
LLVMValueRef cgm_expm1(cg *c, LLVMValueRef x)
{
    if (LLVMTypeOf(x) == c->f32)
        return expm1_f32(c, x);
    LLVMValueRef em1 = b_mul(c, half_expm1(c, x), cgm_f64(c, 2));
    return sel(c, fcmp(c, LLVMRealUNO, x, x), x, em1);
}

/* R(x) = (exprel(x) - 1) / x on [-3/4, 1/8): a degree-10 Chebyshev fit (mpmath chebyfit, error
 * 1.4e-17, tools/exprel_fit.py), so that 1 + x R(x) by Horner's scheme is within about 0.85 ulp
 * of exprel(x) there (0.835 the worst of 2^25 arguments against expm1l(x) / x: tools/exprel_ulp.c
 * 32, which measures the kernel's). The interval is not symmetric because exponential Euler's
 * argument B dt is negative wherever the equation decays (conductances, gating variables: COBA's is
 * -(1 + ge + gi) dt / taum, between -0.6 and 0 in its runs); a positive one above 1/8 means
 * growth by more than e^(1/8) in a step. [-1, 1/4) took degree 11 (one multiply-add more per
 * neuron, 1-4% of COBA's loop). Arguments in [-1, -3/4) and [1/8, 1/4) get the quotient, as all
 * others do (1.26 ulp measured there), in an update kernel from the fixing calls of its full
 * body (cg.c, fix_runs), for the few neurons that have them. */
static const double R_COEF[11] = {0.5,
                                  0.16666666666666627,
                                  0.041666666666660426,
                                  0.008333333333395055,
                                  0.001388888889798509,
                                  0.00019841269898879894,
                                  2.4801556101751188e-05,
                                  2.7555535757985926e-06,
                                  2.751122940395108e-07,
                                  2.4408235061696455e-08,
                                  1.6079497165463882e-09};

/* Where exprel is a polynomial: EXPREL_LO <= x < EXPREL_HI. */
#define EXPREL_LO (-0.75)
#define EXPREL_HI 0.125

/* Is x (double or float) in [EXPREL_LO, EXPREL_HI) (false for NaN)? */
static LLVMValueRef exprel_is_small(cg *c, LLVMValueRef x)
{
    LLVMTypeRef t = LLVMTypeOf(x);
    return LLVMBuildAnd(c->b, fcmp(c, LLVMRealOGE, x, LLVMConstReal(t, EXPREL_LO)),
                        fcmp(c, LLVMRealOLT, x, LLVMConstReal(t, EXPREL_HI)), "");
}

/* The fast body's exprel (c->exprel_mode CG_EXPREL_FAST): the polynomial `poly`, and "x is not
   small" (`small` false) or-ed into c->exprel_big. */
static LLVMValueRef exprel_fast(cg *c, LLVMValueRef small, LLVMValueRef poly)
{
    LLVMValueRef big = LLVMBuildNot(c->b, small, "");
    c->exprel_big = c->exprel_big ? LLVMBuildOr(c->b, c->exprel_big, big, "") : big;
    return poly;
}

/* exprel(x) for x in [EXPREL_LO, EXPREL_HI): 1 + x R(x), R by Horner's scheme with multiply-adds.
 * Update kernels are bound by the throughput of the multiply units, not by latency (a vector
 * of neurons is independent of the next, and the out-of-order core overlaps them): Horner
 * takes 11 multiply-adds where Estrin's scheme takes about as many and 3 multiplies for the
 * powers of x, and it keeps 2 values live instead of a dozen (no spills of the coefficients). */
static LLVMValueRef exprel_small(cg *c, LLVMValueRef x)
{
    LLVMValueRef acc = cgm_f64(c, R_COEF[10]);
    for (int k = 9; k >= 0; k--)
        acc = cgm_fma(c, acc, x, cgm_f64(c, R_COEF[k]));
    return cgm_fma(c, x, acc, cgm_f64(c, 1));
}

/*
 * exprel(x) = (e^x - 1) / x, 1 at 0: 1 + x R(x) for -3/4 <= x < 1/8 (no reduction, no division;
 * 0.835 ulp measured), elsewhere expm1(x) / x (no cancellation there; 1.93 ulp measured).
 * NaN for NaN (the clamp gives a finite expm1, divided by NaN); inf above 709.78, as e^x.
 *
 * In an update kernel, c->exprel_mode selects what is built (cg.c, kernel): CG_EXPREL_FAST
 * only exprel_small, the very operations the full function selects for x in [EXPREL_LO,
 * EXPREL_HI), so the bits are the same there, and "x outside that or NaN" or-ed into
 * c->exprel_big, the neurons whose update the fast body leaves to the full one.
 */
LLVMValueRef cgm_exprel(cg *c, LLVMValueRef x)
{
    c->nexprel++;
    if (LLVMTypeOf(x) == c->f32)
        return exprel_f32(c, x);
    LLVMValueRef small = exprel_is_small(c, x);
    if (c->exprel_mode == CG_EXPREL_FAST)
        return exprel_fast(c, small, exprel_small(c, x));
    /* (expm1(x) / 2) / (x / 2): x / 2 is exact wherever x >= 1/8 or x < -3/4 */
    LLVMValueRef q = b_div(c, half_expm1(c, x), b_mul(c, x, cgm_f64(c, 0.5)));
    LLVMValueRef res = sel(c, small, exprel_small(c, x), q);
    /* inf where e^x overflows (beyond the clamp the quotient would be finite and wrong) */
    return sel(c, fcmp(c, LLVMRealOGT, x, cgm_f64(c, 709.782712893384)), cgm_f64(c, INFINITY), res);
}

/* tanh(x) = expm1(2x) / (expm1(2x) + 2), with |x| clamped at 20 where
 * tanh is 1 to double precision. */
LLVMValueRef cgm_tanh(cg *c, LLVMValueRef x)
{
    if (LLVMTypeOf(x) == c->f32)
        return tanh_f32(c, x);
    LLVMValueRef lo = cgm_f64(c, -20), hi = cgm_f64(c, 20);
    LLVMValueRef xc = sel(c, fcmp(c, LLVMRealOGT, x, hi), hi, sel(c, fcmp(c, LLVMRealOLT, x, lo), lo, x));
    LLVMValueRef e = cgm_expm1(c, b_mul(c, xc, cgm_f64(c, 2)));
    return b_div(c, e, b_add(c, e, cgm_f64(c, 2)));
}

/* ---- float versions (single-precision models) -------------------------------------------
 * The same schemes as the double ones above with float constants and shorter polynomials
 * (the coefficients are mpmath Chebyshev fits rounded to float; log's are fdlibm's). Errors
 * measured against long double references, in float ulp (tests/unit/check_axonc.c,
 * test_math_f32, checks each on a dense sample of its range): exprel at most 0.834 on [-3/4,
 * 1/8) (every float there) and 1.67 elsewhere, exp 0.96, expm1 1.37, log 0.78, tanh 2.40. Those
 * are with fused multiply-adds; on a CPU without them (--target-cpu x86-64) exprel's polynomial
 * reached 1.11 on the 49,152 arguments in [-3/4, 1/8) of check_axonc's test_math_f32 pass for
 * that CPU (which tests it there against 1.5; degree 6 on [-1, 1/4) reached 1.35), the others
 * within their bounds with FMA. */

static LLVMValueRef f32c(cg *c, double v)
{
    return LLVMConstReal(c->f32, v);
}

/* Horner with multiply-adds: sum coef[k] x^k, k = 0..n-1. */
static LLVMValueRef horner_f32(cg *c, LLVMValueRef x, const float *coef, int n)
{
    LLVMValueRef acc = f32c(c, coef[n - 1]);
    for (int k = n - 2; k >= 0; k--)
        acc = cgm_fma(c, acc, x, f32c(c, coef[k]));
    return acc;
}

/* Q(r) = (e^r - 1 - r) / r^2 on |r| <= ln(2)/2: degree 5, fit error 1.4e-9 (so below 2e-10
 * in e^r = 1 + (r + r^2 Q(r))). */
static const float QF_COEF[6] = {0.5f,
                                 0.1666666716337204f,
                                 0.04166646674275398f,
                                 0.00833331048488617f,
                                 0.0013933641603216529f,
                                 0.00019890980911441147f};

/* ln 2 = LN2F_HI + LN2F_LO, LN2F_HI with its low 9 significand bits zero (n LN2F_HI is exact
 * for |n| < 512) */
#define LN2F_HI 0.693145751953125
#define LN2F_LO 1.428606765330187e-06

/* 2^n for an integer-valued float n in [-126, 127]. */
static LLVMValueRef pow2i_f32(cg *c, LLVMValueRef n)
{
    LLVMValueRef ni = LLVMBuildFPToSI(c->b, n, c->i32, "");
    LLVMValueRef biased = LLVMBuildAdd(c->b, ni, LLVMConstInt(c->i32, 127, 0), "");
    return LLVMBuildBitCast(c->b, LLVMBuildShl(c->b, biased, LLVMConstInt(c->i32, 23, 0), ""),
                            c->f32, "");
}

/* exp(x) as cgm_exp: inf above ln(FLT_MAX), 0 below -103.98 (under half the least
 * subnormal), 2^n split in two factors for the subnormal results. */
static LLVMValueRef exp_f32(cg *c, LLVMValueRef x)
{
    LLVMValueRef big = fcmp(c, LLVMRealOGT, x, f32c(c, 88.72283172607421875));
    LLVMValueRef tiny = fcmp(c, LLVMRealOLT, x, f32c(c, -103.98));
    LLVMValueRef isnan = fcmp(c, LLVMRealUNO, x, x);
    LLVMValueRef zero = f32c(c, 0);
    LLVMValueRef xc = sel(c, big, zero, sel(c, tiny, zero, sel(c, isnan, zero, x)));
    LLVMValueRef args[1] = {b_mul(c, xc, f32c(c, 1.4426950408889634))};
    LLVMValueRef n = cgm_intrinsic(c, "llvm.rint", c->f32, args, 1);
    LLVMValueRef r = cgm_fma(c, n, f32c(c, -LN2F_HI), xc);
    r = cgm_fma(c, n, f32c(c, -LN2F_LO), r);
    LLVMValueRef t = b_mul(c, r, horner_f32(c, r, QF_COEF, 6));
    LLVMValueRef p = b_add(c, cgm_fma(c, r, t, r), f32c(c, 1));
    /* n in [-150, 128]: n1 = floor(n / 2), n2 = n - n1 */
    LLVMValueRef half[1] = {b_mul(c, n, f32c(c, 0.5))};
    LLVMValueRef n1 = cgm_intrinsic(c, "llvm.floor", c->f32, half, 1);
    LLVMValueRef n2 = b_sub(c, n, n1);
    LLVMValueRef res = b_mul(c, b_mul(c, p, pow2i_f32(c, n1)), pow2i_f32(c, n2));
    res = sel(c, big, f32c(c, INFINITY), res);
    res = sel(c, tiny, zero, res);
    return sel(c, isnan, x, res);
}

/* log(x) as cgm_log, in fdlibm's form (FreeBSD's logf): m = 1 + f in [sqrt(1/2), sqrt(2)),
 * s = f / (2 + f), log(1 + f) = f - (f^2 / 2 - s (f^2 / 2 + R(s^2))), R a degree-4 fit in s^2
 * (error below 2^-34): the rounding errors fall on the small terms, not on f. */
static LLVMValueRef log_f32(cg *c, LLVMValueRef x)
{
    LLVMValueRef sub = fcmp(c, LLVMRealOLT, x, f32c(c, 1.17549435082228750797e-38));
    LLVMValueRef xs = sel(c, sub, b_mul(c, x, f32c(c, 33554432.0 /* 2^25 */)), x);
    LLVMValueRef bits = LLVMBuildBitCast(c->b, xs, c->i32, "");
    LLVMValueRef e = LLVMBuildSub(c->b, LLVMBuildLShr(c->b, bits, LLVMConstInt(c->i32, 23, 0), ""),
                                  LLVMConstInt(c->i32, 127, 0), "");
    LLVMValueRef mbits =
        LLVMBuildOr(c->b, LLVMBuildAnd(c->b, bits, LLVMConstInt(c->i32, 0x007FFFFF, 0), ""),
                    LLVMConstInt(c->i32, 0x3F800000, 0), "");
    LLVMValueRef m = LLVMBuildBitCast(c->b, mbits, c->f32, "");
    LLVMValueRef ef = LLVMBuildSIToFP(c->b, e, c->f32, "");
    LLVMValueRef hi = fcmp(c, LLVMRealOGT, m, f32c(c, 1.41421353816986083984));
    m = sel(c, hi, b_mul(c, m, f32c(c, 0.5)), m);
    ef = sel(c, hi, b_add(c, ef, f32c(c, 1)), ef);
    ef = sel(c, sub, b_sub(c, ef, f32c(c, 25)), ef);
    static const float LG[4] = {0x1.555554p-1f, 0x1.999c26p-2f, 0x1.23d3dcp-2f, 0x1.f13c4cp-3f};
    LLVMValueRef f = b_sub(c, m, f32c(c, 1));
    LLVMValueRef s = b_div(c, f, b_add(c, f, f32c(c, 2)));
    LLVMValueRef z = b_mul(c, s, s);
    LLVMValueRef r = b_mul(c, z, horner_f32(c, z, LG, 4));
    LLVMValueRef hfsq = b_mul(c, b_mul(c, f, f), f32c(c, 0.5));
    /* fdlibm's split of ln 2: the high part has 17 significant bits, so ef times it is exact */
    LLVMValueRef lo =
        b_add(c, b_mul(c, s, b_add(c, hfsq, r)), b_mul(c, ef, f32c(c, 9.0580006145e-06)));
    LLVMValueRef res =
        b_sub(c, b_mul(c, ef, f32c(c, 6.9313812256e-01)), b_sub(c, b_sub(c, hfsq, lo), f));
    LLVMValueRef zero = f32c(c, 0);
    res = sel(c, fcmp(c, LLVMRealOEQ, x, zero), f32c(c, -INFINITY), res);
    res = sel(c, fcmp(c, LLVMRealOLT, x, zero), f32c(c, NAN), res);
    res = sel(c, fcmp(c, LLVMRealOEQ, x, f32c(c, INFINITY)), x, res);
    return sel(c, fcmp(c, LLVMRealUNO, x, x), x, res);
}

/* expm1(x) / 2 as half_expm1, x clamped to [-86, 89] (NaN: -86) so that s = 2^(n-1) is a
 * normal float (n in [-124, 128]); expm1 is -1 to float precision below -86, and e^x
 * overflows above 88.73. The low 9 bits of k (the 1.5 * 2^23 shifter) are n mod 512. */
static LLVMValueRef half_expm1_f32(cg *c, LLVMValueRef x)
{
    LLVMValueRef lo = f32c(c, -86), hi = f32c(c, 89);
    LLVMValueRef xc = sel(c, fcmp(c, LLVMRealOGT, x, lo), x, lo);
    xc = sel(c, fcmp(c, LLVMRealOLT, xc, hi), xc, hi);
    static const double SHIFT = 12582912.0; /* 1.5 * 2^23 */
    LLVMValueRef k = cgm_fma(c, xc, f32c(c, 1.4426950408889634), f32c(c, SHIFT));
    LLVMValueRef n = b_sub(c, k, f32c(c, SHIFT));
    LLVMValueRef r = cgm_fma(c, n, f32c(c, -LN2F_HI), xc);
    r = cgm_fma(c, n, f32c(c, -LN2F_LO), r);
    LLVMValueRef t = b_mul(c, r, horner_f32(c, r, QF_COEF, 6));
    LLVMValueRef p = cgm_fma(c, r, t, r);
    LLVMValueRef kb = LLVMBuildBitCast(c->b, k, c->i32, "");
    LLVMValueRef bits = LLVMBuildAdd(c->b, LLVMBuildShl(c->b, kb, LLVMConstInt(c->i32, 23, 0), ""),
                                     LLVMConstInt(c->i32, 126u << 23, 0), "");
    LLVMValueRef s = LLVMBuildBitCast(c->b, bits, c->f32, "");
    return cgm_fma(c, s, p, b_sub(c, s, f32c(c, 0.5)));
}

static LLVMValueRef expm1_f32(cg *c, LLVMValueRef x)
{
    LLVMValueRef em1 = b_mul(c, half_expm1_f32(c, x), f32c(c, 2));
    return sel(c, fcmp(c, LLVMRealUNO, x, x), x, em1);
}

/* R(x) = (exprel(x) - 1) / x on [-3/4, 1/8), the double version's interval: degree 5, fit error
 * 4.5e-9 (tools/exprel_fit.py 5 -0.75 0.125, rounded to float); 1 + x R(x) by Horner is within
 * 0.834 ulp of exprel(x) for every float in [-3/4, 1/8) (in a C emulation of its multiply-adds;
 * `tools/exprel_ulp.c 4 single` finds the same worst argument in the kernel), with 6
 * multiply-adds (the double version takes 11, on half the lanes). Degree 6 on [-1, 1/4) took
 * one more, within 1.02 ulp. */
static const float RF_COEF[6] = {0.5f,
                                 0.16666674613952637f,
                                 0.04166676849126816f,
                                 0.00832825992256403f,
                                 0.0013644967693835497f,
                                 0.00015773660561535507f};

static LLVMValueRef exprel_small_f32(cg *c, LLVMValueRef x)
{
    return cgm_fma(c, x, horner_f32(c, x, RF_COEF, 6), f32c(c, 1));
}

/* exprel as cgm_exprel (the same interval, the same fast and full forms), in float; inf
 * where e^x overflows (x > ln(FLT_MAX)). */
static LLVMValueRef exprel_f32(cg *c, LLVMValueRef x)
{
    LLVMValueRef small = exprel_is_small(c, x);
    if (c->exprel_mode == CG_EXPREL_FAST)
        return exprel_fast(c, small, exprel_small_f32(c, x));
    LLVMValueRef q = b_div(c, half_expm1_f32(c, x), b_mul(c, x, f32c(c, 0.5)));
    LLVMValueRef res = sel(c, small, exprel_small_f32(c, x), q);
    return sel(c, fcmp(c, LLVMRealOGT, x, f32c(c, 88.72283172607421875)), f32c(c, INFINITY), res);
}

/* tanh(x) = sign(x) e / (e + 2), e = expm1(2 |x|), |x| clamped at 10 (tanh is 1 in float
 * from 9.01): on |x|, e + 2 does not cancel as it does for e near -1 (2.5 ulp at x = -5 in
 * the double version's form, evaluated in float). */
static LLVMValueRef tanh_f32(cg *c, LLVMValueRef x)
{
    LLVMValueRef ax = cgm_intrinsic(c, "llvm.fabs", c->f32, &x, 1);
    LLVMValueRef hi = f32c(c, 10);
    LLVMValueRef xc = sel(c, fcmp(c, LLVMRealOGT, ax, hi), hi, ax);
    LLVMValueRef e = expm1_f32(c, b_mul(c, xc, f32c(c, 2)));
    LLVMValueRef t = b_div(c, e, b_add(c, e, f32c(c, 2)));
    LLVMValueRef args[2] = {t, x};
    return cgm_intrinsic(c, "llvm.copysign", c->f32, args, 2);
}

/* ---- Philox4x32-10, mirroring axon_philox4x32_10 in rng.h ------------------- */

static LLVMValueRef i32c(cg *c, uint32_t v) { return LLVMConstInt(c->i32, v, 0); }

static void mulhilo(cg *c, uint32_t m, LLVMValueRef a, LLVMValueRef *hi, LLVMValueRef *lo)
{
    LLVMValueRef p = LLVMBuildMul(c->b, LLVMBuildZExt(c->b, a, c->i64, ""), LLVMConstInt(c->i64, m, 0), "");
    *lo = LLVMBuildTrunc(c->b, p, c->i32, "");
    *hi = LLVMBuildTrunc(c->b, LLVMBuildLShr(c->b, p, LLVMConstInt(c->i64, 32, 0), ""), c->i32, "");
}

LLVMValueRef cgm_uniform(cg *c, LLVMValueRef seed, LLVMValueRef stream, LLVMValueRef index,
                         LLVMValueRef step, unsigned k)
{
    LLVMValueRef k0 = LLVMBuildTrunc(c->b, seed, c->i32, "");
    LLVMValueRef k1 = LLVMBuildTrunc(c->b, LLVMBuildLShr(c->b, seed, LLVMConstInt(c->i64, 32, 0), ""), c->i32, "");
    LLVMValueRef c0 = index;
    LLVMValueRef c1 = stream;
    LLVMValueRef c2 = LLVMBuildTrunc(c->b, step, c->i32, "");
    LLVMValueRef shi = LLVMBuildTrunc(c->b, LLVMBuildLShr(c->b, step, LLVMConstInt(c->i64, 32, 0), ""), c->i32, "");
    LLVMValueRef c3 = LLVMBuildOr(c->b, LLVMBuildAnd(c->b, shi, i32c(c, 0xFFFFu), ""),
                                  i32c(c, ((k >> 1) & 0x7FFFu) << 16), "");
    for (int r = 0; r < 10; r++) {
        LLVMValueRef h0, l0, h1, l1;
        mulhilo(c, 0xD2511F53u, c0, &h0, &l0);
        mulhilo(c, 0xCD9E8D57u, c2, &h1, &l1);
        LLVMValueRef n0 = LLVMBuildXor(c->b, LLVMBuildXor(c->b, h1, c1, ""), k0, "");
        LLVMValueRef n2 = LLVMBuildXor(c->b, LLVMBuildXor(c->b, h0, c3, ""), k1, "");
        c1 = l1;
        c3 = l0;
        c0 = n0;
        c2 = n2;
        k0 = LLVMBuildAdd(c->b, k0, i32c(c, 0x9E3779B9u), "");
        k1 = LLVMBuildAdd(c->b, k1, i32c(c, 0xBB67AE85u), "");
    }
    LLVMValueRef w_hi = (k & 1) ? c2 : c0, w_lo = (k & 1) ? c3 : c1;
    LLVMValueRef bits = LLVMBuildOr(c->b,
        LLVMBuildShl(c->b, LLVMBuildZExt(c->b, w_hi, c->i64, ""), LLVMConstInt(c->i64, 21, 0), ""),
        LLVMBuildLShr(c->b, LLVMBuildZExt(c->b, w_lo, c->i64, ""), LLVMConstInt(c->i64, 11, 0), ""), "");
    LLVMValueRef u = b_mul(c, LLVMBuildUIToFP(c->b, bits, c->f64, ""), cgm_f64(c, 0x1p-53));
    LLVMValueRef zero = LLVMBuildICmp(c->b, LLVMIntEQ, bits, LLVMConstInt(c->i64, 0, 0), "");
    return sel(c, zero, cgm_f64(c, 0x1p-54), u);
}
