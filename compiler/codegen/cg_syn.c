/*
 * Synapse kernels of a projection (see the projection section of model.h):
 *
 *   init(ctx, syn_vars, pre, post, begin, end)   per-synapse initial values;
 *     i = pre[s], j = post[s], random draws keyed by the synapse index s
 *   on_pre(ctx, syn_vars, pre_vars, post_vars, post, i, begin, end)
 *     the spike of presynaptic neuron i reaches its synapses [begin, end):
 *     for each s, j = post[s]; the handler's statements run in order;
 *     post.x += ... reads and writes the target's arrays at j
 *   where(ctx, i, j)   the condition of `connect where (...)`
 *
 * Within one presynaptic row every target is distinct (the runtime builds
 * rows that way), so the read-modify-writes of post variables in one call
 * never alias each other.
 */
#include "codegen/cg_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Variable k of neuron population p at idx, from its array base. */
static LLVMValueRef load_at(cg *c, const ir_pop *p, int k, LLVMValueRef base, LLVMValueRef idx)
{
    int elem = p->vars[k].elem;
    LLVMValueRef a = LLVMBuildGEP2(c->b, cg_elem_type(c, elem), base, &idx, 1, "");
    return cg_load_elem(c, elem, a, p->vars[k].name);
}

static int syn_slot(cg *c, int idx)
{
    return idx >= 0 && idx < c->proj->syn->nvars ? c->proj->slot[idx] : -1;
}

static int side_slot(const ir_pop *p, int idx)
{
    return idx >= 0 && idx < p->type->nvars ? p->slot[idx] : -1;
}

/* The index of the third neuron (`via POP by post|pre`): the synapse's target j or source i. */
static LLVMValueRef third_index(cg *c)
{
    return c->proj->via_pre ? c->pre_i : c->post_j;
}

LLVMValueRef cg_side_var(cg *c, const sx *e)
{
    const ir_proj *pj = c->proj;
    switch (e->space) {
    case VS_STATE: case VS_PARAM: {
        if (e->space == VS_PARAM && e->idx >= 0 && e->idx < pj->syn->nvars && pj->shared[e->idx])
            return cg_expr(c, pj->shared[e->idx]);
        int s = syn_slot(c, e->idx);
        if (s < 0 || !c->env[s]) {
            cg_fail(c, e->span, "a synapse variable has no storage");
            return cgm_const(c, 0);
        }
        return e->boolean ? cg_to_bool(c, c->env[s]) : c->env[s];
    }
    case VS_HIDDEN: /* a compiler-made synapse variable (structure.c's "active"), by storage */
        if (e->idx < 0 || e->idx >= pj->nvars || !c->env[e->idx]) {
            cg_fail(c, e->span, "a synapse variable has no storage");
            return cgm_const(c, 0);
        }
        return e->boolean ? cg_to_bool(c, c->env[e->idx]) : c->env[e->idx];
    case VS_PRE: case VS_POST: case VS_THIRD: {
        /* a variable of the source, the target or the third neuron (via) */
        bool pre = e->space == VS_PRE, third = e->space == VS_THIRD;
        const ir_pop *p = third ? c->third_pop : pre ? c->pre_pop : c->post_pop;
        if (!p) {
            cg_fail(c, e->span, "a third neuron is read where the projection has none");
            return cgm_const(c, 0);
        }
        if (e->idx >= 0 && e->idx < p->type->nvars && p->shared[e->idx]) {
            /* a shared parameter of the neuron: its value (a constant) */
            const ir_proj *saved = c->proj;
            const ir_pop *sp = c->pop;
            c->proj = NULL;
            c->pop = p;
            LLVMValueRef v = cg_expr(c, p->shared[e->idx]);
            c->proj = saved;
            c->pop = sp;
            return v;
        }
        int s = side_slot(p, e->idx);
        if (s < 0) {
            cg_fail(c, e->span, "a neuron variable read by a synapse has no storage");
            return cgm_const(c, 0);
        }
        LLVMValueRef *env = third ? c->env_third : pre ? c->env_pre : c->env_post;
        LLVMValueRef *base = third ? c->third_base : pre ? c->pre_base : c->post_base;
        if (pre)
            c->pre_read[s] = true;
        if (!env[s])
            env[s] = load_at(c, p, s, base[s], third ? third_index(c) : pre ? c->pre_i : c->post_j);
        return e->boolean ? cg_to_bool(c, env[s]) : env[s];
    }
    case VS_INDEX_I: return LLVMBuildUIToFP(c->b, c->pre_i, c->fp, "");
    case VS_INDEX_J: return LLVMBuildUIToFP(c->b, c->post_j, c->fp, "");
    default:
        cg_fail(c, e->span, "this variable cannot be used in a synapse kernel");
        return cgm_const(c, 0);
    }
}

void cg_side_assign(cg *c, const sm_stmt *st, LLVMValueRef mask)
{
    LLVMValueRef *slotp;
    bool boolean;
    if (st->space == VS_STATE || st->space == VS_PARAM) { /* a rule's weight is a parameter */
        int s = syn_slot(c, st->idx);
        if (s < 0) {
            cg_fail(c, st->span, "an assignment to a synapse variable has no storage");
            return;
        }
        slotp = &c->env[s];
        boolean = c->proj->vars[s].boolean;
    } else if (st->space == VS_HIDDEN && st->idx >= 0 && st->idx < c->proj->nvars) {
        slotp = &c->env[st->idx];
        boolean = c->proj->vars[st->idx].boolean;
    } else if (st->space == VS_POST || st->space == VS_PRE) {
        bool pre = st->space == VS_PRE;
        const ir_pop *p = pre ? c->pre_pop : c->post_pop;
        int s = side_slot(p, st->idx);
        if (s < 0) {
            cg_fail(c, st->span, "an assignment to a neuron variable has no storage");
            return;
        }
        LLVMValueRef *env = pre ? c->env_pre : c->env_post;
        if (!env[s])
            env[s] = load_at(c, p, s, pre ? c->pre_base[s] : c->post_base[s],
                             pre ? c->pre_i : c->post_j);
        slotp = &env[s];
        boolean = p->vars[s].boolean;
        if (pre) {
            cg_fail(c, st->span, "writing to the presynaptic neuron is not supported yet");
            return;
        }
        c->post_dirty[s] = true;
        c->post_wrote[s] = true;
        /* a variable the target holds while refractory ignores input then (Brian2's
           `unless refractory`, Brunel 2000): the write is masked by the target's
           refractory counter, which is >= 0 from the spike until the end of the period */
        if (!pre && p->held && p->refr_var >= 0 && st->idx >= 0 && st->idx < p->type->nvars &&
            p->held[st->idx]) {
            int q = p->refr_var;
            if (!env[q])
                env[q] = load_at(c, p, q, c->post_base[q], c->post_j);
            LLVMValueRef free_ = LLVMBuildFCmp(c->b, LLVMRealOLT, env[q], cgm_const(c, 0), "");
            mask = LLVMBuildAnd(c->b, mask, free_, "");
        }
    } else if (st->space == VS_THIRD && c->third_pop) {
        const ir_pop *p = c->third_pop;
        int s = side_slot(p, st->idx);
        if (s < 0) {
            cg_fail(c, st->span, "an assignment to a neuron variable has no storage");
            return;
        }
        if (!c->env_third[s])
            c->env_third[s] = load_at(c, p, s, c->third_base[s], third_index(c));
        slotp = &c->env_third[s];
        boolean = p->vars[s].boolean;
        c->third_dirty[s] = true;
    } else {
        cg_fail(c, st->span, "this assignment is not supported in a synapse kernel");
        return;
    }
    LLVMValueRef cur = *slotp;
    LLVMValueRef v = cg_expr(c, st->value);
    v = boolean ? LLVMBuildUIToFP(c->b, cg_to_bool(c, v), c->fp, "") : cg_to_fp(c, v);
    switch (st->op) {
    case OP_ADD_ASSIGN: v = LLVMBuildFAdd(c->b, cur, v, ""); break;
    case OP_SUB_ASSIGN: v = LLVMBuildFSub(c->b, cur, v, ""); break;
    case OP_MUL_ASSIGN: v = LLVMBuildFMul(c->b, cur, v, ""); break;
    case OP_DIV_ASSIGN: v = LLVMBuildFDiv(c->b, cur, v, ""); break;
    default: break;
    }
    *slotp = LLVMBuildSelect(c->b, mask, v, cur, "");
}

/* A loop over s in [begin, end) (i64 params), with the body built by fn. */
typedef void (*body_fn)(cg *c, LLVMValueRef fn, LLVMValueRef s);

/* for s in [begin, end): body; the builder is left after the loop */
static void loop_in(cg *c, LLVMValueRef fn, LLVMValueRef begin, LLVMValueRef end, body_fn body)
{
    LLVMBasicBlockRef entry = LLVMGetInsertBlock(c->b);
    LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(c->ctx, fn, "loop");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->ctx, fn, "done");
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, begin, end, ""), head, done);
    LLVMPositionBuilderAtEnd(c->b, head);
    LLVMValueRef s = LLVMBuildPhi(c->b, c->i64, "s");
    body(c, fn, s);
    LLVMValueRef next = LLVMBuildAdd(c->b, s, LLVMConstInt(c->i64, 1, 0), "");
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(c->b);
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, next, end, ""), head, done);
    LLVMValueRef iv[2] = {begin, next};
    LLVMBasicBlockRef ib[2] = {entry, latch};
    LLVMAddIncoming(s, iv, ib, 2);
    LLVMPositionBuilderAtEnd(c->b, done);
}

/* loop_in, then return from the kernel */
static void loop(cg *c, LLVMValueRef fn, LLVMValueRef begin, LLVMValueRef end, body_fn body)
{
    loop_in(c, fn, begin, end, body);
    LLVMBuildRetVoid(c->b);
}

static LLVMValueRef array_ptr(cg *c, LLVMValueRef vars, int k)
{
    LLVMValueRef p = LLVMBuildGEP2(c->b, c->ptr, vars,
                                   (LLVMValueRef[]){LLVMConstInt(c->i64, (unsigned)k, 0)}, 1, "");
    return LLVMBuildLoad2(c->b, c->ptr, p, "");
}

static LLVMValueRef load_u32(cg *c, LLVMValueRef base, LLVMValueRef s)
{
    LLVMValueRef p = LLVMBuildGEP2(c->b, c->i32, base, &s, 1, "");
    return LLVMBuildZExt(c->b, LLVMBuildLoad2(c->b, c->i32, p, ""), c->i64, "");
}

/* Synapse s's element in a block array of blk elements a block (AXON_PROJ_BLOCKS, ABI 13):
 * (s / AXON_SYN_BLOCK) blk + s % AXON_SYN_BLOCK, from the address of the block's first. */
static LLVMValueRef block_index(cg *c, LLVMValueRef s, int blk)
{
    LLVMValueRef q = LLVMBuildLShr(c->b, s, LLVMConstInt(c->i64, 2, 0), "");
    LLVMValueRef r = LLVMBuildAnd(c->b, s, LLVMConstInt(c->i64, AXON_SYN_BLOCK - 1, 0), "");
    _Static_assert(AXON_SYN_BLOCK == 4, "block_index shifts by 2");
    return LLVMBuildAdd(c->b, LLVMBuildMul(c->b, q, LLVMConstInt(c->i64, (unsigned)blk, 0), ""),
                        r, "");
}

/* The target of synapse s in a row kernel (i64): post_arr holds uint16 targets with
 * AXON_PROJ_POST16 (model.h, ABI 10; in blocks with AXON_PROJ_BLOCKS, ABI 13), else uint32. */
