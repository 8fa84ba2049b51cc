/*
 * The embedding API against real compiled models (tests/cli/embed.sh runs it, also under
 * valgrind with models built for --target-cpu x86-64):
 *   api open LIB SYMBOL|-         load a model from a shared library and run it
 *   api suite LIB1 SYM1 LIB2 SYM2 two models and two simulations of the first alive at once:
 *                                 a closed loop (injection, pushed spikes, spike and step
 *                                 callbacks, values with units), a checkpoint of one
 *                                 simulation restored into the other (another thread count),
 *                                 both continued and compared variable by variable, misuse.
 * Prints what it did; exits 0 on success, 1 with the library's message on failure.
 */
#include <axon/axon.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, const char *msg)
{
    printf("%s: %s\n", what, msg);
    return 1;
}

/* api open LIB SYMBOL|- : open, run 100 ms, count spikes, close */
static int cmd_open(const char *lib, const char *sym)
{
    axon_err err = {{0}};
    axon_model_handle *h = axon_model_open(lib, strcmp(sym, "-") ? sym : NULL, &err);
    if (!h)
        return fail("open", err.msg);
    axon_sim *s = axon_sim_new(axon_model_descriptor(h), &(axon_opts){.seed = 1}, &err);
    if (!s) {
        axon_model_close(h);
        return fail("new", err.msg);
    }
    int rc = 0;
    if (axon_sim_run(s, 0.1, NULL, NULL) != AXON_OK)
        rc = fail("run", axon_sim_error(s));
    else
        printf("%s: %llu spikes in population 0\n", axon_sim_model(s)->name,
               (unsigned long long)axon_sim_spike_count(s, 0));
    axon_sim_free(s);
    axon_model_close(h);
    return rc;
}

/* ---- api suite */

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, what);                                  \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)
#define OK(call, s) CHECK((call) == AXON_OK, axon_sim_error(s))

static int failures;

typedef struct {
    unsigned long spikes, steps;
} counts;

static void count_spikes(void *user, int pop, double t, const uint32_t *idx, size_t n)
{
    (void)pop, (void)t, (void)idx;
    ((counts *)user)->spikes += n;
}

/* the step callback: every 5 ms a spike pushed into population 0, neuron 0 */
static int tick(axon_sim *s, void *user)
{
    counts *c = user;
    c->steps++;
    if (axon_sim_steps(s) % 50 == 0 && axon_sim_push_spikes(s, 0, (const uint32_t[]){0}, 1))
        return 1;
    return 0;
}

/* The first input variable of a population ("POP.I"), into buf; 0 if none. */
static int input_path(const axon_model_desc *m, char *buf, size_t n, uint32_t *pop)
{
    for (uint32_t i = 0; i < m->npops; i++)
        for (uint32_t v = 0; v < m->pops[i].nvars; v++)
            if (m->pops[i].vars[v].kind == AXON_VAR_INPUT) {
                snprintf(buf, n, "%s.%s", m->pops[i].name, m->pops[i].vars[v].name);
                *pop = i;
                return 1;
            }
    return 0;
}

/* The bytes of one element of population pop's variable var, by its view's dtype (ABI 11: a
 * refractory counter may be an int8, int16 or int32). */
static size_t elem_bytes(axon_sim *s, uint32_t pop, uint32_t var)
{
    const axon_model_desc *m = axon_sim_model(s);
    char path[256];
    axon_tensor t;
    snprintf(path, sizeof path, "%s.%s", m->pops[pop].name, m->pops[pop].vars[var].name);
    OK(axon_sim_var(s, path, &t), s);
    return axon_dtype_size(t.dtype);
}

/* Every variable of a and b is equal. */
static void compare(axon_sim *a, axon_sim *b)
{
    const axon_model_desc *m = axon_sim_model(a);
    CHECK(axon_sim_steps(a) == axon_sim_steps(b), "steps differ");
    for (uint32_t i = 0; i < m->npops; i++)
        for (uint32_t v = 0; v < m->pops[i].nvars; v++)
            CHECK(!memcmp(axon_sim_pop_data(a, (int)i, (int)v),
                          axon_sim_pop_data(b, (int)i, (int)v),
                          m->pops[i].size * elem_bytes(a, i, v)),
                  "a population variable differs after restore");
    for (uint32_t q = 0; q < m->nprojs; q++)
        for (uint32_t v = 0; v < m->projs[q].nvars; v++) {
            char path[256];
            axon_var_info vi;
            snprintf(path, sizeof path, "%s.%s", m->projs[q].name, m->projs[q].vars[v].name);
            OK(axon_sim_var_info(a, path, &vi), a);
            /* through the values: a static weight's live array also holds the targets, in
               blocks (ABI 13) */
            double *x = malloc((vi.size + 1) * sizeof *x), *y = malloc((vi.size + 1) * sizeof *y);
            CHECK(x && y, "out of memory");
            OK(axon_sim_get_values(a, path, NULL, vi.size, x, NULL), a);
            OK(axon_sim_get_values(b, path, NULL, vi.size, y, NULL), b);
            CHECK(!memcmp(x, y, vi.size * sizeof *x), "a synapse variable differs after restore");
            free(x);
            free(y);
        }
    for (uint32_t i = 0; i < m->npops; i++)
        CHECK(axon_sim_spike_count(a, (int)i) == axon_sim_spike_count(b, (int)i),
              "spike counts differ after restore");
}

