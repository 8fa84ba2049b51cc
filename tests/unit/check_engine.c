/*
 * The engine (axon.h) driven by hand-written kernels and descriptors, as generated code would
 * provide them: a LIF population with an exact update (checked against the analytic rate), a
 * Poisson population (statistics, determinism across thread counts and seeds), a float
 * population whose kernels run over the array padding, recording and axon_sim_write;
 * projections: every connector, synapse init kernels, delayed delivery, weight records.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <dirent.h>
#include <stdatomic.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "axon/axon.h"
#include "axon/io.h"
#include "axon/rng.h"
#include "check_suites.h"

/* ---- LIF, double precision: v' = (v_rest - v + R I_ext) / tau, exact update */

#define LIF_DT 1e-4
#define LIF_TAU 10e-3
#define LIF_R 1e8
#define LIF_VREST -70e-3
#define LIF_VTH -50e-3
#define LIF_TREF 2e-3
#define LIF_N 8

static double lif_current(uint32_t i)
{
    return 0.21e-9 + 0.02e-9 * i; /* R I from 21 to 35 mV, all above threshold */
}

static void lif_init(const axon_step_ctx *ctx, void *const *vars, uint32_t b, uint32_t e)
{
    double *v = vars[0], *iext = vars[1], *ref = vars[2];
    for (uint32_t i = b; i < e; i++) {
        v[i] = LIF_VREST;
        iext[i] = lif_current(i);
        ref[i] = 0;
    }
}

static void lif_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                       uint32_t e)
{
    double *v = vars[0], *iext = vars[1], *ref = vars[2];
    const double decay = exp(-LIF_DT / LIF_TAU);
    const double nref = round(LIF_TREF / LIF_DT);
    for (uint32_t i = b; i < e; i++) {
        fired[i] = 0;
        if (ref[i] > 0) { /* clamped at rest for t_ref after a spike */
            ref[i] -= 1;
            v[i] = LIF_VREST;
            continue;
        }
        double vinf = LIF_VREST + LIF_R * iext[i];
        v[i] = vinf + (v[i] - vinf) * decay;
        if (v[i] >= LIF_VTH) {
            v[i] = LIF_VREST;
            ref[i] = nref;
            fired[i] = 1;
        }
    }
}

static const axon_var_desc lif_vars[] = {
    {"v", "V", AXON_VAR_STATE, 0},
    {"I_ext", "A", AXON_VAR_PARAM, 0},
    {"_ref", "1", AXON_VAR_HIDDEN, 0},
};

#define LIF_POP(name)                                                                              \
    {                                                                                              \
        name, "LIF", LIF_N, 3, lif_vars, lif_init, lif_update, 1                                   \
    }

/* ---- Poisson-like population: fires with probability rate * dt, drawn per (neuron, step) */

#define POI_DT 1e-4
#define POI_N 1000
#define POI_RATE 20.0
#define POI_STREAM 7

static void poi_init(const axon_step_ctx *ctx, void *const *vars, uint32_t b, uint32_t e)
{
    double *rate = vars[0];
    for (uint32_t i = b; i < e; i++)
        rate[i] = POI_RATE;
}

static void poi_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                       uint32_t e)
{
    double *rate = vars[0], *count = vars[1], *in = vars[2];
    for (uint32_t i = b; i < e; i++) {
        double u = axon_rng_uniform(ctx->seed, POI_STREAM, i, ctx->step, 0);
        fired[i] = u < rate[i] * POI_DT;
        count[i] += fired[i];
        in[i] = 0; /* inputs are cleared at the end of the update */
    }
}

/* A variable named "rate" makes "P.rate.npy" collide with the rate record's file. */
static const axon_var_desc poi_vars[] = {
    {"rate", "Hz", AXON_VAR_PARAM, 0},
    {"count", "1", AXON_VAR_STATE, 0},
    {"in", "A", AXON_VAR_INPUT, 0},
};

#define POI_POP(name)                                                                              \
    {                                                                                              \
        name, "Poisson", POI_N, 3, poi_vars, poi_init, poi_update, 1                               \
    }

/* ---- float population; its kernels deliberately run over the padding of the last block */

#define FLT_N 37

static float flt_step(float v, float gain)
{
    return v + gain * (1.0f - v);
}

static uint32_t pad16(uint32_t e)
{
    return (e + 15u) / 16u * 16u;
}

static void flt_init(const axon_step_ctx *ctx, void *const *vars, uint32_t b, uint32_t e)
{
    float *v = vars[0], *gain = vars[1];
    for (uint32_t i = b; i < pad16(e); i++) {
        v[i] = 0.0f;
        gain[i] = 0.05f + 0.01f * (float)i;
    }
}

static void flt_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                       uint32_t e)
{
    float *v = vars[0], *gain = vars[1];
    for (uint32_t i = b; i < pad16(e); i++) {
        v[i] = flt_step(v[i], gain[i]);
        fired[i] = v[i] > 0.9f;
        if (fired[i])
            v[i] = 0.0f;
    }
}

static const axon_var_desc flt_vars[] = {
    {"v", "V", AXON_VAR_STATE, 0},
    {"gain", "1", AXON_VAR_PARAM, 0},
};

/* ---- helpers */

static axon_model_desc model_of(const char *name, uint32_t precision, double dt,
                                const axon_pop_desc *pops, uint32_t npops,
                                const axon_record_desc *recs, uint32_t nrecs)
{
    axon_model_desc m = {AXON_ABI_VERSION, name, precision, dt, 0.0, npops, pops, 0, NULL,
                         nrecs, recs, 0, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL};
    return m;
}

static axon_sim *new_sim(const axon_model_desc *m, uint64_t seed, int threads)
{
    axon_opts o = {seed, threads};
    axon_err err = {{0}};
    axon_sim *s = axon_sim_new(m, &o, &err);
    ck_assert_msg(s != NULL, "axon_sim_new: %s", err.msg);
    axon_sim_set_grain(s, 1); /* several threads: every step in parallel, however small */
    return s;
}

static void run_ok(axon_sim *s, double duration)
{
    axon_status st = axon_sim_run(s, duration, NULL, NULL);
    ck_assert_msg(st == AXON_OK, "axon_sim_run: %s", axon_sim_error(s));
}

static char g_dir[256]; /* per-test scratch directory */

static void dir_setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/axon_engine_XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        char p[1024];
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            snprintf(p, sizeof p, "%s/%s", path, e->d_name);
            remove_tree(p);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static void dir_teardown(void)
{
    remove_tree(g_dir);
}

static const char *in_dir(char *buf, const char *name)
{
    snprintf(buf, 512, "%s/%s", g_dir, name);
    return buf;
}

/* Entries of dir whose name contains part (all entries when part is ""). */
static int count_entries(const char *dir, const char *part)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strstr(e->d_name, part);
    closedir(d);
    return n;
}

static axon_tensor *read_npy(const char *dir, const char *name)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    axon_tensor *t = NULL;
    axon_err err = {{0}};
    ck_assert_msg(axon_npy_read(p, &t, &err) == AXON_OK, "%s", err.msg);
    return t;
}

/* ---- (a) LIF against the analytic rate */

START_TEST(test_lif_analytic_rate)
{
    axon_pop_desc pops[] = {LIF_POP("L")};
    axon_record_desc recs[] = {{AXON_REC_SPIKES, 0, 0, 0, NULL, 1}};
    axon_model_desc m = model_of("lif", 8, LIF_DT, pops, 1, recs, 1);
    axon_sim *s = new_sim(&m, 1, 1);
    const double T = 2.0;
    run_ok(s, T);
    ck_assert_uint_eq(axon_sim_steps(s), 20000);
    const double *t;
    const uint32_t *idx;
    size_t n;
    ck_assert_int_eq(axon_sim_spikes(s, 0, &t, &idx, &n), AXON_OK);
    uint64_t total = 0;
    for (uint32_t i = 0; i < LIF_N; i++) {
        double ri = LIF_R * lif_current(i);
        double isi = LIF_TREF + LIF_TAU * log(ri / (ri - (LIF_VTH - LIF_VREST)));
        double first = -1, last = -1;
        size_t cnt = 0;
        for (size_t k = 0; k < n; k++) {
            if (idx[k] != i)
                continue;
            if (first < 0)
                first = t[k];
            last = t[k];
            cnt++;
        }
        ck_assert_uint_ge(cnt, 10);
        total += cnt;
        /* Spikes are detected at the first step end at or after the crossing, so every
         * simulated interval is the analytic one rounded up to the step grid. */
        double mean_isi = (last - first) / (double)(cnt - 1);
        ck_assert_msg(mean_isi >= isi - 1e-9 && mean_isi <= isi + LIF_DT + 1e-9,
                      "neuron %u: mean ISI %.6g s, analytic %.6g s", i, mean_isi, isi);
        ck_assert_msg(first >= isi - LIF_TREF - 1e-9 && first <= isi - LIF_TREF + LIF_DT + 1e-9,
                      "neuron %u: first spike at %.6g s", i, first);
        /* the count as a rate: one interval of slack either way */
        double rate = (double)cnt / T;
        ck_assert_msg(fabs(rate - 1.0 / isi) <= 1.0 / T + (1.0 / isi - 1.0 / (isi + LIF_DT)),
                      "neuron %u: rate %.6g Hz, analytic %.6g Hz", i, rate, 1.0 / isi);
    }
    ck_assert_uint_eq(total, n);
    ck_assert_uint_eq(axon_sim_spike_count(s, 0), n);
    /* within one step, spikes are in index order; times never decrease */
    for (size_t k = 1; k < n; k++)
        ck_assert(t[k] > t[k - 1] || (t[k] == t[k - 1] && idx[k] > idx[k - 1]));
    /* spike times are on the grid of step ends */
    for (size_t k = 0; k < n; k++) {
        double steps = t[k] / LIF_DT;
        ck_assert(fabs(steps - round(steps)) < 1e-6 && steps >= 1);
    }
    axon_sim_free(s);
}
END_TEST

/* ---- (b) Poisson population */

static axon_sim *run_poisson(uint64_t seed, int threads, double T)
{
    static const uint32_t sub[] = {0, 999, 500};
    axon_pop_desc pops[] = {POI_POP("P")};
    axon_record_desc recs[] = {{AXON_REC_SPIKES, 0, 0, 0, NULL, 1},
                               {AXON_REC_STATE, 0, 1, 3, sub, 10}};
    axon_model_desc m = model_of("poisson", 8, POI_DT, pops, 1, recs, 2);
    /* the engine keeps pointers into the descriptor: it must live as long as the simulation */
    axon_model_desc *mh = malloc(sizeof *mh);
    axon_pop_desc *ph = malloc(sizeof pops);
    axon_record_desc *rh = malloc(sizeof recs);
    ck_assert(mh && ph && rh);
    memcpy(ph, pops, sizeof pops);
    memcpy(rh, recs, sizeof recs);
    *mh = m;
    mh->pops = ph;
    mh->records = rh;
    axon_sim *s = new_sim(mh, seed, threads);
    run_ok(s, T);
    return s;
}

static void free_poisson(axon_sim *s)
{
    const axon_model_desc *m = axon_sim_model(s);
    axon_sim_free(s);
    free((void *)m->pops);
    free((void *)m->records);
    free((void *)m);
}

START_TEST(test_poisson_rate)
{
    const double T = 1.0;
    axon_sim *s = run_poisson(42, 1, T);
    const double *t;
    const uint32_t *idx;
    size_t n;
    ck_assert_int_eq(axon_sim_spikes(s, 0, &t, &idx, &n), AXON_OK);
    double expect = POI_N * POI_RATE * T, sd = sqrt(expect);
    ck_assert_msg(fabs((double)n - expect) < 5 * sd, "%zu spikes, expected %g +- %g", n, expect,
                  sd);
    ck_assert_uint_eq(axon_sim_spike_count(s, 0), n);
    /* the per-neuron counter agrees with the spike list, and inputs stay cleared */
    axon_tensor cnt, in;
    ck_assert_int_eq(axon_sim_var(s, "P.count", &cnt), AXON_OK);
    ck_assert_int_eq(axon_sim_var(s, "P.in", &in), AXON_OK);
    ck_assert_int_eq(cnt.dtype, AXON_F64);
    ck_assert_uint_eq(cnt.shape[0], POI_N);
    double sum = 0;
    for (size_t i = 0; i < POI_N; i++) {
        sum += ((double *)cnt.data)[i];
        ck_assert(((double *)in.data)[i] == 0.0);
    }
    ck_assert(sum == (double)n);
    for (size_t k = 0; k < n; k++)
        ck_assert_uint_lt(idx[k], POI_N);
    free_poisson(s);
}
END_TEST

