/* Editors (issue 13): comments as tokens for the formatter, the formatter through the library
 * (axonc_fmt). The layout itself is tested on files (tests/fmt/). */
#include "check_suites.h"

#include "axon/axonc.h"
#include "fmt.h"
#include "lex.h"
#include "parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parser never sees comments; the formatter's lexer does, as LEX_COMMENT tokens. */
START_TEST(test_comment_tokens)
{
    const char *src = "x = 1  # one\n# two\ny";
    for (int keep = 0; keep < 2; keep++) {
        diag_ctx *d = diag_new();
        ax_arena *ar = arena_new();
        lex_state L;
        lex_init(&L, d, ar, diag_add_file(d, "t.axon", src, strlen(src)));
        L.keep_comments = keep;
        int comments = 0, n = 0;
        for (lex_token t = lex_raw(&L); t.tok != AXP_EOF; t = lex_raw(&L), n++) {
            if (t.tok != LEX_COMMENT)
                continue;
            comments++;
            ck_assert_int_eq(t.span.line, comments);
            ck_assert_int_eq(t.span.col, comments == 1 ? 8 : 1);
        }
        ck_assert_int_eq(comments, keep ? 2 : 0);
        ck_assert_int_eq(n, keep ? 8 : 6);
        ck_assert_int_eq(diag_count(d), 0);
        arena_free(ar);
        diag_free(d);
    }
}
END_TEST

static int errors_seen;
static void count_diag(void *user, const axonc_diag *dg)
{
    (void)user;
    errors_seen += dg->severity == AXONC_ERROR;
}

START_TEST(test_fmt_api)
{
    axonc_session *s = axonc_session_new(&(axonc_options){.on_diag = count_diag});
    char *out = (char *)1;
    ck_assert_int_eq(axonc_fmt(NULL, "x", "", 0, &out), AXONC_EINVAL);
    ck_assert_ptr_null(out);
    ck_assert_int_eq(axonc_fmt(s, NULL, "", 0, &out), AXONC_EINVAL);
    ck_assert_int_eq(axonc_fmt(s, "x", NULL, 3, &out), AXONC_EINVAL);

    const char *src = "neuron N{state{v=0;u=1}}\nsynapse S{on pre{post.v+=1}}";
    ck_assert_int_eq(axonc_fmt(s, "t.axon", src, strlen(src), &out), AXONC_OK);
    ck_assert_str_eq(out, "neuron N {\n    state {\n        v = 0\n        u = 1\n    }\n}\n\n"
                          "synapse S { on pre { post.v += 1 } }\n");
    free(out);

    /* a file that does not parse is not laid out, and its errors are delivered */
    errors_seen = 0;
    ck_assert_int_eq(axonc_fmt(s, "t.axon", "neuron {", 8, &out), AXONC_EDIAG);
    ck_assert_ptr_null(out);
    ck_assert_int_gt(errors_seen, 0);

    ck_assert_int_eq(axonc_fmt(s, "empty.axon", "", 0, &out), AXONC_OK);
    ck_assert_str_eq(out, "");
    free(out);
    axonc_session_free(s);
}
END_TEST

/* fmt_source refuses text that does not parse rather than guess. */
START_TEST(test_fmt_source_errors)
{
    char *out = (char *)1;
    ck_assert_int_eq(fmt_source("neuron N { state { v = } }", 26, &out), FMT_CHANGED);
    ck_assert_ptr_null(out);
    ck_assert_int_eq(fmt_source("# only a comment", 16, &out), FMT_OK);
    ck_assert_str_eq(out, "# only a comment\n");
    free(out);
}
END_TEST

static const char MODEL[] = "# The cell.\n"
                            "neuron Cell {\n"
                            "    parameters { tau = 10 ms }\n"
                            "    state { v = 0 mV }\n"
                            "    equations { v' = -v / tau }\n"
                            "}\n"
                            "module M(N = 2) {\n"
                            "    population E = Cell[N]\n"
                            "    record E.v\n"
                            "}\n";

typedef struct {
    int n, has_tau, has_keyword, has_v, has_randint, has_round;
} seen;

static void collect(void *user, const axonc_completion *c)
{
    seen *s = user;
    s->n++;
    s->has_tau |= !strcmp(c->label, "tau") && c->kind == AXONC_SYM_PARAM;
    s->has_keyword |= !strcmp(c->label, "and") && c->kind == AXONC_SYM_KEYWORD;
    s->has_v |= !strcmp(c->label, "v") && c->kind == AXONC_SYM_STATE;
    s->has_randint |= !strcmp(c->label, "randint") && c->kind == AXONC_SYM_FUNCTION;
    s->has_round |= !strcmp(c->label, "round") && c->kind == AXONC_SYM_FUNCTION;
}

