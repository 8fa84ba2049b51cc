/*
 * Recorders: spike, state, rate and synapse-variable monitors (time conventions in axon.h). A
 * "weights" record (AXON_REC_WEIGHTS) samples any variable of a projection: a per-synapse one
 * (w, short-term plasticity's u and x) over synapses in CSR order, or a per-neuron one (an STDP
 * trace) over the pre or post population.
 *
 * Memory is reserved before anything of a step happens (rt_rec_reserve_run for the samples of
 * a whole run, rt_rec_reserve_steps for worst-case steps of spikes), so recording itself cannot
 * fail and an out-of-memory error never leaves a step half done. Spike storage grows
 * geometrically, so the per-step reserve is a comparison in the common case.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* Grows *arr to newcap elements of esz bytes; *arr is unchanged on failure. */
static int rt_grow(void **arr, size_t newcap, size_t esz)
{
    if (newcap > SIZE_MAX / esz)
        return -1;
    size_t bytes = newcap * esz;
    void *p = realloc(*arr, bytes > 0 ? bytes : 1);
    if (!p)
        return -1;
    *arr = p;
    return 0;
}

/* The population or projection a record watches. */
static const char *rt_rec_owner(const axon_sim *s, const rt_rec *r)
{
    return r->kind == AXON_REC_WEIGHTS ? s->projs[r->proj].d->name : s->pops[r->pop].d->name;
}

/* Makes room for need entries (spikes or samples) in every array r uses. */
static axon_status rt_rec_reserve(axon_sim *s, rt_rec *r, size_t need, axon_err *err)
{
    if (need <= r->cap)
        return AXON_OK;
    size_t cap = r->cap + r->cap / 2;
    if (cap < need)
        cap = need;
    int rc = rt_grow((void **)&r->t, cap, sizeof *r->t);
    if (rc == 0 && r->kind == AXON_REC_SPIKES)
        rc = rt_grow((void **)&r->idx, cap, sizeof *r->idx);
    if (rc == 0 && r->kind == AXON_REC_RATE)
        rc = rt_grow((void **)&r->rate, cap, sizeof *r->rate);
    if (rc == 0 && (r->kind == AXON_REC_STATE || r->kind == AXON_REC_WEIGHTS ||
                    r->kind == AXON_REC_SPIKE_VALUES)) {
        size_t row = (size_t)r->nsub * s->esz;
        rc = row && cap > SIZE_MAX / row ? -1 : rt_grow(&r->vals, cap, row ? row : 1);
    }
    if (rc != 0) {
        static const char *const what[] = {"spikes", "state samples", "rate samples",
                                           "weight samples", "values at spikes"};
        return axon_err_set(err, AXON_ENOMEM, "out of memory for %zu %s of %s '%s'", need,
                            what[r->kind],
                            r->kind == AXON_REC_WEIGHTS ? "projection" : "population",
                            rt_rec_owner(s, r));
    }
    r->cap = cap;
    return AXON_OK;
}

/* Values of synapse variable var of projection q: one per synapse, or per pre (post) neuron for
 * AXON_VAR_PER_PRE (_PER_POST), such as a trace. */
static uint64_t rt_rec_syn_size(const axon_sim *s, int q, int var)
{
    const rt_proj *pr = &s->projs[q];
    int kind = pr->d->vars[var].kind;
    return kind == AXON_VAR_PER_PRE    ? pr->npre
           : kind == AXON_VAR_PER_POST ? pr->npost
                                       : pr->nsyn_all; /* (over MPI ranks, the whole's) */
}

