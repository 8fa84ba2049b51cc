/*
 * The embedding API (<axon/axon.h>) as a product: every public function called with NULL
 * handles and bad arguments (a status, never a crash), every failure leaving its own message
 * (never an older call's), versions. The model is a small hand-written one: sensor neurons S
 * (an input current, a bias parameter) driving motor neurons M through a plastic projection.
 */
#define _POSIX_C_SOURCE 200809L

#include "check_engine.h"
#include "check_suites.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "axon/axon.h"
#include "axon/io.h"
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
    {"v", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"I", "A", AXON_VAR_INPUT, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"I_bias", "A", AXON_VAR_PARAM, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
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
    {"v", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"g", "S", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
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
static void syn_on_pre(const axon_step_ctx *ctx, void *const *sv, void *const *av, void *const *bv,
                       const uint32_t *post, uint32_t i, uint64_t b, uint64_t e)
{
    double *w = sv[0], *u = sv[1], *g = bv[1];
    for (uint64_t k = b; k < e; k++) {
        g[post[k]] += w[k] * u[k];
        u[k] *= 0.9;
    }
}

static void syn_pre_after(const axon_step_ctx *ctx, void *const *sv, void *const *av,
                          void *const *bv, const uint32_t *post, uint32_t i, uint64_t b, uint64_t e)
{
    double *tr = sv[2];
    tr[i] += 1;
}

/* u recovers towards 0.5 every step, scaled by the signal "gain" */
static void syn_every(const axon_step_ctx *ctx, void *const *sv, void *const *av, void *const *bv,
                      const uint32_t *post, uint32_t i, uint64_t b, uint64_t e)
{
    double *u = sv[1];
    double k = ctx->signals ? ctx->signals[0] : 1.0;
    for (uint64_t s = b; s < e; s++)
        u[s] += 0.01 * k * (0.5 - u[s]);
}

static const axon_var_desc syn_vars[] = {
    {"w", "S", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"u", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    {"tr", "1", AXON_VAR_PER_PRE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
};

static const axon_pop_desc api_pops[] = {
    {"S", "Sensor", 4, 3, s_vars, s_init, s_update, 1, 0, NULL},
    {"M", "Motor", 3, 2, m_vars, NULL, m_update, 1, 0, NULL},
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
static const uint32_t sub_u[] = {9, 11}; /* S[3] -> M[0], M[2]: S[3] spikes soonest */

static const axon_record_desc api_recs[] = {
    {AXON_REC_SPIKES, 0, 0, 0, NULL, 1},   {AXON_REC_SPIKES, 1, 0, 0, NULL, 1},
    {AXON_REC_STATE, 0, 0, 2, sub_s, 2},   {AXON_REC_RATE, 1, 0, 0, NULL, 5},
    {AXON_REC_WEIGHTS, 0, 0, 0, NULL, 10}, {AXON_REC_STATE, 0, 1, 0, NULL, 1}, /* S.I, an input */
    {AXON_REC_WEIGHTS, 0, 1, 2, sub_u, 3}, /* S->M.u of synapses 9 and 11, every 3 steps */
    {AXON_REC_WEIGHTS, 0, 2, 0, NULL, 1},  /* S->M.tr, a per-neuron trace */
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

static axon_sim *api_sim_with(const axon_model_desc *m, uint64_t seed, int threads);

/* A population's arrays come zeroed without being written (engine.c, rt_zero: MADV_DONTNEED,
 * valgrind told that the pages are defined): s_init writes only I_bias, s_update reads v and
 * I from the first step. 20,000 neurons make arrays of 39 pages, past rt_zero's 16; under
 * valgrind (tests/unit/valgrind.sh) a read of pages it thought undefined would fail the run. */
START_TEST(test_zeroed_arrays)
{
    axon_pop_desc pop = api_pops[0];
    pop.size = 20000;
    axon_model_desc m = {.abi = AXON_ABI_VERSION, .name = "zeroed", .precision = 8,
                         .dt = API_DT, .npops = 1, .pops = &pop};
    axon_sim *s = api_sim_with(&m, 1, 1);
    double v[3], in[3];
    const uint32_t idx[3] = {0, 10000, 19999};
    ck_assert_int_eq(axon_sim_get_values(s, "S.v", idx, 3, v, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_get_values(s, "S.I", idx, 3, in, NULL), AXON_OK);
    for (int k = 0; k < 3; k++)
        ck_assert(v[k] == 0 && in[k] == 0);
    ck_assert_int_eq(axon_sim_step(s, 3, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_get_values(s, "S.v", idx, 3, v, NULL), AXON_OK);
    /* v += (I + I_bias) / 1 nA / 4 a step, I_bias = 0.1 nA i: 0, 0.075 i (mod the resets) */
    ck_assert(v[0] == 0);
    ck_assert_uint_gt(axon_sim_spike_count(s, 0), 0);
    axon_sim_free(s);
}
END_TEST

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
        ck_assert_msg(m_ &&*m_, "%s: no message", what);                                           \
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
    /* a symbol that is not a descriptor is refused, not read: libaxonrt's function, and libc's
       stdout, a variable of a library libaxonrt links (AXON_LIBDIR: set by make check) */
    const char *libdir = getenv("AXON_LIBDIR");
    char rt[1024];
    snprintf(rt, sizeof rt, "%s/libaxonrt.so", libdir && *libdir ? libdir : ".libs");
    ck_assert_ptr_null(axon_model_open(rt, "axon_sim_new", &err));
    ck_assert_msg(strstr(err.msg, "'axon_sim_new' is not a model descriptor (a function)"), "%s",
                  err.msg);
    ck_assert_ptr_null(axon_model_open(rt, "stdout", &err));
    ck_assert_msg(strstr(err.msg, "'stdout' is not a model descriptor (a variable of another "
                                  "library it links)"),
                  "%s", err.msg);
    ck_assert_ptr_null(axon_model_descriptor(NULL));
    axon_model_close(NULL);
}
END_TEST

/* NULL handles: every export of libaxonrt is called with NULL in check_misuse.c (the misuse
 * suite; tests/cli/exports.sh checks that none is left out). */

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

/* ---- run control */

typedef struct {
    int calls;
    int stop_at;       /* stop after this many calls (0: never) */
    axon_status inner; /* what a run from inside the callback returned */
} step_log;

static int on_step(axon_sim *s, void *user)
{
    step_log *l = user;
    l->calls++;
    ck_assert_uint_eq(axon_sim_steps(s), (uint64_t)l->calls);
    l->inner = axon_sim_run(s, 0.001, NULL, NULL);
    return l->stop_at && l->calls == l->stop_at;
}

static int failing_call(axon_sim *s, void *user)
{
    (void)user;
    ck_assert_int_eq(axon_sim_pop_index(s, "nope"), -1);
    return 0;
}

START_TEST(test_run_control)
{
    axon_sim *s = api_sim();
    step_log l = {0, 0, AXON_OK};
    ck_assert_int_eq(axon_sim_step(s, 7, on_step, &l), AXON_OK);
    ck_assert_int_eq(l.calls, 7);
    ck_assert_int_eq(l.inner, AXON_EINVAL); /* no run from inside a run */
    ck_assert_uint_eq(axon_sim_steps(s), 7);
    ck_assert_int_eq(axon_sim_step(s, 3, NULL, NULL), AXON_OK);
    ck_assert_uint_eq(axon_sim_steps(s), 10);
    /* until a time: absolute, on the grid */
    ck_assert_int_eq(axon_sim_run_until(s, 0.0250001, NULL, NULL), AXON_OK);
    ck_assert_uint_eq(axon_sim_steps(s), 25);
    ck_assert_int_eq(axon_sim_run_until(s, 0.01, NULL, NULL), AXON_OK); /* behind: nothing */
    ck_assert_uint_eq(axon_sim_steps(s), 25);
    /* until a condition */
    l = (step_log){0, 4, AXON_OK};
    l.calls = 25;
    l.stop_at = 29;
    ck_assert_int_eq(axon_sim_run_until(s, 1.0, on_step, &l), AXON_OK);
    ck_assert_uint_eq(axon_sim_steps(s), 29);
    stale(s);
    ck_assert_int_eq(axon_sim_run_until(s, NAN, NULL, NULL), AXON_EINVAL);
    FRESH(s, "run_until nan");
    stale(s);
    ck_assert_int_eq(axon_sim_run_until(s, 1e300, NULL, NULL), AXON_EINVAL);
    FRESH(s, "run_until 1e300");
    ck_assert_int_eq(axon_sim_step(NULL, 1, NULL, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_run_until(NULL, 1, NULL, NULL), AXON_EINVAL);
    /* axon_sim_stop stops these runs too, before their next step */
    uint64_t at = axon_sim_steps(s);
    axon_sim_stop(s);
    ck_assert_int_eq(axon_sim_step(s, 5, NULL, NULL), AXON_ESTOPPED);
    ck_assert_uint_eq(axon_sim_steps(s), at);
    FRESH(s, "stopped");
    ck_assert_int_eq(axon_sim_step(s, 5, NULL, NULL), AXON_OK);
    ck_assert_uint_eq(axon_sim_steps(s), at + 5);
    /* a call of the callback that failed is not the run's failure: the run leaves "" */
    ck_assert_int_eq(axon_sim_step(s, 2, failing_call, NULL), AXON_OK);
    ck_assert_str_eq(axon_sim_error(s), "");
    /* the long run's samples were reserved block by block: all there */
    const double *t;
    size_t n;
    ck_assert_int_eq(axon_sim_spikes(s, 0, &t, NULL, &n), AXON_OK);
    ck_assert_uint_eq(n, axon_sim_spike_count(s, 0));
    axon_sim_free(s);
}
END_TEST

/* ---- spikes out */

typedef struct {
    size_t n;
    double t[4096];
    uint32_t i[4096];
    int pop;
} spike_log;

static void on_spikes(void *user, int pop, double t, const uint32_t *idx, size_t n)
{
    spike_log *l = user;
    ck_assert_int_eq(pop, l->pop);
    for (size_t k = 0; k < n; k++) {
        ck_assert(k == 0 || idx[k] > idx[k - 1]);
        ck_assert_uint_lt(l->n, 4096);
        l->t[l->n] = t;
        l->i[l->n++] = idx[k];
    }
}

/* the last step's spikes, seen from the step callback, equal what the spike callback got */
static int check_step_spikes(axon_sim *s, void *user)
{
    spike_log *l = user;
    const uint32_t *idx;
    size_t n;
    ck_assert_int_eq(axon_sim_step_spikes(s, 1, &idx, &n), AXON_OK);
    ck_assert_uint_le(n, l->n);
    for (size_t k = 0; k < n; k++) {
        ck_assert_uint_eq(idx[k], l->i[l->n - n + k]);
        ck_assert(l->t[l->n - n + k] == axon_sim_time(s));
    }
    return 0;
}

START_TEST(test_spikes_out)
{
    axon_sim *s = api_sim();
    static spike_log lm;
    lm = (spike_log){.pop = 1};
    ck_assert_int_eq(axon_sim_on_spikes(s, 1, on_spikes, &lm), AXON_OK);
    axon_spike_iter from0, later;
    ck_assert_int_eq(axon_sim_spike_iter(s, 1, 1, &from0), AXON_OK);
    ck_assert_int_eq(axon_sim_step(s, 100, check_step_spikes, &lm), AXON_OK);
    ck_assert_int_eq(axon_sim_spike_iter(s, 1, 0, &later), AXON_OK);
    ck_assert_uint_gt(lm.n, 0);
    /* the callback saw exactly the recorded spikes */
    const double *t;
    const uint32_t *i;
    size_t n;
    ck_assert_int_eq(axon_sim_spikes(s, 1, &t, &i, &n), AXON_OK);
    ck_assert_uint_eq(n, lm.n);
    ck_assert_mem_eq(t, lm.t, n * sizeof *t);
    ck_assert_mem_eq(i, lm.i, n * sizeof *i);
    /* and so does the iterator from the start */
    double tt;
    uint32_t ii;
    size_t k = 0;
    while (axon_sim_spike_next(s, &from0, &tt, &ii)) {
        ck_assert(tt == t[k] && ii == i[k]);
        k++;
    }
    ck_assert_uint_eq(k, n);
    /* an iterator made now yields only later spikes, and continues across runs */
    ck_assert_int_eq(axon_sim_spike_next(s, &later, &tt, &ii), 0);
    ck_assert_int_eq(axon_sim_on_spikes(s, 1, NULL, NULL), AXON_OK); /* removed */
    size_t before = lm.n;
    ck_assert_int_eq(axon_sim_run(s, 0.1, NULL, NULL), AXON_OK);
    ck_assert_uint_eq(lm.n, before);
    ck_assert_int_eq(axon_sim_spikes(s, 1, &t, &i, &n), AXON_OK);
    k = before;
    while (axon_sim_spike_next(s, &later, &tt, &ii)) {
        ck_assert(tt == t[k] && ii == i[k]);
        ck_assert(tt > 0.1);
        k++;
    }
    ck_assert_uint_eq(k, n);
    ck_assert_uint_gt(n, before);
    /* misuse */
    stale(s);
    ck_assert_int_eq(axon_sim_on_spikes(s, 2, on_spikes, &lm), AXON_EINVAL);
    FRESH(s, "on_spikes bad pop");
    stale(s);
    ck_assert_int_eq(axon_sim_step_spikes(s, -1, NULL, NULL), AXON_EINVAL);
    FRESH(s, "step_spikes bad pop");
    stale(s);
    ck_assert_int_eq(axon_sim_spike_iter(s, 1, 0, NULL), AXON_EINVAL);
    FRESH(s, "spike_iter NULL");
    stale(s);
    axon_spike_iter badit = {7, 0};
    ck_assert_int_eq(axon_sim_spike_next(s, &badit, &tt, &ii), 0);
    FRESH(s, "spike_next bad pop");
    ck_assert_int_eq(axon_sim_on_spikes(NULL, 0, NULL, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_step_spikes(NULL, 0, NULL, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_spike_iter(NULL, 0, 0, &badit), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_spike_next(NULL, &badit, NULL, NULL), 0);
    axon_sim_free(s);
}
END_TEST

/* ---- input in */

START_TEST(test_inject)
{
    axon_sim *s = api_sim();
    const uint32_t who[] = {1, 3, 1};
    const double amps[] = {2, 0.5, 1}; /* nA; neuron 1 twice: 3 nA */
    ck_assert_int_eq(axon_sim_inject(s, "S.I", who, amps, 3, "nA"), AXON_OK);
    ck_assert_int_eq(axon_sim_step(s, 4, NULL, NULL), AXON_OK);
    /* the input record shows the injected current, not the cleared variable */
    char dir[] = "/tmp/axon_api_injXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    axon_tensor in;
    ck_assert_int_eq(axon_sim_var(s, "S.I", &in), AXON_OK);
    ck_assert(((double *)in.data)[1] == 0); /* consumed by the update */
    double v[4];
    ck_assert_int_eq(axon_sim_get_values(s, "S.v", NULL, 4, v, NULL), AXON_OK);
    ck_assert_msg(v[1] > v[2] || v[1] == 0, "injection had no effect");
    /* the record: n x 4 samples, neuron 1 at 3 nA, 3 at 0.5 nA */
    axon_err err = {{0}};
    ck_assert_msg(axon_sim_write(s, dir, &err) == AXON_OK, "%s", err.msg);
    char path[256];
    snprintf(path, sizeof path, "%s/S.I.npy", dir);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    unsigned char hdr[128];
    ck_assert_uint_eq(fread(hdr, 1, 128, f), 128); /* a 128-byte NPY header (v1.0) */
    double rows[4][4];
    ck_assert_uint_eq(fread(rows, sizeof(double), 16, f), 16);
    fclose(f);
    for (int r = 0; r < 4; r++) {
        ck_assert(rows[r][0] == 0 && rows[r][2] == 0);
        ck_assert_msg(fabs(rows[r][1] - 3e-9) < 1e-24, "row %d: %g", r, rows[r][1]);
        ck_assert(rows[r][3] == 0.5e-9);
    }
    remove_tree(dir);
    /* replaced: the new injection alone; removed with n = 0 */
    ck_assert_int_eq(
        axon_sim_inject(s, "S.I", (const uint32_t[]){0}, (const double[]){1e-9}, 1, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_inject(s, "S.I", NULL, NULL, 0, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_inject(s, "S.I", NULL, NULL, 0, NULL), AXON_OK);
    /* misuse */
    stale(s);
    ck_assert_int_eq(axon_sim_inject(s, "S.v", who, amps, 3, NULL), AXON_EINVAL);
    FRESH(s, "inject into a state");
    ck_assert_ptr_nonnull(strstr(axon_sim_error(s), "not an input variable"));
    stale(s);
    ck_assert_int_eq(axon_sim_inject(s, "S.I", who, amps, 3, "mV"), AXON_EINVAL);
    FRESH(s, "inject in mV");
    stale(s);
    ck_assert_int_eq(axon_sim_inject(s, "S.I", (const uint32_t[]){4}, amps, 1, NULL), AXON_EINVAL);
    FRESH(s, "inject out of range");
    stale(s);
    ck_assert_int_eq(axon_sim_inject(s, "S.I", who, (const double[]){1, NAN, 1}, 3, NULL),
                     AXON_EINVAL);
    FRESH(s, "inject nan");
    stale(s);
    ck_assert_int_eq(axon_sim_inject(s, "S.I", NULL, amps, 3, NULL), AXON_EINVAL);
    FRESH(s, "inject 3 values without indices into 4 neurons");
    stale(s);
    ck_assert_int_eq(axon_sim_inject(s, "S.I", who, NULL, 3, NULL), AXON_EINVAL);
    FRESH(s, "inject NULL values");
    stale(s);
    ck_assert_int_eq(axon_sim_inject(s, "S->M.w", who, amps, 1, NULL), AXON_EINVAL);
    FRESH(s, "inject into a synapse variable");
    ck_assert_int_eq(axon_sim_inject(NULL, "S.I", who, amps, 3, NULL), AXON_EINVAL);
    axon_sim_free(s);
}
END_TEST

/* A pinned signal is what the kernels see, from the next step until released: with the gain
 * pinned to 0, S->M.u never recovers, so every u is 0.5 times a power of 0.9 (one factor per
 * spike delivered); unpinned (the computed 1.0), it recovers between spikes. */
START_TEST(test_signal_pinned)
{
    axon_sim *a = api_sim(), *b = api_sim();
    double g;
    ck_assert_int_eq(axon_sim_set_signal(b, "gain", 0), AXON_OK);
    ck_assert_int_eq(axon_sim_signal(b, "gain", &g), AXON_OK);
    ck_assert(g == 0);
    ck_assert_int_eq(axon_sim_step(a, 40, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_step(b, 40, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_signal(a, "gain", &g), AXON_OK);
    ck_assert(g == 1);
    const double *ua = axon_sim_proj_data(a, 0, 1), *ub = axon_sim_proj_data(b, 0, 1);
    int depressed = 0;
    for (int k = 0; k < 12; k++) {
        double m = log(ub[k] / 0.5) / log(0.9);
        ck_assert_msg(fabs(m - round(m)) < 1e-9, "u[%d] = %.17g recovered with the gain at 0", k,
                      ub[k]);
        if (m > 0.5) {
            depressed++;
            ck_assert_msg(ua[k] > ub[k], "u[%d]: %g unpinned, %g pinned", k, ua[k], ub[k]);
        }
    }
    ck_assert_msg(depressed >= 3, "only %d synapses saw spikes: the test says nothing", depressed);
    /* released: the computed value again, from the next step */
    ck_assert_int_eq(axon_sim_release_signal(b, "gain"), AXON_OK);
    ck_assert_int_eq(axon_sim_step(b, 1, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_signal(b, "gain", &g), AXON_OK);
    ck_assert(g == 1);
    double before = ub[11];
    ck_assert_int_eq(axon_sim_step(b, 1, NULL, NULL), AXON_OK);
    ck_assert_msg(ub[11] > before || ub[11] < before * 0.95, "u[11] did not recover: %g", ub[11]);
    axon_sim_free(a);
    axon_sim_free(b);
}
END_TEST

/* M is silent on its own before S's spikes arrive: pushed spikes appear in the very next step,
 * once each, in index order, without touching the neurons' state, and are delivered onwards. */
START_TEST(test_push_spikes)
{
    axon_sim *a = api_sim(), *b = api_sim();
    ck_assert_int_eq(axon_sim_push_spikes(a, 1, (const uint32_t[]){2, 0, 2}, 3), AXON_OK);
    ck_assert_int_eq(axon_sim_push_spikes(b, 1, (const uint32_t[]){0}, 1), AXON_OK);
    ck_assert_int_eq(axon_sim_push_spikes(b, 1, (const uint32_t[]){2}, 1), AXON_OK);
    double v0[3];
    ck_assert_int_eq(axon_sim_get_values(a, "M.v", NULL, 3, v0, NULL), AXON_OK);
    for (int k = 0; k < 2; k++) {
        axon_sim *s = k ? b : a;
        ck_assert_int_eq(axon_sim_step(s, 1, NULL, NULL), AXON_OK);
        const uint32_t *idx;
        size_t n;
        ck_assert_int_eq(axon_sim_step_spikes(s, 1, &idx, &n), AXON_OK);
        ck_assert_uint_eq(n, 2);
        ck_assert_uint_eq(idx[0], 0);
        ck_assert_uint_eq(idx[1], 2);
        ck_assert_uint_eq(axon_sim_spike_count(s, 1), 2);
        const double *t;
        ck_assert_int_eq(axon_sim_spikes(s, 1, &t, &idx, &n), AXON_OK);
        ck_assert_uint_eq(n, 2);
        ck_assert(t[0] == API_DT && t[1] == API_DT);
        /* one step later: nothing pushed any more */
        ck_assert_int_eq(axon_sim_step(s, 1, NULL, NULL), AXON_OK);
        ck_assert_int_eq(axon_sim_step_spikes(s, 1, &idx, &n), AXON_OK);
        ck_assert_uint_eq(n, 0);
    }
    double va[3], vb[3];
    ck_assert_int_eq(axon_sim_get_values(a, "M.v", NULL, 3, va, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_get_values(b, "M.v", NULL, 3, vb, NULL), AXON_OK);
    ck_assert_mem_eq(va, vb, sizeof va); /* the order of the pushes does not matter */
    ck_assert_mem_eq(va, v0, sizeof va); /* and they do not touch the state */
    /* a pushed spike of S is delivered through S->M (delay 1): M.g of every target rises */
    axon_sim_free(b);
    b = api_sim();
    ck_assert_int_eq(axon_sim_push_spikes(b, 0, (const uint32_t[]){0}, 1), AXON_OK);
    ck_assert_int_eq(axon_sim_step(b, 2, NULL, NULL), AXON_OK);
    double g[3];
    ck_assert_int_eq(axon_sim_get_values(b, "M.g", NULL, 3, g, "nS"), AXON_OK);
    for (int j = 0; j < 3; j++)
        ck_assert_msg(g[j] > 0.09, "M.g[%d] = %g nS", j, g[j]);
    /* misuse: nothing pushed */
    stale(b);
    ck_assert_int_eq(axon_sim_push_spikes(b, 1, (const uint32_t[]){0, 3}, 2), AXON_EINVAL);
    FRESH(b, "push out of range");
    stale(b);
    ck_assert_int_eq(axon_sim_push_spikes(b, 5, (const uint32_t[]){0}, 1), AXON_EINVAL);
    FRESH(b, "push bad pop");
    stale(b);
    ck_assert_int_eq(axon_sim_push_spikes(b, 1, NULL, 1), AXON_EINVAL);
    FRESH(b, "push NULL");
    ck_assert_int_eq(axon_sim_push_spikes(NULL, 1, NULL, 0), AXON_EINVAL);
    uint64_t c = axon_sim_spike_count(b, 1);
    ck_assert_int_eq(axon_sim_step(b, 1, NULL, NULL), AXON_OK);
    const uint32_t *idx;
    size_t n;
    ck_assert_int_eq(axon_sim_step_spikes(b, 1, &idx, &n), AXON_OK);
    ck_assert_uint_eq(axon_sim_spike_count(b, 1), c + n);
    for (size_t k = 0; k < n; k++)
        ck_assert_uint_ne(idx[k], 0); /* the refused push left nothing behind */
    axon_sim_free(a);
    axon_sim_free(b);
}
END_TEST

/* Units as compiled models write them: products of base units. */
START_TEST(test_units)
{
    static const axon_var_desc volts[] = {
        {"v", "kg*m^2*s^-3*A^-1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
        {"I", "A", AXON_VAR_INPUT, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
        {"I_bias", "A", AXON_VAR_PARAM, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
    };
    axon_pop_desc pops[2] = {api_pops[0], api_pops[1]};
    pops[0].vars = volts;
    axon_model_desc m = api_model;
    m.pops = pops;
    axon_sim *s = api_sim_with(&m, 1, 1);
    ck_assert_int_eq(axon_sim_set_values(s, "S.v", NULL, 1, (const double[]){-65}, "mV"), AXON_OK);
    double v;
    ck_assert_int_eq(axon_sim_get_values(s, "S.v", NULL, 1, &v, NULL), AXON_OK);
    ck_assert(fabs(v + 0.065) < 1e-15);
    ck_assert_int_eq(axon_sim_get_values(s, "S.v", NULL, 1, &v, "V"), AXON_OK);
    ck_assert(fabs(v + 0.065) < 1e-15);
    ck_assert_int_eq(axon_sim_get_values(s, "S.v", NULL, 1, &v, "m^2*kg*s^-3*A^-1"), AXON_OK);
    ck_assert(fabs(v + 0.065) < 1e-15);
    ck_assert_int_eq(axon_sim_get_values(s, "S.v", NULL, 1, &v, "\xc2\xb5V"), AXON_OK);
    ck_assert(fabs(v + 65000) < 1e-9);
    stale(s);
    ck_assert_int_eq(axon_sim_get_values(s, "S.v", NULL, 1, &v, "nA"), AXON_EINVAL);
    FRESH(s, "a voltage in nA");
    ck_assert_msg(strstr(axon_sim_error(s), "V (kg*m^2*s^-3*A^-1)"), "%s", axon_sim_error(s));
    stale(s);
    ck_assert_int_eq(axon_sim_get_values(s, "S.v", NULL, 1, &v, "mV2"), AXON_EINVAL);
    FRESH(s, "not a unit");
    ck_assert_int_eq(axon_sim_inject(s, "S.I", NULL, (const double[]){1, 2, 3, 4}, 4, "pA"),
                     AXON_OK);
    /* conductances, resistances, times, frequencies */
    ck_assert_int_eq(axon_sim_get_values(s, "M.g", NULL, 1, &v, "nS"), AXON_OK);
    stale(s);
    ck_assert_int_eq(axon_sim_get_values(s, "M.g", NULL, 1, &v, "Mohm"), AXON_EINVAL);
    FRESH(s, "a conductance in Mohm");
    axon_sim_free(s);
}
END_TEST

/* ---- records of any synapse variable */

static axon_tensor *read_rec(const char *dir, const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    axon_tensor *t = NULL;
    axon_err err = {{0}};
    ck_assert_msg(axon_npy_read(path, &t, &err) == AXON_OK, "%s", err.msg);
    return t;
}

START_TEST(test_synapse_records)
{
    axon_sim *s = api_sim();
    ck_assert_int_eq(axon_sim_run(s, 0.030, NULL, NULL), AXON_OK);
    char dir[] = "/tmp/axon_api_synXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    axon_err err = {{0}};
    ck_assert_msg(axon_sim_write(s, dir, &err) == AXON_OK, "%s", err.msg);
    axon_tensor *u = read_rec(dir, "S->M.u.npy"), *tr = read_rec(dir, "S->M.tr.npy");
    ck_assert_int_eq(u->ndim, 2);
    ck_assert_uint_eq(u->shape[0], 10);
    ck_assert_uint_eq(u->shape[1], 2);
    ck_assert_uint_eq(tr->shape[0], 30);
    ck_assert_uint_eq(tr->shape[1], 4);
    /* the last samples are the live values: u of synapses 9 and 11, tr of every S neuron */
    const double *ul = axon_sim_proj_data(s, 0, 1), *trl = axon_sim_proj_data(s, 0, 2);
    const double *ur = u->data, *trr = tr->data;
    ck_assert(ur[9 * 2 + 0] == ul[9] && ur[9 * 2 + 1] == ul[11]);
    for (int i = 0; i < 4; i++)
        ck_assert(trr[29 * 4 + i] == trl[i]);
    ck_assert_msg(trl[3] > 0, "S[3] never spiked: the trace test says nothing");
    ck_assert(ur[0] != ur[9 * 2]); /* u moved */
    axon_tensor_free(u);
    axon_tensor_free(tr);
    remove_tree(dir);
    axon_sim_free(s);
    /* a subset outside the per-neuron variable's population is refused */
    static const uint32_t far[] = {4};
    axon_record_desc recs[] = {{AXON_REC_WEIGHTS, 0, 2, 1, far, 1}};
    axon_model_desc m = api_model;
    m.records = recs;
    m.nrecords = 1;
    ck_assert_ptr_null(axon_sim_new(&m, NULL, &err));
    ck_assert_msg(strstr(err.msg, "neuron 4 is outside 'tr'"), "%s", err.msg);
}
END_TEST

/* ---- checkpoints */

static axon_sim *api_sim_with(const axon_model_desc *m, uint64_t seed, int threads)
{
    axon_err err = {{0}};
    axon_sim *s = axon_sim_new(m, &(axon_opts){.seed = seed, .threads = threads}, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    axon_sim_set_grain(s, 1); /* every phase in parallel when threads > 1 */
    return s;
}

/* Closed-loop input for checkpoint tests: a held injection and pending pushed spikes. */
static void drive(axon_sim *s)
{
    ck_assert_int_eq(
        axon_sim_inject(s, "S.I", (const uint32_t[]){0, 2}, (const double[]){0.4, 0.2}, 2, "nA"),
        AXON_OK);
    ck_assert_int_eq(axon_sim_push_spikes(s, 1, (const uint32_t[]){1}, 1), AXON_OK);
    ck_assert_int_eq(axon_sim_set_signal(s, "gain", 0.5), AXON_OK);
}

/* The files of two recording directories are identical. */
static void same_recordings(axon_sim *a, axon_sim *b)
{
    char da[] = "/tmp/axon_api_ckaXXXXXX", db[] = "/tmp/axon_api_ckbXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(da));
    ck_assert_ptr_nonnull(mkdtemp(db));
    axon_err err = {{0}};
    ck_assert_msg(axon_sim_write(a, da, &err) == AXON_OK, "%s", err.msg);
    ck_assert_msg(axon_sim_write(b, db, &err) == AXON_OK, "%s", err.msg);
    DIR *d = opendir(da);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    int files = 0;
    while ((e = readdir(d))) {
        if (!strstr(e->d_name, ".npy"))
            continue;
        char pa[512], pb[512];
        snprintf(pa, sizeof pa, "%s/%s", da, e->d_name);
        snprintf(pb, sizeof pb, "%s/%s", db, e->d_name);
        FILE *fa = fopen(pa, "rb"), *fb = fopen(pb, "rb");
        ck_assert_msg(fa && fb, "%s missing", e->d_name);
        int ca, cb;
        do {
            ca = fgetc(fa);
            cb = fgetc(fb);
            ck_assert_msg(ca == cb, "%s differs", e->d_name);
        } while (ca != EOF);
        fclose(fa);
        fclose(fb);
        files++;
    }
    closedir(d);
    ck_assert_int_ge(files, 14);
    remove_tree(da);
    remove_tree(db);
}

/* Every variable of every population and projection is equal. */
static void same_state(axon_sim *a, axon_sim *b)
{
    const axon_model_desc *m = axon_sim_model(a);
    ck_assert_uint_eq(axon_sim_steps(a), axon_sim_steps(b));
    for (uint32_t i = 0; i < m->npops; i++)
        for (uint32_t v = 0; v < m->pops[i].nvars; v++)
            ck_assert_msg(!memcmp(axon_sim_pop_data(a, (int)i, (int)v),
                                  axon_sim_pop_data(b, (int)i, (int)v), m->pops[i].size * 8),
                          "%s.%s differs", m->pops[i].name, m->pops[i].vars[v].name);
    for (uint32_t q = 0; q < m->nprojs; q++)
        for (uint32_t v = 0; v < m->projs[q].nvars; v++) {
            axon_var_info vi;
            char path[64];
            snprintf(path, sizeof path, "%s.%s", m->projs[q].name, m->projs[q].vars[v].name);
            ck_assert_int_eq(axon_sim_var_info(a, path, &vi), AXON_OK);
            ck_assert_msg(!memcmp(axon_sim_proj_data(a, (int)q, (int)v),
                                  axon_sim_proj_data(b, (int)q, (int)v), vi.size * 8),
                          "%s differs", path);
        }
}

START_TEST(test_checkpoint_continues)
{
    /* a: 37 steps, checkpoint, 80 more; b (2 threads, another seed): restore, 80 steps */
    axon_sim *a = api_sim_with(&api_model, 3, 1);
    drive(a);
    ck_assert_int_eq(axon_sim_step(a, 37, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_push_spikes(a, 0, (const uint32_t[]){1}, 1), AXON_OK); /* pending */
    size_t need = axon_sim_checkpoint_size(a), used = 0;
    ck_assert_uint_gt(need, 128);
    ck_assert_int_eq(axon_sim_checkpoint_mem(a, NULL, 0, &used), AXON_ERANGE);
    ck_assert_uint_eq(used, need);
    unsigned char *buf = malloc(need);
    ck_assert_int_eq(axon_sim_checkpoint_mem(a, buf, need - 1, NULL), AXON_ERANGE);
    ck_assert_int_eq(axon_sim_checkpoint_mem(a, buf, need, &used), AXON_OK);
    ck_assert_uint_eq(used, need);
    ck_assert_int_eq(axon_sim_step(a, 80, NULL, NULL), AXON_OK);

    axon_sim *b = api_sim_with(&api_model, 99, 2);
    ck_assert_int_eq(axon_sim_run(b, 0.005, NULL, NULL), AXON_OK); /* state to be replaced */
    ck_assert_msg(axon_sim_restore_mem(b, buf, need) == AXON_OK, "%s", axon_sim_error(b));
    ck_assert_uint_eq(axon_sim_steps(b), 37);
    double g;
    ck_assert_int_eq(axon_sim_signal(b, "gain", &g), AXON_OK);
    ck_assert(g == 0.5);
    ck_assert_int_eq(axon_sim_step(b, 80, NULL, NULL), AXON_OK);
    same_state(a, b);
    same_recordings(a, b);

    /* through a file, and its header */
    char path[] = "/tmp/axon_api_ckptXXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_msg(axon_sim_checkpoint(a, path) == AXON_OK, "%s", axon_sim_error(a));
    axon_checkpoint_info info;
    axon_err err = {{0}};
    ck_assert_msg(axon_checkpoint_read_info(path, &info, &err) == AXON_OK, "%s", err.msg);
    ck_assert_str_eq(info.model, "api");
    ck_assert_uint_eq(info.step, 117);
    ck_assert_uint_eq(info.seed, 3);
    ck_assert_uint_eq(info.precision, 8);
    ck_assert_uint_eq(info.abi, AXON_ABI_VERSION);
    ck_assert(info.dt == API_DT);
    axon_sim *c = api_sim_with(&api_model, 3, 1);
    ck_assert_msg(axon_sim_restore(c, path) == AXON_OK, "%s", axon_sim_error(c));
    ck_assert_int_eq(axon_sim_step(a, 20, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_step(c, 20, NULL, NULL), AXON_OK);
    same_state(a, c);
    same_recordings(a, c);
    /* cut short (its first half): refused as the restore refuses it, not read for its seed */
    struct stat cst;
    ck_assert_int_eq(stat(path, &cst), 0);
    ck_assert_int_eq(truncate(path, cst.st_size / 2), 0);
    ck_assert_int_eq(axon_checkpoint_read_info(path, &info, &err), AXON_EFORMAT);
    ck_assert_msg(strstr(err.msg, "truncated"), "%s", err.msg);
    unlink(path);
    stale(c);
    ck_assert_int_eq(axon_sim_restore(c, path), AXON_EIO);
    FRESH(c, "restore a missing file");
    stale(c);
    /* a directory opens but cannot be read: the message gives the reason */
    ck_assert_int_eq(axon_sim_restore(c, "/"), AXON_EIO);
    ck_assert_msg(strstr(axon_sim_error(c), "Is a directory"), "%s", axon_sim_error(c));
    stale(c);
    ck_assert_int_eq(axon_sim_checkpoint(c, "/nonexistent/dir/ck"), AXON_EIO);
    FRESH(c, "checkpoint into a missing directory");
    ck_assert_int_eq(axon_checkpoint_read_info(path, &info, &err), AXON_EIO);
    ck_assert_int_eq(axon_checkpoint_read_info(NULL, &info, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_checkpoint(NULL, path), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_restore(NULL, path), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_restore_mem(NULL, buf, need), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_checkpoint_mem(NULL, buf, need, NULL), AXON_EINVAL);
    ck_assert_uint_eq(axon_sim_checkpoint_size(NULL), 0);
    stale(c);
    ck_assert_int_eq(axon_sim_restore_mem(c, NULL, 10), AXON_EINVAL);
    FRESH(c, "restore_mem NULL");
    free(buf);
    axon_sim_free(a);
    axon_sim_free(b);
    axon_sim_free(c);
}
END_TEST

/* A step callback may checkpoint; restoring from one is refused. */
static int ck_from_callback(axon_sim *s, void *user)
{
    unsigned char **buf = user;
    size_t n = axon_sim_checkpoint_size(s);
    *buf = malloc(n);
    ck_assert_int_eq(axon_sim_checkpoint_mem(s, *buf, n, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_restore_mem(s, *buf, n), AXON_EINVAL);
    return 1;
}

START_TEST(test_checkpoint_in_callback)
{
    axon_sim *a = api_sim(), *b = api_sim();
    unsigned char *buf = NULL;
    ck_assert_int_eq(axon_sim_step(a, 10, ck_from_callback, &buf), AXON_OK);
    ck_assert_uint_eq(axon_sim_steps(a), 1);
    ck_assert_int_eq(axon_sim_restore_mem(b, buf, axon_sim_checkpoint_size(a)), AXON_OK);
    ck_assert_int_eq(axon_sim_step(a, 30, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_step(b, 30, NULL, NULL), AXON_OK);
    same_state(a, b);
    free(buf);
    axon_sim_free(a);
    axon_sim_free(b);
}
END_TEST

/* Checks that s is still the simulation it was: step count and S.v. */
static void untouched(axon_sim *s, uint64_t steps, const double *v)
{
    ck_assert_uint_eq(axon_sim_steps(s), steps);
    ck_assert_mem_eq(axon_sim_pop_data(s, 0, 0), v, 4 * sizeof *v);
}

/* Every truncation and every flipped byte of a checkpoint is a clear error (AXON_EFORMAT with
 * a message), never a crash, and leaves the simulation as it was. */
START_TEST(test_checkpoint_damaged)
{
    axon_sim *a = api_sim();
    drive(a);
    ck_assert_int_eq(axon_sim_step(a, 23, NULL, NULL), AXON_OK);
    size_t n = axon_sim_checkpoint_size(a);
    unsigned char *buf = malloc(n);
    ck_assert_int_eq(axon_sim_checkpoint_mem(a, buf, n, NULL), AXON_OK);
    axon_sim *b = api_sim();
    ck_assert_int_eq(axon_sim_step(b, 5, NULL, NULL), AXON_OK);
    double v[4];
    memcpy(v, axon_sim_pop_data(b, 0, 0), sizeof v);
    for (size_t len = 0; len < n; len++) {
        stale(b);
        ck_assert_int_eq(axon_sim_restore_mem(b, buf, len), AXON_EFORMAT);
        FRESH(b, "truncated");
        if (len > 8)
            ck_assert_msg(strstr(axon_sim_error(b), "truncated"), "%zu: %s", len,
                          axon_sim_error(b));
        untouched(b, 5, v);
    }
    for (size_t k = 0; k < n; k++)
        for (int bit = 0; bit < 8; bit += 7) {
            buf[k] ^= (unsigned char)(1u << bit);
            stale(b);
            ck_assert_msg(axon_sim_restore_mem(b, buf, n) == AXON_EFORMAT, "byte %zu", k);
            FRESH(b, "flipped");
            untouched(b, 5, v);
            buf[k] ^= (unsigned char)(1u << bit);
        }
    /* one byte more */
    unsigned char *longer = malloc(n + 1);
    memcpy(longer, buf, n);
    longer[n] = 0;
    ck_assert_int_eq(axon_sim_restore_mem(b, longer, n + 1), AXON_EFORMAT);
    free(longer);
    /* foreign: another format version, the other byte order (header words after the magic) */
    uint32_t word, keep;
    memcpy(&keep, buf + 8, 4);
    word = keep + 1;
    memcpy(buf + 8, &word, 4);
    ck_assert_int_eq(axon_sim_restore_mem(b, buf, n), AXON_EFORMAT);
    ck_assert_msg(strstr(axon_sim_error(b), "checkpoint format version"), "%s", axon_sim_error(b));
    memcpy(buf + 8, &keep, 4);
    memcpy(&keep, buf + 12, 4);
    word = __builtin_bswap32(keep);
    memcpy(buf + 12, &word, 4);
    ck_assert_int_eq(axon_sim_restore_mem(b, buf, n), AXON_EFORMAT);
    ck_assert_msg(strstr(axon_sim_error(b), "other byte order"), "%s", axon_sim_error(b));
    memcpy(buf + 12, &keep, 4);
    untouched(b, 5, v);
    /* not a checkpoint at all */
    ck_assert_int_eq(axon_sim_restore_mem(b, "hello, world", 12), AXON_EFORMAT);
    ck_assert_msg(strstr(axon_sim_error(b), "not an Axon checkpoint"), "%s", axon_sim_error(b));
    /* intact, it restores */
    ck_assert_int_eq(axon_sim_restore_mem(b, buf, n), AXON_OK);
    ck_assert_uint_eq(axon_sim_steps(b), 23);
    free(buf);
    axon_sim_free(a);
    axon_sim_free(b);
}
END_TEST

/* The checksum of checkpoint.c, to forge checkpoints whose payload is wrong but checksummed. */
static uint64_t forge_sum(const unsigned char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL, w;
    size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        memcpy(&w, p + k, 8);
        h = (((h << 5) | (h >> 59)) ^ w) * 0x100000001b3ULL;
    }
    w = 0;
    memcpy(&w, p + k, n - k);
    h = (((h << 5) | (h >> 59)) ^ w) * 0x100000001b3ULL;
    return (((h << 5) | (h >> 59)) ^ (uint64_t)(n - k)) * 0x100000001b3ULL;
}

/* A payload changed behind a valid checksum (a buggy or hostile writer) is parsed safely:
 * it restores or it is refused, and nothing crashes (run under valgrind or ASan to see). */
START_TEST(test_checkpoint_forged)
{
    axon_sim *a = api_sim();
    drive(a);
    ck_assert_int_eq(axon_sim_step(a, 23, NULL, NULL), AXON_OK);
    size_t n = axon_sim_checkpoint_size(a);
    unsigned char *buf = malloc(n);
    ck_assert_int_eq(axon_sim_checkpoint_mem(a, buf, n, NULL), AXON_OK);
    uint64_t sum = forge_sum(buf, n - 8);
    ck_assert_mem_eq(&sum, buf + n - 8, 8); /* the test's copy of the checksum is right */
    axon_sim *b = api_sim();
    int refused = 0;
    for (size_t k = 128; k + 8 < n; k++) {
        unsigned char old = buf[k];
        buf[k] ^= 0xA5;
        sum = forge_sum(buf, n - 8);
        memcpy(buf + n - 8, &sum, 8);
        axon_status st = axon_sim_restore_mem(b, buf, n);
        ck_assert(st == AXON_OK || st == AXON_EFORMAT);
        refused += st != AXON_OK;
        buf[k] = old;
    }
    ck_assert_int_gt(refused, 0);
    free(buf);
    axon_sim_free(a);
    axon_sim_free(b);
}
END_TEST

/* A checkpoint that an Axon of another model ABI wrote (ABI 11 stores some arrays in other
 * element types, so one of ABI 10 cannot be read as this one's): refused, and the message says
 * so rather than that the model differs. ABI 12 and 13 changed the layout in memory only (a
 * checkpoint holds each variable as one array), and ABI 14 removed a variable from models
 * whose postsynaptic traces it advances every step (their fingerprint differs: this model has
 * none), so ABI 11's, 12's and 13's checkpoints are this one's bytes and restore. */
START_TEST(test_checkpoint_old_abi)
{
    axon_sim *a = api_sim();
    ck_assert_int_eq(axon_sim_step(a, 7, NULL, NULL), AXON_OK);
    size_t n = axon_sim_checkpoint_size(a);
    unsigned char *buf = malloc(n);
    ck_assert_int_eq(axon_sim_checkpoint_mem(a, buf, n, NULL), AXON_OK);
    uint32_t abi; /* the header: magic, version, byte order, ABI */
    memcpy(&abi, buf + 16, 4);
    ck_assert_uint_eq(abi, AXON_ABI_VERSION);
    ck_assert_int_eq(AXON_ABI_VERSION, 14); /* (the cases below are 14's) */
    for (uint32_t old = 10; old <= 13; old++) {
        memcpy(buf + 16, &old, 4);
        uint64_t sum = forge_sum(buf, n - 8);
        memcpy(buf + n - 8, &sum, 8);
        axon_sim *b = api_sim();
        if (old >= 11) {
            ck_assert_msg(axon_sim_restore_mem(b, buf, n) == AXON_OK, "%s", axon_sim_error(b));
            ck_assert_uint_eq(axon_sim_steps(b), 7);
            axon_sim_free(b);
            continue;
        }
        ck_assert_int_eq(axon_sim_restore_mem(b, buf, n), AXON_EFORMAT);
        char want[64];
        snprintf(want, sizeof want, "model ABI %u", old);
        ck_assert_msg(strstr(axon_sim_error(b), want), "%s", axon_sim_error(b));
        ck_assert_msg(!strstr(axon_sim_error(b), "differs from this simulation's model"), "%s",
                      axon_sim_error(b));
        ck_assert_uint_eq(axon_sim_steps(b), 0);
        axon_sim_free(b);
    }
    free(buf);
    axon_sim_free(a);
}
END_TEST

/* A checkpoint of another model, or of the same model with other connectivity. */
START_TEST(test_checkpoint_foreign)
{
    axon_sim *a = api_sim();
    size_t n = axon_sim_checkpoint_size(a);
    unsigned char *buf = malloc(n);
    ck_assert_int_eq(axon_sim_checkpoint_mem(a, buf, n, NULL), AXON_OK);
    axon_pop_desc pops[2] = {api_pops[0], api_pops[1]};
    pops[1].size = 5;
    axon_model_desc other = api_model;
    other.pops = pops;
    axon_sim *b = api_sim_with(&other, 3, 1);
    ck_assert_int_eq(axon_sim_restore_mem(b, buf, n), AXON_EFORMAT);
    ck_assert_msg(strstr(axon_sim_error(b), "differs from this simulation's model"), "%s",
                  axon_sim_error(b));
    axon_sim_free(b);
    free(buf);
    axon_sim_free(a);
    /* random connectivity: another seed builds other synapses */
    axon_proj_desc projs[1] = {api_projs[0]};
    projs[0].connector = AXON_CONN_RANDOM;
    projs[0].p = 0.5;
    axon_model_desc rnd = api_model;
    rnd.projs = projs;
    rnd.nrecords = 4; /* not the weight records, whose size depends on the synapses */
    a = api_sim_with(&rnd, 3, 1);
    ck_assert_int_eq(axon_sim_step(a, 10, NULL, NULL), AXON_OK);
    n = axon_sim_checkpoint_size(a);
    buf = malloc(n);
    ck_assert_int_eq(axon_sim_checkpoint_mem(a, buf, n, NULL), AXON_OK);
    b = api_sim_with(&rnd, 4, 1);
    {
        axon_status st = axon_sim_restore_mem(b, buf, n);
        char msg[256];
        snprintf(msg, sizeof msg, "%s", axon_sim_error(b));
        const uint64_t *ra, *rb;
        const uint32_t *pa, *pb;
        ck_assert_int_eq(axon_sim_connectivity(a, 0, &ra, &pa), AXON_OK);
        ck_assert_int_eq(axon_sim_connectivity(b, 0, &rb, &pb), AXON_OK);
        int same = axon_sim_synapse_count(a, 0) == axon_sim_synapse_count(b, 0) &&
                   !memcmp(ra, rb, 5 * sizeof *ra) &&
                   !memcmp(pa, pb, axon_sim_synapse_count(a, 0) * sizeof *pa);
        ck_assert_int_eq(st, same ? AXON_OK : AXON_EFORMAT);
        ck_assert_msg(!same, "seeds 3 and 4 made the same synapses: the test says nothing");
        ck_assert_msg(strstr(msg, "seed"), "%s", msg);
    }
    axon_sim_free(b);
    /* the checkpoint's seed, read from its header, builds the same synapses */
    b = api_sim_with(&rnd, 3, 2);
    ck_assert_int_eq(axon_sim_restore_mem(b, buf, n), AXON_OK);
    ck_assert_int_eq(axon_sim_step(a, 30, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_step(b, 30, NULL, NULL), AXON_OK);
    same_state(a, b);
    free(buf);
    axon_sim_free(a);
    axon_sim_free(b);
}
END_TEST

/* ---- state, parameters and weights */

START_TEST(test_values)
{
    axon_sim *s = api_sim();
    axon_var_info vi;
    ck_assert_int_eq(axon_sim_var_info(s, "S.I_bias", &vi), AXON_OK);
    ck_assert_str_eq(vi.name, "I_bias");
    ck_assert_str_eq(vi.unit, "A");
    ck_assert_int_eq(vi.kind, AXON_VAR_PARAM);
    ck_assert_int_eq(vi.synapse, 0);
    ck_assert_int_eq(vi.owner, 0);
    ck_assert_int_eq(vi.var, 2);
    ck_assert_uint_eq(vi.size, 4);
    ck_assert_int_eq(axon_sim_var_info(s, "S->M.tr", &vi), AXON_OK);
    ck_assert_int_eq(vi.synapse, 1);
    ck_assert_int_eq(vi.kind, AXON_VAR_PER_PRE);
    ck_assert_uint_eq(vi.size, 4);
    ck_assert_int_eq(axon_sim_var_info(s, "S->M.w", &vi), AXON_OK);
    ck_assert_uint_eq(vi.size, 12);
    /* a per-neuron parameter in nA */
    double bias[4];
    ck_assert_int_eq(axon_sim_get_values(s, "S.I_bias", NULL, 4, bias, "nA"), AXON_OK);
    for (int i = 0; i < 4; i++)
        ck_assert_msg(fabs(bias[i] - 0.1 * i) < 1e-12, "%g", bias[i]);
    ck_assert_int_eq(
        axon_sim_set_values(s, "S.I_bias", (const uint32_t[]){2}, 1, (const double[]){500}, "pA"),
        AXON_OK);
    double *raw = axon_sim_pop_data(s, 0, 2);
    ck_assert_ptr_nonnull(raw);
    ck_assert(fabs(raw[2] - 0.5e-9) < 1e-24);
    /* a weight, found by its endpoints */
    int64_t k = axon_sim_synapse_index(s, 0, 2, 1);
    ck_assert_int_eq(k, 2 * 3 + 1);
    double w;
    ck_assert_int_eq(axon_sim_get_values(s, "S->M.w", (const uint32_t[]){(uint32_t)k}, 1, &w, "nS"),
                     AXON_OK);
    ck_assert_msg(fabs(w - (0.2 * 3 + 0.01)) < 1e-12, "%g", w);
    ck_assert_int_eq(axon_sim_set_values(s, "S->M.w", (const uint32_t[]){(uint32_t)k}, 1,
                                         (const double[]){4}, "nS"),
                     AXON_OK);
    double *wraw = axon_sim_proj_data(s, 0, 0);
    ck_assert(fabs(wraw[k] - 4e-9) < 1e-24);
    /* dimensionless: only the unit "1" (or none) */
    ck_assert_int_eq(axon_sim_set_values(s, "S->M.u", NULL, 1, (const double[]){0.25}, "1"),
                     AXON_OK);
    /* misuse: nothing changes */
    stale(s);
    ck_assert_int_eq(axon_sim_set_values(s, "S->M.u", NULL, 1, (const double[]){0.3}, "m1"),
                     AXON_EINVAL);
    FRESH(s, "prefixed dimensionless");
    stale(s);
    ck_assert_int_eq(axon_sim_set_values(s, "S.v", NULL, 5, (const double[]){1, 1, 1, 1, 1}, NULL),
                     AXON_EINVAL);
    FRESH(s, "set 5 of 4");
    stale(s);
    ck_assert_int_eq(
        axon_sim_set_values(s, "S.v", (const uint32_t[]){0, 9}, 2, (const double[]){7, 7}, NULL),
        AXON_EINVAL);
    FRESH(s, "set out of range");
    double v0;
    ck_assert_int_eq(axon_sim_get_values(s, "S.v", NULL, 1, &v0, NULL), AXON_OK);
    ck_assert(v0 != 7); /* the first, valid index was not written either */
    stale(s);
    ck_assert_int_eq(axon_sim_set_values(s, "S.v", NULL, 1, (const double[]){INFINITY}, NULL),
                     AXON_EINVAL);
    FRESH(s, "set inf");
    stale(s);
    ck_assert_int_eq(axon_sim_get_values(s, "S.v", NULL, 1, NULL, NULL), AXON_EINVAL);
    FRESH(s, "get NULL out");
    stale(s);
    ck_assert_int_eq(axon_sim_get_values(s, "S.zz", NULL, 1, &v0, NULL), AXON_EINVAL);
    FRESH(s, "get S.zz");
    stale(s);
    ck_assert_int_eq(axon_sim_get_values(s, "Q.v", NULL, 1, &v0, NULL), AXON_EINVAL);
    FRESH(s, "get Q.v");
    stale(s);
    ck_assert_int_eq(axon_sim_var_info(s, "S.v", NULL), AXON_EINVAL);
    FRESH(s, "var_info NULL");
    stale(s);
    ck_assert_ptr_null(axon_sim_pop_data(s, 0, 3));
    FRESH(s, "pop_data bad var");
    stale(s);
    ck_assert_ptr_null(axon_sim_pop_data(s, 2, 0));
    FRESH(s, "pop_data bad pop");
    stale(s);
    ck_assert_ptr_null(axon_sim_proj_data(s, 0, 3));
    FRESH(s, "proj_data bad var");
    stale(s);
    ck_assert_int_eq(axon_sim_synapse_index(s, 0, 4, 0), -1);
    FRESH(s, "synapse_index out of range");
    stale(s);
    ck_assert_int_eq(axon_sim_synapse_index(s, 1, 0, 0), -1);
    FRESH(s, "synapse_index bad proj");
    ck_assert_int_eq(axon_sim_var_info(NULL, "S.v", &vi), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_get_values(NULL, "S.v", NULL, 1, &v0, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_set_values(NULL, "S.v", NULL, 1, &v0, NULL), AXON_EINVAL);
    ck_assert_ptr_null(axon_sim_pop_data(NULL, 0, 0));
    ck_assert_ptr_null(axon_sim_proj_data(NULL, 0, 0));
    ck_assert_int_eq(axon_sim_synapse_index(NULL, 0, 0, 0), -1);
    axon_sim_free(s);
}
END_TEST

Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = tcase_create("misuse");
    tcase_add_test(tc, test_version);
    tcase_add_test(tc, test_zeroed_arrays);
    tcase_add_test(tc, test_abi_mismatch);
    tcase_add_test(tc, test_model_open_errors);
    tcase_add_test(tc, test_bad_arguments);
    tcase_add_test(tc, test_success_clears);
    suite_add_tcase(s, tc);
    TCase *loop = tcase_create("loop");
    tcase_add_test(loop, test_run_control);
    tcase_add_test(loop, test_spikes_out);
    tcase_add_test(loop, test_inject);
    tcase_add_test(loop, test_push_spikes);
    tcase_add_test(loop, test_signal_pinned);
    tcase_add_test(loop, test_values);
    tcase_add_test(loop, test_units);
    tcase_add_test(loop, test_synapse_records);
    suite_add_tcase(s, loop);
    TCase *ck = tcase_create("checkpoint");
    tcase_set_timeout(ck, 120);
    tcase_add_test(ck, test_checkpoint_continues);
    tcase_add_test(ck, test_checkpoint_in_callback);
    tcase_add_test(ck, test_checkpoint_damaged);
    tcase_add_test(ck, test_checkpoint_forged);
    tcase_add_test(ck, test_checkpoint_old_abi);
    tcase_add_test(ck, test_checkpoint_foreign);
    suite_add_tcase(s, ck);
    return s;
}
