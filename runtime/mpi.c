/*
 * A simulation split over the ranks of an MPI communicator (docs/mpi.md, axon_sim_new_mpi).
 *
 * Partition. Every population is cut into K contiguous blocks of whole RT_BLOCK-neuron blocks
 * (rank r: blocks [r nb / K, (r+1) nb / K)); a rank updates its block, split between its
 * threads as usual (engine.c), and builds only the synapses whose target is in one of its
 * blocks (proj.c: rt_proj_connect, rt_proj_whole_index). Neuron arrays keep their global size and indexing (only the block is
 * ever updated), so kernels, spike lists, connectivity and recorders use global indices, and
 * the counter-based random numbers (rng.h, keyed by neuron, step and synapse) are those of one
 * process.
 *
 * Exchange. The spikes of step n are needed by other ranks only when they are delivered, in
 * step n + d for a delay d >= dmin (the smallest delay of a delivering projection). So every
 * rank buffers its spikes of D = max(1, min(dmin, RT_MPI_MAX_INTERVAL)) steps and, after the
 * updates of the last of them, the ranks swap them in one MPI_Allgather of fixed-size blocks:
 * [words, stop flag, then per step and spiking population: a count and that many indices]. A
 * block too small for some rank's spikes (its first word says how many it needs) is enlarged
 * on every rank and the collective repeated, so the common case is one collective per
 * interval. Concatenated in rank order, the blocks' lists are the single-process step lists
 * (increasing indices), which are then stored for delivery, counted and recorded, step by
 * step. Delivery with d >= D reads only steps already exchanged; with d = 0 (D = 1) the
 * exchange comes before the step's delivery. Results are therefore bit-identical to one
 * process for any rank and thread count. With d >= 1 the exchange overlaps computation (unless
 * AXON_MPI_OVERLAP=0): started as MPI_Iallgather after the interval's last updates, it is
 * completed in the next step, before its delivery, the first that can need its spikes
 * (rt_mpi_step).
 *
 * Recordings. Spike and rate records see every rank's spikes, so every rank holds them (and
 * rank 0 writes them); a state record holds only this rank's columns, values at spikes only
 * this rank's spikes and a record of a synapse variable only this rank's synapses (or block of
 * postsynaptic neurons) (record.c), which each rank writes as its part of the directory, rank 0
 * writing the manifest that names the parts (write.c, rt_write_ranks).
 *
 * Whole populations. A signal that follows a population's mean and topk gather the ranks'
 * blocks of the variable on every rank (rt_mpi_allgather_block), which then sums or ranks it in
 * index order as one process does. So do synapse kernels that read presynaptic neurons'
 * variables (continuous synapses, pre.x in a handler or an equation): before each phase in
 * which a projection's kernels may read them (continuous, delivery, plasticity), the variables
 * they read (axon_proj_desc.pre_reads) are gathered (deliver.c, rt_proj_gather_pre), so every
 * rank reads the values one process would.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim.h"

#ifdef HAVE_MPI
#include <mpi.h>

/* steps per exchange at most (bounds the buffers when delays are long or absent) */
#define RT_MPI_MAX_INTERVAL 100u

struct rt_mpi {
    MPI_Comm comm;
    int rank, size;
    uint32_t interval; /* D */
    uint32_t pending;  /* steps buffered */
    uint64_t first;    /* the first of them */
    int overlap;       /* exchanges overlap the computation (AXON_MPI_OVERLAP, rt_mpi_step) */
    MPI_Request req;   /* the exchange in flight (MPI_Iallgather), or MPI_REQUEST_NULL */
    uint32_t nflight;  /* its steps (0: none in flight), from step `flight` on */
    uint64_t flight;
    int stop;          /* a rank was asked to stop (the last exchange) */
    int failed;        /* an rt_mpi_agree failed (every rank knows) */
    int lost;          /* an exchange failed (every rank knows): the simulation cannot go on */
    size_t test_max;   /* test only (docs/mpi.md): widths above it fail as if out of memory */
    uint32_t *send;    /* [words, stop, lists...]: cap words */
    size_t nsend, send_cap;
    uint32_t *recv; /* size blocks of width words */
    size_t width;
    size_t base_width; /* the width of the first exchange, the least it shrinks to */
    size_t next_width; /* 0, or the narrower width of the next exchange */
    size_t *cur;      /* per rank: read position in its block */
    int *cnt, *off;   /* per rank: counts and displacements of a gather (rt_mpi_gatherv_u64,
                         rt_mpi_allgather_block) */
    uint32_t *merged; /* one step's list of one population (the largest size) */
    uint64_t exchanges, bytes;
    double comm_sec;
    uint64_t gathers; /* rt_mpi_allgather_block calls, and their time */
    double gather_sec;
};

