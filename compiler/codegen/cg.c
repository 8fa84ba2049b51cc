/*
 * Kernels and the model descriptor (see cg.h). For each population:
 *
 *   void P_update(ctx, vars, fired, begin, end)       the ABI entry (model.h)
 *     -> P_update_body(ctx, v0, v1, ..., fired, begin, end)
 *
 * The body takes each array as a separate `noalias` argument so the loop
 * vectoriser needs no runtime alias checks between the arrays. In the loop,
 * every variable is loaded once; the scheme's update (ir_update) is
 * computed from those old values; the spike condition is evaluated on the
 * new values; the reset and events are applied with selects (no branches,
 * so the loop stays vectorisable); then everything is stored and the inputs
 * are cleared.
 */
#include "codegen/cg_int.h"

#include "axon/rng.h"

#include <llvm-c/Analysis.h>
#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>
#include <llvm-c/TargetMachine.h>
#include <llvm-c/Transforms/PassBuilder.h>

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static LLVMValueRef expr(cg *c, const sx *e);
static LLVMValueRef side_var(cg *c, const sx *e) { return cg_side_var(c, e); }

void cg_fail(cg *c, ax_span sp, const char *msg)
{
    if (!c->failed)
        diag_error(c->d, sp, "cannot generate code: %s", msg);
    c->failed = true;
}

/* ---- symbols ------------------------------------------------------------------------ */
/*
 * Every symbol a model defines is named after its prefix (the descriptor's name), and only
 * the descriptor is visible outside the module. Two models in one program (objects linked
 * together, shared libraries loaded with RTLD_GLOBAL) then neither clash at link time nor
 * bind one model's descriptor to the other's kernels. Internal functions keep their names
 * in the object's symbol table (for profilers); constants are private (no symbol at all).
 */

const char *cg_prefix(const cg *c) { return c->o->symbol ? c->o->symbol : "axon_model"; }

LLVMValueRef cg_function(cg *c, LLVMTypeRef fty, const char *fmt, ...)
{
    char *rest = NULL, *name = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&rest, fmt, ap) < 0)
        rest = NULL;
    va_end(ap);
    if (!rest || asprintf(&name, "%s_%s", cg_prefix(c), rest) < 0)
        name = NULL;
    LLVMValueRef fn = LLVMAddFunction(c->mod, name ? name : "", fty);
    LLVMSetLinkage(fn, LLVMInternalLinkage);
    free(rest);
    free(name);
    return fn;
}

#define SETUP_ATTR "axon-setup"

void cg_setup_kernel(cg *c, LLVMValueRef fn)
{
    LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex,
                            LLVMCreateStringAttribute(c->ctx, SETUP_ATTR, sizeof SETUP_ATTR - 1, "", 0));
}

/*
 * Setup kernels run once, when the network is built, and most of their time goes to the
 * runtime's random draws that they call: optimising them and selecting their instructions
 * carefully took a third of the cortical microcircuit's compile time (118 kernels) and saves
 * nothing measurable in its network build. They are marked optnone (with noinline, which it
 * needs), which the optimiser and the code generator skip. Optimisation does not change what
 * a kernel computes (no fast-math: every rounding is written in the IR), so the network is
 * the same bit for bit.
 */
static void setup_kernels_plain(LLVMModuleRef mod)
{
    LLVMContextRef ctx = LLVMGetModuleContext(mod);
    unsigned optnone = LLVMGetEnumAttributeKindForName("optnone", 7);
    unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f)) {
        if (!LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, SETUP_ATTR,
                                           sizeof SETUP_ATTR - 1))
            continue;
        LLVMRemoveStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, SETUP_ATTR,
                                         sizeof SETUP_ATTR - 1);
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, optnone, 0));
        LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(ctx, noinline, 0));
    }
}

LLVMValueRef cg_const_global(cg *c, LLVMValueRef init, const char *name)
{
    char *full = NULL;
    if (asprintf(&full, "%s.%s", cg_prefix(c), name) < 0)
        full = NULL;
    LLVMValueRef g = LLVMAddGlobal(c->mod, LLVMTypeOf(init), full ? full : "");
    free(full);
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    LLVMSetLinkage(g, LLVMPrivateLinkage);
    return g;
}

/* ---- values ------------------------------------------------------------------------ */

LLVMValueRef cg_to_fp(cg *c, LLVMValueRef v)
{
    LLVMTypeRef t = LLVMTypeOf(v);
    if (t == c->fp)
        return v;
    if (t == c->i1) /* a select, not a conversion: one masked move in vector code */
        return LLVMBuildSelect(c->b, v, cgm_const(c, 1), cgm_const(c, 0), "");
    if (t == c->f64)
        return LLVMBuildFPTrunc(c->b, v, c->fp, "");
    return LLVMBuildFPExt(c->b, v, c->fp, "");
}

static LLVMValueRef to_f64(cg *c, LLVMValueRef v)
{
    LLVMTypeRef t = LLVMTypeOf(v);
    if (t == c->f64)
        return v;
    if (t == c->i1)
        return LLVMBuildUIToFP(c->b, v, c->f64, "");
    return LLVMBuildFPExt(c->b, v, c->f64, "");
}

LLVMValueRef cg_to_bool(cg *c, LLVMValueRef v)
{
    if (LLVMTypeOf(v) == c->i1)
        return v;
    return LLVMBuildFCmp(c->b, LLVMRealUNE, v, LLVMConstReal(LLVMTypeOf(v), 0), "");
}

LLVMTypeRef cg_elem_type(cg *c, int elem)
{
    switch (elem) {
    case AXON_ELEM_I8: return c->i8;
    case AXON_ELEM_I16: return LLVMInt16TypeInContext(c->ctx);
    case AXON_ELEM_I32: return c->i32;
    case AXON_ELEM_F32: return c->f32;
    case AXON_ELEM_F64: return c->f64;
    default: return c->fp;
    }
}

static bool elem_is_int(int elem)
{
    return elem == AXON_ELEM_I8 || elem == AXON_ELEM_I16 || elem == AXON_ELEM_I32;
}

LLVMValueRef cg_load_elem(cg *c, int elem, LLVMValueRef p, const char *name)
{
    LLVMTypeRef t = cg_elem_type(c, elem);
    LLVMValueRef x = LLVMBuildLoad2(c->b, t, p, name);
    if (t == c->fp)
        return x;
    return elem_is_int(elem) ? LLVMBuildSIToFP(c->b, x, c->fp, "") : cg_to_fp(c, x);
}

/*
 * v, a value of the model's precision, as an i32 computed in integers, where v is built from
 * whole numbers by exact operations: conversions of i8 or i16 (an integer element's load),
 * constants that are whole numbers, +, -, comparisons and selects (max and min are
 * selects); NULL otherwise. [*lo, *hi] bounds the value; only values within +-2^24 (exact in
 * float as in double, and far from i32's limits) are taken, so each integer operation gives
 * the number the floating one gives. A refractory counter's update, max(r - 1, -1) or the
 * reset's constant, then costs integer operations on the element instead of conversions to
 * and from the floating type around floating ones.
 */
#define INT_EXACT 16777216.0
static LLVMValueRef int_of(cg *c, LLVMValueRef v, double *lo, double *hi, int depth)
{
    if (depth > 8)
        return NULL;
    if (LLVMIsAConstantFP(v)) {
        LLVMBool lossy = 0;
        double x = LLVMConstRealGetDouble(v, &lossy);
        if (lossy || x != floor(x) || fabs(x) > INT_EXACT)
            return NULL;
        *lo = *hi = x;
        return LLVMConstInt(c->i32, (unsigned long long)(long long)x, 1);
    }
    if (!LLVMIsAInstruction(v))
        return NULL;
    switch (LLVMGetInstructionOpcode(v)) {
    case LLVMSIToFP: {
        LLVMValueRef x = LLVMGetOperand(v, 0);
        unsigned w = LLVMGetIntTypeWidth(LLVMTypeOf(x));
        if (LLVMGetTypeKind(LLVMTypeOf(x)) != LLVMIntegerTypeKind || w > 16)
            return NULL;
        *hi = ldexp(1, (int)w - 1) - 1;
        *lo = -*hi - 1;
        return LLVMBuildSExt(c->b, x, c->i32, "");
    }
    case LLVMFAdd:
    case LLVMFSub: {
        double l1, h1, l2, h2;
        bool add = LLVMGetInstructionOpcode(v) == LLVMFAdd;
        LLVMValueRef a = int_of(c, LLVMGetOperand(v, 0), &l1, &h1, depth + 1);
        LLVMValueRef b = a ? int_of(c, LLVMGetOperand(v, 1), &l2, &h2, depth + 1) : NULL;
        if (!b)
            return NULL;
        *lo = add ? l1 + l2 : l1 - h2;
        *hi = add ? h1 + h2 : h1 - l2;
        if (fabs(*lo) > INT_EXACT || fabs(*hi) > INT_EXACT)
            return NULL;
        return add ? LLVMBuildNSWAdd(c->b, a, b, "") : LLVMBuildNSWSub(c->b, a, b, "");
    }
    case LLVMSelect: {
        double l1, h1, l2, h2;
        LLVMValueRef k = LLVMGetOperand(v, 0);
        LLVMValueRef a = int_of(c, LLVMGetOperand(v, 1), &l1, &h1, depth + 1);
        LLVMValueRef b = a ? int_of(c, LLVMGetOperand(v, 2), &l2, &h2, depth + 1) : NULL;
        if (!b)
            return NULL;
        /* a comparison of two such values is made in integers too (no NaN among them) */
        if (LLVMIsAInstruction(k) && LLVMGetInstructionOpcode(k) == LLVMFCmp) {
            static const LLVMIntPredicate IP[] = {
                [LLVMRealOEQ] = LLVMIntEQ,  [LLVMRealOGT] = LLVMIntSGT, [LLVMRealOGE] = LLVMIntSGE,
                [LLVMRealOLT] = LLVMIntSLT, [LLVMRealOLE] = LLVMIntSLE, [LLVMRealONE] = LLVMIntNE,
                [LLVMRealUEQ] = LLVMIntEQ,  [LLVMRealUGT] = LLVMIntSGT, [LLVMRealUGE] = LLVMIntSGE,
                [LLVMRealULT] = LLVMIntSLT, [LLVMRealULE] = LLVMIntSLE, [LLVMRealUNE] = LLVMIntNE};
            LLVMRealPredicate pr = LLVMGetFCmpPredicate(k);
            double l3, h3, l4, h4;
            LLVMValueRef x = pr > LLVMRealPredicateFalse && pr < LLVMRealPredicateTrue &&
                                     pr != LLVMRealORD && pr != LLVMRealUNO
                                 ? int_of(c, LLVMGetOperand(k, 0), &l3, &h3, depth + 1)
                                 : NULL;
            LLVMValueRef y = x ? int_of(c, LLVMGetOperand(k, 1), &l4, &h4, depth + 1) : NULL;
            if (y)
                k = LLVMBuildICmp(c->b, IP[pr], x, y, "");
        }
        *lo = fmin(l1, l2);
        *hi = fmax(h1, h2);
        return LLVMBuildSelect(c->b, k, a, b, "");
    }
    default: return NULL;
    }
}

/* The new value v of a variable of element elem as the number the element will hold: for
 * an i8 or i16 element, where int_of computes it in integers, the conversion of the
 * element's integer, so that what reads it (a spike condition gated by a refractory counter)
 * compares integers too; else v. The element holds every value of such a variable (the
 * compiler chooses it so). */
static LLVMValueRef int_value(cg *c, int elem, LLVMValueRef v)
{
    double lo, hi;
    LLVMValueRef x =
        elem == AXON_ELEM_I8 || elem == AXON_ELEM_I16 ? int_of(c, v, &lo, &hi, 0) : NULL;
    return x ? LLVMBuildSIToFP(c->b, LLVMBuildTrunc(c->b, x, cg_elem_type(c, elem), ""), c->fp, "")
             : v;
}

void cg_store_elem(cg *c, int elem, LLVMValueRef v, LLVMValueRef p)
{
    LLVMTypeRef t = cg_elem_type(c, elem);
    if (t != c->fp && elem_is_int(elem)) {
        double lo, hi;
        LLVMValueRef x = elem != AXON_ELEM_I32 ? int_of(c, v, &lo, &hi, 0) : NULL;
        v = x ? LLVMBuildTrunc(c->b, x, t, "") : LLVMBuildFPToSI(c->b, v, t, "");
    } else if (t != c->fp) {
        v = t == c->f64 ? LLVMBuildFPExt(c->b, v, t, "") : LLVMBuildFPTrunc(c->b, v, t, "");
    }
    LLVMBuildStore(c->b, v, p);
}

