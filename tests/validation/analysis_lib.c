/*
 * The analyses of <axon/analysis.h> that `axon analyze` does not report, on a real run, for the
 * independent numpy check of tests/reference/analysis_lib_ref.py:
 *
 *     analysis_lib rec DIR        population E of the recording DIR: the population rate
 *                                 (binned, Gaussian, exponential), a PSTH, the ISI histogram,
 *                                 van Rossum and Victor-Purpura distances of neuron pairs, the
 *                                 graded health of E.v, the histogram of the last ee.w sample
 *     analysis_lib erank LIB SYM PROJ.VAR T OUT.npy
 *                                 runs model SYM of the shared library LIB (seed 1) for T s,
 *                                 writes the projection's dense weight matrix to OUT.npy and
 *                                 prints its effective rank and singular values
 *
 * Prints one JSON object on stdout (NaN as null); the parameters are in it, so the check reads
 * them from there. Exit status 1 with a message on any failure.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axon/analysis.h"
#include "axon/io.h"
#include "axon/tensor.h"

static int fail(const char *what, const char *msg)
{
    fprintf(stderr, "analysis_lib: %s: %s\n", what, msg ? msg : "failed");
    return 1;
}

static void num(double x)
{
    if (isfinite(x))
        printf("%.17g", x);
    else
        printf("null");
}

static void key_num(const char *k, double x)
{
    printf("\"%s\": ", k);
    num(x);
    printf(", ");
}

static void array(const char *k, const double *x, size_t n)
{
    printf("\"%s\": [", k);
    for (size_t j = 0; j < n; j++) {
        if (j)
            printf(", ");
        num(x[j]);
    }
    printf("]");
}

static void array_u32(const char *k, const uint32_t *x, size_t n)
{
    printf("\"%s\": [", k);
    for (size_t j = 0; j < n; j++)
        printf(j ? ", %u" : "%u", x[j]);
    printf("]");
}

/* the recorded series of owner.var, or NULL */
static const axon_rec_series *series(const axon_recording *r, const char *owner, const char *var)
{
    for (size_t k = 0; k < axon_recording_nseries(r); k++) {
        const axon_rec_series *s = axon_recording_series(r, k);
        if (s->var && !strcmp(s->owner, owner) && !strcmp(s->var, var))
            return s;
    }
    return NULL;
}

static void rates(const axon_trains *tr, double bin, double w)
{
    size_t nb = axon_nbins(tr, bin);
    double *x = malloc(nb * sizeof *x);
    printf("\"pop_rate\": {\"bin\": %.17g, \"width\": %.17g, ", bin, w);
    static const struct {
        const char *name;
        axon_kernel k;
    } KS[] = {{"none", AXON_KERNEL_NONE}, {"gauss", AXON_KERNEL_GAUSS}, {"exp", AXON_KERNEL_EXP}};
    for (size_t q = 0; q < 3; q++) {
        axon_pop_rate(tr, bin, KS[q].k, w, x, nb);
        array(KS[q].name, x, nb);
        printf(q < 2 ? ", " : "},\n");
    }
    free(x);
}

static void psth(const axon_trains *tr)
{
    enum { NT = 19, NB = 50 };
    double trig[NT], rate[NB], before = 0.02, bin = 1e-3;
    for (int k = 0; k < NT; k++)
        trig[k] = 0.1 * (k + 1);
    size_t used = 0;
    axon_psth(tr, trig, NT, before, bin, rate, NB, &used);
    printf("\"psth\": {");
    array("triggers", trig, NT);
    printf(", \"before\": %.17g, \"bin\": %.17g, \"used\": %zu, ", before, bin, used);
    array("rate", rate, NB);
    printf("},\n");
}

static void isi_histogram(const axon_trains *tr)
{
    enum { NB = 200 };
    double h[NB], bin = 1e-3;
    uint64_t over = 0;
    axon_isi_histogram(tr, bin, h, NB, &over);
    printf("\"isi_histogram\": {\"bin\": %.17g, \"over\": %llu, ", bin, (unsigned long long)over);
    array("counts", h, NB);
    printf("},\n");
}

static void distances(const axon_trains *tr)
{
    static const double TAU[] = {2e-3, 10e-3, 100e-3}, Q[] = {10, 200, 2000};
    printf("\"distances\": {");
    array("tau", TAU, 3);
    printf(", ");
    array("q", Q, 3);
    printf(", \"pairs\": [");
    for (uint32_t k = 0; k < 20; k++) {
        uint32_t a = 2 * k, b = 2 * k + 1;
        const double *ta, *tb;
        size_t na = axon_trains_neuron(tr, a, &ta), nb = axon_trains_neuron(tr, b, &tb);
        double vr[3], vp[3];
        for (int j = 0; j < 3; j++) {
            vr[j] = axon_van_rossum(ta, na, tb, nb, TAU[j]);
            vp[j] = axon_victor_purpura(ta, na, tb, nb, Q[j]);
        }
        printf("%s\n  {\"a\": %u, \"b\": %u, ", k ? "," : "", a, b);
        array("van_rossum", vr, 3);
        printf(", ");
        array("victor_purpura", vp, 3);
        printf("}");
    }
    printf("]},\n");
}

