/*
 * The formatter (see fmt.h). Three passes over the tokens of lex_raw, comments included:
 *   1. lines: which tokens go on which output line, with the block depth of each line,
 *      whether it continues a statement, its trailing comment, and the blank line before it;
 *      statements split at `;`, blocks opened on a line of their own when they hold several
 *      statements, and `}` ⏎ `else` joined;
 *   2. blank lines and `=` alignment, decided on the lines alone (so a second run finds the
 *      same lines and changes nothing: the layout is idempotent);
 *   3. rendering: indentation (continuation lines line up with the brackets as rendered),
 *      spacing between tokens, trailing comments lined up.
 * Finally the result is parsed again: its syntax tree must be the input's.
 */
#include "fmt.h"

#include "diag.h"
#include "lex.h"
#include "parse.h"
#include "parser.h"
#include "util.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SEP_MARK = -2 }; /* "a statement just ended" as the last significant token */

typedef struct {
    int tok;
    const char *text; /* source text; numbers: the literal and its unit, canonical */
    int len;
    int line; /* source line */
} ftok;

typedef struct {
    int tstart, tcount; /* its tokens: lt[tstart .. tstart + tcount) */
    int comment;        /* trailing (or, without tokens, own-line) comment token, or -1 */
    int depth;          /* blocks open at its start (after a leading '}') */
    int block;          /* the innermost open block (an id), for alignment runs */
    bool cont;          /* continues the statement of the lines before */
    bool blank_before;
    bool closes_top;  /* closes a top-level block */
    bool opens_block; /* ends with '{' */
    int pad;          /* blanks added after the first token (alignment of '=') */
    int indent;       /* pass 3 */
    int src_line;     /* source line of its last token */
} fline;

typedef struct {
    ax_arena *ar;
    const char *src;
    ftok *t;
    int nt, capt;
    int *lt; /* token indices of the lines, in order */
    int nlt, caplt;
    fline *l;
    int nl, capl;
    bool *expand; /* per '{' token: laid out over several lines */
} fmt_ctx;

/* ---- tokens --------------------------------------------------------------------------------- */

/* The number's literal as written (digits, fraction, exponent), then one blank and its unit:
 * "20ms" and "20  ms" are both "20 ms". */
static void number_text(fmt_ctx *F, ftok *ft, const lex_token *t)
{
    const char *p = F->src + t->span.off, *e = F->src + t->span.end_off, *q = p;
    while (q < e && *q >= '0' && *q <= '9')
        q++;
    if (q + 1 < e && *q == '.' && q[1] >= '0' && q[1] <= '9')
        for (q++; q < e && *q >= '0' && *q <= '9'; q++) {
        }
    if (q < e && (*q == 'e' || *q == 'E')) {
        const char *r = q + 1;
        if (r < e && (*r == '+' || *r == '-'))
            r++;
        if (r < e && *r >= '0' && *r <= '9') {
            while (r < e && *r >= '0' && *r <= '9')
                r++;
            q = r;
        }
    }
    const char *unit = t->node ? t->node->str : NULL;
    if (!unit) {
        ft->text = p;
        ft->len = (int)(q - p);
        return;
    }
    char *s = arena_printf(F->ar, "%.*s %s", (int)(q - p), p, unit);
    ft->text = s;
    ft->len = (int)strlen(s);
}

static void read_tokens(fmt_ctx *F, diag_ctx *d, int file)
{
    lex_state L;
    lex_init(&L, d, F->ar, file);
    L.keep_comments = true;
    for (;;) {
        lex_token t = lex_raw(&L);
        if (F->nt == F->capt) {
            F->capt = F->capt ? 2 * F->capt : 256;
            F->t = arena_grow(F->ar, F->t, (size_t)F->nt, (size_t)F->capt, sizeof *F->t);
        }
        ftok *ft = &F->t[F->nt++];
        ft->tok = t.tok;
        ft->line = t.span.line;
        if (t.tok == NUMBER) {
            number_text(F, ft, &t);
        } else {
            ft->text = F->src + t.span.off;
            ft->len = t.span.end_off - t.span.off;
        }
        if (t.tok == AXP_EOF)
            break;
    }
}

/* Does an item end with the '}' at i, so that what follows it on the line is another one
 * (`parameters { w = 1 } on pre { ... }`)? Not before `else` and what closes or goes on. */
