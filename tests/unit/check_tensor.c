#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "axon/io.h"
#include "axon/tensor.h"
#include "check_suites.h"

START_TEST(test_dtype_info)
{
    ck_assert_uint_eq(axon_dtype_size(AXON_F32), 4);
    ck_assert_uint_eq(axon_dtype_size(AXON_F64), 8);
    ck_assert_uint_eq(axon_dtype_size(AXON_I32), 4);
    ck_assert_uint_eq(axon_dtype_size(AXON_I64), 8);
    ck_assert_uint_eq(axon_dtype_size(AXON_U8), 1);
    ck_assert_uint_eq(axon_dtype_size(AXON_U32), 4);
    ck_assert_uint_eq(axon_dtype_size((axon_dtype)99), 0);
    ck_assert_str_eq(axon_dtype_name(AXON_F64), "f64");
    ck_assert_str_eq(axon_dtype_name(AXON_U8), "u8");
    ck_assert_str_eq(axon_dtype_name((axon_dtype)99), "?");
}
END_TEST

START_TEST(test_new_layout)
{
    axon_err err;
    size_t shape[3] = {3, 4, 5};
    axon_tensor *t = axon_tensor_new(AXON_F32, 3, shape, &err);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(t->ndim, 3);
    ck_assert_uint_eq(t->shape[2], 5);
    ck_assert_uint_eq(t->strides[0], 20);
    ck_assert_uint_eq(t->strides[1], 5);
    ck_assert_uint_eq(t->strides[2], 1);
    ck_assert_uint_eq(t->shape[3], 0);
    ck_assert_uint_eq(axon_tensor_numel(t), 60);
    ck_assert_uint_eq((uintptr_t)t->data % 64, 0);
    ck_assert_ptr_eq(t->data, t->base);
    ck_assert_uint_eq(t->size, 256); /* 240 bytes rounded up to 64 */
    ck_assert(axon_tensor_is_contiguous(t));
    const unsigned char *b = t->base;
    for (size_t i = 0; i < t->size; i++)
        ck_assert_uint_eq(b[i], 0);
    axon_tensor_free(t);

    t = axon_tensor_new(AXON_I64, 0, NULL, &err);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(axon_tensor_numel(t), 1);
    ck_assert_double_eq(axon_tensor_get_f64(t, NULL), 0);
    ck_assert_int_eq(axon_tensor_set_f64(t, NULL, -7), AXON_OK);
    ck_assert_int_eq(*(int64_t *)t->data, -7);
    axon_tensor_free(t);

    size_t empty[2] = {0, 7};
    t = axon_tensor_new(AXON_U8, 2, empty, &err);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_eq(axon_tensor_numel(t), 0);
    ck_assert_uint_eq(t->size, 64);
    ck_assert(axon_tensor_is_contiguous(t));
    axon_tensor_free(t);
    axon_tensor_free(NULL);
}
END_TEST

START_TEST(test_new_errors)
{
    axon_err err = {{0}};
    size_t shape[5] = {1, 1, 1, 1, 1};
    ck_assert_ptr_null(axon_tensor_new(AXON_F64, 5, shape, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "ndim"));
    ck_assert_ptr_null(axon_tensor_new(AXON_F64, -1, shape, NULL));
    ck_assert_ptr_null(axon_tensor_new(AXON_F64, 2, NULL, &err));
    ck_assert_ptr_null(axon_tensor_new((axon_dtype)42, 1, shape, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "dtype"));
    size_t huge[2] = {SIZE_MAX / 2, 3};
    ck_assert_ptr_null(axon_tensor_new(AXON_U8, 2, huge, &err));
    ck_assert_ptr_nonnull(strstr(err.msg, "overflow"));
    size_t big[1] = {SIZE_MAX / 4};
    ck_assert_ptr_null(axon_tensor_new(AXON_F64, 1, big, &err));
}
END_TEST

static axon_tensor *iota(axon_dtype dt, int ndim, const size_t *shape)
{
    axon_tensor *t = axon_tensor_new(dt, ndim, shape, NULL);
    ck_assert_ptr_nonnull(t);
    size_t n = axon_tensor_numel(t), idx[4] = {0};
    for (size_t i = 0; i < n; i++) {
        size_t rem = i;
        for (int d = ndim - 1; d >= 0; d--) {
            idx[d] = rem % shape[d];
            rem /= shape[d];
        }
        ck_assert_int_eq(axon_tensor_set_f64(t, idx, (double)i), AXON_OK);
    }
    return t;
}

