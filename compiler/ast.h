/*
 * ast: the syntax tree of one or more model files. Every node lives in the
 * compilation's arena and carries the span of source it came from. One node
 * type serves every construct: a kind, a name, an operator or flags, up to
 * three fixed children (a, b, c) and an ordered list of children (kids).
 * The per-kind use of those fields is documented next to each kind below;
 * ast_dump prints a tree in that vocabulary.
 */
#ifndef AXON_AST_H
#define AXON_AST_H

#include "diag.h"
#include "util.h"

#include <stdio.h>

typedef enum {
    /* ---- declarations -------------------------------------------------- */
    AST_FILE,        /* kids: items */
    AST_IMPORT,      /* str: path */
    AST_NEURON,      /* name; kids: neuron items */
    AST_SYNAPSE,     /* name; kids: synapse items */
    AST_RULE,        /* name; kids: rule items */
    AST_MODULE,      /* name; a: AST_LIST of AST_DECL parameters; kids: module items */
    AST_RUN,         /* a: AST_CALL (module and overrides) or AST_IDENT; b: duration;
                        kids: AST_AT (the protocol) */
    AST_AT,          /* a: time; kids: AST_ASSIGN (a: path, IDENT or MEMBER; b: value) */
    AST_EXTERN,      /* name: the function; str: the library; kids: AST_IDENT parameters */
    /* ---- blocks inside neuron / synapse / rule ---------------------------- */
    AST_PARAMS,      /* flags: BLK_PER_NEURON | BLK_SHARED; kids: AST_DECL */
    AST_STATE,       /* kids: AST_DECL */
    AST_INPUTS,      /* kids: AST_DECL (no value) */
    AST_EQUATIONS,   /* flags: BLK_EVENT_DRIVEN; kids: AST_ODE | AST_ALGEBRAIC */
    AST_STEP,        /* kids: statements */
    AST_OUTPUT,      /* name; a: expr */
    AST_SPIKE,       /* a: condition; kids: reset statements */
    AST_ON_EVENT,    /* a: condition; kids: statements */
    AST_ON_PRE,      /* kids: statements */
    AST_ON_POST,     /* kids: statements */
    AST_CONTINUOUS,  /* kids: statements */
    AST_EVERY_STEP,  /* kids: statements */
    AST_STRUCTURE,   /* structure every PERIOD { ... }: a: period; kids: AST_PRUNE, AST_GROW */
    AST_PRUNE,       /* prune when COND: a: condition */
    AST_GROW,        /* grow when COND { ... }: a: condition; kids: statements (may be none) */
    AST_REFRACTORY,  /* a: duration or condition */
    AST_METHOD,      /* name: scheme */
    AST_MODULATOR,   /* kids: AST_IDENT names */
    AST_VIA,         /* synapse item `via NAME`: name (the third neuron);
                        project clause `via POP by post|pre`: a: path; str: "post" or "pre" */
    AST_DECL,        /* name; a: value (or NULL); b: declared unit expr (or NULL);
                        c: the size of a vector (m[16]) or NULL (vector.c replaces a vector's
                        decl by one per element, "m[0]" ..., flags DECL_VECTOR_ELEMENT) */
    AST_ODE,         /* name (the variable); a: right-hand side; c: index (m[k]') or NULL */
    AST_ALGEBRAIC,   /* name; a: right-hand side; c: index (h[j] = ...) or NULL */
    /* ---- statements ------------------------------------------------------ */
    AST_ASSIGN,      /* op: '=' or OP_ADD_ASSIGN ...; a: target (IDENT or MEMBER); b: value */
    AST_LET,         /* name; a: value (statement and module item) */
    AST_IF,          /* a: condition; kids: then statements; b: AST_LIST else (or AST_IF) */
    /* ---- module items ------------------------------------------------------ */
    AST_POPULATION,  /* name; str: neuron type; a: size; b: AST_LIST of args (overrides);
                        kids: initialisers (AST_ASSIGN); c: spikes of a spike source (AST_FROM,
                        or AST_LIST of AST_LIST (index, time) pairs) or NULL */
    AST_PROJECT,     /* name (optional); a: AST_LIST sources; b: AST_LIST targets;
                        str: synapse type; c: AST_LIST args; kids: clauses */
    AST_CONNECT,     /* a: connector (AST_CALL, AST_IDENT, AST_WHERE, AST_FROM) */
    AST_WHERE,       /* a: boolean expression of i and j */
    AST_FROM,        /* str: file name */
    AST_DELAY,       /* a: delay expression */
    AST_LEARN,       /* str: rule name; a: AST_LIST args; name: bound weight (or NULL) */
    AST_INSTANCE,    /* name; str: module name; a: AST_LIST args */
    AST_SIGNAL,      /* name; a: expr */
    AST_RECORD,      /* str: kind ("spikes", "rate", "weights") or NULL for state;
                        kids: targets; a: subset (or NULL); b: sampling period (or NULL) */
    AST_RANGE,       /* a: first; b: last (inclusive) */
    AST_LIST,        /* kids: elements */
    /* ---- expressions ------------------------------------------------------- */
    AST_NUM,         /* num: value as written; str: unit text (or NULL); flags: NUM_INTEGER */
    AST_BOOL,        /* num: 0 or 1 */
    AST_STRING,      /* str */
    AST_IDENT,       /* name */
    AST_INDEX,       /* name: a vector of a neuron; a: index (m[k]); gone after vector.c */
    AST_PRE,         /* the presynaptic neuron (only as a MEMBER base) */
    AST_POST,        /* the postsynaptic neuron */
    AST_MEMBER,      /* a: base; name: member */
    AST_CALL,        /* name: function; kids: arguments (exprs or AST_NAMED) */
    AST_NAMED,       /* name; a: value (a named argument) */
    AST_BINARY,      /* op; a, b */
    AST_UNARY,       /* op ('-', '+', OP_NOT); a */
    AST_COND,        /* a: condition; b: then; c: else */
    AST_KIND_COUNT
} ast_kind;

