/*
 * The typed header of `axon build --emit obj` (tests/cli/embed.sh): a program written against
 * coba.h and izh.h, the headers of two models built with --symbol coba and --symbol izh.
 * Accessors give the live arrays of their own model's simulations and NULL for another's.
 */
#include "coba.h"
#include "izh.h"

#include <stdio.h>

int main(void)
{
    axon_err err = {{0}};
    axon_sim *c = axon_sim_new(&coba, &(axon_opts){.seed = 1}, &err);
    axon_sim *z = axon_sim_new(&izh, NULL, &err);
    if (!c || !z) {
        fprintf(stderr, "typed: %s\n", err.msg);
        return 1;
    }
    int bad = 0;
    coba_real *v = coba_E_v(c);
    bad |= !v || coba_E_v(z) != NULL; /* another model's simulation: NULL */
    bad |= coba_E_size != 400 || coba_pop_E != axon_sim_pop_index(c, "E");
    bad |= coba_proj_E_to_I != axon_sim_proj_index(c, "E->I");
    v[3] = -0.055; /* writes the simulation's state */
    double got = 0;
    axon_sim_get_values(c, coba_E_v_path, (const uint32_t[]){3}, 1, &got, NULL);
    bad |= got != -0.055;
    if (axon_sim_run(c, 0.02, NULL, NULL) != AXON_OK ||
        axon_sim_run(z, 0.02, NULL, NULL) != AXON_OK)
        return 1;
    printf("E.v[0] = %.4f V, RS.v[0] = %.4f V, E spikes %llu\n", (double)coba_E_v(c)[0],
           (double)izh_RS_v(z)[0], (unsigned long long)axon_sim_spike_count(c, coba_pop_E));
    axon_sim_free(c);
    axon_sim_free(z);
    if (bad)
        fprintf(stderr, "typed: the header's names do not match the model\n");
    return bad;
}
