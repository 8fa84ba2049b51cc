#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "axon/io.h"
#include "check_suites.h"

/* Each test gets a fresh directory so "no leftover files" can be checked by listing it. */
static char g_dir[256];

static void dir_setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/axon_io_XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

static void dir_teardown(void)
{
    DIR *d = opendir(g_dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", g_dir, e->d_name);
            if (unlink(p) != 0)
                rmdir(p);
        }
    }
    closedir(d);
    rmdir(g_dir);
}

static const char *in_dir(char *buf, const char *name)
{
    snprintf(buf, 512, "%s/%s", g_dir, name);
    return buf;
}

static int dir_entries(void)
{
    DIR *d = opendir(g_dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static size_t slurp(const char *path, char *buf, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    size_t n = fread(buf, 1, cap - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    return n;
}

static void spit(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, n, fp), n);
    fclose(fp);
}

/* Hand-made v1.0 file, for inputs our writer never produces. */
static void write_raw_npy(const char *path, const char *dict, const void *data, size_t nbytes)
{
    char buf[512];
    size_t dl = strlen(dict), total = (10 + dl + 1 + 63) / 64 * 64, hl = total - 10;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)(hl & 0xFF);
    buf[9] = (char)(hl >> 8);
    memcpy(buf + 10, dict, dl);
    memset(buf + 10 + dl, ' ', total - 10 - dl - 1);
    buf[total - 1] = '\n';
    memcpy(buf + total, data, nbytes);
    spit(path, buf, total + nbytes);
}

static axon_tensor *filled(axon_dtype dt, int ndim, const size_t *shape)
{
    axon_tensor *t = axon_tensor_new(dt, ndim, shape, NULL);
    ck_assert_ptr_nonnull(t);
    size_t n = axon_tensor_numel(t), esz = axon_dtype_size(dt);
    unsigned char *b = t->data;
    for (size_t i = 0; i < n * esz; i++)
        b[i] = (unsigned char)(i * 37 + 11); /* every byte distinct-ish, any dtype */
    /* floats get ordinary values so the byte pattern cannot hold NaNs */
    if (dt == AXON_F64)
        for (size_t i = 0; i < n; i++)
            ((double *)t->data)[i] = i * 0.1 - 1.0 / 3;
    if (dt == AXON_F32)
        for (size_t i = 0; i < n; i++)
            ((float *)t->data)[i] = (float)(i * 0.1 - 1.0 / 3);
    return t;
}

static void assert_same(const axon_tensor *a, const axon_tensor *b)
{
    ck_assert_int_eq(a->dtype, b->dtype);
    ck_assert_int_eq(a->ndim, b->ndim);
    for (int i = 0; i < a->ndim; i++)
        ck_assert_uint_eq(a->shape[i], b->shape[i]);
    size_t n = axon_tensor_numel(a) * axon_dtype_size(a->dtype);
    axon_tensor *ca = axon_tensor_copy_contiguous(a, NULL),
                *cb = axon_tensor_copy_contiguous(b, NULL);
    ck_assert_ptr_nonnull(ca);
    ck_assert_ptr_nonnull(cb);
    ck_assert_mem_eq(ca->data, cb->data, n);
    axon_tensor_free(ca);
    axon_tensor_free(cb);
}

START_TEST(test_npy_roundtrip_dtypes)
{
    static const axon_dtype dts[] = {AXON_F32, AXON_F64, AXON_I32, AXON_I64, AXON_U8, AXON_U32};
    char p[512];
    in_dir(p, "a.npy");
    size_t shape[2] = {3, 5};
    for (size_t i = 0; i < sizeof dts / sizeof dts[0]; i++) {
        axon_tensor *t = filled(dts[i], 2, shape), *r = NULL;
        axon_err err = {{0}};
        ck_assert_int_eq(axon_npy_write(p, t, &err), AXON_OK);
        ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_OK);
        assert_same(t, r);
        ck_assert_uint_eq((uintptr_t)r->data % 64, 0);
        axon_tensor_free(t);
        axon_tensor_free(r);
    }
    ck_assert_int_eq(dir_entries(), 1); /* overwritten in place, no temp files left */
}
END_TEST

