/* The compiler as a library (<axon/axonc.h>): every function, its error paths, and the whole
 * pipeline from a string to a running simulation. */
#include "check_engine.h"
#include "check_suites.h"

#include "axon/analysis.h"
#include "axon/axon.h"
#include "axon/axonc.h"

#include <math.h>
#include <stdbool.h>
#include <pthread.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

/* Diagnostics collected by the callback: the rendered text of each. */
typedef struct {
    char text[8192];
    int n, errors;
    axonc_loc first;
    char first_file[64];
} sink;

static void collect(void *user, const axonc_diag *d)
{
    sink *k = user;
    char *t = axonc_diag_render(d, AXONC_RENDER_BRIEF * 0);
    size_t used = strlen(k->text);
    snprintf(k->text + used, sizeof k->text - used, "%s", t ? t : "");
    free(t);
    if (k->n++ == 0) {
        k->first = d->loc;
        snprintf(k->first_file, sizeof k->first_file, "%s", d->loc.file ? d->loc.file : "");
    }
    k->errors += d->severity == AXONC_ERROR;
}

static const char MODEL[] =
    "import \"std/neurons/lif\"\n"
    "module Drive(N = 20, drive = 2 nA) {\n"
    "    population E = LIF[N](I_ext = drive)\n"
    "    record spikes E\n"
    "}\n"
    "run Drive for 100 ms\n";

static axonc_session *session(sink *k)
{
    memset(k, 0, sizeof *k);
    axonc_session *s = axonc_session_new(&(axonc_options){.on_diag = collect, .user = k});
    ck_assert_ptr_nonnull(s);
    return s;
}

static axonc_unit *load_ok(axonc_session *s, const char *text)
{
    axonc_unit *u = NULL;
    ck_assert_int_eq(axonc_load_string(s, "<test>", text, strlen(text), &u), AXONC_OK);
    ck_assert_ptr_nonnull(u);
    ck_assert_int_eq(axonc_check(u), AXONC_OK);
    return u;
}

/* Runs a descriptor for duration and returns the spikes of population 0. */
static uint64_t spikes_of(const axon_model_desc *m, double duration, uint64_t seed)
{
    axon_err err;
    axon_sim *sim = axon_sim_new(m, &(axon_opts){.seed = seed}, &err);
    ck_assert_msg(sim != NULL, "%s", err.msg);
    ck_assert_int_eq(axon_sim_run(sim, duration, NULL, NULL), AXON_OK);
    uint64_t n = axon_sim_spike_count(sim, 0);
    axon_sim_free(sim);
    return n;
}

/* ---- variables recorded at spikes (`record spikes E.v`) */

/* v' = (v_inf - v) / tau from 0, integrated exactly, crosses v_th in step K (the first k with
 * v_inf (1 - exp(-k dt / tau)) > v_th) at that value; the reset to 0 repeats the cycle. n
 * counts the spikes in the reset, after the copy: at a neuron's k-th spike it reads k - 1. */
static const char SPIKE_VALUES[] =
    "neuron Lin {\n"
    "    parameters per neuron { v_inf = 25 mV }\n"
    "    parameters {\n"
    "        tau = 10 ms\n"
    "        v_th = 20 mV\n"
    "    }\n"
    "    state {\n"
    "        v = 0 mV\n"
    "        n = 0\n"
    "    }\n"
    "    equations { v' = (v_inf - v) / tau }\n"
    "    spike when v > v_th { v = 0 mV; n += 1 }\n"
    "}\n"
    "module M {\n"
    "    population E = Lin[3] { v_inf = [22 mV, 25 mV, 30 mV] }\n"
    "    record spikes E.v, E.n\n"
    "}\n"
    "run M for 100 ms\n";

/* Writes s into a fresh directory and reads it back. */
static axon_recording *written(axon_sim *s, char *dir)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
    axon_err err = {{0}};
    ck_assert_msg(axon_sim_write(s, dir, &err) == AXON_OK, "%s", err.msg);
    axon_recording *r = axon_recording_open(dir, &err);
    ck_assert_msg(r != NULL, "%s", err.msg);
    return r;
}

START_TEST(test_spike_values)
{
    sink k;
    axonc_session *s = session(&k);
    axonc_unit *u = load_ok(s, SPIKE_VALUES);
    axonc_instance *in = NULL;
    ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_OK);
    const axon_model_desc *m = NULL;
    ck_assert_int_eq(axonc_jit(in, &m), AXONC_OK);
    axon_err err = {{0}};
    axon_sim *a = axon_sim_new(m, &(axon_opts){.seed = 1}, &err);
    ck_assert_msg(a != NULL, "%s", err.msg);
    ck_assert_int_eq(axon_sim_step(a, 500, NULL, NULL), AXON_OK);
    size_t need = axon_sim_checkpoint_size(a);
    unsigned char *buf = malloc(need);
    ck_assert_int_eq(axon_sim_checkpoint_mem(a, buf, need, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_step(a, 500, NULL, NULL), AXON_OK);
    char da[] = "/tmp/axon_spkvalXXXXXX";
    axon_recording *r = written(a, da);
    int p = axon_recording_pop_index(r, "E");
    ck_assert_int_ge(p, 0);
    const axon_rec_pop *sp = axon_recording_pop(r, (size_t)p);
    size_t nv = 0, nn = 0;
    const char *unit = NULL;
    const double *v = axon_recording_spike_values(r, "E", "v", &nv, &unit);
    const double *n = axon_recording_spike_values(r, "E", "n", &nn, NULL);
    ck_assert_ptr_nonnull(v);
    ck_assert_ptr_nonnull(n);
    ck_assert_ptr_null(axon_recording_spike_values(r, "E", "w", NULL, NULL));
    ck_assert_ptr_null(axon_recording_spike_values(NULL, "E", "v", NULL, NULL));
    ck_assert_ptr_null(axon_recording_spike_values(r, NULL, "v", NULL, NULL));
    ck_assert_ptr_null(axon_recording_spike_values(r, "E", NULL, NULL, NULL));
    ck_assert_ptr_null(axon_recording_spike_values(r, "X", "v", NULL, NULL));
    ck_assert_str_eq(unit, "kg*m^2*s^-3*A^-1");
    /* K = 240, 161, 110 steps: 4 + 6 + 9 spikes in 1000 steps */
    ck_assert_uint_eq(sp->nspikes, 19);
    ck_assert_uint_eq(nv, 19);
    ck_assert_uint_eq(nn, 19);
    const double dt = 1e-4, tau = 10e-3, vth = 20e-3, vinf[3] = {22e-3, 25e-3, 30e-3};
    const int K[3] = {240, 161, 110};
    int seen[3] = {0, 0, 0};
    for (size_t j = 0; j < sp->nspikes; j++) {
        uint32_t i = sp->i[j];
        ck_assert_uint_lt(i, 3);
        double cross = vinf[i] * -expm1(-K[i] * dt / tau);
        ck_assert(cross > vth && vinf[i] * -expm1(-(K[i] - 1) * dt / tau) < vth);
        /* the value is the crossing value (before the reset), and n the spikes before it */
        ck_assert_msg(fabs(v[j] - cross) < 1e-12, "spike %zu of neuron %u: v %.17g, expected %.17g",
                      j, i, v[j], cross);
        ck_assert_msg(n[j] == seen[i], "spike %zu: n %g, expected %d", j, n[j], seen[i]);
        seen[i]++;
        ck_assert(fabs(sp->t[j] - seen[i] * K[i] * dt) < 1e-12);
    }
    ck_assert(seen[0] == 4 && seen[1] == 6 && seen[2] == 9);
    /* restored from the checkpoint at step 500, the same files */
    axon_sim *b = axon_sim_new(m, &(axon_opts){.seed = 1}, &err);
    ck_assert_msg(b != NULL, "%s", err.msg);
    ck_assert_msg(axon_sim_restore_mem(b, buf, need) == AXON_OK, "%s", axon_sim_error(b));
    ck_assert_int_eq(axon_sim_step(b, 500, NULL, NULL), AXON_OK);
    char db[] = "/tmp/axon_spkvalXXXXXX";
    axon_recording *rb = written(b, db);
    size_t nb = 0;
    const double *vb = axon_recording_spike_values(rb, "E", "v", &nb, NULL);
    ck_assert_ptr_nonnull(vb);
    ck_assert_uint_eq(nb, nv);
    ck_assert(!memcmp(vb, v, nv * sizeof *v));
    ck_assert(!memcmp(axon_recording_spike_values(rb, "E", "n", NULL, NULL), n, nn * sizeof *n));
    axon_recording_free(r);
    axon_recording_free(rb);
    ck_assert_int_eq(remove_tree(da), 0);
    ck_assert_int_eq(remove_tree(db), 0);
    free(buf);
    axon_sim_free(a);
    axon_sim_free(b);
    axonc_session_free(s);
}
END_TEST

START_TEST(test_null_handles)
{
    axonc_unit *u = (axonc_unit *)1;
    axonc_instance *in = (axonc_instance *)1;
    const axon_model_desc *m;
    char *text;
    axonc_def d;
    axonc_member mb;
    axonc_override ov;
    char buf[64];
    ck_assert_int_eq(axonc_load_file(NULL, "x", &u), AXONC_EINVAL);
    ck_assert_ptr_null(u);
    ck_assert_int_eq(axonc_load_string(NULL, "x", "", 0, &u), AXONC_EINVAL);
    ck_assert_int_eq(axonc_parse_file(NULL, "x", &u), AXONC_EINVAL);
    ck_assert_int_eq(axonc_check(NULL), AXONC_EINVAL);
    ck_assert_int_eq(axonc_instantiate(NULL, NULL, &in), AXONC_EINVAL);
    ck_assert_ptr_null(in);
    ck_assert_int_eq(axonc_jit(NULL, &m), AXONC_EINVAL);
    ck_assert_int_eq(axonc_emit(NULL, AXONC_EMIT_OBJECT, "x.o", NULL), AXONC_EINVAL);
    ck_assert_int_eq(axonc_dump_unit(NULL, AXONC_DUMP_AST, &text), AXONC_EINVAL);
    ck_assert_int_eq(axonc_dump_instance(NULL, AXONC_DUMP_IR, &text), AXONC_EINVAL);
    ck_assert_int_eq(axonc_def_get(NULL, 0, &d), AXONC_EINVAL);
    ck_assert_int_eq(axonc_def_member(NULL, 0, 0, &mb), AXONC_EINVAL);
    ck_assert_int_eq(axonc_def_count(NULL), 0);
    ck_assert_int_eq(axonc_def_find(NULL, "LIF"), -1);
    ck_assert_int_eq(axonc_parse_override(NULL, "N=1", &ov, buf, sizeof buf), AXONC_EINVAL);
    ck_assert_ptr_null(axonc_instance_module(NULL));
    ck_assert_ptr_null(axonc_diag_render(NULL, 0));
    ck_assert_str_ne(axonc_session_error(NULL), "");
    ck_assert_int_eq(axonc_error_count(NULL), 0);
    axonc_unit_free(NULL);
    axonc_instance_free(NULL);
    axonc_session_free(NULL);
}
END_TEST

