/*
 * util: the compiler's small building blocks — an arena allocator (one per
 * compilation; everything the front end and IR allocate lives in it and is
 * freed at once), a growable string buffer, and file reading.
 * Nothing here is global; every function takes the object it works on.
 */
#ifndef AXON_UTIL_H
#define AXON_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct ax_arena ax_arena;

/* Running out of memory. An arena (and a diag_ctx, see diag.h) given an ax_oom calls
 * longjmp(*jump, 1) instead of aborting when an allocation fails or when the arena would
 * grow past limit bytes (0: no limit); the caller that set jump then treats everything built
 * since as lost. Without one, out of memory aborts. */
typedef struct {
    jmp_buf *jump;
    size_t limit;
} ax_oom;

/* NULL when out of memory. */
ax_arena *arena_new(void);
void arena_set_oom(ax_arena *a, const ax_oom *oom);
/* Calls the arena's out-of-memory handler (or aborts): for allocations made beside it. */
_Noreturn void arena_oom(const ax_arena *a);
void arena_free(ax_arena *a);
/* Zeroed, 16-byte aligned memory that lives as long as the arena. */
void *arena_alloc(ax_arena *a, size_t size);
char *arena_strndup(ax_arena *a, const char *s, size_t n);
char *arena_strdup(ax_arena *a, const char *s);
char *arena_printf(ax_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Grow an arena array: returns a copy of old (n elements) with room for cap. */
void *arena_grow(ax_arena *a, void *old, size_t n, size_t cap, size_t elem);
size_t arena_bytes(const ax_arena *a);

/* A growable, NUL-terminated string (heap memory; caller frees with sb_free). When memory
 * runs out, what does not fit is dropped and oom is set: the text is cut, never overrun, and
 * sb_take returns NULL. */
typedef struct {
    char *buf;
    size_t len, cap;
    int oom;
} strbuf;

void sb_putc(strbuf *sb, char c);
void sb_puts(strbuf *sb, const char *s);
void sb_putn(strbuf *sb, const char *s, size_t n);
void sb_printf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *sb, const char *fmt, va_list ap);
void sb_clear(strbuf *sb);
void sb_free(strbuf *sb);
/* Returns the string and leaves sb empty; the caller owns the result. NULL when memory ran
 * out (sb->oom) while it was built. */
char *sb_take(strbuf *sb);
/* The text of sb copied into the arena (NUL-terminated), sb freed; when sb ran out of memory,
 * or the arena does, sb is freed and the arena's out-of-memory jump taken (arena_oom), so that
 * nothing leaks. For the front end's passes, which run with that jump set. */
char *sb_arena_take(strbuf *sb, ax_arena *a);

/* Limits on what the front end reads (docs/limits.md). Files stay below 2 GiB, so every
 * offset, line and column in them fits an int (ax_span). */
#define AX_STR_(x) #x
#define AX_STR(x) AX_STR_(x)
#define AX_MAX_SOURCE_MIB 64   /* one model file */
#define AX_MAX_DATA_MIB 256    /* one data file (CSV) */
enum {
    AX_MAX_SOURCE = AX_MAX_SOURCE_MIB << 20,
    AX_MAX_DATA = AX_MAX_DATA_MIB << 20,
    AX_MAX_NAME = 100,    /* bytes of a name: "POP.VAR.t.npy" must fit a file name */
    AX_MAX_NESTING = 256, /* brackets and blocks open at once */
};

/* A message quotes at most AX_QUOTE bytes of input (a number a megabyte long, a long string),
 * then "...": printf("'%.*s%s'", AX_QUOTED(text, len)) with len a size_t or int variable. */
enum { AX_QUOTE = 40 };
#define AX_QUOTED(s, n) (int)((size_t)(n) > AX_QUOTE ? AX_QUOTE : (size_t)(n)), (s), \
                        ((size_t)(n) > AX_QUOTE ? "..." : "")

/* Reads a whole file into malloc'd memory (NUL-terminated), at most max bytes: a longer
 * file (or an endless one, like /dev/zero) is not read past max + 1 bytes. Returns NULL and
 * sets *err to a static description of errno, or to READ_FILE_TOO_LARGE. */
char *read_file(const char *path, size_t max, size_t *len, const char **err);
extern const char READ_FILE_TOO_LARGE[];

/* The shortest decimal form of v that reads back as v ("0.0105", "1e-09"). */
const char *fmt_double(char buf[32], double v);

/* Levenshtein distance, for "did you mean" suggestions. */
int edit_distance(const char *a, const char *b);
/* edit_distance for "did you mean" suggestions: very large when cand shares
 * nothing with typed (every character replaced), except for a change of case. */
int typo_distance(const char *typed, const char *cand);

#endif
