/* Internals shared by the code generator's files. */
#ifndef AXON_CG_INT_H
#define AXON_CG_INT_H

#include "codegen/cg.h"

#include <llvm-c/Core.h>

typedef struct {
    LLVMContextRef ctx;
    LLVMModuleRef mod;
    LLVMBuilderRef b;
    LLVMTypeRef f64, f32, fp, i1, i8, i32, i64, ptr, vd;
    const cg_opts *o;
    diag_ctx *d;
    const ir_model *m;
    /* the kernel being built */
    const ir_pop *pop;
    int pop_index;
    bool init_phase;
    LLVMValueRef *env;      /* current value of each storage slot */
    LLVMValueRef *temps;    /* VS_TEMP values */
    int ntemps;
    LLVMValueRef idx;       /* neuron index (i64) */
    LLVMValueRef t, step, seed, signals; /* from the step context */
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
LLVMValueRef cgm_f64(cg *c, double v);

#endif
