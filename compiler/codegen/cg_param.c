/*
 * Shared parameters and the quantities derived from them (model.h, "parameters").
 *
 * Lowering leaves shared parameters symbolic (VS_SHARED) and puts the propagators of exact
 * integration in derived slots (VS_DERIVED, ir_propagator). Here every kernel reads them from
 * its step context: the block pointers and each value are loaded once per call, in the
 * kernel's entry block, so loops see loop-invariant values and vectorise as they did with
 * numbers. A subexpression whose leaves are only parameters, numbers and dt (exp(-dt / tau),
 * 1 / C, g_L E_L) is hoisted whole into a derived slot, which the model's derive kernel
 * computes whenever a shared value changes: the kernels pay one load for it, as they paid a
 * constant before.
 *
 * Results are those of the same model with the parameters folded in, bit for bit, because the
 * derive kernel computes each quantity as folding did: a subexpression of numbers and
 * parameters in double precision with libm's functions (as sx folds constants, sx_apply_fn),
 * then rounded once to the model's precision; one that holds dt (which sx does not fold) in
 * the model's precision with the kernels' own functions, as the kernel computed it. Division
 * by a parameter constant becomes multiplication by its reciprocal, derived (as division by
 * a constant did), and event-driven decay tables exp(B k dt) are derived tables.
 *
 * An exponent that is a parameter constant is the one place where a value shapes the code
 * (x^2 is x * x): it is folded, and its parameters are marked fixed (AXON_PARAM_FIXED).
 */
#include "codegen/cg_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the derived values that code generation adds after lowering's propagators */
enum {
    DV_FOLD,   /* a parameter constant, computed in double as sx folds constants */
    DV_KERNEL, /* a fixed subexpression with dt, computed in the model's precision */
    DV_RECIP,  /* 1 / e in double (a divisor) */
    DV_TABLE,  /* exp(e * k dt) for k < CG_DECAY_TABLE, e in double (decay factors) */
};

struct cg_dv {
    int kind;
    const sx *e;
    bool contract;             /* DV_KERNEL: built where a * b + c is fused (cg.contract) */
    int slot;                  /* first derived slot */
    LLVMValueRef fp, f64, ptr; /* loaded in the current kernel (NULL: not yet) */
};

/* ---- setup ---------------------------------------------------------------------------- */

void cg_param_begin(cg *c)
{
    const ir_model *m = c->m;
    c->hb = LLVMCreateBuilderInContext(c->ctx);
    c->sh_fp = calloc((size_t)m->nshared + 1, sizeof *c->sh_fp);
    c->sh_f64 = calloc((size_t)m->nshared + 1, sizeof *c->sh_f64);
    c->pv_fp = calloc((size_t)m->nderived + 1, sizeof *c->pv_fp);
    c->pv_f64 = calloc((size_t)m->nderived + 1, sizeof *c->pv_f64);
    c->fixed = calloc((size_t)m->nshared + 1, sizeof *c->fixed);
    c->nderived = m->nderived;
}

void cg_param_end(cg *c)
{
    if (c->hb)
        LLVMDisposeBuilder(c->hb);
    free(c->sh_fp);
    free(c->sh_f64);
    free(c->pv_fp);
    free(c->pv_f64);
    free(c->fixed);
    free(c->dv);
    free(c->kc);
    c->hb = NULL;
}

/* Forgets the values loaded in the previous kernel. */
static void forget(cg *c)
{
    const ir_model *m = c->m;
    memset(c->sh_fp, 0, (size_t)(m->nshared + 1) * sizeof *c->sh_fp);
    memset(c->sh_f64, 0, (size_t)(m->nshared + 1) * sizeof *c->sh_f64);
    memset(c->pv_fp, 0, (size_t)(m->nderived + 1) * sizeof *c->pv_fp);
    memset(c->pv_f64, 0, (size_t)(m->nderived + 1) * sizeof *c->pv_f64);
    for (int k = 0; k < c->ndv; k++)
        c->dv[k].fp = c->dv[k].f64 = c->dv[k].ptr = NULL;
    c->shared_p = c->derived_p = NULL;
}

