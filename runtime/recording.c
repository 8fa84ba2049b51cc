/*
 * Reading a recordings directory (axon_sim_write's output) back: manifest.json and the NPY
 * files it lists, checked against each other, into plain arrays.
 *
 * Every error names the file it is about, since the usual causes are a wrong directory, a copy
 * that lost a file, or a manifest written by a newer Axon. Data is converted once at load
 * (values to double, spike indices to uint32), so the analyses see one layout whatever the
 * model's precision.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "axon/analysis.h"
#include "axon/io.h"
#include "json.h"

/* The newest manifest format this reader understands (write.c writes it: version 3, files
 * split into a part per MPI rank, only over several ranks). */
#define RT_REC_VERSION 3

typedef struct {
    const char *pop, *var, *unit;
    double *v;
    size_t n;
} rt_spike_vals;

struct axon_recording {
    axon_rec_info info;
    char *dir;
    rt_json_doc *doc; /* owns every string the public structs point to */
    const rt_json *meta;
    axon_rec_pop *pops;
    size_t npops;
    axon_tensor **spike_t, **spike_i; /* per population slot: the arrays pops[k].t, .i live in */
    axon_rec_proj *projs;
    size_t nprojs;
    axon_rec_series *series;
    size_t nseries;
    rt_spike_vals *svals; /* `record spikes E.v`: values at spikes */
    size_t nsvals;
};

static char *rt_path(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *p = malloc(a + b + 2);
    if (p) {
        memcpy(p, dir, a);
        p[a] = '/';
        memcpy(p + a + 1, name, b + 1);
    }
    return p;
}

void axon_recording_free(axon_recording *r)
{
    if (!r)
        return;
    for (size_t k = 0; k < r->npops && r->spike_t; k++) {
        axon_tensor_free(r->spike_t[k]);
        axon_tensor_free(r->spike_i[k]);
    }
    free(r->spike_t);
    free(r->spike_i);
    for (size_t k = 0; k < r->nseries; k++) {
        free((void *)r->series[k].values);
        free((void *)r->series[k].times);
        free((void *)r->series[k].subset);
    }
    for (size_t k = 0; k < r->nsvals; k++)
        free(r->svals[k].v);
    free(r->svals);
    free(r->pops);
    free(r->projs);
    free(r->series);
    free(r->dir);
    rt_json_free(r->doc);
    free(r);
}

/* ---- the manifest ------------------------------------------------------------------------- */

/* A named population, added when first seen (version 1 manifests list none). */
static axon_rec_pop *rt_pop_of(axon_recording *r, const char *name, size_t cap)
{
    for (size_t k = 0; k < r->npops; k++)
        if (!strcmp(r->pops[k].name, name))
            return &r->pops[k];
    if (r->npops == cap)
        return NULL;
    axon_rec_pop *p = &r->pops[r->npops++];
    memset(p, 0, sizeof *p);
    p->name = name;
    p->spiking = 1; /* version 1: populations appear through their records */
    return p;
}

static axon_status rt_read_header(axon_recording *r, const rt_json *m, const char *mpath,
                                  axon_err *err)
{
    if (!m || m->type != RT_JOBJ)
        return axon_err_set(err, AXON_EFORMAT, "%s: not a JSON object", mpath);
    const char *fmt = rt_json_str(m, "format");
    if (!fmt || strcmp(fmt, "axon-recordings"))
        return axon_err_set(err, AXON_EFORMAT,
                            "%s: not an Axon recordings manifest (\"format\" is not "
                            "\"axon-recordings\")",
                            mpath);
    int ok;
    double v = rt_json_num(m, "version", &ok);
    if (!ok || v < 1 || v != floor(v))
        return axon_err_set(err, AXON_EFORMAT, "%s: no valid \"version\"", mpath);
    if (v > RT_REC_VERSION)
        return axon_err_set(err, AXON_EFORMAT,
                            "%s: manifest format version %.0f is newer than this Axon reads "
                            "(%d); use a newer Axon",
                            mpath, v, RT_REC_VERSION);
    axon_rec_info *in = &r->info;
    in->dir = r->dir;
    in->version = (int)v;
    in->model = rt_json_str(m, "model");
    int okd, okt;
    in->dt = rt_json_num(m, "dt", &okd);
    in->duration = rt_json_num(m, "duration", &okt);
    if (!okd || !(in->dt > 0) || !okt || !(in->duration >= 0))
        return axon_err_set(err, AXON_EFORMAT,
                            "%s: \"dt\" and \"duration\" must be numbers "
                            "(dt > 0)",
                            mpath);
    in->steps = (uint64_t)rt_json_num(m, "steps", NULL);
    in->seed = (uint64_t)rt_json_num(m, "seed", NULL);
    in->threads = (int)rt_json_num(m, "threads", NULL);
    in->precision = (int)rt_json_num(m, "precision", NULL);
    in->axon_version = rt_json_str(m, "axon_version");
    r->meta = rt_json_get(m, "meta");
    return AXON_OK;
}

