/*
 * axon.h — the embedding API: run a compiled model (an axon_model_desc, see model.h).
 *
 *     axon_err err;
 *     axon_opts o = {.seed = 1, .threads = 4};
 *     axon_sim *s = axon_sim_new(&axon_model, &o, &err);
 *     if (!s) { report(err.msg); ... }
 *     if (axon_sim_run(s, 1.0, NULL, NULL) != AXON_OK) report(axon_sim_error(s));
 *     axon_sim_write(s, "out", &err);
 *     axon_sim_free(s);
 *
 * Storage. Every variable is one zeroed, 64-byte aligned array whose capacity is the population
 * size rounded up to a multiple of 16 elements (fired[] too). The engine calls kernels with
 * ranges whose begin is a multiple of 16 and whose end is a multiple of 16 or the population
 * size, so a vectorised kernel may process whole blocks of 16 and run over the padding of the
 * last block: values written there are never read back, recorded or counted.
 *
 * Threads. threads <= 1 runs everything on the caller's thread. Otherwise every population's
 * neurons are split statically into at most `threads` contiguous chunks on 16-neuron boundaries
 * and the simulation owns a pool of worker threads (one per chunk of its largest population,
 * less one: the caller takes part). A step runs either as one parallel phase (each chunk of
 * every population a task, taken by whichever thread is free) or on the caller alone, which
 * the simulation chooses by measuring (axon_sim_set_grain). The spike list of a step is the
 * concatenation of the chunks' spikes, i.e. increasing index order, so results are
 * bit-identical for any thread count (kernels are per-neuron independent).
 *
 * Time conventions (step n covers [n dt, (n+1) dt), see model.h). Everything observed at the
 * end of step n is stamped with t = (n+1) dt, the time the values belong to:
 *   - spikes found in step n have time (n+1) dt (the condition is evaluated on the values at
 *     the end of the step);
 *   - a state (or weight) record with period k samples after steps n with (n+1) % k == 0,
 *     i.e. at times k dt, 2k dt, ...; the initial values (t = 0) are not recorded. An input
 *     variable (kind AXON_VAR_INPUT), which the update consumes and clears, is sampled just
 *     before the update of step n: the sum that update integrated (the deliveries of step
 *     n - 1, the continuous synapses and injections of step n), stamped (n+1) dt too;
 *   - a rate record with period k gives, at those same times, the spikes of the last k steps
 *     divided by (size * k * dt), in Hz.
 * Step numbers and times continue across axon_sim_run calls.
 *
 * Projections (model.h). Connectivity is built in axon_sim_new as CSR by presynaptic neuron
 * (targets in increasing order within a row) from the seed alone: the same seed gives the same
 * synapses whatever the thread count. When pre == post and autapses is 0, no connector makes
 * i -> i (random and fixed-degree draws are over the other n - 1 neurons). Per-synapse variables
 * are stored like neuron variables (zeroed, 64-byte aligned, padded to a multiple of 16); the
 * synapse init kernel runs over [0, nsyn) split on 16-synapse boundaries between threads.
 * In step n: continuous kernels (each projection in order, every non-empty row in order), every
 * population's update, then each projection in order delivers the spikes of step
 * n - delay_steps in index order (on_pre), then recording. Continuous kernels run on the
 * calling thread, on_pre kernels too unless flagged AXON_PROJ_SPLIT (model.h): those are
 * delivered in parallel by target ranges, in the same order per target. Limits (AXON_ERANGE,
 * docs/limits.md): 2^32 - 1 synapses per projection, a projection-wide delay below 2^24 steps,
 * per-synapse delays of at most 65,535 steps.
 *
 * Errors. Every function that can fail returns an axon_status (or -1, 0 or NULL where it
 * returns a value) and never prints or exits. A NULL simulation gives AXON_EINVAL (or the neutral
 * value) and nothing else happens; on a live simulation a failing call leaves its message for
 * axon_sim_error, and a call that can fail and succeeds leaves "", so the message always belongs
 * to the last such call: none describes an older one. Arguments are checked (indices, names,
 * NULL pointers, non-finite numbers) before anything changes: a failed call changes nothing.
 *
 * Thread safety. No function keeps global state; simulations are independent. Each function
 * below says which of these it is:
 *   [any thread]  may be called from any thread at any time, also at once;
 *   [sim]         uses the simulation exclusively: no other call on the same axon_sim may run
 *                 at the same time (a call on another simulation may). Reading functions are
 *                 [sim] too, since they leave their message in the simulation.
 * Callbacks (progress, step and spike callbacks) run on the thread that called the run
 * function, between steps, never on the simulation's worker threads.
 */
#ifndef AXON_AXON_H
#define AXON_AXON_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "axon/model.h"
#include "axon/status.h"
#include "axon/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- versions ---------------------------------------------------------------------------- */

/* The version of the headers; axon_version() is the version of the library actually linked
 * (or loaded), which may be newer. */
#define AXON_VERSION_MAJOR 0
#define AXON_VERSION_MINOR 1
#define AXON_VERSION_PATCH 0
#define AXON_VERSION_STRING "0.1.0"
#define AXON_VERSION_NUMBER                                                                        \
    (AXON_VERSION_MAJOR * 10000 + AXON_VERSION_MINOR * 100 + AXON_VERSION_PATCH)

/* [any thread] The library's version: "MAJOR.MINOR.PATCH" (static), and as a number. */
const char *axon_version(void);
int axon_version_number(void);
/* [any thread] The descriptor ABI the library implements (AXON_ABI_VERSION of its model.h):
 * axon_sim_new accepts only descriptors whose abi field equals it. */