static double rt_mpi_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

axon_status rt_mpi_new(rt_mpi **mp, const void *comm, axon_err *err)
{
    int init = 0;
    MPI_Initialized(&init);
    if (!init)
        return axon_err_set(err, AXON_EINVAL, "axon_sim_new_mpi: MPI is not initialised");
    rt_mpi *p = calloc(1, sizeof *p);
    if (!p)
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    if (MPI_Comm_dup(*(const MPI_Comm *)comm, &p->comm) != MPI_SUCCESS) {
        free(p);
        return axon_err_set(err, AXON_EINVAL, "axon_sim_new_mpi: cannot use the communicator");
    }
    MPI_Comm_rank(p->comm, &p->rank);
    MPI_Comm_size(p->comm, &p->size);
    *mp = p;
    return AXON_OK;
}

void rt_mpi_free(rt_mpi *mp)
{
    if (!mp)
        return;
    int fin = 0;
    MPI_Finalized(&fin);
    if (!fin)
        MPI_Comm_free(&mp->comm);
    free(mp->send);
    free(mp->recv);
    free(mp->cur);
    free(mp->cnt);
    free(mp->merged);
    free(mp);
}

axon_status rt_mpi_agree(rt_mpi *mp, axon_status st, const char *what, axon_err *err)
{
    int mine = st != AXON_OK ? mp->rank + 1 : 0, worst = 0;
    MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, mp->comm);
    mp->failed |= worst != 0;
    if (st != AXON_OK || !worst)
        return st;
    return axon_err_set(err, AXON_EINVAL, "rank %d of %d could not %s (see its message)",
                        worst - 1, mp->size, what);
}

int rt_mpi_failed(const rt_mpi *mp)
{
    return mp->failed;
}

int rt_mpi_size(const axon_sim *s)
{
    return s->mpi ? s->mpi->size : 1;
}

int rt_mpi_rank(const axon_sim *s)
{
    return s->mpi ? s->mpi->rank : 0;
}

void rt_mpi_bcast(axon_sim *s, uint64_t *v, int n)
{
    if (s->mpi)
        MPI_Bcast(v, n, MPI_UINT64_T, 0, s->mpi->comm);
}

#define RT_MPI_COUNT ((size_t)1 << 28) /* values per collective call (an int count) */

/* An MPI_Allreduce (op) or, for op MPI_OP_NULL, an MPI_Exscan of sums, in place, in pieces. */
static void rt_mpi_reduce(const axon_sim *s, uint64_t *v, size_t n, MPI_Op op)
{
    rt_mpi *mp = s->mpi;
    for (size_t off = 0; off < n; off += RT_MPI_COUNT) {
        int k = (int)(n - off < RT_MPI_COUNT ? n - off : RT_MPI_COUNT);
        if (op != MPI_OP_NULL)
            MPI_Allreduce(MPI_IN_PLACE, v + off, k, MPI_UINT64_T, op, mp->comm);
        else
            MPI_Exscan(MPI_IN_PLACE, v + off, k, MPI_UINT64_T, MPI_SUM, mp->comm);
    }
    if (op == MPI_OP_NULL && mp->rank == 0) /* MPI_Exscan leaves rank 0's values undefined */
        memset(v, 0, n * sizeof *v);
}

void rt_mpi_sum(const axon_sim *s, uint64_t *v, size_t n)
{
    rt_mpi_reduce(s, v, n, MPI_SUM);
}

void rt_mpi_min(const axon_sim *s, uint64_t *v, size_t n)
{
    rt_mpi_reduce(s, v, n, MPI_MIN);
}

