/*
 * The simulation engine: state allocation, the step loop, and accessors (see axon.h).
 *
 * Parallel stepping. Each population is split once into contiguous chunks on RT_BLOCK
 * boundaries, as evenly as whole blocks allow. A parallel step is one phase of the pool whose
 * task c updates chunk c of every population and compacts its own fired[] flags into the step's
 * spike array at the chunk's own offset (spk[begin..]), which has room for every neuron of the
 * chunk, so no task writes where another does and nothing is allocated during a step; with
 * splittable projections (sim.h) the task then delivers the due spikes to chunk c's targets.
 * Where the populations' work can be shared out evenly (rt_balance), task t instead updates the
 * populations given to it, every chunk of each, and delivers to them whole, then takes those of
 * the other tasks that none has started (rt_bal_run).
 * The caller then slides the chunks' runs together in chunk order, which yields the spikes in
 * increasing index order whatever the number of chunks. A step on the caller alone (too little
 * work, or measured slower, see rt_adapt) updates every population as one range. Kernels are
 * per-neuron independent, so results are bit-identical for any thread count and mode.
 * Projections are in proj.c (connectivity, synapse state) and deliver.c (delivery,
 * plasticity); continuous kernels run on the caller's thread before the update phase. Over
 * MPI ranks (mpi.c) a process updates only its block [lo, hi) of every population, and the
 * spikes of every rank reach the spike histories, counts and records through rt_mpi_step
 * instead of directly.
 */
#define _POSIX_C_SOURCE 200809L

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
/* memory that reads as zero after MADV_DONTNEED is defined (rt_zero); a no-op outside
   valgrind */
#define RT_DEFINED(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED(p, n))
#endif
#endif
#ifndef RT_DEFINED
#define RT_DEFINED(p, n) ((void)(p), (void)(n))
#endif

#include "sim.h"

/* the default grain (axon_sim_set_grain) */
#define RT_GRAIN 1024

/* Steps are also Philox counter words (rng.h), which hold 48 bits. */
#define RT_MAX_STEPS ((uint64_t)1 << 48)

void *rt_alloc(size_t bytes, size_t *size)
{
    if (bytes > SIZE_MAX - RT_HUGE)
        return NULL;
    size_t n = (bytes + AXON_ALIGN - 1) / AXON_ALIGN * AXON_ALIGN;
    if (!n)
        n = AXON_ALIGN;
    /* Large arrays are deliberately NOT aligned to 2 MiB (huge pages): with every
       array at the same offset modulo 2 MiB, element i of all of a population's
       arrays falls into the same cache set and a kernel streaming ten arrays
       thrashes the L2 (measured: Izhikevich at N = 1M 5-10x slower). */
    void *p = aligned_alloc(AXON_ALIGN, n);
    if (size)
        *size = n;
    return p;
}

/* Zeroes [p, p + n) without touching the whole pages inside it: they are handed back to the
 * kernel (MADV_DONTNEED), and on Linux a private anonymous page, which is what the allocator
 * hands out (its heap or its own mappings), then reads as zero until it is written. An array
 * that nothing writes, such as the input of a population that nothing reaches (model.h: the
 * init kernels leave inputs that start at 0 alone), so never becomes resident memory: 8 MB at
 * 1M neurons. Elsewhere (other systems' MADV_DONTNEED is only a hint, which keeps the old
 * contents), or where the advice is refused, memset. The first page handed back is never
 * aligned to twice the page size: in memory of larger pages (hugetlb) the advice is then
 * refused, where a kernel would otherwise round its range to those pages. */
static void rt_zero(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_DONTNEED)
    long ps = sysconf(_SC_PAGESIZE);
    uintptr_t pg = ps > 0 ? (uintptr_t)ps : 0;
    if (pg && !(pg & (pg - 1)) && n >= 16 * pg) {
        uintptr_t a = ((uintptr_t)p + pg - 1) & ~(pg - 1), e = ((uintptr_t)p + n) & ~(pg - 1);
        if (!(a & pg))
            a += pg;
        if (e > a && madvise((void *)a, e - a, MADV_DONTNEED) == 0) {
            RT_DEFINED((void *)a, e - a);
            memset(p, 0, a - (uintptr_t)p);
            memset((void *)e, 0, (uintptr_t)p + n - e);
            return;
        }
    }
#endif
    memset(p, 0, n);
}

void *rt_alloc_zeroed(size_t bytes)
{
    size_t n;
    void *p = rt_alloc(bytes, &n);
    if (p)
        rt_zero(p, n);
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
        for (uint32_t v = 0; v < p->nvars; v++) {
            if (!p->vars[v].name || !*p->vars[v].name)
                return axon_err_set(err, AXON_EINVAL, "population '%s': variable %u has no name",
                                    p->name, v);
            if (!rt_elem_size(rt_elem(&p->vars[v], m->precision)))
                return axon_err_set(err, AXON_EINVAL,
                                    "population '%s': variable '%s' has element type %d, "
                                    "expected 0..%d (model.h axon_elem)",
                                    p->name, p->vars[v].name, p->vars[v].elem, AXON_ELEM_F64);
            /* interleaved groups (ABI 12) and blocks (ABI 13) are a projection's layouts */
            if (p->vars[v].stride > 1 || p->vars[v].lane != 0 || p->vars[v].block > 1)
                return axon_err_set(err, AXON_EINVAL,
                                    "population '%s': variable '%s' has stride %d, lane %d and "
                                    "block %d; a population's variables are an array each "
                                    "(stride 0 or 1, lane 0, block 0 or 1)",
                                    p->name, p->vars[v].name, p->vars[v].stride, p->vars[v].lane,
                                    p->vars[v].block);
        }
        if (p->nselects && !p->selects)
            return axon_err_set(err, AXON_EINVAL, "population '%s': %u selections but no table",
                                p->name, p->nselects);
        for (uint32_t k = 0; k < p->nselects; k++) {
            const axon_select_desc *q = &p->selects[k];
            if (q->var < 0 || (uint32_t)q->var >= p->nvars || q->flag < 0 ||
                (uint32_t)q->flag >= p->nvars || q->var == q->flag ||
                (q->k_slot >= 0 && (uint32_t)q->k_slot >= m->nshared))
                return axon_err_set(err, AXON_EINVAL,
                                    "population '%s': selection %u names a variable or a shared "
                                    "value that does not exist", p->name, k);
        }
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
    if (st != AXON_OK)
        return st;
    /* ABI 11: an element type other than the model's precision is taken for a population's
       state and hidden variables, and float or double for a projection's per-synapse
       variables (`--synapse-precision single`: float storage of those no handler writes in a
       double model); per-neuron parameters (param.c), integer synapse variables and those
       kept per pre or post neuron keep the precision */
    for (uint32_t k = 0; k < m->nprojs && m->projs; k++)
        for (uint32_t v = 0; v < m->projs[k].nvars && m->projs[k].vars; v++) {
            const axon_var_desc *x = &m->projs[k].vars[v];
            if (x->elem == AXON_ELEM_REAL ||
                ((x->elem == AXON_ELEM_F32 || x->elem == AXON_ELEM_F64) &&
                 x->kind != AXON_VAR_PER_PRE && x->kind != AXON_VAR_PER_POST))
                continue;
            return axon_err_set(err, AXON_EINVAL,
                                "projection '%s': variable '%s' has element type %d; a synapse "
                                "variable is stored in the model's precision, or as float or "
                                "double per synapse (%d or %d)",
                                m->projs[k].name ? m->projs[k].name : "?", x->name ? x->name : "?",
                                x->elem, AXON_ELEM_F32, AXON_ELEM_F64);
        }
    for (uint32_t k = 0; k < m->nparams && m->params; k++) {
        const axon_param_desc *q = &m->params[k];
        if (q->kind == AXON_PARAM_PER_ITEM && !(q->flags & AXON_PARAM_PROJ) && q->owner >= 0 &&
            (uint32_t)q->owner < m->npops && q->index >= 0 &&
            (uint32_t)q->index < m->pops[q->owner].nvars &&
            m->pops[q->owner].vars[q->index].elem != AXON_ELEM_REAL)
            return axon_err_set(err, AXON_EINVAL,
                                "population '%s': parameter '%s' is not stored in the model's "
                                "precision",
                                m->pops[q->owner].name, m->pops[q->owner].vars[q->index].name);
    }
    if (m->nsignals > 0 && !m->signal_names)
        return axon_err_set(err, AXON_EINVAL, "model '%s': %u signals but no names", m->name,
                            m->nsignals);
    for (uint32_t k = 0; k < m->nsignals && m->signal_pop; k++) {
        int32_t p = m->signal_pop[k];
        if (p < 0)
            continue;
        if ((uint32_t)p >= m->npops || !m->signal_var || m->signal_var[k] < 0 ||
            (uint32_t)m->signal_var[k] >= m->pops[p].nvars)
            return axon_err_set(err, AXON_EINVAL,
                                "model '%s': signal '%s' follows a variable that does not exist",
                                m->name, m->signal_names[k] ? m->signal_names[k] : "?");
    }
    return rt_proj_check(m, err);
}

