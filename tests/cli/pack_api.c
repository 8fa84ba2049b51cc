/*
 * tests/cli/pack.sh: the API on a projection's variables stored per neuron in a shared array
 * (model.h, ABI 12). Linked with tests/cli/pack.axon's object, built with its variables
 * interleaved or, with AXON_TEST_UNPACKED, in arrays of their own: both must print the same.
 * After 50 ms, for each per-neuron variable of ee and ei: the view (axon_sim_syn_var: its
 * stride), axon_sim_get_values and the live array (axon_sim_proj_data) must agree value for
 * value; then a value written by axon_sim_set_values is read back at its place, its
 * neighbours in the shared array unchanged, and the run goes on 50 ms. Prints a hash of every
 * variable's values, and the spikes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axon/axon.h"

extern const axon_model_desc axon_model;

/* (the postsynaptic traces have no last-update time: they are advanced every step, ABI 14) */
static const char *const vars[] = {"ee.a_pre", "ee.a_post", "ee._last_pre", "ei.r1",
                                   "ei.r2",    "ei.o1",     "ei.o2",        "ei._last_pre"};
enum { NV = sizeof vars / sizeof vars[0] };

static int bad(const char *what, const char *var)
{
    printf("FAIL %s: %s\n", var, what);
    return 1;
}

/* checks one variable; adds its values to *h */
static int check_var(axon_sim *s, const char *var, uint64_t *h)
{
    axon_var_info info;
    axon_tensor view;
    if (axon_sim_var_info(s, var, &info) != AXON_OK || axon_sim_syn_var(s, var, &view) != AXON_OK)
        return bad(axon_sim_error(s), var);
    if (view.dtype != AXON_F64 || view.shape[0] != info.size)
        return bad("view's type or shape", var);
    size_t n = info.size, k = view.strides[0];
    const double *live = axon_sim_proj_data(s, info.owner, info.var);
    double *got = malloc(n * sizeof *got);
    if (!got || axon_sim_get_values(s, var, NULL, n, got, NULL) != AXON_OK)
        return bad("get_values", var);
    int fail = live != view.data;
    for (size_t x = 0; x < n && !fail; x++) {
        const double *at = (const double *)view.data + x * k;
        fail = memcmp(at, &got[x], sizeof *at) != 0 || memcmp(&live[x * k], &got[x], sizeof *at);
        for (size_t b = 0; b < sizeof got[x]; b++)
            *h = (*h ^ ((const unsigned char *)&got[x])[b]) * 0x100000001b3ull;
    }
    free(got);
    return fail ? bad("view, live array and get_values differ", var) : 0;
}

/* writes value 3 of var and reads it back; its neighbours in memory unchanged */
static int check_set(axon_sim *s, const char *var)
{
    axon_var_info info;
    axon_tensor view;
    if (axon_sim_var_info(s, var, &info) != AXON_OK || axon_sim_syn_var(s, var, &view) != AXON_OK)
        return bad(axon_sim_error(s), var);
    size_t k = view.strides[0];
    double *at = (double *)view.data + 3 * k, before = at[-1], after = at[1], v = 0.25, back;
    uint32_t ix = 3;
    if (axon_sim_set_values(s, var, &ix, 1, &v, NULL) != AXON_OK ||
        axon_sim_get_values(s, var, &ix, 1, &back, NULL) != AXON_OK)
        return bad(axon_sim_error(s), var);
    if (*at != 0.25 || back != 0.25 || at[-1] != before || at[1] != after)
        return bad("set_values", var);
    return 0;
}

int main(void)
{
    axon_opts o = {.seed = 3, .threads = 1};
    axon_err err;
    axon_sim *s = axon_sim_new(&axon_model, &o, &err);
    if (!s) {
        printf("FAIL: %s\n", err.msg);
        return 1;
    }
    int fail = axon_sim_run(s, 0.05, NULL, NULL) != AXON_OK;
    uint64_t h = 0xcbf29ce484222325ull;
    for (int v = 0; v < NV; v++)
        fail |= check_var(s, vars[v], &h);
    printf("50 ms: hash %016llx\n", (unsigned long long)h);
    fail |= check_set(s, "ee.a_post") | check_set(s, "ei.o1") | check_set(s, "ee.a_pre");
    fail |= axon_sim_run(s, 0.05, NULL, NULL) != AXON_OK;
    h = 0xcbf29ce484222325ull;
    for (int v = 0; v < NV; v++)
        fail |= check_var(s, vars[v], &h);
    printf("100 ms: hash %016llx\n", (unsigned long long)h);
    for (uint32_t p = 0; p < axon_model.npops; p++)
        printf("%s: %llu spikes\n", axon_model.pops[p].name,
               (unsigned long long)axon_sim_spike_count(s, (int)p));
    axon_sim_free(s);
    return fail;
}
