/*
 * model.h — the contract between generated code and the runtime.
 *
 * A compiled model (JIT or ahead-of-time object) exports one constant
 * axon_model_desc named `axon_model` (or the name given to `axon build
 * --symbol`) and nothing else: its kernels and tables are local symbols named
 * after the descriptor, so several models can be linked into one program. The
 * descriptor describes the populations and their variables and points at the
 * generated kernels. The runtime's engine is
 * generic over descriptors: it allocates the state, calls the kernels over
 * neuron ranges (in parallel), collects spikes and records.
 *
 * Storage: every variable of a population is one array of `size` values of
 * its element type (axon_var_desc.elem: by default the model's precision,
 * float when precision == 4, double when 8), 64-byte aligned. Booleans are
 * stored as numbers (0/1) in the model's precision; a compiler-made
 * refractory counter may be a small integer (ABI 11). Kernels receive
 * `vars`, an array of those array pointers in the order of the descriptor's
 * `vars`.
 *
 * Time: step n covers [n dt, (n+1) dt); ctx->t = n * dt during step n.
 *
 * Order within one step, per population (the runtime relies on it):
 *   1. update(): integrate every neuron of [begin, end) from the values at
 *      the start of the step; evaluate the spike condition on the new
 *      values; apply the reset where it fired; write fired[i] = 1 or 0; then
 *      clear the summed inputs (kind AXON_VAR_INPUT) of the range.
 *   2. the runtime turns fired[] into the step's spike list (indices in
 *      increasing order) and records.
 * Random numbers in kernels come from Philox4x32-10 keyed by (seed, stream,
 * neuron, step) (see rng.h), so results do not depend on how neurons are
 * split between threads.
 */
#ifndef AXON_MODEL_H
#define AXON_MODEL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AXON_ABI_VERSION 14

typedef enum {
    AXON_VAR_STATE = 0,  /* state variable */
    AXON_VAR_PARAM = 1,  /* per-neuron parameter */
    AXON_VAR_INPUT = 2,  /* summed input, cleared at the end of every step */
    AXON_VAR_HIDDEN = 3, /* compiler-made (refractory counters, flags) */
    /* projections only (ABI 3): a synapse variable whose value is the same for every synapse
       of a presynaptic (postsynaptic) neuron, such as an STDP trace, stored once per neuron:
       an array over the pre (post) population, zeroed by the runtime, not touched by init */
    AXON_VAR_PER_PRE = 4,
    AXON_VAR_PER_POST = 5,
} axon_var_kind;

/* ABI 11: the element type of a variable's array. AXON_ELEM_REAL, 0, is the model's
   precision (float or double); the others are that type whatever the precision. A variable
   of an integer type holds whole numbers in its range (the compiler makes only hidden ones,
   such as a refractory counter); the runtime reads and writes it as a number like any other,
   and never finds one non-finite. */
typedef enum {
    AXON_ELEM_REAL = 0,
    AXON_ELEM_I8 = 1,
    AXON_ELEM_I16 = 2,
    AXON_ELEM_I32 = 3,
    AXON_ELEM_F32 = 4,
    AXON_ELEM_F64 = 5,
} axon_elem;

/* The most steps a refractory counter ("_refr") holds, in any storage: 2^31 - 128, the largest
   int32 that a float holds too, so that single precision counts it down exactly. The compiler
   caps the start of a counter whose period is a parameter there (a longer or NaN period is
   held that long) and keeps a known period beyond it in the model's precision;
   axon_sim_set_values refuses a larger value. */
#define AXON_REFR_MAX 2147483520.0

