/*
 * Allocation failures in the libraries (issue "Reliability"): the k-th allocation made by the
 * compiler (libaxonc) or the runtime (libaxonrt) fails, for every k of a small model's
 * lifecycle, and each time
 *   - the call that needed the memory returns an error status with a message (no crash, no
 *     abort, no hang);
 *   - nothing leaks: every block the libraries allocated is freed once the caller has freed
 *     what it holds;
 *   - (the runtime) the simulation stays usable: with memory again, the run goes on from where
 *     it stopped and gives the spikes of a run without faults.
 *
 * The program links the libraries' objects (libaxonc_core, libaxonrt_core) with
 * -Wl,--wrap for malloc, calloc, realloc, free, aligned_alloc, strdup, strndup, asprintf,
 * vasprintf and open_memstream: the libraries' calls come here (the C library's own and LLVM's
 * do not), are counted, and the chosen one fails. Live blocks are kept in a table, so a leak is
 * found exactly, also under AddressSanitizer (the wrappers call its allocator).
 *
 * Usage: failalloc [compiler|runtime] (both when none is given). AXON_FAILALLOC_STRIDE=N tries
 * every N-th k only (default 1: every one). A leak is reported with the addresses that allocated
 * the block (for addr2line -f -e); AXON_FAILALLOC_SHOW=1 prints where each failing allocation
 * is made.
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axon/axon.h"
#include "axon/axonc.h"

/* ---- the wrappers ------------------------------------------------------------------------ */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__real_aligned_alloc(size_t align, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
int __real_vasprintf(char **out, const char *fmt, va_list ap);
FILE *__real_open_memstream(char **buf, size_t *len);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);
void *__wrap_aligned_alloc(size_t align, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_vasprintf(char **out, const char *fmt, va_list ap);
int __wrap_asprintf(char **out, const char *fmt, ...);
FILE *__wrap_open_memstream(char **buf, size_t *len);

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long calls;   /* allocations counted since counting began */
static unsigned long fail_at; /* this one fails (0: none) */
static int counting;
static int failed;            /* fail_at was reached */

/* the live blocks: open addressing over pointers (deleted slots marked 1) */
enum { TABLE = 1 << 20 };
static void **table;
enum { FRAMES = 4 };
static void *(*table_from)[FRAMES]; /* where each block was allocated (callers, innermost first) */
static size_t nlive;

static size_t slot_of(const void *p)
{
    return (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull) & (TABLE - 1);
}

static void track(void *p)
{
    if (!p || !table)
        return;
    size_t i = slot_of(p);
    while (table[i] && table[i] != (void *)1)
        i = (i + 1) & (TABLE - 1);
    table[i] = p;
    void *bt[FRAMES + 3];
    int n = backtrace(bt, FRAMES + 3); /* this function, done, the wrapper, then the callers */
    for (int k = 0; k < FRAMES; k++)
        table_from[i][k] = k + 3 < n ? bt[k + 3] : NULL;
    nlive++;
}

/* Prints where the live blocks not in before (a copy of table) were allocated. */
static void show_leaks(void *const *before)
{
    for (size_t i = 0; i < TABLE; i++)
        if (table[i] && table[i] != (void *)1 && table[i] != before[i])
        {
            fprintf(stderr, "    leaked: a block allocated at");
            for (int k = 0; k < FRAMES; k++) {
                Dl_info in;
                if (table_from[i][k] && dladdr(table_from[i][k], &in) && in.dli_fname)
                    fprintf(stderr, " %s+0x%lx", k ? "" : in.dli_fname,
                            (unsigned long)((char *)table_from[i][k] - (char *)in.dli_fbase - 1));
            }
            fprintf(stderr, " (addr2line -f -e)\n");
        }
}

static void untrack(const void *p)
{
    if (!p || !table)
        return;
    for (size_t i = slot_of(p); table[i]; i = (i + 1) & (TABLE - 1))
        if (table[i] == p) {
            table[i] = (void *)1;
            nlive--;
            return;
        }
}

/* Whether this allocation fails; takes the lock (released by done()). */
static int fails(void)
{
    pthread_mutex_lock(&lock);
    if (!counting)
        return 0;
    if (++calls != fail_at)
        return 0;
    failed = 1;
    if (getenv("AXON_FAILALLOC_SHOW")) { /* where it fails: for addr2line -f -e */
        void *bt[8];
        int n = backtrace(bt, 8);
        fprintf(stderr, "allocation %lu fails at", calls);
        for (int k = 2; k < n; k++) {
            Dl_info in;
            if (dladdr(bt[k], &in) && in.dli_fname)
                fprintf(stderr, " 0x%lx", (unsigned long)((char *)bt[k] - (char *)in.dli_fbase - 1));
        }
        fprintf(stderr, "\n");
    }
    errno = ENOMEM;
    return 1;
}

static __attribute__((noinline)) void *done(void *p)
{
    track(p);
    pthread_mutex_unlock(&lock);
    return p;
}

void *__wrap_malloc(size_t n)
{
    return fails() ? done(NULL) : done(__real_malloc(n));
}

void *__wrap_calloc(size_t n, size_t size)
{
    return fails() ? done(NULL) : done(__real_calloc(n, size));
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
    return fails() ? done(NULL) : done(__real_aligned_alloc(align, n));
}

char *__wrap_strdup(const char *s)
{
    return fails() ? done(NULL) : done(__real_strdup(s));
}

char *__wrap_strndup(const char *s, size_t n)
{
    return fails() ? done(NULL) : done(__real_strndup(s, n));
}

void *__wrap_realloc(void *p, size_t n)
{
    if (fails())
        return done(NULL);
    void *q = __real_realloc(p, n);
    if (q || !n)
        untrack(p);
    return done(q);
}

void __wrap_free(void *p)
{
    pthread_mutex_lock(&lock);
    untrack(p);
    pthread_mutex_unlock(&lock);
    __real_free(p);
}

int __wrap_vasprintf(char **out, const char *fmt, va_list ap)
{
    if (fails()) {
        done(NULL);
        return -1;
    }
    int n = __real_vasprintf(out, fmt, ap);
    done(n >= 0 ? *out : NULL);
    return n;
}

int __wrap_asprintf(char **out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = __wrap_vasprintf(out, fmt, ap);
    va_end(ap);
    return n;
}

/* the stream's buffer is the C library's until fclose, then the caller's (freed with free) */
FILE *__wrap_open_memstream(char **buf, size_t *len)
{
    if (fails()) {
        done(NULL);
        return NULL;
    }
    pthread_mutex_unlock(&lock);
    return __real_open_memstream(buf, len);
}

/* Starts counting with allocation k failing (0: none). */
static void arm(unsigned long k)
{
    pthread_mutex_lock(&lock);
    calls = 0;
    fail_at = k;
    failed = 0;
    counting = 1;
    pthread_mutex_unlock(&lock);
}

/* Stops counting; returns the allocations counted. */
static unsigned long disarm(void)
{
    pthread_mutex_lock(&lock);
    counting = 0;
    unsigned long n = calls;
    pthread_mutex_unlock(&lock);
    return n;
}

static void **snapshot; /* the table before a try, for show_leaks */

static void take_snapshot(void)
{
    memcpy(snapshot, table, TABLE * sizeof *table);
}

static size_t live(void)
{
    pthread_mutex_lock(&lock);
    size_t n = nlive;
    pthread_mutex_unlock(&lock);
    return n;
}

/* ---- the test ---------------------------------------------------------------------------- */

static int nfail;

/* whether a message says that memory ran out (as tests/cli/faults.sh accepts them) */
static int says_memory(const char *msg)
{
    return msg && (strstr(msg, "memory") || strstr(msg, "allocate") || strstr(msg, "worker thread"));
}
static unsigned long in_new, in_run, in_write; /* runtime failures by the call that failed */

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        fprintf(stderr, "FAIL: " __VA_ARGS__);                                                     \
        fputc('\n', stderr);                                                                       \
        nfail++;                                                                                   \
    } while (0)