/* Where an sx variable lives in the population's storage. */
static int slot_of(cg *c, const sx *e)
{
    if (e->space == VS_HIDDEN)
        return e->idx;
    if ((e->space == VS_STATE || e->space == VS_PARAM || e->space == VS_INPUT) && e->idx >= 0 &&
        e->idx < c->pop->type->nvars)
        return c->pop->slot[e->idx];
    return -1;
}

static LLVMValueRef var(cg *c, const sx *e)
{
    if (e->space == VS_SHARED || e->space == VS_DERIVED)
        return cg_param_var(c, e);
    if (c->proj && e->space != VS_TEMP && e->space != VS_TIME && e->space != VS_DT &&
        e->space != VS_SIGNAL)
        return side_var(c, e);
    switch (e->space) {
    case VS_STATE: case VS_PARAM: case VS_INPUT: case VS_HIDDEN: {
        if (e->space == VS_PARAM && e->idx >= 0 && c->pop->shared[e->idx])
            return expr(c, c->pop->shared[e->idx]);
        int s = slot_of(c, e);
        if (s < 0 || !c->env[s]) {
            cg_fail(c, e->span, "a variable has no storage");
            return cgm_const(c, 0);
        }
        return e->boolean ? cg_to_bool(c, c->env[s]) : c->env[s];
    }
    case VS_TEMP:
        if (e->idx < 0 || e->idx >= c->ntemps || !c->temps[e->idx]) {
            cg_fail(c, e->span, "a temporary is used before it is computed");
            return cgm_const(c, 0);
        }
        return c->temps[e->idx];
    case VS_SELECT: {
        int s = e->idx >= 0 && e->idx < c->pop->nselects ? c->pop->selects[e->idx].flag : -1;
        if (s < 0 || !c->env[s]) {
            cg_fail(c, e->span, "topk has no storage here");
            return LLVMConstInt(c->i1, 0, 0);
        }
        return cg_to_bool(c, c->env[s]);
    }
    case VS_TIME: return cg_to_fp(c, c->t);
    case VS_DT: return cgm_const(c, c->m->dt);
    case VS_INDEX_I: return LLVMBuildUIToFP(c->b, c->idx, c->fp, "");
    case VS_SIGNAL: {
        LLVMValueRef p = LLVMBuildGEP2(c->b, c->f64, c->signals,
                                       (LLVMValueRef[]){LLVMConstInt(c->i64, (unsigned)e->idx, 0)},
                                       1, "");
        return cg_to_fp(c, LLVMBuildLoad2(c->b, c->f64, p, ""));
    }
    default:
        cg_fail(c, e->span, "this variable cannot be used in a neuron kernel");
        return cgm_const(c, 0);
    }
}

/* Math: the vectorisable versions (cg_math.c) in the model's precision, so that a single
 * precision model gets float math on twice the vector lanes; libm's (and the functions without
 * a vectorisable version) in double, converted to the precision. */
static LLVMValueRef math1(cg *c, int fn, LLVMValueRef a)
{
    bool vec = c->o->vector_math;
    bool inline_math = fn == FN_EXPREL || fn == FN_SIGMOID || fn == FN_LOG10 ||
                       (vec && (fn == FN_EXP || fn == FN_LOG || fn == FN_EXPM1 || fn == FN_TANH));
    LLVMValueRef x = inline_math && c->fp == c->f32 ? cg_to_fp(c, a) : to_f64(c, a), r;
    LLVMValueRef args[1] = {x};
    switch (fn) {
    case FN_EXP: r = vec ? cgm_exp(c, x) : cgm_call(c, "exp", c->f64, &c->f64, 1, args); break;
    case FN_LOG: r = vec ? cgm_log(c, x) : cgm_call(c, "log", c->f64, &c->f64, 1, args); break;
    case FN_EXPM1: r = vec ? cgm_expm1(c, x) : cgm_call(c, "expm1", c->f64, &c->f64, 1, args); break;
    case FN_EXPREL: r = cgm_exprel(c, x); break;
    case FN_TANH: r = vec ? cgm_tanh(c, x) : cgm_call(c, "tanh", c->f64, &c->f64, 1, args); break;
    case FN_SIGMOID:
        r = LLVMBuildFDiv(c->b, cgm_const(c, 1),
                          LLVMBuildFAdd(c->b, cgm_const(c, 1), cgm_exp(c, LLVMBuildFNeg(c->b, x, "")), ""),
                          "");
        break;
    case FN_LOG10:
        r = LLVMBuildFMul(c->b, cgm_log(c, x), cgm_const(c, 0.43429448190325182765), "");
        break;
    case FN_SQRT: return cgm_intrinsic(c, "llvm.sqrt", c->fp, (LLVMValueRef[]){a}, 1);
    case FN_ABS: return cgm_intrinsic(c, "llvm.fabs", c->fp, (LLVMValueRef[]){a}, 1);
    case FN_FLOOR: return cgm_intrinsic(c, "llvm.floor", c->fp, (LLVMValueRef[]){a}, 1);
    case FN_CEIL: return cgm_intrinsic(c, "llvm.ceil", c->fp, (LLVMValueRef[]){a}, 1);
    case FN_ROUND: return cgm_intrinsic(c, "llvm.round", c->fp, (LLVMValueRef[]){a}, 1);
    case FN_SIGN: { /* (a > 0) - (a < 0): branch-free, vectorisable */
        LLVMValueRef zero = LLVMConstNull(c->fp);
        LLVMValueRef pos = LLVMBuildUIToFP(c->b, LLVMBuildFCmp(c->b, LLVMRealOGT, a, zero, ""), c->fp, "");
        LLVMValueRef neg = LLVMBuildUIToFP(c->b, LLVMBuildFCmp(c->b, LLVMRealOLT, a, zero, ""), c->fp, "");
        return LLVMBuildFSub(c->b, pos, neg, "");
    }
    case FN_PHI: {
        LLVMValueRef z = LLVMBuildFMul(c->b, x, cgm_f64(c, -0.70710678118654752440), "");
        r = LLVMBuildFMul(c->b, cgm_f64(c, 0.5), cgm_call(c, "erfc", c->f64, &c->f64, 1, &z), "");
        break;
    }
    default: {
        static const char *const NAMES[FN_COUNT] = {
            [FN_SIN] = "sin", [FN_COS] = "cos", [FN_TAN] = "tan", [FN_SINH] = "sinh",
            [FN_COSH] = "cosh", [FN_ATAN] = "atan"};
        if (fn < 0 || fn >= FN_COUNT || !NAMES[fn]) {
            cg_fail(c, SPAN_NONE, "unsupported function");
            return cgm_const(c, 0);
        }
        r = cgm_call(c, NAMES[fn], c->f64, &c->f64, 1, args);
        break;
    }
    }
    return cg_to_fp(c, r);
}

static LLVMValueRef fmin_(cg *c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(c->b, LLVMBuildFCmp(c->b, LLVMRealOLT, b, a, ""), b, a, "");
}

static LLVMValueRef fmax_(cg *c, LLVMValueRef a, LLVMValueRef b)
{
    return LLVMBuildSelect(c->b, LLVMBuildFCmp(c->b, LLVMRealOGT, b, a, ""), b, a, "");
}

static LLVMValueRef power(cg *c, const sx *e)
{
    LLVMValueRef a = cg_to_fp(c, expr(c, e->a));
    double p;
    if (cg_param_exponent(c, e->b, &p)) {
        if (p == floor(p) && fabs(p) <= 16) {
            int n = (int)fabs(p);
            LLVMValueRef r = cgm_const(c, 1), base = a;
            /* square-and-multiply: few operations, same in every lane */
            while (n) {
                if (n & 1)
                    r = LLVMBuildFMul(c->b, r, base, "");
                n >>= 1;
                if (n)
                    base = LLVMBuildFMul(c->b, base, base, "");
            }
            return p < 0 ? LLVMBuildFDiv(c->b, cgm_const(c, 1), r, "") : r;
        }
        if (p == 0.5)
            return cgm_intrinsic(c, "llvm.sqrt", c->fp, &a, 1);
    }
    LLVMValueRef b = to_f64(c, expr(c, e->b));
    LLVMValueRef l = cgm_log(c, to_f64(c, a));
    return cg_to_fp(c, cgm_exp(c, LLVMBuildFMul(c->b, b, l, "")));
}

static unsigned stream_of(cg *c)
{
    /* streams: 2048 per population, update draws first, initial values after */
    return (unsigned)c->pop_index * 2048u + (c->init_phase ? 1024u : 0u);
}

/*
 * An axon_rng_batch of the current function, empty (n = 0): on the stack, allocated and
 * cleared at the top of the entry block, so that it lives through the function's loop.
 */
static LLVMValueRef draw_batch(cg *c)
{
    LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(c->b));
    LLVMBasicBlockRef entry = LLVMGetEntryBasicBlock(fn);
    LLVMBuilderRef b = LLVMCreateBuilderInContext(c->ctx);
    LLVMValueRef first = LLVMGetFirstInstruction(entry);
    if (first)
        LLVMPositionBuilderBefore(b, first);
    else
        LLVMPositionBuilderAtEnd(b, entry);
    LLVMTypeRef t = LLVMArrayType(c->i64, (sizeof(axon_rng_batch) + 7) / 8);
    LLVMValueRef p = LLVMBuildAlloca(b, t, "draws");
    LLVMBuildStore(b, LLVMConstInt(c->i32, 0, 0), p); /* n, the first member */
    LLVMDisposeBuilder(b);
    return p;
}

static LLVMValueRef rand_draw(cg *c, const sx *e)
{
    unsigned stream = stream_of(c) + (unsigned)(e->idx & 1023);
    LLVMValueRef idx32 = LLVMBuildTrunc(c->b, c->idx, c->i32, "");
    c->drew = true;
    if (e->fn == SXR_UNIFORM && !c->init_phase)
        return cg_to_fp(c, cgm_uniform(c, c->seed, cg_kconst(c, c->i32, stream), idx32, c->step, 0));
    LLVMTypeRef params[6] = {c->ptr, c->i64, c->i32, c->i32, c->i64, c->i32};
    LLVMValueRef args[6] = {NULL, c->seed, cg_kconst(c, c->i32, stream), idx32, c->step,
                            LLVMConstInt(c->i32, 0, 0)};
    if (e->fn != SXR_UNIFORM && c->batch_draws) {
        args[0] = draw_batch(c);
        return cg_to_fp(c, cgm_call(c, "axon_rng_normal_batched", c->f64, params, 6, args));
    }
    return cg_to_fp(c, cgm_call(c, e->fn == SXR_UNIFORM ? "axon_rng_uniform" : "axon_rng_normal",
                             c->f64, params + 1, 5, args + 1));
}

LLVMValueRef cg_f64_table(cg *c, const char *name, const double *v, long n)
{
    char *full = NULL;
    if (asprintf(&full, "%s.%s", cg_prefix(c), name) < 0)
        full = NULL;
    LLVMValueRef g = full ? LLVMGetNamedGlobal(c->mod, full) : NULL;
    free(full);
    if (g)
        return g;
    LLVMValueRef *vs = malloc((size_t)(n > 0 ? n : 1) * sizeof *vs);
    for (long k = 0; k < n; k++)
        vs[k] = LLVMConstReal(c->f64, v[k]);
    LLVMValueRef init = LLVMConstArray2(c->f64, vs, (uint64_t)n);
    free(vs);
    g = cg_const_global(c, init, name);
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    return g;
}

/* An index into a table: floor(v) clamped to [0, n - 1], as i64 (see sx_table_value). */
static LLVMValueRef table_index(cg *c, const sx *v, long n)
{
    LLVMValueRef x = to_f64(c, expr(c, v)), lo = cgm_f64(c, 0), hi = cgm_f64(c, (double)(n - 1));
    x = LLVMBuildSelect(c->b, LLVMBuildFCmp(c->b, LLVMRealOGE, x, lo, ""), x, lo, ""); /* nan: 0 */
    x = LLVMBuildSelect(c->b, LLVMBuildFCmp(c->b, LLVMRealOLT, x, hi, ""), x, hi, "");
    return LLVMBuildFPToSI(c->b, x, c->i64, "");
}

/* A value of a table (timed arrays, spike times, columns of a connection file): a load
 * from a constant array of doubles in the module, one per table (tables are named
 * uniquely by their path: the same file gives the same numbers). */