typedef struct {
    const char *name;
    const char *unit; /* SI unit of the stored value ("V", "S", "A", "1", "m^-2*kg^-1*s^3*A^2") */
    int32_t kind;     /* axon_var_kind */
    int32_t is_bool;
    /* ABI 6: where the variable's equation is in the model's source ("lif.axon:12:9": its
       differential equation, else its first assignment, else its declaration), for messages
       such as a NaN found in it; NULL when unknown (compiler-made variables) */
    const char *where;
    int32_t elem; /* ABI 11: axon_elem, the type of the array's elements */
    /* ABI 12: a projection's variables stored once per neuron (AXON_VAR_PER_PRE, _PER_POST)
       may share one array, their values interleaved: stride > 1 values per neuron, this
       variable's value of neuron x at element x stride + lane of the array (the other lanes
       hold the other variables of the group, or nothing where stride exceeds their number).
       A projection has at most one such group per kind; the variables of a group have the
       same element type and the same stride, and the group's array is its lane-0 variable's.
       The runtime passes the kernels, in syn_vars, the address of element `lane` of that
       array for each of them. 0 or 1: an array of its own (every other variable). A
       projection's STDP traces and their last-update time per neuron form such a group, so
       that a synapse reaches its target's trace and time in one cache line. */
    int32_t stride;
    int32_t lane;
    /* ABI 13: 0 or 1, or (with AXON_PROJ_BLOCKS) AXON_SYN_BLOCK: the projection's single
       per-synapse variable shares one array with its targets, in blocks of `block` synapses:
       a block holds their targets (uint16_t) and then their values, stride elements of the
       variable's type in all, the first `lane` of them taken by the targets. Synapse k's
       value is element (k / block) stride + lane + k % block of the array, its target element
       (k / block) (stride size / 2) + k % block of it seen as uint16_t (size: the bytes of an
       element). So with 8-byte values stride 5 and lane 1, with 4-byte ones stride 6 and
       lane 2: every element aligned, no padding but the last block's. As for a group above,
       syn_vars holds the address of element `lane` of the array; the kernels' `post` is the
       array (the block of synapses 0 .. block - 1). With block 1 the rule is stride/lane's. */
    int32_t block;
} axon_var_desc;

/* The synapses of a block of a projection flagged AXON_PROJ_BLOCKS (ABI 13) */
#define AXON_SYN_BLOCK 4

typedef struct {
    double t;              /* time at the start of the step, in s */
    uint64_t step;
    uint64_t seed;
    const double *signals; /* the module's signals in this step (axon_model_desc), or NULL */
    /* ABI 4: the simulation's shared parameter values and the quantities derived from them
       (see "parameters" below); never NULL (a model without any points at an empty block) */
    const double *shared;
    const double *derived;
    /* ABI 7: NULL but in the synapse init and delays kernels of a projection of which this
       process holds a part (a rank's synapses, docs/mpi.md). Then, for each presynaptic
       neuron i, the index in the whole projection of its first synapse held here minus its
       index here: synapse s of row i is synapse s + syn_offset[i] of the whole projection
       (a row's synapses held here are consecutive in the whole row), and the kernels key
       their random draws by that index, so that every value is the single-process one.
       ABI 8: also set in the handler kernels (on_pre, continuous, every_step, on_post, the
       event handlers) of such a part when the projection is flagged AXON_PROJ_SYN_DRAWS and
       has no per-synapse delays, and they key their draws the same way. With per-synapse
       delays a part's rows are ordered by delay, so a row's synapses held here are not
       consecutive in the whole row: the runtime then calls on_pre, continuous and
       every_step once per run of synapses whose whole indices are consecutive, with
       syn_offset[i] set for that run; on_post and the event handlers, which reach a
       column's synapses in any order, get syn_whole instead (ABI 10, below). */
    const uint64_t *syn_offset;
    /* ABI 7: the variable table (`vars` of the update kernel) of every population, in the
       order of the descriptor's pops: synapse kernels of a projection with a third population
       (AXON_PROJ_VIA_*) read and write its variables there; never NULL */
    void *const *const *pop_vars;
    /* ABI 10: NULL but in on_post and the event handlers (on post.NAME) of a process's part
       of a projection flagged AXON_PROJ_SYN_DRAWS whose rows are ordered by per-synapse
       delays (docs/mpi.md): then, for each synapse s held here, its index in the whole
       projection, by which those kernels key their random draws (in place of s +
       syn_offset[i], which is then NULL) */
    const uint32_t *syn_whole;
} axon_step_ctx;

