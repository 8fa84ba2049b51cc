#include "ast.h"

#include <string.h>

static const char *const KIND_NAMES[AST_KIND_COUNT] = {
    [AST_FILE] = "file", [AST_IMPORT] = "import", [AST_NEURON] = "neuron",
    [AST_SYNAPSE] = "synapse", [AST_RULE] = "rule", [AST_MODULE] = "module", [AST_RUN] = "run", [AST_AT] = "at", [AST_EXTERN] = "extern",
    [AST_PARAMS] = "parameters", [AST_STATE] = "state", [AST_INPUTS] = "inputs",
    [AST_EQUATIONS] = "equations", [AST_STEP] = "step", [AST_OUTPUT] = "output",
    [AST_SPIKE] = "spike-when", [AST_ON_EVENT] = "on-event", [AST_ON_PRE] = "on-pre",
    [AST_ON_POST] = "on-post", [AST_CONTINUOUS] = "continuous", [AST_EVERY_STEP] = "every-step",
    [AST_STRUCTURE] = "structure", [AST_PRUNE] = "prune", [AST_GROW] = "grow",
    [AST_REFRACTORY] = "refractory", [AST_METHOD] = "method", [AST_MODULATOR] = "modulator",
    [AST_VIA] = "via",
    [AST_DECL] = "decl", [AST_ODE] = "ode", [AST_ALGEBRAIC] = "algebraic",
    [AST_ASSIGN] = "assign", [AST_LET] = "let", [AST_IF] = "if",
    [AST_POPULATION] = "population", [AST_PROJECT] = "project", [AST_CONNECT] = "connect",
    [AST_WHERE] = "where", [AST_FROM] = "from", [AST_DELAY] = "delay", [AST_LEARN] = "learn",
    [AST_INSTANCE] = "instance", [AST_SIGNAL] = "signal", [AST_RECORD] = "record",
    [AST_RANGE] = "range", [AST_LIST] = "list", [AST_NUM] = "num", [AST_BOOL] = "bool",
    [AST_STRING] = "string", [AST_IDENT] = "ident", [AST_INDEX] = "index", [AST_PRE] = "pre", [AST_POST] = "post",
    [AST_MEMBER] = "member", [AST_CALL] = "call", [AST_NAMED] = "named",
    [AST_BINARY] = "binary", [AST_UNARY] = "unary", [AST_COND] = "cond",
};

const char *ast_kind_name(ast_kind k)
{
    return k < AST_KIND_COUNT && KIND_NAMES[k] ? KIND_NAMES[k] : "?";
}

const char *ast_op_name(int op)
{
    switch (op) {
    case '+': return "+";
    case '-': return "-";
    case '*': return "*";
    case '/': return "/";
    case '%': return "%";
    case '^': return "^";
    case '<': return "<";
    case '>': return ">";
    case '=': return "=";
    case OP_EQ: return "==";
    case OP_NE: return "!=";
    case OP_LE: return "<=";
    case OP_GE: return ">=";
    case OP_AND: return "and";
    case OP_OR: return "or";
    case OP_NOT: return "not";
    case OP_ADD_ASSIGN: return "+=";
    case OP_SUB_ASSIGN: return "-=";
    case OP_MUL_ASSIGN: return "*=";
    case OP_DIV_ASSIGN: return "/=";
    default: return "?";
    }
}

ast_node *ast_new(ax_arena *ar, ast_kind kind, ax_span sp)
{
    ast_node *n = arena_alloc(ar, sizeof *n);
    n->kind = kind;
    n->span = sp;
    n->depth = 1;
    return n;
}

void ast_vec_push(ax_arena *ar, ast_vec *v, ast_node *n)
{
    if (!n)
        return;
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 4;
        v->v = arena_grow(ar, v->v, (size_t)v->n, (size_t)cap, sizeof *v->v);
        v->cap = cap;
    }
    v->v[v->n++] = n;
}

