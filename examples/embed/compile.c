/*
 * Compiling a model at run time with libaxonc, then running it with libaxonrt.
 *
 *   cc compile.c $(pkg-config --cflags --libs axonc) -o compile && ./compile
 *
 * The program compiles a model given as a string, runs it for 200 ms, changes a parameter
 * (the input current), compiles and runs again, and prints the firing rates. Diagnostics
 * (try a typo in MODEL) arrive at show_diag as records and are printed as `axon check`
 * prints them.
 */
#include <axon/axon.h>
#include <axon/axonc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char MODEL[] =
    "import \"std/neurons/lif\"\n"
    "module Drive(N = 100, drive = 0.2 nA) {\n"
    "    population E = LIF[N](I_ext = drive)\n"
    "    record spikes E\n"
    "}\n";

static void show_diag(void *user, const axonc_diag *d)
{
    (void)user;
    char *text = axonc_diag_render(d, 0);
    fputs(text ? text : d->message, stderr);
    free(text);
}

/* Compiles MODEL with the given drive (nA), runs it for 200 ms and returns the mean rate in Hz
 * of population E, or -1 after printing why not. */
static double rate_with_drive(axonc_unit *unit, double drive_nA)
{
    axonc_override set[] = {{"drive", drive_nA, "nA", NULL}};
    axonc_instance *in = NULL;
    const axon_model_desc *model = NULL;
    if (axonc_instantiate(unit, &(axonc_instance_opts){.set = set, .nset = 1}, &in) != AXONC_OK ||
        axonc_jit(in, &model) != AXONC_OK) {
        axonc_instance_free(in);
        return -1;
    }
    axon_err err;
    axon_sim *sim = axon_sim_new(model, &(axon_opts){.seed = 1}, &err);
    double rate = -1;
    if (!sim) {
        fprintf(stderr, "compile: %s\n", err.msg);
    } else if (axon_sim_run(sim, 0.2, NULL, NULL) != AXON_OK) {
        fprintf(stderr, "compile: %s\n", axon_sim_error(sim));
    } else {
        int e = axon_sim_pop_index(sim, "E");
        rate = (double)axon_sim_spike_count(sim, e) / model->pops[e].size / axon_sim_time(sim);
    }
    axon_sim_free(sim);      /* the simulation first: it runs the instance's code */
    axonc_instance_free(in); /* releases the compiled code */
    return rate;
}

int main(void)
{
    axonc_session *s = axonc_session_new(&(axonc_options){.on_diag = show_diag});
    if (!s) {
        fprintf(stderr, "compile: out of memory\n");
        return 1;
    }
    axonc_unit *unit = NULL;
    int status = 1;
    if (axonc_load_string(s, "<model>", MODEL, strlen(MODEL), &unit) == AXONC_OK &&
        axonc_check(unit) == AXONC_OK) {
        double low = rate_with_drive(unit, 0.2), high = rate_with_drive(unit, 0.4);
        if (low >= 0 && high >= 0) {
            printf("drive 0.2 nA: %.1f Hz\ndrive 0.4 nA: %.1f Hz\n", low, high);
            status = 0;
        }
    } else if (*axonc_session_error(s)) {
        fprintf(stderr, "compile: %s\n", axonc_session_error(s));
    }
    axonc_session_free(s); /* frees the unit too */
    return status;
}
