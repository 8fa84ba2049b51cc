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
#include "check_engine.h"
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
    {"v", "V", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"I_ext", "A", AXON_VAR_PARAM, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"_ref", "1", AXON_VAR_HIDDEN, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
};

#define LIF_POP(name)                                                                              \
    {                                                                                              \
        name, "LIF", LIF_N, 3, lif_vars, lif_init, lif_update, 1, 0, NULL                          \
    }

/* ---- Poisson-like population: fires with probability rate * dt, drawn per (neuron, step) */


void poi_init(const axon_step_ctx *ctx, void *const *vars, uint32_t b, uint32_t e)
{
    double *rate = vars[0];
    for (uint32_t i = b; i < e; i++)
        rate[i] = POI_RATE;
}

void poi_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
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
const axon_var_desc poi_vars[] = {
    {"rate", "Hz", AXON_VAR_PARAM, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"count", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"in", "A", AXON_VAR_INPUT, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
};

/* ---- float population; its kernels deliberately run over the padding of the last block */


static float flt_step(float v, float gain)
{
    return v + gain * (1.0f - v);
}

static uint32_t pad16(uint32_t e)
{
    return (e + 15u) / 16u * 16u;
}

void flt_init(const axon_step_ctx *ctx, void *const *vars, uint32_t b, uint32_t e)
{
    float *v = vars[0], *gain = vars[1];
    for (uint32_t i = b; i < pad16(e); i++) {
        v[i] = 0.0f;
        gain[i] = 0.05f + 0.01f * (float)i;
    }
}

void flt_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
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

const axon_var_desc flt_vars[] = {
    {"v", "V", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"gain", "1", AXON_VAR_PARAM, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
};

/* ---- helpers */

axon_model_desc model_of(const char *name, uint32_t precision, double dt,
                                const axon_pop_desc *pops, uint32_t npops,
                                const axon_record_desc *recs, uint32_t nrecs)
{
    axon_model_desc m = {AXON_ABI_VERSION, name, precision, dt, 0.0, npops, pops, 0, NULL,
                         nrecs, recs, 0, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL, NULL};
    return m;
}

axon_model_desc model_projs(const char *name, uint32_t precision, const axon_pop_desc *pops,
                            uint32_t npops, const axon_proj_desc *projs, uint32_t nprojs,
                            const axon_record_desc *recs, uint32_t nrecs)
{
    axon_model_desc m = model_of(name, precision, 1e-3, pops, npops, recs, nrecs);
    m.nprojs = nprojs;
    m.projs = projs;
    return m;
}

void nop_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                uint32_t e)
{
    (void)ctx, (void)vars, (void)fired, (void)b, (void)e;
}

axon_sim *new_sim(const axon_model_desc *m, uint64_t seed, int threads)
{
    axon_opts o = {.seed = seed, .threads = threads};
    axon_err err = {{0}};
    axon_sim *s = axon_sim_new(m, &o, &err);
    ck_assert_msg(s != NULL, "axon_sim_new: %s", err.msg);
    axon_sim_set_grain(s, 1); /* several threads: every step in parallel, however small */
    return s;
}

void run_ok(axon_sim *s, double duration)
{
    axon_status st = axon_sim_run(s, duration, NULL, NULL);
    ck_assert_msg(st == AXON_OK, "axon_sim_run: %s", axon_sim_error(s));
}

char g_dir[256]; /* per-test scratch directory */

void dir_setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/axon_engine_XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

int remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return unlink(path);
    struct dirent *e;
    char p[1024];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        remove_tree(p);
    }
    closedir(d);
    return rmdir(path);
}

void dir_teardown(void)
{
    remove_tree(g_dir);
}

const char *in_dir(char *buf, const char *name)
{
    snprintf(buf, 512, "%s/%s", g_dir, name);
    return buf;
}

/* Entries of dir whose name contains part (all entries when part is ""). */
int count_entries(const char *dir, const char *part)
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

axon_tensor *read_npy(const char *dir, const char *name)
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

/* ---- spike compaction: a known pattern of spikes over blocks of 64 flags and a ragged end */

#define PAT_N 4200 /* 65 blocks of 64 (more than one scan of 64 blocks), then a tail of 40 */

/* Whether neuron i fires at step k: step 0 none, step 1 all, step 2 only the first and last
 * of every block of 64, then a hash with densities from one in two to one in 256. */