void cg_param_kernel(cg *c, LLVMValueRef ctxp)
{
    forget(c);
    c->ctx_p = ctxp;
    c->entry = LLVMGetInsertBlock(c->b);
}

/* Positions the entry builder where loop-invariant values go: before the entry block's
 * terminator, or at its end while the kernel is still being built there. */
static LLVMBuilderRef at_entry(cg *c)
{
    LLVMValueRef term = LLVMGetBasicBlockTerminator(c->entry);
    if (term)
        LLVMPositionBuilderBefore(c->hb, term);
    else
        LLVMPositionBuilderAtEnd(c->hb, c->entry);
    return c->hb;
}

/* The shared (derived) block pointer of the current kernel: ctx->shared, ctx->derived, or
 * the derive kernel's arguments. */
static LLVMValueRef block(cg *c, bool derived)
{
    LLVMValueRef *p = derived ? &c->derived_p : &c->shared_p;
    if (!*p) {
        const cg_field *f = &cg_ctx_struct.fields[derived ? CG_CTX_derived : CG_CTX_shared];
        LLVMBuilderRef b = at_entry(c);
        LLVMValueRef a = LLVMBuildGEP2(b, c->i8, c->ctx_p,
                                       (LLVMValueRef[]){LLVMConstInt(c->i64, f->offset, 0)}, 1, "");
        *p = LLVMBuildLoad2(b, c->ptr, a, derived ? "derived" : "shared");
    }
    return *p;
}

LLVMValueRef cg_kconst(cg *c, LLVMTypeRef t, unsigned v)
{
    if (!c->kc_p)
        return LLVMConstInt(t, v, 0);
    if (c->nkc == c->kc_cap) {
        int cap = c->kc_cap ? 2 * c->kc_cap : 16;
        unsigned *nk = realloc(c->kc, (size_t)cap * sizeof *nk);
        if (!nk) {
            cg_fail(c, SPAN_NONE, "out of memory");
            return LLVMConstInt(t, v, 0);
        }
        c->kc = nk;
        c->kc_cap = cap;
    }
    c->kc[c->nkc] = v;
    LLVMBuilderRef b = at_entry(c);
    LLVMValueRef a = LLVMBuildGEP2(b, c->i32, c->kc_p,
                                   (LLVMValueRef[]){LLVMConstInt(c->i64, (unsigned)c->nkc++, 0)}, 1, "");
    LLVMValueRef x = LLVMBuildLoad2(b, c->i32, a, "");
    return t == c->i32 ? x : LLVMBuildZExt(b, x, t, "");
}

LLVMValueRef cg_kconst_table(cg *c, const char *name)
{
    if (c->nkc == 0)
        return LLVMConstNull(c->ptr);
    LLVMValueRef *vs = malloc((size_t)c->nkc * sizeof *vs);
    if (!vs) {
        cg_fail(c, SPAN_NONE, "out of memory");
        return LLVMConstNull(c->ptr);
    }
    for (int k = 0; k < c->nkc; k++)
        vs[k] = LLVMConstInt(c->i32, c->kc[k], 0);
    char full[96];
    snprintf(full, sizeof full, "%.80s_k", name);
    LLVMValueRef g = cg_const_global(c, LLVMConstArray2(c->i32, vs, (uint64_t)c->nkc), full);
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    free(vs);
    return g;
}

LLVMValueRef cg_kreal(cg *c, double v)
{
    if (!c->kc_p || !c->kc_reals)
        return cgm_const(c, v);
    LLVMBuilderRef b = at_entry(c);
    if (c->fp == c->f32) {
        float f = (float)v;
        uint32_t w;
        memcpy(&w, &f, sizeof w);
        return LLVMBuildBitCast(b, cg_kconst(c, c->i32, w), c->f32, "");
    }
    uint64_t w;
    memcpy(&w, &v, sizeof w);
    /* two entries, low word first: the same bits on any byte order */
    LLVMValueRef lo = cg_kconst(c, c->i64, (unsigned)(w & 0xffffffffu));
    LLVMValueRef hi = cg_kconst(c, c->i64, (unsigned)(w >> 32));
    b = at_entry(c);
    LLVMValueRef x = LLVMBuildOr(b, lo, LLVMBuildShl(b, hi, LLVMConstInt(c->i64, 32, 0), ""), "");
    return LLVMBuildBitCast(b, x, c->f64, "");
}