static LLVMValueRef load_target(cg *c, LLVMValueRef s)
{
    if (!c->post16)
        return load_u32(c, c->post_arr, s);
    LLVMTypeRef i16 = LLVMInt16TypeInContext(c->ctx);
    if (c->blk_tstride)
        s = block_index(c, s, c->blk_tstride);
    LLVMValueRef p = LLVMBuildGEP2(c->b, i16, c->post_arr, &s, 1, "");
    return LLVMBuildZExt(c->b, LLVMBuildLoad2(c->b, i16, p, ""), c->i64, "");
}

/* member m of the axon_step_ctx at ctxp */
static LLVMValueRef ctx_member(cg *c, LLVMValueRef ctxp, int m, const char *name)
{
    const cg_field *f = &cg_ctx_struct.fields[m];
    LLVMValueRef p = f->offset ? LLVMBuildGEP2(c->b, c->i8, ctxp,
                                               (LLVMValueRef[]){LLVMConstInt(c->i64, f->offset, 0)},
                                               1, "")
                               : ctxp;
    return LLVMBuildLoad2(c->b, cg_kind_type(c, f->kind), p, name);
}

void cg_ctx_fields(cg *c, LLVMValueRef ctxp)
{
    cg_param_kernel(c, ctxp);
    c->t = ctx_member(c, ctxp, CG_CTX_t, "t");
    c->step = ctx_member(c, ctxp, CG_CTX_step, "step");
    c->seed = ctx_member(c, ctxp, CG_CTX_seed, "seed");
    c->signals = ctx_member(c, ctxp, CG_CTX_signals, "signals");
}

/* ---- synapse variables: where they live, event-driven advance ------------------------------- */

static LLVMValueRef to_f64(cg *c, LLVMValueRef v)
{
    return c->fp == c->f64 ? v : LLVMBuildFPExt(c->b, v, c->f64, "");
}

/* The LLVM type of the elements of the projection's storage variable k: the model's precision,
 * or float for one stored so in a double model (ir_narrow_synapses). */
static LLVMTypeRef syn_type(cg *c, int k)
{
    return cg_elem_type(c, c->proj->vars[k].elem);
}

/* The index of a neuron's (or synapse's) element in variable k's array (ir_pack). */
static LLVMValueRef var_index(cg *c, int k, LLVMValueRef ix)
{
    if (c->blk_stride && !c->init_phase) /* (init runs on the split arrays of the build) */
        return block_index(c, ix, c->blk_stride);
    int lane, stride = ir_pack(c->proj, k, &lane);
    return stride > 1 ? LLVMBuildMul(c->b, ix, LLVMConstInt(c->i64, (unsigned)stride, 0), "") : ix;
}

/* The element of storage variable k for the current synapse: at the synapse index, or at the
 * pre or post neuron for variables stored per neuron (ir_side). */
static LLVMValueRef var_ptr(cg *c, int k)
{
    const ir_synvar *v = &c->proj->sv[k];
    LLVMValueRef ix = v->side == IRS_PRE ? c->pre_i : v->side == IRS_POST ? c->post_j : c->syn_s;
    ix = var_index(c, k, ix);
    return LLVMBuildGEP2(c->b, syn_type(c, k), c->syn_base[k], &ix, 1, "");
}

static int last_of(const ir_proj *pj, ir_side side)
{
    return side == IRS_PRE ? pj->last_pre : side == IRS_POST ? pj->last_post : pj->last_syn;
}

/*
 * exp(B D) for a constant rate B: event times are whole steps apart, so D = k dt and the
 * factor is read from a table of exp(B k dt), k < CG_DECAY_TABLE (computed with libm: here
 * for a number, by the derive kernel for a rate that depends on parameters), one load instead
 * of an exp polynomial on the hot path of STDP traces; longer gaps compute it, unless the
 * value x that the factor multiplies is zero (a trace of a neuron that has been silent): then
 * the factor is 1, and x exp(B D) = x exactly whenever exp(B D) is finite (always for a decay,
 * B <= 0; a growing x' = B x, B > 0, gave 0 * inf = NaN where the exact value is 0).
 */
static LLVMValueRef decay(cg *c, const sx *Bx, LLVMValueRef D, LLVMValueRef x)
{
    LLVMValueRef g, Bv;
    LLVMTypeRef gty = LLVMArrayType2(c->f64, CG_DECAY_TABLE);
    if (Bx->kind == SX_CONST) {
        double B = Bx->v;
        char name[64];
        snprintf(name, sizeof name, "decay.%a.%a", B, c->m->dt);
        g = LLVMGetNamedGlobal(c->mod, name);
        if (!g) {
            double *f = malloc(CG_DECAY_TABLE * sizeof *f);
            for (int k = 0; k < CG_DECAY_TABLE; k++)
                f[k] = exp(B * (k * c->m->dt));
            g = cg_f64_table(c, name, f, CG_DECAY_TABLE);
            free(f);
        }
        Bv = cgm_f64(c, B);
    } else {
        g = cg_param_table(c, Bx);
        Bv = cg_param_f64(c, Bx);
    }
    LLVMValueRef kf = LLVMBuildFAdd(c->b, LLVMBuildFMul(c->b, D, cgm_f64(c, 1.0 / c->m->dt), ""),
                                    cgm_f64(c, 0.5), "");
    /* 0 <= kf < DECAY_TABLE (in single precision a stored time can round past the event) */
    LLVMValueRef in = LLVMBuildAnd(c->b, LLVMBuildFCmp(c->b, LLVMRealOLT, kf, cgm_f64(c, CG_DECAY_TABLE), ""),
                                   LLVMBuildFCmp(c->b, LLVMRealOGE, kf, cgm_f64(c, 0), ""), "");
    LLVMValueRef fn = LLVMGetBasicBlockParent(LLVMGetInsertBlock(c->b));
    LLVMBasicBlockRef tab = LLVMAppendBasicBlockInContext(c->ctx, fn, "decay_table");
    LLVMBasicBlockRef nz = LLVMAppendBasicBlockInContext(c->ctx, fn, "decay_far");
    LLVMBasicBlockRef far = LLVMAppendBasicBlockInContext(c->ctx, fn, "decay_exp");
    LLVMBasicBlockRef join = LLVMAppendBasicBlockInContext(c->ctx, fn, "decay");
    LLVMBuildCondBr(c->b, in, tab, nz);
    LLVMPositionBuilderAtEnd(c->b, nz);
    LLVMBuildCondBr(c->b, LLVMBuildFCmp(c->b, LLVMRealOEQ, x, cgm_f64(c, 0), ""), join, far);
    LLVMPositionBuilderAtEnd(c->b, tab);
    LLVMValueRef k = LLVMBuildFPToUI(c->b, kf, c->i64, "");
    LLVMValueRef idx[2] = {LLVMConstInt(c->i64, 0, 0), k};
    LLVMValueRef ft = LLVMBuildLoad2(c->b, c->f64, LLVMBuildGEP2(c->b, gty, g, idx, 2, ""), "");
    LLVMBuildBr(c->b, join);
    LLVMPositionBuilderAtEnd(c->b, far);
    LLVMValueRef fe = cgm_exp(c, LLVMBuildFMul(c->b, Bv, D, ""));
    LLVMBasicBlockRef far_end = LLVMGetInsertBlock(c->b);
    LLVMBuildBr(c->b, join);
    LLVMPositionBuilderAtEnd(c->b, join);
    LLVMValueRef phi = LLVMBuildPhi(c->b, c->f64, "f");
    LLVMValueRef vals[3] = {ft, fe, cgm_f64(c, 1)};
    LLVMBasicBlockRef bbs[3] = {tab, far_end, nz};
    LLVMAddIncoming(phi, vals, bbs, 3);
    return phi;
}

/* x' = A + B x advanced exactly over D (double): x exp(B D) when A = 0, else
 * x + (A + B x) D exprel(B D); plus its white noise, if any. */
static LLVMValueRef advance(cg *c, const ir_synvar *v, LLVMValueRef x, LLVMValueRef D)
{
    LLVMValueRef xd = to_f64(c, x), r, D0 = D;
    if (sx_is_zero(v->ode_b)) {
        LLVMValueRef A = to_f64(c, cg_to_fp(c, cg_expr(c, v->ode_a)));
        r = LLVMBuildFAdd(c->b, xd, LLVMBuildFMul(c->b, A, D, ""), "");
    } else if (sx_is_zero(v->ode_a) && sx_is_param_const(v->ode_b)) {
        r = LLVMBuildFMul(c->b, xd, decay(c, v->ode_b, D, xd), "");
    } else if (sx_is_zero(v->ode_a)) {
        LLVMValueRef B = to_f64(c, cg_to_fp(c, cg_expr(c, v->ode_b)));
        r = LLVMBuildFMul(c->b, xd, cgm_exp(c, LLVMBuildFMul(c->b, B, D, "")), "");
    } else {
        LLVMValueRef A = to_f64(c, cg_to_fp(c, cg_expr(c, v->ode_a)));
        LLVMValueRef B = to_f64(c, cg_to_fp(c, cg_expr(c, v->ode_b)));
        LLVMValueRef rate = LLVMBuildFAdd(c->b, A, LLVMBuildFMul(c->b, B, xd, ""), "");
        D = LLVMBuildFMul(c->b, D, cgm_exprel(c, LLVMBuildFMul(c->b, B, D, "")), "");
        r = LLVMBuildFAdd(c->b, xd, LLVMBuildFMul(c->b, rate, D, ""), "");
    }
    if (v->noise) {
        /* white noise over the step (never event-driven): sum g_k z_k times
           sqrt(D exprel(2 B D)), the exact standard deviation for constant B (Ornstein-
           Uhlenbeck), sqrt(D) when B = 0 */
        LLVMValueRef var = D0;
        if (!sx_is_zero(v->ode_b)) {
            LLVMValueRef B = to_f64(c, cg_to_fp(c, cg_expr(c, v->ode_b)));
            LLVMValueRef twoBD = LLVMBuildFMul(c->b, cgm_f64(c, 2),
                                               LLVMBuildFMul(c->b, B, D0, ""), "");
            var = LLVMBuildFMul(c->b, D0, cgm_exprel(c, twoBD), "");
        }
        LLVMValueRef g = to_f64(c, cg_to_fp(c, cg_expr(c, v->noise)));
        r = LLVMBuildFAdd(c->b, r,
                          LLVMBuildFMul(c->b, g, cgm_intrinsic(c, "llvm.sqrt", c->f64, &var, 1),
                                        ""), "");
    }
    return c->fp == c->f64 ? r : LLVMBuildFPTrunc(c->b, r, c->fp, "");
}

/* Loads the variables of one side into env: event-driven ones advanced from their last update
 * to the event time (parameters first: coefficients may use them). */
static void load_side(cg *c, ir_side side)
{
    const ir_proj *pj = c->proj;
    /* (per-post ones that post_decay keeps at the step's event time are loaded as they are;
       they have no last-update time) */
    bool as_is = side == IRS_POST && pj->post_clock;
    for (int k = 0; k < pj->nvars; k++)
        if (pj->sv[k].side == side && (!pj->sv[k].event_driven || as_is))
            c->env[k] = cg_load_elem(c, pj->vars[k].elem, var_ptr(c, k), pj->vars[k].name);
    int L = last_of(pj, side);
    if (L < 0)
        return;
    LLVMValueRef D = LLVMBuildFSub(c->b, c->t_ev, to_f64(c, c->env[L]), "D");
    for (int k = 0; k < pj->nvars; k++)
        if (pj->sv[k].side == side && pj->sv[k].event_driven)
            c->env[k] =
                advance(c, &pj->sv[k],
                        cg_load_elem(c, pj->vars[k].elem, var_ptr(c, k), pj->vars[k].name), D);
}

