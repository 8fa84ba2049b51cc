/*
 * Checkpoints (axon.h): the whole state of a simulation to a file or a memory buffer, and back.
 *
 * What a run depends on, and so what is saved: the step counter and seed (kernels draw random
 * numbers keyed by (seed, stream, neuron, step), so a restored run draws the same ones); every
 * population's variables, its spike count and the last step's spike list; every projection's
 * variables; the spikes still in flight (the last depth - 1 steps of each spike history, which
 * deliveries of later steps read); the signals (computed and pinned); every recorder's data; the
 * closed loop's held injections and pushed spikes not yet used. Not saved: the connectivity
 * (rebuilt from the seed by axon_sim_new, and checked against a hash), the descriptor (checked
 * by a fingerprint), callbacks, thread settings and timings, none of which changes results.
 *
 * Format (version 3; version 2 had no rank fields and a 64-byte model name, and is still read;
 * version 1 lacked the shared parameters set at run time), in the byte order of the machine
 * that wrote it:
 *   header (128 bytes): magic "AXONCKPT", u32 version, u32 byte-order mark 0x01020304, u32 ABI,
 *     u32 precision, u64 model fingerprint, u64 step, u64 seed, f64 dt, u64 payload bytes,
 *     model name (48 bytes, NUL-padded, truncated), u32 rank, u32 ranks, u64 set;
 *   payload: sections in a fixed order (ck_payload), every array preceded by its length;
 *   trailer: u64 checksum of header and payload.
 * The checksum mixes 8-byte words through h = (rotl(h, 5) ^ w) * P, which for a fixed word is a
 * bijection of h and for a fixed h an injection of w: a change confined to one word (any one
 * byte, any run of flipped bits within 8 bytes) always changes the result.
 *
 * Restoring validates before it changes anything: length, magic, version, byte order and
 * checksum first, then the model fingerprint, then one parse of the payload that checks every
 * count against the simulation and sizes what must be allocated; allocation follows, and only
 * then a second parse copies the values in. A truncated, corrupt or foreign checkpoint is an
 * AXON_EFORMAT error that leaves the simulation as it was. Version 2 (a 64-byte name, no rank
 * fields) reads as a checkpoint of one process.
 *
 * Over K > 1 MPI ranks (docs/mpi.md) a checkpoint at PATH is a set: every rank writes its own
 * state (its neurons' values are the only right ones, its synapses are those onto its neurons)
 * as a checkpoint of the format above, "rank r of K, set S", to PATH.rank<r>-of-<K>.<slot>,
 * and rank 0 then writes PATH itself, the manifest: a header with rank CK_SET, ranks K and set
 * S, and a payload of the slot (a or b). A new set goes to the slot the current manifest does
 * not name, and the manifest is renamed into place only after every rank has written and
 * fsynced its part (one MPI_Allreduce), so a job killed at any moment leaves either the old
 * set or the new one complete, never a mixture that looks complete; a part that does not carry
 * its manifest's set is refused. Restoring reads the manifest and this rank's part, validates
 * them, and agrees with the other ranks (one MPI_Allreduce) before any rank changes anything.
 * Before writing, the ranks exchange the spikes still buffered (mpi.c), so every rank's spike
 * histories are complete; that changes no result (as at the end of a run).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "afile.h"
#include "axon/io.h"
#include "control.h"

#define CK_MAGIC "AXONCKPT"
#define CK_VERSION 3u
#define CK_BOM 0x01020304u
#define CK_HEADER 128u
#define CK_NAME 48u        /* version 2: 64, and no rank fields */
#define CK_ID_OFF 112u     /* rank, ranks, set */
#define CK_SET 0xffffffffu /* the rank of a set's manifest */

/* Which part of what a checkpoint is: rank `rank` of `ranks`, of the set `set` (0: none). */
typedef struct {
    uint32_t rank, ranks;
    uint64_t set;
} ck_id;

/* ---- the checksum */

typedef struct {
    uint64_t h;
    uint8_t pend[8];
    unsigned npend;
} ck_hash;

#define CK_P 0x100000001b3ULL

static uint64_t ck_mix(uint64_t h, uint64_t w)
{
    return (((h << 5) | (h >> 59)) ^ w) * CK_P;
}

static void ck_hash_add(ck_hash *x, const void *data, size_t n)
{
    const uint8_t *p = data;
    while (n && x->npend) {
        x->pend[x->npend++] = *p++;
        n--;
        if (x->npend == 8) {
            uint64_t w;
            memcpy(&w, x->pend, 8);
            x->h = ck_mix(x->h, w);
            x->npend = 0;
        }
    }
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        x->h = ck_mix(x->h, w);
    }
    while (n--)
        x->pend[x->npend++] = *p++;
}

static uint64_t ck_hash_end(ck_hash *x)
{
    uint64_t w = 0;
    memcpy(&w, x->pend, x->npend);
    return ck_mix(ck_mix(x->h, w), x->npend);
}

static ck_hash ck_hash_new(void)
{
    return (ck_hash){.h = 0xcbf29ce484222325ULL};
}

static void ck_hash_str(ck_hash *x, const char *s)
{
    if (!s)
        s = "";
    ck_hash_add(x, s, strlen(s) + 1);
}

/* Whether a projection of m advances its postsynaptic traces every step (ABI 14). */
static int ck_post_decays(const axon_model_desc *m)
{
    for (uint32_t q = 0; q < m->nprojs; q++)
        if (m->projs[q].post_decay)
            return 1;
    return 0;
}

/* The model's shape: what a checkpoint must agree with (not its kernels, which cannot be
 * compared; a model rebuilt with other equations but the same variables restores). */
static uint64_t ck_fingerprint(const axon_model_desc *m)
{
    ck_hash x = ck_hash_new();
#define ADD(v) ck_hash_add(&x, &(v), sizeof(v))
#define ADDS(str) ck_hash_str(&x, str)
    ADDS(m->name);
    ADD(m->precision);
    ADD(m->dt);
    ADD(m->npops);
    for (uint32_t i = 0; i < m->npops; i++) {
        const axon_pop_desc *p = &m->pops[i];
        ADDS(p->name);
        ADD(p->size);
        ADD(p->nvars);
        ADD(p->spiking);
        for (uint32_t v = 0; v < p->nvars; v++) {
            ADDS(p->vars[v].name);
            ADD(p->vars[v].kind);
            ADD(p->vars[v].elem); /* ABI 11: the size of its values in the payload */
        }
    }
    ADD(m->nprojs);
    for (uint32_t q = 0; q < m->nprojs; q++) {
        const axon_proj_desc *d = &m->projs[q];
        ADDS(d->name);
        ADD(d->pre);
        ADD(d->post);
        ADD(d->connector);
        ADD(d->delay_steps);
        ADD(d->nvars);
        for (uint32_t v = 0; v < d->nvars; v++) {
            ADDS(d->vars[v].name);
            ADD(d->vars[v].kind);
            /* a synapse variable stored as float (--synapse-precision single): the size of its
               values in the payload; not added for the model's precision, so that the
               fingerprint of such a model is that of earlier versions */
            if (d->vars[v].elem != AXON_ELEM_REAL)
                ADD(d->vars[v].elem);
        }
    }
    ADD(m->nrecords);
    for (uint32_t r = 0; r < m->nrecords; r++) {
        const axon_record_desc *d = &m->records[r];
        ADD(d->kind);
        ADD(d->target);
        ADD(d->var);
        ADD(d->every);
        ADD(d->nsubset);
        if (d->nsubset && d->subset)
            ck_hash_add(&x, d->subset, d->nsubset * sizeof *d->subset);
    }
    ADD(m->nsignals);
    for (uint32_t k = 0; k < m->nsignals; k++)
        ADDS(m->signal_names ? m->signal_names[k] : NULL);
#undef ADD
#undef ADDS
    return ck_hash_end(&x);
}