/* Writes the initial value of every variable for neurons [begin, end), but for the summed
 * inputs (AXON_VAR_INPUT) that start at 0, which it leaves as they are: the runtime hands it
 * arrays of zeros, so that an input nothing reaches is never touched. ctx->step is 0. */
typedef void (*axon_init_fn)(const axon_step_ctx *ctx, void *const *vars, uint32_t begin,
                             uint32_t end);
/* One step for neurons [begin, end); see the order above. fired may be NULL
 * for populations that do not spike. */
typedef void (*axon_update_fn)(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired,
                               uint32_t begin, uint32_t end);

/* ABI 6: k-winners-take-all (`topk(x, k)` in a neuron). Before every step's update (after the
 * signals, model.h's step 1), the runtime sets variable `flag` of every neuron to 1 when its
 * value of variable `var` is among the k largest of the population, else 0: the values in
 * decreasing order, equal values by increasing neuron index, NaN after every number; k is
 * `k`, or the shared value k_slot (>= 0) rounded to the nearest whole number (values below 0
 * count as 0, above the size as the size). */
typedef struct {
    int32_t var;
    int32_t flag;
    int32_t k_slot;
    uint32_t k;
} axon_select_desc;

typedef struct {
    const char *name;          /* "E", "c1.E" */
    const char *type;          /* the neuron type ("LIFCond") */
    uint32_t size;
    uint32_t nvars;
    const axon_var_desc *vars;
    axon_init_fn init;
    axon_update_fn update;
    int32_t spiking;           /* has a spike condition */
    uint32_t nselects;         /* ABI 6: topk (above); 0 and NULL when it has none */
    const axon_select_desc *selects;
} axon_pop_desc;

/* ---- projections (ABI 2) ------------------------------------------------------
 * A projection's synapses are stored in CSR order by presynaptic neuron:
 * the synapses of neuron i are [row[i], row[i+1]); post[s] is the target of
 * synapse s. Per-synapse variables are arrays over s, like neuron state.
 * The runtime builds the connectivity from the descriptor (deterministic for a
 * seed, whatever the thread count), then calls the kernels:
 *
 *   init(ctx, syn_vars, pre, post, begin, end): initial values of synapses
 *     [begin, end); pre[s] and post[s] are the endpoints (for expressions of
 *     i and j and per-synapse random draws keyed by the synapse index s, or
 *     s + ctx->syn_offset[pre[s]] when syn_offset is set: ABI 7).
 *   on_pre(ctx, syn_vars, pre_vars, post_vars, post, i, begin, end): the
 *     spike of presynaptic neuron i arrives at synapses [begin, end) (all of
 *     i's synapses; with AXON_PROJ_SPLIT possibly a part of them, see
 *     below). Called in the step in which the spike is delivered: a spike
 *     found in step n with delay_steps = d is delivered in step n + d, after
 *     every population's update of that step, in spike order.
 *
 * Step order with projections: 0. for each projection with a continuous
 * kernel, every row (in order; post.x += ... sums into the targets' inputs);
 * 1. every population's update (fired[]);
 * 2. for each projection, in order, deliver the spikes due now (on_pre);
 * 3. record. Effects of step n's deliveries on post variables are therefore
 * seen by the integration of step n + 1 (as in Brian2). */

typedef enum {
    AXON_CONN_ALL = 0,       /* every pre to every post (autapses: see below) */
    AXON_CONN_ONE = 1,       /* i -> i (same sizes) */
    AXON_CONN_RANDOM = 2,    /* each pair independently with probability p */
    AXON_CONN_INDEGREE = 3,  /* each post gets k distinct random pres */
    AXON_CONN_OUTDEGREE = 4, /* each pre gets k distinct random posts */
    AXON_CONN_WHERE = 5,     /* pairs where where(i, j) != 0 */
    AXON_CONN_FILE = 6,      /* the listed pairs edge_pre[s] -> edge_post[s] (see below) */
} axon_conn_kind;

