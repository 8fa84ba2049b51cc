/*
 * axon_sim_write: recordings to NPY files plus manifest.json, atomically as a whole.
 *
 * Everything is first written into a fresh directory "DIR.tmp-HOST-PID-XXXXXX" next to DIR
 * (same file system, so the later moves are renames). Only when every file is complete are they
 * moved into DIR, after checking that no target name is taken by a directory (the one failure
 * of rename(2) that is plausible in practice); manifest.json moves last, so a reader that sees
 * the new manifest sees the new data files. Any failure before the moves removes the temporary
 * directory and leaves DIR untouched. A failure during the moves (I/O error, full inode table)
 * can leave some files replaced; it is reported, and the temporary directory is still removed.
 *
 * The directory keeps only the files of its manifest: files that the previous manifest.json
 * listed and this one does not are removed once the new manifest is in place (a crash between
 * the two leaves extra files, never a manifest naming a missing one). Files no manifest listed
 * are not Axon's and are left alone.
 *
 * A process killed while writing leaves its temporary directory behind. Its name carries the
 * host and the process id, so a later write (or axon_sim_check_output) next to the same DIR
 * removes those of processes of this host that no longer exist: a directory owned by this user
 * that holds only plain files. Anything else is left alone.
 */
#define _POSIX_C_SOURCE 200809L

#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "afile.h"
#include "json.h"
#include "axon/io.h"
#include "sbuf.h"
#include "sim.h"

/* Version 2 added axon_version, meta, populations and projections; version 3, written only
 * over several MPI ranks, files split into parts (rt_manifest_parts). */
#define RT_MANIFEST_VERSION 2
#define RT_MANIFEST_VERSION_PARTS 3

/* ---- provenance */

void rt_meta_free(axon_sim *s)
{
    for (uint32_t k = 0; k < 2 * s->nmeta; k++)
        free(s->meta[k]);
    free(s->meta);
    s->meta = NULL;
    s->nmeta = 0;
}

static char *rt_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

axon_status axon_sim_set_meta(axon_sim *s, const char *key, const char *value)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    if (!key || !*key || !value) {
        axon_err_set(&s->err, AXON_EINVAL, "axon_sim_set_meta: empty key or NULL value");
        return AXON_EINVAL;
    }
    char *v = rt_strdup(value);
    if (!v) {
        axon_err_set(&s->err, AXON_ENOMEM, "out of memory");
        return AXON_ENOMEM;
    }
    for (uint32_t k = 0; k < s->nmeta; k++)
        if (!strcmp(s->meta[2 * k], key)) {
            free(s->meta[2 * k + 1]);
            s->meta[2 * k + 1] = v;
            return AXON_OK;
        }
    char *kc = rt_strdup(key);
    char **m = kc ? realloc(s->meta, (2 * (size_t)s->nmeta + 2) * sizeof *m) : NULL;
    if (!m) {
        free(kc);
        free(v);
        axon_err_set(&s->err, AXON_ENOMEM, "out of memory");
        return AXON_ENOMEM;
    }
    s->meta = m;
    m[2 * s->nmeta] = kc;
    m[2 * s->nmeta + 1] = v;
    s->nmeta++;
    return AXON_OK;
}

/* ---- the output files */

typedef struct {
    char *name;       /* file name inside the directory */
    const char *kind; /* manifest kind */
    int rec;          /* record index */
    const char *var;  /* variable name or NULL */
    const char *unit;
    axon_tensor t; /* view of the recorded data (over ranks, of this rank's part) */
    int part;      /* over several ranks, the index among the files split into a part per
                      rank (state records, values at spikes), else -1 */
} rt_out;

typedef struct {
    rt_out *v;
    size_t n, cap;
    int ranks;      /* K */
    int nparts;     /* files split into parts */
    uint64_t *rows; /* on rank 0: [rank][part][2], the shape of each rank's part */
    uint64_t **cols; /* on rank 0, per part: the column ranges of a record of a per-synapse
                        variable (rt_rec.wcols), every rank's in rank order, or NULL */
    uint64_t *ncols; /* ... [part][rank]: how many ranges of that rank's */
    uint64_t *active; /* over several ranks, per projection: its active synapses summed over
                         the ranks (structural plasticity), or NULL: this process's count */
} rt_outs;

static void rt_outs_free(rt_outs *o)
{
    for (size_t i = 0; i < o->n; i++)
        free(o->v[i].name);
    for (int k = 0; o->cols && k < o->nparts; k++)
        free(o->cols[k]);
    free(o->cols);
    free(o->ncols);
    free(o->active);
    free(o->v);
    free(o->rows);
}

/* Over ranks, whether record r's file is split into a part per rank: a state record, values
 * at spikes, and a weight record but of a variable per presynaptic neuron (every rank holds
 * it whole). */
static int rt_rec_split(const axon_sim *s, const rt_rec *r)
{
    if (r->kind == AXON_REC_WEIGHTS)
        return s->projs[r->proj].d->vars[r->var].kind != AXON_VAR_PER_PRE;
    return r->kind == AXON_REC_STATE || r->kind == AXON_REC_SPIKE_VALUES;
}

/* The population whose neurons a part of record r holds (the parts' "neurons"), or -1 for a
 * record of a per-synapse variable (its parts name their columns instead). */
