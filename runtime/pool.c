/*
 * The simulation's thread pool.
 *
 * One phase (rt_pool_run) per population and step, so phases are short (often microseconds)
 * and the hand-off cost matters. A phase is published by bumping a generation counter; workers
 * first spin on it for a bounded time and only then sleep on a condition variable, and the
 * caller waits for completion the same way. Spinning keeps the per-step hand-off near the cost
 * of a cache-line transfer while the simulation runs; the bound keeps idle or oversubscribed
 * threads from burning a core (after a few tens of microseconds everyone sleeps).
 *
 * Memory ordering: the job fields (fn, arg, ntasks, quit) are written before the release
 * increment of gen and read after an acquire load of it; a worker's reads happen before its
 * acq_rel decrement of pending, and the caller changes the fields again only after seeing
 * pending == 0 with an acquire load, so the plain fields are never accessed concurrently.
 * Every phase is acknowledged by every worker (pending = nworkers, also workers without a
 * task), otherwise a slow idle worker could read the job fields while the next phase writes
 * them. Generation changes and the last completion are signalled under the mutex, so a thread
 * that checks the condition under the mutex before sleeping cannot miss the wake-up.
 */
#define _POSIX_C_SOURCE 200809L

#include "pool.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define RT_POOL_SPIN 2000 /* pause iterations before sleeping, a few tens of microseconds */

typedef struct {
    rt_pool *pool;
    int index; /* task index this worker runs, 1..nworkers */
    pthread_t th;
} rt_worker;

struct rt_pool {
    pthread_mutex_t mu;
    pthread_cond_t wake; /* gen changed */
    pthread_cond_t done; /* pending reached 0 */
    _Atomic uint64_t gen;
    atomic_int pending;
    rt_task_fn fn;
    void *arg;
    int ntasks;
    int quit;
    int nworkers;
    rt_worker *workers;
};

static inline void rt_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Waits until gen differs from seen; returns the new value. */
static uint64_t rt_wait_gen(rt_pool *p, uint64_t seen)
{
    uint64_t g;
    for (int i = 0; i < RT_POOL_SPIN; i++) {
        if ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) != seen)
            return g;
        rt_cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    while ((g = atomic_load_explicit(&p->gen, memory_order_acquire)) == seen)
        pthread_cond_wait(&p->wake, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return g;
}

static void *rt_worker_main(void *arg)
{
    rt_worker *w = arg;
    rt_pool *p = w->pool;
    uint64_t seen = 0;
    for (;;) {
        seen = rt_wait_gen(p, seen);
        if (p->quit)
            break;
        if (w->index < p->ntasks)
            p->fn(p->arg, w->index);
        if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) == 1) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
    }
    return NULL;
}

/* Publishes a phase; the caller must not hold the mutex. */
static void rt_publish(rt_pool *p, rt_task_fn fn, void *arg, int ntasks, int quit)
{
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->arg = arg;
    p->ntasks = ntasks;
    p->quit = quit;
    atomic_store_explicit(&p->pending, p->nworkers, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->mu);
}

static void rt_wait_done(rt_pool *p)
{
    for (int i = 0; i < RT_POOL_SPIN; i++) {
        if (atomic_load_explicit(&p->pending, memory_order_acquire) == 0)
            return;
        rt_cpu_relax();
    }
    pthread_mutex_lock(&p->mu);
    while (atomic_load_explicit(&p->pending, memory_order_acquire) != 0)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* Stops and joins the first n workers (quit is acknowledged by nobody: they just exit). */
static void rt_stop(rt_pool *p, int n)
{
    if (n > 0)
        rt_publish(p, NULL, NULL, 0, 1);
    for (int i = 0; i < n; i++)
        pthread_join(p->workers[i].th, NULL);
}

static void rt_pool_destroy(rt_pool *p)
{
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->mu);
    free(p->workers);
    free(p);
}

rt_pool *rt_pool_new(int nthreads, axon_err *err)
{
    if (nthreads < 2) {
        axon_err_set(err, AXON_EINVAL, "a thread pool needs at least 2 threads, got %d", nthreads);
        return NULL;
    }
    rt_pool *p = calloc(1, sizeof *p);
    rt_worker *w = p ? calloc((size_t)nthreads - 1, sizeof *w) : NULL;
    if (!w) {
        free(p);
        axon_err_set(err, AXON_ENOMEM, "cannot allocate a pool of %d threads", nthreads);
        return NULL;
    }
    p->workers = w;
    p->nworkers = nthreads - 1;
    atomic_init(&p->gen, 0);
    atomic_init(&p->pending, 0);
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(w);
        free(p);
        axon_err_set(err, AXON_ENOMEM, "cannot create a mutex");
        return NULL;
    }
    if (pthread_cond_init(&p->wake, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        free(w);
        free(p);
        axon_err_set(err, AXON_ENOMEM, "cannot create a condition variable");
        return NULL;
    }
    if (pthread_cond_init(&p->done, NULL) != 0) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->mu);
        free(w);
        free(p);
        axon_err_set(err, AXON_ENOMEM, "cannot create a condition variable");
        return NULL;
    }
    /* Workers start with every signal blocked, so the host's signal handlers keep running on
     * its own threads. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int started = 0, rc = 0;
    for (; started < p->nworkers; started++) {
        w[started].pool = p;
        w[started].index = started + 1;
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
    rt_publish(p, fn, arg, ntasks, 0);
    fn(arg, 0);
    rt_wait_done(p);
}

void rt_pool_free(rt_pool *p)
{
    if (!p)
        return;
    rt_stop(p, p->nworkers);
    rt_pool_destroy(p);
}
