/* Internals shared by the code generator's files. */
#ifndef AXON_CG_INT_H
#define AXON_CG_INT_H

#include "codegen/cg.h"

#include "axon/model.h"

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

#include <stddef.h>

/* A built and optimised LLVM module with the target machine it was built for. */
typedef struct {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMTargetMachineRef tm;
    bool own_ctx;
} cg_unit;

/* The target machine for o->target_cpu (NULL: the host CPU with its features), or NULL after a
 * diagnostic (an unknown CPU among them); whether its code has FMA instructions, and whether
 * it has AVX-512's masked stores (cg_target.c). */
LLVMTargetMachineRef cg_target_machine(const cg_opts *o, diag_ctx *d);
bool cg_target_fma(LLVMTargetMachineRef tm, const cg_opts *o);
bool cg_target_masked_store(LLVMTargetMachineRef tm, const cg_opts *o);

/* Builds and optimises the module of m in in_ctx (NULL: a context of its own); false after a
 * diagnostic. cg_free_unit releases what is left in u. */
bool cg_build_unit(const ir_model *m, const cg_opts *o, diag_ctx *d, cg_unit *u,
                   LLVMContextRef in_ctx);
void cg_free_unit(cg_unit *u);

/*
 * The C structs of model.h as the generated code sees them: one list per struct of its
 * members in order, each with the kind of value it holds. From a list cg_desc.c makes a table
 * of (offsetof(struct, member), kind), with _Static_asserts that the table matches the struct
 * (every member at its offset, of its kind, and nothing after the last: a member added to
 * model.h without adding it here fails to compile), and the LLVM type is built from that
 * table. Code fills a constant of the type by member: v[CG_POP_update] = ... (cg_struct_const).
 * A member added into what was padding keeps every offset and the size, so it cannot be
 * detected; the descriptor then holds 0 there (as AXON_PROJ flags did before ABI 3).
 */
#define CG_CTX_FIELDS(X, A)                                                                    \
    X(A, t, F64) X(A, step, I64) X(A, seed, I64) X(A, signals, PTR) X(A, shared, PTR)          \
    X(A, derived, PTR) X(A, syn_offset, PTR) X(A, pop_vars, PTR) X(A, syn_whole, PTR)
#define CG_VAR_FIELDS(X, A)                                                                    \
    X(A, name, PTR) X(A, unit, PTR) X(A, kind, I32) X(A, is_bool, I32) X(A, where, PTR)        \
    X(A, elem, I32) X(A, stride, I32) X(A, lane, I32) X(A, block, I32)
#define CG_POP_FIELDS(X, A)                                                                    \
    X(A, name, PTR) X(A, type, PTR) X(A, size, I32) X(A, nvars, I32) X(A, vars, PTR)           \
    X(A, init, PTR) X(A, update, PTR) X(A, spiking, I32) X(A, nselects, I32) X(A, selects, PTR)
#define CG_SELECT_FIELDS(X, A) X(A, var, I32) X(A, flag, I32) X(A, k_slot, I32) X(A, k, I32)
#define CG_PROJ_FIELDS(X, A)                                                                   \
    X(A, name, PTR) X(A, type, PTR) X(A, pre, I32) X(A, post, I32) X(A, connector, I32)        \
    X(A, flags, I32) X(A, p, F64) X(A, k, I32) X(A, autapses, I32) X(A, where, PTR)            \
    X(A, delay_steps, I32) X(A, nvars, I32) X(A, vars, PTR) X(A, init, PTR) X(A, on_pre, PTR)  \
    X(A, continuous, PTR) X(A, on_post, PTR) X(A, pre_after, PTR) X(A, post_after, PTR)        \
    X(A, every_step, PTR) X(A, nedges, I64) X(A, edge_pre, PTR) X(A, edge_post, PTR)           \
    X(A, delays, PTR) X(A, nevents, I32) X(A, event_var, PTR) X(A, event_fn, PTR)       \
    X(A, via, I32) X(A, npre_reads, I32) X(A, pre_reads, PTR) X(A, on_post_at, PTR)  \
    X(A, on_pre_replay, PTR) X(A, post_replay, PTR) X(A, post_decay, PTR)
#define CG_REC_FIELDS(X, A)                                                                    \
    X(A, kind, I32) X(A, target, I32) X(A, var, I32) X(A, nsubset, I32) X(A, subset, PTR)      \
    X(A, every, I32)