/* whether a message says that memory ran out (as faults.sh accepts them) */

static const char MODEL[] = "import \"std/neurons/lif\"\n"
                            "import \"std/synapses/basic\"\n"
                            "module Small {\n"
                            "    population E = LIF[20](I_ext = 0.5 nA)\n"
                            "    population I = LIF[5](I_ext = 0.4 nA)\n"
                            "    project E -> I : VoltageJump(w = 0.5 mV) connect random(0.3) "
                            "delay 1 ms\n"
                            "    project I -> E : VoltageJump(w = -0.5 mV) connect all_to_all\n"
                            /* per-synapse delays: queues of due parts that grow during the
                               run (deliver.c, rt_dq_update) */
                            "    project E -> E : VoltageJump(w = 0.2 mV) connect random(0.5) "
                            "delay max(round(normal(1 ms, 0.5 ms) / 0.1 ms) * 0.1 ms, 0.1 ms)\n"
                            "    record spikes E\n"
                            "    record E.v [0 .. 3] every 1 ms\n"
                            "    record rate I every 5 ms\n"
                            "}\n";

/* the last diagnostic's message (a failed read of an import is one) */
static char last_diag[512];

static void on_diag(void *user, const axonc_diag *d)
{
    (void)user;
    snprintf(last_diag, sizeof last_diag, "%s", d->message);
}

