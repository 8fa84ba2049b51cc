/*
 * vector: the vectors of a neuron (`state { m[16] = 0 mV }`) expanded into scalars.
 *
 * Right after parsing, every neuron that declares a vector is rewritten in place: the
 * declaration becomes one per element, named "m[0]" ... "m[15]" (flag
 * DECL_VECTOR_ELEMENT), an indexed equation `m[k]' = -m[k] / tau[k]` becomes one equation per
 * element with k replaced by the element's number, `m[3]` in an expression the element's
 * name, `sum(k, w[k] * m[k])` the sum w[0] * m[0] + w[1] * m[1] + ... (added left to right,
 * as written by hand), and an assignment `m[k] = 0` one per element. The rest of the compiler
 * (units, schemes, code, records, checkpoints) then sees scalars only; an element's unit is
 * its vector's (declared, or from the values, which must agree: types.c checks that).
 * A definition `h[j] = tanh(b[j] + ...)` is a vector whose size is that of the vectors its
 * index indexes directly, as for a sum.
 * Inputs may be vectors too (`inputs { I_d[4] : A }`: four inputs). A synapse reaches one
 * element of its target's vector with `post.I_d[seg] += w` (check.c, element_assign), which
 * this pass leaves alone (a member, not an index).
 * Definitions other than neurons may not use vectors yet: each use is one error and is read
 * as a scalar, so that checking goes on.
 */
#include "sema/sema_int.h"

#include <string.h>

/* a neuron has at most 256 declarations; an expression at most 400 levels (parse.y) */
enum { MAX_VECTOR = 256, MAX_LOOPS = 8, MAX_DEPTH = 400 };

typedef struct {
    const char *name;
    int size;
    const ast_node *decl;
} vec_decl;

typedef struct {
    const char *name;
    long value;
} vec_bind;

typedef struct {
    ax_arena *ar;
    diag_ctx *d;
    vec_decl *vecs;
    int nvecs;
    const char **scalars; /* the neuron's other names: not free for an index */
    int nscalars;
    vec_bind binds[MAX_LOOPS];
    int nbinds;
} vx_ctx;

static int find_vec(const vx_ctx *X, const char *name)
{
    for (int i = 0; i < X->nvecs; i++)
        if (!strcmp(X->vecs[i].name, name))
            return i;
    return -1;
}

static bool is_scalar(const vx_ctx *X, const char *name)
{
    for (int i = 0; i < X->nscalars; i++)
        if (!strcmp(X->scalars[i], name))
            return true;
    return false;
}

static const vec_bind *find_bind(const vx_ctx *X, const char *name)
{
    for (int i = X->nbinds - 1; i >= 0; i--)
        if (!strcmp(X->binds[i].name, name))
            return &X->binds[i];
    return NULL;
}

/* A name free to be an index: not a variable of the neuron, not bound already. */
static bool free_index(const vx_ctx *X, const ast_node *e)
{
    return e->kind == AST_IDENT && !find_bind(X, e->name) && find_vec(X, e->name) < 0 &&
           !is_scalar(X, e->name);
}

static ast_node *copy_node(vx_ctx *X, const ast_node *n)
{
    ast_node *c = ast_new(X->ar, n->kind, n->span);
    *c = *n;
    return c;
}

static const char *element_name(vx_ctx *X, const char *vec, long k)
{
    return arena_printf(X->ar, "%s[%ld]", vec, k);
}

static ast_node *ident(vx_ctx *X, const char *name, ax_span sp)
{
    ast_node *n = ast_new(X->ar, AST_IDENT, sp);
    n->name = name;
    return n;
}

/* ---- indices ------------------------------------------------------------------------------ */

typedef enum { IDX_OK, IDX_BAD } idx_status;

