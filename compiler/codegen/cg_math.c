/*
 * Vectorisable transcendental functions, emitted as straight-line IR.
 *
 * A call to libm's exp() inside a kernel loop keeps LLVM's loop vectoriser
 * from turning the loop into SIMD code (there is no vector libm it may use
 * without a vector-library setting, which the C API does not expose). These
 * versions use only arithmetic, selects and bit operations, so they
 * vectorise, and they are always inlined. Accuracy (double): exp, log,
 * expm1 within about 1 ulp over their ranges (checked in
 * tests/unit/check_codegen.c against libm); the same code runs in the
 * vector body and the scalar remainder, so results do not depend on how
 * neurons are split between threads.
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

/*
 * exp(x) = 2^n e^r with n = round(x / ln 2) and |r| <= ln(2)/2, r computed
 * in two parts (Cody-Waite) so it is exact to about 2^-60. e^r by its Taylor
 * polynomial of degree 13 (truncation below 5e-18 relative). 2^n is split
 * in two factors so that results down to the smallest subnormal are right.
 */
LLVMValueRef cgm_exp(cg *c, LLVMValueRef x)
{
    static const double LN2_HI = 6.93147180369123816490e-01;
    static const double LN2_LO = 1.90821492927058770002e-10;
    double coef[14];
    double f = 1;
    for (int k = 0; k < 14; k++) {
        coef[k] = 1.0 / f;
        f *= k + 1;
    }
    LLVMValueRef big = fcmp(c, LLVMRealOGT, x, cgm_f64(c, 709.782712893384));
    LLVMValueRef tiny = fcmp(c, LLVMRealOLT, x, cgm_f64(c, -745.2));
    LLVMValueRef isnan = fcmp(c, LLVMRealUNO, x, x);
    LLVMValueRef xc = sel(c, big, cgm_f64(c, 0), sel(c, tiny, cgm_f64(c, 0), sel(c, isnan, cgm_f64(c, 0), x)));
    LLVMValueRef args[1] = {b_mul(c, xc, cgm_f64(c, 1.4426950408889634))};
    LLVMValueRef n = cgm_intrinsic(c, "llvm.rint", c->f64, args, 1);
    LLVMValueRef r = b_sub(c, b_sub(c, xc, b_mul(c, n, cgm_f64(c, LN2_HI))), b_mul(c, n, cgm_f64(c, LN2_LO)));
    LLVMValueRef p = horner(c, r, coef, 14);
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

/* expm1: Taylor to degree 17 for |x| < 0.5 (truncation below 1e-19
 * relative), exp(x) - 1 elsewhere (no cancellation there). */
LLVMValueRef cgm_expm1(cg *c, LLVMValueRef x)
{
    double coef[17];
    double f = 1;
    for (int k = 0; k < 17; k++) {
        f *= k + 1;
        coef[k] = 1.0 / f; /* x^(k+1) / (k+1)! */
    }
    LLVMValueRef small = b_mul(c, x, horner(c, x, coef, 17));
    LLVMValueRef args[1] = {x};
    LLVMValueRef ax = cgm_intrinsic(c, "llvm.fabs", c->f64, args, 1);
    LLVMValueRef big = b_sub(c, cgm_exp(c, x), cgm_f64(c, 1));
    return sel(c, fcmp(c, LLVMRealOLT, ax, cgm_f64(c, 0.5)), small, big);
}

/* exprel(x) = (e^x - 1) / x, 1 at 0: the series for |x| < 0.5, else the quotient. */
LLVMValueRef cgm_exprel(cg *c, LLVMValueRef x)
{
    double coef[17];
    double f = 1;
    for (int k = 0; k < 17; k++) {
        f *= k + 1;
        coef[k] = 1.0 / f; /* x^k / (k+1)! */
    }
    LLVMValueRef small = horner(c, x, coef, 17);
    LLVMValueRef args[1] = {x};
    LLVMValueRef ax = cgm_intrinsic(c, "llvm.fabs", c->f64, args, 1);
    LLVMValueRef big = b_div(c, b_sub(c, cgm_exp(c, x), cgm_f64(c, 1)), x);
    return sel(c, fcmp(c, LLVMRealOLT, ax, cgm_f64(c, 0.5)), small, big);
}

/* tanh(x) = expm1(2x) / (expm1(2x) + 2), with |x| clamped at 20 where
 * tanh is 1 to double precision. */
LLVMValueRef cgm_tanh(cg *c, LLVMValueRef x)
{
    LLVMValueRef lo = cgm_f64(c, -20), hi = cgm_f64(c, 20);
    LLVMValueRef xc = sel(c, fcmp(c, LLVMRealOGT, x, hi), hi, sel(c, fcmp(c, LLVMRealOLT, x, lo), lo, x));
    LLVMValueRef e = cgm_expm1(c, b_mul(c, xc, cgm_f64(c, 2)));
    return b_div(c, e, b_add(c, e, cgm_f64(c, 2)));
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