/* One compilation of MODEL up to its IR: 0 when every call succeeded, 1 when one failed with
 * AXONC_ENOMEM and a message, -1 (reported) for anything else. */
static int compile_once(unsigned long k)
{
    int rc = 0;
    axonc_session *s = axonc_session_new(&(axonc_options){.on_diag = on_diag});
    if (!s)
        return 1; /* out of memory: the documented NULL */
    last_diag[0] = 0;
    axonc_unit *u = NULL;
    axonc_instance *in = NULL;
    char *ir = NULL, *fmt = NULL;
    axonc_status st = axonc_load_string(s, "<small>", MODEL, sizeof MODEL - 1, &u);
    if (st == AXONC_OK)
        st = axonc_check(u);
    if (st == AXONC_OK)
        st = axonc_instantiate(u, NULL, &in);
    if (st == AXONC_OK)
        st = axonc_dump_instance(in, AXONC_DUMP_IR, &ir);
    if (st == AXONC_OK)
        st = axonc_fmt(s, "<small>", MODEL, sizeof MODEL - 1, &fmt);
    for (int what = AXONC_DUMP_TOKENS; st == AXONC_OK && what <= AXONC_DUMP_UNITS; what++) {
        char *text = NULL;
        st = axonc_dump_unit(u, (axonc_unit_dump)what, &text);
        free(text);
    }
    if (st != AXONC_OK) {
        const char *msg = axonc_session_error(s);
        /* AXONC_ENOMEM, or an error diagnostic that says so (an import that could not be read) */
        int ok = st == AXONC_ENOMEM ? msg && *msg : st == AXONC_EDIAG && says_memory(last_diag);
        if (!ok)
            FAIL("compiler: allocation %lu fails: status %d (%s; the last diagnostic: %s), not "
                 "AXONC_ENOMEM with a message",
                 k, (int)st, msg, last_diag);
        rc = ok ? 1 : -1;
    }
    free(ir);
    free(fmt);
    axonc_instance_free(in);
    axonc_unit_free(u);
    axonc_session_free(s);
    return rc;
}

static void test_compiler(unsigned long stride)
{
    size_t base = live();
    arm(0);
    if (compile_once(0) != 0)
        FAIL("compiler: the model does not compile without faults");
    unsigned long n = disarm();
    if (live() != base)
        FAIL("compiler: %zu blocks leak without faults", live() - base);
    if (n < 100)
        FAIL("compiler: only %lu allocations counted", n);
    unsigned long failures = 0;
    for (unsigned long k = 1; k <= n; k += stride) {
        take_snapshot();
        arm(k);
        int rc = compile_once(k);
        disarm();
        failures += rc == 1;
        if (rc == 0 && failed)
            FAIL("compiler: allocation %lu of %lu failed but every call succeeded", k, n);
        if (live() != base) {
            FAIL("compiler: allocation %lu of %lu fails: %zu blocks leak", k, n, live() - base);
            show_leaks(snapshot);
            base = live();
        }
    }
    printf("compiler: %lu allocations, each failed in turn: %lu gave AXONC_ENOMEM\n", n,
           failures);
}

/* The runtime's lifecycle on desc: new, run 30 ms in two calls, spike count, write, checkpoint
 * to memory, free. Returns the spikes of E, or -1 when a call failed (reported when the failure
 * was not a status with a message). After a failed run, the same simulation with memory again
 * must run to the end and give ref_spikes (ref_spikes < 0: not checked). */
