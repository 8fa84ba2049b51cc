/*
 * sx: typed symbolic expressions — the form in which sema hands every
 * equation, condition and handler to the lowering passes and code
 * generation. Nodes live in the compilation's arena and are immutable once
 * built: every transformation returns a new tree (sharing unchanged
 * subtrees). Values are in SI; each node carries its physical dimension.
 *
 * The algebra here is small on purpose: constant folding, local
 * simplification, differentiation, substitution, structural equality,
 * numeric evaluation and linearity tests — enough to choose and build the
 * `exact` and `exponential_euler` integration schemes.
 */
#ifndef AXON_SX_H
#define AXON_SX_H

#include "diag.h"
#include "sema/units.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>

typedef enum {
    SX_CONST,  /* v */
    SX_VAR,    /* a variable: space, idx (name for printing) */
    SX_ADD,    /* a + b */
    SX_SUB,    /* a - b */
    SX_MUL,    /* a * b */
    SX_DIV,    /* a / b */
    SX_POW,    /* a ^ b */
    SX_NEG,    /* -a */
    SX_CALL,   /* fn(a [, b [, c]]) — see sx_fn */
    SX_LT, SX_GT, SX_LE, SX_GE, SX_EQ, SX_NE, /* comparisons: boolean results */
    SX_AND, SX_OR, SX_NOT,                    /* logic on booleans */
    SX_SELECT, /* a ? b : c */
    SX_RAND,   /* a random draw: fn = SXR_UNIFORM (0..1) or SXR_NORMAL; idx = draw number */
    SX_TABLE,  /* tab->v[row][col] with row = floor(a) and col = floor(b) (b NULL: 0), both
                  clamped to the table; a NULL a is the index of the item being computed
                  (the synapse in a projection's init kernel) */
    SX_EXT,    /* ext->name(a [, b [, c]]): a C function declared `extern` (dimensionless) */
    SX_KIND_COUNT
} sx_kind;

/* Functions of SX_CALL. Arity in sx_fn_arity. */
typedef enum {
    FN_EXP, FN_LOG, FN_LOG10, FN_SQRT, FN_SIN, FN_COS, FN_TAN, FN_TANH, FN_SINH, FN_COSH,
    FN_ATAN, FN_ABS, FN_FLOOR, FN_CEIL, FN_SIGMOID, FN_PHI /* standard normal CDF */,
    FN_EXPREL /* (exp(x) - 1) / x, 1 at 0 */, FN_EXPM1,
    FN_MIN, FN_MAX, FN_ATAN2, FN_CLIP /* clip(x, lo, hi) */,
    FN_SIGN /* -1, 0 or 1 */, FN_ROUND /* half away from zero */,
    FN_MOD /* a - b floor(a / b): the sign of b, as Python's % */,
    FN_COUNT
} sx_fn;

enum { SXR_UNIFORM, SXR_NORMAL };

/* Variable spaces: where a variable lives. Sema and lowering assign the
 * meaning of idx within each space. */
typedef enum {
    VS_STATE,      /* per-neuron (or per-synapse) state */
    VS_PARAM,      /* a parameter (shared, or per neuron/synapse: see the owning type) */
    VS_INPUT,      /* a summed input of this neuron */
    VS_PRE,        /* a variable of the presynaptic neuron */
    VS_POST,       /* a variable of the postsynaptic neuron */
    VS_SIGNAL,     /* a module signal (modulator) */
    VS_TIME,       /* t */
    VS_DT,         /* dt */
    VS_INDEX_I,    /* presynaptic index in connectors / per-synapse expressions */
    VS_INDEX_J,    /* postsynaptic index */
    VS_TEMP,       /* a temporary (let, scheme intermediates) */
    VS_HIDDEN,     /* compiler-made per-neuron variables (refractory counters ...) */
    VS_MODULE,     /* a module parameter (sm_module); given a value by instantiation */
    VS_SHARED,     /* a shared parameter of the model: idx is its slot in the shared values
                      (lowering; the runtime may change it between steps) */
    VS_DERIVED,    /* a quantity derived from shared values (a propagator entry): idx is its
                      slot in the derived values, computed by the model's derive kernel */
    VS_NOISE,      /* white noise xi (dimension 1/sqrt(s)) in an equation: idx is the noise
                      source of the type (sm_type.noise); lowering replaces it by draws */
    VS_SELECT,     /* topk(x, k) in a neuron: idx is the selection of its type (sm_type.selects),
                      a truth value per neuron that the runtime sets before each step */
    VS_THIRD,      /* a variable of a synapse's third neuron (`via NAME`: tripartite synapses) */
    VS_COUNT
} sx_space;