START_TEST(test_npy_roundtrip_shapes)
{
    static const size_t shapes[][4] = {{0}, {7}, {2, 3, 4, 5}, {0, 3}, {1, 1, 1}};
    static const int ndims[] = {0, 1, 4, 2, 3};
    char p[512];
    in_dir(p, "s.npy");
    for (size_t i = 0; i < sizeof ndims / sizeof ndims[0]; i++) {
        axon_tensor *t = filled(AXON_I64, ndims[i], shapes[i]), *r = NULL;
        ck_assert_int_eq(axon_npy_write(p, t, NULL), AXON_OK);
        ck_assert_int_eq(axon_npy_read(p, &r, NULL), AXON_OK);
        assert_same(t, r);
        axon_tensor_free(t);
        axon_tensor_free(r);
    }
}
END_TEST

START_TEST(test_npy_strided_view)
{
    char p[512];
    in_dir(p, "v.npy");
    size_t shape[2] = {4, 6};
    axon_tensor *t = filled(AXON_F32, 2, shape), *r = NULL;
    axon_tensor v;
    ck_assert_int_eq(axon_tensor_view(t, 1, 1, 6, 2, &v), AXON_OK);
    ck_assert_int_eq(axon_tensor_view(&v, 0, 0, 4, 3, &v), AXON_OK);
    ck_assert_int_eq(axon_npy_write(p, &v, NULL), AXON_OK);
    ck_assert_int_eq(axon_npy_read(p, &r, NULL), AXON_OK);
    ck_assert_uint_eq(r->shape[0], 2);
    ck_assert_uint_eq(r->shape[1], 3);
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 3; j++) {
            size_t a[2] = {i, j}, b[2] = {3 * i, 1 + 2 * j};
            ck_assert_double_eq(axon_tensor_get_f64(r, a), axon_tensor_get_f64(t, b));
        }
    axon_tensor_free(t);
    axon_tensor_free(r);
}
END_TEST

START_TEST(test_npy_header_bytes)
{
    char p[512], buf[4096];
    in_dir(p, "h.npy");
    size_t shape[2] = {3, 5};
    axon_tensor *t = filled(AXON_F64, 2, shape);
    ck_assert_int_eq(axon_npy_write(p, t, NULL), AXON_OK);
    size_t n = slurp(p, buf, sizeof buf);
    ck_assert_uint_eq(n, 128 + 15 * 8);
    ck_assert_mem_eq(buf, "\x93NUMPY\x01\x00", 8);
    size_t hl = (unsigned char)buf[8] | (size_t)(unsigned char)buf[9] << 8;
    ck_assert_uint_eq(10 + hl, 128);
    const char *dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 5), }";
    ck_assert_mem_eq(buf + 10, dict, strlen(dict));
    for (size_t i = 10 + strlen(dict); i < 127; i++)
        ck_assert_int_eq(buf[i], ' ');
    ck_assert_int_eq(buf[127], '\n');
    ck_assert_mem_eq(buf + 128, t->data, 15 * 8);
    axon_tensor_free(t);

    size_t one[1] = {7};
    t = filled(AXON_U8, 1, one);
    ck_assert_int_eq(axon_npy_write(p, t, NULL), AXON_OK);
    slurp(p, buf, sizeof buf);
    ck_assert_ptr_nonnull(
        strstr(buf + 10, "{'descr': '|u1', 'fortran_order': False, 'shape': (7,), }"));
    axon_tensor_free(t);
}
END_TEST