static axon_status rt_read_owners(axon_recording *r, const rt_json *m, const char *mpath,
                                  size_t cap, axon_err *err)
{
    const rt_json *pops = rt_json_get(m, "populations");
    if (r->info.version >= 2 && (!pops || pops->type != RT_JARR))
        return axon_err_set(err, AXON_EFORMAT, "%s: no \"populations\" list", mpath);
    for (size_t k = 0; pops && k < pops->n; k++) {
        const rt_json *e = pops->items[k];
        const char *name = rt_json_str(e, "name");
        int ok;
        double size = rt_json_num(e, "size", &ok);
        if (!name || !ok || size < 0 || size > UINT32_MAX || size != floor(size))
            return axon_err_set(err, AXON_EFORMAT, "%s: population %zu lacks a name or a size",
                                mpath, k);
        axon_rec_pop *p = rt_pop_of(r, name, cap);
        if (!p)
            return axon_err_set(err, AXON_EFORMAT, "%s: too many populations", mpath);
        p->type = rt_json_str(e, "type");
        p->size = (uint32_t)size;
        p->size_known = 1;
        const rt_json *sp = rt_json_get(e, "spiking");
        p->spiking = !sp || (sp->type == RT_JBOOL && sp->num != 0);
    }
    const rt_json *projs = rt_json_get(m, "projections");
    if (projs && projs->type == RT_JARR && projs->n) {
        r->projs = calloc(projs->n, sizeof *r->projs);
        if (!r->projs)
            return axon_err_set(err, AXON_ENOMEM, "out of memory");
        for (size_t k = 0; k < projs->n; k++) {
            const rt_json *e = projs->items[k];
            axon_rec_proj *q = &r->projs[r->nprojs++];
            q->name = rt_json_str(e, "name");
            q->pre = rt_json_str(e, "pre");
            q->post = rt_json_str(e, "post");
            q->synapses = (uint64_t)rt_json_num(e, "synapses", NULL);
            if (!q->name)
                return axon_err_set(err, AXON_EFORMAT, "%s: projection %zu has no name", mpath, k);
        }
    }
    return AXON_OK;
}

/* ---- data files --------------------------------------------------------------------------- */

/* One entry of "files". */
typedef struct {
    const char *path, *kind, *pop, *proj, *var, *unit;
    int rec;
    size_t shape[2];
    int ndim;
    const rt_json *subset;
    const rt_json *parts; /* version 3: the parts of a file split over MPI ranks, or NULL */
    double period;
} rt_fentry;

static axon_status rt_fentry_read(const rt_json *e, size_t k, const char *mpath, rt_fentry *f,
                                  axon_err *err)
{
    memset(f, 0, sizeof *f);
    f->path = rt_json_str(e, "path");
    f->kind = rt_json_str(e, "kind");
    int ok;
    double rec = rt_json_num(e, "record", &ok);
    const rt_json *shape = rt_json_get(e, "shape");
    if (!f->path || !f->kind || !ok || !shape || shape->type != RT_JARR || shape->n < 1 ||
        shape->n > 2)
        return axon_err_set(err, AXON_EFORMAT,
                            "%s: file entry %zu lacks path, kind, record or shape", mpath, k);
    if (strchr(f->path, '/') || !strcmp(f->path, "..") || !strcmp(f->path, "."))
        return axon_err_set(err, AXON_EFORMAT, "%s: file entry %zu: '%s' is not a file name", mpath,
                            k, f->path);
    f->rec = (int)rec;
    f->ndim = (int)shape->n;
    for (size_t d = 0; d < shape->n; d++) {
        if (shape->items[d]->type != RT_JNUM || shape->items[d]->num < 0)
            return axon_err_set(err, AXON_EFORMAT, "%s: %s: bad shape", mpath, f->path);
        f->shape[d] = (size_t)shape->items[d]->num;
    }
    f->pop = rt_json_str(e, "population");
    f->proj = rt_json_str(e, "projection");
    f->var = rt_json_str(e, "variable");
    f->unit = rt_json_str(e, "unit");
    f->subset = rt_json_get(e, "subset");
    f->parts = rt_json_get(e, "parts");
    f->period = rt_json_num(e, "period", NULL);
    return AXON_OK;
}

