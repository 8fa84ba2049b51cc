/*
 * The editor's index (see ide.h). Two walks over the syntax trees of every loaded file:
 * first the global definitions (so that a file may use a neuron defined further down, or in
 * an import), then each definition's members, lets and module items, with a walk of every
 * expression that records which symbol each name refers to, by the scopes of the language:
 * a block's lets, then the definition's own names; in a module its parameters, lets and
 * items; `E.v` through the population's neuron type, `c1.E` through the instance's module.
 * The syntax tree keeps one span per node; names that are not nodes of their own (a
 * population's neuron type, a definition's name) are found by scanning the node's source for
 * the word, skipping comments and strings.
 */
#include "ide.h"

#include "ast.h"
#include "lex.h"
#include "sema/sema_int.h"
#include "sema/units.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    ax_span span;
    int sym;
    bool decl;
} ide_occ;

/* Names bound by name rather than by scope, which a rename must not break: `pre.x` and
 * `post.x` (whatever neuron a projection gives), and the columns of a connection file
 * (the members of the projection's synapse and rules). */
typedef enum {
    BOUND_PREPOST, /* pre.NAME or post.NAME */
    BOUND_FILE,    /* the columns of `file` give values to the members of sym */
    BOUND_WEIGHT,  /* `learn R` without `on`: R's w is synapse sym's member named w */
} ide_bound_kind;

typedef struct {
    ide_bound_kind kind;
    const char *name;
    int sym;
    const char *file;
    ax_span span;
} ide_bound;

struct ide_index {
    ax_arena *ar;
    sema_ctx *s;
    diag_ctx *d;
    ide_sym *syms;
    int nsyms, capsyms;
    ide_occ *occ;
    int nocc, capocc;
    ide_bound *bound;
    int nbound, capbound;
};

/* The lets in scope while walking a body: symbol indices, innermost last. */
typedef struct {
    int v[256];
    int n;
    int owner; /* the definition (neuron, synapse, rule or module) being walked */
} scope;

/* ---- source positions ---------------------------------------------------------------------- */

static const char *file_text(const ide_index *x, int file, size_t *len)
{
    const char *t = diag_file_text(x->d, file, len);
    if (!t)
        *len = 0;
    return t ? t : "";
}

