#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"
#include "axon/io.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "NPY I/O writes host-order data labelled little-endian; big-endian hosts need byte swaps"
#endif

#define RT_NPY_MAGIC "\x93NUMPY"
#define RT_NPY_PREAMBLE 10 /* magic, version, 2-byte header length */
#define RT_NPY_HDR_CAP 256 /* fits the longest v1.0 header we can produce */
#define RT_NPY_CHUNK (1u << 16)

static const char *rt_npy_descr(axon_dtype dt)
{
    switch (dt) {
    case AXON_F32: return "<f4";
    case AXON_F64: return "<f8";
    case AXON_I32: return "<i4";
    case AXON_I64: return "<i8";
    case AXON_U8: return "|u1";
    case AXON_U32: return "<u4";
    case AXON_I8: return "|i1";
    case AXON_I16: return "<i2";
    }
    return NULL;
}

/*
 * Builds the full v1.0 preamble in buf. total is the length to pad to, or 0 for the smallest
 * multiple of 64 (numpy's alignment, so the data is 64-byte aligned when mapped). Returns the
 * length, or 0 if it would not fit in total.
 */
static size_t rt_npy_header(char *buf, axon_dtype dt, int ndim, const size_t *shape, size_t total)
{
    char dict[RT_NPY_HDR_CAP];
    size_t n = (size_t)snprintf(
        dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (", rt_npy_descr(dt));
    for (int i = 0; i < ndim; i++)
        n += (size_t)snprintf(dict + n, sizeof dict - n, i ? ", %zu" : "%zu", shape[i]);
    n += (size_t)snprintf(dict + n, sizeof dict - n, ndim == 1 ? ",), }" : "), }");
    size_t need = RT_NPY_PREAMBLE + n + 1; /* + '\n' */
    if (total == 0)
        total = (need + 63) / 64 * 64;
    if (need > total || total > RT_NPY_HDR_CAP)
        return 0;
    size_t hlen = total - RT_NPY_PREAMBLE;
    memcpy(buf, RT_NPY_MAGIC "\x01\x00", 8);
    buf[8] = (char)(hlen & 0xFF);
    buf[9] = (char)(hlen >> 8);
    memcpy(buf + RT_NPY_PREAMBLE, dict, n);
    memset(buf + RT_NPY_PREAMBLE + n, ' ', total - need);
    buf[total - 1] = '\n';
    return total;
}

static axon_status rt_check_tensor(const axon_tensor *t, const char *path, axon_err *err)
{
    if (!t || !path)
        return axon_err_set(err, AXON_EINVAL, "NULL tensor or path");
    if (!rt_npy_descr(t->dtype) || t->ndim < 0 || t->ndim > AXON_MAX_DIMS)
        return axon_err_set(err, AXON_EINVAL, "%s: invalid tensor (dtype %d, ndim %d)", path,
                            (int)t->dtype, t->ndim);
    return AXON_OK;
}

/* Gathers a strided tensor through a bounded buffer rather than one copy of the whole thing. */
static int rt_write_strided(FILE *fp, const axon_tensor *t)
{
    size_t esz = axon_dtype_size(t->dtype), n = axon_tensor_numel(t);
    char *buf = malloc(RT_NPY_CHUNK);
    if (!buf)
        return -1;
    const char *data = t->data;
    size_t idx[AXON_MAX_DIMS] = {0}, off = 0, pos = 0;
    int rc = 0;
    for (size_t e = 0; e < n && rc == 0; e++) {
        memcpy(buf + pos, data + off * esz, esz);
        pos += esz;
        if (pos == RT_NPY_CHUNK) {
            rc = fwrite(buf, 1, pos, fp) == pos ? 0 : -1;
            pos = 0;
        }
        for (int d = t->ndim - 1; d >= 0; d--) {
            off += t->strides[d];
            if (++idx[d] < t->shape[d])
                break;
            off -= t->strides[d] * t->shape[d]; /* unsigned wrap cancels exactly */
            idx[d] = 0;
        }
    }
    if (rc == 0 && pos > 0 && fwrite(buf, 1, pos, fp) != pos)
        rc = -1;
    free(buf);
    return rc;
}

axon_status axon_npy_write(const char *path, const axon_tensor *t, axon_err *err)
{
    axon_status s = rt_check_tensor(t, path, err);
    if (s != AXON_OK)
        return s;
    char hdr[RT_NPY_HDR_CAP];
    size_t hlen = rt_npy_header(hdr, t->dtype, t->ndim, t->shape, 0);
    rt_afile f;
    if ((s = rt_afile_open(&f, path, err)) != AXON_OK)
        return s;
    size_t n = axon_tensor_numel(t), esz = axon_dtype_size(t->dtype);
    int rc = fwrite(hdr, 1, hlen, f.fp) == hlen ? 0 : -1;
    if (rc == 0 && n > 0) {
        if (axon_tensor_is_contiguous(t))
            rc = fwrite(t->data, esz, n, f.fp) == n ? 0 : -1;
        else
            rc = rt_write_strided(f.fp, t);
    }
    if (rc != 0) {
        s = axon_err_set(err, AXON_EIO, "%s: write failed: %s", path, strerror(errno));
        rt_afile_abort(&f);
        return s;
    }
    return rt_afile_commit(&f, err);
}

struct axon_npy_stream {
    rt_afile f;
    axon_dtype dtype;
    int ndim;
    size_t shape[AXON_MAX_DIMS]; /* shape[0] counts the rows appended so far */
    size_t row_bytes;
    size_t hdr_len;
    axon_status status; /* first append failure, reported by close */
    axon_err err;
};

axon_npy_stream *axon_npy_stream_open(const char *path, axon_dtype dtype, int ndim,
                                      const size_t *inner_shape, axon_err *err)
{
    if (!path || !rt_npy_descr(dtype) || ndim < 1 || ndim > AXON_MAX_DIMS ||
        (ndim > 1 && !inner_shape)) {
        axon_err_set(err, AXON_EINVAL, "%s: invalid stream (dtype %d, ndim %d)",
                     path ? path : "(null)", (int)dtype, ndim);
        return NULL;
    }
    axon_npy_stream *s = calloc(1, sizeof *s);
    if (!s) {
        axon_err_set(err, AXON_ENOMEM, "%s: out of memory", path);
        return NULL;
    }
    s->dtype = dtype;
    s->ndim = ndim;
    s->row_bytes = axon_dtype_size(dtype);
    for (int i = 1; i < ndim; i++) {
        s->shape[i] = inner_shape[i - 1];
        if (s->shape[i] && s->row_bytes > SIZE_MAX / s->shape[i]) {
            axon_err_set(err, AXON_ERANGE, "%s: row size overflows size_t", path);
            free(s);
            return NULL;
        }
        s->row_bytes *= s->shape[i];
    }
    /* Size the header for the widest possible row count so the final rewrite always fits. */
    char hdr[RT_NPY_HDR_CAP];
    s->shape[0] = SIZE_MAX;
    s->hdr_len = rt_npy_header(hdr, dtype, ndim, s->shape, 0);
    s->shape[0] = 0;
    rt_npy_header(hdr, dtype, ndim, s->shape, s->hdr_len);
    if (rt_afile_open(&s->f, path, err) != AXON_OK) {
        free(s);
        return NULL;
    }
    if (fwrite(hdr, 1, s->hdr_len, s->f.fp) != s->hdr_len) {
        axon_err_set(err, AXON_EIO, "%s: write failed: %s", path, strerror(errno));
        axon_npy_stream_abort(s);
        return NULL;
    }
    return s;
}

axon_status axon_npy_stream_append(axon_npy_stream *s, const void *rows, size_t nrows)
{
    if (!s)
        return AXON_EINVAL;
    if (s->status != AXON_OK || nrows == 0)
        return s->status;
    if (!rows && s->row_bytes > 0)
        return s->status = axon_err_set(&s->err, AXON_EINVAL, "%s: NULL rows", s->f.path);
    if (nrows > SIZE_MAX - s->shape[0] || (s->row_bytes && nrows > SIZE_MAX / s->row_bytes))
        return s->status = axon_err_set(&s->err, AXON_ERANGE, "%s: too many rows", s->f.path);
    if (s->row_bytes && fwrite(rows, s->row_bytes, nrows, s->f.fp) != nrows)
        return s->status = axon_err_set(&s->err, AXON_EIO, "%s: write failed after %zu rows: %s",
                                        s->f.path, s->shape[0], strerror(errno));
    s->shape[0] += nrows;
    return AXON_OK;
}

axon_status axon_npy_stream_close(axon_npy_stream *s, axon_err *err)
{
    if (!s)
        return axon_err_set(err, AXON_EINVAL, "NULL stream");
    axon_status st = s->status;
    if (st != AXON_OK) {
        if (err)
            *err = s->err;
        axon_npy_stream_abort(s);
        return st;
    }
    char hdr[RT_NPY_HDR_CAP];
    rt_npy_header(hdr, s->dtype, s->ndim, s->shape, s->hdr_len);
    if (fseek(s->f.fp, 0, SEEK_SET) != 0 || fwrite(hdr, 1, s->hdr_len, s->f.fp) != s->hdr_len) {
        st = axon_err_set(err, AXON_EIO, "%s: cannot rewrite header: %s", s->f.path,
                          strerror(errno));
        axon_npy_stream_abort(s);
        return st;
    }
    st = rt_afile_commit(&s->f, err);
    free(s);
    return st;
}

void axon_npy_stream_abort(axon_npy_stream *s)
{
    if (!s)
        return;
    rt_afile_abort(&s->f);
    free(s);
}

/* ---- reader ---- */

static void rt_skip_ws(const char **p)
{
    while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
        (*p)++;
}

static int rt_parse_str(const char **p, char *out, size_t cap)
{
    char q = **p;
    if (q != '\'' && q != '"')
        return -1;
    const char *begin = *p + 1, *end = strchr(begin, q);
    if (!end || (size_t)(end - begin) >= cap)
        return -1;
    memcpy(out, begin, (size_t)(end - begin));
    out[end - begin] = '\0';
    *p = end + 1;
    return 0;
}

/* Tuple of non-negative ints; *ndim may exceed AXON_MAX_DIMS (only the first ones are kept). */
static int rt_parse_shape(const char **p, size_t *shape, int *ndim)
{
    if (**p != '(')
        return -1;
    (*p)++;
    *ndim = 0;
    for (;;) {
        rt_skip_ws(p);
        if (**p == ')')
            break;
        if (**p < '0' || **p > '9')
            return -1;
        size_t v = 0;
        for (; **p >= '0' && **p <= '9'; (*p)++) {
            unsigned d = (unsigned)(**p - '0');
            if (v > (SIZE_MAX - d) / 10)
                return -1;
            v = v * 10 + d;
        }
        if (**p == 'L') /* written by numpy under Python 2 */
            (*p)++;
        if (*ndim < AXON_MAX_DIMS)
            shape[*ndim] = v;
        (*ndim)++;
        rt_skip_ws(p);
        if (**p == ',')
            (*p)++;
        else if (**p != ')')
            return -1;
    }
    (*p)++;
    return 0;
}

static axon_status rt_parse_dict(const char *h, const char *path, char *descr, size_t descr_cap,
                                 int *fortran, size_t *shape, int *ndim, axon_err *err)
{
    int seen = 0;
    const char *p = h;
    rt_skip_ws(&p);
    if (*p++ != '{')
        return axon_err_set(err, AXON_EFORMAT, "%s: NPY header is not a dict", path);
    for (;;) {
        char key[32];
        rt_skip_ws(&p);
        if (*p == '}')
            break;
        if (rt_parse_str(&p, key, sizeof key) != 0)
            goto bad;
        rt_skip_ws(&p);
        if (*p++ != ':')
            goto bad;
        rt_skip_ws(&p);
        if (strcmp(key, "descr") == 0) {
            if (rt_parse_str(&p, descr, descr_cap) != 0)
                return axon_err_set(err, AXON_EFORMAT,
                                    "%s: unsupported NPY dtype (structured or too long)", path);
            seen |= 1;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (strncmp(p, "True", 4) == 0)
                *fortran = 1;
            else if (strncmp(p, "False", 5) == 0)
                *fortran = 0;
            else
                goto bad;
            p += *fortran ? 4 : 5;
            seen |= 2;
        } else if (strcmp(key, "shape") == 0) {
            if (rt_parse_shape(&p, shape, ndim) != 0)
                goto bad;
            seen |= 4;
        } else {
            return axon_err_set(err, AXON_EFORMAT, "%s: unexpected NPY header key '%s'", path, key);
        }
        rt_skip_ws(&p);
        if (*p == ',')
            p++;
        else if (*p != '}')
            goto bad;
    }
    if (seen != 7)
        return axon_err_set(err, AXON_EFORMAT,
                            "%s: NPY header lacks one of 'descr', 'fortran_order', 'shape'", path);
    return AXON_OK;
bad:
    return axon_err_set(err, AXON_EFORMAT, "%s: malformed NPY header", path);
}

static axon_status rt_descr_dtype(const char *descr, const char *path, axon_dtype *dt,
                                  axon_err *err)
{
    static const struct {
        const char *descr;
        axon_dtype dt;
    } known[] = {{"<f4", AXON_F32}, {"<f8", AXON_F64}, {"<i4", AXON_I32}, {"<i8", AXON_I64},
                 {"|u1", AXON_U8},  {"<u1", AXON_U8},  {"<u4", AXON_U32}, {"|i1", AXON_I8},
                 {"<i1", AXON_I8},  {"<i2", AXON_I16}};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(descr, known[i].descr) == 0) {
            *dt = known[i].dt;
            return AXON_OK;
        }
    }
    if (descr[0] == '>')
        return axon_err_set(err, AXON_EFORMAT,
                            "%s: big-endian data ('%s') is not supported; save it little-endian, "
                            "e.g. arr.astype('<%s')",
                            path, descr, descr + 1);
    return axon_err_set(err, AXON_EFORMAT,
                        "%s: unsupported NPY dtype '%s' (supported: f4, f8, i4, i8, u1, u4)", path,
                        descr);
}

