/* Internals shared by the code generator's files. */
#ifndef AXON_CG_INT_H
#define AXON_CG_INT_H

#include "codegen/cg.h"

#include <llvm-c/Core.h>
#include <llvm-c/TargetMachine.h>

/* A built and optimised LLVM module with the target machine it was built for. */
typedef struct {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMTargetMachineRef tm;
    bool own_ctx;
} cg_unit;

/* Builds and optimises the module of m in in_ctx (NULL: a context of its own); false after a
 * diagnostic. cg_free_unit releases what is left in u. */
bool cg_build_unit(const ir_model *m, const cg_opts *o, diag_ctx *d, cg_unit *u,
                   LLVMContextRef in_ctx);
void cg_free_unit(cg_unit *u);

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
    LLVMValueRef pre_i, post_j;          /* endpoint indices (i64) */
    LLVMValueRef *syn_base;              /* per-synapse variable arrays */
    LLVMValueRef pre_arr, post_arr;      /* endpoint arrays (uint32 by synapse) */
    const sm_block *handler;             /* the synapse handler being compiled */
    LLVMValueRef syn_s;                  /* synapse index (i64) */
    LLVMValueRef syn_of;                 /* on_post: synapse of each post-ordered entry */
    LLVMValueRef delay_out;              /* delays kernel: the output array (double) */
    LLVMValueRef dense_j0, dense_b;      /* row kernels of dense rows: first target, begin */
    LLVMValueRef pf_end;                 /* on_post: the end of the column (prefetching) */
    LLVMValueRef t_ev;                   /* event time of a synapse kernel (double) */
    LLVMValueRef *side_val;              /* values of the fixed endpoint's side (by storage slot) */
    const ir_pop *pop;
    int pop_index;
    bool init_phase;
    LLVMValueRef *env;      /* current value of each storage slot */
    LLVMValueRef *temps;    /* VS_TEMP values */
    int ntemps;
    LLVMValueRef idx;       /* neuron index (i64) */
    LLVMValueRef t, step, seed, signals; /* from the step context */
    bool fma;               /* the CPU has fused multiply-add: cgm_fma is one instruction */
    bool contract;          /* fuse a * b + c in expressions (an integration scheme's update) */
    bool failed;
} cg;

/* Vectorisable math written as straight-line IR (cg_math.c). */
LLVMValueRef cgm_exp(cg *c, LLVMValueRef x);    /* double */
LLVMValueRef cgm_log(cg *c, LLVMValueRef x);    /* double */
LLVMValueRef cgm_expm1(cg *c, LLVMValueRef x);  /* double */
LLVMValueRef cgm_exprel(cg *c, LLVMValueRef x); /* double */
LLVMValueRef cgm_tanh(cg *c, LLVMValueRef x);   /* double */
/* Uniform (0,1) double from Philox4x32-10, as axon_rng_uniform. */
LLVMValueRef cgm_uniform(cg *c, LLVMValueRef seed, LLVMValueRef stream, LLVMValueRef index,
                         LLVMValueRef step, unsigned k);
/* A call to a C function of the runtime or libm, declared on first use. */
LLVMValueRef cgm_call(cg *c, const char *name, LLVMTypeRef ret, LLVMTypeRef *params, int n,
                      LLVMValueRef *args);
LLVMValueRef cgm_intrinsic(cg *c, const char *name, LLVMTypeRef type, LLVMValueRef *args, int n);
LLVMValueRef cgm_const(cg *c, double v);        /* in precision fp */

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
LLVMValueRef cg_const_global(cg *c, LLVMValueRef init, const char *name);
LLVMValueRef cg_cstr(cg *c, const char *s);
LLVMValueRef cg_global_array(cg *c, LLVMTypeRef elem, LLVMValueRef *vals, unsigned n,
                             const char *name);
/* Builds the kernels of projection k and returns its descriptor (a constant
 * of type proj_t). */
LLVMValueRef cg_projection(cg *c, int k, LLVMTypeRef proj_t, LLVMTypeRef var_t);
/* Loads t, step, seed and signals from an axon_step_ctx pointer (cg_syn.c). */
void cg_ctx_fields(cg *c, LLVMValueRef ctxp);
/* Variables and assignments inside synapse kernels (cg_syn.c). */
LLVMValueRef cg_side_var(cg *c, const sx *e);
void cg_side_assign(cg *c, const sm_stmt *st, LLVMValueRef mask);
/* The var_t descriptor entries for a list of variables. */
LLVMValueRef cg_var_descs(cg *c, LLVMTypeRef var_t, const ir_var *vars, const ir_synvar *sv,
                          int n);
LLVMValueRef cgm_f64(cg *c, double v);
/* A private constant array of n doubles named <prefix>.<name>, made once per module (cg.c). */
LLVMValueRef cg_f64_table(cg *c, const char *name, const double *v, long n);
/* a * b + c: rounded once (llvm.fma) where the CPU has FMA, else a product and a sum.
 * Either way the same operations in vector and scalar code. */
LLVMValueRef cgm_fma(cg *c, LLVMValueRef a, LLVMValueRef b, LLVMValueRef addend);

#endif