static LLVMValueRef table(cg *c, const sx *e)
{
    const sx_table *t = e->tab;
    if (e->b && c->proj) {
        cg_fail(c, e->span, "a timed array with one column per neuron cannot be used in a synapse");
        return cgm_const(c, 0);
    }
    if (e->b && c->pop && t->ncols != c->pop->size) {
        if (!c->failed)
            diag_error(c->d, e->span, "'%s' has %d columns, but %s has %d neurons", t->path,
                       t->ncols, c->pop->name, c->pop->size);
        diag_hint(c->d, "a timed array has one column (for every neuron) or one per neuron");
        c->failed = true;
        return cgm_const(c, 0);
    }
    char *name = malloc(strlen(t->path) + 64);
    sprintf(name, "table.%s.%ldx%d", t->path, t->nrows, t->ncols);
    LLVMValueRef g = cg_f64_table(c, name, t->v, t->nrows * t->ncols);
    free(name);
    LLVMValueRef row = e->a ? table_index(c, e->a, t->nrows) : c->idx;
    LLVMValueRef k = row;
    if (t->ncols > 1) {
        k = LLVMBuildMul(c->b, row, LLVMConstInt(c->i64, (unsigned)t->ncols, 0), "");
        if (e->b)
            k = LLVMBuildAdd(c->b, k, table_index(c, e->b, t->ncols), "");
    }
    LLVMValueRef p = LLVMBuildGEP2(c->b, c->f64, g, &k, 1, "");
    return cg_to_fp(c, LLVMBuildLoad2(c->b, c->f64, p, ""));
}

/*
 * a +- b where the CPU has FMA, in the update of an integration scheme: a product operand is
 * fused with the sum (rounded once, as Brian2's -ffast-math code and the C compilers' default
 * contraction do). The choice is made here, on the expression, so vector and scalar code do the
 * same operations. Code written as discrete steps (step maps, resets, events, conditions,
 * synapse handlers) is computed as written.
 */
static LLVMValueRef mul_add(cg *c, const sx *e)
{
    bool sub = e->kind == SX_SUB;
    /* a product of parameter constants is one derived value, as it was one number */
    const sx *m = e->a->kind == SX_MUL && !sx_is_param_const(e->a)   ? e->a
                  : e->b->kind == SX_MUL && !sx_is_param_const(e->b) ? e->b
                                                                     : NULL;
    if (!m) {
        LLVMValueRef a = cg_to_fp(c, expr(c, e->a)), b = cg_to_fp(c, expr(c, e->b));
        return sub ? LLVMBuildFSub(c->b, a, b, "") : cgx_fadd(c, a, b);
    }
    LLVMValueRef x = cg_to_fp(c, expr(c, m->a)), y = cg_to_fp(c, expr(c, m->b));
    LLVMValueRef other = cg_to_fp(c, expr(c, m == e->a ? e->b : e->a));
    if (sub && m == e->a)
        other = LLVMBuildFNeg(c->b, other, ""); /* x y - other */
    else if (sub)
        x = LLVMBuildFNeg(c->b, x, "");         /* other - x y */
    return cgm_fma(c, x, y, other);
}

static LLVMValueRef expr(cg *c, const sx *e)
{
    if (!e) {
        cg_fail(c, SPAN_NONE, "missing expression");
        return cgm_const(c, 0);
    }
    LLVMValueRef a, b;
    if (e->kind != SX_CONST && e->kind != SX_VAR && (a = cg_param_hoist(c, e)))
        return a;
    switch (e->kind) {
    case SX_CONST:
        if (e->boolean)
            return LLVMConstInt(c->i1, e->v != 0, 0);
        return cg_kreal(c, e->v);
    case SX_VAR: return var(c, e);
    case SX_ADD: case SX_SUB:
        if (c->fma && c->contract)
            return mul_add(c, e);
        a = cg_to_fp(c, expr(c, e->a));
        b = cg_to_fp(c, expr(c, e->b));
        return e->kind == SX_ADD ? cgx_fadd(c, a, b) : LLVMBuildFSub(c->b, a, b, "");
    case SX_MUL: return LLVMBuildFMul(c->b, cg_to_fp(c, expr(c, e->a)), cg_to_fp(c, expr(c, e->b)), "");
    case SX_DIV:
        /* division by a constant becomes a multiplication by its reciprocal: a
           vector division costs ten times a multiplication (the result may differ
           in the last bit, as with Brian2's -ffast-math code) */
        if (e->b->kind == SX_CONST && e->b->v != 0 && isfinite(1.0 / e->b->v) &&
            fabs(1.0 / e->b->v) > 1e-300)
            return LLVMBuildFMul(c->b, cg_to_fp(c, expr(c, e->a)), cg_kreal(c, 1.0 / e->b->v), "");
        if ((b = cg_param_recip(c, e->b)))
            return LLVMBuildFMul(c->b, cg_to_fp(c, expr(c, e->a)), b, "");
        return LLVMBuildFDiv(c->b, cg_to_fp(c, expr(c, e->a)), cg_to_fp(c, expr(c, e->b)), "");
    case SX_NEG: return LLVMBuildFNeg(c->b, cg_to_fp(c, expr(c, e->a)), "");
    case SX_POW: return power(c, e);
    case SX_LT: case SX_GT: case SX_LE: case SX_GE: case SX_EQ: case SX_NE: {
        static const LLVMRealPredicate P[] = {LLVMRealOLT, LLVMRealOGT, LLVMRealOLE, LLVMRealOGE,
                                              LLVMRealOEQ, LLVMRealUNE};
        a = cg_to_fp(c, expr(c, e->a));
        b = cg_to_fp(c, expr(c, e->b));
        LLVMValueRef ik = e->kind <= SX_GE ? cgx_uniform_compare(c, e->kind, a, b) : NULL;
        return ik ? ik : LLVMBuildFCmp(c->b, P[e->kind - SX_LT], a, b, "");
    }
    case SX_AND: return LLVMBuildAnd(c->b, cg_to_bool(c, expr(c, e->a)), cg_to_bool(c, expr(c, e->b)), "");
    case SX_OR: return LLVMBuildOr(c->b, cg_to_bool(c, expr(c, e->a)), cg_to_bool(c, expr(c, e->b)), "");
    case SX_NOT: return LLVMBuildNot(c->b, cg_to_bool(c, expr(c, e->a)), "");
    case SX_SELECT: {
        LLVMValueRef k = cg_to_bool(c, expr(c, e->a));
        a = expr(c, e->b);
        b = expr(c, e->c);
        if (e->boolean)
            return LLVMBuildSelect(c->b, k, cg_to_bool(c, a), cg_to_bool(c, b), "");
        return LLVMBuildSelect(c->b, k, cg_to_fp(c, a), cg_to_fp(c, b), "");
    }
    case SX_RAND: return rand_draw(c, e);
    case SX_TABLE: return table(c, e);
    case SX_EXT: {
        /* a C function of an `extern` declaration: double(double, ...), called by name (the JIT
           finds it in the process, where sema loaded its library; executables link it) */
        LLVMTypeRef ps[3] = {c->f64, c->f64, c->f64};
        LLVMValueRef args[3];
        const sx *xs[3] = {e->a, e->b, e->c};
        for (int k = 0; k < e->ext->nargs; k++)
            args[k] = to_f64(c, cg_to_fp(c, expr(c, xs[k])));
        LLVMValueRef r = cgm_call(c, e->ext->name, c->f64, ps, e->ext->nargs, args);
        return c->fp == c->f64 ? r : LLVMBuildFPTrunc(c->b, r, c->fp, "");
    }
    case SX_CALL:
        switch (e->fn) {
        case FN_MIN: return fmin_(c, cg_to_fp(c, expr(c, e->a)), cg_to_fp(c, expr(c, e->b)));
        case FN_MAX: return fmax_(c, cg_to_fp(c, expr(c, e->a)), cg_to_fp(c, expr(c, e->b)));
        case FN_CLIP:
            return fmin_(c, fmax_(c, cg_to_fp(c, expr(c, e->a)), cg_to_fp(c, expr(c, e->b))),
                         cg_to_fp(c, expr(c, e->c)));
        case FN_MOD: { /* a - b floor(a / b), as sx_apply_fn */
            LLVMValueRef x = cg_to_fp(c, expr(c, e->a)), y = cg_to_fp(c, expr(c, e->b));
            LLVMValueRef q = cgm_intrinsic(c, "llvm.floor", c->fp,
                                           (LLVMValueRef[]){LLVMBuildFDiv(c->b, x, y, "")}, 1);
            return LLVMBuildFSub(c->b, x, LLVMBuildFMul(c->b, y, q, ""), "");
        }
        case FN_ATAN2: {
            LLVMValueRef args[2] = {to_f64(c, expr(c, e->a)), to_f64(c, expr(c, e->b))};
            LLVMTypeRef ps[2] = {c->f64, c->f64};
            return cg_to_fp(c, cgm_call(c, "atan2", c->f64, ps, 2, args));
        }
        default: return math1(c, e->fn, expr(c, e->a));
        }
    default:
        cg_fail(c, e->span, "unsupported expression");
        return cgm_const(c, 0);
    }
}

/* ---- statements (resets, events) as masked updates ------------------------------------------ */

static void stmts(cg *c, const sm_block *blk, LLVMValueRef mask);
LLVMValueRef cg_expr(cg *c, const sx *e) { return expr(c, e); }
void cg_stmts(cg *c, const sm_block *blk, LLVMValueRef mask) { stmts(c, blk, mask); }

static void stmt(cg *c, const sm_stmt *st, LLVMValueRef mask)
{
    switch (st->kind) {
    case ST_LET:
        if (st->idx >= 0 && st->idx < c->ntemps)
            c->temps[st->idx] = expr(c, st->value);
        return;
    case ST_IF: {
        LLVMValueRef k = cg_to_bool(c, expr(c, st->cond));
        stmts(c, &st->then, LLVMBuildAnd(c->b, mask, k, ""));
        stmts(c, &st->els, LLVMBuildAnd(c->b, mask, LLVMBuildNot(c->b, k, ""), ""));
        return;
    }
    case ST_ASSIGN: {
        if (c->proj) {
            cg_side_assign(c, st, mask);
            return;
        }
        sx target = {.kind = SX_VAR, .space = st->space, .idx = st->idx};
        int s = slot_of(c, &target);
        if (s < 0) {
            cg_fail(c, st->span, "an assignment has no storage");
            return;
        }
        LLVMValueRef cur = c->env[s];
        LLVMValueRef v = expr(c, st->value);
        bool boolean = c->pop->vars[s].boolean;
        v = cg_to_fp(c, boolean ? cg_to_bool(c, v) : v);
        switch (st->op) {
        case OP_ADD_ASSIGN: v = LLVMBuildFAdd(c->b, cur, v, ""); break;
        case OP_SUB_ASSIGN: v = LLVMBuildFSub(c->b, cur, v, ""); break;
        case OP_MUL_ASSIGN: v = LLVMBuildFMul(c->b, cur, v, ""); break;
        case OP_DIV_ASSIGN: v = LLVMBuildFDiv(c->b, cur, v, ""); break;
        default: break;
        }
        c->env[s] = LLVMBuildSelect(c->b, mask, v, cur, "");
        return;
    }
    }
}

static void stmts(cg *c, const sm_block *blk, LLVMValueRef mask)
{
    for (int k = 0; k < blk->n; k++)
        stmt(c, blk->v[k], mask);
}

/* ---- kernels ---------------------------------------------------------------------------- */

static int count_temps(const ir_pop *p)
{
    int n = p->type->ntemps;
    for (int k = 0; k < p->update.n; k++)
        if (p->update.v[k].space == VS_TEMP && p->update.v[k].idx + 1 > n)
            n = p->update.v[k].idx + 1;
    return n + 1;
}

/* A set of values (open addressing, for body_varying). */
typedef struct {
    LLVMValueRef *k;
    size_t cap;
} vset;

static bool vset_has(const vset *s, LLVMValueRef v)
{
    for (size_t h = ((uintptr_t)v >> 4) * 0x9E3779B97F4A7C15u & (s->cap - 1);; h = (h + 1) & (s->cap - 1)) {
        if (s->k[h] == v)
            return true;
        if (!s->k[h])
            return false;
    }
}

static void vset_add(vset *s, LLVMValueRef v)
{
    size_t h = ((uintptr_t)v >> 4) * 0x9E3779B97F4A7C15u & (s->cap - 1);
    while (s->k[h] && s->k[h] != v)
        h = (h + 1) & (s->cap - 1);
    s->k[h] = v;
}

/* The instructions of the blocks from bb to last (a loop body, in the order built). */
static int body_size(LLVMBasicBlockRef bb, LLVMBasicBlockRef last)
{
    int n = 0;
    for (;; bb = LLVMGetNextBasicBlock(bb)) {
        for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in; in = LLVMGetNextInstruction(in))
            n++;
        if (bb == last || !bb)
            return n;
    }
}

/*
 * The instructions of the blocks from bb to last that stay in the loop: not those that compute
 * the same value for every neuron (arithmetic on constants, arguments and values of the
 * function's entry block, the parameters, as `invariant` takes them), which the optimiser
 * takes out of the loop. Of the microcircuit's 436 (sixteen thresholds of its Poisson count
 * computed from a parameter, and their forms for cgx_uniform_compare), 213.
 */
