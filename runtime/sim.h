/*
 * Internal: the simulation object shared by engine.c (state, stepping), proj.c (projections:
 * connectivity, synapse state), deliver.c (spike delivery, plasticity), record.c (recorders)
 * and write.c (output files).
 */
#ifndef AXON_RT_SIM_H
#define AXON_RT_SIM_H

#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "axon/axon.h"
#include "pool.h"

#define RT_BLOCK 16 /* neurons per alignment block: array padding and chunk boundaries */
#define RT_MAX_HET_DELAY 65535u /* per-synapse delays, in steps */

/*
 * Spike history of a population that is the source of a projection with an on_pre kernel:
 * the spike lists of its last `depth` steps (depth = the largest delay + 1), step n in slot
 * n & (nslot - 1) (rt_ring_slot: nslot is the power of two at or above depth, so that finding a
 * slot takes no division, several a step), stored back to back in one circular buffer.
 * Positions are logical (they only grow); position q is at buf[q & (cap - 1)]. Memory is the
 * spikes of the window plus one worst-case step (reserved before each step), not depth * size.
 */
typedef struct {
    uint32_t depth;
    uint32_t nslot;  /* a power of two, >= depth */
    uint64_t *start; /* nslot: position of the slot's first spike */
    uint32_t *count; /* nslot: spikes in the slot */
    uint32_t *buf;
    uint64_t cap;  /* a power of two */
    uint64_t head; /* position of the next spike to store */
    uint64_t next; /* the steps before it are stored */
} rt_ring;

/* The slot of step n in a spike history */
static inline uint64_t rt_ring_slot(const rt_ring *g, uint64_t n)
{
    return n & (g->nslot - 1);
}

/* The slots of a spike history of depth steps: the power of two at or above depth */
static inline uint32_t rt_ring_nslot(uint32_t depth)
{
    uint32_t n = 1;
    while (n < depth)
        n *= 2;
    return n;
}

typedef struct {
    const axon_pop_desc *d;
    uint32_t size;
    uint32_t lo, hi; /* the neurons this process updates: [0, size), or its rank's block (mpi.c) */
    uint32_t cap;   /* size rounded up to RT_BLOCK (at least RT_BLOCK) */
    void **vars;    /* d->nvars arrays of cap values */
    uint8_t *fired; /* cap flags; NULL for non-spiking populations */
    uint32_t *spk;  /* the current step's spikes, nspk of them; room for size */
    size_t nspk;
    int nchunks;      /* 0 for an empty population */
    uint32_t *bounds; /* nchunks + 1 chunk boundaries */
    size_t *chunk_n;  /* spikes found by each chunk in the current step */
    uint64_t nspikes; /* all spikes so far */
    int spike_rec;    /* index of its first spike record, or -1 */
    rt_ring *ring;    /* spike history for delivery, or NULL */
    uint32_t *order;  /* topk (d->nselects > 0): 2 size neuron indices (order, scratch) */
    int inputs_touched; /* an input was set, viewed or restored nonzero: the model's
                           update_quiet is not used (rt_update_fn) */
} rt_pop;

/* A queue of the parts of rows due through per-synapse delays (rt_proj.dq; deliver.c): slot
 * n % (dmax + 1) holds those due in step n, each as 3 uint32 (the presynaptic neuron, the
 * part's first synapse, its end), in the order delivery takes them: the spikes' steps
 * ascending, each step's spikes in order. */
typedef struct {
    uint32_t *e;
    size_t n, cap; /* uint32 used and allocated */
} rt_dq;
typedef struct {
    _Alignas(64) rt_dq *slot; /* dmax + 1, allocated at the queue's first use; a line of its
                                 own (rt_dqs of one projection are used by different threads) */
    uint64_t next;  /* the parts of the spikes of the steps before `next` are queued */
    uint64_t epoch; /* the axon_sim.dq_epoch it was made in; another: it is made anew */
} rt_dqs;

