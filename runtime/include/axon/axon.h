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
 *     i.e. at times k dt, 2k dt, ...; the initial values (t = 0) are not recorded;
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
 * Thread safety: one axon_sim must not be used by two threads at once; distinct simulations
 * are independent (no global state). Progress callbacks run on the calling thread.
 */
#ifndef AXON_AXON_H
#define AXON_AXON_H

#include <stddef.h>
#include <stdint.h>

#include "axon/model.h"
#include "axon/status.h"
#include "axon/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    uint64_t seed; /* passed to kernels in axon_step_ctx.seed */
    int threads;   /* 0 = 1; at most AXON_MAX_THREADS */
} axon_opts;

#define AXON_MAX_THREADS 1024

typedef struct axon_sim axon_sim;

/*
 * Checks the descriptor (ABI version AXON_ABI_VERSION, precision 4 or 8, dt > 0, unique
 * population and projection names, connectors and their parameters, record targets and
 * subsets), allocates the state, runs the neuron init kernels at t = 0 (in parallel by ranges),
 * builds the projections and runs their init kernels, and sets up the recorders. o may be NULL
 * (seed 0, one thread). The descriptor and everything it points to must outlive the simulation.
 * Returns NULL with a message in err on failure: AXON_EINVAL for a bad descriptor, AXON_ERANGE
 * for too many synapses or too long a delay, AXON_ENOMEM.
 */
axon_sim *axon_sim_new(const axon_model_desc *m, const axon_opts *o, axon_err *err);

/* NULL is a no-op; stops the worker threads. */
void axon_sim_free(axon_sim *s);

/*
 * Runs round(duration / dt) steps from the current time (call repeatedly to continue).
 * progress, when not NULL, is called at most 100 times per call with the fraction of this
 * call's steps done, the last time with 1.0 (not at all for a run of zero steps). Recorder
 * memory is reserved before a step touches the state, so on AXON_ENOMEM the simulation stays
 * consistent at the end of the last completed step and may be continued or written.
 * Errors: AXON_EINVAL for a negative, non-finite or too long duration; AXON_ENOMEM;
 * AXON_ESTOPPED when axon_sim_stop asked it to stop early.
 */
axon_status axon_sim_run(axon_sim *s, double duration,
                         void (*progress)(void *user, double done_fraction), void *user);

/*
 * Asks axon_sim_run to stop before its next step: the run returns AXON_ESTOPPED with the
 * simulation consistent at the end of the last step done, so it may be written (the manifest
 * says "partial": true) or continued. Only sets a flag (volatile sig_atomic_t), so it is safe in
 * a signal handler and from any thread; the library itself installs no handlers. A request
 * made while no run is in progress stops the next run before its first step.
 */
void axon_sim_stop(axon_sim *s);

/* Message of the last failed call on s ("" if none). */
const char *axon_sim_error(const axon_sim *s);

const axon_model_desc *axon_sim_model(const axon_sim *s);
double axon_sim_time(const axon_sim *s);         /* steps * dt, s */
uint64_t axon_sim_steps(const axon_sim *s);      /* steps simulated so far */
int axon_sim_threads(const axon_sim *s);         /* axon_opts.threads, 0 read as 1 */
/* Steps use the threads only with at least `grain` work units (neuron updates plus synaptic
 * events due) per thread, and then only while that measures faster than the caller alone
 * (steps alternate between the two now and then; other load on the machine, or tiny steps,
 * can make the hand-offs cost more than they save). 0 restores the default (1024); 1 uses the
 * threads for every step, unmeasured. Results do not depend on it. */
void axon_sim_set_grain(axon_sim *s, uint32_t grain);
double axon_sim_wall_seconds(const axon_sim *s); /* wall-clock time spent in axon_sim_run */

/* Index of the population named name, or -1. */
int axon_sim_pop_index(const axon_sim *s, const char *name);

/*
 * view = the live array of variable "POP.VAR" (split at the last '.', since population names
 * may contain dots): 1-D, size elements, f32 or f64 (the model precision), not owned (base
 * NULL), valid until axon_sim_free. Writing through it changes the simulation.
 * AXON_EINVAL if there is no such variable.
 */
axon_status axon_sim_var(axon_sim *s, const char *path, axon_tensor *view);

/*
 * All spikes recorded so far for population pop, in time order and, within a step, in index
 * order: times in s and neuron indices, n of each. The arrays stay valid until the next
 * axon_sim_run or axon_sim_free. AXON_EINVAL if pop has no spike record.
 */
axon_status axon_sim_spikes(const axon_sim *s, int pop, const double **times,
                            const uint32_t **indices, size_t *n);

/* Spikes of population pop so far, counted for every spiking population (0 for a bad pop). */
uint64_t axon_sim_spike_count(const axon_sim *s, int pop);

/* Index of the projection named name, or -1. */
int axon_sim_proj_index(const axon_sim *s, const char *name);

/* Synapses of projection proj (0 for a bad proj). */
uint64_t axon_sim_synapse_count(const axon_sim *s, int proj);

