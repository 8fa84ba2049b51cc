/*
 * Fuzz target for the front end: any byte string must produce diagnostics
 * or a tree, never a crash, a hang or a sanitizer report.
 *
 * Two ways to run it:
 *  - libFuzzer (long runs): clang -fsanitize=fuzzer,address -DAXON_LIBFUZZER ...
 *    (see tests/fuzz/README.md);
 *  - the smoke mode used by `make check`: `fuzz_front N FILE...` mutates the
 *    given corpus files with a fixed seed and runs N inputs.
 */
#include "diag.h"
#include "fmt.h"
#include "lower/ir.h"
#include "parser.h"
#include "sema/sema.h"
#include "util.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The formatter on input that parses: it must lay it out (fmt_source gives NULL when the
 * result would not parse to the same tree) and laying the result out again must change
 * nothing. Either failure aborts, which the fuzzer reports. */
static void fmt_failed(const char *why, const uint8_t *data, size_t size)
{
    FILE *f = fopen("fuzz-fmt.axon", "wb");
    if (f) {
        fwrite(data, 1, size, f);
        fclose(f);
    }
    fprintf(stderr, "fmt: %s (the input is in fuzz-fmt.axon)\n", why);
    abort();
}

static void check_fmt(const uint8_t *data, size_t size)
{
    char *once = NULL, *twice = NULL;
    if (fmt_source((const char *)data, size, &once) != FMT_OK)
        fmt_failed("could not lay out input that parses", data, size);
    if (fmt_source(once, strlen(once), &twice) != FMT_OK || strcmp(once, twice))
        fmt_failed("not idempotent", data, size);
    free(once);
    free(twice);
}

/* The whole front end: parse, then (when the input parses) names, units,
 * module instantiation and integration schemes, as `axon check` does; and the formatter. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag_ctx *d = diag_new();
    ax_arena *ar = arena_new();
    const char *std = getenv("AXON_STDLIB");
    const char *dirs[2] = {std && *std ? std : "stdlib", NULL};
    sema_ctx *sc = sema_new(ar, d, dirs, NULL);
    int id = sema_load_text(sc, "fuzz.axon", (const char *)data, size);
    if (!diag_error_count(d) && !memchr(data, 0, size))
        check_fmt(data, size);
    if (!diag_error_count(d)) {
        sema_check_all(sc);
        ast_node *root = sema_file_root(sc, id);
        for (int i = 0; root && i < root->nkids && !diag_error_count(d); i++)
            if (root->kids[i]->kind == AST_MODULE)
                ir_build(sc, id, root->kids[i]->name, NULL, 0, 1e-4);
    }
    char *s = diag_render_string(d, 0);
    free(s);
    arena_free(ar);
    diag_free(d);
    return 0;
}

#ifndef AXON_LIBFUZZER

#include "smoke.h"

static const char *const DICT[] = {
    "{", "}", "(", ")", "[", "]", "'", "\"", "#", "\n", ";", "=", "+=", "->", "..", ".", ":", ",",
    "^", "-", "*", "/", "<", ">=", " ms", " mV/ms", " uF/cm^2", "\xc2\xb5", "\xff", "\0",
    "neuron", "synapse", "rule", "module", "parameters", "state", "equations", "event-driven",
    "spike when", "on pre", "on post", "every step", "project", "connect", "delay", "learn",
    "population", "record", "run", "if", "else", "then", "let", "pre.", "post.", "x'", "1e309",
    "((((((((((", "))))))))))", "{{{{{{{{", "}}}}}}}}",
};

static const mutations MUTATIONS = {DICT, sizeof DICT / sizeof DICT[0], 64, 128};

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: fuzz_front N CORPUS-FILE...\n");
        return 2;
    }
    long n = strtol(argv[1], NULL, 10);
    int nc = argc - 2;
    bytes *corpus = calloc((size_t)nc, sizeof *corpus);
    for (int i = 0; i < nc; i++) {
        const char *err;
        size_t len;
        char *t = read_file(argv[i + 2], AX_MAX_SOURCE, &len, &err);
        if (!t) {
            fprintf(stderr, "fuzz_front: cannot read %s: %s\n", argv[i + 2], err);
            return 2;
        }
        corpus[i].buf = t;
        corpus[i].len = corpus[i].cap = len;
    }
    catch_hangs("fuzz_front", "fuzz-hang.axon");
    uint64_t rng = 0x9E3779B97F4A7C15ULL;
    for (long k = 0; k < n; k++) {
        bytes in = {0};
        const bytes *src = &corpus[next(&rng) % (uint64_t)nc];
        if (k % 50 == 0) { /* some pure noise too */
            size_t len = next(&rng) % 256;
            for (size_t i = 0; i < len; i++) {
                char c = (char)(next(&rng) & 0xff);
                put(&in, &c, 1);
            }
        } else {
            put(&in, src->buf, src->len);
            mutate(&in, &corpus[next(&rng) % (uint64_t)nc], &rng, &MUTATIONS);
        }
        cur_buf = in.buf;
        cur_len = in.len;
        alarm(10);
        LLVMFuzzerTestOneInput((const uint8_t *)(in.buf ? in.buf : ""), in.len);
        alarm(0);
        free(in.buf);
    }
    for (int i = 0; i < nc; i++)
        free(corpus[i].buf);
    free(corpus);
    printf("fuzz_front: %ld inputs, no crash\n", n);
    return 0;
}

#endif