int axon_abi_version(void);

/* ---- loading a model ---------------------------------------------------------------------
 * Three ways to get a descriptor for axon_sim_new:
 *   - link it: `axon build --emit obj` writes model.o and model.h (extern const axon_model_desc
 *     axon_model, or the --symbol name); link model.o into the program;
 *   - load it: `axon build --emit shared -o model.so`, then axon_model_open below;
 *   - compile it at run time with libaxonc (<axon/axonc.h>: axonc_jit).
 */

typedef struct axon_model_handle axon_model_handle;

/*
 * Opens the shared library at path (a name without '/' means the file in the current
 * directory, not a library search) and finds the descriptor named symbol (NULL:
 * "axon_model", the default of `axon build --symbol`). Checks its ABI: a model compiled for
 * another runtime ABI is refused (AXON_EINVAL, the message gives both versions). Returns NULL
 * with a message in err (which may be NULL) on failure: AXON_EIO when the library cannot be
 * loaded (dlerror's reason), AXON_EINVAL for a missing symbol, or one that is not a
 * descriptor: a function, a variable of a library it links, a variable of another size. [any
 * thread]
 */
axon_model_handle *axon_model_open(const char *path, const char *symbol, axon_err *err);
/* [any thread] The descriptor (NULL for a NULL handle); valid until axon_model_close. */
const axon_model_desc *axon_model_descriptor(const axon_model_handle *h);
/* Unloads the library: free every simulation of its descriptor first. NULL is a no-op.
 * [any thread], but not while another thread uses h or its descriptor. */
void axon_model_close(axon_model_handle *h);

/* ---- simulations ------------------------------------------------------------------------- */

typedef struct {
    uint64_t seed; /* passed to kernels in axon_step_ctx.seed */
    int threads;   /* 0 = 1; at most AXON_MAX_THREADS */
    /* NULL, or a flag that stops axon_sim_new's build when it becomes non-zero (a signal
       handler may set it): the build ends at the next projection or stage of one (the
       microcircuit's 64 projections: within a second), and axon_sim_new returns NULL with the
       message "stopped while building the network". Read only while axon_sim_new runs; not
       by axon_sim_new_mpi, whose ranks build together. */
    const volatile sig_atomic_t *stop;
} axon_opts;

#define AXON_MAX_THREADS 1024

typedef struct axon_sim axon_sim;

/*
 * Checks the descriptor (ABI version AXON_ABI_VERSION, precision 4 or 8, dt > 0, unique
 * population and projection names, connectors and their parameters, record targets and
 * subsets), allocates the state, runs the neuron init kernels at t = 0 (in parallel by ranges),
 * builds the projections and runs their init kernels, and sets up the recorders. o may be NULL
 * (seed 0, one thread). The descriptor and everything it points to must outlive the simulation.
 * Returns NULL with a message in err (which may be NULL) on failure: AXON_EINVAL for a bad
 * descriptor (a NULL one, or one of another ABI version: the message gives both versions),
 * AXON_ERANGE for too many synapses or too long a delay, AXON_ENOMEM. [any thread]: several
 * simulations of one descriptor may be made and run at once.
 */
axon_sim *axon_sim_new(const axon_model_desc *m, const axon_opts *o, axon_err *err);

/*
 * axon_sim_new over the ranks of an MPI communicator (docs/mpi.md): comm points at an MPI_Comm
 * (MPI initialised, every rank calling with the same model and options; collective). Each rank
 * updates a contiguous block of every population and keeps the synapses onto its neurons;
 * spikes are exchanged every minimum-delay interval, and results are those of axon_sim_new,
 * bit for bit. Collective also are axon_sim_run (and the other run functions, which must get
 * the same arguments on every rank, and whose step callbacks must agree) and axon_sim_write,
 * where every rank writes its part of the state records, values at spikes and records of
 * synapse variables, and rank 0 the
 * rest and the manifest naming the parts (read as one process's). Every rank sees every spike
 * (axon_sim_spikes, counts) but only its own neurons' state (axon_sim_var). Checkpoints are collective: every
 * rank writes its own part and rank 0 a manifest, restored with as many ranks (docs/mpi.md).
 * Injections and pushed spikes, given alike to every rank, act on the rank that owns each
 * neuron; spike callbacks and axon_sim_step_spikes give a rank its own neurons' spikes.
 * Kernels that read presynaptic neurons' variables (continuous synapses, pre.x) read the
 * values gathered from every rank. What is not over several ranks yet (tripartite synapses
 * by the source, handlers that write at the target what they read at the source in one
 * population: docs/mpi.md) is AXON_EINVAL from here.
 * A spike exchange that cannot grow on one rank (out of memory) fails axon_sim_run on every
 * rank alike (AXON_ENOMEM on that rank, AXON_EINVAL naming it on the others), and the
 * simulation cannot go on. Another run failure on one rank leaves the others waiting: end the
 * job (MPI_Abort).
 * AXON_EINVAL when the runtime was built without MPI (configure --with-mpi). Threads: as
 * axon_sim_new, but on a thread that MPI allows to communicate (with MPI_THREAD_FUNNELED,
 * the one that initialised MPI); so are the collective calls on the simulation.
 */
axon_sim *axon_sim_new_mpi(const axon_model_desc *m, const axon_opts *o, const void *comm,
                           axon_err *err);

