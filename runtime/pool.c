/*
 * The simulation's thread pool.
 *
 * Phases are short (a step's updates take microseconds to a few milliseconds) and this may run
 * on a machine with other load, where any thread can lose its core for milliseconds. So tasks
 * are not bound to threads: every participant, the caller included, claims the next unclaimed
 * task of the phase until none is left, and the caller returns once every task is finished. A
 * worker that is asleep or descheduled when a phase starts simply finds nothing left to do: the
 * caller never waits for a thread to start, only for tasks that are already running. (Results
 * never depend on which thread runs a task; see engine.c.)
 *
 * The phase word. `work` packs the phase's generation (high bits), its task count and the next
 * unclaimed task (low 2 x 16 bits). A task is claimed by a compare-and-swap that increments the
 * next-task field of the very phase the claimer saw, so a thread that wakes late cannot claim
 * anything of a later phase. The job fields (fn, arg, quit) are written before the release
 * store of `work` and read only after a successful claim (acquire): the caller publishes the
 * next phase only after every task of this one has finished, so they cannot change under a
 * claimed task. Completion is counted in `done` (release increments, acquire load).
 *
 * Waiting. Workers poll `work` (pausing, then yielding the core, rt_spin_more) for RT_SPIN_NS
 * and then sleep on `seq` (a futex word bumped by every publish; a condition variable
 * elsewhere); the caller polls `done` the same way and then sleeps on `done_seq`. A sleeper registers in `sleepers` (sequentially consistent) before its last
 * check, and a waker bumps the word before reading `sleepers`, so one of the two always sees the
 * other: no wake-up is lost, and no system call is made while everyone spins.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* syscall */
#endif

#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>
#define RT_FUTEX 1
#endif

#define RT_PAUSE_NS 50000 /* busy waiting: pause for 50 us, */
#define RT_SPIN_NS 200000 /* then yield, up to 200 us, then sleep */

#define RT_GEN_SHIFT 32
#define RT_FIELD 0xffffu /* task count and next task: 16 bits each (AXON_MAX_THREADS fits) */

typedef struct {
    rt_pool *pool;
    pthread_t th;
    int slot; /* 1 + its index */
} rt_worker;

#ifdef AXON_SCHED_STATS /* (pool.h) */
#define RT_ST_ADD(p, f, v) __atomic_fetch_add(&(p)->st.f, (uint64_t)(v), __ATOMIC_RELAXED)
#define RT_ST_SLOT(k) ((k) < RT_STATS_THREADS ? (k) : RT_STATS_THREADS - 1)
#else
#define RT_ST_ADD(p, f, v) ((void)0)
#endif

struct rt_pool {
    _Alignas(64) _Atomic uint64_t work; /* generation | ntasks << 16 | next task */
    _Alignas(64) atomic_uint done;       /* tasks finished in the current phase */
    atomic_uint done_seq;                /* futex word: bumped when the last task finishes */
    atomic_int caller_sleeps;
    _Alignas(64) atomic_uint seq;        /* futex word: bumped by every publish */
    atomic_int sleepers;
    /* job of the current phase */
    rt_task_fn fn;
    void *arg;
    unsigned ntasks;
    int quit;
    uint32_t gen;
    int nworkers;
    rt_worker *workers;
#ifdef AXON_SCHED_STATS
    rt_pool_stats st;
    _Atomic uint64_t pub_ns; /* the current phase's publication */
    uint64_t ret_ns;         /* the caller's return from the last phase */
#endif
#ifndef RT_FUTEX
    pthread_mutex_t mu;
    pthread_cond_t cv;
#endif
};

static inline void rt_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

static uint64_t rt_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * Busy waiting: RT_PAUSE_NS of pause instructions, then sched_yield until RT_SPIN_NS, then the
 * caller sleeps. Yielding matters on a busy machine, where both threads of a phase may share
 * one core: a spinning thread would then hold up the very thread it waits for. But a yield or
 * a sleep between two phases of consecutive steps costs the worker the next phase: until
 * 2026-12-06 the pause lasted 5 us and the sleep came at 50 us, and in the full-scale
 * microcircuit (phases of about 500 us, 25 us apart, the worker waiting for the caller's
 * last population in between) the worker came back 80-130 us after the phase had started,
 * and the caller ran every task of 29% of the phases itself; with 50 us and 200 us, 0.9%,
 * and 2-threaded steps pinned to one core lost at most 6% (bench/HISTORY.md).
 */