/* The value of an index: whole numbers, the bound indices, + - * and parentheses. */
static idx_status eval_index(vx_ctx *X, const ast_node *e, const char *vec, long *out)
{
    switch (e->kind) {
    case AST_NUM:
        if (!(e->flags & NUM_INTEGER) || e->str || e->num > 1e9) {
            diag_error(X->d, e->span, "the index of '%s' must be a whole number without a unit",
                       vec);
            return IDX_BAD;
        }
        *out = (long)e->num;
        return IDX_OK;
    case AST_IDENT: {
        const vec_bind *b = find_bind(X, e->name);
        if (b) {
            *out = b->value;
            return IDX_OK;
        }
        diag_error(X->d, e->span, "the index of '%s' must be a constant: '%s' is not the index "
                                  "of this equation, statement or sum", vec, e->name);
        diag_hint(X->d, "an index is a whole number (%s[3]), the index of an indexed equation "
                        "or assignment (%s[k]' = ..., %s[k] = ...) or of a sum (sum(k, ...))",
                  vec, vec, vec);
        return IDX_BAD;
    }
    case AST_UNARY:
        if (e->op == '-' && eval_index(X, e->a, vec, out) == IDX_OK) {
            *out = -*out;
            return IDX_OK;
        }
        break;
    case AST_BINARY:
        if (e->op == '+' || e->op == '-' || e->op == '*') {
            long a, b;
            if (eval_index(X, e->a, vec, &a) != IDX_OK || eval_index(X, e->b, vec, &b) != IDX_OK)
                return IDX_BAD;
            if (a > 1000000000L || a < -1000000000L || b > 1000000000L || b < -1000000000L)
                break;
            *out = e->op == '+' ? a + b : e->op == '-' ? a - b : a * b;
            return IDX_OK;
        }
        break;
    default: break;
    }
    diag_error(X->d, e->span, "the index of '%s' must be a constant whole number (whole numbers, "
                              "indices, '+', '-' and '*')", vec);
    return IDX_BAD;
}

/* The name of element index of vector v, or NULL (reported) when out of range. */
static const char *element(vx_ctx *X, int v, long k, ax_span sp)
{
    const vec_decl *vd = &X->vecs[v];
    if (k < 0 || k >= vd->size) {
        diag_error(X->d, sp, "index %ld is out of range: '%s' has %d element%s (0 to %d)", k,
                   vd->name, vd->size, vd->size == 1 ? "" : "s", vd->size - 1);
        return NULL;
    }
    return element_name(X, vd->name, k);
}

/* ---- expressions -------------------------------------------------------------------------- */

static ast_node *expand_expr(vx_ctx *X, const ast_node *e);

/* The sizes of the vectors that `name` indexes directly (x[name]) in e; -1 when two differ
 * (reported), 0 when none. */
static int index_range(vx_ctx *X, const ast_node *e, const char *name, int *size, ax_span *at)
{
    if (!e)
        return 0;
    if (e->kind == AST_CALL && !strcmp(e->name, "sum") && e->nkids == 2 &&
        e->kids[0]->kind == AST_IDENT && !strcmp(e->kids[0]->name, name))
        return 0; /* an inner sum over a name of the same spelling */
    if (e->kind == AST_INDEX && e->a->kind == AST_IDENT && !strcmp(e->a->name, name)) {
        int v = find_vec(X, e->name);
        if (v >= 0) {
            if (*size > 0 && *size != X->vecs[v].size) {
                diag_error(X->d, e->span, "'%s' runs over vectors of different sizes: %d "
                                          "elements here, %d before", name, X->vecs[v].size,
                           *size);
                diag_note(X->d, *at, "the vector of %d elements", *size);
                return -1;
            }
            *size = X->vecs[v].size;
            *at = e->span;
        }
    }
    const ast_node *ch[3] = {e->a, e->b, e->c};
    for (int i = 0; i < 3; i++)
        if (index_range(X, ch[i], name, size, at) < 0)
            return -1;
    for (int i = 0; i < e->nkids; i++)
        if (index_range(X, e->kids[i], name, size, at) < 0)
            return -1;
    return *size;
}

