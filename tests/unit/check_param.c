/* Parameters at run time (<axon/axon.h>: axon_sim_get_param, axon_sim_set_param, ...): models
 * compiled from strings, their parameter tables, and every error path. */
#include "check_suites.h"

#include "axon/axon.h"
#include "axon/axonc.h"

/* the runtime's unit conversion (runtime/units.c), used by parameters and variable access */
int rt_unit_convert(const char *to, const char *from, double *scale);

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AXON_SRC_STDLIB_DIR
#error "AXON_SRC_STDLIB_DIR must be defined (Makefile.am sets it)"
#endif

/* A model compiled from text, and a simulation of it. */
typedef struct {
    axonc_session *s;
    axonc_unit *u;
    axonc_instance *in;
    const axon_model_desc *m;
    axon_sim *sim;
    char diags[4096];
} compiled;

static void collect(void *user, const axonc_diag *d)
{
    compiled *c = user;
    char *t = axonc_diag_render(d, AXONC_RENDER_BRIEF);
    size_t used = strlen(c->diags);
    snprintf(c->diags + used, sizeof c->diags - used, "%s", t ? t : "");
    free(t);
}

static void compile_with(compiled *c, const char *text, int precision, const axonc_override *set,
                         int nset)
{
    memset(c, 0, sizeof *c);
    const char *e = getenv("AXON_STDLIB");
    c->s = axonc_session_new(&(axonc_options){.on_diag = collect,
                                              .user = c,
                                              .precision = precision,
                                              .stdlib_dir = e && *e ? e : AXON_SRC_STDLIB_DIR});
    ck_assert_ptr_nonnull(c->s);
    ck_assert_int_eq(axonc_load_string(c->s, "<param>", text, strlen(text), &c->u), AXONC_OK);
    ck_assert_msg(axonc_check(c->u) == AXONC_OK, "%s", c->diags);
    ck_assert_msg(axonc_instantiate(c->u, &(axonc_instance_opts){.set = set, .nset = nset},
                                    &c->in) == AXONC_OK,
                  "%s", c->diags);
    ck_assert_msg(axonc_jit(c->in, &c->m) == AXONC_OK, "%s", c->diags);
    axon_err err;
    c->sim = axon_sim_new(c->m, &(axon_opts){.seed = 3}, &err);
    ck_assert_msg(c->sim != NULL, "%s", err.msg);
}

static void compile(compiled *c, const char *text)
{
    compile_with(c, text, 8, NULL, 0);
}

static void release(compiled *c)
{
    axon_sim_free(c->sim);
    axonc_session_free(c->s);
}

static bool has(const axon_sim *sim, const char *what)
{
    return strstr(axon_sim_error(sim), what) != NULL;
}

#define ck_assert_error(sim, call, what)                                                           \
    do {                                                                                           \
        ck_assert_int_eq((call), AXON_EINVAL);                                                     \
        ck_assert_msg(has(sim, what), "message '%s' lacks '%s'", axon_sim_error(sim), what);       \
    } while (0)

static const char NET[] =
    "import \"std/neurons/lif\"\n"
    "import \"std/neurons/izhikevich\"\n"
    "import \"std/synapses/basic\"\n"
    "module M {\n"
    "    population E = LIF[10](I_ext = 0.2 nA)\n"
    "    population Z = Izhikevich[4](I_ext = 10)\n"
    "    project E -> E : ExpCurrent(w = uniform(0.1 nA, 0.2 nA)) connect random(0.5)\n"
    "}\n";

/* One parser for every unit the API takes: named units with prefixes, products, quotients,
 * exponents (fractional too), the descriptors' SI products. */
START_TEST(test_unit_convert)
{
    static const struct {
        const char *to, *from;
        double scale; /* 0: not convertible */
    } CASES[] = {
        {"s", "ms", 1e-3},
        {"V", "mV", 1e-3},
        {"kg*m^2*s^-3*A^-1", "mV", 1e-3},
        {"V/s", "mV/ms", 1},
        {"S/m^2", "mS/cm^2", 10},
        {"S/m^2", "uS/cm^2", 1e-2},
        {"ohm", "Mohm", 1e6},
        {"ohm", "M\xce\xa9", 1e6},
        {"1/s", "Hz", 1},
        {"s^-1", "kHz", 1e3},
        {"mol/m^3", "mM", 1},
        {"kg", "g", 1e-3},
        {"V*s^-0.5", "mV/ms^0.5", 1e-3 / sqrt(1e-3)},
        {"1", "1", 1},
        {"A", "mV", 0},
        {"s", "xs", 0},
        {"1", "ms", 0},
        {"s", "m s", 0},
        {"s", "s^", 0},
        {"s", "/s", 0},
        {"s", "s*", 0},
        {"s", "min", 60},
        {"ms", "min", 6e4},
        {"s", "mmin", 0}, /* the minute takes no prefix, in a model either */
        {"K", "mK", 1e-3},
        {"m^3", "mL", 1e-6},
        {"kg*m^-1*s^-2", "hPa", 100},
        {"s", "\xce\xbcs", 1e-6},
    };
    for (size_t k = 0; k < sizeof CASES / sizeof *CASES; k++) {
        double f = -1;
        int ok = rt_unit_convert(CASES[k].to, CASES[k].from, &f);
        ck_assert_msg(ok == (CASES[k].scale != 0), "%s -> %s: %d", CASES[k].from, CASES[k].to, ok);
        if (ok)
            ck_assert_msg(fabs(f - CASES[k].scale) <= 1e-12 * CASES[k].scale, "%s -> %s: %g",
                          CASES[k].from, CASES[k].to, f);
        else
            ck_assert(f == 1);
        /* the public form gives the same */
        double g = -1;
        ck_assert_int_eq(axon_unit_convert(CASES[k].to, CASES[k].from, &g), ok);
        ck_assert(g == f);
    }
    ck_assert(axon_unit_convert("nA", "nA", NULL));
    ck_assert(!axon_unit_convert(NULL, "s", NULL));
    ck_assert(!axon_unit_convert("s", "", NULL));
    ck_assert(!axon_unit_convert("frobs", "frobs", NULL));
}
END_TEST