typedef void (*axon_syn_init_fn)(const axon_step_ctx *ctx, void *const *syn_vars,
                                 const uint32_t *pre, const uint32_t *post, uint64_t begin,
                                 uint64_t end);
/* (the post of an event function points at uint16_t targets with AXON_PROJ_POST16, ABI 10) */
typedef void (*axon_event_fn)(const axon_step_ctx *ctx, void *const *syn_vars,
                              void *const *pre_vars, void *const *post_vars,
                              const uint32_t *post, uint32_t i, uint64_t begin, uint64_t end);
typedef int32_t (*axon_where_fn)(const axon_step_ctx *ctx, uint32_t i, uint32_t j);
/* on_post(ctx, syn_vars, pre_vars, post_vars, pre_of, syn_of, j, begin, end): the spike of
 * postsynaptic neuron j reaches the synapses listed at [begin, end) of the post-ordered index:
 * entry e is synapse syn_of[e] from presynaptic neuron pre_of[e]. */
typedef void (*axon_delays_fn)(const axon_step_ctx *ctx, const uint32_t *pre,
                               const uint32_t *post, uint64_t begin, uint64_t end, double *out);
typedef void (*axon_post_event_fn)(const axon_step_ctx *ctx, void *const *syn_vars,
                                   void *const *pre_vars, void *const *post_vars,
                                   const uint32_t *pre_of, const uint32_t *syn_of, uint32_t j,
                                   uint64_t begin, uint64_t end);
/* on_post_at(ctx, syn_vars, pre_vars, post_vars, t, syn, i, begin, end) (ABI 10): on_post of
 * the synapses syn[k] of presynaptic neuron i, k in [begin, end) in order, each as it would run
 * in the step that starts at t[k] (a ctx->t), with ctx's other members. */
typedef void (*axon_post_at_fn)(const axon_step_ctx *ctx, void *const *syn_vars,
                                void *const *pre_vars, void *const *post_vars, const double *t,
                                const uint32_t *syn, uint32_t i, uint64_t begin, uint64_t end);
/* on_pre_replay(ctx, syn_vars, pre_vars, post_vars, post, i, begin, end, hist, last, lo, base)
 * (ABI 11, with AXON_PROJ_DEFER_POST): on_pre of synapses [begin, end) of row i as on_pre runs
 * them (post as on_pre's), each synapse first running on_post at each post spike of its target
 * j not yet seen: the AXON_DEFER_HIST entries at hist + j AXON_DEFER_HIST (all of them are
 * read) hold j's spike count n < AXON_DEFER_HIST, then the steps of those spikes (increasing,
 * minus base); those at or after lo are replayed in order, each as on_post_at with t =
 * (base + step) dt. last[j] is 1 + the step (minus base) of j's last spike in hist, 0 if none:
 * a target with last[j] <= lo has none pending. */
#define AXON_DEFER_HIST 16
typedef void (*axon_pre_replay_fn)(const axon_step_ctx *ctx, void *const *syn_vars,
                                   void *const *pre_vars, void *const *post_vars,
                                   const uint32_t *post, uint32_t i, uint64_t begin,
                                   uint64_t end, const uint16_t *hist, const uint16_t *last,
                                   uint32_t lo, uint64_t base);