static bool item_after_block(const fmt_ctx *F, int i)
{
    switch (F->t[i + 1 < F->nt ? i + 1 : i].tok) {
    case '\n':
    case LEX_COMMENT:
    case ';':
    case '}':
    case ')':
    case ']':
    case RBRACK_PRIME:
    case ',':
    case KW_ELSE:
    case AXP_EOF: return false;
    default: return i + 1 < F->nt;
    }
}

/* Which blocks are laid out over several lines: those written so, and those that hold more
 * than one statement; a block inside such a block is too. */
static void find_blocks(fmt_ctx *F)
{
    F->expand = arena_alloc(F->ar, (size_t)F->nt * sizeof *F->expand);
    int stack[AX_MAX_NESTING + 8], n = 0;
    for (int i = 0; i < F->nt; i++) {
        int k = F->t[i].tok;
        if (k == '{') {
            if (n < (int)(sizeof stack / sizeof stack[0]))
                stack[n++] = i;
        } else if (k == '}') {
            if (n > 0) {
                n--;
                if (n > 0 && (F->expand[stack[n]] || item_after_block(F, i)))
                    F->expand[stack[n - 1]] = true;
            }
        } else if (n > 0 && (k == '\n' || k == LEX_COMMENT)) {
            F->expand[stack[n - 1]] = true;
        } else if (n > 0 && k == ';') {
            int j = i + 1;
            while (j < F->nt && F->t[j].tok == ';')
                j++;
            if (j < F->nt && F->t[j].tok != '}')
                F->expand[stack[n - 1]] = true;
        }
    }
}

/* ---- pass 1: lines --------------------------------------------------------------------------- */

typedef struct {
    bool open; /* the current line has been started */
    int depth, paren;
    int blocks[AX_MAX_NESTING + 8]; /* open '{' token indices */
    int block_ids[AX_MAX_NESTING + 8];
    int next_block;
    int last;        /* the last significant token's kind (SEP_MARK after a statement) */
    bool cont;       /* the next line continues a statement */
    int newlines;    /* newlines since the last other token */
    int closed_line; /* the source line of the last token of the last closed line, or -1 */
} pass1;

static fline *cur_line(fmt_ctx *F)
{
    return &F->l[F->nl - 1];
}

static void start_line(fmt_ctx *F, pass1 *P)
{
    if (F->nl == F->capl) {
        F->capl = F->capl ? 2 * F->capl : 128;
        F->l = arena_grow(F->ar, F->l, (size_t)F->nl, (size_t)F->capl, sizeof *F->l);
    }
    fline *l = &F->l[F->nl++];
    memset(l, 0, sizeof *l);
    l->tstart = F->nlt;
    l->comment = -1;
    l->depth = P->depth;
    l->block = P->depth > 0 ? P->block_ids[P->depth - 1] : 0;
    l->cont = P->cont;
    l->blank_before = P->newlines >= 2;
    P->cont = false;
    P->open = true;
}

static void put(fmt_ctx *F, pass1 *P, int i)
{
    if (!P->open)
        start_line(F, P);
    if (F->nlt == F->caplt) {
        F->caplt = F->caplt ? 2 * F->caplt : 512;
        F->lt = arena_grow(F->ar, F->lt, (size_t)F->nlt, (size_t)F->caplt, sizeof *F->lt);
    }
    F->lt[F->nlt++] = i;
    fline *l = cur_line(F);
    l->tcount++;
    l->src_line = F->t[i].line;
}

static void close_line(fmt_ctx *F, pass1 *P)
{
    if (!P->open)
        return;
    P->open = false;
    P->closed_line = cur_line(F)->src_line;
}

/* The next token after i that is not a newline (comments count when with_comments). */
static int next_sig(const fmt_ctx *F, int i, bool with_comments)
{
    int j = i + 1;
    while (j < F->nt && (F->t[j].tok == '\n' || (!with_comments && F->t[j].tok == LEX_COMMENT)))
        j++;
    return j < F->nt ? j : F->nt - 1;
}

/* Does the line after the newline at i continue the statement? The lexer's rules, plus: after
 * '{' or the end of a statement a new statement starts. */
