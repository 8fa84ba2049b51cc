/* Parser: tree shapes, precedence, spans, error messages and recovery. */
#include "check_suites.h"

#include "parser.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    diag_ctx *d;
    ax_arena *ar;
    ast_node *root;
} parsed;

static parsed parse(const char *src)
{
    parsed p;
    p.d = diag_new();
    p.ar = arena_new();
    int id = diag_add_file(p.d, "t.axon", src, strlen(src));
    p.root = parse_file(p.ar, p.d, id);
    return p;
}

static void done(parsed *p)
{
    arena_free(p->ar);
    diag_free(p->d);
}

/* The expression of `module M { let x = EXPR }` printed back with full
 * parenthesisation implied by precedence. */
static char *expr_of(const char *e)
{
    char src[512];
    snprintf(src, sizeof src, "module M { let x = %s }", e);
    parsed p = parse(src);
    ck_assert_msg(diag_error_count(p.d) == 0, "parse errors in %s", e);
    ast_node *let = p.root->kids[0]->kids[0];
    ck_assert_int_eq(let->kind, AST_LET);
    strbuf sb = {0};
    ast_expr_str(let->a, &sb);
    done(&p);
    return sb_take(&sb);
}

#define EXPECT_EXPR(in, out)                                                                       \
    do {                                                                                           \
        char *s_ = expr_of(in);                                                                    \
        ck_assert_str_eq(s_, out);                                                                 \
        free(s_);                                                                                  \
    } while (0)

START_TEST(test_precedence)
{
    /* the printer adds only the parentheses that precedence needs */
    EXPECT_EXPR("a + b * c", "a + b * c");
    EXPECT_EXPR("(a + b) * c", "(a + b) * c");
    EXPECT_EXPR("-x^2", "-x ^ 2");
    EXPECT_EXPR("(-x)^2", "(-x) ^ 2");
    EXPECT_EXPR("a^b^c", "a ^ b ^ c");
    EXPECT_EXPR("(a^b)^c", "(a ^ b) ^ c");
    EXPECT_EXPR("a - b - c", "a - b - c");
    EXPECT_EXPR("a - (b - c)", "a - (b - c)");
    EXPECT_EXPR("not a < b and c or d", "not a < b and c or d");
    EXPECT_EXPR("not (a and b)", "not (a and b)");
    EXPECT_EXPR("if a > 0 then 1 ms else 2 ms + 3 ms", "if a > 0 then 1 ms else 2 ms + 3 ms");
    EXPECT_EXPR("pre.v - post.v", "pre.v - post.v");
    EXPECT_EXPR("c1.E.rate * 2", "c1.E.rate * 2");
    EXPECT_EXPR("f(x, y = 2, g())", "f(x, y = 2, g())");
}
END_TEST

START_TEST(test_comparison_is_not_associative)
{
    parsed p = parse("module M { let x = a < b < c }");
    ck_assert_int_eq(diag_error_count(p.d), 1);
    ck_assert_str_eq(diag_message(p.d, 0), "unexpected '<'");
    done(&p);
}
END_TEST

START_TEST(test_neuron_structure)
{
    parsed p = parse("neuron N {\n"
                     "  parameters per neuron { a = 1; b : mV = 2 mV }\n"
                     "  state { v = -65 mV }\n"
                     "  inputs { I : nA }\n"
                     "  equations { v' = -v / tau\n  r = v * 2 }\n"
                     "  spike when v > 0 mV { v = 0 mV }\n"
                     "  refractory 2 ms\n"
                     "  method rk4\n"
                     "}\n");
    ck_assert_int_eq(diag_error_count(p.d), 0);
    ast_node *n = p.root->kids[0];
    ck_assert_int_eq(n->kind, AST_NEURON);
    ck_assert_str_eq(n->name, "N");
    ck_assert_int_eq(n->nkids, 7);
    ck_assert_int_eq(n->kids[0]->kind, AST_PARAMS);
    ck_assert_int_eq(n->kids[0]->flags, BLK_PER_NEURON);
    ck_assert_int_eq(n->kids[0]->nkids, 2);
    ck_assert_ptr_nonnull(n->kids[0]->kids[1]->b); /* declared unit */
    ck_assert_int_eq(n->kids[3]->kids[0]->kind, AST_ODE);
    ck_assert_int_eq(n->kids[3]->kids[1]->kind, AST_ALGEBRAIC);
    ck_assert_int_eq(n->kids[4]->kind, AST_SPIKE);
    ck_assert_int_eq(n->kids[4]->nkids, 1);
    ck_assert_int_eq(n->kids[5]->kind, AST_REFRACTORY);
    ck_assert_int_eq(n->kids[6]->kind, AST_METHOD);
    ck_assert_str_eq(n->kids[6]->name, "rk4");
    /* spans: the spike block starts at line 7, column 3 */
    ck_assert_int_eq(n->kids[4]->span.line, 7);
    ck_assert_int_eq(n->kids[4]->span.col, 3);
    ck_assert_int_eq(n->span.end_line, 10);
    done(&p);
}
END_TEST