typedef struct {
    const char *name;          /* "E->I", or the name given with `project NAME =` */
    const char *type;          /* the synapse type */
    int32_t pre, post;         /* population indices */
    int32_t connector;         /* axon_conn_kind */
    uint32_t flags;            /* AXON_PROJ_*; fills what was padding before p, so a
                                  descriptor that does not set it reads 0 */
    double p;                  /* AXON_CONN_RANDOM */
    uint32_t k;                /* AXON_CONN_INDEGREE / OUTDEGREE */
    int32_t autapses;          /* when pre == post: may i connect to i? */
    axon_where_fn where;       /* AXON_CONN_WHERE */
    uint32_t delay_steps;      /* transmission delay in steps (0: the same step) */
    uint32_t nvars;
    const axon_var_desc *vars; /* per-synapse variables */
    axon_syn_init_fn init;
    axon_event_fn on_pre;      /* NULL: no presynaptic handler */
    axon_event_fn continuous;  /* NULL, or the `continuous` block: called every step for
                                  every presynaptic row, before the populations' updates,
                                  with the values at the start of the step */
    /* ABI 3: plasticity. Called after step 2 (delivery), in this order:
     *   pre_after(ctx, syn_vars, pre_vars, post_vars, post, i, 0, 0) once for every spike
     *     delivered in this step (in delivery order): updates the AXON_VAR_PER_PRE variables
     *     of neuron i, which on_pre only reads;
     *   on_post(...) for every spike of the post population in this step (in index order),
     *     then post_after(ctx, syn_vars, pre_vars, post_vars, NULL, j, 0, 0) for it;
     *   every_step(ctx, syn_vars, pre_vars, post_vars, post, i, row[i], row[i+1]) for every
     *     non-empty row: per-synapse equations and `every step` handlers.
     * Handlers see event time t + dt (the stamp of the step's spikes). */
    axon_post_event_fn on_post;
    axon_event_fn pre_after;
    axon_event_fn post_after;
    axon_event_fn every_step;
    /* ---- AXON_CONN_FILE: the synapses, given (connect from "edges.csv"). Sorted by
       (pre, post) with no pair twice, so synapse s is edge s; the init kernel gives
       synapse s the values of row s of the file's columns. */
    uint64_t nedges;
    const uint32_t *edge_pre;
    const uint32_t *edge_post;
    /* ---- per-synapse (heterogeneous) delays: NULL, or delays(ctx, pre, post, begin, end,
       out) writes the delay of synapses [begin, end) in s to out[s] (before the init kernel,
       in the connector's order; pre/post as for init). The runtime rounds them to steps
       (delay_steps is then unused), orders each row by (delay, target), keeping each
       synapse's values with it, and delivers each part of a row when its delay is due. A
       projection with delays has no AXON_VAR_PER_PRE variables. */
    axon_delays_fn delays;
    /* ---- ABI 6: events of the post population other than its spike (`event NAME when COND`
       in the neuron, `on post.NAME { ... }` in the synapse). The neuron's update kernel
       writes 1 or 0 into its hidden variable event_var[k] (an index into the post
       population's vars) in every step; after on_post and post_after of the step, for each
       k in order and each neuron j of the post population whose flag is 1, in increasing
       index order, on the calling thread, the runtime calls event_fn[k] with the arguments
       of on_post (the post-ordered index is built when nevents > 0). */
    uint32_t nevents;
    const int32_t *event_var;
    const axon_post_event_fn *event_fn;
    /* ---- ABI 7: a third population (`via A by post` / `by pre`: tripartite synapses), read
       only with flag AXON_PROJ_VIA_POST or AXON_PROJ_VIA_PRE: the population whose neuron j
       (the synapse's target) or i (its source) the handlers read and write, through
       ctx->pop_vars[via]; its size is the post (pre) population's. The compiler leaves out
       AXON_PROJ_SPLIT when on_pre reads or writes it, and AXON_PROJ_EVERY_LOCAL /
       AXON_PROJ_POST_LOCAL when every_step / on_post write it. */
    int32_t via;
    /* ---- ABI 9: the variables of the pre population (indices into its vars, increasing)
       that any kernel of the projection reads at the presynaptic neuron (pre.x). Over MPI
       ranks the runtime gathers them from every rank before the kernels that may read them
       run (docs/mpi.md); 0 and NULL when none is read. */
    uint32_t npre_reads;
    const int32_t *pre_reads;
    /* ---- ABI 10: with AXON_PROJ_DEFER_POST (else NULL), on_post on synapses of one row, each
       at its own post spike's time: the runtime may run a synapse's on_post of the post
       spikes since its last on_pre just before its next on_pre (deliver.c). */
    axon_post_at_fn on_post_at;
    /* ---- ABI 11: with AXON_PROJ_DEFER_POST, NULL or on_pre with the pending on_post of each
       synapse replayed first, in one pass over the row (called instead of the runtime's
       replay through on_post_at and then on_pre). */
    axon_pre_replay_fn on_pre_replay;
    /* ... and NULL or the same without on_pre: the pending on_post of synapses [begin, end) of
       row i alone (at flushes, instead of the replay through on_post_at) */
    axon_pre_replay_fn post_replay;
    /* ---- ABI 14: NULL, or post_decay(ctx, syn_vars, pre_vars, post_vars, NULL, 0, begin, end):
       every AXON_VAR_PER_POST variable of neurons [begin, end) of the post population times
       its decay factor over one step. The projection's per-post variables are then not
       advanced at events (it has no last-update time per post neuron): they hold their
       values at the time of the step's events, and the runtime calls post_decay once in
       every step, before the step's updates (after the continuous kernels), for the
       neurons of the post population that this process updates. */
    axon_event_fn post_decay;
} axon_proj_desc;