static int body_varying(const cg *c, LLVMBasicBlockRef bb, LLVMBasicBlockRef last)
{
    size_t cap = 64;
    while (cap < 2 * (size_t)body_size(bb, last))
        cap *= 2;
    vset inv = {calloc(cap, sizeof(LLVMValueRef)), cap};
    if (!inv.k)
        return body_size(bb, last); /* out of memory: every instruction counted */
    int n = 0;
    for (;; bb = LLVMGetNextBasicBlock(bb)) {
        for (LLVMValueRef in = LLVMGetFirstInstruction(bb); in; in = LLVMGetNextInstruction(in)) {
            LLVMOpcode op = LLVMGetInstructionOpcode(in);
            bool same = op != LLVMPHI && op != LLVMLoad && op != LLVMStore && op != LLVMAlloca &&
                        op != LLVMBr && op != LLVMRet;
            if (same && op == LLVMCall) {
                LLVMValueRef fn = LLVMGetCalledValue(in);
                same = LLVMIsAFunction(fn) && LLVMGetIntrinsicID(fn);
            }
            int nops = op == LLVMCall ? (int)LLVMGetNumArgOperands(in) : LLVMGetNumOperands(in);
            for (int k = 0; same && k < nops; k++) {
                LLVMValueRef o = LLVMGetOperand(in, (unsigned)k);
                same = LLVMIsAConstant(o) || LLVMIsAArgument(o) ||
                       (LLVMIsAInstruction(o) &&
                        ((c->entry && LLVMGetInstructionParent(o) == c->entry) || vset_has(&inv, o)));
            }
            if (same)
                vset_add(&inv, in);
            else
                n++;
        }
        if (bb == last || !bb)
            break;
    }
    free(inv.k);
    return n;
}

/* Stores v to p unless keep (the old value stays): a branch around the store, which the
 * vectoriser turns into a masked store where the CPU has one (c->masked_store); cheaper
 * there than a blend with the old value and a store (the fast exponential-Euler body of
 * COBA 1.06x, bench/HISTORY.md). The same bits: a kept neuron's memory holds the old value. */
static void store_unless(cg *c, LLVMValueRef fn, LLVMValueRef keep, int elem, LLVMValueRef v,
                         LLVMValueRef p)
{
    LLVMBasicBlockRef st = LLVMAppendBasicBlockInContext(c->ctx, fn, "store");
    LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(c->ctx, fn, "stored");
    LLVMBuildCondBr(c->b, keep, next, st);
    LLVMPositionBuilderAtEnd(c->b, st);
    cg_store_elem(c, elem, v, p);
    LLVMBuildBr(c->b, next);
    LLVMPositionBuilderAtEnd(c->b, next);
}

/*
 * The neurons that an update loop can have: the most of any population of its neuron type.
 * Populations of one type share one body (merge_identical), so the loop's shape follows the
 * largest of them, and a body stays shared where the sizes differ.
 */
static int type_size(const cg *c)
{
    int n = c->pop->size;
    for (int j = 0; j < c->m->npops; j++)
        if (c->m->pops[j].type == c->pop->type && c->m->pops[j].size > n)
            n = c->m->pops[j].size;
    return n;
}

/* The interleave of an update loop whose caller asked for `interleave` vectors in flight. A
 * multi-stage scheme (RK2, RK4) keeps every stage's values live, and with four vectors in
 * flight Izhikevich's RK4 runs out of the 32 vector registers (81 stack loads and stores per 32
 * neurons). While the population's arrays fit in a core's L2 cache that costs less than the
 * parallelism gains (Izhikevich, 8,192 neurons: four 3-14% faster than two); beyond it the
 * loop waits on memory and two are faster (Izhikevich, 1M neurons: 2-7% less CPU time in
 * three sets; LIF, one stage, no different). A body with much arithmetic per neuron (AdEx, an exp
 * in every stage: four are 25% faster at 1M) keeps four. bench/HISTORY.md has the runs. Each
 * neuron's arithmetic is the same with any interleave. The size is the largest population of the
 * type (type_size), as for small_interleave: the populations of a type share one body, whose hints
 * merge_identical does not compare. */
#define L2_BYTES (1u << 20)
#define LEAN_BODY 150
static int update_interleave(const cg *c, LLVMBasicBlockRef loop, LLVMBasicBlockRef latch,
                            int interleave)
{
    const ir_pop *p = c->pop;
    double bytes = (double)type_size(c) * p->nvars * (LLVMGetTypeKind(c->fp) == LLVMFloatTypeKind ? 4 : 8);
    if (interleave > 2 && (p->scheme == SCH_RK2 || p->scheme == SCH_RK4) && bytes > L2_BYTES &&
        body_size(loop, latch) <= LEAN_BODY)
        return 2;
    return interleave;
}

/* Attaches !llvm.loop !{self, !{!"key", i32 value}, ...} to a loop's latch branch: n hints (at
 * most 3), a negative value a key alone (!{!"llvm.loop.unroll.disable"}). */
static void loop_hints(cg *c, LLVMValueRef br, const char *const *keys, const int *values, int n)
{
    LLVMMetadataRef tmp = LLVMTemporaryMDNode(c->ctx, NULL, 0);
    LLVMMetadataRef ops[4] = {tmp};
    n = n < 3 ? n : 3;
    for (int k = 0; k < n; k++) {
        LLVMMetadataRef kv[2] = {LLVMMDStringInContext2(c->ctx, keys[k], strlen(keys[k])),
                                 values[k] < 0 ? NULL
                                               : LLVMValueAsMetadata(LLVMConstInt(c->i32, (unsigned)values[k], 0))};
        ops[1 + k] = LLVMMDNodeInContext2(c->ctx, kv, values[k] < 0 ? 1 : 2);
    }
    LLVMMetadataRef node = LLVMMDNodeInContext2(c->ctx, ops, (size_t)(1 + n));
    LLVMMetadataReplaceAllUsesWith(tmp, node);
    /* the first operand now refers to the node itself */
    unsigned kind = LLVMGetMDKindIDInContext(c->ctx, "llvm.loop", 9);
    LLVMSetMetadata(br, kind, LLVMMetadataAsValue(c->ctx, node));
}

static void loop_hint(cg *c, LLVMValueRef br, const char *key, int value)
{
    loop_hints(c, br, &key, &value, 1);
}

/*
 * Vectors and interleave for the small: an update loop over fewer neurons than a vector has
 * lanes (lanes: the widest vectors the kernel prefers, 512 bits with AVX-512, else 256) never
 * runs its vector code, which the optimiser and the code generator still build; and with
 * `interleave` vectors in flight the vector loop takes lanes x interleave neurons a time, the
 * rest going through the scalar loop one by one. So where the type's largest population
 * (type_size) has fewer neurons than lanes, the loop is not vectorised (*width = 1, returns
 * 1), and the interleave is halved until the population has at least 4 x lanes x interleave
 * neurons (at most a quarter of a population's neurons left to the scalar loop). A scalar loop
 * is not unrolled either (a few neurons: nothing to gain). Populations
 * of hundreds of neurons and more keep their interleave; the small ones of the examples
 * (DendLIF[50] and [1], elm's and tempotron's single neurons) compile in less time. Each
 * neuron's arithmetic is the same with any vector width and interleave: the same bits.
 */
static int small_interleave(const cg *c, int interleave, int *width)
{
    int n = type_size(c);
    int bits = LLVMGetTypeKind(c->fp) == LLVMFloatTypeKind ? 32 : 64;
    int lanes = (c->masked_store ? 512 : 256) / bits;
    *width = 0;
    if (n < lanes) {
        *width = 1;
        return 1;
    }
    while (interleave > 1 && n < 4 * lanes * interleave)
        interleave /= 2;
    return interleave;
}

/* Summed Poisson inputs (ir_pinput), per storage index: w times one Binomial(n, p) draw of its
 * own stream (the last ones of the population's update streams), or NULL. An input receives it
 * in place of being cleared, a state variable on top of its new value. */
static LLVMValueRef *poisson_inputs(cg *c)
{
    const ir_pop *p = c->pop;
    LLVMValueRef *extra = calloc((size_t)p->nvars + 1, sizeof *extra);
    LLVMTypeRef params[6] = {c->i64, c->i32, c->i32, c->i64, c->i64, c->f64};
    for (int k = 0; k < p->npinputs; k++) {
        const ir_pinput *in = &p->pinputs[k];
        int s = p->slot[in->var];
        unsigned stream = stream_of(c) + 1023u - (unsigned)(k & 1023);
        LLVMValueRef args[6] = {c->seed, cg_kconst(c, c->i32, stream),
                                LLVMBuildTrunc(c->b, c->idx, c->i32, ""), c->step,
                                LLVMConstInt(c->i64, (unsigned long long)in->n, 0),
                                LLVMConstReal(c->f64, in->p)};
        LLVMValueRef count = cgm_call(c, "axon_rng_binomial", c->i64, params, 6, args);
        LLVMValueRef x = cg_to_fp(c, LLVMBuildFMul(c->b, LLVMConstReal(c->f64, in->w),
                                                   LLVMBuildUIToFP(c->b, count, c->f64, ""), ""));
        extra[s] = extra[s] ? LLVMBuildFAdd(c->b, extra[s], x, "") : x;
    }
    return extra;
}

/*
 * The environment of neuron i in a population kernel whose parameters 1 .. nv are the
 * variables' arrays: (*ptrs)[k] its element of variable k and, with `load`, c->env[k] and
 * (*old)[k] its value (with `quiet`, an input is 0, not loaded); no temporaries yet. Freed by
 * neuron_env_free.
 */
static void neuron_env(cg *c, LLVMValueRef fn, LLVMValueRef i, bool load, bool quiet,
                       LLVMValueRef **ptrs, LLVMValueRef **old)
{
    const ir_pop *p = c->pop;
    int nv = p->nvars;
    *ptrs = calloc((size_t)nv + 1, sizeof **ptrs);
    *old = calloc((size_t)nv + 1, sizeof **old);
    c->env = calloc((size_t)nv + 1, sizeof *c->env);
    c->ntemps = count_temps(p);
    c->temps = calloc((size_t)c->ntemps, sizeof *c->temps);
    for (int k = 0; k < nv; k++) {
        (*ptrs)[k] = LLVMBuildGEP2(c->b, cg_elem_type(c, p->vars[k].elem),
                                   LLVMGetParam(fn, (unsigned)(1 + k)), &i, 1, "");
        if (load)
            (*old)[k] = c->env[k] =
                quiet && p->vars[k].kind == IRV_INPUT
                    ? cgm_const(c, 0)
                    : cg_load_elem(c, p->vars[k].elem, (*ptrs)[k], p->vars[k].name);
    }
}

static void neuron_env_free(cg *c, LLVMValueRef *ptrs, LLVMValueRef *old)
{
    free(ptrs);
    free(old);
    free(c->env);
    free(c->temps);
    c->env = c->temps = NULL;
}

/* Where the CPU has AVX-512 (c->masked_store), the update's vectors take all 512 bits,
 * which LLVM's tuning for some of them (an Intel Xeon of 2026's benchmarks: 256) does not
 * prefer: half the iterations, and the byte-wide refractory counters and spike flags of 8
 * lanes in one piece. COBA at N = 4,000 on that Xeon: forward Euler 1.09x, exponential Euler
 * 1.20x faster (bench/HISTORY.md). The body and the entry point that calls it both take it:
 * a body used by one population is inlined into its entry point, whose attribute then decides
 * (without it there, 1M LIF and Izhikevich kept 256-bit vectors). The same operations on every
 * lane: the same bits. */
static void wide_vectors(cg *c, LLVMValueRef fn)
{
    if (c->masked_store)
        LLVMAddTargetDependentFunctionAttr(fn, "prefer-vector-width", "512");
}

/*
 * The loop of a population's kernel over neurons [begin, end): `name_body` (init or update),
 * or for an update, with mode CG_EXPREL_FAST, `name_fast`: its exprel only for small
 * arguments; a neuron with an argument that is not small keeps its old values, gets 1 in
 * mask[i - begin] (0 for the others), and the body returns whether there was one (i8). With
 * `fix`, `name_body` writes only the neurons that have 1 in mask[i - begin] (the others keep
 * what the fast body wrote). ps: the parameter types (ctx, the variables' arrays, fired, begin,
 * end, k, mask). The body reads its parameter slots and random
 * streams, the numbers in which populations of one neuron type differ, from the table k
 * (cg_kconst), which *table is set to: the bodies of such populations are then the same
 * function, which merge_identical keeps once (the cortical microcircuit's eight populations
 * have one update kernel, optimised and compiled once). Where a body is not shared, it is
 * inlined into its wrapper, which passes a constant table: the optimiser folds the numbers
 * back into the code, which is the same as with numbers written in it.
 */