/* How a simulation is split over MPI ranks: one rank (and the rest 0) for axon_sim_new's. */
typedef struct {
    int rank, size;           /* this rank, and the ranks */
    uint32_t interval;        /* steps between spike exchanges */
    uint64_t exchanges;       /* exchanges so far */
    uint64_t bytes;           /* bytes this rank received in them */
    double comm_seconds;      /* wall time in the exchanges (waiting for other ranks included) */
    uint64_t gathers;         /* gathers of a whole population's variable so far (signals,
                                 topk, synapses reading pre.x: docs/mpi.md) */
    double gather_seconds;    /* wall time in them (waiting for other ranks included) */
    int overlap;              /* 1: each exchange runs while the next step's neurons are
                                 updated (the default with delays >= 1 step; AXON_MPI_OVERLAP=0
                                 turns it off: docs/mpi.md) */
} axon_mpi_info;
/* [sim] Fills *info (NULL: a no-op). */
void axon_sim_mpi_info(const axon_sim *s, axon_mpi_info *info);

/* [sim] Frees everything the simulation owns (every array, view and pointer it handed out);
 * stops the worker threads. NULL is a no-op. */
void axon_sim_free(axon_sim *s);

/*
 * The memory a simulation of m for `duration` seconds would take, from the descriptor alone
 * (nothing is allocated): the state, the connectivity and synapse variables, the spike
 * histories, the recordings (state, rate and weight records reserve their samples; a spike
 * record takes 12 bytes per recorded spike beyond the room for one step, which no estimate
 * can know), and the temporaries of building the projections. Nor can it know the queues of
 * parts of rows due through per-synapse delays (12 bytes per part in flight: the firing rate
 * times the range of delays times the parts per row), which are not counted. items (may be
 * NULL; else room for cap >= npops + nprojs + nrecords) receives one item per population,
 * projection and record, in that order; *total the peak in bytes (building or running,
 * whichever is larger).
 * Counts and bytes are doubles: a model may ask for more than 2^64. Not counted: the
 * program, the compiler, the worker threads' stacks, a few KiB per object. AXON_EINVAL for a
 * bad descriptor or duration, AXON_ERANGE when cap is too small. [any thread]
 */
enum { AXON_MEM_POP = 0, AXON_MEM_PROJ = 1, AXON_MEM_REC = 2 };
enum {
    AXON_MEM_EXACT = 0,    /* count is exact */
    AXON_MEM_EXPECTED = 1, /* the expected number of synapses (a random connector) */
    AXON_MEM_AT_MOST = 2,  /* the most (a `where` condition, known only by evaluating it) */
};
typedef struct {
    int32_t kind;  /* AXON_MEM_POP, _PROJ, _REC */
    int32_t index; /* of the population, projection or record in the descriptor */
    double count;  /* neurons, synapses, samples (spike records: the room for one step) */
    double bytes;
    int32_t approx; /* AXON_MEM_EXACT, _EXPECTED, _AT_MOST */
} axon_mem_item;
axon_status axon_model_memory(const axon_model_desc *m, double duration, axon_mem_item *items,
                              size_t cap, double *total, axon_err *err);

/*
 * Runs round(duration / dt) steps from the current time (call repeatedly to continue).
 * progress, when not NULL, is called at most 100 times per call with the fraction of this
 * call's steps done, the last time with 1.0 (not at all for a run of zero steps). Recorder
 * memory is reserved before a step touches the state, so on AXON_ENOMEM the simulation stays
 * consistent at the end of the last completed step and may be continued or written.
 * Errors: AXON_EINVAL for a negative, non-finite or too long duration; AXON_ENOMEM;
 * AXON_ESTOPPED when axon_sim_stop asked it to stop early; AXON_ENONFINITE when a state
 * variable became NaN or infinite (axon_sim_set_nonfinite). [sim]
 */
axon_status axon_sim_run(axon_sim *s, double duration,
                         void (*progress)(void *user, double done_fraction), void *user);

/* ---- run control ------------------------------------------------------------------------- */

/*
 * Asks axon_sim_run to stop before its next step: the run returns AXON_ESTOPPED with the
 * simulation consistent at the end of the last step done, so it may be written (the manifest
 * says "partial": true) or continued. Only sets a flag (volatile sig_atomic_t), so it is safe in
 * a signal handler and from any thread; the library itself installs no handlers. A request
 * made while no run is in progress stops the next run before its first step. Every run
 * function (axon_sim_step, axon_sim_run_until) stops so. [any thread]
 */
void axon_sim_stop(axon_sim *s);

/*
 * Non-finite state. Every AXON_NONFINITE_EVERY steps (after the steps whose number is a
 * multiple of it) and at the end of every run call, the runtime looks for a NaN or an infinity
 * in the state variables (AXON_VAR_STATE) of every population, then in those of every projection
 * (per synapse, and the variables kept per pre or post neuron). What it does with the first one
 * found is the action set here:
 *   AXON_NONFINITE_STOP (the default): the run returns AXON_ENONFINITE after that step, with
 *     the message naming the population (projection), variable, the source location of its
 *     equation (axon_var_desc.where), neuron (synapse), value and time; the simulation is
 *     consistent (as after axon_sim_stop: it may be written, "partial": true) and the next run
 *     checks again;
 *   AXON_NONFINITE_WARN: the run goes on; the finding is kept for axon_sim_nonfinite and no
 *     later check is made;
 *   AXON_NONFINITE_IGNORE: no check at all.
 * The check only reads the state, so results never depend on it; it costs one pass over the
 * state every AXON_NONFINITE_EVERY steps (bench/neurons: under 1%), but a caller that runs
 * one step at a time pays it after every step. AXON_EINVAL for another action. [sim]
 */