/* ---- setup */

/* Chunk i gets blocks [i*nb/nc, (i+1)*nb/nc) of the neurons [lo, hi) this process updates (lo
 * is a multiple of RT_BLOCK), the last one clipped to hi. */
static axon_status rt_partition(rt_pop *p, int threads)
{
    uint64_t nblocks = ((uint64_t)(p->hi - p->lo) + RT_BLOCK - 1) / RT_BLOCK;
    int nc = nblocks < (uint64_t)threads ? (int)nblocks : threads;
    p->nchunks = nc;
    p->bounds = malloc(((size_t)nc + 1) * sizeof *p->bounds);
    p->chunk_n = calloc((size_t)nc + 1, sizeof *p->chunk_n);
    if (!p->bounds || !p->chunk_n)
        return AXON_ENOMEM;
    p->bounds[0] = p->lo;
    for (int i = 1; i <= nc; i++) {
        uint64_t b = p->lo + (uint64_t)i * nblocks / (uint64_t)nc * RT_BLOCK;
        p->bounds[i] = (uint32_t)(b < p->hi ? b : p->hi);
    }
    return AXON_OK;
}

static axon_status rt_pop_alloc(axon_sim *s, rt_pop *p, const axon_pop_desc *d, axon_err *err)
{
    p->d = d;
    p->size = d->size;
    p->lo = 0;
    p->hi = d->size;
    if (s->mpi)
        rt_mpi_range(s->mpi, d->size, &p->lo, &p->hi);
    p->spike_rec = -1;
    uint64_t cap = ((uint64_t)d->size + RT_BLOCK - 1) / RT_BLOCK * RT_BLOCK;
    p->cap = (uint32_t)(cap ? cap : RT_BLOCK);
    p->vars = calloc(d->nvars ? d->nvars : 1, sizeof *p->vars);
    if (!p->vars)
        goto oom;
    for (uint32_t v = 0; v < d->nvars; v++)
        if (!(p->vars[v] =
                  rt_alloc_zeroed((size_t)p->cap * rt_elem_size(rt_elem(&d->vars[v], s->esz)))))
            goto oom;
    if (d->spiking) {
        p->fired = rt_alloc_zeroed(p->cap);
        p->spk = malloc(((size_t)d->size + 1) * sizeof *p->spk);
        if (!p->fired || !p->spk)
            goto oom;
    }
    if (d->nselects && !(p->order = malloc((2 * (size_t)d->size + 1) * sizeof *p->order)))
        goto oom;
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
    free(p->order);
}

/* ---- phases */

/* The init kernels, population by population, each split into its chunks. */
typedef struct {
    rt_pop *pop;
    axon_step_ctx ctx;
} rt_init_phase;

static void rt_init_task(void *arg, int task)
{
    rt_init_phase *ph = arg;
    rt_pop *p = ph->pop;
    p->d->init(&ph->ctx, p->vars, p->bounds[task], p->bounds[task + 1]);
}

static void rt_run_init(axon_sim *s, rt_pop *p, const axon_step_ctx *ctx)
{
    rt_init_phase ph = {.pop = p, .ctx = *ctx};
    if (p->nchunks <= 1 || !s->pool) {
        for (int c = 0; c < p->nchunks; c++)
            rt_init_task(&ph, c);
    } else {
        rt_pool_run(s->pool, rt_init_task, &ph, p->nchunks);
    }
}

/* The update kernel of population i in this step: update_quiet[i] (ABI 8) while its inputs are
 * zero and nothing but its own update could write them (no injection held, none set, viewed
 * or restored nonzero), else d->update. The two give the same results then. */
static axon_update_fn rt_update_fn(const axon_sim *s, uint32_t i)
{
    const rt_pop *p = &s->pops[i];
    axon_update_fn quiet = s->m->update_quiet ? s->m->update_quiet[i] : NULL;
    if (!quiet || p->inputs_touched || (s->ctl && rt_ctl_injects(s, i)))
        return p->d->update;
    return quiet;
}

/*
 * One parallel phase per step: task c updates chunk c of every population (and compacts its
 * spikes to spk[bounds[c]..]); with `deliver` it then delivers the spikes due now to the
 * targets in its chunks (rt_proj_deliver_part).
 */
typedef struct {
    axon_sim *s;
    axon_step_ctx ctx;
    int deliver;
    uint64_t phase; /* by populations (rt_bal_run): the phase's stamp; 0: by chunks */
} rt_step_phase;

/* Updates chunk c of population i and compacts its spikes. */
static void rt_update_chunk(axon_sim *s, const axon_step_ctx *ctx, uint32_t i, int c)
{
    rt_pop *p = &s->pops[i];
    uint32_t b = p->bounds[c], e = p->bounds[c + 1];
    rt_update_fn(s, i)(ctx, p->vars, p->fired, b, e);
    if (p->fired)
        p->chunk_n[c] = rt_compact(s->compact_isa, p->fired, b, e, p->spk + b);
}

/* By populations: all of population i, its update then the spikes due to it. */
static void rt_step_pop(void *arg, uint32_t i, int task)
{
    rt_step_phase *ph = arg;
    axon_sim *s = ph->s;
    for (int c = 0; c < s->pops[i].nchunks; c++)
        rt_update_chunk(s, &ph->ctx, i, c);
    rt_proj_deliver_pop(s, &ph->ctx, i, task);
}

static void rt_step_task(void *arg, int task)
{
    rt_step_phase *ph = arg;
    axon_sim *s = ph->s;
    if (ph->phase) {
        rt_bal_run(s, ph->phase, task, rt_step_pop, ph);
        return;
    }
    for (uint32_t i = 0; i < s->m->npops; i++)
        if (task < s->pops[i].nchunks)
            rt_update_chunk(s, &ph->ctx, i, task);
    if (ph->deliver)
        rt_proj_deliver_part(s, &ph->ctx, task);
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
}

/*
 * Fused steps by populations. Split by chunks of targets, every thread walks every due row
 * part and delivers its own cut of it: the per-part work (the ring, the delay table's entry, its
 * line, the call, the cut's search where a projection keeps no cut points) is done by every
 * thread, and the lines at the cut by two. With several populations, each can instead go whole
 * to one thread, which updates it and delivers every due spike to it (its projections in order,
 * whole rows): each target still sees the same operations in the same order, and each part is
 * read once. That needs populations whose work can be shared out evenly: every RT_BAL_STEPS
 * steps the populations are assigned, the largest first, each to the least loaded thread
 * (LPT), by their work since the last assignment: neuron updates, and synaptic events (the
 * spikes of each projection's source times its mean row, weighted RT_BAL_EVENT); the assignment
 * is used when the most loaded thread has at most RT_BAL_SLACK times the mean load, else the
 * step goes by chunks. (The slack is wide: split by chunks, two threads took 1.5-2 times the
 * CPU of one for the microcircuit's delivery, so each did 0.75-1 of one thread's work; whole
 * populations at 1.3 times the mean load leave the busier thread 0.65 of it.) Not over MPI ranks (the ranks' blocks are chunks). Results never depend
 * on it.
 * The assignment is only where each task starts (rt_bal_run): a task that has done its own
 * populations takes, one by one, those of the others' lists that no task has claimed yet,
 * from the end of each list (its smallest), so that a thread that lost its core or got a
 * heavier share than estimated is helped, and the other does not wait idle; a population is
 * still updated and delivered to by one thread in a step, so results are the same. (Until
 * 2026-12-06 a task did exactly its own list: with the microcircuit on a loaded machine the
 * caller often ran both lists itself, the worker arriving after it had claimed the second.)
 */
#define RT_BAL_STEPS 256
#define RT_BAL_FIRST 32 /* the first assignment (the steps before it go by chunks) */
#define RT_BAL_EVENT 2.0
#define RT_BAL_SLACK 1.3
#define RT_BAL_POPS 256 /* populations assigned at most (the assignment is quadratic in them) */
#define RT_BAL_SAMPLE 8 /* phases by populations whose populations are timed: one in this many */

/* Sorts the populations by w (largest first; ties by index), assigns them to the least
 * loaded task in that order (LPT) and builds the tasks' lists; the most loaded task's load. */