/* Loads the file f into a tensor and checks its shape against the manifest. */
static axon_status rt_load_file(const axon_recording *r, const rt_fentry *f, axon_tensor **t,
                                axon_err *err)
{
    char *p = rt_path(r->dir, f->path);
    if (!p)
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    struct stat sb;
    axon_status st;
    if (stat(p, &sb) != 0) {
        st = axon_err_set(err, AXON_EIO, "%s: listed in manifest.json but missing: %s", p,
                          strerror(errno));
    } else {
        st = axon_npy_read(p, t, err);
        if (st == AXON_OK) {
            int same = (*t)->ndim == f->ndim;
            for (int d = 0; same && d < f->ndim; d++)
                same = (*t)->shape[d] == f->shape[d];
            if (!same) {
                st = axon_err_set(err, AXON_EFORMAT,
                                  "%s: shape disagrees with manifest.json (%zu rows there, %zu "
                                  "here)",
                                  p, f->shape[0], (*t)->ndim ? (*t)->shape[0] : 0);
                axon_tensor_free(*t);
                *t = NULL;
            }
        }
    }
    free(p);
    return st;
}

/* One part of a file split over MPI ranks: its data, the neurons [lo, hi) whose values it
 * holds, and how many of its columns (state) or values (at spikes) are taken so far. */
typedef struct {
    axon_tensor *t;
    uint32_t lo, hi;
    const rt_json *cols; /* or, a weight record of a per-synapse variable: the columns of the
                            whole record its columns are, as [first, count] ranges */
    size_t used;
} rt_part;

/* Reads part entry e of file f (path, neurons, shape) and loads its file. */
static axon_status rt_part_read(const axon_recording *r, const rt_fentry *f, const rt_json *e,
                                rt_part *p, axon_err *err)
{
    rt_fentry pf = *f;
    pf.path = rt_json_str(e, "path");
    pf.parts = NULL;
    const rt_json *nb = rt_json_get(e, "neurons"), *shape = rt_json_get(e, "shape");
    p->cols = rt_json_get(e, "columns");
    int ok = pf.path && !strchr(pf.path, '/') && strcmp(pf.path, "..") && strcmp(pf.path, ".") &&
             (p->cols ? p->cols->type == RT_JARR : nb && nb->type == RT_JARR && nb->n == 2) &&
             shape && shape->type == RT_JARR && shape->n == (size_t)f->ndim;
    for (size_t d = 0; ok && !p->cols && d < 2; d++)
        ok = nb->items[d]->type == RT_JNUM && nb->items[d]->num >= 0 &&
             nb->items[d]->num <= UINT32_MAX;
    for (size_t k = 0; ok && p->cols && k < p->cols->n; k++) {
        const rt_json *c = p->cols->items[k];
        ok = c->type == RT_JARR && c->n == 2 && c->items[0]->type == RT_JNUM &&
             c->items[1]->type == RT_JNUM && c->items[0]->num >= 0 && c->items[1]->num >= 0;
    }
    for (size_t d = 0; ok && d < shape->n; d++) {
        ok = shape->items[d]->type == RT_JNUM && shape->items[d]->num >= 0;
        pf.shape[d] = ok ? (size_t)shape->items[d]->num : 0;
    }
    if (!ok)
        return axon_err_set(err, AXON_EFORMAT, "%s/manifest.json: %s: a part lacks a file name, "
                            "its neurons (or columns) or its shape", r->dir, f->path);
    if (!p->cols) {
        p->lo = (uint32_t)nb->items[0]->num;
        p->hi = (uint32_t)nb->items[1]->num;
    }
    return rt_load_file(r, &pf, &p->t, err);
}

/* The part holding neuron j, or NULL. */
static rt_part *rt_part_of(rt_part *ps, size_t n, uint32_t j)
{
    for (size_t k = 0; k < n; k++)
        if (j >= ps[k].lo && j < ps[k].hi)
            return &ps[k];
    return NULL;
}

/* Column k of part p (its next unused one) as column c of out. */
static void rt_copy_col(const rt_part *p, size_t k, axon_tensor *out, size_t c)
{
    size_t esz = axon_dtype_size(out->dtype), n = out->shape[1];
    const char *src = p->t->data;
    char *dst = out->data;
    for (size_t row = 0; row < out->shape[0]; row++)
        memcpy(dst + (row * n + c) * esz,
               src + (p->t->strides[0] * row + p->t->strides[1] * k) * esz, esz);
}

/* A weight record of a per-synapse variable: each part's columns, in order, are the whole
 * record's columns its ranges name; every column of out must be named exactly once. */