#define AXON_NONFINITE_EVERY 64
enum { AXON_NONFINITE_STOP = 0, AXON_NONFINITE_WARN = 1, AXON_NONFINITE_IGNORE = 2 };
axon_status axon_sim_set_nonfinite(axon_sim *s, int action);

typedef struct {
    int32_t pop;     /* population index, or -1 for a projection's variable */
    int32_t var;     /* variable index in the population's (projection's) descriptor */
    uint32_t neuron; /* a population's: the lowest index holding a non-finite value of that
                        variable (as index); UINT32_MAX for a projection's */
    double value;    /* NaN, +Inf or -Inf */
    uint64_t step;   /* found in the state after this many steps (time step * dt) */
    uint64_t since;  /* the previous check, which found everything finite (steps) */
    int32_t proj;    /* projection index, or -1 for a population's variable */
    uint64_t index;  /* the lowest index holding one: a neuron, a synapse (a projection's
                        AXON_VAR_STATE, in its CSR order), a pre or post neuron (AXON_VAR_PER_PRE,
                        _PER_POST) */
    const char *text; /* the finding in words, as the message of AXON_ENONFINITE gives it (with
                         the variable's equation from axon_var_desc.where); owned by the
                         simulation, valid until the next check finds another */
} axon_nonfinite;

/* [sim] The first non-finite value found since the last axon_sim_set_nonfinite (or since
 * axon_sim_new): 1 with *out filled (out may be NULL), 0 when none was found. */
int axon_sim_nonfinite(const axon_sim *s, axon_nonfinite *out);


/*
 * A step callback: called on the calling thread after every step of axon_sim_step and
 * axon_sim_run_until (after recording and the spike callbacks), when the step's spikes, state
 * and time (axon_sim_time: the end of the step) are final. It may read and write state, inject
 * currents, push spikes, set signals, read spikes and checkpoint (everything but running,
 * restoring or freeing this simulation): what it changes acts from the next step on. Return 0
 * to go on, non-zero to stop the run after this step (a condition met).
 */
typedef int (*axon_step_fn)(axon_sim *s, void *user);

/*
 * [sim] Runs nsteps steps, calling on_step (may be NULL) after each; stops early when it
 * returns non-zero. AXON_EINVAL past 2^48 steps or when called from a callback of s; AXON_ENOMEM
 * as axon_sim_run (the simulation stays consistent at the end of the last completed step).
 */
axon_status axon_sim_step(axon_sim *s, uint64_t nsteps, axon_step_fn on_step, void *user);

/*
 * [sim] Runs until the time t_end (s, from the start of the simulation: until
 * axon_sim_steps(s) == round(t_end / dt); nothing when that is not ahead) or until on_step (may
 * be NULL) returns non-zero. AXON_EINVAL for a t_end that is not finite, and as axon_sim_step.
 */
axon_status axon_sim_run_until(axon_sim *s, double t_end, axon_step_fn on_step, void *user);

/* [sim] The message of the last call on s that can fail: "" if it succeeded. Valid until the
 * next call on s. For a NULL s, a static "no simulation". */
const char *axon_sim_error(const axon_sim *s);

/* [sim] Facts that cannot fail (NULL s: NULL, 0 or 0.0); they leave the message alone. */
const axon_model_desc *axon_sim_model(const axon_sim *s);
double axon_sim_time(const axon_sim *s);         /* steps * dt, s */
uint64_t axon_sim_steps(const axon_sim *s);      /* steps simulated so far */
int axon_sim_threads(const axon_sim *s);         /* axon_opts.threads, 0 read as 1 */
/* Steps use the threads only with at least `grain` work units (neuron updates plus synaptic
 * events due) per thread, and then only while that measures faster than the caller alone
 * (steps alternate between the two now and then; other load on the machine, or tiny steps,
 * can make the hand-offs cost more than they save). 0 restores the default (1024); 1 uses the
 * threads for every step, unmeasured. Results do not depend on it. [sim] */
void axon_sim_set_grain(axon_sim *s, uint32_t grain);
double axon_sim_wall_seconds(const axon_sim *s); /* [sim] wall-clock time spent running */

/* [sim] Index of the population named name, or -1 (with a message). */
int axon_sim_pop_index(axon_sim *s, const char *name);

/*
 * view = the live array of variable "POP.VAR" (split at the last '.', since population names
 * may contain dots): 1-D, size elements, f32 or f64 (the model precision), not owned (base
 * NULL), valid until axon_sim_free. Writing through it changes the simulation.
 * AXON_EINVAL if there is no such variable. [sim]
 */
axon_status axon_sim_var(axon_sim *s, const char *path, axon_tensor *view);

/*
 * All spikes recorded so far for population pop, in time order and, within a step, in index
 * order: times in s and neuron indices, n of each. The arrays stay valid until the next
 * axon_sim_run or axon_sim_free. AXON_EINVAL if pop has no spike record. Any pointer may be
 * NULL. [sim]
 */
axon_status axon_sim_spikes(axon_sim *s, int pop, const double **times,
                            const uint32_t **indices, size_t *n);

/* [sim] Spikes of population pop so far, counted for every spiking population (0 with a
 * message for a bad pop). */
uint64_t axon_sim_spike_count(axon_sim *s, int pop);

/* [sim] Index of the projection named name, or -1 (with a message). */
int axon_sim_proj_index(axon_sim *s, const char *name);

/* [sim] Synapses of projection proj (0 with a message for a bad proj). */
uint64_t axon_sim_synapse_count(axon_sim *s, int proj);

