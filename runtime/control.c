/*
 * The closed loop (axon.h): run control, spikes out (callbacks, the last step's list, iterators
 * over spike records), input in (held current injections, pushed spikes), and typed access to
 * state, parameters and synapse variables between steps, with units.
 *
 * Where they act in a step (model.h's order): held injections are added to their input
 * variables just before the populations' updates (after the continuous synapses and the
 * previous step's deliveries have summed into them), so the update sees the sum; pushed spikes
 * join the spike lists after the updates, before the spikes are stored for delivery, counted and
 * recorded, so nothing downstream can tell them from the neurons' own. Both therefore act in the
 * step after the call, and neither depends on thread counts: injections are added on the
 * calling thread in the order given, and a step's spike list is rebuilt in index order.
 *
 * The state lives in s->ctl, made on first use, so a simulation that never uses the closed
 * loop pays one pointer test per step.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

/* s->ctl, made when first needed; NULL (with the message set) when out of memory. */
struct rt_ctl *rt_ctl_get(axon_sim *s)
{
    if (s->ctl)
        return s->ctl;
    struct rt_ctl *c = calloc(1, sizeof *c);
    if (c)
        c->pops = calloc(s->m->npops ? s->m->npops : 1, sizeof *c->pops);
    if (!c || !c->pops) {
        free(c);
        axon_err_set(&s->err, AXON_ENOMEM, "out of memory");
        return NULL;
    }
    return s->ctl = c;
}

void rt_inj_free(rt_inj *j)
{
    free(j->idx);
    free(j->val);
}

void rt_ctl_free(axon_sim *s)
{
    struct rt_ctl *c = s->ctl;
    if (!c)
        return;
    for (uint32_t i = 0; i < s->m->npops; i++)
        free(c->pops[i].push);
    for (size_t k = 0; k < c->ninj; k++)
        rt_inj_free(&c->inj[k]);
    free(c->inj);
    free(c->pops);
    free(c);
    s->ctl = NULL;
}

/* ---- the step hooks */

/* Over MPI ranks a rank updates only its block [lo, hi) of each population (all of it in one
 * process): it adds the injections into its own neurons, and its own neurons' pushed spikes
 * join its spike list, which the exchange gives every rank. So every rank may be given the
 * same calls, and each applies its share. */
void rt_ctl_pre_update(axon_sim *s)
{
    struct rt_ctl *c = s->ctl;
    for (size_t k = 0; k < c->ninj; k++) {
        const rt_inj *j = &c->inj[k];
        const rt_pop *p = &s->pops[j->pop];
        void *in = p->vars[j->var];
        for (size_t q = 0; q < j->n; q++) {
            uint32_t i = j->idx[q];
            if (i < p->lo || i >= p->hi)
                continue;
            if (s->esz == 8)
                ((double *)in)[i] += ((const double *)j->val)[q];
            else
                ((float *)in)[i] += ((const float *)j->val)[q];
        }
    }
}

int rt_ctl_injects(const axon_sim *s, uint32_t pop)
{
    for (size_t k = 0; k < s->ctl->ninj; k++)
        if (s->ctl->inj[k].pop == (int)pop)
            return 1;
    return 0;
}

void rt_ctl_post_update(axon_sim *s)
{
    struct rt_ctl *c = s->ctl;
    if (!c->npushed)
        return;
    for (uint32_t i = 0; i < s->m->npops; i++) {
        rt_ctl_pop *cp = &c->pops[i];
        rt_pop *p = &s->pops[i];
        if (!cp->npush)
            continue;
        /* the update wrote fired[] for every neuron: mark the pushed ones and list them all
           again in index order (O(size), only in steps with pushes) */
        for (size_t k = 0; k < cp->npush; k++)
            if (cp->push[k] >= p->lo && cp->push[k] < p->hi)
                p->fired[cp->push[k]] = 1;
        size_t n = 0;
        for (uint32_t j = p->lo; j < p->hi; j++) {
            p->spk[n] = j;
            n += p->fired[j] != 0;
        }
        p->nspk = n;
        cp->npush = 0;
    }
    c->npushed = 0;
}