/* A projection: CSR by presynaptic neuron (model.h). */
typedef struct {
    const axon_proj_desc *d;
    uint32_t npre, npost;
    uint64_t nsyn;
    uint64_t nsyn_all; /* the whole projection's synapses (nsyn but for a rank's part, mpi.c) */
    uint32_t lo, hi;   /* the targets of the synapses held here: [0, npost), or a rank's block */
    uint64_t *goff;    /* over MPI: per pre, the index in the whole projection of its first
                          synapse here minus row[i] (model.h syn_offset, ABI 7); during setup,
                          and kept for the handlers of AXON_PROJ_SYN_DRAWS (ABI 8) */
    uint32_t *gidx;    /* ... with per-synapse delays (rows ordered by delay) instead: the index
                          in the whole projection of each synapse held here, increasing
                          (rt_proj_whole_delays), for the handlers that draw and records */
    uint64_t *hoff;    /* ... and then per pool thread (or post chunk) npre offsets passed as
                          syn_offset to a handler called on a run of synapses (deliver.c) */
    int nhoff;
    uint64_t cap;   /* nsyn rounded up to RT_BLOCK (at least RT_BLOCK) */
    uint64_t *row;  /* npre + 1 */
    uint32_t *post; /* cap entries (padding 0): the targets, as built; NULL once narrowed: */
    uint16_t *post16; /* AXON_PROJ_POST16 (ABI 10): the targets as uint16 (cap entries, padding
                         0), narrowed from post[] after the init kernel and the order by delay
                         (proj.c, rt_narrow_targets); read them through rt_target */
    uint32_t *post32; /* ... and widened back for axon_sim_connectivity, on its first call */
    void *blk;        /* AXON_PROJ_BLOCKS (model.h, ABI 13), once built (proj.c,
                         rt_pack_blocks): the targets and the only variable in blocks of
                         AXON_SYN_BLOCK synapses, blk_bytes each (cap / AXON_SYN_BLOCK of
                         them); post16 is then NULL and vars[0] points at element `lane` (the
                         variable's, model.h) of blk. Read the targets through rt_target, the values through
                         rt_proj_vidx. NULL until packed, and for every other projection */
    uint32_t blk_stride;  /* ... a block's elements of the variable's type */
    uint32_t blk_tstride; /* ... and of uint16_t (the targets' index step) */
    uint32_t blk_bytes;
    uint32_t *pre;  /* cap entries, only until the init kernel has run */
    void **vars;    /* d->nvars arrays: cap values per synapse, or per pre / post neuron
                       (AXON_VAR_PER_PRE / _PER_POST) */
    uint16_t *delay; /* per-synapse delays in steps (axon_proj_desc.delays), else NULL; rows
                        are ordered by (delay, target) */
    uint32_t *doff;  /* ... or, in place of delay[], where it takes no more memory: the index
                        (in the projection) of row i's first synapse with delay >= dmin + j is
                        doff[(i * (dmax - dmin + 1) + j) * (ncut + 1)], and that of the first
                        of its synapses with that delay in chunk k + 1 (cut, below) the entry
                        after it plus k; the last entry is nsyn (rt_delay_table,
                        rt_proj_cuts). So the part of row i due at delay dmin + j is
                        [doff[x], doff[x + ncut + 1]) and chunk k's cut of it
                        [doff[x + k], doff[x + k + 1]), x = (i (dmax - dmin + 1) + j) (ncut + 1) */
    uint32_t *cut;   /* split delivery (AXON_PROJ_SPLIT) over c + 1 chunks of the post
                        population, without a delay table: the offset in row i of its first
                        synapse in chunk k + 1 is cut[i * ncut + k], k < ncut = c (rt_proj_cuts);
                        else NULL (with a delay table the cuts are in it, ncut set) */
    uint32_t ncut;
    uint32_t dmin, dmax; /* bounds of the delays */
    uint64_t nrounded;   /* delays that rounding to the grid changed by more than 1% */
    uint64_t *col;  /* on_post: the post-ordered index, npost + 1 offsets into */
    uint8_t *col_pk;  /* ... the entries as (the step from the previous entry's pre, the place
                         in the row) in col_width bytes each, when they fit in 4 (proj_cols.c,
                         rt_build_cols), with col_first (each column's first pre); else NULL
                         and */
    uint32_t *col_first;
    uint32_t *col_pre, *col_syn; /* ... the presynaptic neuron and synapse of each entry */
    uint32_t col_shift, col_width;
    uint64_t col_max;  /* the longest column */
    uint32_t *col_tmp; /* col_pk: per pool thread, two buffers of 2 col_max entries: columns
                          unpacked (pre, synapse) */
    /* on_post deferred to the synapse's next on_pre (AXON_PROJ_DEFER_POST; deliver.c,
       rt_defer_replay): instead of the post-ordered index, */
    int defer;
    uint64_t dbase;   /* ... the step of the last flush, from which the steps below count */
    uint16_t *dhist;  /* ... per post neuron RT_DEFER_HIST entries (one cache line's half): how
                         many spikes it had since then, then their steps (increasing, minus
                         dbase), RT_DEFER_HIST - 1 at most */
    uint16_t *dlast;  /* ... per post neuron: 1 + the step (minus dbase) of its last spike in
                         dhist, 0 if none (checked first by rt_defer_replay: 2 bytes a neuron
                         stay in cache where the histories do not) */
    uint16_t *dsync;  /* ... per pre neuron i: i's synapses have seen the post spikes of the
                         steps before dbase + dsync[i] (the step of i's last pre_after) */
    int dpending;     /* ... some history is not empty */
    double *dt_buf;   /* ... per thread RT_DEFER_BATCH spike times and synapses (on_post_at) */
    uint32_t *ds_buf;
    int dtasks;
    uint64_t nflush;  /* ... flushes so far (every row replayed) */
    int dshort;       /* ... flushes in a row from rt_proj_sync that came soon after the one
                         before (deliver.c: RT_DEFER_SHORT) */
    /* per-synapse delays (delay or doff) with on_pre: the parts of rows due in the next
       dmax + 1 steps, queued by the thread that delivers them (deliver.c, rt_dq_update):
       dq[0] for the whole post population (one thread, or steps by populations), dq[1 + c]
       for chunk c's targets (ndq = 1 + the post population's chunks) */
    rt_dqs *dq;
    int ndq;
    size_t bytes;   /* row, post, vars and the post-ordered index */
    double mean_row; /* nsyn / npre for delivering projections (work estimates), else 0 */
} rt_proj;

