/* Lexer: tokens, numbers with units, newline rules, positions, stray bytes. */
#include "check_suites.h"

#include "lex.h"
#include "parse.h"

#include <string.h>

typedef struct {
    diag_ctx *d;
    ax_arena *ar;
    lex_state L;
} fixture;

static void start(fixture *f, const char *src)
{
    f->d = diag_new();
    f->ar = arena_new();
    int id = diag_add_file(f->d, "t.axon", src, strlen(src));
    lex_init(&f->L, f->d, f->ar, id);
}

static void stop(fixture *f)
{
    arena_free(f->ar);
    diag_free(f->d);
}

/* The token kinds of src (after the SEP rules), up to and excluding EOF. */
static int kinds(const char *src, int *out, int max)
{
    fixture f;
    start(&f, src);
    int n = 0;
    for (;;) {
        lex_token t = lex_next(&f.L);
        if (t.tok == AXP_EOF || n == max)
            break;
        out[n++] = t.tok;
    }
    stop(&f);
    return n;
}

START_TEST(test_number_units)
{
    fixture f;
    start(&f, "20 ms 1.5 mV/ms 0.2 nS*ms 1e-3 7 uF/cm^2 3 x 20ms");
    struct {
        double v;
        const char *unit;
        int integer;
    } want[] = {{20, "ms", 0}, {1.5, "mV/ms", 0}, {0.2, "nS*ms", 0}, {1e-3, NULL, 0},
                {7, "uF/cm^2", 0}, {3, NULL, 1}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        lex_token t = lex_next(&f.L);
        ck_assert_int_eq(t.tok, NUMBER);
        ck_assert_double_eq(t.node->num, want[i].v);
        if (want[i].unit)
            ck_assert_str_eq(t.node->str, want[i].unit);
        else
            ck_assert_ptr_null(t.node->str);
        ck_assert_int_eq(!!(t.node->flags & NUM_INTEGER), want[i].integer);
    }
    lex_token t = lex_next(&f.L);
    ck_assert_int_eq(t.tok, IDENT); /* "x" is not a unit */
    ck_assert_str_eq(t.str, "x");
    t = lex_next(&f.L);
    ck_assert_int_eq(t.tok, NUMBER); /* a unit may touch its number */
    ck_assert_str_eq(t.node->str, "ms");
    ck_assert_int_eq(diag_error_count(f.d), 0);
    stop(&f);
}
END_TEST

START_TEST(test_unit_spacing_is_arithmetic)
{
    /* with blanks around '/', the unit ends and the division is arithmetic */
    int k[8];
    int n = kinds("1.5 mV / ms", k, 8);
    ck_assert_int_eq(n, 4);
    ck_assert_int_eq(k[0], NUMBER);
    ck_assert_int_eq(k[1], '/');
    ck_assert_int_eq(k[2], IDENT);
    ck_assert_int_eq(k[3], SEP);
}
END_TEST

START_TEST(test_primes_and_keywords)
{
    fixture f;
    start(&f, "v' = -v / tau\nequations event-driven");
    lex_token t = lex_next(&f.L);
    ck_assert_int_eq(t.tok, PRIMED);
    ck_assert_str_eq(t.str, "v");
    ck_assert_int_eq(t.span.col, 1);
    ck_assert_int_eq(t.span.end_col, 3);
    ck_assert_int_eq(lex_next(&f.L).tok, '=');
    ck_assert_int_eq(lex_next(&f.L).tok, '-');
    ck_assert_int_eq(lex_next(&f.L).tok, IDENT);
    ck_assert_int_eq(lex_next(&f.L).tok, '/');
    ck_assert_int_eq(lex_next(&f.L).tok, IDENT);
    t = lex_next(&f.L);
    ck_assert_int_eq(t.tok, SEP);
    ck_assert(t.newline);
    t = lex_next(&f.L);
    ck_assert_int_eq(t.tok, KW_EQUATIONS);
    ck_assert_int_eq(t.span.line, 2);
    ck_assert_int_eq(lex_next(&f.L).tok, KW_EVENT_DRIVEN);
    stop(&f);
}
END_TEST