START_TEST(test_bad_options)
{
    ck_assert_ptr_null(axonc_session_new(&(axonc_options){.precision = 3}));
    ck_assert_ptr_null(axonc_session_new(&(axonc_options){.opt_level = 4}));
    axonc_session *s = axonc_session_new(NULL);
    ck_assert_ptr_nonnull(s);
    ck_assert_str_eq(axonc_session_error(s), "");
    axonc_unit *u = (axonc_unit *)1;
    ck_assert_int_eq(axonc_load_file(s, NULL, &u), AXONC_EINVAL);
    ck_assert_ptr_null(u);
    ck_assert_str_ne(axonc_session_error(s), "");
    ck_assert_int_eq(axonc_load_string(s, NULL, "x", 1, &u), AXONC_EINVAL);
    axonc_session_free(s);
}
END_TEST

START_TEST(test_unreadable_file)
{
    sink k;
    axonc_session *s = session(&k);
    axonc_unit *u = (axonc_unit *)1;
    ck_assert_int_eq(axonc_load_file(s, "/nonexistent/model.axon", &u), AXONC_EIO);
    ck_assert_ptr_null(u);
    ck_assert_ptr_nonnull(strstr(axonc_session_error(s), "cannot read '/nonexistent/model.axon'"));
    ck_assert_int_eq(axonc_parse_file(s, "/nonexistent/model.axon", &u), AXONC_EIO);
    char *text = (char *)1;
    size_t len = 1;
    ck_assert_int_eq(axonc_read_file(s, "/nonexistent/model.axon", &text, &len), AXONC_EIO);
    ck_assert_ptr_null(text);
    ck_assert_uint_eq(len, 0);
    ck_assert_ptr_nonnull(strstr(axonc_session_error(s), "cannot read '/nonexistent/model.axon'"));
    ck_assert_int_eq(axonc_read_file(s, "/dev/zero", &text, &len), AXONC_EIO);
    ck_assert_str_eq(axonc_session_error(s),
                     "cannot read '/dev/zero': larger than 64 MiB, the limit for a model file");
    ck_assert_int_eq(axonc_read_file(s, NULL, &text, &len), AXONC_EINVAL);
    ck_assert_int_eq(axonc_read_file(NULL, "x", &text, &len), AXONC_EINVAL);
    ck_assert_int_eq(k.n, 0);
    /* a later success clears the message */
    u = load_ok(s, MODEL);
    ck_assert_str_eq(axonc_session_error(s), "");
    axonc_session_free(s); /* frees the unit too */
}
END_TEST

START_TEST(test_located_diagnostics)
{
    sink k;
    axonc_session *s = session(&k);
    const char *text = "neuron N {\n    state { v = 1 mV + 2 nA }\n}\n";
    axonc_unit *u = NULL;
    ck_assert_int_eq(axonc_load_string(s, "<repl:3>", text, strlen(text), &u), AXONC_OK);
    ck_assert_int_eq(axonc_check(u), AXONC_EDIAG);
    ck_assert_int_ge(k.errors, 1);
    ck_assert_str_eq(k.first_file, "<repl:3>");
    ck_assert_int_eq(k.first.line, 2);
    ck_assert_ptr_nonnull(strstr(k.text, "<repl:3>:2:"));
    ck_assert_ptr_nonnull(strstr(k.text, "dimension mismatch"));
    ck_assert_ptr_nonnull(strstr(k.text, "^")); /* the caret under the mistake */
    ck_assert_int_eq(axonc_error_count(s), k.errors);
    /* checking again delivers nothing new */
    int n = k.n;
    ck_assert_int_eq(axonc_check(u), AXONC_EDIAG);
    ck_assert_int_eq(k.n, n);
    /* a unit with errors does not instantiate */
    axonc_instance *in = (axonc_instance *)1;
    ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_EDIAG);
    ck_assert_ptr_null(in);
    axonc_unit_free(u);
    /* syntax errors come from loading */
    const char *bad = "neuron N {\n    state { v = = 1 }\n}\n";
    ck_assert_int_eq(axonc_load_string(s, "<repl:4>", bad, strlen(bad), &u), AXONC_EDIAG);
    ck_assert_ptr_nonnull(u);
    ck_assert_ptr_nonnull(strstr(k.text, "<repl:4>:2:17: error: unexpected '='"));
    ck_assert_int_eq(axonc_check(u), AXONC_EDIAG);
    axonc_session_free(s);
}
END_TEST

START_TEST(test_render_record)
{
    const char line[] = "    v' = (v_rest - v) / tau";
    axonc_note notes[2] = {{1, {0}, "did you mean 'tau_m'?"},
                           {0, {"a.axon", 1, 1, 1, 5, "a b c", 5, 0, 1}, "declared here"}};
    axonc_diag d = {AXONC_ERROR, {"m.axon", 3, 29, 3, 32, line, (int)strlen(line), 24, 27},
                    "no variable named 'tau'", 2, notes};
    char *t = axonc_diag_render(&d, 0);
    ck_assert_str_eq(t, "m.axon:3:29: error: no variable named 'tau'\n"
                        " 3 |     v' = (v_rest - v) / tau\n"
                        "   |                         ^~~\n"
                        "hint: did you mean 'tau_m'?\n"
                        "a.axon:1:1: note: declared here\n"
                        " 1 | a b c\n"
                        "   | ^\n");
    free(t);
    t = axonc_diag_render(&d, AXONC_RENDER_BRIEF);
    ck_assert_str_eq(t, "m.axon:3:29: error: no variable named 'tau'\n");
    free(t);
    axonc_diag none = {AXONC_WARNING, {0}, "no location", 0, NULL};
    t = axonc_diag_render(&none, 0);
    ck_assert_str_eq(t, "axon: warning: no location\n");
    free(t);
}
END_TEST

START_TEST(test_definitions)
{
    sink k;
    axonc_session *s = session(&k);
    axonc_unit *u = load_ok(s, MODEL);
    ck_assert_int_gt(axonc_def_count(u), 1);
    int lif = axonc_def_find(u, "LIF");
    ck_assert_int_ge(lif, 0);
    axonc_def d;
    ck_assert_int_eq(axonc_def_get(u, lif, &d), AXONC_OK);
    ck_assert_str_eq(d.name, "LIF");
    ck_assert_int_eq(d.kind, AXONC_NEURON);
    ck_assert_ptr_nonnull(strstr(d.loc.file, "lif.axon"));
    bool seen_tau = false, seen_v = false, seen_I = false;
    for (int m = 0; m < d.nmembers; m++) {
        axonc_member mb;
        ck_assert_int_eq(axonc_def_member(u, lif, m, &mb), AXONC_OK);
        if (!strcmp(mb.name, "tau_m")) {
            seen_tau = true;
            ck_assert_int_eq(mb.kind, AXONC_PARAM);
            ck_assert_str_eq(mb.unit, "s");
            ck_assert(mb.has_default);
            ck_assert(fabs(mb.default_si - 0.02) < 1e-15);
        } else if (!strcmp(mb.name, "v")) {
            seen_v = true;
            ck_assert_int_eq(mb.kind, AXONC_STATE);
            ck_assert_str_eq(mb.unit, "V");
        } else if (!strcmp(mb.name, "I")) {
            seen_I = true;
            ck_assert_int_eq(mb.kind, AXONC_INPUT);
            ck_assert_str_eq(mb.unit, "A");
        }
    }
    ck_assert(seen_tau && seen_v && seen_I);
    int mod = axonc_def_find(u, "Drive");
    ck_assert_int_eq(axonc_def_get(u, mod, &d), AXONC_OK);
    ck_assert_int_eq(d.kind, AXONC_MODULE);
    ck_assert_int_eq(d.nmembers, 2);
    axonc_member mb;
    ck_assert_int_eq(axonc_def_member(u, mod, 1, &mb), AXONC_OK);
    ck_assert_str_eq(mb.name, "drive");
    ck_assert_str_eq(mb.unit, "A");
    ck_assert(fabs(mb.default_si - 2e-9) < 1e-24);
    ck_assert_int_eq(axonc_def_member(u, mod, 2, &mb), AXONC_EINVAL);
    ck_assert_int_eq(axonc_def_get(u, 9999, &d), AXONC_EINVAL);
    ck_assert_int_eq(axonc_def_find(u, "Nope"), -1);
    axonc_session_free(s);
}
END_TEST

START_TEST(test_parse_override)
{
    axonc_session *s = axonc_session_new(NULL);
    axonc_override ov;
    char buf[128];
    ck_assert_int_eq(axonc_parse_override(s, "N=4000", &ov, buf, sizeof buf), AXONC_OK);
    ck_assert_str_eq(ov.name, "N");
    ck_assert(ov.value == 4000 && ov.unit == NULL);
    ck_assert_int_eq(axonc_parse_override(s, "w=2 nS", &ov, buf, sizeof buf), AXONC_OK);
    ck_assert_str_eq(ov.unit, "nS");
    ck_assert(ov.value == 2);
    ck_assert_int_eq(axonc_parse_override(s, "E.tau_m=-30ms", &ov, buf, sizeof buf), AXONC_OK);
    ck_assert_str_eq(ov.name, "E.tau_m");
    ck_assert(ov.value == -30);
    ck_assert_str_eq(ov.unit, "ms");
    static const char *const BAD[] = {"N=abc", "N=", "=4", "N", "N=4000 } module X {",
                                      "N=nan", "N=inf", "N=0/0", "1N=3", "N=3 frobs", "a b=1"};
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        ck_assert_msg(axonc_parse_override(s, BAD[i], &ov, buf, sizeof buf) == AXONC_EINVAL,
                      "accepted '%s'", BAD[i]);
        ck_assert_str_ne(axonc_session_error(s), "");
    }
    char small[4];
    ck_assert_int_eq(axonc_parse_override(s, "N=4000 ms", &ov, small, sizeof small), AXONC_EINVAL);
    axonc_session_free(s);
}
END_TEST

/* A failed instantiation (a bad override) or evaluation leaves the unit as its check left it:
 * the next instantiation with good values succeeds, the same error again is reported again,
 * and many failures do not use up the limit of reported diagnostics. */
START_TEST(test_failure_leaves_unit)
{
    sink k;
    axonc_session *s = session(&k);
    axonc_unit *u = load_ok(s, MODEL);
    axonc_instance *in = NULL;
    axonc_override half = {"N", 10.5, NULL, NULL}, good = {"N", 20, NULL, NULL};
    for (int round = 0; round < 150; round++) {
        int before = k.errors;
        ck_assert_int_eq(axonc_instantiate(u, &(axonc_instance_opts){.set = &half, .nset = 1}, &in),
                         AXONC_EDIAG);
        ck_assert_ptr_null(in);
        ck_assert_msg(k.errors == before + 1, "round %d: %d errors delivered", round,
                      k.errors - before);
        if (round % 50 == 0) {
            axonc_value val;
            ck_assert_int_eq(axonc_eval(u, "<e>", "1 mV + 1 nA", 11, NULL, 0, &val), AXONC_EDIAG);
            ck_assert_int_eq(axonc_eval(u, "<e>", "2 * 3 mV", 8, NULL, 0, &val), AXONC_OK);
            ck_assert(fabs(val.value - 6e-3) < 1e-15);
            ck_assert_int_eq(
                axonc_instantiate(u, &(axonc_instance_opts){.set = &good, .nset = 1}, &in),
                AXONC_OK);
            const axon_model_desc *m = NULL;
            ck_assert_int_eq(axonc_jit(in, &m), AXONC_OK);
            ck_assert_uint_eq(m->pops[0].size, 20);
            axonc_instance_free(in);
            in = NULL;
            ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_OK);
            axonc_instance_free(in);
            in = NULL;
        }
    }
    ck_assert_msg(strstr(k.text, "not shown") == NULL, "%s", k.text);
    axonc_unit_free(u);
    axonc_session_free(s);
}
END_TEST