void rt_mpi_exscan(const axon_sim *s, uint64_t *v, size_t n)
{
    rt_mpi_reduce(s, v, n, MPI_OP_NULL);
}

/* Rank r's block of a population of n neurons among `size` ranks. */
static void rt_mpi_block(uint32_t n, int r, int size, uint32_t *lo, uint32_t *hi)
{
    uint64_t nb = ((uint64_t)n + RT_BLOCK - 1) / RT_BLOCK;
    uint64_t a = (uint64_t)r * nb / (uint64_t)size * RT_BLOCK;
    uint64_t b = ((uint64_t)r + 1) * nb / (uint64_t)size * RT_BLOCK;
    *lo = (uint32_t)(a < n ? a : n);
    *hi = (uint32_t)(b < n ? b : n);
}

void rt_mpi_range(const rt_mpi *mp, uint32_t n, uint32_t *lo, uint32_t *hi)
{
    rt_mpi_block(n, mp->rank, mp->size, lo, hi);
}

/* What a split over ranks cannot do yet (the model is the same on every rank, so every rank
 * refuses alike). */
static axon_status rt_mpi_check(const axon_sim *s, axon_err *err)
{
    const axon_model_desc *m = s->m;
    if (s->mpi->size == 1)
        return AXON_OK;
    for (uint32_t q = 0; q < m->nprojs; q++) {
        const axon_proj_desc *d = &m->projs[q];
        if (d->flags & AXON_PROJ_VIA_PRE) /* (by post: neuron j, on j's rank) */
            return axon_err_set(err, AXON_EINVAL,
                                "projection '%s': a third population by the source (via ... by "
                                "pre, tripartite synapses) does not work over several MPI ranks "
                                "yet (docs/mpi.md); run it on one rank",
                                d->name);
        if (d->flags & AXON_PROJ_PRE_WRITTEN)
            return axon_err_set(err, AXON_EINVAL,
                                "projection '%s': its handlers write at the target a variable "
                                "that they read at the source, in one population; over MPI "
                                "ranks the write is made on the target's rank and not seen by "
                                "readers on the others: run it on one rank",
                                d->name);
    }
    return AXON_OK;
}

axon_status rt_mpi_setup(axon_sim *s, axon_err *err)
{
    rt_mpi *mp = s->mpi;
    const axon_model_desc *m = s->m;
    axon_status st = rt_mpi_check(s, err);
    if (st != AXON_OK)
        return st;
    uint32_t d = RT_MPI_MAX_INTERVAL;
    for (uint32_t q = 0; q < m->nprojs; q++) {
        const rt_proj *pr = &s->projs[q];
        /* (a projection without synapses delivers nothing: its delay, 0 for per-synapse
           delays, bounds nothing; the microcircuit at small scales has such projections) */
        if (!pr->d->on_pre || !s->pops[pr->d->pre].ring || !pr->nsyn_all)
            continue;
        uint32_t dq = pr->d->delays ? pr->dmin : pr->d->delay_steps;
        if (dq < d)
            d = dq;
    }
    mp->interval = d ? d : 1;
    /* with a delay of 0 a step's spikes are delivered in that step: nothing to overlap.
       AXON_MPI_OVERLAP=0 turns it off (docs/mpi.md: to measure what it gains) */
    const char *ov = getenv("AXON_MPI_OVERLAP");
    mp->overlap = d > 0 && !(ov && strcmp(ov, "0") == 0);
    mp->req = MPI_REQUEST_NULL;
    /* the worst case: every neuron of the rank fires in every step of the interval */
    size_t words = 2, largest = 1;
    for (uint32_t i = 0; i < m->npops; i++) {
        const rt_pop *p = &s->pops[i];
        if (p->fired)
            words += (size_t)mp->interval * (1 + (size_t)(p->hi - p->lo));
        if (p->size > largest)
            largest = p->size;
    }
    /* the block width must be the same on every rank: from the model alone */
    mp->width = 2 + (size_t)mp->interval * (m->npops + 64);
    mp->base_width = mp->width;
    mp->send_cap = words > mp->width ? words : mp->width;
    mp->send = calloc(mp->send_cap, sizeof *mp->send);
    mp->recv = malloc((size_t)mp->size * mp->width * sizeof *mp->recv);
    mp->cur = malloc((size_t)mp->size * sizeof *mp->cur);
    mp->cnt = malloc(2 * (size_t)mp->size * sizeof *mp->cnt);
    mp->off = mp->cnt + mp->size;
    mp->merged = malloc(largest * sizeof *mp->merged);
    if (!mp->send || !mp->recv || !mp->cur || !mp->cnt || !mp->merged)
        return axon_err_set(err, AXON_ENOMEM, "out of memory for the spike exchange");
    mp->nsend = 2;
    /* test only (tests/mpi/run.sh, docs/mpi.md): the exchange cannot grow past this many
       words per rank on this rank, as when it runs out of memory; not part of the API */
    const char *t = getenv("AXON_TEST_MPI_EXCHANGE_WORDS");
    mp->test_max = t ? strtoull(t, NULL, 10) : 0;
    return AXON_OK;
}