static double rt_bal_assign(rt_bal *bl, uint32_t npops, int nt, const double *w)
{
    for (uint32_t i = 0; i < npops; i++) {
        /* insertion by work, largest first (ties by index: the same assignment every time) */
        uint32_t k = i;
        while (k > 0 && w[bl->order[k - 1]] < w[i]) {
            bl->order[k] = bl->order[k - 1];
            k--;
        }
        bl->order[k] = i;
    }
    for (int t = 0; t < nt; t++)
        bl->load[t] = 0;
    double most = 0;
    for (uint32_t k = 0; k < npops; k++) {
        uint32_t i = bl->order[k];
        int best = 0;
        for (int t = 1; t < nt; t++)
            if (bl->load[t] < bl->load[best])
                best = t;
        bl->owner[i] = best;
        bl->load[best] += w[i];
        if (bl->load[best] > most)
            most = bl->load[best];
    }
    /* each task's list, largest first */
    uint32_t n = 0;
    for (int t = 0; t < nt; t++) {
        bl->first[t] = n;
        for (uint32_t k = 0; k < npops; k++)
            if (bl->owner[bl->order[k]] == t)
                bl->list[n++] = bl->order[k];
    }
    bl->first[nt] = n;
    return most;
}

void rt_balance(axon_sim *s, int updates)
{
    rt_bal *bl = &s->bal;
    const axon_model_desc *m = s->m;
    const int nt = s->pool_threads;
    if (s->step < bl->step) { /* an earlier state restored: start over */
        bl->step = s->step;
        bl->window = RT_BAL_FIRST;
        bl->timed = 0;
        for (uint32_t i = 0; i < m->npops; i++)
            bl->ns[i] = 0;
    }
    if (s->step - bl->step < bl->window) {
        /* this step's phase goes by populations, stamped bl->phase + 1: timed? */
        bl->timed += bl->on && (bl->phase + 1) % RT_BAL_SAMPLE == 0;
        return;
    }
    double steps = (double)(s->step - bl->step), total = 0;
    for (uint32_t i = 0; i < m->npops; i++)
        bl->work[i] = updates ? (double)(s->pops[i].hi - s->pops[i].lo) * steps : 0;
    for (uint32_t q = 0; q < m->nprojs; q++) {
        const rt_proj *pr = &s->projs[q];
        uint64_t n = s->pops[pr->d->pre].nspikes, n0 = bl->spk[pr->d->pre];
        bl->work[pr->d->post] += RT_BAL_EVENT * pr->mean_row * (double)(n > n0 ? n - n0 : 0);
    }
    for (uint32_t i = 0; i < m->npops; i++) {
        bl->spk[i] = s->pops[i].nspikes;
        total += bl->work[i];
    }
    bl->step = s->step;
    bl->window = RT_BAL_STEPS;
    double most = rt_bal_assign(bl, m->npops, nt, bl->work);
    bl->on = total > 0 && most <= RT_BAL_SLACK * total / nt;
    /* measured: at least half of the window's steps went by populations (counting the timed
       ones, one in RT_BAL_SAMPLE), and every population took time in them */
    int timed = bl->on && bl->timed >= (uint64_t)(steps / 2 / RT_BAL_SAMPLE);
    for (uint32_t i = 0; timed && i < m->npops; i++)
        timed = bl->ns[i] > 0;
    if (timed) {
        for (uint32_t i = 0; i < m->npops; i++)
            bl->est[i] = (double)bl->ns[i] / (double)bl->timed;
        (void)rt_bal_assign(bl, m->npops, nt, bl->est);
    }
    bl->timed = bl->on && (bl->phase + 1) % RT_BAL_SAMPLE == 0;
    for (uint32_t i = 0; i < m->npops; i++)
        bl->ns[i] = 0;
}

/* Claims population i for the phase stamped `phase`: 1 for the first task to ask. */
static int rt_bal_claim(rt_bal *bl, uint32_t i, uint64_t phase)
{
    /* (only which task runs it: the pool's phase orders the data) */
    if (atomic_load_explicit(&bl->claim[i], memory_order_relaxed) == phase)
        return 0;
    return atomic_exchange_explicit(&bl->claim[i], phase, memory_order_relaxed) != phase;
}

/* The calling thread's CPU time in ns: a population's time is its thread's work, not the time
 * the thread was without a core (a loaded machine, or threads that share one). */
static uint64_t rt_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* In a sampled phase, population i's CPU time from *t0 to now, for the next assignment
 * (rt_balance); *t0 = now. Each population is run by one task in a phase, and read by the
 * caller after the phase. */
static inline void rt_bal_time(rt_bal *bl, uint32_t i, uint64_t *t0)
{
    if (!*t0)
        return;
    uint64_t now = rt_cpu_ns();
    bl->ns[i] += now - *t0;
    *t0 = now;
}

#ifdef AXON_SCHED_STATS
static uint64_t rt_ns_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Population i run by task `task` in ns (each population by one task a phase: no race). */
static void rt_bal_stat(rt_bal *bl, uint32_t i, int task, uint64_t ns)
{
    int k = task < RT_STATS_THREADS ? task : RT_STATS_THREADS - 1;
    int own = bl->owner[i] < RT_STATS_THREADS ? bl->owner[i] : RT_STATS_THREADS - 1;
    if (i < RT_ST_POPS) {
        bl->st_pop_ns[i] += ns;
        bl->st_pop_runs[i]++;
        bl->st_pop_units[i] += bl->work[i] / RT_BAL_STEPS;
    }
    __atomic_fetch_add(&bl->st_ran_ns[k], ns, __ATOMIC_RELAXED);
    __atomic_fetch_add(&bl->st_own_ns[own], ns, __ATOMIC_RELAXED);
    if (bl->owner[i] != task)
        __atomic_fetch_add(&bl->st_steals, 1, __ATOMIC_RELAXED);
    uint64_t n = __atomic_fetch_add(&bl->st_ntrace, 1, __ATOMIC_RELAXED);
    if (bl->st_trace && n < bl->st_trace_cap) {
        bl->st_trace[2 * n] = bl->st_phases << 32 | (uint64_t)i << 16 | (uint64_t)task;
        bl->st_trace[2 * n + 1] = ns;
    }
}

/* After a phase by populations: its imbalance, estimated and actual (the caller, alone). */
static void rt_bal_phase_stat(axon_sim *s, uint64_t steals0)
{
    rt_bal *bl = &s->bal;
    int nt = s->pool_threads < RT_STATS_THREADS ? s->pool_threads : RT_STATS_THREADS;
    double tot = 0, est = 0, most = 0, least = 1e300, omost = 0, oleast = 1e300;
    for (int t = 0; t < nt; t++) {
        tot += (double)bl->st_ran_ns[t];
        est += bl->load[t];
    }
    for (int t = 0; t < nt; t++) {
        double r = (double)bl->st_ran_ns[t], o = (double)bl->st_own_ns[t];
        most = r > most ? r : most;
        least = r < least ? r : least;
        omost = o > omost ? o : omost;
        oleast = o < oleast ? o : oleast;
    }
    if (tot > 0 && est > 0) {
        double e = fabs((double)bl->st_own_ns[0] / tot - bl->load[0] / est);
        bl->st_err += e;
        int b = e < 0.01 ? 0 : e < 0.02 ? 1 : e < 0.05 ? 2 : e < 0.1 ? 3 : e < 0.2 ? 4 : 5;
        bl->st_err_hist[b]++;
        bl->st_spread += (most - least) / tot;
        bl->st_ownspread += (omost - oleast) / tot;
    }
    bl->st_phases++;
    bl->st_phases_stolen += bl->st_steals != steals0;
    for (int t = 0; t < RT_STATS_THREADS; t++)
        bl->st_own_ns[t] = bl->st_ran_ns[t] = 0;
}

void rt_sched_stats_get(const axon_sim *s, rt_pool_stats *pool, const rt_bal **bal)
{
    if (s->pool)
        rt_pool_stats_get(s->pool, pool);
    *bal = &s->bal;
}
#endif

void rt_bal_run(axon_sim *s, uint64_t phase, int task, void (*fn)(void *, uint32_t, int),
                void *arg)
{
    rt_bal *bl = &s->bal;
    const int nt = s->pool_threads;
#ifdef AXON_SCHED_STATS
#define RT_BAL_FN(i)                                                                       \
    do {                                                                                   \
        uint64_t w0_ = rt_ns_now();                                                        \
        fn(arg, (i), task);                                                                \
        rt_bal_time(bl, (i), &t0);                                                         \
        rt_bal_stat(bl, (i), task, rt_ns_now() - w0_);                                     \
    } while (0)
#else
#define RT_BAL_FN(i)                                                                       \
    do {                                                                                   \
        fn(arg, (i), task);                                                                \
        rt_bal_time(bl, (i), &t0);                                                         \
    } while (0)
#endif
    /* timed: one phase in RT_BAL_SAMPLE (a thread's CPU clock is a system call) */
    uint64_t t0 = phase % RT_BAL_SAMPLE == 0 ? rt_cpu_ns() : 0;
    for (uint32_t k = bl->first[task]; k < bl->first[task + 1]; k++)
        if (rt_bal_claim(bl, bl->list[k], phase))
            RT_BAL_FN(bl->list[k]);
    for (int d = 1; d < nt; d++) {
        int u = (task + d) % nt;
        for (uint32_t k = bl->first[u + 1]; k-- > bl->first[u];)
            if (rt_bal_claim(bl, bl->list[k], phase))
                RT_BAL_FN(bl->list[k]);
    }
#undef RT_BAL_FN
}