static int rt_rec_part_pop(const axon_sim *s, const rt_rec *r)
{
    if (r->kind != AXON_REC_WEIGHTS)
        return r->pop;
    const axon_proj_desc *d = s->projs[r->proj].d;
    return d->vars[r->var].kind == AXON_VAR_PER_POST ? d->post : -1;
}

/* The name of rank r's part of file `name` (which ends in ".npy"): "E.v.rank1-of-3.npy". */
static char *rt_part_name(const char *name, int r, int k)
{
    size_t len = strlen(name) - 4;
    char *p = malloc(len + 48);
    if (p)
        snprintf(p, len + 48, "%.*s.rank%d-of-%d.npy", (int)len, name, r, k);
    return p;
}

static int rt_name_taken(const rt_outs *o, const char *name)
{
    if (!strcmp(name, "manifest.json"))
        return 1;
    for (size_t i = 0; i < o->n; i++)
        if (!strcmp(o->v[i].name, name))
            return 1;
    return 0;
}

static axon_tensor rt_view(axon_dtype dt, void *data, size_t n0, size_t n1, int ndim)
{
    axon_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = dt;
    t.ndim = ndim;
    t.shape[0] = n0;
    t.strides[0] = ndim == 2 ? n1 : 1;
    if (ndim == 2) {
        t.shape[1] = n1;
        t.strides[1] = 1;
    }
    t.data = data;
    return t;
}

/*
 * Adds the two files of record ri: names BASE + ext[0] and BASE + ext[1], where BASE is
 * "POP.what", or "POP.what.K" for the smallest K >= 2 that avoids every name taken so far.
 * With ext1 NULL, only a (b is ignored).
 */
static axon_status rt_add_pair(rt_outs *o, const char *pop, const char *what, const char *ext0,
                               const char *ext1, rt_out a, rt_out b, axon_err *err)
{
    int two = ext1 != NULL;
    if (!two)
        ext1 = "";
    if (o->n + 2 > o->cap) {
        size_t cap = o->cap ? 2 * o->cap : 16;
        rt_out *v = realloc(o->v, cap * sizeof *v);
        if (!v)
            return axon_err_set(err, AXON_ENOMEM, "out of memory");
        o->v = v;
        o->cap = cap;
    }
    size_t len = strlen(pop) + strlen(what) + 32;
    char *base = malloc(len);
    a.name = malloc(len + strlen(ext0));
    b.name = malloc(len + strlen(ext1));
    if (!base || !a.name || !b.name) {
        free(base);
        free(a.name);
        free(b.name);
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    }
    for (unsigned k = 1;; k++) {
        if (k == 1)
            snprintf(base, len, "%s.%s", pop, what);
        else
            snprintf(base, len, "%s.%s.%u", pop, what, k);
        sprintf(a.name, "%s%s", base, ext0);
        sprintf(b.name, "%s%s", base, ext1);
        if (!rt_name_taken(o, a.name) && (!two || !rt_name_taken(o, b.name)))
            break;
    }
    free(base);
    o->v[o->n++] = a;
    if (two)
        o->v[o->n++] = b;
    else
        free(b.name);
    return AXON_OK;
}

static axon_status rt_plan(axon_sim *s, rt_outs *o, axon_err *err)
{
    axon_dtype vdt = s->esz == 4 ? AXON_F32 : AXON_F64;
    o->ranks = rt_mpi_size(s);
    for (uint32_t i = 0; i < s->m->nrecords; i++) {
        rt_rec *r = &s->recs[i];
        if (r->kind < 0) /* a duplicate spike record */
            continue;
        int w = r->kind == AXON_REC_WEIGHTS;
        const char *owner = w ? s->projs[r->proj].d->name : s->pops[r->pop].d->name;
        if (strchr(owner, '/'))
            return axon_err_set(err, AXON_EINVAL, "%s name '%s' cannot be used in a file name",
                                w ? "projection" : "population", owner);
        const axon_pop_desc *p = w ? NULL : s->pops[r->pop].d;
        rt_out a = {.rec = (int)i, .part = -1};
        rt_out b = {.rec = (int)i, .kind = "", .unit = "s", .part = -1};
        /* over ranks, each holds its own neurons' (or synapses') columns, or values at its
           own spikes */
        if (o->ranks > 1 && rt_rec_split(s, r))
            a.part = o->nparts++;
        b.t = rt_view(AXON_F64, r->t, r->n, 0, 1);
        axon_status st;
        if (w) {
            const axon_var_desc *v = &s->projs[r->proj].d->vars[r->var];
            a.kind = "weights";
            a.var = v->name;
            a.unit = v->unit ? v->unit : "1";
            a.t = rt_view(vdt, r->vals, r->n, r->nsub, 2);
            b.kind = "weights_times";
            b.var = v->name;
            st = rt_add_pair(o, owner, v->name, ".npy", ".t.npy", a, b, err);
        } else if (r->kind == AXON_REC_SPIKES) {
            a.kind = "spike_times";
            a.unit = "s";
            a.t = b.t;
            /* Indices are below 2^31 (checked at setup), so the uint32 data reads as int32. */
            b.kind = "spike_indices";
            b.unit = "1";
            b.t = rt_view(AXON_I32, r->idx, r->n, 0, 1);
            st = rt_add_pair(o, p->name, "spikes", ".t.npy", ".i.npy", a, b, err);
        } else if (r->kind == AXON_REC_SPIKE_VALUES) {
            /* the compiler's hidden copy "_spike_v" of v: POP.spikes.v.npy */
            const axon_var_desc *v = &p->vars[r->var];
            const char *vn = strncmp(v->name, "_spike_", 7) ? v->name : v->name + 7;
            char *ext = rt_join(".", vn, ".npy");
            if (!ext)
                return axon_err_set(err, AXON_ENOMEM, "out of memory");
            a.kind = "spike_values";
            a.var = vn;
            a.unit = v->unit ? v->unit : "1";
            a.t = rt_view(vdt, r->vals, r->n, 0, 1);
            st = rt_add_pair(o, p->name, "spikes", ext, NULL, a, b, err);
            free(ext);
        } else if (r->kind == AXON_REC_STATE) {
            const axon_var_desc *v = &p->vars[r->var];
            a.kind = "state";
            a.var = v->name;
            a.unit = v->unit ? v->unit : "1";
            a.t = rt_view(vdt, r->vals, r->n, r->nsub, 2);
            b.kind = "state_times";
            b.var = v->name;
            st = rt_add_pair(o, p->name, v->name, ".npy", ".t.npy", a, b, err);
        } else {
            a.kind = "rate";
            a.unit = "Hz";
            a.t = rt_view(AXON_F64, r->rate, r->n, 0, 1);
            b.kind = "rate_times";
            st = rt_add_pair(o, p->name, "rate", ".npy", ".t.npy", a, b, err);
        }
        if (st != AXON_OK)
            return st;
    }
    return AXON_OK;
}