/* Synapse k's element in an array of blocks of AXON_SYN_BLOCK synapses, `per` elements a
 * block (model.h, ABI 13) */
static inline uint64_t rt_block_ix(uint64_t k, uint32_t per)
{
    return k / AXON_SYN_BLOCK * per + k % AXON_SYN_BLOCK;
}

/* The target of synapse k of pr, whatever the width and layout it is stored in. */

static inline uint32_t rt_target(const rt_proj *pr, uint64_t k)
{
    if (pr->blk)
        return ((const uint16_t *)pr->blk)[rt_block_ix(k, pr->blk_tstride)];
    return pr->post16 ? pr->post16[k] : pr->post[k];
}

/* The targets as the row kernels take them (model.h: uint16_t with AXON_PROJ_POST16; the
 * blocks with AXON_PROJ_BLOCKS). */
static inline const uint32_t *rt_targets(const rt_proj *pr)
{
    if (pr->blk)
        return (const uint32_t *)pr->blk;
    return pr->post16 ? (const uint32_t *)(const void *)pr->post16 : pr->post;
}

/* The address of synapse k's target (for prefetches) and the bytes a target takes. */
static inline const void *rt_target_at(const rt_proj *pr, uint64_t k)
{
    if (pr->blk)
        return &((const uint16_t *)pr->blk)[rt_block_ix(k, pr->blk_tstride)];
    return pr->post16 ? (const void *)&pr->post16[k] : (const void *)&pr->post[k];
}

static inline size_t rt_target_size(const rt_proj *pr)
{
    return pr->blk || pr->post16 ? sizeof *pr->post16 : sizeof *pr->post;
}

typedef struct {
    const axon_record_desc *d;
    int kind; /* AXON_REC_SPIKES, _STATE, _RATE, _WEIGHTS, _SPIKE_VALUES (-1: an ignored
                 duplicate); values at spikes keep t and vals (one column) per spike */
    int pop;  /* population, -1 for weight records */
    int proj; /* projection of weight records, else -1 */
    int var;             /* state and weight records */
    int input;           /* a state record of an input variable: sampled before the update */
    uint32_t every;      /* sampling period in steps (1 for spike records) */
    uint32_t nsub;       /* state, weights: columns (size or synapse count for all) */
    const uint32_t *sub; /* state, weights: the descriptor's subset, NULL = all */
    uint32_t col0;       /* state, sub NULL: the first column's neuron (over MPI ranks, the
                            rank's block [col0, col0 + nsub); else 0) */
    uint32_t *own;       /* state over MPI ranks with a subset: the subset's neurons in this
                            rank's block, in subset order (sub points here); weights of a
                            per-synapse variable: this rank's synapses of the subset */
    uint64_t *wcols;     /* weights of a per-synapse variable over MPI ranks: the columns of
                            the whole record that this rank's are, as [first, count] ranges */
    size_t nwcols;       /* ... how many ranges */
    size_t n;            /* spikes or samples so far */
    size_t cap;          /* capacity of the arrays below, in spikes or samples */
    double *t;           /* spike or sample times */
    uint32_t *idx;       /* spikes: neuron indices */
    void *vals;          /* state, weights: n rows of nsub values of the model precision */
    double *rate;        /* rate: Hz */
    uint64_t acc;        /* rate: spikes since the last sample */
} rt_rec;

/*
 * Parallel delivery (rt_proj_setup). Every target belongs to one chunk of its population, so
 * chunk c's thread can deliver every due spike to the part of its row that targets chunk c:
 * each target (and synapse) then sees the same operations in the same order as with one thread.
 * That needs kernels that write nothing else and read no presynaptic variable (which another
 * thread's targets could be), i.e. every delivering projection flagged AXON_PROJ_SPLIT.
 */
enum {
    RT_SPLIT_NONE = 0, /* delivery on the calling thread */
    RT_SPLIT_PHASE,    /* a parallel phase after the updates (a delay of 0 steps needs the
                          step's spikes) */
    RT_SPLIT_FUSED,    /* in the update phase: every delay >= 1, so the due spikes are known
                          before the step and chunk c's deliveries touch only chunk c */
};

/* Whether steps use the pool (engine.c) */
typedef struct {
    int pref;       /* preferred mode: 1 = parallel phases, 0 = the caller alone */
    int stage;      /* 0: a block in mode pref, 1: a block in mode !pref, 2: exploiting pref */
    uint32_t left;  /* steps left in the stage */
    uint32_t exploit;
    double sec[2], work[2]; /* per mode: time and work units of the counted steps */
} rt_adapt;

/* Steps by populations (engine.c, rt_balance, rt_bal_run): the task that first updates each
 * population and delivers to it whole (the others take it when they run out of their own), or
 * none (`on` 0: by chunks of targets). */