/* [sim] Active synapses of projection proj now: for a projection with structural plasticity
 * (`structure every` in its synapse or a rule; docs/language.md) those whose hidden "active"
 * is true, out of the pool of axon_sim_synapse_count; for another projection all of them. 0
 * with a message for a bad proj. Over MPI ranks, of a structural projection those held by
 * this rank (the synapses onto its neurons; their sum over the ranks is the whole count, which
 * the manifest of axon_sim_write gives). */
uint64_t axon_sim_active_synapses(axon_sim *s, int proj);

/*
 * Memory of projection proj per synapse, in bytes: post indices (4), its variables (nvars *
 * precision, with padding) and the row offsets (8 per presynaptic neuron), divided by the
 * synapse count; 0 for a bad proj (with a message) or one without synapses. Spike histories
 * (per population) are not included. [sim]
 */
double axon_sim_bytes_per_synapse(axon_sim *s, int proj);

/*
 * The connectivity of projection proj in CSR form: the synapses of presynaptic neuron i are
 * [row[i], row[i+1]) (row has pre size + 1 entries) and post[k] is the target of synapse k.
 * Not owned, valid until axon_sim_free. Either pointer may be NULL. AXON_EINVAL for a bad proj.
 * Where the simulation stores the targets in 2 bytes (AXON_PROJ_POST16, model.h), the first
 * call that asks for post widens them into a copy (4 bytes per synapse, AXON_ENOMEM if that
 * fails). [sim]
 */
axon_status axon_sim_connectivity(axon_sim *s, int proj, const uint64_t **row,
                                  const uint32_t **post);

/*
 * view = the live array of synapse variable "PROJ.VAR" (split at the last '.'), like
 * axon_sim_var: 1-D, one element per synapse in CSR order, model precision (AXON_F32 for a
 * variable stored as float in a double model: `--synapse-precision single`, model.h's
 * axon_var_desc.elem), not owned. AXON_EINVAL if there is no such variable. A variable stored
 * once per pre or post neuron (an STDP trace, its last-update time) has one element per neuron
 * and may share its array with the others of its side (model.h, ABI 12): then strides[0] is
 * their stride (2 or 4), not 1. A static projection's weight may be stored with the targets
 * in blocks of AXON_SYN_BLOCK synapses (model.h, ABI 13, axon_var_desc.block): its view is
 * then 2-D, shape (blocks, AXON_SYN_BLOCK) and strides (axon_var_desc.stride, 1), synapse k
 * at [k / AXON_SYN_BLOCK][k % AXON_SYN_BLOCK]; the last block's entries past the synapse
 * count are padding. [sim]
 */
axon_status axon_sim_syn_var(axon_sim *s, const char *path, axon_tensor *view);

/* The shortest and longest delay of projection proj on the time grid (s), and how many of its
 * per-synapse delays rounding to the grid changed by more than 1% (0 for a projection-wide
 * delay, which the compiler checks). Any pointer may be NULL. [sim] */
axon_status axon_sim_proj_delays(axon_sim *s, int proj, double *dmin, double *dmax,
                                 uint64_t *nrounded);

/*
 * Module signals (`signal dopamine = ...`, read by learning rules as modulators). Every step
 * computes each signal from its expression; axon_sim_set_signal pins a signal to a value from
 * the next step on (a reward delivered by the embedding program, a closed loop), until
 * axon_sim_release_signal. axon_sim_signal reads the value of the last step (or the pinned
 * value). AXON_EINVAL for an unknown name or a value that is not finite. [sim]
 */
axon_status axon_sim_set_signal(axon_sim *s, const char *name, double value);
axon_status axon_sim_release_signal(axon_sim *s, const char *name);
axon_status axon_sim_signal(axon_sim *s, const char *name, double *value);

/* ---- closed loop: spikes out -------------------------------------------------------------- */

/*
 * Spikes delivered by callback: after every step in which population pop spiked, fn(user, pop,
 * t, idx, n) gets that step's spikes (t = the spikes' time, the end of the step; idx: n neuron
 * indices in increasing order, valid during the call), on the calling thread, after recording
 * and before the step callback; populations in index order. Needs no record. One callback per
 * population: a new one replaces the old, fn NULL removes it. AXON_EINVAL for a bad pop or one
 * that does not spike. [sim]
 */
typedef void (*axon_spike_fn)(void *user, int pop, double t, const uint32_t *idx, size_t n);
axon_status axon_sim_on_spikes(axon_sim *s, int pop, axon_spike_fn fn, void *user);

/* [sim] The spikes of population pop in the last step (none before the first): n indices in
 * increasing order, valid until the next step. Needs no record. AXON_EINVAL for a bad pop or one
 * that does not spike. */
axon_status axon_sim_step_spikes(axon_sim *s, int pop, const uint32_t **idx, size_t *n);

/*
 * Spikes by iterator, over a population's spike record (`record spikes POP`): an iterator made
 * by axon_sim_spike_iter yields, one at a time and in record order, the spikes recorded from its
 * start on (from_start != 0: from the beginning of the simulation; 0: from now), also spikes of
 * runs made after it was made: it is a position in the record, a plain value the caller owns
 * (copy it to read twice). axon_sim_spike_next returns 1 and the spike's time and index, or 0
 * when there is none (yet). AXON_EINVAL for a bad pop or one without a spike record (then use
 * axon_sim_on_spikes). [sim]
 */
typedef struct {
    int pop;
    size_t next; /* index of the next spike in the record */
} axon_spike_iter;
axon_status axon_sim_spike_iter(axon_sim *s, int pop, int from_start, axon_spike_iter *it);
int axon_sim_spike_next(axon_sim *s, axon_spike_iter *it, double *t, uint32_t *idx);

