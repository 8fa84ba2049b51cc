/*
 * exprel_ulp: the error of the exprel that update kernels compute (compiler/codegen/cg_math.c),
 * in ulp of the model's precision against expm1l(x) / x, over ranges of arguments.
 * It compiles `y = exprel(x)` for 2^20 neurons with libaxonc (this machine's CPU), fills x
 * with evenly spaced arguments of one range, runs one step, and so ROUNDS times (default 1),
 * each time the grid shifted by 1/ROUNDS of its spacing, and prints the worst error:
 *
 *     cc -O2 -I compiler/include -I runtime/include tools/exprel_ulp.c \
 *        -L.libs -Wl,-rpath,$PWD/.libs -laxonc -laxonrt -lm -o exprel_ulp
 *     ./exprel_ulp [ROUNDS [single]]
 *
 * With `single`, the model is compiled in single precision (the float exprel, float ulp). *
 * The update kernel takes the polynomial's fast body for the neurons whose arguments lie in
 * its interval and the full function for the others, as in any model. bench/HISTORY.md
 * ("exprel's polynomial one degree shorter") has its figures; check_axonc's
 * test_exprel_kernel holds the double polynomial to 0.9 ulp and the rest to 2 on 2,600
 * arguments, test_math_f32 the float one to 1.1 and the rest to 2.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "axon/axon.h"
#include "axon/axonc.h"

#define N 1048576

static const char MODEL[] = "neuron T {\n"
                            "    state {\n"
                            "        x = 0\n"
                            "        y = 0\n"
                            "    }\n"
                            "    step { y = exprel(x) }\n"
                            "}\n"
                            "module M(N = 1048576) {\n"
                            "    population P = T[N]\n"
                            "}\n";

static const double RANGES[][2] = {{-2, -1},      {-1, -0.75}, {-0.75, 0.125},
                                   {0.125, 0.25}, {0.25, 1},   {-1e-3, 1e-3}};

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 1;
    int single = argc > 2 && !strcmp(argv[2], "single");
    if (rounds < 1 || argc > 3 || (argc > 2 && !single)) {
        fprintf(stderr, "usage: exprel_ulp [ROUNDS [single]]   (ROUNDS >= 1)\n");
        return 2;
    }
    axonc_session *s = axonc_session_new(&(axonc_options){.precision = single ? 4 : 8});
    axonc_unit *u = NULL;
    axonc_instance *in = NULL;
    const axon_model_desc *m = NULL;
    if (!s || axonc_load_string(s, "<exprel>", MODEL, strlen(MODEL), &u) != AXONC_OK ||
        axonc_check(u) != AXONC_OK || axonc_instantiate(u, NULL, &in) != AXONC_OK ||
        axonc_jit(in, &m) != AXONC_OK) {
        fprintf(stderr, "exprel_ulp: the model did not compile\n");
        return 1;
    }
    axon_err err;
    axon_sim *sim = axon_sim_new(m, &(axon_opts){.seed = 1, .threads = 1}, &err);
    if (!sim) {
        fprintf(stderr, "exprel_ulp: %s\n", err.msg);
        return 1;
    }
    for (size_t r = 0; r < sizeof RANGES / sizeof *RANGES; r++) {
        double lo = RANGES[r][0], hi = RANGES[r][1], worst = 0, at = 0;
        for (int k = 0; k < rounds; k++) {
            axon_tensor tx, ty;
            if (axon_sim_var(sim, "P.x", &tx) != AXON_OK) {
                fprintf(stderr, "exprel_ulp: %s\n", axon_sim_error(sim));
                return 1;
            }
            for (int i = 0; i < N; i++) {
                double v = lo + (hi - lo) * (i + (k + 0.5) / rounds) / N;
                if (single)
                    ((float *)tx.data)[i] = (float)v;
                else
                    ((double *)tx.data)[i] = v;
            }
            if (axon_sim_step(sim, 1, NULL, NULL) != AXON_OK ||
                axon_sim_var(sim, "P.y", &ty) != AXON_OK) {
                fprintf(stderr, "exprel_ulp: %s\n", axon_sim_error(sim));
                return 1;
            }
            for (int i = 0; i < N; i++) {
                double xi = single ? ((const float *)tx.data)[i] : ((const double *)tx.data)[i];
                double yi = single ? ((const float *)ty.data)[i] : ((const double *)ty.data)[i];
                long double ref = xi == 0 ? 1.0L : expm1l((long double)xi) / xi;
                double ulp = single ? (double)(nextafterf((float)ref, INFINITY) - (float)ref)
                                    : nextafter((double)ref, INFINITY) - (double)ref;
                double e = (double)(fabsl(yi - ref) / ulp);
                if (e > worst) {
                    worst = e;
                    at = xi;
                }
            }
        }
        printf("[%g, %g): worst %.3f ulp at x = %.17g (%d arguments)\n", lo, hi, worst, at,
               N * rounds);
    }
    axon_sim_free(sim);
    axonc_session_free(s);
    return 0;
}