static bool continues_after(const fmt_ctx *F, const pass1 *P, int i)
{
    if (P->paren > 0)
        return true;
    if (P->last == '{' || P->last == SEP_MARK)
        return false;
    if (!lex_can_end(P->last))
        return true;
    int j = next_sig(F, i, false);
    if (F->t[j].tok == KW_EVERY) {
        int k = next_sig(F, j, false);
        return F->t[k].tok != KW_STEP;
    }
    return lex_continues(F->t[j].tok);
}

static void comment(fmt_ctx *F, pass1 *P, int i)
{
    if (P->open) {
        cur_line(F)->comment = i; /* the newline after it ends the line */
        return;
    }
    /* after a `;` or a '{' that ended the line before on the same source line, the comment
       still ends that line */
    if (F->nl > 0 && P->closed_line == F->t[i].line && cur_line(F)->comment < 0 &&
        cur_line(F)->tcount > 0) {
        cur_line(F)->comment = i;
        return;
    }
    bool cont = P->cont;
    start_line(F, P);
    P->cont = cont; /* a comment line does not use up the continuation */
    cur_line(F)->comment = i;
    cur_line(F)->src_line = F->t[i].line;
    close_line(F, P);
}

static void make_lines(fmt_ctx *F)
{
    pass1 P = {.last = SEP_MARK, .closed_line = -1};
    for (int i = 0; i < F->nt; i++) {
        int k = F->t[i].tok;
        if (k == '\n') {
            P.newlines++;
            if (!P.open)
                continue;
            /* `}` ⏎ `else`: one line, `} else {` */
            int j = next_sig(F, i, true);
            if (P.last == '}' && F->t[j].tok == KW_ELSE) {
                i = j - 1;
                continue;
            }
            P.cont = continues_after(F, &P, i);
            close_line(F, &P);
            continue;
        }
        if (k == AXP_EOF)
            break;
        if (k == LEX_COMMENT) {
            comment(F, &P, i);
            P.newlines = 0;
            continue;
        }
        if (k == ';' && P.paren == 0) {
            /* in a block kept on one line, a ';' can only stand before its '}': dropped */
            if (P.depth > 0 && !F->expand[P.blocks[P.depth - 1]])
                continue;
            close_line(F, &P);
            P.last = SEP_MARK;
            P.cont = false;
            P.newlines = 0;
            continue;
        }
        if (k == '}' && P.depth > 0 && F->expand[P.blocks[P.depth - 1]]) {
            close_line(F, &P);
            P.depth--;
            P.cont = false;
            P.newlines = 0;
            put(F, &P, i);
            if (P.depth == 0)
                cur_line(F)->closes_top = true;
            P.last = '}';
            P.paren = 0;
            if (item_after_block(F, i)) { /* `} on pre {`: the next item on a line of its own */
                close_line(F, &P);
                P.last = SEP_MARK;
            }
            continue;
        }
        put(F, &P, i);
        P.newlines = 0;
        P.last = k;
        switch (k) {
        case '(':
        case '[': P.paren++; break;
        case ')':
        case ']':
        case RBRACK_PRIME:
            if (P.paren > 0)
                P.paren--;
            break;
        case '{':
            P.paren = 0;
            if (P.depth < AX_MAX_NESTING + 8) {
                P.blocks[P.depth] = i;
                P.block_ids[P.depth] = ++P.next_block;
                P.depth++;
            }
            if (F->expand[i]) {
                cur_line(F)->opens_block = true;
                close_line(F, &P);
                P.cont = false;
            }
            break;
        case '}':
            if (P.depth > 0)
                P.depth--;
            if (P.depth == 0)
                cur_line(F)->closes_top = true;
            P.paren = 0;
            if (item_after_block(F, i)) {
                close_line(F, &P);
                P.last = SEP_MARK;
            }
            break;
        }
    }
    close_line(F, &P);
}

/* ---- pass 2: blank lines and alignment ------------------------------------------------------ */

static const ftok *first_tok(const fmt_ctx *F, const fline *l)
{
    return l->tcount ? &F->t[F->lt[l->tstart]] : NULL;
}

static bool is_def(int k)
{
    return k == KW_NEURON || k == KW_SYNAPSE || k == KW_RULE || k == KW_MODULE;
}