/* Needs the projections built (synapse indices). */
static axon_status rt_rec_check_weights(const axon_sim *s, uint32_t i, axon_err *err)
{
    const axon_model_desc *m = s->m;
    const axon_record_desc *d = &m->records[i];
    if (d->target < 0 || (uint32_t)d->target >= m->nprojs)
        return axon_err_set(err, AXON_EINVAL, "record %u: weight record of projection %d, which "
                            "does not exist", i, d->target);
    const rt_proj *pr = &s->projs[d->target];
    const char *nm = pr->d->name;
    if (d->every < 1)
        return axon_err_set(err, AXON_EINVAL, "record %u (projection '%s'): period of 0 steps", i,
                            nm);
    if (d->var < 0 || (uint32_t)d->var >= pr->d->nvars)
        return axon_err_set(err, AXON_EINVAL, "record %u: projection '%s' has no variable %d", i,
                            nm, d->var);
    if (d->nsubset > 0 && !d->subset)
        return axon_err_set(err, AXON_EINVAL, "record %u: subset of %u synapses but no table", i,
                            d->nsubset);
    uint64_t n = rt_rec_syn_size(s, d->target, d->var);
    int kind = pr->d->vars[d->var].kind;
    const char *what = kind == AXON_VAR_PER_PRE || kind == AXON_VAR_PER_POST ? "neuron" : "synapse";
    for (uint32_t k = 0; k < d->nsubset; k++)
        if (d->subset[k] >= n)
            return axon_err_set(err, AXON_EINVAL,
                                "record %u: %s %u is outside '%s' of projection '%s' (%llu values)",
                                i, what, d->subset[k], pr->d->vars[d->var].name, nm,
                                (unsigned long long)n);
    return AXON_OK;
}

static axon_status rt_rec_check(const axon_sim *s, uint32_t i, axon_err *err)
{
    const axon_model_desc *m = s->m;
    const axon_record_desc *d = &m->records[i];
    if (d->kind == AXON_REC_WEIGHTS)
        return rt_rec_check_weights(s, i, err);
    if (d->kind != AXON_REC_SPIKES && d->kind != AXON_REC_STATE && d->kind != AXON_REC_RATE &&
        d->kind != AXON_REC_SPIKE_VALUES)
        return axon_err_set(err, AXON_EINVAL, "record %u: unknown kind %d", i, d->kind);
    if (d->target < 0 || (uint32_t)d->target >= m->npops)
        return axon_err_set(err, AXON_EINVAL, "record %u: no population %d", i, d->target);
    const axon_pop_desc *p = &m->pops[d->target];
    int spikes = d->kind == AXON_REC_SPIKES || d->kind == AXON_REC_SPIKE_VALUES;
    if (!spikes && d->every < 1)
        return axon_err_set(err, AXON_EINVAL, "record %u (population '%s'): period of 0 steps", i,
                            p->name);
    if (d->kind != AXON_REC_STATE) {
        if (!p->spiking)
            return axon_err_set(err, AXON_EINVAL,
                                "record %u: population '%s' does not spike; cannot record its %s",
                                i, p->name, spikes ? "spikes" : "rate");
        if (d->kind == AXON_REC_SPIKE_VALUES && (d->var < 0 || (uint32_t)d->var >= p->nvars))
            return axon_err_set(err, AXON_EINVAL, "record %u: population '%s' has no variable %d",
                                i, p->name, d->var);
        return AXON_OK;
    }
    if (d->var < 0 || (uint32_t)d->var >= p->nvars)
        return axon_err_set(err, AXON_EINVAL, "record %u: population '%s' has no variable %d", i,
                            p->name, d->var);
    if (d->nsubset > 0 && !d->subset)
        return axon_err_set(err, AXON_EINVAL, "record %u: subset of %u neurons but no table", i,
                            d->nsubset);
    for (uint32_t k = 0; k < d->nsubset; k++)
        if (d->subset[k] >= p->size)
            return axon_err_set(err, AXON_EINVAL,
                                "record %u: neuron %u is outside population '%s' of %u", i,
                                d->subset[k], p->name, p->size);
    return AXON_OK;
}

/* Over several MPI ranks, a state record keeps only the columns of this rank's neurons of
 * population p: its block, or the subset's neurons in it (in subset order); write.c writes them
 * as this rank's part. So does a weight record of a variable per postsynaptic neuron. */