START_TEST(test_run_change_run)
{
    sink k;
    axonc_session *s = session(&k);
    axonc_unit *u = load_ok(s, MODEL);
    axonc_instance *in = NULL;
    ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_OK);
    ck_assert_str_eq(axonc_instance_module(in), "Drive");
    ck_assert(fabs(axonc_instance_duration(in) - 0.1) < 1e-15);
    const axon_model_desc *m = NULL, *again = NULL;
    ck_assert_int_eq(axonc_jit(in, &m), AXONC_OK);
    ck_assert_int_eq(axonc_jit(in, &again), AXONC_OK);
    ck_assert_ptr_eq(m, again);
    ck_assert_uint_eq(m->pops[0].size, 20);
    uint64_t base = spikes_of(m, 0.1, 1);
    ck_assert_uint_gt(base, 0);
    /* the same model with a stronger drive and more neurons fires more */
    axonc_override set[] = {{"drive", 3, "nA", NULL}, {"N", 40, NULL, NULL}};
    axonc_instance *in2 = NULL;
    ck_assert_int_eq(axonc_instantiate(u, &(axonc_instance_opts){.set = set, .nset = 2}, &in2),
                     AXONC_OK);
    const axon_model_desc *m2 = NULL;
    ck_assert_int_eq(axonc_jit(in2, &m2), AXONC_OK);
    ck_assert_uint_eq(m2->pops[0].size, 40);
    ck_assert_uint_gt(spikes_of(m2, 0.1, 1), 2 * base);
    /* the first instance is still usable while the second lives */
    ck_assert_uint_eq(spikes_of(m, 0.1, 1), base);
    /* replaced: free the first, compile the same again, same results */
    axonc_instance_free(in);
    ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_OK);
    ck_assert_int_eq(axonc_jit(in, &m), AXONC_OK);
    ck_assert_uint_eq(spikes_of(m, 0.1, 1), base);
    /* a wrong unit or an unknown name is a diagnostic, not a crash */
    int before = k.errors;
    axonc_override wrong[] = {{"drive", 3, "mV", NULL}};
    axonc_instance *bad = (axonc_instance *)1;
    ck_assert_int_eq(axonc_instantiate(u, &(axonc_instance_opts){.set = wrong, .nset = 1}, &bad),
                     AXONC_EDIAG);
    ck_assert_ptr_null(bad);
    ck_assert_int_gt(k.errors, before);
    axonc_override unknown[] = {{"drvie", 3, "nA", NULL}};
    ck_assert_int_eq(axonc_instantiate(u, &(axonc_instance_opts){.set = unknown, .nset = 1}, &bad),
                     AXONC_EDIAG);
    axonc_override twice[] = {{"N", 30, NULL, NULL}, {"N", 40, NULL, NULL}};
    ck_assert_int_eq(axonc_instantiate(u, &(axonc_instance_opts){.set = twice, .nset = 2}, &bad),
                     AXONC_EINVAL);
    ck_assert_ptr_null(bad);
    axonc_override junk[] = {{"N", NAN, NULL, NULL}};
    ck_assert_int_eq(axonc_instantiate(u, &(axonc_instance_opts){.set = junk, .nset = 1}, &bad),
                     AXONC_EINVAL);
    axonc_override badunit[] = {{"N", 1, "} module", NULL}};
    ck_assert_int_eq(axonc_instantiate(u, &(axonc_instance_opts){.set = badunit, .nset = 1}, &bad),
                     AXONC_EINVAL);
    ck_assert_int_eq(axonc_instantiate(u, &(axonc_instance_opts){.dt = -1}, &bad), AXONC_EINVAL);
    ck_assert_int_eq(axonc_instantiate(u, &(axonc_instance_opts){.module = "Nope"}, &bad),
                     AXONC_EDIAG);
    axonc_session_free(s); /* frees in and in2 with their code */
}
END_TEST

START_TEST(test_dumps)
{
    sink k;
    axonc_session *s = session(&k);
    axonc_unit *u = load_ok(s, MODEL);
    char *t = NULL;
    ck_assert_int_eq(axonc_dump_unit(u, AXONC_DUMP_TOKENS, &t), AXONC_OK);
    ck_assert_ptr_nonnull(strstr(t, "identifier Drive"));
    free(t);
    ck_assert_int_eq(axonc_dump_unit(u, AXONC_DUMP_AST, &t), AXONC_OK);
    ck_assert_ptr_nonnull(strstr(t, "module Drive"));
    free(t);
    ck_assert_int_eq(axonc_dump_unit(u, AXONC_DUMP_UNITS, &t), AXONC_OK);
    ck_assert_ptr_nonnull(strstr(t, "tau_m"));
    free(t);
    ck_assert_int_eq(axonc_dump_unit(u, (axonc_unit_dump)42, &t), AXONC_EINVAL);
    axonc_instance *in = NULL;
    ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_OK);
    ck_assert_int_eq(axonc_dump_instance(in, AXONC_DUMP_IR, &t), AXONC_OK);
    ck_assert_ptr_nonnull(strstr(t, "E"));
    free(t);
    ck_assert_int_eq(axonc_dump_instance(in, AXONC_DUMP_LLVM, &t), AXONC_OK);
    ck_assert_ptr_nonnull(strstr(t, "define"));
    free(t);
    ck_assert_int_eq(axonc_dump_instance(in, (axonc_instance_dump)9, &t), AXONC_EINVAL);
    axonc_session_free(s);
}
END_TEST

START_TEST(test_emit)
{
    sink k;
    axonc_session *s = session(&k);
    axonc_unit *u = load_ok(s, MODEL);
    axonc_instance *in = NULL;
    ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_OK);
    char dir[] = "/tmp/axonc-emit-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char obj[128], hdr[128];
    snprintf(obj, sizeof obj, "%s/drive.o", dir);
    snprintf(hdr, sizeof hdr, "%s/drive.h", dir);
    ck_assert_int_eq(axonc_emit(in, AXONC_EMIT_OBJECT, obj,
                                &(axonc_emit_opts){.symbol = "drive"}), AXONC_OK);
    ck_assert_int_eq(access(obj, R_OK), 0);
    FILE *f = fopen(hdr, "r");
    ck_assert_ptr_nonnull(f);
    char text[2048] = "";
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = 0;
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "extern const axon_model_desc drive;"));
    ck_assert_int_eq(axonc_emit(in, AXONC_EMIT_OBJECT, obj, &(axonc_emit_opts){.symbol = "9x"}),
                     AXONC_EINVAL);
    ck_assert_int_eq(axonc_emit(in, (axonc_emit_kind)7, obj, NULL), AXONC_EINVAL);
    ck_assert_int_eq(axonc_emit(in, AXONC_EMIT_OBJECT, "", NULL), AXONC_EINVAL);
    /* an unwritable place: an error, nothing left behind */
    ck_assert_int_eq(axonc_emit(in, AXONC_EMIT_OBJECT, "/nonexistent/dir/x.o", NULL), AXONC_EIO);
    remove(obj);
    remove(hdr);
    ck_assert_int_eq(rmdir(dir), 0); /* empty: no temporary files left */
    axonc_session_free(s);
}
END_TEST

/* A shared library and an executable written by axonc_emit run the model as the JIT does. */
START_TEST(test_emit_shared_and_exe)
{
    sink k;
    memset(&k, 0, sizeof k);
    const char *libdir = getenv("AXON_LIBDIR"); /* set by make check; NULL: the build tree's */
    axonc_session *s = axonc_session_new(
        &(axonc_options){.on_diag = collect, .user = &k, .runtime_libdir = libdir});
    ck_assert_ptr_nonnull(s);
    axonc_unit *u = load_ok(s, MODEL);
    axonc_instance *in = NULL;
    const axon_model_desc *m = NULL;
    ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_OK);
    ck_assert_int_eq(axonc_jit(in, &m), AXONC_OK);
    uint64_t jit = spikes_of(m, 0.1, 3);
    ck_assert_uint_gt(jit, 0);
    char dir[] = "/tmp/axonc-emit2-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char so[128], exe[128], cmd[512], rec[160];
    snprintf(so, sizeof so, "%s/libdrive.so", dir);
    snprintf(exe, sizeof exe, "%s/drive", dir);
    snprintf(rec, sizeof rec, "%s/out", dir);
    /* a shared library, loaded: the same spikes */
    ck_assert_msg(axonc_emit(in, AXONC_EMIT_SHARED, so, &(axonc_emit_opts){.symbol = "drive"}) ==
                      AXONC_OK,
                  "%s", axonc_session_error(s));
    axon_err err = {{0}};
    axon_model_handle *h = axon_model_open(so, "drive", &err);
    ck_assert_msg(h != NULL, "%s", err.msg);
    ck_assert_uint_eq(spikes_of(axon_model_descriptor(h), 0.1, 3), jit);
    axon_model_close(h);
    /* an executable: it runs, with the emit options' duration, and writes the spikes */
    ck_assert_msg(axonc_emit(in, AXONC_EMIT_EXE, exe, &(axonc_emit_opts){.duration = 0.1}) ==
                      AXONC_OK,
                  "%s", axonc_session_error(s));
    ck_assert_int_eq(access(exe, X_OK), 0);
    snprintf(cmd, sizeof cmd, "'%s' --seed 3 -q -o '%s'", exe, rec);
    ck_assert_int_eq(system(cmd), 0);
    axon_recording *r = axon_recording_open(rec, &err);
    ck_assert_msg(r != NULL, "%s", err.msg);
    int e = axon_recording_pop_index(r, "E");
    ck_assert_int_ge(e, 0);
    ck_assert(axon_recording_pop(r, (size_t)e)->has_spikes);
    ck_assert_uint_eq(axon_recording_pop(r, (size_t)e)->nspikes, jit);
    axon_recording_free(r);
    ck_assert_int_eq(remove_tree(rec), 0);
    /* a linker that fails: AXONC_ETOOL with its output, and nothing left behind */
    axonc_session *bad = axonc_session_new(&(axonc_options){.cc = "false"});
    axonc_unit *ub = load_ok(bad, MODEL);
    axonc_instance *ib = NULL;
    ck_assert_int_eq(axonc_instantiate(ub, NULL, &ib), AXONC_OK);
    char lost[160];
    snprintf(lost, sizeof lost, "%s/lost", dir);
    ck_assert_int_eq(axonc_emit(ib, AXONC_EMIT_EXE, lost, NULL), AXONC_ETOOL);
    ck_assert_str_ne(axonc_session_error(bad), "");
    ck_assert_int_ne(access(lost, F_OK), 0);
    axonc_session_free(bad);
    remove(so);
    remove(exe);
    ck_assert_int_eq(rmdir(dir), 0); /* empty: no temporary files left */
    axonc_session_free(s);
}
END_TEST

/* Warnings are counted (and are errors with options.werror); synapses and rules are listed
 * with their members and units; the functions not covered above refuse NULL handles. */
