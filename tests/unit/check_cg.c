/* Code generation's contract with the outside: the module defines its symbols under the
 * descriptor's name and exports only the descriptor; CPU names are checked before LLVM sees
 * them, so an unknown one is a diagnostic and LLVM prints nothing. */
#include "check_suites.h"

#include "codegen/cg.h"
#include "lower/ir.h"
#include "sema/sema.h"

#include <llvm/Config/llvm-config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef AXON_SRC_STDLIB_DIR
#error "AXON_SRC_STDLIB_DIR must be defined (Makefile.am sets it)"
#endif

typedef struct {
    ax_arena *ar;
    diag_ctx *d;
    sema_ctx *s;
} model;

static const char *const SOURCE = "import \"std/neurons/lif\"\n"
                                  "module M {\n"
                                  "    population A = LIF[4](I_ext = 2 nA)\n"
                                  "    record spikes A\n"
                                  "}\n";

static ir_model *model_open_text(model *m, const char *source)
{
    const char *e = getenv("AXON_STDLIB");
    const char *dirs[] = {e && *e ? e : AXON_SRC_STDLIB_DIR, NULL};
    m->ar = arena_new();
    m->d = diag_new();
    m->s = sema_new(m->ar, m->d, dirs, NULL);
    int root = sema_load_text(m->s, "test.axon", source, strlen(source));
    ck_assert_int_ge(root, 0);
    sema_check_all(m->s);
    ir_model *ir = ir_build(m->s, root, NULL, NULL, 0, 1e-4);
    ck_assert_ptr_nonnull(ir);
    ck_assert_int_eq(diag_error_count(m->d), 0);
    return ir;
}

static ir_model *model_open(model *m) { return model_open_text(m, SOURCE); }

static void model_close(model *m)
{
    arena_free(m->ar);
    diag_free(m->d);
}

START_TEST(test_cpu_names)
{
    ck_assert(!cg_target_cpu_known(NULL));
    ck_assert(!cg_target_cpu_known(""));
    ck_assert(!cg_target_cpu_known("bogus"));
#if defined(__x86_64__)
    const char *known[] = {"x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4", "haswell", "znver3"};
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        ck_assert_msg(cg_target_cpu_known(known[k]), "%s", known[k]);
    /* LLVM knows them, but they cannot run x86-64 code */
    ck_assert(!cg_target_cpu_known("i386"));
    ck_assert(!cg_target_cpu_known("pentium4"));
#endif
}
END_TEST

/* An unknown CPU given to the library (not through the driver): a diagnostic, no output. */
START_TEST(test_unknown_cpu)
{
    model m;
    ir_model *ir = model_open(&m);
    cg_opts o = {.precision = 8, .opt_level = 1, .vector_math = true, .target_cpu = "bogus"};
    char path[] = "/tmp/axon_check_cg_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);
    char *text = cg_llvm_text(ir, &o, m.d);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    off_t printed = lseek(fd, 0, SEEK_END);
    close(fd);
    unlink(path);
    ck_assert_ptr_null(text);
    ck_assert_int_eq(printed, 0);
    ck_assert_int_eq(diag_error_count(m.d), 1);
    char *r = diag_render_string(m.d, DIAG_RENDER_BRIEF);
    ck_assert_msg(strstr(r, "'bogus'"), "%s", r);
    free(r);
    model_close(&m);
}
END_TEST

/* Every definition but the descriptor is local and named after it. */
START_TEST(test_symbols)
{
    model m;
    ir_model *ir = model_open(&m);
    cg_opts o = {.precision = 8, .opt_level = 1, .vector_math = true, .symbol = "m9"};
    char *text = cg_llvm_text(ir, &o, m.d);
    ck_assert_ptr_nonnull(text);
    int descriptors = 0, kernels = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "define ", 7)) {
            ck_assert_msg(!strncmp(line, "define internal ", 16), "%s", line);
            ck_assert_msg(strstr(line, "@m9_"), "%s", line);
            kernels++;
        } else if (!strncmp(line, "@m9 = ", 6)) {
            descriptors++;
        } else if (line[0] == '@') {
            ck_assert_msg(!strncmp(line, "@m9.", 4) && strstr(line, " private "), "%s", line);
        }
    }
    ck_assert_int_eq(descriptors, 1);
    ck_assert_int_ge(kernels, 2); /* A's init and update */
    free(text);
    model_close(&m);
}
END_TEST

#if LLVM_VERSION_MAJOR >= 19
/* A refractory neuron's hold (`unless refractory`) and its permit to spike test the counter with
 * one comparison: the hold is a select on _refr < 1, the permit's max(_refr - 1, -1) < 0 put
 * another way, which LLVM's optimiser merges for a counter narrowed to int8 (scheme.c,
 * unless_refractory). Three neurons, fewer than any vector's lanes: the update is a scalar loop
 * (small_interleave in cg.c), whose values keep their names, whatever the CPU. The merge is
 * LLVM's, checked with LLVM 19 (Debian's llvm-19-dev, the reference); with an older LLVM the
 * test is not built. */
START_TEST(test_refractory_one_comparison)
{
    static const char *const src = "neuron N {\n"
                                    "    parameters { tau = 10 ms }\n"
                                    "    state { v = 0 mV }\n"
                                    "    equations { v' = (20 mV - v) / tau }\n"
                                    "    spike when v > 10 mV { v = 0 mV }\n"
                                    "    refractory 2 ms\n"
                                    "    method euler\n"
                                    "}\n"
                                    "module M { population A = N[3] }\n";
    model m;
    ir_model *ir = model_open_text(&m, src);
    cg_opts o = {.precision = 8, .opt_level = 2, .vector_math = true};
    char *text = cg_llvm_text(ir, &o, m.d);
    ck_assert_ptr_nonnull(text);
    int in_update = 0, loads = 0, compares = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (!strncmp(line, "define ", 7))
            in_update = strstr(line, "_pop0_update(") != NULL;
        else if (in_update && strstr(line, "%_refr") && strstr(line, "= load "))
            loads++;
        else if (in_update && strstr(line, "%_refr") && strstr(line, "cmp "))
            compares++;
    }
    ck_assert_int_eq(loads, 1);
    ck_assert_int_eq(compares, 1);
    free(text);
    model_close(&m);
}
END_TEST
#endif

Suite *cg_suite(void)
{
    Suite *s = suite_create("cg");
    TCase *tc = tcase_create("contract");
    tcase_add_test(tc, test_cpu_names);
    tcase_add_test(tc, test_unknown_cpu);
#if LLVM_VERSION_MAJOR >= 19
    tcase_add_test(tc, test_refractory_one_comparison);
#endif
    tcase_add_test(tc, test_symbols);
    suite_add_tcase(s, tc);
    return s;
}