/* The numbers of an SX_TABLE: a timed array, spike times, a column of a
 * connection file (dimensionless, or SI). Lives in the compilation's arena. */
typedef struct {
    const char *path; /* the file (or "spikes" for a list in the model), for printing */
    long nrows;
    int ncols;
    const double *v;  /* nrows * ncols, row-major */
} sx_table;

/* A C function declared with `extern "LIB" fn NAME(x, ...) -> real`: doubles in, a double
 * out. addr is its address in this process (the library is loaded with RTLD_GLOBAL, so the
 * JIT finds it by name too). */
typedef struct {
    const char *name;
    const char *lib;
    int nargs;        /* 0 to 3 */
    void *addr;
} sx_extern;

typedef struct sx sx;
struct sx {
    sx_kind kind;
    int fn;          /* SX_CALL: sx_fn; SX_RAND: SXR_* */
    double v;        /* SX_CONST */
    int space, idx;  /* SX_VAR; SX_RAND uses idx */
    const char *name;
    sx *a, *b, *c;
    ax_dim dim;
    bool boolean;    /* the value is a truth value */
    bool unknown;    /* the dimension is not known yet (pre./post. before binding) */
    ax_span span;    /* source that produced it (SPAN_NONE for derived nodes) */
    const sx_table *tab; /* SX_TABLE */
    const sx_extern *ext; /* SX_EXT */
};

/* ---- construction (arena-allocated; constants are folded) --------------- */
sx *sx_const(ax_arena *ar, double v, ax_dim dim);
sx *sx_var(ax_arena *ar, int space, int idx, const char *name, ax_dim dim);
sx *sx_bin(ax_arena *ar, sx_kind k, sx *a, sx *b);     /* ADD SUB MUL DIV POW, comparisons, AND OR */
sx *sx_neg(ax_arena *ar, sx *a);
sx *sx_not(ax_arena *ar, sx *a);
sx *sx_call(ax_arena *ar, sx_fn fn, sx *a, sx *b, sx *c); /* unused args NULL */
sx *sx_select(ax_arena *ar, sx *cond, sx *a, sx *b);
sx *sx_rand(ax_arena *ar, int dist, int draw);
/* A call of an extern function (unused args NULL); folded by calling it when every argument
 * is a constant and the function can be called here (libffi). */
sx *sx_ext(ax_arena *ar, const sx_extern *ext, sx *a, sx *b, sx *c);
/* Calls ext with args through libffi; false when this build has no libffi. */
bool sx_call_extern(const sx_extern *ext, const double *args, double *out);
/* tab[row][col] (col NULL: column 0); folded when row and col are constants. */
sx *sx_table_at(ax_arena *ar, const sx_table *tab, sx *row, sx *col);
/* The value of tab at (row, col), both floored and clamped to the table. */
double sx_table_value(const sx_table *tab, double row, double col);
/* Helpers for the common arithmetic. */
sx *sx_add(ax_arena *ar, sx *a, sx *b);
sx *sx_sub(ax_arena *ar, sx *a, sx *b);
sx *sx_mul(ax_arena *ar, sx *a, sx *b);
sx *sx_div(ax_arena *ar, sx *a, sx *b);

int sx_fn_arity(sx_fn fn);
const char *sx_fn_name(sx_fn fn);
/* Looks up a function by its name in the language ("exp", "clip"); -1 if none. */
int sx_fn_lookup(const char *name);

/* ---- algebra --------------------------------------------------------------- */
bool sx_is_const(const sx *e);
/* Is e fixed between parameter changes: built of numbers, shared values and derived
 * quantities (VS_SHARED, VS_DERIVED) only, without draws or tables? Simplification gathers
 * such subtrees as it gathers constants, so a model whose shared parameters stay symbolic
 * computes what it computed with their values folded in. */
