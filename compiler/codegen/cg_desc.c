/*
 * The model descriptor (axon_model_desc of runtime/include/axon/model.h) as LLVM constants.
 *
 * model.h is the one definition of the layout: every struct the generated code builds or
 * reads is described by a table of (offsetof(struct, member), kind) made here from the member
 * lists of cg_int.h, checked against the struct at compile time, and the LLVM types are built
 * from the tables. The ABI version, variable kinds, connectors, record kinds and projection
 * flags are the header's constants.
 */
#include "codegen/cg_int.h"

#include <llvm-c/Target.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the tables ------------------------------------------------------------------------ */

#define CG_CTYPE_I32 int32_t
#define CG_CTYPE_I64 int64_t
#define CG_CTYPE_F64 double
#define CG_CTYPE_PTR const void *
/* whether member expression x holds a value of the kind (x is not evaluated) */
#define CG_IS_I32(x) _Generic((x), int32_t : 1, uint32_t : 1, default : 0)
#define CG_IS_I64(x) _Generic((x), int64_t : 1, uint64_t : 1, default : 0)
#define CG_IS_F64(x) _Generic((x), double : 1, default : 0)
#define CG_IS_PTR(x)                                                                               \
    (sizeof(x) == sizeof(void *) &&                                                                \
     _Generic((x), float : 0, double : 0, int32_t : 0, uint32_t : 0, int64_t : 0, uint64_t : 0,    \
              default : 1))

/* A C struct with the listed members, laid out by the C compiler as LLVM lays out the
 * corresponding literal struct type: S must have each member at the mirror's offset and the
 * mirror's size, so no member of S is missing from the list, none is out of order, and none
 * follows the last one listed. */
