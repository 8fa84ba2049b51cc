/*
 * sema: from syntax trees to checked models. This module owns
 *  - loading: the root file and everything it imports (std/, relative,
 *    AXON_PATH), each file parsed once, import cycles diagnosed;
 *  - the global table of neuron, synapse, rule and module definitions;
 *  - checking a neuron/synapse/rule body: scopes, names, dimensions, what
 *    may be written where. The result is an sm_type whose expressions are
 *    typed sx trees in SI;
 *  - checking each module once for itself (module.c): the result, an
 *    sm_module, keeps its expressions in terms of its parameters, for
 *    instantiation (lower/) to evaluate.
 * Synapses and rules refer to `pre.` and `post.` variables whose types are
 * known only when a projection binds them; they are checked twice: alone
 * (pre/post dimensions unknown) and again per binding (sm_bind), where only
 * the mistakes that involve the binding are reported.
 * Everything is allocated in the compilation's arena; diagnostics go to the
 * compilation's diag_ctx.
 */
#ifndef AXON_SEMA_H
#define AXON_SEMA_H

#include "ast.h"
#include "diag.h"
#include "sema/sx.h"
#include "util.h"

typedef enum { VAR_PARAM, VAR_STATE, VAR_INPUT, VAR_ALG } sm_var_kind;

typedef struct {
    const char *name;
    ax_span span;
    sm_var_kind kind;
    bool per_item;   /* parameter: per neuron (neurons) / per synapse (synapses, rules) */
    ax_dim dim;
    bool boolean;
    sx *value;       /* parameter default, state initial value, algebraic definition */
    int ode;         /* index into odes, or -1 */
    bool written;    /* assigned by a handler, reset or step */
    bool from_rule;  /* contributed by a learning rule (merged synapses) */
    int rule;        /* ... the index of its `learn` clause (-1: the synapse's own) */
    bool weight_unit; /* a rule's parameter declared `name : w = ...`: the unit of the weight */
    bool unknown;    /* its unit could not be found (an error was reported) */
} sm_var;

typedef enum { ST_ASSIGN, ST_LET, ST_IF } sm_stmt_kind;

typedef struct sm_stmt sm_stmt;
typedef struct {
    sm_stmt **v;
    int n;
} sm_block;

/* target of an assignment: a variable (space VS_STATE/VS_PARAM/VS_INPUT of
 * the owning type, VS_POST/VS_PRE of a bound neuron, VS_TEMP for lets). */
struct sm_stmt {
    sm_stmt_kind kind;
    int op;          /* '=', OP_ADD_ASSIGN, ... */
    int space, idx;
    const char *name;
    sx *value;       /* ST_ASSIGN, ST_LET */
    sx *cond;        /* ST_IF */
    sm_block then, els;
    ax_span span;
    bool from_rule;  /* a top-level statement of a learning rule's handler (merged synapses) */
};

typedef struct {
    int var;
    sx *rhs;
    bool event_driven;
    ax_span span;
} sm_ode;

typedef struct {
    sx *cond;
    sm_block body;
    ax_span span;
    const char *name; /* `event NAME when COND`: seen by synapses (on post.NAME); else NULL */
} sm_event;

/* `on post.NAME { ... }` of a synapse or rule: runs for the synapses of a postsynaptic neuron
 * in a step where it had its event NAME (event: the index in the post type's events, known
 * once bound, else -1). */
typedef struct {
    const char *name;
    int event;
    sm_block body;
    ax_span span;
} sm_evhandler;

/* What a refractory duration holds: the variables the reset sets with '=' (the default),
 * none (`free`: only spikes are blocked, Brian2 without `unless refractory`), or a list. */
typedef enum { REFR_HOLD_RESET, REFR_HOLD_NONE, REFR_HOLD_LIST } sm_refr_hold;

/* A white-noise source of a type: `xi` or `xi_NAME`, in order of first use. The same name
 * in two equations is the same noise; each source is one normal draw (number `draw`) per
 * neuron and step. */
typedef struct {
    const char *name;
    int draw;
    ax_span span;
} sm_noise;

/* `topk(x, k)` in a neuron: whether its x is among the k largest values of x over its
 * population at the start of the step (ties: the lower index first). One per distinct (x, k). */
typedef struct {
    int var;                /* x: a state variable or a per-neuron parameter */
    sx *k;                  /* a whole number (SX_CONST) or a shared parameter (VS_PARAM) */
    ax_span span;
} sm_select;

/* `structure every PERIOD { prune when C; grow when C { ... } }` of a synapse or rule
 * (structural plasticity, lower/structure.c): every PERIOD, an active synapse for which
 * prune holds becomes inactive; an inactive one for which grow holds becomes active and runs
 * the grow block. */
