/*
 * Rewrites of expressions that keep every bit of the result and cost fewer vector
 * instructions, on the LLVM values codegen builds (cg.c's expr calls them): a sum with a term
 * `if k then x else 0` (cgx_fadd), and a comparison of a uniform draw with a threshold that is
 * the same for every neuron (cgx_uniform_compare). Each says why its result is the same number
 * as the expression written; tests/cli/draws_cmp.sh checks the second against the comparison
 * in double. The microcircuit's neuron update was their occasion (bench/HISTORY.md, "The
 * microcircuit's neuron update"). "The same number" holds in the default floating-point
 * environment (round to nearest, subnormals kept), which Axon never changes; a host program
 * that flushes subnormals to zero (linked with -ffast-math) changes Axon's arithmetic anyway.
 */
#include "codegen/cg_int.h"

#include <math.h>
#include <stdlib.h>

/*
 * Whether v, a floating value, can never be -0.0: a constant other than -0.0, a conversion of
 * an integer, a select of two such values, or a sum of which one operand is such a value (a
 * sum is -0.0 only where both operands are: x + -x is +0.0 in the default rounding). Up to a
 * small depth; false where not known.
 */
static bool never_neg_zero(LLVMValueRef v, int depth)
{
    if (depth > 8)
        return false;
    if (LLVMIsAConstantFP(v)) {
        LLVMBool lossy = 0;
        double x = LLVMConstRealGetDouble(v, &lossy);
        return !(x == 0 && signbit(x));
    }
    if (!LLVMIsAInstruction(v))
        return false;
    switch (LLVMGetInstructionOpcode(v)) {
    case LLVMUIToFP:
    case LLVMSIToFP: return true;
    case LLVMSelect:
        return never_neg_zero(LLVMGetOperand(v, 1), depth + 1) &&
               never_neg_zero(LLVMGetOperand(v, 2), depth + 1);
    case LLVMFAdd:
        return never_neg_zero(LLVMGetOperand(v, 0), depth + 1) ||
               never_neg_zero(LLVMGetOperand(v, 1), depth + 1);
    default: return false;
    }
}

/* v as a select with +0.0 in one arm (the other, *x, and which arm: *zero_true), or NULL */
static LLVMValueRef select_of_zero(LLVMValueRef v, LLVMValueRef *x, bool *zero_true)
{
    if (!LLVMIsAInstruction(v) || LLVMGetInstructionOpcode(v) != LLVMSelect)
        return NULL;
    for (int arm = 1; arm <= 2; arm++) {
        LLVMValueRef z = LLVMGetOperand(v, (unsigned)arm);
        LLVMBool lossy = 0;
        if (LLVMIsAConstantFP(z) && LLVMConstRealGetDouble(z, &lossy) == 0 &&
            !signbit(LLVMConstRealGetDouble(z, &lossy))) {
            *x = LLVMGetOperand(v, (unsigned)(3 - arm));
            *zero_true = arm == 1;
            return LLVMGetOperand(v, 0);
        }
    }
    return NULL;
}

/*
 * a + b, where an operand `if k then x else 0` added to a value that cannot be -0.0
 * (never_neg_zero) takes -0.0 for its 0: the same sum (y + +0.0 and y + -0.0 are both y where
 * y is not -0.0), but -0.0 is the identity of + for every value, which lets the optimiser make
 * it `if k then y + x else y`, a masked addition (one vector instruction, where the select and
 * the addition are two). A count of conditions met, (if a then 8 else 0) + (if b then 4 else
 * 0) + ... (the microcircuit's Poisson background), costs half the instructions. The bits are
 * those of the sum as written.
 */
LLVMValueRef cgx_fadd(cg *c, LLVMValueRef a, LLVMValueRef b)
{
    LLVMValueRef *ops[2] = {&a, &b};
    for (int j = 0; j < 2; j++) {
        LLVMValueRef x, k;
        bool zt;
        if ((k = select_of_zero(*ops[j], &x, &zt)) && never_neg_zero(*ops[1 - j], 0)) {
            LLVMValueRef nz = LLVMConstReal(LLVMTypeOf(x), -0.0);
            *ops[j] = LLVMBuildSelect(c->b, k, zt ? nz : x, zt ? x : nz, "");
            break;
        }
    }
    return LLVMBuildFAdd(c->b, a, b, "");
}

