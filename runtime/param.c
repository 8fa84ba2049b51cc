/*
 * Parameters at run time (axon.h; the table is model.h's, ABI 4): reading and changing a
 * population's or projection's parameters by name between steps.
 *
 * Shared values live in one block that every kernel reads through its step context; the
 * quantities the compiler derived from them (reciprocals, decay factors, propagators) in a
 * second block that the model's derive function fills. A change of a shared value derives
 * into a scratch block first and is refused, leaving everything as it was, when it makes a
 * derived quantity that was finite infinite or NaN (a time constant of 0, an unstable
 * propagator); otherwise the blocks are swapped. Nothing runs concurrently with these calls
 * (axon.h: one simulation, one thread at a time), so kernels never see half a change.
 *
 * Units: a value is given in the parameter's SI unit, or in any unit of the same dimension
 * ("ms" for "s", "nS" for "S", "mS/cm^2" for "S/m^2"), read by the runtime's one unit parser
 * (units.c).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

/* ---- setup */

/* The shared parameters that derived value k (NaN) depends on, with their values ("'E.tau_m'
 * = 0 s"), into names (size bytes; "" when none is found): those whose change (to twice the
 * value, or 1 from 0) makes it a number. For the message only; tmp holds nderived values. */
static void rt_culprits(const axon_model_desc *m, double *shared, double *tmp, uint32_t k,
                        char *names, size_t size)
{
    size_t used = 0;
    names[0] = '\0';
    for (uint32_t j = 0; j < m->nparams && used < size; j++) {
        const axon_param_desc *p = &m->params[j];
        if (p->kind != AXON_PARAM_SHARED || (p->flags & AXON_PARAM_FIXED))
            continue;
        double old = shared[p->index];
        shared[p->index] = old != 0 ? 2 * old : 1;
        m->derive(shared, tmp);
        shared[p->index] = old;
        if (!isnan(tmp[k])) {
            int w = snprintf(names + used, size - used, "%s'%s' = %g %s", used ? ", " : "",
                             p->name, old, p->unit);
            used = w < 0 ? size : used + (size_t)w;
        }
    }
}

axon_status rt_params_init(axon_sim *s, axon_err *err)
{
    const axon_model_desc *m = s->m;
    if ((m->nparams && !m->params) || (m->nshared && !m->shared_defaults) ||
        (m->nderived && !m->derive))
        return axon_err_set(err, AXON_EINVAL, "model '%s': a parameter table is missing", m->name);
    for (uint32_t k = 0; k < m->nparams; k++) {
        const axon_param_desc *p = &m->params[k];
        int proj = (p->flags & AXON_PARAM_PROJ) != 0;
        uint32_t owners = proj ? m->nprojs : m->npops;
        int ok = p->name && p->unit && p->owner >= 0 && (uint32_t)p->owner < owners;
        if (ok && p->kind == AXON_PARAM_SHARED)
            ok =
                (p->flags & AXON_PARAM_FIXED) || (p->index >= 0 && (uint32_t)p->index < m->nshared);
        else if (ok && p->kind == AXON_PARAM_PER_ITEM) {
            uint32_t nv = proj ? m->projs[p->owner].nvars : m->pops[p->owner].nvars;
            const axon_var_desc *vs = proj ? m->projs[p->owner].vars : m->pops[p->owner].vars;
            ok = p->index >= 0 && (uint32_t)p->index < nv && vs[p->index].kind == AXON_VAR_PARAM;
        } else
            ok = 0;
        if (!ok)
            return axon_err_set(err, AXON_EINVAL, "model '%s': parameter %u (%s) is malformed",
                                m->name, k, p->name ? p->name : "no name");
    }
    for (uint32_t k = 0; k < m->nchanges; k++) {
        const axon_change_desc *c = m->changes ? &m->changes[k] : NULL;
        if (!c || c->param < 0 || (uint32_t)c->param >= m->nparams ||
            (m->params[c->param].flags & AXON_PARAM_FIXED) ||
            (k && c->step < m->changes[k - 1].step))
            return axon_err_set(err, AXON_EINVAL,
                                "model '%s': change %u of the protocol is malformed", m->name, k);
    }
    s->shared = calloc(m->nshared ? m->nshared : 1, sizeof *s->shared);
    s->derived = calloc(m->nderived ? m->nderived : 1, sizeof *s->derived);
    s->derived_new = calloc(m->nderived ? m->nderived : 1, sizeof *s->derived_new);
    if (!s->shared || !s->derived || !s->derived_new)
        return axon_err_set(err, AXON_ENOMEM, "cannot allocate a simulation");
    if (m->nshared)
        memcpy(s->shared, m->shared_defaults, m->nshared * sizeof *s->shared);
    if (m->derive)
        m->derive(s->shared, s->derived);
    /* a NaN here is a value the model was compiled with that makes a derived quantity
       undefined (a time constant of 0: `--set E.tau_m=0ms`), or a propagator that could not be
       computed (axon_propagator: out of memory, an overflow): every step would make the state
       NaN */
    for (uint32_t k = 0; k < m->nderived; k++)
        if (isnan(s->derived[k])) {
            /* the same values again: a NaN that goes away was memory running out */
            m->derive(s->shared, s->derived_new);
            if (!isnan(s->derived_new[k]))
                return axon_err_set(err, AXON_ENOMEM,
                                    "model '%s': derived value %u of the parameters could not "
                                    "be computed (out of memory while computing a propagator)",
                                    m->name, k);
            char names[256];
            rt_culprits(m, s->shared, s->derived_new, k, names, sizeof names);
            if (*names)
                return axon_err_set(err, AXON_ERANGE,
                                    "model '%s': %s makes a quantity the model derives from it "
                                    "undefined (derived value %u: a division by zero, an "
                                    "overflow, an unstable propagator)",
                                    m->name, names, k);
            return axon_err_set(err, AXON_ERANGE,
                                "model '%s': derived value %u of the parameters is NaN (a "
                                "propagator that overflows)",
                                m->name, k);
        }
    return AXON_OK;
}