int rt_ctl_after_step(axon_sim *s)
{
    struct rt_ctl *c = s->ctl;
    if (!c->nfn)
        return 0;
    if (s->syn_live) /* the callbacks may read synapse variables through live arrays */
        rt_proj_sync(s);
    double t = (double)s->step * s->dt;
    for (uint32_t i = 0; i < s->m->npops; i++) {
        const rt_ctl_pop *cp = &c->pops[i];
        if (cp->fn && s->pops[i].nspk)
            cp->fn(cp->user, (int)i, t, s->pops[i].spk, s->pops[i].nspk);
    }
    return 0;
}

/* ---- run control */

axon_status axon_sim_step(axon_sim *s, uint64_t nsteps, axon_step_fn on_step, void *user)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    return rt_run(s, nsteps, &(rt_run_cbs){.on_step = on_step, .user = user});
}

axon_status axon_sim_run_until(axon_sim *s, double t_end, axon_step_fn on_step, void *user)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (!isfinite(t_end))
        return axon_err_set(&s->err, AXON_EINVAL, "run until %g s: not a finite time", t_end);
    double q = round(t_end / s->dt);
    if (q <= (double)s->step)
        return AXON_OK;
    if (q >= 0x1p48)
        return axon_err_set(&s->err, AXON_EINVAL,
                            "run until %g s = step %g would pass the limit of 2^48 steps", t_end,
                            q);
    return rt_run(s, (uint64_t)q - s->step, &(rt_run_cbs){.on_step = on_step, .user = user});
}

/* ---- spikes out */

/* AXON_OK for a spiking population. */
static axon_status rt_spiking(axon_sim *s, int pop, const char *fn)
{
    if (rt_check_pop(s, pop, fn) != AXON_OK)
        return AXON_EINVAL;
    if (!s->pops[pop].fired)
        return axon_err_set(&s->err, AXON_EINVAL, "%s: population '%s' does not spike", fn,
                            s->m->pops[pop].name);
    return AXON_OK;
}

axon_status axon_sim_on_spikes(axon_sim *s, int pop, axon_spike_fn fn, void *user)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (rt_spiking(s, pop, "axon_sim_on_spikes") != AXON_OK)
        return AXON_EINVAL;
    struct rt_ctl *c = rt_ctl_get(s);
    if (!c)
        return AXON_ENOMEM;
    rt_ctl_pop *cp = &c->pops[pop];
    c->nfn += (fn != NULL) - (cp->fn != NULL);
    cp->fn = fn;
    cp->user = fn ? user : NULL;
    return AXON_OK;
}

axon_status axon_sim_step_spikes(axon_sim *s, int pop, const uint32_t **idx, size_t *n)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (rt_spiking(s, pop, "axon_sim_step_spikes") != AXON_OK)
        return AXON_EINVAL;
    if (idx)
        *idx = s->pops[pop].spk;
    if (n)
        *n = s->pops[pop].nspk;
    return AXON_OK;
}

/* The spike record of pop, or NULL with a message. */
static const rt_rec *rt_spike_rec(axon_sim *s, int pop, const char *fn)
{
    if (rt_spiking(s, pop, fn) != AXON_OK)
        return NULL;
    if (s->pops[pop].spike_rec < 0) {
        axon_err_set(&s->err, AXON_EINVAL,
                     "%s: population '%s' has no spike record (record spikes %s, or use "
                     "axon_sim_on_spikes)",
                     fn, s->m->pops[pop].name, s->m->pops[pop].name);
        return NULL;
    }
    return &s->recs[s->pops[pop].spike_rec];
}

axon_status axon_sim_spike_iter(axon_sim *s, int pop, int from_start, axon_spike_iter *it)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (!it)
        return axon_err_set(&s->err, AXON_EINVAL, "axon_sim_spike_iter: no iterator");
    const rt_rec *r = rt_spike_rec(s, pop, "axon_sim_spike_iter");
    if (!r)
        return AXON_EINVAL;
    it->pop = pop;
    it->next = from_start ? 0 : r->n;
    return AXON_OK;
}