START_TEST(test_npy_stream)
{
    char p[512];
    in_dir(p, "rec.npy");
    axon_err err = {{0}};
    size_t inner[1] = {3};
    axon_npy_stream *s = axon_npy_stream_open(p, AXON_F64, 2, inner, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(dir_entries(), 1);
    ck_assert(access(p, F_OK) != 0); /* not visible until close */
    double rows[7][3];
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 3; j++)
            rows[i][j] = i * 10 + j + 0.5;
    ck_assert_int_eq(axon_npy_stream_append(s, rows[0], 2), AXON_OK);
    ck_assert_int_eq(axon_npy_stream_append(s, NULL, 0), AXON_OK);
    ck_assert_int_eq(axon_npy_stream_append(s, rows[2], 5), AXON_OK);
    ck_assert_int_eq(axon_npy_stream_close(s, &err), AXON_OK);
    ck_assert_int_eq(dir_entries(), 1);

    char buf[4096];
    slurp(p, buf, sizeof buf);
    ck_assert_int_eq(buf[127], '\n');
    ck_assert_ptr_nonnull(strstr(buf + 10, "'shape': (7, 3), }"));
    axon_tensor *r = NULL;
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_OK);
    ck_assert_uint_eq(r->shape[0], 7);
    ck_assert_uint_eq(r->shape[1], 3);
    ck_assert_mem_eq(r->data, rows, sizeof rows);
    axon_tensor_free(r);

    /* 1-D stream, and a stream that never gets a row. */
    s = axon_npy_stream_open(p, AXON_I32, 1, NULL, &err);
    ck_assert_ptr_nonnull(s);
    int32_t v[3] = {-1, 2, -3};
    ck_assert_int_eq(axon_npy_stream_append(s, v, 3), AXON_OK);
    ck_assert_int_eq(axon_npy_stream_close(s, &err), AXON_OK);
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_OK);
    ck_assert_int_eq(r->ndim, 1);
    ck_assert_uint_eq(r->shape[0], 3);
    ck_assert_mem_eq(r->data, v, sizeof v);
    axon_tensor_free(r);

    size_t inner3[3] = {2, 1, 4};
    s = axon_npy_stream_open(p, AXON_U8, 4, inner3, &err);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(axon_npy_stream_close(s, &err), AXON_OK);
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_OK);
    ck_assert_int_eq(r->ndim, 4);
    ck_assert_uint_eq(r->shape[0], 0);
    ck_assert_uint_eq(r->shape[3], 4);
    axon_tensor_free(r);
    ck_assert_int_eq(dir_entries(), 1);
}
END_TEST

START_TEST(test_npy_stream_abort)
{
    char p[512];
    in_dir(p, "rec.npy");
    size_t inner[1] = {2};
    float rows[4] = {1, 2, 3, 4};
    axon_npy_stream *s = axon_npy_stream_open(p, AXON_F32, 2, inner, NULL);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(axon_npy_stream_append(s, rows, 2), AXON_OK);
    axon_npy_stream_abort(s);
    ck_assert_int_eq(dir_entries(), 0);
    axon_npy_stream_abort(NULL);

    /* Aborting over an existing file leaves it untouched. */
    size_t shape[1] = {4};
    axon_tensor *t = filled(AXON_F64, 1, shape), *r = NULL;
    ck_assert_int_eq(axon_npy_write(p, t, NULL), AXON_OK);
    s = axon_npy_stream_open(p, AXON_F32, 2, inner, NULL);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(axon_npy_stream_append(s, rows, 2), AXON_OK);
    ck_assert_int_eq(dir_entries(), 2);
    axon_npy_stream_abort(s);
    ck_assert_int_eq(dir_entries(), 1);
    ck_assert_int_eq(axon_npy_read(p, &r, NULL), AXON_OK);
    assert_same(t, r);
    axon_tensor_free(t);
    axon_tensor_free(r);

    /* A failed append is sticky and close reports it, leaving nothing behind. */
    axon_err err = {{0}};
    in_dir(p, "other.npy");
    s = axon_npy_stream_open(p, AXON_F32, 2, inner, NULL);
    ck_assert_int_eq(axon_npy_stream_append(s, NULL, 1), AXON_EINVAL);
    ck_assert_int_eq(axon_npy_stream_append(s, rows, 1), AXON_EINVAL);
    ck_assert_int_eq(axon_npy_stream_close(s, &err), AXON_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "other.npy"));
    ck_assert_int_eq(dir_entries(), 1);
}
END_TEST

START_TEST(test_write_errors_leave_nothing)
{
    char p[512];
    axon_err err = {{0}};
    size_t shape[1] = {4};
    axon_tensor *t = filled(AXON_F64, 1, shape);
    in_dir(p, "missing/x.npy");
    ck_assert_int_eq(axon_npy_write(p, t, &err), AXON_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "missing/x.npy"));
    ck_assert_ptr_null(axon_npy_stream_open(p, AXON_F64, 1, NULL, &err));
    ck_assert_int_eq(axon_csv_write(p, NULL, t, &err), AXON_EIO);
    in_dir(p, "x.npy");
    ck_assert_ptr_null(axon_npy_stream_open(p, AXON_F64, 0, NULL, &err));
    ck_assert_ptr_null(axon_npy_stream_open(p, AXON_F64, 2, NULL, &err));
    ck_assert_int_eq(dir_entries(), 0);
    /* Renaming onto a directory fails at commit; the temp file (a sibling) must still go away. */
    in_dir(p, "sub");
    ck_assert_int_eq(mkdir(p, 0700), 0);
    ck_assert_int_eq(axon_npy_write(p, t, &err), AXON_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "rename"));
    ck_assert_int_eq(axon_csv_write(p, NULL, t, &err), AXON_EIO);
    ck_assert_int_eq(dir_entries(), 1);
    axon_tensor_free(t);
}
END_TEST

