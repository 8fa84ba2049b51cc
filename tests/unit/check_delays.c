/*
 * Per-synapse delays delivered in parts (runtime/deliver.c: the queues of due parts): every
 * synapse gets each spike once, in the step its own delay says, in the same order for any
 * thread count, whether a row's parts are found in its delays or in a delay table; after a
 * restored checkpoint; with steps switching between the caller and the threads.
 */
#include <check.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "axon/axon.h"
#include "check_engine.h"
#include "check_proj.h"
#include "check_suites.h"

/* Delays of up to DP_RANGE[q] steps, each pair's its own (dp_delay), on rows too short for a
 * delay table (proj.c, rt_delay_table) but for the last projection's: delivery finds a
 * spike's parts due at each delay in the row's delays or in the table (deliver.c, rt_dq_queue),
 * rows of every length. */
static const uint32_t DP_RANGE[] = {60, 60, 150, 4};
static atomic_uint_fast64_t g_dp_bad;

static uint32_t dp_delay(int q, uint32_t i, uint32_t j)
{
    return 1 + (i * 131u + j * 7u + (uint32_t)q) % DP_RANGE[q];
}

static void dp_delays(int q, const uint32_t *pre, const uint32_t *post, uint64_t b, uint64_t e,
                      double *out)
{
    for (uint64_t s = b; s < e; s++)
        out[s] = POI_DT * (double)dp_delay(q, pre[s], post[s]);
}

#define DP_DELAYS(q)                                                                               \
    static void dp_delays##q(const axon_step_ctx *ctx, const uint32_t *pre, const uint32_t *post,  \
                             uint64_t b, uint64_t e, double *out)                                  \
    {                                                                                              \
        (void)ctx;                                                                                 \
        dp_delays(q, pre, post, b, e, out);                                                        \
    }                                                                                              \
    static void dp_on_pre##q(const axon_step_ctx *ctx, void *const *sv, void *const *pre_vars,     \
                             void *const *post_vars, const uint32_t *post, uint32_t i, uint64_t b, \
                             uint64_t e)                                                           \
    {                                                                                              \
        dp_on_pre(q, ctx, sv, post_vars, post, i, b, e);                                           \
    }

/* Each synapse delivered counts itself (w += 1) and its target's input; one whose delay is not
 * the step minus a step in which neuron i fired (burst_update) counts as bad. */
static void dp_on_pre(int q, const axon_step_ctx *ctx, void *const *sv, void *const *post_vars,
                      const uint32_t *post, uint32_t i, uint64_t b, uint64_t e)
{
    double *w = sv[0], *in = post_vars[0];
    uint64_t bad = 0;
    for (uint64_t s = b; s < e; s++) {
        uint32_t d = dp_delay(q, i, post[s]);
        bad += ctx->step < d || (ctx->step - d + i) % 3 != 0;
        w[s] += 1;
        in[post[s]] = in[post[s]] * 0.5 + (double)(q + 1); /* the order of arrival matters */
    }
    atomic_fetch_add(&g_dp_bad, bad);
}

DP_DELAYS(0)
DP_DELAYS(1)
DP_DELAYS(2)
DP_DELAYS(3)

enum { DP_NB = 50, DP_NA = 600 };

/* The model of the delay-part tests: bursts of B (every third step, shifted by the neuron)
 * reach A through four projections of 20 to 300 synapses a row (pops and pj: the caller's). */
static axon_model_desc dp_model(axon_pop_desc pops[2], axon_proj_desc pj[4])
{
    static const uint32_t outdeg[] = {20, 100, 200, 300};
    static axon_delays_fn const fn[] = {dp_delays0, dp_delays1, dp_delays2, dp_delays3};
    static axon_event_fn const on_pre[] = {dp_on_pre0, dp_on_pre1, dp_on_pre2, dp_on_pre3};
    pops[0] = (axon_pop_desc){"B", "Burst", DP_NB, 0, NULL, NULL, burst_update, 1, 0, NULL};
    pops[1] = (axon_pop_desc){"A", "Acc", DP_NA, 2, acc_vars, NULL, acc_update, 0, 0, NULL};
    for (int q = 0; q < 4; q++) {
        pj[q] = proj_of("B->A", 0, 1, AXON_CONN_OUTDEGREE, 0, outdeg[q], 1);
        pj[q].name = (const char *[]){"B->A.0", "B->A.1", "B->A.2", "B->A.3"}[q];
        pj[q].flags = AXON_PROJ_SPLIT;
        pj[q].nvars = 1;
        pj[q].vars = w_vars; /* zero: counts deliveries */
        pj[q].delays = fn[q];
        pj[q].on_pre = on_pre[q];
    }
    axon_model_desc m = model_projs("delayparts", 8, pops, 2, pj, 4, NULL, 0);
    m.dt = POI_DT;
    return m;
}

