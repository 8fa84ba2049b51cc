/*
 * Projections (model.h, ABI 3): connectivity building, synapse state and spike delivery.
 *
 * Connectivity. Built once in axon_sim_new, as CSR by presynaptic neuron: row[npre + 1] (uint64),
 * post[nsyn] (uint32), targets in increasing index order within every row. Random connectors
 * draw from axon_rng_stream substreams: stream id RT_STREAM(projection, purpose), and the Philox
 * counter's high word set to the neuron the draws belong to (the pre neuron for random and
 * fixed out-degree, the post neuron for fixed in-degree), i.e. 2^32 Philox calls per neuron.
 * A neuron's draws therefore do not depend on any other neuron's, so the result is a function
 * of the seed alone, and random and fixed-degree rows are drawn on the simulation's pool (each
 * task a range of neurons) with the same result for any thread count.
 * A process holds the synapses onto its targets [lo, hi) of the post population: all of them,
 * or over MPI ranks its block (mpi.c), and builds only those: RANDOM and OUTDEGREE still draw
 * every row (keyed by pre) but keep only targets in [lo, hi) (RANDOM stops a row's draws at
 * hi; OUTDEGREE draws each row twice, to count and to fill), INDEGREE draws only the local
 * posts, WHERE evaluates only local j, FILE keeps the local edges. The init and delay kernels
 * then need each synapse's index in the whole projection (their draws are keyed by it):
 * rt_proj_whole_index finds it with two collective calls (model.h: syn_offset, ABI 7).
 *   ALL         every pair, row by row.
 *   ONE         i -> i.
 *   RANDOM(p)   per pre row, geometric gaps floor(log(u) / log(1 - p)) between successive
 *               targets: O(synapses), not O(npre * npost). Two passes over the same substreams
 *               (count, then fill), so post[] is allocated once at its exact size.
 *   INDEGREE(k) per post j, k distinct pres by Floyd's algorithm (a stamp array marks the
 *               chosen ones), then a stable counting sort by pre: rows list posts in order.
 *   OUTDEGREE(k) per pre i, k distinct posts by Floyd's algorithm, then ordered: by a scan of
 *               the stamp array when k >= candidates / 16, else by qsort.
 *   WHERE       where(ctx, i, j) for every pair, row by row, appended to a growing buffer.
 *   FILE        the descriptor's edges, already sorted by (pre, post): rows by counting.
 * When pre == post and autapses is 0, no connector makes i -> i (for RANDOM and the fixed
 * degrees the draws are over the other n - 1 neurons, so p and k keep their meaning; ONE then
 * has no synapses). At most 2^32 - 1 synapses per projection (AXON_ERANGE otherwise).
 *
 * Synapse state. Per-synapse variables are zeroed, 64-byte aligned arrays of cap = nsyn rounded
 * up to 16 values of the model precision, like neuron state. The init kernel is called over
 * [0, nsyn) split on 16-synapse boundaries between the simulation's pool threads, with pre[s]
 * and post[s] (both padded with zeros to cap entries); pre[] is freed afterwards. With
 * AXON_PROJ_POST16 (a post population of at most 65,536 neurons, ABI 10) the targets are then
 * narrowed to uint16 (post16, rt_narrow_targets), which the row kernels take. Steady-state
 * memory: 4 bytes (post; 2 with AXON_PROJ_POST16) + nvars * precision per synapse, plus 8 bytes
 * per presynaptic neuron.
 * Projections with on_post (or neuron event) handlers add a post-ordered index: 12 bytes per
 * postsynaptic neuron and 2, 3 or 4 bytes per synapse, each entry stored as the step from the
 * previous entry's pre and its place in the row (8 bytes, the pre and the synapse, where that
 * does not fit in 32 bits); on_post gets a column unpacked into per-thread scratch
 * (rt_col_entries; proj_cols.c).
 *
 * Continuous kernels. At the start of every step, before the populations' updates, each
 * projection with a continuous kernel, in order, calls it for every non-empty row in index
 * order: continuous(i, row[i], row[i+1]). Single-threaded like delivery (rows of different
 * pres may sum into the same post inputs).
 *
 * Delivery. Every spiking population that is the source of a projection with an on_pre kernel
 * keeps the spike lists of its last max(delay) + 1 steps (rt_ring, sim.h). After every
 * population's update in step n, the step's spikes are stored, then each projection in order
 * delivers the spikes of step n - delay in index order: on_pre(i, row[i], row[i+1]) for a
 * non-empty row. On_pre kernels of different pre neurons may write the same post variables, so
 * delivery is parallel only by targets: when every delivering projection is flagged
 * AXON_PROJ_SPLIT, the thread of chunk c of the post population calls on_pre(i, b, e) for the
 * part [b, e) of each due row whose targets lie in chunk c (found by rt_find), in the same
 * spike and projection order; every target and synapse then sees the same operations in the
 * same order as with one thread (sim.h, RT_SPLIT_*); or, where the populations' work can be
 * shared out evenly, one thread delivers whole rows to all of a post population's targets
 * (engine.c, rt_balance; rt_proj_deliver_pop). Row offsets and the starts of rows are
 * prefetched a few spikes ahead: rows are scattered over memory. With per-synapse delays the
 * rows are ordered by (delay, target), and each spike's row is read once: its non-empty parts
 * are queued for the steps they are due in (rt_dqs, sim.h; deliver.c, rt_dq_update), and each
 * step's parts delivered and prefetched from its queue; where the delays are in a table
 * (rt_delay_table) and rows are long enough, the points where each delay's part of a row
 * crosses the chunk boundaries are stored in it next to the part's start (rt_proj_cuts), so
 * that each chunk's queue takes its own targets of a part by one load.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "axon/rng.h"
#include "proj_int.h"
#include "sim.h"

#define RT_STREAM(proj, purpose) (0x40000000u | (uint32_t)(proj) << 8 | (uint32_t)(purpose))

enum { RT_PURPOSE_CONN = 0 };

static const char *const rt_conn_name[] = {"all_to_all",      "one_to_one",      "random",
                                           "fixed_indegree", "fixed_outdegree", "where",
                                           "file"};

/* The substream of neuron `sub` for one purpose of projection proj. */
static void rt_substream(axon_rng_stream *r, uint64_t seed, uint32_t proj, uint32_t purpose,
                         uint32_t sub)
{
    axon_rng_stream_init(r, seed, RT_STREAM(proj, purpose));
    r->ctr[2] = sub; /* the high word of the call counter (rng.h) */
}

/* ---- connectivity */

static axon_status rt_oom(const rt_proj *pr, axon_err *err)
{
    return axon_err_set(err, AXON_ENOMEM, "projection '%s': out of memory for %llu synapses",
                        pr->d->name, (unsigned long long)pr->nsyn);
}

static axon_status rt_too_many(const rt_proj *pr, const char *about, double n, axon_err *err)
{
    return axon_err_set(err, AXON_ERANGE, "projection '%s' (%s): %s%.0f synapses, at most %u",
                        pr->d->name, rt_conn_name[pr->d->connector], about, n, RT_MAX_SYN);
}

/*
 * rt_alloc for a synapse array (targets, per-synapse variables, delays and their tables, the
 * post-ordered index), before anything touches it: the whole 2 MiB pages inside the block are
 * asked to be backed by transparent huge pages (madvise mode). Delivery through per-synapse
 * delays reads tens of synapses at each of thousands of scattered places per step; with 4 KiB
 * pages nearly every such place misses the TLB, and in a virtual machine each miss walks two
 * levels of page tables. The block itself keeps rt_alloc's alignment (aligning every large
 * array to 2 MiB puts element i of all of them in one cache set, engine.c).
 */
static void rt_advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    uintptr_t a = ((uintptr_t)p + RT_HUGE - 1) & ~(uintptr_t)(RT_HUGE - 1);
    uintptr_t e = ((uintptr_t)p + bytes) & ~(uintptr_t)(RT_HUGE - 1);
    if (p && e > a)
        (void)madvise((void *)a, e - a, MADV_HUGEPAGE); /* advice only: ignore a refusal */
#else
    (void)p;
    (void)bytes;
#endif
}

static void *rt_alloc_syn(size_t bytes, size_t *size)
{
    void *p = rt_alloc(bytes, size);
    rt_advise_huge(p, bytes);
    return p;
}

/* rt_alloc_syn, zeroed */
static void *rt_alloc_syn_zeroed(size_t bytes)
{
    size_t n;
    void *p = rt_alloc_syn(bytes, &n);
    if (p)
        memset(p, 0, n);
    return p;
}

/* An aligned array of cap indices whose padding [n, cap) is zero (the rest is written by the
 * caller: not zeroing it saves touching the memory twice). */
uint32_t *rt_alloc_index(uint64_t n, uint64_t cap)
{
    if (cap > SIZE_MAX / sizeof(uint32_t) - RT_HUGE)
        return NULL;
    size_t bytes;
    uint32_t *p = rt_alloc_syn((size_t)cap * sizeof(uint32_t), &bytes);
    if (p)
        memset(p + n, 0, bytes - (size_t)n * sizeof *p);
    return p;
}

/* Allocates post[] for nsyn synapses (row[] exists). */
static axon_status rt_alloc_post(rt_proj *pr, uint64_t nsyn, axon_err *err)
{
    if (nsyn > RT_MAX_SYN)
        return rt_too_many(pr, "", (double)nsyn, err);
    pr->nsyn = nsyn;
    uint64_t cap = (nsyn + RT_BLOCK - 1) / RT_BLOCK * RT_BLOCK;
    pr->cap = cap ? cap : RT_BLOCK;
    if (!(pr->post = rt_alloc_index(nsyn, pr->cap)))
        return rt_oom(pr, err);
    return AXON_OK;
}

/* Rows [0, n) split into consecutive ranges, one per task of the simulation's pool (or one
 * task on the caller); fn(arg, b, e, task) builds rows [b, e). Rows draw from their own
 * substreams, so the split changes no value. */
typedef void (*rt_rows_fn)(void *arg, uint32_t b, uint32_t e, int task);

typedef struct {
    rt_rows_fn fn;
    void *arg;
    uint32_t n;
    int ntasks;
} rt_rows_phase;

static void rt_rows_task(void *arg, int task)
{
    const rt_rows_phase *ph = arg;
    uint32_t b = (uint32_t)((uint64_t)ph->n * (uint64_t)task / (uint64_t)ph->ntasks);
    uint32_t e = (uint32_t)((uint64_t)ph->n * ((uint64_t)task + 1) / (uint64_t)ph->ntasks);
    if (b < e)
        ph->fn(ph->arg, b, e, task);
}