/* Names, their declarations, units, doc comments and uses, across a neuron and a module. */
START_TEST(test_symbols)
{
    axonc_session *s = axonc_session_new(NULL);
    axonc_unit *u = NULL;
    ck_assert_int_eq(axonc_load_string(s, "m.axon", MODEL, strlen(MODEL), &u), AXONC_OK);
    ck_assert_int_eq(axonc_check(u), AXONC_OK);
    /* `tau` where it is used (line 5, col 27) */
    axonc_loc where;
    int k = axonc_symbol_at(u, "m.axon", 5, 27, &where);
    ck_assert_int_ge(k, 0);
    ck_assert_int_eq(where.line, 5);
    ck_assert_int_eq(where.col, 27);
    axonc_symbol y;
    ck_assert_int_eq(axonc_symbol_get(u, k, &y), AXONC_OK);
    ck_assert_str_eq(y.name, "tau");
    ck_assert_int_eq(y.kind, AXONC_SYM_PARAM);
    ck_assert_str_eq(y.signature, "tau = 10 ms");
    ck_assert_str_eq(y.detail, "parameter of neuron Cell: a time (ms)");
    ck_assert_str_eq(y.unit, "ms");
    ck_assert_int_eq(y.loc.line, 3);
    ck_assert_int_eq(y.loc.col, 18);
    ck_assert_int_eq(axonc_ref_count(u, k), 2);
    int decl = 0;
    ck_assert_int_eq(axonc_ref_get(u, k, 0, &where, &decl), AXONC_OK);
    ck_assert(decl && where.line == 3);
    /* the neuron: its doc comment; `E.v` in the module: Cell's v */
    ck_assert_int_eq(axonc_symbol_get(u, axonc_symbol_at(u, "m.axon", 8, 20, NULL), &y), AXONC_OK);
    ck_assert_str_eq(y.name, "Cell");
    ck_assert_str_eq(y.doc, "The cell.");
    k = axonc_symbol_at(u, "m.axon", 9, 14, NULL);
    ck_assert_int_eq(axonc_symbol_get(u, k, &y), AXONC_OK);
    ck_assert_str_eq(y.name, "v");
    ck_assert_int_eq(y.kind, AXONC_SYM_STATE);
    ck_assert_int_eq(y.loc.line, 4);
    ck_assert_int_eq(axonc_symbol_at(u, "m.axon", 1, 3, NULL), -1); /* a comment */
    ck_assert_int_eq(axonc_symbol_at(u, "other.axon", 5, 27, NULL), -1);
    /* completion inside the neuron, and after `E.` */
    seen c = {0};
    ck_assert_int_eq(axonc_complete(u, "m.axon", 5, 30, collect, &c), AXONC_OK);
    ck_assert(c.has_tau && c.has_keyword);
    ck_assert(c.has_randint && c.has_round); /* every function the checker knows */
    seen m = {0};
    ck_assert_int_eq(axonc_complete(u, "m.axon", 9, 14, collect, &m), AXONC_OK);
    ck_assert(m.has_v && !m.has_keyword);
    axonc_unit_free(u);
    axonc_session_free(s);
}
END_TEST

