/*
 * cg: code generation through the LLVM C API. One LLVM module per model:
 * for every population an init kernel and an update kernel over a neuron
 * range (structure-of-arrays, written so the loop vectoriser can turn them
 * into SIMD code), and the model descriptor `axon_model` of
 * runtime/include/axon/model.h as a constant global. The same module is
 * either run in-process through ORC LLJIT or written as an object file, so
 * JIT and AOT code reach the runtime through the same descriptor.
 * llvm-c/ headers are included only in this directory.
 */
#ifndef AXON_CG_H
#define AXON_CG_H

#include "lower/ir.h"

#include <stdbool.h>

typedef struct {
    int precision;   /* 4 (float) or 8 (double) */
    int opt_level;   /* 0..3 */
    bool vector_math;/* inline vectorisable exp/log/expm1 (default); false: libm calls */
    const char *symbol; /* name of the descriptor (NULL: "axon_model"), the only symbol the
                           module exports, and the prefix of every symbol it defines */
    bool with_main;  /* add main() calling axon_exe_main (executables) */
    const char *target_cpu; /* NULL: the host CPU and all its features; else an LLVM CPU name
                               ("x86-64-v3", "znver3") and only that CPU's features */
} cg_opts;

/* Whether name is a CPU that code can be generated for on this machine's architecture
 * (cg_opts.target_cpu): on x86-64 the 64-bit CPUs LLVM knows and x86-64, x86-64-v2/v3/v4;
 * elsewhere "generic" and the host's CPU. */
bool cg_target_cpu_known(const char *name);

typedef struct cg_jit cg_jit;

/* Compiles m and returns a JIT holding the code; *desc receives the model
 * descriptor (an axon_model_desc) living in JIT memory until cg_jit_free.
 * Errors are reported to d as Axon diagnostics. */
cg_jit *cg_jit_compile(const ir_model *m, const cg_opts *o, diag_ctx *d, const void **desc);
void cg_jit_free(cg_jit *j);

/* Writes the optimised module as an object file (path), for `axon build`. */
bool cg_emit_object(const ir_model *m, const cg_opts *o, diag_ctx *d, const char *path);
/* The optimised LLVM IR as text (axon dump llvm); caller frees. */
char *cg_llvm_text(const ir_model *m, const cg_opts *o, diag_ctx *d);

#endif