/* The span of [off, end) of file: lines and columns (characters) as the lexer counts them. */
static ax_span span_of(const ide_index *x, int file, int off, int end)
{
    size_t len;
    const char *t = file_text(x, file, &len);
    ax_span sp = {.file = file, .line = 1, .col = 1, .off = off, .end_off = end};
    int line = 1, col = 1;
    for (int i = 0; i < end && (size_t)i < len; i++) {
        if (i == off) {
            sp.line = line;
            sp.col = col;
        }
        if (t[i] == '\n') {
            line++;
            col = 1;
        } else if (((unsigned char)t[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    if (off >= end) {
        sp.line = line;
        sp.col = col;
    }
    sp.end_line = line;
    sp.end_col = col;
    return sp;
}

static bool word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The first whole word `name` in [from, to) of file, outside comments and strings: its span,
 * or a span with file -1. */
static ax_span find_word(const ide_index *x, int file, int from, int to, const char *name)
{
    size_t len;
    const char *t = file_text(x, file, &len);
    size_t n = strlen(name);
    if (to > (int)len)
        to = (int)len;
    for (int i = from < 0 ? 0 : from; i < to; i++) {
        if (t[i] == '#') {
            while (i < to && t[i] != '\n')
                i++;
        } else if (t[i] == '"') {
            for (i++; i < to && t[i] != '"' && t[i] != '\n'; i++)
                if (t[i] == '\\')
                    i++;
        } else if (word_char(t[i]) && (i == 0 || !word_char(t[i - 1]))) {
            if ((size_t)(to - i) >= n && !memcmp(t + i, name, n) &&
                (i + (int)n >= (int)len || !word_char(t[i + n])))
                return span_of(x, file, i, i + (int)n);
            while (i + 1 < to && word_char(t[i + 1]))
                i++;
        }
    }
    return (ax_span){.file = -1};
}

/* The name at the start of a node's span (a declaration, a named argument, an ODE). */
static ax_span name_at_start(const ide_index *x, const ast_node *n)
{
    /* an element of a vector ("m[3]", sema/vector.c) is written m[k] or m[16]: its name is m */
    const char *br = strchr(n->name, '[');
    int len = br ? (int)(br - n->name) : (int)strlen(n->name);
    return span_of(x, n->span.file, n->span.off, n->span.off + len);
}

/* The line of source around sp, its blanks squeezed, for a signature. */
static const char *source_line(const ide_index *x, ax_span sp, int end_off)
{
    size_t len;
    const char *t = file_text(x, sp.file, &len);
    int b = sp.off, e = end_off;
    if (e > (int)len)
        e = (int)len;
    strbuf sb = {0};
    bool blank = false;
    for (int i = b; i < e && t[i] != '\n' && t[i] != '{' && t[i] != '#'; i++) {
        if (t[i] == ' ' || t[i] == '\t' || t[i] == '\r') {
            blank = sb.len > 0;
            continue;
        }
        if (blank)
            sb_putc(&sb, ' ');
        blank = false;
        sb_putc(&sb, t[i]);
    }
    char *s = arena_strdup(x->ar, sb.buf ? sb.buf : "");
    sb_free(&sb);
    return s;
}

/* The comment lines right above line `line` of file (stopping at a blank or code line), and
 * a comment at the end of that line when with_trailing: the text without '#', or NULL. */
static const char *doc_comment(const ide_index *x, ax_span sp, bool with_trailing)
{
    size_t len;
    const char *t = file_text(x, sp.file, &len);
    int bol = sp.off;
    while (bol > 0 && t[bol - 1] != '\n')
        bol--;
    /* the comment lines above, found backwards, kept in order */
    int first = bol;
    for (int p = bol; p > 0;) {
        int e = p - 1, b = e;
        while (b > 0 && t[b - 1] != '\n')
            b--;
        int k = b;
        while (k < e && (t[k] == ' ' || t[k] == '\t'))
            k++;
        if (k >= e || t[k] != '#')
            break;
        first = b;
        p = b;
    }
    strbuf sb = {0};
    for (int p = first; p < bol;) {
        int e = p;
        while (e < bol && t[e] != '\n')
            e++;
        int k = p;
        while (k < e && t[k] != '#')
            k++;
        k++;
        if (k < e && t[k] == ' ')
            k++;
        sb_putn(&sb, t + k, (size_t)(e > k ? e - k : 0));
        sb_putc(&sb, '\n');
        p = e + 1;
    }
    if (with_trailing) {
        bool in_str = false;
        for (int i = sp.off; i < (int)len && t[i] != '\n'; i++) {
            if (t[i] == '"')
                in_str = !in_str;
            if (t[i] == '#' && !in_str) {
                int k = i + 1, e = k;
                while (e < (int)len && t[e] != '\n')
                    e++;
                while (k < e && t[k] == ' ')
                    k++;
                sb_putn(&sb, t + k, (size_t)(e - k));
                sb_putc(&sb, '\n');
                break;
            }
        }
    }
    while (sb.len &&
           (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == ' ' || sb.buf[sb.len - 1] == '\r'))
        sb.buf[--sb.len] = 0;
    char *s = sb.len ? arena_strdup(x->ar, sb.buf) : NULL;
    sb_free(&sb);
    return s;
}

/* ---- symbols and occurrences ----------------------------------------------------------------- */

static int add_sym(ide_index *x, const char *name, axonc_symbol_kind kind, ax_span name_sp,
                   ax_span extent, int parent)
{
    if (x->nsyms == x->capsyms) {
        x->capsyms = x->capsyms ? 2 * x->capsyms : 64;
        x->syms = arena_grow(x->ar, x->syms, (size_t)x->nsyms, (size_t)x->capsyms, sizeof *x->syms);
    }
    ide_sym *s = &x->syms[x->nsyms];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->kind = kind;
    s->span = name_sp;
    s->extent = extent;
    s->parent = parent;
    s->type = -1;
    return x->nsyms++;
}

static void add_occ(ide_index *x, ax_span sp, int sym, bool decl)
{
    if (sym < 0 || sp.file < 0)
        return;
    /* the elements of a vector expanded from one place (m[k]' = ..., sum(k, w[k])) are one
       occurrence of the vector there */
    for (int i = x->nocc - 1; i >= 0 && i >= x->nocc - 64; i--)
        if (x->occ[i].sym == sym && x->occ[i].span.file == sp.file &&
            x->occ[i].span.off == sp.off && x->occ[i].span.end_off == sp.end_off)
            return;
    if (x->nocc == x->capocc) {
        x->capocc = x->capocc ? 2 * x->capocc : 256;
        x->occ = arena_grow(x->ar, x->occ, (size_t)x->nocc, (size_t)x->capocc, sizeof *x->occ);
    }
    x->occ[x->nocc++] = (ide_occ){sp, sym, decl};
}

static void add_bound(ide_index *x, ide_bound b)
{
    if (x->nbound == x->capbound) {
        x->capbound = x->capbound ? 2 * x->capbound : 32;
        x->bound = arena_grow(x->ar, x->bound, (size_t)x->nbound, (size_t)x->capbound,
                              sizeof *x->bound);
    }
    x->bound[x->nbound++] = b;
}

static int declare(ide_index *x, const char *name, axonc_symbol_kind kind, ax_span name_sp,
                   ax_span extent, int parent)
{
    int k = add_sym(x, name, kind, name_sp, extent, parent);
    add_occ(x, name_sp, k, true);
    return k;
}

static int find_global(const ide_index *x, const char *name)
{
    for (int i = 0; name && i < x->nsyms; i++)
        if (x->syms[i].parent < 0 && x->syms[i].kind <= AXONC_SYM_MODULE &&
            !strcmp(x->syms[i].name, name))
            return i;
    return -1;
}

static int find_extern(const ide_index *x, const char *name)
{
    for (int i = 0; name && i < x->nsyms; i++)
        if (x->syms[i].kind == AXONC_SYM_EXTERN && !strcmp(x->syms[i].name, name))
            return i;
    return -1;
}

/* A member of definition def named name (not a let), or -1. */
static int find_member(const ide_index *x, int def, const char *name)
{
    for (int i = 0; def >= 0 && name && i < x->nsyms; i++)
        if (x->syms[i].parent == def && x->syms[i].kind != AXONC_SYM_LET &&
            !strcmp(x->syms[i].name, name))
            return i;
    /* a module's lets are members too */
    for (int i = 0; def >= 0 && name && i < x->nsyms; i++)
        if (x->syms[i].parent == def && !strcmp(x->syms[i].name, name))
            return i;
    return -1;
}

static int lookup(const ide_index *x, const scope *sc, const char *name)
{
    for (int k = sc->n - 1; k >= 0; k--)
        if (!strcmp(x->syms[sc->v[k]].name, name))
            return sc->v[k];
    return find_member(x, sc->owner, name);
}

/* ---- walking expressions and statements ------------------------------------------------------ */

static int walk_path(ide_index *x, const scope *sc, const ast_node *n);
static void walk_expr(ide_index *x, scope *sc, const ast_node *n);

/* The vector whose element name is ("m" of "m[3]", sema/vector.c), or name itself. */
static const char *vector_of(const ide_index *x, const char *name)
{
    const char *br = name ? strchr(name, '[') : NULL;
    return br ? arena_printf(x->ar, "%.*s", (int)(br - name), name) : name;
}

/* The place of a member's name: the end of its node (`E.v`: "v"). */
static ax_span member_name(const ide_index *x, const ast_node *n)
{
    int l = (int)strlen(n->name);
    return span_of(x, n->span.file, n->span.end_off - l, n->span.end_off);
}

/* A path (E, E.v, c1.E, c1.E.v): records each part and returns the symbol it names. */
static int walk_path(ide_index *x, const scope *sc, const ast_node *n)
{
    if (!n)
        return -1;
    if (n->kind == AST_IDENT && strchr(n->name, '[')) { /* m[k]: the vector m */
        int k = lookup(x, sc, vector_of(x, n->name));
        add_occ(x, name_at_start(x, n), k, false);
        return k;
    }
    if (n->kind == AST_IDENT) {
        int k = lookup(x, sc, n->name);
        add_occ(x, n->span, k, false);
        return k;
    }
    if (n->kind != AST_MEMBER || !n->a || !n->name)
        return -1;
    if (n->a->kind == AST_PRE || n->a->kind == AST_POST) {
        /* the neuron is known only where a projection binds the synapse */
        add_bound(x, (ide_bound){BOUND_PREPOST, n->name, -1, NULL, member_name(x, n)});
        return -1;
    }
    int base = walk_path(x, sc, n->a);
    if (base < 0)
        return -1;
    int k = find_member(x, x->syms[base].type, n->name);
    add_occ(x, member_name(x, n), k, false);
    return k;
}

/* Named arguments of a call of callee (a definition's symbol): their names are its members. */
static void walk_args(ide_index *x, scope *sc, const ast_node *list, int callee)
{
    if (!list)
        return;
    for (int i = 0; i < list->nkids; i++) {
        const ast_node *a = list->kids[i];
        if (a->kind == AST_NAMED) {
            if (callee >= 0)
                add_occ(x, name_at_start(x, a), find_member(x, callee, a->name), false);
            walk_expr(x, sc, a->a);
        } else {
            walk_expr(x, sc, a);
        }
    }
}

static void walk_expr(ide_index *x, scope *sc, const ast_node *n)
{
    if (!n)
        return;
    switch (n->kind) {
    case AST_IDENT: walk_path(x, sc, n); return;
    case AST_MEMBER:
        walk_path(x, sc, n);
        walk_expr(x, sc, n->b); /* post.I_d[seg]: the element's index */
        return;
    case AST_CALL: {
        int k = find_extern(x, n->name);
        if (k >= 0)
            add_occ(x, name_at_start(x, n), k, false);
        for (int i = 0; i < n->nkids; i++)
            walk_expr(x, sc, n->kids[i]->kind == AST_NAMED ? n->kids[i]->a : n->kids[i]);
        return;
    }
    default:
        walk_expr(x, sc, n->a);
        walk_expr(x, sc, n->b);
        walk_expr(x, sc, n->c);
        for (int i = 0; i < n->nkids; i++)
            walk_expr(x, sc, n->kids[i]);
    }
}

static void walk_stmts(ide_index *x, scope *sc, ast_node *const *kids, int n);

static void walk_stmt(ide_index *x, scope *sc, const ast_node *st)
{
    switch (st->kind) {
    case AST_ASSIGN:
        walk_path(x, sc, st->a);
        walk_expr(x, sc, st->b);
        return;
    case AST_LET: {
        walk_expr(x, sc, st->a);
        int k = declare(x, st->name, AXONC_SYM_LET,
                        find_word(x, st->span.file, st->span.off + 3, st->span.end_off, st->name),
                        st->span, sc->owner);
        x->syms[k].signature = source_line(x, st->span, st->span.end_off);
        x->syms[k].detail = "a local value";
        if (sc->n < (int)(sizeof sc->v / sizeof sc->v[0]))
            sc->v[sc->n++] = k;
        return;
    }
    case AST_IF: {
        walk_expr(x, sc, st->a);
        walk_stmts(x, sc, st->kids, st->nkids);
        if (st->b && st->b->kind == AST_IF)
            walk_stmt(x, sc, st->b);
        else if (st->b)
            walk_stmts(x, sc, st->b->kids, st->b->nkids);
        return;
    }
    default: walk_expr(x, sc, st);
    }
}

/* A block's statements; its lets go out of scope at its end. */
static void walk_stmts(ide_index *x, scope *sc, ast_node *const *kids, int n)
{
    int mark = sc->n;
    for (int i = 0; i < n; i++)
        walk_stmt(x, sc, kids[i]);
    sc->n = mark;
}

/* ---- what symbols are --------------------------------------------------------------------- */

static const char *kind_word(axonc_symbol_kind k)
{
    static const char *const W[] = {"neuron",           "synapse",    "rule",
                                    "module",           "parameter",  "per-item parameter",
                                    "state variable",   "input",      "definition",
                                    "output",           "modulator",  "local value",
                                    "module parameter", "population", "projection",
                                    "module instance",  "signal",     "extern function"};
    return (int)k < (int)(sizeof W / sizeof W[0]) ? W[k] : "name";
}

static const sm_def *def_of(const ide_index *x, int sym)
{
    return sym >= 0 ? sema_find(x->s, x->syms[sym].name) : NULL;
}

/* Units and words for a member of a checked neuron, synapse or rule. */
static void describe_member(ide_index *x, int k)
{
    ide_sym *m = &x->syms[k];
    const ide_sym *owner = &x->syms[m->parent];
    const sm_def *d = def_of(x, m->parent);
    const char *what = kind_word(m->kind);
    if (m->kind == AXONC_SYM_PARAM_EACH)
        what = owner->kind == AXONC_SYM_NEURON ? "per-neuron parameter" : "per-synapse parameter";
    char q[96] = "";
    if (d && d->type && d->kind == (ast_kind)(AST_NEURON + owner->kind)) {
        int v = sm_find_var(d->type, m->name);
        if (v >= 0 && !d->type->vars[v].unknown) {
            ax_dim dim = d->type->vars[v].dim;
            char u[64];
            if (d->type->vars[v].weight_unit)
                snprintf(q, sizeof q, ": in the unit of the weight it is bound to");
            else if (d->type->vars[v].boolean)
                snprintf(q, sizeof q, ": a truth value");
            else if (dim_is_none(dim))
                snprintf(q, sizeof q, ": dimensionless");
            else {
                char desc[80];
                snprintf(q, sizeof q, ": %s", dim_describe(dim, desc, sizeof desc));
                m->unit = arena_strdup(x->ar, dim_unit_name(dim, u, sizeof u));
            }
        }
    }
    m->detail = arena_printf(x->ar, "%s of %s %s%s", what, kind_word(owner->kind), owner->name, q);
}

/* ---- definitions ------------------------------------------------------------------------------
 */

static axonc_symbol_kind member_kind(const ast_node *blk, axonc_symbol_kind owner)
{
    switch (blk->kind) {
    case AST_STATE: return AXONC_SYM_STATE;
    case AST_INPUTS: return AXONC_SYM_INPUT;
    default:
        if (blk->flags & BLK_PER_NEURON)
            return AXONC_SYM_PARAM_EACH;
        if (blk->flags & BLK_SHARED)
            return AXONC_SYM_PARAM;
        /* a synapse's or rule's plain parameters are per synapse */
        return owner == AXONC_SYM_NEURON ? AXONC_SYM_PARAM : AXONC_SYM_PARAM_EACH;
    }
}

static void add_member(ide_index *x, const ast_node *n, axonc_symbol_kind kind, int owner)
{
    if (!n->name)
        return;
    const char *br = strchr(n->name, '[');
    if (br && strcmp(br, "[0]"))
        return; /* a vector is one member, declared with its element 0 */
    ax_span nm = name_at_start(x, n);
    int k = declare(x, vector_of(x, n->name), kind, nm, n->span, owner);
    x->syms[k].signature = source_line(x, n->span, n->span.end_off);
    x->syms[k].doc = doc_comment(x, n->span, true);
}

/* A neuron's, synapse's or rule's names, then the uses in its body. */
static void index_type(ide_index *x, const ast_node *def, int sym)
{
    axonc_symbol_kind ok = x->syms[sym].kind;
    for (int i = 0; i < def->nkids; i++) {
        const ast_node *b = def->kids[i];
        switch (b->kind) {
        case AST_PARAMS:
        case AST_STATE:
        case AST_INPUTS:
            for (int k = 0; k < b->nkids; k++)
                add_member(x, b->kids[k], member_kind(b, ok), sym);
            break;
        case AST_EQUATIONS:
            for (int k = 0; k < b->nkids; k++)
                if (b->kids[k]->kind == AST_ALGEBRAIC)
                    add_member(x, b->kids[k], AXONC_SYM_DEFINITION, sym);
            break;
        case AST_OUTPUT:
            if (b->name)
                add_member(x, b, AXONC_SYM_OUTPUT, sym);
            break;
        case AST_MODULATOR:
            for (int k = 0; k < b->nkids; k++)
                add_member(x, b->kids[k], AXONC_SYM_MODULATOR, sym);
            break;
        default: break;
        }
    }
    for (int k = 0; k < x->nsyms; k++)
        if (x->syms[k].parent == sym)
            describe_member(x, k);
    scope sc = {.owner = sym};
    for (int i = 0; i < def->nkids; i++) {
        const ast_node *b = def->kids[i];
        switch (b->kind) {
        case AST_PARAMS:
        case AST_STATE:
        case AST_INPUTS:
            for (int k = 0; k < b->nkids; k++) {
                walk_expr(x, &sc, b->kids[k]->a);
                walk_expr(x, &sc, b->kids[k]->b);
            }
            break;
        case AST_EQUATIONS:
            for (int k = 0; k < b->nkids; k++) {
                const ast_node *e = b->kids[k];
                if (e->kind == AST_ODE && e->name)
                    add_occ(x, name_at_start(x, e), find_member(x, sym, vector_of(x, e->name)),
                            false);
                walk_expr(x, &sc, e->a);
            }
            break;
        case AST_OUTPUT:
        case AST_REFRACTORY: walk_expr(x, &sc, b->a); break;
        case AST_SPIKE:
        case AST_ON_EVENT:
            walk_expr(x, &sc, b->a);
            walk_stmts(x, &sc, b->kids, b->nkids);
            break;
        case AST_STEP:
        case AST_ON_PRE:
        case AST_ON_POST:
        case AST_CONTINUOUS:
        case AST_EVERY_STEP: walk_stmts(x, &sc, b->kids, b->nkids); break;
        default: break;
        }
    }
}

static void describe_module_item(ide_index *x, int k, const char *what)
{
    ide_sym *m = &x->syms[k];
    m->detail = arena_printf(x->ar, "%s of module %s", what, x->syms[m->parent].name);
}

/* A module's parameters and items, then the uses in them. */
static void index_module(ide_index *x, const ast_node *def, int sym)
{
    const sm_def *d = def_of(x, sym);
    const sm_module *mod = d ? d->module : NULL;
    for (int i = 0; def->a && i < def->a->nkids; i++) {
        const ast_node *p = def->a->kids[i];
        if (!p->name)
            continue;
        add_member(x, p, AXONC_SYM_MODULE_PARAM, sym);
        int k = x->nsyms - 1;
        char q[96] = "";
        if (mod && i < mod->nparams && mod->params[i].value) {
            ax_dim dim = mod->params[i].value->dim;
            char u[64], desc[80];
            if (!dim_is_none(dim)) {
                snprintf(q, sizeof q, ": %s", dim_describe(dim, desc, sizeof desc));
                x->syms[k].unit = arena_strdup(x->ar, dim_unit_name(dim, u, sizeof u));
            }
        }
        x->syms[k].detail = arena_printf(x->ar, "parameter of module %s%s", def->name, q);
    }
    /* the items first, so that a projection may name a population declared below it */
    for (int i = 0; i < def->nkids; i++) {
        const ast_node *n = def->kids[i];
        if (!n->name)
            continue;
        ax_span nm = {.file = -1};
        axonc_symbol_kind kind;
        const char *what;
        int type = -1;
        switch (n->kind) {
        case AST_LET:
            kind = AXONC_SYM_LET;
            what = "constant";
            break;
        case AST_POPULATION:
            kind = AXONC_SYM_POPULATION;
            what = "population";
            type = find_global(x, n->str);
            break;
        case AST_PROJECT:
            kind = AXONC_SYM_PROJECTION;
            what = "projection";
            type = find_global(x, n->str);
            break;
        case AST_INSTANCE:
            kind = AXONC_SYM_INSTANCE;
            what = "module instance";
            type = find_global(x, n->str);
            break;
        case AST_SIGNAL:
            kind = AXONC_SYM_SIGNAL;
            what = "signal";
            break;
        default: continue;
        }
        int skip = n->kind == AST_LET        ? 3
                   : n->kind == AST_SIGNAL   ? 6
                   : n->kind == AST_INSTANCE ? 0
                                             : 7;
        nm = find_word(x, n->span.file, n->span.off + skip, n->span.end_off, n->name);
        int k = declare(x, n->name, kind, nm, n->span, sym);
        x->syms[k].type = type;
        x->syms[k].signature = source_line(x, n->span, n->span.end_off);
        x->syms[k].doc = doc_comment(x, n->span, true);
        describe_module_item(x, k, what);
        if (n->kind == AST_POPULATION) {
            strbuf sb = {0};
            if (n->a)
                ast_expr_str(n->a, &sb);
            x->syms[k].detail =
                arena_printf(x->ar,
                             "population of module %s: %s neurons of type "
                             "%s",
                             def->name, sb.buf ? sb.buf : "?", n->str ? n->str : "?");
            sb_free(&sb);
        }
    }
    scope sc = {.owner = sym};
    for (int i = 0; def->a && i < def->a->nkids; i++)
        walk_expr(x, &sc, def->a->kids[i]->a);
    for (int i = 0; i < def->nkids; i++) {
        const ast_node *n = def->kids[i];
        int me = n->name ? find_member(x, sym, n->name) : -1;
        int type = me >= 0 ? x->syms[me].type : find_global(x, n->str);
        switch (n->kind) {
        case AST_LET:
        case AST_SIGNAL: walk_expr(x, &sc, n->a); break;
        case AST_POPULATION: {
            int from = me >= 0 ? x->syms[me].span.end_off : n->span.off + 10;
            add_occ(x, find_word(x, n->span.file, from, n->span.end_off, n->str), type, false);
            walk_expr(x, &sc, n->a);
            walk_args(x, &sc, n->b, type);
            for (int k = 0; k < n->nkids; k++) {
                const ast_node *st = n->kids[k];
                if (st->kind == AST_ASSIGN && st->a && st->a->kind == AST_IDENT)
                    add_occ(x, st->a->span, find_member(x, type, st->a->name), false);
                if (st->kind == AST_ASSIGN && st->a && st->a->kind == AST_INDEX)
                    add_occ(x, name_at_start(x, st->a), find_member(x, type, st->a->name), false);
                walk_expr(x, &sc, st->b);
            }
            walk_expr(x, &sc, n->c);
            break;
        }
        case AST_PROJECT: {
            for (int k = 0; n->a && k < n->a->nkids; k++)
                walk_path(x, &sc, n->a->kids[k]);
            int from = n->span.off;
            for (int k = 0; n->b && k < n->b->nkids; k++) {
                walk_path(x, &sc, n->b->kids[k]);
                from = n->b->kids[k]->span.end_off;
            }
            add_occ(x, find_word(x, n->span.file, from, n->span.end_off, n->str), type, false);
            walk_args(x, &sc, n->c, type);
            for (int k = 0; k < n->nkids; k++) {
                const ast_node *c = n->kids[k];
                if (c->kind == AST_LEARN) {
                    int rule = find_global(x, c->str);
                    if (!c->name) /* the rule's weight is the synapse's w */
                        add_bound(x, (ide_bound){BOUND_WEIGHT, "w", type, NULL, c->span});
                    ax_span rs =
                        find_word(x, c->span.file, c->span.off + 5, c->span.end_off, c->str);
                    add_occ(x, rs, rule, false);
                    walk_args(x, &sc, c->a, rule);
                    if (c->name) {
                        int after = c->a ? c->a->span.end_off : rs.end_off;
                        add_occ(x, find_word(x, c->span.file, after, c->span.end_off, c->name),
                                find_member(x, type, c->name), false);
                    }
                } else if (c->kind == AST_CONNECT && c->a && c->a->kind == AST_FROM) {
                    /* the file's columns name members of the synapse and its rules */
                    add_bound(x, (ide_bound){BOUND_FILE, NULL, type, c->a->str, c->span});
                    for (int r = 0; r < n->nkids; r++)
                        if (n->kids[r]->kind == AST_LEARN)
                            add_bound(x, (ide_bound){BOUND_FILE, NULL,
                                                     find_global(x, n->kids[r]->str), c->a->str,
                                                     c->span});
                } else if (c->kind == AST_CONNECT && c->a && c->a->kind == AST_CALL) {
                    walk_args(x, &sc, &(ast_node){.kids = c->a->kids, .nkids = c->a->nkids}, -1);
                } else {
                    walk_expr(x, &sc, c->a);
                }
            }
            break;
        }
        case AST_INSTANCE: {
            int from = me >= 0 ? x->syms[me].span.end_off : n->span.off;
            add_occ(x, find_word(x, n->span.file, from, n->span.end_off, n->str), type, false);
            walk_args(x, &sc, n->a, type);
            break;
        }
        case AST_RECORD:
            for (int k = 0; k < n->nkids; k++)
                walk_path(x, &sc, n->kids[k]);
            walk_expr(x, &sc, n->a);
            walk_expr(x, &sc, n->b);
            break;
        case AST_ASSIGN: /* E.ge += w * poisson_input(K, rate) */
            walk_path(x, &sc, n->a);
            walk_expr(x, &sc, n->b);
            break;
        default: break;
        }
    }
}

static axonc_symbol_kind def_kind(ast_kind k)
{
    return k == AST_NEURON    ? AXONC_SYM_NEURON
           : k == AST_SYNAPSE ? AXONC_SYM_SYNAPSE
           : k == AST_RULE    ? AXONC_SYM_RULE
                              : AXONC_SYM_MODULE;
}

ide_index *ide_build(ax_arena *ar, sema_ctx *s, diag_ctx *d)
{
    ide_index *x = arena_alloc(ar, sizeof *x);
    x->ar = ar;
    x->s = s;
    x->d = d;
    /* global names first: any file may use them */
    for (int f = 0; f < s->nfiles; f++) {
        const ast_node *root = s->files[f].root;
        for (int i = 0; root && i < root->nkids; i++) {
            const ast_node *n = root->kids[i];
            bool def = n->kind == AST_NEURON || n->kind == AST_SYNAPSE || n->kind == AST_RULE ||
                       n->kind == AST_MODULE;
            if ((!def && n->kind != AST_EXTERN) || !n->name)
                continue;
            /* after the keyword (find_word skips the library's string of an extern) */
            ax_span nm = find_word(x, n->span.file, n->span.off + 4, n->span.end_off, n->name);
            int k =
                declare(x, n->name, def ? def_kind(n->kind) : AXONC_SYM_EXTERN, nm, n->span, -1);
            x->syms[k].signature = source_line(x, n->span, n->span.end_off);
            x->syms[k].doc = doc_comment(x, n->span, false);
            x->syms[k].detail =
                def ? arena_printf(x->ar, "%s defined in %s", kind_word(x->syms[k].kind),
                                   diag_file_name(d, n->span.file))
                    : arena_printf(x->ar, "C function of %s", n->str ? n->str : "?");
        }
    }
    /* neurons, synapses and rules before modules: a module's items refer to their members */
    int nglobal = x->nsyms;
    for (int pass = 0; pass < 2; pass++)
        for (int g = 0; g < nglobal; g++) {
            const ide_sym *gs = &x->syms[g];
            if (gs->kind == AXONC_SYM_EXTERN || (gs->kind == AXONC_SYM_MODULE) != (pass == 1))
                continue;
            const ast_node *root = sema_file_root(s, gs->extent.file);
            for (int i = 0; root && i < root->nkids; i++) {
                const ast_node *n = root->kids[i];
                if (n->span.off != gs->extent.off || !n->name || strcmp(n->name, gs->name))
                    continue;
                if (n->kind == AST_MODULE)
                    index_module(x, n, g);
                else
                    index_type(x, n, g);
            }
        }
    /* run lines: the module and its parameters */
    for (int f = 0; f < s->nfiles; f++) {
        const ast_node *root = s->files[f].root;
        for (int i = 0; root && i < root->nkids; i++) {
            const ast_node *n = root->kids[i];
            if (n->kind != AST_RUN || !n->a || !n->a->name)
                continue;
            int mod = find_global(x, n->a->name);
            add_occ(x, name_at_start(x, n->a), mod, false);
            if (n->a->kind == AST_CALL)
                walk_args(x, &(scope){.owner = -1},
                          &(ast_node){.kids = n->a->kids, .nkids = n->a->nkids}, mod);
            /* the protocol: at T { E.I_ext = 0.5 nA } names the run module's members */
            for (int k = 0; k < n->nkids; k++)
                for (int q = 0; n->kids[k]->kind == AST_AT && q < n->kids[k]->nkids; q++)
                    if (n->kids[k]->kids[q]->kind == AST_ASSIGN)
                        walk_path(x, &(scope){.owner = mod}, n->kids[k]->kids[q]->a);
        }
    }
    return x;
}

int ide_symbol_count(const ide_index *x)
{
    return x ? x->nsyms : 0;
}

const ide_sym *ide_symbol(const ide_index *x, int i)
{
    return x && i >= 0 && i < x->nsyms ? &x->syms[i] : NULL;
}

static bool covers(ax_span sp, int line, int col)
{
    if (line < sp.line || line > sp.end_line)
        return false;
    if (line == sp.line && col < sp.col)
        return false;
    return !(line == sp.end_line && col > sp.end_col); /* the end too: a cursor after a name */
}

int ide_symbol_at(const ide_index *x, int file, int line, int col, ax_span *where)
{
    for (int i = 0; x && i < x->nocc; i++)
        if (x->occ[i].span.file == file && covers(x->occ[i].span, line, col)) {
            if (where)
                *where = x->occ[i].span;
            return x->occ[i].sym;
        }
    return -1;
}

int ide_ref_count(const ide_index *x, int sym)
{
    int n = 0;
    for (int i = 0; x && i < x->nocc; i++)
        n += x->occ[i].sym == sym;
    return n;
}

bool ide_ref(const ide_index *x, int sym, int k, ax_span *where, bool *is_decl)
{
    /* declarations are recorded before uses of the same symbol except for names used before
       the item that declares them; give the declaration first all the same */
    int n = 0;
    for (int pass = 0; x && pass < 2; pass++)
        for (int i = 0; i < x->nocc; i++) {
            if (x->occ[i].sym != sym || x->occ[i].decl != (pass == 0))
                continue;
            if (n++ == k) {
                *where = x->occ[i].span;
                *is_decl = x->occ[i].decl;
                return true;
            }
        }
    return false;
}

void ide_set_scheme(ide_index *x, const char *type, const char *module, const char *pop,
                    const char *scheme, const char *why)
{
    int t = find_global(x, type);
    const sm_def *d = def_of(x, t);
    if (t < 0 || !d || !d->type || !scheme)
        return;
    const char *note = arena_printf(x->ar, "integrated with %s in %s.%s (%s)", scheme, module, pop,
                                    why ? why : "chosen by the compiler");
    ide_sym *ts = &x->syms[t];
    if (!ts->detail || !strstr(ts->detail, note))
        ts->detail = arena_printf(x->ar, "%s; %s", ts->detail ? ts->detail : "", note);
    /* the variables with an equation */
    for (int k = 0; k < d->type->nodes; k++) {
        int m = find_member(x, t, d->type->vars[d->type->odes[k].var].name);
        if (m >= 0 && (!x->syms[m].detail || !strstr(x->syms[m].detail, note)))
            x->syms[m].detail = arena_printf(x->ar, "%s; %s", x->syms[m].detail, note);
    }
}

void ide_set_size(ide_index *x, const char *module, const char *pop, int size, const char *how)
{
    int k = find_member(x, find_global(x, module), pop);
    if (k < 0 || x->syms[k].kind != AXONC_SYM_POPULATION)
        return;
    x->syms[k].detail = arena_printf(x->ar, "%s (%d %s)", x->syms[k].detail, size, how);
}

/* ---- completion ---------------------------------------------------------------------------- */

static const char *const KEYWORDS[] = {
    "import",
    "neuron",
    "synapse",
    "rule",
    "module",
    "parameters",
    "per",
    "shared",
    "state",
    "inputs",
    "equations",
    "event-driven",
    "step",
    "output",
    "spike",
    "when",
    "on",
    "refractory",
    "method",
    "pre",
    "post",
    "continuous",
    "every",
    "modulator",
    "let",
    "population",
    "project",
    "connect",
    "delay",
    "learn",
    "signal",
    "record",
    "run",
    "for",
    "and",
    "or",
    "not",
    "true",
    "false",
    "if",
    "then",
    "else",
    "where",
    "from",
    "extern",
    "exact",
    "exponential_euler",
    "euler",
    "rk2",
    "rk4",
    "all_to_all",
    "one_to_one",
    "random",
    "fixed_indegree",
    "fixed_outdegree",
    "spikes",
    "rate",
    "weights",
};

static const char *const UNITS[] = {
    "s", "ms",  "us", "Hz", "kHz", "V",   "mV",   "uV",   "A",    "mA", "uA",  "nA", "pA",
    "S", "mS",  "uS", "nS", "pS",  "ohm", "kohm", "Mohm", "Gohm", "F",  "uF",  "nF", "pF",
    "C", "mol", "mM", "uM", "M",   "m",   "cm",   "mm",   "um",   "K",  "rad", "kg", "g",
};

static void emit(axonc_complete_fn fn, void *user, const char *label, axonc_symbol_kind kind,
                 const char *detail)
{
    axonc_completion c = {label, kind, detail};
    fn(user, &c);
}

/* The definition (top-level symbol) whose declaration holds offset off of file, else the last
 * one that starts before it (the one being typed may not parse). */
static int enclosing(const ide_index *x, int file, int off)
{
    int best = -1;
    for (int i = 0; i < x->nsyms; i++) {
        const ide_sym *s = &x->syms[i];
        if (s->parent >= 0 || s->extent.file != file || s->kind > AXONC_SYM_MODULE)
            continue;
        if (s->extent.off <= off && off <= s->extent.end_off)
            return i;
        if (s->extent.off <= off && (best < 0 || x->syms[best].extent.off < s->extent.off))
            best = i;
    }
    return best;
}

static void members_of(const ide_index *x, int def, axonc_complete_fn fn, void *user,
                       bool neurons_only)
{
    for (int i = 0; i < x->nsyms; i++) {
        const ide_sym *s = &x->syms[i];
        if (s->parent < 0 || s->kind == AXONC_SYM_LET || s->kind == AXONC_SYM_MODULATOR)
            continue;
        if (def >= 0 && s->parent != def)
            continue;
        if (def < 0 && (!neurons_only || x->syms[s->parent].kind != AXONC_SYM_NEURON))
            continue;
        /* pre./post. over every neuron: each name once */
        bool seen = false;
        for (int j = 0; def < 0 && j < i && !seen; j++)
            seen = x->syms[j].parent >= 0 && x->syms[x->syms[j].parent].kind == AXONC_SYM_NEURON &&
                   x->syms[j].kind != AXONC_SYM_LET && !strcmp(x->syms[j].name, s->name);
        if (!seen)
            emit(fn, user, s->name, s->kind, s->detail);
    }
}

static void std_files(const ide_index *x, const char *dir, const char *prefix, axonc_complete_fn fn,
                      void *user, int depth)
{
    DIR *dp = opendir(dir);
    if (!dp)
        return;
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (de->d_name[0] == '.')
            continue;
        size_t l = strlen(de->d_name);
        char path[4096], label[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (l > 5 && !strcmp(de->d_name + l - 5, ".axon")) {
            snprintf(label, sizeof label, "%s/%.*s", prefix, (int)(l - 5), de->d_name);
            emit(fn, user, label, AXONC_SYM_FILE, "a file of the standard library");
        } else if (depth < 2) {
            snprintf(label, sizeof label, "%s/%s", prefix, de->d_name);
            DIR *sub = opendir(path);
            if (!sub)
                continue;
            closedir(sub);
            emit(fn, user, label, AXONC_SYM_FILE, "every file of a directory of the stdlib");
            std_files(x, path, label, fn, user, depth + 1);
        }
    }
    closedir(dp);
}

/* ---- completion contexts ------------------------------------------------------------------- */

static const char *const TOP_KEYWORDS[] = {"import", "neuron", "synapse", "rule",
                                           "module", "extern", "run"};
static const char *const BODY_KEYWORDS[] = {
    "parameters", "per",    "shared", "state",      "inputs",     "equations",
    "step",       "output", "spike",  "refractory", "method",     "on",
    "every",      "continuous", "modulator"};
static const char *const MODULE_KEYWORDS[] = {"population", "project", "record", "let",
                                              "signal",     "connect", "delay",  "learn"};
static const char *const SCHEMES[] = {"exact", "exponential_euler", "euler", "rk2", "rk4"};
static const char *const CONNECTORS[] = {"all_to_all",     "one_to_one",      "random",
                                         "fixed_indegree", "fixed_outdegree", "where",
                                         "from"};

static void emit_words(axonc_complete_fn fn, void *user, const char *const *w, size_t n,
                       axonc_symbol_kind kind, const char *detail)
{
    for (size_t i = 0; i < n; i++)
        emit(fn, user, w[i], kind, detail);
}
#define EMIT_WORDS(fn, user, list, kind, detail)                                                 \
    emit_words(fn, user, list, sizeof list / sizeof list[0], kind, detail)

/* The definitions of one kind (neuron types after `population P =`, synapses after `:`). */
static void globals_of(const ide_index *x, axonc_symbol_kind kind, axonc_complete_fn fn,
                       void *user)
{
    for (int i = 0; i < x->nsyms; i++)
        if (x->syms[i].parent < 0 && x->syms[i].kind == kind)
            emit(fn, user, x->syms[i].name, kind, x->syms[i].detail);
}

/* The words and punctuation of t[b, e) (comments and strings end it), at most max. */
typedef struct {
    int off, len;
} ctx_tok;

static int line_tokens(const char *t, int b, int e, ctx_tok *v, int max)
{
    int n = 0;
    for (int i = b; i < e && n < max;) {
        if (t[i] == ' ' || t[i] == '\t' || t[i] == '\r') {
            i++;
        } else if (word_char(t[i])) {
            int k = i;
            while (k < e && (word_char(t[k]) || t[k] == '.'))
                k++;
            v[n++] = (ctx_tok){i, k - i};
            i = k;
        } else if (t[i] == '#' || t[i] == '"') {
            return -1;
        } else {
            int l = t[i] == '-' && i + 1 < e && t[i + 1] == '>' ? 2 : 1;
            v[n++] = (ctx_tok){i, l};
            i += l;
        }
    }
    return n;
}

static bool tok_is(const char *t, ctx_tok k, const char *word)
{
    return (size_t)k.len == strlen(word) && !memcmp(t + k.off, word, (size_t)k.len);
}

/* The braces open at off inside the definition that starts at from (comments and strings
 * skipped): 0 at its top, 1 in its body, 2 and more in its blocks. */
static int brace_depth(const char *t, int from, int off)
{
    int depth = 0;
    for (int i = from; i < off; i++) {
        if (t[i] == '#') {
            while (i < off && t[i] != '\n')
                i++;
        } else if (t[i] == '"') {
            for (i++; i < off && t[i] != '"' && t[i] != '\n'; i++)
                if (t[i] == '\\')
                    i++;
        } else if (t[i] == '{') {
            depth++;
        } else if (t[i] == '}' && depth > 0) {
            depth--;
        }
    }
    return depth;
}

/* The symbol a path names (E, c1.E: a module's item, then through its type), or -1. */
static int resolve_path(const ide_index *x, int me, const char *t, int b, int e)
{
    int cur = -1;
    for (int i = b; i < e;) {
        int k = i;
        while (k < e && word_char(t[k]))
            k++;
        char seg[AX_MAX_NAME + 1];
        if (k == i || k - i > AX_MAX_NAME)
            return -1;
        memcpy(seg, t + i, (size_t)(k - i));
        seg[k - i] = 0;
        cur = find_member(x, cur < 0 ? me : x->syms[cur].type, seg);
        if (cur < 0)
            return -1;
        i = k + 1; /* past the '.' */
    }
    return cur;
}

/* A keyword that only starts a statement or definition (not offered inside one). */
static bool starts_only(const char *kw)
{
    static const char *const W[] = {"import",    "neuron",    "synapse",    "rule",
                                    "module",    "extern",    "parameters", "state",
                                    "inputs",    "equations", "output",     "refractory",
                                    "method",    "continuous", "modulator", "population",
                                    "project",   "signal",    "record",     "let",
                                    "run"};
    for (size_t i = 0; i < sizeof W / sizeof W[0]; i++)
        if (!strcmp(kw, W[i]))
            return true;
    return false;
}

/* Completion that the place decides: true when it offered what fits there. */
static bool complete_in_context(const ide_index *x, const char *t, int bol, int w, int me,
                                axonc_complete_fn fn, void *user)
{
    ctx_tok v[16];
    int n = line_tokens(t, bol, w, v, 16);
    if (n < 0)
        return false;
    /* a unit after a number: `10 m` */
    if (n > 0 && t[v[n - 1].off] >= '0' && t[v[n - 1].off] <= '9' && w > v[n - 1].off + v[n - 1].len) {
        for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++)
            emit(fn, user, UNITS[i], AXONC_SYM_UNIT, "a unit");
        return true;
    }
    if (n == 0 || tok_is(t, v[n - 1], "{") || tok_is(t, v[n - 1], ";")) {
        /* the start of a statement: what may start one here */
        int depth = me >= 0 ? brace_depth(t, x->syms[me].extent.off, w) : 0;
        if (depth == 0) {
            EMIT_WORDS(fn, user, TOP_KEYWORDS, AXONC_SYM_KEYWORD, NULL);
            return true;
        }
        if (depth == 1 && x->syms[me].kind == AXONC_SYM_MODULE) {
            EMIT_WORDS(fn, user, MODULE_KEYWORDS, AXONC_SYM_KEYWORD, NULL);
            return true;
        }
        if (depth == 1) {
            EMIT_WORDS(fn, user, BODY_KEYWORDS, AXONC_SYM_KEYWORD, NULL);
            return true;
        }
        return false;
    }
    ctx_tok last = v[n - 1];
    if (n == 3 && tok_is(t, v[0], "population") && tok_is(t, v[2], "=")) {
        globals_of(x, AXONC_SYM_NEURON, fn, user);
        return true;
    }
    if (tok_is(t, v[0], "project") && tok_is(t, last, ":")) {
        globals_of(x, AXONC_SYM_SYNAPSE, fn, user);
        return true;
    }
    if (tok_is(t, last, "learn")) {
        globals_of(x, AXONC_SYM_RULE, fn, user);
        return true;
    }
    if (n == 1 && tok_is(t, last, "run")) {
        globals_of(x, AXONC_SYM_MODULE, fn, user);
        return true;
    }
    if (n == 2 && tok_is(t, last, "=") && me >= 0 && x->syms[me].kind == AXONC_SYM_MODULE &&
        brace_depth(t, x->syms[me].extent.off, w) == 1) { /* `c1 = Sub(...)` */
        globals_of(x, AXONC_SYM_MODULE, fn, user);
        return true;
    }
    if (tok_is(t, last, "method")) {
        EMIT_WORDS(fn, user, SCHEMES, AXONC_SYM_KEYWORD, "an integration scheme");
        return true;
    }
    if (tok_is(t, last, "connect")) {
        EMIT_WORDS(fn, user, CONNECTORS, AXONC_SYM_KEYWORD, "a connector");
        return true;
    }
    return false;
}

void ide_complete(const ide_index *x, int file, int line, int col, axonc_complete_fn fn, void *user)
{
    size_t len;
    const char *t = file_text(x, file, &len);
    /* the offset of (line, col) */
    int off = 0, l = 1, c = 1;
    while ((size_t)off < len && (l < line || (l == line && c < col && t[off] != '\n'))) {
        if (t[off] == '\n') {
            l++;
            c = 1;
        } else if (((unsigned char)t[off] & 0xC0) != 0x80) {
            c++;
        }
        off++;
    }
    int bol = off;
    while (bol > 0 && t[bol - 1] != '\n')
        bol--;
    /* inside `import "...`: files of the standard library */
    int quotes = 0;
    for (int i = bol; i < off; i++)
        quotes += t[i] == '"';
    if (quotes % 2 == 1) {
        const char *q = memchr(t + bol, '"', (size_t)(off - bol));
        int k = bol;
        while (k < off && (t[k] == ' ' || t[k] == '\t'))
            k++;
        if (q && off - k >= 6 && !memcmp(t + k, "import", 6))
            for (int i = 0; x->s->stdlib_dirs[i]; i++)
                std_files(x, x->s->stdlib_dirs[i], "std", fn, user, 0);
        return;
    }
    int w = off;
    while (w > bol && word_char(t[w - 1]))
        w--;
    int me = enclosing(x, file, off);
    if (w > bol && t[w - 1] == '.') {
        /* the path before the dot: pre, post, E, c1.E */
        int b = w - 1;
        while (b > bol && (word_char(t[b - 1]) || t[b - 1] == '.'))
            b--;
        if ((w - 1 - b == 3 && !memcmp(t + b, "pre", 3)) ||
            (w - 1 - b == 4 && !memcmp(t + b, "post", 4))) {
            members_of(x, -1, fn, user, true);
            return;
        }
        int k = resolve_path(x, me, t, b, w - 1);
        if (k >= 0 && x->syms[k].type >= 0)
            members_of(x, x->syms[k].type, fn, user, false);
        return;
    }
    if (complete_in_context(x, t, bol, w, me, fn, user))
        return;
    /* inside a statement: not the keywords that only start one */
    ctx_tok v[16];
    int n = line_tokens(t, bol, w, v, 16);
    bool midline = n > 0 && !tok_is(t, v[n - 1], "{") && !tok_is(t, v[n - 1], ";");
    for (size_t i = 0; i < sizeof KEYWORDS / sizeof KEYWORDS[0]; i++)
        if (!midline || !starts_only(KEYWORDS[i]))
            emit(fn, user, KEYWORDS[i], AXONC_SYM_KEYWORD, NULL);
    for (int i = 0; sx_builtin_name(i); i++)
        emit(fn, user, sx_builtin_name(i), AXONC_SYM_FUNCTION, "a function of the language");
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++)
        emit(fn, user, UNITS[i], AXONC_SYM_UNIT, "a unit");
    emit(fn, user, "t", AXONC_SYM_BUILTIN, "the time");
    emit(fn, user, "dt", AXONC_SYM_BUILTIN, "the time step");
    if (me >= 0 && x->syms[me].kind == AXONC_SYM_RULE)
        emit(fn, user, "w", AXONC_SYM_BUILTIN, "the weight the rule is bound to");
    if (me >= 0 && x->syms[me].kind == AXONC_SYM_MODULE) {
        emit(fn, user, "i", AXONC_SYM_BUILTIN, "the (presynaptic) neuron's index");
        emit(fn, user, "j", AXONC_SYM_BUILTIN, "the postsynaptic neuron's index");
    }
    for (int i = 0; i < x->nsyms; i++) {
        const ide_sym *s = &x->syms[i];
        /* definitions are named at the places complete_in_context knows, not in expressions */
        if (midline && s->parent < 0 && s->kind <= AXONC_SYM_MODULE)
            continue;
        if (s->parent < 0 || (me >= 0 && s->parent == me))
            emit(fn, user, s->name, s->kind, s->detail);
    }
}

/* ---- renaming ------------------------------------------------------------------------------ */

/* Whether path is a file of the standard library (under one of sema's stdlib directories). */
static bool in_stdlib(const ide_index *x, const char *path)
{
    char file[PATH_MAX], dir[PATH_MAX];
    if (!path || !realpath(path, file))
        return false;
    for (int i = 0; x->s->stdlib_dirs && x->s->stdlib_dirs[i]; i++) {
        if (!realpath(x->s->stdlib_dirs[i], dir))
            continue;
        size_t n = strlen(dir);
        if (!strncmp(file, dir, n) && file[n] == '/')
            return true;
    }
    return false;
}

static const char *where_of(const ide_index *x, ax_span sp)
{
    return arena_printf(x->ar, "%s:%d", diag_file_name(x->d, sp.file), sp.line);
}

/* Why new_name cannot name a declaration, or NULL. */
static const char *bad_name(const ide_index *x, const char *name)
{
    size_t n = strlen(name);
    bool ident = n > 0 && n <= AX_MAX_NAME && !(name[0] >= '0' && name[0] <= '9');
    for (size_t i = 0; ident && i < n; i++)
        ident = word_char(name[i]);
    if (!ident)
        return arena_printf(x->ar, "'%s' is not a name (letters, digits and '_', not starting "
                                   "with a digit, at most %d bytes)", name, AX_MAX_NAME);
    if (lex_is_keyword(name))
        return arena_printf(x->ar, "'%s' is a keyword", name);
    for (const char *const *b = (const char *const[]){"t", "dt", "i", "j", "pi", NULL}; *b; b++)
        if (!strcmp(name, *b))
            return arena_printf(x->ar, "'%s' is a name of the language", name);
    /* a name spelt like a unit would take the unit's place where it is written alone */
    if (unit_is_name(name, n))
        return arena_printf(x->ar, "'%s' is a unit", name);
    if (sx_is_builtin(name))
        return arena_printf(x->ar, "'%s' is a function of the language", name);
    return NULL;
}

const char *ide_rename_refusal(const ide_index *x, int sym, const char *new_name)
{
    const ide_sym *y = ide_symbol(x, sym);
    if (!y || y->span.file < 0)
        return "there is no name to rename here";
    const char *file = diag_file_name(x->d, y->span.file);
    if (in_stdlib(x, file))
        return arena_printf(x->ar, "'%s' is defined in the standard library (%s): only names "
                                   "defined in your files can be renamed", y->name, file);
    if (y->kind == AXONC_SYM_EXTERN)
        return arena_printf(x->ar, "'%s' is the name of the C function in its library",
                            y->name);
    /* names bound by name elsewhere */
    bool member = y->parent >= 0;
    axonc_symbol_kind pk = member ? x->syms[y->parent].kind : AXONC_SYM_MODULE;
    if (member && pk == AXONC_SYM_NEURON)
        for (int i = 0; i < x->nbound; i++)
            if (x->bound[i].kind == BOUND_PREPOST && !strcmp(x->bound[i].name, y->name))
                return arena_printf(x->ar, "'%s' is also named as pre.%s or post.%s (%s), which "
                                           "refers to the variable of whatever neuron a "
                                           "projection gives: rename those by hand",
                                    y->name, y->name, y->name, where_of(x, x->bound[i].span));
    for (int i = 0; member && i < x->nbound; i++)
        if (x->bound[i].kind == BOUND_WEIGHT && x->bound[i].sym == y->parent &&
            !strcmp(y->name, "w"))
            return arena_printf(x->ar, "a rule learned without 'on NAME' (%s) is bound to "
                                       "synapse %s's weight by the name 'w': write 'on w' there "
                                       "first",
                                where_of(x, x->bound[i].span), x->syms[y->parent].name);
    if (member && (pk == AXONC_SYM_SYNAPSE || pk == AXONC_SYM_RULE))
        for (int i = 0; i < x->nbound; i++)
            if (x->bound[i].kind == BOUND_FILE && x->bound[i].sym == y->parent)
                return arena_printf(x->ar, "%s %s takes values from the columns of \"%s\" (%s), "
                                           "which name its variables: rename by hand",
                                    kind_word(pk), x->syms[y->parent].name, x->bound[i].file,
                                    where_of(x, x->bound[i].span));
    if (y->kind == AXONC_SYM_SIGNAL || y->kind == AXONC_SYM_MODULATOR)
        for (int i = 0; i < x->nsyms; i++)
            if ((x->syms[i].kind == AXONC_SYM_SIGNAL || x->syms[i].kind == AXONC_SYM_MODULATOR) &&
                x->syms[i].kind != y->kind && !strcmp(x->syms[i].name, y->name))
                return arena_printf(x->ar, "the %s '%s' is bound by its name to the %s of %s %s "
                                           "(%s): rename both by hand",
                                    kind_word(y->kind), y->name, kind_word(x->syms[i].kind),
                                    kind_word(x->syms[x->syms[i].parent].kind),
                                    x->syms[x->syms[i].parent].name,
                                    where_of(x, x->syms[i].span));
    if (!new_name || !strcmp(new_name, y->name))
        return NULL;
    const char *why = bad_name(x, new_name);
    if (why)
        return why;
    if (!strcmp(new_name, "w") &&
        (y->kind == AXONC_SYM_RULE || (member && pk == AXONC_SYM_RULE)))
        return "'w' is the weight a rule is bound to";
    /* a name already declared where the new one would be seen */
    for (int i = 0; i < x->nsyms; i++) {
        const ide_sym *o = &x->syms[i];
        if (strcmp(o->name, new_name))
            continue;
        bool clash = member ? o->parent == y->parent
                            : o->parent < 0 && (o->kind <= AXONC_SYM_MODULE || o->kind == AXONC_SYM_EXTERN);
        if (clash)
            return arena_printf(x->ar, "'%s' is already the name of %s %s (%s)", new_name,
                                strchr("aeiou", kind_word(o->kind)[0]) ? "an" : "a",
                                kind_word(o->kind), where_of(x, o->span));
    }
    return NULL;
}