static axon_status rt_rec_local(const rt_pop *p, rt_rec *r)
{
    if (!r->sub) {
        r->col0 = p->lo;
        r->nsub = p->hi - p->lo;
        return AXON_OK;
    }
    uint32_t n = 0;
    for (uint32_t k = 0; k < r->nsub; k++)
        n += r->sub[k] >= p->lo && r->sub[k] < p->hi;
    if (!(r->own = malloc((n ? n : 1) * sizeof *r->own)))
        return AXON_ENOMEM;
    n = 0;
    for (uint32_t k = 0; k < r->nsub; k++)
        if (r->sub[k] >= p->lo && r->sub[k] < p->hi)
            r->own[n++] = r->sub[k];
    r->sub = r->own;
    r->nsub = n;
    return AXON_OK;
}

/* Appends whole-record column c to the ranges r->wcols ([first, count] pairs, room for one
 * more pair at least), extending the last range when c follows it. */
static void rt_rec_wcol(rt_rec *r, uint64_t c)
{
    uint64_t *last = r->nwcols ? &r->wcols[2 * (r->nwcols - 1)] : NULL;
    if (last && last[0] + last[1] == c) {
        last[1]++;
        return;
    }
    r->wcols[2 * r->nwcols] = c;
    r->wcols[2 * r->nwcols + 1] = 1;
    r->nwcols++;
}

/* The row of a rank's part of projection pr that holds whole-projection synapse g, or -1:
 * the first synapse of row i here is g0 = row[i] + goff[i] of the whole, and g0 never
 * decreases with i (a row's synapses here are consecutive in the whole row, proj.c). */
static int64_t rt_rec_row_of(const rt_proj *pr, uint64_t g)
{
    uint32_t lo = 0, hi = pr->npre; /* the last row with g0 <= g lies in [lo, hi) */
    if (!pr->npre || pr->row[0] + pr->goff[0] > g)
        return -1;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (pr->row[mid] + pr->goff[mid] <= g)
            lo = mid;
        else
            hi = mid;
    }
    return g - pr->goff[lo] < pr->row[lo + 1] ? (int64_t)lo : -1;
}

/* With per-synapse delays (gidx, increasing): the synapse here that is whole-projection synapse
 * g, or -1. */
static int64_t rt_rec_gidx_of(const rt_proj *pr, uint64_t g)
{
    uint64_t lo = 0, hi = pr->nsyn;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (pr->gidx[mid] < g)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < pr->nsyn && pr->gidx[lo] == g ? (int64_t)lo : -1;
}

/* The synapse here that is whole-projection synapse g, or -1. */
static int64_t rt_rec_syn_of(const rt_proj *pr, uint64_t g)
{
    if (pr->gidx)
        return rt_rec_gidx_of(pr, g);
    int64_t i = rt_rec_row_of(pr, g);
    return i < 0 ? -1 : (int64_t)(g - pr->goff[i]);
}

/*
 * Over several MPI ranks, a weight record keeps what this rank holds: a variable per
 * presynaptic neuron whole (every rank updates it alike for every spike); one per
 * postsynaptic neuron the columns of this rank's block (rt_rec_local); one per synapse the
 * columns of this rank's synapses, in the record's order, and r->wcols says which columns of
 * the whole record they are (write.c names them in the manifest). A rank's synapse s of row i
 * is synapse s + goff[i] of the whole projection (proj.c keeps goff for such records), or with
 * per-synapse delays synapse gidx[s].
 */
