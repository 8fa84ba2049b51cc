/*
 * ir: the flat model that code generation consumes. A module instantiated
 * with its parameters becomes populations, projections, signals and
 * records; sizes and lets are folded to numbers (SI), shared parameters
 * become slots of the model's shared values (VS_SHARED, which the runtime
 * may change between steps), and every neuron's equations are already
 * turned into the discrete update of its integration scheme. Nothing here refers back to modules: nested
 * instances are flattened into dotted names ("c1.E").
 */
#ifndef AXON_IR_H
#define AXON_IR_H

#include "sema/sema.h"
#include "sema/table.h"

#include <stdint.h>

typedef enum {
    SCH_NONE, SCH_EXACT, SCH_EXPEULER, SCH_EULER, SCH_RK2, SCH_RK4, SCH_MAP,
    SCH_EULER_MARUYAMA, SCH_MILSTEIN /* equations with white noise (scheme.c) */
} ir_scheme;
const char *ir_scheme_name(ir_scheme s);

/* Storage of a population or projection: one array per variable. */
typedef enum {
    IRV_STATE,  /* sm state variable */
    IRV_PARAM,  /* per-neuron / per-synapse parameter */
    IRV_INPUT,  /* summed input, cleared every step */
    IRV_HIDDEN, /* compiler-made (refractory counter, spike-permission flag) */
} ir_var_kind;

/* Where a projection's variable lives (ir_synapses). */
typedef enum {
    IRS_SYN,  /* one value per synapse */
    IRS_PRE,  /* one per presynaptic neuron (changed only by on pre, the same for all its synapses) */
    IRS_POST, /* one per postsynaptic neuron */
} ir_side;

typedef struct {
    const char *name;
    ir_var_kind kind;
    int sm_var;   /* index in the sm_type, -1 for hidden variables */
    ax_dim dim;
    bool boolean;
    sx *init;     /* initial value; may use random draws, i (and j for synapses) */
    int elem;     /* axon_elem of its array: 0, the model's precision, unless narrowed */
} ir_var;

/* The plan of a projection's variable (ir_synapses). */
typedef struct {
    ir_side side;
    int ode;      /* -1, or x' = ode_a + ode_b * x (shared values as VS_SHARED) */
    bool event_driven;
    sx *ode_a, *ode_b;
    sx *noise;    /* white noise, sum of g_k z_k (z_k a standard normal draw per synapse and
                     step), or NULL: x' = ode_a + ode_b x + sum g_k xi_k (not event-driven) */
    bool euler;   /* a drift non-linear in x: ode_a is all of it (it reads x), ode_b is 0, and
                     the step is forward Euler (Euler-Maruyama with the noise) */
} ir_synvar;

/* One assignment of the per-step update: temps first, then the state. */
typedef struct {
    int space, idx; /* VS_TEMP or VS_STATE/VS_HIDDEN (idx into the pop's vars) */
    const char *name;
    sx *value;
    bool as_written; /* a step map's: no contraction into fused multiply-adds */
} ir_assign;

typedef struct {
    ir_assign *v;
    int n;
} ir_update;

/* Summed Poisson input (`E.ge += w * poisson_input(K, rate)`): at the end of every step, after
 * the update and the reset, each neuron's variable gets w times one Binomial(n, p) draw
 * (p = rate dt), as if n Poisson neurons projected onto it with on pre { post.x += w }. */
typedef struct {
    int var;                /* sm_type variable: a state variable or an input */
    double n, p, w;         /* sources, probability of a spike per source and step, effect */
    ax_span span;
} ir_pinput;

/* topk(x, k) of a population (the type's sm_select): before every step the runtime sets flag
 * to whether x is among the k largest values of x over the population (model.h). */
typedef struct {
    int src, flag;          /* storage indices: x, and the hidden truth value */
    int k_slot;             /* k: a VS_SHARED slot (rounded by the runtime), or -1: */
    double k;               /* ... this whole number */
} ir_select;

