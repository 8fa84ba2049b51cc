/* Editors (issue 13): comments as tokens for the formatter, the formatter through the library
 * (axonc_fmt). The layout itself is tested on files (tests/fmt/). */
#include "check_suites.h"

#include "axon/axonc.h"
#include "fmt.h"
#include "lex.h"
#include "parse.h"

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
    ck_assert_ptr_null(fmt_source("neuron N { state { v = } }", 26));
    char *out = fmt_source("# only a comment", 16);
    ck_assert_str_eq(out, "# only a comment\n");
    free(out);
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
    return s;
}