/*
 * Threads or not. Whether a phase pays off depends on the step's work and on whether the
 * other threads get a core at all (a busy machine, or CPU quotas, can make a parallel step
 * slower than a lone one), so it is measured: steps with at least `grain` work units (neuron
 * updates plus due synaptic events) per thread alternate between a block of RT_PROBE steps in
 * the preferred mode, a block in the other mode, and `exploit` steps in the mode that had the
 * lower time per work unit. The first step of each block is not counted (threads waking up).
 * A clear winner (25% or more) doubles `exploit`, up to RT_EXPLOIT_MAX steps, so a settled
 * choice costs under 2% of exploring. Results never depend on the mode.
 * Fused steps by populations (s->bal.on) are not measured: with the lists shared (rt_bal_run)
 * the caller never waits for a worker that has not started, so such a step costs at most the
 * hand-over more than a lone one. (Measured, the microcircuit on a loaded 2-core VM ran
 * 36-81% of its steps alone: a probe just after a block alone found the worker asleep or
 * without a core, and the choice then kept it idle; bench/HISTORY.md.)
 */
#define RT_PROBE 16
#define RT_EXPLOIT_MIN 128
#define RT_EXPLOIT_MAX 2048

static void rt_adapt_record(rt_adapt *a, int mode, double sec, double work)
{
    if (a->stage < 2 && a->left < RT_PROBE) {
        a->sec[mode] += sec;
        a->work[mode] += work;
    }
    if (--a->left > 0)
        return;
    if (a->stage == 0) {
        a->stage = 1;
        a->left = RT_PROBE;
        return;
    }
    if (a->stage == 2) {
        a->stage = 0;
        a->left = RT_PROBE;
        return;
    }
    double c[2];
    for (int k = 0; k < 2; k++)
        c[k] = a->work[k] > 0 ? a->sec[k] / a->work[k] : 0;
    int best = c[1] < c[0];
    double lo = c[best], hi = c[!best];
    if (best != a->pref)
        a->exploit = RT_EXPLOIT_MIN;
    else if (hi > 1.25 * lo && a->exploit < RT_EXPLOIT_MAX)
        a->exploit *= 2;
    else if (hi <= 1.25 * lo)
        a->exploit = RT_EXPLOIT_MIN;
    a->pref = best;
    a->stage = 2;
    a->left = a->exploit;
    a->sec[0] = a->sec[1] = a->work[0] = a->work[1] = 0;
}

static int rt_adapt_mode(const rt_adapt *a)
{
    return a->stage == 1 ? !a->pref : a->pref;
}

/*
 * Step s->step: 1. every population's update, 2. delivery, 3. recording (model.h). In parallel
 * mode the updates run as one phase of the pool (task c: chunk c of every population), and
 * delivery joins that phase when every projection may be split by targets and none delivers
 * in the step of the spike (RT_SPLIT_FUSED, sim.h); otherwise it follows as a second phase or
 * on the caller. Alone, the caller updates every population as one range. Either way every
 * neuron and every target sees the same operations in the same order.
 */
/* ---- topk (model.h, ABI 6) */

typedef struct {
    const void *x;
    int32_t elem; /* resolved (rt_elem) */
} rt_rank_ctx;

/* a before b: the larger value first, NaN last, equal values by index */
static int rt_rank_before(const rt_rank_ctx *r, uint32_t a, uint32_t b)
{
    double va = rt_elem_get(r->x, r->elem, a), vb = rt_elem_get(r->x, r->elem, b);
    if (va != vb) {
        if (vb != vb) /* NaN */
            return va == va;
        if (va != va)
            return 0;
        return va > vb;
    }
    return a < b;
}

/* Sorts idx[0..n) in rank order: a merge sort (stable, no qsort context needed) with tmp. */
static void rt_rank_sort(const rt_rank_ctx *r, uint32_t *idx, uint32_t *tmp, uint32_t n)
{
    if (n < 2)
        return;
    uint32_t h = n / 2;
    rt_rank_sort(r, idx, tmp, h);
    rt_rank_sort(r, idx + h, tmp, n - h);
    uint32_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        tmp[o++] = rt_rank_before(r, idx[j], idx[i]) ? idx[j++] : idx[i++];
    while (i < h)
        tmp[o++] = idx[i++];
    while (j < n)
        tmp[o++] = idx[j++];
    memcpy(idx, tmp, (size_t)n * sizeof *idx);
}

/* Sets every selection's flags from the values at the start of the step (serially: the
 * order is the same for any number of threads). */
static void rt_selects(axon_sim *s)
{
    for (uint32_t i = 0; i < s->m->npops; i++) {
        rt_pop *p = &s->pops[i];
        const axon_pop_desc *d = p->d;
        if (!d->nselects || !p->size)
            continue;
        uint32_t *tmp = p->order + p->size;
        for (uint32_t q = 0; q < d->nselects; q++) {
            const axon_select_desc *sel = &d->selects[q];
            double kk = sel->k;
            if (sel->k_slot >= 0)
                kk = floor(s->shared[sel->k_slot] + 0.5);
            uint32_t k = !(kk > 0) ? 0 : kk >= (double)p->size ? p->size : (uint32_t)kk;
            /* over MPI ranks every rank ranks the whole population (the ranks' blocks of the
               variable first go to every rank), so every rank sets the flags alike */
            int32_t ex = rt_elem(&d->vars[sel->var], s->esz);
            int32_t ef = rt_elem(&d->vars[sel->flag], s->esz);
            if (s->mpi && rt_mpi_size(s) > 1)
                rt_mpi_allgather_block(s, p->vars[sel->var], ex, p->size);
            rt_rank_ctx r = {p->vars[sel->var], ex};
            for (uint32_t n = 0; n < p->size; n++)
                p->order[n] = n;
            rt_rank_sort(&r, p->order, tmp, p->size);
            void *flag = p->vars[sel->flag];
            for (uint32_t n = 0; n < p->size; n++) {
                uint32_t j = p->order[n];
                (void)rt_elem_set(flag, ef, j, n < k ? 1.0 : 0.0); /* 0 and 1 fit any type */
            }
        }
    }
}

/* One step; fails only over MPI ranks, when the exchange fails (on every rank alike). */
static axon_status rt_step(axon_sim *s, const axon_step_ctx *ctx)
{
    const axon_model_desc *m = s->m;
    int par = 0, timed = 0;
    double work = 0, t0 = 0;
    if (s->pool && s->grain == 1) {
        par = 1; /* always, unmeasured */
    } else if (s->pool) {
        work = (double)s->neurons + rt_proj_events_due(s, ctx->step);
        if (work >= (double)s->grain * s->pool_threads && s->split == RT_SPLIT_FUSED &&
            s->bal.on) {
            par = 1; /* by populations, the lists shared: unmeasured (rt_adapt) */
        } else if (work >= (double)s->grain * s->pool_threads) {
            timed = 1;
            par = rt_adapt_mode(&s->adapt);
            t0 = rt_now();
        }
    }
    int fused = par && s->split == RT_SPLIT_FUSED;
    /* held injections join the inputs, then inputs are sampled: the update consumes them */
    if (s->ctl)
        rt_ctl_pre_update(s);
    rt_rec_inputs(s);
    if (fused && s->mpi) { /* the phase delivers: the exchange in flight first (mpi.c) */
        axon_status st = rt_mpi_wait(s);
        if (st != AXON_OK)
            return st;
    } else if (s->mpi) {
        rt_mpi_progress(s); /* (its later rounds during the updates) */
    }
    if (par) {
        rt_step_phase ph = {.s = s, .ctx = *ctx, .deliver = fused};
        if (fused && s->bal.owner) {
            rt_balance(s, 1);
            ph.phase = s->bal.on ? ++s->bal.phase : 0;
        }
#ifdef AXON_SCHED_STATS
        uint64_t steals0 = s->bal.st_steals;
        rt_pool_run(s->pool, rt_step_task, &ph, s->pool_threads);
        if (ph.phase)
            rt_bal_phase_stat(s, steals0);
#else
        rt_pool_run(s->pool, rt_step_task, &ph, s->pool_threads);
#endif
        for (uint32_t i = 0; i < m->npops; i++)
            if (s->pops[i].fired)
                rt_gather_spikes(&s->pops[i]);
    } else {
        for (uint32_t i = 0; i < m->npops; i++) {
            rt_pop *p = &s->pops[i];
            if (p->nchunks == 0)
                continue;
            rt_update_fn(s, i)(ctx, p->vars, p->fired, p->lo, p->hi);
            if (p->fired)
                p->nspk = rt_compact(s->compact_isa, p->fired, p->lo, p->hi, p->spk);
        }
    }
    if (s->ctl) /* pushed spikes join the step's */
        rt_ctl_post_update(s);
    if (s->mpi) { /* every interval, every rank's spikes: stored, counted and recorded */
        axon_status st = rt_mpi_step(s, ctx->step);
        if (st != AXON_OK)
            return st;
    } else {
        for (uint32_t i = 0; i < m->npops; i++)
            s->pops[i].nspikes += s->pops[i].nspk;
        if (s->projs)
            rt_proj_store(s, ctx->step);
    }
    if (s->projs) {
        if (!fused)
            rt_proj_deliver(s, ctx, par);
        rt_proj_plasticity(s, ctx);
    }
    if (timed)
        rt_adapt_record(&s->adapt, par, rt_now() - t0, work);
    for (uint32_t i = 0; i < m->npops; i++)
        rt_rec_pop_step(s, (int)i);
    rt_rec_syn_step(s);
    return AXON_OK;
}