/* The number of tasks rt_rows_run uses (scratch arrays are per task). */
static int rt_rows_tasks(const axon_sim *s, uint32_t n)
{
    int nt = s->pool && s->pool_threads > 1 ? s->pool_threads : 1;
    return (uint32_t)nt > n ? (n ? (int)n : 1) : nt;
}

static void rt_rows_run(axon_sim *s, uint32_t n, rt_rows_fn fn, void *arg)
{
    rt_rows_phase ph = {fn, arg, n, rt_rows_tasks(s, n)};
    if (ph.ntasks > 1)
        rt_pool_run(s->pool, rt_rows_task, &ph, ph.ntasks);
    else
        rt_rows_task(&ph, 0);
}

/* row[i + 1] holds the synapses of row i: makes row[] the offsets, checking the limit. */
static axon_status rt_rows_sum(rt_proj *pr, axon_err *err)
{
    pr->row[0] = 0;
    for (uint32_t i = 0; i < pr->npre; i++) {
        pr->row[i + 1] += pr->row[i];
        if (pr->row[i + 1] > RT_MAX_SYN)
            return rt_too_many(pr, "more than ", (double)RT_MAX_SYN, err);
    }
    return AXON_OK;
}

/* Per-task scratch: ntasks arrays of n zeroed uint32 (Floyd's marks), or NULL. */
static uint32_t **rt_scratch_new(int ntasks, uint32_t n)
{
    uint32_t **a = calloc((size_t)ntasks, sizeof *a);
    for (int t = 0; a && t < ntasks; t++)
        if (!(a[t] = calloc(n ? n : 1, sizeof **a))) {
            while (t-- > 0)
                free(a[t]);
            free(a);
            return NULL;
        }
    return a;
}

static void rt_scratch_free(uint32_t **a, int ntasks)
{
    for (int t = 0; a && t < ntasks; t++)
        free(a[t]);
    free(a);
}

static axon_status rt_build_all(rt_proj *pr, axon_err *err)
{
    int self = rt_no_self(pr->d); /* then pre == post, npre == npost */
    uint32_t lo = pr->lo, hi = pr->hi;
    axon_status st = rt_alloc_post(pr, (uint64_t)(hi - lo) * (pr->npre - (self ? 1 : 0)), err);
    if (st != AXON_OK)
        return st;
    uint64_t s = 0;
    for (uint32_t i = 0; i < pr->npre; i++) {
        pr->row[i] = s;
        for (uint32_t j = lo; j < hi; j++)
            if (!self || j != i)
                pr->post[s++] = j;
    }
    pr->row[pr->npre] = s;
    return AXON_OK;
}

static axon_status rt_build_one(rt_proj *pr, axon_err *err)
{
    int self = rt_no_self(pr->d); /* then every synapse would be an autapse */
    uint32_t lo = pr->lo, hi = pr->hi;
    axon_status st = rt_alloc_post(pr, self ? 0 : hi - lo, err);
    if (st != AXON_OK)
        return st;
    for (uint32_t i = 0; i <= pr->npre; i++)
        pr->row[i] = self || i < lo ? 0 : (i < hi ? i : hi) - lo;
    for (uint64_t s = 0; s < pr->nsyn; s++)
        pr->post[s] = lo + (uint32_t)s;
    return AXON_OK;
}

/*
 * One row of a random projection from its own copy of the substream: candidates [0, m), each
 * taken with probability p (lq = log(1 - p) < 0); candidate c is neuron c + (c >= skip). Keeps
 * the targets in [lo, hi) (the draws stop at the first target >= hi), writing them to out
 * unless it is NULL; returns their number.
 */
static uint64_t rt_random_row(axon_rng_stream r, double lq, uint32_t m, uint32_t skip,
                              uint32_t lo, uint32_t hi, uint32_t *out)
{
    uint64_t c = 0, n = 0;
    for (;;) {
        /* candidates skipped before the next synapse: P(gap >= g) = (1 - p)^g */
        double gap = floor(log(1.0 - axon_rng_stream_uniform(&r)) / lq);
        if (!(gap < (double)(m - c)))
            return n;
        c += (uint64_t)gap;
        uint32_t t = (uint32_t)c + (c >= skip);
        if (t >= hi)
            return n;
        if (t >= lo) {
            if (out)
                out[n] = t;
            n++;
        }
        c++;
    }
}

typedef struct {
    axon_sim *s;
    rt_proj *pr;
    uint32_t q, m;
    double lq;
    int fill; /* 0: count row i into row[i + 1]; 1: write its targets at row[i] */
} rt_random_phase;

static void rt_random_rows(void *arg, uint32_t b, uint32_t e, int task)
{
    (void)task;
    const rt_random_phase *ph = arg;
    rt_proj *pr = ph->pr;
    int self = rt_no_self(pr->d);
    axon_rng_stream r;
    for (uint32_t i = b; i < e; i++) {
        rt_substream(&r, ph->s->seed, ph->q, RT_PURPOSE_CONN, i);
        uint32_t skip = self ? i : UINT32_MAX;
        if (ph->fill)
            rt_random_row(r, ph->lq, ph->m, skip, pr->lo, pr->hi, pr->post + pr->row[i]);
        else
            pr->row[i + 1] = rt_random_row(r, ph->lq, ph->m, skip, pr->lo, pr->hi, NULL);
    }
}

static axon_status rt_build_random(axon_sim *s, rt_proj *pr, uint32_t q, axon_err *err)
{
    const axon_proj_desc *d = pr->d;
    if (d->p >= 1)
        return rt_build_all(pr, err);
    uint32_t m = rt_candidates(d, pr->npost);
    if (d->p <= 0 || m == 0 || pr->npre == 0) {
        memset(pr->row, 0, ((size_t)pr->npre + 1) * sizeof *pr->row);
        return rt_alloc_post(pr, 0, err);
    }
    double lq = log1p(-d->p), mean = d->p * (double)pr->npre * (double)m;
    /* more than 10 standard deviations beyond the limit: refuse without counting */
    if (mean - 10.0 * sqrt(mean * (1.0 - d->p)) > (double)RT_MAX_SYN)
        return rt_too_many(pr, "about ", mean, err);
    rt_random_phase ph = {s, pr, q, m, lq, 0};
    rt_rows_run(s, pr->npre, rt_random_rows, &ph);
    axon_status st = rt_rows_sum(pr, err);
    if (st == AXON_OK)
        st = rt_alloc_post(pr, pr->row[pr->npre], err);
    if (st != AXON_OK)
        return st;
    ph.fill = 1;
    rt_rows_run(s, pr->npre, rt_random_rows, &ph);
    return AXON_OK;
}

/*
 * Floyd's algorithm: k distinct values of [0, m) (k <= m) into out, in no particular order.
 * mark[v] == stamp marks the chosen values; no entry may hold stamp before the call.
 */
static void rt_floyd(axon_rng_stream *r, uint32_t m, uint32_t k, uint32_t *mark, uint32_t stamp,
                     uint32_t *out)
{
    uint32_t n = 0;
    for (uint32_t t = m - k; t < m; t++) {
        uint32_t v = axon_rng_stream_below(r, t + 1);
        if (mark[v] == stamp)
            v = t; /* t itself cannot have been chosen yet */
        mark[v] = stamp;
        out[n++] = v;
    }
}

static int rt_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

typedef struct {
    axon_sim *s;
    rt_proj *pr;
    uint32_t q, m;
    uint32_t *src;   /* indegree: src[(j - lo) k ..] = the pres of post j */
    uint32_t **mark; /* per task */
    int pass;        /* outdegree: 0 one pass (every target kept), 1 count, 2 fill */
    uint64_t *next;  /* indegree: the next free place of each row */
} rt_degree_phase;

static void rt_indegree_rows(void *arg, uint32_t b, uint32_t e, int task)
{
    const rt_degree_phase *ph = arg;
    const rt_proj *pr = ph->pr;
    uint32_t k = pr->d->k, lo = pr->lo;
    int self = rt_no_self(pr->d);
    axon_rng_stream r;
    for (uint32_t j = lo + b; j < lo + e; j++) {
        uint32_t *out = ph->src + (uint64_t)(j - lo) * k;
        rt_substream(&r, ph->s->seed, ph->q, RT_PURPOSE_CONN, j);
        rt_floyd(&r, ph->m, k, ph->mark[task], j + 1, out);
        if (self)
            for (uint32_t n = 0; n < k; n++)
                out[n] += out[n] >= j;
    }
}

/* The counting sort's scatter for the rows [b, e): every task reads all the posts' sources
 * and writes those of its own rows, in increasing j. */
static void rt_indegree_scatter(void *arg, uint32_t b, uint32_t e, int task)
{
    (void)task;
    const rt_degree_phase *ph = arg;
    rt_proj *pr = ph->pr;
    uint32_t k = pr->d->k, nj = pr->hi - pr->lo;
    uint64_t *next = ph->next;
    for (uint32_t j = 0; j < nj; j++) {
        const uint32_t *in = ph->src + (uint64_t)j * k;
        for (uint32_t n = 0; n < k; n++)
            if (in[n] - b < e - b)
                pr->post[next[in[n]]++] = pr->lo + j;
    }
}

/* Fixed in-degree: each post j of [lo, hi) draws its k pres from its own substream; then a
 * stable counting sort by pre makes the rows (j increases, so rows list posts in order). */
static axon_status rt_build_indegree(axon_sim *s, rt_proj *pr, uint32_t q, axon_err *err)
{
    uint32_t k = pr->d->k, m = rt_candidates(pr->d, pr->npre), nj = pr->hi - pr->lo;
    uint64_t nsyn = (uint64_t)nj * k;
    if (nsyn > RT_MAX_SYN)
        return rt_too_many(pr, "", (double)nsyn, err);
    pr->nsyn = nsyn;
    int nt = rt_rows_tasks(s, nj);
    rt_degree_phase ph = {s, pr, q, m, NULL, NULL, 0, NULL};
    ph.src = malloc((size_t)(nsyn ? nsyn : 1) * sizeof *ph.src);
    ph.mark = k ? rt_scratch_new(nt, m) : NULL;
    uint64_t *next = malloc(((size_t)pr->npre + 1) * sizeof *next);
    axon_status st = AXON_OK;
    if (!ph.src || (k && !ph.mark) || !next) {
        st = rt_oom(pr, err);
        goto done;
    }
    if (k)
        rt_rows_run(s, nj, rt_indegree_rows, &ph);
    rt_scratch_free(ph.mark, nt);
    ph.mark = NULL;
    memset(pr->row, 0, ((size_t)pr->npre + 1) * sizeof *pr->row);
    for (uint64_t x = 0; x < nsyn; x++)
        pr->row[ph.src[x] + 1]++;
    for (uint32_t i = 0; i < pr->npre; i++)
        pr->row[i + 1] += pr->row[i];
    if ((st = rt_alloc_post(pr, nsyn, err)) != AXON_OK)
        goto done;
    memcpy(next, pr->row, ((size_t)pr->npre + 1) * sizeof *next);
    ph.next = next;
    if (k)
        rt_rows_run(s, pr->npre, rt_indegree_scatter, &ph);
done:
    free(ph.src);
    rt_scratch_free(ph.mark, nt);
    free(next);
    return st;
}