/* axon_proj_desc.flags */
/* on_pre writes only the synapse variables of [begin, end) and the post variables of their
 * targets, and reads no presynaptic neuron variable. The runtime may then cut a row into
 * parts by target ranges and deliver the parts of different ranges concurrently (each
 * target still sees the spikes in order). Without it delivery runs on one thread. */
#define AXON_PROJ_SPLIT 1u
/* every_step writes only the synapse variables of its row (no target variable): the runtime
 * may run rows on different threads. */
#define AXON_PROJ_EVERY_LOCAL 2u
/* on_post calls of different spikes may run on different threads: no call writes a neuron
 * variable that another reads (not set when pre and post are one population and on_post both
 * writes post variables and reads pre variables). */
#define AXON_PROJ_POST_LOCAL 4u
/* ABI 7: on_pre, continuous, every_step, on_post or an event handler draws random numbers
 * keyed by the synapse index (its position in the projection, after the order by delay).
 * Over MPI ranks (ABI 8) the runtime passes syn_offset to the handlers so that the draws are
 * keyed by the index in the whole projection; with per-synapse delays it calls the row
 * kernels once per run of consecutive whole indices and passes syn_whole (ABI 10) to on_post
 * and the event handlers. */
#define AXON_PROJ_SYN_DRAWS 8u
/* ABI 7: the handlers use a third population (axon_proj_desc.via) at the target's index j, or
 * at the source's index i; at most one of the two. AXON_PROJ_VIA_PRE is refused over MPI
 * ranks. */
#define AXON_PROJ_VIA_POST 16u
#define AXON_PROJ_VIA_PRE 32u
/* ABI 7: on_post, every_step or the synapse's equations integrated every step read a variable
 * of the presynaptic neuron (on_pre's reads are told by the absence of AXON_PROJ_SPLIT). Over
 * MPI ranks that neuron may be updated on another rank: ABI 8 refused it there; ABI 9 gathers the
 * variables read (pre_reads) instead. ABI 8: the event handlers (event_fn, on post.NAME) too. */
#define AXON_PROJ_READS_PRE 64u
/* ABI 9: the pre and post populations are one and a kernel writes at the target (post.x) a
 * variable that a kernel reads at the source (pre_reads). Over MPI ranks the write happens on
 * the target's rank while a reader on another rank would see the value gathered before it,
 * so the runtime refuses it there. */
#define AXON_PROJ_PRE_WRITTEN 128u
/* ABI 10: the post population has at most 65,536 neurons (its size is fixed when the model
 * is compiled) and the runtime stores the targets as uint16_t: the `post` argument of on_pre,
 * continuous, every_step and pre_after then points at uint16_t targets (cap entries, like the
 * uint32_t ones), which the kernels zero-extend. The init and delays kernels still get uint32_t
 * targets (they run while the connectivity is built, before the runtime narrows it). The
 * runtime refuses the flag on a larger post population. */