/* Connectivity of projection q (rows, targets, per-synapse delays), built from the seed. */
static uint64_t ck_conn_hash(const axon_sim *s, uint32_t q)
{
    const rt_proj *pr = &s->projs[q];
    ck_hash x = ck_hash_new();
    ck_hash_add(&x, &pr->nsyn, sizeof pr->nsyn);
    ck_hash_add(&x, pr->row, ((size_t)pr->npre + 1) * sizeof *pr->row);
    if (pr->post16 || pr->blk) { /* the same bytes as uint32 targets: a checkpoint reads
                                    either way, and either layout (model.h, ABI 13) */
        uint32_t buf[1024];
        for (uint64_t k = 0; k < pr->nsyn; k += sizeof buf / sizeof *buf) {
            size_t n = pr->nsyn - k < sizeof buf / sizeof *buf ? (size_t)(pr->nsyn - k)
                                                               : sizeof buf / sizeof *buf;
            for (size_t t = 0; t < n; t++)
                buf[t] = rt_target(pr, k + t);
            ck_hash_add(&x, buf, n * sizeof *buf);
        }
    } else {
        ck_hash_add(&x, pr->post, (size_t)pr->nsyn * sizeof *pr->post);
    }
    if (pr->delay)
        ck_hash_add(&x, pr->delay, (size_t)pr->nsyn * sizeof *pr->delay);
    else if (pr->doff) { /* the same bytes: each synapse's delay, in order */
        uint16_t buf[1024];
        size_t n = 0;
        uint64_t nd = (uint64_t)pr->dmax - pr->dmin + 1;
        uint64_t st = (uint64_t)pr->ncut + 1; /* the table's entries per part (sim.h) */
        for (uint32_t i = 0; i < pr->npre; i++)
            for (uint64_t j = 0; j < nd; j++) {
                const uint32_t *o = pr->doff + (i * nd + j) * st;
                for (uint64_t k = o[0]; k < o[st]; k++) {
                    buf[n++] = (uint16_t)(pr->dmin + j);
                    if (n == sizeof buf / sizeof *buf) {
                        ck_hash_add(&x, buf, sizeof buf);
                        n = 0;
                    }
                }
            }
        ck_hash_add(&x, buf, n * sizeof *buf);
    }
    return ck_hash_end(&x);
}

/* ---- writing */

typedef struct {
    uint8_t *buf; /* memory: the destination (NULL: only count) */
    FILE *fp;     /* file */
    uint64_t n;   /* bytes so far */
    ck_hash hash;
    int failed; /* a short fwrite */
} ck_w;

static void ck_put(ck_w *w, const void *p, size_t n)
{
    if (!n || w->failed)
        return;
    if (w->buf || w->fp)
        ck_hash_add(&w->hash, p, n);
    if (w->buf)
        memcpy(w->buf + w->n, p, n);
    else if (w->fp && fwrite(p, 1, n, w->fp) != n)
        w->failed = 1;
    w->n += n;
}

static void ck_u32(ck_w *w, uint32_t v)
{
    ck_put(w, &v, sizeof v);
}

static void ck_u64(ck_w *w, uint64_t v)
{
    ck_put(w, &v, sizeof v);
}

static void ck_header(const axon_sim *s, ck_w *w, uint64_t payload, const ck_id *id)
{
    uint8_t h[CK_HEADER] = {0};
    size_t o = 0;
#define PUT(v)                                                                                     \
    do {                                                                                           \
        memcpy(h + o, &(v), sizeof(v));                                                            \
        o += sizeof(v);                                                                            \
    } while (0)
    memcpy(h, CK_MAGIC, 8);
    o = 8;
    uint32_t version = CK_VERSION, bom = CK_BOM, abi = s->m->abi, prec = s->m->precision;
    uint64_t fp = ck_fingerprint(s->m);
    PUT(version);
    PUT(bom);
    PUT(abi);
    PUT(prec);
    PUT(fp);
    PUT(s->step);
    PUT(s->seed);
    PUT(s->dt);
    PUT(payload);
    strncpy((char *)h + o, s->m->name, CK_NAME - 1);
    o = CK_ID_OFF;
    PUT(id->rank);
    PUT(id->ranks);
    PUT(id->set);
#undef PUT
    ck_put(w, h, sizeof h);
}

/* The spikes of the last depth - 1 steps of a history, oldest first: counts, then indices. */
static void ck_ring(const axon_sim *s, const rt_ring *g, ck_w *w)
{
    uint32_t depth = g ? g->depth : 0;
    ck_u32(w, depth);
    if (!depth)
        return;
    uint64_t total = 0;
    for (uint32_t k = depth - 1; k >= 1; k--) {
        uint64_t m = s->step - k; /* wraps for steps before 0: none */
        uint32_t c = s->step >= k ? g->count[rt_ring_slot(g, m)] : 0;
        ck_u32(w, c);
        total += c;
    }
    ck_u64(w, total);
    for (uint32_t k = depth - 1; k >= 1; k--) {
        if (s->step < k)
            continue;
        uint64_t slot = rt_ring_slot(g, s->step - k);
        for (uint32_t j = 0; j < g->count[slot]; j++) {
            uint32_t v = g->buf[(g->start[slot] + j) & (g->cap - 1)];
            ck_u32(w, v);
        }
    }
}