/* slot k of a block, loaded in the entry block, in double */
static LLVMValueRef load_slot(cg *c, bool derived, int k, const char *name)
{
    LLVMValueRef base = block(c, derived);
    LLVMValueRef ix = cg_kconst(c, c->i64, (unsigned)k);
    LLVMBuilderRef b = at_entry(c);
    LLVMValueRef a = LLVMBuildGEP2(b, c->f64, base, &ix, 1, "");
    return LLVMBuildLoad2(b, c->f64, a, name ? name : "");
}

/* v (double, in the entry block) in the model's precision, converted there */
static LLVMValueRef entry_fp(cg *c, LLVMValueRef v)
{
    if (c->fp == c->f64)
        return v;
    return LLVMBuildFPTrunc(at_entry(c), v, c->fp, "");
}

/* ---- leaves ------------------------------------------------------------------------------ */

/* A VS_SHARED or VS_DERIVED (propagator) value in double. */
static LLVMValueRef leaf_f64(cg *c, const sx *e)
{
    const ir_model *m = c->m;
    bool derived = e->space == VS_DERIVED;
    int n = derived ? m->nderived : m->nshared;
    if (e->idx < 0 || e->idx >= n) {
        cg_fail(c, e->span, "a parameter has no slot");
        return cgm_f64(c, 0);
    }
    LLVMValueRef *cache = derived ? c->pv_f64 : c->sh_f64;
    if (!cache[e->idx])
        cache[e->idx] = load_slot(c, derived, e->idx, e->name);
    return cache[e->idx];
}

LLVMValueRef cg_param_var(cg *c, const sx *e)
{
    LLVMValueRef v = leaf_f64(c, e);
    if (c->failed)
        return cgm_const(c, 0);
    LLVMValueRef *cache = e->space == VS_DERIVED ? c->pv_fp : c->sh_fp;
    if (!cache[e->idx])
        cache[e->idx] = entry_fp(c, v);
    return e->boolean ? cg_to_bool(c, cache[e->idx]) : cache[e->idx];
}

/* ---- what is fixed between parameter changes ---------------------------------------------- */

/* Are e's leaves numbers, parameters and dt only? *param: one of them is a parameter (shared
 * or derived); *dt: dt is one. */
static bool fixed_tree(const sx *e, bool *param, bool *dt)
{
    if (!e)
        return true;
    switch (e->kind) {
    case SX_CONST: return true;
    case SX_VAR:
        if (e->space == VS_SHARED || e->space == VS_DERIVED) {
            *param = true;
            return true;
        }
        if (e->space == VS_DT) {
            *dt = true;
            return true;
        }
        return false;
    case SX_RAND:
    case SX_TABLE: return false;
    default:
        return fixed_tree(e->a, param, dt) && fixed_tree(e->b, param, dt) &&
               fixed_tree(e->c, param, dt);
    }
}

/* The value a parameter constant has with the values the model was built with (NaN when it
 * holds a propagator entry, which only the runtime computes). */
static double built_value(void *ctx, int space, int idx)
{
    const ir_model *m = ctx;
    return space == VS_SHARED && idx >= 0 && idx < m->nshared ? m->shared_vals[idx] : NAN;
}

