/*
 * Internal: a growable text buffer for the files the runtime writes (manifest.json,
 * analysis.json, SVG figures, the HTML report). Out of memory is a sticky flag checked once at
 * the end, so writers stay a flat list of appends instead of a check after each.
 */
#ifndef AXON_RT_SBUF_H
#define AXON_RT_SBUF_H

#include <stddef.h>

#include "axon/status.h"

typedef struct {
    char *p; /* NUL-terminated once anything was added */
    size_t n, cap;
    int oom;
} rt_sbuf;

void rt_sb_add(rt_sbuf *b, const char *s, size_t len);
void rt_sb_puts(rt_sbuf *b, const char *s);
/* Any length (formats twice when the first guess is short). */
void rt_sb_printf(rt_sbuf *b, const char *fmt, ...) AXON_PRINTF_LIKE(2, 3);
/* A JSON string literal, or null for NULL. Bytes >= 0x80 pass through (UTF-8 names). */
void rt_sb_json_str(rt_sbuf *b, const char *s);
/* The shortest %g form of v that reads back exactly; null for NaN and infinities (JSON has
 * no such numbers). */
void rt_sb_num(rt_sbuf *b, double v);
/* Text with &, <, >, " and ' escaped for XML and HTML. */
void rt_sb_xml(rt_sbuf *b, const char *s);
/* Writes b into path atomically (afile.h); reports out of memory when b->oom. Does not free
 * b. */
axon_status rt_sb_write_file(const rt_sbuf *b, const char *path, axon_err *err);

#endif /* AXON_RT_SBUF_H */
