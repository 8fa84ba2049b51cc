/*
 * Small strided n-d arrays (ndim <= 4) used for state buffers, recordings and file I/O.
 *
 * A tensor either owns its storage (base != NULL: one 64-byte aligned, zeroed block freed by
 * axon_tensor_free) or is a view into another tensor's storage (base == NULL), valid only while
 * that tensor lives. Strides are in elements, C order for freshly created tensors; entries of
 * shape/strides beyond ndim are 0. ndim == 0 is a scalar with one element.
 *
 * Threads: every function is [any thread] (no global state); a tensor may be read by several
 * threads at once, but not read while another thread writes it or frees it.
 */
#ifndef AXON_TENSOR_H
#define AXON_TENSOR_H

#include <stdbool.h>
#include <stddef.h>

#include "axon/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AXON_MAX_DIMS 4
#define AXON_ALIGN 64

/* AXON_I8 and AXON_I16 (after the others, which keep their values): a population variable
   stored in a small integer (model.h's axon_elem, such as a refractory counter) */
typedef enum {
    AXON_F32,
    AXON_F64,
    AXON_I32,
    AXON_I64,
    AXON_U8,
    AXON_U32,
    AXON_I8,
    AXON_I16
} axon_dtype;

size_t axon_dtype_size(axon_dtype dt);      /* 0 for an unknown dtype */
const char *axon_dtype_name(axon_dtype dt); /* "f32", "f64", ...; "?" if unknown */

typedef struct {
    axon_dtype dtype;
    int ndim;
    size_t shape[AXON_MAX_DIMS];
    size_t strides[AXON_MAX_DIMS]; /* elements */
    void *data;                    /* element at index (0, ..., 0) */
    void *base;                    /* owned allocation, NULL for views */
    size_t size;                   /* bytes in base (multiple of 64), 0 for views */
} axon_tensor;

/* shape may be NULL when ndim == 0. */
axon_tensor *axon_tensor_new(axon_dtype dtype, int ndim, const size_t *shape, axon_err *err);
/* Frees a tensor from axon_tensor_new / a reader; NULL is a no-op. Not for views on the stack. */
void axon_tensor_free(axon_tensor *t);

/*
 * out = t restricted to begin, begin+step, ... < end along dim (t and out may be the same
 * object). Requires begin <= end <= shape[dim] and step >= 1; returns AXON_EINVAL otherwise.
 */
axon_status axon_tensor_view(const axon_tensor *t, int dim, size_t begin, size_t end, size_t step,
                             axon_tensor *out);

size_t axon_tensor_numel(const axon_tensor *t); /* 0 for NULL */
/* True when the elements are dense in C order (strides of size-1 dims are ignored); true for
 * an empty tensor and NULL. */
bool axon_tensor_is_contiguous(const axon_tensor *t);

/* Element access converting through double; idx has ndim entries. NaN for an index out of
 * bounds or a NULL argument. */
double axon_tensor_get_f64(const axon_tensor *t, const size_t *idx);
/* Integer dtypes truncate toward zero; AXON_ERANGE (tensor unchanged) if v does not fit,
 * AXON_EINVAL for an index out of bounds or a NULL argument. */
axon_status axon_tensor_set_f64(axon_tensor *t, const size_t *idx, double v);

/* Copies the elements in C order into dst, which holds numel * dtype size bytes (nothing
 * when either is NULL). */
void axon_tensor_pack(const axon_tensor *t, void *dst);
/* New owning, contiguous tensor with the same dtype, shape and values; NULL (AXON_EINVAL)
 * for NULL. */
axon_tensor *axon_tensor_copy_contiguous(const axon_tensor *t, axon_err *err);

#ifdef __cplusplus
}
#endif

#endif /* AXON_TENSOR_H */
