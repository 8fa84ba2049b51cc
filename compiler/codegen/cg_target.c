/*
 * The machine code is generated for: the host CPU with every feature it has (the default), or
 * a CPU named with cg_opts.target_cpu, with exactly the features of that CPU (an executable
 * built for x86-64-v3 runs on any machine of that level, and x86-64 under valgrind).
 *
 * LLVM's C API cannot tell whether it knows a CPU name: given an unknown one, it prints "is
 * not a recognized processor" to stderr and generates code for a generic CPU. So the names
 * are checked here first against the CPUs of 64-bit x86 that LLVM knows (`llc
 * -mtriple=x86_64 -mcpu=help` of LLVM 19, less the ICC-style aliases such as
 * core_4th_gen_avx; CPUs added after LLVM 14 only with LLVM 19 or later). On other
 * architectures only the host's own CPU name and "generic" are accepted.
 */
#include "codegen/cg_int.h"

#include <llvm-c/Target.h>
#include <llvm/Config/llvm-config.h>

#include <stdlib.h>
#include <string.h>

/* 64-bit x86 CPUs (the 32-bit-only ones cannot run x86-64 code) in every LLVM Axon builds
 * with (15 and later), and those added since, in LLVM 19 */
static const char *const X86_CPUS[] = {
    "x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4", "generic",
    /* Intel */
    "nocona", "core2", "penryn", "bonnell", "atom", "silvermont", "slm", "goldmont",
    "goldmont-plus", "tremont", "nehalem", "corei7", "westmere", "sandybridge", "corei7-avx",
    "ivybridge", "core-avx-i", "haswell", "core-avx2", "broadwell", "skylake", "skylake-avx512",
    "skx", "cascadelake", "cooperlake", "cannonlake", "icelake-client", "icelake-server",
    "tigerlake", "sapphirerapids", "alderlake", "rocketlake", "knl", "knm",
    /* AMD */
    "k8", "opteron", "athlon64", "athlon-fx", "k8-sse3", "opteron-sse3", "athlon64-sse3",
    "amdfam10", "barcelona", "btver1", "btver2", "bdver1", "bdver2", "bdver3", "bdver4", "znver1",
    "znver2", "znver3"};
static const char *const X86_CPUS_19[] = {
    "raptorlake",   "meteorlake",  "emeraldrapids",    "graniterapids", "graniterapids-d",
    "sierraforest", "grandridge",  "gracemont",        "arrowlake",     "arrowlake-s",
    "lunarlake",    "pantherlake", "clearwaterforest", "znver4",        "znver5"};

static bool host_is_x86_64(void)
{
    char *triple = LLVMGetDefaultTargetTriple();
    bool x86 = !strncmp(triple, "x86_64", 6);
    LLVMDisposeMessage(triple);
    return x86;
}

bool cg_target_cpu_known(const char *name)
{
    if (!name || !*name)
        return false;
    char *host = LLVMGetHostCPUName();
    bool known = !strcmp(name, host);
    LLVMDisposeMessage(host);
    if (known)
        return true;
    if (!host_is_x86_64())
        return !strcmp(name, "generic");
    for (size_t k = 0; k < sizeof X86_CPUS / sizeof X86_CPUS[0]; k++)
        if (!strcmp(name, X86_CPUS[k]))
            return true;
    for (size_t k = 0; k < sizeof X86_CPUS_19 / sizeof X86_CPUS_19[0]; k++)
        if (!strcmp(name, X86_CPUS_19[k]))
            return LLVM_VERSION_MAJOR >= 19;
    return false;
}

LLVMTargetMachineRef cg_target_machine(const cg_opts *o, diag_ctx *d)
{
    if (!cg_init_llvm()) {
        diag_error(d, SPAN_NONE, "cannot initialise the native code generator");
        return NULL;
    }
    if (o->target_cpu && !cg_target_cpu_known(o->target_cpu)) {
        diag_error(d, SPAN_NONE,
                   "cannot generate code for the CPU '%s': LLVM %d does not know "
                   "it for this machine's architecture",
                   o->target_cpu, LLVM_VERSION_MAJOR);
        diag_hint(d, "on x86-64: x86-64, x86-64-v2, x86-64-v3, x86-64-v4 or a name such as "
                     "haswell or znver3");
        return NULL;
    }
    char *triple = LLVMGetDefaultTargetTriple();
    LLVMTargetRef target;
    char *err = NULL;
    if (LLVMGetTargetFromTriple(triple, &target, &err)) {
        diag_error(d, SPAN_NONE, "no code generator for this machine: %s", err ? err : "?");
        LLVMDisposeMessage(err);
        LLVMDisposeMessage(triple);
        return NULL;
    }
    /* a named CPU gets its own features and no more: the host's would leak into the code */
    char *cpu = o->target_cpu ? NULL : LLVMGetHostCPUName();
    char *features = o->target_cpu ? NULL : LLVMGetHostCPUFeatures();
    int opt = o->opt_level;
    LLVMCodeGenOptLevel lvl = opt <= 0   ? LLVMCodeGenLevelNone
                              : opt == 1 ? LLVMCodeGenLevelLess
                              : opt == 2 ? LLVMCodeGenLevelDefault
                                         : LLVMCodeGenLevelAggressive;
    LLVMTargetMachineRef tm =
        LLVMCreateTargetMachine(target, triple, cpu ? cpu : o->target_cpu, features ? features : "",
                                lvl, LLVMRelocPIC, LLVMCodeModelDefault);
    LLVMDisposeMessage(triple);
    LLVMDisposeMessage(cpu);
    LLVMDisposeMessage(features);
    if (!tm)
        diag_error(d, SPAN_NONE, "no code generator for this machine and CPU");
    return tm;
}

