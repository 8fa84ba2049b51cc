/*
 * Spike delivery, continuous synapses and plasticity (model.h, ABI 3): the per-step half of
 * projections. Connectivity and synapse state are built in proj.c (whose header comment
 * describes the layout, delivery included); what the two share is in proj_int.h.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proj_int.h"
#include "sim.h"

void rt_proj_store_pop(axon_sim *s, int pi, uint64_t step, const uint32_t *spk, size_t n)
{
    rt_ring *g = s->pops[pi].ring;
    if (!g)
        return;
    uint64_t slot = rt_ring_slot(g, step), mask = g->cap - 1;
    g->start[slot] = g->head;
    g->count[slot] = (uint32_t)n;
    uint64_t h = g->head & mask, n1 = g->cap - h;
    if (n1 >= n) {
        memcpy(g->buf + h, spk, n * sizeof *spk);
    } else { /* wraps around */
        memcpy(g->buf + h, spk, (size_t)n1 * sizeof *spk);
        memcpy(g->buf, spk + n1, (n - (size_t)n1) * sizeof *spk);
    }
    g->head += n;
    g->next = step + 1;
}

void rt_proj_store(axon_sim *s, uint64_t step)
{
    for (uint32_t i = 0; i < s->m->npops; i++)
        rt_proj_store_pop(s, (int)i, step, s->pops[i].spk, s->pops[i].nspk);
}

/* Spikes of projection q's source found in step n - delay (0 if none, or before step 0). */
static uint32_t rt_due_d(const axon_sim *s, const rt_proj *pr, uint64_t n, uint32_t delay,
                         uint64_t *start)
{
    const rt_ring *g = s->pops[pr->d->pre].ring;
    if (!pr->d->on_pre || !g || n < delay)
        return 0;
    uint64_t slot = rt_ring_slot(g, n - delay);
    *start = g->start[slot];
    return g->count[slot];
}

/* Spikes due in step n through the projection's (single) delay. */
static uint32_t rt_due(const axon_sim *s, const rt_proj *pr, uint64_t n, uint64_t *start)
{
    return rt_due_d(s, pr, n, pr->d->delay_steps, start);
}

double rt_proj_events_due(const axon_sim *s, uint64_t n)
{
    double ev = 0;
    for (uint32_t q = 0; q < s->m->nprojs; q++) {
        const rt_proj *pr = &s->projs[q];
        uint64_t st;
        /* delay 0: the source's current spike list; before the step's update that is the last
         * step's, which stands in as an estimate */
        uint32_t dmin = pr->d->delays ? pr->dmin : pr->d->delay_steps;
        double c = dmin == 0 ? (double)s->pops[pr->d->pre].nspk
                             : (double)rt_due_d(s, pr, n, dmin, &st);
        ev += c * pr->mean_row;
    }
    return ev;
}

#define RT_PF 8  /* prefetch distances in spikes (rt_deliver_range), histories (rt_defer_replay) */
#define RT_PF2 16
#define RT_DEFER_SCAN 256 /* synapses of a row scanned at once (rt_defer_replay) */

/* The step context of pr's handler kernels: ctx, or for a rank's part of a projection whose
 * handlers draw random numbers a copy in *own with syn_offset set (model.h, ABI 8), or with
 * rows ordered by delay syn_whole (ABI 10: read by on_post and the event handlers; the row
 * kernels get syn_offset per run, rt_row_call), so that the draws are keyed by the index in
 * the whole projection. */
static const axon_step_ctx *rt_proj_ctx(const rt_proj *pr, const axon_step_ctx *ctx,
                                        axon_step_ctx *own)
{
    int whole = pr->gidx && (pr->d->flags & AXON_PROJ_SYN_DRAWS);
    if (!pr->goff && !whole)
        return ctx;
    *own = *ctx;
    if (pr->goff)
        own->syn_offset = pr->goff;
    if (whole)
        own->syn_whole = pr->gidx;
    return own;
}

/* A row kernel of pr (on_pre, continuous, every_step) on synapses [b, e) of row i. For a rank's
 * part whose rows are ordered by delay and whose handlers draw (gidx, proj.c), once per run of
 * synapses whose indices in the whole projection are consecutive, with syn_offset pointing at
 * thread `task`'s offsets, row i's set for the run, so that the kernel keys its draws by the
 * whole index (model.h, ABI 8) as one process does. */
static void rt_row_call(const rt_proj *pr, axon_event_fn fn, const axon_step_ctx *ctx, int task,
                        void *const *av, void *const *bv, uint32_t i, uint64_t b, uint64_t e)
{
    if (!pr->gidx || !(pr->d->flags & AXON_PROJ_SYN_DRAWS)) {
        fn(ctx, pr->vars, av, bv, rt_targets(pr), i, b, e);
        return;
    }
    axon_step_ctx own = *ctx;
    uint64_t *h = pr->hoff + (size_t)task * pr->npre;
    own.syn_offset = h;
    while (b < e) {
        uint64_t off = pr->gidx[b] - b, k = b + 1;
        while (k < e && pr->gidx[k] - k == off)
            k++;
        h[i] = off;
        fn(&own, pr->vars, av, bv, rt_targets(pr), i, b, k);
        b = k;
    }
}

/* Prefetches the targets and the per-synapse variables of synapse r (the start of row i or of
 * its part due at a delay), and the row's variables stored per presynaptic neuron (the
 * element of i: an STDP rule's presynaptic trace and its time, which on_pre and the deferred
 * replay read); not those per postsynaptic neuron (each synapse's own target's: the kernels
 * prefetch them). Until 2026-12-06 every array was prefetched at r, for arrays per neuron a
 * line past their end. */
static inline void rt_prefetch_syn(const rt_proj *pr, size_t esz, uint32_t i, uint64_t r)
{
    __builtin_prefetch(rt_target_at(pr, r));
    if (pr->blk) { /* the targets' block holds the values (model.h, ABI 13): its line, and
                      the next where the block crosses into it */
        __builtin_prefetch((const char *)rt_target_at(pr, r) + pr->blk_bytes - 1);
        return;
    }
    for (uint32_t v = 0; v < pr->d->nvars; v++) {
        int kind = pr->d->vars[v].kind;
        if (kind == AXON_VAR_PER_PRE && pr->d->vars[v].lane > 0)
            continue; /* in its group's line (model.h, ABI 12) */
        if (kind != AXON_VAR_PER_POST)
            __builtin_prefetch((const char *)pr->vars[v] +
                               (kind == AXON_VAR_PER_PRE ? i * rt_proj_vstride(pr, v) : r) *
                                   rt_proj_vsz(pr, v, esz));
    }
}

