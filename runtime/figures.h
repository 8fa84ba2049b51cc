/*
 * Internal: the figures of an analysis (figures.c), drawn with the SVG writer (svg.h).
 */
#ifndef AXON_RT_FIGURES_H
#define AXON_RT_FIGURES_H

#include "report.h"

typedef struct {
    char *file;  /* name inside the report directory */
    const char *kind;
    char *title;
} rt_fig;

typedef struct {
    rt_fig *v;
    size_t n, cap;
} rt_figlist;

void rt_figlist_free(rt_figlist *f);
/* Draws every figure that applies to a into dir and lists them in figs. */
axon_status rt_figures_write(const axon_analysis *a, const char *dir, rt_figlist *figs,
                             axon_err *err);

#endif /* AXON_RT_FIGURES_H */
