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

#endif /* AXON_RT_POOL_H */