static void ck_payload(const axon_sim *s, ck_w *w)
{
    const axon_model_desc *m = s->m;
    const struct rt_ctl *c = s->ctl;
    size_t esz = s->esz;
    for (uint32_t i = 0; i < m->npops; i++) {
        const rt_pop *p = &s->pops[i];
        ck_u32(w, p->size);
        ck_u64(w, p->nspikes);
        ck_u64(w, p->nspk);
        ck_put(w, p->spk, p->nspk * sizeof *p->spk);
        for (uint32_t v = 0; v < p->d->nvars; v++) /* each in its element type (model.h) */
            ck_put(w, p->vars[v], (size_t)p->size * rt_elem_size(rt_elem(&p->d->vars[v], esz)));
        ck_ring(s, p->ring, w);
        uint64_t npush = c ? c->pops[i].npush : 0;
        ck_u64(w, npush);
        ck_put(w, npush ? c->pops[i].push : NULL, npush * sizeof(uint32_t));
    }
    for (uint32_t q = 0; q < m->nprojs; q++) {
        const rt_proj *pr = &s->projs[q];
        ck_u64(w, pr->nsyn);
        ck_u64(w, ck_conn_hash(s, q));
        for (uint32_t v = 0; v < pr->d->nvars; v++) {
            int kind = pr->d->vars[v].kind;
            uint64_t n = kind == AXON_VAR_PER_PRE    ? pr->npre
                         : kind == AXON_VAR_PER_POST ? pr->npost
                                                     : pr->nsyn;
            size_t vsz = rt_proj_vsz(pr, v, esz); /* its own type */
            if (rt_proj_vstride(pr, v) == 1) {
                ck_put(w, pr->vars[v], (size_t)n * vsz);
                continue;
            }
            /* a lane of an interleaved group (model.h, ABI 12): its values as one array, as
               in a checkpoint of separate arrays */
            uint64_t buf[512];
            uint64_t per = sizeof buf / vsz;
            for (uint64_t x = 0; x < n; x += per) {
                uint64_t len = n - x < per ? n - x : per;
                rt_proj_var_get(pr, v, esz, x, len, buf);
                ck_put(w, buf, (size_t)len * vsz);
            }
        }
    }
    ck_put(w, s->signal, m->nsignals * sizeof *s->signal);
    ck_put(w, s->signal_pin, m->nsignals * sizeof *s->signal_pin);
    ck_put(w, s->pinned, m->nsignals * sizeof *s->pinned);
    for (uint32_t k = 0; k < m->nrecords; k++) {
        const rt_rec *r = &s->recs[k];
        ck_u64(w, r->n);
        ck_u64(w, r->acc);
        if (r->kind < 0)
            continue;
        ck_put(w, r->t, r->n * sizeof *r->t);
        if (r->kind == AXON_REC_SPIKES)
            ck_put(w, r->idx, r->n * sizeof *r->idx);
        else if (r->kind == AXON_REC_RATE)
            ck_put(w, r->rate, r->n * sizeof *r->rate);
        else
            ck_put(w, r->vals, r->n * r->nsub * esz);
    }
    uint64_t ninj = c ? c->ninj : 0;
    ck_u64(w, ninj);
    for (uint64_t k = 0; k < ninj; k++) {
        const rt_inj *j = &c->inj[k];
        ck_u32(w, (uint32_t)j->pop);
        ck_u32(w, (uint32_t)j->var);
        ck_u64(w, j->n);
        ck_put(w, j->idx, j->n * sizeof *j->idx);
        ck_put(w, j->val, j->n * esz);
    }
    /* shared parameters as set at run time (axon_sim_set_param); the derived values are
       computed again from them on restore */
    ck_u32(w, m->nshared);
    ck_put(w, s->shared, (size_t)m->nshared * sizeof *s->shared);
}

/* Header, payload and checksum into w (its n counts everything). */
static void ck_write(const axon_sim *s, ck_w *w, uint64_t payload, const ck_id *id)
{
    w->hash = ck_hash_new();
    ck_header(s, w, payload, id);
    ck_payload(s, w);
    uint64_t sum = ck_hash_end(&w->hash);
    ck_u64(w, sum);
}

/* A set's manifest into w: the header of rank CK_SET, the slot of its parts, the checksum. */
static void ck_write_manifest(const axon_sim *s, ck_w *w, const ck_id *id, uint32_t slot)
{
    w->hash = ck_hash_new();
    ck_header(s, w, 8, id);
    ck_u32(w, slot);
    ck_u32(w, 0);
    uint64_t sum = ck_hash_end(&w->hash);
    ck_u64(w, sum);
}

/* This process's part of what it checkpoints: rank r of K (over MPI ranks), or the whole. */
static ck_id ck_own(const axon_sim *s, uint64_t set)
{
    return (ck_id){(uint32_t)rt_mpi_rank(s), (uint32_t)rt_mpi_size(s), set};
}

/* Over MPI ranks, the spikes still buffered for the next exchange are exchanged first
 * (collective), so that every rank's spike histories hold every rank's spikes. */
static void ck_sync(axon_sim *s)
{
    if (s->mpi)
        rt_mpi_flush(s);
    rt_proj_sync(s); /* deferred synapse updates (deliver.c) */
}

static uint64_t ck_size(const axon_sim *s)
{
    ck_w w = {0};
    ck_payload(s, &w);
    return CK_HEADER + w.n + 8;
}

size_t axon_sim_checkpoint_size(axon_sim *s)
{
    if (!s)
        return 0;
    rt_begin(s);
    axon_status usable = rt_mpi_usable(s);
    if (usable != AXON_OK)
        return usable;
    ck_sync(s);
    uint64_t n = ck_size(s);
    if (n > SIZE_MAX) {
        axon_err_set(&s->err, AXON_ERANGE, "the checkpoint would not fit in memory");
        return 0;
    }
    return (size_t)n;
}

axon_status axon_sim_checkpoint_mem(axon_sim *s, void *buf, size_t size, size_t *used)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    axon_status usable = rt_mpi_usable(s);
    if (usable != AXON_OK)
        return usable;
    ck_sync(s);
    uint64_t n = ck_size(s);
    if (used)
        *used = n <= SIZE_MAX ? (size_t)n : 0;
    if (!buf || size < n)
        return axon_err_set(&s->err, AXON_ERANGE,
                            "a checkpoint of model '%s' needs %llu bytes, the buffer has %zu",
                            s->m->name, (unsigned long long)n, buf ? size : 0);
    ck_w w = {.buf = buf};
    ck_id id = ck_own(s, 0);
    ck_write(s, &w, n - CK_HEADER - 8, &id);
    return AXON_OK;
}

/* Writes this rank's checkpoint (id) to path atomically, or with slot set, a set's manifest. */
static axon_status ck_write_file(axon_sim *s, const char *path, const ck_id *id,
                                 const uint32_t *slot)
{
    rt_afile f;
    axon_status st = rt_afile_open(&f, path, &s->err);
    if (st != AXON_OK)
        return st;
    ck_w w = {.fp = f.fp};
    if (slot)
        ck_write_manifest(s, &w, id, *slot);
    else
        ck_write(s, &w, ck_size(s) - CK_HEADER - 8, id);
    if (w.failed) {
        int e = errno;
        rt_afile_abort(&f);
        return axon_err_set(&s->err, AXON_EIO, "%s: cannot write the checkpoint: %s", path,
                            strerror(e));
    }
    return rt_afile_commit(&f, &s->err);
}

/* The file of rank r's part of a set of K ranks in slot (0 or 1), malloc'd (NULL: no memory). */
static char *ck_part_path(const char *path, uint32_t r, uint32_t k, uint32_t slot)
{
    size_t n = strlen(path) + 64;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s.rank%u-of-%u.%c", path, r, k, slot ? 'b' : 'a');
    return p;
}

/* The slot the manifest at path names (its checksum unchecked: only to choose the other one),
 * or 1 when there is none, so that a new set goes to slot 0. */
static uint32_t ck_manifest_slot(const char *path)
{
    uint8_t h[CK_HEADER + 4];
    FILE *fp = axon_file_open_read(path);
    if (!fp)
        return 1;
    size_t n = fread(h, 1, sizeof h, fp);
    fclose(fp);
    uint32_t version, rank, slot;
    if (n < sizeof h || memcmp(h, CK_MAGIC, 8))
        return 1;
    memcpy(&version, h + 8, 4);
    memcpy(&rank, h + CK_ID_OFF, 4);
    memcpy(&slot, h + CK_HEADER, 4);
    return version == CK_VERSION && rank == CK_SET ? slot & 1 : 1;
}

