/*
 * Compiling a model at run time with libaxonc, then running it with libaxonrt.
 *
 *   cc compile.c $(pkg-config --cflags --libs axonc) -o compile && ./compile
 *
 * The program compiles a model given as a string, runs it for 200 ms, changes a parameter (the
 * input current of population E) between two runs of the same simulation, runs 200 ms more,
 * and prints the firing rate of each run; then it compiles the model again with another size
 * (a size is fixed when the model is compiled: a module parameter, given as an override) and
 * runs that. Diagnostics (try a typo in MODEL) arrive at show_diag as records and are printed
 * as `axon check` prints them.
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

/* Runs sim for 200 ms and returns the mean rate of population E over that run, in Hz, or -1
 * after printing why not. */
static double run_rate(axon_sim *sim)
{
    int e = axon_sim_pop_index(sim, "E");
    uint64_t before = axon_sim_spike_count(sim, e);
    if (axon_sim_run(sim, 0.2, NULL, NULL) != AXON_OK) {
        fprintf(stderr, "compile: %s\n", axon_sim_error(sim));
        return -1;
    }
    double n = (double)axon_sim_model(sim)->pops[e].size;
    return (double)(axon_sim_spike_count(sim, e) - before) / n / 0.2;
}

/* Compiles MODEL with the overrides, runs it, changes E's input current at run time, runs
 * again; prints both rates. Returns 0, or 1 after printing why not. */
static int simulate(axonc_unit *unit, const axonc_override *set, int nset, const char *label)
{
    axonc_instance *in = NULL;
    const axon_model_desc *model = NULL;
    if (axonc_instantiate(unit, &(axonc_instance_opts){.set = set, .nset = nset}, &in) !=
            AXONC_OK ||
        axonc_jit(in, &model) != AXONC_OK) {
        axonc_instance_free(in);
        return 1;
    }
    axon_err err;
    axon_sim *sim = axon_sim_new(model, &(axon_opts){.seed = 1}, &err);
    int status = 1;
    if (!sim) {
        fprintf(stderr, "compile: %s\n", err.msg);
    } else {
        double low = run_rate(sim);
        /* a shared parameter changes between steps, in any unit of its dimension */
        if (axon_sim_set_param(sim, "E.I_ext", 0.4, "nA") != AXON_OK) {
            fprintf(stderr, "compile: %s\n", axon_sim_error(sim));
        } else {
            double high = run_rate(sim);
            if (low >= 0 && high >= 0) {
                printf("%sdrive 0.2 nA: %.1f Hz\n%sdrive 0.4 nA: %.1f Hz\n", label, low, label,
                       high);
                status = 0;
            }
        }
    }
    axon_sim_free(sim);      /* the simulation first: it runs the instance's code */
    axonc_instance_free(in); /* releases the compiled code */
    return status;
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
        axonc_override bigger[] = {{"N", 400, NULL, NULL}};
        status = simulate(unit, NULL, 0, "") || simulate(unit, bigger, 1, "N = 400, ");
    } else if (*axonc_session_error(s)) {
        fprintf(stderr, "compile: %s\n", axonc_session_error(s));
    }
    axonc_session_free(s); /* frees the unit too */
    return status;
}