static bool push_bind(vx_ctx *X, const char *name, ax_span sp)
{
    if (X->nbinds == MAX_LOOPS) {
        diag_error(X->d, sp, "indices are nested too deeply (at most %d)", MAX_LOOPS);
        return false;
    }
    X->binds[X->nbinds++] = (vec_bind){name, 0};
    return true;
}

/* sum(k, expr): expr for k = 0, 1, ... added left to right. */
static ast_node *expand_sum(vx_ctx *X, const ast_node *e)
{
    const ast_node *k = e->kids[0];
    if (!free_index(X, k)) {
        diag_error(X->d, k->span, "'%s' cannot name the index of a sum: it is %s", k->name,
                   find_bind(X, k->name) ? "already an index here" : "a variable of the neuron");
        return ast_new(X->ar, AST_NUM, e->span);
    }
    ax_span at = e->span;
    int size = 0, r = index_range(X, e->kids[1], k->name, &size, &at);
    if (r == 0) {
        diag_error(X->d, e->span, "cannot tell how far '%s' runs: index a vector with it "
                                  "(sum(%s, w[%s] * m[%s]))", k->name, k->name, k->name, k->name);
        return ast_new(X->ar, AST_NUM, e->span);
    }
    if (r < 0 || !push_bind(X, k->name, k->span))
        return ast_new(X->ar, AST_NUM, e->span);
    ast_node *acc = NULL;
    for (long i = 0; i < size; i++) {
        X->binds[X->nbinds - 1].value = i;
        ast_node *term = expand_expr(X, e->kids[1]);
        if (!acc) {
            acc = term;
            continue;
        }
        ast_node *b = ast_new(X->ar, AST_BINARY, e->span);
        b->op = '+';
        b->a = acc;
        b->b = term;
        ast_fix_depth(b);
        acc = b;
    }
    X->nbinds--;
    if (acc->depth > MAX_DEPTH) {
        /* as the parser's limit on what is written out: passes over it stay bounded */
        diag_error(X->d, e->span, "this sum of %d terms is nested too deeply (more than %d "
                                  "levels)", size, MAX_DEPTH);
        return ast_new(X->ar, AST_NUM, e->span);
    }
    return acc;
}

static ast_node *expand_expr(vx_ctx *X, const ast_node *e)
{
    if (!e)
        return NULL;
    switch (e->kind) {
    case AST_INDEX: {
        int v = find_vec(X, e->name);
        if (v < 0) {
            diag_error(X->d, e->span, "'%s' is not a vector of this neuron", e->name);
            return ident(X, e->name, e->span);
        }
        long k;
        const char *name = NULL;
        if (eval_index(X, e->a, e->name, &k) == IDX_OK)
            name = element(X, v, k, e->a->span);
        return ident(X, name ? name : element_name(X, e->name, 0), e->span);
    }
    case AST_IDENT: {
        const vec_bind *b = find_bind(X, e->name);
        if (b) {
            ast_node *n = ast_new(X->ar, AST_NUM, e->span);
            n->num = (double)b->value;
            n->flags = NUM_INTEGER;
            return n;
        }
        int v = find_vec(X, e->name);
        if (v >= 0) {
            diag_error(X->d, e->span, "'%s' is a vector of %d elements: write one of them", e->name,
                       X->vecs[v].size);
            diag_hint(X->d, "%s[0], %s[k] in an indexed equation (%s[k]' = ...) or a sum "
                            "(sum(k, %s[k]))", e->name, e->name, e->name, e->name);
            return ident(X, element_name(X, e->name, 0), e->span);
        }
        return copy_node(X, e);
    }
    case AST_CALL:
        if (!strcmp(e->name, "sum")) {
            if (e->nkids == 2 && e->kids[0]->kind == AST_IDENT)
                return expand_sum(X, e);
            diag_error(X->d, e->span, "a sum is written sum(k, expression): k names the index, "
                                      "which runs over the vectors it indexes");
            return ast_new(X->ar, AST_NUM, e->span);
        }
        break;
    default: break;
    }
    ast_node *c = copy_node(X, e);
    c->a = expand_expr(X, e->a);
    c->b = expand_expr(X, e->b);
    c->c = expand_expr(X, e->c);
    if (e->nkids) {
        c->kids = arena_alloc(X->ar, (size_t)e->nkids * sizeof *c->kids);
        for (int i = 0; i < e->nkids; i++)
            c->kids[i] = expand_expr(X, e->kids[i]);
    }
    ast_fix_depth(c);
    return c;
}