int axon_sim_spike_next(axon_sim *s, axon_spike_iter *it, double *t, uint32_t *idx)
{
    if (!s)
        return 0;
    rt_begin(s);
    if (!it) {
        axon_err_set(&s->err, AXON_EINVAL, "axon_sim_spike_next: no iterator");
        return 0;
    }
    const rt_rec *r = rt_spike_rec(s, it->pop, "axon_sim_spike_next");
    if (!r || it->next >= r->n)
        return 0;
    if (t)
        *t = r->t[it->next];
    if (idx)
        *idx = r->idx[it->next];
    it->next++;
    return 1;
}

/* ---- variables and units */

/* Fills info for "OWNER.VAR": populations first, then projections. */
static axon_status rt_find_var(axon_sim *s, const char *path, axon_var_info *info)
{
    if (!path)
        return axon_err_set(&s->err, AXON_EINVAL, "no variable name");
    const char *dot = strrchr(path, '.');
    if (!dot)
        return axon_err_set(&s->err, AXON_EINVAL,
                            "'%s' is not POPULATION.VARIABLE or "
                            "PROJECTION.VARIABLE",
                            path);
    size_t plen = (size_t)(dot - path);
    const axon_model_desc *m = s->m;
    for (int syn = 0; syn < 2; syn++) {
        uint32_t n = syn ? m->nprojs : m->npops;
        for (uint32_t o = 0; o < n; o++) {
            const char *name = syn ? m->projs[o].name : m->pops[o].name;
            if (strlen(name) != plen || memcmp(name, path, plen))
                continue;
            uint32_t nv = syn ? m->projs[o].nvars : m->pops[o].nvars;
            const axon_var_desc *vars = syn ? m->projs[o].vars : m->pops[o].vars;
            for (uint32_t v = 0; v < nv; v++) {
                if (strcmp(vars[v].name, dot + 1))
                    continue;
                int kind = vars[v].kind;
                size_t size = syn ? (size_t)s->projs[o].nsyn : s->pops[o].size;
                if (syn && kind == AXON_VAR_PER_PRE)
                    size = s->projs[o].npre;
                else if (syn && kind == AXON_VAR_PER_POST)
                    size = s->projs[o].npost;
                *info = (axon_var_info){vars[v].name, vars[v].unit ? vars[v].unit : "1",
                                        kind,         vars[v].is_bool,
                                        syn,          (int)o,
                                        (int)v,       size};
                return AXON_OK;
            }
            return axon_err_set(&s->err, AXON_EINVAL, "%s '%s' has no variable '%s'",
                                syn ? "projection" : "population", name, dot + 1);
        }
    }
    return axon_err_set(&s->err, AXON_EINVAL, "model '%s' has no population or projection '%.*s'",
                        m->name, (int)plen, path);
}

/* The element type of the variable info names (resolved, rt_elem). */
static int32_t rt_var_elem(const axon_sim *s, const axon_var_info *info)
{
    const axon_var_desc *d = info->synapse ? &s->projs[info->owner].d->vars[info->var]
                                           : &s->m->pops[info->owner].vars[info->var];
    return rt_elem(d, s->esz);
}

/* The element of the variable's array that holds value x: x, or by a projection's layout
 * (an interleaved group, model.h ABI 12; blocks with the targets, ABI 13). */
static uint64_t rt_var_ix(const axon_sim *s, const axon_var_info *info, uint64_t x)
{
    return info->synapse ? rt_proj_vidx(&s->projs[info->owner], (uint32_t)info->var, x) : x;
}

static void *rt_var_data(axon_sim *s, const axon_var_info *info)
{
    rt_proj_sync(s); /* deferred synapse updates first (deliver.c) */
    return info->synapse ? s->projs[info->owner].vars[info->var]
                         : s->pops[info->owner].vars[info->var];
}

