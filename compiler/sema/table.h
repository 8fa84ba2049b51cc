/*
 * table: the numeric CSV files a model reads when it is built — connections
 * (`connect from "edges.csv"`), timed arrays (`timed("stim.csv", 1 ms)`) and
 * spike times (`population S = SpikeSource[3] from "spikes.csv"`). A file is
 * registered with the diag context like a model file, so a bad value is
 * reported at its place: `edges.csv:7:3: error: ...` with the line and a caret.
 *
 * Format: one row per line, values separated by commas, blanks around values
 * ignored; empty lines and lines starting with '#' are skipped. A header row
 * names the columns, each `name` or `name:unit` (`t:ms`, `w:nS`), by the rule
 * of axon_csv_header_field (axon/io.h), which a row of values with a typo
 * ("O.5", "l0", "nan") does not pass. Values are finite numbers. A path is
 * relative to the directory of the model file that names it. Files are at
 * most AX_MAX_DATA bytes (util.h).
 */
#ifndef AXON_TABLE_H
#define AXON_TABLE_H

#include "diag.h"
#include "sema/units.h"
#include "util.h"

typedef struct {
    const char *name; /* before ':' */
    ax_unit unit;     /* after ':'; DIM_NONE and 1 without a unit (SI) */
    bool has_unit;
    ax_span span;     /* the header cell */
} tab_col;

typedef struct {
    int file;          /* diag file id */
    const char *path;  /* as shown in messages */
    int ncols;
    long nrows;
    tab_col *cols;     /* the header, or NULL */
    double *v;         /* nrows * ncols values as written (no unit applied), row-major */
    int *off, *len;    /* byte offset and length of each value */
    int *line, *start; /* per row: line number and offset of the line's first byte */
} tab;

enum {
    TAB_HEADER = 1,       /* the first row is a header (required) */
    TAB_MAYBE_HEADER = 2, /* a first row of column names is a header */
};

/* Reads `name` (relative to the directory of the file of `from`, the span of
 * the string that names it). Reports every problem (a missing file at from,
 * bad rows at their place) and returns NULL if there was any. */
tab *tab_read(ax_arena *ar, diag_ctx *d, ax_span from, const char *name, int flags);
/* The span of value (row, col). */
ax_span tab_span(const tab *t, long row, int col);
/* The span of the whole row. */
ax_span tab_row_span(const tab *t, long row);
/* Index of the header column named name, or -1. */
int tab_col_index(const tab *t, const char *name);

/* The values of variable `var` (of dimension dim) for an initialiser `var = from "FILE"`: a
 * NumPy file of one value per item (1-D, or one column; `per` names the item, "neuron" or
 * "synapse", in messages), in the SI unit of the variable; or a CSV file's column named `var`
 * (in its header's unit, which must have the dimension dim), or its only column (SI). *v gets
 * n SI values; false after reporting the problem (at from, or at its place in the file). */
bool tab_values(ax_arena *ar, diag_ctx *d, ax_span from, const char *name, const char *var,
                ax_dim dim, const char *per, double **v, long *n);

#endif
