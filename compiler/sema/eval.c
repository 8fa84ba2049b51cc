/*
 * Constant expressions outside any definition: a REPL entry such as `1 mV / 2 ms` or the
 * arguments of `sim = COBA(N = 1000)`. The expression is checked like a module-level one
 * (units, functions, names), with the caller's bindings (the REPL's earlier results) as the
 * only names, and folded to a number in SI units.
 */
#include "sema/check.h"
#include "sema/sema.h"
#include "sema/units.h"

#include <string.h>

typedef struct {
    const sema_binding *b;
    int n;
} eval_user;

static sx *binding(check_ctx *ck, const ast_node *id)
{
    const eval_user *u = ck->user;
    for (int k = u->n - 1; k >= 0; k--)
        if (!strcmp(u->b[k].name, id->name)) {
            sx *e = sx_const(ck->ar, u->b[k].value, u->b[k].dim);
            e->boolean = u->b[k].boolean;
            e->span = id->span;
            return e;
        }
    return NULL;
}

static const char *suggest(check_ctx *ck, const char *name)
{
    const eval_user *u = ck->user;
    const char *best = NULL;
    int len = (int)strlen(name);
    for (int k = 0, bd = 3; k < u->n; k++) {
        int d = typo_distance(name, u->b[k].name);
        if (d < bd && d <= (len <= 3 ? 1 : 2) && d < len) {
            bd = d;
            best = u->b[k].name;
        }
    }
    return best;
}

sx *sema_eval(sema_ctx *s, const ast_node *e, const sema_binding *b, int nb)
{
    ax_arena *ar = sema_arena(s);
    diag_ctx *d = sema_diag(s);
    check_ctx *ck = arena_alloc(ar, sizeof *ck);
    eval_user *u = arena_alloc(ar, sizeof *u);
    *u = (eval_user){b, nb};
    ck->ar = ar;
    ck->d = d;
    ck->t = arena_alloc(ar, sizeof(sm_type));
    ck->ctx = CTX_MODULE;
    ck->weight_var = -1;
    ck->lookup_extra = binding;
    ck->suggest_extra = suggest;
    ck->user = u;
    sema_check_externs(s, ck);
    ck->alg_state = arena_alloc(ar, sizeof *ck->alg_state);
    ck->alg_ast = arena_alloc(ar, sizeof *ck->alg_ast);
    int before = diag_error_count(d);
    sx *v = sx_simplify(ar, check_expr(ck, e));
    if (diag_error_count(d) > before || v->unknown)
        return NULL;
    if (v->kind != SX_CONST && sx_numbers_only(v)) {
        diag_error(d, e->span, "this has no finite value");
        return NULL;
    }
    if (v->kind != SX_CONST) {
        diag_error(d, e->span, "this is not a constant: it depends on %s",
                   v->kind == SX_RAND ? "a random draw" : "something known only in a simulation");
        return NULL;
    }
    return v;
}