/* A set's identity: the wall clock, the process and the step (nonzero). */
static uint64_t ck_new_set(const axon_sim *s)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t h = ck_mix(ck_mix(ck_mix(0xcbf29ce484222325ULL, (uint64_t)ts.tv_sec),
                               (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32)),
                        s->step);
    return h ? h : 1;
}

/* Over K > 1 ranks (collective): the parts into the slot the manifest does not name, then,
 * once every rank has written its part, the manifest. */
static axon_status ck_write_set(axon_sim *s, const char *path)
{
    uint64_t v[2] = {0, 0}; /* the slot, the set */
    if (rt_mpi_rank(s) == 0) {
        v[0] = ck_manifest_slot(path) ^ 1;
        v[1] = ck_new_set(s);
    }
    rt_mpi_bcast(s, v, 2);
    ck_id id = ck_own(s, v[1]);
    uint32_t slot = (uint32_t)v[0];
    char *part = ck_part_path(path, id.rank, id.ranks, slot);
    axon_status st = part ? ck_write_file(s, part, &id, NULL)
                          : axon_err_set(&s->err, AXON_ENOMEM, "out of memory");
    free(part);
    st = rt_mpi_agree(s->mpi, st, "write its part of the checkpoint", &s->err);
    if (st != AXON_OK)
        return st;
    uint64_t st0 = AXON_OK;
    if (id.rank == 0) {
        ck_id set = {CK_SET, id.ranks, id.set};
        st0 = ck_write_file(s, path, &set, &slot);
    }
    rt_mpi_bcast(s, &st0, 1);
    if (id.rank != 0 && st0 != AXON_OK)
        return axon_err_set(&s->err, (axon_status)st0,
                            "rank 0 could not write the checkpoint's manifest %s (see its "
                            "message)",
                            path);
    return (axon_status)st0;
}

axon_status axon_sim_checkpoint(axon_sim *s, const char *path)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (!path || !*path) /* the same on every rank */
        return axon_err_set(&s->err, AXON_EINVAL, "axon_sim_checkpoint: no file name");
    axon_status usable = rt_mpi_usable(s);
    if (usable != AXON_OK)
        return usable;
    ck_sync(s);
    if (rt_mpi_size(s) > 1)
        return ck_write_set(s, path);
    ck_id id = ck_own(s, 0);
    return ck_write_file(s, path, &id, NULL);
}

/* ---- reading */

typedef struct {
    const uint8_t *p;
    size_t n, pos;
    int bad; /* ran past the end, or a count that does not fit */
} ck_r;

/* The next n bytes, or NULL (and bad) past the end. */
static const uint8_t *ck_take(ck_r *r, uint64_t n)
{
    if (r->bad || n > r->n - r->pos) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *q = r->p + r->pos;
    r->pos += (size_t)n;
    return q;
}

/* n elements of esz bytes, guarding the product. */
static const uint8_t *ck_take_arr(ck_r *r, uint64_t n, size_t esz)
{
    if (n > (r->n - r->pos) / esz) {
        r->bad = 1;
        return NULL;
    }
    return ck_take(r, n * esz);
}

static uint32_t ck_get32(ck_r *r)
{
    uint32_t v = 0;
    const uint8_t *q = ck_take(r, 4);
    if (q)
        memcpy(&v, q, 4);
    return v;
}

static uint64_t ck_get64(ck_r *r)
{
    uint64_t v = 0;
    const uint8_t *q = ck_take(r, 8);
    if (q)
        memcpy(&v, q, 8);
    return v;
}

/* What pass 1 found and allocated for pass 2. */
typedef struct {
    struct {
        uint64_t n;
        double *t, *rate;
        uint32_t *idx;
        void *vals;
    } * recs;
    struct {
        uint64_t total;
        uint32_t *buf;
        uint64_t cap;
        uint64_t npush;
        uint32_t *push;
    } * pops;
    uint64_t ninj;
    rt_inj *inj;
    struct rt_ctl *ctl; /* a new one, when s has none and the checkpoint needs one */
} ck_plan;

static void ck_plan_free(const axon_sim *s, ck_plan *pl)
{
    if (pl->recs)
        for (uint32_t k = 0; k < s->m->nrecords; k++) {
            free(pl->recs[k].t);
            free(pl->recs[k].rate);
            free(pl->recs[k].idx);
            free(pl->recs[k].vals);
        }
    if (pl->pops)
        for (uint32_t i = 0; i < s->m->npops; i++) {
            free(pl->pops[i].buf);
            free(pl->pops[i].push);
        }
    for (uint64_t k = 0; pl->inj && k < pl->ninj; k++)
        rt_inj_free(&pl->inj[k]);
    free(pl->inj);
    if (pl->ctl)
        free(pl->ctl->pops);
    free(pl->ctl);
    free(pl->recs);
    free(pl->pops);
}

/* Copies n bytes from q to dst when applying. */
static void ck_copy(int apply, void *dst, const uint8_t *q, size_t n)
{
    if (apply && q && n)
        memcpy(dst, q, n);
}

#define CK_FAIL(...) return axon_err_set(&s->err, AXON_EFORMAT, __VA_ARGS__)

/*
 * One pass over the payload. Pass 1 (apply 0) checks every count and records in pl what the
 * payload needs; pass 2 (apply 1) copies into the simulation and the arrays pl allocated, and
 * cannot fail (the same bytes were checked by pass 1).
 */