static const char *rt_numpy_dtype(axon_dtype dt)
{
    switch (dt) {
    case AXON_F32: return "float32";
    case AXON_F64: return "float64";
    case AXON_I32: return "int32";
    case AXON_I64: return "int64";
    case AXON_U8: return "uint8";
    case AXON_U32: return "uint32";
    case AXON_I8: return "int8";
    case AXON_I16: return "int16";
    }
    return "?";
}

/* The shape of file f as a whole: over ranks, a state record's columns are all its neurons
 * (the subset, or the population), and values at spikes are every rank's. */
static void rt_whole_shape(const axon_sim *s, const rt_outs *o, const rt_out *f, size_t shape[2])
{
    const rt_rec *r = &s->recs[f->rec];
    shape[0] = f->t.shape[0];
    shape[1] = f->t.ndim == 2 ? f->t.shape[1] : 0;
    if (f->part < 0)
        return;
    if (r->kind == AXON_REC_STATE) {
        shape[1] = r->d->nsubset ? r->d->nsubset : s->pops[r->pop].size;
    } else if (r->kind == AXON_REC_WEIGHTS) {
        int pop = rt_rec_part_pop(s, r);
        shape[1] = r->d->nsubset ? r->d->nsubset
                   : pop >= 0    ? s->pops[pop].size
                                 : (size_t)s->projs[r->proj].nsyn_all;
    } else {
        shape[0] = 0;
        for (int k = 0; k < o->ranks; k++)
            shape[0] += (size_t)o->rows[((size_t)k * (size_t)o->nparts + (size_t)f->part) * 2];
    }
}

/* The parts of a file split over ranks: each rank's file, the block of neurons it holds (a
 * state record's part has the columns of the record's neurons in that block, in the record's
 * order; values at spikes, those of the spikes of those neurons, in spike order; a weight
 * record of a per-postsynaptic-neuron variable as a state record) or, for a weight record of
 * a per-synapse variable, the columns of the whole record that its columns are, in order, as
 * [first, count] ranges; and its shape. Returns non-zero when out of memory. */
static int rt_manifest_parts(rt_sbuf *b, const axon_sim *s, const rt_outs *o, const rt_out *f)
{
    const rt_rec *r = &s->recs[f->rec];
    int pop = rt_rec_part_pop(s, r);
    const uint64_t *cols = pop < 0 ? o->cols[f->part] : NULL;
    rt_sb_puts(b, ", \"parts\": [");
    for (int k = 0; k < o->ranks; k++) {
        char *name = rt_part_name(f->name, k, o->ranks);
        if (!name)
            return 1;
        const uint64_t *sh = &o->rows[((size_t)k * (size_t)o->nparts + (size_t)f->part) * 2];
        rt_sb_puts(b, k ? ", {\"path\": " : "{\"path\": ");
        rt_sb_json_str(b, name);
        if (pop >= 0) {
            uint32_t lo, hi;
            rt_mpi_block_of(s, s->pops[pop].size, k, &lo, &hi);
            rt_sb_printf(b, ", \"neurons\": [%u, %u]", lo, hi);
        } else {
            uint64_t nc = o->ncols[(size_t)f->part * (size_t)o->ranks + (size_t)k];
            rt_sb_puts(b, ", \"columns\": [");
            for (uint64_t c = 0; c < nc; c++, cols += 2)
                rt_sb_printf(b, c ? ", [%llu, %llu]" : "[%llu, %llu]",
                             (unsigned long long)cols[0], (unsigned long long)cols[1]);
            rt_sb_puts(b, "]");
        }
        rt_sb_printf(b, ", \"shape\": [%llu", (unsigned long long)sh[0]);
        if (f->t.ndim == 2)
            rt_sb_printf(b, ", %llu", (unsigned long long)sh[1]);
        rt_sb_puts(b, "]}");
        free(name);
    }
    rt_sb_puts(b, "]");
    return 0;
}

