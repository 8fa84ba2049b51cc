/*
 * Misuse of every function libaxonrt exports, one place for all (tests/cli/exports.sh checks
 * that every name `nm -D` lists for libaxonrt.so is called here): NULL handles and bad
 * arguments give a status or a neutral value, never a crash; on a live simulation every
 * failing call leaves its own message for axon_sim_error (never an older call's), and
 * functions that take an axon_err fill it; every axon.h function that can fail leaves "" when
 * it succeeds; and the argument errors no other suite reaches (bad descriptors, a population
 * that does not spike, damaged checkpoint headers, ...). check_api.c and the other suites test
 * what the functions do; this file what they do when misused.
 */
#define _POSIX_C_SOURCE 200809L

#include "check_engine.h"
#include "check_suites.h"

#include <dirent.h>
#include <math.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "axon/analysis.h"
#include "axon/axon.h"
#include "axon/expm.h"
#include "axon/io.h"
#include "axon/rng.h"
#include "axon/tensor.h"

/* ---- a small model: P[4] (v, an input I) -> P all to all (w), spikes recorded, a signal */

static void p_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                     uint32_t e)
{
    (void)ctx;
    double *v = vars[0], *in = vars[1];
    for (uint32_t i = b; i < e; i++) {
        v[i] += 0.3 + in[i] * 1e9;
        fired[i] = v[i] > 1;
        if (fired[i])
            v[i] = 0;
        in[i] = 0;
    }
}

static void w_on_pre(const axon_step_ctx *ctx, void *const *sv, void *const *av, void *const *bv,
                     const uint32_t *post, uint32_t i, uint64_t b, uint64_t e)
{
    (void)ctx, (void)av, (void)i;
    double *w = sv[0], *in = bv[1];
    for (uint64_t k = b; k < e; k++)
        in[post[k]] += w[k];
}

