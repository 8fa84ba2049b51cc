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

enum { RT_DIMS = 7 }; /* m, kg, s, A, K, mol, cd */

typedef struct {
    const char *sym;
    double scale; /* to SI */
    signed char e[RT_DIMS];
} rt_unit;

static const rt_unit RT_UNITS[] = {
    {"m", 1, {1, 0, 0, 0, 0, 0, 0}},     {"g", 1e-3, {0, 1, 0, 0, 0, 0, 0}},
    {"s", 1, {0, 0, 1, 0, 0, 0, 0}},     {"A", 1, {0, 0, 0, 1, 0, 0, 0}},
    {"K", 1, {0, 0, 0, 0, 1, 0, 0}},     {"mol", 1, {0, 0, 0, 0, 0, 1, 0}},
    {"cd", 1, {0, 0, 0, 0, 0, 0, 1}},    {"Hz", 1, {0, 0, -1, 0, 0, 0, 0}},
    {"N", 1, {1, 1, -2, 0, 0, 0, 0}},    {"Pa", 1, {-1, 1, -2, 0, 0, 0, 0}},
    {"J", 1, {2, 1, -2, 0, 0, 0, 0}},    {"W", 1, {2, 1, -3, 0, 0, 0, 0}},
    {"C", 1, {0, 0, 1, 1, 0, 0, 0}},     {"V", 1, {2, 1, -3, -1, 0, 0, 0}},
    {"F", 1, {-2, -1, 4, 2, 0, 0, 0}},   {"ohm", 1, {2, 1, -3, -2, 0, 0, 0}},
    {"Ohm", 1, {2, 1, -3, -2, 0, 0, 0}}, {"\xce\xa9", 1, {2, 1, -3, -2, 0, 0, 0}},
    {"S", 1, {-2, -1, 3, 2, 0, 0, 0}},   {"Wb", 1, {2, 1, -2, -1, 0, 0, 0}},
    {"T", 1, {0, 1, -2, -1, 0, 0, 0}},   {"H", 1, {2, 1, -2, -2, 0, 0, 0}},
    {"M", 1e3, {-3, 0, 0, 0, 0, 1, 0}},  {"l", 1e-3, {3, 0, 0, 0, 0, 0, 0}},
    {"L", 1e-3, {3, 0, 0, 0, 0, 0, 0}},   {"min", 60, {0, 0, 1, 0, 0, 0, 0}},
};

static const struct {
    const char *p;
    double f;
} RT_PREFIX[] = {{"da", 1e1}, {"Y", 1e24},  {"Z", 1e21},  {"E", 1e18},  {"P", 1e15},
                 {"T", 1e12}, {"G", 1e9},   {"M", 1e6},   {"k", 1e3},   {"h", 1e2},
                 {"d", 1e-1}, {"c", 1e-2},  {"m", 1e-3},  {"u", 1e-6},  {"\xc2\xb5", 1e-6},
                 {"n", 1e-9}, {"p", 1e-12}, {"f", 1e-15}, {"a", 1e-18}, {"z", 1e-21},
                 {"y", 1e-24}};

#define RT_NUNITS (sizeof RT_UNITS / sizeof RT_UNITS[0])
#define RT_NPREFIX (sizeof RT_PREFIX / sizeof RT_PREFIX[0])

/* One named unit with at most one prefix ("mV", "Mohm", "kg", "M" the molar): its exponents
 * added times power into e, its factor to SI raised to power multiplied into *scale. A name
 * is first a unit itself, then a prefix and a unit. */
static int rt_named_unit(const char *u, size_t n, double power, double e[RT_DIMS],
                         double *scale)
{
    for (size_t p = 0; p <= RT_NPREFIX; p++) {
        const char *pre = p ? RT_PREFIX[p - 1].p : "";
        size_t pn = strlen(pre);
        if (pn >= n && p)
            continue;
        if (strncmp(u, pre, pn))
            continue;
        for (size_t k = 0; k < RT_NUNITS; k++)
            if (strlen(RT_UNITS[k].sym) == n - pn && !strncmp(u + pn, RT_UNITS[k].sym, n - pn)) {
                for (int d = 0; d < RT_DIMS; d++)
                    e[d] += power * RT_UNITS[k].e[d];
                *scale *= pow((p ? RT_PREFIX[p - 1].f : 1) * RT_UNITS[k].scale, power);
                return 0;
            }
    }
    return -1;
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

/* A name for the stored unit in messages: "V (kg*m^2*s^-3*A^-1)", or the string itself. */
static void rt_unit_name(const char *si, char *out, size_t n)
{
    double e[RT_DIMS], f;
    snprintf(out, n, "%s", si);
    if (rt_unit_parse(si, e, &f) != 0 || f != 1 || !strpbrk(si, "*^/"))
        return;
    for (size_t k = 0; k < RT_NUNITS; k++) {
        int same = RT_UNITS[k].scale == 1;
        for (int d = 0; d < RT_DIMS && same; d++)
            same = RT_UNITS[k].e[d] == e[d];
        if (same) {
            snprintf(out, n, "%s (%s)", RT_UNITS[k].sym, si);
            return;
        }
    }
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