/* ---- equations and statements ------------------------------------------------------------- */

/* The elements an indexed target (m[k] or m[3]) stands for: one loop over a free name (bound
 * on X's stack, *loop set) or one element (*first == *last). False when reported. */
static bool target_range(vx_ctx *X, const char *vec, const ast_node *idx, int *v, long *first,
                         long *last, bool *loop)
{
    *v = find_vec(X, vec);
    *loop = false;
    if (*v < 0) {
        diag_error(X->d, idx->span, "'%s' is not a vector of this neuron: only a vector has an "
                                    "index", vec);
        return false;
    }
    if (free_index(X, idx)) {
        if (!push_bind(X, idx->name, idx->span))
            return false;
        *loop = true;
        *first = 0;
        *last = X->vecs[*v].size - 1;
        return true;
    }
    if (eval_index(X, idx, vec, first) != IDX_OK || !element(X, *v, *first, idx->span))
        return false;
    *last = *first;
    return true;
}

static void vec_error_scalar(vx_ctx *X, const char *name, ax_span sp, const char *how)
{
    diag_error(X->d, sp, "'%s' is a vector of %d elements: %s", name,
               X->vecs[find_vec(X, name)].size, how);
}

static void expand_stmts(vx_ctx *X, ast_node *const *in, int n, ast_vec *out);

static ast_node *expand_stmt_list(vx_ctx *X, const ast_node *l)
{
    if (!l)
        return NULL;
    if (l->kind == AST_IF) {
        ast_vec one = {0};
        expand_stmts(X, (ast_node *const *)&l, 1, &one);
        return one.v[0];
    }
    ast_node *c = copy_node(X, l);
    ast_vec kids = {0};
    expand_stmts(X, l->kids, l->nkids, &kids);
    ast_set_kids(c, kids);
    return c;
}

static void expand_stmts(vx_ctx *X, ast_node *const *in, int n, ast_vec *out)
{
    for (int i = 0; i < n; i++) {
        const ast_node *s = in[i];
        if (s->kind == AST_ASSIGN && s->a->kind == AST_INDEX) {
            int v;
            long first, last;
            bool loop;
            if (!target_range(X, s->a->name, s->a->a, &v, &first, &last, &loop))
                continue;
            for (long k = first; k <= last; k++) {
                if (loop)
                    X->binds[X->nbinds - 1].value = k;
                ast_node *c = copy_node(X, s);
                c->a = ident(X, element_name(X, s->a->name, k), s->a->span);
                c->b = expand_expr(X, s->b);
                ast_fix_depth(c);
                ast_vec_push(X->ar, out, c);
            }
            if (loop)
                X->nbinds--;
            continue;
        }
        if (s->kind == AST_ASSIGN && s->a->kind == AST_IDENT && find_vec(X, s->a->name) >= 0)
            vec_error_scalar(X, s->a->name, s->a->span,
                             arena_printf(X->ar, "assign one element (%s[0] = ...) or each "
                                                 "(%s[k] = ...)", s->a->name, s->a->name));
        ast_node *c = copy_node(X, s);
        if (s->kind == AST_IF) {
            c->a = expand_expr(X, s->a);
            ast_vec kids = {0};
            expand_stmts(X, s->kids, s->nkids, &kids);
            c->kids = kids.v;
            c->nkids = kids.n;
            c->b = expand_stmt_list(X, s->b);
        } else {
            c->a = s->kind == AST_ASSIGN ? copy_node(X, s->a) : expand_expr(X, s->a);
            c->b = expand_expr(X, s->b);
        }
        ast_fix_depth(c);
        ast_vec_push(X->ar, out, c);
    }
}