/* Every synapse gets each spike of its source once, in the step its own delay says, and the
 * targets the same inputs in the same order with 1, 2 and 3 threads, whether a row's parts are
 * found in its delays or in a delay table. */
START_TEST(test_proj_delay_parts)
{
    enum { NB = DP_NB, NA = DP_NA, T = 400 };
    static const uint32_t outdeg[] = {20, 100, 200, 300};
    axon_pop_desc pops[2];
    axon_proj_desc pj[4];
    axon_model_desc m = dp_model(pops, pj);
    static double ref[NA];
    static const int threads[] = {1, 2, 3};
    for (int th = 0; th < 3; th++) {
        atomic_store(&g_dp_bad, 0);
        axon_sim *s = new_sim(&m, 5, threads[th]);
        axon_sim_set_grain(s, 1); /* every step on the pool: rows cut by the threads' targets */
        run_ok(s, T * POI_DT);
        ck_assert_uint_eq(atomic_load(&g_dp_bad), 0);
        uint64_t bad = 0, delivered = 0;
        for (int q = 0; q < 4; q++) {
            const uint64_t *row;
            const uint32_t *post;
            get_csr(s, q, &row, &post);
            uint64_t n = axon_sim_synapse_count(s, q), cap = (n + 15) / 16 * 16;
            ck_assert_uint_eq(n, (uint64_t)NB * outdeg[q]);
            /* projections 0-2 keep a delay per synapse (2 bytes), 3 a table (with 1 thread:
               more threads add cut points) */
            double bytes = ((NB + 1) * 8.0 + cap * (4.0 + 8.0)) / (double)n;
            if (th == 0 && q < 3)
                ck_assert_double_eq_tol(axon_sim_bytes_per_synapse(s, q), bytes + 2.0 * cap / n,
                                        1e-9);
            else if (th == 0)
                ck_assert_double_lt(axon_sim_bytes_per_synapse(s, q), bytes + 2.0 * cap / n);
            axon_tensor w;
            ck_assert_int_eq(
                axon_sim_syn_var(
                    s, (const char *[]){"B->A.0.w", "B->A.1.w", "B->A.2.w", "B->A.3.w"}[q], &w),
                AXON_OK);
            const double *wv = w.data;
            for (uint32_t i = 0; i < NB; i++)
                for (uint64_t k = row[i]; k < row[i + 1]; k++) {
                    uint32_t d = dp_delay(q, i, post[k]);
                    double expect = 0; /* spikes m with m + d in the steps run */
                    for (uint32_t st = 0; st + d < T; st++)
                        expect += (st + i) % 3 == 0;
                    bad += wv[k] != expect;
                    delivered += (uint64_t)wv[k];
                }
        }
        ck_assert_uint_eq(bad, 0);
        ck_assert_uint_gt(delivered, 1000000);
        same_var(s, "A.acc", ref, sizeof ref, th == 0);
        axon_sim_free(s);
    }
}
END_TEST

/* A's input and the weights (deliveries counted) of s equal to those of r. */
static void dp_same(axon_sim *s, axon_sim *r)
{
    static const char *const path[] = {"A.acc", "B->A.0.w", "B->A.1.w", "B->A.2.w", "B->A.3.w"};
    for (int k = 0; k < 5; k++) {
        axon_tensor x, y;
        ck_assert_int_eq(k ? axon_sim_syn_var(s, path[k], &x) : axon_sim_var(s, path[k], &x),
                         AXON_OK);
        ck_assert_int_eq(k ? axon_sim_syn_var(r, path[k], &y) : axon_sim_var(r, path[k], &y),
                         AXON_OK);
        ck_assert_uint_eq(x.shape[0], y.shape[0]);
        ck_assert_mem_eq(x.data, y.data, x.shape[0] * sizeof(double));
    }
}