/* ---- public API */

/* Everything of axon_sim_new after the checks, on s (calloc'd; s->mpi set for a rank's part);
 * on failure s is left for axon_sim_free. */
static axon_status rt_sim_init(axon_sim *s, const axon_model_desc *m, const axon_opts *o,
                               axon_err *err)
{
    s->m = m;
    s->seed = o ? o->seed : 0;
    s->threads = o && o->threads > 1 ? o->threads : 1;
    s->build_stop = o && !s->mpi ? o->stop : NULL;
    s->compact_isa = rt_compact_isa();
    s->grain = RT_GRAIN;
    s->adapt = (rt_adapt){.pref = 1, .stage = 0, .left = RT_PROBE, .exploit = RT_EXPLOIT_MIN};
    s->esz = m->precision;
    s->dt = m->dt;
    s->pops = calloc(m->npops ? m->npops : 1, sizeof *s->pops);
    if (!s->pops)
        return axon_err_set(err, AXON_ENOMEM, "cannot allocate a simulation");
    int max_chunks = 1;
    for (uint32_t i = 0; i < m->npops; i++) {
        axon_status st = rt_pop_alloc(s, &s->pops[i], &m->pops[i], err);
        if (st != AXON_OK)
            return st;
        s->neurons += s->pops[i].hi - s->pops[i].lo;
        if (s->pops[i].nchunks > max_chunks)
            max_chunks = s->pops[i].nchunks;
    }
    /* every population's variable table, for the kernels of tripartite synapses (model.h) */
    s->pop_vars = calloc(m->npops ? m->npops : 1, sizeof *s->pop_vars);
    if (!s->pop_vars)
        return axon_err_set(err, AXON_ENOMEM, "cannot allocate a simulation");
    for (uint32_t i = 0; i < m->npops; i++)
        s->pop_vars[i] = s->pops[i].vars;
    /* Threads beyond the largest population's chunk count would never get work in a step. */
    s->pool_threads = 1;
    if (max_chunks > 1 && !(s->pool = rt_pool_new(max_chunks, err)))
        return AXON_ENOMEM;
    if (s->pool)
        s->pool_threads = max_chunks;
    if (s->pool && !s->mpi && m->npops > 1 && m->npops <= RT_BAL_POPS) { /* (rt_balance) */
        rt_bal *bl = &s->bal;
        bl->owner = calloc(m->npops, sizeof *bl->owner);
        bl->list = calloc(m->npops, sizeof *bl->list);
        bl->first = calloc((size_t)s->pool_threads + 1, sizeof *bl->first);
        bl->claim = calloc(m->npops, sizeof *bl->claim); /* 0: no phase (stamps start at 1) */
        bl->order = calloc(m->npops, sizeof *bl->order);
        bl->work = calloc(m->npops, sizeof *bl->work);
        bl->spk = calloc(m->npops, sizeof *bl->spk);
        bl->load = calloc((size_t)s->pool_threads, sizeof *bl->load);
        bl->ns = calloc(m->npops, sizeof *bl->ns);
        bl->est = calloc(m->npops, sizeof *bl->est);
        bl->window = RT_BAL_FIRST;
        if (!bl->owner || !bl->list || !bl->first || !bl->claim || !bl->order || !bl->work ||
            !bl->spk || !bl->load || !bl->ns || !bl->est)
            return axon_err_set(err, AXON_ENOMEM, "cannot allocate a simulation");
    }
    size_t nsig = m->nsignals ? m->nsignals : 1;
    s->signal = calloc(nsig, sizeof *s->signal);
    s->signal_pin = calloc(nsig, sizeof *s->signal_pin);
    s->pinned = calloc(nsig, sizeof *s->pinned);
    if (!s->signal || !s->signal_pin || !s->pinned)
        return axon_err_set(err, AXON_ENOMEM, "cannot allocate a simulation");
    axon_status st = rt_params_init(s, err);
    if (st != AXON_OK)
        return st;
    /* initial values see the signals' expressions at t = 0 (signals that follow a population
       are 0 until its state exists) */
    axon_step_ctx ctx = rt_ctx(s, 0, s->signal);
    if (m->nsignals && m->signals) {
        axon_step_ctx c0 = rt_ctx(s, 0, NULL);
        m->signals(&c0, s->signal);
    }
    for (uint32_t i = 0; i < m->npops; i++)
        if (m->pops[i].init)
            rt_run_init(s, &s->pops[i], &ctx);
    /* the recorders after the projections: weight records check synapse indices */
    if ((st = rt_proj_setup(s, err)) != AXON_OK || (st = rt_rec_init(s, err)) != AXON_OK)
        return st;
    return s->mpi ? rt_mpi_setup(s, err) : AXON_OK;
}

/* axon_sim_new, over the ranks of *(MPI_Comm *)comm when comm is not NULL: the failure of
 * one rank is then every rank's (rt_mpi_agree), so that none waits for another in a step. */
static axon_sim *rt_sim_new(const axon_model_desc *m, const axon_opts *o, const void *comm,
                            axon_err *err)
{
    rt_mpi *mp = NULL;
    if (comm && rt_mpi_new(&mp, comm, err) != AXON_OK)
        return NULL;
    axon_sim *s = NULL;
    axon_status st = rt_check_model(m, o, err);
    if (st == AXON_OK && !(s = calloc(1, sizeof *s)))
        st = axon_err_set(err, AXON_ENOMEM, "cannot allocate a simulation");
    if (s) {
        s->mpi = mp;
        mp = NULL;
        st = rt_sim_init(s, m, o, err);
        s->build_stop = NULL; /* the caller's flag is read during the build only */
    }
    rt_mpi *agree = s ? s->mpi : mp;
    /* unless a failure was agreed on already (proj.c), which every rank then knows */
    if (agree && !rt_mpi_failed(agree))
        st = rt_mpi_agree(agree, st, "set up the simulation", err);
    rt_mpi_free(mp);
    if (st != AXON_OK) {
        axon_sim_free(s);
        return NULL;
    }
    return s;
}

axon_sim *axon_sim_new(const axon_model_desc *m, const axon_opts *o, axon_err *err)
{
    return rt_sim_new(m, o, NULL, err);
}

axon_sim *axon_sim_new_mpi(const axon_model_desc *m, const axon_opts *o, const void *comm,
                           axon_err *err)
{
    if (!comm) {
        axon_err_set(err, AXON_EINVAL, "axon_sim_new_mpi: no communicator");
        return NULL;
    }
    return rt_sim_new(m, o, comm, err);
}


void axon_sim_free(axon_sim *s)
{
    if (!s)
        return;
    rt_pool_free(s->pool);
    rt_ctl_free(s);
    rt_rec_free(s);
    rt_proj_free(s);
    if (s->pops)
        for (uint32_t i = 0; i < s->m->npops; i++)
            rt_pop_free(&s->pops[i]);
    free(s->pops);
    free(s->bal.owner);
    free(s->bal.list);
    free(s->bal.first);
    free((void *)s->bal.claim);
    free(s->bal.order);
    free(s->bal.work);
    free(s->bal.spk);
    free(s->bal.load);
    free(s->bal.ns);
    free(s->bal.est);
    free(s->pop_vars);
    free(s->signal);
    free(s->signal_pin);
    free(s->pinned);
    rt_meta_free(s);
    rt_params_free(s);
    rt_mpi_free(s->mpi);
    free(s);
}

axon_step_ctx rt_ctx(const axon_sim *s, uint64_t step, const double *signals)
{
    /* t from the step number, not a running sum, so it never drifts */
    return (axon_step_ctx){.t = (double)step * s->dt,
                           .step = step,
                           .seed = s->seed,
                           .signals = signals,
                           .shared = s->shared,
                           .derived = s->derived,
                           .pop_vars = s->pop_vars};
}