typedef struct {
    unsigned n;
    uint64_t t0;
    unsigned yields;
} rt_spin;

static int rt_spin_more(rt_spin *sp)
{
    if (++sp->n % 32 != 0) {
        rt_cpu_relax();
        return 1;
    }
    uint64_t now = rt_ns();
    if (!sp->t0)
        sp->t0 = now;
    uint64_t t = now - sp->t0;
    if (t > RT_SPIN_NS)
        return 0;
    if (t > RT_PAUSE_NS) {
        sp->yields++;
        sched_yield();
    } else
        rt_cpu_relax();
    return 1;
}

/* ---- sleeping on a 32-bit word */

static void rt_sleep_on(rt_pool *p, atomic_uint *word, unsigned seen)
{
#ifdef RT_FUTEX
    (void)p;
    syscall(SYS_futex, (void *)word, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
#else
    pthread_mutex_lock(&p->mu);
    while (atomic_load(word) == seen)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
#endif
}

/* Bumps *word and wakes whoever sleeps on it (if *sleepers says anyone may). */
static void rt_bump_wake(rt_pool *p, atomic_uint *word, atomic_int *sleepers)
{
    atomic_fetch_add(word, 1); /* sequentially consistent: see the header comment */
    if (atomic_load(sleepers) == 0)
        return;
#ifdef RT_FUTEX
    (void)p;
    syscall(SYS_futex, (void *)word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0);
#else
    pthread_mutex_lock(&p->mu);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
#endif
}

/* ---- phases */

static uint32_t rt_gen_of(uint64_t w)
{
    return (uint32_t)(w >> RT_GEN_SHIFT);
}

/* Claims a task of generation gen: its index (and *nt the phase's task count), or -1 when none
 * is left or gen is over. */
static int rt_claim(rt_pool *p, uint32_t gen, unsigned *nt)
{
    uint64_t w = atomic_load_explicit(&p->work, memory_order_acquire);
    for (;;) {
        if (rt_gen_of(w) != gen)
            return -1;
        unsigned next = (unsigned)w & RT_FIELD;
        *nt = (unsigned)(w >> 16) & RT_FIELD;
        if (next >= *nt)
            return -1;
        if (atomic_compare_exchange_weak_explicit(&p->work, &w, w + 1, memory_order_acq_rel,
                                                  memory_order_acquire))
            return (int)next;
    }
}

/* Runs tasks of generation gen until none is left (slot: the thread's, for the counters). */
static void rt_run_tasks(rt_pool *p, uint32_t gen, int slot)
{
    int t;
    unsigned nt;
    (void)slot;
    while ((t = rt_claim(p, gen, &nt)) >= 0) {
#ifdef AXON_SCHED_STATS
        uint64_t t0 = rt_ns();
        p->fn(p->arg, t);
        RT_ST_ADD(p, task_ns[RT_ST_SLOT(slot)], rt_ns() - t0);
        RT_ST_ADD(p, tasks[RT_ST_SLOT(slot)], 1);
#else
        p->fn(p->arg, t);
#endif
        if (atomic_fetch_add_explicit(&p->done, 1, memory_order_acq_rel) + 1 == nt)
            rt_bump_wake(p, &p->done_seq, &p->caller_sleeps);
    }
}

static void *rt_worker_main(void *arg)
{
    rt_pool *p = ((rt_worker *)arg)->pool;
    const int slot = ((rt_worker *)arg)->slot;
    (void)slot;
    uint32_t seen = 0; /* the last generation looked at */
#ifdef AXON_SCHED_STATS
    const int k = RT_ST_SLOT(slot);
    uint64_t idle0 = 0; /* when the worker ran out of tasks, 0: not counted */
#endif
    for (;;) {
        uint64_t w = atomic_load_explicit(&p->work, memory_order_acquire);
        if (rt_gen_of(w) == seen) {
            /* spin, then sleep until the next publish */
            rt_spin spin = {0};
            do
                w = atomic_load_explicit(&p->work, memory_order_acquire);
            while (rt_gen_of(w) == seen && rt_spin_more(&spin));
            RT_ST_ADD(p, yields[k], spin.yields);
            if (rt_gen_of(w) == seen) {
                atomic_fetch_add(&p->sleepers, 1);
                unsigned s = atomic_load(&p->seq);
                w = atomic_load(&p->work);
#ifdef AXON_SCHED_STATS
                uint64_t z0 = rt_ns();
#endif
                if (rt_gen_of(w) == seen)
                    rt_sleep_on(p, &p->seq, s);
                RT_ST_ADD(p, sleeps[k], 1);
                RT_ST_ADD(p, sleep_ns[k], rt_ns() - z0);
                atomic_fetch_sub(&p->sleepers, 1);
                continue;
            }
        }
        seen = rt_gen_of(w);
#ifdef AXON_SCHED_STATS
        if (w >> 16 & RT_FIELD) {
            uint64_t now = rt_ns(), pub = atomic_load_explicit(&p->pub_ns, memory_order_relaxed);
            if (idle0)
                RT_ST_ADD(p, idle_ns[k], now - idle0);
            RT_ST_ADD(p, seen[k], 1);
            if (now > pub) {
                RT_ST_ADD(p, late_ns[k], now - pub);
                RT_ST_ADD(p, late_hist[rt_stats_bin(now - pub)], 1);
            }
        }
#endif
        /* quit is published as a phase without tasks; it is the last write of the pool */
        if ((w >> 16 & RT_FIELD) == 0) {
            if (p->quit)
                break;
            continue;
        }
        rt_run_tasks(p, seen, slot);
#ifdef AXON_SCHED_STATS
        idle0 = rt_ns();
#endif
    }
    return NULL;
}

/* Publishes a phase of ntasks tasks (0: quit). */
static uint32_t rt_publish(rt_pool *p, rt_task_fn fn, void *arg, unsigned ntasks, int quit)
{
    p->fn = fn;
    p->arg = arg;
    p->ntasks = ntasks;
    p->quit = quit;
    atomic_store_explicit(&p->done, 0, memory_order_relaxed);
    uint32_t gen = ++p->gen; /* wraps */
#ifdef AXON_SCHED_STATS
    {
        uint64_t now = rt_ns();
        if (p->ret_ns && ntasks) {
            RT_ST_ADD(p, gap_ns, now - p->ret_ns);
            RT_ST_ADD(p, gap_hist[rt_stats_bin(now - p->ret_ns)], 1);
        }
        atomic_store_explicit(&p->pub_ns, now, memory_order_relaxed);
        if (ntasks)
            RT_ST_ADD(p, phases, 1);
    }
#endif
    atomic_store_explicit(&p->work, (uint64_t)gen << RT_GEN_SHIFT | (uint64_t)ntasks << 16,
                          memory_order_release);
    rt_bump_wake(p, &p->seq, &p->sleepers);
    return gen;
}

static void rt_wait_done(rt_pool *p)
{
    rt_spin spin = {0};
    do
        if (atomic_load_explicit(&p->done, memory_order_acquire) == p->ntasks)
            return;
    while (rt_spin_more(&spin));
    for (;;) {
        atomic_fetch_add(&p->caller_sleeps, 1);
        unsigned s = atomic_load(&p->done_seq);
        int finished = atomic_load(&p->done) == p->ntasks;
#ifdef AXON_SCHED_STATS
        uint64_t z0 = rt_ns();
#endif
        if (!finished)
            rt_sleep_on(p, &p->done_seq, s);
        RT_ST_ADD(p, csleeps, !finished);
        RT_ST_ADD(p, csleep_ns, rt_ns() - z0);
        atomic_fetch_sub(&p->caller_sleeps, 1);
        if (finished || atomic_load_explicit(&p->done, memory_order_acquire) == p->ntasks)
            return;
    }
}

/* Stops and joins the first n workers. */
static void rt_stop(rt_pool *p, int n)
{
    rt_publish(p, NULL, NULL, 0, 1);
    for (int i = 0; i < n; i++)
        pthread_join(p->workers[i].th, NULL);
}

static void rt_pool_destroy(rt_pool *p)
{
#ifndef RT_FUTEX
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
#endif
    free(p->workers);
    free(p);
}

rt_pool *rt_pool_new(int nthreads, axon_err *err)
{
    if (nthreads < 2 || nthreads > (int)RT_FIELD) {
        axon_err_set(err, AXON_EINVAL, "a thread pool needs 2 to %u threads, got %d", RT_FIELD,
                     nthreads);
        return NULL;
    }
    rt_pool *p = aligned_alloc(64, (sizeof *p + 63) / 64 * 64);
    rt_worker *w = p ? calloc((size_t)nthreads - 1, sizeof *w) : NULL;
    if (!w) {
        free(p);
        axon_err_set(err, AXON_ENOMEM, "cannot allocate a pool of %d threads", nthreads);
        return NULL;
    }
    memset(p, 0, sizeof *p);
    p->workers = w;
    p->nworkers = nthreads - 1;
    atomic_init(&p->work, 0);
    atomic_init(&p->done, 0);
    atomic_init(&p->done_seq, 0);
    atomic_init(&p->caller_sleeps, 0);
    atomic_init(&p->seq, 0);
    atomic_init(&p->sleepers, 0);
#ifndef RT_FUTEX
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(w);
        free(p);
        axon_err_set(err, AXON_ENOMEM, "cannot create a mutex");
        return NULL;
    }
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        free(w);
        free(p);
        axon_err_set(err, AXON_ENOMEM, "cannot create a condition variable");
        return NULL;
    }