/* Checks idx[0..n) (NULL: 0..n-1) against size. */
static axon_status rt_check_indices(axon_sim *s, const char *path, const uint32_t *idx, size_t n,
                                    size_t size)
{
    if (!idx) {
        if (n > size)
            return axon_err_set(&s->err, AXON_EINVAL, "%s has %zu values, not %zu", path, size, n);
        return AXON_OK;
    }
    for (size_t k = 0; k < n; k++)
        if (idx[k] >= size)
            return axon_err_set(&s->err, AXON_EINVAL,
                                "%s: index %u (entry %zu) is out of range: there are %zu values",
                                path, idx[k], k, size);
    return AXON_OK;
}

axon_status axon_sim_var_info(axon_sim *s, const char *path, axon_var_info *info)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (!info)
        return axon_err_set(&s->err, AXON_EINVAL, "axon_sim_var_info: no place for the result");
    return rt_find_var(s, path, info);
}

/* What get and set share: the variable, the unit's factor, the indices. */
static axon_status rt_values_prepare(axon_sim *s, const char *path, const uint32_t *idx, size_t n,
                                     const void *array, const char *unit, axon_var_info *info,
                                     double *scale)
{
    axon_status st = rt_find_var(s, path, info);
    if (st == AXON_OK && n && !array)
        st = axon_err_set(&s->err, AXON_EINVAL, "%s: no array of values", path);
    if (st == AXON_OK)
        st = rt_unit_scale(s, path, info->unit, unit, scale);
    if (st == AXON_OK)
        st = rt_check_indices(s, path, idx, n, info->size);
    return st;
}

axon_status axon_sim_get_values(axon_sim *s, const char *path, const uint32_t *idx, size_t n,
                                double *out, const char *unit)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    axon_var_info info;
    double scale;
    if (rt_values_prepare(s, path, idx, n, out, unit, &info, &scale) != AXON_OK)
        return AXON_EINVAL;
    const void *x = rt_var_data(s, &info);
    int32_t e = rt_var_elem(s, &info);
    for (size_t k = 0; k < n; k++)
        out[k] = rt_elem_get(x, e, rt_var_ix(s, &info, idx ? idx[k] : k)) / scale;
    return AXON_OK;
}

axon_status axon_sim_set_values(axon_sim *s, const char *path, const uint32_t *idx, size_t n,
                                const double *values, const char *unit)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    axon_var_info info;
    double scale;
    if (rt_values_prepare(s, path, idx, n, values, unit, &info, &scale) != AXON_OK)
        return AXON_EINVAL;
    for (size_t k = 0; k < n; k++)
        if (!isfinite(values[k] * scale))
            return axon_err_set(&s->err, AXON_EINVAL, "%s: value %zu (%g) is not finite", path, k,
                                values[k]);
    /* a variable stored as integers (model.h, axon_elem: a refractory counter) takes whole
       numbers in its type's range only: all are checked before any is written. A refractory
       counter kept in the precision takes whole numbers too: the kernels hold a neuron while
       it is not below 1 and let it spike once its count down is below 0, the same thing for
       whole numbers only */
    int32_t e = rt_var_elem(s, &info);
    int64_t probe = 0;
    for (size_t k = 0; e != AXON_ELEM_F32 && e != AXON_ELEM_F64 && k < n; k++)
        if (rt_elem_set(&probe, e, 0, values[k] * scale) != AXON_OK)
            return axon_err_set(&s->err, AXON_EINVAL,
                                "%s: value %zu (%g) is not a whole number that the variable's "
                                "storage (%s) holds",
                                path, k, values[k], axon_dtype_name(rt_elem_dtype(e)));
    const int refr = info.kind == AXON_VAR_HIDDEN && !strcmp(info.name, "_refr");
    for (size_t k = 0; refr && k < n; k++) {
        if (values[k] * scale != floor(values[k] * scale))
            return axon_err_set(&s->err, AXON_EINVAL,
                                "%s: value %zu (%g) is not a whole number of steps", path, k,
                                values[k]);
        /* model.h: the most a counter holds, where the compiler caps its start */
        if (values[k] * scale > AXON_REFR_MAX)
            return axon_err_set(&s->err, AXON_EINVAL,
                                "%s: value %zu (%.0f) is more steps than a refractory counter "
                                "holds (%.0f)",
                                path, k, values[k], AXON_REFR_MAX);
    }
    void *x = rt_var_data(s, &info);
    if (!info.synapse && info.kind == AXON_VAR_INPUT) /* read by the update from then on */
        s->pops[info.owner].inputs_touched = 1;
    for (size_t k = 0; k < n; k++)
        (void)rt_elem_set(x, e, rt_var_ix(s, &info, idx ? idx[k] : k), values[k] * scale);
    return AXON_OK;
}

