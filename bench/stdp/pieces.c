/*
 * A model run in pieces, as a closed loop runs it: `pieces P SECONDS` calls axon_sim_run P times
 * for SECONDS / P each (seed 0, 1 thread) and prints the CPU time of the calls and the spikes.
 * Linked with a model object, e.g. the plastic network of bench/stdp:
 *   axon build bench/stdp/coba_stdp.axon --emit obj --set N=64000 -o m.o
 *   cc -O2 -I runtime/include bench/stdp/pieces.c m.o -L.libs -Wl,-rpath,$PWD/.libs \
 *      -laxonrt -lm -o pieces
 *   ./pieces 200 0.2; ./pieces 1 0.2
 * (bench/HISTORY.md, Plasticity: a deferred on_post flushes at the end of every call.)
 */
#include <axon/axon.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern const axon_model_desc axon_model;

static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 3 || atoi(argv[1]) < 1 || !(atof(argv[2]) > 0)) {
        fprintf(stderr, "usage: pieces P SECONDS\n");
        return 2;
    }
    int pieces = atoi(argv[1]);
    double total = atof(argv[2]);
    axon_opts o = {.seed = 0, .threads = 1};
    axon_err e;
    axon_sim *s = axon_sim_new(&axon_model, &o, &e);
    if (!s) {
        fprintf(stderr, "pieces: %s\n", e.msg);
        return 1;
    }
    double c0 = cpu_s();
    for (int k = 0; k < pieces; k++)
        if (axon_sim_run(s, total / pieces, NULL, NULL) != AXON_OK) {
            fprintf(stderr, "pieces: %s\n", axon_sim_error(s));
            axon_sim_free(s);
            return 1;
        }
    unsigned long long spikes = 0;
    for (uint32_t p = 0; p < axon_model.npops; p++)
        spikes += axon_sim_spike_count(s, (int)p);
    printf("pieces=%d cpu_s=%.3f spikes=%llu\n", pieces, cpu_s() - c0, spikes);
    axon_sim_free(s);
    return 0;
}
