/*
 * Reading the numeric CSV files of a model (see table.h). Errors are reported
 * at the value they concern; after MAX_ERRORS in one file the rest of the file
 * is skipped (a file in the wrong format would otherwise repeat one mistake
 * on every line).
 */
#include "sema/table.h"

#include "axon/io.h"

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

#define QUOTED(s, f) AX_QUOTED((s) + (f).b, (f).e - (f).b)

/* Reports the value f that is not a number, saying why. */
static void not_a_number(diag_ctx *d, const tab *t, ax_span at, const char *s, field f)
{
    char buf[72];
    int n = f.e - f.b;
    if (n == 0) {
        diag_error(d, at, "a value is missing here");
        return;
    }
    if (n < (int)sizeof buf) {
        memcpy(buf, s + f.b, (size_t)n);
        buf[n] = 0;
        char *end;
        errno = 0;
        strtod(buf, &end);
        if (!*end) { /* a number, but not a finite one (nan, inf), or too large or small */
            diag_error(d, at, errno == ERANGE ? "'%s' is out of range"
                                              : "'%s' is not a finite number", buf);
            diag_hint(d, "every value of '%s' must be a finite number", t->path);
            return;
        }
        /* letters for digits: "O.5", "l0" */
        bool digit = false;
        for (int i = 0; i < n; i++) {
            digit |= buf[i] >= '0' && buf[i] <= '9';
            buf[i] = buf[i] == 'O' || buf[i] == 'o' ? '0' : buf[i] == 'l' || buf[i] == 'I' ? '1'
                                                                                          : buf[i];
        }
        strtod(buf, &end);
        diag_error(d, at, "'%.*s%s' is not a number", QUOTED(s, f));
        if (digit && !*end)
            diag_hint(d, "did you mean '%s'? ('O' and 'l' are letters, not digits)", buf);
        return;
    }
    diag_error(d, at, "'%.*s%s' is not a number", QUOTED(s, f));
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

static bool is_name(const char *s, field f)
{
    return axon_csv_header_field(s + f.b, (size_t)(f.e - f.b));
}

/* The first field of the first row that is not a column name (-1: the row is a header). With
 * TAB_HEADER the row must be a header: that field is reported. */
static int not_header(diag_ctx *d, const tab *t, const char *s, const field *f, int n, int line,
                      int start, int flags)
{
    int bad = -1;
    for (int c = 0; c < n && bad < 0; c++)
        if (!is_name(s, f[c]))
            bad = c;
    if (bad >= 0 && (flags & TAB_HEADER)) {
        diag_error(d, span_at(t, line, start, f[bad].b, f[bad].e - f[bad].b),
                   "'%.*s%s' is not a column name", QUOTED(s, f[bad]));
        diag_hint(d, "the first row of '%s' names its columns, each a name or name:unit, like "
                     "i,j,w:nS or i,t:ms", t->path);
    }
    return bad;
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
    size_t p = 0;
    if (size >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) /* a UTF-8 byte order mark */
        p = 3;
    while (p < size && errors < MAX_ERRORS) {
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
        const char *nul = memchr(s + b, 0, (size_t)(e - b));
        if (nul) { /* it would end a value early without a word */
            diag_error(d, span_at(t, line, start, (int)(nul - s), 1),
                       "a NUL byte (0x00) in a data file");
            errors++;
            continue;
        }
        int n = split(s, b, e, fbuf, 64);
        if (n > 64) {
            diag_error(d, span_at(t, line, start, b, e - b), "%d values on one line: at most 64",
                       n);
            return NULL;
        }
        int nonname = -1; /* the first row is read as values because of this field */
        if (first) {
            first = false;
            if (flags & (TAB_HEADER | TAB_MAYBE_HEADER)) {
                nonname = not_header(d, t, s, fbuf, n, line, start, flags);
                if (nonname < 0) {
                    t->ncols = n;
                    if (!header(ar, d, t, s, fbuf, n, line, start))
                        errors++;
                    continue;
                }
                if (flags & TAB_HEADER)
                    return NULL;
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
                not_a_number(d, t, tab_span(t, r, c), s, fbuf[c]);
                if (nonname >= 0 && is_name(s, fbuf[c]))
                    diag_hint(d, "a first row is a header only when every value in it is a column "
                                 "name; '%.*s%s' is not one", QUOTED(s, fbuf[nonname]));
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

/* ---- values of a population's initialiser ------------------------------------------------ */

static bool npy_values(ax_arena *ar, diag_ctx *d, ax_span from, const char *path, const char *per,
                       double **v, long *n)
{
    axon_tensor *t = NULL;
    axon_err err;
    if (axon_npy_read(path, &t, &err) != AXON_OK) {
        size_t pl = strlen(path); /* the reader's message starts with the path */
        const char *why = !strncmp(err.msg, path, pl) && err.msg[pl] == ':' ? err.msg + pl + 2
                                                                              : err.msg;
        diag_error(d, from, "cannot read '%s': %s", path, why);
        return false;
    }
    bool ok = t->ndim == 1 || (t->ndim == 2 && t->shape[1] == 1);
    if (!ok)
        diag_error(d, from,
                   "'%s' holds an array of %d dimensions: give one value per %s "
                   "(a 1-D array)",
                   path, t->ndim, per);
    *n = ok ? (long)t->shape[0] : 0;
    *v = arena_alloc(ar, (size_t)(*n + 1) * sizeof **v);
    for (long k = 0; k < *n && ok; k++) {
        size_t idx[2] = {(size_t)k, 0};
        (*v)[k] = axon_tensor_get_f64(t, idx);
        if (!isfinite((*v)[k])) {
            diag_error(d, from, "value %ld of '%s' is not a finite number", k, path);
            ok = false;
        }
    }
    axon_tensor_free(t);
    return ok;
}

bool tab_values(ax_arena *ar, diag_ctx *d, ax_span from, const char *name, const char *var,
                ax_dim dim, const char *per, double **v, long *n)
{
    const char *path = tab_path(ar, d, from, name);
    size_t len = strlen(path);
    if (len > 4 && !strcmp(path + len - 4, ".npy"))
        return npy_values(ar, d, from, path, per, v, n);
    tab *t = tab_read(ar, d, from, name, TAB_MAYBE_HEADER);
    if (!t)
        return false;
    int c = t->cols ? tab_col_index(t, var) : -1;
    if (c < 0 && t->ncols == 1 && (!t->cols || !t->cols[0].has_unit))
        c = 0;
    if (c < 0) {
        diag_error(d, from, "'%s' has %d columns and none is named '%s'", t->path, t->ncols, var);
        diag_hint(d, "name the columns in a header row: %s (with a unit: %s:mV)", var, var);
        return false;
    }
    double scale = 1;
    if (t->cols && t->cols[c].has_unit) {
        if (!dim_eq(t->cols[c].unit.dim, dim)) {
            char a[96], b[96];
            diag_error(d, t->cols[c].span, "'%s' is %s, but this column is %s", var,
                       dim_describe(dim, a, sizeof a),
                       dim_describe(t->cols[c].unit.dim, b, sizeof b));
            return false;
        }
        scale = t->cols[c].unit.scale;
    }
    *n = t->nrows;
    *v = arena_alloc(ar, (size_t)(*n + 1) * sizeof **v);
    for (long r = 0; r < *n; r++)
        (*v)[r] = t->v[r * t->ncols + c] * scale;
    return true;
}
