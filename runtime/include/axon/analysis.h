/*
 * analysis.h — the standard analyses of spiking networks, on spike trains and on recorded state
 * and weights, from a live simulation (axon.h) or from a recordings directory (axon_sim_write);
 * figures (SVG) and an HTML report. docs/analysis.md gives every definition with its formula.
 *
 *     axon_err err;
 *     axon_recording *r = axon_recording_open("out", &err);
 *     axon_trains *e = axon_recording_trains(r, axon_recording_pop_index(r, "E"), 0, -1, &err);
 *     axon_isi_summary isi;
 *     axon_isi_stats(e, 0.005, &isi, NULL);          // isi.cv, isi.lv, ...
 *     axon_trains_free(e);
 *     axon_recording_free(r);
 *
 * Definitions follow Elephant's (NeuralEnsemble) so that numbers agree with what users compute
 * in Python; docs/analysis.md says where and why one differs. Statistics that are undefined for
 * the data (a CV without intervals, a correlation of a silent neuron) are NaN, never an error.
 *
 * Time. Spike trains are observed in a window (t0, t1]: Axon stamps a spike found in the step
 * [n dt, (n+1) dt) with (n+1) dt (axon.h), so a run of duration T has its spikes in (0, T].
 * A bin of width b holds the spikes of (t0 + k b, t0 + (k+1) b]; there are floor((t1 - t0) / b)
 * bins (a partial last bin is dropped, as Elephant's BinnedSpikeTrain does) and a spike within
 * 1e-9 bins of an edge is taken to lie on it, so times on the dt grid bin exactly.
 *
 * Units are SI: seconds, Hz. Randomness (pair sampling) comes from Philox keyed by the options'
 * seed, so results are reproducible. Nothing here prints, exits or keeps global state;
 * functions that may fail return axon_status with a message in err (which may be NULL).
 * NULL pointers (a recording, trains, an analysis, an array with n > 0, an output) are never
 * dereferenced: AXON_EINVAL, or NULL, 0, -1 or NaN from functions that return a value
 * (tests/unit/check_misuse.c).
 *
 * Threads: every function is [any thread] on its own arguments: different objects may be
 * used by different threads at once; an axon_recording, axon_trains or axon_analysis may be
 * read by several threads at once (no function changes one but its _free). The functions of a
 * simulation (axon_sim_trains, axon_sim_weight_matrix) are [sim] (axon.h).
 */
#ifndef AXON_ANALYSIS_H
#define AXON_ANALYSIS_H

#include <stddef.h>
#include <stdint.h>

#include "axon/axon.h"
#include "axon/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== a recordings directory ================================================================ */

typedef struct axon_recording axon_recording;

typedef struct {
    const char *dir;
    int version; /* manifest format version (1 or 2) */
    const char *model;
    double dt, duration; /* s */
    uint64_t steps, seed;
    int threads, precision;
    const char *axon_version; /* NULL for version 1 */
} axon_rec_info;

typedef struct {
    const char *name;
    const char *type; /* NULL when unknown (version 1) */
    uint32_t size;    /* neurons; for version 1 the largest index seen + 1 (size_known 0) */
    int size_known;
    int spiking;
    int has_spikes; /* a spike record: nspikes spikes, times t (s) and indices i, in time order */
    size_t nspikes;
    const double *t;
    const uint32_t *i;
} axon_rec_pop;

typedef struct {
    const char *name;
    const char *pre, *post;
    uint64_t synapses;
} axon_rec_proj;

typedef enum { AXON_SERIES_STATE, AXON_SERIES_RATE, AXON_SERIES_WEIGHTS } axon_series_kind;

/* A sampled record: state of neurons, a population rate, or weights of synapses. */
typedef struct {
    axon_series_kind kind;
    const char *owner;      /* population, or projection for weights */
    const char *var;        /* NULL for rates */
    const char *unit;       /* SI, as in the manifest ("kg*m^2*s^-3*A^-1" is the volt, see
                               axon_unit_pretty) */
    const char *file;       /* the values' file name */
    double period;          /* s */
    size_t nsamples, ncols; /* a rate has one column */
    const double *values;   /* nsamples x ncols, row-major, converted to double */
    const double *times;    /* nsamples sample times, s */
    const uint32_t *subset; /* ncols neuron (synapse) indices; NULL means 0 .. ncols-1 */
} axon_rec_series;