#define RT_PF_PART 1024 /* bytes of a part's synapse arrays prefetched, at most */

/* Prefetches the cache lines of n bytes from p, the first RT_PF_PART bytes: every line they
 * touch, the last included when p is not at a line's start. Into L2 (prefetcht1), not L1: a
 * batch's parts ask for hundreds of scattered lines at once, and on the Intel host a random
 * part's lines arrive 10-13% sooner than with prefetcht0, whose requests each hold one of
 * L1's few fill buffers until the line is in (bench/HISTORY.md, "The microcircuit's delivery
 * against the memory floor"); the kernel's loads then find them in L2. */
static inline void rt_prefetch_lines(const char *p, size_t n)
{
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)63;
    uintptr_t e = (uintptr_t)p + (n < RT_PF_PART ? n : RT_PF_PART);
    for (; a < e; a += 64)
        __builtin_prefetch((const void *)a, 0, 2);
}

/* Prefetches the targets and per-synapse variables of the synapses [b, e), the first
 * RT_PF_PART bytes of each array (not the arrays per neuron, which are not indexed by b). */
static inline void rt_prefetch_part(const rt_proj *pr, size_t esz, uint64_t b, uint64_t e)
{
    if (pr->blk) { /* the blocks of [b, e): targets and values (model.h, ABI 13) */
        if (e <= b)
            return;
        uint64_t b0 = b / AXON_SYN_BLOCK, b1 = (e - 1) / AXON_SYN_BLOCK + 1;
        rt_prefetch_lines((const char *)pr->blk + b0 * pr->blk_bytes,
                          (size_t)(b1 - b0) * pr->blk_bytes);
        return;
    }
    rt_prefetch_lines(rt_target_at(pr, b), (size_t)(e - b) * rt_target_size(pr));
    for (uint32_t v = 0; v < pr->d->nvars; v++) {
        if (pr->d->vars[v].kind == AXON_VAR_PER_PRE || pr->d->vars[v].kind == AXON_VAR_PER_POST)
            continue;
        size_t vsz = rt_proj_vsz(pr, v, esz); /* float for a narrowed variable */
        rt_prefetch_lines((const char *)pr->vars[v] + b * vsz, (size_t)(e - b) * vsz);
    }
}

/* RT_PF spikes ahead of row i's delivery with deferred on_post: every line of the row's
 * targets and per-synapse variables (the first RT_PF_PART bytes of each), into L2, and its
 * per-presynaptic values (other projections: the first line of each, rt_prefetch_syn, inline
 * in the caller's loop). The replay rounds of
 * on_pre_replay read the weights of the synapses whose targets spiked, a scattered half of the
 * row, before on_pre walks it: the hardware's prefetcher, which follows on_pre's walk, comes
 * too late for them. */
static void rt_prefetch_row(const rt_proj *pr, size_t esz, uint32_t i)
{
    rt_prefetch_part(pr, esz, pr->row[i], pr->row[i + 1]);
    for (uint32_t v = 0; v < pr->d->nvars; v++)
        if (pr->d->vars[v].kind == AXON_VAR_PER_PRE && pr->d->vars[v].lane == 0)
            __builtin_prefetch((const char *)pr->vars[v] +
                               i * rt_proj_vstride(pr, v) * rt_proj_vsz(pr, v, esz));
}

/* ---- due parts through per-synapse delays (rt_dqs, sim.h)
 *
 * With per-synapse delays a spike reaches its row one part at a time: the part with delay d in
 * step n + d. Finding each part in the step it is due (its delay-table entry, or the row's
 * delays) cost a scattered cache line per spike, delay and step, empty parts included. Instead
 * a spike's row is read once: its table entries (or its delays) lie together, and each
 * non-empty part is queued in the slot of the step it is due in. The thread that delivers a
 * projection's parts first queues those of the spikes stored since its last step, so this runs
 * in the parallel phase and no queue is shared: dq[0] serves one thread delivering to every
 * target (a step on the caller, or by populations), dq[1 + c] chunk c's. A step's delivery
 * walks its slot in order, the spikes' steps ascending and each step's spikes in order, the
 * order (delays from the longest to the shortest) delivery took before the queues: every target
 * sees the same operations in the same order.
 */

#define RT_DQ_BATCH 32 /* spikes whose rows are prefetched together (rt_dq_queue) */
#define RT_DQ_AHEAD 16 /* due parts prefetched ahead of the one delivered (rt_deliver_due) */

/* Grows q for k more uint32; 0 if it cannot. */
static __attribute__((noinline)) int rt_dq_grow(rt_dq *q, size_t k)
{
    size_t cap = q->cap ? 2 * q->cap : 384;
    while (cap < q->n + k)
        cap *= 2;
    uint32_t *e = realloc(q->e, cap * sizeof *e);
    if (!e)
        return 0;
    q->e = e;
    q->cap = cap;
    return 1;
}

/* Appends the part [b, e) of presynaptic neuron i to q; 0 if q cannot grow. (Synapse indices
 * fit in 32 bits: RT_MAX_SYN.) */
static inline int rt_dq_put(rt_dq *q, uint32_t i, uint64_t b, uint64_t e)
{
    if (q->n + 3 > q->cap && !rt_dq_grow(q, 3))
        return 0;
    uint32_t *x = q->e + q->n;
    x[0] = i;
    x[1] = (uint32_t)b;
    x[2] = (uint32_t)e;
    q->n += 3;
    return 1;
}

/* Row i's entries in the delay table for its part of delay dmin + j (sim.h, doff): the part
 * is [o[0], o[ncut + 1]), chunk c's cut of it [o[c], o[c + 1]); the next delay's follow. */
static inline const uint32_t *rt_doff_at(const rt_proj *pr, uint32_t i, uint64_t j)
{
    const uint64_t nd = (uint64_t)pr->dmax - pr->dmin + 1, st = (uint64_t)pr->ncut + 1;
    return pr->doff + (i * nd + j) * st;
}

/* Queues in dq the non-empty parts, cut to the targets [lo, hi) of the post population (chunk
 * `chunk`'s, or -1: all), of the rows of step t's spikes (in the source's history) that are due
 * in step `from` or later, each in the slot of its step; 0 if a slot cannot grow. */