static axon_status ck_parse(axon_sim *s, ck_r *r, ck_plan *pl, int apply, const char *what)
{
    const axon_model_desc *m = s->m;
    size_t esz = s->esz;
    for (uint32_t i = 0; i < m->npops; i++) {
        rt_pop *p = &s->pops[i];
        const char *nm = p->d->name;
        uint32_t size = ck_get32(r);
        uint64_t nspikes = ck_get64(r), nspk = ck_get64(r);
        if (r->bad || size != p->size || nspk > size || (nspk && !p->spk))
            CK_FAIL("%s: population '%s' does not match (size %u, %llu spikes in the last step)",
                    what, nm, size, (unsigned long long)nspk);
        const uint8_t *spk = ck_take_arr(r, nspk, sizeof(uint32_t));
        for (uint64_t k = 0; spk && k < nspk; k++) {
            uint32_t v;
            memcpy(&v, spk + 4 * k, 4);
            if (v >= size)
                CK_FAIL("%s: population '%s': spike of neuron %u", what, nm, v);
        }
        if (apply) {
            p->nspikes = nspikes;
            p->nspk = (size_t)nspk;
            ck_copy(1, p->spk, spk, (size_t)nspk * 4);
        }
        for (uint32_t v = 0; v < p->d->nvars; v++) {
            size_t vsz = rt_elem_size(rt_elem(&p->d->vars[v], esz));
            const uint8_t *x = ck_take_arr(r, size, vsz);
            ck_copy(apply, p->vars[v], x, (size_t)size * vsz);
            /* an input restored nonzero is read by the update (rt_update_fn) */
            for (uint64_t q = 0; apply && x && p->d->vars[v].kind == AXON_VAR_INPUT &&
                                 !p->inputs_touched && q < (uint64_t)size * vsz;
                 q++)
                p->inputs_touched = x[q] != 0;
        }
        uint32_t depth = ck_get32(r);
        if (r->bad || depth != (p->ring ? p->ring->depth : 0))
            CK_FAIL("%s: population '%s': spike history of %u steps, expected %u", what, nm, depth,
                    p->ring ? p->ring->depth : 0);
        if (depth) {
            rt_ring *g = p->ring;
            const uint8_t *counts = ck_take_arr(r, depth - 1, 4);
            uint64_t total = ck_get64(r), sum = 0;
            for (uint32_t k = 0; counts && k + 1 < depth; k++) {
                uint32_t c;
                memcpy(&c, counts + 4 * k, 4);
                if (c > size)
                    CK_FAIL("%s: population '%s': %u spikes in one step", what, nm, c);
                sum += c;
            }
            const uint8_t *sp = ck_take_arr(r, total, 4);
            if (r->bad || sum != total)
                CK_FAIL("%s: population '%s': the spike history is inconsistent", what, nm);
            for (uint64_t k = 0; k < total; k++) {
                uint32_t v;
                memcpy(&v, sp + 4 * k, 4);
                if (v >= size)
                    CK_FAIL("%s: population '%s': spike of neuron %u in flight", what, nm, v);
            }
            if (!apply) {
                uint64_t cap = 16;
                while (cap < total + size)
                    cap *= 2;
                pl->pops[i].total = total;
                pl->pops[i].cap = cap;
            } else {
                /* the saved steps back to back from position 0, oldest first; the other slots
                   (steps before 0, and the current step's, written next) empty, starting at 0
                   as in a new history (rt_proj_reserve_step keeps everything after a slot's
                   start) */
                uint32_t *buf = pl->pops[i].buf;
                ck_copy(1, buf, sp, (size_t)total * 4);
                for (uint32_t k = 0; k < g->nslot; k++) {
                    g->start[k] = 0;
                    g->count[k] = 0;
                }
                uint64_t pos = 0;
                for (uint32_t k = depth - 1; k >= 1; k--) {
                    uint32_t c;
                    memcpy(&c, counts + 4 * (depth - 1 - k), 4);
                    if (s->step >= k) {
                        uint64_t slot = rt_ring_slot(g, s->step - k);
                        g->start[slot] = pos;
                        g->count[slot] = c;
                    }
                    pos += c;
                }
                free(g->buf);
                g->buf = buf;
                g->cap = pl->pops[i].cap;
                g->head = total;
                g->next = s->step;
                pl->pops[i].buf = NULL;
            }
        }
        uint64_t npush = ck_get64(r);
        const uint8_t *push = ck_take_arr(r, npush, 4);
        if (r->bad || (npush && !p->fired))
            CK_FAIL("%s: population '%s': pushed spikes do not match", what, nm);
        for (uint64_t k = 0; k < npush; k++) {
            uint32_t v;
            memcpy(&v, push + 4 * k, 4);
            if (v >= size)
                CK_FAIL("%s: population '%s': pushed spike of neuron %u", what, nm, v);
        }
        if (!apply)
            pl->pops[i].npush = npush;
        else
            ck_copy(1, pl->pops[i].push, push, (size_t)npush * 4);
    }
    for (uint32_t q = 0; q < m->nprojs; q++) {
        rt_proj *pr = &s->projs[q];
        uint64_t nsyn = ck_get64(r), h = ck_get64(r);
        if (r->bad)
            break;
        if (nsyn != pr->nsyn || h != ck_conn_hash(s, q))
            CK_FAIL("%s: other synapses (another module parameter, --set p=..., or seed) in "
                    "projection '%s' than in the checkpoint (%llu, here %llu)",
                    what, pr->d->name, (unsigned long long)nsyn, (unsigned long long)pr->nsyn);
        for (uint32_t v = 0; v < pr->d->nvars; v++) {
            int kind = pr->d->vars[v].kind;
            uint64_t n = kind == AXON_VAR_PER_PRE    ? pr->npre
                         : kind == AXON_VAR_PER_POST ? pr->npost
                                                     : pr->nsyn;
            size_t vsz = rt_proj_vsz(pr, v, esz);
            const uint8_t *vals = ck_take_arr(r, n, vsz);
            if (apply && vals)
                rt_proj_var_put(pr, v, esz, 0, n, vals); /* (an interleaved group's lane too) */
        }
    }
    uint32_t ns = m->nsignals;
    ck_copy(apply, s->signal, ck_take_arr(r, ns, 8), (size_t)ns * 8);
    ck_copy(apply, s->signal_pin, ck_take_arr(r, ns, 8), (size_t)ns * 8);
    ck_copy(apply, s->pinned, ck_take_arr(r, ns, 1), ns);
    for (uint32_t k = 0; k < m->nrecords && !r->bad; k++) {
        rt_rec *rc = &s->recs[k];
        uint64_t n = ck_get64(r), acc = ck_get64(r);
        if (rc->kind < 0) {
            if (n || acc)
                CK_FAIL("%s: record %u does not match", what, k);
            continue;
        }
        uint64_t row =
            rc->kind == AXON_REC_SPIKES || rc->kind == AXON_REC_RATE ? 0 : (uint64_t)rc->nsub * esz;
        const uint8_t *t = ck_take_arr(r, n, 8), *x = NULL;
        if (rc->kind == AXON_REC_SPIKES)
            x = ck_take_arr(r, n, 4);
        else if (rc->kind == AXON_REC_RATE)
            x = ck_take_arr(r, n, 8);
        else if (row)
            x = ck_take_arr(r, n, (size_t)row);
        if (r->bad)
            break;
        if (n > SIZE_MAX / 8)
            CK_FAIL("%s: record %u: %llu samples", what, k, (unsigned long long)n);
        if (rc->kind == AXON_REC_SPIKES)
            for (uint64_t q = 0; q < n; q++) {
                uint32_t v;
                memcpy(&v, x + 4 * q, 4);
                if (v >= s->pops[rc->pop].size)
                    CK_FAIL("%s: record %u: spike of neuron %u", what, k, v);
            }
        if (!apply) {
            pl->recs[k].n = n;
        } else {
            ck_copy(1, pl->recs[k].t, t, (size_t)n * 8);
            if (rc->kind == AXON_REC_SPIKES)
                ck_copy(1, pl->recs[k].idx, x, (size_t)n * 4);
            else if (rc->kind == AXON_REC_RATE)
                ck_copy(1, pl->recs[k].rate, x, (size_t)n * 8);
            else
                ck_copy(1, pl->recs[k].vals, x, (size_t)(n * row));
            rc->acc = acc;
        }
    }
    uint64_t ninj = ck_get64(r), nvars = 0; /* at most one per variable */
    for (uint32_t i = 0; i < m->npops; i++)
        nvars += m->pops[i].nvars;
    if (!r->bad && ninj > nvars)
        CK_FAIL("%s: %llu injections", what, (unsigned long long)ninj);
    if (!apply) {
        pl->ninj = ninj;
        if (ninj && !(pl->inj = calloc((size_t)ninj, sizeof *pl->inj)))
            return axon_err_set(&s->err, AXON_ENOMEM, "out of memory");
    }
    for (uint64_t k = 0; k < ninj && !r->bad; k++) {
        int pop = (int)ck_get32(r), var = (int)ck_get32(r);
        uint64_t n = ck_get64(r);
        if (r->bad)
            break;
        if (pop < 0 || (uint32_t)pop >= m->npops || var < 0 ||
            (uint32_t)var >= m->pops[pop].nvars || m->pops[pop].vars[var].kind != AXON_VAR_INPUT)
            CK_FAIL("%s: injection %llu into population %d variable %d", what,
                    (unsigned long long)k, pop, var);
        const uint8_t *idx = ck_take_arr(r, n, 4), *val = ck_take_arr(r, n, esz);
        if (r->bad)
            break;
        for (uint64_t q = 0; q < n; q++) {
            uint32_t v;
            memcpy(&v, idx + 4 * q, 4);
            if (v >= s->pops[pop].size)
                CK_FAIL("%s: injection into neuron %u of '%s'", what, v, m->pops[pop].name);
        }
        rt_inj *j = &pl->inj[k];
        if (!apply) {
            *j = (rt_inj){pop, var, (size_t)n, malloc(n ? (size_t)n * 4 : 1),
                          malloc(n ? (size_t)n * esz : 1)};
            if (!j->idx || !j->val)
                return axon_err_set(&s->err, AXON_ENOMEM, "out of memory");
        } else {
            ck_copy(1, j->idx, idx, (size_t)n * 4);
            ck_copy(1, j->val, val, (size_t)n * esz);
        }
    }
    uint32_t nshared = ck_get32(r);
    if (!r->bad && nshared != m->nshared)
        CK_FAIL("%s: %u shared parameters, the model has %u", what, nshared, m->nshared);
    const uint8_t *shared = ck_take_arr(r, nshared, sizeof(double));
    for (uint32_t k = 0; shared && k < nshared; k++) {
        double v;
        memcpy(&v, shared + 8 * k, 8);
        if (!isfinite(v))
            CK_FAIL("%s: shared parameter %u is not a finite number", what, k);
    }
    if (apply && shared && nshared) {
        ck_copy(1, s->shared, shared, (size_t)nshared * sizeof(double));
        if (m->derive)
            m->derive(s->shared, s->derived);
    }
    if (r->bad)
        CK_FAIL("%s: truncated or malformed payload", what);
    if (r->pos != r->n)
        CK_FAIL("%s: %zu bytes left over after the payload", what, r->n - r->pos);
    return AXON_OK;
}