/*
 * Reads dir/manifest.json and every file it lists (NPY). Errors name the file: a directory
 * without a manifest ("not a recording"), a manifest that is not JSON or lacks fields, a
 * manifest of a newer format than this library reads, a missing or truncated data file, data
 * whose shape or dtype disagrees with the manifest, spike indices outside the population.
 * AXON_EIO, AXON_EFORMAT or AXON_ENOMEM.
 */
axon_recording *axon_recording_open(const char *dir, axon_err *err);
void axon_recording_free(axon_recording *r);

const axon_rec_info *axon_recording_info(const axon_recording *r);
/* A value of the manifest's "meta" object ("command", "source", "source_sha256"), or NULL. */
const char *axon_recording_meta(const axon_recording *r, const char *key);
size_t axon_recording_npops(const axon_recording *r);
const axon_rec_pop *axon_recording_pop(const axon_recording *r, size_t k);
int axon_recording_pop_index(const axon_recording *r, const char *name); /* -1 if none */
size_t axon_recording_nprojs(const axon_recording *r);
const axon_rec_proj *axon_recording_proj(const axon_recording *r, size_t k);
size_t axon_recording_nseries(const axon_recording *r);
const axon_rec_series *axon_recording_series(const axon_recording *r, size_t k);
/* The values of variable var at each spike of population pop (`record spikes E.v`): as many as
 * the population's spikes, in the order of its times and indices (axon_rec_pop.t, .i), in the
 * SI unit *unit (n and unit may be NULL). NULL when the recording has no such values. */
const double *axon_recording_spike_values(const axon_recording *r, const char *pop,
                                          const char *var, size_t *n, const char **unit);

/* ==== spike trains ========================================================================== */

/* The spikes of one population in a window, indexed by neuron (an owning copy). */
typedef struct axon_trains axon_trains;

/*
 * Copies the spikes with t0 < t <= t1 of a population of size neurons (indices i below size,
 * in any order; times need not be sorted). dt > 0 is the time grid of the stamps (for
 * documentation in outputs; 0 when unknown). AXON_EINVAL for t1 <= t0, a non-finite time or
 * an index outside the population; AXON_ENOMEM.
 */
axon_trains *axon_trains_new(const char *name, uint32_t size, const double *t, const uint32_t *i,
                             size_t n, double t0, double t1, double dt, axon_err *err);
/* The recorded spikes of population pop of a simulation, window (t0, t1]; t1 < 0 means up to
 * the simulation's current time. AXON_EINVAL when pop has no spike record. */
axon_trains *axon_sim_trains(axon_sim *s, int pop, double t0, double t1, axon_err *err);
/* The same from a recording (t1 < 0: its duration). AXON_EINVAL when pop has no spikes. */
axon_trains *axon_recording_trains(const axon_recording *r, int pop, double t0, double t1,
                                   axon_err *err);
void axon_trains_free(axon_trains *tr);

const char *axon_trains_name(const axon_trains *tr);
uint32_t axon_trains_size(const axon_trains *tr);
size_t axon_trains_count(const axon_trains *tr); /* spikes in the window */
void axon_trains_window(const axon_trains *tr, double *t0, double *t1);
/* The spike times of neuron k in increasing order; returns their number. */
size_t axon_trains_neuron(const axon_trains *tr, uint32_t k, const double **times);

/* ==== rates ================================================================================= */

/* rate[k] = spikes of neuron k / (t1 - t0), Hz, for every neuron (size values). */
void axon_rates(const axon_trains *tr, double *rate);
/* floor((t1 - t0) / bin) (bins closer than 1e-9 bins to a whole number count as whole). */
size_t axon_nbins(const axon_trains *tr, double bin);

typedef enum {
    AXON_KERNEL_NONE = 0,
    AXON_KERNEL_GAUSS = 1, /* exp(-t^2 / 2 w^2) / (sqrt(2 pi) w), cut at 5 w, symmetric */
    AXON_KERNEL_EXP = 2,   /* exp(-t / w) / w for t >= 0: causal */
} axon_kernel;

/* counts[k] = the population's spikes in bin k, for nbins = axon_nbins(tr, bin) bins. */
axon_status axon_pop_counts(const axon_trains *tr, double bin, double *counts, size_t nbins);
/*
 * The population rate in Hz per neuron: counts / (size * bin), then convolved with the
 * kernel of width w (s) when kernel != AXON_KERNEL_NONE. Samples are the bins' centres
 * t0 + (k + 1/2) bin. The convolution is normalised by the kernel mass inside the window at
 * every sample, so the edges are not biased down (Elephant's border_correction).
 */
