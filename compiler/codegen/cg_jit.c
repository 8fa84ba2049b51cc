/*
 * The in-process JIT: one ORC LLJIT per compiler session, one resource
 * tracker per compiled model, so that a model's code can be removed (a REPL
 * replaces a definition, an embedding program drops a model) and its memory
 * released while the others keep running. Each model's descriptor and
 * kernels carry its own symbol prefix (cg_opts.symbol), so several models
 * live in the JIT's one library side by side.
 */
#include "codegen/cg_int.h"

#include "axon/expm.h"
#include "axon/model.h"
#include "axon/rng.h"

#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>
#include <llvm-c/TargetMachine.h>

#include <stdint.h>
#include <stdlib.h>

struct cg_jit {
    LLVMOrcLLJITRef jit;
};

struct cg_jit_code {
    LLVMOrcResourceTrackerRef rt;
};

static bool jit_error(diag_ctx *d, LLVMErrorRef e, const char *what)
{
    if (!e)
        return false;
    char *msg = LLVMGetErrorMessage(e);
    diag_error(d, SPAN_NONE, "internal error (%s): %s", what, msg);
    LLVMDisposeErrorMessage(msg);
    return true;
}

/*
 * The runtime functions that generated code calls, bound to this library's own copies: a
 * program that links libaxonc and libaxonrt statically (or an executable that does not export
 * its symbols, like the unit tests) has them, but not among the process's dynamic symbols
 * where the generator above looks. tests/cli/exports.sh checks that the list of called names
 * is exported by the shared runtime; this list must name the same functions.
 */
static bool define_runtime(cg_jit *j, diag_ctx *d)
{
    static const struct {
        const char *name;
        void (*addr)(void);
    } RT[] = {
        {"axon_rng_uniform", (void (*)(void))axon_rng_uniform},
        {"axon_rng_normal", (void (*)(void))axon_rng_normal},
        {"axon_rng_normal_batched", (void (*)(void))axon_rng_normal_batched},
        {"axon_rng_binomial", (void (*)(void))axon_rng_binomial},
        {"axon_propagator", (void (*)(void))axon_propagator},
    };
    enum { N = sizeof RT / sizeof RT[0] };
    LLVMOrcCSymbolMapPair pairs[N];
    for (int k = 0; k < N; k++) {
        pairs[k].Name = LLVMOrcLLJITMangleAndIntern(j->jit, RT[k].name);
        pairs[k].Sym.Address = (LLVMOrcExecutorAddress)(uintptr_t)RT[k].addr;
        pairs[k].Sym.Flags.GenericFlags =
            LLVMJITSymbolGenericFlagsExported | LLVMJITSymbolGenericFlagsCallable;
        pairs[k].Sym.Flags.TargetFlags = 0;
    }
    LLVMOrcMaterializationUnitRef mu = LLVMOrcAbsoluteSymbols(pairs, N);
    return !jit_error(d, LLVMOrcJITDylibDefine(LLVMOrcLLJITGetMainJITDylib(j->jit), mu),
                      "runtime symbols");
}

cg_jit *cg_jit_new(diag_ctx *d)
{
    if (!cg_init_llvm()) {
        diag_error(d, SPAN_NONE, "cannot initialise the native code generator");
        return NULL;
    }
    cg_jit *j = calloc(1, sizeof *j);
    if (!j) {
        diag_error(d, SPAN_NONE, "out of memory");
        return NULL;
    }
    /* the JIT's own target machine only turns IR into machine code: every function carries
       the target-cpu and target-features it was built for (cg_build_unit) */
    LLVMOrcJITTargetMachineBuilderRef jtmb;
    if (jit_error(d, LLVMOrcJITTargetMachineBuilderDetectHost(&jtmb), "finding this machine")) {
        free(j);
        return NULL;
    }
    LLVMOrcLLJITBuilderRef jb = LLVMOrcCreateLLJITBuilder();
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(jb, jtmb);
    if (jit_error(d, LLVMOrcCreateLLJIT(&j->jit, jb), "starting the JIT")) {
        free(j);
        return NULL;
    }
    /* kernels call libm and the runtime: resolve them in this process */
    LLVMOrcDefinitionGeneratorRef gen;
    char prefix = LLVMOrcLLJITGetGlobalPrefix(j->jit);
    if (jit_error(d, LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, prefix, NULL, NULL),
                  "process symbols")) {
        cg_jit_free(j);
        return NULL;
    }
    LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(j->jit), gen);
    if (!define_runtime(j, d)) {
        cg_jit_free(j);
        return NULL;
    }
    return j;
}

void cg_jit_free(cg_jit *j)
{
    if (!j)
        return;
    if (j->jit)
        LLVMOrcDisposeLLJIT(j->jit);
    free(j);
}

cg_jit_code *cg_jit_add(cg_jit *j, const ir_model *m, const cg_opts *o, diag_ctx *d,
                        const void **desc)
{
    cg_unit u;
    /* ORC owns the context the module is built in */
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    if (!cg_build_unit(m, o, d, &u, LLVMOrcThreadSafeContextGetContext(tsc))) {
        cg_free_unit(&u);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return NULL;
    }
    cg_jit_code *code = calloc(1, sizeof *code);
    if (!code) {
        diag_error(d, SPAN_NONE, "out of memory");
        cg_free_unit(&u);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return NULL;
    }
    LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(j->jit);
    code->rt = LLVMOrcJITDylibCreateResourceTracker(jd);
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(u.mod, tsc);
    u.mod = NULL;
    u.ctx = NULL;
    LLVMOrcDisposeThreadSafeContext(tsc); /* the module keeps it alive */
    cg_free_unit(&u);
    /* the JIT takes the module, also when adding fails */
    if (jit_error(d, LLVMOrcLLJITAddLLVMIRModuleWithRT(j->jit, code->rt, tsm), "adding the model")) {
        cg_jit_remove(code);
        return NULL;
    }
    LLVMOrcExecutorAddress addr = 0;
    if (jit_error(d, LLVMOrcLLJITLookup(j->jit, &addr, o->symbol ? o->symbol : "axon_model"),
                  "finding the model")) {
        cg_jit_remove(code);
        return NULL;
    }
    *desc = (const void *)(uintptr_t)addr;
    return code;
}

void cg_jit_remove(cg_jit_code *code)
{
    if (!code)
        return;
    LLVMErrorRef e = LLVMOrcResourceTrackerRemove(code->rt);
    if (e)
        LLVMConsumeError(e); /* nothing left to tell: the code is gone either way */
    LLVMOrcReleaseResourceTracker(code->rt);
    free(code);
}