/* Allocates what pass 1 found: recorder arrays, spike history buffers, closed-loop state. */
static axon_status ck_alloc(axon_sim *s, ck_plan *pl)
{
    size_t esz = s->esz;
    for (uint32_t k = 0; k < s->m->nrecords; k++) {
        const rt_rec *rc = &s->recs[k];
        size_t n = (size_t)pl->recs[k].n, cap = n ? n : 1;
        if (rc->kind < 0)
            continue;
        int ok = (pl->recs[k].t = malloc(cap * 8)) != NULL;
        if (rc->kind == AXON_REC_SPIKES)
            ok = ok && (pl->recs[k].idx = malloc(cap * 4));
        else if (rc->kind == AXON_REC_RATE)
            ok = ok && (pl->recs[k].rate = malloc(cap * 8));
        else
            ok = ok && (pl->recs[k].vals = malloc(cap * (rc->nsub ? rc->nsub : 1) * esz));
        if (!ok)
            return axon_err_set(&s->err, AXON_ENOMEM, "out of memory for %zu recorded samples", n);
    }
    int need_ctl = pl->ninj > 0;
    for (uint32_t i = 0; i < s->m->npops; i++) {
        if (s->pops[i].ring && !(pl->pops[i].buf = malloc((size_t)pl->pops[i].cap * 4)))
            return axon_err_set(&s->err, AXON_ENOMEM, "out of memory for spikes in flight");
        uint64_t np = pl->pops[i].npush;
        if (np && !(pl->pops[i].push = malloc((size_t)np * 4)))
            return axon_err_set(&s->err, AXON_ENOMEM, "out of memory for pushed spikes");
        need_ctl |= np > 0;
    }
    if (need_ctl && !s->ctl) {
        pl->ctl = calloc(1, sizeof *pl->ctl);
        if (!pl->ctl || !(pl->ctl->pops = calloc(s->m->npops, sizeof *pl->ctl->pops)))
            return axon_err_set(&s->err, AXON_ENOMEM, "out of memory");
    }
    return AXON_OK;
}

/* Moves the arrays pass 2 filled into the simulation (recorders, closed loop). */
static void ck_install(axon_sim *s, ck_plan *pl)
{
    for (uint32_t k = 0; k < s->m->nrecords; k++) {
        rt_rec *rc = &s->recs[k];
        if (rc->kind < 0)
            continue;
        free(rc->t);
        free(rc->idx);
        free(rc->rate);
        free(rc->vals);
        rc->t = pl->recs[k].t;
        rc->idx = pl->recs[k].idx;
        rc->rate = pl->recs[k].rate;
        rc->vals = pl->recs[k].vals;
        rc->n = (size_t)pl->recs[k].n;
        rc->cap = rc->n ? rc->n : 1;
        pl->recs[k].t = pl->recs[k].rate = NULL;
        pl->recs[k].idx = NULL;
        pl->recs[k].vals = NULL;
    }
    if (pl->ctl) {
        s->ctl = pl->ctl;
        pl->ctl = NULL;
    }
    struct rt_ctl *c = s->ctl;
    if (!c)
        return;
    for (size_t k = 0; k < c->ninj; k++)
        rt_inj_free(&c->inj[k]);
    free(c->inj);
    c->inj = pl->inj;
    c->ninj = (size_t)pl->ninj;
    pl->inj = NULL;
    pl->ninj = 0;
    c->npushed = 0;
    for (uint32_t i = 0; i < s->m->npops; i++) {
        rt_ctl_pop *cp = &c->pops[i];
        free(cp->push);
        cp->push = pl->pops[i].push;
        cp->npush = cp->cap = (size_t)pl->pops[i].npush;
        pl->pops[i].push = NULL;
        c->npushed += cp->npush > 0;
    }
}

/* Checks the frame (length, magic, version, byte order, checksum, model) of buf; *id = which
 * part of what it is. */
