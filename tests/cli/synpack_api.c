/*
 * tests/cli/synpack.sh: the API on projections whose targets and weight are stored in blocks of
 * four synapses (model.h, ABI 13). Linked with tests/cli/synpack.axon's object, built with that
 * layout or, with AXON_TEST_SPLIT_SYNAPSES, with the split arrays: both must print the same
 * lines but the "layout" ones. For every projection's w after 50 ms: the view (axon_sim_syn_var:
 * 2-D in blocks, else 1-D), axon_sim_get_values, the live array (axon_sim_proj_data, by the
 * header's stride and block) and the weight matrix agree value for value; the connectivity
 * (rows, targets) and synapse indices; a value written by axon_sim_set_values (and a whole
 * projection's by axon_sim_set_param) is read back, the other synapses' values and the
 * targets unchanged; a checkpoint's hash; then 50 ms more and the spikes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axon/analysis.h"
#include "axon/axon.h"

extern const axon_model_desc axon_model;

static const char *const projs[] = {"S", "D", "R", "T", "L"};
enum { NP = sizeof projs / sizeof projs[0] };

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    for (size_t b = 0; b < n; b++)
        h = (h ^ ((const unsigned char *)p)[b]) * 0x100000001b3ull;
    return h;
}

static int bad(const char *what, const char *var)
{
    printf("FAIL %s: %s\n", var, what);
    return 1;
}

/* Synapse k's element in the view */
static const double *at(const axon_tensor *v, size_t k)
{
    if (v->ndim == 2)
        return (const double *)v->data + k / v->shape[1] * v->strides[0] + k % v->shape[1];
    return (const double *)v->data + k * v->strides[0];
}

/* checks projection q's w; adds its values, targets and rows to *h */
static int check_proj(axon_sim *s, int q, uint64_t *h)
{
    char var[32];
    snprintf(var, sizeof var, "%s.w", projs[q]);
    axon_var_info info;
    axon_tensor view;
    if (axon_sim_var_info(s, var, &info) != AXON_OK || axon_sim_syn_var(s, var, &view) != AXON_OK)
        return bad(axon_sim_error(s), var);
    const axon_var_desc *d = &axon_model.projs[info.owner].vars[info.var];
    int blocks = d->block > 1;
    printf("layout %s: %s\n", var, blocks ? "blocks" : "split");
    if (view.dtype != AXON_F64 ||
        (blocks ? view.ndim != 2 || view.shape[1] != AXON_SYN_BLOCK ||
                      view.shape[0] != (info.size + 3) / 4 || view.strides[0] != 5 ||
                      view.strides[1] != 1
                : view.ndim != 1 || view.shape[0] != info.size || view.strides[0] != 1))
        return bad("view's type, shape or strides", var);
    size_t n = info.size;
    const double *live = axon_sim_proj_data(s, info.owner, info.var);
    double *got = malloc(n * sizeof *got);
    const uint64_t *row;
    const uint32_t *post;
    uint32_t npre = axon_model.pops[axon_model.projs[info.owner].pre].size;
    uint32_t npost = axon_model.pops[axon_model.projs[info.owner].post].size;
    double *m = malloc((size_t)npre * npost * sizeof *m);
    axon_err err;
    if (!got || !m || axon_sim_get_values(s, var, NULL, n, got, NULL) != AXON_OK ||
        axon_sim_connectivity(s, info.owner, &row, &post) != AXON_OK ||
        axon_sim_weight_matrix(s, var, m, &err) != AXON_OK)
        return bad("get_values, connectivity or weight matrix", var);
    int fail = live != view.data || row[npre] != n;
    for (size_t k = 0; k < n && !fail; k++) {
        size_t x = blocks ? k / 4 * 5 + k % 4 : k;
        fail = memcmp(at(&view, k), &got[k], sizeof got[k]) != 0 ||
               memcmp(&live[x], &got[k], sizeof got[k]) != 0;
        if (blocks) /* the block's targets, before its weights */
            fail |= ((const uint16_t *)(const void *)(live - 1))[k / 4 * 20 + k % 4] != post[k];
    }
    if (fail)
        return bad("view, live array and get_values differ", var);
    /* the weight matrix: the sum of each pair's weights (distinct pairs here) */
    for (uint32_t i = 0; i < npre && !fail; i++)
        for (uint64_t k = row[i]; k < row[i + 1] && !fail; k++)
            fail = m[(size_t)i * npost + post[k]] != got[k] ||
                   axon_sim_synapse_index(s, info.owner, i, post[k]) != (int64_t)k;
    if (fail)
        return bad("weight matrix or synapse index", var);
    *h = fnv(*h, got, n * sizeof *got);
    *h = fnv(*h, post, n * sizeof *post);
    *h = fnv(*h, row, (npre + 1) * sizeof *row);
    free(got);
    free(m);
    return 0;
}

