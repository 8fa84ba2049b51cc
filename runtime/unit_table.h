/*
 * The unit symbols and SI prefixes: one table for the language (compiler/sema/units.c: units
 * in a model and after `axon run --set`) and for the runtime's API (runtime/units.c:
 * axon_unit_convert, values and parameters set in a named unit), so that a symbol means the
 * same everywhere. Static data and one lookup in a header, because the two libraries share no
 * internal symbols.
 *
 * The API takes every entry; a model only those without UT_API. In a model a unit symbol is a
 * reserved name (a declaration spelt like one is refused, one written alone is its value), so
 * the language leaves out the prefixes and units that would take names modellers use for
 * variables (dV, ds, hA, aS with the prefixes d, h, a; mN, mT, mH, ml with N, T, H, l) and the
 * symbols its lexer does not read as a unit (the sign ohm).
 */
#ifndef AXON_UNIT_TABLE_H
#define AXON_UNIT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

enum { UT_DIMS = 7 }; /* exponents of m, kg, s, A, K, mol, cd */

enum {
    UT_PREFIX = 1,     /* takes an SI prefix ("mV") */
    UT_PREFIX_API = 2, /* takes one at the API only ("mK"; in a model kK stays a free name) */
    UT_API = 4,        /* at the API only, not in a model */
};

typedef struct {
    const char *sym;
    double scale; /* to SI */
    signed char e[UT_DIMS];
    unsigned char flags;
} ut_unit;

typedef struct {
    const char *sym;
    double scale;
    unsigned char flags;
} ut_prefix;

/* The order matters only to naming a stored SI unit (runtime/units.c): the first entry of
 * scale 1 with the dimension names it ("V", "ohm"). */
static const ut_unit UT_UNITS[] = {
    {"m", 1, {1, 0, 0, 0, 0, 0, 0}, UT_PREFIX},
    {"g", 1e-3, {0, 1, 0, 0, 0, 0, 0}, UT_PREFIX},
    {"s", 1, {0, 0, 1, 0, 0, 0, 0}, UT_PREFIX},
    {"A", 1, {0, 0, 0, 1, 0, 0, 0}, UT_PREFIX},
    {"K", 1, {0, 0, 0, 0, 1, 0, 0}, UT_PREFIX_API},
    {"mol", 1, {0, 0, 0, 0, 0, 1, 0}, UT_PREFIX},
    {"cd", 1, {0, 0, 0, 0, 0, 0, 1}, UT_PREFIX_API},
    {"Hz", 1, {0, 0, -1, 0, 0, 0, 0}, UT_PREFIX},
    {"N", 1, {1, 1, -2, 0, 0, 0, 0}, UT_PREFIX | UT_API},
    {"Pa", 1, {-1, 1, -2, 0, 0, 0, 0}, UT_PREFIX | UT_API},
    {"J", 1, {2, 1, -2, 0, 0, 0, 0}, UT_PREFIX},
    {"W", 1, {2, 1, -3, 0, 0, 0, 0}, UT_PREFIX},
    {"C", 1, {0, 0, 1, 1, 0, 0, 0}, UT_PREFIX},
    {"V", 1, {2, 1, -3, -1, 0, 0, 0}, UT_PREFIX},
    {"F", 1, {-2, -1, 4, 2, 0, 0, 0}, UT_PREFIX},
    {"ohm", 1, {2, 1, -3, -2, 0, 0, 0}, UT_PREFIX},
    {"Ohm", 1, {2, 1, -3, -2, 0, 0, 0}, UT_PREFIX | UT_API},
    {"\xce\xa9", 1, {2, 1, -3, -2, 0, 0, 0}, UT_PREFIX | UT_API}, /* the sign ohm */
    {"S", 1, {-2, -1, 3, 2, 0, 0, 0}, UT_PREFIX},
    {"Wb", 1, {2, 1, -2, -1, 0, 0, 0}, UT_PREFIX | UT_API},
    {"T", 1, {0, 1, -2, -1, 0, 0, 0}, UT_PREFIX | UT_API},
    {"H", 1, {2, 1, -2, -2, 0, 0, 0}, UT_PREFIX | UT_API},
    {"M", 1e3, {-3, 0, 0, 0, 0, 1, 0}, UT_PREFIX}, /* molar, mol/l: "mM" */
    {"l", 1e-3, {3, 0, 0, 0, 0, 0, 0}, UT_PREFIX | UT_API},
    {"L", 1e-3, {3, 0, 0, 0, 0, 0, 0}, UT_PREFIX | UT_API},
    {"min", 60, {0, 0, 1, 0, 0, 0, 0}, 0}, /* the minute; "mmin" is not one */
    {"kg", 1, {0, 1, 0, 0, 0, 0, 0}, 0},
    {"rad", 1, {0, 0, 0, 0, 0, 0, 0}, 0},
};

/* "da" before "d". */
static const ut_prefix UT_PREFIXES[] = {
    {"da", 1e1, UT_API},  {"Y", 1e24, UT_API},  {"Z", 1e21, UT_API},  {"E", 1e18, UT_API},
    {"P", 1e15, UT_API},  {"T", 1e12, 0},       {"G", 1e9, 0},        {"M", 1e6, 0},
    {"k", 1e3, 0},        {"h", 1e2, UT_API},   {"d", 1e-1, UT_API},  {"c", 1e-2, 0},
    {"m", 1e-3, 0},       {"u", 1e-6, 0},       {"\xc2\xb5", 1e-6, 0}, /* micro sign */
    {"\xce\xbc", 1e-6, 0}, /* Greek mu */
    {"n", 1e-9, 0},       {"p", 1e-12, 0},      {"f", 1e-15, 0},      {"a", 1e-18, UT_API},
    {"z", 1e-21, UT_API}, {"y", 1e-24, UT_API},
};

#define UT_NUNITS (sizeof UT_UNITS / sizeof UT_UNITS[0])
#define UT_NPREFIXES (sizeof UT_PREFIXES / sizeof UT_PREFIXES[0])

static inline const ut_unit *ut_find(const char *name, size_t len, bool api)
{
    for (size_t k = 0; k < UT_NUNITS; k++)
        if ((api || !(UT_UNITS[k].flags & UT_API)) && strlen(UT_UNITS[k].sym) == len &&
            !memcmp(UT_UNITS[k].sym, name, len))
            return &UT_UNITS[k];
    return NULL;
}

/* One unit symbol with at most one SI prefix ("mV", "Mohm", "M" the molar, "min"): its entry,
 * and in *prefix the prefix's factor (1 for none); NULL when it is none. A name is first a unit
 * itself, then a prefix and a unit that takes one. api: the API's symbols, else a model's. */
static inline const ut_unit *ut_lookup(const char *name, size_t len, bool api, double *prefix)
{
    const ut_unit *u = ut_find(name, len, api);
    *prefix = 1;
    if (u)
        return u;
    unsigned takes = api ? UT_PREFIX | UT_PREFIX_API : UT_PREFIX;
    for (size_t p = 0; p < UT_NPREFIXES; p++) {
        size_t pl = strlen(UT_PREFIXES[p].sym);
        if ((!api && UT_PREFIXES[p].flags & UT_API) || len <= pl ||
            memcmp(UT_PREFIXES[p].sym, name, pl))
            continue;
        u = ut_find(name + pl, len - pl, api);
        if (u && u->flags & takes) {
            *prefix = UT_PREFIXES[p].scale;
            return u;
        }
    }
    return NULL;
}

#endif