/* The module's signals for the step of ctx: computed, then the pinned ones replaced. */
static void rt_signals(axon_sim *s, axon_step_ctx *ctx)
{
    const axon_model_desc *m = s->m;
    if (m->nsignals == 0)
        return;
    if (m->signals)
        m->signals(ctx, s->signal);
    for (uint32_t k = 0; k < m->nsignals; k++) {
        if (s->pinned[k]) {
            s->signal[k] = s->signal_pin[k];
        } else if (m->signal_pop && m->signal_pop[k] >= 0) {
            const rt_pop *p = &s->pops[m->signal_pop[k]];
            void *x = p->vars[m->signal_var[k]];
            int32_t e = rt_elem(&p->d->vars[m->signal_var[k]], s->esz);
            /* over MPI ranks every rank sums the whole population, in index order, as one
               process does: the ranks' blocks first go to every rank */
            if (s->mpi && rt_mpi_size(s) > 1)
                rt_mpi_allgather_block(s, x, e, p->size);
            double sum = 0;
            for (uint32_t i = 0; i < p->size; i++)
                sum += rt_elem_get(x, e, i);
            s->signal[k] = p->size ? sum / p->size : 0.0;
        }
    }
    ctx->signals = s->signal;
}

static int rt_signal_index(const axon_sim *s, const char *name)
{
    for (uint32_t k = 0; s && name && k < s->m->nsignals; k++)
        if (s->m->signal_names && s->m->signal_names[k] && !strcmp(s->m->signal_names[k], name))
            return (int)k;
    return -1;
}

/* The signal named name, or -1 with the message set. */
static int rt_signal_find(axon_sim *s, const char *name)
{
    int k = rt_signal_index(s, name);
    if (k < 0)
        axon_err_set(&s->err, AXON_EINVAL, "model '%s' has no signal '%s'", s->m->name,
                     name ? name : "(null)");
    return k;
}

axon_status axon_sim_set_signal(axon_sim *s, const char *name, double value)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    int k = rt_signal_index(s, name);
    if (k < 0)
        return axon_err_set(&s->err, AXON_EINVAL, "model '%s' has no signal '%s'", s->m->name,
                            name ? name : "(null)");
    if (!isfinite(value))
        return axon_err_set(&s->err, AXON_EINVAL, "signal '%s': %g is not a finite number", name,
                            value);
    s->pinned[k] = 1;
    s->signal_pin[k] = value;
    return AXON_OK;
}

axon_status axon_sim_release_signal(axon_sim *s, const char *name)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    int k = rt_signal_find(s, name);
    if (k < 0)
        return AXON_EINVAL;
    s->pinned[k] = 0;
    return AXON_OK;
}

axon_status axon_sim_signal(axon_sim *s, const char *name, double *value)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    int k = rt_signal_find(s, name);
    if (k < 0)
        return AXON_EINVAL;
    if (!value)
        return axon_err_set(&s->err, AXON_EINVAL, "axon_sim_signal: no place for the value");
    *value = s->pinned[k] ? s->signal_pin[k] : s->signal[k];
    return AXON_OK;
}

/* ---- non-finite state (axon_sim_set_nonfinite) */

/* Whether x[b..e) holds a NaN or an infinity: x - x is 0 for a finite x and NaN otherwise,
 * and a sum of such terms is NaN exactly when one of them is (whatever the order of the sums,
 * so they may run side by side: with GCC or Clang in vectors of 16 bytes, four at a time). */
#if defined(__GNUC__)
#define RT_FINITE_SUMS(T)                                                                          \
    static int rt_any_nonfinite_##T(const T *x, uint32_t b, uint32_t e)                            \
    {                                                                                              \
        typedef T vec __attribute__((vector_size(16)));                                           \
        enum { L = 16 / sizeof(T) };                                                               \
        vec a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, v0, v1, v2, v3;                               \
        uint32_t i = b;                                                                            \
        for (; e - i >= 4 * L; i += 4 * L) {                                                       \
            memcpy(&v0, x + i, sizeof v0);                                                         \
            memcpy(&v1, x + i + L, sizeof v1);                                                     \
            memcpy(&v2, x + i + 2 * L, sizeof v2);                                                 \
            memcpy(&v3, x + i + 3 * L, sizeof v3);                                                 \
            a0 += v0 - v0;                                                                         \
            a1 += v1 - v1;                                                                         \
            a2 += v2 - v2;                                                                         \
            a3 += v3 - v3;                                                                         \
        }                                                                                          \
        a0 += a1 + a2 + a3;                                                                        \
        T t = 0;                                                                                   \
        for (int j = 0; j < L; j++)                                                                \
            t += a0[j];                                                                        \
        for (; i < e; i++)                                                                         \
            t += x[i] - x[i];                                                                      \
        return t != t;                                                                             \
    }
#else
#define RT_FINITE_SUMS(T)                                                                          \
    static int rt_any_nonfinite_##T(const T *x, uint32_t b, uint32_t e)                            \
    {                                                                                              \
        T t = 0;                                                                                   \
        for (uint32_t i = b; i < e; i++)                                                           \
            t += x[i] - x[i];                                                                      \
        return t != t;                                                                             \
    }
#endif
RT_FINITE_SUMS(double)
RT_FINITE_SUMS(float)

/* The first index of x[0..n) (n values of esz bytes) that is NaN or infinite, or n; blocks of
 * 4096 values are summed (above) and only one that has one is searched. */
static uint64_t rt_first_nonfinite(const void *x, size_t esz, uint64_t n)
{
    enum { B = 4096 };
    for (uint64_t b = 0; b < n; b += B) {
        uint32_t len = n - b < B ? (uint32_t)(n - b) : B;
        const void *blk = (const char *)x + b * esz;
        if (esz == 8 ? !rt_any_nonfinite_double(blk, 0, len) : !rt_any_nonfinite_float(blk, 0, len))
            continue;
        for (uint32_t i = 0; i < len; i++) {
            double y = esz == 8 ? ((const double *)blk)[i] : (double)((const float *)blk)[i];
            if (!isfinite(y))
                return b + i;
        }
    }
    return n;
}

/* s->nf_text: what s->nf found, where, and where the variable's equation is:
 *   population 'G', variable 'v' (equation at g.axon:4:17), neuron 2: +inf at t = 0.7104 s
 *   (step 7104; every value was finite at step 7040)
 * and for a projection's variable "projection 'ee', variable 'w' (...), synapse 12 (neuron 3
 * -> neuron 7)", or "presynaptic neuron 3" ("postsynaptic") for one kept per neuron. */
static void rt_describe_nonfinite(axon_sim *s)
{
    const axon_nonfinite *f = &s->nf;
    const axon_var_desc *d;
    char who[160];
    if (f->proj < 0) {
        const axon_pop_desc *p = &s->m->pops[f->pop];
        d = &p->vars[f->var];
        snprintf(who, sizeof who, "population '%s'", p->name);
    } else {
        const rt_proj *q = &s->projs[f->proj];
        d = &q->d->vars[f->var];
        snprintf(who, sizeof who, "projection '%s'", q->d->name);
    }
    char where[400] = "";
    if (d->where)
        snprintf(where, sizeof where, " (equation at %s)", d->where);
    char item[160];
    if (f->proj < 0) {
        snprintf(item, sizeof item, "neuron %llu", (unsigned long long)f->index);
    } else if (d->kind == AXON_VAR_STATE) {
        /* the presynaptic neuron: the row that holds the synapse (CSR) */
        const rt_proj *q = &s->projs[f->proj];
        uint32_t lo = 0, hi = q->npre;
        while (hi - lo > 1) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (q->row[mid] <= f->index)
                lo = mid;
            else
                hi = mid;
        }
        snprintf(item, sizeof item, "synapse %llu (neuron %u -> neuron %u)",
                 (unsigned long long)f->index, lo, rt_target(q, f->index));
    } else {
        snprintf(item, sizeof item, "%s neuron %llu",
                 d->kind == AXON_VAR_PER_PRE ? "presynaptic" : "postsynaptic",
                 (unsigned long long)f->index);
    }
    snprintf(s->nf_text, sizeof s->nf_text,
             "%s, variable '%s'%s, %s: %s at t = %.9g s (step %llu; every value was finite at "
             "step %llu)",
             who, d->name, where, item, isnan(f->value) ? "nan" : f->value > 0 ? "+inf" : "-inf",
             (double)f->step * s->dt, (unsigned long long)f->step, (unsigned long long)f->since);
}

/* Whether the n values of variable v (of a population: proj < 0, else of projection proj) hold
 * a non-finite one; then the finding is in s->nf (index: its lowest index). */
