/* The Axon lexer. Generated into lex.c by re2c; see lex.h for the rules. */
#include "lex.h"

#include "parse.h"
#include "sema/units.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void lex_init(lex_state *L, diag_ctx *d, ax_arena *ar, int file)
{
    memset(L, 0, sizeof *L);
    size_t len = 0;
    L->src = diag_file_text(d, file, &len);
    L->cur = L->bol = L->colp = L->src;
    /* a UTF-8 byte order mark, which some Windows editors write, is not part of the text */
    if (len >= 3 && !memcmp(L->src, "\xEF\xBB\xBF", 3))
        L->cur = L->bol = L->colp = L->src + 3;
    L->col = 1;
    L->lim = L->src + len;
    L->file = file;
    L->line = 1;
    L->diag = d;
    L->ar = ar;
    L->last = SEP;
    L->paren_lost_off = -1;
}

/* Columns count characters, not bytes, so a caret lines up under UTF-8
 * text in strings and comments. Tokens come in order, so the count goes on
 * from the last position asked for (colp): lexing a line is linear in its
 * length, however many tokens it has. */
static int column(lex_state *L, const char *p)
{
    if (L->colp <= L->bol || p < L->colp) {
        L->colp = L->bol;
        L->col = 1;
    }
    for (const char *q = L->colp; q < p; q++)
        if (((unsigned char)*q & 0xC0) != 0x80)
            L->col++;
    L->colp = p;
    return L->col;
}

static ax_span span_at(lex_state *L, const char *b, const char *e)
{
    ax_span s;
    s.file = L->file;
    s.line = s.end_line = L->line;
    s.col = column(L, b);
    s.end_col = column(L, e);
    s.off = (int)(b - L->src);
    s.end_off = (int)(e - L->src);
    return s;
}

static const struct {
    const char *word;
    int tok;
} KEYWORDS[] = {
    {"import", KW_IMPORT}, {"neuron", KW_NEURON}, {"synapse", KW_SYNAPSE}, {"rule", KW_RULE},
    {"module", KW_MODULE}, {"parameters", KW_PARAMETERS}, {"per", KW_PER},
    {"shared", KW_SHARED}, {"state", KW_STATE}, {"inputs", KW_INPUTS},
    {"equations", KW_EQUATIONS}, {"step", KW_STEP}, {"output", KW_OUTPUT},
    {"spike", KW_SPIKE}, {"when", KW_WHEN}, {"on", KW_ON}, {"refractory", KW_REFRACTORY},
    {"method", KW_METHOD}, {"pre", KW_PRE}, {"post", KW_POST}, {"continuous", KW_CONTINUOUS},
    {"every", KW_EVERY}, {"modulator", KW_MODULATOR}, {"let", KW_LET},
    {"population", KW_POPULATION}, {"project", KW_PROJECT}, {"connect", KW_CONNECT},
    {"delay", KW_DELAY}, {"learn", KW_LEARN}, {"signal", KW_SIGNAL}, {"record", KW_RECORD},
    {"run", KW_RUN}, {"for", KW_FOR}, {"and", KW_AND}, {"or", KW_OR}, {"not", KW_NOT},
    {"true", KW_TRUE}, {"false", KW_FALSE}, {"if", KW_IF}, {"then", KW_THEN},
    {"else", KW_ELSE}, {"where", KW_WHERE}, {"from", KW_FROM}, {"extern", KW_EXTERN},
};

static int keyword(const char *s, size_t n)
{
    for (size_t i = 0; i < sizeof KEYWORDS / sizeof KEYWORDS[0]; i++)
        if (strlen(KEYWORDS[i].word) == n && memcmp(KEYWORDS[i].word, s, n) == 0)
            return KEYWORDS[i].tok;
    return IDENT;
}

bool lex_is_keyword(const char *word)
{
    return keyword(word, strlen(word)) != IDENT;
}