void ast_fix_depth(ast_node *n)
{
    int d = 0;
    if (n->a && n->a->depth > d)
        d = n->a->depth;
    if (n->b && n->b->depth > d)
        d = n->b->depth;
    if (n->c && n->c->depth > d)
        d = n->c->depth;
    for (int i = 0; i < n->nkids; i++)
        if (n->kids[i]->depth > d)
            d = n->kids[i]->depth;
    n->depth = d + 1;
}

void ast_set_kids(ast_node *n, ast_vec v)
{
    n->kids = v.v;
    n->nkids = v.n;
    ast_fix_depth(n);
}

/* Binding strength, for printing expressions with only the needed parens. */
static int prec(const ast_node *e)
{
    if (e->kind == AST_COND)
        return 1;
    if (e->kind == AST_UNARY)
        return e->op == OP_NOT ? 4 : 8;
    if (e->kind != AST_BINARY)
        return 10;
    switch (e->op) {
    case OP_OR: return 2;
    case OP_AND: return 3;
    case '<': case '>': case OP_LE: case OP_GE: case OP_EQ: case OP_NE: return 5;
    case '+': case '-': return 6;
    case '*': case '/': return 7;
    case '^': return 9;
    default: return 10;
    }
}

static void expr_sub(const ast_node *e, strbuf *sb, int min)
{
    bool paren = prec(e) < min;
    if (paren)
        sb_putc(sb, '(');
    ast_expr_str(e, sb);
    if (paren)
        sb_putc(sb, ')');
}

void ast_expr_str(const ast_node *e, strbuf *sb)
{
    if (!e) {
        sb_puts(sb, "<none>");
        return;
    }
    switch (e->kind) {
    case AST_NUM: {
        char nb[32];
        sb_puts(sb, fmt_double(nb, e->num));
        if (e->str)
            sb_printf(sb, " %s", e->str);
        break;
    }
    case AST_BOOL: sb_puts(sb, e->num != 0 ? "true" : "false"); break;
    case AST_STRING: sb_printf(sb, "\"%s\"", e->str); break;
    case AST_IDENT: sb_puts(sb, e->name); break;
    case AST_INDEX:
        sb_printf(sb, "%s[", e->name);
        ast_expr_str(e->a, sb);
        sb_putc(sb, ']');
        break;
    case AST_PRE: sb_puts(sb, "pre"); break;
    case AST_POST: sb_puts(sb, "post"); break;
    case AST_MEMBER:
        expr_sub(e->a, sb, 10);
        sb_printf(sb, ".%s", e->name);
        if (e->b) { /* post.I_d[seg] */
            sb_putc(sb, '[');
            ast_expr_str(e->b, sb);
            sb_putc(sb, ']');
        }
        break;
    case AST_CALL:
        sb_printf(sb, "%s(", e->name);
        for (int i = 0; i < e->nkids; i++) {
            if (i)
                sb_puts(sb, ", ");
            ast_expr_str(e->kids[i], sb);
        }
        sb_putc(sb, ')');
        break;
    case AST_NAMED:
        sb_printf(sb, "%s = ", e->name);
        ast_expr_str(e->a, sb);
        break;
    case AST_UNARY:
        sb_puts(sb, e->op == OP_NOT ? "not " : ast_op_name(e->op));
        expr_sub(e->a, sb, prec(e));
        break;
    case AST_BINARY: {
        int p = prec(e);
        bool right = e->op == '^';
        expr_sub(e->a, sb, right ? p + 1 : p);
        sb_printf(sb, " %s ", ast_op_name(e->op));
        expr_sub(e->b, sb, right ? p : p + 1);
        break;
    }
    case AST_COND:
        sb_puts(sb, "if ");
        ast_expr_str(e->a, sb);
        sb_puts(sb, " then ");
        ast_expr_str(e->b, sb);
        sb_puts(sb, " else ");
        ast_expr_str(e->c, sb);
        break;
    case AST_RANGE:
        ast_expr_str(e->a, sb);
        sb_puts(sb, " .. ");
        ast_expr_str(e->b, sb);
        break;
    case AST_WHERE:
        sb_puts(sb, "where (");
        ast_expr_str(e->a, sb);
        sb_putc(sb, ')');
        break;
    case AST_FROM: sb_printf(sb, "from \"%s\"", e->str); break;
    case AST_LIST:
        sb_putc(sb, '[');
        for (int i = 0; i < e->nkids; i++) {
            if (i)
                sb_puts(sb, ", ");
            ast_expr_str(e->kids[i], sb);
        }
        sb_putc(sb, ']');
        break;
    default: sb_printf(sb, "<%s>", ast_kind_name(e->kind)); break;
    }
}