typedef struct {
    const char *name;       /* dotted path */
    const sm_type *type;
    const char *type_name;
    int size;
    bool size_bad; /* its size was refused (and is 1): no error about its neurons */
    ir_var *vars;
    int nvars;
    /* The update of one step, for one neuron: all right-hand sides read the
       values from the start of the step. VS_STATE/VS_PARAM/VS_INPUT indices
       are sm_type variable indices (slot[] gives their storage); VS_HIDDEN
       indices are storage indices in vars[]. */
    ir_scheme scheme;
    const char *scheme_why; /* why this scheme was chosen (for dump ir) */
    const char *method;     /* `method` of the population, else of the neuron, else NULL */
    ax_span method_span;
    ir_update update;
    sx *spike;              /* NULL for non-spiking: the condition as written */
    sx *fire;               /* spike and the refractory gate (reads the new state) */
    sm_block reset;         /* the written reset, then the hidden variables' */
    int refr_var;           /* hidden refractory counter (steps still held; -1: may spike), or -1 */
    sx *refr_steps;         /* steps to hold after a spike (duration refractoriness) */
    int permit_var;         /* hidden flag: may spike (condition refractoriness), or -1 */
    sx *refr_cond;          /* the condition that blocks spiking */
    /* A spike condition `rand() < P` (or `P > rand()`) with P fixed between parameter changes
       (parameters, constants, dt) and no refractoriness: drawn as gaps (scheme.c). gap_var
       (hidden "_gap") counts the steps to the neuron's next spike down by one per step;
       gap_p_var (hidden "_gap_p") is the P its gap was drawn with. fire is then "needs the
       deferred pass" (_gap < 1 or _gap_p != P), which draws the gaps and decides the spike
       (cg.c reset_fn); gap_draw is the condition's draw number (its random stream). */
    int gap_var, gap_p_var; /* storage indices, or -1 (the per-step form) */
    sx *gap_p;              /* P */
    int gap_draw;
    unsigned char *held;    /* per var: held during refractoriness */
    int *copies;            /* pairs (hidden storage index, sm_type variable): a copy of the
                               variable taken at each spike, before the reset, for
                               `record spikes E.v` (instance.c) */
    int ncopies;
    sm_event *events;
    int nevents;
    int *event_flag;        /* per event: for a named one (`event NAME when`), the storage index
                               of its hidden flag "_event_NAME", 1 in a step where the neuron
                               had it (synapses' on post.NAME), else -1 */
    sx *output;
    ir_select *selects;     /* per sm_select of the type (VS_SELECT indices) */
    int nselects;
    ir_pinput *pinputs;     /* summed Poisson inputs, in the module's order */
    int npinputs;
    int *slot;              /* sm_type variable -> index in vars (-1: shared or a definition) */
    sx **shared;            /* sm_type variable -> a shared parameter's VS_SHARED reference
                               (ir_shared_value gives its number), else NULL */
    ax_span span;
} ir_pop;

typedef sm_conn_kind ir_conn_kind; /* CONN_ALL ... (sema.h) */

/* The handlers of a projection for a named event of its post population (on post.NAME; a
 * synapse's and its rules' in order, as one block). */
typedef struct {
    int event;              /* index in the post population's events */
    const char *name;
    sm_block body;
} ir_evh;

typedef struct {
    const char *name;
    int pre, post;          /* population indices */
    const sm_type *syn;     /* the synapse merged with its rules, bound to pre/post */
    ir_var *vars;           /* per-synapse storage */
    int nvars;
    ir_synvar *sv;          /* per storage variable (ir_synapses) */
    int *slot;              /* sm_type variable -> index in vars */
    sx **shared;            /* shared parameters (and per-synapse ones that are one number
                               for every synapse): VS_SHARED references */
    ir_conn_kind conn;
    sx *conn_arg;           /* p, k, or the where condition */
    bool autapses;          /* self-connections allowed (same population) */
    const char *file;       /* from "file" */
    sx *delay;              /* NULL: one step */
    sm_block on_pre, on_post, continuous, every_step;
    ir_evh *evh;            /* on post.NAME, one per event handled */
    int nevh;
    int via;                /* the third population (`via POP by post|pre`), or -1 */
    bool via_pre;           /* ... its neuron is the source's index i (else the target's j) */
    /* ir_synapses: storage indices of the times of the last update of event-driven
       variables per synapse, per pre and per post neuron (-1 when there are none) */
    int last_syn, last_pre, last_post;
    /* ir_clock_traces: the per-post variables (pure decays) are kept at the time of the
       step's events and advanced by their factor once per step (the post_decay kernel), so
       there is no last_post */
    bool post_clock;
    sm_block pre_after, post_after; /* the statements of on pre (on post) that change
                                       per-pre (per-post) variables */
    bool has_odes;          /* equations that are not event-driven (integrated every step) */
    sx *learning;           /* the switch of its learning rules, the shared truth value
                               `P.learning` (VS_SHARED), or NULL (no rules) */
    int signal_base;        /* VS_SIGNAL indices of syn are relative to it (ir_synapses
                               makes them indices into the model's signals) */
    /* structural plasticity (`structure every` in the synapse or a rule; structure.c): when
       structural, the hidden per-synapse truth value active_var (storage index, "active",
       VS_HIDDEN in statements) gates every handler, and `structure` (the update: prune an
       active synapse, grow an inactive one) runs in the every_step kernel in the steps n with
       (n + 1) % struct_steps == 0, after the every_step handler. */
    bool structural;
    int active_var;
    uint32_t struct_steps;
    sx *struct_every;       /* the period: numbers and VS_SHARED parameters (cg_syn.c marks
                               them fixed: their values are folded into struct_steps) */
    sx *prune, *grow;       /* conditions (NULL: none) */
    sm_block grow_init, structure;
    ax_span struct_span;
    ax_span span;
    /* CONN_FILE: the synapses, sorted by (pre, post) (data.c) */
    long nedges;
    uint32_t *edge_pre, *edge_post;
} ir_proj;

