/*
 * diag: source files and diagnostics. A diag_ctx owns the text of every
 * source file of a compilation (so spans can be printed later) and collects
 * errors, warnings and notes in order. Nothing here prints unless asked to:
 * diag_render writes the collected diagnostics to a stream chosen by the
 * caller (the `axon` command), in the form
 *
 *     file:line:col: error: message
 *         12 |     v' = (v_rest - v + R * I) / tau
 *            |                        ^~~~~
 *     hint: ...
 */
#ifndef AXON_DIAG_H
#define AXON_DIAG_H

#include "axon/axonc.h"
#include "util.h"

#include <stdbool.h>
#include <stdio.h>

/* A span of source text. Lines and columns are 1-based; columns count bytes.
 * end_* point one past the last byte. file < 0 means "no location". */
typedef struct {
    int file;
    int line, col;
    int end_line, end_col;
    int off, end_off;
} ax_span;

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_level;

typedef struct diag_ctx diag_ctx;

/* NULL when out of memory. */
diag_ctx *diag_new(void);
/* Out of memory in d longjmps through oom (util.h) instead of aborting. */
void diag_set_oom(diag_ctx *d, const ax_oom *oom);
void diag_free(diag_ctx *d);

/* Registers a source file; the context keeps its own copy of the text.
 * Returns the file id used in spans. */
int diag_add_file(diag_ctx *d, const char *name, const char *text, size_t len);
/* The same for text malloc'd by the caller (len bytes and a NUL after them), which the
 * context takes over: freed with it, or at once when it runs out of memory (before the jump of
 * diag_set_oom, so that nothing leaks). */
int diag_adopt_file(diag_ctx *d, const char *name, char *text, size_t len);
const char *diag_file_name(const diag_ctx *d, int file);
const char *diag_file_text(const diag_ctx *d, int file, size_t *len);
int diag_file_count(const diag_ctx *d);

/* Adds a diagnostic. Returns its index. After too many errors further ones
 * are counted but dropped (diag_render says how many). */
int diag_report(diag_ctx *d, diag_level lvl, ax_span sp, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define diag_error(d, sp, ...) diag_report((d), DIAG_ERROR, (sp), __VA_ARGS__)
#define diag_warning(d, sp, ...) diag_report((d), DIAG_WARNING, (sp), __VA_ARGS__)
/* A "hint:" line attached to the most recent diagnostic. */
void diag_hint(diag_ctx *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A located note attached to the most recent diagnostic. */
void diag_note(diag_ctx *d, ax_span sp, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

int diag_error_count(const diag_ctx *d);
int diag_warning_count(const diag_ctx *d);
int diag_count(const diag_ctx *d);
/* Warnings are treated as errors (for --Werror). */
void diag_set_werror(diag_ctx *d, bool on);

enum {
    DIAG_RENDER_COLOR = 1, /* ANSI colours */
    DIAG_RENDER_BRIEF = 2, /* one line per diagnostic, no source excerpt */
};
void diag_render(const diag_ctx *d, FILE *out, int flags);
/* Renders to a malloc'd string (for tests and embedding). */
char *diag_render_string(const diag_ctx *d, int flags);
/* Message text of diagnostic i (no location). */
const char *diag_message(const diag_ctx *d, int i);
diag_level diag_level_of(const diag_ctx *d, int i);
ax_span diag_span(const diag_ctx *d, int i);

/* Diagnostics as records (axonc.h): the group at i is the diagnostic i and the hints and notes
 * attached to it. diag_record fills rec (notes: room for diag_group_len - 1 entries; the
 * strings belong to d) and returns the group's length. */
int diag_group_len(const diag_ctx *d, int i);
int diag_record(const diag_ctx *d, int i, axonc_diag *rec, axonc_note *notes);
/* Is the group at i an exact repeat of an earlier group? */
bool diag_group_repeated(const diag_ctx *d, int i);

/* A point in the diagnostics, to come back to: what a pass reports after diag_mark_now is
 * dropped again by diag_rollback (the messages, the counts, the dropped ones), so that a
 * compilation unit can be instantiated again after a failed instantiation, with its own
 * errors counted afresh. Source files added since stay. */
typedef struct {
    int n, errors, warnings, dropped;
} diag_mark;
diag_mark diag_mark_now(const diag_ctx *d);
void diag_rollback(diag_ctx *d, diag_mark m);
/* Diagnostics dropped after the first 100. */
int diag_dropped(const diag_ctx *d);
/* Appends the text of one record (flags: DIAG_RENDER_*). */
void diag_render_record(strbuf *sb, const axonc_diag *rec, int flags);

/* A span covering a and b (a before b). */
ax_span span_join(ax_span a, ax_span b);
extern const ax_span SPAN_NONE;

#endif