static axon_status rt_join_cols(const axon_recording *r, const rt_fentry *f, rt_part *ps,
                                size_t np, axon_tensor *out, axon_err *err)
{
    size_t n = out->shape[1];
    uint8_t *taken = calloc(n ? n : 1, 1);
    if (!taken)
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    axon_status st = AXON_OK;
    for (size_t k = 0; k < np && st == AXON_OK; k++) {
        rt_part *p = &ps[k];
        if (!p->cols) {
            st = axon_err_set(err, AXON_EFORMAT, "%s/manifest.json: %s: a part lacks its "
                              "columns", r->dir, f->path);
            break;
        }
        for (size_t q = 0; q < p->cols->n && st == AXON_OK; q++) {
            double a = p->cols->items[q]->items[0]->num, c = p->cols->items[q]->items[1]->num;
            if (a + c > (double)n || p->used + c > p->t->shape[1]) {
                st = axon_err_set(err, AXON_EFORMAT, "%s/manifest.json: %s: a part's columns "
                                  "lie outside the record or the part", r->dir, f->path);
                break;
            }
            for (size_t j = (size_t)a; j < (size_t)(a + c) && st == AXON_OK; j++) {
                if (taken[j])
                    st = axon_err_set(err, AXON_EFORMAT, "%s/manifest.json: %s: column %zu in "
                                      "two parts", r->dir, f->path, j);
                taken[j] = 1;
                rt_copy_col(p, p->used++, out, j);
            }
        }
    }
    for (size_t j = 0; j < n && st == AXON_OK; j++)
        if (!taken[j])
            st = axon_err_set(err, AXON_EFORMAT, "%s/manifest.json: %s: no part holds column "
                              "%zu", r->dir, f->path, j);
    free(taken);
    return st;
}

/*
 * A file split over MPI ranks (write.c, rt_manifest_parts), put back together as the file one
 * process writes: a state record's column c (neuron subset[c], or c) is the next unused column
 * of the part that holds that neuron; values at spikes (spk: the spikes' neuron indices, in
 * order) the next unused value of the part that holds the spike's neuron. Every part must be
 * used up exactly.
 */
static axon_status rt_load_parts(const axon_recording *r, const rt_fentry *f, const uint32_t *spk,
                                 size_t nspk, axon_tensor **out, axon_err *err)
{
    const rt_json *pl = f->parts;
    *out = NULL;
    if (pl->type != RT_JARR || !pl->n ||
        (f->ndim == 2 ? strcmp(f->kind, "state") && strcmp(f->kind, "weights")
                      : strcmp(f->kind, "spike_values")))
        return axon_err_set(err, AXON_EFORMAT, "%s/manifest.json: %s: \"parts\" of a file that "
                            "is not split this way", r->dir, f->path);
    rt_part *ps = calloc(pl->n, sizeof *ps);
    if (!ps)
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    axon_status st = AXON_OK;
    for (size_t k = 0; k < pl->n && st == AXON_OK; k++) {
        st = rt_part_read(r, f, pl->items[k], &ps[k], err);
        if (st == AXON_OK && (ps[k].t->dtype != ps[0].t->dtype ||
                              (f->ndim == 2 && ps[k].t->shape[0] != f->shape[0])))
            st = axon_err_set(err, AXON_EFORMAT, "%s/%s: its type or rows differ from the "
                              "other parts of %s", r->dir, rt_json_str(pl->items[k], "path"),
                              f->path);
    }
    if (st == AXON_OK)
        *out = axon_tensor_new(ps[0].t->dtype, f->ndim, f->shape, err);
    if (st == AXON_OK && !*out)
        st = AXON_ENOMEM;
    size_t esz = *out ? axon_dtype_size((*out)->dtype) : 0;
    const rt_json *sub = f->subset && f->subset->type == RT_JARR ? f->subset : NULL;
    size_t n = f->ndim == 2 ? f->shape[1] : f->shape[0];
    if (st == AXON_OK && (f->ndim == 1 ? nspk != n : sub && sub->n != n))
        st = axon_err_set(err, AXON_EFORMAT, "%s/manifest.json: %s: %zu %s but %zu in its parts",
                          r->dir, f->path, f->ndim == 1 ? nspk : sub->n,
                          f->ndim == 1 ? "spikes" : "neurons", n);
    char *dst = *out ? (*out)->data : NULL;
    if (st == AXON_OK && f->ndim == 2 && ps[0].cols) {
        st = rt_join_cols(r, f, ps, pl->n, *out, err);
        n = 0; /* (done) */
    }
    for (size_t c = 0; c < n && st == AXON_OK; c++) {
        double j = f->ndim == 1 ? spk[c] : sub ? sub->items[c]->num : (double)c;
        rt_part *p = j >= 0 && j < UINT32_MAX ? rt_part_of(ps, pl->n, (uint32_t)j) : NULL;
        size_t have = p ? p->t->shape[f->ndim - 1] : 0;
        if (!p || p->used >= have) {
            st = axon_err_set(err, AXON_EFORMAT, "%s/manifest.json: %s: no part holds the %s "
                              "of neuron %.0f", r->dir, f->path,
                              f->ndim == 1 ? "value at a spike" : "column", j);
            break;
        }
        const char *src = p->t->data;
        if (f->ndim == 1) {
            memcpy(dst + c * esz, src + p->t->strides[0] * p->used * esz, esz);
        } else {
            for (size_t row = 0; row < f->shape[0]; row++)
                memcpy(dst + (row * n + c) * esz,
                       src + (p->t->strides[0] * row + p->t->strides[1] * p->used) * esz, esz);
        }
        p->used++;
    }
    for (size_t k = 0; k < pl->n && st == AXON_OK; k++)
        if (ps[k].used != ps[k].t->shape[f->ndim - 1])
            st = axon_err_set(err, AXON_EFORMAT, "%s/%s: %zu %s, of which %zu belong to %s",
                              r->dir, rt_json_str(pl->items[k], "path"),
                              ps[k].t->shape[f->ndim - 1], f->ndim == 1 ? "values" : "columns",
                              ps[k].used, f->path);
    for (size_t k = 0; k < pl->n; k++)
        axon_tensor_free(ps[k].t);
    free(ps);
    if (st != AXON_OK) {
        axon_tensor_free(*out);
        *out = NULL;
    }
    return st;
}

