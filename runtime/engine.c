/*
 * The simulation engine: state allocation, the step loop, and accessors (see axon.h).
 *
 * Parallel stepping. Each population is split once into contiguous chunks on RT_BLOCK
 * boundaries, as evenly as whole blocks allow; chunk i always runs on pool thread i. A chunk
 * runs the update kernel and then compacts its own fired[] flags into the step's spike array
 * at the chunk's own offset (spk[begin..]), which has room for every neuron of the chunk, so
 * no thread writes where another does and nothing is allocated during a step. The caller then
 * slides the chunks' runs together in chunk order, which yields the spikes in increasing index
 * order whatever the number of chunks: results are bit-identical for any thread count.
 * Projections (connectivity, synapse kernels, spike delivery) are in proj.c; their per-step
 * kernels run on the caller's thread between the population phases.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

/* Steps are also Philox counter words (rng.h), which hold 48 bits. */
#define RT_MAX_STEPS ((uint64_t)1 << 48)

typedef struct {
    rt_pop *pop;
    axon_step_ctx ctx;
    int init;
} rt_phase;

void *rt_alloc_zeroed(size_t bytes)
{
    if (bytes > SIZE_MAX - AXON_ALIGN)
        return NULL;
    size_t n = (bytes + AXON_ALIGN - 1) / AXON_ALIGN * AXON_ALIGN;
    void *p = aligned_alloc(AXON_ALIGN, n ? n : AXON_ALIGN);
    if (p)
        memset(p, 0, n ? n : AXON_ALIGN);
    return p;
}

static double rt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- validation */

static axon_status rt_check_pops(const axon_model_desc *m, axon_err *err)
{
    if (m->npops > 0 && !m->pops)
        return axon_err_set(err, AXON_EINVAL, "model '%s': %u populations but no table", m->name,
                            m->npops);
    for (uint32_t i = 0; i < m->npops; i++) {
        const axon_pop_desc *p = &m->pops[i];
        if (!p->name || !*p->name)
            return axon_err_set(err, AXON_EINVAL, "population %u has no name", i);
        for (uint32_t j = 0; j < i; j++)
            if (!strcmp(p->name, m->pops[j].name))
                return axon_err_set(err, AXON_EINVAL, "two populations are named '%s'", p->name);
        /* Recorded spike indices are written as int32 (axon_sim_write). */
        if (p->size > INT32_MAX)
            return axon_err_set(err, AXON_ERANGE, "population '%s': %u neurons, at most %d",
                                p->name, p->size, INT32_MAX);
        if (!p->update)
            return axon_err_set(err, AXON_EINVAL, "population '%s' has no update kernel", p->name);
        if (p->nvars > 0 && !p->vars)
            return axon_err_set(err, AXON_EINVAL, "population '%s': %u variables but no table",
                                p->name, p->nvars);
        for (uint32_t v = 0; v < p->nvars; v++)
            if (!p->vars[v].name || !*p->vars[v].name)
                return axon_err_set(err, AXON_EINVAL, "population '%s': variable %u has no name",
                                    p->name, v);
    }
    return AXON_OK;
}

static axon_status rt_check_model(const axon_model_desc *m, const axon_opts *o, axon_err *err)
{
    if (!m)
        return axon_err_set(err, AXON_EINVAL, "no model descriptor");
    if (m->abi != AXON_ABI_VERSION)
        return axon_err_set(err, AXON_EINVAL,
                            "model compiled for runtime ABI %u, this runtime implements %d", m->abi,
                            AXON_ABI_VERSION);
    if (!m->name)
        return axon_err_set(err, AXON_EINVAL, "model descriptor has no name");
    if (m->precision != 4 && m->precision != 8)
        return axon_err_set(err, AXON_EINVAL, "model '%s': precision %u, expected 4 or 8", m->name,
                            m->precision);
    if (!(m->dt > 0) || !isfinite(m->dt))
        return axon_err_set(err, AXON_EINVAL, "model '%s': dt = %g s, expected > 0", m->name,
                            m->dt);
    if (m->nrecords > 0 && !m->records)
        return axon_err_set(err, AXON_EINVAL, "model '%s': %u records but no table", m->name,
                            m->nrecords);
    if (o && (o->threads < 0 || o->threads > AXON_MAX_THREADS))
        return axon_err_set(err, AXON_EINVAL, "threads = %d, expected 0..%d", o->threads,
                            AXON_MAX_THREADS);
    axon_status st = rt_check_pops(m, err);
    return st != AXON_OK ? st : rt_proj_check(m, err);
}