static LLVMValueRef body_fn(cg *c, const char *name, bool update, int mode, bool fix,
                            int interleave, LLVMTypeRef *ps, int np, LLVMValueRef *table)
{
    const ir_pop *p = c->pop;
    int nv = p->nvars;
    bool fast = mode == CG_EXPREL_FAST;
    const char *suffix = fast ? "fast" : "body";
    LLVMValueRef fn = cg_function(c, LLVMFunctionType(fast ? c->i8 : c->vd, ps, (unsigned)np, 0),
                                  "%s_%s", name, suffix);
    if (update)
        wide_vectors(c, fn);
    if (!update)
        cg_setup_kernel(c, fn);
    unsigned noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    unsigned nocapture = LLVMGetEnumAttributeKindForName("nocapture", 9);
    for (int k = 0; k < nv + 1; k++) {
        LLVMAddAttributeAtIndex(fn, (unsigned)(2 + k), LLVMCreateEnumAttribute(c->ctx, noalias, 0));
        LLVMAddAttributeAtIndex(fn, (unsigned)(2 + k), LLVMCreateEnumAttribute(c->ctx, nocapture, 0));
    }
    /* the mask (parameter 5 + nv) */
    LLVMAddAttributeAtIndex(fn, (unsigned)(6 + nv), LLVMCreateEnumAttribute(c->ctx, noalias, 0));
    LLVMAddAttributeAtIndex(fn, (unsigned)(6 + nv), LLVMCreateEnumAttribute(c->ctx, nocapture, 0));
    c->exprel_mode = mode;
    c->nexprel = 0;
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(c->ctx, fn, "entry");
    LLVMBasicBlockRef loop = LLVMAppendBasicBlockInContext(c->ctx, fn, "loop");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->ctx, fn, "done");
    LLVMPositionBuilderAtEnd(c->b, entry);
    LLVMValueRef ctxp = LLVMGetParam(fn, 0);
    /* axon_step_ctx: double t; uint64_t step; uint64_t seed; const double *signals */
    cg_ctx_fields(c, ctxp);
    c->kc_p = LLVMGetParam(fn, (unsigned)(4 + nv));
    c->nkc = 0;
    LLVMValueRef begin = LLVMBuildZExt(c->b, LLVMGetParam(fn, (unsigned)(2 + nv)), c->i64, "");
    LLVMValueRef end = LLVMBuildZExt(c->b, LLVMGetParam(fn, (unsigned)(3 + nv)), c->i64, "");
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, begin, end, ""), loop, done);
    LLVMPositionBuilderAtEnd(c->b, loop);
    LLVMValueRef i = LLVMBuildPhi(c->b, c->i64, "i");
    LLVMValueRef acc = fast ? LLVMBuildPhi(c->b, c->i8, "big") : NULL, acc_next = NULL;
    c->idx = i;
    c->exprel_big = NULL;
    LLVMValueRef *ptrs, *old;
    neuron_env(c, fn, i, update, c->quiet_inputs, &ptrs, &old);
    /* this neuron's byte of the mask shared by the fast and the fixing body */
    LLVMValueRef mp = NULL;
    if (update && (fast || fix)) {
        LLVMValueRef j = LLVMBuildSub(c->b, i, begin, "");
        mp = LLVMBuildGEP2(c->b, c->i8, LLVMGetParam(fn, (unsigned)(5 + nv)), &j, 1, "");
    }
    if (!update) {
        /* initial values, in storage order: later ones may use earlier ones. An input that
           starts at 0 is not stored: the runtime hands out the arrays zeroed (model.h), and
           an input that nothing reaches then never becomes resident memory. */
        for (int k = 0; k < nv; k++) {
            const ir_var *v = &p->vars[k];
            c->env[k] = v->init ? cg_to_fp(c, expr(c, v->init)) : cgm_const(c, 0);
            bool zero = !v->init || (v->init->kind == SX_CONST && v->init->v == 0);
            if (!(v->kind == IRV_INPUT && zero))
                cg_store_elem(c, v->elem, c->env[k], ptrs[k]);
        }
    } else {
        /* the scheme's update: all reads of state are the old values */
        LLVMValueRef *next = calloc((size_t)nv + 1, sizeof *next);
        for (int k = 0; k < p->update.n; k++) {
            const ir_assign *a = &p->update.v[k];
            c->contract = p->scheme != SCH_MAP && !a->as_written;
            LLVMValueRef v = expr(c, a->value);
            if (a->space == VS_TEMP) {
                if (a->idx >= 0 && a->idx < c->ntemps)
                    c->temps[a->idx] = v;
            } else {
                sx target = {.kind = SX_VAR, .space = a->space, .idx = a->idx};
                int s = slot_of(c, &target);
                if (s >= 0)
                    next[s] = cg_to_fp(c, p->vars[s].boolean ? cg_to_bool(c, v) : v);
                if (s >= 0)
                    next[s] = int_value(c, p->vars[s].elem, next[s]);
            }
        }
        c->contract = false;
        for (int k = 0; k < nv; k++)
            if (next[k])
                c->env[k] = next[k];
        free(next);
        /* the fast body covers the scheme's update only: an exprel in a reset or an event is
           the full function in every body. keep: the neurons whose stores keep the old values
           (fast: the ones left to the fixing body; fix: the ones the fast body did) */
        c->exprel_mode = CG_EXPREL_FULL;
        LLVMValueRef keep = NULL;
        if (fast) {
            keep = c->exprel_big ? c->exprel_big : LLVMConstInt(c->i1, 0, 0);
            LLVMValueRef kb = LLVMBuildZExt(c->b, keep, c->i8, "");
            LLVMBuildStore(c->b, kb, mp);
            acc_next = LLVMBuildOr(c->b, acc, kb, "");
        } else if (fix) {
            keep = LLVMBuildICmp(c->b, LLVMIntEQ, LLVMBuildLoad2(c->b, c->i8, mp, ""),
                                 LLVMConstInt(c->i8, 0, 0), "");
        }
        {
            LLVMValueRef fired = LLVMConstInt(c->i1, 0, 0);
            if (p->fire) {
                fired = cg_to_bool(c, expr(c, p->fire));
                if (!c->defer_reset)
                    stmts(c, &p->reset, fired);
            }
            for (int e = 0; e < p->nevents; e++) {
                LLVMValueRef k = cg_to_bool(c, expr(c, p->events[e].cond));
                stmts(c, &p->events[e].body, k);
                if (p->event_flag && p->event_flag[e] >= 0) /* seen by synapses (on post.NAME) */
                    c->env[p->event_flag[e]] = LLVMBuildUIToFP(c->b, k, c->fp, "");
            }
            LLVMValueRef *extra = poisson_inputs(c);
            for (int k = 0; k < nv; k++) {
                if (p->vars[k].kind == IRV_PARAM ||
                    (c->quiet_inputs && p->vars[k].kind == IRV_INPUT))
                    continue;
                LLVMValueRef v = p->vars[k].kind == IRV_INPUT ? cgm_const(c, 0) : c->env[k];
                if (extra[k])
                    v = p->vars[k].kind == IRV_INPUT ? extra[k] : LLVMBuildFAdd(c->b, v, extra[k], "");
                /* not for a narrow integer (a refractory counter): a byte-wide masked
                   store of a few lanes blocks the forwarding to the next lanes' loads of
                   the same 16 bytes (COBA's exponential Euler, 1.2x slower with it) */
                if (keep && fast && c->masked_store && !elem_is_int(p->vars[k].elem)) {
                    store_unless(c, fn, keep, p->vars[k].elem, v, ptrs[k]);
                    continue;
                }
                if (keep)
                    v = LLVMBuildSelect(c->b, keep, old[k], v, "");
                cg_store_elem(c, p->vars[k].elem, v, ptrs[k]);
            }
            free(extra);
            if (p->fire) {
                LLVMValueRef fp = LLVMBuildGEP2(c->b, c->i8, LLVMGetParam(fn, (unsigned)(1 + nv)), &i, 1, "");
                LLVMValueRef f8 = LLVMBuildZExt(c->b, fired, c->i8, "");
                /* the fast body's flag of a neuron it leaves is rewritten by the fixing body */
                if (fix)
                    f8 = LLVMBuildSelect(c->b, keep, LLVMBuildLoad2(c->b, c->i8, fp, ""), f8, "");
                LLVMBuildStore(c->b, f8, fp);
            }
        }
    }
    LLVMValueRef inext = LLVMBuildAdd(c->b, i, LLVMConstInt(c->i64, 1, 0), "");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(c->b);
    LLVMValueRef br = LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, inext, end, ""), loop, done);
    /* Not where the population has no variables (a Poisson source): its only array is the
       byte-wide spike flags, so the vectoriser takes 64 lanes of the random draw's 64-bit
       integer work, and interleaving that was slower to run and took long to compile (brunel
       0.13 s) */
    /* The interleave is hinted for bodies of up to 400 instructions that stay in the loop
       (body_varying), not in larger ones (Hodgkin-Huxley: the registers run out). Counted
       without the instructions taken out of the loop: the microcircuit's body is 436 with
       them, 213 without, and four vectors in flight are 1.3x faster than the optimiser's own
       choice for it, one (bench/HISTORY.md, session 13). */
    if (update && nv > 0) {
        int width, ic = small_interleave(c, update_interleave(c, loop, latch, interleave), &width);
        bool hint_ic = body_varying(c, loop, latch) <= 400 || width == 1;
        const char *keys[3] = {"llvm.loop.interleave.count", "llvm.loop.vectorize.width",
                               "llvm.loop.unroll.disable"};
        int values[3] = {ic, width, -1};
        if (hint_ic) /* width 1 (scalar) comes with interleave 1 and no unrolling */
            loop_hints(c, br, keys, values, width ? 3 : 1);
    }
    LLVMValueRef in_v[2] = {begin, inext};
    LLVMBasicBlockRef in_b[2] = {entry, latch};
    LLVMAddIncoming(i, in_v, in_b, 2);
    LLVMPositionBuilderAtEnd(c->b, done);
    if (fast) {
        LLVMValueRef zero = LLVMConstInt(c->i8, 0, 0);
        LLVMAddIncoming(acc, (LLVMValueRef[]){zero, acc_next}, in_b, 2);
        LLVMValueRef res = LLVMBuildPhi(c->b, c->i8, "");
        LLVMAddIncoming(res, (LLVMValueRef[]){zero, acc_next}, in_b, 2);
        LLVMBuildRet(c->b, res);
    } else {
        LLVMBuildRetVoid(c->b);
    }
    neuron_env_free(c, ptrs, old);
    c->exprel_mode = CG_EXPREL_FULL;
    c->exprel_big = NULL;
    c->kc_p = NULL;
    char full[80];
    snprintf(full, sizeof full, "%s_%s", name, suffix);
    *table = cg_kconst_table(c, full);
    return fn;
}

/* ---- the reset of the neurons that fired, after the update of a block ---------------------- */

/* Neurons per block of an update kernel whose reset comes after (reset_fn). */
#define RESET_BLOCK 2048

/* Does the reset read a per-neuron parameter that the update and the spike condition do not? */
static bool reset_reads_own_param(const ir_pop *p)
{
    for (int v = 0; v < p->type->nvars; v++) {
        if (p->slot[v] < 0 || p->vars[p->slot[v]].kind != IRV_PARAM ||
            !ir_block_uses(&p->reset, VS_PARAM, v) || sx_uses(p->fire, VS_PARAM, v))
            continue;
        bool in_update = false;
        for (int k = 0; k < p->update.n && !in_update; k++)
            in_update = sx_uses(p->update.v[k].value, VS_PARAM, v);
        if (!in_update)
            return true;
    }
    return false;
}

/*
 * Should the reset run after the update, over the neurons whose fired flag is set, instead of
 * as selects in the update? Worth it when the reset reads a per-neuron parameter that nothing
 * else reads (Izhikevich's c and d), which the selects read for every neuron. It gives the
 * same values when nothing after the reset in the update uses them (no `on` events, no
 * Poisson input added to a state variable) and the reset reads no value the update does not
 * store (an input, which the update clears, or a temporary of the update).
 */
static bool reset_deferrable(const ir_pop *p)
{
    return p->fire && p->reset.n > 0 && reset_reads_own_param(p) && ir_reset_after_update(p);
}

/* The cap of a gap (2^22 steps, whole numbers exact in single precision, as is the cap + 0.5
 * that marks it): a longer one counts down the cap, then is drawn again (memoryless). */
#define GAP_CAP 4194304.0

/* A gap of steps for a spike probability P per step (f64), from a uniform draw u in (0, 1) and
 * l1p = log1p(-P): 1 + floor(log(u) / l1p), geometric (P(G > k) = (1 - P)^k); 1 where P >= 1,
 * +inf where P is not above 0 (never); GAP_CAP + 0.5 where it is above GAP_CAP. */