/* Operators that are not a single character. */
enum {
    OP_EQ = 256, OP_NE, OP_LE, OP_GE, OP_AND, OP_OR, OP_NOT,
    OP_ADD_ASSIGN, OP_SUB_ASSIGN, OP_MUL_ASSIGN, OP_DIV_ASSIGN,
};

enum {
    BLK_PER_NEURON = 1,
    BLK_SHARED = 2,
    BLK_EVENT_DRIVEN = 4,
    NUM_INTEGER = 8,
    DECL_VECTOR_ELEMENT = 16,
};

typedef struct ast_node ast_node;
struct ast_node {
    ast_kind kind;
    int op;
    int flags;
    int depth; /* height of the subtree: keeps recursive passes bounded */
    ax_span span;
    const char *name;
    const char *str;
    double num;
    ast_node *a, *b, *c;
    ast_node **kids;
    int nkids;
};

/* A list under construction (the parser appends to it). */
typedef struct {
    ast_node **v;
    int n, cap;
} ast_vec;

ast_node *ast_new(ax_arena *ar, ast_kind kind, ax_span sp);
void ast_vec_push(ax_arena *ar, ast_vec *v, ast_node *n);
void ast_set_kids(ast_node *n, ast_vec v);
/* Recomputes n->depth from its children. */
void ast_fix_depth(ast_node *n);

const char *ast_kind_name(ast_kind k);
const char *ast_op_name(int op);
/* Prints an indented tree; with spans when show_spans. */
/* false when memory ran out (the text is incomplete then) */
bool ast_dump(FILE *out, const ast_node *n, bool show_spans);
/* Renders an expression back to source form (for messages and dumps). */
void ast_expr_str(const ast_node *e, strbuf *sb);

#endif