static int rt_find_nonfinite(axon_sim *s, int32_t pop, int32_t proj, int32_t v, const void *x,
                             uint64_t n, uint64_t since)
{
    const axon_var_desc *d = proj < 0 ? &s->m->pops[pop].vars[v] : &s->projs[proj].d->vars[v];
    int32_t e = rt_elem(d, s->esz);
    if (e != AXON_ELEM_F32 && e != AXON_ELEM_F64) /* whole numbers are finite */
        return 0;
    size_t k = proj < 0 ? 1 : rt_proj_vstride(&s->projs[proj], (uint32_t)v);
    uint64_t i = 0;
    if (proj >= 0 && rt_proj_blocked(&s->projs[proj], (uint32_t)v)) {
        /* in blocks with the targets (model.h, ABI 13): each block's values at once */
        const rt_proj *pr = &s->projs[proj];
        size_t es = rt_elem_size(e);
        uint64_t b = 0, nb = (n + AXON_SYN_BLOCK - 1) / AXON_SYN_BLOCK;
        enum { C = 1024 };
        for (; b < nb; b += C) { /* C blocks summed, as rt_first_nonfinite does */
            uint64_t b1 = nb - b < C ? nb : b + C;
            double t = 0;
            for (uint64_t q = b; q < b1; q++) {
                const char *a = (const char *)x + (size_t)q * pr->blk_bytes;
                for (int j = 0; j < AXON_SYN_BLOCK; j++)
                    t += es == 8 ? ((const double *)(const void *)a)[j] -
                                       ((const double *)(const void *)a)[j]
                                 : (double)(((const float *)(const void *)a)[j] -
                                            ((const float *)(const void *)a)[j]);
            }
            if (t != t)
                break;
        }
        i = b * AXON_SYN_BLOCK; /* the first of C blocks that hold one (the padding is zero) */
        while (i < n && isfinite(rt_elem_get(x, e, rt_proj_vidx(pr, (uint32_t)v, i))))
            i++;
        if (i >= n)
            return 0;
        double y = rt_elem_get(x, e, rt_proj_vidx(pr, (uint32_t)v, i));
        s->nf = (axon_nonfinite){.pop = pop, .var = v, .value = y, .step = s->step,
                                 .since = since, .proj = proj, .index = i, .text = s->nf_text};
        s->nf.neuron = UINT32_MAX;
        s->nf_found = 1;
        return 1;
    }
    if (k == 1) {
        i = rt_first_nonfinite(x, rt_elem_size(e), n);
    } else {
        /* a lane of an interleaved group (model.h, ABI 12): the whole group's array at once
           (vectorised; its other lanes are the group's other variables, or zeros), one lane
           at a time only where it holds a non-finite value */
        const void *g = (const char *)x - (size_t)d->lane * rt_elem_size(e);
        if (rt_first_nonfinite(g, rt_elem_size(e), n * k) == n * k)
            return 0;
        while (i < n && isfinite(rt_elem_get(x, e, i * k)))
            i++;
    }
    if (i == n)
        return 0;
    double y = rt_elem_get(x, e, i * k);
    s->nf = (axon_nonfinite){.pop = pop, .var = v, .value = y, .step = s->step, .since = since,
                             .proj = proj, .index = i, .text = s->nf_text};
    s->nf.neuron = proj < 0 ? (uint32_t)i : UINT32_MAX;
    s->nf_found = 1;
    return 1;
}

/* Looks at every population's state variables, then every projection's (per synapse, per pre
 * and per post neuron), after step s->step; returns 1 when it finds a non-finite value (then in
 * s->nf, described in s->nf_text). */
static int rt_check_finite(axon_sim *s)
{
    uint64_t since = s->nf_checked <= s->step ? s->nf_checked : 0; /* (restored earlier) */
    s->nf_checked = s->step;
    for (uint32_t p = 0; p < s->m->npops; p++) {
        const rt_pop *q = &s->pops[p];
        for (uint32_t v = 0; v < q->d->nvars; v++)
            if (q->d->vars[v].kind == AXON_VAR_STATE && !q->d->vars[v].is_bool &&
                rt_find_nonfinite(s, (int32_t)p, -1, (int32_t)v, q->vars[v], q->size, since)) {
                rt_describe_nonfinite(s);
                return 1;
            }
    }
    for (uint32_t k = 0; s->projs && k < s->m->nprojs; k++) {
        const rt_proj *q = &s->projs[k];
        for (uint32_t v = 0; v < q->d->nvars; v++) {
            const axon_var_desc *d = &q->d->vars[v];
            uint64_t n = d->kind == AXON_VAR_STATE      ? q->nsyn
                         : d->kind == AXON_VAR_PER_PRE  ? q->npre
                         : d->kind == AXON_VAR_PER_POST ? q->npost
                                                        : 0;
            if (n && !d->is_bool &&
                rt_find_nonfinite(s, -1, (int32_t)k, (int32_t)v, q->vars[v], n, since)) {
                rt_describe_nonfinite(s);
                return 1;
            }
        }
    }
    return 0;
}

/* After a step (last: the run's last): the check, when one is due. AXON_ENONFINITE with the
 * message when the run must stop. */
static axon_status rt_after_step_finite(axon_sim *s, int last)
{
    if (s->nf_action == AXON_NONFINITE_IGNORE ||
        (s->nf_action == AXON_NONFINITE_WARN && s->nf_found))
        return AXON_OK;
    if (last) /* a run leaves no deferred update unchecked (deliver.c; the end of rt_run would
                 make it only after this check) */
        rt_proj_sync(s);
    if (!(s->step % AXON_NONFINITE_EVERY == 0 || (last && s->nf_checked != s->step)) ||
        !rt_check_finite(s) || s->nf_action != AXON_NONFINITE_STOP)
        return AXON_OK;
    return axon_err_set(&s->err, AXON_ENONFINITE, "%s", s->nf_text);
}

axon_status axon_sim_set_nonfinite(axon_sim *s, int action)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (action != AXON_NONFINITE_STOP && action != AXON_NONFINITE_WARN &&
        action != AXON_NONFINITE_IGNORE)
        return axon_err_set(&s->err, AXON_EINVAL, "axon_sim_set_nonfinite: no action %d", action);
    s->nf_action = action;
    s->nf_found = 0;
    return AXON_OK;
}

int axon_sim_nonfinite(const axon_sim *s, axon_nonfinite *out)
{
    if (!s || !s->nf_found)
        return 0;
    if (out)
        *out = s->nf;
    return 1;
}

/* Steps without a step callback reserve the samples of the whole run at once, so that a run
 * that cannot be recorded fails before it starts; with one (which may stop the run early),
 * in blocks of RT_RESERVE steps. */
#define RT_RESERVE 4096

axon_status rt_run(axon_sim *s, uint64_t nsteps, const rt_run_cbs *cb)
{
    if (s->busy)
        return axon_err_set(&s->err, AXON_EINVAL,
                            "cannot run a simulation from its own callback (return non-zero from "
                            "the step callback to stop)");
    if (nsteps >= RT_MAX_STEPS - s->step)
        return axon_err_set(&s->err, AXON_EINVAL,
                            "a run of %llu steps would pass the limit of 2^48 steps",
                            (unsigned long long)nsteps);
    axon_status st = rt_mpi_usable(s);
    if (st == AXON_OK)
        st = rt_protocol_precheck(s, rt_protocol_next(s), s->step + nsteps);
    if (st != AXON_OK)
        return st;
    uint64_t reserved = 0; /* steps of this run whose samples are reserved */
    uint64_t stride = (nsteps + 99) / 100; /* progress reports at most 100 times */
    double t0 = rt_now();
    s->busy = 1;
    s->partial = 0;
    uint32_t change = rt_protocol_next(s);
    for (uint64_t k = 0; k < nsteps; k++) {
        /* axon_sim_stop: between steps, so everything is consistent; over MPI ranks, when any
           rank was asked, at the end of an exchange interval */
        if (s->mpi ? rt_mpi_stopped(s) : s->stop) {
            s->stop = 0;
            s->partial = 1;
            if (s->nf_stop) /* the message is in s->err */
                st = AXON_ENONFINITE;
            else
                st = axon_err_set(&s->err, AXON_ESTOPPED, "stopped after %llu of %llu steps",
                                  (unsigned long long)k, (unsigned long long)nsteps);
            s->nf_stop = 0;
            break;
        }
        if (k == reserved) {
            uint64_t n = cb->on_step ? RT_RESERVE : nsteps - k;
            if (n > nsteps - k)
                n = nsteps - k;
            if ((st = rt_rec_reserve_run(s, n, &s->err)) != AXON_OK)
                break;
            reserved += n;
        }
        /* room for the steps whose spikes are stored after an exchange (mpi.c), or this one */
        uint64_t first = s->step;
        uint32_t k1 = s->mpi ? rt_mpi_window(s, &first) : 1;
        if ((st = rt_rec_reserve_steps(s, k1, &s->err)) != AXON_OK ||
            (st = rt_proj_reserve_steps(s, first, k1, &s->err)) != AXON_OK ||
            (st = rt_protocol_apply(s, &change)) != AXON_OK)
            break;
        axon_step_ctx ctx = rt_ctx(s, s->step, NULL);
        rt_signals(s, &ctx);
        /* model.h: 0. continuous synapse kernels, topk, then the step */
        if (s->projs)
            rt_proj_continuous(s, &ctx);
        rt_selects(s);
        if ((st = rt_step(s, &ctx)) != AXON_OK) { /* every rank alike (mpi.c) */
            s->partial = 1;
            break;
        }
        s->step++;
        if (cb->progress && ((k + 1) % stride == 0 || k + 1 == nsteps))
            cb->progress(cb->progress_user, (double)(k + 1) / (double)nsteps);
        if ((st = rt_after_step_finite(s, k + 1 == nsteps)) != AXON_OK) {
            if (!s->mpi) {
                s->partial = 1;
                break;
            }
            /* over MPI ranks, every rank must stop at the same step (the others would wait in
               the next exchange): ask for a stop as axon_sim_stop does, and report the value
               when the ranks stop together, at the end of this exchange interval */
            s->nf_stop = 1;
            s->stop = 1;
            st = AXON_OK;
        }
        if (cb->on_step && s->syn_live) /* it may read or write synapse variables through
                                           live arrays: deferred updates first (deliver.c) */
            rt_proj_sync(s);
        if ((s->ctl && rt_ctl_after_step(s)) || (cb->on_step && cb->on_step(s, cb->user))) {
            if ((st = rt_after_step_finite(s, 1)) != AXON_OK) /* the run's last step */
                s->partial = 1;
            break;
        }
    }
    if (s->mpi) { /* the spikes of the last steps, for the recordings */
        axon_status fl = rt_mpi_flush(s);
        if (st == AXON_OK && fl != AXON_OK) {
            s->partial = 1;
            st = fl;
        }
    }
    rt_proj_sync(s); /* the synapses as the run leaves them, whatever reads them next */
    if (s->nf_stop && st == AXON_OK) { /* found in the run's last interval */
        s->nf_stop = 0;
        s->stop = 0;
        s->partial = 1;
        st = AXON_ENONFINITE;
    }
    s->busy = 0;
    s->wall += rt_now() - t0;
    if (st == AXON_OK) /* a callback's failed call is not this run's failure */
        rt_begin(s);
    return st;
}

