/*
 * Internal: the simulation's thread pool (one per axon_sim, no global pool).
 *
 * rt_pool_run hands out one phase of work: the tasks [0, ntasks) are claimed one by one by
 * whichever threads are ready, the caller included, and the call returns when all are done.
 * Which thread runs a task is not fixed (a thread that lost its core does not hold up the
 * others), so a task's result must not depend on it.
 */
#ifndef AXON_RT_POOL_H
#define AXON_RT_POOL_H

#include "axon/status.h"

typedef void (*rt_task_fn)(void *arg, int task);

typedef struct rt_pool rt_pool;

/* nthreads >= 2: starts nthreads - 1 workers. */
rt_pool *rt_pool_new(int nthreads, axon_err *err);
/* ntasks in [1, nthreads]; fn must not call back into the pool. */
void rt_pool_run(rt_pool *p, rt_task_fn fn, void *arg, int ntasks);
/* Stops and joins the workers; NULL is a no-op. */
void rt_pool_free(rt_pool *p);

#ifdef AXON_SCHED_STATS
/*
 * Scheduling counters, compiled only with -DAXON_SCHED_STATS (bench/microcircuit/sched.sh):
 * nothing of them exists in a normal build. Times in ns, CLOCK_MONOTONIC. Slot 0 is the
 * caller, slot k the k-th worker (the first RT_STATS_THREADS - 1 are counted).
 */
#include <stdint.h>
#define RT_STATS_THREADS 4
#define RT_STATS_HIST 6 /* < 1 us, < 10 us, < 100 us, < 1 ms, < 10 ms, more */
typedef struct {
    uint64_t phases;
    uint64_t task_ns[RT_STATS_THREADS]; /* inside tasks */
    uint64_t tasks[RT_STATS_THREADS];
    uint64_t alone;      /* phases in which the caller ran every task */
    uint64_t wait_ns;    /* the caller: its last task done -> the phase's last task done */
    uint64_t wait_hist[RT_STATS_HIST];
    uint64_t csleeps, csleep_ns; /* the caller's futex sleeps in that wait */
    uint64_t gap_ns;     /* the caller: return from a phase -> publication of the next */
    uint64_t gap_hist[RT_STATS_HIST];
    /* workers: their last task of a phase done -> the next phase seen */
    uint64_t idle_ns[RT_STATS_THREADS];
    uint64_t yields[RT_STATS_THREADS];
    uint64_t sleeps[RT_STATS_THREADS], sleep_ns[RT_STATS_THREADS];
    uint64_t seen[RT_STATS_THREADS];   /* phases with tasks a worker looked at */
    uint64_t late_ns[RT_STATS_THREADS]; /* publication -> the worker's first look */
    uint64_t late_hist[RT_STATS_HIST];  /* of late_ns, every worker */
} rt_pool_stats;
void rt_pool_stats_get(const rt_pool *p, rt_pool_stats *out);
static inline int rt_stats_bin(uint64_t ns)
{
    int b = 0;
    for (uint64_t lim = 1000; b < RT_STATS_HIST - 1 && ns >= lim; lim *= 10)
        b++;
    return b;
}
#endif

#endif /* AXON_RT_POOL_H */