static void expand_equations(vx_ctx *X, ast_node *blk)
{
    ast_vec out = {0};
    for (int i = 0; i < blk->nkids; i++) {
        const ast_node *q = blk->kids[i];
        if ((q->kind == AST_ODE || q->kind == AST_ALGEBRAIC) && q->c) {
            int v;
            if (q->kind == AST_ALGEBRAIC &&
                (find_vec(X, q->name) < 0 || X->vecs[find_vec(X, q->name)].decl != q))
                continue; /* reported */
            long first, last;
            bool loop;
            if (!target_range(X, q->name, q->c, &v, &first, &last, &loop))
                continue;
            for (long k = first; k <= last; k++) {
                if (loop)
                    X->binds[X->nbinds - 1].value = k;
                ast_node *c = copy_node(X, q);
                c->name = element_name(X, q->name, k);
                c->c = NULL;
                c->a = expand_expr(X, q->a);
                ast_fix_depth(c);
                ast_vec_push(X->ar, &out, c);
            }
            if (loop)
                X->nbinds--;
            continue;
        }
        if (find_vec(X, q->name) >= 0)
            vec_error_scalar(X, q->name, q->span,
                             q->kind == AST_ODE
                                 ? arena_printf(X->ar, "write an equation for each element "
                                                       "(%s[k]' = ...) or for one (%s[0]' = ...)",
                                                q->name, q->name)
                                 : "a definition cannot have its name");
        ast_node *c = copy_node(X, q);
        c->a = expand_expr(X, q->a);
        ast_fix_depth(c);
        ast_vec_push(X->ar, &out, c);
    }
    ast_set_kids(blk, out);
}

/* ---- declarations ------------------------------------------------------------------------- */

/* The size of a vector declaration, or 0 (reported). */
static int vector_size(vx_ctx *X, const ast_node *d)
{
    const ast_node *s = d->c;
    if (s->kind != AST_NUM || !(s->flags & NUM_INTEGER) || s->str || s->num < 1 ||
        s->num > MAX_VECTOR) {
        diag_error(X->d, s->span, "the size of vector '%s' must be a whole number from 1 to %d "
                                  "written as a constant (like %s[16])", d->name, MAX_VECTOR,
                   d->name);
        return 0;
    }
    return (int)s->num;
}

static void add_vec(vx_ctx *X, const char *name, int size, const ast_node *decl)
{
    X->vecs = arena_grow(X->ar, X->vecs, (size_t)X->nvecs, (size_t)X->nvecs + 1, sizeof *X->vecs);
    X->vecs[X->nvecs++] = (vec_decl){name, size, decl};
}

/* h[j] = ...: a vector of definitions, as long as the vectors j indexes (1 when reported). */
static void vector_definition(vx_ctx *X, const ast_node *q)
{
    int size = 0;
    ax_span at = q->span;
    if (find_vec(X, q->name) >= 0) {
        diag_error(X->d, q->span, "'%s' is already declared", q->name);
        return;
    }
    if (!free_index(X, q->c)) {
        diag_error(X->d, q->c->span, "a vector definition names its index, which runs over the "
                                     "vectors it indexes: %s[j] = ... b[j] ...", q->name);
        add_vec(X, q->name, 1, NULL); /* its uses read element 0; the definition is dropped */
        return;
    } else if (index_range(X, q->a, q->c->name, &size, &at) == 0) {
        diag_error(X->d, q->span, "cannot tell how many elements '%s' has: index a vector with "
                                  "'%s' on the right side", q->name, q->c->name);
    }
    add_vec(X, q->name, size > 0 ? size : 1, q);
}