void rt_params_free(axon_sim *s)
{
    free(s->shared);
    free(s->derived);
    free(s->derived_new);
}

/* ---- lookup */

uint32_t axon_sim_param_count(const axon_sim *s)
{
    return s ? s->m->nparams : 0;
}

const axon_param_desc *axon_sim_param_desc(axon_sim *s, uint32_t k)
{
    if (!s)
        return NULL;
    rt_begin(s);
    if (k < s->m->nparams)
        return &s->m->params[k];
    axon_err_set(&s->err, AXON_EINVAL, "axon_sim_param_desc: no parameter %u (model '%s' has %u)",
                 k, s->m->name, s->m->nparams);
    return NULL;
}

/* The index of the parameter named name, or -1. */
static int rt_param_find(const axon_sim *s, const char *name)
{
    for (uint32_t k = 0; name && k < s->m->nparams; k++)
        if (!strcmp(s->m->params[k].name, name))
            return (int)k;
    return -1;
}

/* Edit distance of a and b, capped at 3 (for "did you mean"). */
static int rt_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 63 || nb > 63)
        return 3;
    int d[64][64];
    for (size_t i = 0; i <= na; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= nb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= na; i++)
        for (size_t j = 1; j <= nb; j++) {
            int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            c = d[i - 1][j] + 1 < c ? d[i - 1][j] + 1 : c;
            d[i][j] = d[i][j - 1] + 1 < c ? d[i][j - 1] + 1 : c;
        }
    return d[na][nb] < 3 ? d[na][nb] : 3;
}

/* The message for a name that is not a parameter: a variable that is not one, an owner
 * without it (with the closest of its parameters), or no such owner. */
