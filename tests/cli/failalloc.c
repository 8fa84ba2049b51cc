/*
 * A fault injector for tests/cli/faults.sh, loaded with LD_PRELOAD (glibc): the k-th call of
 * malloc, calloc, realloc, aligned_alloc, posix_memalign or memalign made after the program's
 * start returns NULL (ENOMEM), k = $AXON_FAIL_ALLOC (unset or 0: none fails). At exit the
 * number of calls is written to the file $AXON_FAIL_COUNT, when set, so that a test can fail
 * each of them in turn. Only the one call fails: the program's error paths run with memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);

static unsigned long calls, fail_at;
static int counting;

__attribute__((constructor)) static void failalloc_start(void)
{
    const char *k = getenv("AXON_FAIL_ALLOC");
    fail_at = k ? strtoul(k, NULL, 10) : 0;
    counting = 1;
}

__attribute__((destructor)) static void failalloc_end(void)
{
    counting = 0;
    const char *path = getenv("AXON_FAIL_COUNT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (f) {
        fprintf(f, "%lu\n", calls);
        fclose(f);
    }
}

/* whether this call fails */
static int failalloc_now(void)
{
    if (!counting)
        return 0;
    if (++calls != fail_at)
        return 0;
    errno = ENOMEM;
    return 1;
}

void *malloc(size_t size)
{
    return failalloc_now() ? NULL : __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    return failalloc_now() ? NULL : __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    return failalloc_now() ? NULL : __libc_realloc(p, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    return failalloc_now() ? NULL : __libc_memalign(align, size);
}

void *memalign(size_t align, size_t size)
{
    return failalloc_now() ? NULL : __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (failalloc_now())
        return ENOMEM;
    void *p = __libc_memalign(align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}