static LLVMValueRef gap_draw(cg *c, LLVMValueRef prob, LLVMValueRef l1p, LLVMValueRef u)
{
    LLVMValueRef lu = cgm_call(c, "log", c->f64, &c->f64, 1, &u);
    LLVMValueRef q = LLVMBuildFDiv(c->b, lu, l1p, "");
    LLVMValueRef fl = cgm_call(c, "floor", c->f64, &c->f64, 1, &q);
    LLVMValueRef g = LLVMBuildFAdd(c->b, fl, cgm_f64(c, 1), "");
    g = LLVMBuildSelect(c->b, LLVMBuildFCmp(c->b, LLVMRealOGT, g, cgm_f64(c, GAP_CAP), ""),
                        cgm_f64(c, GAP_CAP + 0.5), g, "");
    g = LLVMBuildSelect(c->b, LLVMBuildFCmp(c->b, LLVMRealOGE, prob, cgm_f64(c, 1), ""),
                        cgm_f64(c, 1), g, "");
    return LLVMBuildSelect(c->b, LLVMBuildFCmp(c->b, LLVMRealOGT, prob, cgm_f64(c, 0), ""), g,
                           cgm_f64(c, INFINITY), "gap");
}

/*
 * The deferred pass of a neuron whose spikes are drawn as gaps (ir_pop.gap_var), which the
 * update flagged: its _gap has run out (the update counted it down to 0, a spike, or to 0.5, a
 * cap), or P is not the one the gap was drawn with. A new P draws a gap from this step (with
 * uniform 1 of the step's block: the neuron fires now when it is 1); a gap that ran out draws
 * the next one from the next step (uniform 0). Both are the condition's stream, keyed by the
 * seed, the neuron and the step; each is drawn only where needed (branches: the pass is
 * scalar). Sets the hidden variables in c->env; returns whether the neuron fires.
 */
static LLVMValueRef gap_pass(cg *c)
{
    const ir_pop *p = c->pop;
    LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(c->b));
    LLVMValueRef prob = to_f64(c, expr(c, p->gap_p));
    LLVMValueRef gap = to_f64(c, c->env[p->gap_var]);
    LLVMValueRef was = to_f64(c, c->env[p->gap_p_var]);
    LLVMValueRef stream = cg_kconst(c, c->i32, stream_of(c) + (unsigned)(p->gap_draw & 1023));
    LLVMValueRef idx32 = LLVMBuildTrunc(c->b, c->idx, c->i32, "");
    c->drew = true;
    LLVMValueRef arg = LLVMBuildFNeg(c->b, prob, "");
    LLVMValueRef l1p = cgm_call(c, "log1p", c->f64, &c->f64, 1, &arg);
    LLVMValueRef moved = LLVMBuildFCmp(c->b, LLVMRealUNE, was, prob, "");
    LLVMBasicBlockRef b0 = LLVMGetInsertBlock(c->b);
    LLVMBasicBlockRef redraw = LLVMAppendBasicBlockInContext(c->ctx, fn, "gap_moved");
    LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(c->ctx, fn, "gap_join");
    LLVMBasicBlockRef next = LLVMAppendBasicBlockInContext(c->ctx, fn, "gap_next");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->ctx, fn, "gap_done");
    LLVMBuildCondBr(c->b, moved, redraw, join);
    LLVMPositionBuilderAtEnd(c->b, redraw);
    LLVMValueRef u1 = cgm_uniform(c, c->seed, stream, idx32, c->step, 1);
    LLVMValueRef g1 = LLVMBuildFSub(c->b, gap_draw(c, prob, l1p, u1), cgm_f64(c, 1), "");
    LLVMBasicBlockRef b1 = LLVMGetInsertBlock(c->b);
    LLVMBuildBr(c->b, join);
    LLVMPositionBuilderAtEnd(c->b, join);
    LLVMValueRef g = LLVMBuildPhi(c->b, c->f64, "");
    LLVMAddIncoming(g, (LLVMValueRef[]){gap, g1}, (LLVMBasicBlockRef[]){b0, b1}, 2);
    LLVMValueRef out = LLVMBuildFCmp(c->b, LLVMRealOLT, g, cgm_f64(c, 1), "");
    LLVMValueRef fired = LLVMBuildFCmp(c->b, LLVMRealOEQ, g, cgm_f64(c, 0), "fired");
    LLVMBuildCondBr(c->b, out, next, done);
    LLVMPositionBuilderAtEnd(c->b, next);
    LLVMValueRef u0 = cgm_uniform(c, c->seed, stream, idx32, c->step, 0);
    LLVMValueRef g0 = gap_draw(c, prob, l1p, u0);
    LLVMBasicBlockRef b2 = LLVMGetInsertBlock(c->b);
    LLVMBuildBr(c->b, done);
    LLVMPositionBuilderAtEnd(c->b, done);
    LLVMValueRef gn = LLVMBuildPhi(c->b, c->f64, "");
    LLVMAddIncoming(gn, (LLVMValueRef[]){g, g0}, (LLVMBasicBlockRef[]){join, b2}, 2);
    c->env[p->gap_var] = cg_to_fp(c, gn);
    c->env[p->gap_p_var] = cg_to_fp(c, prob);
    return fired;
}

/*
 * `name_reset`, with the parameters of the update body (body_fn): the reset of the neurons of
 * [begin, end) whose fired flag the body set, on the values it stored. The flags are scanned 8
 * at a time (spikes are rare); only a neuron that fired has its variables loaded, so a
 * parameter that only the reset reads is read only for it.
 */
static LLVMValueRef reset_fn(cg *c, const char *name, LLVMTypeRef *ps, int np, LLVMValueRef *table)
{
    const ir_pop *p = c->pop;
    int nv = p->nvars;
    LLVMValueRef fn = cg_function(c, LLVMFunctionType(c->vd, ps, (unsigned)np, 0), "%s_reset",
                                  name);
    unsigned noalias = LLVMGetEnumAttributeKindForName("noalias", 7);
    for (int k = 0; k < nv + 1; k++)
        LLVMAddAttributeAtIndex(fn, (unsigned)(2 + k), LLVMCreateEnumAttribute(c->ctx, noalias, 0));
    LLVMBasicBlockRef entry = LLVMAppendBasicBlockInContext(c->ctx, fn, "entry");
    LLVMBasicBlockRef group = LLVMAppendBasicBlockInContext(c->ctx, fn, "group");
    LLVMBasicBlockRef word = LLVMAppendBasicBlockInContext(c->ctx, fn, "word");
    LLVMBasicBlockRef scan = LLVMAppendBasicBlockInContext(c->ctx, fn, "scan");
    LLVMBasicBlockRef fire = LLVMAppendBasicBlockInContext(c->ctx, fn, "fire");
    LLVMBasicBlockRef snext = LLVMAppendBasicBlockInContext(c->ctx, fn, "scan_next");
    LLVMBasicBlockRef gnext = LLVMAppendBasicBlockInContext(c->ctx, fn, "group_next");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->ctx, fn, "done");
    LLVMPositionBuilderAtEnd(c->b, entry);
    cg_ctx_fields(c, LLVMGetParam(fn, 0));
    c->kc_p = LLVMGetParam(fn, (unsigned)(4 + nv));
    c->nkc = 0;
    LLVMValueRef flags = LLVMGetParam(fn, (unsigned)(1 + nv));
    LLVMValueRef begin = LLVMBuildZExt(c->b, LLVMGetParam(fn, (unsigned)(2 + nv)), c->i64, "");
    LLVMValueRef end = LLVMBuildZExt(c->b, LLVMGetParam(fn, (unsigned)(3 + nv)), c->i64, "");
    LLVMValueRef eight = LLVMConstInt(c->i64, 8, 0), one = LLVMConstInt(c->i64, 1, 0);
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, begin, end, ""), group, done);
    /* group: j .. ge = min(j + 8, end); a whole group of 8 with no flag set is skipped */
    LLVMPositionBuilderAtEnd(c->b, group);
    LLVMValueRef j = LLVMBuildPhi(c->b, c->i64, "j");
    LLVMValueRef j8 = LLVMBuildAdd(c->b, j, eight, "");
    LLVMValueRef whole = LLVMBuildICmp(c->b, LLVMIntULE, j8, end, "");
    LLVMValueRef ge = LLVMBuildSelect(c->b, whole, j8, end, "");
    LLVMBuildCondBr(c->b, whole, word, scan);
    LLVMPositionBuilderAtEnd(c->b, word);
    LLVMValueRef wp = LLVMBuildGEP2(c->b, c->i8, flags, &j, 1, "");
    LLVMValueRef w = LLVMBuildLoad2(c->b, c->i64, wp, "");
    LLVMSetAlignment(w, 1);
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntEQ, w, LLVMConstInt(c->i64, 0, 0), ""),
                    gnext, scan);
    LLVMPositionBuilderAtEnd(c->b, scan);
    LLVMValueRef q = LLVMBuildPhi(c->b, c->i64, "q");
    LLVMValueRef fq = LLVMBuildLoad2(c->b, c->i8, LLVMBuildGEP2(c->b, c->i8, flags, &q, 1, ""), "");
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, fq, LLVMConstInt(c->i8, 0, 0), ""),
                    fire, snext);
    /* fire: the reset of neuron q, on the values the update stored */
    LLVMPositionBuilderAtEnd(c->b, fire);
    c->idx = q;
    LLVMValueRef *ptrs, *old;
    neuron_env(c, fn, q, true, false, &ptrs, &old);
    LLVMValueRef fired = LLVMConstInt(c->i1, 1, 0);
    if (p->gap_var >= 0) {
        fired = gap_pass(c);
        LLVMBuildStore(c->b, LLVMBuildZExt(c->b, fired, c->i8, ""),
                       LLVMBuildGEP2(c->b, c->i8, flags, &q, 1, ""));
    }
    stmts(c, &p->reset, fired);
    /* as the update body stores: not parameters, and inputs are cleared there */
    for (int k = 0; k < nv; k++)
        if (c->env[k] != old[k] && p->vars[k].kind != IRV_PARAM && p->vars[k].kind != IRV_INPUT)
            cg_store_elem(c, p->vars[k].elem, c->env[k], ptrs[k]);
    LLVMBuildBr(c->b, snext);
    LLVMPositionBuilderAtEnd(c->b, snext);
    LLVMValueRef qn = LLVMBuildAdd(c->b, q, one, "");
    /* at most 8 iterations, most with nothing to do: not worth vectorising */
    loop_hint(c, LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, qn, ge, ""), scan, gnext),
              "llvm.loop.vectorize.width", 1);
    LLVMAddIncoming(q, (LLVMValueRef[]){j, j, qn}, (LLVMBasicBlockRef[]){group, word, snext}, 3);
    LLVMPositionBuilderAtEnd(c->b, gnext);
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, ge, end, ""), group, done);
    LLVMAddIncoming(j, (LLVMValueRef[]){begin, ge}, (LLVMBasicBlockRef[]){entry, gnext}, 2);
    LLVMPositionBuilderAtEnd(c->b, done);
    LLVMBuildRetVoid(c->b);
    neuron_env_free(c, ptrs, old);
    c->kc_p = NULL;
    char full[80];
    snprintf(full, sizeof full, "%s_reset", name);
    *table = cg_kconst_table(c, full);
    return fn;
}

/*
 * Can the population have an update_quiet kernel (model.h, ABI 8): the update with its inputs
 * taken as 0, neither read nor cleared? When it has inputs, no projection has it as source,
 * target or third population, and no Poisson input goes into an input (which the update
 * writes for the next step). The runtime runs it while no injection, set value or view can
 * have put anything into the inputs. Not with exprel's blocks (the full kernel has them).
 */
static bool quiet_possible(const cg *c, int pop)
{
    const ir_pop *p = &c->m->pops[pop];
    if (c->had_exprel)
        return false;
    bool inputs = false;
    for (int k = 0; k < p->nvars; k++)
        inputs |= p->vars[k].kind == IRV_INPUT;
    for (int k = 0; k < p->npinputs; k++)
        if (p->vars[p->slot[p->pinputs[k].var]].kind == IRV_INPUT)
            return false;
    for (int j = 0; j < c->m->nprojs && inputs; j++) {
        const ir_proj *pj = &c->m->projs[j];
        if (pj->pre == pop || pj->post == pop || pj->via == pop)
            return false;
    }
    return inputs;
}

/* Neurons per block of an update kernel that has exprel (see kernel()). */
#define EXPREL_BLOCK 512

/* Marked neurons with fewer unmarked ones than this between them are fixed by one call of the
   full body (see fix_runs). */
#define EXPREL_GAP 16

/*
 * The fixing calls of a block [b, e) whose fast body marked some neurons in its mask (args[5 +
 * nv]): the full body `fn` runs over each run of marked neurons, from a marked one to the last
 * marked one before EXPREL_GAP unmarked ones in a row, with the mask from the run's start (the
 * body reads mask[i - begin]). The unmarked neurons inside a run keep what the fast body wrote
 * (the fixing body writes only the marked ones), so the result is that of one call over the
 * block, for the full body's cost on the few marked neurons instead of the whole block:
 *
 *     for (j = 0; j < n; ) {
 *         if (!mask[j]) { j++; continue; }
 *         for (last = k = j + 1; k < n && k - last < EXPREL_GAP; k++)
 *             if (mask[k]) last = k + 1;
 *         fn(..., b + j, b + last, ..., mask + j);
 *         j = k;
 *     }
 *
 * and then on to `next`.
 */