static int rt_dq_queue(const axon_sim *s, const rt_proj *pr, rt_dqs *dq, uint64_t t, uint64_t from,
                       uint32_t lo, uint32_t hi, int chunk)
{
    const rt_ring *g = s->pops[pr->d->pre].ring;
    const uint64_t p0 = g->start[rt_ring_slot(g, t)], mask = g->cap - 1;
    const uint32_t cnt = g->count[rt_ring_slot(g, t)], nq = pr->dmax + 1;
    const uint32_t npost = s->pops[pr->d->post].size;
    const uint32_t s0 = (uint32_t)((t + pr->dmin) % nq); /* the slot of the shortest delay */
    const uint64_t nd = (uint64_t)pr->dmax - pr->dmin + 1, st = (uint64_t)pr->ncut + 1;
    /* a table's part (rt_doff_at), or chunk c's cut of it; else (no cuts in the table, or no
       table) rt_cut */
    const int all = chunk < 0, own = !all && pr->doff && pr->ncut > 0;
    const uint64_t c0 = own ? (uint64_t)chunk : 0, c1 = own ? (uint64_t)chunk + 1 : st;
    for (uint32_t k0 = 0; k0 < cnt; k0 += RT_DQ_BATCH) {
        const uint32_t k1 = cnt - k0 < RT_DQ_BATCH ? cnt : k0 + RT_DQ_BATCH;
        /* the batch's rows in flight together: their table entries, or their offsets and
           then their delays */
        for (uint32_t k = k0; k < k1; k++) {
            uint32_t i = g->buf[(p0 + k) & mask];
            if (pr->doff)
                rt_prefetch_lines((const char *)rt_doff_at(pr, i, 0),
                                  (nd * st + 1) * sizeof *pr->doff);
            else
                __builtin_prefetch(&pr->row[i]);
        }
        for (uint32_t k = k0; k < k1 && !pr->doff; k++) {
            uint32_t i = g->buf[(p0 + k) & mask];
            rt_prefetch_lines((const char *)(pr->delay + pr->row[i]),
                              (pr->row[i + 1] - pr->row[i]) * sizeof *pr->delay);
        }
        for (uint32_t k = k0; k < k1; k++) {
            const uint32_t i = g->buf[(p0 + k) & mask];
            if (pr->doff) {
                const uint32_t *o = rt_doff_at(pr, i, 0);
                uint32_t slot = s0;
                for (uint64_t j = 0; j < nd; j++, o += st) {
                    uint64_t b = o[c0], e = o[c1];
                    if (!all && !own && b < e)
                        rt_cut(pr, &b, &e, lo, hi, npost);
                    if (b < e && t + pr->dmin + j >= from && !rt_dq_put(&dq->slot[slot], i, b, e))
                        return 0;
                    slot = slot + 1 == nq ? 0 : slot + 1;
                }
                continue;
            }
            /* the row ordered by delay: each run of one delay is a part */
            for (uint64_t r = pr->row[i], r1 = pr->row[i + 1], r2; r < r1; r = r2) {
                const uint16_t dl = pr->delay[r];
                for (r2 = r + 1; r2 < r1 && pr->delay[r2] == dl; r2++)
                    ;
                uint64_t b = r, e = r2;
                uint32_t slot = s0 + (dl - pr->dmin);
                if (!all)
                    rt_cut(pr, &b, &e, lo, hi, npost);
                if (b < e && t + dl >= from &&
                    !rt_dq_put(&dq->slot[slot < nq ? slot : slot - nq], i, b, e))
                    return 0;
            }
        }
    }
    return 1;
}

/* Brings dq up to the spikes stored so far, for a delivery in step n: the parts of the steps
 * since its last are queued, each step's after its slot of step + dmax (that of the step
 * before it, delivered) is emptied. At its first use, after a restored checkpoint, or after a
 * gap longer than the queue (steps of another kind: rt_adapt's probes and the assignments by
 * populations switch every few hundred steps), it is made anew from the spike history (the
 * parts due in step n or later: a window's queuing in one step). 0 if a slot cannot grow: the
 * queue is then made anew next time, and this step delivers without it (rt_deliver_direct),
 * so that running out of memory changes nothing but the speed. */
static int rt_dq_update(const axon_sim *s, const rt_proj *pr, rt_dqs *dq, uint64_t n, uint32_t lo,
                        uint32_t hi, int chunk)
{
    const uint64_t upto = s->pops[pr->d->pre].ring->next, nq = (uint64_t)pr->dmax + 1;
    uint64_t t = dq->next;
    if (!dq->slot || dq->epoch != s->dq_epoch || t > upto || upto - t > nq) {
        /* (a queue unused for longer than its delays, as after a switch to steps of another
           kind, first gives its memory back) */
        for (uint64_t k = 0; dq->slot && k < nq; k++) {
            free(dq->slot[k].e);
            dq->slot[k] = (rt_dq){0};
        }
        if (!dq->slot && !(dq->slot = calloc(nq, sizeof *dq->slot)))
            return 0;
        t = n > pr->dmax ? n - pr->dmax : 0;
        dq->epoch = s->dq_epoch;
    }
    for (; t < upto; t++) {
        dq->slot[(t + pr->dmax) % nq].n = 0;
        if (!rt_dq_queue(s, pr, dq, t, n, lo, hi, chunk)) {
            dq->epoch = s->dq_epoch - 1; /* (made anew next time) */
            return 0;
        }
    }
    dq->next = upto;
    return 1;
}

/* The first synapse of [b, e) (ordered by delay) whose delay is >= v, e if none. */
static uint64_t rt_find_delay(const uint16_t *delay, uint64_t b, uint64_t e, uint32_t v)
{
    while (b < e) {
        uint64_t mid = b + (e - b) / 2;
        if (delay[mid] < v)
            b = mid + 1;
        else
            e = mid;
    }
    return b;
}

/* Delivers the parts of rows due in step n without a queue (one that could not grow,
 * rt_dq_update): each found in its row's table entry or delays as the spike history lists
 * them, in the queue's order, cut to the targets [lo, hi) (chunk >= 0) or whole; `task` picks
 * the thread's scratch (rt_row_call). */