#define CG_MODEL_FIELDS(X, A)                                                                  \
    X(A, abi, I32) X(A, name, PTR) X(A, precision, I32) X(A, dt, F64) X(A, duration, F64)      \
    X(A, npops, I32) X(A, pops, PTR) X(A, nprojs, I32) X(A, projs, PTR) X(A, nrecords, I32)    \
    X(A, records, PTR) X(A, nsignals, I32) X(A, signal_names, PTR) X(A, signals, PTR)          \
    X(A, signal_pop, PTR) X(A, signal_var, PTR) X(A, nparams, I32) X(A, params, PTR)           \
    X(A, nshared, I32) X(A, shared_defaults, PTR) X(A, nderived, I32) X(A, derive, PTR)      \
    X(A, nchanges, I32) X(A, changes, PTR) X(A, update_quiet, PTR)
#define CG_CHANGE_FIELDS(X, A) X(A, step, I64) X(A, param, I32) X(A, flags, I32) X(A, value, F64)
#define CG_PARAM_FIELDS(X, A)                                                                  \
    X(A, name, PTR) X(A, unit, PTR) X(A, kind, I32) X(A, flags, I32) X(A, owner, I32)          \
    X(A, index, I32) X(A, value, F64) X(A, min, F64) X(A, max, F64)

/* member indices: CG_POP_update, CG_MODEL_dt, ...; CG_POP_N members */
#define CG_FIELD_INDEX(tag, m, k) tag##_##m,
enum { CG_CTX_FIELDS(CG_FIELD_INDEX, CG_CTX) CG_CTX_N };
enum { CG_VAR_FIELDS(CG_FIELD_INDEX, CG_VAR) CG_VAR_N };
enum { CG_POP_FIELDS(CG_FIELD_INDEX, CG_POP) CG_POP_N };
enum { CG_PROJ_FIELDS(CG_FIELD_INDEX, CG_PROJ) CG_PROJ_N };
enum { CG_REC_FIELDS(CG_FIELD_INDEX, CG_REC) CG_REC_N };
enum { CG_MODEL_FIELDS(CG_FIELD_INDEX, CG_MODEL) CG_MODEL_N };
enum { CG_PARAM_FIELDS(CG_FIELD_INDEX, CG_PARAM) CG_PARAM_N };
enum { CG_CHANGE_FIELDS(CG_FIELD_INDEX, CG_CHANGE) CG_CHANGE_N };
enum { CG_SELECT_FIELDS(CG_FIELD_INDEX, CG_SELECT) CG_SELECT_N };

typedef enum { CG_KIND_I32, CG_KIND_I64, CG_KIND_F64, CG_KIND_PTR } cg_kind;
typedef struct {
    size_t offset;
    cg_kind kind;
    const char *name;
} cg_field;
typedef struct {
    const char *name; /* the C type */
    size_t size;
    int n;
    const cg_field *fields;
} cg_struct;
/* axon_step_ctx, axon_var_desc, axon_pop_desc, axon_proj_desc, axon_record_desc,
 * axon_model_desc, axon_param_desc (cg_desc.c) */
extern const cg_struct cg_ctx_struct, cg_var_struct, cg_pop_struct, cg_proj_struct,
    cg_rec_struct, cg_model_struct, cg_param_struct, cg_change_struct, cg_select_struct;

typedef struct cg_dv cg_dv; /* a derived value codegen added (cg_param.c) */

/* Event-driven decay factors exp(B k dt) come from a table for k < CG_DECAY_TABLE (cg_syn.c). */
#define CG_DECAY_TABLE 4096