static long run_once(const axon_model_desc *desc, unsigned long k, const char *dir, int threads,
                     long ref_spikes)
{
    axon_err err = {{0}};
    axon_opts o = {.seed = 7, .threads = threads};
    axon_sim *s = axon_sim_new(desc, &o, &err);
    if (!s) {
        in_new++;
        if (!says_memory(err.msg))
            FAIL("runtime: allocation %lu fails: axon_sim_new says '%s'", k, err.msg);
        return -1;
    }
    axon_status st = axon_sim_run(s, 0.015, NULL, NULL);
    if (st == AXON_OK)
        st = axon_sim_run(s, 0.015, NULL, NULL);
    long spikes = -1;
    if (st != AXON_OK) {
        in_run++;
        const char *msg = axon_sim_error(s);
        if (st != AXON_ENOMEM || !says_memory(msg))
            FAIL("runtime: allocation %lu fails: axon_sim_run gives %d '%s', not AXON_ENOMEM", k,
                 (int)st, msg);
        /* with memory again, the run goes on from the last step done */
        disarm();
        double left = 0.03 - axon_sim_time(s);
        if (left > 1e-9 && axon_sim_run(s, left, NULL, NULL) != AXON_OK)
            FAIL("runtime: allocation %lu: the simulation cannot go on: %s", k,
                 axon_sim_error(s));
        else if (ref_spikes >= 0 && (long)axon_sim_spike_count(s, 0) != ref_spikes)
            FAIL("runtime: allocation %lu: after the failure, %ld spikes instead of %ld", k,
                 (long)axon_sim_spike_count(s, 0), ref_spikes);
    } else {
        spikes = (long)axon_sim_spike_count(s, 0);
        if (axon_sim_write(s, dir, &err) != AXON_OK) {
            in_write++;
            if (!says_memory(err.msg))
                FAIL("runtime: allocation %lu fails: axon_sim_write says '%s'", k, err.msg);
            spikes = -1;
        }
        size_t size = axon_sim_checkpoint_size(s), used = 0;
        void *buf = size ? __real_malloc(size) : NULL;
        st = buf ? axon_sim_checkpoint_mem(s, buf, size, &used) : AXON_ENOMEM;
        if (st != AXON_OK && (st != AXON_ENOMEM || !says_memory(axon_sim_error(s))))
            FAIL("runtime: allocation %lu fails: axon_sim_checkpoint_mem gives %d '%s'", k,
                 (int)st, axon_sim_error(s));
        if (st != AXON_OK)
            spikes = -1;
        __real_free(buf);
    }
    axon_sim_free(s);
    return spikes;
}

static void test_runtime(unsigned long stride, int threads)
{
    /* the model, compiled without faults */
    axonc_session *cs = axonc_session_new(NULL);
    axonc_unit *u = NULL;
    axonc_instance *in = NULL;
    const axon_model_desc *desc = NULL;
    if (!cs || axonc_load_string(cs, "<small>", MODEL, sizeof MODEL - 1, &u) != AXONC_OK ||
        axonc_check(u) != AXONC_OK || axonc_instantiate(u, NULL, &in) != AXONC_OK ||
        axonc_jit(in, &desc) != AXONC_OK) {
        FAIL("runtime: the model does not compile: %s", cs ? axonc_session_error(cs) : "");
        axonc_session_free(cs);
        return;
    }
    char dir[] = "/tmp/axon-failalloc-XXXXXX";
    if (!mkdtemp(dir)) {
        FAIL("runtime: no temporary directory");
        axonc_session_free(cs);
        return;
    }
    char out[sizeof dir + 8];
    snprintf(out, sizeof out, "%s/out", dir);
    size_t base = live();
    arm(0);
    long ref = run_once(desc, 0, out, threads, -1);
    unsigned long n = disarm();
    if (ref < 0)
        FAIL("runtime: the model does not run without faults");
    if (live() != base)
        FAIL("runtime: %zu blocks leak without faults", live() - base);
    if (n < 50)
        FAIL("runtime: only %lu allocations counted", n);
    unsigned long failures = 0;
    in_new = in_run = in_write = 0;
    for (unsigned long k = 1; k <= n; k += stride) {
        take_snapshot();
        arm(k);
        long got = run_once(desc, k, out, threads, ref);
        disarm();
        failures += got < 0;
        if (got >= 0 && got != ref)
            FAIL("runtime: allocation %lu: %ld spikes instead of %ld", k, got, ref);
        if (live() != base) {
            FAIL("runtime: allocation %lu of %lu fails (%d threads): %zu blocks leak", k, n,
                 threads, live() - base);
            show_leaks(snapshot);
            base = live();
        }
    }
    printf("runtime (%d threads): %lu allocations, each failed in turn: %lu runs failed with a "
           "status and a message (%lu in axon_sim_new, %lu in axon_sim_run, then went on to the "
           "spikes of a run without faults, %lu in axon_sim_write, the rest in checkpoints)\n",
           threads, n, failures, in_new, in_run, in_write);
    char cmd[sizeof dir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        FAIL("runtime: cannot remove %s", dir);
    axonc_session_free(cs);
}

int main(int argc, char **argv)
{
    table = __real_calloc(TABLE, sizeof *table);
    table_from = __real_calloc(TABLE, sizeof *table_from);
    snapshot = __real_calloc(TABLE, sizeof *snapshot);
    if (!table || !table_from || !snapshot)
        return 99;
    const char *st = getenv("AXON_FAILALLOC_STRIDE");
    unsigned long stride = st && atol(st) > 0 ? (unsigned long)atol(st) : 1;
    const char *what = argc > 1 ? argv[1] : "";
    if (!*what || !strcmp(what, "compiler"))
        test_compiler(stride);
    if (!*what || !strcmp(what, "runtime")) {
        test_runtime(stride, 1);
        test_runtime(stride, 2);
    }
    printf("failalloc: %d failures\n", nfail);
    return nfail ? 1 : 0;
}