static void collect(vx_ctx *X, ast_node *def)
{
    for (int i = 0; i < def->nkids; i++) {
        ast_node *blk = def->kids[i];
        bool decls = blk->kind == AST_PARAMS || blk->kind == AST_STATE || blk->kind == AST_INPUTS;
        if (!decls && blk->kind != AST_EQUATIONS)
            continue;
        for (int j = 0; j < blk->nkids; j++) {
            ast_node *d = blk->kids[j];
            if (d->kind == AST_DECL && d->c) {
                int size = vector_size(X, d);
                if (find_vec(X, d->name) < 0) {
                    /* a bad size (reported) reads as 1, to spare the uses more errors */
                    add_vec(X, d->name, size > 0 ? size : 1, d);
                    continue;
                }
            }
            if (d->kind == AST_ODE || (d->kind == AST_ALGEBRAIC && d->c))
                continue;
            X->scalars = arena_grow(X->ar, X->scalars, (size_t)X->nscalars,
                                    (size_t)X->nscalars + 1, sizeof *X->scalars);
            X->scalars[X->nscalars++] = d->name;
        }
    }
    /* vector definitions, once every other name is known */
    for (int i = 0; i < def->nkids; i++)
        if (def->kids[i]->kind == AST_EQUATIONS)
            for (int j = 0; j < def->kids[i]->nkids; j++) {
                const ast_node *q = def->kids[i]->kids[j];
                if (q->kind == AST_ALGEBRAIC && q->c)
                    vector_definition(X, q);
            }
}

static void expand_decls(vx_ctx *X, ast_node *blk)
{
    ast_vec out = {0};
    for (int i = 0; i < blk->nkids; i++) {
        ast_node *d = blk->kids[i];
        if (d->kind != AST_DECL || !d->c) {
            ast_node *c = copy_node(X, d);
            c->a = expand_expr(X, d->a);
            ast_fix_depth(c);
            ast_vec_push(X->ar, &out, c);
            continue;
        }
        int v = find_vec(X, d->name);
        if (v < 0 || X->vecs[v].decl != d) {
            /* a second declaration of the name: the first is the vector */
            diag_error(X->d, d->span, "'%s' is already declared", d->name);
            continue;
        }
        int size = X->vecs[v].size;
        const ast_node *list = d->a && d->a->kind == AST_LIST ? d->a : NULL;
        if (list && list->nkids != size) {
            diag_error(X->d, list->span, "'%s' has %d element%s, but the list holds %d value%s",
                       d->name, size, size == 1 ? "" : "s", list->nkids,
                       list->nkids == 1 ? "" : "s");
            list = NULL;
        }
        for (int k = 0; k < size; k++) {
            ast_node *c = copy_node(X, d);
            c->name = element_name(X, d->name, k);
            c->c = NULL;
            c->flags |= DECL_VECTOR_ELEMENT;
            c->a = expand_expr(X, list ? list->kids[k] : d->a);
            ast_fix_depth(c);
            ast_vec_push(X->ar, &out, c);
            if (!list && d->a && d->a->kind == AST_LIST)
                break; /* reported */
        }
    }
    ast_set_kids(blk, out);
}

/* refractory ... hold m: every element of m */
static void expand_hold(vx_ctx *X, ast_node *it)
{
    ast_vec out = {0};
    for (int i = 0; i < it->nkids; i++) {
        ast_node *n = it->kids[i];
        int v = n->kind == AST_IDENT ? find_vec(X, n->name) : -1;
        if (v < 0) {
            ast_vec_push(X->ar, &out, n);
            continue;
        }
        for (long k = 0; k < X->vecs[v].size; k++)
            ast_vec_push(X->ar, &out, ident(X, element_name(X, n->name, k), n->span));
    }
    ast_set_kids(it, out);
}

static bool has_vectors(const ast_node *n)
{
    if (!n)
        return false;
    if (n->kind == AST_INDEX || (n->kind == AST_DECL && n->c) || (n->kind == AST_ODE && n->c) ||
        (n->kind == AST_ALGEBRAIC && n->c) || (n->kind == AST_CALL && !strcmp(n->name, "sum")))
        return true;
    if (has_vectors(n->a) || has_vectors(n->b) || has_vectors(n->c))
        return true;
    for (int i = 0; i < n->nkids; i++)
        if (has_vectors(n->kids[i]))
            return true;
    return false;
}