typedef struct {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMTypeRef f64, f32, fp, i1, i8, i32, i64, ptr, vd;
    const cg_opts *o;
    diag_ctx *d;
    const ir_model *m;
    /* the kernel being built: a population's, or a projection's (proj set) */
    const ir_proj *proj;
    const ir_pop *pre_pop, *post_pop;
    LLVMValueRef *env_pre, *env_post;    /* loaded pre/post values (by storage slot) */
    LLVMValueRef *pre_base, *post_base;  /* array pointers of pre/post variables */
    bool *post_dirty;
    /* over every kernel of the projection being built: the pre variables read, the post
       variables written (by storage slot; AXON_PROJ_PRE_WRITTEN, pre_reads: ABI 9) */
    bool *pre_read, *post_wrote;
    /* a third population (`via`): its storage, array pointers, loaded values, writes */
    const ir_pop *third_pop;
    LLVMValueRef *third_base, *env_third;
    bool *third_dirty;
    LLVMValueRef pre_i, post_j;          /* endpoint indices (i64) */
    LLVMValueRef *syn_base;              /* per-synapse variable arrays */
    LLVMValueRef pre_arr, post_arr;      /* endpoint arrays (uint32 by synapse) */
    bool post16;                         /* the row kernels' post_arr holds uint16 targets
                                            (AXON_PROJ_POST16, ABI 10) */
    int blk_stride, blk_tstride;         /* AXON_PROJ_BLOCKS (ABI 13): a block's elements of
                                            the variable and of the targets (uint16); else 0 */
    const sm_block *handler;             /* the synapse handler being compiled */
    LLVMValueRef syn_s;                  /* synapse index (i64) */
    LLVMValueRef syn_off;                /* ctx->syn_offset (ABI 7; handlers ABI 8), or NULL */
    LLVMValueRef syn_whole;              /* ctx->syn_whole in on_post and event kernels (ABI 10) */
    LLVMValueRef syn_off0;               /* the module's constant 0 read when it is NULL (one
                                            global, so that kernels stay identical) */
    LLVMValueRef syn_of;                 /* on_post: synapse of each post-ordered entry */
    LLVMValueRef delay_out;              /* delays kernel: the output array (double) */
    LLVMValueRef dense_j0, dense_b;      /* row kernels of dense rows: first target, begin */
    LLVMValueRef pf_end;                 /* the end of a row or column (prefetching) */
    LLVMValueRef *clock_f;               /* post_decay: each per-post variable's factor */
    LLVMValueRef rp_hist, rp_last;       /* on_pre_replay: the post spike histories, their */
    LLVMValueRef rp_lo, rp_base;         /* last steps, the row's first unseen step, the base
                                            (model.h, ABI 11); rp_hist NULL elsewhere */
    bool rp_only;                        /* ... the replay without on_pre (post_replay) */
    LLVMValueRef rp_list, rp_n, rp_c0;   /* ... the chunk's listed synapses (places from
                                            rp_c0), their count (allocas) */
    LLVMValueRef rp_at, rp_end, rp_m;    /* ... per listed synapse its next and last spike's
                                            place in hist; the count of those left (allocas) */
    LLVMValueRef t_ev;                   /* event time of a synapse kernel (double) */
    LLVMValueRef *side_val;              /* values of the fixed endpoint's side (by storage slot) */
    const ir_pop *pop;
    int pop_index;
    bool init_phase;
    bool drew;              /* a random draw was made (rand_draw) since last cleared */
    bool batch_draws;       /* a loop over consecutive indices: normal draws in batches */
    bool with_structure; /* cg_syn.c: the every_step loop being built runs the structure update */
    LLVMValueRef *env;      /* current value of each storage slot */
    LLVMValueRef *temps;    /* VS_TEMP values */
    int ntemps;
    LLVMValueRef idx;       /* neuron index (i64) */
    LLVMValueRef t, step, seed, signals; /* from the step context */
    bool fma;               /* the CPU has fused multiply-add: cgm_fma is one instruction */
    bool masked_store;      /* the CPU stores a vector's lanes under a mask in one instruction */
    bool contract;          /* fuse a * b + c in expressions (an integration scheme's update) */
    /* exprel in an update kernel (cgm_exprel, which counts them in nexprel): CG_EXPREL_FULL
       the whole function, CG_EXPREL_FAST only its branch for small arguments, and "the
       argument is not small" or-ed into exprel_big (i1) */
    int exprel_mode;
    bool defer_reset;       /* the update body leaves the reset to reset_fn (cg.c) */
    bool quiet_inputs;      /* the update kernel takes the inputs as 0 (update_quiet, cg.c) */
    bool had_exprel;        /* the last update kernel built has exprel (its blocks) */
    int nexprel;
    LLVMValueRef exprel_big;
    bool failed;
    /* parameters (cg_param.c): the kernel being built loads the shared and derived values it
       uses once, in its entry block */
    LLVMValueRef ctx_p;                  /* its step context */
    LLVMBasicBlockRef entry;             /* its entry block */
    LLVMBuilderRef hb;                   /* a builder for the entry block */
    LLVMValueRef shared_p, derived_p;    /* the blocks (NULL: not loaded yet) */
    LLVMValueRef *sh_fp, *sh_f64;        /* per shared slot: loaded, in precision and double */
    LLVMValueRef *pv_fp, *pv_f64;        /* the same per propagator slot (ir_model.nderived) */
    cg_dv *dv;                           /* derived values added by codegen */
    int ndv, dv_cap;
    int nderived;                        /* derived slots: lowering's and codegen's */
    unsigned char *fixed;                /* per shared slot: folded into the code, and why
                                            (CG_FIXED_EXPONENT | CG_FIXED_PERIOD) */
    bool deriving;                       /* building the derive kernel */
    /* a population kernel's numbers that differ between populations of one neuron type (its
       parameter slots, its random streams), read from a table argument, so that the kernels
       of such populations come out identical and are merged (cg_kconst) */
    LLVMValueRef kc_p;                   /* the table (NULL: the numbers are in the code) */
    unsigned *kc;                        /* its values so far */
    int nkc, kc_cap;
    bool kc_reals;                       /* the numbers of expressions too (cg_kreal): in
                                            the projections' setup kernels */
} cg;