const char *lex_token_desc(int tok)
{
    switch (tok) {
    case IDENT: return "identifier";
    case PRIMED: return "derivative (x')";
    case NUMBER: return "number";
    case STRING: return "string";
    case SEP: return "end of statement";
    case AXP_EOF: return "end of file";
    case ARROW: return "'->'";
    case DOTDOT: return "'..'";
    case RBRACK_PRIME: return "']''";
    case EQ: return "'=='";
    case NE: return "'!='";
    case LE: return "'<='";
    case GE: return "'>='";
    case ADD_ASSIGN: return "'+='";
    case SUB_ASSIGN: return "'-='";
    case MUL_ASSIGN: return "'*='";
    case DIV_ASSIGN: return "'/='";
    case KW_EVENT_DRIVEN: return "'event-driven'";
    }
    for (size_t i = 0; i < sizeof KEYWORDS / sizeof KEYWORDS[0]; i++)
        if (KEYWORDS[i].tok == tok)
            return KEYWORDS[i].word;
    return NULL;
}

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_ident_char(unsigned char c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

/* Length of one unit symbol at p (ASCII letters, optionally starting with
 * the micro sign in UTF-8), or 0. */
static size_t unit_atom(const char *p, const char *lim)
{
    const char *q = p;
    if (lim - q >= 2 && (((unsigned char)q[0] == 0xC2 && (unsigned char)q[1] == 0xB5) ||
                         ((unsigned char)q[0] == 0xCE && (unsigned char)q[1] == 0xBC)))
        q += 2;
    if (q < lim && is_ident_start((unsigned char)*q))
        while (q < lim && is_ident_char((unsigned char)*q))
            q++;
    if (q == p || !unit_is_name(p, (size_t)(q - p)))
        return 0;
    return (size_t)(q - p);
}

/* After a number: an optional unit expression. Units may follow the number
 * after blanks; inside the unit, '*', '/' and '^' join atoms with no blanks
 * ("1.5 mV/ms", "0.2 nS*ms", "1 uF/cm^2", "1 mV/ms^0.5"). Returns the end of the unit, or
 * the start position when there is none. */
static const char *scan_unit(const char *p, const char *lim, const char **ustart)
{
    const char *q = p;
    while (q < lim && (*q == ' ' || *q == '\t'))
        q++;
    size_t n = unit_atom(q, lim);
    if (!n)
        return p;
    *ustart = q;
    q += n;
    for (;;) {
        if (q < lim && *q == '^') {
            const char *r = q + 1;
            if (r < lim && *r == '-')
                r++;
            if (r < lim && *r >= '0' && *r <= '9') {
                while (r < lim && *r >= '0' && *r <= '9')
                    r++;
                /* a fractional power: "ms^0.5" (unit_parse checks it) */
                if (r + 1 < lim && *r == '.' && r[1] >= '0' && r[1] <= '9')
                    for (r++; r < lim && *r >= '0' && *r <= '9';)
                        r++;
                q = r;
                continue;
            }
            break;
        }
        if (q < lim && (*q == '*' || *q == '/') && (n = unit_atom(q + 1, lim))) {
            q += 1 + n;
            continue;
        }
        break;
    }
    return q;
}

static lex_token number(lex_state *L)
{
    lex_token t = {.tok = NUMBER};
    const char *b = L->tok, *e = L->cur;
    char buf[128];
    size_t n = (size_t)(e - b);
    bool integer = true;
    for (const char *p = b; p < e; p++)
        if (*p == '.' || *p == 'e' || *p == 'E')
            integer = false;
    double v = HUGE_VAL;
    if (n < sizeof buf) {
        memcpy(buf, b, n);
        buf[n] = 0;
        v = strtod(buf, NULL);
    }
    const char *ustart = NULL;
    const char *ue = scan_unit(e, L->lim, &ustart);
    t.span = span_at(L, b, ue);
    ast_node *node = ast_new(L->ar, AST_NUM, t.span);
    node->num = v;
    if (ustart) {
        node->str = arena_strndup(L->ar, ustart, (size_t)(ue - ustart));
        integer = false;
        L->cur = ue;
    }
    if (!isfinite(v)) {
        diag_error(L->diag, t.span, "number out of range");
        node->num = 0;
    }
    if (integer)
        node->flags |= NUM_INTEGER;
    t.node = node;
    return t;
}

/* Names become symbols and file names (POP.VAR.t.npy): their length is limited. */
static void long_name(lex_state *L, ax_span sp, size_t n)
{
    if (n > AX_MAX_NAME)
        diag_error(L->diag, sp, "a name of %zu characters is too long (at most %d)", n,
                   AX_MAX_NAME);
}

static lex_token stray(lex_state *L)
{
    const unsigned char *p = (const unsigned char *)L->tok;
    /* a whole UTF-8 sequence is one stray character */
    int len = 1;
    unsigned cp = p[0];
    if (p[0] >= 0xC2 && p[0] <= 0xF4) {
        int need = p[0] >= 0xF0 ? 3 : p[0] >= 0xE0 ? 2 : 1;
        cp = p[0] & (0x3F >> need);
        int i;
        for (i = 1; i <= need && (const char *)p + i < L->lim && (p[i] & 0xC0) == 0x80; i++)
            cp = (cp << 6) | (p[i] & 0x3F);
        if (i == need + 1)
            len = i;
    }
    L->cur = L->tok + len;
    ax_span sp = span_at(L, L->tok, L->cur);
    if (len > 1)
        diag_error(L->diag, sp, "stray character '%.*s' (U+%04X) in program text", len,
                   L->tok, cp);
    else if (p[0] >= 0x20 && p[0] < 0x7F)
        diag_error(L->diag, sp, "stray '%c' in program text", p[0]);
    else
        diag_error(L->diag, sp, "stray byte 0x%02X in program text", p[0]);
    if (len == 2 && (cp == 0xB5 || cp == 0x3BC))
        diag_hint(L->diag, "the micro sign is allowed only as a unit prefix after a number "
                           "(20 \xc2\xb5s); elsewhere write 'u'");
    else if (len > 1)
        diag_hint(L->diag, "names are made of ASCII letters, digits and '_'; other characters "
                           "may appear only in comments and strings");
    else if (p[0] == '!')
        diag_hint(L->diag, "write 'not' for logical negation ('!=' means 'not equal')");
    return (lex_token){.tok = -1};
}

/*!re2c
    re2c:define:YYCTYPE = "unsigned char";
    re2c:define:YYCURSOR = L->cur;
    re2c:define:YYMARKER = marker;
    re2c:yyfill:enable = 0;
    re2c:flags:tags = 0;

    digit = [0-9];
    ident = [a-zA-Z_][a-zA-Z0-9_]*;
    number = digit+ ("." digit+)? ([eE] [+-]? digit+)?;
*/

lex_token lex_raw(lex_state *L)
{
    const char *marker = NULL;
    for (;;) {
        L->tok = L->cur;
        if (L->cur >= L->lim) {
            lex_token t = {.tok = AXP_EOF};
            t.span = span_at(L, L->lim, L->lim);
            return t;
        }
        lex_token t = {.tok = 0};
#define TOK(k) do { t.tok = (k); t.span = span_at(L, L->tok, L->cur); return t; } while (0)
        /*!re2c
        [ \t\r\f\v]+ { continue; }
        "#" [^\n\x00]* {
            if (!L->keep_comments)
                continue;
            TOK(LEX_COMMENT);
        }
        "\n" {
            t.tok = '\n';
            t.span = span_at(L, L->tok, L->cur);
            L->line++;
            L->bol = L->cur;
            return t;
        }
        number { return number(L); }
        digit+ ("." digit+)? [eE] [+-]? {
            /* "1e", "2.5e-": the exponent has no digits */
            int n = (int)(L->cur - L->tok);
            lex_token t2 = number(L);
            diag_error(L->diag, t2.span, "malformed number '%.*s%s': the exponent has no digits",
                       AX_QUOTED(L->tok, n));
            return t2;
        }
        digit+ "." {
            /* "1." is not a number; "0..9" is a range */
            if (L->cur < L->lim && *L->cur == '.') {
                L->cur--;
                return number(L);
            }
            int n = (int)(L->cur - L->tok);
            lex_token t2 = number(L);
            diag_error(L->diag, t2.span, "malformed number '%.*s%s'", AX_QUOTED(L->tok, n));
            diag_hint(L->diag, "write a digit after the '.' ('1.0') or leave the '.' out");
            return t2;
        }
        number ("." digit+)+ {
            /* "1.5.3", "2.5e-3.1": not a number followed by ".3" (whose hint would be wrong) */
            int n = (int)(L->cur - L->tok);
            lex_token t2 = number(L);
            diag_error(L->diag, t2.span, "malformed number '%.*s%s': it has more than one '.'",
                       AX_QUOTED(L->tok, n));
            return t2;
        }
        digit+ ("." digit+)? [eE] [+-]? digit+ [eE] [+-]? digit* {
            int n = (int)(L->cur - L->tok);
            lex_token t2 = number(L);
            diag_error(L->diag, t2.span, "malformed number '%.*s%s': it has more than one exponent",
                       AX_QUOTED(L->tok, n));
            return t2;
        }
        "0" [xX] [0-9a-fA-F]+ {
            int n = (int)(L->cur - L->tok);
            lex_token t2 = number(L);
            diag_error(L->diag, t2.span, "malformed number '%.*s%s': numbers are decimal",
                       AX_QUOTED(L->tok, n));
            if (n <= 15)
                diag_hint(L->diag, "write %llu", strtoull(L->tok + 2, NULL, 16));
            return t2;
        }
        digit+ ("_" digit+)+ ("." [0-9_]+)? ([eE] [+-]? digit+)? {
            int n = (int)(L->cur - L->tok);
            lex_token t2 = number(L);
            diag_error(L->diag, t2.span, "malformed number '%.*s%s': '_' cannot group digits",
                       AX_QUOTED(L->tok, n));
            diag_hint(L->diag, "write the digits together");
            return t2;
        }
        "." digit+ {
            int n = (int)(L->cur - L->tok);
            lex_token t2 = number(L);
            diag_error(L->diag, t2.span, "malformed number '%.*s%s'", AX_QUOTED(L->tok, n));
            diag_hint(L->diag, "write a digit before the '.' ('0.5')");
            return t2;
        }
        "event-driven" { TOK(KW_EVENT_DRIVEN); }
        ident "'" {
            t.str = arena_strndup(L->ar, L->tok, (size_t)(L->cur - L->tok - 1));
            t.span = span_at(L, L->tok, L->cur);
            long_name(L, t.span, (size_t)(L->cur - L->tok - 1));
            t.tok = PRIMED;
            return t;
        }
        ident {
            size_t n = (size_t)(L->cur - L->tok);
            int k = keyword(L->tok, n);
            t.span = span_at(L, L->tok, L->cur);
            if (k == IDENT) {
                t.str = arena_strndup(L->ar, L->tok, n);
                long_name(L, t.span, n);
            }
            t.tok = k;
            return t;
        }
        "\"" ([^"\\\n\x00] | "\\" [^\n\x00])* "\"" {
            /* keep the text between the quotes; \" and \\ are unescaped */
            char *q = arena_alloc(L->ar, (size_t)(L->cur - L->tok));
            t.str = q;
            for (const char *p = L->tok + 1; p < L->cur - 1; p++) {
                if (*p == '\\')
                    p++;
                *q++ = *p;
            }
            *q = 0;
            TOK(STRING);
        }
        "\"" ([^"\\\n\x00] | "\\" [^\n\x00])* {
            t.span = span_at(L, L->tok, L->cur);
            diag_error(L->diag, t.span, "unterminated string");
            diag_hint(L->diag, "strings end on the same line with '\"'");
            t.tok = STRING;
            t.str = "";
            return t;
        }
        "]'" { TOK(RBRACK_PRIME); }
        "->" { TOK(ARROW); }
        ".." { TOK(DOTDOT); }
        "==" { TOK(EQ); }
        "!=" { TOK(NE); }
        "<=" { TOK(LE); }
        ">=" { TOK(GE); }
        "+=" { TOK(ADD_ASSIGN); }
        "-=" { TOK(SUB_ASSIGN); }
        "*=" { TOK(MUL_ASSIGN); }
        "/=" { TOK(DIV_ASSIGN); }
        "&&" {
            t.span = span_at(L, L->tok, L->cur);
            diag_error(L->diag, t.span, "'&&' is not an operator in Axon");
            diag_hint(L->diag, "write 'and'");
            t.tok = KW_AND;
            return t;
        }
        "||" {
            t.span = span_at(L, L->tok, L->cur);
            diag_error(L->diag, t.span, "'||' is not an operator in Axon");
            diag_hint(L->diag, "write 'or'");
            t.tok = KW_OR;
            return t;
        }
        "**" {
            t.span = span_at(L, L->tok, L->cur);
            diag_error(L->diag, t.span, "'**' is not an operator in Axon");
            diag_hint(L->diag, "write '^' for powers");
            t.tok = '^';
            return t;
        }
        [{}()[\],;:.=+\-*/%^<>] { TOK(L->tok[0]); }
        * {
            lex_token s = stray(L);
            (void)s;
            continue;
        }
        */
    }
}

bool lex_can_end(int tok)
{
    switch (tok) {
    case IDENT: case NUMBER: case STRING: case ')': case ']': case RBRACK_PRIME: case '}':
    case KW_TRUE: case KW_FALSE: case KW_STEP: case KW_PRE: case KW_POST:
        return true;
    default:
        return false;
    }
}

bool lex_continues(int tok)
{
    switch (tok) {
    case KW_CONNECT: case KW_DELAY: case KW_LEARN: case KW_EVERY: case KW_ELSE: case KW_THEN:
        return true;
    /* a binary operator: no statement starts with one (`v' = a` ⏎ `+ b`) */
    case '+': case '-': case '*': case '/': case '%': case '^': case '<': case '>':
    case LE: case GE: case EQ: case NE: case KW_AND: case KW_OR:
        return true;
    default:
        return false;
    }
}

/* The indentation of the line that starts at bol, when the token at tok is the first on it
 * (blanks before it, a tab counting as one); else -1. */
static int indent(const char *bol, const char *tok)
{
    for (const char *p = bol; p < tok; p++)
        if (*p != ' ' && *p != '\t')
            return -1;
    return (int)(tok - bol);
}

/* The indentation of the line that starts at bol. */
static int line_indent(const char *bol, const char *lim)
{
    const char *p = bol;
    while (p < lim && (*p == ' ' || *p == '\t'))
        p++;
    return (int)(p - bol);
}

/* Brackets and blocks open at once are limited (AX_MAX_NESTING): the parser's stack and
 * every recursive pass over the tree stay bounded whatever the input. Past the limit the
 * file is not read further: the rest of it reads as the end of the file, and the parser
 * reports nothing more (lex_stopped). */
static bool nest(lex_state *L, lex_token *t)
{
    if (++L->nest <= AX_MAX_NESTING)
        return true;
    diag_error(L->diag, t->span, "brackets and blocks are nested too deeply (more than %d "
                                 "levels)", AX_MAX_NESTING);
    L->stopped = true;
    L->stop_at = t->span;
    *t = (lex_token){.tok = AXP_EOF, .span = t->span};
    return false;
}

/* Raw tokens with bracket bookkeeping (depth of ( and [, where { opened). */
static lex_token fetch(lex_state *L)
{
    if (L->npend) {
        lex_token t = L->pend[0];
        L->npend--;
        memmove(&L->pend[0], &L->pend[1], (size_t)L->npend * sizeof L->pend[0]);
        return t;
    }
    if (L->stopped)
        return (lex_token){.tok = AXP_EOF, .span = L->stop_at};
    lex_token t = lex_raw(L);
    switch (t.tok) {
    case '(': case '[': case '{':
        if (!nest(L, &t))
            return t;
        break;
    case ')': case ']': case RBRACK_PRIME: case '}':
        if (L->nest > 0)
            L->nest--;
        break;
    }
    switch (t.tok) {
    case '(': case '[':
        if (L->depth == 0)
            L->paren_at = t.span;
        L->depth++;
        break;
    case ')': case ']': case RBRACK_PRIME: if (L->depth > 0) L->depth--; break;
    case '{':
        /* an open ( or [ before a block is a mistake the parser reports;
           forget it so the rest of the file still splits into statements
           (and remember it, for the parser's hint) */
        if (L->depth > 0) {
            L->paren_lost = L->paren_at;
            L->paren_lost_off = t.span.off;
        }
        L->depth = 0;
        if (L->nbraces < LEX_MAX_BRACES) {
            L->braces[L->nbraces] = t.span;
            L->brace_indent[L->nbraces] = line_indent(L->bol, L->lim);
        }
        L->nbraces++;
        break;
    case '}':
        if (L->depth > 0) {
            L->paren_lost = L->paren_at;
            L->paren_lost_off = t.span.off;
        }
        L->depth = 0;
        if (L->nbraces > 0 && L->nbraces <= LEX_MAX_BRACES && !L->misclosed.line) {
            /* a '}' first on its line and indented less than the line of the '{' it closes
               is most likely the '}' of an outer block: the '{' is the one left open */
            int in = indent(L->bol, L->src + t.span.off);
            if (in >= 0 && in < L->brace_indent[L->nbraces - 1]) {
                L->misclosed = L->braces[L->nbraces - 1];
                L->misclosed_by = t.span;
            }
        }
        if (L->nbraces > 0)
            L->nbraces--;
        break;
    }
    return t;
}

ax_span lex_open_brace(const lex_state *L, ax_span *closed_by)
{
    int i = L->nbraces <= LEX_MAX_BRACES ? L->nbraces - 1 : LEX_MAX_BRACES - 1;
    ax_span b = L->braces[i];
    if (L->misclosed.line && L->misclosed.off > b.off) {
        *closed_by = L->misclosed_by;
        return L->misclosed;
    }
    closed_by->line = 0;
    return b;
}

static void unfetch(lex_state *L, lex_token t)
{
    /* push to the front */
    memmove(&L->pend[1], &L->pend[0], (size_t)L->npend * sizeof L->pend[0]);
    L->pend[0] = t;
    L->npend++;
}

static lex_token sep_token(ax_span at)
{
    lex_token s = {.tok = SEP};
    s.span = at;
    s.span.end_off = s.span.off;
    s.span.end_col = s.span.col;
    s.span.end_line = s.span.line;
    return s;
}

lex_token lex_next(lex_state *L)
{
    lex_token t;
    for (;;) {
        t = fetch(L);
        if (t.tok == '\n') {
            if (L->depth > 0 || !lex_can_end(L->last))
                continue;
            /* look past blank lines and comments for a continuation keyword */
            lex_token n = fetch(L);
            while (n.tok == '\n')
                n = fetch(L);
            bool cont = lex_continues(n.tok);
            if (n.tok == KW_EVERY) {
                /* `every step { ... }` starts a handler; `every 1 ms` continues a record */
                lex_token n2 = fetch(L);
                cont = n2.tok != KW_STEP;
                unfetch(L, n2);
            }
            unfetch(L, n);
            if (cont)
                continue;
            t = sep_token(t.span);
            t.newline = true;
            break;
        }
        if (t.tok == ';') {
            t.tok = SEP;
            break;
        }
        if ((t.tok == '}' || t.tok == AXP_EOF) && L->last != SEP && L->last != '{' &&
            L->last != 0) {
            unfetch(L, t);
            bool brace = t.tok == '}';
            t = sep_token(t.span);
            t.virt = brace;
            break;
        }
        break;
    }
    L->last = t.tok;
    L->prev_tok = L->last_tok;
    L->last_tok = t;
    return t;
}