/* Returns non-zero when out of memory. */
static int rt_manifest_file(rt_sbuf *b, const axon_sim *s, const rt_outs *o, const rt_out *f)
{
    const rt_rec *r = &s->recs[f->rec];
    size_t shape[2];
    rt_whole_shape(s, o, f, shape);
    rt_sb_puts(b, "    {\"path\": ");
    rt_sb_json_str(b, f->name);
    rt_sb_puts(b, ", \"kind\": ");
    rt_sb_json_str(b, f->kind);
    rt_sb_printf(b, ", \"record\": %d, \"population\": ", f->rec);
    rt_sb_json_str(b, r->pop >= 0 ? s->pops[r->pop].d->name : NULL);
    if (r->kind == AXON_REC_WEIGHTS) {
        rt_sb_puts(b, ", \"projection\": ");
        rt_sb_json_str(b, s->projs[r->proj].d->name);
    }
    rt_sb_puts(b, ", \"variable\": ");
    rt_sb_json_str(b, f->var);
    rt_sb_puts(b, ", \"unit\": ");
    rt_sb_json_str(b, f->unit);
    rt_sb_puts(b, ", \"dtype\": ");
    rt_sb_json_str(b, rt_numpy_dtype(f->t.dtype));
    rt_sb_printf(b, ", \"shape\": [%zu", shape[0]);
    if (f->t.ndim == 2)
        rt_sb_printf(b, ", %zu", shape[1]);
    rt_sb_puts(b, "], \"subset\": ");
    /* the descriptor's subset: over ranks, a state record's sub holds only its rank's part */
    if ((r->kind == AXON_REC_STATE || r->kind == AXON_REC_WEIGHTS) && r->d->nsubset) {
        rt_sb_puts(b, "[");
        for (uint32_t k = 0; k < r->d->nsubset; k++)
            rt_sb_printf(b, k ? ", %u" : "%u", r->d->subset[k]);
        rt_sb_puts(b, "]");
    } else {
        rt_sb_puts(b, "\"all\"");
    }
    rt_sb_puts(b, ", \"period\": ");
    if (r->kind == AXON_REC_SPIKES || r->kind == AXON_REC_SPIKE_VALUES)
        rt_sb_puts(b, "null");
    else
        rt_sb_num(b, (double)r->every * s->dt);
    if (f->part >= 0 && rt_manifest_parts(b, s, o, f))
        return 1;
    rt_sb_puts(b, "}");
    return 0;
}

/* What the program that ran the simulation told about it (axon_sim_set_meta). */
static void rt_manifest_meta(rt_sbuf *b, const axon_sim *s)
{
    rt_sb_puts(b, ",\n  \"meta\": {");
    for (uint32_t k = 0; k < s->nmeta; k++) {
        rt_sb_puts(b, k ? ", " : "");
        rt_sb_json_str(b, s->meta[2 * k]);
        rt_sb_puts(b, ": ");
        rt_sb_json_str(b, s->meta[2 * k + 1]);
    }
    rt_sb_puts(b, "}");
}

/* Every population and projection with its size, so that a reader can compute rates (silent
 * neurons included) and knows the model's structure without the model. */
static void rt_manifest_owners(rt_sbuf *b, const axon_sim *s, const rt_outs *o)
{
    const axon_model_desc *m = s->m;
    rt_sb_puts(b, ",\n  \"populations\": [");
    for (uint32_t p = 0; p < m->npops; p++) {
        rt_sb_puts(b, p ? ",\n    {\"name\": " : "\n    {\"name\": ");
        rt_sb_json_str(b, m->pops[p].name);
        rt_sb_puts(b, ", \"type\": ");
        rt_sb_json_str(b, m->pops[p].type);
        rt_sb_printf(b, ", \"size\": %u, \"spiking\": %s, \"spikes\": %llu}", m->pops[p].size,
                     m->pops[p].spiking ? "true" : "false",
                     (unsigned long long)s->pops[p].nspikes);
    }
    rt_sb_puts(b, m->npops ? "\n  ]" : "]");
    rt_sb_puts(b, ",\n  \"projections\": [");
    for (uint32_t q = 0; q < m->nprojs; q++) {
        const axon_proj_desc *d = &m->projs[q];
        rt_sb_puts(b, q ? ",\n    {\"name\": " : "\n    {\"name\": ");
        rt_sb_json_str(b, d->name);
        rt_sb_puts(b, ", \"type\": ");
        rt_sb_json_str(b, d->type);
        rt_sb_puts(b, ", \"pre\": ");
        rt_sb_json_str(b, m->pops[d->pre].name);
        rt_sb_puts(b, ", \"post\": ");
        rt_sb_json_str(b, m->pops[d->post].name);
        rt_sb_printf(b, ", \"synapses\": %llu", (unsigned long long)s->projs[q].nsyn_all);
        if (rt_struct_is(d)) /* structural plasticity: the synapses active at the end */
            rt_sb_printf(b, ", \"active\": %llu",
                         (unsigned long long)(o->active ? o->active[q]
                                                        : rt_struct_active(s, (int)q)));
        rt_sb_puts(b, "}");
    }
    rt_sb_puts(b, m->nprojs ? "\n  ]" : "]");
}