/* After a handler: the last-update time of the side's event-driven variables is the event
 * time; stores what differs from `before` (NULL: everything of the side). */
static void store_side(cg *c, ir_side side, LLVMValueRef *before)
{
    const ir_proj *pj = c->proj;
    int L = last_of(pj, side);
    if (L >= 0)
        c->env[L] = c->fp == c->f64 ? c->t_ev : LLVMBuildFPTrunc(c->b, c->t_ev, c->fp, "");
    /* event-driven values were advanced to the event time: stored with the new time (those
       that post_decay advances only where they changed) */
    bool advanced = L >= 0;
    for (int k = 0; k < pj->nvars; k++)
        if (pj->sv[k].side == side && c->env[k] &&
            (!before || c->env[k] != before[k] || (advanced && pj->sv[k].event_driven)))
            cg_store_elem(c, pj->vars[k].elem, c->env[k], var_ptr(c, k));
}

/* The values of the fixed endpoint's side, computed before a kernel's loop (loads hoisted by
 * hand: the loop's stores may alias them as far as LLVM knows). */
static void keep_side(cg *c, ir_side side)
{
    load_side(c, side);
    memcpy(c->side_val, c->env, (size_t)c->proj->nvars * sizeof *c->env);
}

static void reuse_side(cg *c, ir_side side)
{
    for (int k = 0; k < c->proj->nvars; k++)
        if (c->proj->sv[k].side == side)
            c->env[k] = c->side_val[k];
}

/* ---- init ------------------------------------------------------------------------------ */

/* The index of synapse s in the whole projection, which keys its random draws: s, or
 * s + syn_offset[pre_i] for a process's part of it (model.h, ABI 7; handlers ABI 8). When syn_offset is NULL
 * the load reads a constant 0 instead, so no branch is needed in the loop. */
static LLVMValueRef whole_index(cg *c, LLVMValueRef s)
{
    if (!c->syn_off0)
        c->syn_off0 = cg_const_global(c, LLVMConstInt(c->i64, 0, 0), "syn_offset0");
    LLVMValueRef zero = c->syn_off0;
    LLVMValueRef at = LLVMBuildGEP2(c->b, c->i64, c->syn_off, &c->pre_i, 1, "");
    LLVMValueRef none = LLVMBuildICmp(c->b, LLVMIntEQ, c->syn_off, LLVMConstNull(c->ptr), "");
    LLVMValueRef p = LLVMBuildSelect(c->b, none, zero, at, "");
    return LLVMBuildAdd(c->b, s, LLVMBuildLoad2(c->b, c->i64, p, "syn_offset"), "syn_index");
}

/* The whole index of the synapse s of a column entry (on_post, on post.NAME): syn_whole[s]
 * when the runtime passes syn_whole (a rank's part with rows ordered by delay, model.h ABI
 * 10), else whole_index. syn_whole NULL loads the constant 0 instead, unused. */
static LLVMValueRef col_whole_index(cg *c, LLVMValueRef s)
{
    LLVMValueRef by_row = whole_index(c, s); /* (makes syn_off0) */
    LLVMValueRef at = LLVMBuildGEP2(c->b, c->i32, c->syn_whole, &s, 1, "");
    LLVMValueRef none = LLVMBuildICmp(c->b, LLVMIntEQ, c->syn_whole, LLVMConstNull(c->ptr), "");
    LLVMValueRef p = LLVMBuildSelect(c->b, none, c->syn_off0, at, "");
    LLVMValueRef w = LLVMBuildZExt(c->b, LLVMBuildLoad2(c->b, c->i32, p, "syn_whole"), c->i64, "");
    return LLVMBuildSelect(c->b, none, by_row, w, "syn_index");
}

/* The synapse and its endpoints for the init and delays kernels. */
static void init_synapse(cg *c, LLVMValueRef s)
{
    c->syn_s = s;
    c->pre_i = load_u32(c, c->pre_arr, s);
    c->post_j = load_u32(c, c->post_arr, s);
    c->idx = whole_index(c, s); /* random draws are keyed by the synapse index */
}

static void init_body(cg *c, LLVMValueRef fn, LLVMValueRef s)
{
    (void)fn;
    const ir_proj *pj = c->proj;
    init_synapse(c, s);
    for (int k = 0; k < pj->nvars; k++) {
        if (pj->sv[k].side != IRS_SYN)
            continue; /* per-neuron variables start at 0 (the runtime zeroes them) */
        LLVMValueRef v = pj->vars[k].init ? cg_to_fp(c, cg_expr(c, pj->vars[k].init)) : cgm_const(c, 0);
        int elem = pj->vars[k].elem;
        cg_store_elem(c, elem, v, LLVMBuildGEP2(c->b, syn_type(c, k), c->syn_base[k], &s, 1, ""));
        /* later initial values read the value as stored (rounded once to float when narrowed) */
        LLVMTypeRef t = cg_elem_type(c, elem);
        c->env[k] = t == c->fp ? v : cg_to_fp(c, LLVMBuildFPTrunc(c->b, v, t, ""));
    }
}

/* ---- per-synapse delays ----------------------------------------------------------------- */

static void delay_body(cg *c, LLVMValueRef fn, LLVMValueRef s)
{
    (void)fn;
    init_synapse(c, s);
    LLVMValueRef v = cg_to_fp(c, cg_expr(c, c->proj->delay));
    if (c->fp != c->f64)
        v = LLVMBuildFPExt(c->b, v, c->f64, "");
    LLVMBuildStore(c->b, v, LLVMBuildGEP2(c->b, c->f64, c->delay_out, &s, 1, ""));
}

/* The body of init(ctx, syn_vars, pre, post, begin, end), its entry block current. */
static void init_kernel(cg *c, LLVMValueRef fn)
{
    c->syn_off = ctx_member(c, LLVMGetParam(fn, 0), CG_CTX_syn_offset, "syn_offset");
    for (int v = 0; v < c->proj->nvars; v++)
        c->syn_base[v] = array_ptr(c, LLVMGetParam(fn, 1), v);
    c->pre_arr = LLVMGetParam(fn, 2);
    c->post_arr = LLVMGetParam(fn, 3);
    c->batch_draws = true; /* draws keyed by consecutive synapses */
    loop(c, fn, LLVMGetParam(fn, 4), LLVMGetParam(fn, 5), init_body);
    c->batch_draws = false;
}

/* The body of delays(ctx, pre, post, begin, end, out). */
static void delays_kernel(cg *c, LLVMValueRef fn)
{
    c->syn_off = ctx_member(c, LLVMGetParam(fn, 0), CG_CTX_syn_offset, "syn_offset");
    c->pre_arr = LLVMGetParam(fn, 1);
    c->post_arr = LLVMGetParam(fn, 2);
    c->delay_out = LLVMGetParam(fn, 5);
    c->batch_draws = true;
    loop(c, fn, LLVMGetParam(fn, 3), LLVMGetParam(fn, 4), delay_body);
    c->batch_draws = false;
}

/*
 * The setup kernel projK_kind of projection k (init, delays) with the parameters ps[np]: a
 * wrapper that calls projK_kind_body, built by `build`, with the table of the numbers in
 * which the kernels of projections differ (random streams, the numbers in the expressions:
 * cg_kconst, cg_kreal). Bodies that differ only in those numbers come out identical and are
 * compiled once (merge_identical): the cortical microcircuit's 55 init and 55 delays kernels
 * have one body each. Reading a number from the table instead of the code changes no
 * operation on it, so the network is the same bit for bit.
 */
static LLVMValueRef setup_kernel(cg *c, int k, const char *kind, LLVMTypeRef *ps, unsigned np,
                                 void (*build)(cg *c, LLVMValueRef fn))
{
    enum { MAXP = 8 };
    LLVMTypeRef bps[MAXP + 1];
    LLVMValueRef args[MAXP + 1];
    memcpy(bps, ps, np * sizeof *ps);
    bps[np] = c->ptr;
    LLVMTypeRef bty = LLVMFunctionType(c->vd, bps, np + 1, 0);
    LLVMValueRef body = cg_function(c, bty, "proj%d_%s_body", k, kind);
    cg_setup_kernel(c, body);
    /* not copied back per table by the optimiser's function specialisation (which does not
       heed optnone) */
    unsigned nodup = LLVMGetEnumAttributeKindForName("noduplicate", 11);
    LLVMAddAttributeAtIndex(body, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(c->ctx, nodup, 0));
    LLVMPositionBuilderAtEnd(c->b, LLVMAppendBasicBlockInContext(c->ctx, body, "entry"));
    cg_ctx_fields(c, LLVMGetParam(body, 0));
    c->kc_p = LLVMGetParam(body, np);
    c->nkc = 0;
    c->kc_reals = true;
    build(c, body);
    c->kc_p = NULL;
    c->kc_reals = false;
    char name[48];
    snprintf(name, sizeof name, "proj%d_%s_body", k, kind);
    args[np] = cg_kconst_table(c, name);
    LLVMValueRef fn = cg_function(c, LLVMFunctionType(c->vd, ps, np, 0), "proj%d_%s", k, kind);
    cg_setup_kernel(c, fn);
    LLVMPositionBuilderAtEnd(c->b, LLVMAppendBasicBlockInContext(c->ctx, fn, "entry"));
    for (unsigned a = 0; a < np; a++)
        args[a] = LLVMGetParam(fn, a);
    LLVMBuildCall2(c->b, bty, body, args, np + 1, "");
    LLVMBuildRetVoid(c->b);
    return fn;
}

/* ---- handlers ------------------------------------------------------------------------------ */

/* The third neuron's values: none loaded, none written (before each synapse's handler). */
static void third_reset(cg *c)
{
    if (!c->third_pop)
        return;
    memset(c->env_third, 0, (size_t)(c->third_pop->nvars + 1) * sizeof *c->env_third);
    memset(c->third_dirty, 0, (size_t)(c->third_pop->nvars + 1) * sizeof *c->third_dirty);
}

/* Stores the third neuron's values that a handler wrote. */
static void third_store(cg *c)
{
    if (!c->third_pop)
        return;
    LLVMValueRef ix = third_index(c);
    for (int k = 0; k < c->third_pop->nvars; k++)
        if (c->third_dirty[k])
            cg_store_elem(c, c->third_pop->vars[k].elem, c->env_third[k],
                          LLVMBuildGEP2(c->b, cg_elem_type(c, c->third_pop->vars[k].elem),
                                        c->third_base[k], &ix, 1, ""));
}