START_TEST(test_warnings_kinds_nulls)
{
    sink k;
    axonc_session *s = session(&k);
    const char *w = "neuron N {\n    parameters { exp = 2 }\n    state { v = 1 }\n}\n";
    axonc_unit *u = NULL;
    ck_assert_int_eq(axonc_warning_count(s), 0);
    ck_assert_int_eq(axonc_load_string(s, "<w>", w, strlen(w), &u), AXONC_OK);
    ck_assert_int_eq(axonc_check(u), AXONC_OK);
    ck_assert_int_eq(axonc_warning_count(s), 1);
    ck_assert_int_eq(axonc_error_count(s), 0);
    ck_assert_ptr_nonnull(strstr(k.text, "<w>:2:18: warning: 'exp' hides the built-in function"));
    ck_assert_int_eq(axonc_warning_count(NULL), 0);
    axonc_session *we = axonc_session_new(&(axonc_options){.werror = 1});
    axonc_unit *uw = NULL;
    ck_assert_int_eq(axonc_load_string(we, "<w>", w, strlen(w), &uw), AXONC_OK);
    ck_assert_int_eq(axonc_check(uw), AXONC_EDIAG);
    ck_assert_int_eq(axonc_error_count(we), 1);
    axonc_session_free(we);
    /* a synapse and a rule, with their members */
    const char *src = "import \"std/synapses/basic\"\nimport \"std/rules/stdp\"\n";
    axonc_unit *ur = load_ok(s, src);
    axonc_def d;
    axonc_member mb;
    int exc = axonc_def_find(ur, "Exc"), stdp = axonc_def_find(ur, "STDP");
    ck_assert_int_eq(axonc_def_get(ur, exc, &d), AXONC_OK);
    ck_assert_int_eq(d.kind, AXONC_SYNAPSE);
    ck_assert_ptr_nonnull(strstr(d.loc.file, "basic.axon"));
    ck_assert_int_eq(d.nmembers, 1);
    ck_assert_int_eq(axonc_def_member(ur, exc, 0, &mb), AXONC_OK);
    ck_assert_str_eq(mb.name, "w");
    ck_assert_int_eq(mb.kind, AXONC_PARAM_EACH); /* a synapse's weight: one per synapse */
    ck_assert_str_eq(mb.unit, "S");
    ck_assert(mb.has_default && fabs(mb.default_si - 6e-9) < 1e-24);
    ck_assert_int_eq(axonc_def_get(ur, stdp, &d), AXONC_OK);
    ck_assert_int_eq(d.kind, AXONC_RULE);
    bool tau = false, trace = false;
    for (int i = 0; i < d.nmembers; i++) {
        ck_assert_int_eq(axonc_def_member(ur, stdp, i, &mb), AXONC_OK);
        if (!strcmp(mb.name, "tau_pre")) {
            /* a rule's parameters are per synapse unless declared `shared` */
            tau = mb.kind == AXONC_PARAM_EACH && !strcmp(mb.unit, "s") && mb.default_si == 0.02;
        } else if (!strcmp(mb.name, "a_pre")) {
            trace = mb.kind == AXONC_STATE && !strcmp(mb.unit, "1");
        }
    }
    ck_assert(tau && trace);
    ck_assert_int_eq(axonc_def_member(ur, stdp, d.nmembers, &mb), AXONC_EINVAL);
    ck_assert_int_eq(axonc_def_member(ur, stdp, 0, NULL), AXONC_EINVAL);
    ck_assert_int_eq(axonc_def_get(ur, 0, NULL), AXONC_EINVAL);
    /* NULL handles and arguments */
    char *t = (char *)1;
    axonc_value v;
    axonc_instance *in = NULL;
    ck_assert(axonc_instance_duration(NULL) == 0);
    ck_assert_int_eq(axonc_load_sources(NULL, NULL, 0, &u), AXONC_EINVAL);
    ck_assert_int_eq(axonc_eval(NULL, "<e>", "1", 1, NULL, 0, &v), AXONC_EINVAL);
    ck_assert_int_eq(axonc_eval(ur, "<e>", "1", 1, NULL, 0, NULL), AXONC_EINVAL);
    ck_assert_int_eq(axonc_dump_unit(ur, AXONC_DUMP_AST, NULL), AXONC_EINVAL);
    ck_assert_int_eq(axonc_instantiate(ur, NULL, NULL), AXONC_EINVAL);
    ck_assert_int_eq(axonc_instantiate(ur, NULL, &in), AXONC_EDIAG); /* no module to run */
    ck_assert_ptr_null(in);
    ck_assert_int_eq(axonc_fmt(NULL, "<f>", "", 0, &t), AXONC_EINVAL);
    ck_assert_int_eq(axonc_symbol_count(NULL), 0);
    ck_assert_int_eq(axonc_load_string(s, "<x>", NULL, 3, &u), AXONC_EINVAL);
    ck_assert_int_eq(axonc_load_string(s, "<x>", "", 0, NULL), AXONC_EINVAL);
    axonc_session_set_reader(NULL, NULL, NULL);
    axonc_session_free(s);
}
END_TEST

START_TEST(test_parse_only)
{
    sink k;
    axonc_session *s = session(&k);
    char path[] = "/tmp/axonc-parse-XXXXXX.axon";
    int fd = mkstemps(path, 5);
    ck_assert_int_ge(fd, 0);
    const char *text = "import \"std/nope\"\nneuron N { state { v = undefined_name } }\n";
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    axonc_unit *u = NULL;
    /* names and imports are not looked at */
    ck_assert_int_eq(axonc_parse_file(s, path, &u), AXONC_OK);
    ck_assert_int_eq(k.n, 0);
    ck_assert_int_eq(axonc_check(u), AXONC_EINVAL);
    char *t = NULL;
    ck_assert_int_eq(axonc_dump_unit(u, AXONC_DUMP_AST, &t), AXONC_OK);
    ck_assert_ptr_nonnull(strstr(t, "neuron N"));
    free(t);
    axonc_unit_free(u);
    /* the full load finds both */
    ck_assert_int_eq(axonc_load_file(s, path, &u), AXONC_EDIAG);
    ck_assert_ptr_nonnull(strstr(k.text, "std/nope"));
    remove(path);
    axonc_session_free(s);
}
END_TEST

START_TEST(test_sources_and_eval)
{
    sink k;
    axonc_session *s = session(&k);
    const char *e1 = "import \"std/neurons/lif\"\n";
    const char *e2 = "module One { population E = LIF[1] }\n";
    axonc_source src[] = {{"<repl:1>", e1, strlen(e1)}, {"<repl:2>", e2, strlen(e2)}};
    axonc_unit *u = NULL;
    ck_assert_int_eq(axonc_load_sources(s, src, 2, &u), AXONC_OK);
    ck_assert_int_eq(axonc_check(u), AXONC_OK);
    ck_assert_int_ge(axonc_def_find(u, "One"), 0);
    ck_assert_int_ge(axonc_def_find(u, "LIF"), 0);
    axonc_value v;
    const char *x = "1 mV / 2 ms";
    ck_assert_int_eq(axonc_eval(u, "<repl:3>", x, strlen(x), NULL, 0, &v), AXONC_OK);
    ck_assert(fabs(v.value - 0.5) < 1e-15);
    ck_assert_str_eq(v.unit, "V/s");
    ck_assert_str_eq(v.quantity, "voltage rate");
    axonc_binding b[] = {{"x", 0.003, "V", 0}, {"n", 4, "1", 0}};
    x = "x * n + 1 mV";
    ck_assert_int_eq(axonc_eval(u, "<repl:4>", x, strlen(x), b, 2, &v), AXONC_OK);
    ck_assert(fabs(v.value - 0.013) < 1e-15);
    ck_assert_str_eq(v.unit, "V");
    x = "exp(-1 ms / 10 ms) > 0.5";
    ck_assert_int_eq(axonc_eval(u, "<repl:5>", x, strlen(x), NULL, 0, &v), AXONC_OK);
    ck_assert(v.is_bool && v.value == 1);
    /* errors are located in the entry and leave the unit usable */
    x = "1 mV + 2 nA";
    ck_assert_int_eq(axonc_eval(u, "<repl:6>", x, strlen(x), NULL, 0, &v), AXONC_EDIAG);
    ck_assert_ptr_nonnull(strstr(k.text, "<repl:6>:1:"));
    ck_assert_ptr_nonnull(strstr(k.text, "dimension mismatch"));
    x = "xx * 2";
    ck_assert_int_eq(axonc_eval(u, "<repl:7>", x, strlen(x), b, 2, &v), AXONC_EDIAG);
    ck_assert_ptr_nonnull(strstr(k.text, "<repl:7>:1:1"));
    x = "1 +";
    ck_assert_int_eq(axonc_eval(u, "<repl:8>", x, strlen(x), NULL, 0, &v), AXONC_EDIAG);
    ck_assert_ptr_nonnull(strstr(k.text, "<repl:8>:1:"));
    x = "rand()";
    ck_assert_int_eq(axonc_eval(u, "<repl:9>", x, strlen(x), NULL, 0, &v), AXONC_EDIAG);
    x = "2 * 3";
    ck_assert_int_eq(axonc_eval(u, "<repl:10>", x, strlen(x), NULL, 0, &v), AXONC_OK);
    ck_assert(v.value == 6);
    ck_assert_str_eq(v.unit, "1");
    ck_assert_str_eq(v.quantity, "");
    axonc_binding bad[] = {{"x", 1, "frobs", 0}};
    ck_assert_int_eq(axonc_eval(u, "<repl:11>", x, strlen(x), bad, 1, &v), AXONC_EINVAL);
    ck_assert_int_eq(axonc_load_sources(s, NULL, 1, &u), AXONC_EINVAL);
    axonc_session_free(s);
}
END_TEST

START_TEST(test_format)
{
    char buf[64];
    ck_assert_int_eq(axonc_format(-0.065, "V", 0, buf, sizeof buf), AXONC_OK);
    ck_assert_str_eq(buf, "-65 mV");
    ck_assert_int_eq(axonc_format(0.5, "V/s", 0, buf, sizeof buf), AXONC_OK);
    ck_assert_str_eq(buf, "0.5 V/s");
    ck_assert_int_eq(axonc_format(4000, "1", 0, buf, sizeof buf), AXONC_OK);
    ck_assert_str_eq(buf, "4000");
    ck_assert_int_eq(axonc_format(6e-10, "S", 0, buf, sizeof buf), AXONC_OK);
    ck_assert_str_eq(buf, "0.6 nS");
    ck_assert_int_eq(axonc_format(0, "V", 0, buf, sizeof buf), AXONC_OK);
    ck_assert_str_eq(buf, "0 V");
    ck_assert_int_eq(axonc_format(1, "1", 1, buf, sizeof buf), AXONC_OK);
    ck_assert_str_eq(buf, "true");
    ck_assert_int_eq(axonc_format(1, "frobs", 0, buf, sizeof buf), AXONC_EINVAL);
    ck_assert_int_eq(axonc_format(1, "V", 0, NULL, 8), AXONC_EINVAL);
    /* the unit to show values in, and unit equality */
    double sc = 0;
    ck_assert_int_eq(axonc_display_unit("V", -0.065, buf, sizeof buf, &sc), AXONC_OK);
    ck_assert_str_eq(buf, "mV");
    ck_assert(sc == 1e-3);
    ck_assert_int_eq(axonc_display_unit("1", 3, buf, sizeof buf, &sc), AXONC_OK);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(axonc_display_unit("frobs", 1, buf, sizeof buf, &sc), AXONC_EINVAL);
    ck_assert_int_eq(axonc_display_unit("V", 1, NULL, 8, &sc), AXONC_EINVAL);
    ck_assert_int_eq(axonc_display_unit("V", 1, buf, sizeof buf, NULL), AXONC_EINVAL);
    ck_assert(axonc_same_unit("V", "kg*m^2*s^-3*A^-1"));
    ck_assert(axonc_same_unit("1", ""));
    ck_assert(!axonc_same_unit("V", "A"));
    ck_assert(!axonc_same_unit("frobs", "V"));
    ck_assert(axonc_same_unit(NULL, "1"));
    ck_assert(!axonc_same_unit(NULL, "V"));
    ck_assert(axonc_target_cpu_known("x86-64"));
    ck_assert(!axonc_target_cpu_known("bogus"));
    ck_assert(!axonc_target_cpu_known(NULL));
    ck_assert_int_eq(axonc_format(-0.065, "V", 0, buf, 3), AXONC_EINVAL);
}
END_TEST