void *axon_sim_pop_data(axon_sim *s, int pop, int var)
{
    if (!s)
        return NULL;
    rt_begin(s);
    if (rt_check_pop(s, pop, "axon_sim_pop_data") != AXON_OK)
        return NULL;
    if (var < 0 || (uint32_t)var >= s->m->pops[pop].nvars) {
        axon_err_set(&s->err, AXON_EINVAL, "population '%s' has no variable %d",
                     s->m->pops[pop].name, var);
        return NULL;
    }
    return s->pops[pop].vars[var];
}

void *axon_sim_proj_data(axon_sim *s, int proj, int var)
{
    if (!s)
        return NULL;
    rt_begin(s);
    if (rt_check_proj(s, proj, "axon_sim_proj_data") != AXON_OK)
        return NULL;
    if (var < 0 || (uint32_t)var >= s->m->projs[proj].nvars) {
        axon_err_set(&s->err, AXON_EINVAL, "projection '%s' has no variable %d",
                     s->m->projs[proj].name, var);
        return NULL;
    }
    rt_proj_sync(s);
    s->syn_live = 1;
    return s->projs[proj].vars[var];
}

int64_t axon_sim_synapse_index(axon_sim *s, int proj, uint32_t pre, uint32_t post)
{
    if (!s)
        return -1;
    rt_begin(s);
    if (rt_check_proj(s, proj, "axon_sim_synapse_index") != AXON_OK)
        return -1;
    const rt_proj *pr = &s->projs[proj];
    const char *nm = s->m->projs[proj].name;
    if (pre >= pr->npre || post >= pr->npost) {
        axon_err_set(&s->err, AXON_EINVAL,
                     "projection '%s': %u -> %u is out of range (%u -> %u "
                     "neurons)",
                     nm, pre, post, pr->npre, pr->npost);
        return -1;
    }
    uint64_t b = pr->row[pre], e = pr->row[pre + 1];
    if (pr->delay || pr->doff) { /* rows are ordered by (delay, target) */
        for (uint64_t k = b; k < e; k++)
            if (rt_target(pr, k) == post)
                return (int64_t)k;
    } else {
        while (b < e) {
            uint64_t mid = b + (e - b) / 2;
            if (rt_target(pr, mid) < post)
                b = mid + 1;
            else
                e = mid;
        }
        if (b < pr->row[pre + 1] && rt_target(pr, b) == post)
            return (int64_t)b;
    }
    axon_err_set(&s->err, AXON_EINVAL, "projection '%s' does not connect %u to %u", nm, pre, post);
    return -1;
}

/* ---- input in */

