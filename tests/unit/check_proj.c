/*
 * Projections driven by hand-written kernels and descriptors (axon.h), as generated code would
 * provide them: every connector, synapse init kernels, delayed and split delivery, continuous
 * synapses, weight records, connection files, refused descriptors and the memory estimate.
 * Per-synapse delays delivered in parts: check_delays.c.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "axon/axon.h"
#include "axon/io.h"
#include "../../runtime/sim.h" /* the assignment by populations (test_proj_by_pops_measured) */
#include "axon/rng.h"
#include "check_engine.h"
#include "check_proj.h"
#include "check_suites.h"

/* ---- projections */

/* S: spike source; neuron i fires in step n when n % 5 == i (i < 5). */
static void src_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                       uint32_t e)
{
    for (uint32_t i = b; i < e; i++)
        fired[i] = ctx->step % 5 == i;
}

/* A: accumulator; acc += in, then the input is cleared (model.h order). */
void acc_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                uint32_t e)
{
    double *in = vars[0], *acc = vars[1];
    for (uint32_t i = b; i < e; i++) {
        acc[i] += in[i];
        in[i] = 0;
    }
}

const axon_var_desc acc_vars[2] = {
    {"in", "1", AXON_VAR_INPUT, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"acc", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
};

const axon_var_desc w_vars[1] = {{"w", "S", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0}};

/* a handler of a neuron event (ABI 6) that does nothing */
static void nop_post_event(const axon_step_ctx *ctx, void *const *sv, void *const *pre_vars,
                           void *const *post_vars, const uint32_t *pre_of, const uint32_t *syn_of,
                           uint32_t j, uint64_t b, uint64_t e)
{
}

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

axon_proj_desc proj_of(const char *name, int32_t pre, int32_t post, int32_t conn, double p,
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

void get_csr(axon_sim *s, int proj, const uint64_t **row, const uint32_t **post)
{
    ck_assert_int_eq(axon_sim_connectivity(s, proj, row, post), AXON_OK);
}

void same_var(axon_sim *s, const char *name, void *ref, size_t n, int first)
{
    axon_tensor a;
    ck_assert_int_eq(axon_sim_var(s, name, &a), AXON_OK);
    if (first)
        memcpy(ref, a.data, n);
    else
        ck_assert_mem_eq(a.data, ref, n);
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
        axon_pop_desc pops[] = {{"S", "Src", 3, 0, NULL, NULL, src_update, 1, 0, NULL},
                                {"A", "Acc", 2, 2, acc_vars, NULL, acc_update, 0, 0, NULL}};
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

/* w *= 1e300 at every spike of presynaptic neuron 1: its weights overflow at its second */
static void overflow_on_pre(const axon_step_ctx *ctx, void *const *sv, void *const *pre_vars,
                            void *const *post_vars, const uint32_t *post, uint32_t i, uint64_t b,
                            uint64_t e)
{
    double *w = sv[0];
    for (uint64_t s = b; s < e && i == 1; s++)
        w[s] *= 1e300;
}

/* A synapse variable that becomes infinite is found by the non-finite check (axon.h), named by
 * projection, variable, the source location of its equation (axon_var_desc.where), synapse and
 * its neurons; a population's variable found so is named with its equation too. */
START_TEST(test_proj_nonfinite)
{
    static const axon_var_desc wv[] = {
        {"w", "S", AXON_VAR_STATE, 0, "syn.axon:3:17", AXON_ELEM_REAL, 1, 0, 0}};
    axon_pop_desc pops[] = {{"S", "Src", 3, 0, NULL, NULL, src_update, 1, 0, NULL},
                            {"A", "Acc", 2, 2, acc_vars, NULL, acc_update, 0, 0, NULL}};
    axon_proj_desc pj = proj_of("S->A", 0, 1, AXON_CONN_ALL, 0, 0, 1);
    pj.nvars = 1;
    pj.vars = wv;
    pj.init = w_init_ij;
    pj.on_pre = overflow_on_pre;
    axon_model_desc m = model_projs("nf", 8, pops, 2, &pj, 1, NULL, 0);
    axon_sim *s = new_sim(&m, 3, 1);
    ck_assert_int_eq(axon_sim_run(s, 0.1, NULL, NULL), AXON_ENONFINITE);
    ck_assert_uint_eq(axon_sim_steps(s), AXON_NONFINITE_EVERY);
    axon_nonfinite f;
    ck_assert_int_eq(axon_sim_nonfinite(s, &f), 1);
    ck_assert_int_eq(f.pop, -1);
    ck_assert_int_eq(f.proj, 0);
    ck_assert_int_eq(f.var, 0);
    ck_assert_uint_eq(f.index, 2); /* CSR: neuron 1's synapses are 2 and 3 */
    ck_assert_uint_eq(f.neuron, UINT32_MAX);
    ck_assert(isinf(f.value) && f.value > 0);
    ck_assert_str_eq(axon_sim_error(s),
                     "projection 'S->A', variable 'w' (equation at syn.axon:3:17), synapse 2 "
                     "(neuron 1 -> neuron 0): +inf at t = 0.064 s (step 64; every value was "
                     "finite at step 0)");
    ck_assert_str_eq(f.text, axon_sim_error(s));
    axon_sim_free(s);
    /* the same model without the check (ignore) runs to its end */
    s = new_sim(&m, 3, 1);
    ck_assert_int_eq(axon_sim_set_nonfinite(s, AXON_NONFINITE_IGNORE), AXON_OK);
    run_ok(s, 0.1);
    axon_sim_free(s);
}
END_TEST

/* Weight records: a plastic synapse (w += 1 per spike), a subset and all synapses. */
START_TEST(test_proj_weight_records)
{
    static const uint32_t sub[] = {5, 0};
    axon_pop_desc pops[] = {{"S", "Src", 3, 0, NULL, NULL, src_update, 1, 0, NULL},
                            {"A", "Acc", 2, 2, acc_vars, NULL, acc_update, 0, 0, NULL}};
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
    const char *buf = manifest_of(dir);
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

static const axon_var_desc ij_vars[] = {{"i", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
                                        {"j", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
                                        {"u", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0}};

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
    pops[0] = (axon_pop_desc)NOP_POP("N", NBIG);
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

/* axon_opts.stop: a flag set before the build, or by the first projection's init kernel (as a
 * signal handler would set it during the build), stops the build at the next stage; a clear
 * flag changes nothing */
static volatile sig_atomic_t g_build_stop;

static void ij_init_then_stop(const axon_step_ctx *ctx, void *const *sv, const uint32_t *pre,
                              const uint32_t *post, uint64_t b, uint64_t e)
{
    ij_init(ctx, sv, pre, post, b, e);
    g_build_stop = 1;
}

START_TEST(test_proj_build_stop)
{
    axon_pop_desc pops[1] = {NOP_POP("N", NBIG)};
    axon_proj_desc pj[2] = {proj_of("A", 0, 0, AXON_CONN_RANDOM, 0.05, 0, 0),
                            proj_of("B", 0, 0, AXON_CONN_RANDOM, 0.05, 0, 0)};
    for (int q = 0; q < 2; q++) {
        pj[q].nvars = 3;
        pj[q].vars = ij_vars;
        pj[q].init = ij_init;
    }
    axon_model_desc m = model_projs("stop", 8, pops, 1, pj, 2, NULL, 0);
    axon_err err = {{0}};
    for (int th = 1; th <= 2; th++) {
        g_build_stop = 1;
        axon_opts o = {.seed = 3, .threads = th, .stop = &g_build_stop};
        ck_assert_ptr_null(axon_sim_new(&m, &o, &err));
        ck_assert_str_eq(err.msg, "stopped while building the network");
        /* during the build: the first projection's init sets the flag */
        g_build_stop = 0;
        pj[0].init = ij_init_then_stop;
        err.msg[0] = 0;
        ck_assert_ptr_null(axon_sim_new(&m, &o, &err));
        ck_assert_str_eq(err.msg, "stopped while building the network");
        ck_assert_int_eq(g_build_stop, 1);
        /* a clear flag: the network of a build without one */
        pj[0].init = ij_init;
        g_build_stop = 0;
        axon_sim *a = axon_sim_new(&m, &o, &err), *b = new_sim(&m, 3, th);
        ck_assert_msg(a != NULL, "%s", err.msg);
        ck_assert_uint_eq(axon_sim_synapse_count(a, 1), axon_sim_synapse_count(b, 1));
        ck_assert_uint_gt(axon_sim_synapse_count(a, 1), 0);
        axon_sim_free(a);
        axon_sim_free(b);
    }
}
END_TEST

/* (c) fixed in-degree and out-degree */
START_TEST(test_proj_fixed_degree)
{
    axon_pop_desc pops[] = {NOP_POP("N", NBIG), NOP_POP("M", 300)};
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
    /* more than the candidates: refused, with the side that is short of them */
    pj[0].k = NBIG + 1;
    expect_refused(&m, NULL,
                   "projection 'in': fixed in-degree 1001, but there are only 1000 candidate "
                   "presynaptic neurons");
    pj[0].k = 50;
    pj[4].k = 301;
    expect_refused(&m, NULL,
                   "projection 'out.big': fixed out-degree 301, but there are only 300 candidate "
                   "postsynaptic neurons");
}
END_TEST

/* (d) one_to_one */
START_TEST(test_proj_one_to_one)
{
    axon_pop_desc pops[] = {NOP_POP("P", 5), NOP_POP("Q", 5)};
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
    axon_pop_desc pops[] = {NOP_POP("P", 6), NOP_POP("Q", 5)};
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
    axon_pop_desc pops[] = {NOP_POP("P", 6), NOP_POP("Q", 1000)};
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
    axon_pop_desc pops[] = {NOP_POP("P", 4), NOP_POP("Q", 3)};
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
    axon_pop_desc pops[] = {{"S", "Src", 3, 0, NULL, NULL, src_update, 1, 0, NULL},
                            {"A", "Acc", 2, 2, acc_vars, NULL, acc_update, 0, 0, NULL},
                            NOP_POP("Z", 4)};
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
    axon_pop_desc pops[] = {{"P", "Leaky", 400, 2, flt_vars, flt_init, flt_update, 1, 0, NULL},
                            NOP_POP("Q", 37)};
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
void burst_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                  uint32_t e)
{
    for (uint32_t i = b; i < e; i++)
        fired[i] = (ctx->step + i) % 3 == 0;
}

START_TEST(test_proj_long_delay)
{
    const uint32_t N = 40, D = 25;
    const int T = 100;
    axon_pop_desc pops[] = {{"B", "Burst", N, 0, NULL, NULL, burst_update, 1, 0, NULL},
                            {"A", "Acc", N, 2, acc_vars, NULL, acc_update, 0, 0, NULL}};
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
    axon_pop_desc pops[] = {POI_POP("P"), {"A", "Acc", 500, 2, acc_vars, NULL, acc_update, 0, 0, NULL}};
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

/* The post-ordered index of on_post (model.h): every post neuron fires in step 0, and its call
 * must list exactly its synapses, by increasing (pre, synapse), each with its own pre. The
 * runtime stores an entry as (the step from the previous entry's pre, its place in the row) in
 * 2, 3 or 4 bytes where that fits, else in two words (proj.c, rt_build_cols): every form is
 * checked, with 1 and 2 threads (the packed forms unpack a column into per-thread scratch), and
 * so are the bytes counted. */
static void fire0_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                         uint32_t e)
{
    for (uint32_t i = b; i < e; i++)
        fired[i] = ctx->step == 0;
}

static const uint64_t *g_col_row;
static const uint32_t *g_col_post;
static atomic_ulong g_col_entries, g_col_bad;

static void col_on_post(const axon_step_ctx *ctx, void *const *sv, void *const *pre_vars,
                        void *const *post_vars, const uint32_t *pre_of, const uint32_t *syn_of,
                        uint32_t j, uint64_t b, uint64_t e)
{
    double *w = sv[0];
    unsigned long bad = 0;
    for (uint64_t k = b; k < e; k++) {
        uint32_t i = pre_of[k], s = syn_of[k];
        bad += s < g_col_row[i] || s >= g_col_row[i + 1] || g_col_post[s] != j ||
               (k > b && (i < pre_of[k - 1] || s <= syn_of[k - 1]));
        w[s] += 1;
    }
    atomic_fetch_add_explicit(&g_col_entries, e - b, memory_order_relaxed);
    atomic_fetch_add_explicit(&g_col_bad, bad, memory_order_relaxed);
}

/* Bits to write the values 0 .. n - 1. */
static uint32_t bits_for(uint64_t n)
{
    uint32_t b = 0;
    while (n > ((uint64_t)1 << b))
        b++;
    return b;
}

/* width: the bytes per entry expected (2, 3 or 4), 0 for two words */
static void check_post_index(const axon_model_desc *m, int threads, uint64_t nsyn, uint32_t width)
{
    atomic_store(&g_col_entries, 0);
    atomic_store(&g_col_bad, 0);
    axon_sim *s = new_sim(m, 3, threads);
    ck_assert_uint_eq(axon_sim_synapse_count(s, 0), nsyn);
    get_csr(s, 0, &g_col_row, &g_col_post);
    /* bytes: row offsets, targets, w, column offsets, and the entries: `width` bytes each (and
       3 of padding), the first pre of each column and two buffers per thread of 2 columns; or
       two words each. The width: the bits of the largest step between the pres of a column's
       successive entries and of the place in the longest row. */
    uint32_t npre = m->pops[0].size, npost = m->pops[1].size;
    uint64_t cap = (nsyn + 15) / 16 * 16, *len = calloc(npost, sizeof *len), lmax = 0;
    uint32_t *last = malloc(npost * sizeof *last), dmax = 0;
    ck_assert(len != NULL && last != NULL);
    memset(last, 0xff, npost * sizeof *last);
    uint64_t rmax = 0;
    for (uint32_t i = 0; i < npre; i++) {
        if (g_col_row[i + 1] - g_col_row[i] > rmax)
            rmax = g_col_row[i + 1] - g_col_row[i];
        for (uint64_t k = g_col_row[i]; k < g_col_row[i + 1]; k++) {
            uint32_t j = g_col_post[k];
            if (++len[j] > lmax)
                lmax = len[j];
            if (last[j] != UINT32_MAX && i - last[j] > dmax)
                dmax = i - last[j];
            last[j] = i;
        }
    }
    free(len);
    free(last);
    uint32_t bits = bits_for(rmax) + bits_for((uint64_t)dmax + 1);
    ck_assert_uint_eq(width, bits <= 16 ? 2 : bits <= 24 ? 3 : bits <= 32 ? 4 : 0);
    uint64_t bytes = (npre + 1) * 8 + cap * 4 + cap * 8 + (npost + 1) * 8;
    bytes += width ? cap * width + 3 + (npost + 1) * 4 + (uint64_t)threads * 4 * lmax * 4 : cap * 8;
    ck_assert_double_eq_tol(axon_sim_bytes_per_synapse(s, 0) * (double)nsyn, (double)bytes, 1e-6);
    /* the estimate before building, with the synapse count exact (a file), is the most it
       takes (two words per entry): exact where the entries take two words */
    axon_mem_item it[3];
    double total;
    axon_err err = {{0}};
    ck_assert_int_eq(axon_model_memory(m, 0.0, it, 3, &total, &err), AXON_OK);
    ck_assert(it[2].kind == AXON_MEM_PROJ);
    if (it[2].approx == AXON_MEM_EXACT && !width)
        ck_assert_double_eq_tol(it[2].bytes, (double)bytes, 1e-6);
    else if (it[2].approx == AXON_MEM_EXACT)
        ck_assert(it[2].bytes >= (double)bytes);
    run_ok(s, 2e-3);
    ck_assert_uint_eq(atomic_load(&g_col_entries), nsyn);
    ck_assert_uint_eq(atomic_load(&g_col_bad), 0);
    axon_tensor w;
    ck_assert_int_eq(axon_sim_syn_var(s, "PQ.w", &w), AXON_OK);
    uint64_t once = 0;
    for (uint64_t k = 0; k < nsyn; k++)
        once += ((const double *)w.data)[k] == 1.0;
    ck_assert_uint_eq(once, nsyn); /* every synapse listed exactly once */
    axon_sim_free(s);
}

START_TEST(test_proj_post_index)
{
    axon_pop_desc pops[] = {{"P", "Nop", 300, 0, NULL, NULL, nop_update, 0, 0, NULL},
                            {"Q", "Fire", 200, 0, NULL, NULL, fire0_update, 1, 0, NULL}};
    axon_proj_desc pj = proj_of("PQ", 0, 1, AXON_CONN_RANDOM, 0.2, 0, 1);
    pj.nvars = 1;
    pj.vars = w_vars;
    pj.on_post = col_on_post;
    axon_model_desc m = model_projs("col", 8, pops, 2, &pj, 1, NULL, 0);
    axon_sim *s = new_sim(&m, 3, 1);
    uint64_t n = axon_sim_synapse_count(s, 0);
    ck_assert(n > 10000 && n < 14000);
    axon_sim_free(s);
    for (int t = 1; t <= 2; t++)
        check_post_index(&m, t, n, 2); /* two bytes per entry */
    /* pres 0 and NP - 1 onto every post: a step of NP - 1 pres in every column and rows of NQ
       synapses: 13 + 9 bits (3 bytes), 17 + 9 bits (4 bytes), 17 + 16 bits (two words) */
    static const uint32_t cases[3][3] = {{4097, 300, 3}, {65537, 300, 4}, {65537, 65536, 0}};
    for (int c = 0; c < 3; c++) {
        uint32_t NP = cases[c][0], NQ = cases[c][1];
        uint32_t *epre = malloc(2 * NQ * sizeof *epre), *epost = malloc(2 * NQ * sizeof *epost);
        ck_assert(epre && epost);
        for (uint32_t k = 0; k < 2 * NQ; k++) {
            epre[k] = k < NQ ? 0 : NP - 1;
            epost[k] = k % NQ;
        }
        pops[0].size = NP;
        pops[1].size = NQ;
        pj = proj_of("PQ", 0, 1, AXON_CONN_FILE, 0, 0, 1);
        pj.nedges = 2 * NQ;
        pj.edge_pre = epre;
        pj.edge_post = epost;
        pj.nvars = 1;
        pj.vars = w_vars;
        pj.on_post = col_on_post;
        for (int t = 1; t <= 2; t++)
            check_post_index(&m, t, 2 * NQ, cases[c][2]);
        free(epre);
        free(epost);
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

/* n projections of one weight w (w_init_ij), delivered by split_on_pre by target ranges. */
static void split_projs(axon_proj_desc *pj, int n)
{
    for (int q = 0; q < n; q++) {
        pj[q].nvars = 1;
        pj[q].vars = w_vars;
        pj[q].init = w_init_ij;
        pj[q].on_pre = split_on_pre;
        pj[q].flags = AXON_PROJ_SPLIT;
    }
}

START_TEST(test_proj_split_delivery)
{
    enum { NA = 700, NB = 45 };
    axon_pop_desc pops[] = {POI_POP("P"), {"A", "Acc", NA, 2, acc_vars, NULL, acc_update, 0, 0, NULL},
                            {"B", "Acc", NB, 2, acc_vars, NULL, acc_update, 0, 0, NULL}};
    axon_proj_desc pj[] = {proj_of("P->A", 0, 1, AXON_CONN_RANDOM, 0.05, 0, 1),
                           proj_of("P->B", 0, 2, AXON_CONN_OUTDEGREE, 0, 9, 1),
                           proj_of("P->A.2", 0, 1, AXON_CONN_INDEGREE, 0, 30, 1)};
    split_projs(pj, 3);
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
            axon_opts o = {.seed = 5, .threads = threads[t] < 0 ? -threads[t] : threads[t]};
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

/* Parallel steps by populations (engine.c, rt_balance): with four accumulators whose work can
 * be shared out evenly, after the first assignment (256 steps) each thread updates and delivers
 * to whole populations, so rows are no longer cut: about as many on_pre calls as with one thread
 * (cut rows would make nearly as many times as many as there are threads), and every value
 * bit-identical to one thread's.
 * Fused steps (every delay >= 1: the updates count) and a delivery phase (a delay of 0: the
 * events alone); where the populations cannot be shared out (see below), by chunks. A fifth
 * projection without synapses, with per-synapse delays (their bounds are then 0), must not
 * turn the fused steps into phases (the microcircuit's L5i -> L4e until 2026-12-06): the
 * table of balanced cases below tells the two apart. */
static void delays_by_pair(const axon_step_ctx *ctx, const uint32_t *pre, const uint32_t *post,
                           uint64_t b, uint64_t e, double *out);

START_TEST(test_proj_split_by_pops)
{
    enum { NA = 500 };
    axon_pop_desc pops[] = {POI_POP("P"), {"A", "Acc", NA, 2, acc_vars, NULL, acc_update, 0, 0, NULL},
                            {"B", "Acc", NA, 2, acc_vars, NULL, acc_update, 0, 0, NULL},
                            {"C", "Acc", NA, 2, acc_vars, NULL, acc_update, 0, 0, NULL},
                            {"D", "Acc", NA, 2, acc_vars, NULL, acc_update, 0, 0, NULL}};
    axon_proj_desc pj[] = {proj_of("P->A", 0, 1, AXON_CONN_RANDOM, 0.05, 0, 1),
                           proj_of("P->B", 0, 2, AXON_CONN_RANDOM, 0.05, 0, 1),
                           proj_of("P->C", 0, 3, AXON_CONN_RANDOM, 0.05, 0, 1),
                           proj_of("P->D", 0, 4, AXON_CONN_RANDOM, 0.05, 0, 1),
                           proj_of("P->A.0", 0, 1, AXON_CONN_INDEGREE, 0, 0, 1)};
    split_projs(pj, 5);
    pj[4].delays = delays_by_pair;
    axon_model_desc m = model_projs("bypops", 8, pops, 5, pj, 5, NULL, 0);
    m.dt = POI_DT;
    static const uint32_t delays[][4] = {{1, 3, 2, 4}, {0, 2, 1, 3}};
    static const int threads[] = {1, 2, 3, 4};
    /* fused (P 1,000 work units a step, each accumulator about 600), 4 threads: two
       accumulators on one thread, 1.41 times the mean; a phase (the events alone) with 3
       threads: two of the four accumulators on one thread, 1.5 times the mean (slack 1.3) */
    static const int balanced[][4] = {{1, 1, 1, 0}, {1, 1, 0, 1}};
    static double ref[4][NA];
    for (int c = 0; c < 2; c++) {
        for (int q = 0; q < 4; q++)
            pj[q].delay_steps = delays[c][q];
        unsigned long calls1 = 0;
        for (int t = 0; t < 4; t++) {
            atomic_store(&g_split_calls, 0);
            axon_sim *s = new_sim(&m, 9, threads[t]);
            if (threads[t] > 1)
                axon_sim_set_grain(s, 1);
            run_ok(s, 0.1);
            run_ok(s, 0.1); /* continues across runs */
            ck_assert_uint_eq(axon_sim_synapse_count(s, 4), 0);
            static const char *const names[] = {"A.acc", "B.acc", "C.acc", "D.acc"};
            for (int k = 0; k < 4; k++)
                same_var(s, names[k], ref[k], sizeof ref[k], t == 0);
            unsigned long calls = atomic_load(&g_split_calls);
            if (t == 0) {
                ck_assert_uint_gt(axon_sim_spike_count(s, 0), 3000);
                ck_assert(ref[0][0] != 0 && ref[3][NA - 1] != 0);
                calls1 = calls;
            } else if (balanced[c][t]) {
                /* (the first 256 of the 2,000 steps go by chunks: at most T times the calls) */
                ck_assert_msg(calls < calls1 + calls1 * (unsigned long)(threads[t] - 1) / 4,
                              "case %d, %d threads: %lu calls, %lu with 1",
                              c, threads[t], calls, calls1);
            } else {
                ck_assert_msg(calls > calls1 * 3 / 2, "case %d, %d threads: %lu calls, %lu with 1",
                              c, threads[t], calls, calls1);
            }
            axon_sim_free(s);
        }
    }
}
END_TEST

/* Steps by populations with the tasks' lists shared (engine.c, rt_bal_run): a task that has
 * done its own populations takes those of the others' lists that no task has started. In a
 * window of steps A's update waits (up to 1 s) until every neuron of B, C and D has been
 * updated in that step: only a task other than the one running A can do that, so it has to
 * take the population that follows A in A's list (A, the largest, goes first to one task, B
 * and C to the other, then D after A). Without sharing, each wait would time out. Every
 * population is updated once per step, and every value is bit-identical to one thread's. */
enum { STEAL_NA = 500, STEAL_STEPS = 2000, STEAL_FROM = 600, STEAL_TO = 620 };
static atomic_uint g_steal_done[STEAL_STEPS]; /* neurons of B, C, D updated in each step */
static atomic_ulong g_steal_updated;          /* neurons of A-D updated in all */
static atomic_int g_steal_wait;               /* A waits (the 2-thread run) */
static atomic_int g_steal_timeouts;

static double steal_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void steal_update_a(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired,
                           uint32_t b, uint32_t e)
{
    acc_update(ctx, vars, fired, b, e);
    atomic_fetch_add(&g_steal_updated, e - b);
    /* (after a wait in vain the test fails anyway: no more waits, so that it fails quickly; a
       wait is bounded by 5 s, as under valgrind beside other tests the other thread can be
       without a core for over a second) */
    if (!atomic_load(&g_steal_wait) || ctx->step < STEAL_FROM || ctx->step >= STEAL_TO ||
        atomic_load(&g_steal_timeouts))
        return;
    double t0 = steal_now();
    while (atomic_load(&g_steal_done[ctx->step]) < 3 * STEAL_NA)
        if (steal_now() - t0 > 5.0) {
            atomic_fetch_add(&g_steal_timeouts, 1);
            break;
        }
}

static void steal_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired,
                         uint32_t b, uint32_t e)
{
    acc_update(ctx, vars, fired, b, e);
    atomic_fetch_add(&g_steal_updated, e - b);
    if (ctx->step < STEAL_STEPS)
        atomic_fetch_add(&g_steal_done[ctx->step], e - b);
}

START_TEST(test_proj_by_pops_shared)
{
    axon_pop_desc pops[] = {POI_POP("P"),
                            {"A", "Acc", STEAL_NA + 100, 2, acc_vars, NULL, steal_update_a, 0, 0,
                             NULL},
                            {"B", "Acc", STEAL_NA, 2, acc_vars, NULL, steal_update, 0, 0, NULL},
                            {"C", "Acc", STEAL_NA, 2, acc_vars, NULL, steal_update, 0, 0, NULL},
                            {"D", "Acc", STEAL_NA, 2, acc_vars, NULL, steal_update, 0, 0, NULL}};
    axon_proj_desc pj[] = {proj_of("P->A", 0, 1, AXON_CONN_RANDOM, 0.05, 0, 1),
                           proj_of("P->B", 0, 2, AXON_CONN_RANDOM, 0.05, 0, 1),
                           proj_of("P->C", 0, 3, AXON_CONN_RANDOM, 0.05, 0, 1),
                           proj_of("P->D", 0, 4, AXON_CONN_RANDOM, 0.05, 0, 1)};
    split_projs(pj, 4);
    static const uint32_t delays[] = {1, 3, 2, 4}; /* fused steps */
    for (int q = 0; q < 4; q++)
        pj[q].delay_steps = delays[q];
    axon_model_desc m = model_projs("shared", 8, pops, 5, pj, 4, NULL, 0);
    m.dt = POI_DT;
    static double ref[4][STEAL_NA + 100];
    for (int threads = 1; threads <= 2; threads++) {
        for (int k = 0; k < STEAL_STEPS; k++)
            atomic_store(&g_steal_done[k], 0);
        atomic_store(&g_steal_updated, 0);
        atomic_store(&g_steal_timeouts, 0);
        atomic_store(&g_steal_wait, threads == 2);
        axon_sim *s = new_sim(&m, 9, threads);
        if (threads > 1)
            axon_sim_set_grain(s, 1);
        run_ok(s, STEAL_STEPS * POI_DT);
        ck_assert_uint_eq(axon_sim_steps(s), STEAL_STEPS);
        ck_assert_uint_eq(atomic_load(&g_steal_updated), (4ul * STEAL_NA + 100) * STEAL_STEPS);
        int timeouts = atomic_load(&g_steal_timeouts);
        ck_assert_msg(timeouts == 0, "%d threads: A's update waited in vain %d times", threads,
                      timeouts);
        static const char *const names[] = {"A.acc", "B.acc", "C.acc", "D.acc"};
        for (int k = 0; k < 4; k++)
            same_var(s, names[k], ref[k], (k == 0 ? STEAL_NA + 100 : STEAL_NA) * sizeof(double),
                     threads == 1);
        axon_sim_free(s);
    }
    atomic_store(&g_steal_wait, 0);
}
END_TEST

/* Steps by populations assigned by measured time (engine.c, rt_balance): S has 16 neurons and
 * few synaptic events, so the work units call it the smallest population by far, but its
 * update takes 300 us of CPU time a step, more than any of B, C and D (also under valgrind,
 * and on a loaded machine: the time measured is the thread's CPU time). The first assignment (by units, after
 * 32 steps) orders S last; the next (after 256 more steps by populations, by their measured
 * times) orders it before B, C and D, and S's task runs it first. Values bit-identical to one
 * thread's. */
static void slow_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                        uint32_t e)
{
    acc_update(ctx, vars, fired, b, e);
    /* 300 us of this thread's CPU time, however long it is without a core */
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    double t0 = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec, t = t0;
    while (t - t0 < 300e-6) {
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        t = (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
    }
}

START_TEST(test_proj_by_pops_measured)
{
    enum { NS = 16, NB = 500, STEPS = 32 + 256 + 40 };
    axon_pop_desc pops[] = {POI_POP("P"),
                            {"S", "Acc", NS, 2, acc_vars, NULL, slow_update, 0, 0, NULL},
                            {"B", "Acc", NB, 2, acc_vars, NULL, acc_update, 0, 0, NULL},
                            {"C", "Acc", NB, 2, acc_vars, NULL, acc_update, 0, 0, NULL},
                            {"D", "Acc", NB, 2, acc_vars, NULL, acc_update, 0, 0, NULL}};
    axon_proj_desc pj[] = {proj_of("P->S", 0, 1, AXON_CONN_RANDOM, 0.05, 0, 1),
                           proj_of("P->B", 0, 2, AXON_CONN_RANDOM, 0.05, 0, 1),
                           proj_of("P->C", 0, 3, AXON_CONN_RANDOM, 0.05, 0, 1),
                           proj_of("P->D", 0, 4, AXON_CONN_RANDOM, 0.05, 0, 1)};
    split_projs(pj, 4);
    for (int q = 0; q < 4; q++)
        pj[q].delay_steps = 1 + (uint32_t)q % 2; /* fused steps */
    axon_model_desc m = model_projs("measured", 8, pops, 5, pj, 4, NULL, 0);
    m.dt = POI_DT;
    static double ref[4][NB];
    for (int threads = 1; threads <= 2; threads++) {
        axon_sim *s = new_sim(&m, 5, threads);
        if (threads > 1) {
            axon_sim_set_grain(s, 1);
            run_ok(s, 40 * POI_DT); /* the first assignment, by work units */
            const rt_bal *bl = &s->bal;
            ck_assert(bl->on);
            ck_assert_uint_eq(bl->order[4], 1); /* S the smallest */
        }
        run_ok(s, (STEPS - (threads > 1 ? 40 : 0)) * POI_DT);
        ck_assert_uint_eq(axon_sim_steps(s), STEPS);
        if (threads > 1) { /* the second, by measured time */
            const rt_bal *bl = &s->bal;
            ck_assert(bl->on);
            uint32_t at[5];
            for (uint32_t k = 0; k < 5; k++)
                at[bl->order[k]] = k;
            for (uint32_t i = 2; i < 5; i++)
                ck_assert_msg(at[1] < at[i] && bl->est[1] > bl->est[i],
                              "S at %u, %s at %u (%.0f and %.0f ns)", at[1], pops[i].name,
                              at[i], bl->est[1], bl->est[i]);
            int t = bl->owner[1];
            ck_assert_uint_eq(bl->list[bl->first[t]], 1);
        }
        static const char *const names[] = {"S.acc", "B.acc", "C.acc", "D.acc"};
        for (int k = 0; k < 4; k++)
            same_var(s, names[k], ref[k], (k == 0 ? NS : NB) * sizeof(double), threads == 1);
        axon_sim_free(s);
    }
}
END_TEST

/* split_on_pre for targets stored in 2 bytes (AXON_PROJ_POST16, ABI 10) */
static void split_on_pre16(const axon_step_ctx *ctx, void *const *sv, void *const *pre_vars,
                           void *const *post_vars, const uint32_t *post32, uint32_t i, uint64_t b,
                           uint64_t e)
{
    const uint16_t *post = (const void *)post32;
    double *w = sv[0], *in = post_vars[0];
    for (uint64_t s = b; s < e; s++) {
        in[post[s]] = in[post[s]] * 0.5 + w[s];
        w[s] += 1e-3 * (double)(ctx->step % 7);
    }
    atomic_fetch_add_explicit(&g_split_calls, 1, memory_order_relaxed);
}

/* per-synapse delays of 1 to 5 steps of POI_DT, by the pair */
static void delays_by_pair(const axon_step_ctx *ctx, const uint32_t *pre, const uint32_t *post,
                           uint64_t b, uint64_t e, double *out)
{
    for (uint64_t s = b; s < e; s++)
        out[s] = POI_DT * (double)(1 + (pre[s] * 7u + post[s]) % 5u);
}

/* AXON_PROJ_POST16 (ABI 10): the targets of a population of 65,536 neurons in 2 bytes, which
 * on_pre reads as uint16. The same synapses, deliveries and results as with 4-byte targets, with
 * 1 and 2 threads (rows cut by target ranges), a per-synapse delay or one for the projection;
 * 2 bytes less per synapse, narrowed after the init kernel or, without one, as soon as built;
 * axon_sim_connectivity and axon_sim_synapse_index as with 4 bytes.
 * Refused for a population of 65,537. */
START_TEST(test_proj_post16)
{
    enum { NA = 65536, MAXS = 80000 };
    axon_pop_desc pops[] = {POI_POP("P"), {"A", "Acc", NA, 2, acc_vars, NULL, acc_update, 0, 0, NULL}};
    axon_proj_desc pj[] = {proj_of("P->A", 0, 1, AXON_CONN_RANDOM, 0.001, 0, 1),
                           proj_of("P->A.2", 0, 1, AXON_CONN_INDEGREE, 0, 1, 1),
                           proj_of("P->A.3", 0, 1, AXON_CONN_OUTDEGREE, 0, 20, 1)};
    for (int q = 0; q < 3; q++) {
        pj[q].nvars = 1;
        pj[q].vars = w_vars;
        pj[q].init = q < 2 ? w_init_ij : NULL; /* P->A.3: narrowed as soon as it is built */
        pj[q].delay_steps = (uint32_t)q + 1;
    }
    pj[1].delays = delays_by_pair;
    axon_model_desc m = model_projs("post16", 8, pops, 2, pj, 3, NULL, 0);
    m.dt = POI_DT;
    static double ref_a[NA], ref_w[3][MAXS];
    static uint32_t ref_post[3][MAXS];
    uint64_t nsyn[3] = {0, 0, 0};
    double wide_bytes[3] = {0, 0, 0};
    /* case c: 4-byte targets (c even) or 2-byte (odd, compared with the case before), 1 thread
       (c < 2) or 2 */
    for (int c = 0; c < 4; c++) {
        int narrow = c % 2;
        for (int q = 0; q < 3; q++) {
            pj[q].flags = AXON_PROJ_SPLIT | (narrow ? AXON_PROJ_POST16 : 0);
            pj[q].on_pre = narrow ? split_on_pre16 : split_on_pre;
        }
        atomic_store(&g_split_calls, 0);
        axon_sim *s = new_sim(&m, 3, c < 2 ? 1 : 2);
        run_ok(s, 0.05);
        same_var(s, "A.acc", ref_a, sizeof ref_a, c == 0);
        for (int q = 0; q < 3; q++) {
            static const char *const wn[] = {"P->A.w", "P->A.2.w", "P->A.3.w"};
            axon_tensor w;
            ck_assert_int_eq(axon_sim_syn_var(s, wn[q], &w), AXON_OK);
            const uint64_t *row;
            const uint32_t *post;
            get_csr(s, q, &row, &post);
            uint64_t n = axon_sim_synapse_count(s, q);
            ck_assert_uint_le(n, MAXS);
            double bytes = axon_sim_bytes_per_synapse(s, q);
            if (!narrow)
                wide_bytes[q] = bytes;
            if (c == 0) {
                nsyn[q] = n;
                memcpy(ref_w[q], w.data, n * sizeof(double));
                memcpy(ref_post[q], post, n * sizeof *post);
                continue;
            }
            ck_assert_uint_eq(n, nsyn[q]);
            ck_assert_mem_eq(w.data, ref_w[q], n * sizeof(double));
            ck_assert_mem_eq(post, ref_post[q], n * sizeof *post);
            uint64_t cap = (n + 15) / 16 * 16;
            if (narrow)
                ck_assert_double_eq_tol(wide_bytes[q] - bytes, 2.0 * (double)cap / (double)n,
                                        1e-9);
            /* a few synapses found by their pair */
            for (uint32_t i = 0; i < POI_N; i += 97)
                for (uint64_t k = row[i]; k < row[i + 1]; k += 3)
                    ck_assert_int_eq(axon_sim_synapse_index(s, q, i, post[k]), (int64_t)k);
        }
        ck_assert(ref_a[0] != 0 || ref_a[NA - 1] != 0);
        ck_assert_uint_gt(nsyn[0], 50000);
        if (c >= 2) /* rows cut by the targets' ranges */
            ck_assert_uint_gt(atomic_load(&g_split_calls), 0);
        axon_sim_free(s);
    }
    pops[1].size = NA + 1;
    for (int q = 0; q < 3; q += 2) { /* 4-byte targets: valid */
        pj[q].flags = AXON_PROJ_SPLIT;
        pj[q].on_pre = split_on_pre;
    }
    expect_refused(&m, NULL,
                   "projection 'P->A.2': 16-bit targets (AXON_PROJ_POST16) for a population of "
                   "65537 neurons, at most 65536");
}
END_TEST

static void nop_on_post_at(const axon_step_ctx *ctx, void *const *syn_vars,
                           void *const *pre_vars, void *const *post_vars, const double *t,
                           const uint32_t *syn, uint32_t i, uint64_t begin, uint64_t end)
{
    (void)ctx, (void)syn_vars, (void)pre_vars, (void)post_vars, (void)t, (void)syn, (void)i;
    (void)begin, (void)end;
}

START_TEST(test_proj_refused)
{
    static const uint32_t bad_sub[] = {0, 6};
    axon_pop_desc pops[] = {{"S", "Src", 3, 0, NULL, NULL, src_update, 1, 0, NULL},
                            {"A", "Acc", 2, 2, acc_vars, NULL, acc_update, 0, 0, NULL},
                            NOP_POP("H", 70000)};
    axon_proj_desc pj[2];
    pj[0] = proj_of("S->A", 0, 1, AXON_CONN_ALL, 0, 0, 1);
    pj[0].nvars = 1;
    pj[0].vars = w_vars;
    pj[1] = proj_of("S->S", 0, 0, AXON_CONN_ALL, 0, 0, 1);
    axon_model_desc m = model_projs("bad", 8, pops, 3, pj, 2, NULL, 0);
    axon_sim *s = new_sim(&m, 0, 1); /* valid as it is */
    axon_sim_free(s);
    /* neuron events (ABI 6): tables, and a flag that is a hidden variable of the target */
    static const int32_t ev_var[] = {1}, ev_bad[] = {2};
    static const axon_post_event_fn ev_fn[] = {nop_post_event}, ev_none[] = {NULL};
    pj[0].nevents = 1;
    expect_refused(&m, NULL, "1 events without their flags or handlers");
    pj[0].event_var = ev_var;
    pj[0].event_fn = ev_fn;
    expect_refused(&m, NULL, "no hidden flag variable of population 'A'");
    pj[0].event_var = ev_bad;
    expect_refused(&m, NULL, "no hidden flag variable of population 'A'");
    pj[0].event_var = ev_var;
    pj[0].event_fn = ev_none;
    expect_refused(&m, NULL, "event 0 has no handler");
    pj[0].nevents = 0;
    pj[0].event_var = NULL;
    pj[0].event_fn = NULL;
    /* a third population (ABI 7): a population of the size of its side, on one side */
    pj[0].flags = AXON_PROJ_VIA_POST;
    pj[0].via = 2;
    expect_refused(&m, NULL, "third population 'H' has 70000 neurons, its side 'A' 2");
    pj[0].flags = AXON_PROJ_VIA_PRE;
    expect_refused(&m, NULL, "third population 'H' has 70000 neurons, its side 'S' 3");
    pj[0].via = 3;
    expect_refused(&m, NULL, "a third population 3, by both sides or of no population");
    pj[0].via = 1;
    pj[0].flags = AXON_PROJ_VIA_PRE | AXON_PROJ_VIA_POST;
    expect_refused(&m, NULL, "a third population 1, by both sides or of no population");
    pj[0].flags = AXON_PROJ_VIA_POST; /* A itself, by post: valid */
    s = new_sim(&m, 0, 1);
    axon_sim_free(s);
    pj[0].flags = 0;
    pj[0].via = 0;
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
    /* element types of synapse variables (model.h, axon_var_desc.elem): float or double per
       synapse (--synapse-precision single); integers, and another type for a variable kept
       per pre or post neuron, are refused */
    static axon_var_desc typed[] = {{"w", "S", AXON_VAR_STATE, 0, NULL, AXON_ELEM_F32, 1, 0, 0}};
    pj[0].vars = typed;
    s = new_sim(&m, 0, 1);
    axon_sim_free(s);
    typed[0].elem = AXON_ELEM_F64;
    s = new_sim(&m, 0, 1);
    axon_sim_free(s);
    typed[0].elem = AXON_ELEM_I16;
    expect_refused(&m, NULL, "projection 'S->A': variable 'w' has element type 2; a synapse "
                             "variable is stored in the model's precision, or as float or "
                             "double per synapse (4 or 5)");
    typed[0].elem = AXON_ELEM_F32;
    typed[0].kind = AXON_VAR_PER_PRE;
    expect_refused(&m, NULL, "variable 'w' has element type 4");
    /* ABI 12: per-neuron variables sharing one array, interleaved (axon_var_desc.stride and
       lane): one group per kind, lanes distinct, lane 0 first, one element type */
    static axon_var_desc group[] = {{"x", "1", AXON_VAR_PER_POST, 0, NULL, AXON_ELEM_REAL, 2, 0, 0},
                                    {"t", "s", AXON_VAR_PER_POST, 0, NULL, AXON_ELEM_REAL, 2, 1, 0}};
    pj[0].vars = group;
    pj[0].nvars = 2;
    s = new_sim(&m, 0, 1);
    double v = 0.5, back = 0;
    uint32_t ix = 1;
    ck_assert_int_eq(axon_sim_set_values(s, "S->A.t", &ix, 1, &v, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_get_values(s, "S->A.t", &ix, 1, &back, NULL), AXON_OK);
    ck_assert(back == 0.5);
    const double *gx = axon_sim_proj_data(s, 0, 0), *gt = axon_sim_proj_data(s, 0, 1);
    ck_assert_ptr_eq(gt, gx + 1);
    ck_assert(gx[3] == 0.5 && gx[0] == 0 && gx[1] == 0 && gx[2] == 0);
    axon_tensor view;
    ck_assert_int_eq(axon_sim_syn_var(s, "S->A.t", &view), AXON_OK);
    ck_assert(view.strides[0] == 2 && view.shape[0] == 2 && view.data == gt);
    axon_sim_free(s);
    group[1].lane = 0;
    expect_refused(&m, NULL, "variable 'x' has lane 0 of stride 2, not of a group");
    group[1].lane = 2;
    expect_refused(&m, NULL, "variable 't' has lane 2 of stride 2");
    group[1].lane = 1;
    group[0].lane = 1;
    group[1].lane = 0;
    expect_refused(&m, NULL, "variable 'x' has lane 1 of stride 2");
    group[0].lane = 0;
    group[1].lane = 1;
    group[1].kind = AXON_VAR_STATE;
    expect_refused(&m, NULL, "variable 't' has lane 1 of stride 2");
    group[1].kind = AXON_VAR_PER_POST;
    /* ABI 13: the only per-synapse variable in blocks with the 2-byte targets (block 4;
       stride 5 and lane 1 for doubles), on_pre alone */
    static axon_var_desc blk[] = {
        {"w", "S", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 5, 1, AXON_SYN_BLOCK},
        {"u", "S", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0}};
    pj[0].vars = blk;
    pj[0].nvars = 1;
    expect_refused(&m, NULL, "variable 'w' has block 4 without AXON_PROJ_BLOCKS");
    pj[0].flags = AXON_PROJ_BLOCKS | AXON_PROJ_POST16;
    s = new_sim(&m, 0, 1); /* valid: S -> A all to all, 6 synapses in 2 blocks */
    ck_assert_int_eq(axon_sim_syn_var(s, "S->A.w", &view), AXON_OK);
    ck_assert(view.ndim == 2 && view.shape[0] == 2 && view.shape[1] == AXON_SYN_BLOCK &&
              view.strides[0] == 5 && view.strides[1] == 1);
    ix = 5;
    ck_assert_int_eq(axon_sim_set_values(s, "S->A.w", &ix, 1, &v, NULL), AXON_OK);
    ck_assert(((const double *)view.data)[5 + 1] == 0.5); /* block 1, synapse 1 of it */
    axon_sim_free(s);
    const char *blocks_bad = "its targets and variable in blocks (AXON_PROJ_BLOCKS) but not";
    blk[0].stride = 6;
    expect_refused(&m, NULL, blocks_bad);
    blk[0].stride = 5;
    blk[0].lane = 0;
    expect_refused(&m, NULL, blocks_bad);
    blk[0].lane = 1;
    pj[0].flags = AXON_PROJ_BLOCKS;
    expect_refused(&m, NULL, blocks_bad);
    pj[0].flags = AXON_PROJ_BLOCKS | AXON_PROJ_POST16;
    pj[0].nvars = 2;
    expect_refused(&m, NULL, blocks_bad);
    pj[0].nvars = 1;
    pj[0].on_post_at = nop_on_post_at;
    expect_refused(&m, NULL, blocks_bad);
    pj[0].on_post_at = NULL;
    pj[0].flags = 0;
    /* a population's variable is an array of its own: no stride, lane or block */
    axon_var_desc own[2] = {acc_vars[0], acc_vars[1]};
    own[1].block = AXON_SYN_BLOCK;
    pops[1].vars = own;
    expect_refused(&m, NULL, "population 'A': variable 'acc' has stride 1, lane 0 and block 4");
    own[1].block = 1;
    own[1].stride = 2;
    expect_refused(&m, NULL, "population 'A': variable 'acc' has stride 2");
    pops[1].vars = acc_vars;
    pj[0].vars = w_vars;
    pj[0].nvars = 1;
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

Suite *proj_suite(void)
{
    Suite *s = suite_create("proj");
    TCase *tc = tcase_create("proj");
    tcase_add_checked_fixture(tc, dir_setup, dir_teardown);
    tcase_add_test(tc, test_proj_all_to_all_delivery);
    tcase_add_test(tc, test_proj_weight_records);
    tcase_add_test(tc, test_proj_nonfinite);
    tcase_add_test(tc, test_proj_random);
    tcase_add_test(tc, test_proj_build_stop);
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
    tcase_add_test(tc, test_proj_split_by_pops);
    tcase_add_test(tc, test_proj_by_pops_shared);
    tcase_add_test(tc, test_proj_by_pops_measured);
    tcase_add_test(tc, test_proj_post16);
    tcase_add_test(tc, test_proj_post_index);
    tcase_add_test(tc, test_model_memory);
    tcase_set_timeout(tc, 300); /* valgrind */
    suite_add_tcase(s, tc);
    return s;
}