static void rt_deliver_direct(const axon_sim *s, const rt_proj *pr, const axon_step_ctx *ctx,
                              uint32_t lo, uint32_t hi, int chunk, int task)
{
    const rt_ring *g = s->pops[pr->d->pre].ring;
    const uint64_t n = ctx->step, st = (uint64_t)pr->ncut + 1;
    void *const *av = s->pops[pr->d->pre].vars, *const *bv = s->pops[pr->d->post].vars;
    for (uint32_t dl = pr->dmax + 1; dl-- > pr->dmin;) {
        if (n < dl)
            continue;
        const uint64_t t = n - dl, p0 = g->start[rt_ring_slot(g, t)];
        for (uint32_t k = 0; k < g->count[rt_ring_slot(g, t)]; k++) {
            const uint32_t i = g->buf[(p0 + k) & (g->cap - 1)];
            uint64_t b, e;
            if (pr->doff) {
                const uint32_t *o = rt_doff_at(pr, i, dl - pr->dmin);
                b = o[0];
                e = o[st];
            } else {
                b = rt_find_delay(pr->delay, pr->row[i], pr->row[i + 1], dl);
                e = rt_find_delay(pr->delay, b, pr->row[i + 1], dl + 1);
            }
            if (chunk >= 0)
                rt_cut(pr, &b, &e, lo, hi, s->pops[pr->d->post].size);
            if (b < e)
                rt_row_call(pr, pr->d->on_pre, ctx, task, av, bv, i, b, e);
        }
    }
}

/*
 * Delivers the parts of rows due in this step to the targets [lo, hi) of the post population
 * (chunk `chunk`'s; lo 0 and hi its size or more: all, on one thread). Each part starts at a
 * scattered place, so their lines are prefetched RT_DQ_AHEAD parts ahead.
 */
static void rt_deliver_due(axon_sim *s, rt_proj *pr, const axon_step_ctx *ctx, uint32_t lo,
                           uint32_t hi, int chunk)
{
    const int task = chunk < 0 ? 0 : chunk; /* the thread's scratch (rt_row_call) */
    /* every target: the queue of one thread (the caller's, or by populations) */
    if (lo == 0 && hi >= s->pops[pr->d->post].size)
        chunk = -1;
    rt_dqs *dq = &pr->dq[chunk + 1];
    if (!rt_dq_update(s, pr, dq, ctx->step, lo, hi, chunk)) { /* out of memory */
        rt_deliver_direct(s, pr, ctx, lo, hi, chunk, task);
        return;
    }
    const rt_dq *q = &dq->slot[ctx->step % (pr->dmax + 1)];
    const uint64_t n = q->n / 3;
    void *const *av = s->pops[pr->d->pre].vars, *const *bv = s->pops[pr->d->post].vars;
    /* the kernel called directly where rt_row_call would (no draws keyed by whole indices) */
    const int plain = !pr->gidx || !(pr->d->flags & AXON_PROJ_SYN_DRAWS);
    const size_t esz = s->esz;
    axon_event_fn on_pre = pr->d->on_pre;
    void *const *sv = pr->vars;
    const uint32_t *post = rt_targets(pr), *x = q->e; /* x: the entry (i, b, e) */
    for (uint64_t k = 0; k < n && k < RT_DQ_AHEAD; k++)
        rt_prefetch_part(pr, esz, x[3 * k + 1], x[3 * k + 2]);
    for (uint64_t k = 0; k < n; k++, x += 3) {
        if (k + RT_DQ_AHEAD < n)
            rt_prefetch_part(pr, esz, x[3 * RT_DQ_AHEAD + 1], x[3 * RT_DQ_AHEAD + 2]);
        if (plain)
            on_pre(ctx, sv, av, bv, post, x[0], x[1], x[2]);
        else
            rt_row_call(pr, on_pre, ctx, task, av, bv, x[0], x[1], x[2]);
    }
}

/*
 * Deferred on_post (AXON_PROJ_DEFER_POST): the post spikes that the synapses [b, e) of row i
 * have not seen, those of their targets in the steps from dbase + dsync[i] (i's last pre_after:
 * a post spike of that step came after it) on, replayed in time order by on_post_at, each at
 * its spike's step. on_post reads only the synapse's variables, the presynaptic side's (stored
 * with the time of i's last pre_after, unchanged since) and parameters, so each synapse sees
 * the operations of the eager path on the same values in the same order. Before the row's
 * on_pre (deliveries of this step see the post spikes of the earlier steps), or for every row
 * at a flush; `task` picks the thread's scratch (RT_DEFER_BATCH entries: a synapse's spikes
 * always go to the kernel together, in order). Only the targets whose last spike (dlast, 2
 * bytes each, in cache) is at or after that step have their histories (scattered) loaded.
 */
static void rt_defer_replay(const axon_sim *s, const rt_proj *pr, const axon_step_ctx *ctx,
                            int task, void *const *av, void *const *bv, uint32_t i, uint64_t b,
                            uint64_t e)
{
    const uint16_t lo = pr->dsync[i];
    double *tb = pr->dt_buf + (size_t)task * RT_DEFER_BATCH;
    uint32_t *sb = pr->ds_buf + (size_t)task * RT_DEFER_BATCH, m = 0;
    axon_post_at_fn at = pr->d->on_post_at;
    uint32_t hk[RT_DEFER_SCAN], hj[RT_DEFER_SCAN]; /* the synapses to replay, their targets */
    for (uint64_t c = b; c < e; c += RT_DEFER_SCAN) {
        uint32_t len = e - c < RT_DEFER_SCAN ? (uint32_t)(e - c) : RT_DEFER_SCAN, nh = 0;
        /* first, without branches, the synapses whose target spiked at or after the row's
           last spike (dlast: the step of its last spike + 1, 0 if none) */
        for (uint32_t x = 0; x < len; x++) {
            uint32_t j = rt_target(pr, c + x);
            hk[nh] = x;
            hj[nh] = j;
            nh += pr->dlast[j] > lo;
        }
        for (uint32_t y = 0; y < nh && y < RT_PF; y++) /* scattered: histories ahead */
            __builtin_prefetch(&pr->dhist[(size_t)hj[y] * RT_DEFER_HIST]);
        for (uint32_t y = 0; y < nh; y++) {
            if (y + RT_PF < nh)
                __builtin_prefetch(&pr->dhist[(size_t)hj[y + RT_PF] * RT_DEFER_HIST]);
            /* the history of the target: its length, then its steps, the last >= lo */
            const uint16_t *h = pr->dhist + (size_t)hj[y] * RT_DEFER_HIST;
            uint32_t n = h[0], x = n;
            while (x > 1 && h[x - 1] >= lo)
                x--;
            if (m + (n + 1 - x) > RT_DEFER_BATCH) {
                at(ctx, pr->vars, av, bv, tb, sb, i, 0, m);
                m = 0;
            }
            for (; x <= n; x++) {
                tb[m] = (double)(pr->dbase + h[x]) * s->dt; /* that step's t, as rt_ctx */
                sb[m++] = (uint32_t)(c + hk[y]);
            }
        }
    }
    if (m)
        at(ctx, pr->vars, av, bv, tb, sb, i, 0, m);
}