/* Row i of a fixed out-degree projection: its k targets in increasing order into out. */
static void rt_outdegree_row(const rt_degree_phase *ph, uint32_t i, uint32_t *mark,
                             uint32_t *out)
{
    const rt_proj *pr = ph->pr;
    uint32_t k = pr->d->k, m = ph->m;
    axon_rng_stream r;
    rt_substream(&r, ph->s->seed, ph->q, RT_PURPOSE_CONN, i);
    rt_floyd(&r, m, k, mark, i + 1, out);
    if ((uint64_t)k * 16 >= m) {
        uint32_t n = 0;
        for (uint32_t c = 0; c < m; c++)
            if (mark[c] == i + 1)
                out[n++] = c;
    } else {
        qsort(out, k, sizeof *out, rt_cmp_u32);
    }
    if (rt_no_self(pr->d)) /* c -> c + (c >= i) keeps the order */
        for (uint32_t n = 0; n < k; n++)
            out[n] += out[n] >= i;
}

/* Rows [b, e): straight into post (pass 0), or into scratch (the task's mark array holds k
 * more entries) to count (1) or copy (2) the targets in [lo, hi). */
static void rt_outdegree_rows(void *arg, uint32_t b, uint32_t e, int task)
{
    const rt_degree_phase *ph = arg;
    rt_proj *pr = ph->pr;
    uint32_t k = pr->d->k, *mark = ph->mark[task], *tmp = mark + ph->m;
    for (uint32_t i = b; i < e; i++) {
        if (ph->pass == 0) {
            rt_outdegree_row(ph, i, mark, pr->post + pr->row[i]);
            continue;
        }
        rt_outdegree_row(ph, i, mark, tmp);
        uint32_t x = 0, n = 0;
        while (x < k && tmp[x] < pr->lo)
            x++;
        for (; x < k && tmp[x] < pr->hi; x++)
            if (ph->pass == 2)
                pr->post[pr->row[i] + n++] = tmp[x];
            else
                n++;
        if (ph->pass == 1)
            pr->row[i + 1] = n;
    }
}

/* Fixed out-degree: each pre i draws its k posts from its own substream (a part over MPI
 * ranks: twice, counting then keeping those in [lo, hi), so as not to hold the whole row set). */
static axon_status rt_build_outdegree(axon_sim *s, rt_proj *pr, uint32_t q, axon_err *err)
{
    uint32_t k = pr->d->k, m = rt_candidates(pr->d, pr->npost);
    int whole = pr->lo == 0 && pr->hi == pr->npost;
    axon_status st = AXON_OK;
    if (whole || k == 0) {
        if ((st = rt_alloc_post(pr, whole ? (uint64_t)pr->npre * k : 0, err)) != AXON_OK)
            return st;
        for (uint32_t i = 0; i <= pr->npre; i++)
            pr->row[i] = whole ? (uint64_t)i * k : 0;
        if (k == 0 || pr->npre == 0)
            return AXON_OK;
    }
    int nt = rt_rows_tasks(s, pr->npre);
    /* marks, then (a part) room for a row */
    rt_degree_phase ph = {s, pr, q, m, NULL, rt_scratch_new(nt, m + (whole ? 0 : k)), 0, NULL};
    if (!ph.mark)
        return rt_oom(pr, err);
    if (whole) {
        rt_rows_run(s, pr->npre, rt_outdegree_rows, &ph);
    } else {
        ph.pass = 1;
        rt_rows_run(s, pr->npre, rt_outdegree_rows, &ph);
        if ((st = rt_rows_sum(pr, err)) == AXON_OK &&
            (st = rt_alloc_post(pr, pr->row[pr->npre], err)) == AXON_OK) {
            for (int t = 0; t < nt; t++) /* the stamps start again */
                memset(ph.mark[t], 0, (size_t)m * sizeof **ph.mark);
            ph.pass = 2;
            rt_rows_run(s, pr->npre, rt_outdegree_rows, &ph);
        }
    }
    rt_scratch_free(ph.mark, nt);
    return st;
}

static axon_status rt_build_where(axon_sim *s, rt_proj *pr, axon_err *err)
{
    const axon_proj_desc *d = pr->d;
    int self = rt_no_self(d);
    axon_step_ctx ctx = rt_ctx(s, 0, NULL);
    uint32_t *buf = NULL;
    uint64_t n = 0, cap = 0;
    for (uint32_t i = 0; i < pr->npre; i++) {
        pr->row[i] = n;
        for (uint32_t j = pr->lo; j < pr->hi; j++) {
            if ((self && j == i) || !d->where(&ctx, i, j))
                continue;
            if (n == cap) {
                if (n == RT_MAX_SYN) {
                    free(buf);
                    return rt_too_many(pr, "more than ", (double)RT_MAX_SYN, err);
                }
                uint64_t nc = cap < 1024 ? 1024 : cap * 2;
                if (nc > RT_MAX_SYN)
                    nc = RT_MAX_SYN;
                uint32_t *nb = realloc(buf, (size_t)nc * sizeof *nb);
                if (!nb) {
                    free(buf);
                    pr->nsyn = n;
                    return rt_oom(pr, err);
                }
                buf = nb;
                cap = nc;
            }
            buf[n++] = j;
        }
    }
    pr->row[pr->npre] = n;
    axon_status st = rt_alloc_post(pr, n, err);
    if (st == AXON_OK && n)
        memcpy(pr->post, buf, (size_t)n * sizeof *buf);
    free(buf);
    return st;
}

/* The listed edges (checked by rt_check_edges) whose target is in [lo, hi): already in CSR
 * order. */
static axon_status rt_build_file(rt_proj *pr, axon_err *err)
{
    const axon_proj_desc *d = pr->d;
    uint64_t n = 0;
    for (uint64_t s = 0; s < d->nedges; s++)
        if (d->edge_post[s] >= pr->lo && d->edge_post[s] < pr->hi) {
            pr->row[d->edge_pre[s] + 1]++;
            n++;
        }
    axon_status st = rt_alloc_post(pr, n, err);
    if (st != AXON_OK)
        return st;
    for (uint32_t i = 0; i < pr->npre; i++)
        pr->row[i + 1] += pr->row[i];
    n = 0;
    for (uint64_t s = 0; s < d->nedges; s++)
        if (d->edge_post[s] >= pr->lo && d->edge_post[s] < pr->hi)
            pr->post[n++] = d->edge_post[s];
    return AXON_OK;
}

/* ---- synapse state */

/* The rounded delays of one task's synapses: the first whose delay is refused (and that
 * delay), the count of rounded delays and their bounds; scratch for one row (rt_order_by_delay). */
typedef struct {
    uint64_t bad; /* UINT64_MAX: none */
    double bad_delay;
    uint64_t nrounded;
    uint32_t dmin, dmax;
    uint64_t *perm, *cnt;
    char *tmp;
} rt_delay_part;

/* Rounds the delays dl[0 .. e - b) (s) of synapses [b, e) to steps into pr->delay; false at
 * the first one refused (p->bad). */
static bool rt_delay_round(const axon_sim *s, rt_proj *pr, const double *dl, uint64_t b,
                           uint64_t e, rt_delay_part *p)
{
    double dt = s->dt;
    for (uint64_t k = b; k < e; k++) {
        double d = dl[k - b], x = d / dt, r = round(x); /* as the compiler rounds a projection-wide delay */
        if (!(d >= 0) || !isfinite(d) || r > RT_MAX_HET_DELAY) {
            p->bad = k;
            p->bad_delay = d;
            return false;
        }
        if (d > 0 && fabs(r - x) > 0.01 * x)
            p->nrounded++;
        uint16_t v = (uint16_t)r;
        pr->delay[k] = v;
        if (v < p->dmin)
            p->dmin = v;
        if (v > p->dmax)
            p->dmax = v;
    }
    return true;
}

#define RT_DELAY_CHUNK 2048 /* delays computed, then rounded, at a time (16 KiB) */

typedef struct {
    axon_sim *s;
    rt_proj *pr;
    axon_step_ctx ctx;
    uint64_t nblocks;
    int ntasks;
    rt_delay_part *part; /* per task: run the delay kernel; NULL: the init kernel */
    double **buf;        /* per task: RT_DELAY_CHUNK delays */
} rt_syn_phase;

/* Task c: blocks [c nb / nt, (c+1) nb / nt), the last one clipped to nsyn. Both kernels draw
 * by synapse index, so the split does not change a value. The delay kernel runs on chunks of
 * RT_DELAY_CHUNK synapses, each rounded into pr->delay at once (the kernel writes the delay of
 * synapse k to out[k]: out is the chunk's buffer shifted back by its first synapse); a task
 * stops at its first refused delay. */
static void rt_syn_init_task(void *arg, int task)
{
    rt_syn_phase *ph = arg;
    rt_proj *pr = ph->pr;
    uint64_t b = (uint64_t)task * ph->nblocks / (uint64_t)ph->ntasks * RT_BLOCK;
    uint64_t e = ((uint64_t)task + 1) * ph->nblocks / (uint64_t)ph->ntasks * RT_BLOCK;
    if (e > pr->nsyn)
        e = pr->nsyn;
    if (b >= e)
        return;
    if (!ph->part) {
        pr->d->init(&ph->ctx, pr->vars, pr->pre, pr->post, b, e);
        return;
    }
    double *buf = ph->buf[task];
    for (uint64_t c = b; c < e; c += RT_DELAY_CHUNK) {
        uint64_t ce = e - c < RT_DELAY_CHUNK ? e : c + RT_DELAY_CHUNK;
        double *out = (double *)((uintptr_t)buf - (uintptr_t)(c * sizeof *buf));
        pr->d->delays(&ph->ctx, pr->pre, pr->post, c, ce, out);
        if (!rt_delay_round(ph->s, pr, buf, c, ce, &ph->part[task]))
            return;
    }
}

/* The number of tasks of rt_syn_run. */
static int rt_syn_tasks(const axon_sim *s, const rt_proj *pr)
{
    uint64_t nb = pr->cap / RT_BLOCK;
    return nb < (uint64_t)s->pool_threads ? (int)nb : s->pool_threads;
}

