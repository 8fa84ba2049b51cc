/*
 * File I/O for tensors: NumPy .npy (v1.0 written; v1.0/2.0/3.0 read) and numeric CSV.
 *
 * All writers are atomic: they write "path.tmp.XXXXXX" next to path and rename it over path
 * only when everything succeeded, so an error or abort leaves neither a partial file nor a temp
 * file, and an existing file at path stays intact. Readers return new owning tensors that the
 * caller frees with axon_tensor_free. Text I/O assumes the "C" LC_NUMERIC locale (the default
 * unless the program calls setlocale). Malformed or unsupported file contents give AXON_EFORMAT.
 *
 * Threads: every function is [any thread] (no global state); an axon_npy_stream is used by one
 * thread at a time, and two writers of one path race as two processes would.
 */
#ifndef AXON_IO_H
#define AXON_IO_H

#include <stddef.h>
#include <stdio.h>

#include "axon/status.h"
#include "axon/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

/* C order, little-endian; any view (non-contiguous ones are gathered in small chunks). */
axon_status axon_npy_write(const char *path, const axon_tensor *t, axon_err *err);

/* Rejects Fortran order, big-endian data and dtypes other than those of axon_dtype. */
axon_status axon_npy_read(const char *path, axon_tensor **out, axon_err *err);

/*
 * Streaming NPY writer for recordings of unknown length: the file has ndim dims (1..4), the
 * first growing with each append; inner_shape holds the other ndim - 1 (NULL when ndim == 1).
 * The header is padded to a fixed size (128 bytes unless the inner shape is enormous) and
 * rewritten with the final row count by close. Rows are raw C-order bytes of the dtype.
 */
typedef struct axon_npy_stream axon_npy_stream;

axon_npy_stream *axon_npy_stream_open(const char *path, axon_dtype dtype, int ndim,
                                      const size_t *inner_shape, axon_err *err);
/* A failure is sticky: later appends return it, and close reports it with its message. */
axon_status axon_npy_stream_append(axon_npy_stream *s, const void *rows, size_t nrows);
/* Finalizes and renames into place; always releases s, on error too. */
axon_status axon_npy_stream_close(axon_npy_stream *s, axon_err *err);
/* Discards everything written: releases s and removes the temp file. NULL is a no-op. */
void axon_npy_stream_abort(axon_npy_stream *s);

/*
 * Writes a 1-D tensor as one value per line or a 2-D tensor as comma-separated rows, after the
 * header line if one is given (a trailing newline is added when missing). f64 uses %.17g and
 * f32 %.9g, so values round-trip exactly.
 */
axon_status axon_csv_write(const char *path, const char *header, const axon_tensor *t,
                           axon_err *err);

/*
 * Reads a comma-separated numeric table into a new (rows, cols) f64 tensor. Blank lines and
 * lines starting with '#' are skipped; the first remaining line is taken as a header when
 * every field of it is a column name (axon_csv_header_field). ncols_expected = -1 accepts any
 * count (set by the header or first row), otherwise every row must have that many. Values are
 * read by strtod (so "nan" and "inf" are values). Errors name the 1-based physical line and,
 * for a bad value, its column: "path:LINE: expected N numbers, found M",
 * "path:LINE:COL: 'xyz' is not a number", "path:LINE:COL: a NUL byte (0x00) in the text".
 * At most AXON_CSV_MAX_BYTES are read (an endless input such as /dev/zero too): AXON_ERANGE
 * "path: larger than 256 MiB, the limit for a CSV file". A FIFO without a writer reads as
 * empty (the open does not wait).
 */
#define AXON_CSV_MAX_BYTES (256 << 20)
axon_status axon_csv_read(const char *path, int ncols_expected, axon_tensor **out, axon_err *err);

/*
 * Whether the field [s, s + n) (blanks around it ignored) reads as a column name, the rule by
 * which CSV readers (axon_csv_read, the compiler's data files) tell a header row from a row of
 * values: a name (a letter or '_', then letters, digits and '_'), optionally followed by ':'
 * and a unit ("t:ms"), that is not a number with letters for digits ("O.5" is not even a name;
 * "O5" and "l0" are typos for 05 and 10) nor a special value ("nan", "inf").
 */
int axon_csv_header_field(const char *s, size_t n);

/* The SHA-256 of the file's bytes as 64 lowercase hex digits (what sha256sum prints) into
 * hex; AXON_EIO when it cannot be read. */
axon_status axon_sha256_file(const char *path, char hex[65], axon_err *err);

/*
 * fopen(path, "rb") that never waits: a FIFO without a writer reads as empty instead of
 * blocking the open for ever (the file is opened with O_NONBLOCK, which is then cleared, so
 * reads from a FIFO with a writer wait for its data as usual). Every reader of the runtime and
 * the compiler opens its files so. NULL with errno on failure (EINVAL for a NULL path); the
 * caller fcloses the file.
 */
FILE *axon_file_open_read(const char *path);

#ifdef __cplusplus
}
#endif

#endif /* AXON_IO_H */
