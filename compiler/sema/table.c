/*
 * Reading the numeric CSV files of a model (see table.h). Errors are reported
 * at the value they concern; after MAX_ERRORS in one file the rest of the file
 * is skipped (a file in the wrong format would otherwise repeat one mistake
 * on every line).
 */
#include "sema/table.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_ERRORS = 10 };

/* The file's path: relative names are looked up next to the model file. */
static const char *tab_path(ax_arena *ar, diag_ctx *d, ax_span from, const char *name)
{
    if (name[0] == '/' || from.file < 0)
        return name;
    const char *model = diag_file_name(d, from.file);
    const char *slash = model ? strrchr(model, '/') : NULL;
    if (!slash)
        return name;
    return arena_printf(ar, "%.*s/%s", (int)(slash - model), model, name);
}

/* The file's id: a file read before (by another use) is not registered twice,
 * so the same mistake found twice is reported once. */
static int tab_file(diag_ctx *d, ax_span from, const char *path, const char **text, size_t *len)
{
    for (int f = 0; f < diag_file_count(d); f++)
        if (!strcmp(diag_file_name(d, f), path)) {
            *text = diag_file_text(d, f, len);
            return f;
        }
    const char *err = NULL;
    char *buf = read_file(path, AX_MAX_DATA, len, &err);
    if (!buf && err == READ_FILE_TOO_LARGE) {
        diag_error(d, from, "'%s' is larger than %d MiB, the limit for a data file", path,
                   AX_MAX_DATA_MIB);
        return -1;
    }
    if (!buf) {
        diag_error(d, from, "cannot open '%s': %s", path, err);
        return -1;
    }
    int f = diag_add_file(d, path, buf, *len);
    free(buf);
    *text = diag_file_text(d, f, len);
    return f;
}

static ax_span span_at(const tab *t, int line, int start, int off, int len)
{
    ax_span s = {t->file, line, off - start + 1, line, off - start + 1 + len, off, off + len};
    return s;
}

ax_span tab_span(const tab *t, long row, int col)
{
    long k = row * t->ncols + col;
    return span_at(t, t->line[row], t->start[row], t->off[k], t->len[k]);
}

ax_span tab_row_span(const tab *t, long row)
{
    long last = row * t->ncols + t->ncols - 1;
    int end = t->off[last] + t->len[last];
    return span_at(t, t->line[row], t->start[row], t->start[row], end - t->start[row]);
}

int tab_col_index(const tab *t, const char *name)
{
    for (int c = 0; t->cols && c < t->ncols; c++)
        if (!strcmp(t->cols[c].name, name))
            return c;
    return -1;
}

/* A value: [b, e) trimmed of blanks. */
typedef struct {
    int b, e;
} field;

static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Splits the line [b, e) at commas; returns the number of fields (all of them,
 * even beyond max). */
static int split(const char *s, int b, int e, field *out, int max)
{
    int n = 0;
    for (int p = b;;) {
        int q = p;
        while (q < e && s[q] != ',')
            q++;
        int fb = p, fe = q;
        while (fb < fe && is_blank(s[fb]))
            fb++;
        while (fe > fb && is_blank(s[fe - 1]))
            fe--;
        if (n < max)
            out[n] = (field){fb, fe};
        n++;
        if (q >= e)
            break;
        p = q + 1;
    }
    return n;
}

static bool number(const char *s, field f, double *v)
{
    if (f.e == f.b || f.e - f.b > 64)
        return false;
    char buf[72];
    memcpy(buf, s + f.b, (size_t)(f.e - f.b));
    buf[f.e - f.b] = 0;
    char *end;
    errno = 0;
    *v = strtod(buf, &end);
    return *end == 0 && isfinite(*v) && errno != ERANGE;
}