/* Runs the init kernel (part == NULL) or the delay kernel over all synapses, on the pool. */
static void rt_syn_run(axon_sim *s, rt_proj *pr, rt_delay_part *part, double **buf)
{
    rt_syn_phase ph = {.s = s,
                       .pr = pr,
                       .ctx = rt_ctx(s, 0, s->signal),
                       .nblocks = pr->cap / RT_BLOCK,
                       .ntasks = rt_syn_tasks(s, pr),
                       .part = part,
                       .buf = buf};
    ph.ctx.syn_offset = pr->goff; /* a rank's part: draws by index in the whole projection */
    if (ph.ntasks > 1)
        rt_pool_run(s->pool, rt_syn_init_task, &ph, ph.ntasks);
    else
        rt_syn_init_task(&ph, 0);
}

static int rt_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

typedef struct {
    axon_sim *s;
    rt_proj *pr;
    rt_delay_part *part; /* per task */
    uint32_t nd;         /* dmax - dmin + 1 */
} rt_delay_phase;

/* Rows [b, e): each row ordered by (delay, position), its targets, delays and
 * per-synapse variables moved together, in the task's scratch. */
static void rt_delay_sort_rows(void *arg, uint32_t b, uint32_t e, int task)
{
    const rt_delay_phase *ph = arg;
    rt_proj *pr = ph->pr;
    const axon_proj_desc *d = pr->d;
    rt_delay_part *p = &ph->part[task];
    uint64_t *perm = p->perm, *cnt = p->cnt;
    uint32_t nd = ph->nd, dmin = pr->dmin;
    size_t esz = ph->s->esz;
    for (uint32_t i = b; i < e; i++) {
        uint64_t rb = pr->row[i], n = pr->row[i + 1] - rb;
        const uint16_t *dl = pr->delay + rb;
        if (n < 2)
            continue;
        if (n < nd) {
            /* a short row: sort (delay, position) keys; stable because positions are unique */
            for (uint64_t k = 0; k < n; k++)
                perm[k] = (uint64_t)dl[k] << 48 | k;
            qsort(perm, (size_t)n, sizeof *perm, rt_cmp_u64);
            for (uint64_t k = 0; k < n; k++)
                perm[k] &= ((uint64_t)1 << 48) - 1;
        } else {
            memset(cnt, 0, ((size_t)nd + 1) * sizeof *cnt);
            for (uint64_t k = 0; k < n; k++)
                cnt[dl[k] - dmin + 1]++;
            for (uint32_t x = 1; x <= nd; x++)
                cnt[x] += cnt[x - 1];
            for (uint64_t k = 0; k < n; k++)
                perm[cnt[dl[k] - dmin]++] = k; /* new position <- old synapse */
        }
        uint32_t *post = pr->post + rb;
        for (uint64_t k = 0; k < n; k++)
            ((uint32_t *)p->tmp)[k] = post[perm[k]];
        memcpy(post, p->tmp, (size_t)n * sizeof *post);
        uint16_t *delay = pr->delay + rb;
        for (uint64_t k = 0; k < n; k++)
            ((uint16_t *)p->tmp)[k] = delay[perm[k]];
        memcpy(delay, p->tmp, (size_t)n * sizeof *delay);
        for (uint32_t v = 0; v < d->nvars; v++) {
            int kind = d->vars[v].kind;
            if (kind == AXON_VAR_PER_PRE || kind == AXON_VAR_PER_POST)
                continue;
            size_t vsz = rt_proj_vsz(pr, v, esz); /* its element type's */
            char *a = (char *)pr->vars[v] + rb * vsz;
            for (uint64_t k = 0; k < n; k++)
                memcpy((char *)p->tmp + k * vsz, a + perm[k] * vsz, vsz);
            memcpy(a, p->tmp, (size_t)n * vsz);
        }
    }
}

static void rt_delay_parts_free(rt_delay_part *part, int ntasks)
{
    for (int t = 0; part && t < ntasks; t++) {
        free(part[t].perm);
        free(part[t].cnt);
        free(part[t].tmp);
    }
    free(part);
}

static rt_delay_part *rt_delay_parts_new(int ntasks)
{
    rt_delay_part *part = calloc((size_t)ntasks, sizeof *part);
    for (int t = 0; part && t < ntasks; t++)
        part[t] = (rt_delay_part){.bad = UINT64_MAX, .dmin = RT_MAX_HET_DELAY};
    return part;
}

/* The error of the first refused delay, synapse k's delay d (s). */
static axon_status rt_delay_refused(const axon_sim *s, const rt_proj *pr, uint64_t k, double d,
                                    axon_err *err)
{
    if (!(d >= 0) || !isfinite(d)) {
        /* the synapse's neurons: its row by bisection, its target */
        uint64_t lo = 0, hi = pr->npre;
        while (pr->row && hi - lo > 1) {
            uint64_t mid = lo + (hi - lo) / 2;
            if (pr->row[mid] <= k)
                lo = mid;
            else
                hi = mid;
        }
        return axon_err_set(err, AXON_EINVAL,
                            "projection '%s': synapse %llu (from neuron %llu to %u) has a delay "
                            "of %g ms: a delay must be a finite time of at least 0",
                            pr->d->name, (unsigned long long)k, (unsigned long long)lo,
                            rt_target(pr, k), d * 1e3);
    }
    return axon_err_set(err, AXON_ERANGE, "projection '%s': a delay of %g s is %.0f steps, at most %u",
                        pr->d->name, d, round(d / s->dt), RT_MAX_HET_DELAY);
}

/*
 * Per-synapse delays (axon_proj_desc.delays) in steps: pr->delay[s] is the delay of synapse s,
 * dmin / dmax bound them. The delay kernel runs on the pool (rt_syn_run), and each chunk of
 * its output is rounded as it comes; tasks cover increasing synapses, so the lowest task's
 * refused delay is the first.
 */
static axon_status rt_delays_compute(axon_sim *s, rt_proj *pr, axon_err *err)
{
    if (!(pr->delay = rt_alloc_syn_zeroed((size_t)pr->cap * sizeof *pr->delay)))
        return rt_oom(pr, err);
    pr->bytes += (size_t)pr->cap * sizeof *pr->delay;
    pr->dmin = RT_MAX_HET_DELAY;
    pr->dmax = 0;
    if (pr->nsyn == 0) {
        pr->dmin = 0;
        return AXON_OK;
    }
    int nt = rt_syn_tasks(s, pr);
    rt_delay_part *part = rt_delay_parts_new(nt);
    double **buf = calloc((size_t)nt, sizeof *buf);
    axon_status st = AXON_OK;
    for (int t = 0; buf && t < nt; t++)
        if (!(buf[t] = malloc(RT_DELAY_CHUNK * sizeof **buf)))
            break;
    if (!part || !buf || !buf[nt - 1]) {
        st = rt_oom(pr, err);
        goto done;
    }
    rt_syn_run(s, pr, part, buf);
    for (int t = 0; t < nt; t++) {
        if (part[t].bad != UINT64_MAX) {
            st = rt_delay_refused(s, pr, part[t].bad, part[t].bad_delay, err);
            goto done;
        }
        pr->nrounded += part[t].nrounded;
        if (part[t].dmin < pr->dmin)
            pr->dmin = part[t].dmin;
        if (part[t].dmax > pr->dmax)
            pr->dmax = part[t].dmax;
    }
done:
    for (int t = 0; buf && t < nt; t++)
        free(buf[t]);
    free(buf);
    rt_delay_parts_free(part, nt);
    return st;
}

/*
 * Orders each row by (delay, target) with a stable counting sort by delay (rows list targets
 * in increasing order; a row shorter than the delay range is sorted by (delay, position) keys
 * instead), moving every per-synapse value with its synapse. Row by row on the pool
 * (consecutive rows per task, each with a row-sized scratch); every row's order is that of a
 * stable sort, whatever the split.
 */
static axon_status rt_order_by_delay(axon_sim *s, rt_proj *pr, axon_err *err)
{
    if (pr->nsyn == 0)
        return AXON_OK;
    int nt = rt_rows_tasks(s, pr->npre);
    rt_delay_phase ph = {s, pr, rt_delay_parts_new(nt), pr->dmax - pr->dmin + 1};
    if (!ph.part)
        return rt_oom(pr, err);
    uint64_t maxrow = 0;
    for (uint32_t i = 0; i < pr->npre; i++)
        if (pr->row[i + 1] - pr->row[i] > maxrow)
            maxrow = pr->row[i + 1] - pr->row[i];
    size_t width = s->esz > sizeof(uint32_t) ? s->esz : sizeof(uint32_t);
    for (int t = 0; t < nt; t++) {
        rt_delay_part *p = &ph.part[t];
        p->perm = malloc((size_t)maxrow * sizeof *p->perm);
        p->cnt = malloc(((size_t)ph.nd + 1) * sizeof *p->cnt);
        p->tmp = malloc((size_t)maxrow * width);
        if (!p->perm || !p->cnt || !p->tmp) {
            rt_delay_parts_free(ph.part, nt);
            return rt_oom(pr, err);
        }
    }
    rt_rows_run(s, pr->npre, rt_delay_sort_rows, &ph);
    rt_delay_parts_free(ph.part, nt);
    return AXON_OK;
}

/*
 * Per-synapse delays as a table of where each delay starts in each row (pr->doff), in place of
 * the delay of every synapse, when the table is no larger: npre * (dmax - dmin + 1) indices of
 * 4 bytes (and one more, the end of the last row) against 2 bytes per synapse. The entries are
 * indices into the projection, not offsets into the row, so that delivery finds the part of a
 * row due at a delay by one load (two adjacent entries) and reads no row offsets; rt_proj_cuts
 * may widen the table later (sim.h). Rows with few synapses and a wide range of delays keep
 * delay[].
 */
static axon_status rt_delay_table(rt_proj *pr, axon_err *err)
{
    uint64_t nd = (uint64_t)pr->dmax - pr->dmin + 1;
    if (pr->nsyn == 0 || (uint64_t)pr->npre * nd * sizeof *pr->doff > pr->nsyn * sizeof *pr->delay)
        return AXON_OK;
    size_t n = (size_t)pr->npre * nd + 1;
    uint32_t *t = rt_alloc_syn(n * sizeof *t, NULL);
    if (!t)
        return rt_oom(pr, err);
    for (uint32_t i = 0; i < pr->npre; i++) {
        uint64_t e = pr->row[i + 1], k = pr->row[i];
        for (uint64_t j = 0; j < nd; j++) {
            while (k < e && pr->delay[k] < pr->dmin + j)
                k++;
            t[i * nd + j] = (uint32_t)k; /* < 2^32: RT_MAX_SYN */
        }
    }
    t[n - 1] = (uint32_t)pr->nsyn;
    pr->doff = t;
    pr->bytes += n * sizeof *t;
    pr->bytes -= (size_t)pr->cap * sizeof *pr->delay;
    free(pr->delay);
    pr->delay = NULL;
    return AXON_OK;
}