/* Empties every post neuron's history. */
static void rt_defer_clear(rt_proj *pr)
{
    for (uint32_t j = 0; j < pr->npost; j++)
        pr->dhist[(size_t)j * RT_DEFER_HIST] = 0;
    memset(pr->dlast, 0, pr->npost * sizeof *pr->dlast);
}

/* Replays every row's pending post spikes (rt_defer_replay) and starts the histories again
 * at step `from`, which no kept spike's step reaches: the step whose post spikes are not yet
 * kept (between steps, s->step; within a step's plasticity, that step). On the caller. */
static void rt_defer_flush(axon_sim *s, rt_proj *pr, uint64_t from)
{
    if (pr->dpending) {
        axon_step_ctx ctx = rt_ctx(s, from, s->signal), own;
        const axon_step_ctx *c = rt_proj_ctx(pr, &ctx, &own);
        void *const *av = s->pops[pr->d->pre].vars, *const *bv = s->pops[pr->d->post].vars;
        axon_pre_replay_fn rp = pr->d->post_replay; /* (ABI 11) */
        for (uint32_t i = 0; i < pr->npre; i++) {
            if (pr->row[i] == pr->row[i + 1])
                continue;
            if (rp)
                rp(c, pr->vars, av, bv, rt_targets(pr), i, pr->row[i], pr->row[i + 1],
                   pr->dhist, pr->dlast, pr->dsync[i], pr->dbase);
            else
                rt_defer_replay(s, pr, c, 0, av, bv, i, pr->row[i], pr->row[i + 1]);
        }
        rt_defer_clear(pr);
        pr->dpending = 0;
        pr->nflush++;
    }
    memset(pr->dsync, 0, pr->npre * sizeof *pr->dsync);
    pr->dbase = from;
}

/*
 * A flush walks every synapse of the projection (about 3 ns each at N = 64,000 in COBA's
 * E -> E), which pays while flushes are rare: the histories' own flushes come some 800 steps
 * apart there. A program that runs in short pieces (a closed loop calling axon_sim_run for a
 * millisecond at a time), or records the weights every few steps, flushes at every piece or
 * record: RT_DEFER_GIVE_UP flushes in a row that come less than RT_DEFER_SHORT steps after the
 * one before turn the projection back to the eager column walk (rt_proj_undefer), which gives
 * the same results.
 */
#define RT_DEFER_SHORT 1000
#define RT_DEFER_GIVE_UP 3

void rt_proj_sync(axon_sim *s)
{
    for (uint32_t q = 0; s->projs && q < s->m->nprojs; q++) {
        rt_proj *pr = &s->projs[q];
        if (!pr->defer || !pr->dpending)
            continue;
        uint64_t span = s->step - pr->dbase;
        rt_defer_flush(s, pr, s->step);
        pr->dshort = span < RT_DEFER_SHORT ? pr->dshort + 1 : 0;
        const char *force = getenv("AXON_TEST_POST"); /* =defer: never give up (tests) */
        if (pr->dshort >= RT_DEFER_GIVE_UP && !(force && !strcmp(force, "defer")))
            rt_proj_undefer(s, pr);
    }
}

void rt_proj_defer_reset(axon_sim *s)
{
    for (uint32_t q = 0; s->projs && q < s->m->nprojs; q++) {
        rt_proj *pr = &s->projs[q];
        if (!pr->defer)
            continue;
        rt_defer_clear(pr);
        memset(pr->dsync, 0, pr->npre * sizeof *pr->dsync);
        pr->dpending = 0;
        pr->dbase = s->step;
    }
}

/* The post spikes of this step (after its deliveries and pre_after) join their neurons'
 * histories; a full history flushes first, and so does the last step that dbase + 16 bits
 * reach. Then post_after per spike, as the eager path runs it. */
static void rt_defer_keep(axon_sim *s, rt_proj *pr, const axon_step_ctx *ctx)
{
    const rt_pop *a = &s->pops[pr->d->pre], *b = &s->pops[pr->d->post];
    uint64_t step = ctx->step;
    for (size_t k = 0; k < b->nspk; k++) {
        uint16_t *h = pr->dhist + (size_t)b->spk[k] * RT_DEFER_HIST;
        if (h[0] == RT_DEFER_HIST - 1)
            rt_defer_flush(s, pr, step);
        h[++h[0]] = (uint16_t)(step - pr->dbase);
        pr->dlast[b->spk[k]] = (uint16_t)(step - pr->dbase + 1); /* < RT_DEFER_SPAN, below */
        pr->dpending = 1;
    }
    if (pr->d->post_after)
        for (size_t k = 0; k < b->nspk; k++)
            pr->d->post_after(ctx, pr->vars, a->vars, b->vars, NULL, b->spk[k], 0, 0);
    if (step + 1 - pr->dbase >= RT_DEFER_SPAN)
        rt_defer_flush(s, pr, step + 1);
}