/* The derived value of kind k for e, added on first use. */
static cg_dv *find_dv(cg *c, int kind, const sx *e)
{
    for (int k = 0; k < c->ndv; k++)
        if (c->dv[k].kind == kind && (kind != DV_KERNEL || c->dv[k].contract == c->contract) &&
            sx_equal(c->dv[k].e, e))
            return &c->dv[k];
    if (c->ndv == c->dv_cap) {
        int cap = c->dv_cap ? 2 * c->dv_cap : 16;
        cg_dv *nv = realloc(c->dv, (size_t)cap * sizeof *nv);
        if (!nv) {
            cg_fail(c, SPAN_NONE, "out of memory");
            return NULL;
        }
        c->dv = nv;
        c->dv_cap = cap;
    }
    cg_dv *d = &c->dv[c->ndv++];
    *d = (cg_dv){kind, e, c->contract, c->nderived, NULL, NULL, NULL};
    c->nderived += kind == DV_TABLE ? CG_DECAY_TABLE : 1;
    return d;
}

/* A derived value in double, loaded in the entry block. */
static LLVMValueRef dv_f64(cg *c, cg_dv *d)
{
    if (!d->f64)
        d->f64 = load_slot(c, true, d->slot, "");
    return d->f64;
}

static LLVMValueRef dv_fp(cg *c, cg_dv *d)
{
    if (!d->fp)
        d->fp = entry_fp(c, dv_f64(c, d));
    return d->fp;
}

/* ---- numbers and parameters folded, as sx does it ----------------------------------------- */

static LLVMValueRef libm(cg *c, const char *name, LLVMValueRef a)
{
    return cgm_call(c, name, c->f64, &c->f64, 1, &a);
}

static LLVMValueRef libm2(cg *c, const char *name, LLVMValueRef a, LLVMValueRef b)
{
    LLVMTypeRef ps[2] = {c->f64, c->f64};
    return cgm_call(c, name, c->f64, ps, 2, (LLVMValueRef[]){a, b});
}

static LLVMValueRef truth(cg *c, LLVMValueRef cond)
{
    return LLVMBuildSelect(c->b, cond, cgm_f64(c, 1), cgm_f64(c, 0), "");
}

static LLVMValueRef nonzero(cg *c, LLVMValueRef v)
{
    return LLVMBuildFCmp(c->b, LLVMRealUNE, v, cgm_f64(c, 0), "");
}

/* e (a parameter constant) in double, with the semantics of sx_eval and sx_apply_fn: what
 * folding computed when the parameters were numbers. Only in the derive kernel. */
