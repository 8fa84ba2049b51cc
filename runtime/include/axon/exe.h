/*
 * exe.h — the command-line front of a compiled model. `axon build --emit exe`
 * links a model object with libaxonexe (this) and libaxonrt; the generated
 * main() calls axon_exe_main, which accepts the options of `axon run`
 * that make sense after compilation (-t, -o, --seed, --threads, -q, ...;
 * one table: axon_exe_option) and --set for the parameters of populations
 * and projections, set at run time.
 * Unlike libaxonrt, this small library prints and returns exit statuses:
 * it is the program's user interface.
 */
#ifndef AXON_EXE_H
#define AXON_EXE_H

#include "axon/axon.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Runs the model as a program; returns the exit status (0, 1 run failed, 2 usage). */
int axon_exe_main(int argc, char **argv, const axon_model_desc *model);

/* The options of a run, shared by `axon run` and compiled models (one table, one parser). */
#define AXON_EXE_MAX_SIGNALS 16
#define AXON_EXE_MAX_SETS 64
typedef struct {
    double duration;          /* -t, s; 0: the model's `run ... for` */
    const char *outdir;       /* -o DIR, or NULL */
    uint64_t seed;            /* --seed */
    int threads;              /* --threads; 0 = 1 */
    uint32_t grain;           /* --grain; 0: the runtime's default */
    int quiet;                /* -q */
    int nsignals;             /* --signal NAME=NUMBER, pinned for the whole run */
    char signal_names[AXON_EXE_MAX_SIGNALS][64];
    double signal_values[AXON_EXE_MAX_SIGNALS];
    int report;               /* --report: analyse the recordings into OUTDIR/report */
    /* provenance for manifest.json (axon_sim_set_meta), not options: the command line (argc
     * words from argv[0]) and the model's source file, hashed with SHA-256; NULL/0 when not
     * known (a compiled model has no source) */
    int argc;
    char *const *argv;
    const char *source;
    double checkpoint_every;  /* --checkpoint-every, s; 0: no checkpoints */
    const char *checkpoint;   /* --checkpoint FILE; NULL: DIR.checkpoint next to -o DIR */
    const char *resume;       /* --resume FILE: continue from a checkpoint */
    int on_nan;               /* --on-nan: AXON_NONFINITE_* (0: stop) */
    int dry_run;              /* --dry-run: print the memory estimate, do not run */
    double max_memory;        /* --max-memory, bytes; 0: the machine's physical memory */
    /* --set POP.PARAM=VALUE (executables; `axon run` takes --set as a compiler option): the
     * option texts, checked when parsed; each value is set with axon_sim_set_param before
     * the first step (after --resume) */
    int nsets;
    const char *sets[AXON_EXE_MAX_SETS];
} axon_exe_opts;

/* A size with an optional unit K, M, G or T (powers of 1024; KiB etc. too): "512M", "1.5 G";
 * 0 for anything else. */
double axon_exe_parse_size(const char *text);

/* Parses the run option at argv[i] into o. Returns how many arguments it took (1 or 2), 0 when
 * argv[i] is not a run option, or -1 for a bad or missing value, with the message in err. */
int axon_exe_option(axon_exe_opts *o, int argc, char *const *argv, int i, char *err,
                    size_t errlen);
/* The help text of the run options, one option a line. */
const char *axon_exe_options_help(void);


/* Simulates model with o: warns about rounded delays, pins signals, resumes from a checkpoint
 * (with its seed), runs to the model time o->duration (from 0, also when resuming) with a
 * progress bar on a terminal, writing a checkpoint every o->checkpoint_every, writes the
 * recordings (with the provenance of o), prints the summary (compile_s < 0: not shown) and,
 * with o->report, analyses the recordings (analysis.h) and writes the report. SIGINT and
 * SIGTERM stop the run at the end of the current step: what was recorded so far is written
 * (manifest.json says "partial": true) with a checkpoint (--checkpoint FILE, or DIR.checkpoint
 * with -o DIR). Messages start with prog. Returns the exit status (0, 1 failed, 2 a bad option
 * value, 128 + the signal number when interrupted). */
int axon_exe_simulate(const char *prog, const axon_model_desc *model, const axon_exe_opts *o,
                      double compile_s);

/* The end-of-run summary shared with `axon run`: neurons, spikes and rates per
 * population, compile and run time, real-time factor. compile_s < 0: not shown. */
void axon_exe_summary(FILE *out, axon_sim *sim, double compile_s, const char *outdir);

/* A progress bar on stderr, for axon_sim_run's progress callback (user unused). */
void axon_exe_progress(void *user, double done_fraction);

/* "1 s", "500ms", "0.1 ms" -> seconds; 0 when not a positive time with a time unit. */
double axon_exe_parse_time(const char *text);

#ifdef __cplusplus
}
#endif

#endif