axon_status axon_pop_rate(const axon_trains *tr, double bin, axon_kernel kernel, double w,
                          double *rate, size_t nbins);
/* out = x convolved with the kernel (sampled every dt), normalised as in axon_pop_rate; out
 * may not alias x. */
axon_status axon_smooth(const double *x, size_t n, double dt, axon_kernel kernel, double w,
                        double *out);
/*
 * Peri-stimulus time histogram: the population's rate (Hz per neuron) in nbins bins of width
 * bin covering [trigger - before, trigger - before + nbins * bin) around each trigger time,
 * averaged over the triggers (those whose span leaves the window are skipped; *used counts the
 * others, may be NULL).
 */
axon_status axon_psth(const axon_trains *tr, const double *triggers, size_t ntriggers,
                      double before, double bin, double *rate, size_t nbins, size_t *used);

/* ==== inter-spike intervals ================================================================= */

/* Statistics of one sequence of n intervals; NaN for fewer than 2 (as Elephant's with_nan). */
/* std / mean, the population std (ddof 0) */
double axon_cv(const double *isi, size_t n);
/* 2/(n-1) sum |I+ - I| / (I+ + I) (Holt et al. 1996) */
double axon_cv2(const double *isi, size_t n);
/* 3/(n-1) sum ((I - I+) / (I + I+))^2 (Shinomoto et al. 2003) */
double axon_lv(const double *isi, size_t n);
/* 3/(n-1) sum (1 - 4 I I+ / (I + I+)^2) (1 + 4 R / (I + I+)) (Shinomoto 2009), R >= 0 */
double axon_lvr(const double *isi, size_t n, double R);

typedef struct {
    uint32_t neurons;        /* neurons with at least 3 spikes in the window */
    double cv, cv2, lv, lvr; /* means over those neurons */
    double mean_isi;         /* mean of all their intervals, s */
} axon_isi_summary;

/* ISI statistics of every neuron with >= 3 spikes, averaged; cv (size values, NaN for the
 * others) may be NULL. R is LvR's refractoriness constant (s; Elephant's default 5 ms). */
axon_status axon_isi_stats(const axon_trains *tr, double R, axon_isi_summary *out, double *cv);
/* counts[k] = intervals (of every neuron) in [k bin, (k+1) bin); *over (may be NULL) counts the
 * longer ones. */
axon_status axon_isi_histogram(const axon_trains *tr, double bin, double *counts, size_t nbins,
                               uint64_t *over);

/* ==== spike counts ========================================================================== */

/* var / mean of x (population variance, ddof 0); NaN when the mean is 0 or n == 0. */
double axon_fano(const double *x, size_t n);
/* Pearson's correlation of x and y; NaN when either is constant. */
double axon_pearson(const double *x, const double *y, size_t n);

typedef struct {
    double neuron;     /* mean over neurons with spikes of the Fano factor of their counts */
    double population; /* Fano factor of the population's counts */
} axon_fano_summary;

/* Counts in bins of width bin (Elephant's fanofactor over the bins taken as trials). */
axon_status axon_fano_factor(const axon_trains *tr, double bin, axon_fano_summary *out);

typedef struct {
    double mean, std; /* over the valid pairs */
    uint32_t pairs;   /* pairs with both neurons' counts not constant */
} axon_pair_summary;

/*
 * Spike-count correlation coefficients (Elephant's correlation_coefficient, counts not
 * binarised) in bins of width bin, over npairs pairs of distinct neurons drawn with the seed,
 * or over every pair when there are at most npairs. Silent pairs are left out.
 */
axon_status axon_count_correlation(const axon_trains *tr, double bin, uint32_t npairs,
                                   uint64_t seed, axon_pair_summary *out);

/*
 * Cross-correlogram of trains a and b binned with bin over (t0, t1] (Elephant's
 * cross_correlation_histogram, window [-maxlag, maxlag]): out[maxlag + k] = sum over bins m of
 * ca[m] cb[m + k], k = -maxlag .. maxlag, so a peak at k > 0 means b fires after a.
 */
axon_status axon_cch(const double *a, size_t na, const double *b, size_t nb, double t0, double t1,
                     double bin, uint32_t maxlag, double *out);
/* The population's mean cross-correlogram over npairs sampled pairs, normalised per pair to
 * coincidences per spike of the first train (Hz-free; 0 for a silent first train). */