START_TEST(test_npy_read_errors)
{
    char p[512];
    axon_err err = {{0}};
    axon_tensor *r = NULL;
    double data[6] = {1, 2, 3, 4, 5, 6};
    in_dir(p, "bad.npy");

    ck_assert_int_eq(axon_npy_read(in_dir(p, "nope.npy"), &r, &err), AXON_EIO);
    in_dir(p, "bad.npy");

    spit(p, "hello world, not numpy", 22);
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "not an NPY file"));

    write_raw_npy(p, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", data, 48);
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "Fortran"));

    write_raw_npy(p, "{'descr': '>f8', 'fortran_order': False, 'shape': (6,), }", data, 48);
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "big-endian"));

    write_raw_npy(p, "{'descr': '<c16', 'fortran_order': False, 'shape': (3,), }", data, 48);
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "'<c16'"));

    write_raw_npy(p, "{'descr': '<f8', 'fortran_order': False, 'shape': (7,), }", data, 48);
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "truncated"));

    write_raw_npy(p, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,1,1,1,6), }", data, 48);
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_EFORMAT);
    ck_assert_ptr_nonnull(strstr(err.msg, "dimensions"));

    write_raw_npy(p, "{'descr': '<f8', 'shape': (6,), }", data, 48);
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_EFORMAT);

    write_raw_npy(p, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (6,), }", data,
                  48);
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_EFORMAT);
    ck_assert_ptr_null(r);

    /* Accepted variations: key order, Fortran flag on 1-D, Python 2 longs, no trailing comma. */
    write_raw_npy(p, "{\"shape\": (2L, 3L), \"fortran_order\": False, \"descr\": \"<f8\"}", data,
                  48);
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_OK);
    ck_assert_uint_eq(r->shape[1], 3);
    ck_assert_mem_eq(r->data, data, 48);
    axon_tensor_free(r);
    write_raw_npy(p, "{'descr': '<f8', 'fortran_order': True, 'shape': (6,), }", data, 48);
    ck_assert_int_eq(axon_npy_read(p, &r, &err), AXON_OK);
    axon_tensor_free(r);
}
END_TEST