static axon_status ck_frame(axon_sim *s, const uint8_t *buf, size_t size, const char *what,
                            ck_id *id)
{
    if (size < 8 || memcmp(buf, CK_MAGIC, 8))
        CK_FAIL("%s: not an Axon checkpoint", what);
    if (size < CK_HEADER + 8)
        CK_FAIL("%s: truncated: %zu bytes, shorter than a checkpoint's header", what, size);
    uint32_t version, bom, abi, prec;
    uint64_t fp, step, seed, payload;
    double dt;
    size_t o = 8;
#define GET(v)                                                                                     \
    do {                                                                                           \
        memcpy(&(v), buf + o, sizeof(v));                                                          \
        o += sizeof(v);                                                                            \
    } while (0)
    GET(version);
    GET(bom);
    GET(abi);
    GET(prec);
    GET(fp);
    GET(step);
    GET(seed);
    GET(dt);
    GET(payload);
#undef GET
    if (bom != CK_BOM)
        CK_FAIL("%s: written on a machine of the other byte order", what);
    if (version != CK_VERSION && version != 2)
        CK_FAIL("%s: checkpoint format version %u; this runtime (%s) reads versions 2 and %u",
                what, version, axon_version(), CK_VERSION);
    if (payload != size - CK_HEADER - 8)
        CK_FAIL("%s: %s: %zu bytes, the header says %llu", what,
                payload > size - CK_HEADER - 8 ? "truncated" : "bytes after the end", size,
                (unsigned long long)(payload + CK_HEADER + 8));
    ck_hash x = ck_hash_new();
    ck_hash_add(&x, buf, size - 8);
    uint64_t sum;
    memcpy(&sum, buf + size - 8, 8);
    if (ck_hash_end(&x) != sum)
        CK_FAIL("%s: corrupt: the checksum does not match its contents", what);
    char name[64] = {0};
    memcpy(name, buf + o, version == 2 ? 64 : CK_NAME);
    name[version == 2 ? 63 : CK_NAME - 1] = '\0';
    *id = (ck_id){0, 1, 0};
    if (version != 2) {
        memcpy(&id->rank, buf + CK_ID_OFF, 4);
        memcpy(&id->ranks, buf + CK_ID_OFF + 4, 4);
        memcpy(&id->set, buf + CK_ID_OFF + 8, 8);
    }
    /* another ABI's arrays may be laid out otherwise (ABI 11: element types): not the same
       model's checkpoint, whatever its shape, and the message says why. ABI 12 interleaves
       some per-neuron projection variables in memory only: a checkpoint holds each as one
       array as ABI 11's did, so those are the same bytes and restore; so does ABI 13, which
       stores some projections' targets and weight in blocks (model.h), and so does ABI 14,
       whose post_decay removes a variable (the fingerprint tells that model apart). */
    if (abi != s->m->abi && !(abi >= 11 && abi < s->m->abi && s->m->abi <= 14))
        CK_FAIL("%s: a checkpoint of model '%s' compiled for model ABI %u, and this simulation's "
                "model is of ABI %u (this runtime: %s); it cannot be restored: run the model "
                "again from the start",
                what, name, abi, s->m->abi, axon_version());
    /* ABI 14 removed a variable (_last_post) from models whose postsynaptic traces it
       advances every step: an older checkpoint of such a model (its name, precision and dt)
       is told apart by that */
    if (prec == s->m->precision && fp != ck_fingerprint(s->m) && dt == s->dt && abi < 14 &&
        s->m->abi >= 14 && ck_post_decays(s->m) && !strcmp(name, s->m->name))
        CK_FAIL("%s: a checkpoint of model '%s' written for model ABI %u, which kept a "
                "last-update time per postsynaptic neuron for STDP traces that model ABI %u "
                "advances every step instead (this runtime: %s); it cannot be restored: run "
                "the model again from the start",
                what, name, abi, s->m->abi, axon_version());
    /* the same name, precision and step: another instance of the module (other sizes or
       connectivity from its parameters), or the module edited since */
    if (prec == s->m->precision && dt == s->dt && fp != ck_fingerprint(s->m) &&
        !strcmp(name, s->m->name))
        CK_FAIL("%s: a checkpoint of model '%s' built otherwise, which differs from this "
                "simulation's model in its populations, projections, variables, records or "
                "signals: another size or module parameter (--set N=...), an edited model file, "
                "or other build options",
                what, name);
    if (prec != s->m->precision || fp != ck_fingerprint(s->m) || dt != s->dt)
        CK_FAIL("%s: a checkpoint of model '%s' (%s precision, dt %g s), which differs from this "
                "simulation's model '%s' (%s precision, dt %g s) in its populations, "
                "projections, variables, records or signals",
                what, name, prec == 4 ? "single" : "double", dt, s->m->name,
                s->m->precision == 4 ? "single" : "double", s->dt);
    if (step >= ((uint64_t)1 << 48))
        CK_FAIL("%s: step %llu is past the limit", what, (unsigned long long)step);
    return AXON_OK;
}

/* Whether a checkpoint that is `got` is the one wanted: this process's part (want). */
static axon_status ck_match(axon_sim *s, const ck_id *got, const ck_id *want, const char *what)
{
    if (got->rank == CK_SET && want->ranks == 1)
        CK_FAIL("%s: a checkpoint of %u MPI ranks, and this simulation runs as one process: "
                "resume it with mpirun -np %u",
                what, got->ranks, got->ranks);
    if (got->rank == CK_SET)
        CK_FAIL("%s: the manifest of a checkpoint of %u MPI ranks, not a rank's part", what,
                got->ranks);
    if (got->ranks != want->ranks && got->ranks == 1)
        CK_FAIL("%s: a checkpoint of one process, and this simulation runs over %u MPI ranks: "
                "resume it as one process",
                what, want->ranks);
    if (got->ranks != want->ranks)
        CK_FAIL("%s: rank %u's part of a checkpoint of %u MPI ranks, and this simulation runs "
                "over %u",
                what, got->rank, got->ranks, want->ranks);
    if (got->rank != want->rank)
        CK_FAIL("%s: rank %u's part of the checkpoint, not rank %u's", what, got->rank,
                want->rank);
    if (want->set && got->set != want->set)
        CK_FAIL("%s: not a part of the checkpoint its manifest names (the job may have been "
                "stopped while writing a later one)",
                what);
    return AXON_OK;
}

/* Restores buf (size bytes), this process's part `want`, unless st (a failure to read it) is
 * already an error. Over MPI ranks (collective) every rank validates its part first, and no
 * rank changes anything unless every rank's part is valid. */
static axon_status ck_restore(axon_sim *s, const void *data, size_t size, const char *what,
                              const ck_id *want, axon_status st)
{
    const uint8_t *buf = data;
    ck_id got;
    ck_plan pl = {0};
    uint64_t step = 0, seed = 0, old_step = s->step;
    ck_r r = {0};
    if (st == AXON_OK && s->busy)
        st = axon_err_set(&s->err, AXON_EINVAL,
                          "cannot restore a checkpoint from a callback of a run");
    if (st == AXON_OK)
        st = ck_frame(s, buf, size, what, &got);
    if (st == AXON_OK)
        st = ck_match(s, &got, want, what);
    if (st == AXON_OK) {
        memcpy(&step, buf + 32, 8);
        memcpy(&seed, buf + 40, 8);
        /* the ring layout is computed for the checkpoint's step */
        s->step = step;
        pl.recs = calloc(s->m->nrecords ? s->m->nrecords : 1, sizeof *pl.recs);
        pl.pops = calloc(s->m->npops ? s->m->npops : 1, sizeof *pl.pops);
        r = (ck_r){buf + CK_HEADER, size - CK_HEADER - 8, 0, 0};
        if (!pl.recs || !pl.pops)
            st = axon_err_set(&s->err, AXON_ENOMEM, "out of memory");
    }
    if (st == AXON_OK)
        st = ck_parse(s, &r, &pl, 0, what);
    if (st == AXON_OK)
        st = ck_alloc(s, &pl);
    if (s->mpi)
        st = rt_mpi_agree(s->mpi, st, "restore its part of the checkpoint", &s->err);
    if (st == AXON_OK) {
        r = (ck_r){buf + CK_HEADER, size - CK_HEADER - 8, 0, 0};
        ck_parse(s, &r, &pl, 1, what);
        ck_install(s, &pl);
        rt_proj_defer_reset(s); /* the synapses are the checkpoint's, up to date */
        s->dq_epoch++;          /* the spikes in flight are the checkpoint's */
        s->seed = seed;
    } else {
        s->step = old_step;
    }
    ck_plan_free(s, &pl);
    return st;
}