static axon_status rt_rec_weights_local(axon_sim *s, rt_rec *r)
{
    const rt_proj *pr = &s->projs[r->proj];
    int kind = pr->d->vars[r->var].kind;
    if (kind == AXON_VAR_PER_PRE)
        return AXON_OK;
    if (kind == AXON_VAR_PER_POST)
        return rt_rec_local(&s->pops[pr->d->post], r);
    uint64_t n = 0;
    if (r->sub) {
        for (uint32_t k = 0; k < r->nsub; k++)
            n += rt_rec_syn_of(pr, r->sub[k]) >= 0;
    } else {
        n = pr->nsyn;
    }
    /* ranges at most: one per row, or with delays one per (row, delay) */
    size_t nr = r->sub || pr->gidx ? (size_t)n : (size_t)pr->npre;
    if (!(r->wcols = malloc((nr + 1) * 2 * sizeof *r->wcols)) ||
        !(r->own = malloc((n ? (size_t)n : 1) * sizeof *r->own)))
        return AXON_ENOMEM;
    r->nwcols = 0;
    if (r->sub) {
        uint32_t m = 0;
        for (uint32_t k = 0; k < r->nsub; k++) {
            int64_t e = rt_rec_syn_of(pr, r->sub[k]);
            if (e < 0)
                continue;
            r->own[m++] = (uint32_t)e;
            rt_rec_wcol(r, k);
        }
        r->sub = r->own;
        r->nsub = m;
        return AXON_OK;
    }
    for (uint32_t i = 0; i < pr->npre; i++)
        for (uint64_t k = pr->row[i]; k < pr->row[i + 1]; k++)
            rt_rec_wcol(r, pr->gidx ? pr->gidx[k] : k + pr->goff[i]);
    free(r->own); /* every synapse here, in order: sampled without a table */
    r->own = NULL;
    r->nsub = (uint32_t)pr->nsyn;
    return AXON_OK;
}

axon_status rt_rec_init(axon_sim *s, axon_err *err)
{
    const axon_model_desc *m = s->m;
    s->recs = calloc(m->nrecords ? m->nrecords : 1, sizeof *s->recs);
    if (!s->recs)
        return axon_err_set(err, AXON_ENOMEM, "cannot allocate the recorders");
    for (uint32_t i = 0; i < m->nrecords; i++) {
        axon_status st = rt_rec_check(s, i, err);
        if (st != AXON_OK)
            return st;
        const axon_record_desc *d = &m->records[i];
        rt_rec *r = &s->recs[i];
        r->d = d;
        r->kind = d->kind;
        r->pop = d->target;
        r->proj = -1;
        r->var = d->var;
        r->every = d->kind == AXON_REC_SPIKES ? 1 : d->every;
        if (d->kind == AXON_REC_SPIKE_VALUES) { /* one column */
            r->every = 1;
            r->nsub = 1;
            continue;
        }
        if (d->kind == AXON_REC_STATE) {
            r->sub = d->nsubset ? d->subset : NULL;
            r->nsub = d->nsubset ? d->nsubset : m->pops[d->target].size;
            r->input = m->pops[d->target].vars[d->var].kind == AXON_VAR_INPUT;
            if (rt_mpi_size(s) > 1 && rt_rec_local(&s->pops[r->pop], r) != AXON_OK)
                return axon_err_set(err, AXON_ENOMEM, "cannot allocate the recorders");
        }
        if (d->kind == AXON_REC_WEIGHTS) {
            r->pop = -1;
            r->proj = d->target;
            r->sub = d->nsubset ? d->subset : NULL;
            /* at most 2^32 - 1 synapses per projection */
            r->nsub = d->nsubset ? d->nsubset : (uint32_t)rt_rec_syn_size(s, d->target, d->var);
            if (rt_mpi_size(s) > 1 && rt_rec_weights_local(s, r) != AXON_OK)
                return axon_err_set(err, AXON_ENOMEM, "cannot allocate the recorders");
            continue;
        }
        rt_pop *p = &s->pops[d->target];
        /* A second spike record of the same population would hold the same data: it is kept
         * only so record indices stay aligned, and neither records nor writes anything. */
        if (d->kind == AXON_REC_SPIKES && p->spike_rec < 0)
            p->spike_rec = (int)i;
        else if (d->kind == AXON_REC_SPIKES)
            r->kind = -1;
    }
    return AXON_OK;
}

void rt_rec_free(axon_sim *s)
{
    if (!s->recs)
        return;
    for (uint32_t i = 0; i < s->m->nrecords; i++) {
        rt_rec *r = &s->recs[i];
        free(r->t);
        free(r->idx);
        free(r->vals);
        free(r->rate);
        free(r->own);
        free(r->wcols);
    }
    free(s->recs);
    s->recs = NULL;
}