/* Whether the target machine's feature list (comma-separated) holds `want`, e.g. "+fma". */
static bool has_feature(LLVMTargetMachineRef tm, const char *want)
{
    char *feat = LLVMGetTargetMachineFeatureString(tm);
    size_t n = strlen(want);
    bool found = false;
    for (const char *f = feat; f && *f && !found; f = strchr(f, ',') ? strchr(f, ',') + 1 : "")
        found = !strncmp(f, want, n) && (f[n] == ',' || f[n] == 0);
    LLVMDisposeMessage(feat);
    return found;
}

/*
 * A named CPU's features are not spelled out in the target machine, and the C API cannot list
 * them. So for x86 a machine for the same CPU compiles a call of llvm.fma.f64, and the answer
 * is whether that became an FMA3 instruction (vfmadd132/213/231sd), which is what "+fma" in
 * the host's list means. FMA4 is switched off in that machine: Bulldozer CPUs with both would
 * use FMA4 (and those with FMA4 only have no "+fma"). Elsewhere the host's list decides as
 * before (it has no "+fma": false).
 */
static bool cpu_has_fma(const char *cpu)
{
    if (!host_is_x86_64())
        return false;
    char *triple = LLVMGetDefaultTargetTriple();
    LLVMTargetRef target;
    char *err = NULL;
    LLVMTargetMachineRef tm = NULL;
    if (!LLVMGetTargetFromTriple(triple, &target, &err))
        tm = LLVMCreateTargetMachine(target, triple, cpu, "-fma4", LLVMCodeGenLevelDefault,
                                     LLVMRelocPIC, LLVMCodeModelDefault);
    LLVMDisposeMessage(err);
    err = NULL;
    LLVMContextRef ctx = LLVMContextCreate();
    LLVMModuleRef mod = LLVMModuleCreateWithNameInContext("fma_probe", ctx);
    LLVMSetTarget(mod, triple);
    LLVMDisposeMessage(triple);
    LLVMTypeRef f64 = LLVMDoubleTypeInContext(ctx);
    LLVMTypeRef ps[3] = {f64, f64, f64};
    LLVMValueRef fn = LLVMAddFunction(mod, "probe", LLVMFunctionType(f64, ps, 3, 0));
    LLVMBuilderRef b = LLVMCreateBuilderInContext(ctx);
    LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(ctx, fn, "entry"));
    unsigned id = LLVMLookupIntrinsicID("llvm.fma", 8);
    LLVMValueRef args[3] = {LLVMGetParam(fn, 0), LLVMGetParam(fn, 1), LLVMGetParam(fn, 2)};
    LLVMValueRef call = LLVMBuildCall2(b, LLVMIntrinsicGetType(ctx, id, &f64, 1),
                                       LLVMGetIntrinsicDeclaration(mod, id, &f64, 1), args, 3, "");
    LLVMBuildRet(b, call);
    LLVMDisposeBuilder(b);
    LLVMMemoryBufferRef asm_text = NULL;
    bool fma = false;
    if (tm && !LLVMTargetMachineEmitToMemoryBuffer(tm, mod, LLVMAssemblyFile, &err, &asm_text)) {
        const char *t = LLVMGetBufferStart(asm_text);
        size_t n = LLVMGetBufferSize(asm_text);
        for (size_t k = 0; k + 7 < n && !fma; k++)
            fma = !memcmp(t + k, "vfmadd", 6) && (t[k + 6] == '1' || t[k + 6] == '2');
        LLVMDisposeMemoryBuffer(asm_text);
    }
    LLVMDisposeMessage(err);
    LLVMDisposeModule(mod);
    LLVMContextDispose(ctx);
    if (tm)
        LLVMDisposeTargetMachine(tm);
    return fma;
}

bool cg_target_fma(LLVMTargetMachineRef tm, const cg_opts *o)
{
    return o->target_cpu ? cpu_has_fma(o->target_cpu) : has_feature(tm, "+fma");
}

/* AVX-512 (masked stores of 8 lanes at the price of a store). AVX2's vmaskmovpd is slow
 * (the fast exponential-Euler body 1.45x slower with it than with a blend and a store on
 * Zen 5, bench/HISTORY.md), so AVX-512 only; and only for the host: a named CPU's features
 * are not listed (above), and without the answer the blend is always right. */
bool cg_target_masked_store(LLVMTargetMachineRef tm, const cg_opts *o)
{
    return !o->target_cpu && has_feature(tm, "+avx512f");
}
