/*
 * The embedding API (<axon/axon.h>) as a product: every public function called with NULL
 * handles and bad arguments (a status, never a crash), every failure leaving its own message
 * (never an older call's), versions. The model is a small hand-written one: sensor neurons S
 * (an input current, a bias parameter) driving motor neurons M through a plastic projection.
 */
#define _POSIX_C_SOURCE 200809L

#include "check_suites.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axon/axon.h"
#include "config.h"

/* ---- the model "api": S[4] -> M[3], all to all, delay 1 step */

#define API_DT 1e-3

/* v integrates (I + I_bias) / 1 nA per ms; fires at 1 and resets to 0 */
static void s_init(const axon_step_ctx *ctx, void *const *vars, uint32_t b, uint32_t e)
{
    double *bias = vars[2];
    for (uint32_t i = b; i < e; i++)
        bias[i] = 0.1e-9 * i;
}

static void s_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                     uint32_t e)
{
    double *v = vars[0], *in = vars[1], *bias = vars[2];
    for (uint32_t i = b; i < e; i++) {
        v[i] += (in[i] + bias[i]) * 1e9 * (API_DT / 1e-3) * 0.25;
        fired[i] = v[i] > 1;
        if (fired[i])
            v[i] = 0;
        in[i] = 0;
    }
}

static const axon_var_desc s_vars[] = {
    {"v", "1", AXON_VAR_STATE, 0},
    {"I", "A", AXON_VAR_INPUT, 0},
    {"I_bias", "A", AXON_VAR_PARAM, 0},
};

/* g decays; v integrates g; fires at 1 */
static void m_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                     uint32_t e)
{
    double *v = vars[0], *g = vars[1];
    for (uint32_t i = b; i < e; i++) {
        v[i] += g[i] * 1e9;
        g[i] *= 0.5;
        fired[i] = v[i] > 1;
        if (fired[i])
            v[i] = 0;
    }
}

static const axon_var_desc m_vars[] = {
    {"v", "1", AXON_VAR_STATE, 0},
    {"g", "S", AXON_VAR_STATE, 0},
};

static void syn_init(const axon_step_ctx *ctx, void *const *sv, const uint32_t *pre,
                     const uint32_t *post, uint64_t b, uint64_t e)
{
    double *w = sv[0], *u = sv[1];
    for (uint64_t k = b; k < e; k++) {
        w[k] = 0.2e-9 * (1 + pre[k]) + 0.01e-9 * post[k];
        u[k] = 0.5;
    }
}

/* post.g += w * u; u drops by 10% (short-term depression); the pre trace counts spikes */
static void syn_on_pre(const axon_step_ctx *ctx, void *const *sv, void *const *av,
                       void *const *bv, const uint32_t *post, uint32_t i, uint64_t b, uint64_t e)
{
    double *w = sv[0], *u = sv[1], *g = bv[1];
    for (uint64_t k = b; k < e; k++) {
        g[post[k]] += w[k] * u[k];
        u[k] *= 0.9;
    }
}

static void syn_pre_after(const axon_step_ctx *ctx, void *const *sv, void *const *av,
                          void *const *bv, const uint32_t *post, uint32_t i, uint64_t b,
                          uint64_t e)
{
    double *tr = sv[2];
    tr[i] += 1;
}

/* u recovers towards 0.5 every step, scaled by the signal "gain" */
static void syn_every(const axon_step_ctx *ctx, void *const *sv, void *const *av,
                      void *const *bv, const uint32_t *post, uint32_t i, uint64_t b, uint64_t e)
{
    double *u = sv[1];
    double k = ctx->signals ? ctx->signals[0] : 1.0;
    for (uint64_t s = b; s < e; s++)
        u[s] += 0.01 * k * (0.5 - u[s]);
}

static const axon_var_desc syn_vars[] = {
    {"w", "S", AXON_VAR_STATE, 0},
    {"u", "1", AXON_VAR_STATE, 0},
    {"tr", "1", AXON_VAR_PER_PRE, 0},
};

static const axon_pop_desc api_pops[] = {
    {"S", "Sensor", 4, 3, s_vars, s_init, s_update, 1},
    {"M", "Motor", 3, 2, m_vars, NULL, m_update, 1},
};