static bool header(ax_arena *ar, diag_ctx *d, tab *t, const char *s, const field *f, int n,
                   int line, int start)
{
    bool ok = true;
    t->cols = arena_alloc(ar, (size_t)n * sizeof *t->cols);
    for (int c = 0; c < n; c++) {
        tab_col *col = &t->cols[c];
        col->span = span_at(t, line, start, f[c].b, f[c].e - f[c].b);
        col->unit = (ax_unit){DIM_NONE, 1.0};
        const char *colon = memchr(s + f[c].b, ':', (size_t)(f[c].e - f[c].b));
        int ne = colon ? (int)(colon - s) : f[c].e;
        while (ne > f[c].b && is_blank(s[ne - 1]))
            ne--;
        col->name = arena_strndup(ar, s + f[c].b, (size_t)(ne - f[c].b));
        if (!*col->name) {
            diag_error(d, col->span, "the header names no column here");
            ok = false;
            continue;
        }
        for (int k = 0; k < c; k++)
            if (!strcmp(t->cols[k].name, col->name)) {
                diag_error(d, col->span, "column '%s' is named twice", col->name);
                ok = false;
            }
        if (colon) {
            int ub = (int)(colon - s) + 1, ue = f[c].e;
            while (ub < ue && is_blank(s[ub]))
                ub++;
            char *u = arena_strndup(ar, s + ub, (size_t)(ue - ub));
            char err[128];
            if (!unit_parse(u, &col->unit, err, sizeof err)) {
                diag_error(d, span_at(t, line, start, ub, ue - ub), "%s", err);
                ok = false;
            }
            col->has_unit = true;
        }
    }
    return ok;
}

tab *tab_read(ax_arena *ar, diag_ctx *d, ax_span from, const char *name, int flags)
{
    const char *path = tab_path(ar, d, from, name);
    size_t size;
    const char *s;
    int file = tab_file(d, from, path, &s, &size);
    if (file < 0)
        return NULL;
    tab *t = arena_alloc(ar, sizeof *t);
    t->file = file;
    t->path = path;
    t->ncols = -1;
    int errors = 0;
    long cap = 0;
    field fbuf[64];
    bool first = true;
    int line = 0;
    for (size_t p = 0; p < size && errors < MAX_ERRORS;) {
        size_t q = p;
        while (q < size && s[q] != '\n')
            q++;
        line++;
        int b = (int)p, e = (int)q, start = (int)p;
        p = q + 1;
        while (b < e && is_blank(s[b]))
            b++;
        if (b == e || s[b] == '#')
            continue;
        int n = split(s, b, e, fbuf, 64);
        if (n > 64) {
            diag_error(d, span_at(t, line, start, b, e - b), "%d values on one line: at most 64",
                       n);
            return NULL;
        }
        if (first) {
            first = false;
            double v;
            if ((flags & TAB_HEADER) || ((flags & TAB_MAYBE_HEADER) && !number(s, fbuf[0], &v))) {
                t->ncols = n;
                if (!header(ar, d, t, s, fbuf, n, line, start))
                    errors++;
                continue;
            }
            t->ncols = n;
        }
        if (n != t->ncols) {
            diag_error(d, span_at(t, line, start, b, e - b), "%d value%s in this row, but %s %d",
                       n, n == 1 ? "" : "s", t->cols ? "the header names" : "the first row has",
                       t->ncols);
            errors++;
            continue;
        }
        if (t->nrows == cap) {
            long nc = cap ? cap * 2 : 64;
            t->v = arena_grow(ar, t->v, (size_t)(cap * n), (size_t)(nc * n), sizeof *t->v);
            t->off = arena_grow(ar, t->off, (size_t)(cap * n), (size_t)(nc * n), sizeof *t->off);
            t->len = arena_grow(ar, t->len, (size_t)(cap * n), (size_t)(nc * n), sizeof *t->len);
            t->line = arena_grow(ar, t->line, (size_t)cap, (size_t)nc, sizeof *t->line);
            t->start = arena_grow(ar, t->start, (size_t)cap, (size_t)nc, sizeof *t->start);
            cap = nc;
        }
        long r = t->nrows++;
        t->line[r] = line;
        t->start[r] = start;
        for (int c = 0; c < n; c++) {
            long k = r * n + c;
            t->off[k] = fbuf[c].b;
            t->len[k] = fbuf[c].e - fbuf[c].b;
            if (!number(s, fbuf[c], &t->v[k])) {
                if (fbuf[c].e == fbuf[c].b)
                    diag_error(d, span_at(t, line, start, fbuf[c].b, 0), "a value is missing here");
                else
                    diag_error(d, tab_span(t, r, c), "'%.*s' is not a number",
                               fbuf[c].e - fbuf[c].b, s + fbuf[c].b);
                errors++;
                break;
            }
        }
    }
    if ((flags & TAB_HEADER) && !t->cols && !errors) {
        diag_error(d, from, "'%s' is empty: it needs a header row naming its columns", path);
        return NULL;
    }
    if (errors >= MAX_ERRORS)
        diag_error(d, from, "too many errors in '%s': the rest is not read", path);
    return errors ? NULL : t;
}