START_TEST(test_module_structure)
{
    parsed p = parse("module M(N = 10) {\n"
                     "  population E = LIF[N](tau_m = 10 ms) { v = uniform(0 mV, 1 mV) }\n"
                     "  project EE = E -> E, I : Exc(w = 1 nS) connect random(0.1)\n"
                     "      delay 1 ms learn STDP on g\n"
                     "  c1 = Column(size = 3)\n"
                     "  record spikes E\n"
                     "  record E.v [0 .. 9] every 1 ms\n"
                     "}\n"
                     "run M(N = 20) for 1 s\n");
    ck_assert_int_eq(diag_error_count(p.d), 0);
    ast_node *m = p.root->kids[0];
    ck_assert_int_eq(m->a->nkids, 1);
    ck_assert_int_eq(m->nkids, 5);
    ast_node *pop = m->kids[0];
    ck_assert_int_eq(pop->kind, AST_POPULATION);
    ck_assert_str_eq(pop->str, "LIF");
    ck_assert_int_eq(pop->b->nkids, 1);
    ck_assert_int_eq(pop->nkids, 1);
    ast_node *pr = m->kids[1];
    ck_assert_int_eq(pr->kind, AST_PROJECT);
    ck_assert_str_eq(pr->name, "EE");
    ck_assert_int_eq(pr->b->nkids, 2);
    ck_assert_int_eq(pr->nkids, 3);
    ck_assert_int_eq(pr->kids[2]->kind, AST_LEARN);
    ck_assert_str_eq(pr->kids[2]->name, "g");
    ck_assert_int_eq(m->kids[2]->kind, AST_INSTANCE);
    ck_assert_str_eq(m->kids[3]->str, "spikes");
    ck_assert_int_eq(m->kids[4]->a->kind, AST_RANGE);
    ck_assert_int_eq(p.root->kids[1]->kind, AST_RUN);
    done(&p);
}
END_TEST

START_TEST(test_error_messages)
{
    parsed p = parse("neuron N {\n  state { v = }\n  equations { v' = v +* 2 }\n}\n");
    ck_assert_int_eq(diag_error_count(p.d), 2);
    ck_assert_str_eq(diag_message(p.d, 0), "unexpected '}', expected a value (a number, a name, "
                                           "'(' ...)");
    ck_assert_int_eq(diag_span(p.d, 0).line, 2);
    ck_assert_int_eq(diag_span(p.d, 0).col, 15);
    ck_assert_str_eq(diag_message(p.d, 1), "unexpected '*', expected a value (a number, a name, "
                                           "'(' ...)");
    ck_assert_int_eq(diag_span(p.d, 1).line, 3);
    done(&p);
}
END_TEST

START_TEST(test_unclosed_brace_hint)
{
    /* the '}' on line 3 is indented like the neuron's: the state block is the one left open */
    parsed p = parse("neuron N {\n  state { v = 1\n}\n");
    ck_assert_int_eq(diag_error_count(p.d), 1);
    ck_assert_str_eq(diag_message(p.d, 0), "unexpected end of file, expected an item of the "
                                           "block ('parameters', 'state', 'equations', 'on pre', "
                                           "...) or '}'");
    char *out = diag_render_string(p.d, 0);
    ck_assert_ptr_nonnull(strstr(out, "hint: the '{' opened at line 2 is never closed: the '}' on "
                                      "line 3 is indented as if it closed the block around it"));
    free(out);
    done(&p);
    /* as written, with nothing to go by: the innermost block */
    p = parse("neuron N {\n  state { v = 1 }\n  equations {\n    v' = 1\n");
    out = diag_render_string(p.d, 0);
    ck_assert_ptr_nonnull(strstr(out, "hint: the '{' opened at line 3 is never closed\n"));
    free(out);
    done(&p);
    /* a '}' indented badly in a block that is closed says nothing about a later one */
    p = parse("neuron A {\n  state { v = 1\n}\n}\nneuron B {\n  state { v = 1 }\n");
    out = diag_render_string(p.d, 0);
    ck_assert_ptr_nonnull(strstr(out, "hint: the '{' opened at line 5 is never closed\n"));
    free(out);
    done(&p);
}
END_TEST

START_TEST(test_recovery_reports_several)
{
    parsed p = parse("neuron A { state { v = = 1 } }\n"
                     "neuron B { parameters { x = 1 } }\n"
                     "neuron C { state { w = ) } }\n");
    ck_assert_int_eq(diag_error_count(p.d), 2);
    ck_assert_int_eq(diag_span(p.d, 0).line, 1);
    ck_assert_int_eq(diag_span(p.d, 1).line, 3);
    /* the good neuron between them is kept */
    int found = 0;
    for (int i = 0; i < p.root->nkids; i++)
        if (p.root->kids[i]->name && !strcmp(p.root->kids[i]->name, "B"))
            found = 1;
    ck_assert(found);
    done(&p);
}
END_TEST

