#include "util.h"

#include "axon/io.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* The arena is a list of chunks; big requests get a chunk of their own so
 * that a few large arrays do not waste the tail of a normal chunk. */
typedef struct chunk {
    struct chunk *next;
    size_t used, size;
    _Alignas(16) unsigned char data[];
} chunk;

struct ax_arena {
    chunk *head;
    size_t total;
    const ax_oom *oom;
};

enum { CHUNK_SIZE = 64 * 1024 };

ax_arena *arena_new(void)
{
    return calloc(1, sizeof(ax_arena)); /* NULL when out of memory */
}

void arena_set_oom(ax_arena *a, const ax_oom *oom) { a->oom = oom; }

_Noreturn void arena_oom(const ax_arena *a)
{
    if (a && a->oom && a->oom->jump)
        longjmp(*a->oom->jump, 1);
    abort(); /* nobody to tell */
}

void arena_free(ax_arena *a)
{
    if (!a)
        return;
    for (chunk *c = a->head, *n; c; c = n) {
        n = c->next;
        free(c);
    }
    free(a);
}

/* arena_alloc, but NULL when out of memory (or past the limit) instead of the jump */
static void *arena_try_alloc(ax_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        size_t cs = size > CHUNK_SIZE / 4 ? size : CHUNK_SIZE;
        if (a->oom && a->oom->limit && (cs > a->oom->limit || a->total > a->oom->limit - cs))
            return NULL;
        chunk *n = cs > SIZE_MAX - sizeof *n ? NULL : malloc(sizeof *n + cs);
        if (!n)
            return NULL;
        n->used = 0;
        n->size = cs;
        if (cs == size && c) {
            /* keep the current chunk at the head so its tail stays usable */
            n->next = c->next;
            c->next = n;
        } else {
            n->next = c;
            a->head = n;
        }
        c = n;
        a->total += cs;
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

void *arena_alloc(ax_arena *a, size_t size)
{
    void *p = arena_try_alloc(a, size);
    if (!p)
        arena_oom(a);
    return p;
}

char *sb_arena_take(strbuf *sb, ax_arena *a)
{
    char *p = sb->oom ? NULL : arena_try_alloc(a, sb->len + 1);
    if (p && sb->len)
        memcpy(p, sb->buf, sb->len);
    sb_free(sb);
    if (!p)
        arena_oom(a);
    return p;
}

size_t arena_bytes(const ax_arena *a) { return a->total; }

char *arena_strndup(ax_arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_strdup(ax_arena *a, const char *s) { return arena_strndup(a, s, strlen(s)); }

char *arena_printf(ax_arena *a, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return p;
}

void *arena_grow(ax_arena *a, void *old, size_t n, size_t cap, size_t elem)
{
    void *p = arena_alloc(a, cap * elem);
    if (n)
        memcpy(p, old, n * elem);
    return p;
}

/* Room for extra more bytes; 0, or -1 with sb->oom set when there is none. */
static int sb_reserve(strbuf *sb, size_t extra)
{
    if (sb->oom || extra > SIZE_MAX / 2 - sb->len) {
        sb->oom = 1;
        return -1;
    }
    if (sb->len + extra + 1 <= sb->cap)
        return 0;
    size_t cap = sb->cap ? sb->cap * 2 : 64;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    char *b = realloc(sb->buf, cap);
    if (!b) {
        sb->oom = 1;
        return -1;
    }
    sb->buf = b;
    sb->cap = cap;
    return 0;
}

void sb_putn(strbuf *sb, const char *s, size_t n)
{
    if (sb_reserve(sb, n) != 0)
        return;
    if (n) /* s may be NULL then (an empty strbuf's text) */
        memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = 0;
}

void sb_putc(strbuf *sb, char c) { sb_putn(sb, &c, 1); }
void sb_puts(strbuf *sb, const char *s) { sb_putn(sb, s, strlen(s)); }

void sb_vprintf(strbuf *sb, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n < 0 || sb_reserve(sb, (size_t)n) != 0) {
        va_end(ap2);
        return;
    }
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    sb->len += (size_t)n;
}

void sb_printf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(sb, fmt, ap);
    va_end(ap);
}

void sb_clear(strbuf *sb)
{
    sb->len = 0;
    if (sb->buf)
        sb->buf[0] = 0;
}

void sb_free(strbuf *sb)
{
    free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    sb->oom = 0;
}

char *sb_take(strbuf *sb)
{
    if (sb->oom) {
        sb_free(sb);
        return NULL;
    }
    char *s = sb->buf ? sb->buf : calloc(1, 1);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return s;
}

const char READ_FILE_TOO_LARGE[] = "larger than the limit";

char *read_file(const char *path, size_t max, size_t *len, const char **err)
{
    FILE *f = axon_file_open_read(path);
    if (!f) {
        *err = strerror(errno);
        return NULL;
    }
    /* a regular file says its size; devices and pipes are read up to the limit */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
        *err = READ_FILE_TOO_LARGE;
        fclose(f);
        return NULL;
    }
    strbuf sb = {0};
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (n > max - sb.len) {
            *err = READ_FILE_TOO_LARGE;
            fclose(f);
            sb_free(&sb);
            return NULL;
        }
        sb_putn(&sb, buf, n);
    }
    if (ferror(f)) {
        *err = strerror(errno ? errno : EIO);
        fclose(f);
        sb_free(&sb);
        return NULL;
    }
    fclose(f);
    *len = sb.len;
    char *text = sb_take(&sb);
    if (!text)
        *err = strerror(ENOMEM);
    return text;
}

int typo_distance(const char *typed, const char *cand)
{
    /* a name that differs only in case is the likeliest meant ('gI' is 'gi', not 'ge') */
    if (!strcasecmp(typed, cand))
        return strcmp(typed, cand) ? 0 : 1000;
    int d = edit_distance(typed, cand);
    /* replacing every letter ('X' for 'E') is not a typo; a change of case ('V' for 'v') is */
    if (d >= (int)strlen(typed) && strcasecmp(typed, cand))
        return 1000;
    return d;
}

int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 1000;
    int row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int prev = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int cur = row[j];
            int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int best = prev + cost;
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

const char *fmt_double(char buf[32], double v)
{
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v) {
        snprintf(buf, 32, "%lld", (long long)v);
        return buf;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, 32, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return buf;
    }
    return buf;
}