/* Vectorisable math written as straight-line IR (cg_math.c), in the precision of x: double or
   float. */
LLVMValueRef cgm_exp(cg *c, LLVMValueRef x);
LLVMValueRef cgm_log(cg *c, LLVMValueRef x);
LLVMValueRef cgm_expm1(cg *c, LLVMValueRef x);
LLVMValueRef cgm_exprel(cg *c, LLVMValueRef x); /* see cg.exprel_mode */
enum { CG_EXPREL_FULL, CG_EXPREL_FAST };
LLVMValueRef cgm_tanh(cg *c, LLVMValueRef x);
/* Uniform (0,1) double from Philox4x32-10, as axon_rng_uniform. */
LLVMValueRef cgm_uniform(cg *c, LLVMValueRef seed, LLVMValueRef stream, LLVMValueRef index,
                         LLVMValueRef step, unsigned k);
/* A call to a C function of the runtime or libm, declared on first use. */
LLVMValueRef cgm_call(cg *c, const char *name, LLVMTypeRef ret, LLVMTypeRef *params, int n,
                      LLVMValueRef *args);
LLVMValueRef cgm_intrinsic(cg *c, const char *name, LLVMTypeRef type, LLVMValueRef *args, int n);
LLVMValueRef cgm_const(cg *c, double v);        /* in precision fp */

/* Rewrites that keep the bits (cg_exact.c). cgx_fadd: a + b, a term `if k then x else 0` of a
 * sum that cannot be -0.0 made a masked addition. cgx_uniform_compare: a P b (kind SX_LT ..
 * SX_GE) on the bits of a uniform draw (cgm_uniform) against thresholds computed once per
 * kernel call, where one side is a draw and the other fixed for the call (or a select of such
 * values); NULL otherwise (compare as doubles). */
LLVMValueRef cgx_fadd(cg *c, LLVMValueRef a, LLVMValueRef b);
LLVMValueRef cgx_uniform_compare(cg *c, int kind, LLVMValueRef a, LLVMValueRef b);

/* Shared parameters and derived values (cg_param.c). begin/end bracket a module;
 * cg_param_kernel starts a kernel whose entry block is being built (ctxp: its step context).
 * cg_param_var: a VS_SHARED or VS_DERIVED leaf. cg_param_hoist: the value of e when e is fixed
 * between parameter changes (a load of a derived value), else NULL. cg_param_recip: 1 / d for
 * a parameter-constant divisor (NULL: divide). cg_param_exponent: the value of a constant
 * exponent (a parameter's is folded, and the parameter marked fixed). cg_param_f64: a
 * parameter constant in double. cg_param_table: the derived table of exp(B k dt).
 * cg_derive_kernel: derive(shared, derived), after every other kernel. */
void cg_param_begin(cg *c);
void cg_param_end(cg *c);
void cg_param_kernel(cg *c, LLVMValueRef ctxp);
LLVMValueRef cg_param_var(cg *c, const sx *e);
LLVMValueRef cg_param_hoist(cg *c, const sx *e);
LLVMValueRef cg_param_recip(cg *c, const sx *d);
/* Why a shared parameter is folded into the code (cg.fixed): a constant exponent; the period
 * of `structure every`. */
enum { CG_FIXED_EXPONENT = 1, CG_FIXED_PERIOD = 2 };
/* Marks the shared parameters in e fixed for the reason why (CG_FIXED_...): their values were
 * folded into the code. */
void cg_param_fix(cg *c, const sx *e, int why);
bool cg_param_exponent(cg *c, const sx *e, double *v);
LLVMValueRef cg_param_f64(cg *c, const sx *e);
LLVMValueRef cg_param_table(cg *c, const sx *B);
LLVMValueRef cg_derive_kernel(cg *c);
/* The number v as an integer of type t (i32 or i64): a constant, or in a kernel with a table
 * of numbers (cg.kc_p) the next entry of that table, loaded in the entry block. */