/* A string buffer that cannot grow drops the text and says so; it never aborts */
START_TEST(test_strbuf_out_of_memory)
{
    strbuf sb = {0};
    sb_puts(&sb, "abc");
    ck_assert_int_eq(sb.oom, 0);
    sb_putn(&sb, "x", SIZE_MAX / 2);
    ck_assert_int_eq(sb.oom, 1);
    ck_assert_str_eq(sb.buf, "abc");
    sb_puts(&sb, "def"); /* nothing more after a failure */
    ck_assert_str_eq(sb.buf, "abc");
    ck_assert_ptr_null(sb_take(&sb));
    ck_assert_ptr_null(sb.buf);
    sb_puts(&sb, "ok");
    char *t = sb_take(&sb);
    ck_assert_str_eq(t, "ok");
    free(t);
}
END_TEST

START_TEST(test_deep_nesting_is_refused)
{
    strbuf sb = {0};
    sb_puts(&sb, "module M { let x = ");
    for (int i = 0; i < 5000; i++)
        sb_puts(&sb, "1 + ");
    sb_puts(&sb, "1 }");
    parsed p = parse(sb.buf);
    ck_assert_int_eq(diag_error_count(p.d), 1);
    ck_assert_ptr_nonnull(strstr(diag_message(p.d, 0), "nested too deeply"));
    ck_assert_int_le(p.root->depth, 450);
    done(&p);
    sb_free(&sb);
    /* 100,000 open brackets: one error, not a parser stack exhausted */
    sb_puts(&sb, "module M { let x = ");
    for (int i = 0; i < 100000; i++)
        sb_puts(&sb, "(");
    p = parse(sb.buf);
    ck_assert_int_eq(diag_error_count(p.d), 1);
    ck_assert_str_eq(diag_message(p.d, 0), "brackets and blocks are nested too deeply (more than "
                                           "256 levels)");
    ck_assert_int_eq(diag_span(p.d, 0).col, 20 + 255);
    done(&p);
    sb_free(&sb);
}
END_TEST

START_TEST(test_long_line_excerpt)
{
    /* a long line of UTF-8 continuation bytes (no UTF-8 at all) with a mistake in the middle:
       the excerpt is a window of it, whatever the bytes (fuzz_data found a read before the
       line here) */
    char src[700];
    memset(src, 0xA5, sizeof src);
    memcpy(src + 300, " = (", 4);
    src[sizeof src - 1] = 0;
    parsed p = parse(src);
    ck_assert_int_ge(diag_error_count(p.d), 1);
    char *out = diag_render_string(p.d, 0);
    char *bar = strstr(out, " | ...");
    ck_assert_ptr_nonnull(bar);
    ck_assert_int_lt((int)strcspn(bar, "\n"), 180);
    free(out);
    done(&p);
}
END_TEST

START_TEST(test_source_size_limit)
{
    /* text given in memory is held to the limit of a model file too */
    size_t n = (size_t)AX_MAX_SOURCE + 1;
    char *big = malloc(n + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, ' ', n);
    big[n] = 0;
    parsed p = parse(big);
    ck_assert_int_eq(diag_error_count(p.d), 1);
    ck_assert_str_eq(diag_message(p.d, 0), "the file is larger than 64 MiB, the limit for a model "
                                           "file");
    ck_assert_int_eq(p.root->nkids, 0);
    done(&p);
    free(big);
}
END_TEST

START_TEST(test_long_name)
{
    char src[256];
    snprintf(src, sizeof src, "neuron N { state { %.*s = 1 } }", AX_MAX_NAME + 1,
             "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
             "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv");
    parsed p = parse(src);
    ck_assert_int_eq(diag_error_count(p.d), 1);
    ck_assert_str_eq(diag_message(p.d, 0), "a name of 101 characters is too long (at most 100)");
    done(&p);
    snprintf(src, sizeof src, "neuron N { state { %.*s = 1 } }", AX_MAX_NAME,
             "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
             "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv");
    p = parse(src);
    ck_assert_int_eq(diag_error_count(p.d), 0);
    done(&p);
}
END_TEST

Suite *parse_suite(void)
{
    Suite *s = suite_create("parse");
    TCase *tc = tcase_create("grammar");
    tcase_add_test(tc, test_precedence);
    tcase_add_test(tc, test_comparison_is_not_associative);
    tcase_add_test(tc, test_neuron_structure);
    tcase_add_test(tc, test_module_structure);
    tcase_add_test(tc, test_error_messages);
    tcase_add_test(tc, test_unclosed_brace_hint);
    tcase_add_test(tc, test_recovery_reports_several);
    tcase_add_test(tc, test_deep_nesting_is_refused);
    tcase_add_test(tc, test_strbuf_out_of_memory);
    tcase_add_test(tc, test_source_size_limit);
    tcase_add_test(tc, test_long_line_excerpt);
    tcase_add_test(tc, test_long_name);
    suite_add_tcase(s, tc);
    return s;
}