static axon_status rt_write_manifest(const axon_sim *s, const rt_outs *o, const char *path,
                                     axon_err *err)
{
    rt_sbuf b = {0};
    rt_sb_printf(&b, "{\n  \"format\": \"axon-recordings\",\n  \"version\": %d,\n  \"model\": ",
                 o->nparts ? RT_MANIFEST_VERSION_PARTS : RT_MANIFEST_VERSION);
    rt_sb_json_str(&b, s->m->name);
    rt_sb_printf(&b, ",\n  \"precision\": %u,\n  \"dt\": ", s->m->precision);
    rt_sb_num(&b, s->dt);
    rt_sb_printf(&b, ",\n  \"steps\": %llu,\n  \"duration\": ", (unsigned long long)s->step);
    rt_sb_num(&b, (double)s->step * s->dt);
    rt_sb_printf(&b, ",\n  \"partial\": %s", s->partial ? "true" : "false");
    rt_sb_printf(&b, ",\n  \"seed\": %llu,\n  \"threads\": %d",
                 (unsigned long long)s->seed, s->threads);
    if (rt_mpi_size(s) > 1) /* threads per rank */
        rt_sb_printf(&b, ",\n  \"ranks\": %d", rt_mpi_size(s));
    rt_sb_puts(&b, ",\n  \"axon_version\": ");
    rt_sb_json_str(&b, PACKAGE_VERSION);
    rt_manifest_meta(&b, s);
    rt_manifest_owners(&b, s, o);
    rt_sb_puts(&b, ",\n  \"files\": [");
    int oom = 0;
    for (size_t i = 0; i < o->n && !oom; i++) {
        rt_sb_puts(&b, i ? ",\n" : "\n");
        oom = rt_manifest_file(&b, s, o, &o->v[i]);
    }
    rt_sb_puts(&b, o->n ? "\n  ]\n}\n" : "]\n}\n");
    axon_status st = oom ? axon_err_set(err, AXON_ENOMEM, "out of memory")
                         : rt_sb_write_file(&b, path, err);
    free(b.p);
    return st;
}

/* Removes a temporary directory of ours and what is in it, which are only plain files (data
 * files and the rt_afile temporaries of a write cut short); anything else is left, and so the
 * directory too. */
static void rt_remove_tmp(const char *tmp)
{
    DIR *d = opendir(tmp);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *p = rt_join(tmp, "/", e->d_name);
            struct stat st;
            if (p && lstat(p, &st) == 0 && S_ISREG(st.st_mode))
                unlink(p);
            free(p);
        }
        closedir(d);
    }
    rmdir(tmp);
}

/* ---- names of temporary directories, and those of dead runs */

/* A temporary directory of a dead run of this host, next to a recordings directory. */
static void rt_remove_stale_dir(const char *path, const struct stat *st)
{
    if (S_ISDIR(st->st_mode))
        rt_remove_tmp(path);
}

/* Removes the temporary directories next to dir of runs of this host that have died. */
static void rt_clean_stale(const char *dir)
{
    rt_tmp_clean(dir, rt_remove_stale_dir);
}

/* Creates this run's temporary directory next to dir: *tmp = "DIR.tmp-HOST-PID-XXXXXX". */
static axon_status rt_make_tmp(const char *dir, char **tmp, axon_err *err)
{
    char *prefix = rt_tmp_prefix(dir);
    char pid[32];
    snprintf(pid, sizeof pid, "%ld-XXXXXX", (long)getpid());
    *tmp = prefix ? rt_join(prefix, "", pid) : NULL;
    free(prefix);
    if (!*tmp)
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    if (!mkdtemp(*tmp)) {
        axon_status st = axon_err_set(err, AXON_EIO, "%s: cannot create a temporary directory "
                                      "next to it: %s", dir, strerror(errno));
        free(*tmp);
        *tmp = NULL;
        return st;
    }
    return AXON_OK;
}

/* ---- lists of file names */

typedef struct {
    char **v;
    size_t n, cap;
} rt_names;

static void rt_names_free(rt_names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

/* Adds name, or takes it (own: name was malloc'd, or is NULL when that failed). Returns
 * non-zero when out of memory. */
static int rt_names_put(rt_names *l, char *name, int own)
{
    char *c = own ? name : name ? strdup(name) : NULL;
    if (c && l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **v = realloc(l->v, cap * sizeof *v);
        if (v) {
            l->v = v;
            l->cap = cap;
        }
    }
    if (!c || l->n == l->cap) {
        free(c);
        return 1;
    }
    l->v[l->n++] = c;
    return 0;
}

static int rt_names_has(const rt_names *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], name))
            return 1;
    return 0;
}

/* The files that rank `rank` writes (every file without ranks): the parts of its rank (rank
 * -1: of every rank) and, on rank 0, the others and manifest.json, last. */
static axon_status rt_files_of(const rt_outs *o, int rank, rt_names *l, axon_err *err)
{
    int bad = 0;
    for (size_t i = 0; i < o->n; i++) {
        const rt_out *f = &o->v[i];
        for (int k = 0; k < o->ranks; k++)
            if (f->part >= 0 && (rank < 0 || k == rank))
                bad |= rt_names_put(l, rt_part_name(f->name, k, o->ranks), 1);
        if (f->part < 0 && rank <= 0)
            bad |= rt_names_put(l, f->name, 0);
    }
    if (rank <= 0)
        bad |= rt_names_put(l, "manifest.json", 0);
    return bad ? axon_err_set(err, AXON_ENOMEM, "out of memory") : AXON_OK;
}