static axon_status rt_no_param(axon_sim *s, const char *name)
{
    const axon_model_desc *m = s->m;
    const char *dot = strrchr(name, '.');
    size_t on = dot ? (size_t)(dot - name) : 0;
    for (int proj = 0; dot && proj < 2; proj++) {
        uint32_t n = proj ? m->nprojs : m->npops;
        for (uint32_t i = 0; i < n; i++) {
            const char *oname = proj ? m->projs[i].name : m->pops[i].name;
            if (strlen(oname) != on || memcmp(oname, name, on))
                continue;
            const char *what = proj ? "projection" : "population";
            uint32_t nv = proj ? m->projs[i].nvars : m->pops[i].nvars;
            const axon_var_desc *vs = proj ? m->projs[i].vars : m->pops[i].vars;
            for (uint32_t v = 0; v < nv; v++)
                if (!strcmp(vs[v].name, dot + 1))
                    return axon_err_set(&s->err, AXON_EINVAL,
                                        "'%s' is a %s variable of %s '%s', not a parameter: "
                                        "read or write it with axon_sim_%s",
                                        name, vs[v].kind == AXON_VAR_INPUT ? "input" : "state",
                                        what, oname, proj ? "syn_var" : "var");
            const char *best = NULL;
            for (uint32_t k = 0, bd = 3; k < m->nparams; k++) {
                const axon_param_desc *p = &m->params[k];
                if (p->owner != (int32_t)i || ((p->flags & AXON_PARAM_PROJ) != 0) != proj)
                    continue;
                uint32_t dd = (uint32_t)rt_distance(p->name + on + 1, dot + 1);
                if (dd < bd) {
                    bd = dd;
                    best = p->name;
                }
            }
            return axon_err_set(&s->err, AXON_EINVAL, "%s '%s' has no parameter '%s'%s%s%s", what,
                                oname, dot + 1, best ? " (did you mean '" : "", best ? best : "",
                                best ? "'?)" : "");
        }
    }
    return axon_err_set(&s->err, AXON_EINVAL,
                        "model '%s' has no parameter '%s' (parameters are named "
                        "POPULATION.NAME or PROJECTION.NAME)",
                        m->name, name);
}

/* The parameter named name, or NULL with the message set. */
static const axon_param_desc *rt_param(axon_sim *s, const char *name)
{
    int k = rt_param_find(s, name);
    if (k >= 0)
        return &s->m->params[k];
    if (name)
        rt_no_param(s, name);
    else
        axon_err_set(&s->err, AXON_EINVAL, "no parameter name");
    return NULL;
}

int axon_sim_param_index(axon_sim *s, const char *name)
{
    if (!s)
        return -1;
    rt_begin(s);
    const axon_param_desc *p = rt_param(s, name);
    return p ? (int)(p - s->m->params) : -1;
}

/* The array and item count of per-item parameter p. */
static void *rt_items(const axon_sim *s, const axon_param_desc *p, uint64_t *n)
{
    if (p->flags & AXON_PARAM_PROJ) {
        *n = s->projs ? s->projs[p->owner].nsyn : 0;
        return s->projs ? s->projs[p->owner].vars[p->index] : NULL;
    }
    *n = s->pops[p->owner].size;
    return s->pops[p->owner].vars[p->index];
}

/* The element of that array that holds item i (a synapse's by its projection's layout:
 * model.h, ABI 12 and 13) */
static uint64_t rt_item_ix(const axon_sim *s, const axon_param_desc *p, uint64_t i)
{
    return p->flags & AXON_PARAM_PROJ ? rt_proj_vidx(&s->projs[p->owner], (uint32_t)p->index, i)
                                      : i;
}

/* The element type of per-item parameter p's array: the model's precision, or float for a
 * per-synapse one stored so (model.h, axon_var_desc.elem) */
static int32_t rt_items_elem(const axon_sim *s, const axon_param_desc *p)
{
    const axon_var_desc *v = p->flags & AXON_PARAM_PROJ ? &s->m->projs[p->owner].vars[p->index]
                                                        : &s->m->pops[p->owner].vars[p->index];
    return rt_elem(v, s->esz);
}

/* ---- reading and changing */