static void fix_runs(cg *c, LLVMValueRef outer, LLVMValueRef fn, LLVMTypeRef vty,
                     LLVMValueRef *args, int np, LLVMValueRef b, LLVMValueRef e,
                     LLVMBasicBlockRef next)
{
    int nv = np - 6;
    LLVMValueRef mask = args[5 + nv];
    LLVMValueRef one = LLVMConstInt(c->i32, 1, 0), zero8 = LLVMConstInt(c->i8, 0, 0);
    LLVMBasicBlockRef from = LLVMGetInsertBlock(c->b);
    LLVMBasicBlockRef scan = LLVMAppendBasicBlockInContext(c->ctx, outer, "scan");
    LLVMBasicBlockRef test = LLVMAppendBasicBlockInContext(c->ctx, outer, "scan.test");
    LLVMBasicBlockRef run = LLVMAppendBasicBlockInContext(c->ctx, outer, "run");
    LLVMBasicBlockRef step = LLVMAppendBasicBlockInContext(c->ctx, outer, "run.step");
    LLVMBasicBlockRef call = LLVMAppendBasicBlockInContext(c->ctx, outer, "run.call");
    LLVMValueRef n = LLVMBuildSub(c->b, e, b, "n");
    LLVMBuildBr(c->b, scan);

    LLVMPositionBuilderAtEnd(c->b, scan);
    LLVMValueRef j = LLVMBuildPhi(c->b, c->i32, "j");
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, j, n, ""), test, next);
    LLVMPositionBuilderAtEnd(c->b, test);
    LLVMValueRef jn = LLVMBuildAdd(c->b, j, one, "");
    LLVMValueRef mj = LLVMBuildLoad2(c->b, c->i8, LLVMBuildGEP2(c->b, c->i8, mask, &j, 1, ""), "");
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, mj, zero8, ""), run, scan);

    LLVMPositionBuilderAtEnd(c->b, run);
    LLVMValueRef k = LLVMBuildPhi(c->b, c->i32, "k");
    LLVMValueRef last = LLVMBuildPhi(c->b, c->i32, "last");
    LLVMValueRef more =
        LLVMBuildAnd(c->b, LLVMBuildICmp(c->b, LLVMIntULT, k, n, ""),
                     LLVMBuildICmp(c->b, LLVMIntULT, LLVMBuildSub(c->b, k, last, ""),
                                   LLVMConstInt(c->i32, EXPREL_GAP, 0), ""),
                     "");
    LLVMBuildCondBr(c->b, more, step, call);
    LLVMPositionBuilderAtEnd(c->b, step);
    LLVMValueRef kn = LLVMBuildAdd(c->b, k, one, "");
    LLVMValueRef mk = LLVMBuildLoad2(c->b, c->i8, LLVMBuildGEP2(c->b, c->i8, mask, &k, 1, ""), "");
    LLVMValueRef last2 =
        LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntNE, mk, zero8, ""), kn, last, "");
    LLVMBuildBr(c->b, run);
    LLVMAddIncoming(k, (LLVMValueRef[]){jn, kn}, (LLVMBasicBlockRef[]){test, step}, 2);
    LLVMAddIncoming(last, (LLVMValueRef[]){jn, last2}, (LLVMBasicBlockRef[]){test, step}, 2);

    LLVMPositionBuilderAtEnd(c->b, call);
    LLVMValueRef range[2] = {args[2 + nv], args[3 + nv]};
    args[2 + nv] = LLVMBuildAdd(c->b, b, j, "");
    args[3 + nv] = LLVMBuildAdd(c->b, b, last, "");
    args[5 + nv] = LLVMBuildGEP2(c->b, c->i8, mask, &j, 1, "");
    LLVMBuildCall2(c->b, vty, fn, args, (unsigned)np, "");
    args[2 + nv] = range[0];
    args[3 + nv] = range[1];
    args[5 + nv] = mask;
    LLVMBuildBr(c->b, scan);
    LLVMAddIncoming(j, (LLVMValueRef[]){LLVMConstInt(c->i32, 0, 0), jn, k},
                    (LLVMBasicBlockRef[]){from, test, call}, 3);
}

/*
 * A population's kernel: the ABI entry `name(ctx, vars, [fired,] begin, end)` that unpacks vars
 * and calls the loop (body_fn). When the update evaluates exprel (exponential Euler), the
 * general function (a reduction, a division and selects) is needed only where the argument is
 * not small, which in practice is almost never: the entry then takes the neurons in blocks of
 * EXPREL_BLOCK and runs each with `name_fast`, which updates the neurons whose arguments are
 * all small and marks the others in a mask; where it marked one, `name_body` then updates the
 * marked neurons, over the runs of them only (fix_runs). The fast body gives the very bits of
 * the full one for small arguments, so the results do not depend on the blocks (nor on the
 * threads).
 */
static LLVMValueRef kernel(cg *c, const char *name, bool update)
{
    const ir_pop *p = c->pop;
    int nv = p->nvars;
    int np = nv + 6;
    LLVMTypeRef *ps = calloc((size_t)np, sizeof *ps);
    ps[0] = c->ptr;
    for (int k = 0; k < nv; k++)
        ps[1 + k] = c->ptr;
    ps[1 + nv] = c->ptr;
    ps[2 + nv] = c->i32;
    ps[3 + nv] = c->i32;
    ps[4 + nv] = c->ptr;
    ps[5 + nv] = c->ptr;
    /* Update kernels are latency-bound (long chains through exp and the schemes' stages):
       four vectors in flight at a time pay off (COBA 1.1x, AdEx 2.6x, Izhikevich 1.2x), but in
       very large bodies (Hodgkin-Huxley) the registers run out and it is no better, nor in
       lean multi-stage bodies over arrays beyond the L2 cache (update_interleave). The fast
       body of exprel takes two: with four it spilled (Estrin's scheme), and with Horner's it
       is still 5% slower on COBA; the full one, rarely run then, takes one (less code to
       compile). */
    LLVMValueRef fast = NULL, fn_k = NULL, fast_k = NULL;
    if (update && !c->quiet_inputs && p->gap_var < 0) {
        fast = body_fn(c, name, update, CG_EXPREL_FAST, false, 2, ps, np, &fast_k);
        if (c->nexprel == 0) {
            LLVMDeleteFunction(fast);
            if (LLVMIsAGlobalVariable(fast_k))
                LLVMDeleteGlobal(fast_k);
            fast = NULL;
        }
    }
    /* the reset after each block's update, for the neurons that fired (not with exprel's
       blocks); always for spikes drawn as gaps, whose pass decides the spikes (gap_pass) */
    bool defer = update && !fast && (p->gap_var >= 0 || reset_deferrable(p));
    c->defer_reset = defer;
    LLVMValueRef fn = body_fn(c, name, update, CG_EXPREL_FULL, fast != NULL, fast ? 1 : 4, ps, np,
                              &fn_k);
    c->defer_reset = false;
    LLVMValueRef rs = NULL, rs_k = NULL;
    if (defer)
        rs = reset_fn(c, name, ps, np, &rs_k);
    if (update)
        c->had_exprel = fast != NULL;

    /* the ABI entry point: init(ctx, vars, begin, end), update(ctx, vars, fired, begin, end) */
    LLVMTypeRef aps[5] = {c->ptr, c->ptr, c->ptr, c->i32, c->i32};
    if (!update) {
        aps[2] = c->i32;
        aps[3] = c->i32;
    }
    LLVMValueRef outer = cg_function(c, LLVMFunctionType(c->vd, aps, update ? 5 : 4, 0), "%s", name);
    if (!update)
        cg_setup_kernel(c, outer);
    else
        wide_vectors(c, outer);
    LLVMBasicBlockRef oentry = LLVMAppendBasicBlockInContext(c->ctx, outer, "entry");
    LLVMPositionBuilderAtEnd(c->b, oentry);
    LLVMValueRef *args = calloc((size_t)np, sizeof *args);
    args[0] = LLVMGetParam(outer, 0);
    for (int k = 0; k < nv; k++) {
        LLVMValueRef slot = LLVMBuildGEP2(c->b, c->ptr, LLVMGetParam(outer, 1),
                                          (LLVMValueRef[]){LLVMConstInt(c->i64, (unsigned)k, 0)}, 1, "");
        args[1 + k] = LLVMBuildLoad2(c->b, c->ptr, slot, "");
    }
    int first = update ? 3 : 2;
    args[1 + nv] = update ? LLVMGetParam(outer, 2) : LLVMConstNull(c->ptr);
    args[2 + nv] = LLVMGetParam(outer, (unsigned)first);
    args[3 + nv] = LLVMGetParam(outer, (unsigned)first + 1);
    args[5 + nv] = LLVMConstNull(c->ptr);
    LLVMTypeRef vty = LLVMFunctionType(c->vd, ps, (unsigned)np, 0);
    if (rs) {
        /* for (b = begin; b < end; b = e) { e = min(b + RESET_BLOCK, end); update; reset } */
        LLVMValueRef begin = args[2 + nv], end = args[3 + nv];
        LLVMBasicBlockRef blk = LLVMAppendBasicBlockInContext(c->ctx, outer, "block");
        LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->ctx, outer, "done");
        LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, begin, end, ""), blk, done);
        LLVMPositionBuilderAtEnd(c->b, blk);
        LLVMValueRef b = LLVMBuildPhi(c->b, c->i32, "b");
        LLVMValueRef bs = LLVMConstInt(c->i32, RESET_BLOCK, 0);
        LLVMValueRef e = LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntUGT,
                                                             LLVMBuildSub(c->b, end, b, ""), bs, ""),
                                         LLVMBuildAdd(c->b, b, bs, ""), end, "e");
        args[2 + nv] = b;
        args[3 + nv] = e;
        args[4 + nv] = fn_k;
        LLVMBuildCall2(c->b, vty, fn, args, (unsigned)np, "");
        args[4 + nv] = rs_k;
        LLVMBuildCall2(c->b, vty, rs, args, (unsigned)np, "");
        LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, e, end, ""), blk, done);
        LLVMAddIncoming(b, (LLVMValueRef[]){begin, e}, (LLVMBasicBlockRef[]){oentry, blk}, 2);
        LLVMPositionBuilderAtEnd(c->b, done);
        LLVMBuildRetVoid(c->b);
    } else if (!fast) {
        args[4 + nv] = fn_k;
        LLVMBuildCall2(c->b, vty, fn, args, (unsigned)np, "");
        LLVMBuildRetVoid(c->b);
    } else {
        /* for (b = begin; b < end; b = e) { e = min(b + BLOCK, end); if (fast) fix } */
        LLVMValueRef begin = args[2 + nv], end = args[3 + nv];
        args[5 + nv] = LLVMBuildAlloca(c->b, LLVMArrayType(c->i8, EXPREL_BLOCK), "mask");
        LLVMBasicBlockRef blk = LLVMAppendBasicBlockInContext(c->ctx, outer, "block");
        LLVMBasicBlockRef fix_b = LLVMAppendBasicBlockInContext(c->ctx, outer, "fix");
        LLVMBasicBlockRef next_b = LLVMAppendBasicBlockInContext(c->ctx, outer, "next");
        LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->ctx, outer, "done");
        LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, begin, end, ""), blk, done);
        LLVMPositionBuilderAtEnd(c->b, blk);
        LLVMValueRef b = LLVMBuildPhi(c->b, c->i32, "b");
        LLVMValueRef bs = LLVMConstInt(c->i32, EXPREL_BLOCK, 0);
        LLVMValueRef left = LLVMBuildSub(c->b, end, b, "");
        LLVMValueRef e = LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntUGT, left, bs, ""),
                                         LLVMBuildAdd(c->b, b, bs, ""), end, "e");
        args[2 + nv] = b;
        args[3 + nv] = e;
        args[4 + nv] = fast_k;
        LLVMValueRef big = LLVMBuildCall2(c->b, LLVMFunctionType(c->i8, ps, (unsigned)np, 0), fast,
                                          args, (unsigned)np, "");
        LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, big, LLVMConstInt(c->i8, 0, 0), ""),
                        fix_b, next_b);
        LLVMPositionBuilderAtEnd(c->b, fix_b);
        args[4 + nv] = fn_k;
        fix_runs(c, outer, fn, vty, args, np, b, e, next_b);
        LLVMPositionBuilderAtEnd(c->b, next_b);
        LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, e, end, ""), blk, done);
        LLVMAddIncoming(b, (LLVMValueRef[]){begin, e}, (LLVMBasicBlockRef[]){oentry, next_b}, 2);
        LLVMPositionBuilderAtEnd(c->b, done);
        LLVMBuildRetVoid(c->b);
    }
    free(args);
    free(ps);
    return outer;
}