/* ---- the files of the previous manifest */

/* A file name that a manifest of ours may list: in the directory itself, not hidden. */
static int rt_plain_name(const char *name)
{
    return name[0] && name[0] != '.' && !strchr(name, '/') && strcmp(name, "manifest.json");
}

/* The "path" entries of dir/manifest.json and of its files' parts, when it is a manifest of
 * Axon recordings (a missing, unreadable or foreign manifest lists nothing). Out of memory
 * lists less, which only leaves files behind. */
static void rt_old_files(const char *dir, rt_names *out)
{
    char *path = rt_join(dir, "/", "manifest.json");
    struct stat st;
    rt_json_doc *doc = path && stat(path, &st) == 0 && S_ISREG(st.st_mode) ? rt_json_read(path, NULL)
                                                                           : NULL;
    free(path);
    const rt_json *root = doc ? rt_json_root(doc) : NULL;
    const char *format = rt_json_str(root, "format");
    const rt_json *files = rt_json_get(root, "files");
    if (format && !strcmp(format, "axon-recordings") && files && files->type == RT_JARR) {
        for (size_t i = 0; i < files->n; i++) {
            const rt_json *parts = rt_json_get(files->items[i], "parts");
            size_t np = parts && parts->type == RT_JARR ? parts->n : 0;
            for (size_t k = 0; k <= np; k++) {
                const rt_json *e = k < np ? parts->items[k] : files->items[i];
                const char *name = rt_json_str(e, "path");
                if (name && rt_plain_name(name) && rt_names_put(out, (char *)name, 0))
                    break;
            }
        }
    }
    rt_json_free(doc);
}

/* Removes the plain files of the old manifest that the new one does not list. */
static void rt_remove_old(const char *dir, const rt_names *old, const rt_names *now)
{
    for (size_t i = 0; i < old->n; i++) {
        if (rt_names_has(now, old->v[i]))
            continue;
        char *p = rt_join(dir, "/", old->v[i]);
        struct stat st;
        if (p && lstat(p, &st) == 0 && S_ISREG(st.st_mode))
            unlink(p);
        free(p);
    }
}

/* The files of rank `rank` into tmp (rt_files_of), manifest.json last on rank 0. */
static axon_status rt_write_all(axon_sim *s, const rt_outs *o, int rank, const char *tmp,
                                axon_err *err)
{
    for (size_t i = 0; i < o->n; i++) {
        const rt_out *f = &o->v[i];
        if (f->part < 0 && rank != 0)
            continue;
        char *name = f->part >= 0 ? rt_part_name(f->name, rank, o->ranks) : NULL;
        char *p = f->part < 0 || name ? rt_join(tmp, "/", name ? name : f->name) : NULL;
        free(name);
        if (!p)
            return axon_err_set(err, AXON_ENOMEM, "out of memory");
        axon_status st = axon_npy_write(p, &f->t, err);
        free(p);
        if (st != AXON_OK)
            return st;
    }
    if (rank != 0)
        return AXON_OK;
    char *p = rt_join(tmp, "/", "manifest.json");
    if (!p)
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    axon_status st = rt_write_manifest(s, o, p, err);
    free(p);
    return st;
}

/* Creates dir if missing and checks that none of the names is a directory there. */
static axon_status rt_prepare_dir(const char *dir, const rt_names *names, axon_err *err)
{
    struct stat st;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return axon_err_set(err, AXON_EIO, "%s: cannot create directory: %s", dir, strerror(errno));
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return axon_err_set(err, AXON_EIO, "%s: not a directory", dir);
    for (size_t i = 0; i < names->n; i++) {
        char *p = rt_join(dir, "/", names->v[i]);
        if (!p)
            return axon_err_set(err, AXON_ENOMEM, "out of memory");
        int isdir = lstat(p, &st) == 0 && S_ISDIR(st.st_mode);
        free(p);
        if (isdir)
            return axon_err_set(err, AXON_EIO, "%s/%s: a directory is in the way", dir,
                                names->v[i]);
    }
    return AXON_OK;
}

/* Moves names [from, to) from tmp into dir. */
static axon_status rt_move_all(const char *tmp, const char *dir, const rt_names *names,
                               size_t from, size_t to, axon_err *err)
{
    for (size_t i = from; i < to; i++) {
        const char *name = names->v[i];
        char *a = rt_join(tmp, "/", name), *b = rt_join(dir, "/", name);
        int rc = a && b ? rename(a, b) : -1;
        int e = errno;
        free(a);
        free(b);
        if (rc != 0)
            return axon_err_set(err, AXON_EIO, "%s/%s: cannot move into place: %s", dir, name,
                                a && b ? strerror(e) : "out of memory");
    }
    return AXON_OK;
}

/* *dir = dir_in without trailing slashes (malloc'd). */
static axon_status rt_dir_name(const char *dir_in, char **dir, axon_err *err)
{
    *dir = NULL;
    if (!dir_in || !*dir_in)
        return axon_err_set(err, AXON_EINVAL, "empty output directory name");
    size_t len = strlen(dir_in);
    while (len > 1 && dir_in[len - 1] == '/')
        len--;
    if (len == 1 && dir_in[0] == '/')
        return axon_err_set(err, AXON_EINVAL, "cannot write recordings into /");
    if (!(*dir = malloc(len + 1)))
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    memcpy(*dir, dir_in, len);
    (*dir)[len] = '\0';
    return AXON_OK;
}