/* Runs the handler on env and stores what it changed: synapse variables, post variables. */
static void run_handler(cg *c, const sm_block *handler)
{
    const ir_proj *pj = c->proj;
    const ir_pop *q = c->post_pop;
    memset(c->env_post, 0, (size_t)(q->nvars + 1) * sizeof *c->env_post);
    memset(c->post_dirty, 0, (size_t)(q->nvars + 1) * sizeof *c->post_dirty);
    memset(c->env_pre, 0, (size_t)(c->pre_pop->nvars + 1) * sizeof *c->env_pre);
    third_reset(c);
    LLVMValueRef *before = calloc((size_t)pj->nvars + 1, sizeof *before);
    memcpy(before, c->env, (size_t)pj->nvars * sizeof *before);
    if (handler == &pj->every_step && pj->has_odes) {
        /* equations that are not event-driven: one step of exponential Euler, all from the
           values at the start of the step */
        LLVMValueRef *nv = calloc((size_t)pj->nvars + 1, sizeof *nv);
        LLVMValueRef D = cgm_f64(c, c->m->dt);
        for (int k = 0; k < pj->nvars; k++)
            if (pj->sv[k].ode >= 0 && !pj->sv[k].event_driven)
                nv[k] = advance(c, &pj->sv[k], c->env[k], D);
        for (int k = 0; k < pj->nvars; k++)
            if (nv[k])
                c->env[k] = nv[k];
        free(nv);
    }
    cg_stmts(c, handler, LLVMConstInt(c->i1, 1, 0));
    if (handler == &pj->every_step && c->with_structure)
        cg_stmts(c, &pj->structure, LLVMConstInt(c->i1, 1, 0));
    store_side(c, IRS_SYN, before);
    for (int k = 0; k < q->nvars; k++)
        if (c->post_dirty[k])
            cg_store_elem(c, q->vars[k].elem, c->env_post[k],
                          LLVMBuildGEP2(c->b, cg_elem_type(c, q->vars[k].elem), c->post_base[k],
                                        &c->post_j, 1, ""));
    third_store(c);
    free(before);
}

/* Prefetch distance of the handler loops, in synapses (or column entries). */
#define CG_PF_AHEAD 8

/* The position whose values a loop at position e prefetches: min(e + CG_PF_AHEAD, end - 1)
 * (pf_end: the loop's end). */
static LLVMValueRef ahead_of(cg *c, LLVMValueRef e)
{
    LLVMValueRef ahead = LLVMBuildAdd(c->b, e, LLVMConstInt(c->i64, CG_PF_AHEAD, 0), "");
    LLVMValueRef last = LLVMBuildSub(c->b, c->pf_end, LLVMConstInt(c->i64, 1, 0), "");
    return LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntULT, ahead, c->pf_end, ""), ahead,
                           last, "");
}

/* Prefetches element ix of the projection's variable k, for writing. */
static void prefetch_var(cg *c, int k, LLVMValueRef ix)
{
    ix = var_index(c, k, ix);
    LLVMValueRef args[4] = {LLVMBuildGEP2(c->b, syn_type(c, k), c->syn_base[k], &ix, 1, ""),
                            LLVMConstInt(c->i32, 1, 0), LLVMConstInt(c->i32, 3, 0),
                            LLVMConstInt(c->i32, 1, 0)};
    cgm_intrinsic(c, "llvm.prefetch", c->ptr, args, 4);
}

/* Prefetches the synapse and presynaptic values of entry ahead_of(e) of the column: they lie
 * at random in memory (the column is ordered by presynaptic neuron). */
static void col_prefetch(cg *c, LLVMValueRef e)
{
    const ir_proj *pj = c->proj;
    LLVMValueRef q = ahead_of(c, e);
    LLVMValueRef s = load_u32(c, c->syn_of, q), i = load_u32(c, c->pre_arr, q);
    int lane;
    for (int k = 0; k < pj->nvars; k++)
        if (pj->sv[k].side != IRS_POST && (ir_pack(pj, k, &lane), lane == 0)) /* a group: one line */
            prefetch_var(c, k, pj->sv[k].side == IRS_PRE ? i : s);
}

/* on_pre of a plastic rule with per-postsynaptic variables (a postsynaptic trace and its time):
 * prefetches them for the target of synapse ahead_of(s) of the row (the targets are scattered;
 * the row's own arrays are read in order). */
static void row_prefetch(cg *c, LLVMValueRef s)
{
    const ir_proj *pj = c->proj;
    LLVMValueRef j = NULL;
    int lane;
    for (int k = 0; k < pj->nvars; k++)
        if (pj->sv[k].side == IRS_POST && (ir_pack(pj, k, &lane), lane == 0)) { /* a group: one line */
            if (!j)
                j = load_target(c, ahead_of(c, s));
            prefetch_var(c, k, j);
        }
}

/* The target of synapse s of the row (i64): from the position in a dense row (dense_j0), else
 * loaded. */
static LLVMValueRef row_target(cg *c, LLVMValueRef s)
{
    return c->dense_j0 ? LLVMBuildAdd(c->b, c->dense_j0, LLVMBuildSub(c->b, s, c->dense_b, ""), "j")
                       : load_target(c, s);
}

/*
 * on_pre_replay and post_replay (model.h, ABI 11) take a row in chunks of CG_REPLAY_CHUNK
 * synapses: first, without branches, the synapses whose target spiked at or after the row's
 * last pre_after (last[j] > lo) are listed and their targets' histories prefetched (scattered:
 * the misses overlap); then each listed synapse runs on_post at those spikes, in order, as
 * on_post_at ran them, in rounds: its first spike in the first round, its second in the
 * second (with the synapses that have one), and so on, so that the updates of different
 * synapses overlap where one synapse's run of them is a chain of dependent operations (the
 * weight's add and clip: about a dozen cycles a spike; a synapse onto a neuron at 100-190 Hz
 * has up to 15 spikes to replay, and about half of all replays come at a flush); then on_pre
 * runs over the chunk. The replay reads the synapse's own
 * variables and the presynaptic side's (which on_pre does not write) and on_pre does not read
 * what the replay writes except the synapse's own, so each synapse sees the same operations in
 * the same order as eagerly. About half the targets of COBA's E -> E spiked since (20 Hz on
 * both sides): a test per synapse in on_pre's loop mispredicts.
 */
#define CG_REPLAY_CHUNK 256

/* Lists synapse s (its place in the chunk) when its target has post spikes it has not seen. */
static void replay_list_body(cg *c, LLVMValueRef fn, LLVMValueRef s)
{
    (void)fn;
    LLVMTypeRef i16 = LLVMInt16TypeInContext(c->ctx);
    LLVMValueRef j = row_target(c, s);
    LLVMValueRef last = LLVMBuildLoad2(c->b, i16, LLVMBuildGEP2(c->b, i16, c->rp_last, &j, 1, ""),
                                       "last");
    LLVMValueRef due = LLVMBuildICmp(c->b, LLVMIntUGT, LLVMBuildZExt(c->b, last, c->i64, ""),
                                     c->rp_lo, "due");
    LLVMValueRef n = LLVMBuildLoad2(c->b, c->i64, c->rp_n, "n");
    LLVMValueRef at = LLVMBuildGEP2(c->b, c->i32, c->rp_list, &n, 1, "");
    LLVMBuildStore(c->b, LLVMBuildTrunc(c->b, LLVMBuildSub(c->b, s, c->rp_c0, ""), c->i32, ""), at);
    LLVMBuildStore(c->b, LLVMBuildAdd(c->b, n, LLVMBuildZExt(c->b, due, c->i64, ""), ""), c->rp_n);
    /* its history, or the first one (in cache) */
    LLVMValueRef h = LLVMBuildMul(c->b, j, LLVMConstInt(c->i64, AXON_DEFER_HIST, 0), "");
    h = LLVMBuildSelect(c->b, due, h, LLVMConstInt(c->i64, 0, 0), "");
    LLVMValueRef args[4] = {LLVMBuildGEP2(c->b, i16, c->rp_hist, &h, 1, ""),
                            LLVMConstInt(c->i32, 0, 0), LLVMConstInt(c->i32, 3, 0),
                            LLVMConstInt(c->i32, 1, 0)};
    cgm_intrinsic(c, "llvm.prefetch", c->ptr, args, 4);
}

/* v in every lane of a vector of type vt */
static LLVMValueRef splat(cg *c, LLVMTypeRef vt, LLVMValueRef v)
{
    LLVMValueRef one = LLVMBuildInsertElement(c->b, LLVMGetUndef(vt), v,
                                              LLVMConstInt(c->i32, 0, 0), "");
    LLVMTypeRef mt = LLVMVectorType(c->i32, LLVMGetVectorSize(vt));
    return LLVMBuildShuffleVector(c->b, one, LLVMGetUndef(vt), LLVMConstNull(mt), "");
}

/* The type of a place in the histories (rp_at, rp_end): j AXON_DEFER_HIST + x, under 2^20 for
 * 2-byte targets, else 64 bits. */
static LLVMTypeRef rp_place_type(cg *c)
{
    return c->post16 ? c->i32 : c->i64;
}

/* Listed synapse y: where its replay starts and ends in the histories. Its target's spikes
 * that it has not seen are the steps of the history at or after lo: a suffix h[x..n] of
 * h[1..n] (the steps increase, the last is >= lo), counted without branches over the whole
 * history (h[0], the count, and the lanes past n masked out). rp_at[y] = the place of h[x] in
 * hist, rp_end[y] that of h[n]. */
static void replay_setup_body(cg *c, LLVMValueRef fn, LLVMValueRef y)
{
    (void)fn;
    LLVMTypeRef i16 = LLVMInt16TypeInContext(c->ctx);
    LLVMValueRef one = LLVMConstInt(c->i64, 1, 0);
    LLVMValueRef x0 = LLVMBuildLoad2(c->b, c->i32, LLVMBuildGEP2(c->b, c->i32, c->rp_list, &y, 1, ""), "");
    LLVMValueRef j = row_target(c, LLVMBuildAdd(c->b, c->rp_c0, LLVMBuildZExt(c->b, x0, c->i64, ""), "s"));
    LLVMValueRef at = LLVMBuildMul(c->b, j, LLVMConstInt(c->i64, AXON_DEFER_HIST, 0), "");
    LLVMValueRef h = LLVMBuildGEP2(c->b, i16, c->rp_hist, &at, 1, "hist");
    LLVMValueRef n = LLVMBuildZExt(c->b, LLVMBuildLoad2(c->b, i16, h, "n"), c->i64, "");
    LLVMTypeRef vt = LLVMVectorType(i16, AXON_DEFER_HIST);
    LLVMValueRef hv = LLVMBuildLoad2(c->b, vt, h, "history");
    LLVMSetAlignment(hv, 2);
    LLVMValueRef lanes[AXON_DEFER_HIST];
    for (int q = 0; q < AXON_DEFER_HIST; q++)
        lanes[q] = LLVMConstInt(i16, (unsigned)q, 0);
    LLVMValueRef lane = LLVMConstVector(lanes, AXON_DEFER_HIST);
    LLVMValueRef lo16 = splat(c, vt, LLVMBuildTrunc(c->b, c->rp_lo, i16, ""));
    LLVMValueRef n16 = splat(c, vt, LLVMBuildTrunc(c->b, n, i16, ""));
    LLVMValueRef sel = LLVMBuildAnd(
        c->b, LLVMBuildICmp(c->b, LLVMIntUGE, hv, lo16, ""),
        LLVMBuildAnd(c->b, LLVMBuildICmp(c->b, LLVMIntULE, lane, n16, ""),
                     LLVMBuildICmp(c->b, LLVMIntNE, lane, LLVMConstNull(vt), ""), ""), "");
    LLVMTypeRef mt = LLVMIntTypeInContext(c->ctx, AXON_DEFER_HIST);
    LLVMValueRef bits = LLVMBuildBitCast(c->b, sel, mt, "");
    LLVMValueRef m = LLVMBuildZExt(c->b, cgm_intrinsic(c, "llvm.ctpop", mt, &bits, 1), c->i64, "m");
    LLVMValueRef x = LLVMBuildAdd(c->b, LLVMBuildSub(c->b, n, m, ""), one, "x");
    LLVMTypeRef pt = rp_place_type(c);
    LLVMBuildStore(c->b, LLVMBuildIntCast2(c->b, LLVMBuildAdd(c->b, at, x, ""), pt, 0, ""),
                   LLVMBuildGEP2(c->b, pt, c->rp_at, &y, 1, ""));
    LLVMBuildStore(c->b, LLVMBuildIntCast2(c->b, LLVMBuildAdd(c->b, at, n, ""), pt, 0, ""),
                   LLVMBuildGEP2(c->b, pt, c->rp_end, &y, 1, ""));
}