START_TEST(test_view)
{
    size_t shape[3] = {3, 4, 5};
    axon_tensor *t = iota(AXON_F64, 3, shape);
    axon_tensor v;
    ck_assert_int_eq(axon_tensor_view(t, 1, 1, 4, 2, &v), AXON_OK); /* rows 1, 3 */
    ck_assert_uint_eq(v.shape[0], 3);
    ck_assert_uint_eq(v.shape[1], 2);
    ck_assert_uint_eq(v.shape[2], 5);
    ck_assert_uint_eq(v.strides[1], 10);
    ck_assert_ptr_null(v.base);
    ck_assert(!axon_tensor_is_contiguous(&v));
    ck_assert_int_eq(axon_tensor_view(&v, 2, 0, 5, 3, &v), AXON_OK); /* in place: cols 0, 3 */
    ck_assert_uint_eq(v.shape[2], 2);
    ck_assert_uint_eq(v.strides[2], 3);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 2; j++)
            for (size_t k = 0; k < 2; k++) {
                size_t idx[3] = {i, j, k};
                ck_assert_double_eq(axon_tensor_get_f64(&v, idx),
                                    (double)(i * 20 + (1 + 2 * j) * 5 + 3 * k));
            }

    axon_tensor *c = axon_tensor_copy_contiguous(&v, NULL);
    ck_assert_ptr_nonnull(c);
    ck_assert(axon_tensor_is_contiguous(c));
    ck_assert_uint_eq(c->strides[0], 4);
    const double *cd = c->data;
    ck_assert_double_eq(cd[0], 5);
    ck_assert_double_eq(cd[1], 8);
    ck_assert_double_eq(cd[2], 15);
    ck_assert_double_eq(cd[11], 2 * 20 + 15 + 3);
    axon_tensor_free(c);

    /* A one-row slice is still dense; an empty one too. */
    ck_assert_int_eq(axon_tensor_view(t, 0, 2, 3, 1, &v), AXON_OK);
    ck_assert(axon_tensor_is_contiguous(&v));
    ck_assert_double_eq(*(double *)v.data, 40);
    ck_assert_int_eq(axon_tensor_view(t, 1, 4, 4, 1, &v), AXON_OK);
    ck_assert_uint_eq(axon_tensor_numel(&v), 0);
    ck_assert(axon_tensor_is_contiguous(&v));
    ck_assert_int_eq(axon_tensor_view(t, 1, 3, 4, 5, &v), AXON_OK);
    ck_assert_uint_eq(v.shape[1], 1);

    ck_assert_int_eq(axon_tensor_view(t, 1, 0, 5, 1, &v), AXON_EINVAL);
    ck_assert_int_eq(axon_tensor_view(t, 1, 3, 2, 1, &v), AXON_EINVAL);
    ck_assert_int_eq(axon_tensor_view(t, 1, 0, 2, 0, &v), AXON_EINVAL);
    ck_assert_int_eq(axon_tensor_view(t, 3, 0, 1, 1, &v), AXON_EINVAL);
    ck_assert_int_eq(axon_tensor_view(t, -1, 0, 1, 1, &v), AXON_EINVAL);
    axon_tensor_free(t);
}
END_TEST

START_TEST(test_pack_strided_1d)
{
    size_t shape[1] = {10};
    axon_tensor *t = iota(AXON_I32, 1, shape);
    axon_tensor v;
    ck_assert_int_eq(axon_tensor_view(t, 0, 1, 10, 4, &v), AXON_OK);
    int32_t out[3];
    axon_tensor_pack(&v, out);
    ck_assert_int_eq(out[0], 1);
    ck_assert_int_eq(out[1], 5);
    ck_assert_int_eq(out[2], 9);
    axon_tensor_free(t);
}
END_TEST