typedef struct {
    const char *name;
    sx *value;              /* an expression of t, or NULL when it follows a population: */
    int pop, var;           /* the mean of variable var (storage index) of population pop */
} ir_signal;

typedef sm_rec_kind ir_rec_kind; /* REC_SPIKES ... (sema.h) */

typedef struct {
    ir_rec_kind kind;
    int target;             /* population or projection index */
    int var;                /* variable (state records, and for REC_SPIKE_VALUES the hidden
                               copy (ir_pop.copies) whose value each spike records), else -1 */
    int *subset;            /* indices, NULL = all */
    int nsubset;
    double every;           /* sampling period in s, 0 = every step */
    ax_span span;
} ir_record;

/* A parameter of a population or projection, as the runtime lists it (ir_params): a shared
 * one has a slot in the model's shared values (VS_SHARED) that expressions refer to, and its
 * value there; a per-item one is a variable of its owner. */
typedef struct {
    const char *name; /* "E.tau_m", "E->I.w" */
    int owner;        /* population or projection index */
    bool proj;
    int sm_var;       /* the variable of the owner's type */
    ax_dim dim;
    bool boolean;
    int slot;         /* shared: VS_SHARED index, -1 when per item */
    int var;          /* per item: storage index in the owner's vars, else -1 */
    double value;     /* shared: the value */
    int elements;     /* > 0: it picks one of that many elements (post.X[seg]): a whole
                         number in 0 .. elements-1, fixed once connected (element.c) */
    const sx *derived_from; /* shared, valued by its type's default computed from other
                               parameters (`b = 2 * a`), which nothing overrode: that default,
                               in the owner type's VS_PARAM variables (a protocol's change of
                               those warns that it does not reach this one: protocol.c); else
                               NULL */
} ir_param;

/* A propagator of exact integration (scheme.c), computed at run time by the derive kernel:
 * Phi = exp(A dt) into the derived slots [phi, phi + n n) and Gamma = int_0^dt exp(A s) ds
 * into [gamma, gamma + n n), row-major, from A's entries (parameter constants, NULL for 0). */
typedef struct {
    int pop;
    int n;
    sx **A;
    int phi, gamma;
} ir_propagator;

/* A change of the run line's protocol (protocol.c): parameter `param` (an index into the
 * model's params) gets `value` (SI) before step `step`. */
typedef struct {
    uint64_t step;
    int param;
    double value;
    ax_span span;           /* the assignment */
} ir_event;

typedef struct {
    const char *module;
    double dt;
    double duration;        /* from `run ... for`, 0 if none */
    const sm_run *run;      /* the run line whose protocol applies (ir_protocol), or NULL */
    ir_event *events;       /* the protocol's changes, in the order they apply */
    int nevents;
    ir_pop *pops;
    int npops;
    ir_proj *projs;
    int nprojs;
    ir_signal *signals;
    int nsignals;
    ir_record *records;
    int nrecords;
    ir_param *params;       /* ir_params */
    int nparams;
    double *shared_vals;    /* the value of each VS_SHARED slot */
    int nshared;
    ir_propagator *props;   /* VS_DERIVED slots [0, nderived) are theirs */
    int nprops;
    int nderived;
} ir_model;

/* A parameter override from outside the model (`--set N=8000`). name is a
 * parameter of the module, or PATH.NAME: a parameter of the population PATH
 * ("E.tau_m", "c1.E.tau_m") or of the synapses (and rules) of the named
 * projection PATH ("ee.w_max"), applied after everything the model gives it.
 * The value is a number with an optional unit, or true/false. */