/* ---- setup */

/* Chunk i gets blocks [i*nb/nc, (i+1)*nb/nc), the last one clipped to the population size. */
static axon_status rt_partition(rt_pop *p, int threads)
{
    uint64_t nblocks = ((uint64_t)p->size + RT_BLOCK - 1) / RT_BLOCK;
    int nc = nblocks < (uint64_t)threads ? (int)nblocks : threads;
    p->nchunks = nc;
    p->bounds = malloc(((size_t)nc + 1) * sizeof *p->bounds);
    p->chunk_n = calloc((size_t)nc + 1, sizeof *p->chunk_n);
    if (!p->bounds || !p->chunk_n)
        return AXON_ENOMEM;
    p->bounds[0] = 0;
    for (int i = 1; i <= nc; i++) {
        uint64_t b = (uint64_t)i * nblocks / (uint64_t)nc * RT_BLOCK;
        p->bounds[i] = (uint32_t)(b < p->size ? b : p->size);
    }
    return AXON_OK;
}

static axon_status rt_pop_alloc(axon_sim *s, rt_pop *p, const axon_pop_desc *d, axon_err *err)
{
    p->d = d;
    p->size = d->size;
    p->spike_rec = -1;
    uint64_t cap = ((uint64_t)d->size + RT_BLOCK - 1) / RT_BLOCK * RT_BLOCK;
    p->cap = (uint32_t)(cap ? cap : RT_BLOCK);
    p->vars = calloc(d->nvars ? d->nvars : 1, sizeof *p->vars);
    if (!p->vars)
        goto oom;
    for (uint32_t v = 0; v < d->nvars; v++)
        if (!(p->vars[v] = rt_alloc_zeroed((size_t)p->cap * s->esz)))
            goto oom;
    if (d->spiking) {
        p->fired = rt_alloc_zeroed(p->cap);
        p->spk = malloc(((size_t)d->size + 1) * sizeof *p->spk);
        if (!p->fired || !p->spk)
            goto oom;
    }
    if (rt_partition(p, s->threads) != AXON_OK)
        goto oom;
    return AXON_OK;
oom:
    return axon_err_set(err, AXON_ENOMEM, "population '%s': cannot allocate %u neurons", d->name,
                        d->size);
}

static void rt_pop_free(rt_pop *p)
{
    if (p->vars)
        for (uint32_t v = 0; v < p->d->nvars; v++)
            free(p->vars[v]);
    free(p->vars);
    free(p->fired);
    free(p->spk);
    free(p->bounds);
    free(p->chunk_n);
}

/* ---- phases */

static void rt_phase_task(void *arg, int task)
{
    rt_phase *ph = arg;
    rt_pop *p = ph->pop;
    uint32_t b = p->bounds[task], e = p->bounds[task + 1];
    if (ph->init) {
        p->d->init(&ph->ctx, p->vars, b, e);
        return;
    }
    p->d->update(&ph->ctx, p->vars, p->fired, b, e);
    if (!p->fired)
        return;
    /* Branch-free compaction: out[k] is always inside this chunk's part of spk. */
    uint32_t *out = p->spk + b;
    const uint8_t *f = p->fired;
    size_t k = 0;
    for (uint32_t i = b; i < e; i++) {
        out[k] = i;
        k += f[i] != 0;
    }
    p->chunk_n[task] = k;
}

static void rt_run_phase(axon_sim *s, rt_pop *p, const axon_step_ctx *ctx, int init)
{
    rt_phase ph = {.pop = p, .ctx = *ctx, .init = init};
    if (p->nchunks <= 1 || !s->pool) {
        for (int c = 0; c < p->nchunks; c++)
            rt_phase_task(&ph, c);
    } else {
        rt_pool_run(s->pool, rt_phase_task, &ph, p->nchunks);
    }
}