/* One round of the replay, entry y of the list: on_post of its synapse at the spike of step
 * hist[rp_at[y]], at t = (base + step) dt; the entry stays listed (moved down to its place
 * among those that stay) while it has spikes left. The synapse's variables go through memory
 * between the spikes. */
static void replay_round_body(cg *c, LLVMValueRef fn, LLVMValueRef y)
{
    (void)fn;
    const ir_proj *pj = c->proj;
    LLVMTypeRef i16 = LLVMInt16TypeInContext(c->ctx);
    LLVMValueRef x0 = LLVMBuildLoad2(c->b, c->i32, LLVMBuildGEP2(c->b, c->i32, c->rp_list, &y, 1, ""), "");
    LLVMTypeRef pt = rp_place_type(c);
    LLVMValueRef e = LLVMBuildLoad2(c->b, pt, LLVMBuildGEP2(c->b, pt, c->rp_at, &y, 1, ""), "e");
    LLVMValueRef end = LLVMBuildLoad2(c->b, pt, LLVMBuildGEP2(c->b, pt, c->rp_end, &y, 1, ""), "end");
    c->syn_s = LLVMBuildAdd(c->b, c->rp_c0, LLVMBuildZExt(c->b, x0, c->i64, ""), "s");
    c->idx = whole_index(c, c->syn_s); /* random draws (none: proj_defers_post) */
    c->post_j = row_target(c, c->syn_s);
    LLVMValueRef e64 = LLVMBuildIntCast2(c->b, e, c->i64, 0, "");
    LLVMValueRef step = LLVMBuildZExt(c->b, LLVMBuildLoad2(c->b, i16, LLVMBuildGEP2(c->b, i16, c->rp_hist, &e64, 1, ""),
                                                           "step"), c->i64, "");
    LLVMValueRef t = LLVMBuildFMul(c->b,
                                   LLVMBuildUIToFP(c->b, LLVMBuildAdd(c->b, c->rp_base, step, ""),
                                                   c->f64, ""),
                                   cgm_f64(c, c->m->dt), "t_post"); /* as rt_defer_replay */
    LLVMValueRef t_ev = c->t_ev;
    c->t_ev = LLVMBuildFAdd(c->b, t, cgm_f64(c, c->m->dt), "t_ev"); /* as at_body */
    third_reset(c);
    for (int k = 0; k < pj->nvars; k++) /* post_after's (at_kernel) */
        if (pj->sv[k].side == IRS_POST)
            c->env[k] = cgm_const(c, 0);
    load_side(c, IRS_SYN);
    load_side(c, IRS_PRE);
    run_handler(c, &pj->on_post);
    c->t_ev = t_ev;
    LLVMValueRef e1 = LLVMBuildAdd(c->b, e, LLVMConstInt(pt, 1, 0), "");
    LLVMValueRef left = LLVMBuildICmp(c->b, LLVMIntULE, e1, end, "left");
    LLVMValueRef m = LLVMBuildLoad2(c->b, c->i64, c->rp_m, "m");
    LLVMBuildStore(c->b, x0, LLVMBuildGEP2(c->b, c->i32, c->rp_list, &m, 1, ""));
    LLVMBuildStore(c->b, e1, LLVMBuildGEP2(c->b, pt, c->rp_at, &m, 1, ""));
    LLVMBuildStore(c->b, end, LLVMBuildGEP2(c->b, pt, c->rp_end, &m, 1, ""));
    LLVMBuildStore(c->b, LLVMBuildAdd(c->b, m, LLVMBuildZExt(c->b, left, c->i64, ""), ""), c->rp_m);
}

static void row_body(cg *c, LLVMValueRef fn, LLVMValueRef s);

/* on_pre_replay, post_replay: the row [begin, end) in chunks (CG_REPLAY_CHUNK, above) */
static void replay_chunks(cg *c, LLVMValueRef fn)
{
    LLVMValueRef begin = LLVMGetParam(fn, 6), end = LLVMGetParam(fn, 7);
    /* the list and its length: allocas at the entry (registers and the frame after SROA) */
    LLVMBuilderRef eb = LLVMCreateBuilderInContext(c->ctx);
    LLVMBasicBlockRef e0 = LLVMGetEntryBasicBlock(fn);
    LLVMValueRef first = LLVMGetFirstInstruction(e0);
    if (first)
        LLVMPositionBuilderBefore(eb, first);
    else
        LLVMPositionBuilderAtEnd(eb, e0);
    c->rp_list = LLVMBuildAlloca(eb, LLVMArrayType2(c->i32, CG_REPLAY_CHUNK), "list");
    c->rp_n = LLVMBuildAlloca(eb, c->i64, "nlist");
    c->rp_at = LLVMBuildAlloca(eb, LLVMArrayType2(rp_place_type(c), CG_REPLAY_CHUNK), "at");
    c->rp_end = LLVMBuildAlloca(eb, LLVMArrayType2(rp_place_type(c), CG_REPLAY_CHUNK), "end");
    c->rp_m = LLVMBuildAlloca(eb, c->i64, "nleft");
    LLVMDisposeBuilder(eb);
    LLVMBasicBlockRef pre = LLVMGetInsertBlock(c->b);
    LLVMBasicBlockRef head = LLVMAppendBasicBlockInContext(c->ctx, fn, "chunk");
    LLVMBasicBlockRef done = LLVMAppendBasicBlockInContext(c->ctx, fn, "chunks_done");
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, begin, end, ""), head, done);
    LLVMPositionBuilderAtEnd(c->b, head);
    LLVMValueRef c0 = LLVMBuildPhi(c->b, c->i64, "c0");
    c->rp_c0 = c0;
    LLVMValueRef c1 = LLVMBuildAdd(c->b, c0, LLVMConstInt(c->i64, CG_REPLAY_CHUNK, 0), "");
    c1 = LLVMBuildSelect(c->b, LLVMBuildICmp(c->b, LLVMIntULT, c1, end, ""), c1, end, "c1");
    LLVMBuildStore(c->b, LLVMConstInt(c->i64, 0, 0), c->rp_n);
    loop_in(c, fn, c0, c1, replay_list_body);
    LLVMValueRef n = LLVMBuildLoad2(c->b, c->i64, c->rp_n, "listed");
    loop_in(c, fn, LLVMConstInt(c->i64, 0, 0), n, replay_setup_body);
    /* the replay in rounds: each listed synapse's next spike, then the next of those left */
    LLVMBasicBlockRef rounds = LLVMAppendBasicBlockInContext(c->ctx, fn, "rounds");
    LLVMBasicBlockRef replayed = LLVMAppendBasicBlockInContext(c->ctx, fn, "replayed");
    LLVMValueRef zero = LLVMConstInt(c->i64, 0, 0);
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, n, zero, ""), rounds, replayed);
    LLVMPositionBuilderAtEnd(c->b, rounds);
    LLVMBuildStore(c->b, zero, c->rp_m);
    loop_in(c, fn, zero, LLVMBuildLoad2(c->b, c->i64, c->rp_n, "listed"), replay_round_body);
    LLVMValueRef left = LLVMBuildLoad2(c->b, c->i64, c->rp_m, "left");
    LLVMBuildStore(c->b, left, c->rp_n);
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntNE, left, zero, ""), rounds, replayed);
    LLVMPositionBuilderAtEnd(c->b, replayed);
    if (!c->rp_only)
        loop_in(c, fn, c0, c1, row_body);
    LLVMBasicBlockRef latch = LLVMGetInsertBlock(c->b);
    LLVMBuildCondBr(c->b, LLVMBuildICmp(c->b, LLVMIntULT, c1, end, ""), head, done);
    LLVMAddIncoming(c0, (LLVMValueRef[]){begin, c1}, (LLVMBasicBlockRef[]){pre, latch}, 2);
    LLVMPositionBuilderAtEnd(c->b, done);
    LLVMBuildRetVoid(c->b);
}

/* on_pre, continuous, every_step: synapse s of row pre_i */
static void row_body(cg *c, LLVMValueRef fn, LLVMValueRef s)
{
    (void)fn;
    c->syn_s = s;
    c->idx = whole_index(c, s); /* random draws (dead code without them) */
    /* dense rows (all_to_all without a gap): the target follows from the position, no index
       load, so a row's loop over contiguous targets vectorises (a matrix-vector product for
       graded projections) */
    c->post_j = c->dense_j0 ? LLVMBuildAdd(c->b, c->dense_j0, LLVMBuildSub(c->b, s, c->dense_b, ""), "j")
                            : load_target(c, s);
    if (c->handler == &c->proj->on_pre && !c->dense_j0)
        row_prefetch(c, s);
    third_reset(c);
    reuse_side(c, IRS_PRE);
    load_side(c, IRS_SYN);
    load_side(c, IRS_POST);
    run_handler(c, c->handler);
}

/* on_post: entry e of column post_j */
static void col_body(cg *c, LLVMValueRef fn, LLVMValueRef e)
{
    (void)fn;
    col_prefetch(c, e);
    c->syn_s = load_u32(c, c->syn_of, e);
    c->pre_i = load_u32(c, c->pre_arr, e);
    c->idx = col_whole_index(c, c->syn_s); /* random draws (dead code without them) */
    third_reset(c);
    reuse_side(c, IRS_POST);
    load_side(c, IRS_SYN);
    load_side(c, IRS_PRE);
    run_handler(c, c->handler);
}

/* Loads the array pointers of the kernel's variables (ctx, syn_vars, pre_vars, post_vars). */
static void kernel_entry(cg *c, LLVMValueRef fn, bool at_start)
{
    const ir_proj *pj = c->proj;
    LLVMPositionBuilderAtEnd(c->b, LLVMAppendBasicBlockInContext(c->ctx, fn, "entry"));
    cg_ctx_fields(c, LLVMGetParam(fn, 0));
    /* the handlers' random draws are keyed by the index in the whole projection, like the
       init kernel's: ctx->syn_offset is set for a rank's part (model.h, ABI 8) */
    c->syn_off = ctx_member(c, LLVMGetParam(fn, 0), CG_CTX_syn_offset, "syn_offset");
    c->init_phase = false;
    /* handlers run at the stamp of the step's spikes, (n + 1) dt; continuous at n dt */
    c->t_ev = at_start ? c->t : LLVMBuildFAdd(c->b, c->t, cgm_f64(c, c->m->dt), "t_ev");
    for (int v = 0; v < pj->nvars; v++)
        c->syn_base[v] = array_ptr(c, LLVMGetParam(fn, 1), v);
    for (int v = 0; v < c->pre_pop->nvars; v++)
        c->pre_base[v] = array_ptr(c, LLVMGetParam(fn, 2), v);
    for (int v = 0; v < c->post_pop->nvars; v++)
        c->post_base[v] = array_ptr(c, LLVMGetParam(fn, 3), v);
    memset(c->env, 0, (size_t)(pj->nvars + 1) * sizeof *c->env);
    memset(c->env_pre, 0, (size_t)(c->pre_pop->nvars + 1) * sizeof *c->env_pre);
    if (c->third_pop) {
        /* the third population's variable table: ctx->pop_vars[via] */
        LLVMValueRef tabs = ctx_member(c, LLVMGetParam(fn, 0), CG_CTX_pop_vars, "pop_vars");
        LLVMValueRef tab = array_ptr(c, tabs, pj->via);
        for (int v = 0; v < c->third_pop->nvars; v++)
            c->third_base[v] = array_ptr(c, tab, v);
        third_reset(c);
    }
}

