/*
 * Embedding a compiled model in a C program.
 *
 *   axon build examples/izhikevich.axon -o izh.o      # izh.o + izh.h
 *   cc embed.c izh.o -I<axon include dir> -L<axon lib dir> -laxonrt -lm -o embed
 *
 * The program steps the model in 10 ms slices (as a closed-loop experiment
 * or a robot controller would), reads a membrane potential between slices,
 * and counts spikes.
 */
#include "izh.h"

#include <axon/axon.h>

#include <stdio.h>

int main(void)
{
    axon_err err = {{0}};
    axon_sim *sim = axon_sim_new(&axon_model, &(axon_opts){.seed = 1, .threads = 1}, &err);
    if (!sim) {
        fprintf(stderr, "embed: %s\n", err.msg);
        return 1;
    }
    axon_tensor v;
    if (axon_sim_var(sim, "RS.v", &v) != AXON_OK) {
        fprintf(stderr, "embed: %s\n", axon_sim_error(sim));
        axon_sim_free(sim);
        return 1;
    }
    for (int slice = 0; slice < 10; slice++) {
        if (axon_sim_run(sim, 0.010, NULL, NULL) != AXON_OK) {
            fprintf(stderr, "embed: %s\n", axon_sim_error(sim));
            break;
        }
        printf("t = %5.1f ms  RS.v = %8.3f\n", axon_sim_time(sim) * 1e3, ((double *)v.data)[0]);
    }
    int rs = axon_sim_pop_index(sim, "RS");
    printf("RS fired %llu spikes in %.0f ms\n", (unsigned long long)axon_sim_spike_count(sim, rs),
           axon_sim_time(sim) * 1e3);
    axon_sim_free(sim);
    return 0;
}
