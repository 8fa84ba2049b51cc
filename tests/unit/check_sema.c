/* Semantic analysis and lowering against numbers: the derivatives of every
 * standard-library equation (against Richardson-extrapolated central
 * differences), the integration scheme chosen for the standard neurons,
 * the exact LIF update (against the closed-form solution of the linear
 * system, itself checked with a fine RK4), and the propagator of x' = Ax + b
 * (against the exponential of the augmented matrix and a long-double Taylor
 * series). AXON_STDLIB names the standard library (the test harness sets
 * it); the source tree's is the fallback. AXON_TEST_VERBOSE=1 prints the
 * largest errors seen. */
#include "check_random.h"
#include "check_suites.h"

#include "lower/ir.h"
#include "sema/sema.h"
#include "sema/sx.h"

#include <dirent.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef AXON_SRC_STDLIB_DIR
#error "AXON_SRC_STDLIB_DIR must be defined (Makefile.am sets it)"
#endif

/* ---- helpers ------------------------------------------------------------------------------- */

static bool verbose(void)
{
    const char *v = getenv("AXON_TEST_VERBOSE");
    return v && *v && strcmp(v, "0");
}

static const char *stdlib_dir(void)
{
    const char *e = getenv("AXON_STDLIB");
    return e && *e ? e : AXON_SRC_STDLIB_DIR;
}

typedef struct {
    ax_arena *ar;
    diag_ctx *d;
    sema_ctx *s;
    int root;
} model;

static void model_open(model *m)
{
    const char *dirs[] = {stdlib_dir(), NULL};
    m->ar = arena_new();
    m->d = diag_new();
    m->s = sema_new(m->ar, m->d, dirs, NULL);
    m->root = -1;
}

static void model_close(model *m)
{
    arena_free(m->ar);
    diag_free(m->d);
}

static void ck_no_errors(const model *m, const char *what)
{
    if (diag_error_count(m->d)) {
        char *r = diag_render_string(m->d, DIAG_RENDER_BRIEF);
        /* the message is copied by check before the abort; r is leaked on failure only */
        ck_abort_msg("%s: unexpected errors:\n%s", what, r);
    }
}

/* Loads source text (imports resolve through the stdlib directory), checks
 * it, instantiates `module` with time step dt and builds the schemes. */
static ir_model *instantiate(model *m, const char *text, const char *module, double dt)
{
    model_open(m);
    m->root = sema_load_text(m->s, "test.axon", text, strlen(text));
    ck_assert_int_ge(m->root, 0);
    ck_no_errors(m, text);
    sema_check_all(m->s);
    ck_no_errors(m, text);
    ir_model *ir = ir_build(m->s, m->root, module, NULL, 0, dt);
    ck_no_errors(m, text);
    ck_assert_msg(ir != NULL, "ir_build failed for %s", text);
    return ir;
}

/* ---- typical scales ------------------------------------------------------------------------ */

/* A typical magnitude of a quantity of dimension d (SI): offsets of random
 * points and finite-difference steps are multiples of it. */
static double typical(ax_dim d)
{
    static const struct {
        const char *unit;
        double n;
    } T[] = {
        {"mV", 5}, {"nA", 0.1}, {"nS", 5},    {"uA/cm^2", 5}, {"mS/cm^2", 1},
        {"ms", 5}, {"pF", 100}, {"Mohm", 50}, {"Hz", 10},     {"mV/ms", 1},
    };
    if (dim_is_none(d))
        return 0.05;
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        ax_unit u;
        char err[128];
        if (unit_parse(T[i].unit, &u, err, sizeof err) && dim_eq(u.dim, d))
            return T[i].n * u.scale;
    }
    char buf[64];
    ax_unit u;
    char err[128];
    if (unit_parse(dim_unit_name(d, buf, sizeof buf), &u, err, sizeof err) && dim_eq(u.dim, d))
        return u.scale;
    return 1.0;
}

/* ---- evaluation of a type's expressions at a point ---------------------------------------- */

enum { MAXV = 64 };

typedef struct {
    double v[VS_COUNT][MAXV]; /* by sm variable index (VS_STATE, VS_PARAM, VS_INPUT ...) */
    double temp[MAXV];
    double t, dt;
} point;

static double pt_lookup(void *ctx, int space, int idx)
{
    const point *p = ctx;
    if (space == VS_TIME)
        return p->t;
    if (space == VS_DT)
        return p->dt;
    if (idx < 0 || idx >= MAXV)
        return NAN;
    if (space == VS_TEMP)
        return p->temp[idx];
    return p->v[space][idx];
}

static double pt_eval(const sx *e, point *p)
{
    return sx_eval(e, pt_lookup, p);
}

/* Defaults of the parameters and initial values of the state, in
 * declaration order (a value may use the ones above it; two passes let
 * initial values use states declared later). */
static void base_values(const sm_type *t, point *p)
{
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < t->nvars; i++) {
            const sm_var *v = &t->vars[i];
            if (!v->value || (v->kind != VAR_PARAM && v->kind != VAR_STATE))
                continue;
            double x = pt_eval(v->value, p);
            p->v[v->kind == VAR_PARAM ? VS_PARAM : VS_STATE][i] = x;
        }
}