typedef struct {
    const char *name;
    const char *text;   /* the value as written, for messages */
    ax_quantity value;
    const char *call;   /* NULL: from the command line, named `--set NAME=VALUE` in messages;
                           else the module called, `MODULE(NAME = VALUE)` (the REPL) */
} ir_override;

/* Fills *out from NAME and VALUE as given on a command line (both must outlive
 * out). False, with a message in err, when NAME is not a dotted name or VALUE not
 * a number with an optional unit (unit_parse_quantity). Whether the parameter
 * exists and has that unit is checked by ir_instantiate. */
bool ir_override_parse(const char *name, const char *value, ir_override *out, char *err,
                       size_t errsize);

/* Instantiates module `module` (NULL: the file's `run` module, else the only
 * module) with overrides, for time step dt; dt 0 when the run's step is not known (checking a
 * file): 1e-4 s then, without the warnings that depend on the step. Returns NULL after
 * reporting errors. */
ir_model *ir_instantiate(sema_ctx *s, int root_file, const char *module, const ir_override *ov,
                         int nov, double dt);
/* Chooses the scheme of each population and builds its discrete update; then
 * ir_synapses and ir_params. */
bool ir_schemes(sema_ctx *s, ir_model *m);
/* The pipeline from checked definitions to a model ready for code generation, in its one
 * order: ir_instantiate (which checks every definition first, once) then ir_schemes. NULL
 * after reporting errors. libaxonc, the unit tests and the fuzzers build models with it. */
ir_model *ir_build(sema_ctx *s, int root_file, const char *module, const ir_override *ov,
                   int nov, double dt);
/* "may spike" of a population with a refractory period: _refr < 0 (p->refr_var >= 0). */
sx *ir_refr_permit(ax_arena *ar, const ir_pop *p);
/* Plans each projection's synapse variables: the linear form of their
 * equations (event-driven ones must be linear with constant coefficients),
 * and where each lives (ir_side), adding the hidden last-update times. */
bool ir_synapses(sema_ctx *s, ir_model *m);
/* How projection variable k is stored (axon_var_desc.stride and lane, model.h ABI 12): the
 * stride, > 1 where it shares one array with the projection's other variables stored per
 * neuron of its side (pre or post), its place among them in *lane (synapse.c). After
 * ir_narrow_synapses (element types decide it). */
int ir_pack(const ir_proj *pj, int k, int *lane);
/* Whether projection variable k is stored in blocks with the targets (axon_var_desc.block,
 * model.h ABI 13, AXON_PROJ_BLOCKS): AXON_SYN_BLOCK, with its stride and lane (in elements of
 * its type; esz is the model's precision in bytes), else 1 (stride 1, lane 0). After
 * ir_narrow_synapses (synapse.c). */
int ir_block(const ir_model *m, const ir_proj *pj, int k, int esz, int *stride, int *lane);
/* Whether pj's rows are dense (all to all, no per-synapse delays): row i's synapse k reaches
 * target k - row start (plus the first), which `on pre` computes instead of loading. */
bool ir_dense_rows(const ir_proj *pj);
/* Synapse variables stored as float in a double-precision model (axonc_options
 * .synapse_precision 4, `--synapse-precision single`): every per-synapse variable (a weight, a
 * per-synapse parameter or constant) that no equation, handler, rule or structural update
 * writes gets elem AXON_ELEM_F32; the kernels compute in the model's precision (a load
 * converts). Variables written by handlers keep the model's precision. Returns how many. */
int ir_narrow_synapses(ir_model *m);
/* Per-post variables advanced every step (double-precision models; synapse.c): where every
 * variable a projection stores per postsynaptic neuron is a pure decay (x' = B x, B a number
 * or parameter, no noise), such as pair STDP's postsynaptic trace, they are stored at the
 * time of the step's events and multiplied by exp(B dt) once per step for every neuron
 * (proj_post_decay) instead of being advanced from a stored last-update time at each event
 * that reads them: on_pre then reads its target's trace without a time, a table entry or a
 * branch. post_clock is set and last_post removed. Only where the mean in-degree is at least
 * IR_CLOCK_MIN_K or the post population has at most IR_CLOCK_SMALL neurons (else a sparse
 * input into a large population would pay a pass per step for few events).
 * AXON_TEST_EVENT_TRACES (tests) keeps them event-driven. Returns how many projections. */
#define IR_CLOCK_MIN_K 32
#define IR_CLOCK_SMALL 1024
int ir_clock_traces(ir_model *m);
/* Parameters (param.c). ir_param_refs gives the shared parameters of a population or
 * projection about to be added as owner (values vals[v] != NULL, folded numbers) new VS_SHARED
 * slots and returns references to them (for sx_subst), listed as OWNER.NAME (names[v] when
 * names, else the variable's name); a value that is not a number is returned as it is.
 * ir_params, after ir_synapses, lists the rest (per-item parameters), owner by owner. */