static void blank_lines(fmt_ctx *F)
{
    for (int i = 0; i < F->nl; i++) {
        fline *l = &F->l[i];
        const ftok *f = first_tok(F, l);
        if (i == 0 || (f && f->tok == '}') || F->l[i - 1].opens_block || (l->cont && f))
            l->blank_before = false;
        else if (F->l[i - 1].closes_top)
            l->blank_before = true;
    }
    /* one blank line before each top-level definition and the comment block above it */
    for (int i = 0; i < F->nl; i++) {
        fline *l = &F->l[i];
        const ftok *f = first_tok(F, l);
        if (!f || l->depth || l->cont || !is_def(f->tok))
            continue;
        int k = i;
        while (k > 0 && !F->l[k].blank_before && !F->l[k - 1].tcount && F->l[k - 1].comment >= 0)
            k--;
        if (k > 0)
            F->l[k].blank_before = true;
    }
}

/* `name = value` lines of one block, one after the other, have their '=' lined up; a line
 * with a unit (`w_max : w = 1`), any other statement or a blank line ends a run, comment
 * lines and continuation lines do not. Derivatives and definitions make runs of their own. */
static int align_kind(const fmt_ctx *F, const fline *l)
{
    if (l->tcount < 2 || l->cont)
        return 0;
    int k0 = F->t[F->lt[l->tstart]].tok, k1 = F->t[F->lt[l->tstart + 1]].tok;
    if (k1 != '=' || (k0 != IDENT && k0 != PRIMED))
        return 0;
    return k0;
}

static void align(fmt_ctx *F)
{
    for (int i = 0; i < F->nl;) {
        int kind = align_kind(F, &F->l[i]);
        if (!kind) {
            i++;
            continue;
        }
        int block = F->l[i].block, width = 0, end = i;
        for (int j = i; j < F->nl; j++) {
            const fline *l = &F->l[j];
            if (j > i && l->blank_before)
                break;
            if (!l->tcount || l->cont)
                continue;
            if (align_kind(F, l) != kind || l->block != block)
                break;
            int w = F->t[F->lt[l->tstart]].len;
            width = w > width ? w : width;
            end = j + 1;
        }
        for (int j = i; j < end; j++)
            if (align_kind(F, &F->l[j]))
                F->l[j].pad = width - F->t[F->lt[F->l[j].tstart]].len;
        i = end;
    }
}

/* ---- pass 3: rendering ------------------------------------------------------------------------
 */

static bool operand_end(int k)
{
    return k == IDENT || k == NUMBER || k == STRING || k == PRIMED || k == ')' || k == ']' ||
           k == RBRACK_PRIME ||
           k == KW_TRUE || k == KW_FALSE;
}

/* Blanks between two tokens of a line: p before c; before_p is the significant token before p
 * (to tell a unary sign), stmt the statement's first token; in_unit: in the declared unit of
 * `name : unit`, written like a unit after a number (`uA/cm^2`). */
static bool space_between(int before_p, int p, int c, int stmt, bool in_unit)
{
    if (in_unit && (p == '*' || p == '/' || c == '*' || c == '/'))
        return false;
    if ((c == '.' && p == NUMBER) || (p == '.' && c == NUMBER))
        return true; /* "1.x" and "x.5" would read as malformed numbers */
    if (c == ',' || c == ')' || c == ']' || c == RBRACK_PRIME || c == '.' || p == '.' ||
        p == '(' || p == '[')
        return false;
    if ((p == '^' || c == '^') || (p == '{' && c == '}'))
        return false;
    if ((p == '-' || p == '+') && !operand_end(before_p))
        return false; /* a sign */
    if (c == '(')
        return !(p == IDENT || p == ']');
    if (c == '[')
        return !(p == IDENT && stmt != KW_RECORD);
    return true;
}

typedef struct {
    int col_after; /* where the text after the bracket starts, or -1 when nothing followed it */
    int indent;    /* the indentation of its line */
} bracket;

typedef struct {
    bracket br[AX_MAX_NESTING + 8];
    int nbr;
    int stmt_indent, stmt_first;
    int before, last; /* the last two significant tokens */
    bool in_unit;     /* after the ':' of a declaration, before its '=' */
    bool unit_num;    /* the last token is a number with a unit ("2 ms") */
    bool unit_pow;    /* ... or the '^' after one: "2 ms ^ 2" keeps its blanks, since
                         "2 ms^2" would read as a number with the unit ms^2 */
} pass3;