/* Joins the chunks' spike runs in chunk (= index) order. */
static void rt_gather_spikes(rt_pop *p)
{
    size_t n = 0;
    for (int c = 0; c < p->nchunks; c++) {
        size_t k = p->chunk_n[c];
        if (k && n != p->bounds[c])
            memmove(p->spk + n, p->spk + p->bounds[c], k * sizeof *p->spk);
        n += k;
    }
    p->nspk = n;
    p->nspikes += n;
}

/* ---- public API */

axon_sim *axon_sim_new(const axon_model_desc *m, const axon_opts *o, axon_err *err)
{
    if (rt_check_model(m, o, err) != AXON_OK)
        return NULL;
    axon_sim *s = calloc(1, sizeof *s);
    if (!s) {
        axon_err_set(err, AXON_ENOMEM, "cannot allocate a simulation");
        return NULL;
    }
    s->m = m;
    s->seed = o ? o->seed : 0;
    s->threads = o && o->threads > 1 ? o->threads : 1;
    s->esz = m->precision;
    s->dt = m->dt;
    s->pops = calloc(m->npops ? m->npops : 1, sizeof *s->pops);
    if (!s->pops) {
        axon_err_set(err, AXON_ENOMEM, "cannot allocate a simulation");
        axon_sim_free(s);
        return NULL;
    }
    int max_chunks = 1;
    for (uint32_t i = 0; i < m->npops; i++) {
        if (rt_pop_alloc(s, &s->pops[i], &m->pops[i], err) != AXON_OK) {
            axon_sim_free(s);
            return NULL;
        }
        if (s->pops[i].nchunks > max_chunks)
            max_chunks = s->pops[i].nchunks;
    }
    /* Threads beyond the largest population's chunk count would never get work in a step. */
    s->pool_threads = 1;
    if (max_chunks > 1 && !(s->pool = rt_pool_new(max_chunks, err))) {
        axon_sim_free(s);
        return NULL;
    }
    if (s->pool)
        s->pool_threads = max_chunks;
    axon_step_ctx ctx = {.t = 0.0, .step = 0, .seed = s->seed, .signals = NULL};
    for (uint32_t i = 0; i < m->npops; i++)
        if (m->pops[i].init)
            rt_run_phase(s, &s->pops[i], &ctx, 1);
    /* the recorders after the projections: weight records check synapse indices */
    if (rt_proj_setup(s, err) != AXON_OK || rt_rec_init(s, err) != AXON_OK) {
        axon_sim_free(s);
        return NULL;
    }
    return s;
}

void axon_sim_free(axon_sim *s)
{
    if (!s)
        return;
    rt_pool_free(s->pool);
    rt_rec_free(s);
    rt_proj_free(s);
    if (s->pops)
        for (uint32_t i = 0; i < s->m->npops; i++)
            rt_pop_free(&s->pops[i]);
    free(s->pops);
    free(s);
}