/* Out of memory (here: past the session's memory limit, the allocation-failure hook of the
 * front end) at every point of loading, checking and instantiating is AXONC_ENOMEM, never a
 * crash; the session stays usable. The front end takes memory in chunks of 64 KiB (and
 * larger blocks alone): limits 16 KiB apart fail each of those allocations in turn, from the
 * first to the last, until the model fits. */
START_TEST(test_memory_limit)
{
    int enomem = 0, fine = 0;
    for (size_t limit = 16 * 1024; !fine && limit <= 64u << 20; limit += 16 * 1024) {
        axonc_session *s = axonc_session_new(&(axonc_options){.memory_limit = limit});
        ck_assert_ptr_nonnull(s);
        axonc_unit *u = NULL;
        axonc_instance *in = NULL;
        axonc_status st = axonc_load_string(s, "<t>", MODEL, strlen(MODEL), &u);
        if (st == AXONC_OK)
            st = axonc_check(u);
        if (st == AXONC_OK)
            st = axonc_instantiate(u, NULL, &in);
        ck_assert_msg(st == AXONC_OK || st == AXONC_ENOMEM, "limit %zu: status %d", limit, st);
        if (st == AXONC_ENOMEM) {
            enomem++;
            ck_assert_ptr_nonnull(strstr(axonc_session_error(s), "out of memory"));
            /* a broken unit only refuses */
            if (u)
                ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_ENOMEM);
        } else {
            fine++;
        }
        axonc_unit_free(u);
        /* the session still compiles a small model */
        const char *small = "neuron N { state { v = 1 } }\n";
        ck_assert_int_ne(axonc_load_string(s, "<s>", small, strlen(small), &u), AXONC_EDIAG);
        axonc_session_free(s);
    }
    ck_assert_int_gt(enomem, 8); /* every chunk the model needs was refused once */
    ck_assert_int_gt(fine, 0);
}
END_TEST

/* Anonymous executable mappings of this process (/proc/self/maps): where the JIT puts
 * compiled code. -1 when /proc cannot be read. */
static int code_mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return -1;
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char perm[8] = "";
        unsigned long lo, hi, off, inode;
        unsigned dmaj, dmin;
        if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu", &lo, &hi, perm, &off, &dmaj, &dmin,
                   &inode) == 7 &&
            perm[2] == 'x' && inode == 0 && !strchr(line, '['))
            n++;
    }
    fclose(f);
    return n;
}

/* A model replaced in the JIT (compiled again, the old instance freed, as the REPL does when a
 * neuron is redefined): its code is removed and its memory returned to the system, while
 * another model compiled in the same session keeps running. */
START_TEST(test_replaced_code_released)
{
    sink k;
    axonc_session *s = session(&k);
    axonc_unit *u = load_ok(s, MODEL);
    axonc_instance *keep = NULL, *in = NULL;
    const axon_model_desc *mk = NULL, *m = NULL;
    ck_assert_int_eq(axonc_instantiate(u, NULL, &keep), AXONC_OK);
    ck_assert_int_eq(axonc_jit(keep, &mk), AXONC_OK);
    uint64_t base = spikes_of(mk, 0.05, 1);
    int before = code_mappings();
    if (before < 0) { /* no /proc: only the behaviour is checked */
        ck_assert_uint_gt(base, 0);
        axonc_session_free(s);
        return;
    }
    ck_assert_int_gt(before, 0); /* the kept model's code is found where it is looked for */
    for (int round = 0; round < 6; round++) {
        axonc_override set[] = {{"drive", 2 + round, "nA", NULL}};
        ck_assert_int_eq(axonc_instantiate(u, &(axonc_instance_opts){.set = set, .nset = 1}, &in),
                         AXONC_OK);
        ck_assert_int_eq(axonc_jit(in, &m), AXONC_OK);
        ck_assert_int_gt(code_mappings(), before); /* the new code is mapped ... */
        ck_assert_uint_gt(spikes_of(m, 0.05, 1), 0);
        axonc_instance_free(in);
        ck_assert_int_eq(code_mappings(), before); /* ... and unmapped when it is replaced */
        ck_assert_uint_eq(spikes_of(mk, 0.05, 1), base); /* the other model still runs */
    }
    axonc_instance_free(keep);
    ck_assert_int_lt(code_mappings(), before);
    axonc_session_free(s);
}
END_TEST

/* Two sessions in two threads compile and run the same model at once. */
typedef struct {
    uint64_t spikes;
    int status;
} thread_result;

static void *compile_and_run(void *arg)
{
    thread_result *r = arg;
    axonc_session *s = axonc_session_new(NULL);
    axonc_unit *u = NULL;
    axonc_instance *in = NULL;
    const axon_model_desc *m = NULL;
    r->status = !s || axonc_load_string(s, "<t>", MODEL, strlen(MODEL), &u) != AXONC_OK ||
                axonc_instantiate(u, NULL, &in) != AXONC_OK || axonc_jit(in, &m) != AXONC_OK;
    if (!r->status) {
        axon_err err;
        axon_sim *sim = axon_sim_new(m, &(axon_opts){.seed = 7}, &err);
        r->status = !sim || axon_sim_run(sim, 0.1, NULL, NULL) != AXON_OK;
        r->spikes = sim ? axon_sim_spike_count(sim, 0) : 0;
        axon_sim_free(sim);
    }
    axonc_session_free(s);
    return NULL;
}