/*
 * AXON_PROJ_POST16 (model.h, ABI 10): the targets, built as uint32 (the connectors, the init
 * and delay kernels and the order by delay take them so), narrowed to uint16 in their own
 * array, which is then shrunk to its new size: a projection takes 2 bytes less per synapse
 * from here on, and narrowing takes no memory beyond a block on the stack (a second array
 * would make the build's peak 6 bytes per synapse of the largest projection: COBA's E -> E is
 * 64% of its synapses). Done as soon as nothing needs them wide: right after the connector
 * when the projection has neither an init nor a delay kernel (phase 1, so that the next
 * projections are built beside narrow ones), else once its synapses are initialised and
 * ordered (phase 3). Block by block, each read whole before it is written: the 2-byte targets
 * of synapses [k, k + n) take the bytes of the 4-byte ones [k / 2, (k + n) / 2), all read.
 */
static void rt_narrow_targets(rt_proj *pr)
{
    uint16_t buf[1024];
    const size_t nb = sizeof buf / sizeof *buf;
    char *a = (char *)pr->post;
    for (uint64_t k = 0; k < pr->nsyn; k += nb) {
        size_t n = pr->nsyn - k < nb ? (size_t)(pr->nsyn - k) : nb;
        for (size_t x = 0; x < n; x++)
            buf[x] = (uint16_t)pr->post[k + x]; /* < npost <= RT_MAX_POST16 (rt_proj_check) */
        memcpy(a + k * sizeof *buf, buf, n * sizeof *buf);
    }
    memset(a + pr->nsyn * sizeof *buf, 0, (size_t)(pr->cap - pr->nsyn) * sizeof *buf);
    /* shrinking keeps the block (glibc: in place, or mremap for a mapped one); a block that
       could not shrink stays as it is */
    size_t bytes = ((size_t)pr->cap * sizeof *buf + AXON_ALIGN - 1) / AXON_ALIGN * AXON_ALIGN;
    void *t = realloc(a, bytes);
    pr->post16 = t ? t : (void *)a;
    pr->post = NULL;
}

/* Phase 1 of setup: the connectivity of this process's targets [lo, hi) of the post population
 * (all of them in one process; a rank's block over MPI, mpi.c), with no collective call. */
static axon_status rt_proj_connect(axon_sim *s, uint32_t q, axon_err *err)
{
    rt_proj *pr = &s->projs[q];
    const axon_proj_desc *d = &s->m->projs[q];
    pr->d = d;
    pr->npre = s->pops[d->pre].size;
    pr->npost = s->pops[d->post].size;
    pr->lo = s->mpi ? s->pops[d->post].lo : 0;
    pr->hi = s->mpi ? s->pops[d->post].hi : pr->npost;
    if (!(pr->row = rt_alloc_zeroed(((size_t)pr->npre + 1) * sizeof *pr->row)))
        return rt_oom(pr, err);
    /* over MPI: room for rt_proj_whole_index (allocated here, before any collective call) */
    if (s->mpi && !(pr->goff = malloc(((size_t)pr->npre + 1) * 2 * sizeof *pr->goff)))
        return rt_oom(pr, err);
    axon_status st;
    switch (d->connector) {
    case AXON_CONN_ALL: st = rt_build_all(pr, err); break;
    case AXON_CONN_ONE: st = rt_build_one(pr, err); break;
    case AXON_CONN_RANDOM: st = rt_build_random(s, pr, q, err); break;
    case AXON_CONN_INDEGREE: st = rt_build_indegree(s, pr, q, err); break;
    case AXON_CONN_OUTDEGREE: st = rt_build_outdegree(s, pr, q, err); break;
    case AXON_CONN_FILE: st = rt_build_file(pr, err); break;
    default: st = rt_build_where(s, pr, err); break;
    }
    /* 16-bit targets that no init or delay kernel reads: narrowed now, before the next
       projection is built (rt_narrow_targets) */
    if (st == AXON_OK && (d->flags & AXON_PROJ_POST16) && !d->init && !d->delays)
        rt_narrow_targets(pr);
    return st;
}

/*
 * Phase 2, over MPI ranks (every rank, collectively): where this rank's synapses lie in the
 * whole projection. Blocks are contiguous in rank order and rows list targets in increasing
 * order, so row i's synapses on this rank follow those of the ranks before it: with c[i] this
 * rank's count in row i, its first one is synapse G[i] + sum over lower ranks of c[i] of the
 * whole projection, G[i] the start of row i there (a prefix sum of the counts summed over the
 * ranks). goff[i] = that - row[i], for the init and delay kernels (model.h, ABI 7).
 */
static axon_status rt_proj_whole_index(axon_sim *s, rt_proj *pr, axon_err *err)
{
    uint64_t *before = pr->goff, *total = pr->goff + pr->npre + 1;
    for (uint32_t i = 0; i < pr->npre; i++)
        before[i] = total[i] = pr->row[i + 1] - pr->row[i];
    rt_mpi_exscan(s, before, pr->npre);
    rt_mpi_sum(s, total, pr->npre);
    uint64_t g = 0;
    for (uint32_t i = 0; i < pr->npre; i++) {
        uint64_t n = total[i];
        pr->goff[i] = g + before[i] - pr->row[i];
        g += n;
    }
    pr->nsyn_all = g; /* the same on every rank, so is the error */
    if (g > RT_MAX_SYN)
        return rt_too_many(pr, "", (double)g, err);
    return AXON_OK;
}

/* Whether a rank needs its synapses' indices in the whole projection after setup: for handlers
 * that draw random numbers or a record of a per-synapse variable (goff, or with rows ordered by
 * delay gidx). */
static int rt_proj_needs_whole(const axon_sim *s, const rt_proj *pr)
{
    const axon_proj_desc *d = pr->d;
    if (!s->mpi || rt_mpi_size(s) == 1)
        return 0;
    if (d->flags & AXON_PROJ_SYN_DRAWS)
        return 1;
    int q = (int)(pr - s->projs);
    for (uint32_t k = 0; k < s->m->nrecords; k++) {
        const axon_record_desc *r = &s->m->records[k];
        if (r->kind == AXON_REC_WEIGHTS && r->target == q && r->var >= 0 &&
            (uint32_t)r->var < d->nvars && d->vars[r->var].kind != AXON_VAR_PER_PRE &&
            d->vars[r->var].kind != AXON_VAR_PER_POST)
            return 1;
    }
    return 0;
}

/* pre[s] = i for the synapses s of rows [b, e) (the init and delay kernels read it). */
static void rt_pre_rows(void *arg, uint32_t b, uint32_t e, int task)
{
    (void)task;
    rt_proj *pr = arg;
    for (uint32_t i = b; i < e; i++)
        for (uint64_t k = pr->row[i]; k < pr->row[i + 1]; k++)
            pr->pre[k] = i;
}

/* After the init kernel: each synapse's value of a per-synapse parameter whose range the
 * model states (model.h's min and max: one that picks an element of the target's vector,
 * post.X[seg]) lies within it. The run stops here rather than deliver to no element. */
static axon_status rt_proj_ranges(const axon_sim *s, const rt_proj *pr, axon_err *err)
{
    const axon_model_desc *m = s->m;
    int32_t q = (int32_t)(pr - s->projs);
    for (uint32_t k = 0; k < m->nparams; k++) {
        const axon_param_desc *p = &m->params[k];
        if (!(p->flags & AXON_PARAM_PROJ) || p->kind != AXON_PARAM_PER_ITEM || p->owner != q ||
            (p->flags & AXON_PARAM_BOOL) || (p->min == -DBL_MAX && p->max == DBL_MAX))
            continue;
        const void *a = pr->vars[p->index];
        for (uint64_t i = 0; i < pr->nsyn; i++) {
            double v = rt_elem_get(a, rt_elem(&pr->d->vars[p->index], s->esz), i);
            if (v >= p->min && v <= p->max)
                continue;
            return axon_err_set(err, AXON_EINVAL,
                                "projection '%s': the synapse from neuron %u to neuron %u has "
                                "'%s' = %g, but it must be within [%g, %g]",
                                pr->d->name, pr->pre ? pr->pre[i] : 0, rt_target(pr, i), p->name, v,
                                p->min, p->max);
        }
    }
    return AXON_OK;
}

/*
 * AXON_PROJ_BLOCKS (model.h, ABI 13): the targets and the only variable, built in arrays of
 * their own (the connector on this process's targets, the init kernel, the order by delay,
 * the narrowing), are moved into blocks of AXON_SYN_BLOCK synapses, each its targets then its
 * values, at the end of rt_proj_state: from there on the kernels and every reader (the delay
 * table, the cuts, over MPI the whole indices, then the run's) go through the block rule
 * (sim.h, rt_target and rt_proj_vidx). The same bytes in all (cap is a multiple of
 * the block). In place: the values' array was allocated with room for the targets
 * (rt_proj_state; on huge pages, which a realloc that moves it could split), and the blocks are
 * written from the last to the first: block b's bytes [b bb, (b + 1) bb) lie at or past the
 * values of every block before it ([0, b AXON_SYN_BLOCK vsz)), and its own values are read
 * before they are overwritten. Then the targets' array is freed.
 */
static void rt_pack_blocks(const axon_sim *s, rt_proj *pr)
{
    const axon_var_desc *x = &pr->d->vars[0];
    size_t vsz = rt_proj_vsz(pr, 0, s->esz);
    size_t bb = (size_t)x->stride * vsz, lead = (size_t)x->lane * vsz;
    _Static_assert(RT_BLOCK % AXON_SYN_BLOCK == 0, "cap holds whole blocks");
    uint64_t nb = pr->cap / AXON_SYN_BLOCK;
    char *blk = pr->vars[0];
    /* narrowed by now (AXON_PROJ_POST16, which rt_proj_check asks of blocks; cap entries,
       padding 0) */
    const uint16_t *t16 = pr->post16;
    for (uint64_t b = nb; b-- > 0;) {
        char *o = blk + b * bb;
        uint64_t k0 = b * AXON_SYN_BLOCK;
        uint64_t w[AXON_SYN_BLOCK]; /* the block's values, before they are overwritten */
        memcpy(w, blk + k0 * vsz, AXON_SYN_BLOCK * vsz);
        memcpy(o, t16 + k0, AXON_SYN_BLOCK * sizeof *t16);
        memcpy(o + lead, w, AXON_SYN_BLOCK * vsz);
    }
    free(pr->post16);
    free(pr->post);
    pr->post16 = NULL;
    pr->post = NULL;
    pr->blk = blk;
    pr->blk_stride = (uint32_t)x->stride;
    pr->blk_tstride = (uint32_t)(bb / sizeof(uint16_t));
    pr->blk_bytes = (uint32_t)bb;
    pr->vars[0] = blk + lead;
}