axon_status axon_pop_cch(const axon_trains *tr, double bin, uint32_t maxlag, uint32_t npairs,
                         uint64_t seed, double *out);

/* Spike time tiling coefficient of two sorted trains in (t0, t1] with window dt (Cutts & Eglen
 * 2014); NaN when either is empty. */
double axon_sttc(const double *a, size_t na, const double *b, size_t nb, double t0, double t1,
                 double dt);
axon_status axon_pop_sttc(const axon_trains *tr, double dt, uint32_t npairs, uint64_t seed,
                          axon_pair_summary *out);

/* ==== synchrony ============================================================================= */

/*
 * Golomb's synchrony measure chi (Golomb & Rinzel 1993) of nt samples of nn signals (row-major,
 * x[t * nn + j]): sqrt(var_t(mean_j x) / mean_j var_t(x_j)). 1 for identical signals, about
 * 1/sqrt(nn) for independent ones; NaN when every signal is constant.
 */
double axon_chi(const double *x, size_t nt, size_t nn);
/* chi of the neurons' spike trains filtered with a causal exponential of time constant tau,
 * sampled every bin (closed form between spikes, so every neuron takes part at no cost). */
axon_status axon_chi_spikes(const axon_trains *tr, double bin, double tau, double *chi);

/* Kuramoto order parameter R(t) = |mean_j exp(i theta_j(t))| of nt samples of nn phases
 * (rad, row-major) into R (nt values). */
void axon_kuramoto(const double *theta, size_t nt, size_t nn, double *R);
/*
 * The same for spike phases: neuron j's phase at time t between its spikes t_k <= t < t_k+1 is
 * 2 pi (t - t_k) / (t_k+1 - t_k); neurons outside their first and last spike are left out.
 * R[k] at times[k] (nt of them, increasing); NaN where fewer than 2 neurons, or fewer than 90%
 * of those with at least 2 spikes, take part (near the window's edges only neurons firing right
 * then would, with phases biased towards 0 or 2 pi: a spurious synchrony).
 */
axon_status axon_kuramoto_spikes(const axon_trains *tr, const double *times, size_t nt, double *R);

/* ==== complexity and spectra ================================================================ */

/*
 * Lempel-Ziv (1976) complexity of a binary sequence (bytes 0 / non-0): the number of phrases
 * c(n) of its exhaustive history (Kaspar & Schuster 1987); returns c(n) log2(n) / n (about 1
 * for a fair coin, 0 for a constant sequence), *c (may be NULL) the count. NaN for n < 2.
 */
double axon_lz76(const uint8_t *s, size_t n, size_t *c);
/* The mean normalised LZ complexity of the neurons' trains binarised in bins of width bin
 * (spike or not), over at most nneurons neurons drawn with seed and at most maxbins bins (the
 * first ones of the window); neurons without spikes included. */
axon_status axon_lz_trains(const axon_trains *tr, double bin, uint32_t nneurons, size_t maxbins,
                           uint64_t seed, double *lz);

typedef struct {
    uint32_t nsegments; /* default 8 (Elephant's) */
    size_t len_segment; /* samples; overrides nsegments */
    double freq_res;    /* Hz; overrides both: len_segment = fs / freq_res */
    double overlap;     /* fraction, default 0.5 */
} axon_welch_opts;

/* Number of frequencies axon_welch gives for n samples (len_segment / 2 + 1), 0 when n is
 * too short for the options. */
size_t axon_welch_nfreq(size_t n, double fs, const axon_welch_opts *o);
/*
 * Welch's power spectral density (Elephant's welch_psd with scipy's defaults): segments of
 * len_segment samples (from n_segments: n / (nsegments - overlap (nsegments - 1))) overlapping
 * by the fraction given, mean removed, periodic Hann window, one-sided density (unit^2 / Hz),
 * averaged. freq and psd get axon_welch_nfreq values. o may be NULL.
 */
axon_status axon_welch(const double *x, size_t n, double fs, const axon_welch_opts *o, double *freq,
                       double *psd, axon_err *err);

/* ==== distances between two trains ========================================================== */

/* van Rossum (2001) with the causal exponential of time constant tau, normalised as Elephant's:
 * 1 between an empty train and a train of one spike. Trains sorted. */
double axon_van_rossum(const double *a, size_t na, const double *b, size_t nb, double tau);
/* Victor & Purpura (1996): the cheapest transformation with cost 1 to add or delete a spike
 * and q |dt| to move one (q in 1/s). */