uint32_t rt_mpi_window(const axon_sim *s, uint64_t *first)
{
    const rt_mpi *mp = s->mpi;
    *first = mp->nflight ? mp->flight : mp->pending ? mp->first : s->step;
    return (uint32_t)(s->step - *first) + 1;
}

/* Room for blocks of w words (every rank's, and this rank's own): 0, or -1 out of memory. */
static int rt_mpi_grow(rt_mpi *mp, size_t w)
{
    if (mp->test_max && w > mp->test_max)
        return -1;
    uint32_t *recv = realloc(mp->recv, (size_t)mp->size * w * sizeof *recv);
    if (!recv)
        return -1;
    mp->recv = recv;
    if (w > mp->send_cap) {
        uint32_t *send = realloc(mp->send, w * sizeof *send);
        if (!send)
            return -1;
        mp->send = send;
        mp->send_cap = w;
    }
    return 0;
}

/* Starts the exchange of the buffered steps: one MPI_Allgather of width words per rank, or
 * with overlap its nonblocking form, completed by rt_mpi_complete. */
static void rt_mpi_start(rt_mpi *mp)
{
    mp->send[0] = (uint32_t)mp->nsend;
    if (mp->next_width) { /* (not before the last exchange's blocks were read) */
        mp->width = mp->next_width;
        mp->next_width = 0;
    }
    if (mp->overlap)
        MPI_Iallgather(mp->send, (int)mp->width, MPI_UINT32_T, mp->recv, (int)mp->width,
                       MPI_UINT32_T, mp->comm, &mp->req);
    else
        MPI_Allgather(mp->send, (int)mp->width, MPI_UINT32_T, mp->recv, (int)mp->width,
                      MPI_UINT32_T, mp->comm);
}

/* Completes the exchange rt_mpi_start began, repeated (blocking) wider when a rank's block did
 * not fit, and made narrower for the next exchanges once every rank's block fits in a quarter
 * of it (after a burst of spikes: the network's opening one would otherwise set the width of
 * every exchange of the run). Every rank sees the same needs, so makes the same width. A rank
 * that cannot make room for the wider blocks tells the others (one more collective, only when
 * the blocks grow), so every rank returns the failure at the same exchange, the failing rank's
 * message in err and the others' naming it, and none waits for another. Other MPI errors end
 * the job (MPI_ERRORS_ARE_FATAL). */
static axon_status rt_mpi_complete(rt_mpi *mp, axon_err *err)
{
    if (mp->req != MPI_REQUEST_NULL)
        MPI_Wait(&mp->req, MPI_STATUS_IGNORE);
    for (;;) {
        size_t need = 0;
        for (int r = 0; r < mp->size; r++)
            if (mp->recv[(size_t)r * mp->width] > need)
                need = mp->recv[(size_t)r * mp->width];
        mp->bytes += (size_t)mp->size * mp->width * sizeof *mp->recv;
        if (need <= mp->width) {
            if (need < mp->width / 4 && mp->width > mp->base_width) {
                size_t w = need + need / 2;
                mp->next_width = w > mp->base_width ? w : mp->base_width;
            }
            return AXON_OK;
        }
        /* half again */
        size_t w = need + need / 2;
        axon_status st = AXON_OK;
        if (rt_mpi_grow(mp, w) != 0)
            st = axon_err_set(err, AXON_ENOMEM,
                              "out of memory for the spike exchange (%zu bytes for blocks of "
                              "%zu words from each of %d ranks)",
                              (size_t)mp->size * w * sizeof *mp->recv, w, mp->size);
        if ((st = rt_mpi_agree(mp, st, "enlarge the spike exchange", err)) != AXON_OK) {
            mp->lost = 1;
            return st;
        }
        mp->width = w;
        MPI_Allgather(mp->send, (int)mp->width, MPI_UINT32_T, mp->recv, (int)mp->width,
                      MPI_UINT32_T, mp->comm);
    }
}