/*
 * Comparisons of a uniform draw with a threshold, on the draw's bits. cgm_uniform's u is
 * uniform(b) = b 2^-53 for its 53 random bits b, 2^-54 for b = 0: increasing in b, so that
 * u > X is b > G(X), G(X) the largest b with uniform(b) <= X (-1 if none), and u >= X is
 * b > G'(X), G'(X) the largest b with uniform(b) < X; u <= X and u < X are b <= G(X) and
 * b <= G'(X). b (converted to double) and the thresholds are whole numbers below 2^53, exact in
 * double; for a NaN X the threshold is NaN, and the comparison false, as the floating one is.
 * Where X is the same for all neurons (a function of parameters, which the optimiser takes out
 * of the loop), or a choice between such values (the microcircuit's binary search for its
 * Poisson count), the thresholds are computed once per kernel call, and each neuron's draw
 * skips the scaling of b and the test of b = 0 (three vector instructions per 8 neurons of the
 * microcircuit's ~100; u itself is no longer computed where only comparisons use it). The same
 * comparisons, the same bits. Only for double (a float model's u is rounded to float).
 */

/* uitofp(b) where u is cgm_uniform's select(b == 0, 2^-54, uitofp(b) * 2^-53), else NULL */
static LLVMValueRef uniform_bits(cg *c, LLVMValueRef u)
{
    if (LLVMTypeOf(u) != c->f64 || !LLVMIsAInstruction(u) ||
        LLVMGetInstructionOpcode(u) != LLVMSelect)
        return NULL;
    LLVMValueRef k = LLVMGetOperand(u, 0), z = LLVMGetOperand(u, 1), m = LLVMGetOperand(u, 2);
    LLVMBool lossy = 0;
    if (!LLVMIsAInstruction(k) || LLVMGetInstructionOpcode(k) != LLVMICmp ||
        LLVMGetICmpPredicate(k) != LLVMIntEQ || !LLVMIsAConstantInt(LLVMGetOperand(k, 1)) ||
        LLVMConstIntGetZExtValue(LLVMGetOperand(k, 1)) != 0)
        return NULL;
    LLVMValueRef b = LLVMGetOperand(k, 0);
    if (!LLVMIsAConstantFP(z) || LLVMConstRealGetDouble(z, &lossy) != 0x1p-54 ||
        !LLVMIsAInstruction(m) || LLVMGetInstructionOpcode(m) != LLVMFMul)
        return NULL;
    LLVMValueRef f = LLVMGetOperand(m, 0), s = LLVMGetOperand(m, 1);
    if (!LLVMIsAConstantFP(s) || LLVMConstRealGetDouble(s, &lossy) != 0x1p-53 ||
        !LLVMIsAInstruction(f) || LLVMGetInstructionOpcode(f) != LLVMUIToFP ||
        LLVMGetOperand(f, 0) != b || LLVMTypeOf(b) != c->i64)
        return NULL;
    return f;
}

/* Whether v is computed once per kernel call: a constant, an argument, a value of the entry
 * block (the parameters), or arithmetic on such values (and intrinsics: exp's rint and fma).
 * seen: the values found so, at most INV_SEEN (a value used by many, as exp's reduced argument
 * is, is followed once); a larger graph is taken as varying. */
#define INV_SEEN 512
typedef struct {
    LLVMValueRef v[INV_SEEN];
    int n;
} inv_seen;

static bool invariant(const cg *c, LLVMValueRef v, inv_seen *seen)
{
    if (LLVMIsAConstant(v) || LLVMIsAArgument(v))
        return true;
    if (!LLVMIsAInstruction(v))
        return false;
    if (c->entry && LLVMGetInstructionParent(v) == c->entry)
        return true;
    for (int k = 0; k < seen->n; k++)
        if (seen->v[k] == v)
            return true;
    if (seen->n == INV_SEEN)
        return false;
    switch (LLVMGetInstructionOpcode(v)) {
    case LLVMPHI:
    case LLVMLoad:
    case LLVMStore:
    case LLVMAlloca: return false;
    case LLVMCall: {
        LLVMValueRef fn = LLVMGetCalledValue(v);
        if (!LLVMIsAFunction(fn) || !LLVMGetIntrinsicID(fn))
            return false;
        for (unsigned k = 0; k < LLVMGetNumArgOperands(v); k++)
            if (!invariant(c, LLVMGetOperand(v, k), seen))
                return false;
        break;
    }
    default:
        for (int k = 0; k < LLVMGetNumOperands(v); k++)
            if (!invariant(c, LLVMGetOperand(v, (unsigned)k), seen))
                return false;
        break;
    }
    if (seen->n < INV_SEEN)
        seen->v[seen->n++] = v;
    return true;
}