/* A random point near the physiological operating range of t. */
static void random_point(const sm_type *t, const point *base, point *p, rng *r)
{
    *p = *base;
    for (int i = 0; i < t->nvars; i++) {
        const sm_var *v = &t->vars[i];
        double typ = typical(v->dim);
        if (v->kind == VAR_STATE)
            p->v[VS_STATE][i] =
                base->v[VS_STATE][i] * (1 + 0.2 * uniform(r, -1, 1)) + typ * uniform(r, -1, 1);
        else if (v->kind == VAR_INPUT)
            p->v[VS_INPUT][i] = typ * uniform(r, -1, 1);
    }
    /* variables of other neurons and signals (not used by the stdlib equations) */
    for (int k = 0; k < MAXV; k++) {
        p->v[VS_PRE][k] = uniform(r, -1, 1);
        p->v[VS_POST][k] = uniform(r, -1, 1);
        p->v[VS_SIGNAL][k] = uniform(r, 0, 1);
    }
    p->t = uniform(r, 0, 1);
    p->dt = 1e-4;
}

/* ---- 1. derivatives of every stdlib equation -------------------------------------------- */

typedef struct {
    model *m;
    int nfiles;
} walk_ctx;

static void load_tree(walk_ctx *w, const char *dir)
{
    DIR *dp = opendir(dir);
    ck_assert_msg(dp != NULL, "cannot open stdlib directory %s", dir);
    char **names = NULL;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (de->d_name[0] == '.')
            continue;
        names = realloc(names, (size_t)(n + 1) * sizeof *names);
        size_t l = strlen(dir) + strlen(de->d_name) + 2;
        names[n] = malloc(l);
        snprintf(names[n], l, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(dp);
    for (int i = 0; i < n; i++) {
        struct stat st;
        size_t l = strlen(names[i]);
        if (stat(names[i], &st) == 0 && S_ISDIR(st.st_mode))
            load_tree(w, names[i]);
        else if (l > 5 && !strcmp(names[i] + l - 5, ".axon")) {
            const char *err = NULL;
            int id = sema_load(w->m->s, names[i], &err);
            ck_assert_msg(id >= 0, "cannot load %s: %s", names[i], err ? err : "?");
            w->nfiles++;
        }
        free(names[i]);
    }
    free(names);
}

typedef struct {
    int triples;       /* (type, ode, state variable) */
    int other;         /* (type, ode, parameter or input) */
    int points;        /* evaluations compared */
    int skipped;       /* points where f or the difference was not finite */
    double max_rel;    /* largest |fd - d| / max(|d|, |fd|) among compared points with d != 0 */
    double max_scaled; /* largest |fd - d| / tolerance */
    const char *worst;
} diff_stats;

/* f as a function of variable (space, idx) only, at p. */
static double f_at(const sx *f, point *p, int space, int idx, double x)
{
    double keep = p->v[space][idx];
    p->v[space][idx] = x;
    double y = pt_eval(f, p);
    p->v[space][idx] = keep;
    return y;
}

/* Compares d f / d (space, idx) with central differences at npts random points. */
static void check_partial(model *m, const sm_type *t, int ode, int space, int idx,
                          const point *base, rng *r, int npts, diff_stats *st)
{
    const sx *f = t->odes[ode].rhs;
    const sm_var *xv = &t->vars[idx];
    sx *df = sx_diff(m->ar, t->odes[ode].rhs, space, idx);
    ck_assert_ptr_nonnull(df);
    for (int k = 0; k < npts; k++) {
        point p;
        random_point(t, base, &p, r);
        double x = p.v[space][idx];
        double scale = fmax(fabs(x), typical(xv->dim));
        double h = 1e-3 * scale, fx = pt_eval(f, &p), fp1, fm1, fd;
        /* a step of 1e-3 of the typical scale resolves most functions; a steep one (Jansen-Rit's
           sigmoid of C y0, 75 per mV) needs a smaller step: shrink it until the two central
           differences agree to 1e-3, i.e. their truncation error is small */
        for (int tries = 0;; tries++, h /= 4) {
            fp1 = f_at(f, &p, space, idx, x + h);
            fm1 = f_at(f, &p, space, idx, x - h);
            double fp2 = f_at(f, &p, space, idx, x + h / 2);
            double fm2 = f_at(f, &p, space, idx, x - h / 2);
            double d1 = (fp1 - fm1) / (2 * h), d2 = (fp2 - fm2) / h;
            fd = (4 * d2 - d1) / 3; /* Richardson: O(h^4) */
            if (tries == 5 || !(fabs(d1 - d2) > 1e-3 * fmax(fabs(d1), fabs(d2))))
                break;
        }
        double an = pt_eval(df, &p);
        if (!isfinite(fx) || !isfinite(fd) || !isfinite(fp1) || !isfinite(fm1)) {
            st->skipped++;
            continue;
        }
        ck_assert_msg(isfinite(an), "%s: d(%s')/d%s is %g where f = %g is finite", t->name,
                      t->vars[t->odes[ode].var].name, xv->name, an, fx);
        double fmag = fmax(fabs(fx), fmax(fabs(fp1), fabs(fm1)));
        double floor_ = 1e-12 * fmag / h; /* rounding of the differences */
        double tol = 1e-5 * fmax(fabs(an), fabs(fd)) + floor_;
        double err = fabs(fd - an);
        st->points++;
        if (an != 0 && fabs(an) > floor_ && err / fabs(an) > st->max_rel)
            st->max_rel = err / fabs(an);
        if (tol > 0 && err / tol > st->max_scaled) {
            st->max_scaled = err / tol;
            st->worst = arena_printf(m->ar, "%s: d(%s')/d%s", t->name,
                                     t->vars[t->odes[ode].var].name, xv->name);
        }
        ck_assert_msg(err <= tol,
                      "%s: d(%s')/d%s = %.17g but central differences give %.17g "
                      "(f = %g, %s = %g, t = %g)",
                      t->name, t->vars[t->odes[ode].var].name, xv->name, an, fd, fx, xv->name, x,
                      p.t);
    }
}

START_TEST(test_stdlib_derivatives)
{
    model m;
    model_open(&m);
    walk_ctx w = {&m, 0};
    load_tree(&w, stdlib_dir());
    ck_assert_int_ge(w.nfiles, 8);
    ck_no_errors(&m, "loading the stdlib");
    sema_check_all(m.s);
    ck_no_errors(&m, "checking the stdlib");
    rng r = {20240601};
    diff_stats st = {0};
    int ntypes = 0;
    bool seen_hh = false, seen_adex = false, seen_stdp = false;
    for (int i = 0; i < sema_def_count(m.s); i++) {
        const sm_def *def = sema_def(m.s, i);
        if (def->kind != AST_NEURON && def->kind != AST_SYNAPSE && def->kind != AST_RULE)
            continue;
        const sm_type *t = def->type;
        ck_assert_msg(t != NULL, "%s was not checked", def->name);
        ck_assert_int_le(t->nvars, MAXV);
        ntypes++;
        seen_hh |= !strcmp(t->name, "HH");
        seen_adex |= !strcmp(t->name, "AdEx");
        seen_stdp |= !strcmp(t->name, "STDP");
        point base;
        memset(&base, 0, sizeof base);
        base.dt = 1e-4;
        base_values(t, &base);
        for (int o = 0; o < t->nodes; o++) {
            ck_assert_ptr_nonnull(t->odes[o].rhs);
            for (int v = 0; v < t->nvars; v++) {
                const sm_var *sv = &t->vars[v];
                if (sv->boolean)
                    continue;
                if (sv->kind == VAR_STATE) {
                    check_partial(&m, t, o, VS_STATE, v, &base, &r, 24, &st);
                    st.triples++;
                } else if (sv->kind == VAR_INPUT ||
                           (sv->kind == VAR_PARAM && base.v[VS_PARAM][v] != 0)) {
                    /* parameters at their defaults: the derivative holds the others fixed */
                    check_partial(&m, t, o, sv->kind == VAR_INPUT ? VS_INPUT : VS_PARAM, v, &base,
                                  &r, 4, &st);
                    st.other++;
                }
            }
        }
    }
    if (verbose())
        fprintf(stderr,
                "sema derivatives: %d types, %d (type, ode, state) triples, %d with parameters "
                "and inputs, %d points, %d skipped, max relative error %.3g, max error/tolerance "
                "%.3g (%s)\n",
                ntypes, st.triples, st.other, st.points, st.skipped, st.max_rel, st.max_scaled,
                st.worst ? st.worst : "-");
    ck_assert_msg(seen_hh && seen_adex && seen_stdp, "stdlib types missing");
    ck_assert_int_gt(st.triples, 30);
    ck_assert_int_gt(st.points, 20 * st.triples);
    ck_assert_int_lt(st.skipped, st.points / 100 + 1);
    model_close(&m);
}
END_TEST

/* ---- 2. scheme choice -------------------------------------------------------------------- */

static ir_scheme scheme_of(const char *neuron)
{
    char text[256];
    snprintf(text, sizeof text,
             "import \"std/neurons\"\nimport \"std/inputs\"\n"
             "module M { population P = %s[1] }\n",
             neuron);
    model m;
    ir_model *ir = instantiate(&m, text, "M", 1e-4);
    ck_assert_int_eq(ir->npops, 1);
    ck_assert_str_eq(ir->pops[0].type_name, neuron);
    ir_scheme s = ir->pops[0].scheme;
    if (verbose())
        fprintf(stderr, "sema schemes: %s -> %s (%s)\n", neuron, ir_scheme_name(s),
                ir->pops[0].scheme_why);
    model_close(&m);
    return s;
}

START_TEST(test_scheme_choice)
{
    /* LIFAlpha is not linear with constant coefficients: v' has ge (E_e - v)
       and gi (E_i - v), products of two state variables, as in LIFCond. */
    static const struct {
        const char *neuron;
        ir_scheme want;
    } C[] = {
        {"LIF", SCH_EXACT},        {"LIFAlpha", SCH_EXPEULER},  {"LIFSoft", SCH_EXACT},
        {"LIFCond", SCH_EXPEULER}, {"HH", SCH_EXPEULER},        {"Izhikevich", SCH_RK4},
        {"AdEx", SCH_RK4},         {"PoissonSource", SCH_NONE},
    };
    for (size_t i = 0; i < sizeof C / sizeof C[0]; i++) {
        ir_scheme got = scheme_of(C[i].neuron);
        ck_assert_msg(got == C[i].want, "%s: scheme %s, expected %s", C[i].neuron,
                      ir_scheme_name(got), ir_scheme_name(C[i].want));
    }
}
END_TEST

/* ---- 3. the exact LIF update ------------------------------------------------------------- */

/* One neuron's state for running an ir_update: sm-indexed state, hidden vars. */
typedef struct {
    const ir_pop *pop;
    point cur; /* values at the start of the step */
    double hidden[MAXV];
    const ir_model *m;
    double derived[64]; /* the propagators' (ir_derive_propagators) */
} runner;

static double run_lookup(void *ctx, int space, int idx)
{
    runner *r = ctx;
    if (space == VS_HIDDEN)
        return idx >= 0 && idx < MAXV ? r->hidden[idx] : NAN;
    if (space == VS_SHARED)
        return idx >= 0 && idx < r->m->nshared ? r->m->shared_vals[idx] : NAN;
    if (space == VS_DERIVED)
        return idx >= 0 && idx < r->m->nderived && idx < 64 ? r->derived[idx] : NAN;
    return pt_lookup(&r->cur, space, idx);
}

/* One step: temps in order, every state read from the start of the step. */
static void run_step(runner *r)
{
    const ir_update *u = &r->pop->update;
    const sm_type *t = r->pop->type;
    double newv[MAXV], newh[MAXV];
    memcpy(newv, r->cur.v[VS_STATE], sizeof newv);
    memcpy(newh, r->hidden, sizeof newh);
    for (int k = 0; k < u->n; k++) {
        const ir_assign *a = &u->v[k];
        ck_assert_int_ge(a->idx, 0);
        ck_assert_int_lt(a->idx, MAXV);
        double x = sx_eval(a->value, run_lookup, r);
        switch (a->space) {
        case VS_TEMP: r->cur.temp[a->idx] = x; break;
        case VS_STATE:
            /* the target is an sm_type variable (as in the right-hand sides) */
            ck_assert_int_lt(a->idx, t->nvars);
            ck_assert_str_eq(a->name, t->vars[a->idx].name);
            newv[a->idx] = x;
            break;
        case VS_HIDDEN: newh[a->idx] = x; break;
        default: ck_abort_msg("update of %s in space %d", a->name, a->space);
        }
    }
    memcpy(r->cur.v[VS_STATE], newv, sizeof newv);
    memcpy(r->hidden, newh, sizeof newh);
    r->cur.t += r->cur.dt;
}

static void runner_init(runner *r, const ir_model *m, const ir_pop *p, double dt)
{
    memset(r, 0, sizeof *r);
    r->pop = p;
    r->m = m;
    ck_assert_int_le(m->nderived, 64);
    ck_assert(ir_derive_propagators(m, m->shared_vals, r->derived));
    r->cur.dt = dt;
    for (int k = 0; k < p->nvars && k < MAXV; k++)
        if (p->vars[k].kind == IRV_HIDDEN && p->vars[k].init)
            r->hidden[k] = sx_eval(p->vars[k].init, run_lookup, r);
}

/* The LIF system, v' = (v_rest - v + R (I_syn + I_ext)) / tau_m, I_syn' = -I_syn / tau_syn. */
typedef struct {
    double tau_m, tau_s, v_rest, R, I_ext;
} lif_par;

/* Closed form: with v_inf = v_rest + R I_ext and I_syn = I0 e^{-t/tau_s},
 * w = v - v_inf solves w' = -w/tau_m + (R I0/tau_m) e^{-t/tau_s}; the
 * particular solution C e^{-t/tau_s} has C (1/tau_m - 1/tau_s) = R I0/tau_m,
 * C = R I0 tau_s / (tau_s - tau_m), so
 *   v(t) = v_inf + (v0 - v_inf) e^{-t/tau_m} + C (e^{-t/tau_s} - e^{-t/tau_m}). */
static double lif_v(const lif_par *q, double v0, double I0, double t)
{
    double v_inf = q->v_rest + q->R * q->I_ext;
    double C = q->R * I0 * q->tau_s / (q->tau_s - q->tau_m);
    double em = exp(-t / q->tau_m);
    /* e^{-t/tau_s} - e^{-t/tau_m} = e^{-t/tau_m} (e^{t/tau_m - t/tau_s} - 1): no cancellation */
    double diff = em * expm1(t / q->tau_m - t / q->tau_s);
    return v_inf + (v0 - v_inf) * em + C * diff;
}

static void lif_rhs(const lif_par *q, const double *x, double *dx)
{
    dx[0] = (q->v_rest - x[0] + q->R * (x[1] + q->I_ext)) / q->tau_m;
    dx[1] = -x[1] / q->tau_s;
}

static void lif_rk4(const lif_par *q, double *x, double h, long n)
{
    for (long s = 0; s < n; s++) {
        double k1[2], k2[2], k3[2], k4[2], y[2];
        lif_rhs(q, x, k1);
        for (int i = 0; i < 2; i++)
            y[i] = x[i] + 0.5 * h * k1[i];
        lif_rhs(q, y, k2);
        for (int i = 0; i < 2; i++)
            y[i] = x[i] + 0.5 * h * k2[i];
        lif_rhs(q, y, k3);
        for (int i = 0; i < 2; i++)
            y[i] = x[i] + h * k3[i];
        lif_rhs(q, y, k4);
        for (int i = 0; i < 2; i++)
            x[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    }
}

START_TEST(test_lif_exact_update)
{
    const double dt = 1e-4;
    model m;
    ir_model *ir = instantiate(&m,
                               "import \"std/neurons\"\n"
                               "module M { population P = LIF[1](I_ext = 2 nA) }\n",
                               "M", dt);
    ck_assert_int_eq(ir->npops, 1);
    const ir_pop *p = &ir->pops[0];
    ck_assert_int_eq(p->scheme, SCH_EXACT);
    const sm_type *t = p->type;
    int iv = sm_find_var(t, "v"), is = sm_find_var(t, "I_syn"), ii = sm_find_var(t, "I");
    ck_assert_int_ge(iv, 0);
    ck_assert_int_ge(is, 0);
    ck_assert_int_ge(ii, 0);
    /* the population's parameter values, as the instantiation gave them (shared values) */
    lif_par q;
    const char *names[] = {"tau_m", "tau_syn", "v_rest", "R", "I_ext"};
    double *dst[] = {&q.tau_m, &q.tau_s, &q.v_rest, &q.R, &q.I_ext};
    for (int k = 0; k < 5; k++) {
        int v = sm_find_var(t, names[k]);
        ck_assert_int_ge(v, 0);
        ck_assert_ptr_nonnull(p->shared[v]);
        ck_assert_int_eq(p->shared[v]->space, VS_SHARED);
        *dst[k] = ir_shared_value(ir, p->shared[v]);
    }
    ck_assert_double_eq_tol(q.I_ext, 2e-9, 1e-24);
    ck_assert_double_eq_tol(q.tau_m, 20e-3, 1e-18);
    ck_assert_double_eq_tol(q.tau_s, 5e-3, 1e-18);
    double v_inf = q.v_rest + q.R * q.I_ext;

    /* the closed form against a fine RK4 (h = dt/10, 50 ms) */
    {
        double x[2] = {-65e-3, 1e-9};
        lif_rk4(&q, x, dt / 10, 5000);
        double want = lif_v(&q, -65e-3, 1e-9, 5000 * dt / 10);
        ck_assert_msg(fabs(x[0] - want) <= 1e-11 * fabs(v_inf - -65e-3),
                      "closed form %.17g, RK4 %.17g", want, x[0]);
        ck_assert_msg(fabs(x[1] - 1e-9 * exp(-0.05 / q.tau_s)) <= 1e-11 * 1e-9, "I_syn RK4");
    }

    double max_one = 0, max_traj = 0, max_cpl = 0, max_is = 0;
    /* a single step from rest, I_syn = 0, I = 0 */
    {
        runner r;
        runner_init(&r, ir, p, dt);
        r.cur.v[VS_STATE][iv] = -65e-3;
        run_step(&r);
        double want = v_inf + (-65e-3 - v_inf) * exp(-dt / q.tau_m);
        double got = r.cur.v[VS_STATE][iv];
        max_one = fabs(got - want) / fabs(want - v_inf);
        ck_assert_msg(max_one <= 1e-12, "one step: v = %.17g, expected %.17g", got, want);
        ck_assert_double_eq(r.cur.v[VS_STATE][is], 0);
    }
    /* 10,000 steps (1 s). v - v_inf decays to 0.2 V e^{-50} ~ 4e-23 V, far
       below the rounding of v (~1e-17 V), so a relative error on v - v_inf
       at 1 s cannot be asked for; the error is measured instead against the
       size of the transient, |v0 - v_inf|, at every step. */
    for (int coupled = 0; coupled < 2; coupled++) {
        double v0 = -65e-3, I0 = coupled ? 1e-9 : 0;
        runner r;
        runner_init(&r, ir, p, dt);
        r.cur.v[VS_STATE][iv] = v0;
        r.cur.v[VS_STATE][is] = I0;
        r.cur.v[VS_INPUT][ii] = 0;
        double scale = fabs(v0 - v_inf) + fabs(q.R * I0);
        double *maxp = coupled ? &max_cpl : &max_traj;
        for (long n = 1; n <= 10000; n++) {
            run_step(&r);
            double tn = (double)n * dt;
            double want = lif_v(&q, v0, I0, tn);
            double got = r.cur.v[VS_STATE][iv];
            double e = fabs(got - want) / scale;
            if (e > *maxp)
                *maxp = e;
            ck_assert_msg(e <= 1e-12, "%s: step %ld: v = %.17g, expected %.17g",
                          coupled ? "coupled" : "I_syn = 0", n, got, want);
            if (coupled) {
                double iw = I0 * exp(-tn / q.tau_s);
                double ie = fabs(r.cur.v[VS_STATE][is] - iw) / I0;
                if (ie > max_is)
                    max_is = ie;
                ck_assert_msg(ie <= 1e-12, "step %ld: I_syn = %.17g, expected %.17g", n,
                              r.cur.v[VS_STATE][is], iw);
            }
            /* the refractory counter must say "may spike" (-1): nothing spiked */
            if (p->refr_var >= 0)
                ck_assert_double_eq(r.hidden[p->refr_var], -1);
        }
        ck_assert_double_eq_tol(r.cur.t, 1.0, 1e-9);
        if (!coupled) /* at 1 s, v has converged to v_inf */
            ck_assert_msg(fabs(r.cur.v[VS_STATE][iv] - v_inf) <= 1e-12 * fabs(v_inf),
                          "v(1 s) = %.17g, v_inf = %.17g", r.cur.v[VS_STATE][iv], v_inf);
    }
    /* the input I enters as R I / tau_m held over the step */
    {
        runner r;
        runner_init(&r, ir, p, dt);
        r.cur.v[VS_STATE][iv] = -65e-3;
        r.cur.v[VS_INPUT][ii] = 0.5e-9;
        run_step(&r);
        double vi = q.v_rest + q.R * (q.I_ext + 0.5e-9);
        double want = vi + (-65e-3 - vi) * exp(-dt / q.tau_m);
        ck_assert_msg(fabs(r.cur.v[VS_STATE][iv] - want) <= 1e-12 * fabs(want - vi),
                      "with input: v = %.17g, expected %.17g", r.cur.v[VS_STATE][iv], want);
    }
    if (verbose())
        fprintf(stderr,
                "sema LIF exact: one step %.3g, 10^4 steps %.3g (of |v0 - v_inf|), coupled %.3g, "
                "I_syn %.3g\n",
                max_one, max_traj, max_cpl, max_is);
    model_close(&m);
}
END_TEST

/* ---- 4. the propagator ------------------------------------------------------------------- */

/* Phi = sum (Ah)^k / k!, Gamma = h sum (Ah)^k / (k+1)! in long double. */
static void taylor_propagator(int n, const double *A, double h, long double *Phi, long double *Gam)
{
    long double term[9], next[9];
    for (int i = 0; i < n * n; i++) {
        term[i] = (i / n == i % n);
        Phi[i] = term[i];
        Gam[i] = h * term[i];
    }
    for (int k = 1; k < 200; k++) {
        long double mx = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) {
                long double s = 0;
                for (int l = 0; l < n; l++)
                    s += term[i * n + l] * (long double)A[l * n + j];
                next[i * n + j] = s * h / k;
            }
        for (int i = 0; i < n * n; i++) {
            term[i] = next[i];
            Phi[i] += term[i];
            Gam[i] += term[i] * h / (k + 1);
            if (fabsl(term[i]) > mx)
                mx = fabsl(term[i]);
        }
        if (mx < 1e-40L && k > 30)
            break;
    }
}

/* Random 3x3 systems x' = A x + b, A = D^-1 B D: B with entries up to about
 * 1.5 / h and D = I (well scaled) or random powers of ten from 1e-6 to 1e6
 * (state variables in SI units of very different size, as in LIF's R /
 * tau_m = 5e9 1/s next to 1/tau_m = 50 1/s). Errors are measured in the
 * frame of B, where the entries are comparable: |X_ij - Y_ij| d_i / d_j
 * over the largest |Y_ij| d_i / d_j. */
START_TEST(test_propagator_random)
{
    rng r = {777};
    const int n = 3;
    double worst_aug = 0, worst_tay = 0, worst_id = 0, worst_exp = 0;
    for (int trial = 0; trial < 120; trial++) {
        double A[9], Phi[9], Gam[9], d[3];
        double h = trial % 3 == 0 ? 1e-4 : trial % 3 == 1 ? 1e-3 : 0.1;
        double rate = uniform(&r, 0.01, 1.5) / h;
        for (int i = 0; i < 3; i++)
            d[i] = trial < 60 ? 1 : pow(10, floor(uniform(&r, -6, 7)));
        for (int i = 0; i < 9; i++)
            A[i] = rate * uniform(&r, -1, 1);
        if (trial % 10 == 9) /* singular: the last row a combination of the others */
            for (int j = 0; j < 3; j++)
                A[6 + j] = 0.5 * A[j] - 2 * A[3 + j];
        if (trial % 10 == 8) /* a zero column and row */
            for (int j = 0; j < 3; j++)
                A[3 * j + 1] = A[3 + j] = 0;
        if (trial % 10 == 7) /* triangular, like LIF's (v, I_syn) */
            A[3] = A[6] = A[7] = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                A[i * 3 + j] *= d[j] / d[i];
        ck_assert(sx_propagator(n, A, h, Phi, Gam) == 0);
        /* exp([[A h, I h], [0, 0]]) = [[Phi, Gamma], [0, I]] */
        double M[36] = {0}, E[36], Ah[9], EA[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++)
                M[i * 6 + j] = Ah[i * 3 + j] = A[i * 3 + j] * h;
            M[i * 6 + 3 + i] = h;
        }
        ck_assert(sx_expm(6, M, E));
        ck_assert(sx_expm(3, Ah, EA));
        long double TP[9], TG[9];
        taylor_propagator(n, A, h, TP, TG);
        /* norms in the frame of B */
        double nphi = 0, ngam = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                nphi = fmax(nphi, (double)fabsl(TP[i * 3 + j]) * d[i] / d[j]);
                ngam = fmax(ngam, (double)fabsl(TG[i * 3 + j]) * d[i] / d[j]);
            }
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) {
                int ij = i * 3 + j;
                double w = d[i] / d[j];
                double ea = fabs(Phi[ij] - E[i * 6 + j]) * w / nphi;
                double eg = fabs(Gam[ij] - E[i * 6 + 3 + j]) * w / ngam;
                double ta = (double)(fabsl((long double)Phi[ij] - TP[ij]) * w / nphi);
                double tg = (double)(fabsl((long double)Gam[ij] - TG[ij]) * w / ngam);
                double ee = fabs(EA[ij] - Phi[ij]) * w / nphi;
                /* A Gamma = Phi - I, for singular A too */
                double ag = 0;
                for (int l = 0; l < 3; l++)
                    ag += A[i * 3 + l] * Gam[l * 3 + j];
                double ei = fabs(ag - (Phi[ij] - (i == j))) * w / nphi;
                worst_aug = fmax(worst_aug, fmax(ea, eg));
                worst_tay = fmax(worst_tay, fmax(ta, tg));
                worst_exp = fmax(worst_exp, ee);
                worst_id = fmax(worst_id, ei);
                ck_assert_msg(ea <= 1e-13 && eg <= 1e-13,
                              "trial %d: Phi/Gamma[%d][%d] = %.17g/%.17g, augmented expm "
                              "%.17g/%.17g",
                              trial, i, j, Phi[ij], Gam[ij], E[i * 6 + j], E[i * 6 + 3 + j]);
                ck_assert_msg(ta <= 1e-13 && tg <= 1e-13,
                              "trial %d: Phi/Gamma[%d][%d] = %.17g/%.17g, Taylor %.17Lg/%.17Lg",
                              trial, i, j, Phi[ij], Gam[ij], TP[ij], TG[ij]);
                ck_assert_msg(ee <= 1e-13, "trial %d: Phi[%d][%d] = %.17g, expm(A h) %.17g", trial,
                              i, j, Phi[ij], EA[ij]);
                ck_assert_msg(ei <= 1e-12, "trial %d: (A Gamma - Phi + I)[%d][%d] = %g", trial, i,
                              j, ei);
            }
        /* the bottom rows of the augmented exponential */
        for (int i = 3; i < 6; i++)
            for (int j = 0; j < 6; j++)
                ck_assert_double_eq_tol(E[i * 6 + j], i == j, 1e-14);
    }
    if (verbose())
        fprintf(stderr,
                "sema propagator: max error vs augmented expm %.3g, vs Taylor %.3g, vs expm(A h) "
                "%.3g, of A Gamma = Phi - I %.3g\n",
                worst_aug, worst_tay, worst_exp, worst_id);
}
END_TEST