/* What may be renamed to what: reasons come back through the session's error. */
START_TEST(test_rename_check)
{
    axonc_session *s = axonc_session_new(NULL);
    axonc_unit *u = NULL;
    ck_assert_int_eq(axonc_load_string(s, "m.axon", MODEL, strlen(MODEL), &u), AXONC_OK);
    ck_assert_int_eq(axonc_check(u), AXONC_OK);
    int tau = axonc_symbol_at(u, "m.axon", 5, 27, NULL);
    ck_assert_int_ge(tau, 0);
    ck_assert_int_eq(axonc_rename_check(u, tau, NULL), AXONC_OK);
    ck_assert_int_eq(axonc_rename_check(u, tau, "tau_m"), AXONC_OK);
    ck_assert_int_eq(axonc_rename_check(u, tau, "tau"), AXONC_OK); /* the same name */
    static const struct {
        const char *name, *why;
    } BAD[] = {
        {"v", "'v' is already the name of a state variable (m.axon:4)"},
        {"state", "'state' is a keyword"},
        {"ms", "'ms' is a unit"},
        {"t", "'t' is a name of the language"},
        {"exp", "'exp' is a function of the language"},
        {"round", "'round' is a function of the language"},
        {"randint", "'randint' is a function of the language"},
        {"sum", "'sum' is a function of the language"},
        {"9a", "'9a' is not a name"},
        {"", "'' is not a name"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        ck_assert_int_eq(axonc_rename_check(u, tau, BAD[i].name), AXONC_EINVAL);
        ck_assert_msg(strstr(axonc_session_error(s), BAD[i].why), "%s: %s", BAD[i].name,
                      axonc_session_error(s));
    }
    /* a definition clashes with definitions, not with members */
    int cell = axonc_symbol_at(u, "m.axon", 8, 20, NULL);
    ck_assert_int_eq(axonc_rename_check(u, cell, "M"), AXONC_EINVAL);
    ck_assert_int_eq(axonc_rename_check(u, cell, "tau"), AXONC_OK);
    ck_assert_int_eq(axonc_rename_check(u, -1, NULL), AXONC_EINVAL);
    ck_assert_int_eq(axonc_rename_check(u, 12345, "x"), AXONC_EINVAL);
    ck_assert_int_eq(axonc_rename_check(NULL, 0, "x"), AXONC_EINVAL);
    axonc_unit_free(u);
    axonc_session_free(s);
}
END_TEST

/* A reader gives imported files' texts before the disk does (an editor's unsaved buffers). */
static char *read_cells(void *user, const char *path, size_t *len)
{
    const char *suffix = "/cells.axon", *text = user;
    size_t pl = strlen(path), sl = strlen(suffix);
    if (pl < sl || strcmp(path + pl - sl, suffix))
        return NULL;
    *len = strlen(text);
    return strdup(text);
}

START_TEST(test_reader)
{
    char dir[] = "/tmp/axon_readerXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char lib[300], root[300];
    snprintf(lib, sizeof lib, "%s/cells.axon", dir);
    snprintf(root, sizeof root, "%s/main.axon", dir);
    FILE *f = fopen(lib, "w");
    ck_assert_ptr_nonnull(f);
    fputs("neuron OnDisk { state { v = 0 } }\n", f);
    fclose(f);
    const char *src = "import \"cells.axon\"\nmodule M { population P = InBuffer[2] }\n";
    for (int with_reader = 0; with_reader < 2; with_reader++) {
        axonc_session *s = axonc_session_new(NULL);
        if (with_reader)
            axonc_session_set_reader(s, read_cells, "neuron InBuffer { state { v = 0 } }\n");
        axonc_unit *u = NULL;
        ck_assert_int_eq(axonc_load_string(s, root, src, strlen(src), &u), AXONC_OK);
        ck_assert_int_eq(axonc_check(u), with_reader ? AXONC_OK : AXONC_EDIAG);
        ck_assert_int_eq(axonc_def_find(u, "InBuffer") >= 0, with_reader);
        ck_assert_int_eq(axonc_def_find(u, "OnDisk") >= 0, !with_reader);
        axonc_session_free(s);
    }
    axonc_session_set_reader(NULL, read_cells, NULL); /* no session: nothing happens */
    remove(lib);
    remove(dir);
}
END_TEST

/* With no_extern_load a missing library is no error, calls are checked, nothing runs. */
START_TEST(test_no_extern_load)
{
    const char *src = "extern \"no-such-library.so\" fn f(x) -> real\n"
                      "neuron N { state { v = 1 } equations { v' = -f(v) / ms } }\n"
                      "module M { population P = N[1] }\n";
    for (int trust = 0; trust < 2; trust++) {
        errors_seen = 0;
        axonc_session *s =
            axonc_session_new(&(axonc_options){.on_diag = count_diag, .no_extern_load = !trust});
        axonc_unit *u = NULL;
        axonc_load_string(s, "x.axon", src, strlen(src), &u);
        axonc_status st = axonc_check(u);
        ck_assert_int_eq(st, trust ? AXONC_EDIAG : AXONC_OK);
        ck_assert(trust ? errors_seen >= 1 : errors_seen == 0);
        if (!trust) {
            axonc_instance *in = NULL;
            const axon_model_desc *desc = NULL;
            ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_OK);
            ck_assert_int_eq(axonc_jit(in, &desc), AXONC_EINVAL);
            ck_assert_ptr_null(desc);
        }
        axonc_session_free(s);
    }
}
END_TEST

Suite *editors_suite(void)
{
    Suite *s = suite_create("editors");
    TCase *tc = tcase_create("fmt");
    tcase_add_test(tc, test_comment_tokens);
    tcase_add_test(tc, test_fmt_api);
    tcase_add_test(tc, test_fmt_source_errors);
    suite_add_tcase(s, tc);
    TCase *ti = tcase_create("index");
    tcase_add_test(ti, test_symbols);
    tcase_add_test(ti, test_rename_check);
    tcase_add_test(ti, test_reader);
    tcase_add_test(ti, test_no_extern_load);
    suite_add_tcase(s, ti);
    return s;
}