typedef struct {
    int *owner;       /* npops: the task of each population */
    uint32_t *list;   /* npops: task 0's populations, then task 1's, ..., each largest first */
    uint32_t *first;  /* pool_threads + 1: where each task's populations start in list */
    _Atomic uint64_t *claim; /* npops: the last phase by populations that claimed each */
    uint64_t phase;   /* phases by populations so far (their claims' stamps) */
    uint32_t *order;  /* npops: scratch of the assignment */
    double *work;     /* npops: scratch of the assignment */
    double *load;     /* pool_threads: scratch of the assignment */
    uint64_t *spk;    /* npops: nspikes at the last assignment */
    uint64_t step;    /* the step of the last assignment */
    uint32_t window;  /* steps from it to the next (RT_BAL_FIRST, then RT_BAL_STEPS) */
    int on;           /* the last assignment is in use (balanced enough) */
    /* measured (rt_bal_run): each population's CPU time (ns) in the sampled phases by
       populations since the last assignment (one in RT_BAL_SAMPLE), and those phases */
    uint64_t *ns;     /* npops */
    double *est;      /* npops: the measured estimate a phase of the last assignment (ns) */
    uint64_t timed;
#ifdef AXON_SCHED_STATS /* (pool.h; engine.c, rt_bal_stats) */
#define RT_ST_POPS 64
    uint64_t st_pop_ns[RT_ST_POPS], st_pop_runs[RT_ST_POPS];
    double st_pop_units[RT_ST_POPS]; /* estimated units a step (work / steps), summed per run */
    uint64_t st_steals, st_phases, st_phases_stolen;
    uint64_t st_own_ns[RT_STATS_THREADS], st_ran_ns[RT_STATS_THREADS]; /* this phase's */
    double st_err;    /* sum over phases of |actual - estimated| share of task 0's list */
    double st_spread; /* sum over phases of (most - least run by a task) / total */
    double st_ownspread; /* the same of the lists as assigned (no taking) */
    uint64_t st_err_hist[6]; /* of |actual - estimated|: < 1%, 2, 5, 10, 20, more */
    uint64_t *st_trace; /* per population run: phase << 32 | pop << 16 | task, then ns */
    uint64_t st_ntrace, st_trace_cap;
#endif
} rt_bal;

/* ---- a variable's elements (model.h, axon_var_desc.elem; ABI 11) ----------------------- */

/* The element type of variable v in a model of precision esz (4 or 8), resolved:
   AXON_ELEM_REAL becomes AXON_ELEM_F32 or AXON_ELEM_F64. */
static inline int32_t rt_elem(const axon_var_desc *v, size_t esz)
{
    return v->elem != AXON_ELEM_REAL ? v->elem : esz == 4 ? AXON_ELEM_F32 : AXON_ELEM_F64;
}

/* Bytes of one element; 0 for an unknown type (rt_check_model refuses those). */
static inline size_t rt_elem_size(int32_t e)
{
    switch (e) {
    case AXON_ELEM_I8: return 1;
    case AXON_ELEM_I16: return 2;
    case AXON_ELEM_I32:
    case AXON_ELEM_F32: return 4;
    case AXON_ELEM_F64: return 8;
    default: return 0;
    }
}

/* Element i of x, an array of elements of type e (resolved), as a double. */
static inline double rt_elem_get(const void *x, int32_t e, uint64_t i)
{
    switch (e) {
    case AXON_ELEM_I8: return ((const int8_t *)x)[i];
    case AXON_ELEM_I16: return ((const int16_t *)x)[i];
    case AXON_ELEM_I32: return ((const int32_t *)x)[i];
    case AXON_ELEM_F32: return ((const float *)x)[i];
    default: return ((const double *)x)[i];
    }
}

/* Sets element i of x to y; for an integer type, only a whole number in its range (else
   AXON_ERANGE, nothing written: converting another is undefined). */
static inline axon_status rt_elem_set(void *x, int32_t e, uint64_t i, double y)
{
    switch (e) {
    case AXON_ELEM_I8:
        if (!(y == floor(y) && y >= INT8_MIN && y <= INT8_MAX))
            return AXON_ERANGE;
        ((int8_t *)x)[i] = (int8_t)y;
        return AXON_OK;
    case AXON_ELEM_I16:
        if (!(y == floor(y) && y >= INT16_MIN && y <= INT16_MAX))
            return AXON_ERANGE;
        ((int16_t *)x)[i] = (int16_t)y;
        return AXON_OK;
    case AXON_ELEM_I32:
        if (!(y == floor(y) && y >= INT32_MIN && y <= INT32_MAX))
            return AXON_ERANGE;
        ((int32_t *)x)[i] = (int32_t)y;
        return AXON_OK;
    case AXON_ELEM_F32: ((float *)x)[i] = (float)y; return AXON_OK;
    default: ((double *)x)[i] = y; return AXON_OK;
    }
}

/* The dtype of a view of an array of elements of type e (resolved). */
static inline axon_dtype rt_elem_dtype(int32_t e)
{
    switch (e) {
    case AXON_ELEM_I8: return AXON_I8;
    case AXON_ELEM_I16: return AXON_I16;
    case AXON_ELEM_I32: return AXON_I32;
    case AXON_ELEM_F32: return AXON_F32;
    default: return AXON_F64;
    }
}

/* Bytes of one element of variable v of projection pr in a model of precision esz. */
static inline size_t rt_proj_vsz(const rt_proj *pr, uint32_t v, size_t esz)
{
    return rt_elem_size(rt_elem(&pr->d->vars[v], esz));
}

/* Elements from one neuron's value of projection variable v to the next's: 1, or the stride
 * of the interleaved group it belongs to (model.h, ABI 12: pr->vars[v] is then the address of
 * its lane in the group's array). */