static void rt_deliver_range(axon_sim *s, rt_proj *pr, const axon_step_ctx *ctx, uint32_t lo,
                             uint32_t hi, int chunk)
{
    const axon_proj_desc *d = pr->d;
    if (pr->nsyn == 0) /* no row to walk (rt_proj_setup: nor a phase to wait for) */
        return;
    axon_step_ctx own;
    ctx = rt_proj_ctx(pr, ctx, &own);
    if (pr->delay || pr->doff) {
        if (pr->dq)
            rt_deliver_due(s, pr, ctx, lo, hi, chunk);
        return;
    }
    uint64_t st = 0;
    uint32_t cnt = rt_due(s, pr, ctx->step, &st);
    if (cnt == 0)
        return;
    rt_pop *a = &s->pops[d->pre], *b = &s->pops[d->post];
    const rt_ring *g = a->ring;
    const uint64_t mask = g->cap - 1, *row = pr->row;
    const uint32_t *buf = g->buf, *post = rt_targets(pr);
    void *const *sv = pr->vars, *const *av = a->vars, *const *bv = b->vars;
    axon_event_fn on_pre = d->on_pre;
    int whole = lo == 0 && hi >= b->size;
    /* chunk c of the post population: row i's part starts at cut[i ncut + c - 1] and ends at
     * cut[i ncut + c] (rt_proj_cuts) */
    const uint32_t *cut = !whole && chunk >= 0 ? pr->cut : NULL, nc = pr->ncut;
    const uint32_t c = (uint32_t)chunk;
    /* Rows are scattered: prefetch the row offsets RT_PF2 spikes ahead and the start of the
     * row's targets and synapse variables RT_PF spikes ahead; before the first spike, those of
     * the spikes the loop does not reach ahead of (the first RT_PF2 and RT_PF), so that their
     * misses overlap instead of each stalling the loop in turn (a source fires a few dozen
     * spikes per step: a large part of them). */
    const size_t esz = s->esz;
    for (uint32_t k = 0; k < cnt && k < RT_PF2; k++) {
        uint32_t ia = buf[(st + k) & mask];
        __builtin_prefetch(&row[ia]);
        if (cut)
            __builtin_prefetch(&cut[(uint64_t)ia * nc]);
    }
    for (uint32_t k = 0; k < cnt && k < RT_PF; k++)
        if (pr->defer)
            rt_prefetch_row(pr, esz, buf[(st + k) & mask]);
        else
            rt_prefetch_syn(pr, esz, buf[(st + k) & mask], row[buf[(st + k) & mask]]);
    for (uint32_t k = 0; k < cnt; k++) {
        if (k + RT_PF2 < cnt) {
            uint32_t ia = buf[(st + k + RT_PF2) & mask];
            __builtin_prefetch(&row[ia]);
            if (cut)
                __builtin_prefetch(&cut[(uint64_t)ia * nc]);
        }
        if (k + RT_PF < cnt) {
            uint32_t ia = buf[(st + k + RT_PF) & mask];
            if (pr->defer)
                rt_prefetch_row(pr, esz, ia);
            else
                rt_prefetch_syn(pr, esz, ia, row[ia]);
        }
        uint32_t i = buf[(st + k) & mask];
        uint64_t rb = row[i], re = row[i + 1];
        if (cut) {
            const uint32_t *ci = cut + (uint64_t)i * nc;
            uint64_t r0 = rb;
            if (c > 0)
                rb = r0 + ci[c - 1];
            if (c < nc)
                re = r0 + ci[c];
        } else if (!whole) {
            rt_cut(pr, &rb, &re, lo, hi, b->size);
        }
        if (rb < re) {
            if (!pr->defer) {
                on_pre(ctx, sv, av, bv, post, i, rb, re);
            } else if (d->on_pre_replay) { /* the replay and on_pre in one pass (ABI 11) */
                d->on_pre_replay(ctx, sv, av, bv, post, i, rb, re, pr->dhist, pr->dlast,
                                 pr->dsync[i], pr->dbase);
            } else {
                rt_defer_replay(s, pr, ctx, chunk < 0 ? 0 : chunk, av, bv, i, rb, re);
                on_pre(ctx, sv, av, bv, post, i, rb, re);
            }
        }
    }
}

void rt_proj_deliver_part(axon_sim *s, const axon_step_ctx *ctx, int task)
{
    for (uint32_t q = 0; q < s->m->nprojs; q++) {
        rt_proj *pr = &s->projs[q];
        const rt_pop *b = &s->pops[pr->d->post];
        if (task < b->nchunks)
            rt_deliver_range(s, pr, ctx, b->bounds[task], b->bounds[task + 1], task);
    }
}

void rt_proj_deliver_pop(axon_sim *s, const axon_step_ctx *ctx, uint32_t pop, int task)
{
    for (uint32_t q = 0; q < s->m->nprojs; q++) {
        rt_proj *pr = &s->projs[q];
        /* the whole range: no cut; `task` picks the thread's scratch */
        if ((uint32_t)pr->d->post == pop)
            rt_deliver_range(s, pr, ctx, 0, UINT32_MAX, task);
    }
}

typedef struct {
    axon_sim *s;
    axon_step_ctx ctx;
    uint64_t phase; /* by populations (rt_bal_run): the phase's stamp; 0: by chunks of targets */
} rt_deliver_phase;

static void rt_deliver_pop_cb(void *arg, uint32_t pop, int task)
{
    rt_deliver_phase *ph = arg;
    rt_proj_deliver_pop(ph->s, &ph->ctx, pop, task);
}

static void rt_deliver_task(void *arg, int task)
{
    rt_deliver_phase *ph = arg;
    if (ph->phase)
        rt_bal_run(ph->s, ph->phase, task, rt_deliver_pop_cb, ph);
    else
        rt_proj_deliver_part(ph->s, &ph->ctx, task);
}

/* Over MPI ranks, the presynaptic variables pr's kernels read (model.h: pre_reads, ABI 9),
 * gathered from the ranks that update them (mpi.c), before a phase whose kernels may read them:
 * every rank calls it alike (the model is the same on each). */
static void rt_proj_gather_pre(axon_sim *s, const rt_proj *pr)
{
    const axon_proj_desc *d = pr->d;
    if (!s->mpi || rt_mpi_size(s) == 1)
        return;
    rt_pop *a = &s->pops[d->pre];
    for (uint32_t k = 0; k < d->npre_reads; k++)
        rt_mpi_allgather_block(s, a->vars[d->pre_reads[k]],
                               rt_elem(&a->d->vars[d->pre_reads[k]], s->esz), a->size);
}

void rt_proj_deliver(axon_sim *s, const axon_step_ctx *ctx, int par)
{
    if (par && s->split != RT_SPLIT_NONE &&
        (s->grain == 1 ||
         rt_proj_events_due(s, ctx->step) >= (double)s->grain * s->pool_threads)) {
        rt_deliver_phase ph = {.s = s, .ctx = *ctx};
        if (s->bal.owner) {
            rt_balance(s, 0);
            ph.phase = s->bal.on ? ++s->bal.phase : 0;
        }
        rt_pool_run(s->pool, rt_deliver_task, &ph, s->pool_threads);
        return;
    }
    /* (a projection whose on_pre reads pre variables is not AXON_PROJ_SPLIT: delivery is
       then always here, on every rank) */
    for (uint32_t q = 0; q < s->m->nprojs; q++) {
        rt_proj *pr = &s->projs[q];
        if (pr->d->on_pre && !(pr->d->flags & AXON_PROJ_SPLIT))
            rt_proj_gather_pre(s, pr);
        rt_deliver_range(s, pr, ctx, 0, UINT32_MAX, -1);
    }
}