/* ---- closed loop: input in ---------------------------------------------------------------- */

/*
 * Units. Values are passed in the SI unit the variable is stored in (axon_sim_var_info gives
 * it as the descriptor writes it: "A", "1", or a product of base units such as
 * "kg*m^2*s^-3*A^-1" for a volt), or, where a function takes a unit, in that unit: products
 * and quotients of named SI units (m g s A K mol cd Hz N Pa J W C V F ohm S Wb T H M l) each
 * with at most one prefix (Y Z E P T G M k h da d c m u or the micro sign in UTF-8, n p f a z
 * y) and an exponent, such as "nA", "mV", "nS", "ms", "Mohm", "mV/ms", "uS/cm^2",
 * "mV/ms^0.5", or the stored form itself; "min" is 60 s. NULL or "" means the stored unit. A
 * unit of another dimension, or one that is not a unit, is AXON_EINVAL. Parameters take the
 * same units.
 */

/* [any thread] Whether from and to are units (as above; not NULL or "") of the same
 * dimension; then *scale (may be NULL) is the value in `to` of one `from` (1e-3 for "s" and
 * "ms"), else 1. axon_unit_convert(u, u, NULL) says whether u is a unit. The one parser of
 * units outside a model: the run options' durations and --set values use it too. */
int axon_unit_convert(const char *to, const char *from, double *scale);

/*
 * [sim] Injects currents: before the update of every step from the next one on, values[k] (in
 * unit) is added to the input variable path ("POP.I", a variable of kind AXON_VAR_INPUT, such as
 * LIF's `inputs { I : A }`) of neuron idx[k] (idx NULL: neuron k, and n must be the population
 * size), after the synapses' contributions of that step, so the update sees their sum. The
 * injection is held until replaced: each call replaces the whole injection of that variable
 * (repeated indices add up); n = 0 removes it. An input record shows the sum. AXON_EINVAL for an
 * unknown or non-input variable, an index out of range, a non-finite value or a bad unit.
 */
axon_status axon_sim_inject(axon_sim *s, const char *path, const uint32_t *idx,
                            const double *values, size_t n, const char *unit);

/*
 * [sim] Pushes spikes: neurons idx[0..n) of population pop spike in the next step. After that
 * step's update they join the spike list the update produced (in increasing index order, a
 * neuron once even if it fired by itself or was pushed twice), so they are delivered through
 * every projection with its delay, recorded, counted, passed to callbacks and seen by `on post`
 * handlers exactly like the neurons' own spikes, at the same time ((n+1) dt for step n). The
 * neurons' state is not touched (no reset, no refractory period): a pushed spike is an external
 * event, like a spike generator's. Pushes add up until that step; the result does not depend on
 * the order of the calls. AXON_EINVAL for a bad pop, one that does not spike, or an index out of
 * range (nothing is pushed then).
 */
axon_status axon_sim_push_spikes(axon_sim *s, int pop, const uint32_t *idx, size_t n);

/* ---- state, parameters and weights between steps ------------------------------------------ */

typedef struct {
    const char *name; /* the variable ("v"); strings live as long as the descriptor */
    const char *unit; /* SI unit of the stored values */
    int kind;         /* axon_var_kind */
    int is_bool;
    int synapse;      /* 0: a population's variable, 1: a projection's */
    int owner;        /* population or projection index */
    int var;          /* index among the owner's variables */
    size_t size;      /* values: neurons, synapses (CSR order), or the pre / post population's
                         size for AXON_VAR_PER_PRE / _PER_POST */
} axon_var_info;

/*
 * [sim] What "OWNER.VAR" is: a variable of a population, else of a projection (split at the last
 * '.'; population names come first when a name is both). AXON_EINVAL if there is none.
 */
axon_status axon_sim_var_info(axon_sim *s, const char *path, axon_var_info *info);

/*
 * [sim] Reads (writes) n values of variable path ("E.v", "E.tau_m" for a per-neuron parameter,
 * "ee.w", "ee.u" for synapse variables) at indices idx[k] (NULL: 0 .. n-1) in unit (see Units),
 * converting from (to) the model's precision. A write takes effect at the next step; it changes
 * a stored per-neuron parameter too. Neuron indices for population variables and per-neuron
 * synapse variables, synapse indices (CSR order, axon_sim_synapse_index) otherwise. AXON_EINVAL
 * for an unknown variable, an index out of range, a NULL array, a bad unit, or (set) a value
 * that is not finite, or not a whole number where the variable holds whole numbers (one stored
 * as integers, and a refractory counter "P._refr" in any storage, which also takes at most
 * 2^31 - 128 steps); nothing is read or written then.
 */
axon_status axon_sim_get_values(axon_sim *s, const char *path, const uint32_t *idx, size_t n,
                                double *out, const char *unit);
axon_status axon_sim_set_values(axon_sim *s, const char *path, const uint32_t *idx, size_t n,
                                const double *values, const char *unit);

/*
 * [sim] The live array of variable var of population pop (of projection proj), as axon_sim_var
 * gives it: float or double by the model precision (a variable with another element type,
 * model.h's axon_var_desc.elem, in that type: a refractory counter may be int8), valid until
 * axon_sim_free. NULL (with a
 * message) for a bad index. For code that knows the model's layout: the header `axon build
 * --emit obj` writes names every index. A projection's variable stored per neuron in an array
 * it shares (axon_var_desc.stride > 1, model.h ABI 12; the header's SYM_PROJ_VAR_stride) has
 * neuron x's value at element x * stride; one in blocks with the targets (axon_var_desc.block
 * > 1, ABI 13; SYM_PROJ_VAR_block) has synapse k's value at element
 * (k / block) * stride + k % block (the pointer is that of synapse 0's value).
 */