/* Loads f (a file, or one split into parts over MPI ranks) into a tensor of its manifest shape;
 * spk, nspk: for values at spikes, the neurons of the population's spikes. */
static axon_status rt_load_spk(const axon_recording *r, const rt_fentry *f, const uint32_t *spk,
                               size_t nspk, axon_tensor **t, axon_err *err)
{
    return f->parts ? rt_load_parts(r, f, spk, nspk, t, err) : rt_load_file(r, f, t, err);
}

static axon_status rt_load(const axon_recording *r, const rt_fentry *f, axon_tensor **t,
                           axon_err *err)
{
    return rt_load_spk(r, f, NULL, 0, t, err);
}

/* The tensor's elements as a new array of doubles (any dtype). */
static double *rt_to_f64(const axon_tensor *t, axon_err *err, const char *what)
{
    size_t n = axon_tensor_numel(t);
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (!d) {
        axon_err_set(err, AXON_ENOMEM, "out of memory for %s", what);
        return NULL;
    }
    if (t->dtype == AXON_F64) {
        memcpy(d, t->data, n * sizeof *d);
    } else if (t->dtype == AXON_F32) {
        const float *s = t->data;
        for (size_t k = 0; k < n; k++)
            d[k] = s[k];
    } else {
        size_t idx[AXON_MAX_DIMS] = {0};
        for (size_t k = 0; k < n; k++) {
            d[k] = axon_tensor_get_f64(t, idx);
            for (int a = t->ndim - 1; a >= 0; a--) {
                if (++idx[a] < t->shape[a])
                    break;
                idx[a] = 0;
            }
        }
    }
    return d;
}

/* Finds the partner of entry k: the file of the same record with kind `kind`. */
static int rt_partner(const rt_fentry *fs, size_t n, size_t k, const char *kind)
{
    for (size_t j = 0; j < n; j++)
        if (j != k && fs[j].rec == fs[k].rec && !strcmp(fs[j].kind, kind))
            return (int)j;
    return -1;
}