typedef struct {
    sx *every;              /* the period: numbers and shared parameters (a time) */
    sx *prune, *grow;       /* conditions, NULL when absent */
    sm_block init;          /* the grow block */
    ax_span span;
} sm_structure;

/* `post.X[e] op= ...` in a synapse or rule, once bound (check.c): e is the synapse's parameter
 * `param` (a VS_PARAM index of the bound type), and each of its values must be a whole number
 * in 0 .. size-1 (lowering checks what it can tell; the runtime checks the rest). */
typedef struct {
    int param;
    int size;               /* the elements of post.X */
    const char *vec;        /* X */
    ax_span span;           /* the index as written */
} sm_elem_index;

typedef struct sm_type sm_type;
struct sm_type {
    ast_kind kind;          /* AST_NEURON, AST_SYNAPSE, AST_RULE */
    const char *name;
    const ast_node *ast;
    sm_var *vars;
    int nvars;
    sm_ode *odes;
    int nodes;
    int ntemps;             /* VS_TEMP slots used by lets */
    sm_block step;
    bool has_spike;
    sx *spike;
    sm_block reset;
    ax_span spike_span;
    sm_event *events;
    int nevents;
    sx *refractory;         /* a duration or a condition; NULL for none */
    ax_span refractory_span;
    sm_refr_hold refr_hold; /* what a duration holds (refractory t_ref [free | hold x, y]) */
    int *refr_vars;         /* REFR_HOLD_LIST: the state variables held */
    int nrefr_vars;
    const char *method;     /* NULL: chosen by the compiler */
    ax_span method_span;
    sm_block on_pre, on_post, continuous, every_step;
    bool has_on_pre, has_on_post, has_continuous, has_every_step;
    sm_evhandler *evh;      /* on post.NAME handlers, in order (a rule's after the synapse's) */
    int nevh;
    const sm_structure *structure; /* synapses and rules: NULL, or its structure block */
    const char **modulators;
    ax_span *modulator_spans;
    int nmodulators;
    const char *output_name;
    sx *output;
    /* `via NAME` (synapses): the name of the third neuron, known once bound (third) */
    const char *via;
    ax_span via_span;
    /* binding (synapses and rules checked for a projection) */
    const sm_type *pre, *post, *third;
    const sm_type *host;    /* rules: the synapse they attach to */
    int weight_var;         /* rules: the host's variable bound as `w` */
    int errors;             /* errors found while checking it */
    sm_noise *noise;        /* white noise in the equations (VS_NOISE indices) */
    int nnoise;
    sm_select *selects;     /* topk(x, k) (VS_SELECT indices) */
    int nselects;
    sm_elem_index *elem_idx; /* bound synapses: the parameters that address post.X[e] */
    int nelem_idx;
};

typedef struct sm_module sm_module;

/* A definition of the global namespace. */
typedef struct {
    const char *name;
    ast_kind kind;
    const ast_node *ast;
    int file;
    sm_type *type;          /* neurons, synapses, rules once checked */
    sm_module *module;      /* modules once checked (module.c) */
} sm_def;

typedef struct sema_ctx sema_ctx;

/* stdlib_dirs: where "std/..." imports are looked up, in order (NULL-terminated);
 * search_path: colon-separated directories for other non-relative imports
 * (AXON_PATH), may be NULL. */
sema_ctx *sema_new(ax_arena *ar, diag_ctx *d, const char *const *stdlib_dirs,
                   const char *search_path);
/* Loads and parses path and all its imports. Returns the root's file id, or -1
 * when the file cannot be read (a message is in *err). */
int sema_load(sema_ctx *s, const char *path, const char **err);
/* Loads source text given directly (REPL, embedding). */
int sema_load_text(sema_ctx *s, const char *name, const char *text, size_t len);
/* Builds the global table and checks every neuron, synapse and rule, then (when they have no
 * errors) every module and run line. */
void sema_check_all(sema_ctx *s);

const sm_def *sema_find(const sema_ctx *s, const char *name);
int sema_def_count(const sema_ctx *s);
const sm_def *sema_def(const sema_ctx *s, int i);
ast_node *sema_file_root(const sema_ctx *s, int file);
ax_arena *sema_arena(const sema_ctx *s);
diag_ctx *sema_diag(const sema_ctx *s);

/* Checks a synapse (and the rules attached to it) for a projection from
 * neurons of type pre to neurons of type post. Errors that involve the
 * binding are reported, with a note at `at` (the projection). Returns NULL
 * when the binding has errors. rules/rule_args: the learn clauses. */