static LLVMValueRef fold(cg *c, const sx *e)
{
    LLVMBuilderRef b = c->b;
    LLVMValueRef x, y, z;
    switch (e->kind) {
    case SX_CONST: return cgm_f64(c, e->v);
    case SX_VAR: return leaf_f64(c, e);
    case SX_NEG: return LLVMBuildFNeg(b, fold(c, e->a), "");
    case SX_NOT: return truth(c, LLVMBuildFCmp(b, LLVMRealOEQ, fold(c, e->a), cgm_f64(c, 0), ""));
    case SX_AND:
    case SX_OR:
        x = nonzero(c, fold(c, e->a));
        y = nonzero(c, fold(c, e->b));
        return truth(c, e->kind == SX_AND ? LLVMBuildAnd(b, x, y, "") : LLVMBuildOr(b, x, y, ""));
    case SX_SELECT:
        x = nonzero(c, fold(c, e->a));
        return LLVMBuildSelect(b, x, fold(c, e->b), fold(c, e->c), "");
    case SX_CALL:
        x = fold(c, e->a);
        y = e->b ? fold(c, e->b) : NULL;
        z = e->c ? fold(c, e->c) : NULL;
        switch ((sx_fn)e->fn) {
        case FN_EXP: return libm(c, "exp", x);
        case FN_LOG: return libm(c, "log", x);
        case FN_LOG10: return libm(c, "log10", x);
        case FN_SQRT: return libm(c, "sqrt", x);
        case FN_SIN: return libm(c, "sin", x);
        case FN_COS: return libm(c, "cos", x);
        case FN_TAN: return libm(c, "tan", x);
        case FN_TANH: return libm(c, "tanh", x);
        case FN_SINH: return libm(c, "sinh", x);
        case FN_COSH: return libm(c, "cosh", x);
        case FN_ATAN: return libm(c, "atan", x);
        case FN_ABS: return libm(c, "fabs", x);
        case FN_FLOOR: return libm(c, "floor", x);
        case FN_CEIL: return libm(c, "ceil", x);
        case FN_SIGMOID:
            return LLVMBuildFDiv(
                b, cgm_f64(c, 1),
                LLVMBuildFAdd(b, cgm_f64(c, 1), libm(c, "exp", LLVMBuildFNeg(b, x, "")), ""), "");
        case FN_PHI:
            return LLVMBuildFMul(b, cgm_f64(c, 0.5),
                                 libm(c, "erfc",
                                      LLVMBuildFMul(b, LLVMBuildFNeg(b, x, ""),
                                                    cgm_f64(c, 0.70710678118654752440), "")),
                                 "");
        case FN_EXPREL:
            return LLVMBuildSelect(b, LLVMBuildFCmp(b, LLVMRealOEQ, x, cgm_f64(c, 0), ""),
                                   cgm_f64(c, 1), LLVMBuildFDiv(b, libm(c, "expm1", x), x, ""), "");
        case FN_EXPM1: return libm(c, "expm1", x);
        case FN_MIN: return libm2(c, "fmin", x, y);
        case FN_MAX: return libm2(c, "fmax", x, y);
        case FN_ATAN2: return libm2(c, "atan2", x, y);
        case FN_CLIP: return libm2(c, "fmin", libm2(c, "fmax", x, y), z);
        default: break;
        }
        break;
    case SX_EXT: { /* an `extern` C function of parameters: called here, as in the kernels */
        LLVMTypeRef ps[3] = {c->f64, c->f64, c->f64};
        LLVMValueRef args[3];
        const sx *xs[3] = {e->a, e->b, e->c};
        for (int k = 0; k < e->ext->nargs; k++)
            args[k] = fold(c, xs[k]);
        return cgm_call(c, e->ext->name, c->f64, ps, e->ext->nargs, args);
    }
    case SX_ADD: return LLVMBuildFAdd(b, fold(c, e->a), fold(c, e->b), "");
    case SX_SUB: return LLVMBuildFSub(b, fold(c, e->a), fold(c, e->b), "");
    case SX_MUL: return LLVMBuildFMul(b, fold(c, e->a), fold(c, e->b), "");
    case SX_DIV: return LLVMBuildFDiv(b, fold(c, e->a), fold(c, e->b), "");
    case SX_POW: return libm2(c, "pow", fold(c, e->a), fold(c, e->b));
    case SX_LT:
    case SX_GT:
    case SX_LE:
    case SX_GE:
    case SX_EQ:
    case SX_NE: {
        static const LLVMRealPredicate P[] = {LLVMRealOLT, LLVMRealOGT, LLVMRealOLE,
                                              LLVMRealOGE, LLVMRealOEQ, LLVMRealUNE};
        return truth(c, LLVMBuildFCmp(b, P[e->kind - SX_LT], fold(c, e->a), fold(c, e->b), ""));
    }
    default: break;
    }
    cg_fail(c, e->span, "a parameter expression that cannot be derived");
    return cgm_f64(c, 0);
}

/* ---- hoisting ---------------------------------------------------------------------------- */

LLVMValueRef cg_param_hoist(cg *c, const sx *e)
{
    bool param = false, dt = false;
    if (e->kind == SX_CONST || e->kind == SX_VAR || !fixed_tree(e, &param, &dt) || !param)
        return NULL;
    LLVMValueRef v;
    if (c->deriving) {
        /* inside the derive kernel: a parameter constant is folded; with dt, the kernel's
           operations are applied to it (the caller's) */
        if (dt)
            return NULL;
        v = cg_to_fp(c, fold(c, e));
    } else {
        cg_dv *d = find_dv(c, dt ? DV_KERNEL : DV_FOLD, e);
        if (!d)
            return cgm_const(c, 0);
        v = dv_fp(c, d);
    }
    return e->boolean ? cg_to_bool(c, v) : v;
}