START_TEST(test_table)
{
    compiled c;
    compile(&c, NET);
    axon_sim *sim = c.sim;
    uint32_t n = axon_sim_param_count(sim);
    ck_assert_uint_eq(n, c.m->nparams);
    /* LIF: 8 shared; Izhikevich: 5 per neuron; ExpCurrent: w per synapse */
    ck_assert_uint_eq(n, 8 + 5 + 1);
    int k = axon_sim_param_index(sim, "E.tau_m");
    ck_assert_int_ge(k, 0);
    const axon_param_desc *p = axon_sim_param_desc(sim, (uint32_t)k);
    ck_assert_str_eq(p->name, "E.tau_m");
    ck_assert_str_eq(p->unit, "s");
    ck_assert_int_eq(p->kind, AXON_PARAM_SHARED);
    ck_assert_int_eq(p->owner, 0);
    ck_assert(p->value == 0.02);
    p = axon_sim_param_desc(sim, (uint32_t)axon_sim_param_index(sim, "E.R"));
    ck_assert_str_eq(p->unit, "ohm");
    p = axon_sim_param_desc(sim, (uint32_t)axon_sim_param_index(sim, "Z.a"));
    ck_assert_int_eq(p->kind, AXON_PARAM_PER_ITEM);
    ck_assert_int_eq(p->owner, 1);
    ck_assert_str_eq(c.m->pops[1].vars[p->index].name, "a");
    ck_assert_str_eq(p->unit, "1");
    ck_assert(isnan(p->value));
    p = axon_sim_param_desc(sim, (uint32_t)axon_sim_param_index(sim, "E->E.w"));
    ck_assert_int_eq(p->kind, AXON_PARAM_PER_ITEM);
    ck_assert_uint_eq(p->flags & AXON_PARAM_PROJ, AXON_PARAM_PROJ);
    ck_assert_str_eq(p->unit, "A");
    ck_assert_ptr_null(axon_sim_param_desc(sim, n));
    ck_assert_int_eq(axon_sim_param_index(sim, "E.nope"), -1);
    ck_assert_int_eq(axon_sim_param_index(sim, NULL), -1);
    ck_assert_uint_eq(axon_sim_param_count(NULL), 0);
    release(&c);
}
END_TEST