/* ---- the module ----------------------------------------------------------------------------- */

/*
 * Kernels that came out identical are generated once. A model with many projections of one
 * synapse type (the cortical microcircuit has 55 projections and three kernels each) would
 * otherwise optimise and compile the same function dozens of times. Two internal functions
 * are the same when their printed IR is the same once the function's own name and metadata
 * numbers are taken out (the only metadata codegen attaches are loop hints, which follow the
 * type's largest population and so agree between its populations' bodies, and a
 * kernel's tables and constants are named or written out in its text). A duplicate's uses
 * (the descriptor, a wrapper's call) go to the first one and it is deleted; wrappers that
 * become identical that way are merged in the next round (the texts of a round are those of
 * its start: a merge can only make later texts equal, never unequal ones equal).
 */
typedef struct {
    LLVMValueRef fn;
    char *text;
    uint64_t hash;
} fn_key;

/* The function text t[0, len) (from its `define` line to its closing brace) without the
 * function's own name and metadata numbers, and its hash; NULL when out of memory. */
static char *normalise(const char *t, size_t len, const char *name, size_t nl, uint64_t *hash)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    /* the name in the `define` line (the first "@name(") */
    const char *at = NULL;
    for (const char *q = memchr(t, '@', len); q && !at; q = memchr(q + 1, '@', (size_t)(t + len - q - 1)))
        if ((size_t)(t + len - q) > nl + 1 && strncmp(q + 1, name, nl) == 0 && q[1 + nl] == '(')
            at = q + 1;
    uint64_t h = 1469598103934665603u;
    size_t k = 0;
    for (const char *q = t, *end = t + len; q < end;) {
        if (q == at) {
            q += nl;
            continue;
        }
        out[k] = *q++;
        if (out[k] == '!' && q < end && *q >= '0' && *q <= '9')
            while (q < end && *q >= '0' && *q <= '9')
                q++;
        h = (h ^ (unsigned char)out[k]) * 1099511628211u;
        k++;
    }
    out[k] = 0;
    *hash = h;
    return out;
}

/* From `define` to the closing brace in text t (a function's or a module's, from *from on):
 * the next definition whose first "@NAME(" is fn's name. */
static bool find_define(const char *t, const char **from, const char *name, size_t nl,
                        const char **start, size_t *len)
{
    for (const char *d = strstr(*from, "define "); d; d = strstr(d + 1, "\ndefine ")) {
        if (*d == '\n')
            d++;
        const char *eol = strchr(d, '\n');
        const char *at = memchr(d, '@', eol ? (size_t)(eol - d) : strlen(d));
        const char *close = strstr(d, "\n}");
        if (!close)
            return false;
        if (at && strncmp(at + 1, name, nl) == 0 && at[1 + nl] == '(') {
            *start = d;
            *len = (size_t)(close + 2 - d);
            *from = close + 2;
            return true;
        }
    }
    (void)t;
    return false;
}

/* fn's text (normalise), found in the module's text `all` from *from on, or else printed
 * alone. */
static char *fn_text(LLVMValueRef fn, const char *all, const char **from, uint64_t *hash)
{
    size_t nl = 0;
    const char *name = LLVMGetValueName2(fn, &nl);
    const char *start;
    size_t len;
    if (all && find_define(all, from, name, nl, &start, &len))
        return normalise(start, len, name, nl, hash);
    char *t = LLVMPrintValueToString(fn);
    const char *one = t;
    char *out = find_define(t, &one, name, nl, &start, &len) ? normalise(start, len, name, nl, hash)
                                                              : NULL;
    LLVMDisposeMessage(t);
    return out;
}

/* Calls of fn. */
static int call_sites(LLVMValueRef fn)
{
    int n = 0;
    for (LLVMUseRef u = LLVMGetFirstUse(fn); u; u = LLVMGetNextUse(u)) {
        LLVMValueRef user = LLVMGetUser(u);
        n += LLVMIsACallInst(user) && LLVMGetCalledValue(user) == fn;
    }
    return n;
}

static void merge_identical(LLVMModuleRef mod)
{
    for (bool again = true; again;) {
        again = false;
        size_t n = 0, cap = 0;
        fn_key *keys = NULL;
        /* one print of the module per round: printing each function alone costs as much as
           printing the module (the numbering of its globals and metadata) */
        char *all = LLVMPrintModuleToString(mod);
        const char *from = all;
        for (LLVMValueRef f = LLVMGetFirstFunction(mod), next; f; f = next) {
            next = LLVMGetNextFunction(f);
            if (LLVMIsDeclaration(f) || LLVMGetLinkage(f) != LLVMInternalLinkage)
                continue;
            uint64_t h;
            char *t = fn_text(f, all, &from, &h);
            if (!t)
                break; /* out of memory: keep the rest as it is */
            size_t i = 0;
            while (i < n && !(keys[i].hash == h && strcmp(keys[i].text, t) == 0))
                i++;
            if (i < n) {
                LLVMReplaceAllUsesWith(f, keys[i].fn);
                LLVMDeleteFunction(f);
                free(t);
                again = true;
                continue;
            }
            if (n == cap) {
                fn_key *nk = realloc(keys, (cap = cap ? 2 * cap : 64) * sizeof *keys);
                if (!nk) {
                    free(t);
                    break;
                }
                keys = nk;
            }
            keys[n++] = (fn_key){f, t, h};
        }
        for (size_t i = 0; i < n; i++)
            free(keys[i].text);
        free(keys);
        LLVMDisposeMessage(all);
    }
    /* a kernel body that several wrappers call is optimised and compiled once: inlining it
       would make the copies again (one caller: inlined, its numbers folded) */
    unsigned noinline = LLVMGetEnumAttributeKindForName("noinline", 8);
    for (LLVMValueRef f = LLVMGetFirstFunction(mod); f; f = LLVMGetNextFunction(f))
        if (!LLVMIsDeclaration(f) && LLVMGetLinkage(f) == LLVMInternalLinkage && call_sites(f) > 1)
            LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                                    LLVMCreateEnumAttribute(LLVMGetModuleContext(mod), noinline, 0));
}

static bool llvm_ready;
static pthread_once_t llvm_once = PTHREAD_ONCE_INIT;

/* LLVM's target registry is process-wide: filled once, read-only afterwards. */
static void llvm_init_once(void)
{
    llvm_ready = !LLVMInitializeNativeTarget() && !LLVMInitializeNativeAsmPrinter();
}

bool cg_init_llvm(void)
{
    pthread_once(&llvm_once, llvm_init_once);
    return llvm_ready;
}

bool cg_build_unit(const ir_model *m, const cg_opts *o, diag_ctx *d, cg_unit *u,
                       LLVMContextRef in_ctx)
{
    memset(u, 0, sizeof *u);
    u->tm = cg_target_machine(o, d);
    if (!u->tm)
        return false;
    cg c = {0};
    u->own_ctx = !in_ctx;
    c.ctx = u->ctx = in_ctx ? in_ctx : LLVMContextCreate();
    c.mod = u->mod = LLVMModuleCreateWithNameInContext(m->module, c.ctx);
    char *triple = LLVMGetTargetMachineTriple(u->tm);
    LLVMSetTarget(c.mod, triple);
    LLVMDisposeMessage(triple);
    LLVMTargetDataRef dl = LLVMCreateTargetDataLayout(u->tm);
    char *dls = LLVMCopyStringRepOfTargetData(dl);
    LLVMSetDataLayout(c.mod, dls);
    LLVMDisposeMessage(dls);
    LLVMDisposeTargetData(dl);
    c.b = LLVMCreateBuilderInContext(c.ctx);
    c.f64 = LLVMDoubleTypeInContext(c.ctx);
    c.f32 = LLVMFloatTypeInContext(c.ctx);
    c.fp = o->precision == 4 ? c.f32 : c.f64;
    c.i1 = LLVMInt1TypeInContext(c.ctx);
    c.i8 = LLVMInt8TypeInContext(c.ctx);
    c.i32 = LLVMInt32TypeInContext(c.ctx);
    c.i64 = LLVMInt64TypeInContext(c.ctx);
    c.ptr = LLVMPointerTypeInContext(c.ctx, 0);
    c.vd = LLVMVoidTypeInContext(c.ctx);
    c.o = o;
    c.d = d;
    c.m = m;
    c.fma = cg_target_fma(u->tm, o);
    c.masked_store = cg_target_masked_store(u->tm, o);
    cg_param_begin(&c);
    LLVMValueRef *inits = calloc((size_t)m->npops + 1, sizeof *inits);
    LLVMValueRef *updates = calloc((size_t)m->npops + 1, sizeof *updates);
    LLVMValueRef *quiets = calloc((size_t)m->npops + 1, sizeof *quiets);
    for (int i = 0; i < m->npops && !c.failed; i++) {
        c.pop = &m->pops[i];
        c.pop_index = i;
        char name[64];
        snprintf(name, sizeof name, "pop%d_init", i);
        c.init_phase = true;
        inits[i] = kernel(&c, name, false);
        snprintf(name, sizeof name, "pop%d_update", i);
        c.init_phase = false;
        updates[i] = kernel(&c, name, true);
        if (quiet_possible(&c, i)) {
            snprintf(name, sizeof name, "pop%d_update_quiet", i);
            c.quiet_inputs = true;
            quiets[i] = kernel(&c, name, true);
            c.quiet_inputs = false;
        }
    }
    if (!c.failed)
        cg_descriptor(&c, inits, updates, quiets);
    c.failed |= diag_error_count(d) > 0;
    free(inits);
    free(updates);
    free(quiets);
    cg_param_end(&c);
    LLVMDisposeBuilder(c.b);
    if (c.failed)
        return false;
    merge_identical(c.mod);
    setup_kernels_plain(c.mod);
    /* every function is tuned for this CPU (vector width, instructions) */
    char *cpu = LLVMGetTargetMachineCPU(u->tm);
    char *feat = LLVMGetTargetMachineFeatureString(u->tm);
    for (LLVMValueRef f = LLVMGetFirstFunction(c.mod); f; f = LLVMGetNextFunction(f)) {
        if (LLVMIsDeclaration(f))
            continue;
        LLVMAddTargetDependentFunctionAttr(f, "target-cpu", cpu);
        if (*feat) /* a named CPU: its own features */
            LLVMAddTargetDependentFunctionAttr(f, "target-features", feat);
    }
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(feat);
    char *verr = NULL;
    if (LLVMVerifyModule(c.mod, LLVMReturnStatusAction, &verr)) {
        diag_error(d, SPAN_NONE, "internal error: the generated code is invalid (%s); please report "
                                 "this with the model", verr);
        LLVMDisposeMessage(verr);
        return false;
    }
    LLVMDisposeMessage(verr);
    char pipeline[32];
    snprintf(pipeline, sizeof pipeline, "default<O%d>", o->opt_level < 0 ? 0 : o->opt_level > 3 ? 3 : o->opt_level);
    LLVMPassBuilderOptionsRef po = LLVMCreatePassBuilderOptions();
    LLVMPassBuilderOptionsSetLoopVectorization(po, o->opt_level >= 2);
    LLVMPassBuilderOptionsSetSLPVectorization(po, o->opt_level >= 2);
    LLVMErrorRef e = LLVMRunPasses(c.mod, pipeline, u->tm, po);
    LLVMDisposePassBuilderOptions(po);
    if (e) {
        char *msg = LLVMGetErrorMessage(e);
        diag_error(d, SPAN_NONE, "internal error in the optimiser: %s", msg);
        LLVMDisposeErrorMessage(msg);
        return false;
    }
    return true;
}

void cg_free_unit(cg_unit *u)
{
    if (u->mod)
        LLVMDisposeModule(u->mod);
    if (u->ctx && u->own_ctx)
        LLVMContextDispose(u->ctx);
    if (u->tm)
        LLVMDisposeTargetMachine(u->tm);
}

char *cg_llvm_text(const ir_model *m, const cg_opts *o, diag_ctx *d)
{
    cg_unit u;
    char *out = NULL;
    if (cg_build_unit(m, o, d, &u, NULL)) {
        char *s = LLVMPrintModuleToString(u.mod);
        out = strdup(s);
        LLVMDisposeMessage(s);
    }
    cg_free_unit(&u);
    return out;
}

bool cg_emit_object(const ir_model *m, const cg_opts *o, diag_ctx *d, const char *path)
{
    cg_unit u;
    bool ok = cg_build_unit(m, o, d, &u, NULL);
    if (ok) {
        char *err = NULL;
        if (LLVMTargetMachineEmitToFile(u.tm, u.mod, (char *)path, LLVMObjectFile, &err)) {
            diag_error(d, SPAN_NONE, "cannot write '%s': %s", path, err ? err : "?");
            ok = false;
        }
        LLVMDisposeMessage(err);
    }
    cg_free_unit(&u);
    return ok;
}