LLVMValueRef cg_param_recip(cg *c, const sx *d)
{
    if (d->kind == SX_CONST || !sx_is_param_const(d))
        return NULL;
    /* as for a constant divisor (cg.c): only where the reciprocal is a normal number */
    double v = sx_eval(d, built_value, (void *)c->m);
    if (!(v != 0 && isfinite(1.0 / v) && fabs(1.0 / v) > 1e-300))
        return NULL;
    if (c->deriving)
        return cg_to_fp(c, LLVMBuildFDiv(c->b, cgm_f64(c, 1), fold(c, d), ""));
    cg_dv *r = find_dv(c, DV_RECIP, d);
    return r ? dv_fp(c, r) : cgm_const(c, 0);
}

/* Marks the shared parameters in e fixed (their values were folded into the code). */
static void fix(cg *c, const sx *e, int why)
{
    if (!e)
        return;
    if (e->kind == SX_VAR && e->space == VS_SHARED && e->idx >= 0 && e->idx < c->m->nshared)
        c->fixed[e->idx] |= (unsigned char)why;
    fix(c, e->a, why);
    fix(c, e->b, why);
    fix(c, e->c, why);
}

void cg_param_fix(cg *c, const sx *e, int why)
{
    fix(c, e, why);
}

bool cg_param_exponent(cg *c, const sx *e, double *v)
{
    if (e->kind == SX_CONST) {
        *v = e->v;
        return true;
    }
    if (!sx_is_param_const(e))
        return false;
    double x = sx_eval(e, built_value, (void *)c->m);
    if (!isfinite(x))
        return false;
    fix(c, e, CG_FIXED_EXPONENT);
    *v = x;
    return true;
}

LLVMValueRef cg_param_f64(cg *c, const sx *e)
{
    if (e->kind == SX_CONST)
        return cgm_f64(c, e->v);
    if (c->deriving)
        return fold(c, e);
    if (e->kind == SX_VAR)
        return leaf_f64(c, e);
    cg_dv *d = find_dv(c, DV_FOLD, e);
    return d ? dv_f64(c, d) : cgm_f64(c, 0);
}

LLVMValueRef cg_param_table(cg *c, const sx *B)
{
    cg_dv *d = find_dv(c, DV_TABLE, B);
    if (!d)
        return LLVMConstNull(c->ptr);
    if (!d->ptr) {
        LLVMValueRef base = block(c, true);
        d->ptr = LLVMBuildGEP2(at_entry(c), c->f64, base,
                               (LLVMValueRef[]){LLVMConstInt(c->i64, (unsigned)d->slot, 0)}, 1,
                               "decay_table");
    }
    return d->ptr;
}

/* ---- the derive kernel -------------------------------------------------------------------- */

static LLVMValueRef slot_ptr(cg *c, LLVMValueRef derived, int k)
{
    return LLVMBuildGEP2(c->b, c->f64, derived,
                         (LLVMValueRef[]){LLVMConstInt(c->i64, (unsigned)k, 0)}, 1, "");
}

/* derived[slot + k] = exp(B * (k dt)) for k < CG_DECAY_TABLE, as cg_syn.c computed the table
 * with libm when B was a number */
static void derive_table(cg *c, LLVMValueRef fn, LLVMValueRef derived, const cg_dv *d)
{
    LLVMValueRef B = fold(c, d->e);
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(c->b);
    LLVMBasicBlockRef body = LLVMAppendBasicBlockInContext(c->ctx, fn, "table");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->ctx, fn, "table_done");
    LLVMBuildBr(c->b, body);
    LLVMPositionBuilderAtEnd(c->b, body);
    LLVMValueRef k = LLVMBuildPhi(c->b, c->i64, "k");
    LLVMValueRef kdt =
        LLVMBuildFMul(c->b, LLVMBuildUIToFP(c->b, k, c->f64, ""), cgm_f64(c, c->m->dt), "");
    LLVMValueRef f = libm(c, "exp", LLVMBuildFMul(c->b, B, kdt, ""));
    LLVMValueRef at = LLVMBuildAdd(c->b, k, LLVMConstInt(c->i64, (unsigned)d->slot, 0), "");
    LLVMBuildStore(c->b, f, LLVMBuildGEP2(c->b, c->f64, derived, &at, 1, ""));
    LLVMValueRef next = LLVMBuildAdd(c->b, k, LLVMConstInt(c->i64, 1, 0), "");
    LLVMBuildCondBr(
        c->b, LLVMBuildICmp(c->b, LLVMIntULT, next, LLVMConstInt(c->i64, CG_DECAY_TABLE, 0), ""),
        body, done);
    LLVMAddIncoming(k, (LLVMValueRef[]){LLVMConstInt(c->i64, 0, 0), next},
                    (LLVMBasicBlockRef[]){pre, body}, 2);
    LLVMPositionBuilderAtEnd(c->b, done);
}

