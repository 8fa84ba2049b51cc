#include "axon/tensor.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t axon_dtype_size(axon_dtype dt)
{
    switch (dt) {
    case AXON_F32:
    case AXON_I32:
    case AXON_U32: return 4;
    case AXON_F64:
    case AXON_I64: return 8;
    case AXON_U8:
    case AXON_I8: return 1;
    case AXON_I16: return 2;
    }
    return 0;
}

const char *axon_dtype_name(axon_dtype dt)
{
    switch (dt) {
    case AXON_F32: return "f32";
    case AXON_F64: return "f64";
    case AXON_I32: return "i32";
    case AXON_I64: return "i64";
    case AXON_U8: return "u8";
    case AXON_U32: return "u32";
    case AXON_I8: return "i8";
    case AXON_I16: return "i16";
    }
    return "?";
}

axon_tensor *axon_tensor_new(axon_dtype dtype, int ndim, const size_t *shape, axon_err *err)
{
    size_t esz = axon_dtype_size(dtype);
    if (esz == 0) {
        axon_err_set(err, AXON_EINVAL, "unknown dtype %d", (int)dtype);
        return NULL;
    }
    if (ndim < 0 || ndim > AXON_MAX_DIMS || (ndim > 0 && !shape)) {
        axon_err_set(err, AXON_EINVAL, "ndim must be 0..%d with a shape, got %d", AXON_MAX_DIMS,
                     ndim);
        return NULL;
    }
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        if (shape[i] && n > SIZE_MAX / shape[i]) {
            axon_err_set(err, AXON_ERANGE, "tensor shape overflows size_t");
            return NULL;
        }
        n *= shape[i];
    }
    if (n > (SIZE_MAX - (AXON_ALIGN - 1)) / esz) {
        axon_err_set(err, AXON_ERANGE, "tensor of %zu elements overflows size_t", n);
        return NULL;
    }
    /* aligned_alloc wants a multiple of the alignment, and a zero size is not portable. */
    size_t bytes = (n * esz + AXON_ALIGN - 1) / AXON_ALIGN * AXON_ALIGN;
    if (bytes == 0)
        bytes = AXON_ALIGN;
    axon_tensor *t = malloc(sizeof *t);
    void *base = aligned_alloc(AXON_ALIGN, bytes);
    if (!t || !base) {
        free(t);
        free(base);
        axon_err_set(err, AXON_ENOMEM, "cannot allocate tensor of %zu bytes", bytes);
        return NULL;
    }
    memset(base, 0, bytes);
    memset(t, 0, sizeof *t);
    t->dtype = dtype;
    t->ndim = ndim;
    t->data = base;
    t->base = base;
    t->size = bytes;
    size_t stride = 1;
    for (int i = ndim - 1; i >= 0; i--) {
        t->shape[i] = shape[i];
        t->strides[i] = stride;
        stride *= shape[i];
    }
    return t;
}

void axon_tensor_free(axon_tensor *t)
{
    if (!t)
        return;
    free(t->base);
    free(t);
}

axon_status axon_tensor_view(const axon_tensor *t, int dim, size_t begin, size_t end, size_t step,
                             axon_tensor *out)
{
    if (!t || !out || dim < 0 || dim >= t->ndim || step == 0 || begin > end || end > t->shape[dim])
        return AXON_EINVAL;
    axon_tensor v = *t;
    size_t len = end == begin ? 0 : (end - begin - 1) / step + 1;
    v.base = NULL;
    v.size = 0;
    if (len > 0) /* an empty view keeps data so it never points past the storage */
        v.data = (char *)t->data + begin * t->strides[dim] * axon_dtype_size(t->dtype);
    v.shape[dim] = len;
    if (len > 1)
        v.strides[dim] = t->strides[dim] * step;
    *out = v;
    return AXON_OK;
}

size_t axon_tensor_numel(const axon_tensor *t)
{
    if (!t)
        return 0;
    size_t n = 1;
    for (int i = 0; i < t->ndim; i++)
        n *= t->shape[i];
    return n;
}

bool axon_tensor_is_contiguous(const axon_tensor *t)
{
    if (!t || axon_tensor_numel(t) == 0)
        return true;
    size_t expect = 1;
    for (int i = t->ndim - 1; i >= 0; i--) {
        if (t->shape[i] != 1 && t->strides[i] != expect)
            return false;
        expect *= t->shape[i];
    }
    return true;
}