static axon_status rt_write(axon_sim *s, const char *dir_in, axon_err *err)
{
    char *dir;
    axon_status st = rt_dir_name(dir_in, &dir, err);
    if (st != AXON_OK)
        return st;
    rt_outs o = {0};
    rt_names old = {0}, names = {0};
    char *tmp = NULL;
    rt_clean_stale(dir);
    st = rt_plan(s, &o, err);
    if (st == AXON_OK)
        st = rt_files_of(&o, 0, &names, err);
    if (st == AXON_OK)
        st = rt_make_tmp(dir, &tmp, err);
    if (tmp) {
        st = rt_write_all(s, &o, 0, tmp, err);
        if (st == AXON_OK)
            st = rt_prepare_dir(dir, &names, err);
        if (st == AXON_OK) {
            rt_old_files(dir, &old);
            st = rt_move_all(tmp, dir, &names, 0, names.n, err); /* manifest.json last */
        }
        if (st == AXON_OK)
            rt_remove_old(dir, &old, &names);
        rt_remove_tmp(tmp);
    }
    rt_names_free(&old);
    rt_names_free(&names);
    rt_outs_free(&o);
    free(dir);
    free(tmp);
    return st;
}

/* Over ranks: the column ranges of every rank's part of f (a weight record of a per-synapse
 * variable), on rank 0 into o->cols and o->ncols (collective). */
static axon_status rt_gather_cols(axon_sim *s, rt_outs *o, const rt_out *f, axon_err *err)
{
    const rt_rec *r = &s->recs[f->rec];
    int rank0 = rt_mpi_rank(s) == 0;
    uint64_t n = 2 * (uint64_t)r->nwcols, total = n;
    rt_mpi_sum(s, &total, 1);
    if (rank0 && !o->cols) {
        o->cols = calloc((size_t)o->nparts, sizeof *o->cols);
        o->ncols = calloc((size_t)o->nparts * (size_t)o->ranks, sizeof *o->ncols);
    }
    uint64_t *counts = rank0 && o->ncols ? o->ncols + (size_t)f->part * (size_t)o->ranks : NULL;
    uint64_t *all = rank0 && o->cols ? malloc((size_t)(total ? total : 1) * sizeof *all) : NULL;
    axon_status st = total > INT32_MAX   ? AXON_ERANGE
                     : rank0 && (!all || !counts) ? AXON_ENOMEM
                                         : AXON_OK;
    st = rt_mpi_agree(s->mpi, st, "write its part of the recordings", err);
    if (st == AXON_ENOMEM)
        axon_err_set(err, st, "out of memory");
    else if (st == AXON_ERANGE)
        axon_err_set(err, st, "record %d: too many column ranges over the ranks (%llu)", f->rec,
                     (unsigned long long)total);
    if (st != AXON_OK) {
        free(all);
        return st;
    }
    rt_mpi_gather_u64(s, &n, 1, counts);
    rt_mpi_gatherv_u64(s, r->wcols, (int)n, all, counts);
    if (rank0) {
        for (int k = 0; k < o->ranks; k++)
            counts[k] /= 2; /* values to ranges */
        o->cols[f->part] = all;
    }
    return AXON_OK;
}

/* Over ranks: the shape of every rank's parts, on rank 0 (collective). */
static axon_status rt_gather_rows(axon_sim *s, rt_outs *o, axon_err *err)
{
    size_t n = (size_t)o->nparts * 2;
    uint64_t *mine = calloc(n ? n : 1, sizeof *mine);
    if (rt_mpi_rank(s) == 0)
        o->rows = calloc(n * (size_t)o->ranks + 1, sizeof *o->rows);
    axon_status st = mine && (rt_mpi_rank(s) != 0 || o->rows) ? AXON_OK : AXON_ENOMEM;
    st = rt_mpi_agree(s->mpi, st, "write its part of the recordings", err);
    if (st == AXON_ENOMEM)
        axon_err_set(err, st, "out of memory");
    if (st == AXON_OK) {
        for (size_t i = 0; i < o->n; i++)
            if (o->v[i].part >= 0) {
                const axon_tensor *t = &o->v[i].t;
                mine[2 * (size_t)o->v[i].part] = t->shape[0];
                mine[2 * (size_t)o->v[i].part + 1] = t->ndim == 2 ? t->shape[1] : 0;
            }
        rt_mpi_gather_u64(s, mine, (int)n, o->rows);
    }
    free(mine);
    for (size_t i = 0; i < o->n && st == AXON_OK; i++)
        if (o->v[i].part >= 0 && rt_rec_part_pop(s, &s->recs[o->v[i].rec]) < 0)
            st = rt_gather_cols(s, o, &o->v[i], err);
    return st;
}

/* Over ranks: the active synapses of every projection summed over the ranks, for the manifest
 * (collective). */
static axon_status rt_gather_active(axon_sim *s, rt_outs *o, axon_err *err)
{
    uint32_t n = s->m->nprojs;
    o->active = calloc(n ? n : 1, sizeof *o->active);
    axon_status st = rt_mpi_agree(s->mpi, o->active ? AXON_OK : AXON_ENOMEM,
                                  "write its part of the recordings", err);
    if (st == AXON_ENOMEM)
        axon_err_set(err, st, "out of memory");
    if (st != AXON_OK)
        return st;
    for (uint32_t q = 0; q < n; q++)
        o->active[q] = rt_struct_is(&s->m->projs[q]) ? rt_struct_active(s, (int)q) : 0;
    rt_mpi_sum(s, o->active, n);
    return AXON_OK;
}