/* ---- modules: checked once each, in sema; instantiation only evaluates ---------------------- */

static int load_checked(model *m, const char *text)
{
    model_open(m);
    m->root = sema_load_text(m->s, "test.axon", text, strlen(text));
    ck_assert_int_ge(m->root, 0);
    ck_no_errors(m, text);
    sema_check_all(m->s);
    return diag_error_count(m->d);
}

START_TEST(test_module_checked_without_instance)
{
    /* a module that is never run, nor instantiated, is checked by sema_check_all */
    model m;
    int errs = load_checked(&m, "import \"std/neurons/lif\"\n"
                                "module Unused(N = 10) { population E = LIF[N * NN] }\n"
                                "module Main { population E = LIF[1] }\n"
                                "run Main for 1 ms\n");
    ck_assert_int_eq(errs, 1);
    char *r = diag_render_string(m.d, DIAG_RENDER_BRIEF);
    ck_assert_msg(strstr(r, "undefined name 'NN'"), "%s", r);
    free(r);
    const sm_def *u = sema_find(m.s, "Unused");
    ck_assert_ptr_nonnull(u->module);
    ck_assert(!sema_module_ok(u->module));
    ck_assert(sema_module_ok(sema_find(m.s, "Main")->module));
    model_close(&m);
}
END_TEST