/* on_pre, continuous, every_step: (ctx, syn_vars, pre_vars, post_vars, post, i, begin, end);
 * on_pre_replay (replay 1, handler on_pre) and post_replay (replay 2: the replay alone) also
 * (hist, last, lo, base) (model.h, ABI 11) */
static LLVMValueRef row_kernel(cg *c, int k, const char *kind, const sm_block *handler,
                               bool at_start, int replay)
{
    LLVMTypeRef ops[12] = {c->ptr, c->ptr, c->ptr, c->ptr, c->ptr, c->i32,
                           c->i64, c->i64, c->ptr, c->ptr, c->i32, c->i64};
    LLVMValueRef fn = cg_function(c, LLVMFunctionType(c->vd, ops, replay ? 12 : 8, 0),
                                  "proj%d_%s", k, kind);
    if (c->proj->syn->nelem_idx > 0) {
        /* A synapse that adds to an element of its target's vector (post.I_d[seg] += w) tests
           seg once per element; the optimiser unswitched the loop on those tests and vectorised
           every copy: examples/dendrites' kernels grew to 750 instructions and took a third of
           its compile time. Optimised for size they stay one loop (the same operations). */
        unsigned sz = LLVMGetEnumAttributeKindForName("optsize", 7);
        LLVMAddAttributeAtIndex(fn, LLVMAttributeFunctionIndex, LLVMCreateEnumAttribute(c->ctx, sz, 0));
    }
    kernel_entry(c, fn, at_start);
    c->handler = handler;
    c->post_arr = LLVMGetParam(fn, 4);
    c->pf_end = LLVMGetParam(fn, 7);
    c->pre_i = LLVMBuildZExt(c->b, LLVMGetParam(fn, 5), c->i64, "i");
    if (replay) {
        c->rp_hist = LLVMGetParam(fn, 8);
        c->rp_last = LLVMGetParam(fn, 9);
        c->rp_lo = LLVMBuildZExt(c->b, LLVMGetParam(fn, 10), c->i64, "lo");
        c->rp_base = LLVMGetParam(fn, 11);
        c->rp_only = replay == 2;
    }
    keep_side(c, IRS_PRE);
    const ir_proj *pj = c->proj;
    c->dense_j0 = c->dense_b = NULL;
    if (ir_dense_rows(pj)) {
        /* the first target of [begin, end); post[0] when the range is empty (post[] has at
           least RT_BLOCK entries) */
        LLVMValueRef b = LLVMGetParam(fn, 6);
        LLVMValueRef safe = LLVMBuildSelect(
            c->b, LLVMBuildICmp(c->b, LLVMIntULT, b, LLVMGetParam(fn, 7), ""), b,
            LLVMConstInt(c->i64, 0, 0), "");
        c->dense_j0 = load_target(c, safe);
        c->dense_b = b;
    }
    c->with_structure = false;
    if (handler == &pj->every_step && pj->structural) {
        cg_param_fix(c, pj->struct_every, CG_FIXED_PERIOD); /* its value is in struct_steps */
        /* the structure update (structure.c) in the steps n with (n + 1) % struct_steps == 0:
           a loop of its own, so that the other steps pay nothing for it */
        LLVMValueRef n1 = LLVMBuildAdd(c->b, c->step, LLVMConstInt(c->i64, 1, 0), "");
        LLVMValueRef due = LLVMBuildICmp(
            c->b, LLVMIntEQ,
            LLVMBuildURem(c->b, n1, LLVMConstInt(c->i64, pj->struct_steps, 0), ""),
            LLVMConstInt(c->i64, 0, 0), "due");
        LLVMBasicBlockRef yes = LLVMAppendBasicBlockInContext(c->ctx, fn, "structure");
        LLVMBasicBlockRef no = LLVMAppendBasicBlockInContext(c->ctx, fn, "plain");
        LLVMBuildCondBr(c->b, due, yes, no);
        LLVMPositionBuilderAtEnd(c->b, yes);
        c->with_structure = true;
        loop(c, fn, LLVMGetParam(fn, 6), LLVMGetParam(fn, 7), row_body);
        c->with_structure = false;
        LLVMPositionBuilderAtEnd(c->b, no);
        if (!pj->every_step.n && !pj->has_odes) {
            /* nothing else to do in the other steps (not even bringing event-driven
               variables up to date: the next event does) */
            LLVMBuildRetVoid(c->b);
            c->dense_j0 = c->dense_b = NULL;
            return fn;
        }
    }
    if (replay)
        replay_chunks(c, fn);
    else
        loop(c, fn, LLVMGetParam(fn, 6), LLVMGetParam(fn, 7), row_body);
    c->dense_j0 = c->dense_b = NULL;
    c->rp_hist = c->rp_last = c->rp_lo = c->rp_base = NULL;
    c->rp_only = false;
    return fn;
}

/* on_post, on post.NAME: (ctx, syn_vars, pre_vars, post_vars, pre_of, syn_of, j, begin, end) */
static LLVMValueRef col_kernel(cg *c, int k, const sm_block *handler, const char *kind)
{
    LLVMTypeRef ops[9] = {c->ptr, c->ptr, c->ptr, c->ptr, c->ptr, c->ptr, c->i32, c->i64, c->i64};
    LLVMValueRef fn = cg_function(c, LLVMFunctionType(c->vd, ops, 9, 0), "proj%d_%s", k, kind);
    kernel_entry(c, fn, false);
    c->syn_whole = ctx_member(c, LLVMGetParam(fn, 0), CG_CTX_syn_whole, "syn_whole");
    c->handler = handler;
    c->pre_arr = LLVMGetParam(fn, 4);
    c->syn_of = LLVMGetParam(fn, 5);
    c->post_j = LLVMBuildZExt(c->b, LLVMGetParam(fn, 6), c->i64, "j");
    c->pf_end = LLVMGetParam(fn, 8);
    keep_side(c, IRS_POST);
    loop(c, fn, LLVMGetParam(fn, 7), LLVMGetParam(fn, 8), col_body);
    return fn;
}

/* on_post_at: entry e, synapse syn[e] of row pre_i at the post spike of the step that starts
 * at t[e] (AXON_PROJ_DEFER_POST): col_body's operations with that step's event time. */
static void at_body(cg *c, LLVMValueRef fn, LLVMValueRef e)
{
    (void)fn;
    c->syn_s = load_u32(c, c->syn_of, e);
    c->idx = whole_index(c, c->syn_s); /* random draws (none: proj_defers_post) */
    LLVMValueRef t = LLVMBuildLoad2(c->b, c->f64, LLVMBuildGEP2(c->b, c->f64, c->pre_arr, &e, 1, ""),
                                    "t_post");
    c->t_ev = LLVMBuildFAdd(c->b, t, cgm_f64(c, c->m->dt), "t_ev"); /* as kernel_entry */
    third_reset(c);
    reuse_side(c, IRS_POST);
    load_side(c, IRS_SYN);
    load_side(c, IRS_PRE);
    run_handler(c, c->handler);
}

/* on_post_at: (ctx, syn_vars, pre_vars, post_vars, t, syn, i, begin, end). The per-post
 * variables are post_after's: on_post's statements on them are dead (nothing stores them, and
 * proj_defers_post allows no read of them), so they start as 0 here instead of being loaded at
 * a target the kernel does not know. */
static LLVMValueRef at_kernel(cg *c, int k)
{
    LLVMTypeRef ops[9] = {c->ptr, c->ptr, c->ptr, c->ptr, c->ptr, c->ptr, c->i32, c->i64, c->i64};
    LLVMValueRef fn = cg_function(c, LLVMFunctionType(c->vd, ops, 9, 0), "proj%d_on_post_at", k);
    kernel_entry(c, fn, false);
    c->handler = &c->proj->on_post;
    c->pre_arr = LLVMGetParam(fn, 4); /* the times */
    c->syn_of = LLVMGetParam(fn, 5);
    c->pre_i = LLVMBuildZExt(c->b, LLVMGetParam(fn, 6), c->i64, "i");
    c->post_j = LLVMConstInt(c->i64, 0, 0);
    c->pf_end = LLVMGetParam(fn, 8);
    for (int v = 0; v < c->proj->nvars; v++)
        if (c->proj->sv[v].side == IRS_POST)
            c->side_val[v] = cgm_const(c, 0);
    loop(c, fn, LLVMGetParam(fn, 7), LLVMGetParam(fn, 8), at_body);
    return fn;
}

/* pre_after / post_after: (ctx, syn_vars, pre_vars, post_vars, post, n, 0, 0): the side's
 * variables of neuron n advanced, changed by the handler's statements on them, stored. */
static LLVMValueRef after_kernel(cg *c, int k, ir_side side)
{
    LLVMTypeRef ops[8] = {c->ptr, c->ptr, c->ptr, c->ptr, c->ptr, c->i32, c->i64, c->i64};
    LLVMValueRef fn = cg_function(c, LLVMFunctionType(c->vd, ops, 8, 0), "proj%d_%s_after", k,
                                  side == IRS_PRE ? "pre" : "post");
    kernel_entry(c, fn, false);
    LLVMValueRef n = LLVMBuildZExt(c->b, LLVMGetParam(fn, 5), c->i64, "n");
    c->pre_i = c->post_j = c->syn_s = c->idx = n;
    load_side(c, side);
    memset(c->env_post, 0, (size_t)(c->post_pop->nvars + 1) * sizeof *c->env_post);
    memset(c->post_dirty, 0, (size_t)(c->post_pop->nvars + 1) * sizeof *c->post_dirty);
    third_reset(c);
    cg_stmts(c, side == IRS_PRE ? &c->proj->pre_after : &c->proj->post_after,
             LLVMConstInt(c->i1, 1, 0));
    store_side(c, side, NULL);
    LLVMBuildRetVoid(c->b);
    return fn;
}

/* post_decay: neuron n of the post population, every per-post variable times its factor
 * (clock_f). A value that falls under 2^-1000 becomes 0: a trace of a silent neuron would
 * otherwise go on through the subnormal numbers, each multiplication of one a slow assist,
 * for some thousands of steps (a value that small adds nothing to a weight above 1e-285). */
static void decay_body(cg *c, LLVMValueRef fn, LLVMValueRef n)
{
    (void)fn;
    const ir_proj *pj = c->proj;
    c->post_j = n;
    for (int k = 0; k < pj->nvars; k++) {
        if (pj->sv[k].side != IRS_POST)
            continue;
        LLVMValueRef at = var_ptr(c, k);
        LLVMValueRef x = to_f64(c, cg_load_elem(c, pj->vars[k].elem, at, pj->vars[k].name));
        LLVMValueRef r = LLVMBuildFMul(c->b, x, c->clock_f[k], "");
        LLVMValueRef ar = cgm_intrinsic(c, "llvm.fabs", c->f64, &r, 1);
        r = LLVMBuildSelect(c->b, LLVMBuildFCmp(c->b, LLVMRealOLT, ar, cgm_f64(c, 0x1p-1000), ""),
                            cgm_f64(c, 0), r, "");
        cg_store_elem(c, pj->vars[k].elem,
                      c->fp == c->f64 ? r : LLVMBuildFPTrunc(c->b, r, c->fp, ""), at);
    }
}