START_TEST(test_newline_rules)
{
    int k[32];
    /* no SEP after an operator, inside parentheses, or before `connect` */
    int n = kinds("a = b +\n c\nf(1,\n 2)\nproject A -> B : S\n  connect all_to_all\n", k, 32);
    int want[] = {IDENT, '=', IDENT, '+', IDENT, SEP, IDENT, '(', NUMBER, ',', NUMBER, ')', SEP,
                  KW_PROJECT, IDENT, ARROW, IDENT, ':', IDENT, KW_CONNECT, IDENT, SEP};
    ck_assert_int_eq(n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(k[i], want[i]);
}
END_TEST

START_TEST(test_virtual_sep_before_brace)
{
    int k[16];
    int n = kinds("x { v = 1 } {}", k, 16);
    int want[] = {IDENT, '{', IDENT, '=', NUMBER, SEP, '}', '{', '}', SEP};
    ck_assert_int_eq(n, 10);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(k[i], want[i]);
}
END_TEST

START_TEST(test_every_step_is_not_continuation)
{
    int k[16];
    int n = kinds("modulator d\nevery step {}\nrecord x\n every 1 ms", k, 16);
    int want[] = {KW_MODULATOR, IDENT, SEP, KW_EVERY, KW_STEP, '{', '}', SEP,
                  KW_RECORD, IDENT, KW_EVERY, NUMBER, SEP};
    ck_assert_int_eq(n, 13);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(k[i], want[i]);
}
END_TEST

START_TEST(test_strings_comments_utf8)
{
    fixture f;
    start(&f, "# Gr\xc3\xbc\xc3\x9f""e \xce\xbc\nimport \"std/n\xc3\xa4\" x");
    lex_token t = lex_next(&f.L);
    ck_assert_int_eq(t.tok, KW_IMPORT);
    ck_assert_int_eq(t.span.line, 2);
    t = lex_next(&f.L);
    ck_assert_int_eq(t.tok, STRING);
    ck_assert_str_eq(t.str, "std/n\xc3\xa4");
    t = lex_next(&f.L);
    ck_assert_int_eq(t.tok, IDENT);
    ck_assert_int_eq(t.span.col, 17); /* columns count characters, not bytes */
    ck_assert_int_eq(diag_error_count(f.d), 0);
    stop(&f);
}
END_TEST

START_TEST(test_stray_bytes)
{
    fixture f;
    start(&f, "a $ b\n\xce\xb1 \x01");
    while (lex_next(&f.L).tok != AXP_EOF)
        ;
    ck_assert_int_eq(diag_error_count(f.d), 3);
    ck_assert_str_eq(diag_message(f.d, 0), "stray '$' in program text");
    ck_assert_str_eq(diag_message(f.d, 1), "stray character '\xce\xb1' (U+03B1) in program text");
    ck_assert_str_eq(diag_message(f.d, 3), "stray byte 0x01 in program text"); /* 2 is a hint */
    ck_assert_int_eq(diag_span(f.d, 1).line, 2);
    ck_assert_int_eq(diag_span(f.d, 1).col, 1);
    stop(&f);
}
END_TEST

START_TEST(test_unterminated_string_and_nul)
{
    fixture f;
    const char src[] = "import \"abc\nx\0y";
    f.d = diag_new();
    f.ar = arena_new();
    int id = diag_add_file(f.d, "t.axon", src, sizeof src - 1);
    lex_init(&f.L, f.d, f.ar, id);
    while (lex_next(&f.L).tok != AXP_EOF)
        ;
    ck_assert_int_eq(diag_error_count(f.d), 2);
    ck_assert_str_eq(diag_message(f.d, 0), "unterminated string");
    ck_assert_str_eq(diag_message(f.d, 2), "stray byte 0x00 in program text"); /* 1 is a hint */
    stop(&f);
}
END_TEST

Suite *lex_suite(void)
{
    Suite *s = suite_create("lex");
    TCase *tc = tcase_create("tokens");
    tcase_add_test(tc, test_number_units);
    tcase_add_test(tc, test_unit_spacing_is_arithmetic);
    tcase_add_test(tc, test_primes_and_keywords);
    tcase_add_test(tc, test_newline_rules);
    tcase_add_test(tc, test_virtual_sep_before_brace);
    tcase_add_test(tc, test_every_step_is_not_continuation);
    tcase_add_test(tc, test_strings_comments_utf8);
    tcase_add_test(tc, test_stray_bytes);
    tcase_add_test(tc, test_unterminated_string_and_nul);
    suite_add_tcase(s, tc);
    return s;
}