START_TEST(test_module_symbolic)
{
    /* one check of Column serves instances with different arguments: its expressions are in
       terms of its parameters, given values when instantiated */
    model m;
    const char *text = "import \"std/neurons/lif\"\n"
                       "module Column(N = 10, tau = 20 ms) {\n"
                       "    let NE = N * 4 / 5\n"
                       "    population E = LIF[NE](tau_m = tau)\n"
                       "}\n"
                       "module Net(K = 5) { c1 = Column(N = 2 * K)\n c2 = Column(tau = 5 ms) }\n"
                       "run Net(K = 25) for 1 ms\n";
    ck_assert_int_eq(load_checked(&m, text), 0);
    const sm_module *col = sema_find(m.s, "Column")->module;
    ck_assert_int_eq(col->nparams, 2);
    ck_assert_int_eq(col->nitems, 1);
    const sm_mpop *E = col->items[0].pop;
    ck_assert(sx_uses(E->size, VS_MODULE, 0));
    ck_assert(sx_uses(E->set[sm_find_var(E->type, "tau_m")], VS_MODULE, 1));
    ir_model *ir = ir_instantiate(m.s, m.root, NULL, NULL, 0, 1e-4);
    ck_no_errors(&m, text);
    ck_assert_ptr_nonnull(ir);
    int c1 = ir_find_pop(ir, "c1.E"), c2 = ir_find_pop(ir, "c2.E");
    ck_assert_int_ge(c1, 0);
    ck_assert_int_ge(c2, 0);
    ck_assert_int_eq(ir->pops[c1].size, 40);
    ck_assert_int_eq(ir->pops[c2].size, 8);
    int tm = sm_find_var(ir->pops[c2].type, "tau_m");
    ck_assert_double_eq_tol(ir_shared_value(ir, ir->pops[c1].shared[tm]), 0.02, 1e-15);
    ck_assert_double_eq_tol(ir_shared_value(ir, ir->pops[c2].shared[tm]), 0.005, 1e-15);
    model_close(&m);
}
END_TEST