static int health_graded(const axon_recording *r)
{
    const axon_rec_series *v = series(r, "E", "v");
    if (!v)
        return fail("graded health", "no record of E.v");
    double thr = -0.0545; /* neuron 8 of the reference run stays below it */
    axon_health_summary h;
    uint32_t *dead = calloc(v->ncols, sizeof *dead), *hyper = calloc(v->ncols, sizeof *hyper);
    axon_health_graded(v->values, v->nsamples, v->ncols, thr, &h, dead, hyper);
    printf("\"health_graded\": {\"file\": \"%s\", ", v->file);
    key_num("threshold", thr);
    key_num("active_fraction", h.active_fraction);
    key_num("hoyer", h.hoyer);
    array_u32("dead", dead, h.dead);
    printf(", ");
    array_u32("always_active", hyper, h.hyperactive);
    printf("},\n");
    free(dead);
    free(hyper);
    return 0;
}

static int weight_histogram(const axon_recording *r)
{
    const axon_rec_series *w = series(r, "ee", "w");
    if (!w || !w->nsamples)
        return fail("weight histogram", "no record of ee.w");
    enum { NB = 30 };
    const double *last = w->values + (w->nsamples - 1) * w->ncols;
    double lo = last[0], hi = last[0], h[NB];
    for (size_t k = 1; k < w->ncols; k++) {
        lo = fmin(lo, last[k]);
        hi = fmax(hi, last[k]);
    }
    axon_histogram(last, w->ncols, lo, hi, h, NB);
    printf("\"weight_histogram\": {\"file\": \"%s\", \"sample\": %zu, ", w->file, w->nsamples - 1);
    key_num("lo", lo);
    key_num("hi", hi);
    array("counts", h, NB);
    printf("}\n");
    return 0;
}

static int cmd_rec(const char *dir)
{
    axon_err err;
    axon_recording *r = axon_recording_open(dir, &err);
    if (!r)
        return fail("open", err.msg);
    axon_trains *tr = axon_recording_trains(r, axon_recording_pop_index(r, "E"), 0, -1, &err);
    if (!tr) {
        axon_recording_free(r);
        return fail("trains", err.msg);
    }
    printf("{\"population\": \"E\", \"size\": %u,\n", axon_trains_size(tr));
    rates(tr, 1e-3, 5e-3);
    psth(tr);
    isi_histogram(tr);
    distances(tr);
    int rc = health_graded(r) || weight_histogram(r);
    printf("}\n");
    axon_trains_free(tr);
    axon_recording_free(r);
    return rc;
}

static int cmd_erank(const char *lib, const char *sym, const char *path, double T, const char *out)
{
    axon_err err = {{0}};
    axon_model_handle *h = axon_model_open(lib, sym, &err);
    if (!h)
        return fail("open", err.msg);
    axon_sim *s = axon_sim_new(axon_model_descriptor(h), &(axon_opts){.seed = 1}, &err);
    if (!s) {
        axon_model_close(h);
        return fail("new", err.msg);
    }
    int rc = 0;
    const axon_model_desc *md = axon_sim_model(s);
    char proj[256];
    snprintf(proj, sizeof proj, "%.*s", (int)(strrchr(path, '.') - path), path);
    int q = axon_sim_proj_index(s, proj);
    size_t shape[2] = {q >= 0 ? md->pops[md->projs[q].pre].size : 0,
                       q >= 0 ? md->pops[md->projs[q].post].size : 0},
           n = shape[0] < shape[1] ? shape[0] : shape[1];
    axon_tensor *m = q >= 0 ? axon_tensor_new(AXON_F64, 2, shape, &err) : NULL;
    double *sv = malloc((n ? n : 1) * sizeof *sv), er;
    if (q < 0)
        rc = fail("projection", proj);
    else if (!m || !sv)
        rc = fail("alloc", err.msg);
    else if (axon_sim_run(s, T, NULL, NULL) != AXON_OK)
        rc = fail("run", axon_sim_error(s));
    else if (axon_sim_weight_matrix(s, path, m->data, &err) != AXON_OK ||
             axon_effective_rank(m->data, shape[0], shape[1], &er, sv, &err) != AXON_OK ||
             axon_npy_write(out, m, &err) != AXON_OK)
        rc = fail(path, err.msg);
    else {
        printf("{\"matrix\": \"%s\", \"rows\": %zu, \"cols\": %zu, ", path, shape[0], shape[1]);
        key_num("effective_rank", er);
        array("singular_values", sv, n);
        printf("}\n");
    }
    free(sv);
    axon_tensor_free(m);
    axon_sim_free(s);
    axon_model_close(h);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "rec"))
        return cmd_rec(argv[2]);
    if (argc == 7 && !strcmp(argv[1], "erank"))
        return cmd_erank(argv[2], argv[3], argv[4], atof(argv[5]), argv[6]);
    fprintf(stderr, "usage: analysis_lib rec DIR | erank LIB SYMBOL PROJ.VAR T OUT.npy\n");
    return 2;
}
