/*
 * Units at the API (axon.h, "Units"): the factor from a unit a caller names ("nA", "mV",
 * "nS", "ms", "Mohm") to the SI unit a variable is stored in, as the descriptor writes it: a
 * product of base units with exponents ("A", "kg*m^2*s^-3*A^-1" for a volt, "1" for a
 * dimensionless number), or the unit a parameter is declared in ("ms", "S/m^2"). Both sides
 * become exponent vectors over the seven SI base units and must be equal. A unit is a product
 * and quotient of named units, each with at most one SI prefix and an exponent ("mV/ms",
 * "uS/cm^2", "kg*m^2*s^-3*A^-1"); exponents may be fractional ("V*s^-0.5"). A few dozen table
 * entries, no allocation. Both the API's variable access and its parameters use it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "unit_table.h"

enum { RT_DIMS = UT_DIMS }; /* m, kg, s, A, K, mol, cd */

/* One named unit with at most one prefix ("mV", "Mohm", "kg", "M" the molar), as the table
 * the language shares (unit_table.h) gives it: its exponents added times power into e, its
 * factor to SI raised to power multiplied into *scale. */
static int rt_named_unit(const char *u, size_t n, double power, double e[RT_DIMS],
                         double *scale)
{
    double prefix;
    const ut_unit *unit = ut_lookup(u, n, true, &prefix);
    if (!unit)
        return -1;
    for (int d = 0; d < RT_DIMS; d++)
        e[d] += power * unit->e[d];
    *scale *= pow(prefix * unit->scale, power);
    return 0;
}

int rt_unit_parse(const char *u, double e[RT_DIMS], double *scale)
{
    memset(e, 0, RT_DIMS * sizeof *e);
    *scale = 1.0;
    if (!u || !*u)
        return -1;
    if (!strcmp(u, "1"))
        return 0;
    double sign = 1;
    while (*u) {
        size_t n = strcspn(u, "^*/");
        if (!n)
            return -1;
        const char *name = u;
        u += n;
        double x = 1;
        if (*u == '^') {
            char *end;
            x = strtod(u + 1, &end);
            if (end == u + 1 || !(x != 0) || x < -64 || x > 64)
                return -1;
            u = end;
        }
        if (!(n == 1 && name[0] == '1') && rt_named_unit(name, n, sign * x, e, scale) != 0)
            return -1;
        if ((*u == '*' || *u == '/') && u[1]) {
            sign = *u == '/' ? -1 : 1;
            u++;
        } else if (*u) {
            return -1;
        }
    }
    return 0;
}

int rt_unit_convert(const char *to, const char *from, double *scale)
{
    double et[RT_DIMS], ef[RT_DIMS], st, sf;
    *scale = 1.0;
    if (rt_unit_parse(to, et, &st) != 0 || rt_unit_parse(from, ef, &sf) != 0)
        return 0;
    for (int d = 0; d < RT_DIMS; d++)
        if (fabs(et[d] - ef[d]) > 1e-9)
            return 0;
    *scale = sf / st;
    return 1;
}

int axon_unit_convert(const char *to, const char *from, double *scale)
{
    double f = 1.0;
    int ok = to && from && rt_unit_convert(to, from, &f);
    if (scale)
        *scale = ok ? f : 1.0;
    return ok;
}

const char *rt_unit_symbol(const double e[RT_DIMS])
{
    int none = 1;
    for (int d = 0; d < RT_DIMS; d++)
        none &= e[d] == 0;
    for (size_t k = 0; k < UT_NUNITS && !none; k++) {
        int same = UT_UNITS[k].scale == 1;
        for (int d = 0; d < RT_DIMS && same; d++)
            same = UT_UNITS[k].e[d] == e[d];
        if (same)
            return UT_UNITS[k].sym;
    }
    return NULL;
}

/* A name for the stored unit in messages: "V (kg*m^2*s^-3*A^-1)", or the string itself. */
static void rt_unit_name(const char *si, char *out, size_t n)
{
    double e[RT_DIMS], f;
    snprintf(out, n, "%s", si);
    if (rt_unit_parse(si, e, &f) != 0 || f != 1 || !strpbrk(si, "*^/"))
        return;
    const char *sym = rt_unit_symbol(e);
    if (sym)
        snprintf(out, n, "%s (%s)", sym, si);
}

axon_status rt_unit_scale(axon_sim *s, const char *path, const char *si, const char *unit,
                          double *scale)
{
    *scale = 1.0;
    if (!unit || !*unit || !strcmp(unit, si))
        return AXON_OK;
    double want[RT_DIMS], got[RT_DIMS], fs, fu;
    char name[128];
    rt_unit_name(si, name, sizeof name);
    if (rt_unit_parse(si, want, &fs) != 0)
        return axon_err_set(&s->err, AXON_EINVAL,
                            "%s is stored in '%s', which is not a unit this runtime converts to; "
                            "pass values in it (unit NULL)",
                            path, si);
    if (rt_unit_parse(unit, got, &fu) != 0)
        return axon_err_set(&s->err, AXON_EINVAL,
                            "'%s' is not a unit (units with SI prefixes, like nA, mV, nS, ms, "
                            "Mohm, mV/ms, uS/cm^2); %s is in %s",
                            unit, path, name);
    if (!rt_unit_convert(si, unit, scale))
        return axon_err_set(&s->err, AXON_EINVAL, "%s is in %s: '%s' is not a unit of it", path,
                            name, unit);
    return AXON_OK;
}
