/*
 * synmem: the synapse memory of a compiled model, from the runtime's own accounting
 * (axon_sim_bytes_per_synapse, axon/axon.h). `axon run` does not print it, so bench/coba/run.sh
 * builds the model with `axon build --emit obj` and links it with this program:
 *
 *     axon build bench/coba/coba.axon --emit obj -o m.o --set N=16000
 *     cc -I runtime/include bench/coba/synmem.c m.o -L.libs -laxonrt -lm -o synmem
 *     ./synmem [SEED [MS [THREADS]]]
 *
 * Creates the simulation (builds the connectivity; runs no step) and prints one line per
 * projection and a total line:
 *   proj=NAME synapses=S bytes=B bytes_per_synapse=B/S
 *   total synapses=S bytes=B bytes_per_synapse=B/S setup_s=T setup_cpu_s=C
 * where B = bytes_per_synapse * synapses is what the runtime counts for the projection: the
 * targets (uint16 per synapse onto a population of at most 65,536 neurons, else uint32), the
 * per-synapse variables and the CSR row offsets (uint64 per presynaptic neuron), with the padding
 * of the arrays to 16 elements, and for projections with `on post` handlers the post-ordered index
 * (docs/runtime.md); spike histories (per population) are not included. setup_s is the wall time of
 * axon_sim_new (initial state and connectivity), setup_cpu_s its CPU time (all threads).
 *
 * With MS, it then runs MS ms of model time on THREADS threads (default 1) and prints
 *   run run_s=W cpu_s=C spikes=S events=E neuron_steps=U peak_rss_mib=M
 * where W is the wall time of axon_sim_run (as `axon run`'s `run`, axon_sim_wall_seconds) and C
 * the CPU time of the process during it (all threads; on a loaded machine the less disturbed
 * figure), S the number of spikes of every population, E the synaptic events (over the
 * projections, the spikes of the presynaptic population times its mean row: synapses / its
 * size), U the neuron updates (every population's size times the steps run), and M the
 * process's peak resident
 * memory (VmHWM of /proc/self/status: getrusage's ru_maxrss would include the memory of the
 * process that started this one, which exec inherits as a floor; -1 where unreadable); then one
 * line per population:
 *   pop=NAME neurons=N spikes=S
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "axon/axon.h"

extern const axon_model_desc axon_model;

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double now(void) { return clock_s(CLOCK_MONOTONIC); }

/* Peak resident memory of this program image in MiB (Linux), -1 if unknown. */
static double peak_rss_mib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lf kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib < 0 ? -1 : kib / 1024;
}

int main(int argc, char **argv)
{
    axon_opts o = {.seed = argc > 1 ? strtoull(argv[1], NULL, 10) : 0,
                   .threads = argc > 3 ? atoi(argv[3]) : 1};
    axon_err err;
    double t0 = now(), c00 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
    axon_sim *s = axon_sim_new(&axon_model, &o, &err);
    double setup = now() - t0, setup_cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c00;
    if (!s) {
        fprintf(stderr, "synmem: %s\n", err.msg);
        return 1;
    }
    unsigned long long nsyn = 0;
    double bytes = 0;
    for (uint32_t q = 0; q < axon_model.nprojs; q++) {
        uint64_t n = axon_sim_synapse_count(s, (int)q);
        double b = axon_sim_bytes_per_synapse(s, (int)q) * (double)n;
        printf("proj=%s synapses=%llu bytes=%.0f bytes_per_synapse=%.4f\n", axon_model.projs[q].name,
               (unsigned long long)n, b, n ? b / (double)n : 0.0);
        nsyn += n;
        bytes += b;
    }
    printf("total synapses=%llu bytes=%.0f bytes_per_synapse=%.4f setup_s=%.3f setup_cpu_s=%.3f\n",
           nsyn, bytes, nsyn ? bytes / (double)nsyn : 0.0, setup, setup_cpu);
    if (argc > 2) {
        double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        if (axon_sim_run(s, strtod(argv[2], NULL) * 1e-3, NULL, NULL) != AXON_OK) {
            fprintf(stderr, "synmem: %s\n", axon_sim_error(s));
            axon_sim_free(s);
            return 1;
        }
        double cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        unsigned long long spikes = 0;
        double updates = 0, events = 0;
        for (uint32_t p = 0; p < axon_model.npops; p++) {
            spikes += axon_sim_spike_count(s, (int)p);
            updates += (double)axon_model.pops[p].size * (double)axon_sim_steps(s);
        }
        for (uint32_t q = 0; q < axon_model.nprojs; q++) {
            const axon_proj_desc *d = &axon_model.projs[q];
            uint32_t size = axon_model.pops[d->pre].size;
            if (size)
                events += (double)axon_sim_spike_count(s, d->pre) *
                          (double)axon_sim_synapse_count(s, (int)q) / size;
        }
        printf("run run_s=%.6f cpu_s=%.6f spikes=%llu events=%.0f neuron_steps=%.0f "
               "peak_rss_mib=%.1f\n",
               axon_sim_wall_seconds(s), cpu, spikes, events, updates, peak_rss_mib());
        for (uint32_t p = 0; p < axon_model.npops; p++)
            printf("pop=%s neurons=%u spikes=%llu\n", axon_model.pops[p].name,
                   axon_model.pops[p].size, (unsigned long long)axon_sim_spike_count(s, (int)p));
        for (uint32_t q = 0; q < axon_model.nprojs; q++) /* after the run (a deferred on_post
                                                             may have turned eager) */
            printf("after proj=%s bytes_per_synapse=%.4f\n", axon_model.projs[q].name,
                   axon_sim_bytes_per_synapse(s, (int)q));
    }
    axon_sim_free(s);
    return 0;
}