axon_status axon_sim_run(axon_sim *s, double duration,
                         void (*progress)(void *user, double done_fraction), void *user)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (!(duration >= 0) || !isfinite(duration))
        return axon_err_set(&s->err, AXON_EINVAL, "run duration %g s is not a time >= 0", duration);
    double q = round(duration / s->dt);
    if (q >= (double)(RT_MAX_STEPS - s->step))
        return axon_err_set(&s->err, AXON_EINVAL,
                            "run of %g s = %g steps would pass the limit of 2^48 steps", duration,
                            q);
    return rt_run(s, (uint64_t)q, &(rt_run_cbs){.progress = progress, .progress_user = user});
}

void axon_sim_stop(axon_sim *s)
{
    if (s)
        s->stop = 1;
}

const char *axon_sim_error(const axon_sim *s)
{
    return s ? s->err.msg : "no simulation";
}

const axon_model_desc *axon_sim_model(const axon_sim *s)
{
    return s ? s->m : NULL;
}

double axon_sim_time(const axon_sim *s)
{
    return s ? (double)s->step * s->dt : 0.0;
}

uint64_t axon_sim_steps(const axon_sim *s)
{
    return s ? s->step : 0;
}

int axon_sim_threads(const axon_sim *s)
{
    return s ? s->threads : 0;
}

void axon_sim_set_grain(axon_sim *s, uint32_t grain)
{
    if (s)
        s->grain = grain ? grain : RT_GRAIN;
}

double axon_sim_wall_seconds(const axon_sim *s)
{
    return s ? s->wall : 0.0;
}

int axon_sim_pop_index(axon_sim *s, const char *name)
{
    if (!s)
        return -1;
    rt_begin(s);
    for (uint32_t i = 0; name && i < s->m->npops; i++)
        if (!strcmp(s->m->pops[i].name, name))
            return (int)i;
    if (!name)
        axon_err_set(&s->err, AXON_EINVAL, "axon_sim_pop_index: no population name (NULL)");
    else
        axon_err_set(&s->err, AXON_EINVAL, "model '%s' has no population '%s'", s->m->name, name);
    return -1;
}

axon_status rt_check_pop(axon_sim *s, int pop, const char *fn)
{
    if (pop < 0 || (uint32_t)pop >= s->m->npops)
        return axon_err_set(&s->err, AXON_EINVAL, "%s: no population %d (model '%s' has %u)", fn,
                            pop, s->m->name, s->m->npops);
    return AXON_OK;
}

/* The owner of index i for rt_var_view: population i. */
static void pop_owner(const axon_sim *s, uint32_t i, rt_var_owner *o)
{
    const axon_pop_desc *d = &s->m->pops[i];
    *o = (rt_var_owner){d->name, d->vars, d->nvars, d->size, s->pops[i].vars, 0, 0};
}

axon_status rt_var_view(axon_sim *s, const char *path, const char *what, uint32_t n,
                        void (*owner)(const axon_sim *, uint32_t, rt_var_owner *),
                        axon_tensor *view)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    rt_proj_sync(s); /* a view of synapse variables sees (and changes) them up to date */
    if (!path || !view)
        return axon_err_set(&s->err, AXON_EINVAL, "no %s", !path ? "variable name" : "view");
    const char *dot = strrchr(path, '.');
    if (!dot)
        return axon_err_set(&s->err, AXON_EINVAL, "'%s' is not %s.VARIABLE", path, what);
    size_t plen = (size_t)(dot - path);
    for (uint32_t i = 0; i < n; i++) {
        rt_var_owner o;
        owner(s, i, &o);
        if (strlen(o.name) != plen || memcmp(o.name, path, plen))
            continue;
        for (uint32_t v = 0; v < o.nvars; v++) {
            if (strcmp(o.vars[v].name, dot + 1))
                continue;
            memset(view, 0, sizeof *view);
            view->dtype = rt_elem_dtype(rt_elem(&o.vars[v], s->esz));
            view->ndim = 1;
            int kind = o.vars[v].kind;
            view->shape[0] = kind == AXON_VAR_PER_PRE    ? o.size_pre
                             : kind == AXON_VAR_PER_POST ? o.size_post
                                                         : o.size;
            /* a lane of a projection's interleaved group (model.h, ABI 12) every stride */
            view->strides[0] =
                (kind == AXON_VAR_PER_PRE || kind == AXON_VAR_PER_POST) && o.vars[v].stride > 1
                    ? o.vars[v].stride
                    : 1;
            if (o.vars[v].block > 1) {
                /* a projection's per-synapse variable in blocks with its targets (ABI 13):
                   2-D, (blocks, AXON_SYN_BLOCK), synapse k at [k / block][k % block]; the
                   last block's entries past the synapse count are padding */
                view->ndim = 2;
                view->shape[0] = (o.size + AXON_SYN_BLOCK - 1) / AXON_SYN_BLOCK;
                view->shape[1] = AXON_SYN_BLOCK;
                view->strides[0] = (size_t)o.vars[v].stride;
                view->strides[1] = 1;
            }
            view->data = o.data[v];
            return AXON_OK;
        }
        return axon_err_set(&s->err, AXON_EINVAL, "%s '%s' has no variable '%s'", what, o.name,
                            dot + 1);
    }
    return axon_err_set(&s->err, AXON_EINVAL, "no %s '%.*s'", what, (int)plen, path);
}

axon_status axon_sim_var(axon_sim *s, const char *path, axon_tensor *view)
{
    axon_status st = rt_var_view(s, path, "population", s ? s->m->npops : 0, pop_owner, view);
    /* a view of an input can be written: the population's update reads its inputs from then on */
    for (uint32_t i = 0; st == AXON_OK && i < s->m->npops; i++)
        for (uint32_t v = 0; v < s->m->pops[i].nvars; v++)
            if (s->pops[i].vars[v] == view->data && s->m->pops[i].vars[v].kind == AXON_VAR_INPUT)
                s->pops[i].inputs_touched = 1;
    return st;
}

axon_status axon_sim_spikes(axon_sim *s, int pop, const double **times,
                            const uint32_t **indices, size_t *n)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (rt_check_pop(s, pop, "axon_sim_spikes") != AXON_OK)
        return AXON_EINVAL;
    if (s->pops[pop].spike_rec < 0)
        return axon_err_set(&s->err, AXON_EINVAL, "population '%s' has no spike record",
                            s->m->pops[pop].name);
    const rt_rec *r = &s->recs[s->pops[pop].spike_rec];
    if (times)
        *times = r->t;
    if (indices)
        *indices = r->idx;
    if (n)
        *n = r->n;
    return AXON_OK;
}

uint64_t axon_sim_spike_count(axon_sim *s, int pop)
{
    if (!s)
        return 0;
    rt_begin(s);
    if (rt_check_pop(s, pop, "axon_sim_spike_count") != AXON_OK)
        return 0;
    return s->pops[pop].nspikes;
}