static inline size_t rt_proj_vstride(const rt_proj *pr, uint32_t v)
{
    if (pr->d->vars[v].block > 1 && !pr->blk)
        return 1; /* not packed yet (proj.c, rt_pack_blocks) */
    int32_t k = pr->d->vars[v].stride;
    return k > 1 ? (size_t)k : 1;
}

/* Whether projection variable v lives in the blocks with the targets (ABI 13; pr->blk) */
static inline int rt_proj_blocked(const rt_proj *pr, uint32_t v)
{
    return pr->blk && pr->d->vars[v].block > 1;
}

/* The element of pr->vars[v] that holds value x (a synapse's, or a neuron's): x, x times the
 * stride of an interleaved group (ABI 12), or by the block rule (ABI 13). */
static inline uint64_t rt_proj_vidx(const rt_proj *pr, uint32_t v, uint64_t x)
{
    if (rt_proj_blocked(pr, v))
        return rt_block_ix(x, pr->blk_stride);
    return x * rt_proj_vstride(pr, v);
}

/* Copies values [from, from + n) of projection variable v to dst (dense, its element type),
 * or from src into it (proj.c): one copy for an array of its own, element by element for a
 * lane of an interleaved group. */
void rt_proj_var_get(const rt_proj *pr, uint32_t v, size_t esz, uint64_t from, uint64_t n,
                     void *dst);
void rt_proj_var_put(rt_proj *pr, uint32_t v, size_t esz, uint64_t from, uint64_t n,
                     const void *src);

struct axon_sim {
    const axon_model_desc *m;
    uint64_t seed;
    int threads;                             /* requested, >= 1 */
    const volatile sig_atomic_t *build_stop; /* axon_opts.stop while axon_sim_new builds, or NULL */
    size_t esz;  /* bytes per stored value */
    double dt;
    uint64_t step; /* steps done */
    rt_pop *pops;
    rt_proj *projs;
    rt_rec *recs;
    rt_pool *pool;    /* NULL when every population runs as one chunk */
    int pool_threads; /* threads of the pool (caller included), 1 without one */
    uint64_t neurons; /* all populations' sizes */
    uint32_t grain;   /* work per thread (neuron updates and synaptic events) for a phase */
    int split;        /* RT_SPLIT_* */
    uint64_t dq_epoch; /* spike histories replaced (a restored checkpoint): the queues of
                          due parts are made anew (rt_dqs) */
    int compact_isa;   /* the spike compaction's instructions (RT_COMPACT_*, compact.c) */
    rt_adapt adapt;
    rt_bal bal;
    double *signal;      /* m->nsignals values of the current step */
    double *signal_pin;  /* values pinned by axon_sim_set_signal ... */
    uint8_t *pinned;     /* ... where pinned[k] */
    double *shared;      /* m->nshared parameter values (at least one element) */
    double *derived;     /* m->nderived values derived from them (at least one element) */
    double *derived_new; /* scratch for a change of a shared value (param.c) */
    void *const **pop_vars; /* m->npops: pops[k].vars, for ctx.pop_vars (at least one) */
    double wall;
    volatile sig_atomic_t stop; /* axon_sim_stop: stop before the next step */
    int partial;                /* the last run stopped before its end (manifest.json) */
    int nf_action;              /* AXON_NONFINITE_* */
    int nf_found;               /* nf holds the first non-finite value found */
    int nf_stop;                /* over MPI ranks: this rank found one and asked all to stop */
    axon_nonfinite nf;
    char nf_text[1024];         /* nf described (the message of AXON_ENONFINITE) */
    uint64_t nf_checked;        /* the step of the last check (everything finite then) */
    axon_err err;
    struct rt_ctl *ctl; /* control.c: injections, pushed spikes, spike callbacks; NULL until used */
    int busy;           /* in rt_run: callbacks may not run the simulation again */
    int syn_live;       /* a live array of synapse variables was handed out (axon_sim_syn_var,
                           axon_sim_proj_data): callbacks may read it (rt_proj_sync first) */
    struct rt_mpi *mpi; /* mpi.c: this process's part of a simulation over MPI ranks, or NULL */
    char **meta; /* axon_sim_set_meta: nmeta (key, value) pairs, key at 2k, value at 2k + 1 */
    uint32_t nmeta;
};

/* compact.c: the indices i of [b, e) with fired[i] != 0, in increasing order, to out (room for
 * e - b); isa: the instructions to use, at most rt_compact_isa()'s. The same list with any. */
enum { RT_COMPACT_WORDS, RT_COMPACT_SSE2, RT_COMPACT_AVX2, RT_COMPACT_AVX512 };
size_t rt_compact(int isa, const uint8_t *fired, uint32_t b, uint32_t e, uint32_t *out);
/* The best this CPU has (the environment variable AXON_TEST_COMPACT, "words", "sse2" or
 * "avx2", asks the tests' lower one) */
int rt_compact_isa(void);

/* engine.c: an AXON_ALIGN-aligned block of at least `bytes` (rounded up to the alignment; *size,
 * if not NULL, is the size), for free(). Not aligned to RT_HUGE (2 MiB: element i of every large
 * array would share a cache set); proj.c asks for huge pages inside its synapse arrays
 * (rt_alloc_syn). */
