/*
 * Two compiled models in one program (tests/cli/multi.sh). Built three ways:
 *   linked in (objects or shared libraries whose descriptors are m1 and m2):
 *     multi OUT1 OUT2 DURATION SEED
 *   with -DMULTI_DLOPEN, the descriptors found in two shared libraries with dlsym:
 *     multi LIB1 SYM1 LIB2 SYM2 OUT1 OUT2 DURATION SEED
 * Both simulations are created before either runs, so each model's kernels run while the
 * other's are loaded; each writes its recordings to its directory (compared with `axon run`).
 */
#include <axon/axon.h>

#include <stdio.h>
#include <stdlib.h>

#ifdef MULTI_DLOPEN
#include <dlfcn.h>
#else
extern const axon_model_desc m1, m2;
#endif

static int fail(const char *what, const char *msg)
{
    fprintf(stderr, "multi: %s: %s\n", what, msg);
    return 1;
}

int main(int argc, char **argv)
{
    const axon_model_desc *desc[2];
#ifdef MULTI_DLOPEN
    if (argc != 9)
        return fail("usage", "multi LIB1 SYM1 LIB2 SYM2 OUT1 OUT2 DURATION SEED");
    for (int k = 0; k < 2; k++) {
        /* RTLD_GLOBAL: the second library's symbols must not bind to the first's */
        void *h = dlopen(argv[1 + 2 * k], RTLD_NOW | RTLD_GLOBAL);
        if (!h)
            return fail(argv[1 + 2 * k], dlerror());
        desc[k] = dlsym(h, argv[2 + 2 * k]);
        if (!desc[k])
            return fail(argv[2 + 2 * k], dlerror());
    }
    char **rest = argv + 5;
#else
    if (argc != 5)
        return fail("usage", "multi OUT1 OUT2 DURATION SEED");
    desc[0] = &m1;
    desc[1] = &m2;
    char **rest = argv + 1;
#endif
    double duration = strtod(rest[2], NULL);
    axon_opts o = {.seed = strtoull(rest[3], NULL, 10), .threads = 1};
    axon_sim *sim[2];
    axon_err err = {{0}};
    for (int k = 0; k < 2; k++)
        if (!(sim[k] = axon_sim_new(desc[k], &o, &err)))
            return fail(desc[k]->name, err.msg);
    int status = 0;
    for (int k = 0; k < 2 && !status; k++)
        if (axon_sim_run(sim[k], duration, NULL, NULL) != AXON_OK ||
            axon_sim_write(sim[k], rest[k], &err) != AXON_OK)
            status = fail(desc[k]->name, axon_sim_error(sim[k]));
    for (int k = 0; k < 2; k++)
        axon_sim_free(sim[k]);
    return status;
}
