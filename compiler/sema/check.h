/*
 * check: the expression and statement checker shared by the body checker
 * (types.c) and the module checker (module.c). A check_ctx is the scope in
 * which names are looked up: the type being checked, the lets in force, and
 * hooks for the module level (module parameters, signals, indices).
 */
#ifndef AXON_CHECK_H
#define AXON_CHECK_H

#include "sema/sema.h"

typedef enum {
    CTX_PARAM_DEFAULT, /* parameter defaults: earlier parameters only */
    CTX_STATE_INIT,    /* initial values: parameters, earlier state, random draws */
    CTX_EQUATION,      /* right-hand sides of equations, conditions */
    CTX_HANDLER,       /* resets, events, on pre/post, every step */
    CTX_MODULE,        /* module-level expressions */
} check_where;

typedef struct {
    const char *name;
    int slot;
    ax_dim dim;
    bool boolean, unknown;
} check_let;

typedef struct check_ctx check_ctx;
struct check_ctx {
    ax_arena *ar;
    diag_ctx *d;
    sm_type *t;
    check_where ctx;
    int visible;           /* parameters/state visible in defaults and initial values */
    bool in_synapse;       /* pre./post. allowed */
    bool bound;            /* the binding pass: report only binding errors */
    ax_span at;            /* the projection being bound */
    int errors;
    check_let lets[64];
    int nlets;
    int ndraws;            /* random draws made so far (each gets its own number) */
    int *alg_state;        /* per var: 0 unchecked, 1 in progress, 2 done */
    const ast_node **alg_ast;
    const char *rule_weight; /* rules: the name standing for the bound weight ("w") */
    int weight_var;        /* ... and the variable it is bound to (-1: unknown) */
    int rule_base;         /* a rule merged into a synapse: its variables start here ... */
    int host_nvars;        /* ... and it sees the synapse's [0, host_nvars), not other rules' */
    const sx_extern *externs; /* the `extern` C functions callable here */
    int nexterns;
    /* hooks: name lookup beyond the type (module scopes), signal indices */
    int (*lookup_var)(check_ctx *ck, const char *name);
    int (*signal_index)(check_ctx *ck, const char *name);
    sx *(*lookup_extra)(check_ctx *ck, const ast_node *ident);
    const char *(*suggest_extra)(check_ctx *ck, const char *name); /* for "did you mean" */
    void *user;
};

sx *check_expr(check_ctx *ck, const ast_node *n);
/* A hint for a value of dimension got where want is needed ("write the unit:
 * for example 'ms'", "did you forget to divide by a time constant?" ...). */
void check_dim_hint(diag_ctx *d, ax_dim want, ax_dim got, const sx *got_value);
/* Statements of a block; `allow_pre_post_write`: post.x += in synapses. */
sm_block check_block(check_ctx *ck, const ast_node *const *stmts, int n, const char *where);
/* After a body is checked: white noise (VS_NOISE) enters each equation linearly (no xi^2,
 * no exp(xi), no xi * xi_b) and appears nowhere else (conditions, outputs, handlers). */
void check_noise(check_ctx *ck);

#endif