void *axon_sim_pop_data(axon_sim *s, int pop, int var);
void *axon_sim_proj_data(axon_sim *s, int proj, int var);

/* [sim] The synapse index (CSR order) of pre -> post in projection proj, or -1 (with a message)
 * when they are not connected or an argument is out of range. O(log row) (O(row) with
 * per-synapse delays). */
int64_t axon_sim_synapse_index(axon_sim *s, int proj, uint32_t pre, uint32_t post);

/* ---- checkpoints ----------------------------------------------------------------------------
 * A checkpoint holds the whole state of a simulation at the end of a step: every population's
 * variables and spike count, every projection's variables, the spikes still in flight in the
 * delay lines, the step counter and seed, the signals (computed and pinned), every recorder's
 * data, and the closed loop's held injections and pushed spikes not yet used. A simulation
 * restored from it continues bit-identically to one that never stopped, for any thread count
 * (random numbers are keyed by seed, neuron and step, model.h).
 *
 * Restore into a simulation made by axon_sim_new from the same model: the checkpoint is
 * checked against its populations, projections, variables, records, signals, precision and
 * dt, and against its connectivity, which axon_sim_new built from the seed: create the
 * simulation with the checkpoint's seed (axon_checkpoint_read_info) when the model draws its
 * connections at random. The simulation takes the checkpoint's seed and step. Not saved: step
 * and spike callbacks (those of the simulation restored into stay), threads and grain (which
 * do not change results), wall-clock time.
 *
 * The format is versioned and checked: magic, format version, byte order, length and a
 * checksum of every byte are verified before anything is read, then every count against the
 * simulation, and only then is anything changed. A truncated, corrupt or foreign checkpoint is
 * AXON_EFORMAT with a message saying which, and the simulation is left as it was. Checkpoints
 * are portable between machines of the same byte order and between runtimes reading the same
 * format version (3; version 2 is read too). A checkpoint may be taken from a step callback;
 * restoring from one is AXON_EINVAL.
 *
 * Over MPI ranks (axon_sim_new_mpi) every function here but axon_checkpoint_read_info is
 * collective. axon_sim_checkpoint writes each rank's part to "path.rank<r>-of-<K>.<a|b>" and,
 * once every rank has written its own, rank 0 renames the manifest into place at path (the
 * parts go to the slot, a or b, that the previous manifest does not name): a crash at any
 * moment leaves the old set or the new one whole. axon_sim_restore reads the manifest and this
 * rank's part; another rank count, or a part that is missing, damaged or of another set, is an
 * error on every rank (the failing rank's message names the file, the others' name the rank),
 * and no rank changes anything unless every part is valid. In memory, a rank's buffer is its
 * own part, restored on the same rank of as many.
 */

/* [sim] Writes a checkpoint to path atomically (a temporary file renamed into place: a crash
 * leaves the previous file). AXON_EIO with the reason on failure. */
axon_status axon_sim_checkpoint(axon_sim *s, const char *path);
/* [sim] Restores the checkpoint at path (read into memory whole). AXON_EIO, AXON_EFORMAT,
 * AXON_EINVAL (from a callback), AXON_ENOMEM. */
axon_status axon_sim_restore(axon_sim *s, const char *path);

/* [sim] The size of a checkpoint of s now, in bytes (0 for a NULL s). */
size_t axon_sim_checkpoint_size(axon_sim *s);
/* [sim] Writes a checkpoint into buf (size bytes); *used (may be NULL) = its size. AXON_ERANGE
 * when buf is NULL or too small (*used says how much is needed). The bytes are those of a
 * checkpoint file. */
axon_status axon_sim_checkpoint_mem(axon_sim *s, void *buf, size_t size, size_t *used);
/* [sim] Restores a checkpoint from size bytes at buf (not kept). As axon_sim_restore. */
axon_status axon_sim_restore_mem(axon_sim *s, const void *buf, size_t size);

typedef struct {
    uint32_t version;   /* format version */
    uint32_t abi;       /* of the runtime that wrote it */
    uint32_t precision; /* 4 or 8 */
    uint64_t step;      /* steps simulated */
    uint64_t seed;
    double dt;          /* s; time = step * dt */
    char model[64];     /* the model's name, truncated */
} axon_checkpoint_info;

/* [any thread] Reads the header of the checkpoint at path (its checksum is not verified: a
 * restore does that). AXON_EIO, AXON_EFORMAT for a file that is not a checkpoint. */
axon_status axon_checkpoint_read_info(const char *path, axon_checkpoint_info *info,
                                      axon_err *err);