START_TEST(test_per_item)
{
    compiled c;
    compile(&c, NET);
    axon_sim *sim = c.sim;
    double v;
    ck_assert_int_eq(axon_sim_get_param(sim, "Z.a", &v), AXON_OK);
    ck_assert(v == 0.02);
    ck_assert_int_eq(axon_sim_set_param(sim, "Z.a", 0.1, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_get_param(sim, "Z.a", &v), AXON_OK);
    ck_assert(v == 0.1);
    ck_assert_int_eq(axon_sim_set_param_range(sim, "Z.a", 1, 3, 0.05, "1"), AXON_OK);
    axon_tensor t;
    ck_assert_int_eq(axon_sim_var(sim, "Z.a", &t), AXON_OK);
    const double *a = t.data;
    ck_assert(a[0] == 0.1 && a[1] == 0.05 && a[2] == 0.05 && a[3] == 0.1);
    ck_assert_error(sim, axon_sim_get_param(sim, "Z.a", &v), "differs between neurons");
    ck_assert_error(sim, axon_sim_set_param_range(sim, "Z.a", 3, 5, 1, NULL), "not within");
    ck_assert_error(sim, axon_sim_set_param_range(sim, "Z.a", 3, 2, 1, NULL), "not within");
    /* per synapse, in a unit with a prefix */
    ck_assert_int_eq(axon_sim_set_param(sim, "E->E.w", 0.3, "nA"), AXON_OK);
    ck_assert_int_eq(axon_sim_get_param(sim, "E->E.w", &v), AXON_OK);
    ck_assert_double_eq_tol(v, 3e-10, 1e-24);
    ck_assert_int_eq(axon_sim_set_param(sim, "E->E.w", 250, "pA"), AXON_OK);
    ck_assert_int_eq(axon_sim_syn_var(sim, "E->E.w", &t), AXON_OK);
    ck_assert_int_gt(t.shape[0], 0);
    ck_assert_double_eq_tol(((const double *)t.data)[0], 2.5e-10, 1e-24);
    ck_assert_int_eq(axon_sim_run(sim, 0.01, NULL, NULL), AXON_OK);
    release(&c);
}
END_TEST

START_TEST(test_errors)
{
    compiled c;
    compile(&c, NET);
    axon_sim *sim = c.sim;
    double v;
    ck_assert_error(sim, axon_sim_set_param(sim, "E.tau", 1, "ms"), "did you mean 'E.tau_m'");
    ck_assert_error(sim, axon_sim_get_param(sim, "E.tau", &v), "population 'E' has no parameter");
    ck_assert_error(sim, axon_sim_set_param(sim, "E.v", 1, "mV"), "state variable");
    ck_assert_error(sim, axon_sim_set_param(sim, "E.I", 1, "nA"), "input variable");
    ck_assert_error(sim, axon_sim_set_param(sim, "Q.x", 1, NULL), "no parameter 'Q.x'");
    ck_assert_error(sim, axon_sim_set_param(sim, "nodot", 1, NULL), "no parameter 'nodot'");
    ck_assert_error(sim, axon_sim_set_param(sim, NULL, 1, NULL), "no parameter name");
    /* units: the parameter's and the given one are named */
    ck_assert_error(sim, axon_sim_set_param(sim, "E->E.w", 1, "mV"), "'mV' is not A");
    ck_assert_error(sim, axon_sim_set_param(sim, "E->E.w", 1, "xA"), "in A");
    ck_assert_error(sim, axon_sim_set_param(sim, "Z.a", 1, "ms"), "plain number");
    /* values */
    ck_assert_error(sim, axon_sim_set_param(sim, "Z.a", NAN, NULL), "not a finite value");
    ck_assert_error(sim, axon_sim_set_param(sim, "Z.a", INFINITY, NULL), "not a finite value");
    ck_assert_error(sim, axon_sim_set_param(sim, "E->E.w", 1e300, "GA"), "not a finite value");
    /* a success leaves no message (the last call's, never an older one's) */
    ck_assert_int_eq(axon_sim_get_param(sim, "Z.a", &v), AXON_OK);
    ck_assert_str_eq(axon_sim_error(sim), "");
    ck_assert(v == 0.02);
    ck_assert_error(sim, axon_sim_set_param(sim, "E.tau", 1, "ms"), "did you mean");
    ck_assert_int_eq(axon_sim_set_param(sim, "Z.a", 0.02, NULL), AXON_OK);
    ck_assert_str_eq(axon_sim_error(sim), "");
    ck_assert_error(sim, axon_sim_set_param(sim, "E.tau", 1, "ms"), "did you mean");
    ck_assert_int_eq(axon_sim_set_param_range(sim, "Z.a", 0, 1, 0.02, NULL), AXON_OK);
    ck_assert_str_eq(axon_sim_error(sim), "");
    ck_assert_int_eq(axon_sim_get_param(NULL, "Z.a", &v), AXON_EINVAL);
    ck_assert_error(sim, axon_sim_get_param(sim, "Z.a", NULL), "NULL value");
    ck_assert_int_eq(axon_sim_set_param(NULL, "Z.a", 1, NULL), AXON_EINVAL);
    /* lookups fail with a message too, and every success leaves "": no message outlives the
     * call that set it */
    ck_assert_int_eq(axon_sim_param_index(sim, "E.tau"), -1);
    ck_assert_msg(has(sim, "did you mean 'E.tau_m'"), "%s", axon_sim_error(sim));
    ck_assert_ptr_null(axon_sim_param_desc(sim, axon_sim_param_count(sim)));
    ck_assert_msg(has(sim, "no parameter"), "%s", axon_sim_error(sim));
    int k = axon_sim_param_index(sim, "Z.a");
    ck_assert_int_ge(k, 0);
    ck_assert_str_eq(axon_sim_error(sim), "");
    ck_assert_error(sim, axon_sim_set_param(sim, "Q.x", 1, NULL), "no parameter");
    ck_assert_ptr_nonnull(axon_sim_param_desc(sim, (uint32_t)k));
    ck_assert_str_eq(axon_sim_error(sim), "");
    ck_assert_error(sim, axon_sim_set_param(sim, "Q.x", 1, NULL), "no parameter");
    ck_assert_int_eq(axon_sim_get_param(sim, "Z.a", &v), AXON_OK);
    ck_assert_str_eq(axon_sim_error(sim), "");
    ck_assert_error(sim, axon_sim_set_param(sim, "Q.x", 1, NULL), "no parameter");
    ck_assert_int_eq(axon_sim_set_param(sim, "Z.a", 0.03, NULL), AXON_OK);
    ck_assert_str_eq(axon_sim_error(sim), "");
    ck_assert_error(sim, axon_sim_set_param(sim, "Q.x", 1, NULL), "no parameter");
    ck_assert_int_eq(axon_sim_set_param_range(sim, "Z.a", 0, 1, 0.02, NULL), AXON_OK);
    ck_assert_str_eq(axon_sim_error(sim), "");
    release(&c);
}
END_TEST

/* ---- shared parameters changed at run time ------------------------------------------------ */

/* Every variable of every population and projection of a and b equal, bit for bit (same
 * model, same connectivity). */
static void same_state(const compiled *a, const compiled *b, const char *when)
{
    const axon_model_desc *m = a->m;
    for (uint32_t i = 0; i < m->npops; i++)
        for (uint32_t v = 0; v < m->pops[i].nvars; v++) {
            char path[128];
            snprintf(path, sizeof path, "%s.%s", m->pops[i].name, m->pops[i].vars[v].name);
            axon_tensor x, y;
            ck_assert_int_eq(axon_sim_var(a->sim, path, &x), AXON_OK);
            ck_assert_int_eq(axon_sim_var(b->sim, path, &y), AXON_OK);
            size_t n = x.shape[0] * axon_dtype_size(x.dtype);
            ck_assert_msg(!memcmp(x.data, y.data, n), "%s: %s differs", when, path);
        }
    for (uint32_t k = 0; k < m->nprojs; k++)
        for (uint32_t v = 0; v < m->projs[k].nvars; v++) {
            char path[128];
            snprintf(path, sizeof path, "%s.%s", m->projs[k].name, m->projs[k].vars[v].name);
            axon_tensor x, y;
            ck_assert_int_eq(axon_sim_syn_var(a->sim, path, &x), AXON_OK);
            ck_assert_int_eq(axon_sim_syn_var(b->sim, path, &y), AXON_OK);
            ck_assert_uint_eq(x.ndim, y.ndim);
            ck_assert_uint_eq(x.shape[0], y.shape[0]);
            /* the elements the view spans from its first: an interleaved group's other lanes
               between (ABI 12), each block's values and the next block's targets (ABI 13:
               2-D; the targets are the same too) */
            size_t last = x.ndim == 2 ? x.shape[1] : 1;
            size_t span = x.shape[0] ? (x.shape[0] - 1) * x.strides[0] + last : 0;
            size_t n = span * axon_dtype_size(x.dtype);
            ck_assert_msg(!memcmp(x.data, y.data, n), "%s: %s differs", when, path);
        }
    for (uint32_t i = 0; i < m->npops; i++)
        ck_assert_uint_eq(axon_sim_spike_count(a->sim, (int)i),
                          axon_sim_spike_count(b->sim, (int)i));
}

/* Does some state variable of a population differ between a and b? */
static bool state_differs(const compiled *a, const compiled *b)
{
    const axon_model_desc *m = a->m;
    for (uint32_t i = 0; i < m->npops; i++)
        for (uint32_t v = 0; v < m->pops[i].nvars; v++) {
            if (m->pops[i].vars[v].kind != AXON_VAR_STATE)
                continue;
            char path[128];
            snprintf(path, sizeof path, "%s.%s", m->pops[i].name, m->pops[i].vars[v].name);
            axon_tensor x, y;
            ck_assert_int_eq(axon_sim_var(a->sim, path, &x), AXON_OK);
            ck_assert_int_eq(axon_sim_var(b->sim, path, &y), AXON_OK);
            if (memcmp(x.data, y.data, x.shape[0] * axon_dtype_size(x.dtype)))
                return true;
        }
    return false;
}

/*
 * A simulation of text compiled with param = x (A) and one compiled with param = y (B) (given
 * to the compiler as cparam, which can be a module parameter that sets it):
 * A runs t1 with x, is set to y and runs t2; B is set to x, runs t1, is set back to y and runs
 * t2. Both are bit for bit the same after t1 and after t2: a parameter changed at run time
 * gives exactly what the model compiled with that value gives, whatever it started with.
 */
static void changed_equals_compiled(const char *text, int precision, const char *cparam,
                                    const char *param, double x, double y, const char *unit,
                                    double t1, double t2)
{
    compiled A, B;
    axonc_override ox = {cparam, x, unit, NULL}, oy = {cparam, y, unit, NULL};
    compile_with(&A, text, precision, &ox, 1);
    compile_with(&B, text, precision, &oy, 1);
    ck_assert_int_eq(axon_sim_set_param(B.sim, param, x, unit), AXON_OK);
    ck_assert_int_eq(axon_sim_run(A.sim, t1, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_run(B.sim, t1, NULL, NULL), AXON_OK);
    same_state(&A, &B, "before the change");
    ck_assert_int_eq(axon_sim_set_param(A.sim, param, y, unit), AXON_OK);
    ck_assert_int_eq(axon_sim_set_param(B.sim, param, y, unit), AXON_OK);
    ck_assert_int_eq(axon_sim_run(A.sim, t2, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_run(B.sim, t2, NULL, NULL), AXON_OK);
    same_state(&A, &B, "after the change");
    /* and the change made a difference */
    compiled C;
    compile_with(&C, text, precision, &ox, 1);
    ck_assert_int_eq(axon_sim_run(C.sim, t1 + t2, NULL, NULL), AXON_OK);
    ck_assert_msg(state_differs(&A, &C), "changing %s changed nothing", param);
    release(&A);
    release(&B);
    release(&C);
}

/* LIF (exact integration: a propagator) driven above threshold, with synapses */
static const char LIF_NET[] =
    "import \"std/neurons/lif\"\n"
    "import \"std/synapses/basic\"\n"
    "module M(w = 0.05 nA) {\n"
    "    population E = LIF[40](I_ext = 0.2 nA) { v = uniform(-65 mV, -50 mV) }\n"
    "    project E -> E : ExpCurrent(w = w) connect random(0.2)\n"
    "}\n";

START_TEST(test_lif_tau_m)
{
    changed_equals_compiled(LIF_NET, 8, "E.tau_m", "E.tau_m", 20, 30, "ms", 0.05, 0.05);
    changed_equals_compiled(LIF_NET, 4, "E.tau_m", "E.tau_m", 20, 12, "ms", 0.05, 0.05);
    /* the shared weight of a static synapse (stored once) and a time constant of the target */
    changed_equals_compiled(LIF_NET, 8, "w", "E->E.w", 0.05, 0.2, "nA", 0.05, 0.05);
    changed_equals_compiled(LIF_NET, 8, "E.tau_syn", "E.tau_syn", 5, 2, "ms", 0.05, 0.05);
    changed_equals_compiled(LIF_NET, 8, "E.t_ref", "E.t_ref", 2, 4, "ms", 0.05, 0.05);
}
END_TEST

/* A checkpoint keeps shared parameters changed at run time: a simulation restored from it
 * goes on with the changed tau_m, bit for bit as the one that was saved (not with the
 * compiled default). */
START_TEST(test_checkpoint_keeps_params)
{
    compiled a, b;
    const char *text = "import \"std/neurons/lif\"\n"
                       "module M { population E = LIF[4](I_ext = 0.3 nA) { v = -70 mV } }\n";
    compile(&a, text);
    compile(&b, text);
    ck_assert_int_eq(axon_sim_run(a.sim, 0.01, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_set_param(a.sim, "E.tau_m", 7, "ms"), AXON_OK);
    size_t n = axon_sim_checkpoint_size(a.sim), used = 0;
    void *buf = malloc(n);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(axon_sim_checkpoint_mem(a.sim, buf, n, &used), AXON_OK);
    ck_assert_msg(axon_sim_restore_mem(b.sim, buf, used) == AXON_OK, "%s", axon_sim_error(b.sim));
    free(buf);
    double tau;
    ck_assert_int_eq(axon_sim_get_param(b.sim, "E.tau_m", &tau), AXON_OK);
    ck_assert(tau == 7e-3);
    ck_assert_int_eq(axon_sim_run(a.sim, 0.02, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_run(b.sim, 0.02, NULL, NULL), AXON_OK);
    same_state(&a, &b, "after a restore with a changed tau_m");
    release(&a);
    release(&b);
}
END_TEST

/* After a change of tau_m, v relaxes as the analytic solution with the new time constant:
 * v(t) = v_inf + (v0 - v_inf) exp(-t / tau_m), no input, no spikes. */
START_TEST(test_lif_analytic)
{
    compiled c;
    compile(&c, "import \"std/neurons/lif\"\n"
                "module M { population E = LIF[3](I_ext = 0.1 nA) { v = -70 mV } }\n");
    ck_assert_int_eq(axon_sim_run(c.sim, 0.02, NULL, NULL), AXON_OK);
    axon_tensor t;
    ck_assert_int_eq(axon_sim_var(c.sim, "E.v", &t), AXON_OK);
    const double *v = t.data;
    double v_inf = -65e-3 + 100e6 * 0.1e-9, v0 = v[0];
    ck_assert_int_eq(axon_sim_set_param(c.sim, "E.tau_m", 7, "ms"), AXON_OK);
    double tau;
    ck_assert_int_eq(axon_sim_get_param(c.sim, "E.tau_m", &tau), AXON_OK);
    ck_assert(tau == 7e-3);
    for (int k = 1; k <= 5; k++) {
        ck_assert_int_eq(axon_sim_run(c.sim, 0.01, NULL, NULL), AXON_OK);
        double want = v_inf + (v0 - v_inf) * exp(-0.01 * k / 7e-3);
        ck_assert_msg(fabs(v[1] - want) <= 1e-12 * fabs(v0 - v_inf),
                      "t = %d0 ms: v = %.17g, "
                      "expected %.17g",
                      k, v[1], want);
    }
    /* the input parameter, in another unit */
    ck_assert_int_eq(axon_sim_set_param(c.sim, "E.I_ext", 50, "pA"), AXON_OK);
    ck_assert_int_eq(axon_sim_run(c.sim, 1.0, NULL, NULL), AXON_OK);
    ck_assert_double_eq_tol(v[2], -65e-3 + 100e6 * 50e-12, 1e-12);
    release(&c);
}
END_TEST

/* exponential Euler (conductances), step maps, a Poisson rate (dt in a derived value) */
START_TEST(test_other_schemes)
{
    const char *coba = "import \"std/neurons/lif\"\n"
                       "import \"std/synapses/basic\"\n"
                       "import \"std/inputs/poisson\"\n"
                       "module M {\n"
                       "    population P = PoissonSource[20](rate = 50 Hz)\n"
                       "    population E = LIFCond[30] { v = uniform(-60 mV, -50 mV) }\n"
                       "    project P -> E : Exc(w = 5 nS) connect random(0.5)\n"
                       "    project E -> E : Inh(w = 2 nS) connect random(0.3)\n"
                       "}\n";
    changed_equals_compiled(coba, 8, "E.tau_e", "E.tau_e", 5, 2, "ms", 0.05, 0.05);
    changed_equals_compiled(coba, 4, "E.C", "E.C", 200, 150, "pF", 0.05, 0.05);
    changed_equals_compiled(coba, 8, "P.rate", "P.rate", 50, 200, "Hz", 0.05, 0.05);
    /* rate * dt: derived in the model's precision, as the kernel computed it */
    changed_equals_compiled(coba, 4, "P.rate", "P.rate", 50, 120, "Hz", 0.05, 0.05);
    changed_equals_compiled(coba, 8, "E.E_e", "E.E_e", 0, 10, "mV", 0.05, 0.05);
    const char *map = "import \"std/neurons/maps\"\n"
                      "module M { population R = Rulkov[5] { x = uniform(-1.5, -0.5) } }\n";
    changed_equals_compiled(map, 8, "R.alpha", "R.alpha", 4.5, 4.1, NULL, 0.01, 0.01);
}
END_TEST

/* An event-driven trace (STDP): its decay factors come from a derived table. */
START_TEST(test_synapse_decay)
{
    const char *stdp = "import \"std/neurons/lif\"\n"
                       "import \"std/rules/stdp\"\n"
                       "import \"std/inputs/poisson\"\n"
                       "synapse Plastic {\n"
                       "    state { w = 0.5 }\n"
                       "    on pre { post.ge += w * 10 nS }\n"
                       "}\n"
                       "module M {\n"
                       "    population P = PoissonSource[30](rate = 80 Hz)\n"
                       "    population E = LIFCond[10](I_ext = 0.3 nA)\n"
                       "    project pe = P -> E : Plastic connect all_to_all learn STDP\n"
                       "}\n";
    changed_equals_compiled(stdp, 8, "pe.tau_pre", "pe.tau_pre", 20, 8, "ms", 0.1, 0.1);
    changed_equals_compiled(stdp, 8, "pe.tau_post", "pe.tau_post", 20, 40, "ms", 0.1, 0.1);
    changed_equals_compiled(stdp, 4, "pe.A_pre", "pe.A_pre", 0.01, 0.03, NULL, 0.1, 0.1);
}
END_TEST

START_TEST(test_shared_errors)
{
    compiled c;
    compile(&c, NET);
    axon_sim *sim = c.sim;
    double v, d0;
    ck_assert_int_eq(axon_sim_get_param(sim, "E.tau_m", &v), AXON_OK);
    ck_assert(v == 0.02);
    /* a value that makes a derived quantity infinite (1 / tau_m) is refused, nothing changes:
       the simulation goes on as one that was never asked */
    compiled same;
    compile(&same, NET);
    ck_assert_error(sim, axon_sim_set_param(sim, "E.tau_m", 0, "ms"), "infinite or undefined");
    ck_assert_int_eq(axon_sim_get_param(sim, "E.tau_m", &v), AXON_OK);
    ck_assert(v == 0.02);
    ck_assert_int_eq(axon_sim_run(sim, 0.01, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_run(same.sim, 0.01, NULL, NULL), AXON_OK);
    same_state(&c, &same, "after a refused change");
    release(&same);
    ck_assert_error(sim, axon_sim_set_param(sim, "E.tau_m", NAN, "ms"), "not a finite value");
    ck_assert_error(sim, axon_sim_set_param(sim, "E.tau_m", 1, "mV"), "'mV' is not s");
    ck_assert_error(sim, axon_sim_set_param_range(sim, "E.tau_m", 0, 2, 1, "ms"), "is shared");
    ck_assert_int_eq(axon_sim_set_param(sim, "E.tau_m", 0.5, "s"), AXON_OK);
    ck_assert_int_eq(axon_sim_set_param(sim, "E.tau_m", 4000, "us"), AXON_OK);
    ck_assert_int_eq(axon_sim_get_param(sim, "E.tau_m", &v), AXON_OK);
    ck_assert_double_eq_tol(v, 4e-3, 1e-18);
    ck_assert_int_eq(axon_sim_set_param(sim, "E.R", 0.2, "Gohm"), AXON_OK);
    ck_assert_int_eq(axon_sim_get_param(sim, "E.R", &d0), AXON_OK);
    ck_assert_double_eq_tol(d0, 2e8, 1e-6);
    ck_assert_int_eq(axon_sim_run(sim, 0.01, NULL, NULL), AXON_OK);
    release(&c);

    /* a truth value; an exponent (folded into the code: fixed) */
    compile(&c, "neuron N {\n"
                "    parameters { gate = true; p = 3; tau = 10 ms }\n"
                "    state { x = 0.5 }\n"
                "    equations { x' = -x^p / tau }\n"
                "    spike when gate and x > 2 { x = 0 }\n"
                "}\n"
                "module M { population A = N[2] }\n");
    sim = c.sim;
    int k = axon_sim_param_index(sim, "A.gate");
    ck_assert_uint_eq(axon_sim_param_desc(sim, (uint32_t)k)->flags & AXON_PARAM_BOOL,
                      AXON_PARAM_BOOL);
    ck_assert_int_eq(axon_sim_set_param(sim, "A.gate", 0, NULL), AXON_OK);
    ck_assert_error(sim, axon_sim_set_param(sim, "A.gate", 0.5, NULL), "true (1) or false (0)");
    k = axon_sim_param_index(sim, "A.p");
    ck_assert_uint_eq(axon_sim_param_desc(sim, (uint32_t)k)->flags & AXON_PARAM_FIXED,
                      AXON_PARAM_FIXED);
    ck_assert_int_eq(axon_sim_get_param(sim, "A.p", &v), AXON_OK);
    ck_assert(v == 3);
    ck_assert_error(sim, axon_sim_set_param(sim, "A.p", 2, NULL), "folded into the code");
    ck_assert_int_eq(axon_sim_set_param(sim, "A.tau", 20, "ms"), AXON_OK);
    ck_assert_int_eq(axon_sim_run(sim, 0.01, NULL, NULL), AXON_OK);
    release(&c);

    /* an exact scheme whose propagator overflows for the new value: refused */
    compile(&c, "neuron G {\n"
                "    parameters { tau = 10 ms }\n"
                "    state { x = 1 }\n"
                "    equations { x' = x / tau }\n"
                "}\n"
                "module M { population A = G[1] }\n");
    sim = c.sim;
    ck_assert_int_eq(axon_sim_set_param(sim, "A.tau", 1, "ms"), AXON_OK);
    ck_assert_error(sim, axon_sim_set_param(sim, "A.tau", 1, "ns"), "infinite or undefined");
    ck_assert_int_eq(axon_sim_get_param(sim, "A.tau", &v), AXON_OK);
    ck_assert(v == 1e-3);
    ck_assert_int_eq(axon_sim_run(sim, 0.001, NULL, NULL), AXON_OK);
    axon_tensor t;
    ck_assert_int_eq(axon_sim_var(sim, "A.x", &t), AXON_OK);
    ck_assert_double_eq_tol(((const double *)t.data)[0], exp(1.0), 1e-12);
    release(&c);
}
END_TEST

/* The protocol of a run line (model.h, ABI 5): the changes are in the descriptor and the
 * runtime makes each at its step, whatever slices the program runs in; a value the program
 * sets holds until the next change; a malformed table is refused. */
static const char PROTOCOL[] =
    "neuron Leaky {\n"
    "    parameters { tau = 10 ms; I0 = 0 nA; R = 100 Mohm }\n"
    "    parameters per neuron { b = 0 mV }\n"
    "    state { v = 0 mV }\n"
    "    equations { v' = (b - v + R * I0) / tau }\n"
    "}\n"
    "module M {\n"
    "    population E = Leaky[3]\n"
    "}\n"
    "run M for 10 ms {\n"
    "    at 1 ms { E.I0 = 0.2 nA }\n"
    "    at 2.05 ms { E.I0 = 0.1 nA; E.b = 5 mV; E.tau = 20 ms }\n"
    "}\n";

START_TEST(test_protocol)
{
    compiled c;
    compile(&c, PROTOCOL);
    ck_assert_uint_eq(c.m->nchanges, 4);
    ck_assert_uint_eq(c.m->changes[0].step, 10);
    ck_assert_uint_eq(c.m->changes[1].step, 21); /* the first step that starts at 2.05 ms */
    double x;
    /* in slices of one step: the change is made before step 10, not before */
    for (int k = 0; k < 10; k++)
        ck_assert_int_eq(axon_sim_run(c.sim, 1e-4, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_get_param(c.sim, "E.I0", &x), AXON_OK);
    ck_assert(x == 0);
    ck_assert_int_eq(axon_sim_run(c.sim, 1e-4, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_get_param(c.sim, "E.I0", &x), AXON_OK);
    ck_assert_double_eq_tol(x, 0.2e-9, 1e-24);
    /* the program's own value holds until the protocol's next change */
    ck_assert_int_eq(axon_sim_set_param(c.sim, "E.I0", 0.3, "nA"), AXON_OK);
    ck_assert_int_eq(axon_sim_run(c.sim, 1e-3, NULL, NULL), AXON_OK); /* to step 21 */
    ck_assert_int_eq(axon_sim_get_param(c.sim, "E.I0", &x), AXON_OK);
    ck_assert_double_eq_tol(x, 0.3e-9, 1e-24);
    ck_assert_int_eq(axon_sim_run(c.sim, 1e-4, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_get_param(c.sim, "E.I0", &x), AXON_OK);
    ck_assert_double_eq_tol(x, 0.1e-9, 1e-24);
    ck_assert_int_eq(axon_sim_get_param(c.sim, "E.tau", &x), AXON_OK);
    ck_assert_double_eq_tol(x, 20e-3, 1e-18);
    /* a per-neuron parameter: every neuron */
    axon_tensor b;
    ck_assert_int_eq(axon_sim_var(c.sim, "E.b", &b), AXON_OK);
    for (int i = 0; i < 3; i++)
        ck_assert_double_eq_tol(((const double *)b.data)[i], 5e-3, 1e-18);

    /* a descriptor whose changes are out of order, or name no parameter, is refused */
    axon_model_desc bad = *c.m;
    axon_change_desc ch[2] = {c.m->changes[1], c.m->changes[0]};
    bad.changes = ch;
    bad.nchanges = 2;
    axon_err err;
    ck_assert_ptr_null(axon_sim_new(&bad, &(axon_opts){.seed = 1}, &err));
    ck_assert_msg(strstr(err.msg, "change 1 of the protocol is malformed"), "%s", err.msg);
    ch[0] = c.m->changes[0];
    ch[0].param = (int32_t)c.m->nparams;
    bad.nchanges = 1;
    ck_assert_ptr_null(axon_sim_new(&bad, &(axon_opts){.seed = 1}, &err));
    ck_assert_msg(strstr(err.msg, "change 0 of the protocol is malformed"), "%s", err.msg);
    release(&c);
}
END_TEST

/* A population's initialisers: `let` values (one draw per neuron wherever the let is used),
 * distinct draws for distinct initialisers, and initialisers that read variables declared
 * after them. */
static const char INITS[] =
    "neuron Cell {\n"
    "    parameters { tau = 10 ms }\n"
    "    parameters per neuron { a = 0; b = 0; c = 0 }\n"
    "    state { v = 0 mV; u = 0 mV }\n"
    "    equations { v' = -v / tau\n u' = -u / tau }\n"
    "}\n"
    "module M {\n"
    "    population E = Cell[50] { let r = rand(); a = r; b = 1 - r; c = rand()\n"
    "                              let w = -10 mV - 1 mV * i; v = 5 * u; u = w }\n"
    "}\n";

START_TEST(test_initialisers)
{
    compiled c;
    compile(&c, INITS);
    axon_tensor a, b, cc, v, u;
    ck_assert_int_eq(axon_sim_var(c.sim, "E.a", &a), AXON_OK);
    ck_assert_int_eq(axon_sim_var(c.sim, "E.b", &b), AXON_OK);
    ck_assert_int_eq(axon_sim_var(c.sim, "E.c", &cc), AXON_OK);
    ck_assert_int_eq(axon_sim_var(c.sim, "E.v", &v), AXON_OK);
    ck_assert_int_eq(axon_sim_var(c.sim, "E.u", &u), AXON_OK);
    const double *A = a.data, *B = b.data, *C = cc.data, *V = v.data, *U = u.data;
    int same = 0;
    for (int i = 0; i < 50; i++) {
        ck_assert(A[i] > 0 && A[i] < 1);
        ck_assert_double_eq_tol(A[i] + B[i], 1, 1e-15); /* one draw for both */
        same += A[i] == C[i];                          /* another draw */
        ck_assert_double_eq_tol(U[i], -10e-3 - 1e-3 * i, 1e-15);
        ck_assert_double_eq_tol(V[i], 5 * U[i], 1e-15);
    }
    ck_assert_int_eq(same, 0);
    release(&c);
    /* the block's draws differ from those of the type's own initial values */
    compile(&c, "neuron R {\n"
                "    parameters { tau = 10 ms }\n"
                "    state { v = uniform(0 mV, 1 mV); u = 0 mV }\n"
                "    equations { v' = -v / tau\n u' = -u / tau }\n"
                "}\n"
                "module M { population E = R[50] { u = uniform(0 mV, 1 mV) } }\n");
    ck_assert_int_eq(axon_sim_var(c.sim, "E.v", &v), AXON_OK);
    ck_assert_int_eq(axon_sim_var(c.sim, "E.u", &u), AXON_OK);
    same = 0;
    for (int i = 0; i < 50; i++)
        same += ((const double *)v.data)[i] == ((const double *)u.data)[i];
    ck_assert_int_eq(same, 0);
    release(&c);
    /* an initialiser may read the type's definitions (this crashed the checker) */
    compile(&c, "import \"std/neurons/hh\"\n"
                "module M { population H = HH[2] { v = -70 mV; m = alpha_m / (alpha_m + beta_m) } }\n");
    ck_assert_int_eq(axon_sim_var(c.sim, "H.m", &v), AXON_OK);
    double am = 0.1 * -30 / (1 - exp(3)), bm = 4 * exp(5.0 / 18); /* u = -70 */
    ck_assert_double_eq_tol(((const double *)v.data)[1], am / (am + bm), 1e-12);
    release(&c);
}
END_TEST

/* A parameter that picks an element of the target's vector (post.I_d[seg]): the table gives it
 * the range of the elements and marks it fixed, per synapse or folded into one shared value;
 * each synapse adds to the element it picks. */
START_TEST(test_element_param)
{
    compiled c;
    compile(&c, "neuron D {\n"
                "    inputs { I_d[4] }\n"
                "    state { u[4] = 0 }\n"
                "    equations { u[k]' = I_d[k] / dt }\n"
                "}\n"
                "neuron S { spike when t < dt }\n"
                "synapse Seg {\n"
                "    parameters { w = 1; seg = 0 }\n"
                "    on pre { post.I_d[seg] += w }\n"
                "}\n"
                "module M {\n"
                "    population A = S[3]\n"
                "    population B = D[2]\n"
                "    project p = A -> B : Seg(w = 1 + i, seg = (i + 2 * j) % 4) connect all_to_all\n"
                "    project q = A -> B : Seg(w = 10, seg = 3) connect all_to_all\n"
                "}\n");
    axon_sim *sim = c.sim;
    ck_assert_msg(sim, "%s", c.diags);
    static const char *const names[] = {"p.seg", "q.seg"};
    for (int n = 0; n < 2; n++) {
        int k = axon_sim_param_index(sim, names[n]);
        ck_assert_int_ge(k, 0);
        const axon_param_desc *p = axon_sim_param_desc(sim, (uint32_t)k);
        ck_assert_uint_eq(p->flags & AXON_PARAM_FIXED, AXON_PARAM_FIXED);
        ck_assert(p->min == 0 && p->max == 3);
        ck_assert_error(sim, axon_sim_set_param(sim, names[n], 1, NULL), "folded into the code");
    }
    ck_assert_int_eq(axon_sim_run(sim, 0.0005, NULL, NULL), AXON_OK);
    /* the spike of A[i] (in the first step) reaches I_d[(i + 2 j) % 4] of B[j] with 1 + i,
       and I_d[3] with 10; u sums the inputs */
    for (int e = 0; e < 4; e++) {
        char path[16];
        snprintf(path, sizeof path, "B.u[%d]", e);
        axon_tensor t;
        ck_assert_int_eq(axon_sim_var(sim, path, &t), AXON_OK);
        for (int j = 0; j < 2; j++) {
            double want = e == 3 ? 30 : 0;
            for (int i = 0; i < 3; i++)
                want += (i + 2 * j) % 4 == e ? 1 + i : 0;
            ck_assert_msg(((const double *)t.data)[j] == want, "%s of %d: %g, want %g", path, j,
                          ((const double *)t.data)[j], want);
        }
    }
    release(&c);
}
END_TEST

Suite *param_suite(void)
{
    Suite *s = suite_create("param");
    TCase *tc = tcase_create("param");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_unit_convert);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_per_item);
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_lif_tau_m);
    tcase_add_test(tc, test_lif_analytic);
    tcase_add_test(tc, test_checkpoint_keeps_params);
    tcase_add_test(tc, test_other_schemes);
    tcase_add_test(tc, test_synapse_decay);
    tcase_add_test(tc, test_shared_errors);
    tcase_add_test(tc, test_protocol);
    tcase_add_test(tc, test_initialisers);
    tcase_add_test(tc, test_element_param);
    suite_add_tcase(s, tc);
    return s;
}