double axon_victor_purpura(const double *a, size_t na, const double *b, size_t nb, double q);

/* ==== activity health ======================================================================= */

/* Hoyer (2004) sparsity (sqrt(n) - L1/L2) / (sqrt(n) - 1) of non-negative values: 0 when all
 * are equal, 1 when one is non-zero. NaN for n < 2 or all zero. */
double axon_hoyer(const double *x, size_t n);

typedef struct {
    double active_fraction; /* mean over bins of the fraction of neurons that spiked; NaN for a
                               window shorter than one bin */
    double hoyer;           /* Hoyer sparsity of the neurons' rates */
    uint32_t dead;          /* neurons without a spike in the window */
    uint32_t hyperactive;   /* neurons above the rate threshold */
} axon_health_summary;

/* dead_idx and hyper_idx (size entries each, or NULL) receive the neurons' indices in
 * increasing order. */
axon_status axon_health(const axon_trains *tr, double bin, double max_rate,
                        axon_health_summary *out, uint32_t *dead_idx, uint32_t *hyper_idx);
/* The same for nt samples of nn graded activations (row-major): a unit is active in a sample
 * when its value exceeds threshold; dead when never active, "hyperactive" when active in every
 * sample; hoyer is that of the units' mean absolute activations. */
axon_status axon_health_graded(const double *x, size_t nt, size_t nn, double threshold,
                               axon_health_summary *out, uint32_t *dead_idx, uint32_t *hyper_idx);

/* ==== weights =============================================================================== */

typedef struct {
    size_t n;
    double mean, std, min, max;
    double q05, q25, q50, q75, q95; /* quantiles, linear interpolation (numpy's default) */
    double lo, hi;                  /* the bounds used for near_lo / near_hi */
    double near_lo, near_hi;        /* fractions within tol (hi - lo) of a bound */
} axon_weight_stats;

/* lo and hi: the rule's bounds; NaN takes min(0, min) and max. tol: default (<= 0) 0.01. */
axon_status axon_weights_stats(const double *w, size_t n, double lo, double hi, double tol,
                               axon_weight_stats *out);
/* counts[k] = values in [lo + k h, lo + (k+1) h), h = (hi - lo) / nbins, the last bin closed;
 * values outside are not counted. */
axon_status axon_histogram(const double *x, size_t n, double lo, double hi, double *counts,
                           size_t nbins);
/*
 * Effective rank (Roy & Vetterli 2007) of a rows x cols matrix (row-major): exp(-sum p_k ln
 * p_k), p_k = s_k / sum s, s the singular values (from the eigenvalues of the smaller Gram
 * matrix). sv (min(rows, cols) values, descending) may be NULL. NaN for a zero matrix.
 */
axon_status axon_effective_rank(const double *m, size_t rows, size_t cols, double *erank,
                                double *sv, axon_err *err);
/* The dense pre x post weight matrix of projection proj from the real-valued per-synapse
 * variable "PROJ.VAR" (synapses of one pair summed; 0 where none); m holds pre size * post
 * size values. AXON_EINVAL for a variable stored per neuron (a trace) or an integer one. */
axon_status axon_sim_weight_matrix(axon_sim *s, const char *path, double *m, axon_err *err);

/* ==== avalanches ============================================================================ */

typedef struct {
    size_t count;                    /* avalanches: runs of non-empty bins between empty ones */
    double bin;                      /* s, the bin used */
    double mean_size, mean_duration; /* spikes, bins */
    uint64_t max_size, max_duration;
    double alpha; /* size exponent, discrete power-law MLE with s_min = 1 (NaN if < 10) */
    double tau_t; /* the same for durations */
} axon_avalanche_summary;

/*
 * Neuronal avalanches (Beggs & Plenz 2003) in the population's counts binned with bin (<= 0:
 * the mean inter-spike interval of the pooled population, their choice, but at least the
 * trains' dt and a whole number of steps when dt is known). A run touching the
 * window's edges is left out (its extent is unknown). sizes and durations (cap entries each,
 * or NULL) receive the first cap avalanches' sizes (spikes) and durations (bins).
 */
axon_status axon_avalanches(const axon_trains *tr, double bin, axon_avalanche_summary *out,
                            uint64_t *sizes, uint64_t *durations, size_t cap);

/* ==== everything for one population, and reports ============================================= */

