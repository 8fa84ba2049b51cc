/*
 * model.h — the contract between generated code and the runtime.
 *
 * A compiled model (JIT or ahead-of-time object) exports one constant
 * axon_model_desc named `axon_model`. It describes the populations and their
 * variables and points at the generated kernels. The runtime's engine is
 * generic over descriptors: it allocates the state, calls the kernels over
 * neuron ranges (in parallel), collects spikes and records.
 *
 * Storage: every variable of a population is one array of `size` values of
 * the model's precision (float when precision == 4, double when 8), 64-byte
 * aligned. Booleans and hidden counters are stored as numbers (0/1) in the
 * same precision. Kernels receive `vars`, an array of those array pointers
 * in the order of the descriptor's `vars`.
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

#define AXON_ABI_VERSION 1

typedef enum {
    AXON_VAR_STATE = 0,  /* state variable */
    AXON_VAR_PARAM = 1,  /* per-neuron parameter */
    AXON_VAR_INPUT = 2,  /* summed input, cleared at the end of every step */
    AXON_VAR_HIDDEN = 3, /* compiler-made (refractory counters, flags) */
} axon_var_kind;

typedef struct {
    const char *name;
    const char *unit; /* SI unit of the stored value ("V", "S", "A", "1", "m^-2*kg^-1*s^3*A^2") */
    int32_t kind;     /* axon_var_kind */
    int32_t is_bool;
} axon_var_desc;

typedef struct {
    double t;              /* time at the start of the step, in s */
    uint64_t step;
    uint64_t seed;
    const double *signals; /* module signals (modulators), or NULL */
} axon_step_ctx;

/* Writes the initial value of every variable for neurons [begin, end).
 * ctx->step is 0. */
typedef void (*axon_init_fn)(const axon_step_ctx *ctx, void *const *vars, uint32_t begin,
                             uint32_t end);
/* One step for neurons [begin, end); see the order above. fired may be NULL
 * for populations that do not spike. */
typedef void (*axon_update_fn)(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired,
                               uint32_t begin, uint32_t end);

typedef struct {
    const char *name;          /* "E", "c1.E" */
    const char *type;          /* the neuron type ("LIFCond") */
    uint32_t size;
    uint32_t nvars;
    const axon_var_desc *vars;
    axon_init_fn init;
    axon_update_fn update;
    int32_t spiking;           /* has a spike condition */
} axon_pop_desc;

typedef enum {
    AXON_REC_SPIKES = 0,  /* every spike: time and index */
    AXON_REC_STATE = 1,   /* a variable, for a subset, every `every` steps */
    AXON_REC_RATE = 2,    /* population rate (spikes / size / dt) every step, averaged over `every` */
    AXON_REC_WEIGHTS = 3, /* synaptic weights of a projection */
} axon_rec_kind;

typedef struct {
    int32_t kind;            /* axon_rec_kind */
    int32_t target;          /* population (or projection for weights) */
    int32_t var;             /* variable index (state / weights) */
    uint32_t nsubset;        /* 0 = all neurons */
    const uint32_t *subset;
    uint32_t every;          /* sampling period in steps, >= 1 */
} axon_record_desc;

typedef struct {
    uint32_t abi;            /* AXON_ABI_VERSION */
    const char *name;        /* the module */
    uint32_t precision;      /* bytes per stored value: 4 or 8 */
    double dt;               /* s */
    double duration;         /* default run length from `run ... for`, s; 0 = none */
    uint32_t npops;
    const axon_pop_desc *pops;
    uint32_t nprojs;         /* projections: the next ABI version */
    const void *projs;
    uint32_t nrecords;
    const axon_record_desc *records;
} axon_model_desc;

#ifdef __cplusplus
}
#endif

#endif