static bool is_expr(ast_kind k)
{
    return k >= AST_NUM || k == AST_RANGE || k == AST_WHERE || k == AST_FROM;
}

/* *oom is set when an expression could not be printed (the dump is incomplete) */
static void dump(FILE *out, const ast_node *n, int ind, bool spans, const char *label, bool *oom)
{
    if (!n)
        return;
    fprintf(out, "%*s", ind * 2, "");
    if (label)
        fprintf(out, "%s: ", label);
    if (is_expr(n->kind) && n->kind != AST_LIST) {
        strbuf sb = {0};
        ast_expr_str(n, &sb);
        if (sb.oom)
            *oom = true;
        else
            fprintf(out, "%s", sb.buf ? sb.buf : "");
        sb_free(&sb);
    } else {
        fprintf(out, "%s", ast_kind_name(n->kind));
        if (n->name)
            fprintf(out, " %s", n->name);
        if (n->str)
            fprintf(out, " \"%s\"", n->str);
        if (n->kind == AST_ASSIGN)
            fprintf(out, " %s", ast_op_name(n->op));
        if (n->flags & BLK_PER_NEURON)
            fprintf(out, " per-neuron");
        if (n->flags & BLK_SHARED)
            fprintf(out, " shared");
        if (n->flags & BLK_EVENT_DRIVEN)
            fprintf(out, " event-driven");
    }
    if (spans)
        fprintf(out, "  @%d:%d-%d:%d", n->span.line, n->span.col, n->span.end_line,
                n->span.end_col);
    fputc('\n', out);
    if (is_expr(n->kind) && n->kind != AST_LIST)
        return;
    static const char *const lab[AST_KIND_COUNT][3] = {
        [AST_MODULE] = {"params", 0, 0}, [AST_RUN] = {"module", "for", 0}, [AST_AT] = {"time", 0, 0},
        [AST_DECL] = {"value", "unit", "size"}, [AST_ODE] = {0, 0, "index"},
        [AST_ALGEBRAIC] = {0, 0, "index"}, [AST_ASSIGN] = {"target", "value", 0},
        [AST_IF] = {"cond", "else", 0}, [AST_POPULATION] = {"size", "args", "spikes"},
        [AST_PROJECT] = {"from", "to", "args"}, [AST_RECORD] = {"subset", "every", 0},
        [AST_SPIKE] = {"when", 0, 0}, [AST_ON_EVENT] = {"when", 0, 0},
        [AST_LEARN] = {"args", 0, 0}, [AST_VIA] = {"population", 0, 0}, [AST_INSTANCE] = {"args", 0, 0},
    };
    if (n->kind == AST_IF) {
        /* cond, then-branch, else-branch: in reading order */
        dump(out, n->a, ind + 1, spans, "cond", oom);
        fprintf(out, "%*sthen:\n", (ind + 1) * 2, "");
        for (int i = 0; i < n->nkids; i++)
            dump(out, n->kids[i], ind + 2, spans, NULL, oom);
        dump(out, n->b, ind + 1, spans, "else", oom);
        return;
    }
    const ast_node *ch[3] = {n->a, n->b, n->c};
    for (int i = 0; i < 3; i++)
        dump(out, ch[i], ind + 1, spans,
             i == 2 && n->c && n->c->kind == AST_METHOD ? "method" : lab[n->kind][i], oom);
    for (int i = 0; i < n->nkids; i++)
        dump(out, n->kids[i], ind + 1, spans, NULL, oom);
}

bool ast_dump(FILE *out, const ast_node *n, bool show_spans)
{
    bool oom = false;
    dump(out, n, 0, show_spans, NULL, &oom);
    return !oom;
}
