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

/* One JIT (ORC LLJIT) for a compiler session; NULL after a diagnostic. */
typedef struct cg_jit cg_jit;
cg_jit *cg_jit_new(diag_ctx *d);
/* Frees the JIT with all the code still in it. */
void cg_jit_free(cg_jit *j);

/* The code of one model in a JIT. cg_jit_add compiles m into j (o->symbol must be unique in
 * j) and returns its code, *desc receiving the model descriptor (an axon_model_desc) that
 * lives until cg_jit_remove; NULL after a diagnostic. */
typedef struct cg_jit_code cg_jit_code;
cg_jit_code *cg_jit_add(cg_jit *j, const ir_model *m, const cg_opts *o, diag_ctx *d,
                        const void **desc);
void cg_jit_remove(cg_jit_code *code);

/* Initialises LLVM's native target, once per process (thread-safe). */
bool cg_init_llvm(void);

/* Writes the optimised module as an object file (path), for `axon build`. */
bool cg_emit_object(const ir_model *m, const cg_opts *o, diag_ctx *d, const char *path);
/* The optimised LLVM IR as text (axon dump llvm); caller frees. */
char *cg_llvm_text(const ir_model *m, const cg_opts *o, diag_ctx *d);

#endif