static const axon_proj_desc api_projs[] = {{
    .name = "S->M",
    .type = "Plastic",
    .pre = 0,
    .post = 1,
    .connector = AXON_CONN_ALL,
    .delay_steps = 1,
    .nvars = 3,
    .vars = syn_vars,
    .init = syn_init,
    .on_pre = syn_on_pre,
    .pre_after = syn_pre_after,
    .every_step = syn_every,
}};

static const uint32_t sub_s[] = {0, 3};

static const axon_record_desc api_recs[] = {
    {AXON_REC_SPIKES, 0, 0, 0, NULL, 1},
    {AXON_REC_SPIKES, 1, 0, 0, NULL, 1},
    {AXON_REC_STATE, 0, 0, 2, sub_s, 2},
    {AXON_REC_RATE, 1, 0, 0, NULL, 5},
    {AXON_REC_WEIGHTS, 0, 0, 0, NULL, 10},
};

static const char *const api_signal_names[] = {"gain"};

static void api_signals(const axon_step_ctx *ctx, double *values)
{
    values[0] = 1.0;
}

static const axon_model_desc api_model = {
    .abi = AXON_ABI_VERSION,
    .name = "api",
    .precision = 8,
    .dt = API_DT,
    .npops = 2,
    .pops = api_pops,
    .nprojs = 1,
    .projs = api_projs,
    .nrecords = sizeof api_recs / sizeof api_recs[0],
    .records = api_recs,
    .nsignals = 1,
    .signal_names = api_signal_names,
    .signals = api_signals,
};