/* derive(shared, derived) (model.h): the propagators, then every value the kernels hoisted,
 * in the order they were added (a later one may read an earlier propagator). */
LLVMValueRef cg_derive_kernel(cg *c)
{
    const ir_model *m = c->m;
    if (c->nderived == 0)
        return LLVMConstNull(c->ptr);
    LLVMTypeRef ps[2] = {c->ptr, c->ptr};
    LLVMValueRef fn = cg_function(c, LLVMFunctionType(c->vd, ps, 2, 0), "derive");
    cg_setup_kernel(c, fn);
    LLVMPositionBuilderAtEnd(c->b, LLVMAppendBasicBlockInContext(c->ctx, fn, "entry"));
    forget(c);
    c->entry = LLVMGetInsertBlock(c->b);
    c->shared_p = LLVMGetParam(fn, 0);
    c->derived_p = LLVMGetParam(fn, 1);
    c->deriving = true;
    c->pop = NULL;
    c->proj = NULL;
    LLVMValueRef derived = c->derived_p;
    for (int k = 0; k < m->nprops; k++) {
        const ir_propagator *pr = &m->props[k];
        int nn = pr->n * pr->n;
        LLVMValueRef A =
            LLVMBuildArrayAlloca(c->b, c->f64, LLVMConstInt(c->i32, (unsigned)nn, 0), "A");
        for (int i = 0; i < nn; i++)
            LLVMBuildStore(c->b, pr->A[i] ? fold(c, pr->A[i]) : cgm_f64(c, 0),
                           LLVMBuildGEP2(c->b, c->f64, A,
                                         (LLVMValueRef[]){LLVMConstInt(c->i64, (unsigned)i, 0)}, 1,
                                         ""));
        LLVMTypeRef ts[5] = {c->i32, c->ptr, c->f64, c->ptr, c->ptr};
        LLVMValueRef args[5] = {LLVMConstInt(c->i32, (unsigned)pr->n, 0), A, cgm_f64(c, m->dt),
                                slot_ptr(c, derived, pr->phi), slot_ptr(c, derived, pr->gamma)};
        /* on failure Phi and Gamma are NaN, which the runtime refuses (param.c) */
        cgm_call(c, "axon_propagator", c->i32, ts, 5, args);
    }
    /* the propagators' entries are read back from memory from here on */
    memset(c->pv_f64, 0, (size_t)(m->nderived + 1) * sizeof *c->pv_f64);
    for (int k = 0; k < c->ndv && !c->failed; k++) {
        const cg_dv *d = &c->dv[k];
        LLVMValueRef v;
        switch (d->kind) {
        case DV_FOLD: v = fold(c, d->e); break;
        case DV_RECIP: v = LLVMBuildFDiv(c->b, cgm_f64(c, 1), fold(c, d->e), ""); break;
        case DV_KERNEL:
            c->contract = d->contract;
            v = cg_expr(c, d->e);
            c->contract = false;
            v = LLVMTypeOf(v) == c->i1    ? LLVMBuildUIToFP(c->b, v, c->f64, "")
                : LLVMTypeOf(v) == c->f64 ? v
                                          : LLVMBuildFPExt(c->b, v, c->f64, "");
            break;
        default: derive_table(c, fn, derived, d); continue;
        }
        LLVMBuildStore(c->b, v, slot_ptr(c, derived, d->slot));
    }
    LLVMBuildRetVoid(c->b);
    c->deriving = false;
    return fn;
}