START_TEST(test_poisson_threads_identical)
{
    const double T = 0.1;
    axon_sim *ref = run_poisson(7, 1, T);
    const double *t0;
    const uint32_t *i0;
    size_t n0;
    ck_assert_int_eq(axon_sim_spikes(ref, 0, &t0, &i0, &n0), AXON_OK);
    ck_assert_uint_gt(n0, 1000); /* about 2000 */
    axon_tensor c0;
    ck_assert_int_eq(axon_sim_var(ref, "P.count", &c0), AXON_OK);
    static const int threads[] = {2, 3, 4, 9};
    for (size_t k = 0; k < sizeof threads / sizeof threads[0]; k++) {
        axon_sim *s = run_poisson(7, threads[k], T);
        ck_assert_int_eq(axon_sim_threads(s), threads[k]);
        const double *t1;
        const uint32_t *i1;
        size_t n1;
        ck_assert_int_eq(axon_sim_spikes(s, 0, &t1, &i1, &n1), AXON_OK);
        ck_assert_uint_eq(n1, n0);
        ck_assert_mem_eq(t1, t0, n0 * sizeof *t0);
        ck_assert_mem_eq(i1, i0, n0 * sizeof *i0);
        axon_tensor c1;
        ck_assert_int_eq(axon_sim_var(s, "P.count", &c1), AXON_OK);
        ck_assert_mem_eq(c1.data, c0.data, POI_N * sizeof(double));
        free_poisson(s);
    }
    free_poisson(ref);
}
END_TEST

START_TEST(test_poisson_seeds_differ)
{
    axon_sim *a = run_poisson(1, 1, 0.2), *b = run_poisson(2, 1, 0.2);
    const double *ta, *tb;
    const uint32_t *ia, *ib;
    size_t na, nb;
    ck_assert_int_eq(axon_sim_spikes(a, 0, &ta, &ia, &na), AXON_OK);
    ck_assert_int_eq(axon_sim_spikes(b, 0, &tb, &ib, &nb), AXON_OK);
    ck_assert(na > 0 && nb > 0);
    int differ = na != nb || memcmp(ia, ib, na * sizeof *ia) || memcmp(ta, tb, na * sizeof *ta);
    ck_assert(differ);
    free_poisson(a);
    free_poisson(b);
}
END_TEST

/* ---- (c) float precision, kernels over the padding, several populations and threads */

START_TEST(test_float_population)
{
    axon_pop_desc pops[] = {
        {"F", "Leaky", FLT_N, 2, flt_vars, flt_init, flt_update, 1},
        {"empty", "Leaky", 0, 2, flt_vars, flt_init, flt_update, 1},
    };
    axon_record_desc recs[] = {{AXON_REC_SPIKES, 0, 0, 0, NULL, 1},
                               {AXON_REC_STATE, 0, 0, 0, NULL, 1},
                               {AXON_REC_RATE, 1, 0, 0, NULL, 5}};
    axon_model_desc m = model_of("flt", 4, 1e-3, pops, 2, recs, 3);
    static const int threads[] = {1, 2, 3, 5}; /* 5 threads, 3 blocks: 3 chunks */
    for (size_t th = 0; th < sizeof threads / sizeof threads[0]; th++) {
        axon_sim *s = new_sim(&m, 0, threads[th]);
        const int steps = 50;
        run_ok(s, steps * 1e-3);
        /* reference: the same float arithmetic, one neuron at a time */
        float v[FLT_N] = {0};
        uint64_t spikes = 0;
        for (int k = 0; k < steps; k++)
            for (uint32_t i = 0; i < FLT_N; i++) {
                v[i] = flt_step(v[i], 0.05f + 0.01f * (float)i);
                if (v[i] > 0.9f) {
                    v[i] = 0.0f;
                    spikes++;
                }
            }
        axon_tensor view;
        ck_assert_int_eq(axon_sim_var(s, "F.v", &view), AXON_OK);
        ck_assert_int_eq(view.dtype, AXON_F32);
        ck_assert_uint_eq(view.shape[0], FLT_N);
        ck_assert_ptr_null(view.base);
        ck_assert_uint_eq((uintptr_t)view.data % AXON_ALIGN, 0);
        ck_assert_mem_eq(view.data, v, sizeof v);
        ck_assert_uint_eq(axon_sim_spike_count(s, 0), spikes);
        ck_assert_uint_eq(axon_sim_spike_count(s, 1), 0);
        /* padding neurons fire too, but are never reported */
        const uint32_t *idx;
        size_t n;
        ck_assert_int_eq(axon_sim_spikes(s, 0, NULL, &idx, &n), AXON_OK);
        ck_assert_uint_eq(n, spikes);
        for (size_t k = 0; k < n; k++)
            ck_assert_uint_lt(idx[k], FLT_N);
        axon_sim_free(s);
    }
}
END_TEST

/* ---- (d) recording and axon_sim_write */

static axon_model_desc rec_model(axon_pop_desc *pops, axon_record_desc *recs, const uint32_t *sub)
{
    axon_pop_desc p[] = {LIF_POP("c1.L"), POI_POP("P")};
    axon_record_desc r[] = {
        {AXON_REC_SPIKES, 0, 0, 0, NULL, 1}, {AXON_REC_STATE, 0, 0, 2, sub, 10},
        {AXON_REC_RATE, 1, 0, 0, NULL, 100}, {AXON_REC_STATE, 1, 0, 0, NULL, 250},
        {AXON_REC_SPIKES, 1, 0, 0, NULL, 1}, {AXON_REC_SPIKES, 1, 0, 0, NULL, 1},
    };
    memcpy(pops, p, sizeof p);
    memcpy(recs, r, sizeof r);
    return model_of("rec \"test\"\n", 8, 1e-4, pops, 2, recs, 6);
}

START_TEST(test_write_files)
{
    static const uint32_t sub[] = {3, 1};
    axon_pop_desc pops[2];
    axon_record_desc recs[6];
    axon_model_desc m = rec_model(pops, recs, sub);
    axon_sim *s = new_sim(&m, 5, 2);
    run_ok(s, 0.1); /* 1000 steps */
    char out[512];
    in_dir(out, "out/"); /* a trailing slash is fine */
    axon_err err = {{0}};
    ck_assert_msg(axon_sim_write(s, out, &err) == AXON_OK, "%s", err.msg);
    ck_assert_int_eq(count_entries(g_dir, ".tmp"), 0);
    in_dir(out, "out");
    /* 2 + 2 + 2 + 2 + 2 files, the duplicate spike record adds nothing, plus the manifest */
    ck_assert_int_eq(count_entries(out, ""), 11);

    const double *st;
    const uint32_t *si;
    size_t n;
    ck_assert_int_eq(axon_sim_spikes(s, 0, &st, &si, &n), AXON_OK);
    ck_assert_uint_gt(n, 0);
    axon_tensor *t = read_npy(out, "c1.L.spikes.t.npy"), *i = read_npy(out, "c1.L.spikes.i.npy");
    ck_assert_int_eq(t->dtype, AXON_F64);
    ck_assert_int_eq(i->dtype, AXON_I32);
    ck_assert_uint_eq(t->shape[0], n);
    ck_assert_uint_eq(i->shape[0], n);
    ck_assert_mem_eq(t->data, st, n * sizeof *st);
    ck_assert_mem_eq(i->data, si, n * sizeof *si);
    axon_tensor_free(t);
    axon_tensor_free(i);

    /* state: [100 samples, 2 neurons], the value at the end of steps 9, 19, ... */
    axon_tensor *v = read_npy(out, "c1.L.v.npy"), *vt = read_npy(out, "c1.L.v.t.npy");
    ck_assert_int_eq(v->ndim, 2);
    ck_assert_uint_eq(v->shape[0], 100);
    ck_assert_uint_eq(v->shape[1], 2);
    ck_assert_uint_eq(vt->shape[0], 100);
    for (size_t k = 0; k < 100; k++)
        ck_assert(fabs(((double *)vt->data)[k] - (double)(k + 1) * 10 * 1e-4) < 1e-12);
    axon_tensor live;
    ck_assert_int_eq(axon_sim_var(s, "c1.L.v", &live), AXON_OK);
    /* 1000 is a multiple of 10: the last sample is the current state */
    ck_assert(((double *)v->data)[99 * 2 + 0] == ((double *)live.data)[3]);
    ck_assert(((double *)v->data)[99 * 2 + 1] == ((double *)live.data)[1]);
    axon_tensor_free(v);
    axon_tensor_free(vt);

    /* rate of P over 10 ms windows; its mean is the spike count over the run */
    axon_tensor *r = read_npy(out, "P.rate.npy"), *rt = read_npy(out, "P.rate.t.npy");
    ck_assert_uint_eq(r->shape[0], 10);
    ck_assert_uint_eq(rt->shape[0], 10);
    double mean = 0;
    for (size_t k = 0; k < 10; k++)
        mean += ((double *)r->data)[k] / 10;
    double expect = (double)axon_sim_spike_count(s, 1) / POI_N / 0.1;
    ck_assert_msg(fabs(mean - expect) < 1e-9 * expect, "rate %g, expected %g", mean, expect);
    ck_assert(fabs(((double *)rt->data)[0] - 0.01) < 1e-12);
    axon_tensor_free(r);
    axon_tensor_free(rt);

    /* the variable "rate" of P collides with the rate record: it gets ".2" */
    axon_tensor *pr = read_npy(out, "P.rate.2.npy");
    ck_assert_uint_eq(pr->shape[0], 4);
    ck_assert_uint_eq(pr->shape[1], POI_N);
    ck_assert(((double *)pr->data)[3 * POI_N + 999] == POI_RATE);
    axon_tensor_free(pr);

    char mpath[1024], buf[8192];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", out);
    FILE *fp = fopen(mpath, "r");
    ck_assert_ptr_nonnull(fp);
    size_t len = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[len] = '\0';
    ck_assert_ptr_nonnull(strstr(buf, "\"model\": \"rec \\\"test\\\"\\n\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"seed\": 5"));
    ck_assert_ptr_nonnull(strstr(buf, "\"threads\": 2"));
    ck_assert_ptr_nonnull(strstr(buf, "\"steps\": 1000"));
    ck_assert_ptr_nonnull(strstr(buf, "\"path\": \"P.rate.2.t.npy\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"subset\": [3, 1]"));
    axon_sim_free(s);
}
END_TEST

START_TEST(test_write_failures_leave_nothing)
{
    static const uint32_t sub[] = {0, 1};
    axon_pop_desc pops[2];
    axon_record_desc recs[6];
    axon_model_desc m = rec_model(pops, recs, sub);
    axon_sim *s = new_sim(&m, 5, 1);
    run_ok(s, 0.01);
    char p[512], q[512];
    axon_err err = {{0}};

    /* the parent is a regular file: nothing can be created */
    FILE *fp = fopen(in_dir(p, "file"), "w");
    ck_assert_ptr_nonnull(fp);
    fclose(fp);
    ck_assert_int_eq(axon_sim_write(s, in_dir(p, "file/out"), &err), AXON_EIO);
    ck_assert_str_eq(axon_sim_error(s), err.msg);
    ck_assert_int_eq(count_entries(g_dir, ""), 1);

    /* everything is written, then a target name turns out to be a directory: the old contents
     * of the output directory stay as they were and the temporary directory is removed */
    ck_assert_int_eq(mkdir(in_dir(p, "out"), 0777), 0);
    ck_assert_int_eq(mkdir(in_dir(p, "out/P.rate.npy"), 0777), 0);
    fp = fopen(in_dir(q, "out/c1.L.v.npy"), "w");
    ck_assert_ptr_nonnull(fp);
    fputs("old", fp);
    fclose(fp);
    ck_assert_int_eq(axon_sim_write(s, in_dir(p, "out"), &err), AXON_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "P.rate.npy"));
    ck_assert_int_eq(count_entries(g_dir, ".tmp"), 0);
    ck_assert_int_eq(count_entries(p, ""), 2);
    char buf[16] = {0};
    fp = fopen(q, "r");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fread(buf, 1, sizeof buf - 1, fp), 3);
    fclose(fp);
    ck_assert_str_eq(buf, "old");

    /* once the obstacle is gone the same write succeeds and replaces the old file */
    ck_assert_int_eq(rmdir(in_dir(q, "out/P.rate.npy")), 0);
    ck_assert_msg(axon_sim_write(s, p, &err) == AXON_OK, "%s", err.msg);
    ck_assert_int_eq(count_entries(p, ""), 11);
    ck_assert_int_eq(count_entries(g_dir, ".tmp"), 0);
    axon_tensor *v = read_npy(p, "c1.L.v.npy");
    ck_assert_uint_eq(v->shape[0], 10);
    axon_tensor_free(v);
    axon_sim_free(s);
}
END_TEST

/* The manifest of dir as a string (static buffer). */
static const char *manifest_of(const char *dir)
{
    static char buf[16384];
    char p[1024];
    snprintf(p, sizeof p, "%s/manifest.json", dir);
    FILE *fp = fopen(p, "r");
    ck_assert_ptr_nonnull(fp);
    size_t len = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[len] = '\0';
    return buf;
}

static void touch(const char *path)
{
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("x", fp);
    fclose(fp);
}

/* ---- non-finite state: x doubles every step; neuron GROW_BAD starts near the largest value,
 * so it overflows to +inf after GROW_INF steps (in double: 1e300 * 2^28 > DBL_MAX; in float:
 * 1e36 * 2^9 > FLT_MAX); a hidden variable is NaN from the start and is never reported. */