/* post_decay over the post neurons of pr that this process holds, split between the pool's
 * threads where there are enough of them (each neuron's values alone: the same for any
 * thread count; the parts' bounds 64 neurons apart from pr->lo, so that two threads share a
 * cache line only where a rank's block starts within one). */
typedef struct {
    const axon_sim *s;
    const rt_proj *pr;
    const axon_step_ctx *ctx;
    int ntasks;
} rt_decay_phase;

static void rt_decay_task(void *arg, int task)
{
    const rt_decay_phase *ph = arg;
    const rt_proj *pr = ph->pr;
    const axon_proj_desc *d = pr->d;
    uint64_t n = (pr->hi - pr->lo + 63u) / 64u;
    uint64_t lo = pr->lo + 64u * (n * (uint64_t)task / (uint64_t)ph->ntasks);
    uint64_t hi = pr->lo + 64u * (n * ((uint64_t)task + 1) / (uint64_t)ph->ntasks);
    if (hi > pr->hi)
        hi = pr->hi;
    if (lo < hi)
        d->post_decay(ph->ctx, pr->vars, ph->s->pops[d->pre].vars, ph->s->pops[d->post].vars, NULL,
                      0, lo, hi);
}

static void rt_post_decay(const axon_sim *s, const rt_proj *pr, const axon_step_ctx *ctx)
{
    rt_decay_phase ph = {s, pr, ctx, 1};
    /* (a neuron's values take a few times less than its update: 8 to a grain's unit) */
    if (s->pool && s->pool_threads > 1 &&
        (double)(pr->hi - pr->lo) >= 8.0 * s->grain * s->pool_threads) {
        ph.ntasks = s->pool_threads;
        rt_pool_run(s->pool, rt_decay_task, &ph, ph.ntasks);
    } else {
        rt_decay_task(&ph, 0);
    }
}

void rt_proj_continuous(axon_sim *s, const axon_step_ctx *ctx)
{
    for (uint32_t q = 0; q < s->m->nprojs; q++) {
        rt_proj *pr = &s->projs[q];
        const axon_proj_desc *d = pr->d;
        if (!d->continuous && !d->post_decay)
            continue;
        axon_step_ctx own;
        const axon_step_ctx *c = rt_proj_ctx(pr, ctx, &own);
        void *const *av = s->pops[d->pre].vars, *const *bv = s->pops[d->post].vars;
        if (d->continuous) {
            rt_proj_gather_pre(s, pr);
            for (uint32_t i = 0; i < pr->npre; i++)
                if (pr->row[i] < pr->row[i + 1])
                    rt_row_call(pr, d->continuous, c, 0, av, bv, i, pr->row[i], pr->row[i + 1]);
        }
        if (d->post_decay) /* after continuous, which reads them at the step's start */
            rt_post_decay(s, pr, c);
    }
}

#define RT_PF_COL 4  /* prefetch distance of on_post's column index, in spikes */
#define RT_PF_ENTRIES 8 /* the entries of the next column whose variables are prefetched */

/* Prefetches the post-ordered index of column j: its entries, RT_PF_PART bytes at most. */
static inline void rt_prefetch_col(const rt_proj *pr, uint32_t j)
{
    uint64_t b = pr->col[j], n = pr->col[j + 1] - b;
    size_t w = pr->col_pk ? pr->col_width : sizeof(uint32_t), bytes = (size_t)n * w;
    const char *a[2] = {pr->col_pk ? (const char *)pr->col_pk : (const char *)pr->col_pre,
                        pr->col_pk ? NULL : (const char *)pr->col_syn};
    for (int k = 0; k < 2 && a[k]; k++)
        for (size_t x = 0; x < bytes && x < RT_PF_PART; x += 64)
            __builtin_prefetch(a[k] + b * w + x);
}

/* Prefetches the synapse variables of the first RT_PF_ENTRIES entries of a column (those
 * per presynaptic neuron at its pre): the kernel prefetches further entries itself. */
static inline void rt_prefetch_col_vars(const rt_proj *pr, size_t esz, const rt_col_view *c)
{
    uint64_t e = c->e - c->b > RT_PF_ENTRIES ? c->b + RT_PF_ENTRIES : c->e;
    for (uint32_t v = 0; v < pr->d->nvars; v++) {
        int kind = pr->d->vars[v].kind;
        /* a lane after the first of an interleaved group (model.h, ABI 12) is in its line */
        if (kind == AXON_VAR_PER_POST || (kind == AXON_VAR_PER_PRE && pr->d->vars[v].lane > 0))
            continue;
        const uint32_t *ix = kind == AXON_VAR_PER_PRE ? c->pre : c->syn;
        size_t vsz = rt_proj_vsz(pr, v, esz);
        if (kind == AXON_VAR_PER_PRE) /* a lane of an interleaved group (model.h, ABI 12) */
            vsz *= rt_proj_vstride(pr, v);
        for (uint64_t k = c->b; k < e; k++)
            __builtin_prefetch((const char *)pr->vars[v] + ix[k] * vsz, 1);
    }
}

/* Step 2b (model.h, ABI 3): per-pre updates of the spikes delivered now, on_post and per-post
 * updates for the post population's spikes of this step, every_step for every row. On the
 * calling thread, projection by projection, in spike (index) order. */
typedef struct {
    axon_sim *s;
    const rt_proj *pr;
    const axon_step_ctx *ctx;
    int ntasks;
    int every; /* 0: on_post and post_after over the spike list; 1: every_step over rows */
} rt_plastic_phase;

