/*
 * repl: `axon repl`, an interactive modelling session. A client of the compiler library
 * (<axon/axonc.h>) and the runtime (<axon/axon.h>), like the rest of the `axon` command:
 * definitions are checked as they are entered, simulations are compiled to native code and
 * run, values print with their units. See docs/repl.md.
 */
#ifndef AXON_REPL_H
#define AXON_REPL_H

#include <stdio.h>

/* `axon repl [FILE...] [-e CODE]...`: the exit status (0, 1 after an error in a
 * non-interactive session, 2 usage). */
int repl_main(int argc, char **argv);

/* ---- terminal figures (term.c) ---- */

/* A raster of n spikes (times t in s, neuron indices i) of a population of size neurons over
 * [t0, t1), drawn with braille characters in a box of width x height characters. */
void term_raster(FILE *out, const double *t, const unsigned *i, size_t n, unsigned size,
                 double t0, double t1, int width, int height);
/* A population rate over [t0, t1) in nbins bins (Hz), drawn as a column chart of height rows
 * with block characters, with the largest value on its axis. */
void term_rate(FILE *out, const double *t, size_t n, unsigned size, double t0, double t1,
               int width, int height);

#endif