/* writes w of synapse 6 of projection q and reads it back: the others and the targets stay */
static int check_set(axon_sim *s, int q)
{
    char var[32];
    snprintf(var, sizeof var, "%s.w", projs[q]);
    axon_var_info info;
    if (axon_sim_var_info(s, var, &info) != AXON_OK)
        return bad(axon_sim_error(s), var);
    size_t n = info.size;
    double *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b);
    const uint32_t *post;
    if (!a || !b || axon_sim_get_values(s, var, NULL, n, a, NULL) != AXON_OK ||
        axon_sim_connectivity(s, info.owner, NULL, &post) != AXON_OK)
        return bad(axon_sim_error(s), var);
    uint32_t *p0 = malloc(n * sizeof *p0);
    if (!p0)
        return bad("memory", var);
    memcpy(p0, post, n * sizeof *p0);
    uint32_t ix = 6;
    double v = 0.125e-9;
    int fail = axon_sim_set_values(s, var, &ix, 1, &v, NULL) != AXON_OK ||
               axon_sim_get_values(s, var, NULL, n, b, NULL) != AXON_OK;
    a[6] = v;
    fail = fail || memcmp(a, b, n * sizeof *a) != 0;
    /* the targets as the kernels see them: a fresh simulation's connectivity is the same */
    fail = fail || memcmp(p0, post, n * sizeof *p0) != 0;
    free(a);
    free(b);
    free(p0);
    return fail ? bad("set_values", var) : 0;
}

int main(void)
{
    axon_opts o = {.seed = 5, .threads = 1};
    axon_err err;
    axon_sim *s = axon_sim_new(&axon_model, &o, &err);
    if (!s) {
        printf("FAIL: %s\n", err.msg);
        return 1;
    }
    int fail = axon_sim_run(s, 0.05, NULL, NULL) != AXON_OK;
    uint64_t h = 0xcbf29ce484222325ull;
    for (int q = 0; q < NP; q++)
        fail |= check_proj(s, q, &h);
    printf("50 ms: hash %016llx\n", (unsigned long long)h);
    for (int q = 0; q < NP; q++)
        fail |= check_set(s, q);
    /* a parameter per synapse set for the whole projection (R: in blocks), and read as one
       value */
    double w;
    fail |= axon_sim_set_param(s, "R.w", 0.03, "nA") != AXON_OK ||
            axon_sim_get_param(s, "R.w", &w) != AXON_OK || w != 0.03e-9;
    if (fail)
        printf("FAIL set_param: %s\n", axon_sim_error(s));
    size_t cn = axon_sim_checkpoint_size(s), used = 0;
    void *ck = malloc(cn);
    fail |= !ck || axon_sim_checkpoint_mem(s, ck, cn, &used) != AXON_OK;
    printf("checkpoint: hash %016llx\n", (unsigned long long)fnv(0xcbf29ce484222325ull, ck, used));
    free(ck);
    fail |= axon_sim_run(s, 0.05, NULL, NULL) != AXON_OK;
    h = 0xcbf29ce484222325ull;
    for (int q = 0; q < NP; q++)
        fail |= check_proj(s, q, &h);
    printf("100 ms: hash %016llx\n", (unsigned long long)h);
    for (uint32_t p = 0; p < axon_model.npops; p++)
        printf("%s: %llu spikes\n", axon_model.pops[p].name,
               (unsigned long long)axon_sim_spike_count(s, (int)p));
    axon_sim_free(s);
    return fail;
}