static const axon_var_desc p_vars[] = {{"v", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
                                       {"I", "A", AXON_VAR_INPUT, 0, NULL, AXON_ELEM_REAL, 1, 0, 0}};
static const axon_var_desc w_vars[] = {{"w", "A", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0}};
static const axon_pop_desc m_pops[] = {{"P", "Toy", 4, 2, p_vars, NULL, p_update, 1, 0, NULL}};
static const axon_proj_desc m_projs[] = {{.name = "pp",
                                          .type = "Toy",
                                          .pre = 0,
                                          .post = 0,
                                          .connector = AXON_CONN_ALL,
                                          .delay_steps = 1,
                                          .nvars = 1,
                                          .vars = w_vars,
                                          .on_pre = w_on_pre}};
static const axon_record_desc m_recs[] = {{AXON_REC_SPIKES, 0, 0, 0, NULL, 1}};
static const char *const m_signal_names[] = {"gain"};

static void m_signals(const axon_step_ctx *ctx, double *values)
{
    (void)ctx;
    values[0] = 1.0;
}

static const axon_model_desc misuse_model = {
    .abi = AXON_ABI_VERSION,
    .name = "misuse",
    .precision = 8,
    .dt = 1e-3,
    .npops = 1,
    .pops = m_pops,
    .nprojs = 1,
    .projs = m_projs,
    .nrecords = 1,
    .records = m_recs,
    .nsignals = 1,
    .signal_names = m_signal_names,
    .signals = m_signals,
};

static axon_sim *live(void)
{
    axon_err err = {{0}};
    axon_sim *s = axon_sim_new(&misuse_model, &(axon_opts){.seed = 1}, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    ck_assert_int_eq(axon_sim_run(s, 0.01, NULL, NULL), AXON_OK);
    return s;
}

/* Leaves a known message in s, which the next failing call must replace. */
static void stale(axon_sim *s)
{
    ck_assert_int_eq(axon_sim_set_signal(s, "STALE", 1), AXON_EINVAL);
    ck_assert_ptr_nonnull(strstr(axon_sim_error(s), "STALE"));
}

/* EXPECT(s, call, want): stale message, the call returns want, then a fresh message. */
#define EXPECT(s, call, want)                                                                      \
    do {                                                                                           \
        stale(s);                                                                                  \
        ck_assert_msg((call) == (want), "%s: not %s", #call, #want);                               \
        const char *m_ = axon_sim_error(s);                                                        \
        ck_assert_msg(*m_, "%s: no message", #call);                                               \
        ck_assert_msg(!strstr(m_, "STALE"), "%s: stale message '%s'", #call, m_);                  \
    } while (0)

/* An axon_err with an old message in it: a failing call must write its own. */
#define STALE_ERR(e) snprintf((e).msg, sizeof(e).msg, "STALE")
#define ERR_FRESH(e, call)                                                                         \
    ck_assert_msg((e).msg[0] && strcmp((e).msg, "STALE"), "%s: no message in err", #call)

/* ERRCALL(e, call, want): call (which takes &e) returns want and writes its own message. */
#define ERRCALL(e, call, want)                                                                     \
    do {                                                                                           \
        STALE_ERR(e);                                                                              \
        ck_assert_msg((call) == (want), "%s: not %s", #call, #want);                               \
        ERR_FRESH(e, call);                                                                        \
    } while (0)

/* ---- <axon/axon.h>: a NULL simulation (or handle, or model) */

START_TEST(test_axon_h_null)
{
    axon_sim *n = NULL;
    axon_err err = {{0}};
    axon_tensor t;
    const double *times;
    const uint32_t *idx;
    const uint64_t *row;
    size_t cnt, used;
    double x, total;
    char buf[64];
    axon_var_info vi;
    axon_spike_iter it = {0, 0};
    axon_checkpoint_info info;
    axon_mpi_info mi;
    axon_nonfinite nf;
    uint32_t k = 0;

    ck_assert_ptr_nonnull(axon_version());
    ck_assert_int_gt(axon_version_number(), 0);
    ck_assert_int_gt(axon_abi_version(), 0);
    ERRCALL(err, axon_model_open(NULL, NULL, &err), NULL);
    ck_assert_ptr_null(axon_model_descriptor(NULL));
    axon_model_close(NULL);
    ERRCALL(err, axon_sim_new(NULL, NULL, &err), NULL);
    ck_assert_ptr_null(axon_sim_new(NULL, NULL, NULL));
    ERRCALL(err, axon_sim_new_mpi(NULL, NULL, NULL, &err), NULL);
    ERRCALL(err, axon_sim_new_mpi(&misuse_model, NULL, NULL, &err), NULL);
    memset(&mi, 0xff, sizeof mi);
    axon_sim_mpi_info(n, &mi);
    ck_assert_int_eq(mi.rank, 0);
    ck_assert_int_eq(mi.size, 1); /* one rank, as for axon_sim_new's */
    ck_assert_uint_eq(mi.exchanges, 0);
    ck_assert_uint_eq(mi.gathers, 0); /* nothing to gather on one rank */
    ck_assert(mi.gather_seconds == 0);
    axon_sim_mpi_info(n, NULL);
    axon_sim_free(n);
    ERRCALL(err, axon_model_memory(NULL, 1, NULL, 0, &total, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_run(n, 1, NULL, NULL), AXON_EINVAL);
    axon_sim_stop(n);
    ck_assert_int_eq(axon_sim_set_nonfinite(n, AXON_NONFINITE_WARN), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_nonfinite(n, &nf), 0);
    ck_assert_int_eq(axon_sim_step(n, 1, NULL, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_run_until(n, 1, NULL, NULL), AXON_EINVAL);
    ck_assert_ptr_nonnull(axon_sim_error(n));
    ck_assert_ptr_null(axon_sim_model(n));
    ck_assert(axon_sim_time(n) == 0);
    ck_assert_uint_eq(axon_sim_steps(n), 0);
    ck_assert_int_eq(axon_sim_threads(n), 0);
    axon_sim_set_grain(n, 1);
    ck_assert(axon_sim_wall_seconds(n) == 0);
    ck_assert_int_eq(axon_sim_pop_index(n, "P"), -1);
    ck_assert_int_eq(axon_sim_var(n, "P.v", &t), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_spikes(n, 0, &times, &idx, &cnt), AXON_EINVAL);
    ck_assert_uint_eq(axon_sim_spike_count(n, 0), 0);
    ck_assert_int_eq(axon_sim_proj_index(n, "pp"), -1);
    ck_assert_uint_eq(axon_sim_synapse_count(n, 0), 0);
    ck_assert_uint_eq(axon_sim_active_synapses(n, 0), 0);
    ck_assert(axon_sim_bytes_per_synapse(n, 0) == 0);
    ck_assert_int_eq(axon_sim_connectivity(n, 0, &row, &idx), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_syn_var(n, "pp.w", &t), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_proj_delays(n, 0, &x, &x, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_set_signal(n, "gain", 1), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_release_signal(n, "gain"), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_signal(n, "gain", &x), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_on_spikes(n, 0, NULL, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_step_spikes(n, 0, &idx, &cnt), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_spike_iter(n, 0, 1, &it), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_spike_next(n, &it, &x, &k), 0);
    ck_assert_int_eq(axon_sim_inject(n, "P.I", NULL, NULL, 0, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_push_spikes(n, 0, &k, 1), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_var_info(n, "P.v", &vi), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_get_values(n, "P.v", NULL, 1, &x, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_set_values(n, "P.v", NULL, 1, &x, NULL), AXON_EINVAL);
    ck_assert_ptr_null(axon_sim_pop_data(n, 0, 0));
    ck_assert_ptr_null(axon_sim_proj_data(n, 0, 0));
    ck_assert_int_eq(axon_sim_synapse_index(n, 0, 0, 0), -1);
    ck_assert_int_eq(axon_sim_checkpoint(n, "/tmp/x"), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_restore(n, "/tmp/x"), AXON_EINVAL);
    ck_assert_uint_eq(axon_sim_checkpoint_size(n), 0);
    ck_assert_int_eq(axon_sim_checkpoint_mem(n, buf, sizeof buf, &used), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_restore_mem(n, buf, sizeof buf), AXON_EINVAL);
    ERRCALL(err, axon_checkpoint_read_info(NULL, &info, &err), AXON_EINVAL);
    ck_assert_uint_eq(axon_sim_param_count(n), 0);
    ck_assert_ptr_null(axon_sim_param_desc(n, 0));
    ck_assert_int_eq(axon_sim_param_index(n, "P.x"), -1);
    ck_assert_int_eq(axon_sim_get_param(n, "P.x", &x), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_set_param(n, "P.x", 1, NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_set_param_range(n, "P.x", 0, 1, 1, NULL), AXON_EINVAL);
    ERRCALL(err, axon_sim_write(n, "/tmp/x", &err), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_set_meta(n, "k", "v"), AXON_EINVAL);
    ERRCALL(err, axon_sim_check_output(NULL, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_check_output(NULL, NULL), AXON_EINVAL);
}
END_TEST

/* ---- <axon/axon.h>: bad arguments on a live simulation, each with a fresh message */

START_TEST(test_axon_h_bad_arguments)
{
    axon_sim *s = live();
    axon_err err = {{0}};
    axon_tensor t;
    const double *times;
    const uint32_t *idx;
    const uint64_t *row;
    size_t cnt, used;
    double x = 1, total;
    unsigned char buf[64] = {0};
    axon_var_info vi;
    axon_spike_iter it = {0, 0}, bad_it = {5, 0};
    axon_checkpoint_info info;
    uint32_t k = 99;

    ERRCALL(err, axon_model_open("/nonexistent.so", NULL, &err), NULL);
    axon_model_desc m = misuse_model;
    m.dt = -1;
    ERRCALL(err, axon_sim_new(&m, NULL, &err), NULL);
    ERRCALL(err, axon_sim_new(&misuse_model, &(axon_opts){.threads = -1}, &err), NULL);
    ERRCALL(err, axon_model_memory(&misuse_model, -1, NULL, 0, &total, &err), AXON_EINVAL);
    axon_mem_item items[1];
    ERRCALL(err, axon_model_memory(&misuse_model, 1, items, 1, &total, &err), AXON_ERANGE);
    EXPECT(s, axon_sim_run(s, -1, NULL, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_set_nonfinite(s, 7), AXON_EINVAL);
    EXPECT(s, axon_sim_step(s, UINT64_MAX, NULL, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_run_until(s, NAN, NULL, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_pop_index(s, "nope"), -1);
    EXPECT(s, axon_sim_var(s, "P.nope", &t), AXON_EINVAL);
    EXPECT(s, axon_sim_var(s, "P.v", NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_spikes(s, 1, &times, &idx, &cnt), AXON_EINVAL);
    EXPECT(s, axon_sim_spike_count(s, -1), 0);
    EXPECT(s, axon_sim_proj_index(s, NULL), -1);
    EXPECT(s, axon_sim_synapse_count(s, 1), 0);
    EXPECT(s, axon_sim_active_synapses(s, -1), 0);
    EXPECT(s, axon_sim_bytes_per_synapse(s, -1), 0);
    EXPECT(s, axon_sim_connectivity(s, 1, &row, &idx), AXON_EINVAL);
    EXPECT(s, axon_sim_syn_var(s, "pp.nope", &t), AXON_EINVAL);
    EXPECT(s, axon_sim_proj_delays(s, 1, &x, &x, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_set_signal(s, "gain", NAN), AXON_EINVAL);
    EXPECT(s, axon_sim_release_signal(s, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_signal(s, "nope", &x), AXON_EINVAL);
    EXPECT(s, axon_sim_on_spikes(s, 3, NULL, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_step_spikes(s, -1, &idx, &cnt), AXON_EINVAL);
    EXPECT(s, axon_sim_spike_iter(s, 2, 1, &it), AXON_EINVAL);
    EXPECT(s, axon_sim_spike_next(s, &bad_it, &x, &k), 0);
    EXPECT(s, axon_sim_spike_next(s, NULL, &x, &k), 0);
    EXPECT(s, axon_sim_inject(s, "P.v", &k, &x, 1, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_inject(s, "P.I", &k, &x, 1, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_push_spikes(s, 0, &k, 1), AXON_EINVAL);
    EXPECT(s, axon_sim_var_info(s, "nope", &vi), AXON_EINVAL);
    EXPECT(s, axon_sim_get_values(s, "P.v", &k, 1, &x, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_set_values(s, "P.v", NULL, 1, &x, "mV"), AXON_EINVAL);
    EXPECT(s, axon_sim_pop_data(s, 0, 2), NULL);
    EXPECT(s, axon_sim_proj_data(s, 1, 0), NULL);
    EXPECT(s, axon_sim_synapse_index(s, 0, 9, 0), -1);
    EXPECT(s, axon_sim_checkpoint(s, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_checkpoint(s, "/nonexistent/dir/ck"), AXON_EIO);
    EXPECT(s, axon_sim_restore(s, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_checkpoint_mem(s, buf, 1, &used), AXON_ERANGE);
    EXPECT(s, axon_sim_restore_mem(s, buf, sizeof buf), AXON_EFORMAT);
    ck_assert_uint_gt(axon_sim_checkpoint_size(s), 0);
    ERRCALL(err, axon_checkpoint_read_info("/nonexistent.ckpt", &info, &err), AXON_EIO);
    ERRCALL(err, axon_checkpoint_read_info("/tmp", NULL, &err), AXON_EINVAL);
    EXPECT(s, axon_sim_param_index(s, "P.nope"), -1);
    EXPECT(s, axon_sim_param_desc(s, 12345), NULL);
    EXPECT(s, axon_sim_get_param(s, "P.nope", &x), AXON_EINVAL);
    EXPECT(s, axon_sim_set_param(s, "P.nope", 1, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_set_param_range(s, "P.nope", 0, 1, 1, NULL), AXON_EINVAL);
    EXPECT(s, axon_sim_write(s, NULL, &err), AXON_EINVAL);
    ck_assert_str_eq(err.msg, axon_sim_error(s));
    EXPECT(s, axon_sim_set_meta(s, "", "v"), AXON_EINVAL);
    EXPECT(s, axon_sim_set_meta(s, "k", NULL), AXON_EINVAL);
    ERRCALL(err, axon_sim_check_output("", &err), AXON_EINVAL);
    /* analysis.h functions of a simulation: the message in err and in the simulation */
    ERRCALL(err, axon_sim_trains(s, 5, 0, -1, &err), NULL);
    ERRCALL(err, axon_sim_weight_matrix(s, "pp.nope", NULL, &err), AXON_EINVAL);
    /* the facts that cannot fail and the stop request leave the message alone */
    stale(s);
    ck_assert_int_eq(axon_sim_param_count(s), 0);
    ck_assert_ptr_eq(axon_sim_model(s), &misuse_model);
    ck_assert(axon_sim_time(s) > 0 && axon_sim_steps(s) == 10 && axon_sim_threads(s) == 1);
    ck_assert(axon_sim_wall_seconds(s) >= 0);
    axon_sim_set_grain(s, 0);
    axon_mpi_info mi;
    axon_sim_mpi_info(s, &mi);
    ck_assert_int_eq(mi.size, 1);
    ck_assert_int_eq(axon_sim_nonfinite(s, NULL), 0);
    ck_assert_ptr_nonnull(strstr(axon_sim_error(s), "STALE"));
    axon_sim_stop(s);
    EXPECT(s, axon_sim_run(s, 0.001, NULL, NULL), AXON_ESTOPPED);
    axon_sim_free(s);
}
END_TEST

/* ---- <axon/axon.h>: a call that can fail and succeeds leaves "" (never an older message) */

/* CLEARS(s, call, want): stale message, the call returns want, then "". */
#define CLEARS(s, call, want)                                                                      \
    do {                                                                                           \
        stale(s);                                                                                  \
        ck_assert_msg((call) == (want), "%s: not %s (%s)", #call, #want, axon_sim_error(s));       \
        ck_assert_msg(!*axon_sim_error(s), "%s: left '%s'", #call, axon_sim_error(s));             \
    } while (0)

static int no_stop(axon_sim *s, void *user)
{
    (void)s, (void)user;
    return 0;
}

START_TEST(test_axon_h_success_clears)
{
    axon_sim *s = live();
    axon_err err = {{0}};
    axon_tensor t;
    const double *times;
    const uint32_t *idx;
    const uint64_t *row;
    size_t cnt, used;
    double x = 0.5, d[16];
    axon_var_info vi;
    axon_spike_iter it;
    uint32_t k = 1;
    char dir[] = "/tmp/axon_misuse_XXXXXX", path[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/ck", dir);

    CLEARS(s, axon_sim_run(s, 0.002, NULL, NULL), AXON_OK);
    CLEARS(s, axon_sim_set_nonfinite(s, AXON_NONFINITE_STOP), AXON_OK);
    CLEARS(s, axon_sim_step(s, 2, no_stop, NULL), AXON_OK);
    CLEARS(s, axon_sim_run_until(s, 0.02, NULL, NULL), AXON_OK);
    CLEARS(s, axon_sim_pop_index(s, "P"), 0);
    CLEARS(s, axon_sim_var(s, "P.v", &t), AXON_OK);
    CLEARS(s, axon_sim_spikes(s, 0, &times, &idx, &cnt), AXON_OK);
    stale(s);
    ck_assert_uint_gt(axon_sim_spike_count(s, 0), 0);
    ck_assert_str_eq(axon_sim_error(s), "");
    CLEARS(s, axon_sim_proj_index(s, "pp"), 0);
    CLEARS(s, axon_sim_synapse_count(s, 0), 12); /* no autapses */
    CLEARS(s, axon_sim_active_synapses(s, 0), 12); /* no structural plasticity: all */
    stale(s);
    ck_assert(axon_sim_bytes_per_synapse(s, 0) > 0);
    ck_assert_str_eq(axon_sim_error(s), "");
    CLEARS(s, axon_sim_connectivity(s, 0, &row, &idx), AXON_OK);
    CLEARS(s, axon_sim_syn_var(s, "pp.w", &t), AXON_OK);
    CLEARS(s, axon_sim_proj_delays(s, 0, &x, &x, NULL), AXON_OK);
    CLEARS(s, axon_sim_set_signal(s, "gain", 0.5), AXON_OK);
    CLEARS(s, axon_sim_signal(s, "gain", &x), AXON_OK);
    CLEARS(s, axon_sim_release_signal(s, "gain"), AXON_OK);
    CLEARS(s, axon_sim_on_spikes(s, 0, NULL, NULL), AXON_OK);
    CLEARS(s, axon_sim_step_spikes(s, 0, &idx, &cnt), AXON_OK);
    CLEARS(s, axon_sim_spike_iter(s, 0, 1, &it), AXON_OK);
    CLEARS(s, axon_sim_spike_next(s, &it, &x, &k), 1);
    x = 0.1;
    k = 1;
    CLEARS(s, axon_sim_inject(s, "P.I", &k, &x, 1, "nA"), AXON_OK);
    CLEARS(s, axon_sim_push_spikes(s, 0, &k, 1), AXON_OK);
    CLEARS(s, axon_sim_var_info(s, "pp.w", &vi), AXON_OK);
    CLEARS(s, axon_sim_get_values(s, "P.v", NULL, 4, d, NULL), AXON_OK);
    CLEARS(s, axon_sim_set_values(s, "P.v", &k, 1, d, NULL), AXON_OK);
    stale(s);
    ck_assert_ptr_nonnull(axon_sim_pop_data(s, 0, 0));
    ck_assert_str_eq(axon_sim_error(s), "");
    stale(s);
    ck_assert_ptr_nonnull(axon_sim_proj_data(s, 0, 0));
    ck_assert_str_eq(axon_sim_error(s), "");
    CLEARS(s, axon_sim_synapse_index(s, 0, 1, 2), 4); /* row 1: 0, 2, 3 */
    CLEARS(s, axon_sim_checkpoint(s, path), AXON_OK);
    CLEARS(s, axon_sim_restore(s, path), AXON_OK);
    size_t need = axon_sim_checkpoint_size(s);
    unsigned char *buf = malloc(need);
    ck_assert_ptr_nonnull(buf);
    CLEARS(s, axon_sim_checkpoint_mem(s, buf, need, &used), AXON_OK);
    CLEARS(s, axon_sim_restore_mem(s, buf, need), AXON_OK);
    free(buf);
    unlink(path);
    CLEARS(s, axon_sim_set_meta(s, "k", "v"), AXON_OK);
    snprintf(path, sizeof path, "%s/out", dir);
    CLEARS(s, axon_sim_write(s, path, &err), AXON_OK);
    stale(s);
    axon_trains *tr = axon_sim_trains(s, 0, 0, -1, &err);
    ck_assert_ptr_nonnull(tr);
    ck_assert_str_eq(axon_sim_error(s), "");
    axon_trains_free(tr);
    CLEARS(s, axon_sim_weight_matrix(s, "pp.w", d, &err), AXON_OK);
    axon_sim_free(s);
    remove_tree(path);
    rmdir(dir);
}
END_TEST

/* ---- <axon/axon.h>: the error paths the tests above do not reach */

/* Q: a population without a spike condition (fired is NULL) */
static void q_update(const axon_step_ctx *ctx, void *const *vars, uint8_t *fired, uint32_t b,
                     uint32_t e)
{
    (void)ctx, (void)fired;
    double *v = vars[0];
    for (uint32_t i = b; i < e; i++)
        v[i] += 1;
}

/* axon_sim_new refuses m with a message containing want. */
static void refused(const axon_model_desc *m, const char *want)
{
    axon_err err;
    snprintf(err.msg, sizeof err.msg, "STALE");
    ck_assert_ptr_null(axon_sim_new(m, NULL, &err));
    ck_assert_msg(strstr(err.msg, want), "'%s' lacks '%s'", err.msg, want);
}

START_TEST(test_axon_h_error_paths)
{
    /* bad descriptors */
    axon_model_desc m = misuse_model;
    axon_pop_desc pops[2] = {m_pops[0], m_pops[0]};
    axon_var_desc vars[2] = {p_vars[0], p_vars[1]};
    m.pops = NULL;
    refused(&m, "1 populations but no table");
    m.pops = pops;
    pops[0].name = NULL;
    refused(&m, "population 0 has no name");
    pops[0] = m_pops[0];
    m.npops = 2;
    m.nrecords = 0;
    refused(&m, "two populations are named 'P'");
    m.npops = 1;
    pops[0].size = (uint32_t)INT32_MAX + 1;
    refused(&m, "at most");
    pops[0] = m_pops[0];
    pops[0].update = NULL;
    refused(&m, "has no update kernel");
    pops[0] = m_pops[0];
    pops[0].vars = NULL;
    refused(&m, "2 variables but no table");
    pops[0].vars = vars;
    vars[1].name = "";
    refused(&m, "variable 1 has no name");
    vars[1] = p_vars[1];
    m = misuse_model;
    m.name = NULL;
    refused(&m, "descriptor has no name");
    m = misuse_model;
    m.precision = 3;
    refused(&m, "precision 3");
    m = misuse_model;
    m.dt = INFINITY;
    refused(&m, "dt = inf");
    m = misuse_model;
    m.records = NULL;
    refused(&m, "1 records but no table");
    m = misuse_model;
    m.signal_names = NULL;
    refused(&m, "1 signals but no names");
    m = misuse_model;
    m.nparams = 1;
    refused(&m, "a parameter table is missing");
    axon_record_desc recs[1] = {{AXON_REC_STATE, 0, 0, 2, NULL, 1}};
    m = misuse_model;
    m.records = recs;
    refused(&m, "record 0: subset of 2 neurons but no table");
    recs[0] = (axon_record_desc){AXON_REC_WEIGHTS, 0, 0, 2, NULL, 1};
    refused(&m, "record 0: subset of 2 synapses but no table");

    /* a model with a population that does not spike, no spike record, and a shared
     * parameter in [0, 1] */
    static const axon_var_desc q_vars[] = {{"v", "1", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0}};
    pops[1] = (axon_pop_desc){"Q", "Toy", 3, 1, q_vars, NULL, q_update, 0, 0, NULL};
    static const axon_param_desc params[] = {
        {"P.gain0", "1", AXON_PARAM_SHARED, 0, 0, 0, 0.5, 0, 1}};
    static const double shared[] = {0.5};
    m = misuse_model;
    m.npops = 2;
    m.pops = pops;
    m.nrecords = 0;
    m.nparams = 1;
    m.params = params;
    m.nshared = 1;
    m.shared_defaults = shared;
    axon_err err = {{0}};
    axon_sim *s = axon_sim_new(&m, NULL, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    uint32_t k = 0;
    const uint32_t *idx;
    size_t n;
    axon_spike_iter it;
    axon_var_info vi;
    EXPECT(s, axon_sim_on_spikes(s, 1, NULL, NULL), AXON_EINVAL);
    ck_assert_ptr_nonnull(strstr(axon_sim_error(s), "population 'Q' does not spike"));
    EXPECT(s, axon_sim_push_spikes(s, 1, &k, 1), AXON_EINVAL);
    EXPECT(s, axon_sim_step_spikes(s, 1, &idx, &n), AXON_EINVAL);
    EXPECT(s, axon_sim_spike_iter(s, 0, 1, &it), AXON_EINVAL);
    ck_assert_ptr_nonnull(strstr(axon_sim_error(s), "population 'P' has no spike record"));
    EXPECT(s, axon_sim_var_info(s, NULL, &vi), AXON_EINVAL);
    ck_assert_str_eq(axon_sim_error(s), "no variable name");
    EXPECT(s, axon_sim_synapse_index(s, 0, 1, 1), -1); /* no autapses */
    ck_assert_ptr_nonnull(strstr(axon_sim_error(s), "does not connect 1 to 1"));
    EXPECT(s, axon_sim_set_param(s, "P.gain0", 1.5, NULL), AXON_EINVAL);
    ck_assert_ptr_nonnull(strstr(axon_sim_error(s), "must be in [0, 1]"));
    EXPECT(s, axon_sim_set_param(s, "P.gain0", 0.5, "mV"), AXON_EINVAL);
    EXPECT(s, axon_sim_set_param_range(s, "P.gain0", 0, 1, 0.5, NULL), AXON_EINVAL);
    CLEARS(s, axon_sim_param_index(s, "P.gain0"), 0);
    stale(s);
    ck_assert_ptr_eq(axon_sim_param_desc(s, 0), &params[0]);
    ck_assert_str_eq(axon_sim_error(s), "");
    CLEARS(s, axon_sim_set_param(s, "P.gain0", 1, NULL), AXON_OK);
    double g;
    CLEARS(s, axon_sim_get_param(s, "P.gain0", &g), AXON_OK);
    ck_assert(g == 1);
    CLEARS(s, axon_sim_step(s, 3, NULL, NULL), AXON_OK);

    /* the header of a file that is not a checkpoint, is truncated, or is of the other byte
     * order */
    char path[] = "/tmp/axon_misuse_ckXXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    axon_checkpoint_info info;
    CLEARS(s, axon_sim_checkpoint(s, path), AXON_OK);
    unsigned char head[128];
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fread(head, 1, sizeof head, f), sizeof head);
    fclose(f);
    static const struct {
        size_t len;
        int swap;
        const char *want;
    } bad[] = {{5, 0, "not an Axon checkpoint"}, {40, 0, "truncated"},
               {128, 1, "other byte order"}};
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
        unsigned char h[128];
        memcpy(h, head, sizeof h);
        if (b == 0)
            memcpy(h, "hello", 5);
        if (bad[b].swap) {
            uint32_t w;
            memcpy(&w, h + 12, 4);
            w = __builtin_bswap32(w);
            memcpy(h + 12, &w, 4);
        }
        f = fopen(path, "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_uint_eq(fwrite(h, 1, bad[b].len, f), bad[b].len);
        fclose(f);
        ERRCALL(err, axon_checkpoint_read_info(path, &info, &err), AXON_EFORMAT);
        ck_assert_msg(strstr(err.msg, bad[b].want), "'%s' lacks '%s'", err.msg, bad[b].want);
    }
    unlink(path);
    axon_sim_free(s);

    /* a population name that cannot name a file: refused when writing, nothing written */
    pops[0] = m_pops[0];
    pops[0].name = "P/x";
    m = misuse_model;
    m.pops = pops;
    s = axon_sim_new(&m, NULL, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    char dir[] = "/tmp/axon_misuse_wXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char out[64];
    snprintf(out, sizeof out, "%s/out", dir);
    EXPECT(s, axon_sim_write(s, out, &err), AXON_EINVAL);
    ck_assert_ptr_nonnull(strstr(axon_sim_error(s), "cannot be used in a file name"));
    ck_assert_int_eq(rmdir(dir), 0); /* empty: no output, no temporary directory */
    axon_sim_free(s);
}
END_TEST

/* ---- <axon/analysis.h>: NULL recordings, trains and arrays */

/* A projection with structural plasticity (the hidden per-synapse flag "active", as the
 * compiler makes it): counted (over MPI ranks too: tests/mpi/run.sh). */
static const axon_var_desc s_vars[] = {{"w", "A", AXON_VAR_STATE, 0, NULL, AXON_ELEM_REAL, 1, 0, 0},
                                       {"active", "1", AXON_VAR_HIDDEN, 1, NULL, AXON_ELEM_REAL, 1, 0, 0}};

static void s_init(const axon_step_ctx *ctx, void *const *sv, const uint32_t *pre,
                   const uint32_t *post, uint64_t b, uint64_t e)
{
    (void)ctx;
    double *act = sv[1];
    for (uint64_t k = b; k < e; k++)
        act[k] = pre[k] < post[k]; /* 6 of the 12 */
}

START_TEST(test_structure)
{
    axon_proj_desc pj = m_projs[0];
    pj.nvars = 2;
    pj.vars = s_vars;
    pj.init = s_init;
    axon_model_desc m = misuse_model;
    m.projs = &pj;
    axon_err err = {{0}};
    axon_sim *s = axon_sim_new(&m, &(axon_opts){.seed = 1}, &err);
    ck_assert_msg(s != NULL, "%s", err.msg);
    ck_assert_uint_eq(axon_sim_synapse_count(s, 0), 12);
    CLEARS(s, axon_sim_active_synapses(s, 0), 6);
    axon_sim_free(s);
}
END_TEST

START_TEST(test_analysis_null)
{
    axon_err err = {{0}};
    double d[8] = {0}, t0, t1;
    uint64_t u64[4];
    uint32_t u32[4];
    const double *times;
    axon_isi_summary isi;
    axon_fano_summary fano;
    axon_pair_summary pair;
    axon_health_summary health;
    axon_weight_stats ws;
    axon_avalanche_summary av;
    axon_pop_summary ps;
    axon_analysis_opts o = {0};
    size_t used;

    ERRCALL(err, axon_recording_open(NULL, &err), NULL);
    ERRCALL(err, axon_recording_open("/nonexistent", &err), NULL);
    axon_recording_free(NULL);
    ck_assert_ptr_null(axon_recording_info(NULL));
    ck_assert_ptr_null(axon_recording_meta(NULL, "command"));
    ck_assert_uint_eq(axon_recording_npops(NULL), 0);
    ck_assert_ptr_null(axon_recording_pop(NULL, 0));
    ck_assert_int_eq(axon_recording_pop_index(NULL, "E"), -1);
    ck_assert_uint_eq(axon_recording_nprojs(NULL), 0);
    ck_assert_ptr_null(axon_recording_proj(NULL, 0));
    ck_assert_uint_eq(axon_recording_nseries(NULL), 0);
    ck_assert_ptr_null(axon_recording_series(NULL, 0));
    ck_assert_ptr_null(axon_recording_spike_values(NULL, "E", "v", &used, NULL));
    ERRCALL(err, axon_recording_trains(NULL, 0, 0, -1, &err), NULL);
    ERRCALL(err, axon_sim_trains(NULL, 0, 0, -1, &err), NULL);
    ERRCALL(err, axon_trains_new("E", 4, NULL, NULL, 3, 0, 1, 1e-3, &err), NULL);
    axon_trains_free(NULL);
    ck_assert_ptr_null(axon_trains_name(NULL));
    ck_assert_uint_eq(axon_trains_size(NULL), 0);
    ck_assert_uint_eq(axon_trains_count(NULL), 0);
    t0 = t1 = 7;
    axon_trains_window(NULL, &t0, &t1);
    ck_assert(t0 == 0 && t1 == 0);
    ck_assert_uint_eq(axon_trains_neuron(NULL, 0, &times), 0);
    axon_rates(NULL, d);
    ck_assert_uint_eq(axon_nbins(NULL, 1e-3), 0);
    ck_assert_int_eq(axon_pop_counts(NULL, 1e-3, d, 8), AXON_EINVAL);
    ck_assert_int_eq(axon_pop_rate(NULL, 1e-3, AXON_KERNEL_NONE, 0, d, 8), AXON_EINVAL);
    ck_assert_int_eq(axon_smooth(NULL, 8, 1e-3, AXON_KERNEL_NONE, 0, d), AXON_EINVAL);
    ck_assert_int_eq(axon_psth(NULL, d, 1, 0, 1e-3, d, 8, &used), AXON_EINVAL);
    ck_assert(isnan(axon_cv(NULL, 5)));
    ck_assert(isnan(axon_cv2(NULL, 5)));
    ck_assert(isnan(axon_lv(NULL, 5)));
    ck_assert(isnan(axon_lvr(NULL, 5, 5e-3)));
    ck_assert_int_eq(axon_isi_stats(NULL, 5e-3, &isi, d), AXON_EINVAL);
    ck_assert_int_eq(axon_isi_histogram(NULL, 1e-3, d, 8, u64), AXON_EINVAL);
    ck_assert(isnan(axon_fano(NULL, 5)));
    ck_assert(isnan(axon_pearson(NULL, NULL, 5)));
    ck_assert_int_eq(axon_fano_factor(NULL, 1e-2, &fano), AXON_EINVAL);
    ck_assert_int_eq(axon_count_correlation(NULL, 1e-2, 10, 0, &pair), AXON_EINVAL);
    ck_assert_int_eq(axon_cch(NULL, 3, NULL, 3, 0, 1, 1e-3, 2, d), AXON_EINVAL);
    ck_assert_int_eq(axon_pop_cch(NULL, 1e-3, 2, 10, 0, d), AXON_EINVAL);
    ck_assert(isnan(axon_sttc(NULL, 3, NULL, 3, 0, 1, 5e-3)));
    ck_assert_int_eq(axon_pop_sttc(NULL, 5e-3, 10, 0, &pair), AXON_EINVAL);
    ck_assert(isnan(axon_chi(NULL, 4, 2)));
    ck_assert_int_eq(axon_chi_spikes(NULL, 1e-3, 5e-3, d), AXON_EINVAL);
    axon_kuramoto(NULL, 4, 2, NULL);
    ck_assert_int_eq(axon_kuramoto_spikes(NULL, d, 2, d), AXON_EINVAL);
    ck_assert(isnan(axon_lz76(NULL, 5, &used)));
    ck_assert_int_eq(axon_lz_trains(NULL, 1e-3, 10, 100, 0, d), AXON_EINVAL);
    ck_assert_uint_eq(axon_welch_nfreq(0, 1000, NULL), 0);
    ERRCALL(err, axon_welch(NULL, 100, 1000, NULL, d, d, &err), AXON_EINVAL);
    ck_assert(isnan(axon_van_rossum(NULL, 3, NULL, 3, 1e-2)));
    ck_assert(isnan(axon_victor_purpura(NULL, 3, NULL, 3, 10)));
    ck_assert(isnan(axon_hoyer(NULL, 5)));
    ck_assert_int_eq(axon_health(NULL, 1e-2, 100, &health, u32, u32), AXON_EINVAL);
    ck_assert_int_eq(axon_health_graded(NULL, 4, 2, 0.5, &health, u32, u32), AXON_EINVAL);
    ck_assert_int_eq(axon_weights_stats(NULL, 5, 0, 1, 0.01, &ws), AXON_EINVAL);
    ck_assert_int_eq(axon_histogram(NULL, 5, 0, 1, d, 8), AXON_EINVAL);
    ERRCALL(err, axon_effective_rank(NULL, 2, 2, d, NULL, &err), AXON_EINVAL);
    ERRCALL(err, axon_sim_weight_matrix(NULL, "pp.w", d, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_avalanches(NULL, 1e-3, &av, u64, u64, 4), AXON_EINVAL);
    ERRCALL(err, axon_analysis_opt_set(NULL, "pairs", 10, &err), AXON_EINVAL);
    ERRCALL(err, axon_analysis_opt_set(&o, "nope", 10, &err), AXON_EINVAL);
    ERRCALL(err, axon_analysis_opt_set(&o, "pairs", 0, &err), AXON_EINVAL); /* 0: the default */
    ERRCALL(err, axon_analysis_opt_set(&o, "count_bin", 0, &err), AXON_EINVAL);
    ERRCALL(err, axon_summarize(NULL, NULL, &ps, &err), AXON_EINVAL);
    ERRCALL(err, axon_analyze(NULL, 0, -1, NULL, &err), NULL);
    axon_analysis_free(NULL);
    ck_assert_ptr_null(axon_analysis_table(NULL));
    ck_assert_uint_eq(axon_analysis_npops(NULL), 0);
    ck_assert_ptr_null(axon_analysis_pop(NULL, 0, NULL));
    ERRCALL(err, axon_analysis_write(NULL, "/tmp/x", &err), AXON_EINVAL);
    ERRCALL(err, axon_analysis_figure(NULL, "raster", NULL, "/tmp/x.svg", &err), AXON_EINVAL);
    ck_assert_ptr_null(axon_figure_kind(100000));
    ck_assert_str_eq(axon_unit_pretty(NULL), "");
    /* the one parser of units outside a model: NULL, "" and non-units are "no", and the scale
     * it reports then is 1 */
    double sc = 5;
    ck_assert_int_eq(axon_unit_convert(NULL, "ms", &sc), 0);
    ck_assert(sc == 1);
    ck_assert_int_eq(axon_unit_convert("s", NULL, NULL), 0);
    ck_assert_int_eq(axon_unit_convert("s", "", NULL), 0);
    ck_assert_int_eq(axon_unit_convert("s", "mV", &sc), 0);
    ck_assert_int_eq(axon_unit_convert("s", "bogus", &sc), 0);
    ck_assert_int_eq(axon_unit_convert("s", "ms", &sc), 1);
    ck_assert(sc == 1e-3);
    ck_assert_int_eq(axon_unit_convert("ms", "min", &sc), 1);
    ck_assert(sc == 6e4);
}
END_TEST

/* ---- <axon/io.h>, <axon/tensor.h>, <axon/status.h>, <axon/expm.h>, <axon/rng.h> */

START_TEST(test_io_tensor_null)
{
    axon_err err = {{0}};
    axon_tensor *out = NULL, view;
    char hex[65];
    size_t shape[1] = {4}, at[1] = {9};
    double d[4];

    errno = 0;
    ck_assert_ptr_null(axon_file_open_read(NULL));
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_ptr_null(axon_file_open_read("/nonexistent/file"));
    ck_assert_int_eq(errno, ENOENT);
    ERRCALL(err, axon_npy_write(NULL, NULL, &err), AXON_EINVAL);
    ERRCALL(err, axon_npy_read(NULL, &out, &err), AXON_EINVAL);
    ERRCALL(err, axon_npy_read("/nonexistent.npy", &out, &err), AXON_EIO);
    ck_assert_ptr_null(out);
    ERRCALL(err, axon_npy_stream_open(NULL, AXON_F64, 1, shape, &err), NULL);
    ck_assert_int_eq(axon_npy_stream_append(NULL, d, 1), AXON_EINVAL);
    ERRCALL(err, axon_npy_stream_close(NULL, &err), AXON_EINVAL);
    axon_npy_stream_abort(NULL);
    ERRCALL(err, axon_csv_write(NULL, NULL, NULL, &err), AXON_EINVAL);
    ERRCALL(err, axon_csv_read(NULL, 0, &out, &err), AXON_EINVAL);
    ck_assert_int_eq(axon_csv_header_field(NULL, 3), 0);
    ERRCALL(err, axon_sha256_file(NULL, hex, &err), AXON_EINVAL);
    ERRCALL(err, axon_sha256_file("/nonexistent", hex, &err), AXON_EIO);

    ck_assert_uint_eq(axon_dtype_size((axon_dtype)99), 0);
    ck_assert_str_eq(axon_dtype_name((axon_dtype)99), "?");
    ERRCALL(err, axon_tensor_new(AXON_F64, -1, shape, &err), NULL);
    ERRCALL(err, axon_tensor_new(AXON_F64, 1, NULL, &err), NULL);
    axon_tensor_free(NULL);
    ck_assert_int_eq(axon_tensor_view(NULL, 0, 0, 1, 1, &view), AXON_EINVAL);
    ck_assert_uint_eq(axon_tensor_numel(NULL), 0);
    ck_assert(axon_tensor_is_contiguous(NULL));
    ck_assert(isnan(axon_tensor_get_f64(NULL, at)));
    ck_assert_int_eq(axon_tensor_set_f64(NULL, at, 1), AXON_EINVAL);
    axon_tensor_pack(NULL, d);
    ERRCALL(err, axon_tensor_copy_contiguous(NULL, &err), NULL);
    axon_tensor *t = axon_tensor_new(AXON_F64, 1, shape, &err);
    ck_assert_ptr_nonnull(t);
    ck_assert(isnan(axon_tensor_get_f64(t, at)));
    ck_assert_int_eq(axon_tensor_set_f64(t, at, 1), AXON_EINVAL);
    ck_assert_int_eq(axon_tensor_view(t, 3, 0, 1, 1, &view), AXON_EINVAL);
    ck_assert_int_eq(axon_tensor_view(t, 0, 0, 9, 1, &view), AXON_EINVAL);
    ck_assert_int_eq(axon_tensor_view(t, 0, 0, 1, 1, NULL), AXON_EINVAL);
    axon_tensor_free(t);

    ck_assert_str_eq(axon_status_str((axon_status)99), "unknown status");
    ck_assert_int_eq(axon_err_set(NULL, AXON_EIO, "%s", "no err"), AXON_EIO);
    ck_assert_int_eq(axon_expm(2, NULL, d), -1);
    ck_assert_int_eq(axon_expm(-1, d, d), -1);
    ck_assert_int_eq(axon_propagator(2, NULL, 1e-3, d, d), -1);

    /* pure functions of their arguments: nothing to misuse but a NULL stream */
    ck_assert(axon_rng_uniform(1, 0, 0, 0, 0) < 1);
    ck_assert(isfinite(axon_rng_normal(1, 0, 0, 0, 0)));
    (void)axon_rng_poisson(1, 0, 0, 0, 0, 1.0);
    axon_rng_normal_fill(1, 0, 0, 0, 0, 4, NULL); /* no output: nothing written */
    axon_rng_normal_fill(1, 0, 0, 0, 0, 0, NULL);
    ck_assert(axon_rng_normal_batched(NULL, 1, 0, 0, 0, 0) == axon_rng_normal(1, 0, 0, 0, 0));
    axon_rng_stream_init(NULL, 1, 0);
    ck_assert_uint_eq(axon_rng_stream_u32(NULL), 0);
    ck_assert_uint_eq(axon_rng_stream_u64(NULL), 0);
    ck_assert(axon_rng_stream_uniform(NULL) == 0);
    ck_assert(axon_rng_stream_normal(NULL) == 0);
    ck_assert_uint_eq(axon_rng_stream_below(NULL, 5), 0);
    ck_assert_uint_eq(axon_rng_stream_binomial(NULL, 5, 0.5), 0);
    /* the counter-based binomial: no trials, p outside (0, 1) or NaN */
    ck_assert_uint_eq(axon_rng_binomial(1, 0, 0, 0, 0, 0.5), 0);
    ck_assert_uint_eq(axon_rng_binomial(1, 0, 0, 0, 5, -1), 0);
    ck_assert_uint_eq(axon_rng_binomial(1, 0, 0, 0, 5, NAN), 0);
    ck_assert_uint_eq(axon_rng_binomial(1, 0, 0, 0, 5, 2), 5);
}
END_TEST

Suite *misuse_suite(void)
{
    Suite *s = suite_create("misuse");
    TCase *tc = tcase_create("exports");
    tcase_add_test(tc, test_axon_h_null);
    tcase_add_test(tc, test_axon_h_bad_arguments);
    tcase_add_test(tc, test_axon_h_success_clears);
    tcase_add_test(tc, test_axon_h_error_paths);
    tcase_add_test(tc, test_structure);
    tcase_add_test(tc, test_analysis_null);
    tcase_add_test(tc, test_io_tensor_null);
    suite_add_tcase(s, tc);
    return s;
}