typedef struct {
    const sm_def *rule;
    const char *bind;       /* `learn R on g`: the weight name (NULL = "w") */
    ax_span span;
} sm_learn;
sm_type *sema_bind(sema_ctx *s, const sm_def *syn, const sm_type *pre, const sm_type *post,
                   const sm_type *third, const sm_learn *learns, int nlearns, const char *const *signals,
                   int nsignals, ax_span at);

/* A name with a constant value, for sema_eval. */
typedef struct {
    const char *name;
    double value; /* SI */
    ax_dim dim;
    bool boolean;
} sema_binding;
/* Checks and folds a constant expression with the bindings as its only names (eval.c).
 * Returns an SX_CONST, or NULL after reporting errors. */
sx *sema_eval(sema_ctx *s, const ast_node *e, const sema_binding *b, int nb);

/* ---- modules (module.c) -------------------------------------------------------------------- */
/* A module is checked once, for itself, by sema_check_all: names, dimensions, what refers to
 * what, the binding of each projection's synapse and rules to its populations' types. What
 * only values tell (sizes, ranges, indices, data files) is left to instantiation
 * (ir_instantiate), which gives the parameters values. Module-level expressions are sx trees
 * over the module's parameters (space VS_MODULE, idx = the parameter); a let is replaced by
 * its value where it is used, a population's name by its size. Spans locate the values for
 * instantiation's messages. */

typedef enum {
    CONN_ALL, CONN_ONE, CONN_RANDOM, CONN_INDEGREE, CONN_OUTDEGREE, CONN_WHERE, CONN_FILE
} sm_conn_kind;

/* REC_SPIKE_VALUES: made by lowering `record spikes E.v` (ir_record) */
typedef enum { REC_SPIKES, REC_STATE, REC_RATE, REC_WEIGHTS, REC_SPIKE_VALUES } sm_rec_kind;

typedef struct {
    const char *name;
    ax_span span;
    sx *value;              /* the default, over the parameters before it */
} sm_mparam;

/* One listed spike of `from [(i, t), ...]`: checked for names only; its dimensions and
 * values are checked with the spike source's data when instantiated. */
typedef struct {
    sx *i, *t;
    ax_span span, ispan, tspan;
} sm_mspike;

typedef struct {
    const char *name;
    ax_span span;
    const sm_type *type;
    sx *size;               /* a whole number of at least 1, when instantiated */
    ax_span size_span;
    sx **set;               /* per variable of type: the value of the ( ) arguments or the { }
                               initialisers (NULL: its default) */
    bool from;              /* a spike source: */
    const char *from_file;  /* `from "file"`, or NULL and a list: */
    ax_span from_span;
    sm_mspike *spikes;
    int nspikes;
    const char *method;     /* `method NAME`, or NULL: the neuron's */
    ax_span method_span;
} sm_mpop;

typedef struct {
    const char *name;       /* `project NAME =`, or NULL */
    ax_span span;
    const sm_def *syn;
    int npre, npost;
    const char **pre, **post; /* population paths relative to the module ("E", "c1.E") */
    const sm_type **pre_type, **post_type;
    sm_type **bound;        /* [pre * npost + post]: the synapse bound to the pair's types, or
                               NULL when that binding failed (reported) */
    sx **vals;              /* per variable of the bound types (the same for every pair): the
                               value of an argument of the synapse or a learn clause, or NULL */
    sm_learn *learns;
    int nlearns;
    bool has_conn;
    sm_conn_kind conn;
    sx *conn_arg;           /* p, k, or the condition of where */
    ax_span conn_span, conn_arg_span;
    sx *autapses;           /* `autapses = ...` (a truth value), or NULL: allowed */
    const char *file;       /* connect from "file" */
    ax_span file_span;
    sx *delay;              /* NULL: one step */
    ax_span delay_span, delay_clause_span;
    const char *via;        /* `via POP by post|pre`: the third population (path), or NULL */
    bool via_pre;           /* ... indexed by the source (else by the target) */
    ax_span via_span;
} sm_mproj;

typedef struct {
    const char *name;
    ax_span span;
    const sm_module *mod;
    sx **args;              /* per parameter of mod: the argument (over this module's
                               parameters), or NULL */
} sm_minst;

typedef struct {
    const char *path;       /* a population (relative to the module) */
    int proj, pair;         /* a synapse variable (record weights P, record P.u): the item of
                               the projection and its pair; -1 for a population's */
    int var;                /* the population's or the synapse's variable, or SM_VAR_ACTIVE */
    ax_span span;
} sm_rtarget;
/* sm_rtarget.var of `record P.active`: the hidden active flag of a projection with structural
 * plasticity (ir_proj.active_var) */