static int line_indent(const fmt_ctx *F, const fline *l, const pass3 *R)
{
    if (!l->cont)
        return 4 * l->depth;
    const ftok *f = first_tok(F, l);
    if (f->tok == KW_ELSE && R->last == '}')
        return R->stmt_indent; /* `}` # comment ⏎ `else`: under its `if` */
    if (R->nbr > 0) {
        const bracket *b = &R->br[R->nbr - 1];
        if (f->tok == ')' || f->tok == ']' || f->tok == RBRACK_PRIME)
            return b->indent;
        return b->col_after >= 0 ? b->col_after : b->indent + 4;
    }
    return R->stmt_indent + 4;
}

static void render_code(fmt_ctx *F, fline *l, pass3 *R, strbuf *sb)
{
    if (!l->cont) {
        R->nbr = 0;
        R->before = R->last = SEP_MARK;
        R->stmt_first = first_tok(F, l)->tok;
        R->in_unit = false;
    }
    l->indent = line_indent(F, l, R);
    if (!l->cont)
        R->stmt_indent = l->indent;
    for (int s = 0; s < l->indent; s++)
        sb_putc(sb, ' ');
    size_t start = sb->len - (size_t)l->indent;
    for (int k = 0; k < l->tcount; k++) {
        const ftok *t = &F->t[F->lt[l->tstart + k]];
        if (k == 1)
            for (int s = 0; s < l->pad; s++)
                sb_putc(sb, ' ');
        if (k > 0 && R->last == '{') {
            R->stmt_first = t->tok; /* a statement of a block on one line */
            R->in_unit = false;
        }
        if (k > 0 && (space_between(R->before, R->last, t->tok, R->stmt_first, R->in_unit) ||
                      (t->tok == '^' && R->unit_num) || R->unit_pow))
            sb_putc(sb, ' ');
        R->unit_pow = t->tok == '^' && R->unit_num;
        R->unit_num = t->tok == NUMBER && memchr(t->text, ' ', (size_t)t->len);
        sb_putn(sb, t->text, (size_t)t->len);
        if (t->tok == ':' && R->stmt_first == IDENT && R->nbr == 0)
            R->in_unit = true;
        else if (t->tok == '=' || t->tok == '}')
            R->in_unit = false;
        if (t->tok == '(' || t->tok == '[') {
            if (R->nbr < (int)(sizeof R->br / sizeof R->br[0]))
                R->br[R->nbr++] =
                    (bracket){k + 1 < l->tcount ? (int)(sb->len - start) : -1, l->indent};
        } else if ((t->tok == ')' || t->tok == ']' || t->tok == RBRACK_PRIME) && R->nbr > 0) {
            R->nbr--;
        }
        R->before = R->last;
        R->last = t->tok;
    }
}

/* Own-line comments take the indentation of the code they stand before (inside the block
 * when that code closes it). */
static int comment_indent(const fmt_ctx *F, int i)
{
    for (int j = i + 1; j < F->nl; j++) {
        const fline *l = &F->l[j];
        if (!l->tcount)
            continue;
        return first_tok(F, l)->tok == '}' ? l->indent + 4 : l->indent;
    }
    return 0;
}