static int pat_fires(uint32_t i, uint64_t k)
{
    if (k == 0)
        return 0;
    if (k == 1)
        return 1;
    if (k == 2)
        return i % 64 == 0 || i % 64 == 63 || i == PAT_N - 1;
    uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ULL ^ k * 0xC2B2AE3D27D4EB4FULL;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 32;
    return (h & ((1u << (1 + k % 8)) - 1)) == 0;
}

static void pat_init(const axon_step_ctx *ctx, void *const *vars, uint32_t b, uint32_t e)
{
    double *x = vars[0];
    for (uint32_t i = b; i < e; i++)
        x[i] = 0;
}

static void pat_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                       uint32_t e)
{
    double *x = vars[0];
    for (uint32_t i = b; i < e; i++) {
        /* other non-zero values than 1 count as a spike too */
        fired[i] = pat_fires(i, ctx->step) ? (uint8_t)(1 + (i + ctx->step) % 255) : 0;
        x[i] += fired[i] != 0;
    }
}

static const axon_var_desc pat_vars[] = {
    {"x", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
};

START_TEST(test_spike_compaction)
{
    const uint64_t steps = 40;
    /* with each kind of scan this CPU has (runtime/compact.c): the best first, then the lower
       ones the tests can ask for */
    const char *isa[] = {NULL, "avx2", "sse2", "words"};
    for (int v = 0; v < 4; v++)
    for (int threads = 1; threads <= 3; threads++) {
        if (isa[v])
            setenv("AXON_TEST_COMPACT", isa[v], 1);
        else
            unsetenv("AXON_TEST_COMPACT");
        axon_pop_desc pops[] = {{"P", "Pattern", PAT_N, 1, pat_vars, pat_init, pat_update, 1, 0, NULL}};
        axon_record_desc recs[] = {{AXON_REC_SPIKES, 0, 0, 0, NULL, 1}};
        axon_model_desc m = model_of("pattern", 8, 1e-4, pops, 1, recs, 1);
        axon_sim *s = new_sim(&m, 0, threads);
        run_ok(s, (double)steps * 1e-4);
        const double *t;
        const uint32_t *idx;
        size_t n;
        ck_assert_int_eq(axon_sim_spikes(s, 0, &t, &idx, &n), AXON_OK);
        /* every spike of the pattern, in step order and within a step in index order */
        size_t k = 0;
        for (uint64_t st = 0; st < steps; st++)
            for (uint32_t i = 0; i < PAT_N; i++) {
                if (!pat_fires(i, st))
                    continue;
                ck_assert_msg(k < n, "%s, %d thread(s): %zu spikes, more expected",
                              isa[v] ? isa[v] : "best", threads, n);
                ck_assert_msg(idx[k] == i && fabs(t[k] - (double)(st + 1) * 1e-4) < 1e-12,
                              "%s, %d thread(s): spike %zu is neuron %u at %g, expected %u at "
                              "step %llu",
                              isa[v] ? isa[v] : "best", threads, k, idx[k], t[k], i,
                              (unsigned long long)st);
                k++;
            }
        ck_assert_uint_eq(n, k);
        ck_assert_uint_eq(axon_sim_spike_count(s, 0), n);
        axon_sim_free(s);
        unsetenv("AXON_TEST_COMPACT");
    }
}
END_TEST

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
        {"F", "Leaky", FLT_N, 2, flt_vars, flt_init, flt_update, 1, 0, NULL},
        {"empty", "Leaky", 0, 2, flt_vars, flt_init, flt_update, 1, 0, NULL},
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

/* rec_model with the subset {0, 1}, run for 10 ms (seed 5, one thread); its descriptors are in
 * *f, which must outlive the simulation. */
typedef struct {
    axon_pop_desc pops[2];
    axon_record_desc recs[6];
    axon_model_desc m;
} rec_fixture;

static axon_sim *rec_run(rec_fixture *f)
{
    static const uint32_t sub[] = {0, 1};
    f->m = rec_model(f->pops, f->recs, sub);
    axon_sim *s = new_sim(&f->m, 5, 1);
    run_ok(s, 0.01);
    return s;
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

    const char *buf = manifest_of(out);
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
    rec_fixture fx;
    axon_sim *s = rec_run(&fx);
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

const char *manifest_of(const char *dir)
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
    {"x", "1", AXON_VAR_STATE, 0, "grow.axon:4:17", AXON_ELEM_REAL, 1, 0, 0},
    {"_h", "1", AXON_VAR_HIDDEN, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
};

static void check_nonfinite_in(uint32_t esz, uint64_t inf_step)
{
    grow_esz = esz;
    axon_pop_desc pops[] = {NOP_POP("Calm", 3),
                            {"G", "Grow", GROW_N, 2, grow_vars, grow_init, grow_update, 0, 0, NULL}};
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
    ck_assert_str_eq(axon_sim_error(s), "population 'G', variable 'x' (equation at "
                                        "grow.axon:4:17), neuron 700: +inf at t = 0.0064 s (step "
                                        "64; every value was finite at step 0)");
    ck_assert_str_eq(f.text, axon_sim_error(s));
    ck_assert_int_eq(f.proj, -1);
    ck_assert_uint_eq(f.index, GROW_BAD);
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

/* A process id that no longer exists: a child that has exited and been waited for. */
static pid_t dead_pid(void)
{
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0)
        _exit(0);
    ck_assert_int_eq(waitpid(child, NULL, 0), child);
    return child;
}

START_TEST(test_stale_tmp_removed)
{
    rec_fixture fx;
    axon_sim *s = rec_run(&fx);
    pid_t child = dead_pid();
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

/* A checkpoint's temporary file that a dead run of this host left next to it (a second
 * SIGINT while it was written) goes when the next checkpoint is written there; a live run's,
 * another host's and an odd name stay. */
START_TEST(test_stale_tmp_file_removed)
{
    rec_fixture fx;
    axon_sim *s = rec_run(&fx);
    pid_t child = dead_pid();
    char dead[512], alive[512], other[512], odd[512], p[512];
    touch(tmp_name(dead, "ck", child, NULL, "aB3xY9"));
    touch(tmp_name(alive, "ck", (long)getppid(), NULL, "aB3xY9"));
    touch(tmp_name(other, "ck", child, "otherhost", "aB3xY9"));
    touch(in_dir(odd, "ck.tmp.Ab12Cd"));
    ck_assert_msg(axon_sim_checkpoint(s, in_dir(p, "ck")) == AXON_OK, "%s", axon_sim_error(s));
    struct stat st;
    ck_assert_int_ne(stat(dead, &st), 0);
    ck_assert_int_eq(stat(alive, &st), 0);
    ck_assert_int_eq(stat(other, &st), 0);
    ck_assert_int_eq(stat(odd, &st), 0);
    ck_assert_int_eq(stat(p, &st), 0);
    axon_sim_free(s);
}
END_TEST

START_TEST(test_old_manifest_files_removed)
{
    rec_fixture fx;
    axon_sim *s = rec_run(&fx);
    char p[512], q[512], f[1024];
    axon_err err = {{0}};
    ck_assert_msg(axon_sim_write(s, in_dir(p, "out"), &err) == AXON_OK, "%s", err.msg);
    ck_assert_int_eq(count_entries(p, ""), 11);
    snprintf(f, sizeof f, "%s/notes.txt", p);
    touch(f); /* not Axon's */
    axon_sim_free(s);
    /* another model, with only the spikes of c1.L, into the same directory: the old files go,
       the notes stay */
    fx.m.nrecords = 1;
    s = new_sim(&fx.m, 5, 1);
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

void expect_refused(const axon_model_desc *m, const axon_opts *o, const char *part)
{
    axon_err err = {{0}};
    ck_assert_ptr_null(axon_sim_new(m, o, &err));
    ck_assert_msg(strstr(err.msg, part) != NULL, "message '%s' lacks '%s'", err.msg, part);
}

/* ---- variables stored in other element types (model.h axon_var_desc.elem, ABI 11): a
   refractory counter in int8, a spike count in int16, a decaying trace in float, in a double
   model */

#define NAR_N 40
static void nar_init(const axon_step_ctx *ctx, void *const *vars, uint32_t b, uint32_t e)
{
    (void)ctx;
    double *v = vars[0];
    int8_t *c = vars[1];
    int16_t *k = vars[2];
    float *h = vars[3];
    for (uint32_t i = b; i < e; i++) {
        v[i] = 0.025 * i;
        c[i] = -1;
        k[i] = 0;
        h[i] = 0;
    }
}

static void nar_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                       uint32_t e)
{
    (void)ctx;
    double *v = vars[0];
    int8_t *c = vars[1];
    int16_t *k = vars[2];
    float *h = vars[3];
    for (uint32_t i = b; i < e; i++) {
        v[i] += 0.1;
        h[i] = 0.5f * h[i] + 1.0f;
        fired[i] = c[i] < 0 && v[i] >= 1.0;
        if (fired[i]) {
            v[i] = 0;
            c[i] = 5;
            k[i] += 1;
        } else if (c[i] >= 0) {
            c[i] -= 1;
        }
    }
}

static const axon_var_desc nar_vars[] = {
    {"v", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"_c", "1", AXON_VAR_HIDDEN, 0, NULL, AXON_ELEM_I8, 1, 0, 0},
    {"k", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_I16, 1, 0, 0},
    {"h", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_F32, 1, 0, 0},
};
static const axon_var_desc nar_wide[] = {
    {"v", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"_c", "1", AXON_VAR_HIDDEN, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"k", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"h", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
};

START_TEST(test_narrow_elements)
{
    axon_pop_desc pops[] = {{"N", "Nar", NAR_N, 4, nar_vars, nar_init, nar_update, 1, 0, NULL}};
    axon_model_desc m = model_of("narrow", 8, 1e-4, pops, 1, NULL, 0);
    axon_sim *s = new_sim(&m, 0, 2);
    /* the non-finite check (every 64 steps, stop by default) reads no integer as a double:
       -1 in int8 bytes would be a NaN */
    ck_assert_int_eq(axon_sim_step(s, 130, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_nonfinite(s, NULL), 0);
    /* views in their own types */
    static const struct {
        const char *path;
        axon_dtype dt;
    } want[] = {{"N.v", AXON_F64}, {"N._c", AXON_I8}, {"N.k", AXON_I16}, {"N.h", AXON_F32}};
    for (size_t q = 0; q < 4; q++) {
        axon_tensor t;
        ck_assert_int_eq(axon_sim_var(s, want[q].path, &t), AXON_OK);
        ck_assert_int_eq(t.dtype, want[q].dt);
        ck_assert_uint_eq(t.shape[0], NAR_N);
    }
    /* read as numbers: those of the same 130 steps in doubles */
    double c[NAR_N], k[NAR_N], h[NAR_N];
    ck_assert_int_eq(axon_sim_get_values(s, "N._c", NULL, NAR_N, c, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_get_values(s, "N.k", NULL, NAR_N, k, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_get_values(s, "N.h", NULL, NAR_N, h, NULL), AXON_OK);
    int held = 0;
    for (uint32_t i = 0; i < NAR_N; i++) {
        double rv = 0.025 * i, rc = -1, rk = 0;
        for (int n = 0; n < 130; n++) {
            rv += 0.1;
            if (rc < 0 && rv >= 1.0) {
                rv = 0, rc = 5, rk += 1;
            } else if (rc >= 0) {
                rc -= 1;
            }
        }
        ck_assert_msg(c[i] == rc && k[i] == rk, "neuron %u: %g %g, expected %g %g", i, c[i], k[i],
                      rc, rk);
        ck_assert(k[i] >= 8);
        held += rc >= 0;
    }
    ck_assert_int_gt(held, 0); /* some counters are not at -1 */
    ck_assert(h[3] == 2.0);    /* 0.5^130 is below float's resolution of 2 */
    /* writes: whole numbers in range only, and nothing is written when one is refused */
    ck_assert_int_eq(
        axon_sim_set_values(s, "N._c", (const uint32_t[]){0, 1}, 2, (const double[]){3, 2.5}, NULL),
        AXON_EINVAL);
    ck_assert_msg(strstr(axon_sim_error(s), "i8") != NULL, "%s", axon_sim_error(s));
    ck_assert_int_eq(
        axon_sim_set_values(s, "N._c", (const uint32_t[]){0}, 1, (const double[]){128}, NULL),
        AXON_EINVAL);
    ck_assert_int_eq(
        axon_sim_set_values(s, "N.k", (const uint32_t[]){0}, 1, (const double[]){-32769}, NULL),
        AXON_EINVAL);
    ck_assert_int_eq(axon_sim_get_values(s, "N._c", NULL, 1, c, NULL), AXON_OK);
    ck_assert(c[0] == -1);
    ck_assert_int_eq(
        axon_sim_set_values(s, "N._c", (const uint32_t[]){0}, 1, (const double[]){3}, NULL),
        AXON_OK);
    ck_assert_int_eq(axon_sim_get_values(s, "N._c", NULL, 1, c, NULL), AXON_OK);
    ck_assert(c[0] == 3);
    /* a checkpoint holds each array in its own type: restored, the run goes on alike */
    size_t need = axon_sim_checkpoint_size(s);
    unsigned char *buf = malloc(need);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(axon_sim_checkpoint_mem(s, buf, need, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_step(s, 50, NULL, NULL), AXON_OK);
    axon_sim *r = new_sim(&m, 0, 1);
    ck_assert_msg(axon_sim_restore_mem(r, buf, need) == AXON_OK, "%s", axon_sim_error(r));
    ck_assert_int_eq(axon_sim_step(r, 50, NULL, NULL), AXON_OK);
    for (uint32_t v = 0; v < 4; v++) {
        size_t esz[] = {8, 1, 2, 4};
        ck_assert_int_eq(memcmp(axon_sim_pop_data(s, 0, (int)v), axon_sim_pop_data(r, 0, (int)v),
                                NAR_N * esz[v]),
                         0);
    }
    /* a checkpoint of another element type does not restore */
    axon_pop_desc wpops[] = {{"N", "Nar", NAR_N, 4, nar_wide, NULL, nop_update, 1, 0, NULL}};
    axon_model_desc w = model_of("narrow", 8, 1e-4, wpops, 1, NULL, 0);
    axon_sim *x = new_sim(&w, 0, 1);
    ck_assert_int_ne(axon_sim_restore_mem(x, buf, need), AXON_OK);
    free(buf);
    /* the memory estimate counts each array's element: 8 + 1 + 2 + 4 bytes a neuron against
       4 * 8 */
    double narrow = 0, wide = 0;
    ck_assert_int_eq(axon_model_memory(&m, 0.01, NULL, 0, &narrow, NULL), AXON_OK);
    ck_assert_int_eq(axon_model_memory(&w, 0.01, NULL, 0, &wide, NULL), AXON_OK);
    ck_assert(wide - narrow > 0 && fmod(wide - narrow, 17.0) == 0);
    /* an element type that does not exist */
    static const axon_var_desc bad[] = {{"v", "1", AXON_VAR_STATE, 0, NULL, 9, 1, 0, 0}};
    axon_pop_desc bpops[] = {{"N", "Nar", NAR_N, 1, bad, NULL, nop_update, 0, 0, NULL}};
    axon_model_desc bm = model_of("narrow", 8, 1e-4, bpops, 1, NULL, 0);
    expect_refused(&bm, NULL, "element type 9");
    axon_sim_free(x);
    axon_sim_free(r);
    axon_sim_free(s);
}
END_TEST

START_TEST(test_refused_descriptors)
{
    static const uint32_t bad_sub[] = {0, LIF_N};
    axon_pop_desc pops[] = {LIF_POP("L"), {"Q", "Leaky", 4, 2, flt_vars, NULL, flt_update, 0, 0, NULL}};
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
    axon_opts o = {.seed = 0, .threads = -1};
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

Suite *engine_suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("engine");
    tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
    tcase_add_test(tc, test_lif_analytic_rate);
    tcase_add_test(tc, test_poisson_rate);
    tcase_add_test(tc, test_spike_compaction);
    tcase_add_test(tc, test_poisson_threads_identical);
    tcase_add_test(tc, test_poisson_seeds_differ);
    tcase_add_test(tc, test_float_population);
    tcase_add_test(tc, test_write_files);
    tcase_add_test(tc, test_write_failures_leave_nothing);
    tcase_add_test(tc, test_stop_partial);
    tcase_add_test(tc, test_check_output);
    tcase_add_test(tc, test_stale_tmp_removed);
    tcase_add_test(tc, test_stale_tmp_file_removed);
    tcase_add_test(tc, test_old_manifest_files_removed);
    tcase_add_test(tc, test_repeated_runs);
    tcase_add_test(tc, test_refused_descriptors);
    tcase_add_test(tc, test_narrow_elements);
    tcase_add_test(tc, test_pool_lifecycle);
    tcase_add_test(tc, test_nonfinite);
    tcase_set_timeout(tc, 300); /* valgrind */
    suite_add_tcase(s, tc);
    return s;
}