/* Phase 3: synapse variables, the delay kernel (rounded to steps), the init kernel, the order
 * by delay, the targets narrowed. */
static axon_status rt_proj_state(axon_sim *s, rt_proj *pr, axon_err *err)
{
    const axon_proj_desc *d = pr->d;
    pr->vars = calloc(d->nvars ? d->nvars : 1, sizeof *pr->vars);
    if (!pr->vars)
        return rt_oom(pr, err);
    pr->bytes = ((size_t)pr->npre + 1) * sizeof *pr->row + (size_t)pr->cap * rt_target_size(pr);
    for (uint32_t v = 0; v < d->nvars; v++) {
        int kind = d->vars[v].kind;
        size_t n = kind == AXON_VAR_PER_PRE    ? s->pops[d->pre].cap
                   : kind == AXON_VAR_PER_POST ? s->pops[d->post].cap
                                               : (size_t)pr->cap;
        size_t vsz = rt_proj_vsz(pr, v, s->esz); /* float for a narrowed one (model.h) */
        size_t k = rt_proj_vstride(pr, v);
        if (k > 1 && d->vars[v].lane > 0) {
            /* a lane of an interleaved group (model.h, ABI 12): in its lane-0 variable's
               array, the first of the group (checked by rt_proj_check) */
            uint32_t u = 0;
            while (d->vars[u].kind != d->vars[v].kind || d->vars[u].stride <= 1)
                u++;
            pr->vars[v] = (char *)pr->vars[u] + (size_t)d->vars[v].lane * vsz;
            continue;
        }
        /* the variable of a projection in blocks (ABI 13): room for the targets too, which
           rt_pack_blocks moves in once the projection is built */
        size_t room = (d->flags & AXON_PROJ_BLOCKS) ? n * sizeof(uint16_t) : 0;
        if (!(pr->vars[v] = rt_alloc_syn_zeroed(n * k * vsz + room)))
            return rt_oom(pr, err);
        pr->bytes += n * k * vsz;
    }
    if ((d->init || d->delays) && pr->nsyn > 0) {
        if (!(pr->pre = rt_alloc_index(pr->nsyn, pr->cap)))
            return rt_oom(pr, err);
        rt_rows_run(s, pr->npre, rt_pre_rows, pr);
    }
    axon_status st = d->delays ? rt_delays_compute(s, pr, err) : AXON_OK;
    if (st == AXON_OK && d->init && pr->nsyn > 0)
        rt_syn_run(s, pr, NULL, NULL);
    if (st == AXON_OK)
        st = rt_proj_ranges(s, pr, err);
    free(pr->pre);
    pr->pre = NULL;
    /* handlers that draw key their draws by the same index (model.h, ABI 8), and weight
       records name their columns by it (record.c): kept for them, unless the rows are
       ordered by delay below (then rt_proj_whole_delays finds each synapse's index) */
    if (!pr->goff || d->delays || !rt_proj_needs_whole(s, pr)) {
        free(pr->goff);
        pr->goff = NULL;
    }
    if (st == AXON_OK && d->delays)
        st = rt_order_by_delay(s, pr, err);
    if (st == AXON_OK && pr->post && (d->flags & AXON_PROJ_POST16)) {
        rt_narrow_targets(pr);
        pr->bytes -= (size_t)pr->cap * (sizeof(uint32_t) - sizeof *pr->post16);
    }
    /* the targets and the variable in blocks (ABI 13), now that nothing moves them: what comes
       after (the delay table, the cuts, over MPI the whole indices) reads the targets through
       rt_target, and the next projections are built without this one's split arrays */
    if (st == AXON_OK && (d->flags & AXON_PROJ_BLOCKS))
        rt_pack_blocks(s, pr);
    return st;
}

/* Over MPI ranks (collectively): the bounds of the delays and the count of rounded ones are
 * those of the whole projection, as one process finds them (the exchange interval and the
 * summary use them). A rank without synapses leaves the bounds to the others. */
static void rt_proj_agree_delays(axon_sim *s, rt_proj *pr)
{
    uint64_t lo[2] = {pr->nsyn ? pr->dmin : RT_MAX_HET_DELAY + 1u,
                      pr->nsyn ? RT_MAX_HET_DELAY - pr->dmax : RT_MAX_HET_DELAY + 1u};
    rt_mpi_min(s, lo, 2);
    rt_mpi_sum(s, &pr->nrounded, 1);
    if (lo[0] > RT_MAX_HET_DELAY) { /* no synapse anywhere */
        pr->dmin = pr->dmax = 0;
        return;
    }
    pr->dmin = (uint32_t)lo[0];
    pr->dmax = RT_MAX_HET_DELAY - (uint32_t)lo[1];
}

/*
 * Over MPI ranks, for a projection with per-synapse delays whose handlers draw random numbers
 * or whose per-synapse variable is recorded: the index in the whole projection of each synapse
 * held here (gidx). Rows are ordered by (delay, target) here as in one process, and the ranks'
 * blocks of targets are in rank order, so synapse k of row i with delay v is, in the whole
 * projection, after the whole rows before i, the synapses of row i with shorter delays on
 * every rank, and those of row i with delay v on the ranks before this one: counts per (row,
 * delay) summed and scanned over the ranks, RT_WHOLE_COUNTS of them per collective call. gidx
 * increases with k. First the room (every rank agrees before the collective calls), then the
 * indices.
 */
#define RT_WHOLE_COUNTS ((uint64_t)1 << 20)

static uint64_t rt_whole_rows(const rt_proj *pr)
{
    uint64_t nd = (uint64_t)pr->dmax - pr->dmin + 1, rows = RT_WHOLE_COUNTS / nd;
    return rows ? rows : 1;
}

static axon_status rt_proj_whole_room(axon_sim *s, rt_proj *pr, uint64_t **cnt, axon_err *err)
{
    uint64_t nd = (uint64_t)pr->dmax - pr->dmin + 1, rows = rt_whole_rows(pr);
    if (rows > pr->npre)
        rows = pr->npre ? pr->npre : 1;
    pr->nhoff = pr->d->flags & AXON_PROJ_SYN_DRAWS ? s->pool_threads : 0; /* (deliver.c) */
    if (!(pr->gidx = rt_alloc_index(pr->nsyn, pr->cap)) ||
        !(pr->hoff = calloc((size_t)pr->nhoff * pr->npre + 1, sizeof *pr->hoff)) ||
        !(*cnt = malloc(2 * (size_t)(rows * nd) * sizeof **cnt)))
        return rt_oom(pr, err);
    pr->bytes += (size_t)pr->cap * sizeof *pr->gidx +
                 ((size_t)pr->nhoff * pr->npre + 1) * sizeof *pr->hoff;
    return AXON_OK;
}

static void rt_proj_whole_delays(axon_sim *s, rt_proj *pr, uint64_t *cnt)
{
    const uint64_t nd = (uint64_t)pr->dmax - pr->dmin + 1, rows = rt_whole_rows(pr);
    uint64_t g = 0; /* the first synapse of the current row in the whole projection */
    for (uint64_t r0 = 0; r0 < pr->npre; r0 += rows) {
        uint64_t r1 = r0 + rows < pr->npre ? r0 + rows : pr->npre;
        size_t n = (size_t)((r1 - r0) * nd);
        uint64_t *before = cnt, *total = cnt + n;
        memset(before, 0, n * sizeof *before);
        for (uint64_t i = r0; i < r1; i++)
            for (uint64_t k = pr->row[i]; k < pr->row[i + 1]; k++)
                before[(i - r0) * nd + (pr->delay[k] - pr->dmin)]++;
        memcpy(total, before, n * sizeof *total);
        rt_mpi_exscan(s, before, n);
        rt_mpi_sum(s, total, n);
        for (uint64_t i = r0; i < r1; i++) {
            uint64_t *b = before + (i - r0) * nd, *t = total + (i - r0) * nd;
            for (uint64_t v = 0; v < nd; v++) { /* b[v]: this rank's first of (row i, delay v) */
                b[v] += g;
                g += t[v];
            }
            for (uint64_t k = pr->row[i]; k < pr->row[i + 1]; k++)
                pr->gidx[k] = (uint32_t)b[pr->delay[k] - pr->dmin]++;
        }
    }
}

static axon_status rt_proj_cuts(axon_sim *s, rt_proj *pr, axon_err *err);

/* Whether pr's on_post waits for each synapse's next on_pre (deliver.c, rt_defer_replay): when
 * the compiler allows it (AXON_PROJ_DEFER_POST), nothing else needs the post-ordered index,
 * the rows are not ordered by delay, synapse indices fit the kernel's 32-bit entries, and the
 * weights take RT_DEFER_MIN_BYTES or more. Results are the same bit for bit either way; the
 * environment variable AXON_TEST_POST overrides the choice for the tests, which compare the
 * paths: =eager, =defer (and never give up: rt_proj_sync), =adaptive (defer, and give up as
 * a large projection does). */
static int rt_proj_defers(const axon_sim *s, const rt_proj *pr)
{
    const axon_proj_desc *d = pr->d;
    const char *force = getenv("AXON_TEST_POST");
    if (!((d->flags & AXON_PROJ_DEFER_POST) && d->on_post_at && d->on_pre && !d->nevents &&
          !d->every_step && !d->continuous && !d->delays && !pr->delay && !pr->doff &&
          pr->nsyn <= UINT32_MAX))
        return 0;
    if (force && !strcmp(force, "eager"))
        return 0;
    if (force && (!strcmp(force, "defer") || !strcmp(force, "adaptive")))
        return 1;
    return (double)pr->nsyn * (double)s->esz >= (double)RT_DEFER_MIN_BYTES;
}

/* The post spike histories of a deferred on_post: per post neuron RT_DEFER_HIST steps and
 * their count, per pre neuron the step its synapses have seen (sim.h). */
