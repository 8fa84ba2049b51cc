/* Parameters at run time (<axon/axon.h>: axon_sim_get_param, axon_sim_set_param, ...): models
 * compiled from strings, their parameter tables, and every error path. */
#include "check_suites.h"

#include "axon/axon.h"
#include "axon/axonc.h"

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
    ck_assert_int_eq(axon_sim_get_param(sim, "Z.a", &v), AXON_OK);
    ck_assert(v == 0.02);
    ck_assert_int_eq(axon_sim_get_param(NULL, "Z.a", &v), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_get_param(sim, "Z.a", NULL), AXON_EINVAL);
    ck_assert_int_eq(axon_sim_set_param(NULL, "Z.a", 1, NULL), AXON_EINVAL);
    release(&c);
}
END_TEST

Suite *param_suite(void)
{
    Suite *s = suite_create("param");
    TCase *tc = tcase_create("param");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_per_item);
    tcase_add_test(tc, test_errors);
    suite_add_tcase(s, tc);
    return s;
}