axon_status axon_sim_inject(axon_sim *s, const char *path, const uint32_t *idx,
                            const double *values, size_t n, const char *unit)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    axon_var_info info;
    double scale;
    if (rt_values_prepare(s, path, idx, n, values, unit, &info, &scale) != AXON_OK)
        return AXON_EINVAL;
    if (info.synapse || info.kind != AXON_VAR_INPUT)
        return axon_err_set(&s->err, AXON_EINVAL,
                            "%s is not an input variable (`inputs { ... }` of a neuron); write a "
                            "state or parameter with axon_sim_set_values",
                            path);
    if (rt_var_elem(s, &info) != (s->esz == 8 ? AXON_ELEM_F64 : AXON_ELEM_F32))
        return axon_err_set(&s->err, AXON_EINVAL,
                            "%s is not stored in the model's precision; injections need it", path);
    if (!idx && n && n != info.size)
        return axon_err_set(&s->err, AXON_EINVAL,
                            "%s: %zu values without indices, but the population has %zu neurons",
                            path, n, info.size);
    for (size_t k = 0; k < n; k++)
        if (!isfinite(values[k] * scale))
            return axon_err_set(&s->err, AXON_EINVAL, "%s: value %zu (%g) is not finite", path, k,
                                values[k]);
    struct rt_ctl *c = rt_ctl_get(s);
    if (!c)
        return AXON_ENOMEM;
    size_t slot = c->ninj;
    for (size_t k = 0; k < c->ninj; k++)
        if (c->inj[k].pop == info.owner && c->inj[k].var == info.var)
            slot = k;
    rt_inj j = {info.owner, info.var, n, NULL, NULL};
    if (n) {
        j.idx = malloc(n * sizeof *j.idx);
        j.val = malloc(n * s->esz);
        if (!j.idx || !j.val) {
            rt_inj_free(&j);
            return axon_err_set(&s->err, AXON_ENOMEM, "out of memory for %zu injected values", n);
        }
        for (size_t k = 0; k < n; k++) {
            j.idx[k] = idx ? idx[k] : (uint32_t)k;
            if (s->esz == 8)
                ((double *)j.val)[k] = values[k] * scale;
            else
                ((float *)j.val)[k] = (float)(values[k] * scale);
        }
    }
    if (slot == c->ninj) {
        if (!n)
            return AXON_OK;
        rt_inj *v = realloc(c->inj, (c->ninj + 1) * sizeof *v);
        if (!v) {
            rt_inj_free(&j);
            return axon_err_set(&s->err, AXON_ENOMEM, "out of memory");
        }
        c->inj = v;
        c->ninj++;
    } else {
        rt_inj_free(&c->inj[slot]);
    }
    if (n) {
        c->inj[slot] = j;
    } else { /* removed: the last one takes its place (order among variables is immaterial) */
        c->inj[slot] = c->inj[--c->ninj];
    }
    return AXON_OK;
}

axon_status axon_sim_push_spikes(axon_sim *s, int pop, const uint32_t *idx, size_t n)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (rt_spiking(s, pop, "axon_sim_push_spikes") != AXON_OK)
        return AXON_EINVAL;
    if (n && !idx)
        return axon_err_set(&s->err, AXON_EINVAL, "axon_sim_push_spikes: no indices");
    char what[80];
    snprintf(what, sizeof what, "axon_sim_push_spikes('%s')", s->m->pops[pop].name);
    if (rt_check_indices(s, what, idx, n, s->pops[pop].size) != AXON_OK)
        return AXON_EINVAL;
    if (!n)
        return AXON_OK;
    struct rt_ctl *c = rt_ctl_get(s);
    if (!c)
        return AXON_ENOMEM;
    rt_ctl_pop *cp = &c->pops[pop];
    if (n > SIZE_MAX / sizeof *cp->push - cp->npush)
        return axon_err_set(&s->err, AXON_ERANGE, "too many pushed spikes");
    if (cp->npush + n > cp->cap) {
        size_t cap = cp->cap ? cp->cap * 2 : 64;
        while (cap < cp->npush + n)
            cap *= 2;
        uint32_t *p = realloc(cp->push, cap * sizeof *p);
        if (!p)
            return axon_err_set(&s->err, AXON_ENOMEM, "out of memory for pushed spikes");
        cp->push = p;
        cp->cap = cap;
    }
    memcpy(cp->push + cp->npush, idx, n * sizeof *idx);
    if (!cp->npush)
        c->npushed++;
    cp->npush += n;
    return AXON_OK;
}