static axon_status rt_defer_alloc(axon_sim *s, rt_proj *pr, axon_err *err)
{
    size_t np = pr->npost ? pr->npost : 1, nq = pr->npre ? pr->npre : 1;
    int nt = s->pops[pr->d->post].nchunks; /* delivery's tasks (rt_deliver_range's chunk) */
    if (nt < s->pool_threads)
        nt = s->pool_threads;
    if (nt < 1)
        nt = 1;
    size_t nb = (size_t)nt * RT_DEFER_BATCH;
    if (!(pr->dhist = rt_alloc_zeroed(np * RT_DEFER_HIST * sizeof *pr->dhist)) ||
        !(pr->dlast = rt_alloc_zeroed(np * sizeof *pr->dlast)) ||
        !(pr->dsync = rt_alloc_zeroed(nq * sizeof *pr->dsync)) ||
        !(pr->dt_buf = malloc(nb * sizeof *pr->dt_buf)) ||
        !(pr->ds_buf = malloc(nb * sizeof *pr->ds_buf)))
        return rt_oom(pr, err);
    pr->defer = 1;
    pr->dtasks = nt;
    pr->dbase = s->step;
    pr->bytes += np * (RT_DEFER_HIST * sizeof *pr->dhist + sizeof *pr->dlast) +
                 nq * sizeof *pr->dsync + nb * (sizeof *pr->dt_buf + sizeof *pr->ds_buf);
    return AXON_OK;
}

/* Gives up deferring pr's on_post (rt_proj_sync: flushes too close together cost more than the
 * column walk they save): the post-ordered index built, the histories freed. Called right after
 * a flush, between steps or after a step's plasticity, so the synapses are up to date and the
 * eager path goes on from the same state, bit for bit. Without memory for the index pr keeps
 * deferring (results are the same either way). */
void rt_proj_undefer(axon_sim *s, rt_proj *pr)
{
    if (!pr->defer || pr->dpending)
        return;
    if (rt_build_cols(pr, s->pool_threads) != AXON_OK) { /* what it allocated, freed */
        free(pr->col);
        free(pr->col_pk);
        free(pr->col_first);
        free(pr->col_tmp);
        free(pr->col_pre);
        free(pr->col_syn);
        pr->col = NULL;
        pr->col_pk = NULL;
        pr->col_first = pr->col_tmp = pr->col_pre = pr->col_syn = NULL;
        pr->col_max = 0;
        return;
    }
    size_t np = pr->npost ? pr->npost : 1, nq = pr->npre ? pr->npre : 1;
    size_t nb = (size_t)pr->dtasks * RT_DEFER_BATCH;
    pr->bytes -= np * (RT_DEFER_HIST * sizeof *pr->dhist + sizeof *pr->dlast) +
                 nq * sizeof *pr->dsync + nb * (sizeof *pr->dt_buf + sizeof *pr->ds_buf);
    free(pr->dhist);
    free(pr->dlast);
    free(pr->dsync);
    free(pr->dt_buf);
    free(pr->ds_buf);
    pr->dhist = NULL;
    pr->dlast = NULL;
    pr->dsync = NULL;
    pr->dt_buf = NULL;
    pr->ds_buf = NULL;
    pr->defer = 0;
}

/* Phase 4: the delay table, the post-ordered index (or a deferred on_post's histories), the
 * cuts of rows between threads. */
static axon_status rt_proj_index(axon_sim *s, rt_proj *pr, axon_err *err)
{
    axon_status st;
    if (pr->delay && (st = rt_delay_table(pr, err)) != AXON_OK)
        return st;
    if (rt_proj_defers(s, pr)) {
        if ((st = rt_defer_alloc(s, pr, err)) != AXON_OK)
            return st;
    } else if ((pr->d->on_post || pr->d->nevents) &&
               rt_build_cols(pr, s->pool_threads) != AXON_OK) {
        return rt_oom(pr, err);
    }
    return rt_proj_cuts(s, pr, err);
}

/* AXON_ESTOPPED when the caller's flag (axon_opts.stop) asks the build to stop */
static axon_status rt_build_go_on(const axon_sim *s, axon_err *err)
{
    if (s->build_stop && *s->build_stop)
        return axon_err_set(err, AXON_ESTOPPED, "stopped while building the network");
    return AXON_OK;
}

/*
 * Every projection in phases. Over MPI ranks the collective calls come between phases, after
 * rt_mpi_agree has made a failure of any rank every rank's, so that no rank waits in one for a
 * rank that has given up.
 */
static axon_status rt_proj_build(axon_sim *s, axon_err *err)
{
    const axon_model_desc *m = s->m;
    axon_status st = rt_build_go_on(s, err);
    for (uint32_t q = 0; q < m->nprojs && st == AXON_OK; q++)
        if ((st = rt_proj_connect(s, q, err)) == AXON_OK)
            st = rt_build_go_on(s, err);
    if (s->mpi) {
        st = rt_mpi_agree(s->mpi, st, "set up the simulation", err);
        for (uint32_t q = 0; q < m->nprojs && st == AXON_OK; q++)
            st = rt_proj_whole_index(s, &s->projs[q], err);
    } else {
        for (uint32_t q = 0; q < m->nprojs; q++)
            s->projs[q].nsyn_all = s->projs[q].nsyn;
    }
    for (uint32_t q = 0; q < m->nprojs && st == AXON_OK; q++)
        if ((st = rt_proj_state(s, &s->projs[q], err)) == AXON_OK)
            st = rt_build_go_on(s, err);
    if (s->mpi && !rt_mpi_failed(s->mpi)) {
        st = rt_mpi_agree(s->mpi, st, "initialise its synapses", err);
        for (uint32_t q = 0; q < m->nprojs && st == AXON_OK; q++)
            if (m->projs[q].delays)
                rt_proj_agree_delays(s, &s->projs[q]);
        /* each synapse's index in the whole projection where rows are ordered by delay */
        uint64_t **cnt = st == AXON_OK ? calloc(m->nprojs, sizeof *cnt) : NULL;
        if (st == AXON_OK && !cnt)
            st = axon_err_set(err, AXON_ENOMEM, "cannot allocate the projections");
        for (uint32_t q = 0; q < m->nprojs && st == AXON_OK; q++)
            if (m->projs[q].delays && rt_proj_needs_whole(s, &s->projs[q]))
                st = rt_proj_whole_room(s, &s->projs[q], &cnt[q], err);
        if (!rt_mpi_failed(s->mpi))
            st = rt_mpi_agree(s->mpi, st, "initialise its synapses", err);
        for (uint32_t q = 0; q < m->nprojs && st == AXON_OK; q++)
            if (cnt[q])
                rt_proj_whole_delays(s, &s->projs[q], cnt[q]);
        for (uint32_t q = 0; cnt && q < m->nprojs; q++)
            free(cnt[q]);
        free(cnt);
    }
    for (uint32_t q = 0; q < m->nprojs && st == AXON_OK; q++)
        if ((st = rt_proj_index(s, &s->projs[q], err)) == AXON_OK)
            st = rt_build_go_on(s, err);
    return st;
}

/* ---- spike histories */

static void rt_ring_free(rt_ring *g)
{
    if (!g)
        return;
    free(g->start);
    free(g->count);
    free(g->buf);
    free(g);
}

static axon_status rt_ring_setup(axon_sim *s, axon_err *err)
{
    const axon_model_desc *m = s->m;
    for (uint32_t q = 0; q < m->nprojs; q++) {
        const axon_proj_desc *d = &m->projs[q];
        rt_pop *p = &s->pops[d->pre];
        if (!d->on_pre || !p->fired) /* no handler, or a source that never spikes */
            continue;
        if (!p->ring && !(p->ring = calloc(1, sizeof *p->ring)))
            goto oom;
        uint32_t dmax = d->delays ? s->projs[q].dmax : d->delay_steps;
        if (dmax + 1 > p->ring->depth)
            p->ring->depth = dmax + 1;
    }
    for (uint32_t i = 0; i < m->npops; i++) {
        rt_pop *p = &s->pops[i];
        rt_ring *g = p->ring;
        if (!g)
            continue;
        g->nslot = rt_ring_nslot(g->depth);
        g->start = calloc(g->nslot, sizeof *g->start);
        g->count = calloc(g->nslot, sizeof *g->count);
        g->cap = 16;
        while (g->cap < p->size)
            g->cap *= 2;
        g->buf = malloc((size_t)g->cap * sizeof *g->buf);
        if (!g->start || !g->count || !g->buf)
            goto oom;
    }
    return AXON_OK;
oom:
    return axon_err_set(err, AXON_ENOMEM, "out of memory for spike histories");
}

axon_status rt_proj_reserve_steps(axon_sim *s, uint64_t first, uint32_t nsteps, axon_err *err)
{
    for (uint32_t i = 0; i < s->m->npops && s->projs; i++) {
        rt_pop *p = &s->pops[i];
        rt_ring *g = p->ring;
        if (!g)
            continue;
        /* after step `first` stores its spikes, the oldest spikes still needed are those of
         * first + 1 - depth (slots never written, and steps before 0, start at 0:
         * conservative); the nsteps steps from `first` on then add at most nsteps * size */
        uint64_t tail = g->depth == 1 ? g->head : g->start[rt_ring_slot(g, first + 1 - g->depth)];
        uint64_t need = g->head - tail + (uint64_t)nsteps * p->size;
        if (need <= g->cap)
            continue;
        uint64_t cap = g->cap * 2;
        while (cap < need)
            cap *= 2;
        uint32_t *buf = cap <= SIZE_MAX / sizeof *buf ? malloc((size_t)cap * sizeof *buf) : NULL;
        if (!buf)
            return axon_err_set(err, AXON_ENOMEM,
                                "out of memory for the spike history of population '%s' (%llu "
                                "spikes)",
                                p->d->name, (unsigned long long)need);
        for (uint64_t k = tail; k < g->head; k++)
            buf[k & (cap - 1)] = g->buf[k & (g->cap - 1)];
        free(g->buf);
        g->buf = buf;
        g->cap = cap;
    }
    return AXON_OK;
}


/* The first of the targets [b..e) of pr (increasing) that is >= v, e if none; b < e. The search starts
 * where v would be if the row's targets were spread evenly over [0, npost) (random rows nearly
 * are, so it usually ends within a few entries) and gallops from there: O(log(e - b)) in any
 * case. */