static axon_status rt_load_spikes(axon_recording *r, const rt_fentry *ft, const rt_fentry *fi,
                                  size_t cap, const char *mpath, axon_err *err)
{
    if (!ft->pop)
        return axon_err_set(err, AXON_EFORMAT, "%s: %s has no population", mpath, ft->path);
    axon_rec_pop *p = rt_pop_of(r, ft->pop, cap);
    if (!p)
        return axon_err_set(err, AXON_EFORMAT, "%s: too many populations", mpath);
    if (p->has_spikes) /* a second spike record of one population holds the same data */
        return AXON_OK;
    axon_tensor *t = NULL, *i = NULL;
    axon_status st = rt_load(r, ft, &t, err);
    if (st == AXON_OK)
        st = rt_load(r, fi, &i, err);
    if (st == AXON_OK &&
        (t->ndim != 1 || t->dtype != AXON_F64 || i->ndim != 1 ||
         (i->dtype != AXON_I32 && i->dtype != AXON_I64) || t->shape[0] != i->shape[0]))
        st = axon_err_set(err, AXON_EFORMAT,
                          "%s/%s, %s: spike times must be float64 and indices int32, of one "
                          "length",
                          r->dir, ft->path, fi->path);
    /* The arrays stay in their tensors (no copy of tens of millions of spikes): times as
     * read, int32 indices read as uint32 once checked non-negative; int64 ones are narrowed in
     * place into the first half of their buffer. */
    size_t n = st == AXON_OK ? t->shape[0] : 0;
    const double *tt = st == AXON_OK ? t->data : NULL;
    uint32_t *ii = st == AXON_OK ? i->data : NULL;
    uint32_t top = 0;
    for (size_t k = 0; st == AXON_OK && k < n; k++) {
        int64_t x =
            i->dtype == AXON_I32 ? ((const int32_t *)i->data)[k] : ((const int64_t *)i->data)[k];
        if (x < 0 || x >= UINT32_MAX || (p->size_known && (uint64_t)x >= p->size))
            st = axon_err_set(err, AXON_EFORMAT,
                              "%s/%s: spike %zu has neuron index %lld, outside population '%s' "
                              "of %u",
                              r->dir, fi->path, k, (long long)x, p->name, p->size);
        else if (!isfinite(tt[k]))
            st = axon_err_set(err, AXON_EFORMAT, "%s/%s: spike %zu has time %g", r->dir, ft->path,
                              k, tt[k]);
        else
            ii[k] = (uint32_t)x; /* k-th uint32 lies at or before the k-th int64 read */
        if (st == AXON_OK && (uint32_t)x + 1 > top)
            top = (uint32_t)x + 1;
    }
    if (st != AXON_OK) {
        axon_tensor_free(t);
        axon_tensor_free(i);
        return st;
    }
    size_t slot = (size_t)(p - r->pops);
    r->spike_t[slot] = t;
    r->spike_i[slot] = i;
    p->has_spikes = 1;
    p->nspikes = n;
    p->t = tt;
    p->i = ii;
    if (!p->size_known && top > p->size)
        p->size = top;
    return AXON_OK;
}

static axon_status rt_load_series(axon_recording *r, const rt_fentry *fv, const rt_fentry *ftm,
                                  const char *mpath, axon_err *err)
{
    axon_rec_series *s = &r->series[r->nseries];
    memset(s, 0, sizeof *s);
    s->kind = !strcmp(fv->kind, "state")  ? AXON_SERIES_STATE
              : !strcmp(fv->kind, "rate") ? AXON_SERIES_RATE
                                          : AXON_SERIES_WEIGHTS;
    s->owner = s->kind == AXON_SERIES_WEIGHTS ? fv->proj : fv->pop;
    if (!s->owner)
        return axon_err_set(err, AXON_EFORMAT, "%s: %s names no %s", mpath, fv->path,
                            s->kind == AXON_SERIES_WEIGHTS ? "projection" : "population");
    s->var = fv->var;
    s->unit = fv->unit ? fv->unit : "1";
    s->file = fv->path;
    s->period = fv->period;
    axon_tensor *v = NULL, *t = NULL;
    axon_status st = rt_load(r, fv, &v, err);
    if (st == AXON_OK)
        st = rt_load(r, ftm, &t, err);
    if (st == AXON_OK && (t->ndim != 1 || t->shape[0] != v->shape[0] ||
                          (s->kind == AXON_SERIES_RATE) != (v->ndim == 1)))
        st = axon_err_set(err, AXON_EFORMAT, "%s/%s: its times (%s) do not match its samples",
                          r->dir, fv->path, ftm->path);
    if (st == AXON_OK) {
        s->nsamples = v->shape[0];
        s->ncols = v->ndim == 2 ? v->shape[1] : 1;
        s->values = rt_to_f64(v, err, fv->path);
        s->times = rt_to_f64(t, err, ftm->path);
        if (!s->values || !s->times)
            st = AXON_ENOMEM;
    }
    const rt_json *sub = fv->subset;
    if (st == AXON_OK && sub && sub->type == RT_JARR && s->kind != AXON_SERIES_RATE) {
        if (sub->n != s->ncols) {
            st = axon_err_set(err, AXON_EFORMAT, "%s: %s: subset of %zu but %zu columns", mpath,
                              fv->path, sub->n, s->ncols);
        } else {
            uint32_t *ix = malloc((sub->n ? sub->n : 1) * sizeof *ix);
            if (!ix)
                st = axon_err_set(err, AXON_ENOMEM, "out of memory");
            for (size_t k = 0; ix && k < sub->n; k++)
                ix[k] = sub->items[k]->type == RT_JNUM ? (uint32_t)sub->items[k]->num : 0;
            s->subset = ix;
        }
    }
    axon_tensor_free(v);
    axon_tensor_free(t);
    r->nseries++; /* counted even on failure, so that free releases what was allocated */
    return st;
}