START_TEST(test_csv_roundtrip)
{
    char p[512], buf[4096];
    axon_err err = {{0}};
    size_t shape[2] = {3, 3};
    axon_tensor *t = axon_tensor_new(AXON_F64, 2, shape, NULL), *r = NULL;
    double vals[9] = {0.1,    1.0 / 3, -1e-300, 1e300, -0.0, 123456789.123456789,
                      5e-324, -2,      INFINITY};
    memcpy(t->data, vals, sizeof vals);
    in_dir(p, "t.csv");
    ck_assert_int_eq(axon_csv_write(p, "a,b,c", t, &err), AXON_OK);
    ck_assert_int_eq(axon_csv_read(p, 3, &r, &err), AXON_OK);
    ck_assert_uint_eq(r->shape[0], 3);
    ck_assert_uint_eq(r->shape[1], 3);
    ck_assert_mem_eq(r->data, vals, sizeof vals); /* %.17g is exact */
    axon_tensor_free(r);

    /* Transposed view: column stride != 1 */
    axon_tensor v = *t;
    v.strides[0] = 1;
    v.strides[1] = 3;
    ck_assert_int_eq(axon_csv_write(p, "x,y,z\n", &v, &err), AXON_OK);
    ck_assert_int_eq(axon_csv_read(p, -1, &r, &err), AXON_OK);
    ck_assert_double_eq(((double *)r->data)[1], 1e300);
    ck_assert_double_eq(((double *)r->data)[3], 1.0 / 3);
    axon_tensor_free(r);
    axon_tensor_free(t);
    slurp(p, buf, sizeof buf);
    ck_assert(strncmp(buf, "x,y,z\n0.10000000000000001,", 26) == 0);

    size_t n3[1] = {3};
    t = axon_tensor_new(AXON_I32, 1, n3, NULL);
    ((int32_t *)t->data)[0] = 1;
    ((int32_t *)t->data)[1] = -2;
    ((int32_t *)t->data)[2] = 2147483647;
    ck_assert_int_eq(axon_csv_write(p, NULL, t, &err), AXON_OK);
    slurp(p, buf, sizeof buf);
    ck_assert_str_eq(buf, "1\n-2\n2147483647\n");
    axon_tensor_free(t);

    t = axon_tensor_new(AXON_F32, 1, n3, NULL);
    ((float *)t->data)[0] = 0.1f;
    ck_assert_int_eq(axon_csv_write(p, "v", t, &err), AXON_OK);
    slurp(p, buf, sizeof buf);
    ck_assert_str_eq(buf, "v\n0.100000001\n0\n0\n");
    ck_assert_int_eq(axon_csv_read(p, 1, &r, &err), AXON_OK);
    ck_assert((float)((double *)r->data)[0] == 0.1f);
    axon_tensor_free(r);
    axon_tensor_free(t);

    size_t s3[3] = {1, 1, 1};
    t = axon_tensor_new(AXON_F64, 3, s3, NULL);
    ck_assert_int_eq(axon_csv_write(p, NULL, t, &err), AXON_EINVAL);
    axon_tensor_free(t);
    ck_assert_int_eq(dir_entries(), 1);
}
END_TEST