/*
 * axon_sim_write over several ranks: each rank writes its parts (state records, values at
 * spikes) and rank 0 the other files (spikes and rates, which every rank holds whole) and the
 * manifest naming the parts, each into a temporary directory of its own next to DIR. Then, with
 * the ranks agreeing between the steps (so that a failure anywhere stops every rank alike):
 * every file is written; rank 0 removes the old manifest, so that DIR reads as no recording
 * until the new one is in place; every rank moves its files in; rank 0 moves the manifest in
 * and removes the files of the old manifest that the new one does not list. A job killed at
 * any moment leaves DIR with the old manifest and its files, or with no manifest, or with the
 * new manifest and every file it names: never a manifest that names a file of another write.
 */
axon_status rt_write_ranks(axon_sim *s, const char *dir_in, axon_err *err)
{
    static const char what[] = "write its part of the recordings";
    int rank = rt_mpi_rank(s);
    char *dir = NULL, *tmp = NULL;
    rt_outs o = {0};
    rt_names old = {0}, mine = {0}, all = {0};
    axon_status st = rt_dir_name(dir_in, &dir, err);
    if (st == AXON_OK) {
        rt_clean_stale(dir);
        st = rt_plan(s, &o, err);
    }
    if (st == AXON_OK)
        st = rt_files_of(&o, rank, &mine, err);
    if (st == AXON_OK && rank == 0)
        st = rt_files_of(&o, -1, &all, err);
    st = rt_mpi_agree(s->mpi, st, what, err);
    if (st == AXON_OK)
        st = rt_gather_rows(s, &o, err);
    if (st == AXON_OK)
        st = rt_gather_active(s, &o, err);
    if (st == AXON_OK) { /* 1: every file written */
        st = rt_make_tmp(dir, &tmp, err);
        if (st == AXON_OK)
            st = rt_write_all(s, &o, rank, tmp, err);
        if (st == AXON_OK)
            st = rt_prepare_dir(dir, &mine, err);
        st = rt_mpi_agree(s->mpi, st, what, err);
    }
    if (st == AXON_OK) { /* 2: no manifest */
        if (rank == 0) {
            rt_old_files(dir, &old);
            char *m = rt_join(dir, "/", "manifest.json");
            if (!m)
                st = axon_err_set(err, AXON_ENOMEM, "out of memory");
            else if (unlink(m) != 0 && errno != ENOENT)
                st = axon_err_set(err, AXON_EIO, "%s: cannot remove the old manifest: %s", m,
                                  strerror(errno));
            free(m);
        }
        st = rt_mpi_agree(s->mpi, st, what, err);
    }
    size_t nmine = rank == 0 ? mine.n - 1 : mine.n; /* manifest.json is rank 0's last */
    if (st == AXON_OK) /* 3: every data file in place */
        st = rt_mpi_agree(s->mpi, rt_move_all(tmp, dir, &mine, 0, nmine, err), what, err);
    if (st == AXON_OK) { /* 4: the manifest */
        if (rank == 0) {
            st = rt_move_all(tmp, dir, &mine, nmine, mine.n, err);
            if (st == AXON_OK)
                rt_remove_old(dir, &old, &all);
        }
        st = rt_mpi_agree(s->mpi, st, what, err);
    }
    if (tmp)
        rt_remove_tmp(tmp);
    rt_names_free(&old);
    rt_names_free(&mine);
    rt_names_free(&all);
    rt_outs_free(&o);
    free(dir);
    free(tmp);
    return st;
}

axon_status axon_sim_check_output(const char *dir_in, axon_err *err)
{
    char *dir;
    axon_status st = rt_dir_name(dir_in, &dir, err);
    if (st != AXON_OK)
        return st;
    rt_clean_stale(dir);
    struct stat sb;
    int exists = stat(dir, &sb) == 0;
    if (exists && !S_ISDIR(sb.st_mode))
        st = axon_err_set(err, AXON_EIO, "%s: not a directory", dir);
    char *tmp = NULL;
    if (st == AXON_OK) /* the parent exists and takes the temporary directory */
        st = rt_make_tmp(dir, &tmp, err);
    if (tmp && exists) { /* and dir takes new files */
        char *probe = rt_join(dir, "/", ".axon-probe-XXXXXX");
        int fd = probe ? mkstemp(probe) : -1;
        if (fd >= 0) {
            close(fd);
            unlink(probe);
        } else {
            st = axon_err_set(err, probe ? AXON_EIO : AXON_ENOMEM, "%s: cannot write into it: %s",
                              dir, probe ? strerror(errno) : "out of memory");
        }
        free(probe);
    }
    if (tmp)
        rmdir(tmp);
    free(tmp);
    free(dir);
    return st;
}

axon_status axon_sim_write(axon_sim *s, const char *dir, axon_err *err)
{
    if (!s)
        return axon_err_set(err, AXON_EINVAL, "no simulation");
    rt_begin(s);
    axon_err e;
    axon_status st = rt_mpi_size(s) > 1 ? rt_write_ranks(s, dir, &e) : rt_write(s, dir, &e);
    if (st != AXON_OK) {
        s->err = e;
        if (err)
            *err = e;
    }
    return st;
}