#define GROW_N 1000
#define GROW_BAD 700

static void calm_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                        uint32_t e)
{
    (void)ctx, (void)vars, (void)fired, (void)b, (void)e;
}

static uint32_t grow_esz; /* the model's precision, set by each test before axon_sim_new */

static void grow_set(void *const *vars, uint32_t i, double x, double hidden)
{
    if (grow_esz == 8) {
        ((double *)vars[0])[i] = x;
        ((double *)vars[1])[i] = hidden;
    } else {
        ((float *)vars[0])[i] = (float)x;
        ((float *)vars[1])[i] = (float)hidden;
    }
}

static void grow_init(const axon_step_ctx *ctx, void *const *vars, uint32_t b, uint32_t e)
{
    (void)ctx;
    for (uint32_t i = b; i < e; i++)
        grow_set(vars, i, i == GROW_BAD ? (grow_esz == 8 ? 1e300 : 1e36) : 1.0, NAN);
}

static void grow_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                        uint32_t e)
{
    (void)ctx;
    (void)fired;
    for (uint32_t i = b; i < e; i++) {
        if (grow_esz == 8)
            ((double *)vars[0])[i] *= 2;
        else
            ((float *)vars[0])[i] *= 2;
    }
}

static const axon_var_desc grow_vars[] = {
    {"x", "1", AXON_VAR_STATE, 0},
    {"_h", "1", AXON_VAR_HIDDEN, 0},
};

static void check_nonfinite_in(uint32_t esz, uint64_t inf_step)
{
    grow_esz = esz;
    axon_pop_desc pops[] = {{"Calm", "Calm", 3, 0, NULL, NULL, calm_update, 0},
                            {"G", "Grow", GROW_N, 2, grow_vars, grow_init, grow_update, 0}};
    axon_model_desc m = model_of("grow", esz, 1e-4, pops, 2, NULL, 0);
    /* stop (the default): at the first check after the overflow, step 64 */
    axon_sim *s = new_sim(&m, 0, 2);
    axon_nonfinite f;
    ck_assert_int_eq(axon_sim_nonfinite(s, &f), 0);
    ck_assert_int_eq(axon_sim_run(s, 0.01, NULL, NULL), AXON_ENONFINITE);
    ck_assert_uint_eq(axon_sim_steps(s), AXON_NONFINITE_EVERY);
    ck_assert_int_eq(axon_sim_nonfinite(s, &f), 1);
    ck_assert_int_eq(f.pop, 1);
    ck_assert_int_eq(f.var, 0);
    ck_assert_uint_eq(f.neuron, GROW_BAD);
    ck_assert(isinf(f.value) && f.value > 0);
    ck_assert_uint_eq(f.step, AXON_NONFINITE_EVERY);
    ck_assert_uint_eq(f.since, 0);
    ck_assert_str_eq(axon_sim_error(s), "population 'G', variable 'x', neuron 700: +inf at "
                                        "t = 0.0064 s (step 64; every value was finite at step 0)");
    /* warn: the run goes on, the finding is kept (found at the end of the run) */
    ck_assert_int_eq(axon_sim_set_nonfinite(s, AXON_NONFINITE_WARN), AXON_OK);
    ck_assert_int_eq(axon_sim_nonfinite(s, NULL), 0);
    run_ok(s, 0.001);
    ck_assert_uint_eq(axon_sim_steps(s), 74);
    ck_assert_int_eq(axon_sim_nonfinite(s, &f), 1);
    ck_assert_uint_eq(f.step, 74);
    ck_assert_uint_eq(f.since, 64);
    /* ignore: nothing found */
    ck_assert_int_eq(axon_sim_set_nonfinite(s, AXON_NONFINITE_IGNORE), AXON_OK);
    run_ok(s, 0.01);
    ck_assert_int_eq(axon_sim_nonfinite(s, NULL), 0);
    ck_assert_int_eq(axon_sim_set_nonfinite(s, 3), AXON_EINVAL);
    ck_assert_str_eq(axon_sim_error(s), "axon_sim_set_nonfinite: no action 3");
    axon_sim_free(s);
    /* a run that ends before the next multiple of 64 is checked at its end; before the
       overflow everything is finite */
    s = new_sim(&m, 0, 1);
    run_ok(s, (double)(inf_step - 1) * 1e-4);
    ck_assert_int_eq(axon_sim_step(s, 2, NULL, NULL), AXON_ENONFINITE);
    ck_assert_uint_eq(axon_sim_steps(s), inf_step + 1);
    ck_assert_int_eq(axon_sim_nonfinite(s, &f), 1);
    ck_assert_uint_eq(f.since, inf_step - 1);
    axon_sim_free(s);
}

START_TEST(test_nonfinite)
{
    check_nonfinite_in(8, 28);
    check_nonfinite_in(4, 9);
}
END_TEST

static void stop_at_half(void *user, double done)
{
    if (done >= 0.5)
        axon_sim_stop(user);
}

START_TEST(test_stop_partial)
{
    static const uint32_t sub[] = {0, 1};
    axon_pop_desc pops[2];
    axon_record_desc recs[6];
    axon_model_desc m = rec_model(pops, recs, sub);
    axon_sim *s = new_sim(&m, 5, 2);
    char p[512];
    axon_err err = {{0}};
    /* asked before the run: no step is done */
    axon_sim_stop(s);
    ck_assert_int_eq(axon_sim_run(s, 0.01, NULL, NULL), AXON_ESTOPPED);
    ck_assert_str_eq(axon_sim_error(s), "stopped after 0 of 100 steps");
    ck_assert_uint_eq(axon_sim_steps(s), 0);
    /* asked during the run (here by the progress callback): the step under way ends */
    ck_assert_int_eq(axon_sim_run(s, 0.01, stop_at_half, s), AXON_ESTOPPED);
    ck_assert_uint_eq(axon_sim_steps(s), 50);
    ck_assert_msg(axon_sim_write(s, in_dir(p, "out"), &err) == AXON_OK, "%s", err.msg);
    ck_assert_ptr_nonnull(strstr(manifest_of(p), "\"partial\": true"));
    ck_assert_ptr_nonnull(strstr(manifest_of(p), "\"steps\": 50"));
    axon_tensor *v = read_npy(p, "c1.L.v.npy");
    ck_assert_uint_eq(v->shape[0], 5);
    axon_tensor_free(v);
    /* the simulation goes on; a run to its end is not partial */
    run_ok(s, 0.01);
    ck_assert_uint_eq(axon_sim_steps(s), 150);
    ck_assert_msg(axon_sim_write(s, p, &err) == AXON_OK, "%s", err.msg);
    ck_assert_ptr_nonnull(strstr(manifest_of(p), "\"partial\": false"));
    axon_sim_free(s);
}
END_TEST

START_TEST(test_check_output)
{
    char p[512];
    axon_err err = {{0}};
    touch(in_dir(p, "file"));
    ck_assert_int_eq(axon_sim_check_output(p, &err), AXON_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "file: not a directory"));
    ck_assert_int_eq(axon_sim_check_output(in_dir(p, "file/out"), &err), AXON_EIO);
    ck_assert_int_eq(axon_sim_check_output(in_dir(p, "none/out"), &err), AXON_EIO);
    ck_assert_int_eq(axon_sim_check_output("", &err), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_check_output("//", &err), AXON_EINVAL);
    /* a directory to create, and one that exists: fine, and nothing is left behind */
    ck_assert_msg(axon_sim_check_output(in_dir(p, "new/"), &err) == AXON_OK, "%s", err.msg);
    ck_assert_int_eq(mkdir(in_dir(p, "old"), 0777), 0);
    ck_assert_msg(axon_sim_check_output(p, &err) == AXON_OK, "%s", err.msg);
    ck_assert_int_eq(count_entries(g_dir, ""), 2);
    ck_assert_int_eq(count_entries(p, ""), 0);
    /* a directory that takes no new files (root may write anywhere: a file system that
       takes none then) */
    if (geteuid() != 0) {
        ck_assert_int_eq(chmod(p, 0555), 0);
        ck_assert_int_eq(axon_sim_check_output(p, &err), AXON_EIO);
        ck_assert_ptr_nonnull(strstr(err.msg, "Permission denied"));
        chmod(p, 0777);
    } else if (access("/proc/self", F_OK) == 0) {
        ck_assert_int_eq(axon_sim_check_output("/proc/axon-out", &err), AXON_EIO);
    }
}
END_TEST

/* The name of a temporary directory of a run of host (NULL: this one) with process id pid. */
static const char *tmp_name(char *buf, const char *base, long pid, const char *host,
                            const char *suffix)
{
    char h[65];
    if (!host) {
        ck_assert_int_eq(gethostname(h, 64), 0);
        h[64] = '\0';
        for (char *c = h; *c; c++)
            if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_')
                *c = '_';
        host = h;
    }
    snprintf(buf, 512, "%s/%s.tmp-%s-%ld-%s", g_dir, base, host, pid, suffix);
    return buf;
}

START_TEST(test_stale_tmp_removed)
{
    static const uint32_t sub[] = {0, 1};
    axon_pop_desc pops[2];
    axon_record_desc recs[6];
    axon_model_desc m = rec_model(pops, recs, sub);
    axon_sim *s = new_sim(&m, 5, 1);
    run_ok(s, 0.01);
    /* a process id that no longer exists: a child that has exited and been waited for */
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0)
        _exit(0);
    ck_assert_int_eq(waitpid(child, NULL, 0), child);
    char dead[512], alive[512], other[512], oldfmt[512], odd[512], f[1024], p[512];
    ck_assert_int_eq(mkdir(tmp_name(dead, "out", child, NULL, "aB3xY9"), 0777), 0);
    snprintf(f, sizeof f, "%s/c1.L.v.npy.tmp.Ab12Cd", dead);
    touch(f);
    ck_assert_int_eq(mkdir(tmp_name(alive, "out", (long)getppid(), NULL, "aB3xY9"), 0777), 0);
    ck_assert_int_eq(mkdir(tmp_name(other, "out", child, "otherhost", "aB3xY9"), 0777), 0);
    ck_assert_int_eq(mkdir(in_dir(oldfmt, "out.tmp-aB3xY9"), 0777), 0);
    /* a dead run's directory holding something Axon never puts there is left alone */
    ck_assert_int_eq(mkdir(tmp_name(odd, "out", child, NULL, "zzzzzz"), 0777), 0);
    snprintf(f, sizeof f, "%s/sub", odd);
    ck_assert_int_eq(mkdir(f, 0777), 0);
    axon_err err = {{0}};
    ck_assert_msg(axon_sim_write(s, in_dir(p, "out"), &err) == AXON_OK, "%s", err.msg);
    struct stat st;
    ck_assert_int_ne(stat(dead, &st), 0);
    ck_assert_int_eq(stat(alive, &st), 0);
    ck_assert_int_eq(stat(other, &st), 0);
    ck_assert_int_eq(stat(oldfmt, &st), 0);
    ck_assert_int_eq(stat(odd, &st), 0);
    /* axon_sim_check_output cleans up too */
    ck_assert_int_eq(mkdir(dead, 0777), 0);
    ck_assert_msg(axon_sim_check_output(p, &err) == AXON_OK, "%s", err.msg);
    ck_assert_int_ne(stat(dead, &st), 0);
    axon_sim_free(s);
}
END_TEST