/* NULL arguments and indices out of bounds: a status or NaN, never a crash. */
START_TEST(test_null_and_bounds)
{
    size_t shape[2] = {2, 3}, in[2] = {1, 2}, out[2] = {2, 0}, out2[2] = {0, 3};
    axon_tensor *t = axon_tensor_new(AXON_F64, 2, shape, NULL);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(axon_tensor_set_f64(t, in, 4.5), AXON_OK);
    ck_assert(axon_tensor_get_f64(t, in) == 4.5);
    ck_assert(isnan(axon_tensor_get_f64(t, out)));
    ck_assert(isnan(axon_tensor_get_f64(t, out2)));
    ck_assert(isnan(axon_tensor_get_f64(t, NULL)));
    ck_assert(isnan(axon_tensor_get_f64(NULL, in)));
    ck_assert_int_eq(axon_tensor_set_f64(t, out, 1), AXON_EINVAL);
    ck_assert_int_eq(axon_tensor_set_f64(t, NULL, 1), AXON_EINVAL);
    ck_assert_int_eq(axon_tensor_set_f64(NULL, in, 1), AXON_EINVAL);
    ck_assert_uint_eq(axon_tensor_numel(NULL), 0);
    ck_assert(axon_tensor_is_contiguous(NULL));
    axon_tensor_pack(NULL, NULL);
    axon_tensor_pack(t, NULL);
    axon_err err;
    ck_assert_ptr_null(axon_tensor_copy_contiguous(NULL, &err));
    ck_assert_str_eq(err.msg, "NULL tensor");
    ck_assert_int_eq(axon_tensor_view(NULL, 0, 0, 1, 1, t), AXON_EINVAL);
    ck_assert_int_eq(axon_tensor_view(t, 0, 0, 1, 1, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sha256_file(NULL, NULL, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_npy_write(NULL, t, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_npy_write("x.npy", NULL, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_npy_read(NULL, NULL, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_csv_write(NULL, NULL, t, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_csv_read(NULL, 0, NULL, &err), AXON_EINVAL);
    axon_tensor_free(t);
}
END_TEST

START_TEST(test_get_set_dtypes)
{
    size_t shape[1] = {2}, i1[1] = {1};
    axon_tensor *t = axon_tensor_new(AXON_U8, 1, shape, NULL);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, 255.9), AXON_OK);
    ck_assert_double_eq(axon_tensor_get_f64(t, i1), 255);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, 256), AXON_ERANGE);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, -1), AXON_ERANGE);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, NAN), AXON_ERANGE);
    ck_assert_double_eq(axon_tensor_get_f64(t, i1), 255);
    axon_tensor_free(t);

    t = axon_tensor_new(AXON_I32, 1, shape, NULL);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, -2147483648.0), AXON_OK);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, 2147483648.0), AXON_ERANGE);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, -3.7), AXON_OK);
    ck_assert_double_eq(axon_tensor_get_f64(t, i1), -3);
    axon_tensor_free(t);

    t = axon_tensor_new(AXON_I64, 1, shape, NULL);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, 0x1p62), AXON_OK);
    ck_assert_int_eq(((int64_t *)t->data)[1], INT64_C(1) << 62);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, 0x1p63), AXON_ERANGE);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, INFINITY), AXON_ERANGE);
    axon_tensor_free(t);

    t = axon_tensor_new(AXON_U32, 1, shape, NULL);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, 4294967295.0), AXON_OK);
    ck_assert_uint_eq(((uint32_t *)t->data)[1], UINT32_MAX);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, 4294967296.0), AXON_ERANGE);
    axon_tensor_free(t);

    t = axon_tensor_new(AXON_F32, 1, shape, NULL);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, 0.1), AXON_OK);
    ck_assert_double_eq(axon_tensor_get_f64(t, i1), (double)0.1f);
    ck_assert_int_eq(axon_tensor_set_f64(t, i1, INFINITY), AXON_OK);
    axon_tensor_free(t);
}
END_TEST

Suite *tensor_suite(void)
{
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_dtype_info);
    tcase_add_test(tc, test_new_layout);
    tcase_add_test(tc, test_new_errors);
    tcase_add_test(tc, test_view);
    tcase_add_test(tc, test_null_and_bounds);
    tcase_add_test(tc, test_pack_strided_1d);
    tcase_add_test(tc, test_get_set_dtypes);
    suite_add_tcase(s, tc);
    return s;
}