START_TEST(test_csv_read_tolerant)
{
    char p[512];
    axon_err err = {{0}};
    axon_tensor *r = NULL;
    in_dir(p, "e.csv");
    const char *text = "# edge list\r\n"
                       "\n"
                       "  pre , post, weight\r\n"
                       "0,1, 0.5\r\n"
                       "   # indented comment\n"
                       "\t\n"
                       "2 ,3,-1e-3\n"
                       "4,5,nan"; /* no final newline */
    spit(p, text, strlen(text));
    ck_assert_int_eq(axon_csv_read(p, -1, &r, &err), AXON_OK);
    ck_assert_int_eq(r->ndim, 2);
    ck_assert_uint_eq(r->shape[0], 3);
    ck_assert_uint_eq(r->shape[1], 3);
    const double *d = r->data;
    ck_assert_double_eq(d[2], 0.5);
    ck_assert_double_eq(d[3], 2);
    ck_assert_double_eq(d[5], -1e-3);
    ck_assert(isnan(d[8]));
    axon_tensor_free(r);

    spit(p, "", 0);
    ck_assert_int_eq(axon_csv_read(p, 2, &r, &err), AXON_OK);
    ck_assert_uint_eq(r->shape[0], 0);
    ck_assert_uint_eq(r->shape[1], 2);
    axon_tensor_free(r);

    spit(p, "t\n", 2);
    ck_assert_int_eq(axon_csv_read(p, -1, &r, &err), AXON_OK);
    ck_assert_uint_eq(r->shape[0], 0);
    ck_assert_uint_eq(r->shape[1], 1);
    axon_tensor_free(r);

    ck_assert_int_eq(axon_csv_read(p, 0, &r, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_csv_read(in_dir(p, "none.csv"), -1, &r, &err), AXON_EIO);
    ck_assert_ptr_null(r);
}
END_TEST

static void expect_csv_error_n(const char *text, size_t len, int ncols, const char *msg_suffix)
{
    char p[512], want[700];
    axon_err err = {{0}};
    axon_tensor *r = NULL;
    in_dir(p, "bad.csv");
    spit(p, text, len);
    ck_assert_int_eq(axon_csv_read(p, ncols, &r, &err), AXON_EFORMAT);
    ck_assert_ptr_null(r);
    snprintf(want, sizeof want, "%s%s", p, msg_suffix);
    ck_assert_str_eq(err.msg, want);
}

/* Text literals with a NUL inside are measured by sizeof: the macro passes the length. */
#define expect_csv_error(text, ncols, msg) expect_csv_error_n(text, sizeof text - 1, ncols, msg)

START_TEST(test_csv_header_field)
{
    static const char *const names[] = {"i", "t:ms", " w : nS ", "O", "I", "x1", "_", "P0",
                                        "delay:ms", "e5"};
    static const char *const not_names[] = {"O5", "l0", "O.5", "nan", "INF", "infinity", "1x",
                                            "t:", "", " ", "a b", "0", "-x", "t\xc2\xb5"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_msg(axon_csv_header_field(names[i], strlen(names[i])), "%s", names[i]);
    for (size_t i = 0; i < sizeof not_names / sizeof not_names[0]; i++)
        ck_assert_msg(!axon_csv_header_field(not_names[i], strlen(not_names[i])), "%s",
                      not_names[i]);
}
END_TEST

START_TEST(test_csv_read_errors)
{
    expect_csv_error("# c\nt,v,w\n\n1,2,3\n4,5\n", -1, ":5: expected 3 numbers, found 2");
    expect_csv_error("# c\nt,v,w\n\n1,xyz,3\n", -1, ":4:3: 'xyz' is not a number");
    expect_csv_error("1,2,3\n", 2, ":1: expected 2 numbers, found 3");
    expect_csv_error("1,2\n3,4\n\n#x\n5,6,\n", -1, ":5:5: '' is not a number");
    expect_csv_error("1\n3 4\n", 1, ":2:1: '3 4' is not a number");
    expect_csv_error("1.5,2e\n", -1, ":1:5: '2e' is not a number");
    expect_csv_error("a,b\n1,2\nc,d\n", -1, ":3:1: 'c' is not a number");
    /* a first row with a typo is not a header: it is an error where the typo is */
    expect_csv_error("O.5\n1\n", -1, ":1:1: 'O.5' is not a number");
    expect_csv_error("0.5, l0\n1, 2\n", -1, ":1:6: 'l0' is not a number");
    expect_csv_error("t, 0.5\n1, 2\n", -1, ":1:1: 't' is not a number");
    /* a NUL byte does not end a field silently */
    expect_csv_error("t\n1\n2\0\n", -1, ":3:2: a NUL byte (0x00) in the text");
    expect_csv_error("1,2\0junk,3\n", -1, ":1:4: a NUL byte (0x00) in the text");
    /* a long bad field is quoted in part */
    expect_csv_error("1\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", -1,
                     ":2:1: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' is not a number");
    expect_csv_error("a,b,c\n1,2,3\n", 2, ":1: expected 2 columns, header has 3");
}
END_TEST

/* Inputs that never end or never start: /dev/zero stops at the limit, a FIFO without a writer
 * reads as empty (the open does not wait for one) */
START_TEST(test_csv_read_unbounded)
{
    axon_tensor *r = NULL;
    axon_err err = {{0}};
    ck_assert_int_eq(axon_csv_read("/dev/zero", -1, &r, &err), AXON_ERANGE);
    ck_assert_str_eq(err.msg, "/dev/zero: larger than 256 MiB, the limit for a CSV file");
    ck_assert_ptr_null(r);
    char p[512];
    in_dir(p, "fifo");
    ck_assert_int_eq(mkfifo(p, 0600), 0);
    ck_assert_int_eq(axon_csv_read(p, -1, &r, &err), AXON_OK);
    ck_assert_uint_eq(r->shape[0], 0);
    axon_tensor_free(r);
}
END_TEST

Suite *io_suite(void)
{
    Suite *s = suite_create("io");
    TCase *tc = tcase_create("npy");
    tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
    tcase_add_test(tc, test_npy_roundtrip_dtypes);
    tcase_add_test(tc, test_npy_roundtrip_shapes);
    tcase_add_test(tc, test_npy_strided_view);
    tcase_add_test(tc, test_npy_header_bytes);
    tcase_add_test(tc, test_npy_stream);
    tcase_add_test(tc, test_npy_stream_abort);
    tcase_add_test(tc, test_write_errors_leave_nothing);
    tcase_add_test(tc, test_npy_read_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("csv");
    tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
    tcase_add_test(tc, test_csv_roundtrip);
    tcase_add_test(tc, test_csv_read_tolerant);
    tcase_add_test(tc, test_csv_read_errors);
    tcase_add_test(tc, test_csv_header_field);
    tcase_add_test(tc, test_csv_read_unbounded);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);
    return s;
}