axon_status rt_rec_reserve_run(axon_sim *s, uint64_t nsteps, axon_err *err)
{
    for (uint32_t i = 0; i < s->m->nrecords; i++) {
        rt_rec *r = &s->recs[i];
        if (r->kind != AXON_REC_STATE && r->kind != AXON_REC_RATE && r->kind != AXON_REC_WEIGHTS)
            continue;
        uint64_t samples = (s->step + nsteps) / r->every - s->step / r->every;
        if (samples > SIZE_MAX - r->n)
            return axon_err_set(err, AXON_ERANGE, "too many samples for %s '%s'",
                                r->kind == AXON_REC_WEIGHTS ? "projection" : "population",
                                rt_rec_owner(s, r));
        axon_status st = rt_rec_reserve(s, r, r->n + (size_t)samples, err);
        if (st != AXON_OK)
            return st;
    }
    return AXON_OK;
}

axon_status rt_rec_reserve_steps(axon_sim *s, uint32_t k, axon_err *err)
{
    for (uint32_t i = 0; i < s->m->nrecords; i++) {
        rt_rec *r = &s->recs[i];
        if (r->kind != AXON_REC_SPIKES && r->kind != AXON_REC_SPIKE_VALUES)
            continue;
        if ((uint64_t)s->pops[r->pop].size * k > SIZE_MAX)
            return axon_err_set(err, AXON_ERANGE, "too many spikes for population '%s'",
                                s->pops[r->pop].d->name);
        size_t size = (size_t)s->pops[r->pop].size * k;
        if (r->n + size <= r->cap)
            continue;
        if (r->n > SIZE_MAX - size)
            return axon_err_set(err, AXON_ERANGE, "too many spikes for population '%s'",
                                s->pops[r->pop].d->name);
        /* at least double, so the reserve is amortised O(1) per step */
        size_t need = r->n + size;
        if (need < 2 * r->cap && r->cap <= SIZE_MAX / 2)
            need = 2 * r->cap;
        axon_status st = rt_rec_reserve(s, r, need, err);
        if (st != AXON_OK)
            return st;
    }
    return AXON_OK;
}

/* One row of a state or weight record from the variable array src, of elements of type e
 * (resolved, rt_elem): a population's (pr NULL), value x at element x, or projection pr's,
 * value x where its layout puts it (rt_proj_vidx: a lane of an interleaved group of
 * per-neuron variables, model.h ABI 12; blocks with the targets, ABI 13); the row holds values
 * of the model's precision. */
static void rt_rec_sample(axon_sim *s, rt_rec *r, const void *src, int32_t e, const rt_proj *pr)
{
    size_t esz = s->esz;
    char *row = (char *)r->vals + r->n * r->nsub * esz;
    int32_t own = esz == 8 ? AXON_ELEM_F64 : AXON_ELEM_F32;
    uint32_t var = (uint32_t)r->var;
    if (e != own || (pr && (rt_proj_blocked(pr, var) || rt_proj_vstride(pr, var) > 1))) {
        /* a narrow variable (model.h), a lane, or blocks */
        for (uint32_t k = 0; k < r->nsub; k++) {
            uint64_t x = r->sub ? r->sub[k] : r->col0 + k;
            (void)rt_elem_set(row, own, k, rt_elem_get(src, e, pr ? rt_proj_vidx(pr, var, x) : x));
        }
    } else if (!r->sub) {
        memcpy(row, (const char *)src + (size_t)r->col0 * esz, (size_t)r->nsub * esz);
    } else if (esz == 8) {
        const double *v = src;
        double *out = (double *)row;
        for (uint32_t k = 0; k < r->nsub; k++)
            out[k] = v[r->sub[k]];
    } else {
        const float *v = src;
        float *out = (float *)row;
        for (uint32_t k = 0; k < r->nsub; k++)
            out[k] = v[r->sub[k]];
    }
}

/* The spikes spk of step `step`: local says that they are this rank's, just found (all of
 * them without MPI); exchanged ones (local 0) are every rank's. */
