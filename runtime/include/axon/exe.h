/*
 * exe.h — the command-line front of a compiled model. `axon build --emit exe`
 * links a model object with libaxonexe (this) and libaxonrt; the generated
 * main() calls axon_exe_main, which accepts the options of `axon run`
 * that make sense after compilation (-t, -o, --seed, --threads, -q).
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