/* Completes the exchange in flight, then stores, counts and records every rank's spikes of
 * each of its steps. */
static axon_status rt_mpi_receive(axon_sim *s)
{
    rt_mpi *mp = s->mpi;
    if (!mp->nflight)
        return AXON_OK;
    double t0 = rt_mpi_now();
    axon_status st = rt_mpi_complete(mp, &s->err);
    mp->comm_sec += rt_mpi_now() - t0;
    uint32_t nk = mp->nflight;
    mp->nflight = 0;
    mp->nsend = 2; /* (the send buffer is free again) */
    if (st != AXON_OK)
        return st;
    mp->exchanges++;
    for (int r = 0; r < mp->size; r++) {
        mp->cur[r] = (size_t)r * mp->width + 2;
        if (mp->recv[(size_t)r * mp->width + 1])
            mp->stop = 1;
    }
    for (uint32_t k = 0; k < nk; k++) {
        uint64_t step = mp->flight + k;
        for (uint32_t i = 0; i < s->m->npops; i++) {
            rt_pop *p = &s->pops[i];
            if (!p->fired)
                continue;
            size_t n = 0;
            for (int r = 0; r < mp->size; r++) {
                uint32_t c = mp->recv[mp->cur[r]++];
                memcpy(mp->merged + n, mp->recv + mp->cur[r], (size_t)c * sizeof *mp->merged);
                mp->cur[r] += c;
                n += c;
            }
            p->nspikes += n;
            rt_proj_store_pop(s, (int)i, step, mp->merged, n);
            rt_rec_spikes(s, (int)i, step, mp->merged, n);
        }
    }
    if (s->stop && mp->stop)
        s->stop = 0; /* seen by every rank: rt_run stops at the end of this interval, or with
                        overlap of the interval now running (rt_mpi_stopped) */
    return AXON_OK;
}

/* Exchanges the buffered steps: starts the exchange and, without overlap, completes it. */
static axon_status rt_mpi_exchange(axon_sim *s)
{
    rt_mpi *mp = s->mpi;
    if (!mp->pending || mp->lost)
        return AXON_OK;
    mp->send[1] = s->stop != 0;
    double t0 = rt_mpi_now();
    rt_mpi_start(mp);
    mp->comm_sec += rt_mpi_now() - t0;
    mp->flight = mp->first;
    mp->nflight = mp->pending;
    mp->pending = 0;
    return mp->overlap ? AXON_OK : rt_mpi_receive(s);
}

/*
 * Overlap. The spikes of an interval [f, l] are first needed by the delivery of step l + 1
 * (D <= dmin, and dmin >= 1 with overlap), so with overlap the exchange started after step l's
 * updates completes here, in step l + 1, after its updates and before its delivery: step l's
 * delivery, plasticity and records and step l + 1's continuous kernels, signals and updates run
 * while it is in flight. The send buffer is therefore never written while in flight (step l +
 * 1's spikes are added after the completion), and one exchange is in flight at most. The
 * stored, counted and recorded spikes are the same, in the same order, as without overlap.
 */
axon_status rt_mpi_step(axon_sim *s, uint64_t step)
{
    rt_mpi *mp = s->mpi;
    axon_status st = rt_mpi_receive(s);
    if (st != AXON_OK)
        return st;
    if (!mp->pending)
        mp->first = step;
    for (uint32_t i = 0; i < s->m->npops; i++) {
        const rt_pop *p = &s->pops[i];
        if (!p->fired)
            continue;
        mp->send[mp->nsend++] = (uint32_t)p->nspk;
        memcpy(mp->send + mp->nsend, p->spk, p->nspk * sizeof *p->spk);
        mp->nsend += p->nspk;
    }
    return ++mp->pending == mp->interval ? rt_mpi_exchange(s) : AXON_OK;
}