START_TEST(test_override_values)
{
    /* --set values: a module parameter, a population's parameter; checked units */
    model m;
    const char *text = "import \"std/neurons/lif\"\n"
                       "module M(N = 10) { population E = LIF[N](tau_m = 10 ms) }\n";
    ck_assert_int_eq(load_checked(&m, text), 0);
    ir_override ov[2];
    char err[256];
    ck_assert(ir_override_parse("N", "7", &ov[0], err, sizeof err));
    ck_assert(ir_override_parse("E.tau_m", "30ms", &ov[1], err, sizeof err));
    ck_assert(!ir_override_parse("N", "0/0", &ov[0], err, sizeof err));
    ck_assert(!ir_override_parse("E..x", "1", &ov[0], err, sizeof err));
    /* an element of a vector (tau[2]), nothing else in brackets */
    ck_assert(ir_override_parse("E.tau[2]", "1 ms", &ov[0], err, sizeof err));
    ck_assert(ir_override_parse("w[10]", "1", &ov[0], err, sizeof err));
    ck_assert(!ir_override_parse("E.tau[x]", "1 ms", &ov[0], err, sizeof err));
    ck_assert(!ir_override_parse("E.tau[]", "1 ms", &ov[0], err, sizeof err));
    ck_assert(!ir_override_parse("E.[2]", "1 ms", &ov[0], err, sizeof err));
    ck_assert(!ir_override_parse("E.tau[2][3]", "1 ms", &ov[0], err, sizeof err));
    ck_assert(!ir_override_parse("E.tau[2].x", "1 ms", &ov[0], err, sizeof err));
    ck_assert(ir_override_parse("N", "7", &ov[0], err, sizeof err));
    ir_model *ir = ir_instantiate(m.s, m.root, "M", ov, 2, 1e-4);
    ck_no_errors(&m, text);
    ck_assert_int_eq(ir->pops[0].size, 7);
    int tm = sm_find_var(ir->pops[0].type, "tau_m");
    ck_assert_double_eq_tol(ir_shared_value(ir, ir->pops[0].shared[tm]), 0.03, 1e-15);
    /* a unit of another dimension is an error naming both */
    ck_assert(ir_override_parse("E.tau_m", "30 mV", &ov[1], err, sizeof err));
    ck_assert_ptr_null(ir_instantiate(m.s, m.root, "M", ov, 2, 1e-4));
    char *r = diag_render_string(m.d, DIAG_RENDER_BRIEF);
    ck_assert_msg(strstr(r, "'tau_m' of E (a LIF) is a time (ms), but 30 mV is a voltage (mV)"),
                  "%s", r);
    free(r);
    model_close(&m);
}
END_TEST

Suite *sema_suite(void)
{
    Suite *s = suite_create("sema");
    TCase *tc = tcase_create("stdlib");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_stdlib_derivatives);
    tcase_add_test(tc, test_scheme_choice);
    tcase_add_test(tc, test_lif_exact_update);
    suite_add_tcase(s, tc);
    TCase *tm = tcase_create("modules");
    tcase_add_test(tm, test_module_checked_without_instance);
    tcase_add_test(tm, test_module_symbolic);
    tcase_add_test(tm, test_override_values);
    suite_add_tcase(s, tm);
    TCase *tp = tcase_create("propagator");
    tcase_add_test(tp, test_propagator_random);
    suite_add_tcase(s, tp);
    return s;
}