bool sx_is_param_const(const sx *e);
bool sx_is_zero(const sx *e);
bool sx_is_one(const sx *e);
/* Structural equality (same tree shape, constants equal bit for bit). */
bool sx_equal(const sx *a, const sx *b);
/* Local simplification to a fixed point: constant folding, x+0, x*1, x*0,
 * 0/x, x-x, --x, x^1, x^0, and folding of constant subtrees. */
sx *sx_simplify(ax_arena *ar, sx *e);
/* d e / d (space, idx), simplified. Non-differentiable pieces (comparisons,
 * select conditions, floor, ceil, abs at 0, random draws) follow the usual
 * conventions: comparisons and draws have derivative 0; select
 * differentiates both branches; abs' = sign; min/max pick the branch. */
sx *sx_diff(ax_arena *ar, sx *e, int space, int idx);
/* sx_diff for a caller that knows the dimension of the variable: sx_diff
 * reads it from an occurrence in e, and when e does not mention the
 * variable returns a zero marked `unknown`. */
sx *sx_diff_dim(ax_arena *ar, sx *e, int space, int idx, ax_dim xdim);
/* Replaces every occurrence of variable (space, idx) with r. */
sx *sx_subst(ax_arena *ar, sx *e, int space, int idx, sx *r);
/* Does e mention variable (space, idx)? Any variable of space (idx < 0)? */
bool sx_uses(const sx *e, int space, int idx);
/* Is e made of numbers alone (no variable, draw, table or C call)? Such a tree that is not
 * SX_CONST is an operation whose result is not finite (folding keeps those). */
bool sx_numbers_only(const sx *e);
/* The built-in functions of the language by name, k = 0, 1, ... until NULL: those of sx_fn
 * and the ones the checker knows by name (rand, normal, randint, timed, topk, sum, ...); for
 * completion, renaming and the warning on a name that hides one. */
const char *sx_builtin_name(int k);
bool sx_is_builtin(const char *name);
/* Is e, as a function of variable (space, idx), of the form A + B * x with
 * A and B free of x? When true and A, B are non-NULL, they receive A and B. */
bool sx_linear_in(ax_arena *ar, sx *e, int space, int idx, sx **A, sx **B);
/* The same in Brian2's looser sense (exponential_euler's "conditionally linear"): x may also
 * occur in A and B inside functions, denominators and non-integer powers (Wang-Buzsaki's
 * m_inf(v)^3 h (E_Na - v)); the scheme holds those at their start-of-step values. */
bool sx_cond_linear_in(ax_arena *ar, sx *e, int space, int idx, sx **A, sx **B);

/* ---- numbers ----------------------------------------------------------------- */
/* Environment for numeric evaluation: a callback that gives the value of a
 * variable; random draws evaluate to 0.5 (uniform) / 0 (normal). */
typedef double (*sx_lookup)(void *ctx, int space, int idx);
double sx_eval(const sx *e, sx_lookup lookup, void *ctx);
/* The scalar function semantics shared by evaluation and code generation. */
double sx_apply_fn(sx_fn fn, double a, double b, double c);

/* ---- output -------------------------------------------------------------------- */
/* Source-like text: "(v_rest - v) / 0.02"; constants in shortest form. */
void sx_print(const sx *e, strbuf *sb);

/* ---- linear systems -------------------------------------------------------------- */
/* axon_expm and axon_propagator of the runtime (<axon/expm.h>), as booleans. */
/* exp(M) for an n x n row-major matrix (n <= 64) by scaling and squaring
 * with a degree-13 Pade approximant (Higham 2005). Returns false on
 * non-finite input. */
bool sx_expm(int n, const double *M, double *out);
/* For x' = A x + b with b constant over a step of length h: fills
 * Phi = exp(A h) and Gamma = integral_0^h exp(A s) ds (both n x n), so that
 * x(t + h) = Phi x(t) + Gamma b. Works for singular A. 0, or as axon_propagator: -1 (not
 * finite), -2 (out of memory). */
int sx_propagator(int n, const double *A, double h, double *Phi, double *Gamma);

#endif