/* e with the owner type's parameters (VS_PARAM v) that have a value (vals[v]) replaced by it,
 * simplified: a default computed as instantiation computes it (instance.c). */
sx *ir_fold_params(ax_arena *ar, const sx *e, sx *const *vals, int n);
sx **ir_param_refs(ax_arena *ar, ir_model *m, int owner, bool proj, const char *oname,
                   const sm_type *t, sx *const *vals, const char *const *names);
bool ir_params(sema_ctx *s, ir_model *m);
/* A shared truth value `OWNER.name` that the compiler adds (a projection's `learning` switch)
 * with its value when the model starts (0 or 1): a new VS_SHARED slot, listed as a parameter;
 * its reference. */
sx *ir_param_switch(ax_arena *ar, ir_model *m, int owner, bool proj, const char *oname,
                    const char *name, int sm_var, double value);
/* Before ir_synapses (structure.c): each structural projection gets its hidden "active"
 * variable, its handlers gated by it, and its structure update; its period is checked against
 * dt (a whole number of steps). */
bool ir_structure(sema_ctx *s, ir_model *m);
/* Adds a structural projection's hidden variable "active" (true when the model starts) to its
 * storage, at instantiation (so that `record P.active` finds it); its storage index. */
int ir_structure_var(ax_arena *ar, ir_proj *p);
/* After ir_synapses (protocol.c): the statements that learning rules added to each projection's
 * handlers run only while its `learning` switch is true. */
bool ir_learning(sema_ctx *s, ir_model *m);
/* The run line's protocol (protocol.c), after ir_params: its paths resolved to parameters,
 * its values checked against their units, its times turned into steps. */
bool ir_protocol(sema_ctx *s, ir_model *m);
/* The value a VS_SHARED reference had when the model was built (NaN for another sx). */
double ir_shared_value(const ir_model *m, const sx *ref);
/* The propagators' derived values (m->nderived) for the shared values `shared`, as the derive
 * kernel computes them; false when one is not finite. */
bool ir_derive_propagators(const ir_model *m, const double *shared, double *out);
/* `axon dump ir`; false when memory ran out (then the text is incomplete). */
bool ir_dump(const ir_model *m, FILE *out);

/* ---- data from lists and files (data.c) ---- */
/* The synapses of `connect from FILE` (tb, read with a header) for projection pj:
 * fills pj->nedges and the sorted endpoints, and sets vals[v] of the synapse
 * variables given as columns. False after reporting errors. */
/* Elements addressed by synapses (element.c): checks the values of the parameters that pick
 * an element of the target's vector (post.X[seg]) as far as they are known before running
 * (false: errors reported); ir_element_size gives the elements of the vector that variable
 * var of t picks (the smallest, when several), or 0 when it picks none. */
bool ir_element_indices(diag_ctx *d, const ir_proj *p, const sm_type *t, sx *const *vals);
int ir_element_size(const sm_type *t, int var);
bool ir_edges(ax_arena *ar, diag_ctx *d, ir_proj *pj, const ir_pop *pre, const ir_pop *post,
              const tab *tb, sx **vals);
/* One listed spike of a spike source: neuron i at time t (s). */
typedef struct {
    long i;
    double t;
    ax_span span, tspan; /* the spike, its time */
} ir_spike_in;
/* Reads the spikes of FILE (columns i and t) for population p. */
bool ir_spikes_file(ax_arena *ar, diag_ctx *d, const ir_pop *p, ax_span from, const char *name,
                    ir_spike_in **out, long *n);
/* Makes p emit the n given spikes (checked: times on the grid of dt, at most one
 * spike per neuron and step): a hidden cursor, a spike condition and an event. */
bool ir_spike_source(ax_arena *ar, diag_ctx *d, ir_pop *p, const ir_spike_in *in, long n,
                     double dt, const char *what);

/* Index of the population named path, or -1. */
int ir_find_pop(const ir_model *m, const char *path);
/* Does a statement of blk (conditions and branches included) read variable idx of space? */
bool ir_block_uses(const sm_block *blk, int space, int idx);
/* Would p's reset give the same values run after the update, over the neurons that fired
   (cg.c reset_fn), as in it: no events, Poisson input only into inputs, and a reset that reads
   no input (cleared by the update) nor a temporary of the update? (scheme.c) */
bool ir_reset_after_update(const ir_pop *p);

#endif