axon_status rt_mpi_wait(axon_sim *s)
{
    return rt_mpi_receive(s);
}

/* MPI libraries (Open MPI's libnbc) advance a nonblocking collective's later rounds only
 * inside MPI calls: a test lets them go on during the updates that follow. */
void rt_mpi_progress(axon_sim *s)
{
    rt_mpi *mp = s->mpi;
    if (mp->req == MPI_REQUEST_NULL)
        return;
    double t0 = rt_mpi_now();
    int done = 0;
    MPI_Test(&mp->req, &done, MPI_STATUS_IGNORE);
    mp->comm_sec += rt_mpi_now() - t0;
}

axon_status rt_mpi_flush(axon_sim *s)
{
    rt_mpi *mp = s->mpi;
    axon_status st = rt_mpi_receive(s);
    if (st != AXON_OK)
        return st;
    int overlap = mp->overlap;
    mp->overlap = 0;
    st = rt_mpi_exchange(s);
    mp->overlap = overlap;
    return st;
}

axon_status rt_mpi_usable(axon_sim *s)
{
    if (!s->mpi || !s->mpi->lost)
        return AXON_OK;
    return axon_err_set(&s->err, AXON_EINVAL,
                        "a spike exchange between the MPI ranks failed earlier: this "
                        "simulation cannot go on (free it)");
}

int rt_mpi_stopped(axon_sim *s)
{
    rt_mpi *mp = s->mpi;
    if (mp->pending || !mp->stop)
        return 0;
    mp->stop = 0;
    return 1;
}

/* ---- recordings (write.c) */

void rt_mpi_block_of(const axon_sim *s, uint32_t n, int r, uint32_t *lo, uint32_t *hi)
{
    rt_mpi_block(n, r, rt_mpi_size(s), lo, hi);
}

void rt_mpi_gather_u64(axon_sim *s, const uint64_t *mine, int n, uint64_t *all)
{
    MPI_Gather(mine, n, MPI_UINT64_T, all, n, MPI_UINT64_T, 0, s->mpi->comm);
}

void rt_mpi_gatherv_u64(axon_sim *s, const uint64_t *mine, int n, uint64_t *all,
                        const uint64_t *counts)
{
    rt_mpi *mp = s->mpi;
    if (mp->rank == 0)
        for (int r = 0, o = 0; r < mp->size; r++) {
            mp->cnt[r] = (int)counts[r];
            mp->off[r] = o;
            o += mp->cnt[r];
        }
    MPI_Gatherv(mine, n, MPI_UINT64_T, all, mp->cnt, mp->off, MPI_UINT64_T, 0, mp->comm);
}

void rt_mpi_allgather_block(axon_sim *s, void *x, int32_t elem, uint32_t n)
{
    rt_mpi *mp = s->mpi;
    for (int r = 0; r < mp->size; r++) {
        uint32_t lo, hi;
        rt_mpi_block(n, r, mp->size, &lo, &hi);
        mp->cnt[r] = (int)(hi - lo);
        mp->off[r] = (int)lo;
    }
    MPI_Datatype t = elem == AXON_ELEM_I8    ? MPI_INT8_T
                     : elem == AXON_ELEM_I16 ? MPI_INT16_T
                     : elem == AXON_ELEM_I32 ? MPI_INT32_T
                     : elem == AXON_ELEM_F32 ? MPI_FLOAT
                                             : MPI_DOUBLE;
    double t0 = rt_mpi_now();
    MPI_Allgatherv(MPI_IN_PLACE, 0, t, x, mp->cnt, mp->off, t, mp->comm);
    mp->gather_sec += rt_mpi_now() - t0;
    mp->gathers++;
}