static uint64_t rt_find(const rt_proj *pr, uint64_t b, uint64_t e, uint32_t v, uint32_t npost)
{
    uint64_t g = b + (uint64_t)((double)(e - b) * v / npost);
    if (g >= e)
        g = e - 1;
    uint64_t lo, hi; /* post[lo - 1] < v <= post[hi] (with post[b - 1] = -inf, post[e] = inf) */
    if (rt_target(pr, g) < v) {
        uint64_t step = 1;
        lo = g + 1;
        for (;;) {
            if (e - lo <= step) {
                hi = e;
                break;
            }
            if (rt_target(pr, lo + step - 1) >= v) {
                hi = lo + step - 1;
                break;
            }
            lo += step;
            step *= 2;
        }
    } else {
        uint64_t step = 1;
        hi = g;
        for (;;) {
            if (hi - b <= step) {
                lo = b;
                break;
            }
            if (rt_target(pr, hi - step) < v) {
                lo = hi - step + 1;
                break;
            }
            hi -= step;
            step *= 2;
        }
    }
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (rt_target(pr, mid) < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/*
 * Delivery of projection q's due spikes to the targets [lo, hi) of its post population (all of
 * them: lo = 0 and hi = UINT32_MAX), in spike order; each row is cut to the part whose targets
 * are in range (rows list their targets in increasing order).
 */
/* Cuts the synapses [*rb, *re) (targets increasing) to those whose targets are in [lo, hi). */
void rt_cut(const rt_proj *pr, uint64_t *rb, uint64_t *re, uint32_t lo, uint32_t hi,
            uint32_t npost)
{
    uint64_t r0 = *rb, r1 = *re;
    if (r0 >= r1)
        return;
    if (lo > 0)
        *rb = rt_find(pr, r0, r1, lo, npost);
    if (hi < npost)
        *re = rt_find(pr, r0, r1, hi, npost);
}

/* rt_proj_cuts, rows [b, e): a[2], with a delay table, is the widened table (sim.h, doff) */
static void rt_cut_rows(void *arg, uint32_t b, uint32_t e, int task)
{
    (void)task;
    void *const *a = arg;
    const axon_sim *s = a[0];
    rt_proj *pr = a[1];
    uint32_t *w = a[2];
    const rt_pop *q = &s->pops[pr->d->post];
    for (uint32_t i = b; i < e; i++) {
        uint64_t r0 = pr->row[i], r1 = pr->row[i + 1];
        if (!pr->doff) {
            for (uint32_t k = 0; k < pr->ncut; k++)
                pr->cut[(uint64_t)i * pr->ncut + k] =
                    r0 < r1 ? (uint32_t)(rt_find(pr, r0, r1, q->bounds[k + 1], q->size) - r0)
                            : 0;
            continue;
        }
        /* per-synapse delays: each delay's part of the row separately, its start (the table's
           entry) followed by where its chunks 1 .. ncut start */
        const uint64_t nd = (uint64_t)pr->dmax - pr->dmin + 1, st = (uint64_t)pr->ncut + 1;
        for (uint64_t j = i * nd; j < (i + 1) * nd; j++) {
            uint64_t b0 = pr->doff[j], e0 = pr->doff[j + 1];
            w[j * st] = (uint32_t)b0;
            for (uint32_t k = 0; k < pr->ncut; k++)
                w[j * st + k + 1] =
                    (uint32_t)(b0 < e0 ? rt_find(pr, b0, e0, q->bounds[k + 1], q->size) : b0);
        }
    }
}

/*
 * Where each row of a projection delivered in parts by target (AXON_PROJ_SPLIT) crosses the
 * post population's chunk boundaries, found once: delivery then cuts a row for its chunk by a
 * load instead of searching the row's targets on every thread for every spike (rt_find: with
 * rows of tens of synapses that search was a fifth of COBA's delivery with 2 threads). With
 * per-synapse delays in a table (pr->doff) each delay's part of a row is cut, and the cuts go
 * into the table next to the part's start (sim.h), so that a thread finds its own targets of a
 * due part by one load and reads and prefetches only those. Only where it costs at most half a
 * byte per synapse.
 */
static axon_status rt_proj_cuts(axon_sim *s, rt_proj *pr, axon_err *err)
{
    const rt_pop *q = &s->pops[pr->d->post];
    /* with per-synapse delays (in a table): a row's cuts for each of its delays */
    uint64_t nd = pr->doff ? (uint64_t)pr->dmax - pr->dmin + 1 : 1;
    if (!(pr->d->flags & AXON_PROJ_SPLIT) || !pr->d->on_pre || pr->delay || q->nchunks < 2 ||
        pr->nsyn == 0 || (uint64_t)pr->npre * nd * (uint64_t)(q->nchunks - 1) * 8 > pr->nsyn)
        return AXON_OK;
    pr->ncut = (uint32_t)q->nchunks - 1;
    size_t n = (size_t)(pr->npre * nd) * pr->ncut;
    void *arg[3] = {s, pr, NULL};
    if (pr->doff) {
        size_t m = (size_t)(pr->npre * nd) * (pr->ncut + 1) + 1;
        uint32_t *w = rt_alloc_syn(m * sizeof *w, NULL);
        if (!w) {
            pr->ncut = 0;
            return rt_oom(pr, err);
        }
        w[m - 1] = (uint32_t)pr->nsyn;
        arg[2] = w;
        rt_rows_run(s, pr->npre, rt_cut_rows, arg);
        free(pr->doff);
        pr->doff = w;
    } else {
        if (!(pr->cut = malloc(n * sizeof *pr->cut))) {
            pr->ncut = 0;
            return rt_oom(pr, err);
        }
        rt_rows_run(s, pr->npre, rt_cut_rows, arg);
    }
    pr->bytes += n * sizeof *pr->cut;
    return AXON_OK;
}

/* ---- setup and teardown */

axon_status rt_proj_setup(axon_sim *s, axon_err *err)
{
    const axon_model_desc *m = s->m;
    if (m->nprojs == 0)
        return AXON_OK;
    if (!(s->projs = calloc(m->nprojs, sizeof *s->projs)))
        return axon_err_set(err, AXON_ENOMEM, "cannot allocate the projections");
    axon_status st = rt_proj_build(s, err);
    if (st != AXON_OK)
        return st;
    st = rt_ring_setup(s, err);
    if (st != AXON_OK)
        return st;
    /* how delivery may run in parallel (sim.h) */
    int split = 1, same_step = 0;
    for (uint32_t q = 0; q < m->nprojs; q++) {
        rt_proj *pr = &s->projs[q];
        const axon_proj_desc *d = pr->d;
        if (!d->on_pre || !s->pops[d->pre].ring)
            continue;
        pr->mean_row = pr->npre ? (double)pr->nsyn / pr->npre : 0.0;
        split &= (d->flags & AXON_PROJ_SPLIT) != 0;
        /* a projection without synapses (on any rank) delivers nothing, in any step: its
           delay bounds are 0 (rt_delays_compute) and must not keep the others' delivery out
           of the update phase (until 2026-12-06 the microcircuit's L5i -> L4e, whose in-degree
           rounds to 0, made every step two phases) */
        if (pr->nsyn_all > 0)
            same_step |= (d->delays ? pr->dmin : d->delay_steps) == 0;
    }
    s->split = !split ? RT_SPLIT_NONE : same_step ? RT_SPLIT_PHASE : RT_SPLIT_FUSED;
    /* the queues of due parts through per-synapse delays (sim.h, rt_dqs) */
    for (uint32_t q = 0; q < m->nprojs; q++) {
        rt_proj *pr = &s->projs[q];
        if (!pr->d->on_pre || !s->pops[pr->d->pre].ring || (!pr->delay && !pr->doff))
            continue;
        pr->ndq = 1 + s->pops[pr->d->post].nchunks;
        if (!(pr->dq = aligned_alloc(64, (size_t)pr->ndq * sizeof *pr->dq)))
            return axon_err_set(err, AXON_ENOMEM, "out of memory for the spikes in flight");
        memset(pr->dq, 0, (size_t)pr->ndq * sizeof *pr->dq);
    }
    return AXON_OK;
}

void rt_proj_free(axon_sim *s)
{
    if (s->pops)
        for (uint32_t i = 0; i < s->m->npops; i++) {
            rt_ring_free(s->pops[i].ring);
            s->pops[i].ring = NULL;
        }
    if (!s->projs)
        return;
    for (uint32_t q = 0; q < s->m->nprojs; q++) {
        rt_proj *pr = &s->projs[q];
        if (pr->vars)
            for (uint32_t v = 0; v < pr->d->nvars; v++)
                if (!rt_proj_blocked(pr, v) &&
                    (rt_proj_vstride(pr, v) <= 1 || pr->d->vars[v].lane == 0)) /* (a group's) */
                    free(pr->vars[v]);
        free(pr->blk);
        free(pr->vars);
        free(pr->delay);
        free(pr->doff);
        free(pr->cut);
        for (int k = 0; pr->dq && k < pr->ndq; k++) {
            for (uint32_t j = 0; pr->dq[k].slot && j <= pr->dmax; j++)
                free(pr->dq[k].slot[j].e);
            free(pr->dq[k].slot);
        }
        free(pr->dq);
        free(pr->col);
        free(pr->col_pk);
        free(pr->col_first);
        free(pr->col_pre);
        free(pr->col_syn);
        free(pr->col_tmp);
        free(pr->dhist);
        free(pr->dlast);
        free(pr->dsync);
        free(pr->dt_buf);
        free(pr->ds_buf);
        free(pr->row);
        free(pr->post);
        free(pr->post16);
        free(pr->post32);
        free(pr->pre);
        free(pr->goff);
        free(pr->gidx);
        free(pr->hoff);
    }
    free(s->projs);
    s->projs = NULL;
}

void rt_proj_var_get(const rt_proj *pr, uint32_t v, size_t esz, uint64_t from, uint64_t n,
                     void *dst)
{
    size_t vsz = rt_proj_vsz(pr, v, esz);
    const char *a = (const char *)pr->vars[v];
    if (!rt_proj_blocked(pr, v) && rt_proj_vstride(pr, v) == 1) {
        if (n)
            memcpy(dst, a + from * vsz, n * vsz);
        return;
    }
    for (uint64_t x = 0; x < n; x++) /* a lane (ABI 12), or blocks (ABI 13) */
        memcpy((char *)dst + x * vsz, a + rt_proj_vidx(pr, v, from + x) * vsz, vsz);
}

void rt_proj_var_put(rt_proj *pr, uint32_t v, size_t esz, uint64_t from, uint64_t n,
                     const void *src)
{
    size_t vsz = rt_proj_vsz(pr, v, esz);
    char *a = (char *)pr->vars[v];
    if (!rt_proj_blocked(pr, v) && rt_proj_vstride(pr, v) == 1) {
        if (n)
            memcpy(a + from * vsz, src, n * vsz);
        return;
    }
    for (uint64_t x = 0; x < n; x++)
        memcpy(a + rt_proj_vidx(pr, v, from + x) * vsz, (const char *)src + x * vsz, vsz);
}