axon_status axon_sim_run(axon_sim *s, double duration,
                         void (*progress)(void *user, double done_fraction), void *user)
{
    if (!s)
        return AXON_EINVAL;
    if (!(duration >= 0) || !isfinite(duration))
        return axon_err_set(&s->err, AXON_EINVAL, "run duration %g s is not a time >= 0", duration);
    double q = round(duration / s->dt);
    if (q >= (double)(RT_MAX_STEPS - s->step))
        return axon_err_set(&s->err, AXON_EINVAL,
                            "run of %g s = %g steps would pass the limit of 2^48 steps", duration,
                            q);
    uint64_t nsteps = (uint64_t)q;
    axon_status st = rt_rec_reserve_run(s, nsteps, &s->err);
    if (st != AXON_OK)
        return st;
    uint64_t stride = (nsteps + 99) / 100; /* progress reports at most 100 times */
    double t0 = rt_now();
    for (uint64_t k = 0; k < nsteps; k++) {
        if ((st = rt_rec_reserve_step(s, &s->err)) != AXON_OK ||
            (st = rt_proj_reserve_step(s, &s->err)) != AXON_OK)
            break;
        /* t from the step number, not a running sum, so it never drifts */
        axon_step_ctx ctx = {
            .t = (double)s->step * s->dt, .step = s->step, .seed = s->seed, .signals = NULL};
        /* model.h: 0. continuous synapse kernels, 1. every population's update,
         * 2. delivery, 3. recording */
        if (s->projs)
            rt_proj_continuous(s, &ctx);
        for (uint32_t i = 0; i < s->m->npops; i++) {
            rt_pop *p = &s->pops[i];
            rt_run_phase(s, p, &ctx, 0);
            if (p->fired)
                rt_gather_spikes(p);
        }
        if (s->projs)
            rt_proj_deliver(s, &ctx);
        for (uint32_t i = 0; i < s->m->npops; i++)
            rt_rec_pop_step(s, (int)i);
        rt_rec_syn_step(s);
        s->step++;
        if (progress && ((k + 1) % stride == 0 || k + 1 == nsteps))
            progress(user, (double)(k + 1) / (double)nsteps);
    }
    s->wall += rt_now() - t0;
    return st;
}

const char *axon_sim_error(const axon_sim *s)
{
    return s ? s->err.msg : "no simulation";
}

const axon_model_desc *axon_sim_model(const axon_sim *s)
{
    return s->m;
}

double axon_sim_time(const axon_sim *s)
{
    return (double)s->step * s->dt;
}

uint64_t axon_sim_steps(const axon_sim *s)
{
    return s->step;
}

int axon_sim_threads(const axon_sim *s)
{
    return s->threads;
}

double axon_sim_wall_seconds(const axon_sim *s)
{
    return s->wall;
}

int axon_sim_pop_index(const axon_sim *s, const char *name)
{
    if (!s || !name)
        return -1;
    for (uint32_t i = 0; i < s->m->npops; i++)
        if (!strcmp(s->m->pops[i].name, name))
            return (int)i;
    return -1;
}

axon_status axon_sim_var(axon_sim *s, const char *path, axon_tensor *view)
{
    if (!s || !path || !view)
        return AXON_EINVAL;
    const char *dot = strrchr(path, '.');
    if (!dot)
        return axon_err_set(&s->err, AXON_EINVAL, "'%s' is not POPULATION.VARIABLE", path);
    size_t plen = (size_t)(dot - path);
    for (uint32_t i = 0; i < s->m->npops; i++) {
        const axon_pop_desc *d = &s->m->pops[i];
        if (strlen(d->name) != plen || memcmp(d->name, path, plen))
            continue;
        for (uint32_t v = 0; v < d->nvars; v++) {
            if (strcmp(d->vars[v].name, dot + 1))
                continue;
            memset(view, 0, sizeof *view);
            view->dtype = s->esz == 4 ? AXON_F32 : AXON_F64;
            view->ndim = 1;
            view->shape[0] = d->size;
            view->strides[0] = 1;
            view->data = s->pops[i].vars[v];
            return AXON_OK;
        }
        return axon_err_set(&s->err, AXON_EINVAL, "population '%s' has no variable '%s'", d->name,
                            dot + 1);
    }
    return axon_err_set(&s->err, AXON_EINVAL, "no population '%.*s'", (int)plen, path);
}

axon_status axon_sim_spikes(const axon_sim *s, int pop, const double **times,
                            const uint32_t **indices, size_t *n)
{
    if (!s || pop < 0 || (uint32_t)pop >= s->m->npops || s->pops[pop].spike_rec < 0)
        return AXON_EINVAL;
    const rt_rec *r = &s->recs[s->pops[pop].spike_rec];
    if (times)
        *times = r->t;
    if (indices)
        *indices = r->idx;
    if (n)
        *n = r->n;
    return AXON_OK;
}

uint64_t axon_sim_spike_count(const axon_sim *s, int pop)
{
    if (!s || pop < 0 || (uint32_t)pop >= s->m->npops)
        return 0;
    return s->pops[pop].nspikes;
}
