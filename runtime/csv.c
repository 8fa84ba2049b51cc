#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "afile.h"
#include "axon/io.h"

static void rt_csv_value(FILE *fp, axon_dtype dt, const void *p)
{
    switch (dt) {
    case AXON_F32: fprintf(fp, "%.9g", (double)*(const float *)p); break;
    case AXON_F64: fprintf(fp, "%.17g", *(const double *)p); break;
    case AXON_I32: fprintf(fp, "%" PRId32, *(const int32_t *)p); break;
    case AXON_I64: fprintf(fp, "%" PRId64, *(const int64_t *)p); break;
    case AXON_U8: fprintf(fp, "%u", (unsigned)*(const uint8_t *)p); break;
    case AXON_U32: fprintf(fp, "%" PRIu32, *(const uint32_t *)p); break;
    case AXON_I8: fprintf(fp, "%d", (int)*(const int8_t *)p); break;
    case AXON_I16: fprintf(fp, "%d", (int)*(const int16_t *)p); break;
    }
}

axon_status axon_csv_write(const char *path, const char *header, const axon_tensor *t,
                           axon_err *err)
{
    if (!path || !t)
        return axon_err_set(err, AXON_EINVAL, "NULL tensor or path");
    size_t esz = axon_dtype_size(t->dtype);
    if (esz == 0 || (t->ndim != 1 && t->ndim != 2))
        return axon_err_set(err, AXON_EINVAL, "%s: CSV needs a 1-D or 2-D tensor, got %d-D", path,
                            t->ndim);
    rt_afile f;
    axon_status s = rt_afile_open(&f, path, err);
    if (s != AXON_OK)
        return s;
    if (header) {
        size_t hl = strlen(header);
        fputs(header, f.fp);
        if (hl == 0 || header[hl - 1] != '\n')
            fputc('\n', f.fp);
    }
    size_t rows = t->shape[0], cols = t->ndim == 2 ? t->shape[1] : 1;
    size_t cstride = t->ndim == 2 ? t->strides[1] : 0;
    const char *data = t->data;
    for (size_t r = 0; r < rows && !ferror(f.fp); r++) {
        for (size_t c = 0; c < cols; c++) {
            if (c)
                fputc(',', f.fp);
            rt_csv_value(f.fp, t->dtype, data + (r * t->strides[0] + c * cstride) * esz);
        }
        fputc('\n', f.fp);
    }
    if (ferror(f.fp)) {
        s = axon_err_set(err, AXON_EIO, "%s: write failed: %s", path, strerror(errno));
        rt_afile_abort(&f);
        return s;
    }
    return rt_afile_commit(&f, err);
}

static int rt_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A field that names no column though it reads as a name: one of strtod's special values
 * ("nan", "inf"), or a number with letters for digits ('O' or 'o' for 0, 'l' or 'I' for 1:
 * "O5", "l0"). In a first row such a field is a typo in a row of values. */
static int rt_number_like(const char *s, size_t n)
{
    char raw[72], mapped[72], *end;
    if (n == 0 || n >= sizeof raw)
        return 0;
    int digit = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        digit |= c >= '0' && c <= '9';
        raw[i] = c;
        mapped[i] = c == 'O' || c == 'o' ? '0' : c == 'l' || c == 'I' ? '1' : c;
    }
    raw[n] = mapped[n] = '\0';
    strtod(raw, &end);
    if (*end == '\0')
        return 1;
    strtod(mapped, &end);
    return digit && *end == '\0';
}