axon_status axon_sim_get_param(axon_sim *s, const char *name, double *value)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    rt_proj_sync(s); /* per-synapse values read: deferred updates first */
    if (!value)
        return axon_err_set(&s->err, AXON_EINVAL, "axon_sim_get_param: NULL value");
    const axon_param_desc *p = rt_param(s, name);
    if (!p)
        return AXON_EINVAL;
    if (p->kind == AXON_PARAM_SHARED) {
        *value = p->flags & AXON_PARAM_FIXED ? p->value : s->shared[p->index];
        return AXON_OK;
    }
    uint64_t n;
    const void *a = rt_items(s, p, &n);
    const char *items = p->flags & AXON_PARAM_PROJ ? "synapse" : "neuron";
    int32_t e = rt_items_elem(s, p);
    if (!n)
        return axon_err_set(&s->err, AXON_EINVAL, "'%s' is a parameter per %s, and there is none",
                            name, items);
    double v = rt_elem_get(a, e, rt_item_ix(s, p, 0));
    for (uint64_t i = 1; i < n; i++) {
        double y = rt_elem_get(a, e, rt_item_ix(s, p, i));
        if (!(y == v || (v != v && y != y)))
            return axon_err_set(&s->err, AXON_EINVAL,
                                "'%s' differs between %ss (%s %llu has %g, %s 0 has %g): read "
                                "it item by item with axon_sim_%s",
                                name, items, items, (unsigned long long)i, y,
                                items, v, p->flags & AXON_PARAM_PROJ ? "syn_var" : "var");
    }
    *value = v;
    return AXON_OK;
}

/* The value in SI of `value` in `unit` for p, checked; the message set on failure. */
static axon_status rt_param_value(axon_sim *s, const axon_param_desc *p, double value,
                                  const char *unit, double *si)
{
    double scale = 1;
    if (unit && *unit && !rt_unit_convert(p->unit, unit, &scale))
        return axon_err_set(
            &s->err, AXON_EINVAL, "'%s' is in %s: '%s' is not %s%s", p->name, p->unit, unit,
            !strcmp(p->unit, "1") ? "a unit of a plain number (give NULL, \"\" or \"1\")" : p->unit,
            !strcmp(p->unit, "1") ? "" : " or a unit of the same dimension");
    double v = value * scale;
    if (!isfinite(v))
        return axon_err_set(&s->err, AXON_EINVAL, "'%s': %g %s is not a finite value", p->name,
                            value, unit && *unit ? unit : p->unit);
    if ((p->flags & AXON_PARAM_BOOL) && v != 0 && v != 1)
        return axon_err_set(&s->err, AXON_EINVAL, "'%s' is true (1) or false (0), not %g", p->name,
                            v);
    if (v < p->min || v > p->max)
        return axon_err_set(&s->err, AXON_EINVAL, "'%s' must be in [%g, %g] %s, not %g", p->name,
                            p->min, p->max, p->unit, v);
    *si = v;
    return AXON_OK;
}

/* Sets shared value p to v and derives; refused (nothing changed) when a derived quantity
 * that is finite now would not be. */
static axon_status rt_set_shared(axon_sim *s, const axon_param_desc *p, double v)
{
    const axon_model_desc *m = s->m;
    double old = s->shared[p->index];
    s->shared[p->index] = v;
    if (!m->derive)
        return AXON_OK;
    m->derive(s->shared, s->derived_new);
    for (uint32_t k = 0; k < m->nderived; k++)
        if (isfinite(s->derived[k]) && !isfinite(s->derived_new[k])) {
            s->shared[p->index] = old;
            return axon_err_set(&s->err, AXON_EINVAL,
                                "'%s' = %g %s makes a quantity the model derives from it "
                                "infinite or undefined (derived value %u: a division by zero, "
                                "an overflow, an unstable propagator); the value stays %g %s",
                                p->name, v, p->unit, k, old, p->unit);
        }
    double *t = s->derived;
    s->derived = s->derived_new;
    s->derived_new = t;
    return AXON_OK;
}