START_TEST(test_two_sessions_two_threads)
{
    thread_result r[2] = {{0}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, compile_and_run, &r[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    ck_assert_int_eq(r[0].status, 0);
    ck_assert_int_eq(r[1].status, 0);
    ck_assert_uint_gt(r[0].spikes, 0);
    ck_assert_uint_eq(r[0].spikes, r[1].spikes);
}
END_TEST

/* exprel in an update kernel (compiler/codegen/cg_math.c): the polynomial for -3/4 <= x < 1/8
 * within 0.9 ulp of expm1l(x) / x and the quotient elsewhere within 2. The fast body (the
 * polynomial alone, for the neurons whose arguments are small) and the fixing calls of the full
 * one for the others give the same bits: neurons 2048-2559 have the arguments x of 0-511, but
 * every other one a large w, so that the full body updates it; each neuron is updated once (c);
 * and the results are the same for any split between threads (3 threads with a grain of 1:
 * blocks that start anywhere, partial ones). Neurons 0-511 hold arguments in (-1, 1), small and
 * not; 512-1023 small ones but at a few places, which the fixing calls must each find: alone,
 * at the ends of the block, and in pairs with 16 small ones between them (two calls) and 15
 * (one call, which leaves the 15 as the fast body wrote them); 1024-2047 cover [-700, 700];
 * 2560-2599, a partial block, small ones but the last. */
/* update_quiet (model.h, ABI 8): a population whose inputs nothing in the model writes gets the
 * update that neither reads nor clears them; the runtime runs it while they are zero, and the
 * full update once an input is injected, set or viewed. The two give the same bits. */
static const char QUIET_MODEL[] = "import \"std/neurons/izhikevich\"\n"
                                  "import \"std/neurons/lif\"\n"
                                  "import \"std/synapses/basic\"\n"
                                  "module Q(N = 64) {\n"
                                  "    population P = Izhikevich[N](I_ext = 10) {\n"
                                  "        v = uniform(-65, -50)\n"
                                  "    }\n"
                                  "    population E = LIF[N](I_ext = 0.3 nA)\n"
                                  "    population F = LIF[N]\n"
                                  "    project E -> F : VoltageJump(w = 1 mV) connect random(0.5)\n"
                                  "}\n";

static axon_sim *quiet_sim(const axon_model_desc *m)
{
    axon_err err = {{0}};
    axon_sim *sim = axon_sim_new(m, &(axon_opts){.seed = 5}, &err);
    ck_assert_msg(sim != NULL, "%s", err.msg);
    return sim;
}

/* The model of text compiled into s's JIT (its unit and *in freed with s, or *in before). */
static const axon_model_desc *jit_text(axonc_session *s, const char *text, axonc_instance **in)
{
    axonc_unit *u = NULL;
    const axon_model_desc *m = NULL;
    ck_assert_int_eq(axonc_load_string(s, "<test>", text, strlen(text), &u), AXONC_OK);
    ck_assert_int_eq(axonc_instantiate(u, NULL, in), AXONC_OK);
    ck_assert_int_eq(axonc_jit(*in, &m), AXONC_OK);
    return m;
}

static void quiet_v(axon_sim *sim, double *v)
{
    ck_assert_int_eq(axon_sim_get_values(sim, "P.v", NULL, 64, v, NULL), AXON_OK);
}

START_TEST(test_quiet_inputs)
{
    sink k;
    axonc_session *s = session(&k);
    axonc_instance *in = NULL;
    const axon_model_desc *m = jit_text(s, QUIET_MODEL, &in);
    ck_assert_uint_ge(m->abi, 8); /* (update_quiet: ABI 8 and later) */
    /* P: nothing writes its input I; E and F are in a projection */
    ck_assert_ptr_nonnull(m->update_quiet);
    ck_assert_ptr_nonnull(m->update_quiet[0]);
    ck_assert_ptr_null(m->update_quiet[1]);
    ck_assert_ptr_null(m->update_quiet[2]);
    /* a runs the quiet update throughout; b the full one (a view of the input) */
    axon_sim *a = quiet_sim(m), *b = quiet_sim(m);
    axon_tensor t;
    ck_assert_int_eq(axon_sim_var(b, "P.I", &t), AXON_OK);
    ck_assert_int_eq(axon_sim_step(a, 400, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_step(b, 400, NULL, NULL), AXON_OK);
    double va[64], vb[64];
    quiet_v(a, va);
    quiet_v(b, vb);
    ck_assert_mem_eq(va, vb, sizeof va);
    ck_assert_uint_gt(axon_sim_spike_count(a, 0), 0);
    ck_assert_uint_eq(axon_sim_spike_count(a, 0), axon_sim_spike_count(b, 0));
    /* an injection is seen by the next step, and when removed the quiet update resumes */
    axon_sim *c = quiet_sim(m);
    ck_assert_int_eq(axon_sim_step(c, 400, NULL, NULL), AXON_OK);
    ck_assert_int_eq(
        axon_sim_inject(c, "P.I", (const uint32_t[]){3}, (const double[]){50}, 1, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_step(a, 1, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_step(c, 1, NULL, NULL), AXON_OK);
    double vc[64];
    quiet_v(a, va);
    quiet_v(c, vc);
    ck_assert_msg(va[3] != vc[3], "the injection had no effect");
    ck_assert(va[4] == vc[4]);
    ck_assert_int_eq(axon_sim_inject(c, "P.I", NULL, NULL, 0, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_step(c, 1, NULL, NULL), AXON_OK);
    double ic[64];
    ck_assert_int_eq(axon_sim_get_values(c, "P.I", NULL, 64, ic, NULL), AXON_OK);
    ck_assert(ic[3] == 0); /* consumed and cleared by the last full update */
    /* a value set on an input is consumed by the next step */
    axon_sim *d = quiet_sim(m);
    ck_assert_int_eq(axon_sim_step(d, 401, NULL, NULL), AXON_OK);
    ck_assert_int_eq(
        axon_sim_set_values(d, "P.I", (const uint32_t[]){5}, 1, (const double[]){50}, NULL),
        AXON_OK);
    ck_assert_int_eq(axon_sim_step(a, 1, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_step(d, 1, NULL, NULL), AXON_OK);
    double vd[64];
    quiet_v(a, va);
    quiet_v(d, vd);
    ck_assert_msg(va[5] != vd[5], "the set input had no effect");
    ck_assert(va[6] == vd[6]);
    /* LIF's refractory counter is an int32 (its period is a parameter), and takes whole
       numbers of steps only, up to 2^31 - 128: the kernels hold a neuron while it is not below
       1, and single precision counts that many down exactly */
    axon_tensor rv;
    ck_assert_int_eq(axon_sim_var(d, "E._refr", &rv), AXON_OK);
    ck_assert_int_eq(rv.dtype, AXON_I32);
    double r0[2], r[2];
    ck_assert_int_eq(axon_sim_get_values(d, "E._refr", NULL, 2, r0, NULL), AXON_OK);
    ck_assert_int_eq(
        axon_sim_set_values(d, "E._refr", (const uint32_t[]){0, 1}, 2, (const double[]){3, 0.5},
                            NULL),
        AXON_EINVAL);
    ck_assert_msg(strstr(axon_sim_error(d), "whole number"), "%s", axon_sim_error(d));
    ck_assert_int_eq(axon_sim_get_values(d, "E._refr", NULL, 2, r, NULL), AXON_OK);
    ck_assert_mem_eq(r, r0, sizeof r); /* nothing written */
    ck_assert_int_eq(
        axon_sim_set_values(d, "E._refr", (const uint32_t[]){0, 1}, 2, (const double[]){3, -1},
                            NULL),
        AXON_OK);
    double r2[2];
    ck_assert_int_eq(axon_sim_get_values(d, "E._refr", NULL, 2, r2, NULL), AXON_OK);
    ck_assert(r2[0] == 3 && r2[1] == -1);
    ck_assert_int_eq(axon_sim_set_values(d, "E._refr", (const uint32_t[]){0}, 1,
                                         (const double[]){2147483521.0}, NULL),
                     AXON_EINVAL);
    ck_assert_msg(strstr(axon_sim_error(d), "more steps than a refractory counter holds"), "%s",
                  axon_sim_error(d));
    ck_assert_int_eq(axon_sim_set_values(d, "E._refr", (const uint32_t[]){0}, 1,
                                         (const double[]){2147483520.0}, NULL),
                     AXON_OK);
    axon_sim_free(a);
    axon_sim_free(b);
    axon_sim_free(c);
    axon_sim_free(d);
    axonc_session_free(s);
}
END_TEST

/* Pages of [p, p + n) resident in memory (mincore), -1 if it cannot tell. */
static long resident_pages(const void *p, size_t n)
{
    long ps = sysconf(_SC_PAGESIZE);
    if (ps <= 0)
        return -1;
    uintptr_t a = (uintptr_t)p & ~(uintptr_t)(ps - 1), e = (uintptr_t)p + n;
    size_t np = (size_t)((e - a + (uintptr_t)ps - 1) / (uintptr_t)ps);
    unsigned char *vec = malloc(np);
    if (!vec || mincore((void *)a, e - a, vec) != 0) {
        free(vec);
        return -1;
    }
    long r = 0;
    for (size_t k = 0; k < np; k++)
        r += vec[k] & 1;
    free(vec);
    return r;
}

/* The init kernels leave an input that starts at 0 to the runtime's zeroed arrays, so the
 * input of a population that nothing reaches never becomes resident memory (engine.c,
 * rt_zero): at 1M LIF neurons 8 MB of the process's peak. Its values still read as 0, and a
 * set value still acts. */
static const char UNREACHED_MODEL[] = "import \"std/neurons/izhikevich\"\n"
                                      "module U(N = 200000) {\n"
                                      "    population P = Izhikevich[N](I_ext = 10) {\n"
                                      "        v = uniform(-65, -50)\n"
                                      "    }\n"
                                      "}\n";

START_TEST(test_unreached_input_not_resident)
{
    sink k;
    axonc_session *s = session(&k);
    axonc_instance *in = NULL;
    const axon_model_desc *m = jit_text(s, UNREACHED_MODEL, &in);
    axon_sim *sim = quiet_sim(m);
    int iv = -1, vv = -1;
    for (uint32_t v = 0; v < m->pops[0].nvars; v++) {
        if (!strcmp(m->pops[0].vars[v].name, "I"))
            iv = (int)v;
        if (!strcmp(m->pops[0].vars[v].name, "v"))
            vv = (int)v;
    }
    ck_assert_int_ge(iv, 0);
    ck_assert_int_ge(vv, 0);
    const double *I = axon_sim_pop_data(sim, 0, iv), *V = axon_sim_pop_data(sim, 0, vv);
    size_t bytes = 200000 * sizeof(double);
    ck_assert_int_eq(axon_sim_step(sim, 20, NULL, NULL), AXON_OK);
    long ri = resident_pages(I, bytes), rv = resident_pages(V, bytes);
    if (ri >= 0 && rv >= 0) {
        /* v was written by the initial values and every step; I only where the runtime
           zeroed its ends with memset (up to two pages, and one more: engine.c, rt_zero),
           which a kernel that maps 64 KB blocks at a time (multi-size THP) may widen */
        long ps = sysconf(_SC_PAGESIZE);
        ck_assert_int_ge(rv, (long)(bytes / (size_t)ps) - 1);
        ck_assert_int_le(ri, 3 + 2 * (65536 / ps));
    }
    double x[3];
    ck_assert_int_eq(axon_sim_get_values(sim, "P.I", (const uint32_t[]){0, 100000, 199999}, 3, x,
                                         NULL),
                     AXON_OK);
    ck_assert(x[0] == 0 && x[1] == 0 && x[2] == 0);
    axon_sim_free(sim);
    axonc_session_free(s);
}
END_TEST

#define EXPREL_N 2600

static const char EXPREL_MODEL[] = "neuron T {\n"
                                   "    state {\n"
                                   "        x = 0\n"
                                   "        y = 0\n"
                                   "        w = 0\n"
                                   "        u = 0\n"
                                   "        c = 0\n"
                                   "    }\n"
                                   "    step {\n"
                                   "        y = exprel(x)\n"
                                   "        u = exprel(w)\n"
                                   "        c += 1\n"
                                   "    }\n"
                                   "}\n"
                                   "module M(N = 2600) {\n"
                                   "    population P = T[N]\n"
                                   "}\n";

static int mathf_host_fma(void);

static double *exprel_var(axon_sim *sim, const char *name)
{
    axon_tensor t;
    ck_assert_int_eq(axon_sim_var(sim, name, &t), AXON_OK);
    ck_assert_int_eq(t.dtype, AXON_F64);
    return t.data;
}

static void exprel_run(const axon_model_desc *m, int threads, double *y)
{
    axon_err err = {{0}};
    axon_sim *sim = axon_sim_new(m, &(axon_opts){.seed = 1, .threads = threads}, &err);
    ck_assert_msg(sim != NULL, "%s", err.msg);
    axon_sim_set_grain(sim, 1);
    double *x = exprel_var(sim, "P.x"), *w = exprel_var(sim, "P.w");
    for (int i = 0; i < 512; i++) {
        double u = (i - 255.5) / 255.5; /* (-1, 1) ... */
        x[i] = u * (i % 3 == 0 ? 1 : i % 3 == 1 ? 1e-3 : 0.999999);
    }
    x[0] = 0;
    x[1] = nextafter(1, 0);
    x[2] = -nextafter(1, 0);
    x[3] = 1e-300;
    x[4] = -0.0;
    x[5] = -0.75; /* the ends of the polynomial's interval */
    x[6] = nextafter(-0.75, -1);
    x[7] = 0.125;
    x[8] = nextafter(0.125, 0);
    /* small, but for the neurons the fixing calls must find */
    static const int big[] = {512, 513, 530, 546, 600, 1000, 1023};
    for (int i = 512; i < 1024; i++)
        x[i] = -0.01 * (i % 70);
    for (size_t k = 0; k < sizeof big / sizeof *big; k++)
        x[big[k]] = k % 2 ? -0.9 : 0.2 + 0.5 * (double)k;
    for (int i = 1024; i < 2048; i++) {
        double u = (i - 1535.5) / 511.5;
        x[i] = copysign(pow(fabs(u), 3) * 700, u);
    }
    x[1024] = 1;
    x[1025] = -1;
    x[1026] = nextafter(1, 2);
    x[1027] = -nextafter(1, 2);
    /* 0-511 again, every other one left to the full body by w */
    for (int i = 0; i < 512; i++) {
        x[2048 + i] = x[i];
        w[2048 + i] = i % 2 ? 3 : 0;
    }
    for (int i = 2560; i < EXPREL_N; i++)
        x[i] = -0.005 * (i - 2560);
    x[EXPREL_N - 1] = -2;
    ck_assert_int_eq(axon_sim_step(sim, 1, NULL, NULL), AXON_OK);
    const double *yv = exprel_var(sim, "P.y"), *c = exprel_var(sim, "P.c");
    int fma = mathf_host_fma();
    for (int i = 0; i < EXPREL_N; i++) {
        long double ref = x[i] == 0 ? 1.0L : expm1l((long double)x[i]) / x[i];
        double ulp = nextafter((double)ref, INFINITY) - (double)ref;
        /* the polynomial's interval: 0.835 ulp measured with fused multiply-adds on 2^25
           arguments (tools/exprel_ulp.c); without them each of its steps rounds twice */
        double bound = x[i] >= -0.75 && x[i] < 0.125 && fma ? 0.9 : 2;
        ck_assert_msg(fabsl(yv[i] - ref) <= bound * ulp, "exprel(%.17g) = %.17g, expected %.21Lg",
                      x[i], yv[i], ref);
        ck_assert_msg(c[i] == 1, "neuron %d updated %g times", i, c[i]);
        y[i] = yv[i];
    }
    /* the full body's bits are the fast body's */
    ck_assert(!memcmp(y + 2048, y, 512 * sizeof *y));
    axon_sim_free(sim);
}

START_TEST(test_exprel_kernel)
{
    sink k;
    axonc_session *s = session(&k);
    axonc_unit *u = load_ok(s, EXPREL_MODEL);
    axonc_instance *in = NULL;
    ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_OK);
    const axon_model_desc *m = NULL;
    ck_assert_int_eq(axonc_jit(in, &m), AXONC_OK);
    static double y1[EXPREL_N], y3[EXPREL_N];
    exprel_run(m, 1, y1);
    exprel_run(m, 3, y3);
    ck_assert(!memcmp(y1, y3, sizeof y1));
    axonc_session_free(s);
}
END_TEST

/* The float math of a single-precision model (compiler/codegen/cg_math.c, the float versions),
 * each function against a long double reference on a dense sample of its range (393,216
 * arguments each), in float ulp: exprel at most 1.1 on the polynomial's [-3/4, 1/8) (0.834
 * measured on every float there) and 2 elsewhere, exp 1 (0.96),
 * expm1 1.5 (1.37), log 1 (0.78), tanh 2.5 (2.40, expm1's error and two roundings); the
 * special values (inf, 0, NaN) as libm's; exprel's fast body gives the bits of the full one;
 * and the results are the same for any split between threads. Each round fills the
 * arguments of MATHF_N neurons and runs one step. Those bounds hold with fused multiply-adds;
 * without them (x86 before FMA, or --target-cpu x86-64) exprel's polynomial is within 1.5
 * (1.11 measured on a quarter of the rounds' arguments), the rest within the same bounds. */
enum { MATHF_N = 16384, MATHF_ROUNDS = 24 };
static const char MATHF_MODEL[] = "neuron F {\n"
                                  "    state {\n"
                                  "        xr = 0\n        yr = 0\n"
                                  "        xe = 0\n        ye = 0\n"
                                  "        xm = 0\n        ym = 0\n"
                                  "        xl = 1\n        yl = 0\n"
                                  "        xt = 0\n        yt = 0\n"
                                  "        xw = 0\n        yw = 0\n"
                                  "    }\n"
                                  "    step {\n"
                                  "        yr = exprel(xr)\n"
                                  "        yw = exprel(xw)\n"
                                  "        ye = exp(xe)\n"
                                  "        ym = expm1(xm)\n"
                                  "        yl = log(xl)\n"
                                  "        yt = tanh(xt)\n"
                                  "    }\n"
                                  "}\n"
                                  "module M(N = 16384) {\n"
                                  "    population P = F[N]\n"
                                  "}\n";

static float *mathf_var(axon_sim *sim, const char *name)
{
    axon_tensor t;
    ck_assert_int_eq(axon_sim_var(sim, name, &t), AXON_OK);
    ck_assert_int_eq(t.dtype, AXON_F32);
    return t.data;
}

/* u in [0, 1) for sample i of round r: the rounds interleave, so that together they cover
 * the range MATHF_N * MATHF_ROUNDS times as densely as one */
static double mathf_u(int r, int i)
{
    return (i * (double)MATHF_ROUNDS + r) / (MATHF_N * (double)MATHF_ROUNDS);
}

/* the error of y in ulp of the float nearest to ref (y and ref both infinite, or both NaN: 0) */
static double ulps_f32(float y, long double ref)
{
    float rf = (float)ref;
    if (isnan(rf) || isnan(y))
        return isnan(rf) && isnan(y) ? 0 : INFINITY;
    if (isinf(rf) || isinf(y))
        return rf == y ? 0 : INFINITY;
    float up = nextafterf(fabsf(rf), INFINITY) - fabsf(rf);
    return (double)(fabsl((long double)y - ref) / up);
}

static void mathf_check(const char *fn, const float *x, const float *y, int n, double bound,
                        long double (*ref)(long double), double *worst)
{
    for (int i = 0; i < n; i++) {
        long double r = ref((long double)x[i]);
        double e = ulps_f32(y[i], r);
        ck_assert_msg(e <= bound, "%s(%.9g) = %.9g, expected %.12Lg (%.3g ulp)", fn, (double)x[i],
                      (double)y[i], r, e);
        if (e > *worst)
            *worst = e;
    }
}

/* exprel is inf where e^x overflows (as in double), though e^x / x is finite a little further */
static long double ref_exprel(long double x)
{
    return x > 88.72283172607421875L ? INFINITY : x == 0 ? 1.0L : expm1l(x) / x;
}

/* fills round r's arguments; round 0 also the special values */
static void mathf_fill(axon_sim *sim, int r)
{
    float *xr = mathf_var(sim, "P.xr"), *xe = mathf_var(sim, "P.xe"), *xm = mathf_var(sim, "P.xm");
    float *xl = mathf_var(sim, "P.xl"), *xt = mathf_var(sim, "P.xt");
    for (int i = 0; i < MATHF_N; i++) {
        double u = mathf_u(r, i), s = 2 * u - 1; /* [0, 1), [-1, 1) */
        /* exprel: the polynomial's [-3/4, 1/8) in the first half, its neighbourhood after */
        xr[i] = i < MATHF_N / 2 ? (float)(-0.75 + 0.875 * u)
                                : (float)(copysign(pow(fabs(s), 3) * 95, s));
        xe[i] = (float)(-104 + 193 * u); /* [-104, 89): subnormal results, overflow */
        xm[i] = (float)(i % 2 ? s * 1e-3 : copysign(s * s * 90, s));
        xl[i] = (float)ldexp(1 + u, (int)(i % 277) - 150); /* every binade from 2^-150 */
        if (i % 5 == 0)
            xl[i] = (float)(0.5 + 1.5 * u); /* around 1 */
        xt[i] = (float)(i % 2 ? s * 12 : s * 1e-2);
    }
    if (r)
        return;
    static const float SR[] = {
        0,           -0.0f,       1e-30f, -0.75f, 0.125f, 0x1.fffffep-4f, -0x1.800002p-1f,
        88.7228317f, 88.7228394f, -86,    -200,   1e30f};
    for (int k = 0; k < (int)(sizeof SR / sizeof *SR); k++)
        xr[MATHF_N / 2 + k] = SR[k];
    xr[MATHF_N / 2 + 12] = NAN;
    static const float SE[] = {0, 88.7228317f, 88.7228394f, -103.97f, -104, -87.3f, 1e-8f, NAN};
    for (int k = 0; k < (int)(sizeof SE / sizeof *SE); k++)
        xe[k] = xm[2 * k] = SE[k];
    static const float SL[] = {1, 0, -1, INFINITY, 0x1p-149f, 0x1.fffffep127f, NAN, 1.0000001f};
    for (int k = 0; k < (int)(sizeof SL / sizeof *SL); k++)
        xl[k] = SL[k];
    xt[0] = 0;
    xt[2] = 9.1f;
    xt[4] = -30;
    xt[6] = NAN;
}

/* The error bounds of one pass (mathf_pass), in float ulp: exprel's polynomial, exprel's
 * quotient, exp, expm1, log, tanh. With fused multiply-adds (cg_math.c uses them where the
 * target has them) and without, where each multiply-add rounds twice. */
static const double MATHF_FMA[6] = {1.1, 2, 1, 1.5, 1, 2.5};
static const double MATHF_NOFMA[6] = {1.5, 2, 1, 1.5, 1, 2.5};

/* Whether the code compiled for this machine's CPU uses fused multiply-adds: on x86 where
 * the CPU has FMA (x86-64-v3 and later; not the baseline x86-64), elsewhere always. */
static int mathf_host_fma(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("fma");
#else
    return 1;
#endif
}

/* One pass of test_math_f32: the model compiled for cpu (NULL: this machine's), `rounds`
 * rounds of arguments (at most MATHF_ROUNDS), the errors within bound[]. */
static void mathf_pass(const char *cpu, int rounds, const double bound[6])
{
    sink k;
    axonc_session *s = axonc_session_new(
        &(axonc_options){.precision = 4, .on_diag = collect, .user = &k, .target_cpu = cpu});
    ck_assert_ptr_nonnull(s);
    axonc_unit *u = load_ok(s, MATHF_MODEL);
    axonc_instance *in = NULL;
    ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_OK);
    const axon_model_desc *m = NULL;
    ck_assert_int_eq(axonc_jit(in, &m), AXONC_OK);
    ck_assert_uint_eq(m->precision, 4);
    axon_err err = {{0}};
    axon_sim *sim = axon_sim_new(m, &(axon_opts){.seed = 1, .threads = 1}, &err);
    axon_sim *sim3 = axon_sim_new(m, &(axon_opts){.seed = 1, .threads = 3}, &err);
    ck_assert_msg(sim && sim3, "%s", err.msg);
    /* inf and NaN are among the arguments and results */
    ck_assert_int_eq(axon_sim_set_nonfinite(sim, AXON_NONFINITE_IGNORE), AXON_OK);
    ck_assert_int_eq(axon_sim_set_nonfinite(sim3, AXON_NONFINITE_IGNORE), AXON_OK);
    double worst[6] = {0};
    for (int r = 0; r < rounds; r++) {
        mathf_fill(sim, r);
        ck_assert_int_eq(axon_sim_step(sim, 1, NULL, NULL), AXON_OK);
        const float *xr = mathf_var(sim, "P.xr"), *yr = mathf_var(sim, "P.yr");
        mathf_check("exprel", xr, yr, MATHF_N / 2, bound[0], ref_exprel, &worst[0]);
        mathf_check("exprel", xr + MATHF_N / 2, yr + MATHF_N / 2, MATHF_N / 2, bound[1], ref_exprel,
                    &worst[5]);
        mathf_check("exp", mathf_var(sim, "P.xe"), mathf_var(sim, "P.ye"), MATHF_N, bound[2], expl,
                    &worst[1]);
        mathf_check("expm1", mathf_var(sim, "P.xm"), mathf_var(sim, "P.ym"), MATHF_N, bound[3],
                    expm1l, &worst[2]);
        mathf_check("log", mathf_var(sim, "P.xl"), mathf_var(sim, "P.yl"), MATHF_N, bound[4], logl,
                    &worst[3]);
        mathf_check("tanh", mathf_var(sim, "P.xt"), mathf_var(sim, "P.yt"), MATHF_N, bound[5],
                    tanhl, &worst[4]);
    }
    /* the same arguments with 3 threads: the same bits (blocks split differently) */
    mathf_fill(sim, 0);
    mathf_fill(sim3, 0);
    ck_assert_int_eq(axon_sim_step(sim, 1, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_step(sim3, 1, NULL, NULL), AXON_OK);
    static const char *const YS[] = {"P.yr", "P.ye", "P.ym", "P.yl", "P.yt"};
    for (int v = 0; v < 5; v++)
        ck_assert(!memcmp(mathf_var(sim, YS[v]), mathf_var(sim3, YS[v]), MATHF_N * sizeof(float)));
    /* exprel's fast body (block 0, all arguments small) gives the bits of the full one (block
       1: the same arguments, every other neuron left to the full body by a large xw); with 1
       thread, blocks of 512 from 0 */
    float *xr = mathf_var(sim, "P.xr"), *xw = mathf_var(sim, "P.xw");
    for (int i = 0; i < 512; i++) {
        xr[i] = xr[512 + i] = (float)(-0.75 + 0.875 * i / 512.0);
        xw[i] = 0;
        xw[512 + i] = i % 2 ? 3 : 0;
    }
    ck_assert_int_eq(axon_sim_step(sim, 1, NULL, NULL), AXON_OK);
    const float *yr = mathf_var(sim, "P.yr");
    ck_assert(!memcmp(yr, yr + 512, 512 * sizeof *yr));
    if (getenv("AXON_TEST_VERBOSE"))
        fprintf(
            stderr,
            "float ulp (%s): exprel %.3f (quotient %.3f) exp %.3f expm1 %.3f log %.3f tanh %.3f\n",
            cpu ? cpu : "this CPU", worst[0], worst[5], worst[1], worst[2], worst[3], worst[4]);
    axon_sim_free(sim);
    axon_sim_free(sim3);
    axonc_session_free(s);
}

START_TEST(test_math_f32)
{
    /* this machine's CPU, with the bounds of its multiply-adds (a host without FMA rounds each
       twice: exprel's polynomial then reaches 1.11 ulp, over 1.1) */
    mathf_pass(NULL, MATHF_ROUNDS, mathf_host_fma() ? MATHF_FMA : MATHF_NOFMA);
#if defined(__x86_64__)
    /* and the baseline x86-64 (no FMA), which any x86-64 host runs, on a quarter of the
       arguments */
    mathf_pass("x86-64", MATHF_ROUNDS / 4, MATHF_NOFMA);
#endif
}
END_TEST

/* ---- float storage of static synapse variables (axonc_options.synapse_precision = 4,
   `--synapse-precision single`) in a double model: the weights and per-synapse constants that
   no handler writes are float arrays holding the float rounding of the double model's values
   (rounded once); plastic ones (w of a learning projection) keep double, and so do their
   results; views, get/set values, checkpoints and records read and write them by type */

static const char F32W_MODEL[] =
    "import \"std/inputs/poisson\"\n"
    "import \"std/rules/stdp\"\n"
    "neuron Acc {\n"
    "    state { v = 0 mV }\n"
    "    inputs { I : mV/ms }\n"
    "    equations { v' = -v / (10 ms) + I }\n"
    "    spike when v > 4 mV { v = 0 mV }\n"
    "}\n"
    "synapse Static {\n"
    "    parameters { w = 1 mV; c = 1 }\n"
    "    on pre { post.v += w * c }\n"
    "}\n"
    "synapse Couple {\n"
    "    parameters { k = 1 kHz }\n"
    "    continuous { post.I += k * (pre.v - post.v) }\n"
    "}\n"
    "synapse Jump {\n"
    "    parameters { w = 1 mV }\n"
    "    on pre { post.v += w }\n"
    "}\n"
    "module M {\n"
    "    population In = PoissonSource[50](rate = 100 Hz)\n"
    "    population A = Acc[40]\n"
    "    population B = Acc[40]\n"
    "    population C = Acc[40]\n"
    "    project S = In -> A : Static(w = normal(1 mV, 0.3 mV), c = uniform(0.5, 1.5))\n"
    "        connect random(0.5) delay uniform(1 ms, 3 ms)\n"
    "    project K = A -> B : Couple(k = uniform(1 Hz, 2 Hz)) connect random(0.2)\n"
    "    project P = In -> C : Jump(w = uniform(0 mV, 1 mV)) connect random(0.5)\n"
    "        learn STDP(w_max = 2 mV)\n"
    "    record spikes C\n"
    "    record weights P every 10 ms\n"
    "}\n"
    "run M for 200 ms\n";

static const axon_model_desc *f32w_model(axonc_session **s, int synapse_precision)
{
    *s = axonc_session_new(&(axonc_options){.synapse_precision = synapse_precision});
    ck_assert_ptr_nonnull(*s);
    axonc_unit *u = load_ok(*s, F32W_MODEL);
    axonc_instance *in = NULL;
    ck_assert_int_eq(axonc_instantiate(u, NULL, &in), AXONC_OK);
    const axon_model_desc *m = NULL;
    ck_assert_int_eq(axonc_jit(in, &m), AXONC_OK);
    return m;
}

static axon_sim *f32w_sim(const axon_model_desc *m, int threads)
{
    axon_err err;
    axon_sim *sim = axon_sim_new(m, &(axon_opts){.seed = 3, .threads = threads}, &err);
    ck_assert_msg(sim != NULL, "%s", err.msg);
    return sim;
}

START_TEST(test_synapse_f32)
{
    axonc_session *sd, *sf;
    const axon_model_desc *md = f32w_model(&sd, 0), *mf = f32w_model(&sf, 4);
    ck_assert_ptr_null(axonc_session_new(&(axonc_options){.synapse_precision = 2}));
    axon_sim *d = f32w_sim(md, 1), *f = f32w_sim(mf, 2);
    /* the element types: the static ones float, the plastic weight and the traces double */
    static const struct {
        const char *path;
        axon_dtype dt;
    } want[] = {{"S.w", AXON_F32},
                {"S.c", AXON_F32},
                {"K.k", AXON_F32},
                {"P.w", AXON_F64},
                {"P.a_pre", AXON_F64}};
    for (size_t q = 0; q < sizeof want / sizeof *want; q++) {
        axon_tensor t, u;
        ck_assert_int_eq(axon_sim_syn_var(f, want[q].path, &t), AXON_OK);
        ck_assert_int_eq(axon_sim_syn_var(d, want[q].path, &u), AXON_OK);
        ck_assert_msg(t.dtype == want[q].dt, "%s: dtype %d", want[q].path, (int)t.dtype);
        ck_assert_int_eq(u.dtype, AXON_F64);
        ck_assert_uint_eq(t.shape[0], u.shape[0]); /* the same synapses */
        ck_assert_uint_ge(t.shape[0], 50); /* a_pre: per presynaptic neuron */
        /* each value is the float rounding of the double model's (drawn alike, rounded once) */
        for (uint64_t i = 0; i < t.shape[0]; i++) {
            double x = ((const double *)u.data)[i];
            double y =
                t.dtype == AXON_F32 ? ((const float *)t.data)[i] : ((const double *)t.data)[i];
            ck_assert_msg(y == (t.dtype == AXON_F32 ? (double)(float)x : x),
                          "%s[%llu]: %.17g, expected the rounding of %.17g", want[q].path,
                          (unsigned long long)i, y, x);
        }
    }
    /* the memory: 4 bytes less per synapse for each float variable (S: w and c; K: k) */
    double bd = axon_sim_bytes_per_synapse(d, 0), bf = axon_sim_bytes_per_synapse(f, 0);
    ck_assert_msg(bd - bf >= 8.0 && bd - bf < 8.1, "%g %g", bd, bf);
    /* get and set values by number, stored rounded */
    double v[3];
    ck_assert_int_eq(axon_sim_get_values(f, "S.w", (const uint32_t[]){0, 1, 2}, 3, v, "mV"),
                     AXON_OK);
    ck_assert_int_eq(
        axon_sim_set_values(f, "S.w", (const uint32_t[]){0}, 1, (const double[]){0.1}, "mV"),
        AXON_OK);
    ck_assert_int_eq(axon_sim_get_values(f, "S.w", (const uint32_t[]){0}, 1, v, NULL), AXON_OK);
    ck_assert(v[0] == (double)(float)1e-4);
    ck_assert_int_eq(
        axon_sim_set_values(f, "S.w", (const uint32_t[]){0}, 1, (const double[]){1e-3}, NULL),
        AXON_OK);
    /* runs: the plastic projection's target C sees only double values (its input and
       weights): its spikes and weights are the double model's, bit for bit, on any number of
       threads; A and B get the float weights */
    ck_assert_int_eq(axon_sim_run(d, 0.2, NULL, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_run(f, 0.2, NULL, NULL), AXON_OK);
    ck_assert_uint_eq(axon_sim_spike_count(f, 3), axon_sim_spike_count(d, 3));
    ck_assert_uint_gt(axon_sim_spike_count(f, 3), 0);
    ck_assert_uint_gt(axon_sim_spike_count(f, 1), 0);
    axon_tensor pw, dw;
    ck_assert_int_eq(axon_sim_syn_var(f, "P.w", &pw), AXON_OK);
    ck_assert_int_eq(axon_sim_syn_var(d, "P.w", &dw), AXON_OK);
    ck_assert(!memcmp(pw.data, dw.data, pw.shape[0] * sizeof(double)));
    /* 1 or 2 threads: the same float model gives the same bits */
    axon_sim *f1 = f32w_sim(mf, 1);
    ck_assert_int_eq(
        axon_sim_set_values(f1, "S.w", (const uint32_t[]){0}, 1, (const double[]){1e-3}, NULL),
        AXON_OK);
    ck_assert_int_eq(axon_sim_run(f1, 0.2, NULL, NULL), AXON_OK);
    for (int p = 0; p < 4; p++)
        ck_assert_uint_eq(axon_sim_spike_count(f1, p), axon_sim_spike_count(f, p));
    /* a checkpoint holds the float arrays as float: restored, the run goes on alike */
    size_t need = axon_sim_checkpoint_size(f);
    unsigned char *buf = malloc(need);
    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(axon_sim_checkpoint_mem(f, buf, need, NULL), AXON_OK);
    ck_assert_int_eq(axon_sim_run(f, 0.05, NULL, NULL), AXON_OK);
    axon_sim *r = f32w_sim(mf, 1);
    ck_assert_msg(axon_sim_restore_mem(r, buf, need) == AXON_OK, "%s", axon_sim_error(r));
    ck_assert_int_eq(axon_sim_run(r, 0.05, NULL, NULL), AXON_OK);
    for (int p = 0; p < 4; p++)
        ck_assert_uint_eq(axon_sim_spike_count(r, p), axon_sim_spike_count(f, p));
    axon_tensor a, b;
    ck_assert_int_eq(axon_sim_syn_var(f, "S.w", &a), AXON_OK);
    ck_assert_int_eq(axon_sim_syn_var(r, "S.w", &b), AXON_OK);
    ck_assert(!memcmp(a.data, b.data, a.shape[0] * sizeof(float)));
    /* the double model's checkpoint is another model's (its arrays differ in size) */
    ck_assert_int_ne(axon_sim_restore_mem(d, buf, need), AXON_OK);
    ck_assert_msg(strstr(axon_sim_error(d), "differs") != NULL, "%s", axon_sim_error(d));
    free(buf);
    /* the memory estimate counts 4 bytes for each float variable */
    double ed = 0, ef = 0;
    ck_assert_int_eq(axon_model_memory(md, 0.2, NULL, 0, &ed, NULL), AXON_OK);
    ck_assert_int_eq(axon_model_memory(mf, 0.2, NULL, 0, &ef, NULL), AXON_OK);
    ck_assert_msg(ed > ef, "%g %g", ed, ef);
    axon_sim_free(r);
    axon_sim_free(f1);
    axon_sim_free(d);
    axon_sim_free(f);
    axonc_session_free(sd);
    axonc_session_free(sf);
}
END_TEST

Suite *axonc_suite(void)
{
    Suite *s = suite_create("axonc");
    TCase *tc = tcase_create("api");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_null_handles);
    tcase_add_test(tc, test_bad_options);
    tcase_add_test(tc, test_unreadable_file);
    tcase_add_test(tc, test_located_diagnostics);
    tcase_add_test(tc, test_render_record);
    tcase_add_test(tc, test_definitions);
    tcase_add_test(tc, test_parse_override);
    tcase_add_test(tc, test_failure_leaves_unit);
    tcase_add_test(tc, test_run_change_run);
    tcase_add_test(tc, test_dumps);
    tcase_add_test(tc, test_emit);
    tcase_add_test(tc, test_emit_shared_and_exe);
    tcase_add_test(tc, test_warnings_kinds_nulls);
    tcase_add_test(tc, test_parse_only);
    tcase_add_test(tc, test_two_sessions_two_threads);
    tcase_add_test(tc, test_replaced_code_released);
    tcase_add_test(tc, test_memory_limit);
    tcase_add_test(tc, test_sources_and_eval);
    tcase_add_test(tc, test_exprel_kernel);
    tcase_add_test(tc, test_math_f32);
    tcase_add_test(tc, test_quiet_inputs);
    tcase_add_test(tc, test_unreached_input_not_resident);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_spike_values);
    tcase_add_test(tc, test_synapse_f32);
    suite_add_tcase(s, tc);
    return s;
}