#define RT_HUGE ((size_t)2 << 20)
void *rt_alloc(size_t bytes, size_t *size);
/* rt_alloc, zeroed */
void *rt_alloc_zeroed(size_t bytes);

/* engine.c: the context of step `step` (t = step dt) with the simulation's parameter blocks. */
axon_step_ctx rt_ctx(const axon_sim *s, uint64_t step, const double *signals);

/* param.c: checks the parameter table, allocates the blocks, copies the defaults and derives
 * (before any kernel runs); rt_params_free releases the blocks. */
axon_status rt_params_init(axon_sim *s, axon_err *err);
void rt_params_free(axon_sim *s);
/* param.c: the index of the first change of the protocol not yet applied (step >= s->step);
 * rt_protocol_apply applies the changes of step s->step from *next on, moving it past them
 * (a refused change: the run fails with the message). */
uint32_t rt_protocol_next(const axon_sim *s);
axon_status rt_protocol_apply(axon_sim *s, uint32_t *next);
/* Before a run of steps [s->step, end): whether the protocol's changes in it, from next on,
 * applied in order to the shared values as they are now, keep every derived value that is
 * finite finite (as axon_sim_set_param requires at each change). A change that would not is
 * refused now, before the first step, in s->err: not after part of the run. */
axon_status rt_protocol_precheck(axon_sim *s, uint32_t next, uint64_t end);

/* Every public function that can fail on a simulation starts with rt_begin(s): a failure
 * then leaves its own message (axon_err_set(&s->err, ...)) and a success leaves "", so
 * axon_sim_error never describes an older call. */
static inline void rt_begin(axon_sim *s)
{
    s->err.msg[0] = '\0';
}
/* AXON_OK, or AXON_EINVAL with a message naming fn, for a population (projection) index out
 * of range. */
axon_status rt_check_pop(axon_sim *s, int pop, const char *fn);
axon_status rt_check_proj(axon_sim *s, int proj, const char *fn);

/* A population or projection, as seen by rt_var_view. */
typedef struct {
    const char *name;
    const axon_var_desc *vars;
    uint32_t nvars;
    size_t size;
    void *const *data;
    size_t size_pre, size_post; /* projections: of AXON_VAR_PER_PRE / _PER_POST variables */
} rt_var_owner;

/* A 1-D view of variable "OWNER.VAR" (split at the last '.'), searching owners
 * 0..n-1; what names the kind of owner in messages. Shared by axon_sim_var and
 * axon_sim_syn_var. */
axon_status rt_var_view(axon_sim *s, const char *path, const char *what, uint32_t n,
                        void (*owner)(const axon_sim *, uint32_t, rt_var_owner *),
                        axon_tensor *view);

/* engine.c: nsteps steps (the loop of every run function): reserves recorder memory, steps,
 * reports progress, calls the spike callbacks and on_step after each step. AXON_EINVAL when
 * called from a callback of s or past 2^48 steps. */
typedef struct {
    void (*progress)(void *user, double done_fraction);
    void *progress_user;
    axon_step_fn on_step;
    void *user;
} rt_run_cbs;
axon_status rt_run(axon_sim *s, uint64_t nsteps, const rt_run_cbs *cb);

/* units.c: the factor from unit (NULL or "": si itself; a named unit with an SI prefix such as
 * "nA", "mV"; a product of base units) to si, the unit a variable is stored in as the
 * descriptor writes it; AXON_EINVAL (with a message naming path) for another dimension or a
 * unit it does not know. */
/* A unit's exponents over m, kg, s, A, K, mol, cd and its factor to SI (units.c); 0 when it
 * parses. */
int rt_unit_parse(const char *u, double e[7], double *scale);
/* The symbol of the unit of factor 1 with the exponents e (the first in the table the language
 * and the API share, unit_table.h: "V", "Hz", "ohm"); NULL for none or a dimensionless e. */
const char *rt_unit_symbol(const double e[7]);
/* How many units `to` one unit `from` is, when both are units of the same dimension: 1, else 0
 * (and *scale 1). */
int rt_unit_convert(const char *to, const char *from, double *scale);
axon_status rt_unit_scale(axon_sim *s, const char *path, const char *si, const char *unit,
                          double *scale);

/* control.c (s->ctl != NULL) */
void rt_ctl_free(axon_sim *s);
/* Before the populations' updates: adds the held injections to their inputs. */
void rt_ctl_pre_update(axon_sim *s);
/* After the updates (spike lists complete): merges the pushed spikes into the step's. */
void rt_ctl_post_update(axon_sim *s);
/* Whether an injection is held on an input of population pop. */
int rt_ctl_injects(const axon_sim *s, uint32_t pop);
/* After a step: the spike callbacks. Returns non-zero to stop the run (never, today). */
int rt_ctl_after_step(axon_sim *s);

/* structure.c: structural plasticity (a projection with the hidden variable "active") */
int rt_struct_is(const axon_proj_desc *d);
/* Active synapses of projection proj held here (all of them for one without structural
 * plasticity: the whole projection's). */
uint64_t rt_struct_active(const axon_sim *s, int proj);

/* proj.c */
/* Checks the projection descriptors (before anything is allocated). */
axon_status rt_proj_check(const axon_model_desc *m, axon_err *err);
/* Builds every projection's connectivity, runs the synapse init kernels, sets up the spike
 * histories. Populations and the pool exist. */