axon_status axon_sim_set_param_range(axon_sim *s, const char *name, uint64_t begin, uint64_t end,
                                     double value, const char *unit)
{
    if (!s)
        return AXON_EINVAL;
    rt_begin(s);
    /* deferred synapse updates (rt_proj_sync) run with the values before the change, as they
       would have at their spikes */
    rt_proj_sync(s);
    const axon_param_desc *p = rt_param(s, name);
    if (!p)
        return AXON_EINVAL;
    if (p->flags & AXON_PARAM_FIXED)
        return axon_err_set(&s->err, AXON_EINVAL,
                            "'%s' was folded into the code when the model was compiled: it "
                            "can be read but not changed (give its value when compiling: "
                            "--set %s=...)",
                            name, name);
    double v = 0;
    axon_status st = rt_param_value(s, p, value, unit, &v);
    if (st != AXON_OK)
        return st;
    if (p->kind == AXON_PARAM_SHARED) {
        if (begin != 0 || end != UINT64_MAX)
            return axon_err_set(&s->err, AXON_EINVAL,
                                "'%s' is shared: it has one value, not one per %s", name,
                                p->flags & AXON_PARAM_PROJ ? "synapse" : "neuron");
        return rt_set_shared(s, p, v);
    }
    uint64_t n;
    void *a = rt_items(s, p, &n);
    if (end == UINT64_MAX)
        end = n;
    if (begin > end || end > n)
        return axon_err_set(&s->err, AXON_EINVAL,
                            "'%s': items [%llu, %llu) are not within the "
                            "%llu %ss",
                            name, (unsigned long long)begin, (unsigned long long)end,
                            (unsigned long long)n,
                            p->flags & AXON_PARAM_PROJ ? "synapse" : "neuron");
    int32_t e = rt_items_elem(s, p);
    for (uint64_t i = begin; i < end; i++)
        rt_elem_set(a, e, rt_item_ix(s, p, i), v); /* real: always AXON_OK (rt_check_model) */
    return AXON_OK;
}

axon_status axon_sim_set_param(axon_sim *s, const char *name, double value, const char *unit)
{
    return axon_sim_set_param_range(s, name, 0, UINT64_MAX, value, unit);
}

/* ---- the protocol (model.h, ABI 5) */

uint32_t rt_protocol_next(const axon_sim *s)
{
    uint32_t k = 0;
    while (k < s->m->nchanges && s->m->changes[k].step < s->step)
        k++;
    return k;
}

axon_status rt_protocol_precheck(axon_sim *s, uint32_t next, uint64_t end)
{
    const axon_model_desc *m = s->m;
    uint32_t k = next;
    while (k < m->nchanges && m->changes[k].step < end &&
           m->params[m->changes[k].param].kind != AXON_PARAM_SHARED)
        k++;
    if (!m->derive || k == m->nchanges || m->changes[k].step >= end)
        return AXON_OK; /* no change of a shared value in this run */
    double *shared = malloc(((size_t)m->nshared + 1) * sizeof *shared);
    double *derived = malloc(((size_t)m->nderived + 1) * sizeof *derived);
    if (!shared || !derived) {
        free(shared);
        free(derived);
        return axon_err_set(&s->err, AXON_ENOMEM, "out of memory");
    }
    memcpy(shared, s->shared, (size_t)m->nshared * sizeof *shared);
    axon_status st = AXON_OK;
    for (; st == AXON_OK && k < m->nchanges && m->changes[k].step < end; k++) {
        const axon_change_desc *c = &m->changes[k];
        const axon_param_desc *p = &m->params[c->param];
        if (p->kind != AXON_PARAM_SHARED)
            continue;
        shared[p->index] = c->value;
        m->derive(shared, derived);
        for (uint32_t d = 0; d < m->nderived && st == AXON_OK; d++)
            if (isfinite(s->derived[d]) && !isfinite(derived[d]))
                st = axon_err_set(&s->err, AXON_EINVAL,
                                  "the protocol's change at %g s, '%s' = %g %s, would make a "
                                  "quantity the model derives from it infinite or undefined "
                                  "(derived value %u): the run was not started",
                                  (double)c->step * s->dt, p->name, c->value, p->unit, d);
    }
    free(shared);
    free(derived);
    return st;
}

axon_status rt_protocol_apply(axon_sim *s, uint32_t *next)
{
    const axon_model_desc *m = s->m;
    for (; *next < m->nchanges && m->changes[*next].step == s->step; (*next)++) {
        const axon_change_desc *c = &m->changes[*next];
        const axon_param_desc *p = &m->params[c->param];
        if (axon_sim_set_param(s, p->name, c->value, NULL) != AXON_OK) {
            axon_err e = s->err;
            return axon_err_set(&s->err, AXON_EINVAL, "the protocol's change at %g s: %s",
                                (double)s->step * s->dt, e.msg);
        }
    }
    return AXON_OK;
}