/*
 * Memory of projection proj per synapse, in bytes: post indices (4), its variables (nvars *
 * precision, with padding) and the row offsets (8 per presynaptic neuron), divided by the
 * synapse count; 0 for a bad proj or one without synapses. Spike histories (per population)
 * are not included.
 */
double axon_sim_bytes_per_synapse(const axon_sim *s, int proj);

/*
 * The connectivity of projection proj in CSR form: the synapses of presynaptic neuron i are
 * [row[i], row[i+1]) (row has pre size + 1 entries) and post[k] is the target of synapse k.
 * Not owned, valid until axon_sim_free. Either pointer may be NULL. AXON_EINVAL for a bad proj.
 */
axon_status axon_sim_connectivity(const axon_sim *s, int proj, const uint64_t **row,
                                  const uint32_t **post);

/*
 * view = the live array of synapse variable "PROJ.VAR" (split at the last '.'), like
 * axon_sim_var: 1-D, one element per synapse in CSR order, model precision, not owned.
 * AXON_EINVAL if there is no such variable.
 */
axon_status axon_sim_syn_var(axon_sim *s, const char *path, axon_tensor *view);

/* The shortest and longest delay of projection proj on the time grid (s), and how many of its
 * per-synapse delays rounding to the grid changed by more than 1% (0 for a projection-wide
 * delay, which the compiler checks). */
axon_status axon_sim_proj_delays(const axon_sim *s, int proj, double *dmin, double *dmax,
                                 uint64_t *nrounded);

/*
 * Module signals (`signal dopamine = ...`, read by learning rules as modulators). Every step
 * computes each signal from its expression; axon_sim_set_signal pins a signal to a value from
 * the next step on (a reward delivered by the embedding program, a closed loop), until
 * axon_sim_release_signal. axon_sim_signal reads the value of the last step (or the pinned
 * value). AXON_EINVAL for an unknown name or a value that is not finite.
 */
axon_status axon_sim_set_signal(axon_sim *s, const char *name, double value);
axon_status axon_sim_release_signal(axon_sim *s, const char *name);
axon_status axon_sim_signal(const axon_sim *s, const char *name, double *value);

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
 *   PROJ.VAR.npy       f32/f64 [samples, m]   synapse variable samples (weight records), m =
 *                                             subset size; the subset lists synapse indices
 *                                             in CSR order (axon_sim_connectivity)
 *   PROJ.VAR.t.npy     float64 [samples]      sample times, s
 * Population and projection names are kept as they are (dots included; a '/' in one gives
 * AXON_EINVAL). A
 * second spike record of the same population is ignored (it would hold the same data). When two
 * records would give the same name, the later one gets ".2" (".3", ...) before ".npy" / ".t.npy";
 * manifest.json holds format ("axon-recordings"), version (2), model, precision, dt, steps,
 * duration (simulated, s), partial (true when the last run was stopped early by axon_sim_stop),
 * seed, threads, axon_version, meta (an object of the strings given to axon_sim_set_meta),
 * populations (per population: name, type, size, spiking, spikes: the count so far),
 * projections (name, type, pre, post, synapses) and "files": per file path, kind (spike_times,
 * spike_indices, state, state_times, rate, rate_times, weights, weights_times), record index,
 * population (null for weights, whose files have "projection" instead), variable (or null),
 * unit, dtype (numpy name), shape, subset (a list or "all") and period (s; null for spikes).
 * Version 1 lacked axon_version, meta, populations and projections.
 *
 * Atomic as a whole: everything is written into a fresh directory "DIR.tmp-HOST-PID-XXXXXX"
 * next to dir and moved into dir only when every write succeeded (manifest.json last, so a
 * reader that sees the new manifest sees the new files; the old manifest's other files are
 * removed after it); on failure the temporary directory is removed and dir is left as it was.
 * (A failure during the final renames, which only an I/O error makes plausible, can leave some
 * files replaced; it is reported.) Temporary directories next to dir left by processes of this
 * host that no longer exist (killed while writing) are removed first, when they belong to this
 * user and hold only plain files. The message goes to err and to axon_sim_error.
 */
axon_status axon_sim_write(axon_sim *s, const char *dir, axon_err *err);

/*
 * Checks before a run that axon_sim_write can write into dir: dir is a directory that takes new
 * files, or does not exist and its parent does and takes new entries (a temporary directory is
 * made there and removed). Removes stale temporary directories as axon_sim_write does, and
 * leaves nothing else behind. AXON_EINVAL for an empty name or "/", AXON_EIO with the reason
 * ("out: not a directory", "...: Permission denied") otherwise.
 */
axon_status axon_sim_check_output(const char *dir, axon_err *err);

/*
 * Provenance for manifest.json's "meta" object: key -> value, both copied (a key given again
 * replaces its value). `axon run` sets "command" (its command line), "source" (the model file)
 * and "source_sha256" (the SHA-256 of that file's bytes). AXON_EINVAL for an empty key or a
 * NULL value, AXON_ENOMEM.
 */
axon_status axon_sim_set_meta(axon_sim *s, const char *key, const char *value);

#ifdef __cplusplus
}
#endif

#endif /* AXON_AXON_H */