#define CG_MIRROR_MEMBER(S, m, k) CG_CTYPE_##k m;
#define CG_CHECK_MEMBER(S, m, k)                                                                   \
    _Static_assert(offsetof(S, m) == offsetof(struct cg_mirror_##S, m),                            \
                   #S "." #m " is not where codegen's table puts it: update cg_int.h");            \
    _Static_assert(CG_IS_##k(((S *)0)->m), #S "." #m " is not of kind " #k " (cg_int.h)");
#define CG_ENTRY(S, m, k) {offsetof(S, m), CG_KIND_##k, #m},
#define CG_TABLE(S, LIST, var)                                                                     \
    struct cg_mirror_##S {                                                                         \
        LIST(CG_MIRROR_MEMBER, S)                                                                  \
    };                                                                                             \
    LIST(CG_CHECK_MEMBER, S)                                                                       \
    _Static_assert(sizeof(S) == sizeof(struct cg_mirror_##S),                                      \
                   #S " has members that codegen's table lacks: update cg_int.h");                 \
    static const cg_field S##_fields[] = {LIST(CG_ENTRY, S)};                                      \
    const cg_struct var = {#S, sizeof(S), (int)(sizeof S##_fields / sizeof S##_fields[0]),         \
                           S##_fields};

CG_TABLE(axon_step_ctx, CG_CTX_FIELDS, cg_ctx_struct)
CG_TABLE(axon_var_desc, CG_VAR_FIELDS, cg_var_struct)
CG_TABLE(axon_pop_desc, CG_POP_FIELDS, cg_pop_struct)
CG_TABLE(axon_proj_desc, CG_PROJ_FIELDS, cg_proj_struct)
CG_TABLE(axon_record_desc, CG_REC_FIELDS, cg_rec_struct)
CG_TABLE(axon_model_desc, CG_MODEL_FIELDS, cg_model_struct)
CG_TABLE(axon_param_desc, CG_PARAM_FIELDS, cg_param_struct)
CG_TABLE(axon_change_desc, CG_CHANGE_FIELDS, cg_change_struct)
CG_TABLE(axon_select_desc, CG_SELECT_FIELDS, cg_select_struct)

LLVMTypeRef cg_kind_type(cg *c, cg_kind k)
{
    switch (k) {
    case CG_KIND_I32: return c->i32;
    case CG_KIND_I64: return c->i64;
    case CG_KIND_F64: return c->f64;
    case CG_KIND_PTR: break;
    }
    return c->ptr;
}

/* The C layout and LLVM's agree for every target Axon runs on (natural alignment); checked
 * here against the module's data layout all the same, since a mismatch would make the runtime
 * read garbage rather than fail. */
LLVMTypeRef cg_struct_type(cg *c, const cg_struct *s)
{
    LLVMTypeRef ts[64];
    int n = s->n < 64 ? s->n : 64;
    for (int k = 0; k < n; k++)
        ts[k] = cg_kind_type(c, s->fields[k].kind);
    LLVMTypeRef t = LLVMStructTypeInContext(c->ctx, ts, (unsigned)n, 0);
    LLVMTargetDataRef td = LLVMGetModuleDataLayout(c->mod);
    bool same = n == s->n && LLVMABISizeOfType(td, t) == s->size;
    for (int k = 0; k < n && same; k++)
        same = LLVMOffsetOfElement(td, t, (unsigned)k) == s->fields[k].offset;
    if (!same) {
        if (!c->failed)
            diag_error(c->d, SPAN_NONE,
                       "internal error: the layout of %s differs between "
                       "<axon/model.h> and this target's code",
                       s->name);
        c->failed = true;
    }
    return t;
}

LLVMValueRef cg_struct_const(cg *c, const cg_struct *s, LLVMValueRef *v)
{
    LLVMTypeRef t = cg_struct_type(c, s);
    for (int k = 0; k < s->n; k++) {
        if (!v[k] || LLVMTypeOf(v[k]) != cg_kind_type(c, s->fields[k].kind)) {
            if (!c->failed)
                diag_error(c->d, SPAN_NONE, "internal error: %s.%s has %s", s->name,
                           s->fields[k].name, v[k] ? "a value of the wrong type" : "no value");
            c->failed = true;
            return LLVMConstNull(t);
        }
    }
    return LLVMConstNamedStruct(t, v, (unsigned)s->n);
}

/* ---- constants ---------------------------------------------------------------------------- */

LLVMValueRef cg_cstr(cg *c, const char *s)
{
    LLVMValueRef init = LLVMConstStringInContext(c->ctx, s, (unsigned)strlen(s), 0);
    LLVMValueRef g = cg_const_global(c, init, "str");
    LLVMSetUnnamedAddress(g, LLVMGlobalUnnamedAddr);
    return g;
}

LLVMValueRef cg_global_array(cg *c, LLVMTypeRef elem, LLVMValueRef *vals, unsigned n,
                             const char *name)
{
    if (!n)
        return LLVMConstNull(c->ptr);
    return cg_const_global(c, LLVMConstArray2(elem, vals, n), name);
}

static LLVMValueRef i32v(cg *c, long v)
{
    return LLVMConstInt(c->i32, (unsigned long long)v, 1);
}

/* The first assignment to variable v of the type (space VS_STATE) in block b, or NULL. */
static const sm_stmt *first_assignment(const sm_block *b, int v)
{
    for (int k = 0; k < b->n; k++) {
        const sm_stmt *st = b->v[k], *in;
        if (st->kind == ST_ASSIGN && st->space == VS_STATE && st->idx == v)
            return st;
        if (st->kind == ST_IF && ((in = first_assignment(&st->then, v)) ||
                                  (in = first_assignment(&st->els, v))))
            return in;
    }
    return NULL;
}

/* Where variable v of type t is changed, for messages about its values (a NaN found in the
 * state): its differential equation, else its first assignment in a step, reset, event or
 * synaptic handler, else its declaration. */
static ax_span var_equation(const sm_type *t, int v)
{
    const sm_var *sv = &t->vars[v];
    if (sv->ode >= 0)
        return t->odes[sv->ode].span;
    const sm_block *blocks[] = {&t->every_step, &t->step, &t->reset, &t->on_pre, &t->on_post,
                                &t->continuous};
    for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++) {
        const sm_stmt *st = first_assignment(blocks[k], v);
        if (st)
            return st->span;
    }
    for (int k = 0; k < t->nevents; k++) {
        const sm_stmt *st = first_assignment(&t->events[k].body, v);
        if (st)
            return st->span;
    }
    return sv->span;
}

/* "file:line:col" of variable v's equation (var_equation) as a constant string, or a null
 * pointer when it has none (a compiler-made variable). */
static LLVMValueRef var_where(cg *c, const sm_type *t, int v)
{
    if (!t || v < 0 || v >= t->nvars)
        return LLVMConstNull(c->ptr);
    ax_span sp = var_equation(t, v);
    const char *file = sp.file >= 0 ? diag_file_name(c->d, sp.file) : NULL;
    if (!file)
        return LLVMConstNull(c->ptr);
    char *w;
    if (asprintf(&w, "%s:%d:%d", file, sp.line, sp.col) < 0)
        return LLVMConstNull(c->ptr);
    LLVMValueRef g = cg_cstr(c, w);
    free(w);
    return g;
}

LLVMValueRef cg_var_descs(cg *c, const sm_type *t, const ir_var *vars, const ir_proj *pj, int n,
                          const char *name)
{
    const ir_synvar *sv = pj ? pj->sv : NULL;
    static const int32_t KIND[] = {[IRV_STATE] = AXON_VAR_STATE,
                                   [IRV_PARAM] = AXON_VAR_PARAM,
                                   [IRV_INPUT] = AXON_VAR_INPUT,
                                   [IRV_HIDDEN] = AXON_VAR_HIDDEN};
    LLVMValueRef *vs = calloc((size_t)n + 1, sizeof *vs);
    for (int k = 0; k < n; k++) {
        char u[64];
        dim_format_si(vars[k].dim, u, sizeof u);
        /* a projection's variable kept once per pre or post neuron */
        ir_side side = sv ? sv[k].side : IRS_SYN;
        int32_t kind = side == IRS_PRE    ? AXON_VAR_PER_PRE
                       : side == IRS_POST ? AXON_VAR_PER_POST
                                          : KIND[vars[k].kind];
        LLVMValueRef f[CG_VAR_N];
        f[CG_VAR_name] = cg_cstr(c, vars[k].name);
        f[CG_VAR_unit] = cg_cstr(c, u);
        f[CG_VAR_kind] = i32v(c, kind);
        f[CG_VAR_is_bool] = i32v(c, vars[k].boolean);
        f[CG_VAR_where] = var_where(c, t, vars[k].sm_var);
        f[CG_VAR_elem] = i32v(c, vars[k].elem);
        int lane = 0, stride = pj ? ir_pack(pj, k, &lane) : 1, block = 0, bs, bl;
        if (pj && ir_block(c->m, pj, k, c->fp == c->f64 ? 8 : 4, &bs, &bl) > 1) {
            block = AXON_SYN_BLOCK; /* with the targets (ABI 13) */
            stride = bs;
            lane = bl;
        }
        f[CG_VAR_stride] = i32v(c, stride);
        f[CG_VAR_lane] = i32v(c, lane);
        f[CG_VAR_block] = i32v(c, block);
        vs[k] = cg_struct_const(c, &cg_var_struct, f);
    }
    LLVMValueRef g = cg_global_array(c, cg_struct_type(c, &cg_var_struct), vs, (unsigned)n, name);
    free(vs);
    return g;
}

/* ---- the descriptor ----------------------------------------------------------------------- */

/* signals(ctx, values): every module signal's value in step ctx->step (model.h). */
static LLVMValueRef signals_kernel(cg *c)
{
    const ir_model *m = c->m;
    if (m->nsignals == 0)
        return LLVMConstNull(c->ptr);
    LLVMTypeRef ps[2] = {c->ptr, c->ptr};
    LLVMValueRef fn = cg_function(c, LLVMFunctionType(c->vd, ps, 2, 0), "signals");
    LLVMPositionBuilderAtEnd(c->b, LLVMAppendBasicBlockInContext(c->ctx, fn, "entry"));
    cg_ctx_fields(c, LLVMGetParam(fn, 0));
    c->pop = NULL;
    c->proj = NULL;
    c->init_phase = false;
    for (int k = 0; k < m->nsignals; k++) {
        if (!m->signals[k].value)
            continue; /* the mean of a population's variable: the runtime's */
        LLVMValueRef v = cg_to_fp(c, cg_expr(c, m->signals[k].value));
        if (c->fp != c->f64)
            v = LLVMBuildFPExt(c->b, v, c->f64, "");
        LLVMBuildStore(c->b, v,
                       LLVMBuildGEP2(c->b, c->f64, LLVMGetParam(fn, 1),
                                     (LLVMValueRef[]){LLVMConstInt(c->i64, (unsigned)k, 0)}, 1,
                                     ""));
    }
    LLVMBuildRetVoid(c->b);
    return fn;
}

static LLVMValueRef pop_desc(cg *c, int i, LLVMValueRef init, LLVMValueRef update)
{
    const ir_pop *p = &c->m->pops[i];
    LLVMValueRef f[CG_POP_N];
    f[CG_POP_vars] = cg_var_descs(c, p->type, p->vars, NULL, p->nvars, "vars");
    f[CG_POP_name] = cg_cstr(c, p->name);
    f[CG_POP_type] = cg_cstr(c, p->type_name);
    f[CG_POP_size] = i32v(c, p->size);
    f[CG_POP_nvars] = i32v(c, p->nvars);
    f[CG_POP_init] = init;
    f[CG_POP_update] = update;
    f[CG_POP_spiking] = i32v(c, p->fire != NULL);
    LLVMValueRef *sel = calloc((size_t)p->nselects + 1, sizeof *sel);
    for (int k = 0; k < p->nselects; k++) {
        LLVMValueRef g[CG_SELECT_N];
        g[CG_SELECT_var] = i32v(c, p->selects[k].src);
        g[CG_SELECT_flag] = i32v(c, p->selects[k].flag);
        g[CG_SELECT_k_slot] = i32v(c, p->selects[k].k_slot);
        g[CG_SELECT_k] = i32v(c, (long)p->selects[k].k);
        sel[k] = cg_struct_const(c, &cg_select_struct, g);
    }
    f[CG_POP_nselects] = i32v(c, p->nselects);
    f[CG_POP_selects] = cg_global_array(c, cg_struct_type(c, &cg_select_struct), sel,
                                        (unsigned)p->nselects, "selects");
    free(sel);
    return cg_struct_const(c, &cg_pop_struct, f);
}

static LLVMValueRef record_desc(cg *c, const ir_record *rc)
{
    static const int32_t KIND[] = {[REC_SPIKES] = AXON_REC_SPIKES,
                                   [REC_STATE] = AXON_REC_STATE,
                                   [REC_RATE] = AXON_REC_RATE,
                                   [REC_WEIGHTS] = AXON_REC_WEIGHTS,
                                   [REC_SPIKE_VALUES] = AXON_REC_SPIKE_VALUES};
    LLVMValueRef *sub = calloc((size_t)rc->nsubset + 1, sizeof *sub);
    for (int k = 0; k < rc->nsubset; k++)
        sub[k] = i32v(c, rc->subset[k]);
    /* the sampling period in whole steps, at least one */
    long every = rc->every > 0 ? lround(rc->every / c->m->dt) : 1;
    LLVMValueRef f[CG_REC_N];
    f[CG_REC_kind] = i32v(c, KIND[rc->kind]);
    f[CG_REC_target] = i32v(c, rc->target);
    f[CG_REC_var] = i32v(c, rc->var);
    f[CG_REC_nsubset] = i32v(c, rc->nsubset);
    f[CG_REC_subset] = cg_global_array(c, c->i32, sub, (unsigned)rc->nsubset, "subset");
    f[CG_REC_every] = i32v(c, every < 1 ? 1 : every);
    free(sub);
    return cg_struct_const(c, &cg_rec_struct, f);
}

/* The parameter table (model.h, ABI 4). The language declares no ranges: every finite
 * value is valid, a truth value is 0 or 1, and a parameter that picks an element of a target's
 * vector (post.X[seg]) one of its elements. */
static LLVMValueRef param_table(cg *c)
{
    const ir_model *m = c->m;
    LLVMValueRef *vs = calloc((size_t)m->nparams + 1, sizeof *vs);
    for (int k = 0; k < m->nparams; k++) {
        const ir_param *p = &m->params[k];
        char u[64];
        if (p->boolean)
            snprintf(u, sizeof u, "1");
        else
            dim_si_name(p->dim, u, sizeof u);
        uint32_t flags = (p->proj ? AXON_PARAM_PROJ : 0) | (p->boolean ? AXON_PARAM_BOOL : 0);
        if ((p->slot >= 0 && c->fixed[p->slot]) || p->elements > 0)
            flags |= AXON_PARAM_FIXED; /* an element's number is fixed once connected */
        LLVMValueRef f[CG_PARAM_N];
        f[CG_PARAM_name] = cg_cstr(c, p->name);
        f[CG_PARAM_unit] = cg_cstr(c, u);
        f[CG_PARAM_kind] = i32v(c, p->var >= 0 ? AXON_PARAM_PER_ITEM : AXON_PARAM_SHARED);
        f[CG_PARAM_flags] = i32v(c, (long)flags);
        f[CG_PARAM_owner] = i32v(c, p->owner);
        f[CG_PARAM_index] = i32v(c, p->var >= 0 ? p->var : p->slot);
        f[CG_PARAM_value] = cgm_f64(c, p->var >= 0 ? NAN : p->value);
        /* the runtime checks an element's number of every synapse after connecting */
        f[CG_PARAM_min] = cgm_f64(c, p->boolean || p->elements > 0 ? 0 : -DBL_MAX);
        f[CG_PARAM_max] = cgm_f64(c, p->boolean ? 1 : p->elements > 0 ? p->elements - 1
                                                                       : DBL_MAX);
        vs[k] = cg_struct_const(c, &cg_param_struct, f);
    }
    LLVMValueRef g = cg_global_array(c, cg_struct_type(c, &cg_param_struct), vs,
                                     (unsigned)m->nparams, "params");
    free(vs);
    return g;
}

/* The protocol's changes (model.h, ABI 5). A parameter that a kernel folded into its code
 * cannot be changed: an error at the change. */
static LLVMValueRef change_table(cg *c)
{
    const ir_model *m = c->m;
    LLVMValueRef *vs = calloc((size_t)m->nevents + 1, sizeof *vs);
    for (int k = 0; k < m->nevents; k++) {
        const ir_event *e = &m->events[k];
        const ir_param *p = &m->params[e->param];
        if (p->slot >= 0 && c->fixed[p->slot]) {
            bool period = c->fixed[p->slot] & CG_FIXED_PERIOD;
            diag_error(c->d, e->span, "'%s' is folded into the code (%s): a protocol cannot "
                                      "change it",
                       p->name, period ? "the period of 'structure every'" : "an exponent");
            if (period)
                diag_hint(c->d, "give its value when compiling (--set %s=...)", p->name);
            else
                diag_hint(c->d, "give its value when compiling (--set %s=...), or write the "
                                "power with exp and log",
                          p->name);
            c->failed = true;
        }
        LLVMValueRef f[CG_CHANGE_N];
        f[CG_CHANGE_step] = LLVMConstInt(c->i64, e->step, 0);
        f[CG_CHANGE_param] = i32v(c, e->param);
        f[CG_CHANGE_flags] = i32v(c, 0);
        f[CG_CHANGE_value] = cgm_f64(c, e->value);
        vs[k] = cg_struct_const(c, &cg_change_struct, f);
    }
    LLVMValueRef g = cg_global_array(c, cg_struct_type(c, &cg_change_struct), vs,
                                     (unsigned)m->nevents, "changes");
    free(vs);
    return g;
}

/* int main(int argc, char **argv) { return axon_exe_main(argc, argv, &model); } */
static void exe_main(cg *c, LLVMValueRef model)
{
    LLVMTypeRef mps[2] = {c->i32, c->ptr};
    LLVMValueRef mainf = LLVMAddFunction(c->mod, "main", LLVMFunctionType(c->i32, mps, 2, 0));
    LLVMPositionBuilderAtEnd(c->b, LLVMAppendBasicBlockInContext(c->ctx, mainf, "entry"));
    LLVMTypeRef eps[3] = {c->i32, c->ptr, c->ptr};
    LLVMValueRef args[3] = {LLVMGetParam(mainf, 0), LLVMGetParam(mainf, 1), model};
    LLVMBuildRet(c->b, cgm_call(c, "axon_exe_main", c->i32, eps, 3, args));
}

void cg_descriptor(cg *c, LLVMValueRef *inits, LLVMValueRef *updates, LLVMValueRef *quiets)
{
    const ir_model *m = c->m;
    int n = m->npops > m->nprojs ? m->npops : m->nprojs;
    n = n > m->nrecords ? n : m->nrecords;
    n = n > m->nsignals ? n : m->nsignals;
    LLVMValueRef *v = calloc((size_t)n + 1, sizeof *v);
    LLVMValueRef f[CG_MODEL_N];
    f[CG_MODEL_abi] = i32v(c, AXON_ABI_VERSION);
    f[CG_MODEL_name] = cg_cstr(c, m->module);
    f[CG_MODEL_precision] = i32v(c, c->o->precision);
    f[CG_MODEL_dt] = cgm_f64(c, m->dt);
    f[CG_MODEL_duration] = cgm_f64(c, m->duration);

    for (int k = 0; k < m->nprojs && !c->failed; k++)
        v[k] = cg_projection(c, k);
    f[CG_MODEL_nprojs] = i32v(c, m->nprojs);
    f[CG_MODEL_projs] =
        cg_global_array(c, cg_struct_type(c, &cg_proj_struct), v, (unsigned)m->nprojs, "projs");
    for (int i = 0; i < m->npops; i++)
        v[i] = pop_desc(c, i, inits[i], updates[i]);
    f[CG_MODEL_npops] = i32v(c, m->npops);
    f[CG_MODEL_pops] =
        cg_global_array(c, cg_struct_type(c, &cg_pop_struct), v, (unsigned)m->npops, "pops");
    /* ABI 8: the populations' update_quiet kernels, when one has one */
    bool quiet = false;
    for (int i = 0; i < m->npops; i++) {
        quiet |= quiets[i] != NULL;
        v[i] = quiets[i] ? quiets[i] : LLVMConstNull(c->ptr);
    }
    f[CG_MODEL_update_quiet] =
        cg_global_array(c, c->ptr, v, quiet ? (unsigned)m->npops : 0, "update_quiet");
    for (int r = 0; r < m->nrecords; r++)
        v[r] = record_desc(c, &m->records[r]);
    f[CG_MODEL_nrecords] = i32v(c, m->nrecords);
    f[CG_MODEL_records] =
        cg_global_array(c, cg_struct_type(c, &cg_rec_struct), v, (unsigned)m->nrecords, "records");

    f[CG_MODEL_nsignals] = i32v(c, m->nsignals);
    for (int k = 0; k < m->nsignals; k++)
        v[k] = cg_cstr(c, m->signals[k].name);
    f[CG_MODEL_signal_names] = cg_global_array(c, c->ptr, v, (unsigned)m->nsignals, "signal_names");
    f[CG_MODEL_signals] = signals_kernel(c);
    /* -1 for a signal with an expression; else the population and variable it follows */
    for (int k = 0; k < m->nsignals; k++)
        v[k] = i32v(c, m->signals[k].value ? -1 : m->signals[k].pop);
    f[CG_MODEL_signal_pop] = cg_global_array(c, c->i32, v, (unsigned)m->nsignals, "signal_pop");
    for (int k = 0; k < m->nsignals; k++)
        v[k] = i32v(c, m->signals[k].value ? -1 : m->signals[k].var);
    f[CG_MODEL_signal_var] = cg_global_array(c, c->i32, v, (unsigned)m->nsignals, "signal_var");
    free(v);
    /* every kernel is built: what they derived, and which parameters they folded, is known */
    f[CG_MODEL_derive] = cg_derive_kernel(c);
    f[CG_MODEL_nderived] = i32v(c, c->nderived);
    f[CG_MODEL_nparams] = i32v(c, m->nparams);
    f[CG_MODEL_params] = param_table(c);
    f[CG_MODEL_nshared] = i32v(c, m->nshared);
    f[CG_MODEL_shared_defaults] =
        m->nshared ? cg_f64_table(c, "shared_defaults", m->shared_vals, m->nshared)
                   : LLVMConstNull(c->ptr);
    f[CG_MODEL_nchanges] = i32v(c, m->nevents);
    f[CG_MODEL_changes] = change_table(c);
    if (c->failed)
        return;

    /* the one symbol the module exports */
    LLVMValueRef init = cg_struct_const(c, &cg_model_struct, f);
    LLVMValueRef g = LLVMAddGlobal(c->mod, LLVMTypeOf(init), cg_prefix(c));
    LLVMSetInitializer(g, init);
    LLVMSetGlobalConstant(g, 1);
    if (c->o->with_main)
        exe_main(c, g);
}