#define AXON_PROJ_POST16 256u
/* ABI 10: on_post changes only the synapse's own variables (and per-post ones, which
 * post_after changes anyway), from the synapse's variables, presynaptic-side variables (which
 * pre_after alone changes), parameters and numbers, and the projection has no every_step,
 * continuous kernel, event handler, third population or per-synapse delays. The runtime may
 * then defer on_post of a synapse to just before its next on_pre (or a flush), calling
 * on_post_at with the post spikes' times (or on_pre_replay and post_replay, ABI 11): the same
 * operations on the same values in the same order as at the spikes. */
#define AXON_PROJ_DEFER_POST 512u
/* ABI 13: the projection's targets (2 bytes, with AXON_PROJ_POST16) and its only variable, a
 * per-synapse one that no kernel writes, are stored together in blocks of AXON_SYN_BLOCK
 * synapses (axon_var_desc.block, above): the `post` argument of on_pre points at that array,
 * syn_vars[0] at its element `lane`, and the kernel reads synapse k's target and value by the
 * block rule. The projection has no handler but on_pre (and init, which runs on the usual
 * arrays while the connectivity is built: the runtime packs them after). Flagged only with
 * AXON_PROJ_POST16 and a variable of block AXON_SYN_BLOCK. */
#define AXON_PROJ_BLOCKS 1024u

typedef enum {
    AXON_REC_SPIKES = 0,  /* every spike: time and index */
    AXON_REC_STATE = 1,   /* a variable, for a subset, every `every` steps */
    AXON_REC_RATE = 2,    /* population rate (spikes / size / dt) every step, averaged over `every` */
    AXON_REC_WEIGHTS = 3, /* a variable of a projection: per synapse (w, u, x), or per pre /
                             post neuron (a trace); the subset lists synapses or neurons */
    AXON_REC_SPIKE_VALUES = 4, /* the value of variable var at every spike of the population, in
                                  the order of its spikes (`record spikes E.v` compiles to a
                                  spike record and this, with var the compiler's hidden copy
                                  "_spike_v" of v taken before the reset; the files call it v).
                                  A runtime older than this kind refuses it as unknown. */
} axon_rec_kind;

typedef struct {
    int32_t kind;            /* axon_rec_kind */
    int32_t target;          /* population (or projection for weights) */
    int32_t var;             /* variable index (state / weights / spike values) */
    uint32_t nsubset;        /* 0 = all neurons */
    const uint32_t *subset;
    uint32_t every;          /* sampling period in steps, >= 1 */
} axon_record_desc;

/* ---- parameters (ABI 4) ----------------------------------------------------------
 * Every parameter of the model's populations and projections is listed by name
 * ("E.tau_m", "E->I.w", "c1.E.tau_m": the owner's name, a dot, the parameter's), so that a
 * program can read and change it between steps (axon_sim_set_param).
 *
 * A shared parameter (one value for the whole population or projection) lives in the
 * simulation's block of nshared doubles, which starts as a copy of shared_defaults; kernels
 * read it through ctx->shared. Quantities that the compiler derived from shared values
 * (reciprocals, decay factors exp(-dt / tau), propagator matrices of exact integration,
 * tables of decay factors) live in a block of nderived doubles that kernels read through
 * ctx->derived; derive(shared, derived) computes all of them from the shared values. The
 * runtime calls it in axon_sim_new and after every change of a shared value, between steps,
 * never concurrently with a kernel. A per-item parameter (per neuron, per synapse) is a
 * variable of its owner (kind AXON_VAR_PARAM), an array like the state.
 *
 * Values are in SI units; `unit` names the SI unit ("s", "V", "S", "ohm", "F", "Hz", "1",
 * "S/m^2", ... or base units "m^-2*kg^-1*s^3*A^2"). A value must be finite and within
 * [min, max]; a truth value (AXON_PARAM_BOOL) is 0 or 1.
 */
typedef enum {
    AXON_PARAM_SHARED = 0,   /* one value: shared[index] */
    AXON_PARAM_PER_ITEM = 1, /* per neuron or synapse: the owner's variable `index` */
} axon_param_kind;