LLVMValueRef cg_kconst(cg *c, LLVMTypeRef t, unsigned v);
/* A variable's element (ir_var.elem, axon_elem) in memory: its LLVM type; a load as a value
   of the model's precision; a store of such a value (exact for the whole numbers that an
   integer element holds) */
LLVMTypeRef cg_elem_type(cg *c, int elem);
LLVMValueRef cg_load_elem(cg *c, int elem, LLVMValueRef p, const char *name);
void cg_store_elem(cg *c, int elem, LLVMValueRef v, LLVMValueRef p);
/* The number v in the model's precision: a constant, or with cg.kc_reals in a kernel with a
 * table of numbers its bits from the next entries of that table (one for a float, two for a
 * double), in the entry block. The operations on it are the same as on the constant, so
 * the results are the same bit for bit. */
LLVMValueRef cg_kreal(cg *c, double v);
/* The table of a kernel body's numbers (cg.kc), a constant array `name_k`, or a null pointer
 * when empty. */
LLVMValueRef cg_kconst_table(cg *c, const char *name);

/* Shared by the population kernels (cg.c) and the synapse kernels (cg_syn.c). */
LLVMValueRef cg_expr(cg *c, const sx *e);
void cg_stmts(cg *c, const sm_block *blk, LLVMValueRef mask);
LLVMValueRef cg_to_fp(cg *c, LLVMValueRef v);
LLVMValueRef cg_to_bool(cg *c, LLVMValueRef v);
void cg_fail(cg *c, ax_span sp, const char *msg);
/* Symbols: every one the model defines is named after its prefix (cg_opts.symbol), and only
 * the descriptor is visible outside the module (cg.c). cg_function adds a function
 * <prefix>_<name> with internal linkage; cg_const_global a private constant <prefix>.<name>. */
const char *cg_prefix(const cg *c);
LLVMValueRef cg_function(cg *c, LLVMTypeRef fty, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Marks fn as a kernel that builds the network (initial values, delays, derived parameters):
 * it runs once, so it is compiled without optimisation (cg_build_unit). */
void cg_setup_kernel(cg *c, LLVMValueRef fn);
LLVMValueRef cg_const_global(cg *c, LLVMValueRef init, const char *name);
LLVMValueRef cg_cstr(cg *c, const char *s);
LLVMValueRef cg_global_array(cg *c, LLVMTypeRef elem, LLVMValueRef *vals, unsigned n,
                             const char *name);
/* The descriptor (cg_desc.c): the LLVM type of a member kind and of one of model.h's structs (checked against the
 * module's data layout: cg_fail when they differ), a constant of it from the values of its
 * members in table order (v[CG_..._member]), the descriptor itself (with main() when
 * o->with_main) from the populations' kernels. */
LLVMTypeRef cg_kind_type(cg *c, cg_kind k);
LLVMTypeRef cg_struct_type(cg *c, const cg_struct *s);
LLVMValueRef cg_struct_const(cg *c, const cg_struct *s, LLVMValueRef *v);
void cg_descriptor(cg *c, LLVMValueRef *inits, LLVMValueRef *updates, LLVMValueRef *quiets);
/* Builds the kernels of projection k and returns its axon_proj_desc (a constant). */
LLVMValueRef cg_projection(cg *c, int k);
/* Loads t, step, seed and signals from an axon_step_ctx pointer (cg_syn.c). */
void cg_ctx_fields(cg *c, LLVMValueRef ctxp);
/* Variables and assignments inside synapse kernels (cg_syn.c). */
LLVMValueRef cg_side_var(cg *c, const sx *e);
void cg_side_assign(cg *c, const sm_stmt *st, LLVMValueRef mask);
/* A private array of the axon_var_desc of n variables, named name (pj: the projection whose
 * variables they are, NULL for a population's); a null pointer when n is 0. */
LLVMValueRef cg_var_descs(cg *c, const sm_type *t, const ir_var *vars, const ir_proj *pj, int n,
                          const char *name);
LLVMValueRef cgm_f64(cg *c, double v);
/* A private constant array of n doubles named <prefix>.<name>, made once per module (cg.c). */
LLVMValueRef cg_f64_table(cg *c, const char *name, const double *v, long n);
/* a * b + c: rounded once (llvm.fma) where the CPU has FMA, else a product and a sum.
 * Either way the same operations in vector and scalar code. */
LLVMValueRef cgm_fma(cg *c, LLVMValueRef a, LLVMValueRef b, LLVMValueRef addend);

#endif