/* post_decay (ir_clock_traces): (ctx, syn_vars, pre_vars, post_vars, NULL, 0, begin, end), the
 * per-post variables of neurons [begin, end) advanced by one step, x exp(B dt): the factor is
 * the decay table's entry 1, what an event one step after the last would take. */
static LLVMValueRef decay_kernel(cg *c, int k)
{
    const ir_proj *pj = c->proj;
    LLVMTypeRef ops[8] = {c->ptr, c->ptr, c->ptr, c->ptr, c->ptr, c->i32, c->i64, c->i64};
    LLVMValueRef fn = cg_function(c, LLVMFunctionType(c->vd, ops, 8, 0), "proj%d_post_decay", k);
    kernel_entry(c, fn, false);
    c->clock_f = calloc((size_t)pj->nvars + 1, sizeof *c->clock_f);
    for (int v = 0; v < pj->nvars; v++)
        if (pj->sv[v].side == IRS_POST)
            c->clock_f[v] = decay(c, pj->sv[v].ode_b, cgm_f64(c, c->m->dt), cgm_f64(c, 1));
    loop(c, fn, LLVMGetParam(fn, 6), LLVMGetParam(fn, 7), decay_body);
    free(c->clock_f);
    c->clock_f = NULL;
    return fn;
}

static bool block_writes_post(const sm_block *b)
{
    for (int k = 0; k < b->n; k++) {
        const sm_stmt *st = b->v[k];
        if ((st->kind == ST_ASSIGN && (st->space == VS_POST || st->space == VS_PRE)) ||
            block_writes_post(&st->then) || block_writes_post(&st->els))
            return true;
    }
    return false;
}

/* Does b write (reads: use) the third neuron? */
static bool block_third(const sm_block *b, bool reads)
{
    for (int k = 0; k < b->n; k++) {
        const sm_stmt *st = b->v[k];
        if ((st->kind == ST_ASSIGN && st->space == VS_THIRD) ||
            (reads && (sx_uses(st->value, VS_THIRD, -1) || sx_uses(st->cond, VS_THIRD, -1))) ||
            block_third(&st->then, reads) || block_third(&st->els, reads))
            return true;
    }
    return false;
}

static bool block_reads_pre(const sm_block *b)
{
    for (int k = 0; k < b->n; k++) {
        const sm_stmt *st = b->v[k];
        if (sx_uses(st->value, VS_PRE, -1) || sx_uses(st->cond, VS_PRE, -1) ||
            st->space == VS_PRE || block_reads_pre(&st->then) || block_reads_pre(&st->els))
            return true;
    }
    return false;
}

/* Whether a projection's on_post, every_step (with structural plasticity's update) or
 * equations integrated every step read a presynaptic neuron variable (AXON_PROJ_READS_PRE:
 * gathered over MPI ranks before them). */
static bool proj_reads_pre(const ir_proj *pj)
{
    if (block_reads_pre(&pj->on_post) || block_reads_pre(&pj->every_step) ||
        block_reads_pre(&pj->structure) || block_reads_pre(&pj->grow_init) ||
        sx_uses(pj->prune, VS_PRE, -1) || sx_uses(pj->grow, VS_PRE, -1))
        return true;
    for (int e = 0; e < pj->nevh; e++) /* on post.NAME (ABI 8) */
        if (block_reads_pre(&pj->evh[e].body))
            return true;
    for (int k = 0; k < pj->nvars; k++) {
        const ir_synvar *v = &pj->sv[k];
        if (v->ode >= 0 && !v->event_driven &&
            (sx_uses(v->ode_a, VS_PRE, -1) || sx_uses(v->ode_b, VS_PRE, -1)))
            return true;
    }
    return false;
}

/* May on_post's per-synapse part wait for the synapse's next on_pre (AXON_PROJ_DEFER_POST)?
 * Expression e must then read only per-synapse variables, presynaptic-side ones (changed by
 * pre_after alone, at the presynaptic neuron's spikes), parameters, lets and numbers: what
 * has the same value at the postsynaptic spike and at the replay (model.h). */
static bool defer_expr_ok(const ir_proj *pj, const sx *e)
{
    if (!e)
        return true;
    if (e->kind == SX_RAND || e->kind == SX_EXT)
        return false;
    if (e->kind == SX_VAR) {
        switch (e->space) {
        case VS_STATE: case VS_PARAM: {
            if (e->idx < 0 || e->idx >= pj->syn->nvars)
                return false;
            if (pj->shared[e->idx])
                return true;
            int k = pj->slot[e->idx];
            return k >= 0 && pj->sv[k].side != IRS_POST;
        }
        case VS_TEMP: case VS_SHARED: case VS_DERIVED: case VS_DT: case VS_MODULE:
            return true;
        default: /* neuron variables, signals, t, indices, noise */
            return false;
        }
    }
    return defer_expr_ok(pj, e->a) && defer_expr_ok(pj, e->b) && defer_expr_ok(pj, e->c);
}

static bool defer_block_ok(const ir_proj *pj, const sm_block *b)
{
    for (int k = 0; k < b->n; k++) {
        const sm_stmt *st = b->v[k];
        switch (st->kind) {
        case ST_LET:
            if (!defer_expr_ok(pj, st->value))
                return false;
            break;
        case ST_IF:
            if (!defer_expr_ok(pj, st->cond) || !defer_block_ok(pj, &st->then) ||
                !defer_block_ok(pj, &st->els))
                return false;
            break;
        case ST_ASSIGN: {
            if (st->space != VS_STATE && st->space != VS_PARAM)
                return false;
            int k2 = st->idx >= 0 && st->idx < pj->syn->nvars ? pj->slot[st->idx] : -1;
            if (k2 < 0)
                return false;
            if (pj->sv[k2].side == IRS_POST)
                break; /* post_after's part: the kernel does not store it */
            if (pj->sv[k2].side != IRS_SYN || !defer_expr_ok(pj, st->value))
                return false;
            break;
        }
        default:
            return false;
        }
    }
    return true;
}

/* AXON_PROJ_DEFER_POST: on_post only changes the synapse's own variables from values that
 * stay put until its next on_pre, and nothing else touches them per step (no every_step,
 * continuous kernels, equations integrated every step, structural plasticity, events of the
 * target, third population, per-synapse delays). */
static bool proj_defers_post(const ir_proj *pj)
{
    return pj->on_post.n && pj->on_pre.n && !pj->nevh && !pj->every_step.n &&
           !pj->continuous.n && !pj->has_odes && !pj->structural && pj->via < 0 &&
           !(pj->delay && pj->delay->kind != SX_CONST) && defer_block_ok(pj, &pj->on_post);
}

/* A constant uint32 array, written as raw bytes (one constant, however many
 * synapses; the target is the host, so its byte order). */
static LLVMValueRef index_array(cg *c, const uint32_t *v, long n, const char *name)
{
    if (n <= 0)
        return LLVMConstNull(c->ptr);
    LLVMValueRef init = LLVMConstStringInContext(c->ctx, (const char *)v,
                                                 (unsigned)((size_t)n * sizeof *v), 1);
    LLVMValueRef g = cg_const_global(c, init, name);
    LLVMSetAlignment(g, 4);
    return g;
}