START_TEST(test_old_manifest_files_removed)
{
    static const uint32_t sub[] = {0, 1};
    axon_pop_desc pops[2];
    axon_record_desc recs[6];
    axon_model_desc m = rec_model(pops, recs, sub);
    axon_sim *s = new_sim(&m, 5, 1);
    run_ok(s, 0.01);
    char p[512], q[512], f[1024];
    axon_err err = {{0}};
    ck_assert_msg(axon_sim_write(s, in_dir(p, "out"), &err) == AXON_OK, "%s", err.msg);
    ck_assert_int_eq(count_entries(p, ""), 11);
    snprintf(f, sizeof f, "%s/notes.txt", p);
    touch(f); /* not Axon's */
    axon_sim_free(s);
    /* another model, with only the spikes of c1.L, into the same directory: the old files go,
       the notes stay */
    m.nrecords = 1;
    s = new_sim(&m, 5, 1);
    run_ok(s, 0.01);
    ck_assert_msg(axon_sim_write(s, p, &err) == AXON_OK, "%s", err.msg);
    ck_assert_int_eq(count_entries(p, ""), 4);
    ck_assert_int_eq(count_entries(p, "c1.L.spikes."), 2);
    ck_assert_int_eq(count_entries(p, "notes.txt"), 1);
    /* a manifest naming files outside the directory, or itself, removes nothing of them */
    touch(in_dir(q, "victim"));
    snprintf(f, sizeof f, "%s/manifest.json", p);
    FILE *fp = fopen(f, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("{\n  \"format\": \"axon-recordings\",\n  \"files\": [\n"
          "    {\"path\": \"../victim\"},\n    {\"path\": \"manifest.json\"},\n"
          "    {\"path\": \".\"},\n    {\"path\": \"notes.txt\"}\n  ]\n}\n", fp);
    fclose(fp);
    touch(in_dir(q, "out.txt"));
    ck_assert_msg(axon_sim_write(s, p, &err) == AXON_OK, "%s", err.msg);
    struct stat st;
    ck_assert_int_eq(stat(in_dir(q, "victim"), &st), 0);
    ck_assert_int_eq(count_entries(p, ""), 3); /* notes.txt was listed, as a plain name */
    axon_sim_free(s);
}
END_TEST

/* ---- (e) repeated runs continue */

static void count_progress(void *user, double done)
{
    double *st = user; /* {calls, last fraction} */
    ck_assert(done > st[1] && done <= 1.0);
    st[0] += 1;
    st[1] = done;
}

START_TEST(test_repeated_runs)
{
    static const uint32_t sub[] = {2, 7};
    axon_pop_desc pops[2];
    axon_record_desc recs[6];
    axon_model_desc m = rec_model(pops, recs, sub);
    axon_sim *one = new_sim(&m, 9, 3), *parts = new_sim(&m, 9, 2);
    run_ok(one, 0.25);
    double prog[2] = {0, 0};
    ck_assert_int_eq(axon_sim_run(parts, 0.1, count_progress, prog), AXON_OK);
    ck_assert(prog[0] >= 1 && prog[0] <= 100 && prog[1] == 1.0);
    ck_assert(fabs(axon_sim_time(parts) - 0.1) < 1e-12);
    run_ok(parts, 0.0);
    ck_assert_uint_eq(axon_sim_steps(parts), 1000);
    prog[0] = prog[1] = 0;
    ck_assert_int_eq(axon_sim_run(parts, 0.0002, count_progress, prog), AXON_OK); /* 2 steps */
    ck_assert(prog[0] == 2 && prog[1] == 1.0);
    run_ok(parts, 0.1498);
    ck_assert_uint_eq(axon_sim_steps(parts), 2500);
    ck_assert_uint_eq(axon_sim_steps(one), 2500);
    ck_assert(fabs(axon_sim_time(parts) - 0.25) < 1e-12);
    ck_assert(axon_sim_wall_seconds(parts) >= 0);
    for (int pop = 0; pop < 2; pop++) {
        const double *ta, *tb;
        const uint32_t *ia, *ib;
        size_t na, nb;
        ck_assert_int_eq(axon_sim_spikes(one, pop, &ta, &ia, &na), AXON_OK);
        ck_assert_int_eq(axon_sim_spikes(parts, pop, &tb, &ib, &nb), AXON_OK);
        ck_assert_uint_eq(na, nb);
        ck_assert_mem_eq(ta, tb, na * sizeof *ta);
        ck_assert_mem_eq(ia, ib, na * sizeof *ia);
    }
    char a[512], b[512];
    axon_err err = {{0}};
    ck_assert_int_eq(axon_sim_write(one, in_dir(a, "one"), &err), AXON_OK);
    ck_assert_int_eq(axon_sim_write(parts, in_dir(b, "parts"), &err), AXON_OK);
    static const char *const files[] = {"c1.L.v.npy", "c1.L.v.t.npy", "P.rate.npy", "P.rate.t.npy",
                                        "P.rate.2.npy"};
    for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
        axon_tensor *x = read_npy(a, files[k]), *y = read_npy(b, files[k]);
        ck_assert_uint_eq(x->shape[0], y->shape[0]);
        ck_assert_mem_eq(x->data, y->data, axon_tensor_numel(x) * axon_dtype_size(x->dtype));
        axon_tensor_free(x);
        axon_tensor_free(y);
    }
    /* bad durations are refused and change nothing */
    ck_assert_int_eq(axon_sim_run(parts, -1.0, NULL, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_run(parts, NAN, NULL, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_run(parts, INFINITY, NULL, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_run(parts, 1e300, NULL, NULL), AXON_EINVAL);
    ck_assert_ptr_nonnull(strstr(axon_sim_error(parts), "2^48"));
    ck_assert_uint_eq(axon_sim_steps(parts), 2500);
    axon_sim_free(one);
    axon_sim_free(parts);
}
END_TEST

/* ---- descriptor checks and accessors */

static void expect_refused(const axon_model_desc *m, const axon_opts *o, const char *part)
{
    axon_err err = {{0}};
    ck_assert_ptr_null(axon_sim_new(m, o, &err));
    ck_assert_msg(strstr(err.msg, part) != NULL, "message '%s' lacks '%s'", err.msg, part);
}

START_TEST(test_refused_descriptors)
{
    static const uint32_t bad_sub[] = {0, LIF_N};
    axon_pop_desc pops[] = {LIF_POP("L"), {"Q", "Leaky", 4, 2, flt_vars, NULL, flt_update, 0}};
    axon_record_desc rec = {AXON_REC_SPIKES, 0, 0, 0, NULL, 1};
    axon_model_desc m = model_of("m", 8, 1e-4, pops, 2, &rec, 1);
    axon_model_desc x = m;
    x.abi = 99;
    expect_refused(&x, NULL, "ABI 99");
    x = m;
    x.precision = 2;
    expect_refused(&x, NULL, "precision 2");
    x = m;
    x.dt = 0;
    expect_refused(&x, NULL, "dt");
    x = m;
    x.nprojs = 1;
    expect_refused(&x, NULL, "projections");
    axon_opts o = {0, -1};
    expect_refused(&m, &o, "threads");
    rec.target = 2;
    expect_refused(&m, NULL, "no population 2");
    rec.target = 1;
    expect_refused(&m, NULL, "does not spike");
    rec = (axon_record_desc){AXON_REC_STATE, 0, 3, 0, NULL, 1};
    expect_refused(&m, NULL, "no variable 3");
    rec = (axon_record_desc){AXON_REC_STATE, 0, 0, 2, bad_sub, 1};
    expect_refused(&m, NULL, "outside population");
    rec = (axon_record_desc){AXON_REC_STATE, 0, 0, 0, NULL, 0};
    expect_refused(&m, NULL, "period");
    rec = (axon_record_desc){AXON_REC_WEIGHTS, 0, 0, 0, NULL, 1};
    expect_refused(&m, NULL, "projection 0, which does not exist");
    rec = (axon_record_desc){AXON_REC_SPIKE_VALUES, 0, -1, 0, NULL, 1};
    expect_refused(&m, NULL, "population 'L' has no variable -1");
    rec = (axon_record_desc){AXON_REC_SPIKE_VALUES, 1, 0, 0, NULL, 1};
    expect_refused(&m, NULL, "'Q' does not spike; cannot record its spikes");
    rec = (axon_record_desc){5, 0, 0, 0, NULL, 1};
    expect_refused(&m, NULL, "unknown kind 5");
    rec = (axon_record_desc){AXON_REC_SPIKES, 0, 0, 0, NULL, 1};
    pops[1].name = "L";
    expect_refused(&m, NULL, "two populations");
    pops[1].name = "Q";

    /* a valid one: accessors and their errors */
    axon_sim *s = new_sim(&m, 0, 4);
    ck_assert_int_eq(axon_sim_pop_index(s, "Q"), 1);
    ck_assert_int_eq(axon_sim_pop_index(s, "nope"), -1);
    axon_tensor view;
    ck_assert_int_eq(axon_sim_var(s, "L.nope", &view), AXON_EINVAL);
    ck_assert_ptr_nonnull(strstr(axon_sim_error(s), "no variable 'nope'"));
    ck_assert_int_eq(axon_sim_var(s, "Z.v", &view), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_var(s, "v", &view), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_var(s, "Q.gain", &view), AXON_OK);
    ck_assert_int_eq(view.dtype, AXON_F64); /* model precision, whatever the kernel thinks */
    ck_assert_int_eq(axon_sim_spikes(s, 1, NULL, NULL, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_spikes(s, 5, NULL, NULL, NULL), AXON_EINVAL);
    ck_assert_uint_eq(axon_sim_spike_count(s, -1), 0);
    ck_assert_uint_eq(axon_sim_steps(s), 0);
    axon_sim_free(s);
    axon_sim_free(NULL);
}
END_TEST

/* Pools are started and stopped cleanly many times (leak and hang check). */
START_TEST(test_pool_lifecycle)
{
    axon_pop_desc pops[] = {POI_POP("P")};
    axon_model_desc m = model_of("p", 8, POI_DT, pops, 1, NULL, 0);
    for (int k = 0; k < 20; k++) {
        axon_sim *s = new_sim(&m, (uint64_t)k, 1 + k % 5);
        run_ok(s, (k % 3) * 1e-3);
        axon_sim_free(s);
    }
}
END_TEST

/* ---- projections */

/* S: spike source; neuron i fires in step n when n % 5 == i (i < 5). */
static void src_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                       uint32_t e)
{
    for (uint32_t i = b; i < e; i++)
        fired[i] = ctx->step % 5 == i;
}

/* A: accumulator; acc += in, then the input is cleared (model.h order). */
static void acc_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                       uint32_t e)
{
    double *in = vars[0], *acc = vars[1];
    for (uint32_t i = b; i < e; i++) {
        acc[i] += in[i];
        in[i] = 0;
    }
}

static const axon_var_desc acc_vars[] = {
    {"in", "1", AXON_VAR_INPUT, 0},
    {"acc", "1", AXON_VAR_STATE, 0},
};

/* N: neurons that do nothing (connectivity tests) */
static void nop_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                       uint32_t e)
{
}

static const axon_var_desc w_vars[] = {{"w", "S", AXON_VAR_STATE, 0}};

/* w identifies the pair */
static void w_init_ij(const axon_step_ctx *ctx, void *const *sv, const uint32_t *pre,
                      const uint32_t *post, uint64_t b, uint64_t e)
{
    double *w = sv[0];
    for (uint64_t s = b; s < e; s++)
        w[s] = 10.0 * pre[s] + post[s] + 1;
}

typedef struct {
    int tag;
    uint64_t step;
    uint32_t i;
    uint64_t b, e;
} proj_event;

static proj_event g_ev[8192];
static size_t g_nev;

static void log_event(int tag, const axon_step_ctx *ctx, uint32_t i, uint64_t b, uint64_t e)
{
    if (g_nev < sizeof g_ev / sizeof g_ev[0])
        g_ev[g_nev] = (proj_event){tag, ctx->step, i, b, e};
    g_nev++; /* the tests compare g_nev with the expected count first */
}

/* in[post] += w: the usual conductance jump */
static void acc_on_pre(const axon_step_ctx *ctx, void *const *sv, void *const *pre_vars,
                       void *const *post_vars, const uint32_t *post, uint32_t i, uint64_t b,
                       uint64_t e)
{
    const double *w = sv[0];
    double *in = post_vars[0];
    for (uint64_t s = b; s < e; s++)
        in[post[s]] += w[s];
    log_event(0, ctx, i, b, e);
}

static void log_on_pre(const axon_step_ctx *ctx, void *const *sv, void *const *pre_vars,
                       void *const *post_vars, const uint32_t *post, uint32_t i, uint64_t b,
                       uint64_t e)
{
    log_event(1, ctx, i, b, e);
}

/* acc_on_pre, then w += 1 (a trivially plastic synapse) */
static void plastic_on_pre(const axon_step_ctx *ctx, void *const *sv, void *const *pre_vars,
                           void *const *post_vars, const uint32_t *post, uint32_t i, uint64_t b,
                           uint64_t e)
{
    acc_on_pre(ctx, sv, pre_vars, post_vars, post, i, b, e);
    double *w = sv[0];
    for (uint64_t s = b; s < e; s++)
        w[s] += 1;
}

static axon_model_desc model_projs(const char *name, uint32_t precision, const axon_pop_desc *pops,
                                   uint32_t npops, const axon_proj_desc *projs, uint32_t nprojs,
                                   const axon_record_desc *recs, uint32_t nrecs)
{
    axon_model_desc m = {AXON_ABI_VERSION, name, precision, 1e-3, 0.0, npops, pops, nprojs,
                         projs, nrecs, recs, 0, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL};
    return m;
}

static axon_proj_desc proj_of(const char *name, int32_t pre, int32_t post, int32_t conn, double p,
                              uint32_t k, int32_t autapses)
{
    axon_proj_desc d = {.name = name,
                        .type = "Syn",
                        .pre = pre,
                        .post = post,
                        .connector = conn,
                        .p = p,
                        .k = k,
                        .autapses = autapses};
    return d;
}

static void get_csr(axon_sim *s, int proj, const uint64_t **row, const uint32_t **post)
{
    ck_assert_int_eq(axon_sim_connectivity(s, proj, row, post), AXON_OK);
}

/* Rows strictly increasing (so no duplicates), targets in range, i -> i only if allowed.
 * (Hot loops count failures and assert once: every ck_assert is a write to check's pipe.) */
static void check_rows(axon_sim *s, int proj, uint32_t npre, uint32_t npost, int self_ok)
{
    const uint64_t *row;
    const uint32_t *post;
    get_csr(s, proj, &row, &post);
    ck_assert_uint_eq(row[0], 0);
    ck_assert_uint_eq(row[npre], axon_sim_synapse_count(s, proj));
    uint64_t bad = 0;
    for (uint32_t i = 0; i < npre; i++) {
        bad += row[i] > row[i + 1];
        for (uint64_t k = row[i]; k < row[i + 1]; k++)
            bad += post[k] >= npost || (k > row[i] && post[k] <= post[k - 1]) ||
                   (!self_ok && post[k] == i);
    }
    ck_assert_msg(bad == 0, "projection %d: %llu bad rows or targets", proj,
                  (unsigned long long)bad);
}

/* (a) all_to_all from a 3-neuron source to a 2-neuron accumulator, delays 0 and 3 */
START_TEST(test_proj_all_to_all_delivery)
{
    static const uint32_t delays[] = {0, 3};
    for (size_t dk = 0; dk < 2; dk++) {
        const uint32_t d0 = delays[dk], d1 = 1;
        axon_pop_desc pops[] = {{"S", "Src", 3, 0, NULL, NULL, src_update, 1},
                                {"A", "Acc", 2, 2, acc_vars, NULL, acc_update, 0}};
        axon_proj_desc projs[2];
        projs[0] = proj_of("S->A", 0, 1, AXON_CONN_ALL, 0, 0, 1);
        projs[0].delay_steps = d0;
        projs[0].nvars = 1;
        projs[0].vars = w_vars;
        projs[0].init = w_init_ij;
        projs[0].on_pre = acc_on_pre;
        projs[1] = proj_of("S->A.log", 0, 1, AXON_CONN_ALL, 0, 0, 1);
        projs[1].delay_steps = d1;
        projs[1].on_pre = log_on_pre;
        axon_record_desc recs[] = {{AXON_REC_STATE, 1, 0, 0, NULL, 1},
                                   {AXON_REC_SPIKES, 0, 0, 0, NULL, 1}};
        axon_model_desc m = model_projs("all", 8, pops, 2, projs, 2, recs, 2);
        g_nev = 0;
        axon_sim *s = new_sim(&m, 1, 1);
        ck_assert_int_eq(axon_sim_proj_index(s, "S->A.log"), 1);
        ck_assert_int_eq(axon_sim_proj_index(s, "A"), -1);
        ck_assert_uint_eq(axon_sim_synapse_count(s, 0), 6);
        ck_assert_uint_eq(axon_sim_synapse_count(s, 7), 0);
        /* 4 row offsets, 16 padded posts and 16 padded weights for 6 synapses */
        ck_assert(axon_sim_bytes_per_synapse(s, 0) == (4 * 8 + 16 * 4 + 16 * 8) / 6.0);
        ck_assert(axon_sim_bytes_per_synapse(s, 1) == (4 * 8 + 16 * 4) / 6.0);
        const uint64_t *row;
        const uint32_t *post;
        get_csr(s, 0, &row, &post);
        static const uint64_t erow[] = {0, 2, 4, 6};
        static const uint32_t epost[] = {0, 1, 0, 1, 0, 1};
        ck_assert_mem_eq(row, erow, sizeof erow);
        ck_assert_mem_eq(post, epost, sizeof epost);
        axon_tensor w;
        ck_assert_int_eq(axon_sim_syn_var(s, "S->A.w", &w), AXON_OK);
        ck_assert_int_eq(w.dtype, AXON_F64);
        ck_assert_uint_eq(w.shape[0], 6);
        ck_assert_uint_eq((uintptr_t)w.data % AXON_ALIGN, 0);
        static const double ew[] = {1, 2, 11, 12, 21, 22};
        ck_assert_mem_eq(w.data, ew, sizeof ew);
        ck_assert_int_eq(axon_sim_syn_var(s, "S->A.v", &w), AXON_EINVAL);
        ck_assert_ptr_nonnull(strstr(axon_sim_error(s), "no variable 'v'"));
        ck_assert_int_eq(axon_sim_syn_var(s, "X.w", &w), AXON_EINVAL);
        ck_assert_int_eq(axon_sim_syn_var(s, "w", &w), AXON_EINVAL);

        const int T = 20;
        run_ok(s, 0.007);
        run_ok(s, 0.013); /* continues across runs */
        ck_assert_uint_eq(axon_sim_steps(s), T);
        ck_assert_uint_eq(axon_sim_spike_count(s, 0), 12);

        /* expected events: per step, projection 0's due spikes, then projection 1's */
        proj_event exp[64];
        size_t ne = 0;
        double delivered[20][2] = {{0}};
        for (int n = 0; n < T; n++)
            for (int tag = 0; tag < 2; tag++) {
                int m0 = n - (int)(tag ? d1 : d0);
                if (m0 < 0 || m0 % 5 >= 3)
                    continue;
                uint32_t i = (uint32_t)(m0 % 5);
                exp[ne++] = (proj_event){tag, (uint64_t)n, i, 2 * i, 2 * i + 2};
                for (int j = 0; j < 2 && !tag; j++)
                    delivered[n][j] += ew[2 * i + j];
            }
        ck_assert_uint_eq(g_nev, ne);
        for (size_t k = 0; k < ne; k++) {
            ck_assert_int_eq(g_ev[k].tag, exp[k].tag);
            ck_assert_uint_eq(g_ev[k].step, exp[k].step);
            ck_assert_uint_eq(g_ev[k].i, exp[k].i);
            ck_assert_uint_eq(g_ev[k].b, exp[k].b);
            ck_assert_uint_eq(g_ev[k].e, exp[k].e);
        }
        /* deliveries of step n are integrated by the update of step n + 1 */
        axon_tensor in, acc;
        ck_assert_int_eq(axon_sim_var(s, "A.in", &in), AXON_OK);
        ck_assert_int_eq(axon_sim_var(s, "A.acc", &acc), AXON_OK);
        for (int j = 0; j < 2; j++) {
            double sum = 0;
            for (int n = 0; n < T - 1; n++)
                sum += delivered[n][j];
            ck_assert(((double *)acc.data)[j] == sum);
            ck_assert(((double *)in.data)[j] == delivered[T - 1][j]);
        }
        ck_assert(((double *)in.data)[0] != 0 || d0 != 3); /* step 16's spike arrives at 19 */
        /* an input variable is sampled before the update that consumes it: the sample of
           step n is what step n - 1 delivered */
        char dir[512];
        axon_err err = {{0}};
        ck_assert_msg(axon_sim_write(s, in_dir(dir, dk ? "d3" : "d0"), &err) == AXON_OK, "%s",
                      err.msg);
        axon_tensor *rin = read_npy(dir, "A.in.npy");
        ck_assert_uint_eq(rin->shape[0], T);
        ck_assert(((double *)rin->data)[0] == 0 && ((double *)rin->data)[1] == 0);
        ck_assert_mem_eq((double *)rin->data + 2, delivered, sizeof delivered - sizeof delivered[0]);
        axon_tensor_free(rin);
        axon_sim_free(s);
    }
}
END_TEST

/* Weight records: a plastic synapse (w += 1 per spike), a subset and all synapses. */
START_TEST(test_proj_weight_records)
{
    static const uint32_t sub[] = {5, 0};
    axon_pop_desc pops[] = {{"S", "Src", 3, 0, NULL, NULL, src_update, 1},
                            {"A", "Acc", 2, 2, acc_vars, NULL, acc_update, 0}};
    axon_proj_desc pj = proj_of("S->A", 0, 1, AXON_CONN_ALL, 0, 0, 1);
    pj.delay_steps = 2;
    pj.nvars = 1;
    pj.vars = w_vars;
    pj.init = w_init_ij;
    pj.on_pre = plastic_on_pre;
    axon_record_desc recs[] = {{AXON_REC_WEIGHTS, 0, 0, 2, sub, 2},
                               {AXON_REC_WEIGHTS, 0, 0, 0, NULL, 5}};
    axon_model_desc m = model_projs("wrec", 8, pops, 2, &pj, 1, recs, 2);
    g_nev = 0;
    axon_sim *s = new_sim(&m, 3, 1);
    run_ok(s, 0.02);
    char dir[512];
    axon_err err = {{0}};
    ck_assert_msg(axon_sim_write(s, in_dir(dir, "out"), &err) == AXON_OK, "%s", err.msg);
    ck_assert_int_eq(count_entries(dir, ""), 5);
    axon_tensor *a = read_npy(dir, "S->A.w.npy"), *at = read_npy(dir, "S->A.w.t.npy");
    axon_tensor *b = read_npy(dir, "S->A.w.2.npy");
    ck_assert_int_eq(a->ndim, 2);
    ck_assert_uint_eq(a->shape[0], 10);
    ck_assert_uint_eq(a->shape[1], 2);
    ck_assert_uint_eq(b->shape[0], 4);
    ck_assert_uint_eq(b->shape[1], 6);
    /* synapse s of pre i grows by one per spike of i delivered so far */
    for (int k = 0; k < 10; k++) {
        int last = 2 * k + 1; /* sampled after step 2k+1 */
        ck_assert(fabs(((double *)at->data)[k] - (last + 1) * 1e-3) < 1e-12);
        for (int c = 0; c < 2; c++) {
            uint32_t syn = sub[c], i = syn / 2;
            double wv = 10.0 * i + syn % 2 + 1;
            for (int n = 0; n <= last; n++)
                wv += n >= 2 && (n - 2) % 5 == (int)i;
            ck_assert(((double *)a->data)[2 * k + c] == wv);
        }
    }
    axon_tensor live;
    ck_assert_int_eq(axon_sim_syn_var(s, "S->A.w", &live), AXON_OK);
    ck_assert_mem_eq((double *)b->data + 3 * 6, live.data, 6 * sizeof(double));
    axon_tensor_free(a);
    axon_tensor_free(at);
    axon_tensor_free(b);
    char mpath[1024], buf[8192];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    FILE *fp = fopen(mpath, "r");
    ck_assert_ptr_nonnull(fp);
    size_t len = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[len] = '\0';
    ck_assert_ptr_nonnull(strstr(buf, "\"kind\": \"weights\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"kind\": \"weights_times\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"population\": null, \"projection\": \"S->A\""));
    ck_assert_ptr_nonnull(strstr(buf, "\"subset\": [5, 0]"));
    ck_assert_ptr_nonnull(strstr(buf, "\"unit\": \"S\""));
    axon_sim_free(s);
}
END_TEST

/* (f) synapse init: i, j and a per-synapse draw; ranges on 16-synapse boundaries */

static _Atomic uint64_t g_init_syn, g_init_bad;

static const axon_var_desc ij_vars[] = {
    {"i", "1", AXON_VAR_STATE, 0}, {"j", "1", AXON_VAR_STATE, 0}, {"u", "1", AXON_VAR_STATE, 0}};

static void ij_init(const axon_step_ctx *ctx, void *const *sv, const uint32_t *pre,
                    const uint32_t *post, uint64_t b, uint64_t e)
{
    double *vi = sv[0], *vj = sv[1], *u = sv[2];
    for (uint64_t s = b; s < e; s++) {
        vi[s] = pre[s];
        vj[s] = post[s];
        u[s] = axon_rng_uniform(ctx->seed, 99, (uint32_t)s, 0, 0);
    }
    atomic_fetch_add(&g_init_syn, e - b);
    if (b % 16 != 0 || e <= b || ctx->step != 0)
        atomic_fetch_add(&g_init_bad, 1);
}

static void ij_init_f32(const axon_step_ctx *ctx, void *const *sv, const uint32_t *pre,
                        const uint32_t *post, uint64_t b, uint64_t e)
{
    float *vi = sv[0], *vj = sv[1];
    for (uint64_t s = b; s < (e + 15) / 16 * 16; s++) { /* over the padding */
        vi[s] = (float)pre[s];
        vj[s] = (float)post[s];
    }
    atomic_fetch_add(&g_init_syn, e - b);
    if (b % 16 != 0 || e <= b)
        atomic_fetch_add(&g_init_bad, 1);
}

/* i[s], j[s] agree with the CSR arrays */
static void check_ij(axon_sim *s, int proj, const char *name, uint32_t npre)
{
    const uint64_t *row;
    const uint32_t *post;
    get_csr(s, proj, &row, &post);
    char path[128];
    axon_tensor vi, vj;
    snprintf(path, sizeof path, "%s.i", name);
    ck_assert_int_eq(axon_sim_syn_var(s, path, &vi), AXON_OK);
    snprintf(path, sizeof path, "%s.j", name);
    ck_assert_int_eq(axon_sim_syn_var(s, path, &vj), AXON_OK);
    ck_assert_uint_eq(vi.shape[0], axon_sim_synapse_count(s, proj));
    uint64_t bad = 0;
    for (uint32_t i = 0; i < npre; i++)
        for (uint64_t k = row[i]; k < row[i + 1]; k++) {
            double a = vi.dtype == AXON_F64 ? ((double *)vi.data)[k] : ((float *)vi.data)[k];
            double b = vj.dtype == AXON_F64 ? ((double *)vj.data)[k] : ((float *)vj.data)[k];
            bad += a != i || b != post[k];
        }
    ck_assert_msg(bad == 0, "%s: %llu synapses with the wrong (i, j)", name,
                  (unsigned long long)bad);
}

#define NBIG 1000

static axon_sim *random_sim(axon_model_desc *m, axon_pop_desc *pops, axon_proj_desc *pj,
                            double p, int autapses, uint64_t seed, int threads)
{
    pops[0] = (axon_pop_desc){"N", "Nop", NBIG, 0, NULL, NULL, nop_update, 0};
    *pj = proj_of("N->N", 0, 0, AXON_CONN_RANDOM, p, 0, autapses);
    pj->nvars = 3;
    pj->vars = ij_vars;
    pj->init = ij_init;
    *m = model_projs("rand", 8, pops, 1, pj, 1, NULL, 0);
    return new_sim(m, seed, threads);
}

/* (b) random(p) */
START_TEST(test_proj_random)
{
    const double p = 0.05, N = NBIG;
    axon_model_desc m;
    axon_pop_desc pops[1];
    axon_proj_desc pj;
    atomic_store(&g_init_syn, 0);
    atomic_store(&g_init_bad, 0);
    axon_sim *a = random_sim(&m, pops, &pj, p, 0, 11, 1);
    uint64_t n = axon_sim_synapse_count(a, 0);
    double mean = p * N * (N - 1), sd = sqrt(mean * (1 - p));
    ck_assert_msg(fabs((double)n - mean) < 5 * sd, "%llu synapses, expected %g +- %g",
                  (unsigned long long)n, mean, sd);
    ck_assert_uint_eq(atomic_load(&g_init_syn), n);
    ck_assert_uint_eq(atomic_load(&g_init_bad), 0);
    check_rows(a, 0, NBIG, NBIG, 0);
    check_ij(a, 0, "N->N", NBIG);
    /* targets are uniform: about half of them below N/2 */
    const uint64_t *row, *row3;
    const uint32_t *post, *post3;
    get_csr(a, 0, &row, &post);
    uint64_t low = 0;
    for (uint64_t k = 0; k < n; k++)
        low += post[k] < NBIG / 2;
    ck_assert(fabs((double)low - n / 2.0) < 5 * sqrt(n / 4.0));
    /* u[s] is the draw keyed by s */
    axon_tensor u, u3;
    ck_assert_int_eq(axon_sim_syn_var(a, "N->N.u", &u), AXON_OK);
    uint64_t bad = 0;
    for (uint64_t k = 0; k < n; k++)
        bad += ((double *)u.data)[k] != axon_rng_uniform(11, 99, (uint32_t)k, 0, 0);
    ck_assert_uint_eq(bad, 0);

    /* the same connectivity and synapse values with 3 threads and in a second simulation */
    for (int th = 3; th >= 1; th -= 2) {
        axon_model_desc m3;
        axon_pop_desc pops3[1];
        axon_proj_desc pj3;
        axon_sim *b = random_sim(&m3, pops3, &pj3, p, 0, 11, th);
        ck_assert_uint_eq(axon_sim_synapse_count(b, 0), n);
        get_csr(b, 0, &row3, &post3);
        ck_assert_mem_eq(row3, row, (NBIG + 1) * sizeof *row);
        ck_assert_mem_eq(post3, post, n * sizeof *post);
        ck_assert_int_eq(axon_sim_syn_var(b, "N->N.u", &u3), AXON_OK);
        ck_assert_mem_eq(u3.data, u.data, n * sizeof(double));
        axon_sim_free(b);
    }
    /* another seed: other synapses */
    {
        axon_model_desc m3;
        axon_pop_desc pops3[1];
        axon_proj_desc pj3;
        axon_sim *b = random_sim(&m3, pops3, &pj3, p, 0, 12, 1);
        get_csr(b, 0, &row3, &post3);
        uint64_t n3 = axon_sim_synapse_count(b, 0);
        ck_assert(n3 != n || memcmp(post3, post, n * sizeof *post) != 0);
        axon_sim_free(b);
    }
    axon_sim_free(a);

    /* autapses allowed: p N^2 on average, and some i -> i among them (about 50) */
    a = random_sim(&m, pops, &pj, p, 1, 11, 2);
    n = axon_sim_synapse_count(a, 0);
    mean = p * N * N;
    sd = sqrt(mean * (1 - p));
    ck_assert(fabs((double)n - mean) < 5 * sd);
    check_rows(a, 0, NBIG, NBIG, 1);
    get_csr(a, 0, &row, &post);
    uint64_t self = 0;
    for (uint32_t i = 0; i < NBIG; i++)
        for (uint64_t k = row[i]; k < row[i + 1]; k++)
            self += post[k] == i;
    ck_assert(self > 10 && self < 100);
    axon_sim_free(a);

    /* p = 0 and p = 1 */
    a = random_sim(&m, pops, &pj, 0.0, 0, 11, 1);
    ck_assert_uint_eq(axon_sim_synapse_count(a, 0), 0);
    ck_assert(axon_sim_bytes_per_synapse(a, 0) == 0);
    axon_sim_free(a);
    a = random_sim(&m, pops, &pj, 1.0, 0, 11, 1);
    ck_assert_uint_eq(axon_sim_synapse_count(a, 0), NBIG * (NBIG - 1));
    check_rows(a, 0, NBIG, NBIG, 0);
    axon_sim_free(a);
}
END_TEST

/* (c) fixed in-degree and out-degree */
START_TEST(test_proj_fixed_degree)
{
    axon_pop_desc pops[] = {{"N", "Nop", NBIG, 0, NULL, NULL, nop_update, 0},
                            {"M", "Nop", 300, 0, NULL, NULL, nop_update, 0}};
    axon_proj_desc pj[] = {
        proj_of("in", 0, 1, AXON_CONN_INDEGREE, 0, 50, 0),
        proj_of("in.self", 0, 0, AXON_CONN_INDEGREE, 0, NBIG - 1, 0),
        proj_of("in.auto", 0, 0, AXON_CONN_INDEGREE, 0, 20, 1),
        proj_of("out", 0, 0, AXON_CONN_OUTDEGREE, 0, 30, 0),  /* sorted by qsort */
        proj_of("out.big", 0, 1, AXON_CONN_OUTDEGREE, 0, 200, 0), /* sorted by a scan */
        proj_of("out.scan", 0, 0, AXON_CONN_OUTDEGREE, 0, 100, 0),
    };
    pj[0].nvars = 3;
    pj[0].vars = ij_vars;
    pj[0].init = ij_init;
    axon_model_desc m = model_projs("deg", 8, pops, 2, pj, 6, NULL, 0);
    atomic_store(&g_init_syn, 0);
    axon_sim *s = new_sim(&m, 5, 1);
    static const uint32_t npost[] = {300, NBIG, NBIG, NBIG, 300, NBIG};
    static const int self_ok[] = {1, 0, 1, 0, 1, 0};
    static uint32_t indeg[NBIG];
    for (int q = 0; q < 6; q++) {
        check_rows(s, q, NBIG, npost[q], self_ok[q]);
        const uint64_t *row;
        const uint32_t *post;
        get_csr(s, q, &row, &post);
        uint32_t k = pj[q].k;
        if (pj[q].connector == AXON_CONN_INDEGREE) {
            /* every post exactly k pres, distinct because rows are strictly increasing */
            ck_assert_uint_eq(axon_sim_synapse_count(s, q), (uint64_t)npost[q] * k);
            memset(indeg, 0, sizeof indeg);
            for (uint64_t x = 0; x < row[NBIG]; x++)
                indeg[post[x]]++;
            uint32_t bad = 0;
            for (uint32_t j = 0; j < npost[q]; j++)
                bad += indeg[j] != k;
            ck_assert_uint_eq(bad, 0);
        } else {
            ck_assert_uint_eq(axon_sim_synapse_count(s, q), (uint64_t)NBIG * k);
            uint32_t bad = 0;
            for (uint32_t i = 0; i < NBIG; i++)
                bad += row[i + 1] - row[i] != k;
            ck_assert_uint_eq(bad, 0);
        }
    }
    ck_assert_uint_eq(atomic_load(&g_init_syn), 300 * 50);
    check_ij(s, 0, "in", NBIG);
    /* in-degree N - 1 without autapses is every pair but i -> i */
    const uint64_t *row;
    const uint32_t *post;
    get_csr(s, 1, &row, &post);
    uint32_t bad = 0;
    for (uint32_t i = 0; i < NBIG; i++)
        bad += row[i] != (uint64_t)i * (NBIG - 1);
    ck_assert_uint_eq(bad, 0);
    /* the pres of "in" are spread over the whole population (out-degree about 15 each) */
    get_csr(s, 0, &row, &post);
    uint32_t used = 0, maxdeg = 0;
    for (uint32_t i = 0; i < NBIG; i++) {
        uint32_t d = (uint32_t)(row[i + 1] - row[i]);
        used += d > 0;
        maxdeg = d > maxdeg ? d : maxdeg;
    }
    ck_assert_uint_gt(used, 990);
    ck_assert_uint_lt(maxdeg, 40);
    /* the same with 3 threads */
    axon_sim *t = new_sim(&m, 5, 3);
    for (int q = 0; q < 6; q++) {
        const uint64_t *r1, *r3;
        const uint32_t *p1, *p3;
        get_csr(s, q, &r1, &p1);
        get_csr(t, q, &r3, &p3);
        ck_assert_mem_eq(r1, r3, (NBIG + 1) * sizeof *r1);
        ck_assert_mem_eq(p1, p3, r1[NBIG] * sizeof *p1);
    }
    axon_sim_free(t);
    axon_sim_free(s);
}
END_TEST

/* (d) one_to_one */
START_TEST(test_proj_one_to_one)
{
    axon_pop_desc pops[] = {{"P", "Nop", 5, 0, NULL, NULL, nop_update, 0},
                            {"Q", "Nop", 5, 0, NULL, NULL, nop_update, 0}};
    axon_proj_desc pj[] = {proj_of("P->Q", 0, 1, AXON_CONN_ONE, 0, 0, 0),
                           proj_of("P->P", 0, 0, AXON_CONN_ONE, 0, 0, 1),
                           proj_of("P->P.no", 0, 0, AXON_CONN_ONE, 0, 0, 0)};
    axon_model_desc m = model_projs("one", 8, pops, 2, pj, 3, NULL, 0);
    axon_sim *s = new_sim(&m, 0, 1);
    static const uint64_t erow[] = {0, 1, 2, 3, 4, 5};
    static const uint32_t epost[] = {0, 1, 2, 3, 4};
    for (int q = 0; q < 2; q++) {
        const uint64_t *row;
        const uint32_t *post;
        get_csr(s, q, &row, &post);
        ck_assert_uint_eq(axon_sim_synapse_count(s, q), 5);
        ck_assert_mem_eq(row, erow, sizeof erow);
        ck_assert_mem_eq(post, epost, sizeof epost);
    }
    ck_assert_uint_eq(axon_sim_synapse_count(s, 2), 0); /* every synapse would be an autapse */
    axon_sim_free(s);
    pops[1].size = 6;
    expect_refused(&m, NULL, "same size");
}
END_TEST

/* (e) where(i, j) = (i == j + 1) */
static int32_t where_next(const axon_step_ctx *ctx, uint32_t i, uint32_t j)
{
    return i == j + 1;
}

static int32_t where_any(const axon_step_ctx *ctx, uint32_t i, uint32_t j)
{
    return 1;
}

START_TEST(test_proj_where)
{
    axon_pop_desc pops[] = {{"P", "Nop", 6, 0, NULL, NULL, nop_update, 0},
                            {"Q", "Nop", 5, 0, NULL, NULL, nop_update, 0}};
    axon_proj_desc pj[] = {proj_of("P->Q", 0, 1, AXON_CONN_WHERE, 0, 0, 1),
                           proj_of("P->P", 0, 0, AXON_CONN_WHERE, 0, 0, 0)};
    pj[0].where = where_next;
    pj[1].where = where_any;
    axon_model_desc m = model_projs("where", 8, pops, 2, pj, 2, NULL, 0);
    axon_sim *s = new_sim(&m, 0, 1);
    const uint64_t *row;
    const uint32_t *post;
    get_csr(s, 0, &row, &post);
    static const uint64_t erow[] = {0, 0, 1, 2, 3, 4, 5};
    static const uint32_t epost[] = {0, 1, 2, 3, 4};
    ck_assert_uint_eq(axon_sim_synapse_count(s, 0), 5);
    ck_assert_mem_eq(row, erow, sizeof erow);
    ck_assert_mem_eq(post, epost, sizeof epost);
    /* autapses off: every pair but i -> i */
    ck_assert_uint_eq(axon_sim_synapse_count(s, 1), 30);
    check_rows(s, 1, 6, 6, 0);
    axon_sim_free(s);
}
END_TEST

/* axon_model_memory: counts (exact, expected, at most), bytes from the sizes of the arrays */
START_TEST(test_model_memory)
{
    axon_pop_desc pops[] = {{"P", "Nop", 6, 0, NULL, NULL, nop_update, 0},
                            {"Q", "Nop", 1000, 0, NULL, NULL, nop_update, 0}};
    axon_proj_desc pj[] = {proj_of("P->Q", 0, 1, AXON_CONN_WHERE, 0, 0, 1),
                           proj_of("Q->Q", 1, 1, AXON_CONN_RANDOM, 0.1, 0, 0),
                           proj_of("P->P", 0, 0, AXON_CONN_ALL, 0, 0, 0)};
    pj[0].where = where_any;
    axon_model_desc m = model_projs("mem", 8, pops, 2, pj, 3, NULL, 0);
    axon_mem_item it[3];
    double total = 0;
    axon_err err = {{0}};
    ck_assert_int_eq(axon_model_memory(&m, 1.0, it, 2, &total, &err), AXON_ERANGE);
    ck_assert_str_eq(err.msg, "axon_model_memory: room for 2 items, 5 needed");
    ck_assert_int_eq(axon_model_memory(&m, -1.0, NULL, 0, &total, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_model_memory(NULL, 1.0, NULL, 0, &total, &err), AXON_EINVAL);
    axon_mem_item all[5];
    ck_assert_int_eq(axon_model_memory(&m, 1.0, all, 5, &total, &err), AXON_OK);
    ck_assert_int_eq(all[0].kind, AXON_MEM_POP);
    ck_assert(all[1].count == 1000 && all[1].bytes == 0); /* no variables, no spikes */
    ck_assert(all[2].kind == AXON_MEM_PROJ && all[2].count == 6000 &&
              all[2].approx == AXON_MEM_AT_MOST);
    ck_assert(all[3].count == 0.1 * 1000 * 999 && all[3].approx == AXON_MEM_EXPECTED);
    ck_assert(all[4].count == 30 && all[4].approx == AXON_MEM_EXACT);
    /* P->P: row (7 offsets of 8 bytes) and targets (30 rounded up to 32, 4 bytes each) */
    ck_assert(all[4].bytes == 7 * 8 + 32 * 4);
    ck_assert(total >= all[2].bytes + all[3].bytes + all[4].bytes);
    /* the same with a real simulation: the where condition took every pair */
    axon_sim *s = new_sim(&m, 0, 1);
    ck_assert_uint_eq(axon_sim_synapse_count(s, 0), 6000);
    ck_assert_uint_eq(axon_sim_synapse_count(s, 2), 30);
    axon_sim_free(s);
}
END_TEST

/* AXON_CONN_FILE: the listed (sorted) edges become the rows; bad lists are refused */
START_TEST(test_proj_file)
{
    axon_pop_desc pops[] = {{"P", "Nop", 4, 0, NULL, NULL, nop_update, 0},
                            {"Q", "Nop", 3, 0, NULL, NULL, nop_update, 0}};
    static const uint32_t epre[] = {0, 0, 2, 3, 3}, epost[] = {0, 2, 1, 0, 2};
    axon_proj_desc pj[] = {proj_of("P->Q", 0, 1, AXON_CONN_FILE, 0, 0, 1),
                           proj_of("P->P", 0, 0, AXON_CONN_FILE, 0, 0, 0)};
    pj[0].nedges = 5;
    pj[0].edge_pre = epre;
    pj[0].edge_post = epost;
    axon_model_desc m = model_projs("file", 8, pops, 2, pj, 2, NULL, 0);
    axon_sim *s = new_sim(&m, 0, 1);
    const uint64_t *row;
    const uint32_t *post;
    get_csr(s, 0, &row, &post);
    static const uint64_t erow[] = {0, 2, 2, 3, 5};
    ck_assert_uint_eq(axon_sim_synapse_count(s, 0), 5);
    ck_assert_mem_eq(row, erow, sizeof erow);
    ck_assert_mem_eq(post, epost, sizeof epost);
    ck_assert_uint_eq(axon_sim_synapse_count(s, 1), 0); /* no edges: an empty projection */
    axon_sim_free(s);
    static const uint32_t unsorted[] = {2, 0, 1, 0, 2}, self[] = {0, 1, 1, 2, 3};
    pj[0].edge_post = unsorted;
    expect_refused(&m, NULL, "not sorted");
    pj[0].edge_post = epost;
    pj[0].edge_pre = (const uint32_t[]){0, 0, 2, 3, 4};
    expect_refused(&m, NULL, "out of range");
    pj[0].edge_pre = epre;
    pj[1].nedges = 5;
    pj[1].edge_pre = epre;
    pj[1].edge_post = self;
    expect_refused(&m, NULL, "to itself");
    pj[1].edge_post = NULL;
    expect_refused(&m, NULL, "no table");
}
END_TEST

/* continuous: every row, every step, before the updates (and so before the deliveries) */
static void cont_on_step(const axon_step_ctx *ctx, void *const *sv, void *const *pre_vars,
                         void *const *post_vars, const uint32_t *post, uint32_t i, uint64_t b,
                         uint64_t e)
{
    const double *w = sv[0];
    double *in = post_vars[0];
    for (uint64_t s = b; s < e; s++)
        in[post[s]] += w[s];
    log_event(2, ctx, i, b, e);
}

START_TEST(test_proj_continuous)
{
    axon_pop_desc pops[] = {{"S", "Src", 3, 0, NULL, NULL, src_update, 1},
                            {"A", "Acc", 2, 2, acc_vars, NULL, acc_update, 0},
                            {"Z", "Nop", 4, 0, NULL, NULL, nop_update, 0}};
    axon_proj_desc pj[] = {proj_of("S->A", 0, 1, AXON_CONN_ALL, 0, 0, 1),
                           proj_of("Z->A", 2, 1, AXON_CONN_WHERE, 0, 0, 1)};
    pj[0].nvars = 1;
    pj[0].vars = w_vars;
    pj[0].init = w_init_ij;
    pj[0].on_pre = acc_on_pre;
    pj[0].continuous = cont_on_step;
    pj[1].where = where_next; /* rows 0 and 3 of Z are empty: not called */
    pj[1].nvars = 1;
    pj[1].vars = w_vars;
    pj[1].init = w_init_ij;
    pj[1].continuous = cont_on_step;
    axon_model_desc m = model_projs("cont", 8, pops, 3, pj, 2, NULL, 0);
    g_nev = 0;
    axon_sim *s = new_sim(&m, 0, 1);
    const int T = 10;
    run_ok(s, T * 1e-3);
    /* per step n: S->A rows 0..2, Z->A rows 1..2, then the spike of step n (n % 5 < 3) */
    size_t k = 0, bad = 0;
    for (int n = 0; n < T; n++) {
        for (uint32_t i = 0; i < 3; i++, k++)
            bad += k >= g_nev || g_ev[k].tag != 2 || g_ev[k].step != (uint64_t)n ||
                   g_ev[k].i != i || g_ev[k].b != 2 * i || g_ev[k].e != 2 * i + 2;
        for (uint32_t i = 1; i < 3; i++, k++)
            bad += k >= g_nev || g_ev[k].tag != 2 || g_ev[k].step != (uint64_t)n ||
                   g_ev[k].i != i || g_ev[k].b != i - 1 || g_ev[k].e != i;
        if (n % 5 < 3) {
            bad += k >= g_nev || g_ev[k].tag != 0 || g_ev[k].step != (uint64_t)n ||
                   g_ev[k].i != (uint32_t)(n % 5);
            k++;
        }
    }
    ck_assert_uint_eq(bad, 0);
    ck_assert_uint_eq(k, g_nev);
    /* the update of step n integrates step n's continuous sums and step n - 1's deliveries */
    axon_tensor acc, in;
    ck_assert_int_eq(axon_sim_var(s, "A.acc", &acc), AXON_OK);
    ck_assert_int_eq(axon_sim_var(s, "A.in", &in), AXON_OK);
    for (int j = 0; j < 2; j++) {
        double cont = 0, deliv = 0;
        for (int i = 0; i < 3; i++)
            cont += 10.0 * i + j + 1;
        cont += 10.0 * (j + 1) + j + 1; /* Z j+1 -> A j */
        for (int n = 0; n < T - 1; n++)
            deliv += n % 5 < 3 ? 10.0 * (n % 5) + j + 1 : 0;
        ck_assert(((double *)acc.data)[j] == T * cont + deliv);
        double last = (T - 1) % 5 < 3 ? 10.0 * ((T - 1) % 5) + j + 1 : 0;
        ck_assert(((double *)in.data)[j] == last);
    }
    axon_sim_free(s);
}
END_TEST

/* (f) the init kernel sees the right pairs; float precision, split between threads */
START_TEST(test_proj_init_pairs)
{
    axon_pop_desc pops[] = {{"P", "Leaky", 400, 2, flt_vars, flt_init, flt_update, 1},
                            {"Q", "Nop", 37, 0, NULL, NULL, nop_update, 0}};
    axon_proj_desc pj[] = {proj_of("P->Q", 0, 1, AXON_CONN_ALL, 0, 0, 1),
                           proj_of("P->P", 0, 0, AXON_CONN_RANDOM, 0.1, 0, 0)};
    for (int q = 0; q < 2; q++) {
        pj[q].nvars = 2;
        pj[q].vars = ij_vars;
        pj[q].init = ij_init_f32;
    }
    axon_model_desc m = model_projs("pairs", 4, pops, 2, pj, 2, NULL, 0);
    static const int threads[] = {1, 4};
    for (int t = 0; t < 2; t++) {
        atomic_store(&g_init_syn, 0);
        atomic_store(&g_init_bad, 0);
        axon_sim *s = new_sim(&m, 8, threads[t]);
        ck_assert_uint_eq(axon_sim_synapse_count(s, 0), 400 * 37);
        ck_assert_uint_eq(atomic_load(&g_init_syn),
                          axon_sim_synapse_count(s, 0) + axon_sim_synapse_count(s, 1));
        ck_assert_uint_eq(atomic_load(&g_init_bad), 0);
        check_ij(s, 0, "P->Q", 400);
        check_ij(s, 1, "P->P", 400);
        axon_tensor v;
        ck_assert_int_eq(axon_sim_syn_var(s, "P->P.j", &v), AXON_OK);
        ck_assert_int_eq(v.dtype, AXON_F32);
        ck_assert_uint_eq((uintptr_t)v.data % AXON_ALIGN, 0);
        /* 8 bytes of post index and two floats, plus the row offsets */
        double bps = axon_sim_bytes_per_synapse(s, 0);
        ck_assert(bps > 12 && bps < 12.5);
        run_ok(s, 0.01); /* no on_pre: nothing to deliver */
        axon_sim_free(s);
    }
}
END_TEST

/* A long delay from a population that fires a lot: the spike history grows. */
static void burst_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                         uint32_t e)
{
    for (uint32_t i = b; i < e; i++)
        fired[i] = (ctx->step + i) % 3 == 0;
}

START_TEST(test_proj_long_delay)
{
    const uint32_t N = 40, D = 25;
    const int T = 100;
    axon_pop_desc pops[] = {{"B", "Burst", N, 0, NULL, NULL, burst_update, 1},
                            {"A", "Acc", N, 2, acc_vars, NULL, acc_update, 0}};
    axon_proj_desc pj[] = {proj_of("B->A", 0, 1, AXON_CONN_ONE, 0, 0, 1),
                           proj_of("A->B", 1, 0, AXON_CONN_ONE, 0, 0, 1)}; /* never spikes */
    pj[0].delay_steps = D;
    pj[0].nvars = 1;
    pj[0].vars = w_vars;
    pj[0].init = w_init_ij;
    pj[0].on_pre = acc_on_pre;
    pj[1].on_pre = log_on_pre;
    axon_model_desc m = model_projs("delay", 8, pops, 2, pj, 2, NULL, 0);
    static const int threads[] = {1, 3};
    for (int th = 0; th < 2; th++) {
        g_nev = 0;
        axon_sim *s = new_sim(&m, 0, threads[th]);
        run_ok(s, 0.03);
        run_ok(s, 0.07);
        size_t k = 0, bad = 0;
        for (int n = 0; n < T; n++)
            for (uint32_t i = 0; i < N; i++) {
                int m0 = n - (int)D;
                if (m0 < 0 || (m0 + (int)i) % 3 != 0)
                    continue;
                bad += k >= g_nev || g_ev[k].tag != 0 || g_ev[k].step != (uint64_t)n ||
                       g_ev[k].i != i || g_ev[k].b != i || g_ev[k].e != i + 1;
                k++;
            }
        ck_assert_uint_eq(bad, 0);
        ck_assert_uint_eq(k, g_nev);
        axon_tensor acc;
        ck_assert_int_eq(axon_sim_var(s, "A.acc", &acc), AXON_OK);
        for (uint32_t i = 0; i < N; i++) {
            double expect = 0;
            for (int n = (int)D; n < T - 1; n++)
                expect += (n - (int)D + (int)i) % 3 == 0 ? 11.0 * i + 1 : 0;
            ck_assert(((double *)acc.data)[i] == expect);
        }
        axon_sim_free(s);
    }
}
END_TEST

/* Poisson -> accumulator through a random projection: bit-identical for any thread count. */
START_TEST(test_proj_threads_identical)
{
    axon_pop_desc pops[] = {POI_POP("P"), {"A", "Acc", 500, 2, acc_vars, NULL, acc_update, 0}};
    axon_proj_desc pj = proj_of("P->A", 0, 1, AXON_CONN_RANDOM, 0.1, 0, 1);
    pj.delay_steps = 7;
    pj.nvars = 1;
    pj.vars = w_vars;
    pj.init = w_init_ij;
    pj.on_pre = acc_on_pre;
    axon_record_desc recs[] = {{AXON_REC_SPIKES, 0, 0, 0, NULL, 1}};
    axon_model_desc m = model_projs("pt", 8, pops, 2, &pj, 1, recs, 1);
    m.dt = POI_DT;
    static double ref[500];
    uint64_t nref = 0;
    static const int threads[] = {1, 2, 4};
    for (int t = 0; t < 3; t++) {
        g_nev = 0;
        axon_sim *s = new_sim(&m, 21, threads[t]);
        run_ok(s, 0.05);
        axon_tensor acc;
        ck_assert_int_eq(axon_sim_var(s, "A.acc", &acc), AXON_OK);
        uint64_t n = axon_sim_spike_count(s, 0);
        ck_assert_uint_gt(n, 500);
        if (t == 0) {
            memcpy(ref, acc.data, sizeof ref);
            nref = n;
            double sum = 0;
            for (int j = 0; j < 500; j++)
                sum += ref[j];
            ck_assert(sum > 0);
        } else {
            ck_assert_uint_eq(n, nref);
            ck_assert_mem_eq(acc.data, ref, sizeof ref);
        }
        axon_sim_free(s);
    }
}
END_TEST

/* Parallel delivery (AXON_PROJ_SPLIT): rows cut by target ranges between threads. Poisson
 * sources into two accumulators, with plastic synapses: bit-identical to one thread, with
 * every delay 1 or more (delivery inside the update phase), with a delay of 0 (a phase of its
 * own), and with an unflagged projection (on the caller); also when the threads are left to
 * choose (default grain: small steps on the caller). */
static atomic_ulong g_split_calls;

static void split_on_pre(const axon_step_ctx *ctx, void *const *sv, void *const *pre_vars,
                         void *const *post_vars, const uint32_t *post, uint32_t i, uint64_t b,
                         uint64_t e)
{
    double *w = sv[0], *in = post_vars[0];
    for (uint64_t s = b; s < e; s++) {
        in[post[s]] = in[post[s]] * 0.5 + w[s]; /* the order of arrivals matters */
        w[s] += 1e-3 * (double)(ctx->step % 7);
    }
    atomic_fetch_add_explicit(&g_split_calls, 1, memory_order_relaxed);
}

START_TEST(test_proj_split_delivery)
{
    enum { NA = 700, NB = 45 };
    axon_pop_desc pops[] = {POI_POP("P"), {"A", "Acc", NA, 2, acc_vars, NULL, acc_update, 0},
                            {"B", "Acc", NB, 2, acc_vars, NULL, acc_update, 0}};
    axon_proj_desc pj[] = {proj_of("P->A", 0, 1, AXON_CONN_RANDOM, 0.05, 0, 1),
                           proj_of("P->B", 0, 2, AXON_CONN_OUTDEGREE, 0, 9, 1),
                           proj_of("P->A.2", 0, 1, AXON_CONN_INDEGREE, 0, 30, 1)};
    for (int q = 0; q < 3; q++) {
        pj[q].nvars = 1;
        pj[q].vars = w_vars;
        pj[q].init = w_init_ij;
        pj[q].on_pre = split_on_pre;
        pj[q].flags = AXON_PROJ_SPLIT;
    }
    axon_record_desc recs[] = {{AXON_REC_SPIKES, 0, 0, 0, NULL, 1},
                               {AXON_REC_STATE, 1, 1, 0, NULL, 10}};
    axon_model_desc m = model_projs("split", 8, pops, 3, pj, 3, recs, 2);
    m.dt = POI_DT;
    /* delays; the last case leaves P->A.2 unflagged */
    static const uint32_t delays[][3] = {{1, 4, 2}, {3, 0, 1}, {2, 2, 5}};
    static double ref_a[NA], ref_b[NB], ref_w[3][40000];
    uint64_t nsyn[3];
    for (int c = 0; c < 3; c++) {
        for (int q = 0; q < 3; q++)
            pj[q].delay_steps = delays[c][q];
        pj[2].flags = c == 2 ? 0 : AXON_PROJ_SPLIT;
        static const int threads[] = {1, 2, 3, 4, -3};
        unsigned long calls1 = 0;
        for (int t = 0; t < 5; t++) {
            atomic_store(&g_split_calls, 0);
            axon_opts o = {5, threads[t] < 0 ? -threads[t] : threads[t]};
            axon_err err = {{0}};
            axon_sim *s = axon_sim_new(&m, &o, &err);
            ck_assert_msg(s != NULL, "%s", err.msg);
            if (threads[t] > 1)
                axon_sim_set_grain(s, 1);
            run_ok(s, 0.05);
            run_ok(s, 0.15); /* continues across runs */
            axon_tensor a, b;
            ck_assert_int_eq(axon_sim_var(s, "A.acc", &a), AXON_OK);
            ck_assert_int_eq(axon_sim_var(s, "B.acc", &b), AXON_OK);
            const char *wn[] = {"P->A.w", "P->B.w", "P->A.2.w"};
            axon_tensor w[3];
            for (int q = 0; q < 3; q++) {
                ck_assert_int_eq(axon_sim_syn_var(s, wn[q], &w[q]), AXON_OK);
                ck_assert_uint_le(w[q].shape[0], 40000);
            }
            if (t == 0) {
                memcpy(ref_a, a.data, sizeof ref_a);
                memcpy(ref_b, b.data, sizeof ref_b);
                for (int q = 0; q < 3; q++) {
                    nsyn[q] = w[q].shape[0];
                    memcpy(ref_w[q], w[q].data, nsyn[q] * sizeof(double));
                }
                ck_assert_uint_gt(axon_sim_spike_count(s, 0), 3000);
                ck_assert(ref_a[0] != 0 && ref_b[NB - 1] != 0);
                calls1 = atomic_load(&g_split_calls);
            } else {
                ck_assert_mem_eq(a.data, ref_a, sizeof ref_a);
                ck_assert_mem_eq(b.data, ref_b, sizeof ref_b);
                for (int q = 0; q < 3; q++) {
                    ck_assert_uint_eq(w[q].shape[0], nsyn[q]);
                    ck_assert_mem_eq(w[q].data, ref_w[q], nsyn[q] * sizeof(double));
                }
                /* forced parallel steps cut rows into a part per thread, unless a projection
                 * is not flagged */
                if (threads[t] > 1 && c < 2)
                    ck_assert_uint_gt(atomic_load(&g_split_calls), calls1);
                if (c == 2)
                    ck_assert_uint_eq(atomic_load(&g_split_calls), calls1);
            }
            axon_sim_free(s);
        }
    }
}
END_TEST

START_TEST(test_proj_refused)
{
    static const uint32_t bad_sub[] = {0, 6};
    axon_pop_desc pops[] = {{"S", "Src", 3, 0, NULL, NULL, src_update, 1},
                            {"A", "Acc", 2, 2, acc_vars, NULL, acc_update, 0},
                            {"H", "Nop", 70000, 0, NULL, NULL, nop_update, 0}};
    axon_proj_desc pj[2];
    pj[0] = proj_of("S->A", 0, 1, AXON_CONN_ALL, 0, 0, 1);
    pj[0].nvars = 1;
    pj[0].vars = w_vars;
    pj[1] = proj_of("S->S", 0, 0, AXON_CONN_ALL, 0, 0, 1);
    axon_model_desc m = model_projs("bad", 8, pops, 3, pj, 2, NULL, 0);
    axon_sim *s = new_sim(&m, 0, 1); /* valid as it is */
    axon_sim_free(s);
    axon_model_desc x = m;
    x.projs = NULL;
    expect_refused(&x, NULL, "no table");
    pj[1].name = "S->A";
    expect_refused(&m, NULL, "two projections");
    pj[1].name = "";
    expect_refused(&m, NULL, "no name");
    pj[1] = proj_of("S->S", 0, 3, AXON_CONN_ALL, 0, 0, 1);
    expect_refused(&m, NULL, "no population 3");
    pj[1] = proj_of("S->S", 0, 0, 17, 0, 0, 1);
    expect_refused(&m, NULL, "unknown connector 17");
    pj[1] = proj_of("S->S", 0, 0, AXON_CONN_RANDOM, 1.5, 0, 1);
    expect_refused(&m, NULL, "probability 1.5");
    pj[1].p = NAN;
    expect_refused(&m, NULL, "probability");
    pj[1] = proj_of("S->S", 0, 0, AXON_CONN_INDEGREE, 0, 3, 0);
    expect_refused(&m, NULL, "only 2 candidate");
    pj[1] = proj_of("S->A", 0, 1, AXON_CONN_OUTDEGREE, 0, 3, 0);
    pj[1].name = "S->A.2";
    expect_refused(&m, NULL, "only 2 candidate");
    pj[1] = proj_of("S->S", 0, 0, AXON_CONN_WHERE, 0, 0, 1);
    expect_refused(&m, NULL, "without a condition");
    pj[1] = proj_of("S->S", 0, 0, AXON_CONN_ALL, 0, 0, 1);
    pj[1].delay_steps = 1u << 24;
    expect_refused(&m, NULL, "delay");
    pj[1].delay_steps = 0;
    pj[1].nvars = 2;
    expect_refused(&m, NULL, "no table");
    pj[1].nvars = 0;
    /* too many synapses: refused before anything large is allocated */
    pj[1] = proj_of("H->H", 2, 2, AXON_CONN_ALL, 0, 0, 1);
    expect_refused(&m, NULL, "at most 4294967295");
    pj[1] = proj_of("H->H", 2, 2, AXON_CONN_RANDOM, 0.95, 0, 1);
    expect_refused(&m, NULL, "about");
    pj[1] = proj_of("S->S", 0, 0, AXON_CONN_ALL, 0, 0, 1);
    /* weight records */
    axon_record_desc rec = {AXON_REC_WEIGHTS, 2, 0, 0, NULL, 1};
    m.records = &rec;
    m.nrecords = 1;
    expect_refused(&m, NULL, "projection 2, which does not exist");
    rec = (axon_record_desc){AXON_REC_WEIGHTS, 1, 0, 0, NULL, 1};
    expect_refused(&m, NULL, "has no variable 0");
    rec = (axon_record_desc){AXON_REC_WEIGHTS, 0, 0, 2, bad_sub, 1};
    expect_refused(&m, NULL, "synapse 6 is outside 'w' of projection 'S->A' (6 values)");
    rec = (axon_record_desc){AXON_REC_WEIGHTS, 0, 0, 0, NULL, 0};
    expect_refused(&m, NULL, "period");
}
END_TEST

Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("engine");
    tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
    tcase_add_test(tc, test_lif_analytic_rate);
    tcase_add_test(tc, test_poisson_rate);
    tcase_add_test(tc, test_poisson_threads_identical);
    tcase_add_test(tc, test_poisson_seeds_differ);
    tcase_add_test(tc, test_float_population);
    tcase_add_test(tc, test_write_files);
    tcase_add_test(tc, test_write_failures_leave_nothing);
    tcase_add_test(tc, test_stop_partial);
    tcase_add_test(tc, test_check_output);
    tcase_add_test(tc, test_stale_tmp_removed);
    tcase_add_test(tc, test_old_manifest_files_removed);
    tcase_add_test(tc, test_repeated_runs);
    tcase_add_test(tc, test_refused_descriptors);
    tcase_add_test(tc, test_pool_lifecycle);
    tcase_add_test(tc, test_proj_all_to_all_delivery);
    tcase_add_test(tc, test_proj_weight_records);
    tcase_add_test(tc, test_proj_random);
    tcase_add_test(tc, test_proj_fixed_degree);
    tcase_add_test(tc, test_proj_one_to_one);
    tcase_add_test(tc, test_proj_where);
    tcase_add_test(tc, test_proj_init_pairs);
    tcase_add_test(tc, test_proj_continuous);
    tcase_add_test(tc, test_proj_file);
    tcase_add_test(tc, test_proj_long_delay);
    tcase_add_test(tc, test_proj_threads_identical);
    tcase_add_test(tc, test_proj_refused);
    tcase_add_test(tc, test_proj_split_delivery);
    tcase_add_test(tc, test_nonfinite);
    tcase_add_test(tc, test_model_memory);
    tcase_set_timeout(tc, 300); /* valgrind */
    suite_add_tcase(s, tc);
    return s;
}
