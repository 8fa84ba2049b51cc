/*
 * tests/cli/defer.sh: live arrays of synapse variables in step and spike callbacks, with on_post
 * deferred (AXON_PROJ_DEFER_POST) or eager (AXON_TEST_POST=defer / =eager). Linked with
 * tests/cli/defer.axon's object. The views of ee.w and ie.w are taken once, before the run; the
 * step callback reads them through those views after every step (a hash of their bytes) and, at
 * 50 ms, scales the weights of ee by 0.95 through its view. Then 100 ms more with no step
 * callback, but a spike callback on E that reads them likewise at each of E's spiking steps.
 * Prints the hashes and the final weights: the two paths must print the same (the callbacks see
 * and change the weights up to date).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "axon/axon.h"

extern const axon_model_desc axon_model;

typedef struct {
    axon_tensor ee, ie;
    uint64_t hash; /* FNV-1a of every step's bytes */
    uint64_t steps;
} live;

static void hash_bytes(uint64_t *h, const axon_tensor *t)
{
    const unsigned char *p = t->data;
    size_t n = t->shape[0] * axon_dtype_size(t->dtype);
    for (size_t k = 0; k < n; k++)
        *h = (*h ^ p[k]) * 0x100000001b3ull;
}

static int on_step(axon_sim *s, void *user)
{
    live *l = user;
    hash_bytes(&l->hash, &l->ee);
    hash_bytes(&l->hash, &l->ie);
    if (++l->steps == 500) {
        for (size_t k = 0; k < l->ee.shape[0]; k++) {
            if (l->ee.dtype == AXON_F64)
                ((double *)l->ee.data)[k] *= 0.95;
            else
                ((float *)l->ee.data)[k] *= 0.95f;
        }
    }
    if (l->steps % 100 == 0)
        printf("step %llu hash %016llx\n", (unsigned long long)axon_sim_steps(s),
               (unsigned long long)l->hash);
    return 0;
}

static void on_spikes(void *user, int pop, double t, const uint32_t *idx, size_t n)
{
    (void)pop, (void)t, (void)idx, (void)n;
    live *l = user;
    hash_bytes(&l->hash, &l->ee);
    hash_bytes(&l->hash, &l->ie);
    l->steps++;
}

int main(void)
{
    axon_opts o = {.seed = 1, .threads = 1};
    axon_err err;
    axon_sim *s = axon_sim_new(&axon_model, &o, &err);
    if (!s) {
        fprintf(stderr, "defer_live: %s\n", err.msg);
        return 1;
    }
    live l = {.hash = 0xcbf29ce484222325ull};
    if (axon_sim_syn_var(s, "ee.w", &l.ee) != AXON_OK ||
        axon_sim_syn_var(s, "ie.w", &l.ie) != AXON_OK ||
        axon_sim_run_until(s, 0.1, on_step, &l) != AXON_OK) {
        fprintf(stderr, "defer_live: %s\n", axon_sim_error(s));
        axon_sim_free(s);
        return 1;
    }
    if (axon_sim_on_spikes(s, 0, on_spikes, &l) != AXON_OK ||
        axon_sim_run(s, 0.1, NULL, NULL) != AXON_OK) {
        fprintf(stderr, "defer_live: %s\n", axon_sim_error(s));
        axon_sim_free(s);
        return 1;
    }
    printf("spiking steps %llu hash %016llx\n", (unsigned long long)(l.steps - 1000),
           (unsigned long long)l.hash);
    uint64_t h = 0xcbf29ce484222325ull;
    hash_bytes(&h, &l.ee);
    hash_bytes(&h, &l.ie);
    printf("spikes %llu final %016llx\n",
           (unsigned long long)axon_sim_spike_count(s, 0), (unsigned long long)h);
    axon_sim_free(s);
    return 0;
}