LLVMValueRef cg_projection(cg *c, int k)
{
    const ir_proj *pj = &c->m->projs[k];
    const ir_model *m = c->m;
    if (c->failed)
        return LLVMConstNull(cg_struct_type(c, &cg_proj_struct));
    c->proj = pj;
    c->pop = NULL;
    c->pre_pop = &m->pops[pj->pre];
    c->post_pop = &m->pops[pj->post];
    /* targets of a post population of at most 65,536 neurons in 2 bytes (ABI 10); test only
       (tests/cli/targets16.sh): AXON_TEST_WIDE_TARGETS keeps them in 4, to compare the two */
    c->post16 = c->post_pop->size <= 65536 && !getenv("AXON_TEST_WIDE_TARGETS");
    /* its targets and weight side by side (ABI 13; ir_block): the row kernels' addresses */
    int esz = c->fp == c->f64 ? 8 : 4, lane, stride;
    c->blk_stride = c->blk_tstride = 0;
    if (c->post16 && ir_block(m, pj, 0, esz, &stride, &lane) > 1) {
        c->blk_stride = stride;
        int e = pj->vars[0].elem, vsz = e == AXON_ELEM_F32 ? 4 : e == AXON_ELEM_F64 ? 8 : esz;
        c->blk_tstride = stride * vsz / 2; /* uint16 targets */
    }
    c->pop_index = m->npops + k; /* random streams after the populations' */
    c->env = calloc((size_t)pj->nvars + 1, sizeof *c->env);
    c->env_pre = calloc((size_t)c->pre_pop->nvars + 1, sizeof *c->env_pre);
    c->env_post = calloc((size_t)c->post_pop->nvars + 1, sizeof *c->env_post);
    c->post_dirty = calloc((size_t)c->post_pop->nvars + 1, sizeof *c->post_dirty);
    c->pre_base = calloc((size_t)c->pre_pop->nvars + 1, sizeof *c->pre_base);
    c->pre_read = calloc((size_t)c->pre_pop->nvars + 1, sizeof *c->pre_read);
    c->post_wrote = calloc((size_t)c->post_pop->nvars + 1, sizeof *c->post_wrote);
    c->post_base = calloc((size_t)c->post_pop->nvars + 1, sizeof *c->post_base);
    c->ntemps = pj->syn->ntemps + 1;
    c->temps = calloc((size_t)c->ntemps, sizeof *c->temps);
    c->syn_base = calloc((size_t)pj->nvars + 1, sizeof *c->syn_base);
    c->side_val = calloc((size_t)pj->nvars + 1, sizeof *c->side_val);
    c->third_pop = pj->via >= 0 ? &m->pops[pj->via] : NULL;
    if (c->third_pop) {
        c->third_base = calloc((size_t)c->third_pop->nvars + 1, sizeof *c->third_base);
        c->env_third = calloc((size_t)c->third_pop->nvars + 1, sizeof *c->env_third);
        c->third_dirty = calloc((size_t)c->third_pop->nvars + 1, sizeof *c->third_dirty);
    }

    /* init(ctx, syn_vars, pre, post, begin, end): only where a variable is stored per synapse
       (the runtime zeroes the others), so that the runtime builds no presynaptic index for
       it and narrows 2-byte targets as soon as they are connected (proj.c) */
    LLVMTypeRef ips[6] = {c->ptr, c->ptr, c->ptr, c->ptr, c->i64, c->i64};
    c->init_phase = true;
    bool per_syn = false;
    for (int v = 0; v < pj->nvars; v++)
        per_syn |= pj->sv[v].side == IRS_SYN;
    LLVMValueRef init = per_syn ? setup_kernel(c, k, "init", ips, 6, init_kernel)
                                : LLVMConstNull(c->ptr);

    c->drew = false; /* draws of the handlers below are keyed by the synapse index */
    LLVMValueRef on_pre = pj->on_pre.n ? row_kernel(c, k, "on_pre", &pj->on_pre, false, 0)
                                       : LLVMConstNull(c->ptr);
    LLVMValueRef cont = pj->continuous.n ? row_kernel(c, k, "continuous", &pj->continuous, true, 0)
                                         : LLVMConstNull(c->ptr);
    LLVMValueRef every = pj->every_step.n || pj->has_odes || pj->structural
                             ? row_kernel(c, k, "every_step", &pj->every_step, false, 0)
                             : LLVMConstNull(c->ptr);
    LLVMValueRef on_post = pj->on_post.n ? col_kernel(c, k, &pj->on_post, "on_post")
                                         : LLVMConstNull(c->ptr);
    bool defer = proj_defers_post(pj);
    LLVMValueRef on_post_at = defer ? at_kernel(c, k) : LLVMConstNull(c->ptr);
    LLVMValueRef on_pre_replay =
        defer ? row_kernel(c, k, "on_pre_replay", &pj->on_pre, false, 1) : LLVMConstNull(c->ptr);
    LLVMValueRef post_replay =
        defer ? row_kernel(c, k, "post_replay", &pj->on_pre, false, 2) : LLVMConstNull(c->ptr);
    /* on post.NAME: a kernel per event, and the post population's flag of each */
    LLVMValueRef *evf = calloc((size_t)pj->nevh + 1, sizeof *evf);
    LLVMValueRef *evv = calloc((size_t)pj->nevh + 1, sizeof *evv);
    for (int e = 0; e < pj->nevh; e++) {
        char kind[32];
        snprintf(kind, sizeof kind, "on_event%d", e);
        evf[e] = col_kernel(c, k, &pj->evh[e].body, kind);
        evv[e] = LLVMConstInt(c->i32, (unsigned)c->post_pop->event_flag[pj->evh[e].event], 0);
    }
    bool syn_draws = c->drew;
    LLVMValueRef pre_after = pj->last_pre >= 0 ? after_kernel(c, k, IRS_PRE) : LLVMConstNull(c->ptr);
    LLVMValueRef post_after =
        pj->last_post >= 0 || pj->post_clock ? after_kernel(c, k, IRS_POST) : LLVMConstNull(c->ptr);
    LLVMValueRef post_decay = pj->post_clock ? decay_kernel(c, k) : LLVMConstNull(c->ptr);

    /* where(ctx, i, j) */
    LLVMValueRef where = LLVMConstNull(c->ptr);
    if (pj->conn == CONN_WHERE) {
        LLVMTypeRef wps[3] = {c->ptr, c->i32, c->i32};
        where = cg_function(c, LLVMFunctionType(c->i32, wps, 3, 0), "proj%d_where", k);
        LLVMPositionBuilderAtEnd(c->b, LLVMAppendBasicBlockInContext(c->ctx, where, "entry"));
        cg_ctx_fields(c, LLVMGetParam(where, 0));
        c->init_phase = true;
        c->pre_i = LLVMBuildZExt(c->b, LLVMGetParam(where, 1), c->i64, "");
        c->post_j = LLVMBuildZExt(c->b, LLVMGetParam(where, 2), c->i64, "");
        c->idx = c->pre_i;
        c->step = c->post_j; /* a draw is keyed by the pair (i, j), not by i alone */
        LLVMValueRef r = cg_to_bool(c, cg_expr(c, pj->conn_arg));
        LLVMBuildRet(c->b, LLVMBuildZExt(c->b, r, c->i32, ""));
    }

    /* delays(ctx, pre, post, begin, end, out): per-synapse delays in s, from their own random
       streams (after every population's and projection's) */
    LLVMValueRef delays = LLVMConstNull(c->ptr);
    if (pj->delay && pj->delay->kind != SX_CONST) {
        LLVMTypeRef dps[6] = {c->ptr, c->ptr, c->ptr, c->i64, c->i64, c->ptr};
        c->init_phase = true;
        c->pop_index = m->npops + m->nprojs + k;
        delays = setup_kernel(c, k, "delays", dps, 6, delays_kernel);
        c->pop_index = m->npops + k;
    }

    /* the delay, on the time grid */
    unsigned delay_steps = 0;
    if (pj->delay && pj->delay->kind == SX_CONST) {
        double d = nearbyint(pj->delay->v / m->dt);
        bool too_long = !(d <= 4294967295.0);
        if (too_long) {
            /* a time step far shorter than the delay: no delay table holds it (the runtime
               refuses anything past 2^24 steps too, with its limit) */
            diag_error(c->d, pj->span,
                       "the delay %g ms is %.3g steps of %g ms: too many for a "
                       "projection's delay",
                       pj->delay->v * 1e3, d, m->dt * 1e3);
            d = 0;
        }
        delay_steps = (unsigned)d;
        double rounded = delay_steps * m->dt;
        if (!too_long && pj->delay->v > 0 && fabs(rounded - pj->delay->v) > 0.01 * pj->delay->v)
            diag_warning(c->d, pj->span, "the delay %g ms is rounded to %g ms (the time step is %g ms)",
                         pj->delay->v * 1e3, rounded * 1e3, m->dt * 1e3);
    }
    static const int32_t CONN[] = {[CONN_ALL] = AXON_CONN_ALL, [CONN_ONE] = AXON_CONN_ONE,
                                   [CONN_RANDOM] = AXON_CONN_RANDOM,
                                   [CONN_INDEGREE] = AXON_CONN_INDEGREE,
                                   [CONN_OUTDEGREE] = AXON_CONN_OUTDEGREE,
                                   [CONN_WHERE] = AXON_CONN_WHERE, [CONN_FILE] = AXON_CONN_FILE};
    double p = pj->conn == CONN_RANDOM && pj->conn_arg ? pj->conn_arg->v : 0;
    unsigned kk = (pj->conn == CONN_INDEGREE || pj->conn == CONN_OUTDEGREE) && pj->conn_arg
                      ? (unsigned)pj->conn_arg->v : 0;
    /* delivery may be split by target ranges across threads when the handler touches only its
       synapses and their targets (reads no pre variable) */
    /* a third population is touched by on_pre on one thread (parts of a row cut by the
       targets' ranges would meet other projections' writes to it), by every_step and on_post
       on one thread when they write it */
    uint32_t flags = pj->on_pre.n && !block_reads_pre(&pj->on_pre) &&
                             !block_third(&pj->on_pre, true)
                         ? AXON_PROJ_SPLIT : 0;
    if (!block_writes_post(&pj->every_step) && !block_third(&pj->every_step, false) &&
        !block_writes_post(&pj->structure) && !block_third(&pj->structure, false))
        flags |= AXON_PROJ_EVERY_LOCAL;
    if (!(pj->pre == pj->post && block_writes_post(&pj->on_post) && block_reads_pre(&pj->on_post)) &&
        !block_third(&pj->on_post, false))
        flags |= AXON_PROJ_POST_LOCAL;
    if (syn_draws)
        flags |= AXON_PROJ_SYN_DRAWS;
    if (proj_reads_pre(pj))
        flags |= AXON_PROJ_READS_PRE;
    if (pj->via >= 0)
        flags |= pj->via_pre ? AXON_PROJ_VIA_PRE : AXON_PROJ_VIA_POST;
    if (c->post16)
        flags |= AXON_PROJ_POST16;
    if (c->blk_stride)
        flags |= AXON_PROJ_BLOCKS;
    if (defer)
        flags |= AXON_PROJ_DEFER_POST;
    /* the pre variables the kernels read (gathered from every MPI rank before they run),
       and whether one of them is also written at the target in the same population */
    LLVMValueRef *reads = calloc((size_t)c->pre_pop->nvars + 1, sizeof *reads);
    unsigned nreads = 0;
    for (int v = 0; v < c->pre_pop->nvars; v++) {
        if (!c->pre_read[v])
            continue;
        reads[nreads++] = LLVMConstInt(c->i32, (unsigned)v, 0);
        if (pj->pre == pj->post && c->post_wrote[v])
            flags |= AXON_PROJ_PRE_WRITTEN;
    }
    LLVMValueRef f[CG_PROJ_N];
    f[CG_PROJ_name] = cg_cstr(c, pj->name);
    f[CG_PROJ_type] = cg_cstr(c, pj->syn->name);
    f[CG_PROJ_pre] = LLVMConstInt(c->i32, (unsigned)pj->pre, 0);
    f[CG_PROJ_post] = LLVMConstInt(c->i32, (unsigned)pj->post, 0);
    f[CG_PROJ_connector] = LLVMConstInt(c->i32, (unsigned)CONN[pj->conn], 1);
    f[CG_PROJ_flags] = LLVMConstInt(c->i32, flags, 0);
    f[CG_PROJ_p] = cgm_f64(c, p);
    f[CG_PROJ_k] = LLVMConstInt(c->i32, kk, 0);
    f[CG_PROJ_autapses] = LLVMConstInt(c->i32, pj->autapses, 0);
    f[CG_PROJ_where] = where;
    f[CG_PROJ_delay_steps] = LLVMConstInt(c->i32, delay_steps, 0);
    f[CG_PROJ_nvars] = LLVMConstInt(c->i32, (unsigned)pj->nvars, 0);
    f[CG_PROJ_vars] = cg_var_descs(c, pj->syn, pj->vars, pj, pj->nvars, "synvars");
    f[CG_PROJ_init] = init;
    f[CG_PROJ_on_pre] = on_pre;
    f[CG_PROJ_continuous] = cont;
    f[CG_PROJ_on_post] = on_post;
    f[CG_PROJ_pre_after] = pre_after;
    f[CG_PROJ_post_after] = post_after;
    f[CG_PROJ_every_step] = every;
    f[CG_PROJ_nedges] = LLVMConstInt(c->i64, (unsigned long long)pj->nedges, 0);
    f[CG_PROJ_edge_pre] = index_array(c, pj->edge_pre, pj->nedges, "edge_pre");
    f[CG_PROJ_edge_post] = index_array(c, pj->edge_post, pj->nedges, "edge_post");
    f[CG_PROJ_delays] = delays;
    f[CG_PROJ_nevents] = LLVMConstInt(c->i32, (unsigned)pj->nevh, 0);
    f[CG_PROJ_event_var] = pj->nevh ? cg_global_array(c, c->i32, evv, (unsigned)pj->nevh,
                                                      "event_var")
                                    : LLVMConstNull(c->ptr);
    f[CG_PROJ_event_fn] = pj->nevh ? cg_global_array(c, c->ptr, evf, (unsigned)pj->nevh,
                                                     "event_fn")
                                   : LLVMConstNull(c->ptr);
    f[CG_PROJ_via] = LLVMConstInt(c->i32, (unsigned)(pj->via >= 0 ? pj->via : 0), 0);
    f[CG_PROJ_npre_reads] = LLVMConstInt(c->i32, nreads, 0);
    f[CG_PROJ_pre_reads] = nreads ? cg_global_array(c, c->i32, reads, nreads, "pre_reads")
                                  : LLVMConstNull(c->ptr);
    f[CG_PROJ_on_post_at] = on_post_at;
    f[CG_PROJ_on_pre_replay] = on_pre_replay;
    f[CG_PROJ_post_replay] = post_replay;
    f[CG_PROJ_post_decay] = post_decay;
    free(reads);
    free(c->pre_read);
    free(c->post_wrote);
    c->pre_read = c->post_wrote = NULL;
    free(evf);
    free(evv);
    free(c->env);
    free(c->env_pre);
    free(c->env_post);
    free(c->post_dirty);
    free(c->pre_base);
    free(c->post_base);
    free(c->temps);
    free(c->syn_base);
    c->env = c->env_pre = c->env_post = c->temps = NULL;
    c->proj = NULL;
    c->post16 = false;
    c->blk_stride = c->blk_tstride = 0;
    free(c->side_val);
    c->side_val = NULL;
    free(c->third_base);
    free(c->env_third);
    free(c->third_dirty);
    c->third_base = c->env_third = NULL;
    c->third_dirty = NULL;
    c->third_pop = NULL;
    return cg_struct_const(c, &cg_proj_struct, f);
}