/* A file of values at spikes (kind "spike_values"), after the spike records: one value per
 * spike of its population, in the order of the spike times. */
static axon_status rt_load_spike_values(axon_recording *r, const rt_fentry *f, const char *mpath,
                                        axon_err *err)
{
    int k = f->pop && f->var ? axon_recording_pop_index(r, f->pop) : -1;
    if (k < 0 || !r->pops[k].has_spikes)
        return axon_err_set(err, AXON_EFORMAT, "%s: %s: values at the spikes of %s, which has no "
                            "spike record", mpath, f->path, f->pop ? f->pop : "no population");
    axon_tensor *v = NULL;
    axon_status st = rt_load_spk(r, f, r->pops[k].i, r->pops[k].nspikes, &v, err);
    if (st != AXON_OK)
        return st;
    if (v->ndim != 1 || v->shape[0] != r->pops[k].nspikes) {
        st = axon_err_set(err, AXON_EFORMAT, "%s/%s: %zu values for %zu spikes of %s", r->dir,
                          f->path, v->ndim == 1 ? v->shape[0] : 0, r->pops[k].nspikes, f->pop);
        axon_tensor_free(v);
        return st;
    }
    rt_spike_vals *sv = &r->svals[r->nsvals];
    sv->pop = r->pops[k].name;
    sv->var = f->var;
    sv->unit = f->unit ? f->unit : "1";
    sv->n = v->shape[0];
    sv->v = rt_to_f64(v, err, f->path);
    axon_tensor_free(v);
    if (!sv->v)
        return AXON_ENOMEM;
    r->nsvals++;
    return AXON_OK;
}

static axon_status rt_read_files(axon_recording *r, const rt_json *m, const char *mpath, size_t cap,
                                 axon_err *err)
{
    const rt_json *files = rt_json_get(m, "files");
    if (!files || files->type != RT_JARR)
        return axon_err_set(err, AXON_EFORMAT, "%s: no \"files\" list", mpath);
    size_t n = files->n;
    rt_fentry *fs = calloc(n ? n : 1, sizeof *fs);
    r->series = calloc(n ? n : 1, sizeof *r->series);
    if (!fs || !r->series) {
        free(fs);
        return axon_err_set(err, AXON_ENOMEM, "out of memory");
    }
    axon_status st = AXON_OK;
    for (size_t k = 0; k < n && st == AXON_OK; k++)
        st = rt_fentry_read(files->items[k], k, mpath, &fs[k], err);
    static const char *const PAIRS[][2] = {{"spike_times", "spike_indices"},
                                           {"state", "state_times"},
                                           {"rate", "rate_times"},
                                           {"weights", "weights_times"}};
    for (size_t k = 0; k < n && st == AXON_OK; k++) {
        int which = -1;
        for (int q = 0; q < 4; q++)
            if (!strcmp(fs[k].kind, PAIRS[q][0]))
                which = q;
        int known = which >= 0;
        for (int q = 0; q < 4; q++)
            known |= !strcmp(fs[k].kind, PAIRS[q][1]);
        if (!known) /* a kind from a later minor addition: not ours to read */
            continue;
        if (which < 0)
            continue;
        int j = rt_partner(fs, n, k, PAIRS[which][1]);
        if (j < 0) {
            st = axon_err_set(err, AXON_EFORMAT, "%s: %s has no %s file", mpath, fs[k].path,
                              PAIRS[which][1]);
        } else if (which == 0) {
            st = rt_load_spikes(r, &fs[k], &fs[j], cap, mpath, err);
        } else {
            if ((which == 1 || which == 2) && fs[k].pop && !rt_pop_of(r, fs[k].pop, cap))
                st = axon_err_set(err, AXON_EFORMAT, "%s: too many populations", mpath);
            if (st == AXON_OK)
                st = rt_load_series(r, &fs[k], &fs[j], mpath, err);
        }
    }
    r->svals = calloc(n ? n : 1, sizeof *r->svals);
    if (!r->svals && st == AXON_OK)
        st = axon_err_set(err, AXON_ENOMEM, "out of memory");
    for (size_t k = 0; k < n && st == AXON_OK; k++)
        if (!strcmp(fs[k].kind, "spike_values"))
            st = rt_load_spike_values(r, &fs[k], mpath, err);
    free(fs);
    return st;
}