axon_status axon_sim_restore_mem(axon_sim *s, const void *buf, size_t size)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    ck_id want = ck_own(s, 0);
    axon_status st = AXON_OK;
    if (!buf)
        st = axon_err_set(&s->err, AXON_EINVAL, "axon_sim_restore_mem: no buffer");
    return ck_restore(s, buf, size, "checkpoint", &want, st);
}

/* The whole file in memory (malloc'd), or NULL with the message set. */
static uint8_t *ck_slurp(const char *path, size_t *size, axon_err *err)
{
    FILE *fp = axon_file_open_read(path);
    if (!fp) {
        axon_err_set(err, AXON_EIO, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, fp);
        if (n < cap)
            break;
        uint8_t *b = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
        if (!b) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = b;
        cap *= 2;
    }
    int failed = ferror(fp), why = errno;
    fclose(fp);
    if (!buf) {
        axon_err_set(err, AXON_ENOMEM, "%s: out of memory reading the checkpoint", path);
        return NULL;
    }
    if (failed) {
        free(buf);
        axon_err_set(err, AXON_EIO, "%s: read error: %s", path, strerror(why));
        return NULL;
    }
    *size = n;
    return buf;
}

/* The whole file at path in *buf, or the error (AXON_EIO, AXON_ENOMEM). */
static axon_status ck_read(axon_sim *s, const char *path, uint8_t **buf, size_t *size)
{
    *buf = ck_slurp(path, size, &s->err);
    if (*buf)
        return AXON_OK;
    return s->err.msg[0] && strstr(s->err.msg, "out of memory") ? AXON_ENOMEM : AXON_EIO;
}

/* Over K > 1 ranks: the manifest at path names the set and its slot; *part = this rank's part
 * (malloc'd) and *set its set, or the error. */
static axon_status ck_read_manifest(axon_sim *s, const char *path, char **part, uint64_t *set)
{
    uint8_t *buf;
    size_t size = 0;
    ck_id got, want = ck_own(s, 0);
    axon_status st = ck_read(s, path, &buf, &size);
    if (st != AXON_OK)
        return st;
    st = ck_frame(s, buf, size, path, &got);
    if (st == AXON_OK && got.rank != CK_SET && got.ranks == 1)
        st = axon_err_set(&s->err, AXON_EFORMAT,
                          "%s: a checkpoint of one process, and this simulation runs over %u "
                          "MPI ranks: resume it as one process",
                          path, want.ranks);
    else if (st == AXON_OK && got.rank != CK_SET)
        st = axon_err_set(&s->err, AXON_EFORMAT,
                          "%s: rank %u's part of a checkpoint of %u MPI ranks: resume from its "
                          "manifest (the file named without .rank...)",
                          path, got.rank, got.ranks);
    else if (st == AXON_OK && got.ranks != want.ranks)
        st = axon_err_set(&s->err, AXON_EFORMAT,
                          "%s: a checkpoint of %u MPI ranks, and this simulation runs over %u: "
                          "resume it with mpirun -np %u",
                          path, got.ranks, want.ranks, got.ranks);
    else if (st == AXON_OK && size != CK_HEADER + 16)
        st = axon_err_set(&s->err, AXON_EFORMAT, "%s: a malformed manifest", path);
    if (st == AXON_OK) {
        uint32_t slot;
        memcpy(&slot, buf + CK_HEADER, 4);
        *set = got.set;
        if (!(*part = ck_part_path(path, want.rank, want.ranks, slot & 1)))
            st = axon_err_set(&s->err, AXON_ENOMEM, "out of memory");
    }
    free(buf);
    return st;
}

axon_status axon_sim_restore(axon_sim *s, const char *path)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    uint8_t *buf = NULL;
    size_t size = 0;
    char *part = NULL;
    ck_id want = ck_own(s, 0);
    axon_status st = AXON_OK;
    if (!path || !*path)
        st = axon_err_set(&s->err, AXON_EINVAL, "axon_sim_restore: no file name");
    else if (want.ranks > 1)
        st = ck_read_manifest(s, path, &part, &want.set);
    const char *what = part ? part : path;
    if (st == AXON_OK)
        st = ck_read(s, what, &buf, &size);
    st = ck_restore(s, buf, size, what, &want, st);
    free(buf);
    free(part);
    return st;
}

axon_status axon_checkpoint_read_info(const char *path, axon_checkpoint_info *info, axon_err *err)
{
    if (!path || !info)
        return axon_err_set(err, AXON_EINVAL, "axon_checkpoint_read_info: %s",
                            !path ? "no file name" : "no place for the result");
    FILE *fp = axon_file_open_read(path);
    if (!fp)
        return axon_err_set(err, AXON_EIO, "%s: cannot open: %s", path, strerror(errno));
    uint8_t h[CK_HEADER];
    size_t n = fread(h, 1, sizeof h, fp);
    struct stat st;
    int sized = fstat(fileno(fp), &st) == 0;
    fclose(fp);
    if (n < 8 || memcmp(h, CK_MAGIC, 8))
        return axon_err_set(err, AXON_EFORMAT, "%s: not an Axon checkpoint", path);
    if (n < CK_HEADER)
        return axon_err_set(err, AXON_EFORMAT, "%s: truncated", path);
    uint32_t bom;
    memcpy(&bom, h + 12, 4);
    if (bom != CK_BOM)
        return axon_err_set(err, AXON_EFORMAT, "%s: written on a machine of the other byte order",
                            path);
    /* the length the header gives (the payload's, after it the checksum), as a restore checks
       it: a checkpoint cut short is not one to take a seed from */
    uint64_t payload;
    memcpy(&payload, h + 56, 8);
    if (sized && (uint64_t)st.st_size != CK_HEADER + 8 + payload)
        return axon_err_set(
            err, AXON_EFORMAT, "%s: %s: %llu bytes, the header says %llu", path,
            (uint64_t)st.st_size < CK_HEADER + 8 + payload ? "truncated" : "bytes after the end",
            (unsigned long long)st.st_size, (unsigned long long)(CK_HEADER + 8 + payload));
    memset(info, 0, sizeof *info);
    memcpy(&info->version, h + 8, 4);
    memcpy(&info->abi, h + 16, 4);
    memcpy(&info->precision, h + 20, 4);
    memcpy(&info->step, h + 32, 8);
    memcpy(&info->seed, h + 40, 8);
    memcpy(&info->dt, h + 48, 8);
    memcpy(info->model, h + 64, info->version == 2 ? 64 : CK_NAME);
    info->model[info->version == 2 ? 63 : CK_NAME - 1] = '\0';
    return AXON_OK;
}
