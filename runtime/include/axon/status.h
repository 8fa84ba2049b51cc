/*
 * Status codes and error messages for libaxonrt.
 *
 * Every fallible runtime function returns an axon_status (or NULL) and, when given a non-NULL
 * axon_err, fills it with a human-readable message. The library never prints or exits; callers
 * decide how to report. axon_err is a plain value owned by the caller (no allocation).
 * Threads: both functions are [any thread]; an axon_err is written by one call at a time.
 */
#ifndef AXON_STATUS_H
#define AXON_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    AXON_OK = 0,
    AXON_ENOMEM,   /* allocation failed */
    AXON_EINVAL,   /* bad argument from the caller */
    AXON_EIO,      /* operating-system I/O failure */
    AXON_ERANGE,   /* value or size does not fit */
    AXON_EFORMAT,  /* malformed or unsupported file contents */
    AXON_ESTOPPED, /* a run stopped early, as asked by axon_sim_stop (or a build: axon_opts.stop) */
    AXON_ENONFINITE, /* a run stopped early: a state variable became NaN or infinite */
} axon_status;

/* Static string; never NULL, also for out-of-range values. */
const char *axon_status_str(axon_status s);

typedef struct {
    char msg[256];
} axon_err;

#if defined(__GNUC__) || defined(__clang__)
#define AXON_PRINTF_LIKE(fmt_idx, first_arg) __attribute__((format(printf, fmt_idx, first_arg)))
#else
#define AXON_PRINTF_LIKE(fmt_idx, first_arg)
#endif

/*
 * Formats a message into e (truncated to fit; e may be NULL) and returns s, so error paths can
 * be written as `return axon_err_set(err, AXON_EIO, "%s: ...", path);`.
 */
axon_status axon_err_set(axon_err *e, axon_status s, const char *fmt, ...) AXON_PRINTF_LIKE(3, 4);

#ifdef __cplusplus
}
#endif

#endif /* AXON_STATUS_H */