#endif
    /* Workers start with every signal blocked, so the host's signal handlers keep running on
     * its own threads. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int started = 0, rc = 0;
    for (; started < p->nworkers; started++) {
        w[started].pool = p;
        w[started].slot = started + 1;
        if ((rc = pthread_create(&w[started].th, NULL, rt_worker_main, &w[started])) != 0)
            break;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started < p->nworkers) {
        rt_stop(p, started);
        rt_pool_destroy(p);
        axon_err_set(err, rc == EAGAIN ? AXON_ENOMEM : AXON_EINVAL,
                     "cannot start worker thread %d of %d: %s", started + 1, nthreads - 1,
                     strerror(rc));
        return NULL;
    }
    return p;
}

void rt_pool_run(rt_pool *p, rt_task_fn fn, void *arg, int ntasks)
{
    uint32_t gen = rt_publish(p, fn, arg, (unsigned)ntasks, 0);
#ifdef AXON_SCHED_STATS
    uint64_t before = p->st.tasks[0];
    rt_run_tasks(p, gen, 0);
    uint64_t t0 = rt_ns();
    rt_wait_done(p);
    p->ret_ns = rt_ns();
    RT_ST_ADD(p, wait_ns, p->ret_ns - t0);
    RT_ST_ADD(p, wait_hist[rt_stats_bin(p->ret_ns - t0)], 1);
    RT_ST_ADD(p, alone, p->st.tasks[0] - before == (uint64_t)ntasks);
#else
    rt_run_tasks(p, gen, 0);
    rt_wait_done(p);
#endif
}

#ifdef AXON_SCHED_STATS
void rt_pool_stats_get(const rt_pool *p, rt_pool_stats *out)
{
    const uint64_t *a = (const uint64_t *)&p->st;
    uint64_t *b = (uint64_t *)out;
    for (size_t i = 0; i < sizeof *out / sizeof(uint64_t); i++)
        b[i] = __atomic_load_n(&a[i], __ATOMIC_RELAXED);
}
#endif

void rt_pool_free(rt_pool *p)
{
    if (!p)
        return;
    rt_stop(p, p->nworkers);
    rt_pool_destroy(p);
}