#define SM_VAR_ACTIVE (-2)

typedef struct {
    sm_rec_kind kind;
    sm_rtarget *targets;
    int ntargets;
    sx *every;              /* NULL: every step */
    ax_span every_span;
    bool range;             /* subset [lo .. hi] (sub[0], sub[1]), else a list */
    sx **sub;
    ax_span *sub_span;
    int nsub;
    ax_span subset_span;
    bool has_subset;
} sm_mrec;

typedef struct {
    const char *name;
    ax_span span;
    sx *value;              /* an expression of t, or NULL when it follows a population: */
    const char *pop;        /* the mean of variable var of this population */
    int var;
} sm_msignal;

/* `E.ge += w * poisson_input(K, rate)`: every neuron of E receives, each step, w times the
 * number of spikes of K independent Poisson sources of the given rate (module.c) */
typedef struct {
    const char *pop;        /* the population (relative to the module) */
    int var;                /* its variable: a state variable or an input */
    sx *n, *rate, *weight;  /* constants: a count, 1/time, the variable's unit */
    ax_span span, n_span, rate_span;
} sm_minput;

typedef enum { MI_POP, MI_PROJ, MI_INST, MI_RECORD, MI_INPUT } sm_mitem_kind;

typedef struct {
    sm_mitem_kind kind;
    sm_mpop *pop;
    sm_mproj *proj;
    sm_minst *inst;
    sm_mrec *rec;
    sm_minput *input;
} sm_mitem;

struct sm_module {
    const sm_def *def;
    sm_mparam *params;
    int nparams;
    sm_mitem *items;        /* in the module's order */
    int nitems;
    sm_msignal *signals;
    int nsignals;
    int state;              /* 1 while being checked, 2 when done */
    int errors;             /* its own errors (not those of the modules it contains) */
};

/* One change of a protocol: `E.I_ext = 0.5 nA` (resolved when instantiated). */
typedef struct {
    const char *path;       /* "E.I_ext", "c1.E.tau_m" */
    sx *value;              /* a constant (a plain 0: fn == 1, any unit) */
    ax_span span, path_span, value_span;
} sm_set;

/* `at T { ... }`: the changes made before the first step that starts at T or later. */
typedef struct {
    double t;               /* s, >= 0, increasing from block to block */
    ax_span span, time_span;
    sm_set *sets;
    int nsets;
} sm_at;

/* The `run Module(args) for DURATION { at T { ... } }` line of a file (the last one). */
typedef struct {
    const sm_def *module;   /* NULL: not a module (reported) */
    ax_span span;
    sx **args;              /* per parameter of the module: the run line's value, or NULL */
    sx *duration;
    ax_span duration_span;
    sm_at *ats;             /* the protocol, checked (names and units: when instantiated) */
    int nats;
} sm_run;
/* The run line of a file, or NULL when it has none; checked by sema_check_all. */
const sm_run *sema_run(const sema_ctx *s, int file);
/* Checks every module and run line (sema_check_all does, when the types have no errors). */
void sema_check_modules(sema_ctx *s);
/* Does module m (and every module it contains) have no errors? */
bool sema_module_ok(const sm_module *m);

/* Whether checking loads the libraries of `extern` functions (it does unless told not to).
 * Without loading, an extern function is declared with no address: its calls are checked for
 * their arguments, never folded, and a missing library or function is not reported (a
 * language server checking files it does not trust). */
void sema_set_extern_loading(sema_ctx *s, bool load);
/* Imported files are read by fn first (the text of canonical path canon, malloc'd, *len its
 * length; NULL: read the file): an editor's unsaved buffers (issue 13). */
typedef char *(*sema_read_fn)(void *user, const char *canon, size_t *len);
void sema_set_reader(sema_ctx *s, sema_read_fn fn, void *user);
/* The `extern` C functions declared in the loaded files (after sema_check_all). */
int sema_extern_count(const sema_ctx *s);
const sx_extern *sema_extern(const sema_ctx *s, int i);
/* Sets the extern functions a checker may call (every check_ctx made for s). */
struct check_ctx;
void sema_check_externs(const sema_ctx *s, struct check_ctx *ck);

/* Index of a variable of t by name, or -1. */
int sm_find_var(const sm_type *t, const char *name);
/* Describes a dimension for messages ("a voltage (mV)"). */
const char *sm_dim_text(ax_dim d, char *buf, size_t size);
/* Dumps the checked declarations with their units (axon dump units). */
void sm_dump_units(const sema_ctx *s, FILE *out);

#endif