/*
 * Parameters (model.h, ABI 4): every parameter of the model's populations and projections,
 * by name: "E.tau_m" (the owner's name, a dot, the parameter's; population names may hold
 * dots, so the name splits at the last one), "E->I.w". axon_sim_param_desc(s, k) describes
 * parameter k < axon_sim_param_count(s): its SI unit, whether it is shared (one value) or per
 * item (per neuron or synapse: a variable of its owner, see axon_sim_var), and its valid
 * values (NULL, with a message, for k out of range); axon_sim_param_index finds one by name
 * (-1 if none, with the message an unknown name gets below). axon_sim_param_count cannot fail
 * (0 for a NULL s) and leaves the message alone; the others leave "" when they succeed.
 * Threads: all six are [sim].
 *
 * axon_sim_get_param gives a shared parameter's value, or the value of a per-item one when
 * every item has the same (else AXON_EINVAL: read the array with axon_sim_var or
 * axon_sim_syn_var). axon_sim_set_param changes a parameter between steps, from the next step
 * on: a shared one, and everything the compiler derived from it (reciprocals, decay factors,
 * the propagators of exact integration), or a per-item one for every neuron or synapse;
 * axon_sim_set_param_range for items [begin, end) only (synapses in CSR order). The value is
 * given in unit: NULL or "" for the SI unit the descriptor records, or any unit of the same
 * dimension (see Units: "ms" for "s"; "nS" for "S"; "mS/cm^2" for "S/m^2"). Initial values were
 * computed in axon_sim_new and do not follow a change (write the state with axon_sim_var).
 * Errors (AXON_EINVAL, with the message in axon_sim_error): an unknown name (a state variable
 * is not a parameter), a unit that is not the parameter's, a value that is not finite, a
 * truth value other than 0 and 1, a parameter whose value was folded into the compiled code
 * (AXON_PARAM_FIXED: it can be read, not changed), a range outside the items, a range for a
 * shared parameter, and a value that makes a derived quantity infinite or undefined (a time
 * constant of 0): then nothing changes.
 */
uint32_t axon_sim_param_count(const axon_sim *s);
const axon_param_desc *axon_sim_param_desc(axon_sim *s, uint32_t k);
int axon_sim_param_index(axon_sim *s, const char *name);
axon_status axon_sim_get_param(axon_sim *s, const char *name, double *value);
axon_status axon_sim_set_param(axon_sim *s, const char *name, double value, const char *unit);
axon_status axon_sim_set_param_range(axon_sim *s, const char *name, uint64_t begin, uint64_t end,
                                     double value, const char *unit);

/*
 * Writes every recording into dir (created if missing, its parent must exist) as NPY files plus
 * manifest.json; files of the same names are replaced, files that the previous manifest.json of
 * dir listed and this write does not are removed, and files no manifest listed are left alone:
 *   POP.spikes.t.npy   float64 [n]            spike times, s
 *   POP.spikes.i.npy   int32 [n]              neuron indices
 *   POP.VAR.npy        f32/f64 [samples, m]   state samples (model precision), m = subset size
 *   POP.VAR.t.npy      float64 [samples]      sample times, s
 *   POP.rate.npy       float64 [samples]      population rate, Hz
 *   POP.rate.t.npy     float64 [samples]      sample times, s
 *   PROJ.VAR.npy       f32/f64 [samples, m]   synapse variable samples (AXON_REC_WEIGHTS: w,
 *                                             u, x, traces), m = subset size; the subset lists
 *                                             synapse indices in CSR order
 *                                             (axon_sim_connectivity), or neurons of the pre
 *                                             (post) population for a variable stored per
 *                                             neuron (AXON_VAR_PER_PRE / _PER_POST)
 *   PROJ.VAR.t.npy     float64 [samples]      sample times, s
 * Population and projection names are kept as they are (dots included; a '/' in one gives
 * AXON_EINVAL). A
 * second spike record of the same population is ignored (it would hold the same data). When two
 * records would give the same name, the later one gets ".2" (".3", ...) before ".npy" / ".t.npy";
 * manifest.json holds format ("axon-recordings"), version (2), model, precision, dt, steps,
 * duration (simulated, s), partial (true when the last run was stopped early by
 * axon_sim_stop), seed, threads, axon_version, meta (an object of the strings given to
 * axon_sim_set_meta), populations (per population: name, type, size, spiking, spikes: the
 * count so far), projections (name, type, pre, post, synapses) and "files": per file path, kind
 * (spike_times, spike_indices, state, state_times, rate, rate_times, weights, weights_times),
 * record index, population (null for weights, whose files have "projection" instead), variable
 * (or null), unit, dtype (numpy name), shape, subset (a list or "all") and period (s; null for
 * spikes). Version 1 lacked axon_version, meta, populations and projections.
 *
 * Atomic as a whole: everything is written into a fresh directory "DIR.tmp-HOST-PID-XXXXXX"
 * next to dir and moved into dir only when every write succeeded (manifest.json last, so a
 * reader that sees the new manifest sees the new files; the old manifest's other files are
 * removed after it); on failure the temporary directory is removed and dir is left as it was.
 * (A failure during the final renames, which only an I/O error makes plausible, can leave some
 * files replaced; it is reported.) Temporary directories next to dir left by processes of this
 * host that no longer exist (killed while writing) are removed first, when they belong to this
 * user and hold only plain files. The message goes to err and to axon_sim_error. [sim]
 */
axon_status axon_sim_write(axon_sim *s, const char *dir, axon_err *err);

/*
 * Provenance for manifest.json's "meta" object: key -> value, both copied (a key given again
 * replaces its value). `axon run` sets "command" (its command line), "source" (the model file)
 * and "source_sha256" (the SHA-256 of that file's bytes). AXON_EINVAL for an empty key or a
 * NULL value, AXON_ENOMEM. [sim]
 */
axon_status axon_sim_set_meta(axon_sim *s, const char *key, const char *value);


/*
 * Checks before a run that axon_sim_write can write into dir: dir is a directory that takes new
 * files, or does not exist and its parent does and takes new entries (a temporary directory is
 * made there and removed). Removes stale temporary directories as axon_sim_write does, and
 * leaves nothing else behind. AXON_EINVAL for an empty name or "/", AXON_EIO with the reason
 * ("out: not a directory", "...: Permission denied") otherwise. [any thread]
 */
axon_status axon_sim_check_output(const char *dir, axon_err *err);

#ifdef __cplusplus
}
#endif

#endif /* AXON_AXON_H */