/* The threshold of x (double) for `u P x`: G, or G' with strict. For a select between values
 * that have thresholds, a select between their thresholds; NULL where x is neither invariant
 * nor such a select (a threshold computed for each neuron would cost more than it saves). */
static LLVMValueRef uniform_threshold(cg *c, LLVMValueRef x, bool strict, int depth)
{
    if (depth > 6)
        return NULL;
    inv_seen *seen = malloc(sizeof *seen);
    if (!seen)
        return NULL; /* out of memory: compared as doubles */
    seen->n = 0;
    bool inv = invariant(c, x, seen);
    free(seen);
    if (!inv) {
        if (!LLVMIsAInstruction(x) || LLVMGetInstructionOpcode(x) != LLVMSelect)
            return NULL;
        LLVMValueRef a = uniform_threshold(c, LLVMGetOperand(x, 1), strict, depth + 1);
        LLVMValueRef b = a ? uniform_threshold(c, LLVMGetOperand(x, 2), strict, depth + 1) : NULL;
        return b ? LLVMBuildSelect(c->b, LLVMGetOperand(x, 0), a, b, "") : NULL;
    }
    /* G(x) = -1 below 2^-54, else min(floor(x 2^53), 2^53 - 1); G'(x) = -1 up to 2^-54, else
       min(ceil(x 2^53) - 1, 2^53 - 1); NaN for a NaN x; all exact in double */
    LLVMValueRef t = LLVMBuildFMul(c->b, x, cgm_f64(c, 0x1p53), "");
    LLVMValueRef g = strict ? LLVMBuildFSub(c->b, cgm_intrinsic(c, "llvm.ceil", c->f64, &t, 1),
                                            cgm_f64(c, 1), "")
                            : cgm_intrinsic(c, "llvm.floor", c->f64, &t, 1);
    LLVMValueRef top = cgm_f64(c, 0x1p53 - 1);
    g = LLVMBuildSelect(c->b, LLVMBuildFCmp(c->b, LLVMRealOGT, g, top, ""), top, g, "");
    LLVMValueRef low =
        LLVMBuildFCmp(c->b, strict ? LLVMRealOLE : LLVMRealOLT, x, cgm_f64(c, 0x1p-54), "");
    return LLVMBuildSelect(c->b, low, cgm_f64(c, -1), g, "");
}

/* a P b (P one of <, >, <=, >=) on the bits of a uniform draw, where a or b is one and the
 * other has thresholds (uniform_threshold); NULL otherwise */
LLVMValueRef cgx_uniform_compare(cg *c, int kind, LLVMValueRef a, LLVMValueRef b)
{
    LLVMValueRef bits = uniform_bits(c, a), x = b;
    if (!bits) {
        if (!(bits = uniform_bits(c, b)))
            return NULL;
        x = a; /* x P u: u P' x */
        kind = kind == SX_LT ? SX_GT : kind == SX_GT ? SX_LT : kind == SX_LE ? SX_GE : SX_LE;
    }
    if (LLVMTypeOf(x) != c->f64)
        return NULL;
    /* u > x: b > G; u >= x: b > G'; u <= x: b <= G; u < x: b <= G' (b and the thresholds as
       doubles: whole numbers below 2^53, exact; an ordered comparison with NaN is false) */
    bool strict = kind == SX_GE || kind == SX_LT, above = kind == SX_GT || kind == SX_GE;
    LLVMValueRef t = uniform_threshold(c, x, strict, 0);
    if (!t)
        return NULL;
    return LLVMBuildFCmp(c->b, above ? LLVMRealOGT : LLVMRealOLE, bits, t, "");
}