static int cmd_suite(const char *lib1, const char *sym1, const char *lib2, const char *sym2)
{
    axon_err err = {{0}};
    axon_model_handle *h1 = axon_model_open(lib1, sym1, &err);
    if (!h1)
        return fail("open 1", err.msg);
    axon_model_handle *h2 = axon_model_open(lib2, sym2, &err);
    if (!h2) {
        axon_model_close(h1);
        return fail("open 2", err.msg);
    }
    const axon_model_desc *m1 = axon_model_descriptor(h1), *m2 = axon_model_descriptor(h2);
    axon_sim *a = axon_sim_new(m1, &(axon_opts){.seed = 7}, &err);
    axon_sim *b = axon_sim_new(m1, &(axon_opts){.seed = 7, .threads = 2}, &err);
    axon_sim *c = axon_sim_new(m2, &(axon_opts){.seed = 3}, &err);
    if (!a || !b || !c) {
        axon_sim_free(a);
        axon_sim_free(b);
        axon_sim_free(c);
        axon_model_close(h1);
        axon_model_close(h2);
        return fail("new", err.msg);
    }
    axon_sim_set_grain(b, 1);
    /* closed loop on a: a held current, pushed spikes, callbacks */
    char in[256];
    uint32_t ipop = 0;
    CHECK(input_path(m1, in, sizeof in, &ipop), "model 1 has no input variable");
    uint32_t n = m1->pops[ipop].size < 8 ? m1->pops[ipop].size : 8;
    uint32_t idx[8];
    double amps[8];
    for (uint32_t k = 0; k < n; k++) {
        idx[k] = k;
        amps[k] = 0.3 + 0.05 * k;
    }
    OK(axon_sim_inject(a, in, idx, amps, n, "nA"), a);
    counts cnt = {0, 0};
    OK(axon_sim_on_spikes(a, 0, count_spikes, &cnt), a);
    OK(axon_sim_run_until(a, 0.05, tick, &cnt), a);
    CHECK(cnt.steps == 500, "step callback count");
    CHECK(cnt.spikes == axon_sim_spike_count(a, 0), "spike callback count");
    CHECK(cnt.spikes >= 10, "pushed spikes were not counted");
    OK(axon_sim_push_spikes(a, 0, (const uint32_t[]){1, 0}, 2), a); /* pending at the checkpoint */
    double v[4];
    char vpath[256];
    snprintf(vpath, sizeof vpath, "%s.v", m1->pops[0].name);
    OK(axon_sim_get_values(a, vpath, NULL, 1, v, "mV"), a);
    CHECK(v[0] > -100 && v[0] < 50, "v in mV");
    /* checkpoint a, restore into b (2 threads), continue both */
    size_t size = axon_sim_checkpoint_size(a);
    unsigned char *buf = malloc(size);
    CHECK(buf != NULL, "malloc");
    if (buf) {
        OK(axon_sim_checkpoint_mem(a, buf, size, NULL), a);
        OK(axon_sim_restore_mem(b, buf, size), b);
        /* damaged: refused, b unchanged */
        buf[size / 2] ^= 0x10;
        CHECK(axon_sim_restore_mem(b, buf, size) == AXON_EFORMAT, "a flipped byte was accepted");
        CHECK(axon_sim_restore_mem(b, buf, size / 3) == AXON_EFORMAT, "a truncation was accepted");
        free(buf);
    }
    OK(axon_sim_step(a, 300, NULL, NULL), a);
    OK(axon_sim_step(b, 300, NULL, NULL), b);
    compare(a, b);
    /* the other model, alive at the same time */
    OK(axon_sim_run(c, 0.1, NULL, NULL), c);
    CHECK(axon_sim_checkpoint_size(c) > 0, "checkpoint size of model 2");
    CHECK(axon_sim_restore_mem(c, "AXONCKPT", 8) == AXON_EFORMAT, "a stub was accepted");
    /* misuse */
    CHECK(axon_sim_inject(a, "nope.I", idx, amps, n, NULL) == AXON_EINVAL, "inject nope");
    CHECK(*axon_sim_error(a), "no message");
    CHECK(axon_sim_push_spikes(a, 0, (const uint32_t[]){0xffffffffu}, 1) == AXON_EINVAL,
          "push out of range");
    CHECK(axon_sim_spike_count(NULL, 0) == 0, "NULL sim");
    printf("suite: %s x2 and %s, %lu spikes seen by the callback, %d failure%s\n", m1->name,
           m2->name, cnt.spikes, failures, failures == 1 ? "" : "s");
    axon_sim_free(a);
    axon_sim_free(b);
    axon_sim_free(c);
    axon_model_close(h1);
    axon_model_close(h2);
    return failures != 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "open"))
        return cmd_open(argv[2], argv[3]);
    if (argc == 6 && !strcmp(argv[1], "suite"))
        return cmd_suite(argv[2], argv[3], argv[4], argv[5]);
    fprintf(stderr, "usage: api open LIB SYMBOL|-\n       api suite LIB1 SYM1 LIB2 SYM2\n");
    return 2;
}