axon_recording *axon_recording_open(const char *dir, axon_err *err)
{
    if (!dir || !*dir) {
        axon_err_set(err, AXON_EINVAL, "no directory given");
        return NULL;
    }
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        axon_err_set(err, AXON_EIO, "%s: %s", dir, strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(sb.st_mode)) {
        axon_err_set(err, AXON_EINVAL, "%s: not a directory", dir);
        return NULL;
    }
    axon_recording *r = calloc(1, sizeof *r);
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    if (r)
        r->dir = malloc(len + 1);
    if (!r || !r->dir) {
        free(r);
        axon_err_set(err, AXON_ENOMEM, "out of memory");
        return NULL;
    }
    memcpy(r->dir, dir, len);
    r->dir[len] = '\0';
    char *mpath = rt_path(r->dir, "manifest.json");
    axon_status st = mpath ? AXON_OK : axon_err_set(err, AXON_ENOMEM, "out of memory");
    if (st == AXON_OK && stat(mpath, &sb) != 0)
        st = axon_err_set(err, AXON_EFORMAT,
                          "%s: not a recording (no manifest.json; write one with axon run -o "
                          "DIR)",
                          r->dir);
    if (st == AXON_OK && !(r->doc = rt_json_read(mpath, err)))
        st = AXON_EFORMAT;
    const rt_json *m = rt_json_root(r->doc);
    if (st == AXON_OK)
        st = rt_read_header(r, m, mpath, err);
    /* populations: at most those listed plus one per file */
    size_t cap = 0;
    if (st == AXON_OK) {
        const rt_json *p = rt_json_get(m, "populations"), *f = rt_json_get(m, "files");
        cap = (p && p->type == RT_JARR ? p->n : 0) + (f && f->type == RT_JARR ? f->n : 0);
        r->pops = calloc(cap ? cap : 1, sizeof *r->pops);
        r->spike_t = calloc(cap ? cap : 1, sizeof *r->spike_t);
        r->spike_i = calloc(cap ? cap : 1, sizeof *r->spike_i);
        if (!r->pops || !r->spike_t || !r->spike_i)
            st = axon_err_set(err, AXON_ENOMEM, "out of memory");
    }
    if (st == AXON_OK)
        st = rt_read_owners(r, m, mpath, cap, err);
    if (st == AXON_OK)
        st = rt_read_files(r, m, mpath, cap, err);
    free(mpath);
    if (st != AXON_OK) {
        axon_recording_free(r);
        return NULL;
    }
    return r;
}

const axon_rec_info *axon_recording_info(const axon_recording *r)
{
    return r ? &r->info : NULL;
}

const char *axon_recording_meta(const axon_recording *r, const char *key)
{
    return r && key ? rt_json_str(r->meta, key) : NULL;
}

size_t axon_recording_npops(const axon_recording *r)
{
    return r ? r->npops : 0;
}

const axon_rec_pop *axon_recording_pop(const axon_recording *r, size_t k)
{
    return r && k < r->npops ? &r->pops[k] : NULL;
}

int axon_recording_pop_index(const axon_recording *r, const char *name)
{
    for (size_t k = 0; r && name && k < r->npops; k++)
        if (!strcmp(r->pops[k].name, name))
            return (int)k;
    return -1;
}

size_t axon_recording_nprojs(const axon_recording *r)
{
    return r ? r->nprojs : 0;
}

const axon_rec_proj *axon_recording_proj(const axon_recording *r, size_t k)
{
    return r && k < r->nprojs ? &r->projs[k] : NULL;
}

size_t axon_recording_nseries(const axon_recording *r)
{
    return r ? r->nseries : 0;
}

const axon_rec_series *axon_recording_series(const axon_recording *r, size_t k)
{
    return r && k < r->nseries ? &r->series[k] : NULL;
}

const double *axon_recording_spike_values(const axon_recording *r, const char *pop,
                                          const char *var, size_t *n, const char **unit)
{
    for (size_t k = 0; r && pop && var && k < r->nsvals; k++)
        if (!strcmp(r->svals[k].pop, pop) && !strcmp(r->svals[k].var, var)) {
            if (n)
                *n = r->svals[k].n;
            if (unit)
                *unit = r->svals[k].unit;
            return r->svals[k].v;
        }
    return NULL;
}
