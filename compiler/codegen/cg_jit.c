/*
 * The in-process JIT (ORC LLJIT): a compiled model's module is added to a
 * JIT and its descriptor looked up, so JIT and AOT code reach the runtime
 * through the same descriptor (cg.h).
 */
#include "codegen/cg_int.h"

#include <llvm-c/TargetMachine.h>

#include <stdint.h>
#include <stdlib.h>

#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>

struct cg_jit {
    LLVMOrcLLJITRef jit;
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

cg_jit *cg_jit_compile(const ir_model *m, const cg_opts *o, diag_ctx *d, const void **desc)
{
    cg_unit u;
    /* ORC owns the context the module is built in */
    LLVMOrcThreadSafeContextRef tsc = LLVMOrcCreateNewThreadSafeContext();
    if (!cg_build_unit(m, o, d, &u, LLVMOrcThreadSafeContextGetContext(tsc))) {
        cg_free_unit(&u);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return NULL;
    }
    cg_jit *j = calloc(1, sizeof *j);
    LLVMOrcJITTargetMachineBuilderRef jtmb = LLVMOrcJITTargetMachineBuilderCreateFromTargetMachine(u.tm);
    u.tm = NULL; /* owned by the builder now */
    LLVMOrcLLJITBuilderRef jb = LLVMOrcCreateLLJITBuilder();
    LLVMOrcLLJITBuilderSetJITTargetMachineBuilder(jb, jtmb);
    if (jit_error(d, LLVMOrcCreateLLJIT(&j->jit, jb), "starting the JIT")) {
        free(j);
        cg_free_unit(&u);
        LLVMOrcDisposeThreadSafeContext(tsc);
        return NULL;
    }
    /* kernels call libm and the runtime's RNG: resolve them in this process */
    LLVMOrcDefinitionGeneratorRef gen;
    char prefix = LLVMOrcLLJITGetGlobalPrefix(j->jit);
    if (!jit_error(d, LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, prefix, NULL, NULL),
                   "process symbols"))
        LLVMOrcJITDylibAddGenerator(LLVMOrcLLJITGetMainJITDylib(j->jit), gen);
    LLVMOrcThreadSafeModuleRef tsm = LLVMOrcCreateNewThreadSafeModule(u.mod, tsc);
    u.mod = NULL;
    u.ctx = NULL;
    LLVMOrcDisposeThreadSafeContext(tsc); /* the module keeps it alive */
    if (jit_error(d, LLVMOrcLLJITAddLLVMIRModule(j->jit, LLVMOrcLLJITGetMainJITDylib(j->jit), tsm),
                  "adding the model")) {
        cg_jit_free(j);
        return NULL;
    }
    LLVMOrcExecutorAddress addr = 0;
    if (jit_error(d, LLVMOrcLLJITLookup(j->jit, &addr, o->symbol ? o->symbol : "axon_model"),
                  "finding the model")) {
        cg_jit_free(j);
        return NULL;
    }
    *desc = (const void *)(uintptr_t)addr;
    cg_free_unit(&u);
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