axon_status axon_npy_read(const char *path, axon_tensor **out, axon_err *err)
{
    if (!path || !out)
        return axon_err_set(err, AXON_EINVAL, "NULL path or output");
    *out = NULL;
    FILE *fp = axon_file_open_read(path);
    if (!fp)
        return axon_err_set(err, AXON_EIO, "%s: %s", path, strerror(errno));
    axon_status s = AXON_OK;
    char *h = NULL;
    axon_tensor *t = NULL;
    unsigned char pre[12];
    if (fread(pre, 1, 8, fp) != 8 || memcmp(pre, RT_NPY_MAGIC, 6) != 0) {
        s = axon_err_set(err, AXON_EFORMAT, "%s: not an NPY file", path);
        goto done;
    }
    int major = pre[6];
    size_t hlen;
    if (major == 1 && fread(pre + 8, 1, 2, fp) == 2) {
        hlen = pre[8] | (size_t)pre[9] << 8;
    } else if ((major == 2 || major == 3) && fread(pre + 8, 1, 4, fp) == 4) {
        hlen = pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    } else {
        s = axon_err_set(err, AXON_EFORMAT, "%s: unsupported NPY version %d.%d or truncated file",
                         path, major, pre[7]);
        goto done;
    }
    if (hlen > (1u << 20)) { /* no real header is this long; refuse to allocate for garbage */
        s = axon_err_set(err, AXON_EFORMAT, "%s: NPY header length %zu is implausible", path, hlen);
        goto done;
    }
    if (!(h = malloc(hlen + 1))) {
        s = axon_err_set(err, AXON_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    if (fread(h, 1, hlen, fp) != hlen) {
        s = axon_err_set(err, AXON_EFORMAT, "%s: truncated NPY header", path);
        goto done;
    }
    h[hlen] = '\0';
    char descr[16];
    int fortran = 0, ndim = 0;
    size_t shape[AXON_MAX_DIMS] = {0};
    axon_dtype dt = AXON_F64;
    if ((s = rt_parse_dict(h, path, descr, sizeof descr, &fortran, shape, &ndim, err)) != AXON_OK)
        goto done;
    if ((s = rt_descr_dtype(descr, path, &dt, err)) != AXON_OK)
        goto done;
    if (ndim > AXON_MAX_DIMS) {
        s = axon_err_set(err, AXON_EFORMAT, "%s: %d dimensions, at most %d are supported", path,
                         ndim, AXON_MAX_DIMS);
        goto done;
    }
    if (fortran && ndim > 1) { /* for 0-d and 1-d arrays both orders are the same bytes */
        s = axon_err_set(err, AXON_EFORMAT,
                         "%s: Fortran-order arrays are not supported; save with "
                         "np.ascontiguousarray(arr)",
                         path);
        goto done;
    }
    size_t total = axon_dtype_size(dt);
    for (int i = 0; i < ndim; i++) {
        if (shape[i] && total > (SIZE_MAX / 2) / shape[i]) {
            s = axon_err_set(err, AXON_EFORMAT, "%s: NPY shape is too large", path);
            goto done;
        }
        total *= shape[i];
    }
    if (!(t = axon_tensor_new(dt, ndim, shape, err))) {
        s = AXON_ENOMEM; /* the size was checked above, so allocation is what failed */
        goto done;
    }
    size_t n = axon_tensor_numel(t);
    if (n > 0 && fread(t->data, axon_dtype_size(dt), n, fp) != n) {
        s = axon_err_set(err, AXON_EFORMAT, "%s: truncated data, expected %zu elements", path, n);
        goto done;
    }
done:
    if (s != AXON_OK) {
        axon_tensor_free(t);
        t = NULL;
    }
    free(h);
    fclose(fp);
    *out = t;
    return s;
}