/* Task t: its share of the post population's spikes (on_post), or of the rows (every_step). */
static void rt_plastic_task(void *arg, int task)
{
    const rt_plastic_phase *ph = arg;
    const rt_proj *pr = ph->pr;
    const axon_proj_desc *d = pr->d;
    const rt_pop *a = &ph->s->pops[d->pre], *b = &ph->s->pops[d->post];
    void *const *sv = pr->vars, *const *av = a->vars, *const *bv = b->vars;
    uint64_t n = ph->every ? pr->npre : b->nspk;
    uint64_t lo = n * (uint64_t)task / (uint64_t)ph->ntasks;
    uint64_t hi = n * ((uint64_t)task + 1) / (uint64_t)ph->ntasks;
    if (ph->every) {
        for (uint64_t k = lo; k < hi; k++) {
            uint32_t i = (uint32_t)k;
            if (pr->row[i] < pr->row[i + 1])
                rt_row_call(pr, d->every_step, ph->ctx, task, av, bv, i, pr->row[i],
                            pr->row[i + 1]);
        }
        return;
    }
    /* a pipeline over the spikes: before the kernel runs on spike k's column, the column
       offsets (and first entry) of spike k + 2 RT_PF_COL's are prefetched, the index of
       k + RT_PF_COL's, and k + 1's is unpacked and the variables of its first synapses
       prefetched */
    size_t esz = ph->s->esz;
    const uint32_t *spk = b->spk;
    rt_col_view next = {0};
    if (lo < hi)
        next = rt_col_entries(pr, spk[lo], rt_col_buf(pr, task, lo));
    for (uint64_t k = lo; k < hi; k++) {
        uint32_t j = spk[k];
        rt_col_view c = next;
        if (k + RT_PF_COL < hi)
            rt_prefetch_col(pr, spk[k + RT_PF_COL]);
        if (k + 2 * RT_PF_COL < hi) {
            uint32_t jf = spk[k + 2 * RT_PF_COL];
            __builtin_prefetch(&pr->col[jf]);
            if (pr->col_first)
                __builtin_prefetch(&pr->col_first[jf]);
        }
        if (k + 1 < hi) {
            next = rt_col_entries(pr, spk[k + 1], rt_col_buf(pr, task, k + 1));
            rt_prefetch_col_vars(pr, esz, &next);
        }
        if (c.b < c.e)
            d->on_post(ph->ctx, sv, av, bv, c.pre, c.syn, j, c.b, c.e);
        if (d->post_after)
            d->post_after(ph->ctx, sv, av, bv, NULL, j, 0, 0);
    }
}

/* Runs a phase on the pool when it has enough work for every thread, else on the caller. */
static void rt_plastic_run(axon_sim *s, rt_plastic_phase *ph, double work)
{
    if (s->pool && s->pool_threads > 1 && work >= (double)s->grain * s->pool_threads) {
        ph->ntasks = s->pool_threads;
        rt_pool_run(s->pool, rt_plastic_task, ph, ph->ntasks);
    } else {
        ph->ntasks = 1;
        rt_plastic_task(ph, 0);
    }
}

/* The handlers of the post population's events other than spikes (model.h, ABI 6): for each
 * event in order, every neuron whose flag is set in this step, in index order, on the caller. */
static void rt_proj_events(axon_sim *s, const rt_proj *pr, const axon_step_ctx *ctx)
{
    const axon_proj_desc *d = pr->d;
    const rt_pop *a = &s->pops[d->pre], *b = &s->pops[d->post];
    void *const *sv = pr->vars, *const *av = a->vars, *const *bv = b->vars;
    for (uint32_t k = 0; k < d->nevents; k++) {
        const void *flag = b->vars[d->event_var[k]];
        int32_t e = rt_elem(&b->d->vars[d->event_var[k]], s->esz);
        for (uint32_t j = b->lo; j < b->hi; j++) {
            double f = rt_elem_get(flag, e, j);
            if (f != 0 && pr->col[j] < pr->col[j + 1]) {
                rt_col_view c = rt_col_entries(pr, j, rt_col_buf(pr, 0, 0));
                d->event_fn[k](ctx, sv, av, bv, c.pre, c.syn, j, c.b, c.e);
            }
        }
    }
}

/*
 * Step 2b (model.h, ABI 3): per-pre updates of the spikes delivered now (on the caller: cheap),
 * then on_post and per-post updates for the post population's spikes of this step, then
 * every_step for every row; projection by projection. on_post calls of different spikes touch
 * different synapses and targets (each synapse has one target), so the spike list is split
 * between the pool's threads (unless a call may write a neuron variable another reads:
 * AXON_PROJ_POST_LOCAL); so are the rows of every_step when it writes no target variable
 * (AXON_PROJ_EVERY_LOCAL). Each synapse and neuron sees the same operations in the same order
 * for any thread count.
 */
void rt_proj_plasticity(axon_sim *s, const axon_step_ctx *step_ctx)
{
    for (uint32_t q = 0; q < s->m->nprojs; q++) {
        rt_proj *pr = &s->projs[q];
        const axon_proj_desc *d = pr->d;
        if (!d->pre_after && !d->on_post && !d->every_step && !d->nevents)
            continue;
        if ((d->flags & AXON_PROJ_READS_PRE) || !(d->flags & AXON_PROJ_SPLIT))
            rt_proj_gather_pre(s, pr); /* read by the handlers below (pre_after: on pre's) */
        axon_step_ctx own;
        const axon_step_ctx *ctx = rt_proj_ctx(pr, step_ctx, &own);
        rt_pop *a = &s->pops[d->pre], *b = &s->pops[d->post];
        void *const *sv = pr->vars, *const *av = a->vars, *const *bv = b->vars;
        uint64_t st = 0;
        uint32_t cnt = d->pre_after || pr->defer ? rt_due(s, pr, ctx->step, &st) : 0;
        if (cnt) {
            const rt_ring *g = a->ring;
            for (uint32_t k = 0; k < cnt; k++) {
                uint32_t i = g->buf[(st + k) & (g->cap - 1)];
                if (d->pre_after)
                    d->pre_after(ctx, sv, av, bv, rt_targets(pr), i, 0, 0);
                if (pr->defer) /* its synapses saw the earlier steps' post spikes */
                    pr->dsync[i] = (uint16_t)(ctx->step - pr->dbase);
            }
        }
        if (pr->defer) {
            rt_defer_keep(s, pr, ctx);
        } else if (d->on_post && b->nspk) {
            rt_plastic_phase ph = {s, pr, ctx, 1, 0};
            double mean_col = pr->npost ? (double)pr->nsyn / pr->npost : 0.0;
            if (d->flags & AXON_PROJ_POST_LOCAL)
                rt_plastic_run(s, &ph, (double)b->nspk * mean_col);
            else
                rt_plastic_task(&ph, 0);
        }
        if (d->nevents)
            rt_proj_events(s, pr, ctx);
        if (d->every_step) {
            rt_plastic_phase ph = {s, pr, ctx, 1, 1};
            if (d->flags & AXON_PROJ_EVERY_LOCAL)
                rt_plastic_run(s, &ph, (double)pr->nsyn);
            else
                rt_plastic_task(&ph, 0);
        }
    }
}