axon_status rt_proj_setup(axon_sim *s, axon_err *err);
void rt_proj_free(axon_sim *s);
/* Reserves spike-history room for k worst-case steps stored from step `first` on. */
axon_status rt_proj_reserve_steps(axon_sim *s, uint64_t first, uint32_t k, axon_err *err);

/* deliver.c */
/* Before the populations' updates of step ctx->step: the continuous kernels, then the
 * per-post variables advanced to the time of the step's events (post_decay, ABI 14). */
void rt_proj_continuous(axon_sim *s, const axon_step_ctx *ctx);
/* After every population's update of step `step`: stores the step's spikes. */
void rt_proj_store(axon_sim *s, uint64_t step);
/* Stores the n spikes spk of population pi in step `step` (rt_proj_store for one population). */
void rt_proj_store_pop(axon_sim *s, int pi, uint64_t step, const uint32_t *spk, size_t n);
/* After rt_proj_store: delivers the spikes due now (on_pre), projection by projection, on the
 * caller, or with par (RT_SPLIT_PHASE, RT_SPLIT_FUSED) in a parallel phase when there are
 * enough. */
void rt_proj_deliver(axon_sim *s, const axon_step_ctx *ctx, int par);
/* Delivers the spikes due now to the targets in chunk `task` of each projection's post
 * population (RT_SPLIT_*). */
void rt_proj_deliver_part(axon_sim *s, const axon_step_ctx *ctx, int task);
/* engine.c: assigns the populations to the pool's tasks by their work since the last
 * assignment, every RT_BAL_STEPS steps (s->bal; with `updates` their neuron updates counted,
 * for a fused phase, else the synaptic events alone). */
void rt_balance(axon_sim *s, int updates);
/* Delivers the spikes due now to every target of population `pop` (by populations, engine.c:
 * whole rows, on one thread; `task` picks the thread's scratch). */
void rt_proj_deliver_pop(axon_sim *s, const axon_step_ctx *ctx, uint32_t pop, int task);
/* engine.c: in a phase by populations (s->bal.on), task `task`'s share: fn(arg, i, task) for
 * each population i of its own list, then for those of the other tasks' lists that no task
 * has claimed yet, each list from its end (smallest first); every population once per phase.
 * `phase` is the phase's stamp, ++s->bal.phase taken by the caller before the phase. */
void rt_bal_run(axon_sim *s, uint64_t phase, int task, void (*fn)(void *, uint32_t, int),
                void *arg);
#ifdef AXON_SCHED_STATS
/* The counters (pool.h): the pool's, and *bal the balance's (rt_bal's st_ fields). */
void rt_sched_stats_get(const axon_sim *s, rt_pool_stats *pool, const rt_bal **bal);
#endif
/* After delivery: pre_after, on_post and post_after, every_step kernels (model.h, ABI 3). */
void rt_proj_plasticity(axon_sim *s, const axon_step_ctx *ctx);
/* Deferred on_post (AXON_PROJ_DEFER_POST): the recent post spikes each post neuron keeps, at
 * most, and the steps a flush may be apart at most (the steps are kept in 16 bits). */
#define RT_DEFER_HIST AXON_DEFER_HIST
#define RT_DEFER_SPAN 65535u
#define RT_DEFER_BATCH 256
/* Deferred on_post pays per delivered synapse (a look at its target's history) to save the
 * column walk's scattered weight updates: a loss while the weights fit in the caches (COBA with
 * STDP at N = 4,000, 1.6 MB of weights: 0.131 s against 0.109 s eager), even at 6.5 MB
 * (16,000), a gain at 26 MB (64,000: 3.04 s against 3.20 s; bench/HISTORY.md, Plasticity):
 * the runtime defers when the weights take at least this. */
#define RT_DEFER_MIN_BYTES (8u << 20)
/* Brings the synapse variables of every projection whose on_post is deferred up to date
 * before they are read or changed from outside the kernels (records, checkpoints, the API,
 * parameter changes, the end of a run): between steps, or after a step's plasticity. */
void rt_proj_sync(axon_sim *s);
/* Forgets the deferred post spikes (after a checkpoint's state replaced the synapses'). */
void rt_proj_defer_reset(axon_sim *s);
/* Synaptic events due in step n, estimated from the due spikes and mean row lengths. */
double rt_proj_events_due(const axon_sim *s, uint64_t n);

/* record.c */
axon_status rt_rec_init(axon_sim *s, axon_err *err);
void rt_rec_free(axon_sim *s);
/* Reserves sample storage for the steps [s->step, s->step + nsteps). */
axon_status rt_rec_reserve_run(axon_sim *s, uint64_t nsteps, axon_err *err);
/* Reserves room for k worst-case steps (every neuron of every recorded population fires). */
axon_status rt_rec_reserve_steps(axon_sim *s, uint32_t k, axon_err *err);
/* Records population pi after its update in step s->step; cannot fail after the reserves.
 * Its spikes and rate too, unless s->mpi (which records them with rt_rec_spikes); values at
 * spikes always (over MPI ranks, those of this rank's spikes). */
void rt_rec_pop_step(axon_sim *s, int pi);
/* Spike and rate records of population pi over MPI ranks: every rank's n spikes spk of step
 * `step`, after the exchange. */
