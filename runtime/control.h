/*
 * Internal: the closed-loop state of a simulation (s->ctl, control.c), shared with
 * checkpoint.c, which saves and restores the injections and pending pushed spikes.
 */
#ifndef AXON_RT_CONTROL_H
#define AXON_RT_CONTROL_H

#include "sim.h"

typedef struct {
    axon_spike_fn fn;
    void *user;
    uint32_t *push; /* neurons pushed for the next step (repeats allowed) */
    size_t npush, cap;
} rt_ctl_pop;

/* A held injection: val[k] (model precision) into input variable var of pop at idx[k]. */
typedef struct {
    int pop, var;
    size_t n;
    uint32_t *idx;
    void *val;
} rt_inj;

struct rt_ctl {
    rt_ctl_pop *pops; /* one per population */
    rt_inj *inj;
    size_t ninj;
    size_t npushed; /* populations with pushes pending */
    size_t nfn;     /* populations with a spike callback */
};

/* s->ctl, made when first needed; NULL (with the message set) when out of memory. */
struct rt_ctl *rt_ctl_get(axon_sim *s);
void rt_inj_free(rt_inj *j);

#endif /* AXON_RT_CONTROL_H */