static axon_sim *api_sim(void)
{
    axon_err err = {{0}};
    axon_sim *s = axon_sim_new(&api_model, &(axon_opts){.seed = 3}, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    return s;
}

/* Makes s's message a known one, so that a later failure must replace it. */
static void stale(axon_sim *s)
{
    ck_assert_int_eq(axon_sim_set_signal(s, "STALE", 1), AXON_EINVAL);
    ck_assert_ptr_nonnull(strstr(axon_sim_error(s), "STALE"));
}

/* The message after a failed call: its own, not empty, not the stale one. */
#define FRESH(s, what)                                                                             \
    do {                                                                                           \
        const char *m_ = axon_sim_error(s);                                                        \
        ck_assert_msg(m_ && *m_, "%s: no message", what);                                          \
        ck_assert_msg(!strstr(m_, "STALE"), "%s: stale message '%s'", what, m_);                   \
    } while (0)

/* ---- versions */

START_TEST(test_version)
{
    ck_assert_str_eq(axon_version(), AXON_VERSION_STRING);
    ck_assert_str_eq(AXON_VERSION_STRING, PACKAGE_VERSION);
    ck_assert_int_eq(axon_version_number(), AXON_VERSION_NUMBER);
    ck_assert_int_eq(AXON_VERSION_NUMBER,
                     AXON_VERSION_MAJOR * 10000 + AXON_VERSION_MINOR * 100 + AXON_VERSION_PATCH);
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", AXON_VERSION_MAJOR, AXON_VERSION_MINOR, AXON_VERSION_PATCH);
    ck_assert_str_eq(v, PACKAGE_VERSION);
    ck_assert_int_eq(axon_abi_version(), AXON_ABI_VERSION);
}
END_TEST

/* A descriptor of another ABI is refused with both versions in the message. */
START_TEST(test_abi_mismatch)
{
    axon_model_desc m = api_model;
    m.abi = AXON_ABI_VERSION + 7;
    axon_err err = {{0}};
    ck_assert_ptr_null(axon_sim_new(&m, NULL, &err));
    char want[64];
    snprintf(want, sizeof want, "ABI %u", AXON_ABI_VERSION + 7);
    ck_assert_msg(strstr(err.msg, want), "%s", err.msg);
    snprintf(want, sizeof want, "%d", AXON_ABI_VERSION);
    ck_assert_msg(strstr(err.msg, want), "%s", err.msg);
    ck_assert_ptr_null(axon_sim_new(NULL, NULL, &err));
    ck_assert_msg(*err.msg, "no message for a NULL model");
    ck_assert_ptr_null(axon_sim_new(NULL, NULL, NULL)); /* no err: still no crash */
}
END_TEST

/* ---- loading a shared library: the error paths (tests/cli/embed.sh loads real models) */

START_TEST(test_model_open_errors)
{
    axon_err err = {{0}};
    ck_assert_ptr_null(axon_model_open(NULL, NULL, &err));
    ck_assert_msg(strstr(err.msg, "no library path"), "%s", err.msg);
    ck_assert_ptr_null(axon_model_open("", NULL, NULL));
    ck_assert_ptr_null(axon_model_open("/nonexistent/model.so", NULL, &err));
    ck_assert_msg(strstr(err.msg, "/nonexistent/model.so"), "%s", err.msg);
    /* a bare name is the file in the current directory, not a search of the library path */
    ck_assert_ptr_null(axon_model_open("libc.so.6", NULL, &err));
    ck_assert_msg(strstr(err.msg, "./libc.so.6"), "%s", err.msg);
    ck_assert_ptr_null(axon_model_open("/nonexistent/model.so", "", &err));
    ck_assert_msg(strstr(err.msg, "empty descriptor symbol"), "%s", err.msg);
    ck_assert_ptr_null(axon_model_descriptor(NULL));
    axon_model_close(NULL);
}
END_TEST

/* ---- NULL handles: a status or a neutral value, never a crash */

START_TEST(test_null_handles)
{
    axon_sim *n = NULL;
    axon_tensor t;
    const double *times;
    const uint32_t *idx;
    size_t cnt;
    double x;
    const uint64_t *row;
    const uint32_t *post;
    axon_err err = {{0}};
    axon_sim_free(NULL);
    ck_assert_int_eq(axon_sim_run(n, 0.01, NULL, NULL), AXON_EINVAL);
    ck_assert_ptr_nonnull(axon_sim_error(n));
    ck_assert_ptr_null(axon_sim_model(n));
    ck_assert(axon_sim_time(n) == 0.0);
    ck_assert_uint_eq(axon_sim_steps(n), 0);
    ck_assert_int_eq(axon_sim_threads(n), 0);
    axon_sim_set_grain(n, 5);
    ck_assert(axon_sim_wall_seconds(n) == 0.0);
    ck_assert_int_eq(axon_sim_pop_index(n, "S"), -1);
    ck_assert_int_eq(axon_sim_var(n, "S.v", &t), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_spikes(n, 0, &times, &idx, &cnt), AXON_EINVAL);
    ck_assert_uint_eq(axon_sim_spike_count(n, 0), 0);
    ck_assert_int_eq(axon_sim_proj_index(n, "S->M"), -1);
    ck_assert_uint_eq(axon_sim_synapse_count(n, 0), 0);
    ck_assert(axon_sim_bytes_per_synapse(n, 0) == 0.0);
    ck_assert_int_eq(axon_sim_connectivity(n, 0, &row, &post), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_syn_var(n, "S->M.w", &t), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_proj_delays(n, 0, &x, &x, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_set_signal(n, "gain", 1), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_release_signal(n, "gain"), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_signal(n, "gain", &x), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_write(n, "/nonexistent", &err), AXON_EINVAL);
    ck_assert_msg(*err.msg, "write: no message in err");
}
END_TEST

/* ---- bad arguments on a live simulation: each failure says why, in its own words */

START_TEST(test_bad_arguments)
{
    axon_sim *s = api_sim();
    axon_tensor t;
    const double *times;
    const uint32_t *idx;
    size_t cnt;
    double x;
    const uint64_t *row;
    const uint32_t *post;
    axon_err err = {{0}};

    stale(s);
    ck_assert_int_eq(axon_sim_run(s, -1, NULL, NULL), AXON_EINVAL);
    FRESH(s, "run -1");
    stale(s);
    ck_assert_int_eq(axon_sim_run(s, NAN, NULL, NULL), AXON_EINVAL);
    FRESH(s, "run nan");

    stale(s);
    ck_assert_int_eq(axon_sim_pop_index(s, "nope"), -1);
    FRESH(s, "pop_index nope");
    stale(s);
    ck_assert_int_eq(axon_sim_pop_index(s, NULL), -1);
    FRESH(s, "pop_index NULL");
    stale(s);
    ck_assert_int_eq(axon_sim_proj_index(s, "nope"), -1);
    FRESH(s, "proj_index nope");
    stale(s);
    ck_assert_int_eq(axon_sim_proj_index(s, NULL), -1);
    FRESH(s, "proj_index NULL");

    stale(s);
    ck_assert_int_eq(axon_sim_var(s, NULL, &t), AXON_EINVAL);
    FRESH(s, "var NULL path");
    stale(s);
    ck_assert_int_eq(axon_sim_var(s, "S.v", NULL), AXON_EINVAL);
    FRESH(s, "var NULL view");
    stale(s);
    ck_assert_int_eq(axon_sim_var(s, "S.nope", &t), AXON_EINVAL);
    FRESH(s, "var S.nope");
    stale(s);
    ck_assert_int_eq(axon_sim_var(s, "nodot", &t), AXON_EINVAL);
    FRESH(s, "var nodot");
    stale(s);
    ck_assert_int_eq(axon_sim_syn_var(s, NULL, &t), AXON_EINVAL);
    FRESH(s, "syn_var NULL");
    stale(s);
    ck_assert_int_eq(axon_sim_syn_var(s, "S->M.nope", &t), AXON_EINVAL);
    FRESH(s, "syn_var nope");

    for (int bad = -1; bad <= 2; bad += 3) { /* -1 and 2: out of range */
        stale(s);
        ck_assert_int_eq(axon_sim_spikes(s, bad, &times, &idx, &cnt), AXON_EINVAL);
        FRESH(s, "spikes bad pop");
        stale(s);
        ck_assert_uint_eq(axon_sim_spike_count(s, bad), 0);
        FRESH(s, "spike_count bad pop");
    }
    for (int bad = -1; bad <= 1; bad += 2) {
        stale(s);
        ck_assert_uint_eq(axon_sim_synapse_count(s, bad), 0);
        FRESH(s, "synapse_count bad proj");
        stale(s);
        ck_assert(axon_sim_bytes_per_synapse(s, bad) == 0.0);
        FRESH(s, "bytes_per_synapse bad proj");
        stale(s);
        ck_assert_int_eq(axon_sim_connectivity(s, bad, &row, &post), AXON_EINVAL);
        FRESH(s, "connectivity bad proj");
        stale(s);
        ck_assert_int_eq(axon_sim_proj_delays(s, bad, &x, &x, NULL), AXON_EINVAL);
        FRESH(s, "proj_delays bad proj");
    }

    stale(s);
    ck_assert_int_eq(axon_sim_set_signal(s, NULL, 1), AXON_EINVAL);
    FRESH(s, "set_signal NULL");
    stale(s);
    ck_assert_int_eq(axon_sim_set_signal(s, "gain", INFINITY), AXON_EINVAL);
    FRESH(s, "set_signal inf");
    stale(s);
    ck_assert_int_eq(axon_sim_release_signal(s, "nope"), AXON_EINVAL);
    FRESH(s, "release_signal nope");
    stale(s);
    ck_assert_int_eq(axon_sim_signal(s, "nope", &x), AXON_EINVAL);
    FRESH(s, "signal nope");
    stale(s);
    ck_assert_int_eq(axon_sim_signal(s, "gain", NULL), AXON_EINVAL);
    FRESH(s, "signal NULL value");

    stale(s);
    ck_assert_int_eq(axon_sim_write(s, NULL, &err), AXON_EINVAL);
    FRESH(s, "write NULL dir");
    ck_assert_str_eq(err.msg, axon_sim_error(s));
    axon_sim_free(s);
}
END_TEST

/* A call that succeeds clears the message: axon_sim_error never describes an older call. */
START_TEST(test_success_clears)
{
    axon_sim *s = api_sim();
    axon_tensor t;
    double x;
    stale(s);
    ck_assert_int_eq(axon_sim_var(s, "S.v", &t), AXON_OK);
    ck_assert_str_eq(axon_sim_error(s), "");
    stale(s);
    ck_assert_int_eq(axon_sim_run(s, 0.002, NULL, NULL), AXON_OK);
    ck_assert_str_eq(axon_sim_error(s), "");
    stale(s);
    ck_assert_int_eq(axon_sim_signal(s, "gain", &x), AXON_OK);
    ck_assert_str_eq(axon_sim_error(s), "");
    stale(s);
    ck_assert_int_eq(axon_sim_pop_index(s, "M"), 1);
    ck_assert_str_eq(axon_sim_error(s), "");
    axon_sim_free(s);
}
END_TEST

Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("misuse");
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_abi_mismatch);
    tcase_add_test(tc, test_model_open_errors);
    tcase_add_test(tc, test_null_handles);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_success_clears);
    suite_add_tcase(s, tc);
    return s;
}