/* A checkpoint restored into a simulation that has reached the same step with other spikes in
 * flight (pushed ones): the parts it had queued from its own spikes are dropped and queued
 * again from the checkpoint's (deliver.c, rt_dq_update), so it goes on as the simulation that
 * wrote the checkpoint, with 1 and 2 threads. */
START_TEST(test_proj_delay_parts_restore)
{
    enum { T1 = 200, T = 300, PUSHED = 10 };
    axon_pop_desc pops[2];
    axon_proj_desc pj[4];
    axon_model_desc m = dp_model(pops, pj);
    uint32_t all[DP_NB];
    for (uint32_t i = 0; i < DP_NB; i++)
        all[i] = i;
    for (int threads = 1; threads <= 2; threads++) {
        axon_sim *a = new_sim(&m, 5, threads), *b = new_sim(&m, 5, threads);
        axon_sim_set_grain(a, 1);
        axon_sim_set_grain(b, 1);
        run_ok(a, T1 * POI_DT);
        size_t size = axon_sim_checkpoint_size(a), used = 0;
        void *ck = malloc(size);
        ck_assert_ptr_nonnull(ck);
        ck_assert_int_eq(axon_sim_checkpoint_mem(a, ck, size, &used), AXON_OK);
        run_ok(a, (T - T1) * POI_DT);
        run_ok(b, (T1 - PUSHED) * POI_DT);
        for (int k = 0; k < PUSHED; k++) { /* every neuron of B spikes in the last steps */
            ck_assert_int_eq(axon_sim_push_spikes(b, 0, all, DP_NB), AXON_OK);
            run_ok(b, POI_DT);
        }
        ck_assert_uint_eq(axon_sim_steps(b), T1);
        ck_assert_int_eq(axon_sim_restore_mem(b, ck, used), AXON_OK);
        atomic_store(&g_dp_bad, 0);
        run_ok(b, (T - T1) * POI_DT);
        ck_assert_uint_eq(atomic_load(&g_dp_bad), 0); /* no delivery of a pushed spike */
        dp_same(b, a);
        free(ck);
        axon_sim_free(a);
        axon_sim_free(b);
    }
}
END_TEST

/* Steps on the caller (one queue of due parts for every target) and steps split by targets
 * (a queue per chunk) in turns of 1 to 170 steps, so that each queue is brought up to date
 * after gaps shorter and longer than its delays: the same as one thread's. */
START_TEST(test_proj_delay_parts_switch)
{
    enum { T = 900 };
    axon_pop_desc pops[2];
    axon_proj_desc pj[4];
    axon_model_desc m = dp_model(pops, pj);
    static const uint32_t len[] = {1, 2, 5, 61, 170, 3, 1, 151, 4};
    for (int threads = 2; threads <= 3; threads++) {
        axon_sim *a = new_sim(&m, 5, 1), *b = new_sim(&m, 5, threads);
        run_ok(a, T * POI_DT);
        uint32_t done = 0;
        for (int k = 0; done < T; k++) {
            uint32_t n = len[k % 9] < T - done ? len[k % 9] : T - done;
            axon_sim_set_grain(b, k % 2 ? 1 : UINT32_MAX);
            run_ok(b, n * POI_DT);
            done += n;
        }
        ck_assert_uint_eq(axon_sim_steps(b), T);
        dp_same(b, a);
        axon_sim_free(a);
        axon_sim_free(b);
    }
}
END_TEST

Suite *delays_suite(void)
{
    Suite *s = suite_create("delays");
    TCase *tc = tcase_create("delays");
    tcase_add_test(tc, test_proj_delay_parts);
    tcase_add_test(tc, test_proj_delay_parts_restore);
    tcase_add_test(tc, test_proj_delay_parts_switch);
    tcase_set_timeout(tc, 300); /* valgrind */
    suite_add_tcase(s, tc);
    return s;
}