static void expand_neuron(vx_ctx *X, ast_node *def)
{
    collect(X, def);
    for (int i = 0; i < def->nkids; i++) {
        ast_node *it = def->kids[i];
        switch (it->kind) {
        case AST_PARAMS: case AST_STATE: case AST_INPUTS: expand_decls(X, it); break;
        case AST_EQUATIONS: expand_equations(X, it); break;
        case AST_STEP: case AST_SPIKE: case AST_ON_EVENT: {
            ast_vec out = {0};
            expand_stmts(X, it->kids, it->nkids, &out);
            ast_node *c = copy_node(X, it);
            c->a = expand_expr(X, it->a);
            ast_set_kids(c, out);
            def->kids[i] = c;
            break;
        }
        case AST_OUTPUT: it->a = expand_expr(X, it->a); ast_fix_depth(it); break;
        case AST_REFRACTORY:
            it->a = expand_expr(X, it->a);
            expand_hold(X, it);
            break;
        default: break;
        }
    }
    ast_fix_depth(def);
}

/* A vector where there may be none: one error, then read as a scalar. */
static void strip_vectors(vx_ctx *X, ast_node *n, bool *said)
{
    if (!n)
        return;
    if (n->kind == AST_INDEX || (n->kind == AST_DECL && n->c) || (n->kind == AST_ODE && n->c) ||
        (n->kind == AST_ALGEBRAIC && n->c)) {
        if (!*said)
            diag_error(X->d, n->span, "vectors ('%s[...]') are only for the variables of a "
                                      "neuron (yet)", n->name);
        *said = true;
        if (n->kind == AST_INDEX) {
            n->kind = AST_IDENT;
            n->a = NULL;
        } else {
            n->c = NULL;
        }
    }
    strip_vectors(X, n->a, said);
    strip_vectors(X, n->b, said);
    strip_vectors(X, n->c, said);
    if (n->kind == AST_POPULATION)
        return; /* its initialisers: expanded with the neuron type (module.c) */
    for (int i = 0; i < n->nkids; i++)
        strip_vectors(X, n->kids[i], said);
}

void sema_expand_vectors(ax_arena *ar, diag_ctx *d, ast_node *root)
{
    if (!root)
        return;
    for (int i = 0; i < root->nkids; i++) {
        ast_node *def = root->kids[i];
        if (!has_vectors(def))
            continue;
        vx_ctx X = {.ar = ar, .d = d};
        if (def->kind == AST_NEURON) {
            expand_neuron(&X, def);
        } else {
            bool said = false;
            strip_vectors(&X, def, &said);
        }
    }
}

/* The vectors of a checked type: its variables named "m[0]", "m[1]" ... */
static void type_vectors(vx_ctx *X, const sm_type *t)
{
    for (int v = 0; v < t->nvars; v++) {
        const char *name = t->vars[v].name;
        const char *br = strchr(name, '[');
        if (!br) {
            X->scalars = arena_grow(X->ar, X->scalars, (size_t)X->nscalars,
                                    (size_t)X->nscalars + 1, sizeof *X->scalars);
            X->scalars[X->nscalars++] = name;
            continue;
        }
        if (strcmp(br, "[0]"))
            continue;
        const char *base = arena_printf(X->ar, "%.*s", (int)(br - name), name);
        int size = 1;
        while (sm_find_var(t, element_name(X, base, size)) >= 0)
            size++;
        add_vec(X, base, size, NULL);
    }
}

ast_node **sema_expand_init_vectors(ax_arena *ar, diag_ctx *d, const sm_type *t,
                                    ast_node *const *in, int n, int *nout)
{
    bool any = false;
    for (int i = 0; i < n && !any; i++)
        any = has_vectors(in[i]);
    if (!any) {
        *nout = n;
        return (ast_node **)in;
    }
    vx_ctx X = {.ar = ar, .d = d};
    type_vectors(&X, t);
    ast_vec out = {0};
    expand_stmts(&X, in, n, &out);
    *nout = out.n;
    return out.v;
}
