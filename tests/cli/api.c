/*
 * The embedding API against real compiled models (tests/cli/embed.sh runs it, also under
 * valgrind): `api open LIB SYMBOL` loads a model from a shared library and runs it.
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

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "open"))
        return cmd_open(argv[2], argv[3]);
    fprintf(stderr, "usage: api open LIB SYMBOL|-\n");
    return 2;
}