static void rt_rec_spikes_of(axon_sim *s, int pi, uint64_t step, const uint32_t *spk, size_t n,
                             int local)
{
    const rt_pop *p = &s->pops[pi];
    uint64_t next = step + 1;
    double t = (double)next * s->dt;
    for (uint32_t i = 0; i < s->m->nrecords; i++) {
        rt_rec *r = &s->recs[i];
        if (r->pop != pi)
            continue;
        if (r->kind == AXON_REC_SPIKES && !(local && s->mpi)) {
            for (size_t k = 0; k < n; k++) {
                r->t[r->n + k] = t;
                r->idx[r->n + k] = spk[k];
            }
            r->n += n;
        } else if (r->kind == AXON_REC_SPIKE_VALUES) {
            /* the copy the update took when it found the spike, so right after the update; over
               MPI ranks, only this rank's spikes (rt_rec_pop_step), never exchanged ones */
            if (!local)
                continue;
            const void *src = p->vars[r->var];
            int32_t e = rt_elem(&p->d->vars[r->var], s->esz);
            int32_t own = s->esz == 8 ? AXON_ELEM_F64 : AXON_ELEM_F32;
            for (size_t k = 0; k < n; k++) {
                r->t[r->n + k] = t;
                (void)rt_elem_set(r->vals, own, r->n + k, rt_elem_get(src, e, spk[k]));
            }
            r->n += n;
        } else if (r->kind == AXON_REC_RATE && !(local && s->mpi)) {
            r->acc += n;
            if (next % r->every == 0) {
                double denom = (double)p->size * (double)r->every * s->dt;
                r->rate[r->n] = p->size ? (double)r->acc / denom : 0.0;
                r->t[r->n++] = t;
                r->acc = 0;
            }
        }
    }
}

void rt_rec_spikes(axon_sim *s, int pi, uint64_t step, const uint32_t *spk, size_t n)
{
    rt_rec_spikes_of(s, pi, step, spk, n, 0);
}

void rt_rec_pop_step(axon_sim *s, int pi)
{
    const rt_pop *p = &s->pops[pi];
    uint64_t next = s->step + 1;
    double t = (double)next * s->dt;
    for (uint32_t i = 0; i < s->m->nrecords; i++) {
        rt_rec *r = &s->recs[i];
        if (r->pop != pi || r->kind != AXON_REC_STATE || next % r->every != 0)
            continue;
        if (!r->input) /* inputs were sampled before the update (rt_rec_inputs) */
            rt_rec_sample(s, r, p->vars[r->var], rt_elem(&p->d->vars[r->var], s->esz), NULL);
        r->t[r->n++] = t;
    }
    /* over MPI ranks, the spike and rate records wait for the exchange (rt_rec_spikes) */
    rt_rec_spikes_of(s, pi, s->step, p->spk, p->nspk, 1);
}

void rt_rec_syn_step(axon_sim *s)
{
    uint64_t next = s->step + 1;
    for (uint32_t i = 0; i < s->m->nrecords; i++) {
        rt_rec *r = &s->recs[i];
        if (r->kind != AXON_REC_WEIGHTS || next % r->every != 0)
            continue;
        rt_proj_sync(s); /* after the step's plasticity: deferred updates first */
        rt_rec_sample(s, r, s->projs[r->proj].vars[r->var],
                      rt_elem(&s->projs[r->proj].d->vars[r->var], s->esz), &s->projs[r->proj]);
        r->t[r->n++] = (double)next * s->dt;
    }
}

/* An input variable holds what was summed into it for a step until that step's update, which
 * consumes and clears it (model.h): sampled after the update it would always read 0. Its sample
 * for step n is therefore taken just before the update (the sum of the deliveries of step n-1,
 * the continuous synapses and the injections of step n), and stamped (n+1) dt like the others. */
void rt_rec_inputs(axon_sim *s)
{
    uint64_t next = s->step + 1;
    for (uint32_t i = 0; i < s->m->nrecords; i++) {
        rt_rec *r = &s->recs[i];
        if (r->input && r->kind == AXON_REC_STATE && next % r->every == 0)
            rt_rec_sample(s, r, s->pops[r->pop].vars[r->var],
                          rt_elem(&s->pops[r->pop].d->vars[r->var], s->esz), NULL);
    }
}
