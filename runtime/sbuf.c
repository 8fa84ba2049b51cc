/* A growable text buffer (sbuf.h). */
#define _POSIX_C_SOURCE 200809L

#include "sbuf.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "afile.h"

void rt_sb_add(rt_sbuf *b, const char *s, size_t len)
{
    if (b->oom)
        return;
    if (b->n + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        while (cap < b->n + len + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, len);
    b->n += len;
    b->p[b->n] = '\0';
}

void rt_sb_puts(rt_sbuf *b, const char *s)
{
    rt_sb_add(b, s, strlen(s));
}

void rt_sb_printf(rt_sbuf *b, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)n < sizeof tmp) {
        rt_sb_add(b, tmp, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    rt_sb_add(b, big, (size_t)n);
    free(big);
}

void rt_sb_json_str(rt_sbuf *b, const char *s)
{
    if (!s) {
        rt_sb_puts(b, "null");
        return;
    }
    rt_sb_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': rt_sb_puts(b, "\\\""); break;
        case '\\': rt_sb_puts(b, "\\\\"); break;
        case '\b': rt_sb_puts(b, "\\b"); break;
        case '\f': rt_sb_puts(b, "\\f"); break;
        case '\n': rt_sb_puts(b, "\\n"); break;
        case '\r': rt_sb_puts(b, "\\r"); break;
        case '\t': rt_sb_puts(b, "\\t"); break;
        default:
            if (c < 0x20)
                rt_sb_printf(b, "\\u%04x", c);
            else
                rt_sb_add(b, s, 1);
        }
    }
    rt_sb_add(b, "\"", 1);
}

void rt_sb_num(rt_sbuf *b, double v)
{
    if (!isfinite(v)) {
        rt_sb_puts(b, "null");
        return;
    }
    char tmp[32];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v)
            break;
    }
    rt_sb_puts(b, tmp);
}

void rt_sb_xml(rt_sbuf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': rt_sb_puts(b, "&amp;"); break;
        case '<': rt_sb_puts(b, "&lt;"); break;
        case '>': rt_sb_puts(b, "&gt;"); break;
        case '"': rt_sb_puts(b, "&quot;"); break;
        case '\'': rt_sb_puts(b, "&#39;"); break;
        default: rt_sb_add(b, s, 1);
        }
    }
}

axon_status rt_sb_write_file(const rt_sbuf *b, const char *path, axon_err *err)
{
    if (b->oom)
        return axon_err_set(err, AXON_ENOMEM, "%s: out of memory", path);
    rt_afile f;
    axon_status st = rt_afile_open(&f, path, err);
    if (st != AXON_OK)
        return st;
    if (b->n && fwrite(b->p, 1, b->n, f.fp) != b->n) {
        st = axon_err_set(err, AXON_EIO, "%s: write failed: %s", path, strerror(errno));
        rt_afile_abort(&f);
        return st;
    }
    return rt_afile_commit(&f, err);
}
