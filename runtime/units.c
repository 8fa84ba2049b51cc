/*
 * Units at the API (axon.h, "Units"): the factor from a unit a caller names ("nA", "mV",
 * "nS", "ms", "Mohm") to the SI unit a variable is stored in, as the descriptor writes it: a
 * product of base units with exponents ("A", "kg*m^2*s^-3*A^-1" for a volt, "1" for a
 * dimensionless number). Both sides become exponent vectors over the seven SI base units and
 * must be equal; the caller's unit may be a named unit with one SI prefix, or a product of base
 * units as the descriptor writes them. A few dozen table entries, no allocation.
 */
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
    {"L", 1e-3, {3, 0, 0, 0, 0, 0, 0}},
};

static const struct {
    const char *p;
    double f;
} RT_PREFIX[] = {{"G", 1e9},         {"M", 1e6},  {"k", 1e3},   {"m", 1e-3}, {"u", 1e-6},
                 {"\xc2\xb5", 1e-6}, {"n", 1e-9}, {"p", 1e-12}, {"f", 1e-15}};

#define RT_NUNITS (sizeof RT_UNITS / sizeof RT_UNITS[0])
#define RT_NPREFIX (sizeof RT_PREFIX / sizeof RT_PREFIX[0])

/* "1", or a product of base units with integer exponents ("kg*m^2*s^-3*A^-1"), as
 * dim_format_si writes them; 0 on success. */
static int rt_parse_si(const char *u, int e[RT_DIMS])
{
    static const char *const BASE[RT_DIMS] = {"m", "kg", "s", "A", "K", "mol", "cd"};
    memset(e, 0, RT_DIMS * sizeof *e);
    if (!strcmp(u, "1"))
        return 0;
    while (*u) {
        size_t n = strcspn(u, "^*");
        int d = -1;
        for (int k = 0; k < RT_DIMS; k++)
            if (strlen(BASE[k]) == n && !strncmp(u, BASE[k], n))
                d = k;
        if (d < 0)
            return -1;
        u += n;
        long x = 1;
        if (*u == '^') {
            char *end;
            x = strtol(u + 1, &end, 10);
            if (end == u + 1 || x == 0 || x < -64 || x > 64)
                return -1;
            u = end;
        }
        e[d] += (int)x;
        if (*u == '*' && u[1])
            u++;
        else if (*u)
            return -1;
    }
    return 0;
}

/* A named unit, possibly with one prefix ("mV", "Mohm", "kHz"), or a product of base units. */
static int rt_parse_unit(const char *u, int e[RT_DIMS], double *scale)
{
    *scale = 1.0;
    for (size_t k = 0; k < RT_NUNITS; k++)
        if (!strcmp(u, RT_UNITS[k].sym)) {
            for (int d = 0; d < RT_DIMS; d++)
                e[d] = RT_UNITS[k].e[d];
            *scale = RT_UNITS[k].scale;
            return 0;
        }
    for (size_t p = 0; p < RT_NPREFIX; p++) {
        size_t n = strlen(RT_PREFIX[p].p);
        if (strncmp(u, RT_PREFIX[p].p, n))
            continue;
        for (size_t k = 0; k < RT_NUNITS; k++)
            if (!strcmp(u + n, RT_UNITS[k].sym)) {
                for (int d = 0; d < RT_DIMS; d++)
                    e[d] = RT_UNITS[k].e[d];
                *scale = RT_PREFIX[p].f * RT_UNITS[k].scale;
                return 0;
            }
    }
    return rt_parse_si(u, e);
}

/* A name for the stored unit in messages: "V (kg*m^2*s^-3*A^-1)", or the string itself. */
static void rt_unit_name(const char *si, char *out, size_t n)
{
    int e[RT_DIMS];
    snprintf(out, n, "%s", si);
    if (rt_parse_si(si, e) != 0 || !strpbrk(si, "*^"))
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
    int want[RT_DIMS], got[RT_DIMS];
    double fs, fu;
    char name[128];
    rt_unit_name(si, name, sizeof name);
    if (rt_parse_unit(si, want, &fs) != 0)
        return axon_err_set(&s->err, AXON_EINVAL,
                            "%s is stored in '%s', which is not a unit this runtime converts to; "
                            "pass values in it (unit NULL)",
                            path, si);
    if (rt_parse_unit(unit, got, &fu) != 0)
        return axon_err_set(&s->err, AXON_EINVAL,
                            "'%s' is not a unit (a unit with an SI prefix, like nA, mV, nS, ms, "
                            "Mohm, or a product of base units); %s is in %s",
                            unit, path, name);
    if (memcmp(want, got, sizeof want))
        return axon_err_set(&s->err, AXON_EINVAL, "%s is in %s: '%s' is not a unit of it", path,
                            name, unit);
    *scale = fu / fs;
    return AXON_OK;
}