int axon_csv_header_field(const char *s, size_t n)
{
    if (!s)
        return 0;
    while (n && rt_is_blank(*s)) {
        s++;
        n--;
    }
    while (n && rt_is_blank(s[n - 1]))
        n--;
    const char *colon = memchr(s, ':', n);
    size_t name = colon ? (size_t)(colon - s) : n;
    while (name && rt_is_blank(s[name - 1]))
        name--;
    if (name == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < name; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    if (rt_number_like(s, name))
        return 0;
    if (colon) { /* a unit: something, and no NUL */
        const char *u = colon + 1, *e = s + n;
        while (u < e && rt_is_blank(*u))
            u++;
        if (u == e || memchr(u, '\0', (size_t)(e - u)))
            return 0;
    }
    return 1;
}

/* Field [begin, end) of a mutable line, trimmed; returns 0 and sets *v if it is a number. */
static int rt_parse_number(char *begin, char *end, double *v)
{
    if (begin == end)
        return -1;
    char saved = *end, *stop;
    *end = '\0';
    *v = strtod(begin, &stop);
    *end = saved;
    return stop == end ? 0 : -1;
}

typedef struct {
    double *v;
    size_t n, cap;
} rt_dvec;

static int rt_dvec_reserve(rt_dvec *d, size_t extra)
{
    if (extra <= d->cap - d->n)
        return 0;
    size_t cap = d->cap ? d->cap : 64;
    while (cap - d->n < extra) {
        if (cap > SIZE_MAX / 2 / sizeof(double))
            return -1;
        cap *= 2;
    }
    double *v = realloc(d->v, cap * sizeof *v);
    if (!v)
        return -1;
    d->v = v;
    d->cap = cap;
    return 0;
}

/* At most this much of a bad field is quoted in a message. */
enum { RT_QUOTE = 40 };

/* getline, but reading at most *left bytes in all (so that an endless input, /dev/zero, ends):
 * the length of the line, -1 at the end of the input, -2 past the limit, -3 out of memory. */
static ssize_t rt_csv_getline(char **line, size_t *cap, FILE *fp, size_t *left)
{
    size_t n = 0;
    int c;
    while ((c = getc_unlocked(fp)) != EOF) {
        if (*left == 0)
            return -2;
        --*left;
        if (n + 2 > *cap) {
            size_t nc = *cap ? *cap * 2 : 256;
            char *b = realloc(*line, nc);
            if (!b)
                return -3;
            *line = b;
            *cap = nc;
        }
        (*line)[n++] = (char)c;
        if (c == '\n')
            break;
    }
    if (n == 0)
        return -1;
    (*line)[n] = '\0';
    return (ssize_t)n;
}

axon_status axon_csv_read(const char *path, int ncols_expected, axon_tensor **out, axon_err *err)
{
    if (!path || !out || ncols_expected == 0 || ncols_expected < -1)
        return axon_err_set(err, AXON_EINVAL, "csv read: bad arguments (ncols_expected %d)",
                            ncols_expected);
    *out = NULL;
    FILE *fp = axon_file_open_read(path);
    if (!fp)
        return axon_err_set(err, AXON_EIO, "%s: %s", path, strerror(errno));
    axon_status s = AXON_OK;
    char *line = NULL;
    size_t line_cap = 0, lineno = 0, nrows = 0;
    long ncols = ncols_expected;
    int first = 1;
    rt_dvec vals = {0};
    ssize_t len;
    size_t left = AXON_CSV_MAX_BYTES;
    while ((len = rt_csv_getline(&line, &line_cap, fp, &left)) != -1) {
        if (len < -1) {
            s = len == -3 ? axon_err_set(err, AXON_ENOMEM, "%s:%zu: out of memory", path,
                                               lineno + 1)
                                : axon_err_set(err, AXON_ERANGE,
                                               "%s: larger than %d MiB, the limit for a CSV file",
                                               path, AXON_CSV_MAX_BYTES >> 20);
            goto done;
        }
        lineno++;
        char *p = line, *eol = line + len;
        while (eol > p && rt_is_blank(eol[-1]))
            eol--;
        while (p < eol && rt_is_blank(*p))
            p++;
        if (p == eol || *p == '#')
            continue;
        /* a NUL would end a field early without a word: it is an error where it is */
        char *nul = memchr(p, '\0', (size_t)(eol - p));
        if (nul) {
            s = axon_err_set(err, AXON_EFORMAT, "%s:%zu:%zu: a NUL byte (0x00) in the text",
                             path, lineno, (size_t)(nul - line) + 1);
            goto done;
        }
        /* Values go after the committed rows; they become a row only once the line passes. */
        size_t nf = 0, nnames = 0;
        char *bad_begin = NULL, *bad_end = NULL;
        for (char *field = p;;) {
            char *comma = memchr(field, ',', (size_t)(eol - field));
            char *fend = comma ? comma : eol, *b = field, *e = fend;
            while (b < e && rt_is_blank(*b))
                b++;
            while (e > b && rt_is_blank(e[-1]))
                e--;
            double v = 0;
            if (rt_dvec_reserve(&vals, nf + 1) != 0) {
                s = axon_err_set(err, AXON_ENOMEM, "%s:%zu: out of memory", path, lineno);
                goto done;
            }
            if (rt_parse_number(b, e, &v) != 0 && !bad_begin) {
                bad_begin = b;
                bad_end = e;
            }
            nnames += first && axon_csv_header_field(b, (size_t)(e - b));
            vals.v[vals.n + nf++] = v;
            if (!comma)
                break;
            field = comma + 1;
        }
        if (first) {
            first = 0;
            if (nnames == nf) { /* header line: every field a name */
                if (ncols < 0) {
                    ncols = (long)nf;
                } else if ((size_t)ncols != nf) {
                    s = axon_err_set(err, AXON_EFORMAT,
                                     "%s:%zu: expected %ld columns, header has %zu", path, lineno,
                                     ncols, nf);
                    goto done;
                }
                continue;
            }
        }
        if (bad_begin) {
            size_t n = (size_t)(bad_end - bad_begin);
            s = axon_err_set(err, AXON_EFORMAT, "%s:%zu:%zu: '%.*s%s' is not a number", path,
                             lineno, (size_t)(bad_begin - line) + 1, n > RT_QUOTE ? RT_QUOTE : (int)n,
                             bad_begin, n > RT_QUOTE ? "..." : "");
            goto done;
        }
        if (ncols < 0)
            ncols = (long)nf;
        if ((size_t)ncols != nf) {
            s = axon_err_set(err, AXON_EFORMAT, "%s:%zu: expected %ld numbers, found %zu", path,
                             lineno, ncols, nf);
            goto done;
        }
        vals.n += nf;
        nrows++;
    }
    if (ferror(fp)) {
        s = axon_err_set(err, AXON_EIO, "%s: read failed: %s", path, strerror(errno));
        goto done;
    }
    size_t shape[2] = {nrows, ncols < 0 ? 0 : (size_t)ncols};
    axon_tensor *t = axon_tensor_new(AXON_F64, 2, shape, err);
    if (!t) {
        s = AXON_ENOMEM; /* vals already holds this many doubles, so the size cannot overflow */
        goto done;
    }
    if (vals.n)
        memcpy(t->data, vals.v, vals.n * sizeof(double));
    *out = t;
done:
    free(vals.v);
    free(line);
    fclose(fp);
    return s;
}