/* Parameters of the summary; a zero field takes the default in brackets. */
typedef struct {
    double rate_bin;     /* population rate (and spectrum) sampling, s [1 ms] */
    double smooth;       /* Gaussian width for the rate figure, s [5 ms] */
    double count_bin;    /* Fano factor, count correlations, s [10 ms] */
    double lvr_R;        /* s [5 ms] */
    double sttc_dt;      /* s [5 ms] */
    double chi_tau;      /* s [5 ms] */
    double lz_bin;       /* s [1 ms] */
    uint32_t lz_neurons; /* [100] */
    size_t lz_maxbins;   /* [100000] */
    uint32_t pairs;      /* sampled pairs for correlations and STTC [1000] */
    double max_rate;     /* hyperactive above, Hz [100] */
    double freq_res;     /* spectrum resolution, Hz [max(0.5, 4.5 / duration)] */
    uint64_t seed;       /* pair and neuron sampling [0] */
} axon_analysis_opts;

/* Sets the field called name (as in the struct: "pairs", "count_bin", ...) to value, in SI
 * units (seconds, Hz). AXON_EINVAL for an unknown name, a value that is not positive (0 is the
 * structure's "default"; only the seed may be 0) or a fraction for a count. For command lines:
 * axon analyze --param NAME=VALUE. */
axon_status axon_analysis_opt_set(axon_analysis_opts *o, const char *name, double value,
                                  axon_err *err);

typedef struct {
    uint32_t neurons;
    uint64_t spikes;
    double duration;       /* of the window, s */
    double rate, rate_std; /* mean and std over neurons of their rates, Hz */
    axon_isi_summary isi;
    axon_fano_summary fano;
    axon_pair_summary corr, sttc;
    double chi;
    double kuramoto; /* mean over time of the spike-phase order parameter */
    double lz;
    double peak_freq, peak_power; /* the most prominent peak of the population rate's
                                     spectrum above 1 Hz (scipy's topographic prominence)
                                     that does not fall to the 1 Hz edge: Hz, Hz^2/Hz */
    axon_health_summary health;
    axon_avalanche_summary avalanches;
} axon_pop_summary;

axon_status axon_summarize(const axon_trains *tr, const axon_analysis_opts *o,
                           axon_pop_summary *out, axon_err *err);

/* A recording's analysis: every spiking population summarised, the state, rate and weight
 * records described, ready to print and to write as a report. */
typedef struct axon_analysis axon_analysis;

/* Window (t0, t1], t1 < 0 meaning the recording's end; o may be NULL. */
axon_analysis *axon_analyze(const axon_recording *r, double t0, double t1,
                            const axon_analysis_opts *o, axon_err *err);
void axon_analysis_free(axon_analysis *a);
/* The per-population table for a terminal (one line per population, with a header). */
const char *axon_analysis_table(const axon_analysis *a);
size_t axon_analysis_npops(const axon_analysis *a);
/* Population k of the analysis (spiking populations with a spike record, in manifest order),
 * with its name. */
const axon_pop_summary *axon_analysis_pop(const axon_analysis *a, size_t k, const char **name);
/*
 * Writes into dir (created if missing): analysis.json (every number and the list of figures),
 * the figures (SVG: raster, population rate, ISI histogram, spectrum, state traces, weight
 * histograms and weights over time, Kuramoto order parameter where they apply) and index.html
 * (the summary table, the figures, the model, the command line, Axon's version).
 */
axon_status axon_analysis_write(const axon_analysis *a, const char *dir, axon_err *err);

/*
 * Draws one figure of the analysis as an SVG file at path, written whole or not at all (the
 * same drawing as in the report). kind is one of axon_figure_kind's: "raster", "rate", "isi",
 * "spectrum", "cch" (mean cross-correlogram) or "avalanches"; pop names one population, or
 * NULL for all of them. AXON_EINVAL for an unknown kind or population, or when the window has
 * nothing to draw (a rate figure needs two bins); AXON_EIO when the file cannot be written.
 */
axon_status axon_analysis_figure(const axon_analysis *a, const char *kind, const char *pop,
                                 const char *path, axon_err *err);
/* The k-th figure kind of axon_analysis_figure (from 0), NULL past the last. */
const char *axon_figure_kind(size_t k);

/* A unit of the manifest for people: "kg*m^2*s^-3*A^-1" -> "V", "m^-2*kg^-1*s^3*A^2" -> "S",
 * "1" -> "" (dimensionless); an unknown combination is returned as given. Static or u. */
const char *axon_unit_pretty(const char *u);

#ifdef __cplusplus
}
#endif

#endif /* AXON_ANALYSIS_H */