/* axon_param_desc.flags */
#define AXON_PARAM_PROJ 1u  /* the owner is a projection (else a population) */
#define AXON_PARAM_BOOL 2u  /* a truth value */
#define AXON_PARAM_FIXED 4u /* its value was folded into the code: it can be read, not changed */

typedef struct {
    const char *name;  /* "E.tau_m" */
    const char *unit;  /* SI unit of the value */
    int32_t kind;      /* axon_param_kind */
    uint32_t flags;    /* AXON_PARAM_* */
    int32_t owner;     /* population (or projection, with AXON_PARAM_PROJ) index */
    int32_t index;     /* shared: slot in the shared block; per item: variable index */
    double value;      /* shared: the value the model was compiled with; per item: NaN */
    double min, max;   /* valid values (finite bounds) */
} axon_param_desc;

/* Computes the derived quantities from the shared values (see above). */
typedef void (*axon_derive_fn)(const double *shared, double *derived);

/* ---- the protocol (ABI 5) ---------------------------------------------------------
 * Changes of parameters at given steps (`run M for 3 s { at 1 s { E.I_ext = 0.5 nA } }`):
 * before step `step` runs (before its signals), the runtime sets parameter `param` (an index
 * into params) to `value` (SI), for every item of a per-item parameter, as
 * axon_sim_set_param does. Listed in increasing order of step; changes of one step apply in
 * their order. */
typedef struct {
    uint64_t step;
    int32_t param;
    uint32_t flags;    /* 0 (reserved) */
    double value;
} axon_change_desc;

/* Computes the value of every module signal for step ctx->step (ctx->signals is NULL). */
typedef void (*axon_signals_fn)(const axon_step_ctx *ctx, double *values);

typedef struct {
    uint32_t abi;            /* AXON_ABI_VERSION */
    const char *name;        /* the module */
    uint32_t precision;      /* bytes per stored value: 4 or 8 */
    double dt;               /* s */
    double duration;         /* default run length from `run ... for`, s; 0 = none */
    uint32_t npops;
    const axon_pop_desc *pops;
    uint32_t nprojs;
    const axon_proj_desc *projs;
    uint32_t nrecords;
    const axon_record_desc *records;
    /* ABI 3: module signals (`signal dopamine = ...`), computed at the start of every step
     * (before step 0 of model.h's order) and passed to every kernel in ctx->signals; the
     * embedding program may pin a signal to a value (axon_sim_set_signal). */
    uint32_t nsignals;
    const char *const *signal_names;
    axon_signals_fn signals;  /* NULL when no signal has an expression */
    /* per signal: -1, or the population whose variable signal_var[k] the signal follows (its
       mean over the population at the start of the step; `signal d = DA.d`); NULL = all -1 */
    const int32_t *signal_pop;
    const int32_t *signal_var;
    /* ABI 4: parameters (see above). A descriptor without (nparams, nshared and nderived 0)
       is valid: it has nothing to change at run time. */
    uint32_t nparams;
    const axon_param_desc *params;
    uint32_t nshared;
    const double *shared_defaults; /* nshared values */
    uint32_t nderived;
    axon_derive_fn derive; /* NULL when nderived is 0 */
    /* ABI 5: the protocol (see above); 0 and NULL when the model has none */
    uint32_t nchanges;
    const axon_change_desc *changes;
    /* ABI 8: NULL, or npops entries: for population i NULL, or its update with every input
       (AXON_VAR_INPUT) taken as 0, which neither reads nor clears them (same arguments as its
       update). The compiler makes one for a population with inputs that no projection has as
       pre, post or third population and whose inputs get no Poisson input, so that nothing in
       the model writes them; the runtime calls it instead of the update while they are zero
       and stay so in the step: no injection held on the population, no input value set, no
       view of an input taken (axon_sim_var), none restored nonzero. It saves the inputs'
       loads and stores (bytes per neuron and step) where a population is driven by its
       parameters alone. */
    const axon_update_fn *update_quiet;
} axon_model_desc;

#ifdef __cplusplus
}
#endif

#endif