void axon_sim_mpi_info(const axon_sim *s, axon_mpi_info *info)
{
    if (!info)
        return;
    memset(info, 0, sizeof *info);
    info->size = 1;
    if (!s || !s->mpi)
        return;
    const rt_mpi *mp = s->mpi;
    info->rank = mp->rank;
    info->size = mp->size;
    info->interval = mp->interval;
    info->exchanges = mp->exchanges;
    info->bytes = mp->bytes;
    info->comm_seconds = mp->comm_sec;
    info->gathers = mp->gathers;
    info->gather_seconds = mp->gather_sec;
    info->overlap = mp->overlap;
}

#else /* without MPI: nothing is ever split */

axon_status rt_mpi_new(rt_mpi **mp, const void *comm, axon_err *err)
{
    (void)comm;
    *mp = NULL;
    return axon_err_set(err, AXON_EINVAL,
                        "axon_sim_new_mpi: this runtime was built without MPI (configure "
                        "--with-mpi)");
}

void rt_mpi_free(rt_mpi *mp)
{
    (void)mp;
}

axon_status rt_mpi_agree(rt_mpi *mp, axon_status st, const char *what, axon_err *err)
{
    (void)mp;
    (void)what;
    (void)err;
    return st;
}

int rt_mpi_size(const axon_sim *s)
{
    (void)s;
    return 1;
}

int rt_mpi_rank(const axon_sim *s)
{
    (void)s;
    return 0;
}

void rt_mpi_bcast(axon_sim *s, uint64_t *v, int n)
{
    (void)s;
    (void)v;
    (void)n;
}

int rt_mpi_failed(const rt_mpi *mp)
{
    (void)mp;
    return 0;
}

void rt_mpi_sum(const axon_sim *s, uint64_t *v, size_t n)
{
    (void)s;
    (void)v;
    (void)n;
}

void rt_mpi_min(const axon_sim *s, uint64_t *v, size_t n)
{
    (void)s;
    (void)v;
    (void)n;
}

void rt_mpi_exscan(const axon_sim *s, uint64_t *v, size_t n)
{
    (void)s;
    memset(v, 0, n * sizeof *v);
}

void rt_mpi_range(const rt_mpi *mp, uint32_t n, uint32_t *lo, uint32_t *hi)
{
    (void)mp;
    *lo = 0;
    *hi = n;
}

axon_status rt_mpi_setup(axon_sim *s, axon_err *err)
{
    (void)s;
    (void)err;
    return AXON_OK;
}

uint32_t rt_mpi_window(const axon_sim *s, uint64_t *first)
{
    *first = s->step;
    return 1;
}

axon_status rt_mpi_step(axon_sim *s, uint64_t step)
{
    (void)s;
    (void)step;
    return AXON_OK;
}

axon_status rt_mpi_flush(axon_sim *s)
{
    (void)s;
    return AXON_OK;
}

axon_status rt_mpi_wait(axon_sim *s)
{
    (void)s;
    return AXON_OK;
}

void rt_mpi_progress(axon_sim *s)
{
    (void)s;
}

axon_status rt_mpi_usable(axon_sim *s)
{
    (void)s;
    return AXON_OK;
}

int rt_mpi_stopped(axon_sim *s)
{
    return s->stop;
}

void rt_mpi_block_of(const axon_sim *s, uint32_t n, int r, uint32_t *lo, uint32_t *hi)
{
    (void)s;
    (void)r;
    *lo = 0;
    *hi = n;
}

void rt_mpi_gather_u64(axon_sim *s, const uint64_t *mine, int n, uint64_t *all)
{
    (void)s;
    memcpy(all, mine, (size_t)n * sizeof *all);
}

void rt_mpi_gatherv_u64(axon_sim *s, const uint64_t *mine, int n, uint64_t *all,
                        const uint64_t *counts)
{
    (void)s;
    (void)counts;
    memcpy(all, mine, (size_t)n * sizeof *all);
}

void rt_mpi_allgather_block(axon_sim *s, void *x, int32_t elem, uint32_t n)
{
    (void)s;
    (void)x;
    (void)elem;
    (void)n;
}


void axon_sim_mpi_info(const axon_sim *s, axon_mpi_info *info)
{
    (void)s;
    if (info) {
        memset(info, 0, sizeof *info);
        info->size = 1;
    }
}

#endif