void rt_rec_spikes(axon_sim *s, int pi, uint64_t step, const uint32_t *spk, size_t n);
/* Weight records after step s->step (after delivery). */
void rt_rec_syn_step(axon_sim *s);
/* Before the updates of step s->step: samples the records of input variables (kind
 * AXON_VAR_INPUT) due in this step, which the update clears. */
void rt_rec_inputs(axon_sim *s);

/* mpi.c: a simulation split over the ranks of an MPI communicator (docs/mpi.md). Without
 * MPI (configure), rt_mpi_new fails with AXON_EINVAL and the rest never run. */
typedef struct rt_mpi rt_mpi;
/* Duplicates *(MPI_Comm *)comm (collective). */
axon_status rt_mpi_new(rt_mpi **mp, const void *comm, axon_err *err);
void rt_mpi_free(rt_mpi *mp);
/* Collective: st unless another rank failed (then AXON_EINVAL: "rank R of K could not what
 * (see its message)"). */
axon_status rt_mpi_agree(rt_mpi *mp, axon_status st, const char *what, axon_err *err);
/* Ranks of the simulation (1 without MPI), and this one's (0 without MPI). */
int rt_mpi_size(const axon_sim *s);
int rt_mpi_rank(const axon_sim *s);
/* Collective over the simulation's ranks (nothing without them): n values of rank 0's v to
 * every rank. */
void rt_mpi_bcast(axon_sim *s, uint64_t *v, int n);
/* Collectively, in place over the simulation's ranks: the sums, the minima, and the sums over
 * the lower ranks (0 on rank 0) of the n values v (without MPI: v, v and 0). */
void rt_mpi_sum(const axon_sim *s, uint64_t *v, size_t n);
void rt_mpi_min(const axon_sim *s, uint64_t *v, size_t n);
void rt_mpi_exscan(const axon_sim *s, uint64_t *v, size_t n);
/* Whether an rt_mpi_agree has failed: every rank knows of that failure already. */
int rt_mpi_failed(const rt_mpi *mp);
/* The block [lo, hi) of a population of n neurons that this rank updates. */
void rt_mpi_range(const rt_mpi *mp, uint32_t n, uint32_t *lo, uint32_t *hi);
/* After the projections: checks what the model needs against a split over ranks, chooses the
 * exchange interval and allocates the exchange buffers. */
axon_status rt_mpi_setup(axon_sim *s, axon_err *err);
/* Before step s->step: the steps whose spikes are not exchanged yet, this one included (the
 * first of them in *first), for the reserves. */
uint32_t rt_mpi_window(const axon_sim *s, uint64_t *first);
/* After the updates of step `step`: buffers this rank's spikes; at the end of an interval
 * exchanges them and stores, counts and records every rank's. A failed exchange (out of
 * memory on a rank) fails on every rank alike, with the message in s->err, and leaves the
 * simulation unusable (rt_mpi_usable). */
axon_status rt_mpi_step(axon_sim *s, uint64_t step);
/* Exchanges what is buffered, and completes an exchange in flight (the end of a run); fails as
 * rt_mpi_step. */
axon_status rt_mpi_flush(axon_sim *s);
/* Completes the exchange in flight, if any (overlap: rt_mpi_step completes it otherwise, before
 * the next step's delivery); fails as rt_mpi_step. */
axon_status rt_mpi_wait(axon_sim *s);
/* Lets the exchange in flight progress (MPI_Test; nothing when none is). */
void rt_mpi_progress(axon_sim *s);
/* AXON_OK, or AXON_EINVAL (message in s->err) after a failed exchange: nothing can run or be
 * checkpointed then. The same on every rank. */
axon_status rt_mpi_usable(axon_sim *s);
/* Whether a rank was asked to stop (axon_sim_stop), as of the last exchange; 0 between. */
int rt_mpi_stopped(axon_sim *s);
/* Rank r's block [lo, hi) of a population of n neurons (r < rt_mpi_size; all of it without
 * ranks). */
void rt_mpi_block_of(const axon_sim *s, uint32_t n, int r, uint32_t *lo, uint32_t *hi);
/* Collective: n values of every rank, in rank order, into all (size * n, on rank 0 only). */
void rt_mpi_gather_u64(axon_sim *s, const uint64_t *mine, int n, uint64_t *all);
/* Collective: every rank's n values (n may differ between ranks, below 2^31 in all), in rank
 * order, into all on rank 0, where counts[r] is rank r's n. */
void rt_mpi_gatherv_u64(axon_sim *s, const uint64_t *mine, int n, uint64_t *all,
                        const uint64_t *counts);
/* Collective: the array x of n elements of type elem (resolved, rt_elem; a population
 * variable), of which each rank holds its block, becomes whole on every rank (nothing without
 * ranks). */
void rt_mpi_allgather_block(axon_sim *s, void *x, int32_t elem, uint32_t n);
/* write.c: axon_sim_write over several ranks (each writes its part, rank 0 the manifest). */
axon_status rt_write_ranks(axon_sim *s, const char *dir, axon_err *err);


/* write.c: frees what axon_sim_set_meta stored. */
void rt_meta_free(axon_sim *s);

#endif /* AXON_RT_SIM_H */