/* Whether idx (ndim entries) is inside t. */
static bool rt_in_bounds(const axon_tensor *t, const size_t *idx)
{
    if (!t || !t->data || (t->ndim > 0 && !idx))
        return false;
    for (int i = 0; i < t->ndim; i++)
        if (idx[i] >= t->shape[i])
            return false;
    return true;
}

static void *rt_elem(const axon_tensor *t, const size_t *idx)
{
    size_t off = 0;
    for (int i = 0; i < t->ndim; i++)
        off += idx[i] * t->strides[i];
    return (char *)t->data + off * axon_dtype_size(t->dtype);
}

double axon_tensor_get_f64(const axon_tensor *t, const size_t *idx)
{
    if (!rt_in_bounds(t, idx))
        return NAN;
    const void *p = rt_elem(t, idx);
    switch (t->dtype) {
    case AXON_F32: return *(const float *)p;
    case AXON_F64: return *(const double *)p;
    case AXON_I32: return *(const int32_t *)p;
    case AXON_I64: return (double)*(const int64_t *)p;
    case AXON_U8: return *(const uint8_t *)p;
    case AXON_U32: return *(const uint32_t *)p;
    case AXON_I8: return *(const int8_t *)p;
    case AXON_I16: return *(const int16_t *)p;
    }
    return 0;
}

axon_status axon_tensor_set_f64(axon_tensor *t, const size_t *idx, double v)
{
    if (!rt_in_bounds(t, idx))
        return AXON_EINVAL;
    void *p = rt_elem(t, idx);
    /* Range tests are written so NaN fails them; converting an unrepresentable value is UB. */
    switch (t->dtype) {
    case AXON_F32: *(float *)p = (float)v; return AXON_OK;
    case AXON_F64: *(double *)p = v; return AXON_OK;
    case AXON_I32:
        if (!(v > -2147483649.0 && v < 2147483648.0))
            return AXON_ERANGE;
        *(int32_t *)p = (int32_t)v;
        return AXON_OK;
    case AXON_I64:
        if (!(v >= -0x1p63 && v < 0x1p63))
            return AXON_ERANGE;
        *(int64_t *)p = (int64_t)v;
        return AXON_OK;
    case AXON_U8:
        if (!(v > -1.0 && v < 256.0))
            return AXON_ERANGE;
        *(uint8_t *)p = (uint8_t)v;
        return AXON_OK;
    case AXON_U32:
        if (!(v > -1.0 && v < 4294967296.0))
            return AXON_ERANGE;
        *(uint32_t *)p = (uint32_t)v;
        return AXON_OK;
    case AXON_I8:
        if (!(v > -129.0 && v < 128.0))
            return AXON_ERANGE;
        *(int8_t *)p = (int8_t)v;
        return AXON_OK;
    case AXON_I16:
        if (!(v > -32769.0 && v < 32768.0))
            return AXON_ERANGE;
        *(int16_t *)p = (int16_t)v;
        return AXON_OK;
    }
    return AXON_EINVAL;
}

void axon_tensor_pack(const axon_tensor *t, void *dst)
{
    if (!t || !dst)
        return;
    size_t esz = axon_dtype_size(t->dtype), n = axon_tensor_numel(t);
    if (n == 0)
        return;
    if (axon_tensor_is_contiguous(t)) {
        memcpy(dst, t->data, n * esz);
        return;
    }
    /* Not contiguous implies ndim >= 1. Walk the innermost rows in C order. */
    int nd = t->ndim;
    size_t inner = t->shape[nd - 1], istride = t->strides[nd - 1], rows = n / inner;
    size_t idx[AXON_MAX_DIMS] = {0};
    char *out = dst;
    for (size_t r = 0; r < rows; r++) {
        const char *src = rt_elem(t, idx);
        if (istride == 1) {
            memcpy(out, src, inner * esz);
            out += inner * esz;
        } else {
            for (size_t j = 0; j < inner; j++, out += esz)
                memcpy(out, src + j * istride * esz, esz);
        }
        for (int d = nd - 2; d >= 0; d--) {
            if (++idx[d] < t->shape[d])
                break;
            idx[d] = 0;
        }
    }
}

axon_tensor *axon_tensor_copy_contiguous(const axon_tensor *t, axon_err *err)
{
    if (!t) {
        axon_err_set(err, AXON_EINVAL, "NULL tensor");
        return NULL;
    }
    axon_tensor *c = axon_tensor_new(t->dtype, t->ndim, t->shape, err);
    if (c)
        axon_tensor_pack(t, c->data);
    return c;
}