static char *render(fmt_ctx *F)
{
    pass3 R = {.before = SEP_MARK, .last = SEP_MARK};
    strbuf *code = arena_alloc(F->ar, (size_t)(F->nl ? F->nl : 1) * sizeof *code);
    for (int i = 0; i < F->nl; i++)
        if (F->l[i].tcount)
            render_code(F, &F->l[i], &R, &code[i]);
    for (int i = 0; i < F->nl; i++)
        if (!F->l[i].tcount)
            F->l[i].indent = comment_indent(F, i);
    strbuf out = {0};
    bool oom = false; /* a line ran out of memory */
    for (int i = 0; i < F->nl;) {
        /* a run of consecutive code lines with trailing comments: the comments line up */
        int end = i + 1, width = 0;
        if (F->l[i].tcount && F->l[i].comment >= 0) {
            while (end < F->nl && F->l[end].tcount && F->l[end].comment >= 0 &&
                   !F->l[end].blank_before)
                end++;
            for (int j = i; j < end; j++)
                width = (int)code[j].len > width ? (int)code[j].len : width;
        }
        for (int j = i; j < end; j++) {
            const fline *l = &F->l[j];
            if (l->blank_before && out.len)
                sb_putc(&out, '\n');
            if (l->tcount) {
                sb_putn(&out, code[j].buf, code[j].len);
            } else {
                for (int s = 0; s < l->indent; s++)
                    sb_putc(&out, ' ');
            }
            if (l->comment >= 0) {
                const ftok *c = &F->t[l->comment];
                if (l->tcount)
                    for (int s = (int)code[j].len; s < width + 2; s++)
                        sb_putc(&out, ' ');
                int n = c->len;
                while (n > 1 &&
                       (c->text[n - 1] == ' ' || c->text[n - 1] == '\t' || c->text[n - 1] == '\r'))
                    n--;
                sb_putn(&out, c->text, (size_t)n);
            }
            sb_putc(&out, '\n');
            oom |= code[j].oom;
            sb_free(&code[j]);
        }
        i = end;
    }
    if (oom || out.oom) {
        sb_free(&out);
        return NULL;
    }
    return out.buf ? sb_take(&out) : strdup("");
}

/* ---- the check: the same syntax tree -----------------------------------------------------------
 */

/* The syntax tree of text as `axon dump ast` prints it in *out (malloc'd): FMT_OK, FMT_CHANGED
 * when the text has errors, FMT_NOMEM (nothing allocated is left). */
static int tree_text(const char *text, size_t len, char **out)
{
    diag_ctx *d = diag_new();
    ax_arena *ar = arena_new();
    jmp_buf jump;
    ax_oom oom = {.jump = &jump};
    char *volatile buf = NULL;
    size_t n = 0;
    FILE *volatile f = NULL;
    volatile int rc = FMT_NOMEM;
    if (d && ar && !setjmp(jump)) {
        arena_set_oom(ar, &oom);
        diag_set_oom(d, &oom);
        f = open_memstream((char **)&buf, &n);
        if (f) {
            ast_node *root = parse_file(ar, d, diag_add_file(d, "<fmt>", text, len));
            bool whole = ast_dump(f, root, false);
            FILE *g = f;
            f = NULL;
            rc = fclose(g) != 0 || !whole ? FMT_NOMEM : diag_error_count(d) ? FMT_CHANGED : FMT_OK;
        }
    }
    if (f) /* out of memory while it was open */
        fclose(f);
    if (rc != FMT_OK) {
        free(buf);
        buf = NULL;
    }
    arena_free(ar);
    diag_free(d);
    *out = buf;
    return rc;
}

/* FMT_OK when a and b have the same syntax tree, FMT_CHANGED when not, FMT_NOMEM */
static int same_tree(const char *a, size_t alen, const char *b, size_t blen)
{
    char *x = NULL, *y = NULL;
    int rc = tree_text(a, alen, &x);
    if (rc == FMT_OK)
        rc = tree_text(b, blen, &y);
    if (rc == FMT_OK && strcmp(x, y))
        rc = FMT_CHANGED;
    free(x);
    free(y);
    return rc;
}

int fmt_source(const char *text, size_t len, char **out)
{
    diag_ctx *d = diag_new();
    fmt_ctx F = {.ar = arena_new()};
    jmp_buf jump;
    ax_oom oom = {.jump = &jump};
    char *volatile res = NULL;
    volatile int rc = FMT_NOMEM;
    if (d && F.ar && !setjmp(jump)) {
        arena_set_oom(F.ar, &oom);
        diag_set_oom(d, &oom);
        int file = diag_add_file(d, "<fmt>", text, len);
        F.src = diag_file_text(d, file, NULL);
        read_tokens(&F, d, file);
        find_blocks(&F);
        make_lines(&F);
        blank_lines(&F);
        align(&F);
        res = render(&F); /* allocates nothing in the arena: no jump while it holds memory */
        rc = res ? same_tree(text, len, res, strlen(res)) : FMT_NOMEM;
    }
    if (rc != FMT_OK) {
        free(res);
        res = NULL;
    }
    arena_free(F.ar);
    diag_free(d);
    *out = res;
    return rc;
}
