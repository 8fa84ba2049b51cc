#include "units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/unit_table.h"

#define E(x) ((int16_t)((x) * DIM_DEN))

const ax_dim DIM_NONE = {{0}};
const ax_dim DIM_TIME = {{[DIM_T] = E(1)}};
const ax_dim DIM_VOLTAGE = {{[DIM_L] = E(2), [DIM_M] = E(1), [DIM_T] = E(-3), [DIM_I] = E(-1)}};
const ax_dim DIM_CURRENT = {{[DIM_I] = E(1)}};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

bool dim_eq(ax_dim a, ax_dim b) { return memcmp(&a, &b, sizeof a) == 0; }
bool dim_is_none(ax_dim a) { return dim_eq(a, DIM_NONE); }

ax_dim dim_mul(ax_dim a, ax_dim b)
{
    for (int i = 0; i < DIM_COUNT; i++)
        a.e[i] = (int16_t)(a.e[i] + b.e[i]);
    return a;
}

ax_dim dim_div(ax_dim a, ax_dim b)
{
    for (int i = 0; i < DIM_COUNT; i++)
        a.e[i] = (int16_t)(a.e[i] - b.e[i]);
    return a;
}

bool dim_pow(ax_dim a, int num, int den, ax_dim *out)
{
    if (den == 0)
        return false;
    for (int i = 0; i < DIM_COUNT; i++) {
        long v = (long)a.e[i] * num;
        if (v % den)
            return false;
        v /= den;
        if (v > 30000 || v < -30000)
            return false;
        out->e[i] = (int16_t)v;
    }
    return true;
}

static const char *const SI_SYM[DIM_COUNT] = {"m", "kg", "s", "A", "K", "mol", "cd"};

void dim_format_si(ax_dim d, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = 0;
    /* conventional order: kg m s A K mol cd */
    static const int order[DIM_COUNT] = {DIM_M, DIM_L, DIM_T, DIM_I, DIM_K, DIM_N, DIM_J};
    for (int k = 0; k < DIM_COUNT; k++) {
        int i = order[k];
        int e = d.e[i];
        if (!e || n >= size)
            continue;
        const char *sep = n ? "*" : "";
        if (e == DIM_DEN)
            n += (size_t)snprintf(buf + n, size - n, "%s%s", sep, SI_SYM[i]);
        else if (e % DIM_DEN == 0)
            n += (size_t)snprintf(buf + n, size - n, "%s%s^%d", sep, SI_SYM[i], e / DIM_DEN);
        else {
            int g = abs(e), h = DIM_DEN;
            while (h) {
                int t = g % h;
                g = h;
                h = t;
            }
            n += (size_t)snprintf(buf + n, size - n, "%s%s^(%d/%d)", sep, SI_SYM[i], e / g,
                                  DIM_DEN / g);
        }
    }
    if (!n)
        snprintf(buf, size, "1");
}

typedef struct {
    const char *quantity;
    const char *unit; /* the unit modellers usually write */
    ax_dim dim;
    const char *si;   /* the SI unit, as values are stored */
} named_dim;

static const named_dim NAMED[] = {
    {"time", "ms", {{[DIM_T] = E(1)}}, "s"},
    {"rate", "Hz", {{[DIM_T] = E(-1)}}, "Hz"},
    {"voltage", "mV", {{[DIM_L] = E(2), [DIM_M] = E(1), [DIM_T] = E(-3), [DIM_I] = E(-1)}}, "V"},
    {"current", "nA", {{[DIM_I] = E(1)}}, "A"},
    {"conductance", "nS", {{[DIM_L] = E(-2), [DIM_M] = E(-1), [DIM_T] = E(3), [DIM_I] = E(2)}}, "S"},
    {"resistance", "Mohm", {{[DIM_L] = E(2), [DIM_M] = E(1), [DIM_T] = E(-3), [DIM_I] = E(-2)}}, "ohm"},
    {"capacitance", "pF", {{[DIM_L] = E(-2), [DIM_M] = E(-1), [DIM_T] = E(4), [DIM_I] = E(2)}}, "F"},
    {"charge", "pC", {{[DIM_T] = E(1), [DIM_I] = E(1)}}, "C"},
    {"power", "pW", {{[DIM_L] = E(2), [DIM_M] = E(1), [DIM_T] = E(-3)}}, "W"},
    {"energy", "pJ", {{[DIM_L] = E(2), [DIM_M] = E(1), [DIM_T] = E(-2)}}, "J"},
    {"voltage rate", "mV/ms", {{[DIM_L] = E(2), [DIM_M] = E(1), [DIM_T] = E(-4), [DIM_I] = E(-1)}}, "V/s"},
    {"current rate", "nA/ms", {{[DIM_I] = E(1), [DIM_T] = E(-1)}}, "A/s"},
    {"conductance rate", "nS/ms",
     {{[DIM_L] = E(-2), [DIM_M] = E(-1), [DIM_T] = E(2), [DIM_I] = E(2)}}, "S/s"},
    {"current density", "uA/cm^2", {{[DIM_I] = E(1), [DIM_L] = E(-2)}}, "A/m^2"},
    {"conductance density", "mS/cm^2",
     {{[DIM_L] = E(-4), [DIM_M] = E(-1), [DIM_T] = E(3), [DIM_I] = E(2)}}, "S/m^2"},
    {"capacitance density", "uF/cm^2",
     {{[DIM_L] = E(-4), [DIM_M] = E(-1), [DIM_T] = E(4), [DIM_I] = E(2)}}, "F/m^2"},
    {"length", "um", {{[DIM_L] = E(1)}}, "m"},
    {"area", "um^2", {{[DIM_L] = E(2)}}, "m^2"},
    {"concentration", "mM", {{[DIM_L] = E(-3), [DIM_N] = E(1)}}, "mol/m^3"},
    {"amount", "mol", {{[DIM_N] = E(1)}}, "mol"},
    {"temperature", "K", {{[DIM_K] = E(1)}}, "K"},
    {"mass", "kg", {{[DIM_M] = E(1)}}, "kg"},
    {"noise amplitude", "1/sqrt(s)", {{[DIM_T] = E(-0.5)}}, "1/sqrt(s)"},
    {"dimensionless quantity", "1", {{0}}, "1"},
};

const char *dim_quantity(ax_dim d)
{
    for (size_t i = 0; i < COUNT(NAMED); i++)
        if (dim_eq(d, NAMED[i].dim))
            return NAMED[i].quantity;
    return NULL;
}

/* A named unit of one symbol times a half-integer power of time ("mV/ms^0.5" for a noise
 * amplitude; "V/s^0.5" in SI), the one with the smallest such power; false when none fits. */
static bool half_time_name(ax_dim d, bool si, char *buf, size_t size)
{
    if (d.e[DIM_T] % DIM_DEN == 0)
        return false;
    int best = -1, bestp = 0;
    for (size_t i = 0; i < COUNT(NAMED); i++) {
        ax_dim r = dim_div(d, NAMED[i].dim);
        int p = r.e[DIM_T];
        r.e[DIM_T] = 0;
        ax_dim nt = NAMED[i].dim;
        nt.e[DIM_T] = 0;
        bool time_only = dim_is_none(nt) && !dim_is_none(NAMED[i].dim); /* ms, Hz */
        const char *u = si ? NAMED[i].si : NAMED[i].unit;
        if (!dim_is_none(r) || p % (DIM_DEN / 2) || NAMED[i].dim.e[DIM_T] % DIM_DEN ||
            strpbrk(u, "/*^") || time_only)
            continue;
        if (best < 0 || abs(p) < abs(bestp)) {
            best = (int)i;
            bestp = p;
        }
    }
    if (best < 0)
        return false;
    double pw = fabs((double)bestp / DIM_DEN);
    const char *ts = si ? "s" : "ms";
    if (dim_is_none(NAMED[best].dim))
        snprintf(buf, size, bestp < 0 ? "1/%s^%g" : "%s^%g", ts, pw);
    else
        snprintf(buf, size, "%s%s%s^%g", si ? NAMED[best].si : NAMED[best].unit,
                 bestp < 0 ? "/" : "*", ts, pw);
    return true;
}

/* The usual unit of d, or with si its SI unit; the SI form when none is named. */
static const char *dim_name(ax_dim d, bool si, char *buf, size_t size)
{
    for (size_t i = 0; i < COUNT(NAMED); i++)
        if (dim_eq(d, NAMED[i].dim)) {
            snprintf(buf, size, "%s", si ? NAMED[i].si : NAMED[i].unit);
            return buf;
        }
    if (half_time_name(d, si, buf, size))
        return buf;
    dim_format_si(d, buf, size);
    return buf;
}

const char *dim_unit_name(ax_dim d, char *buf, size_t size) { return dim_name(d, false, buf, size); }

const char *dim_si_name(ax_dim d, char *buf, size_t size) { return dim_name(d, true, buf, size); }

const char *dim_describe(ax_dim d, char *buf, size_t size)
{
    const char *q = dim_quantity(d);
    char u[64];
    dim_unit_name(d, u, sizeof u);
    if (dim_is_none(d))
        snprintf(buf, size, "dimensionless");
    else if (q)
        snprintf(buf, size, "%s %s (%s)", strchr("aeiou", q[0]) ? "an" : "a", q, u);
    else
        snprintf(buf, size, "a quantity in %s", u);
    return buf;
}

/* A model's units are the language's entries of the table it shares with the runtime
 * (runtime/unit_table.h: api false). */
_Static_assert((int)DIM_COUNT == (int)UT_DIMS, "the table's base units are the dimensions");

bool unit_lookup(const char *name, size_t len, ax_unit *out)
{
    if (len == 1 && name[0] == '1') {
        out->dim = DIM_NONE;
        out->scale = 1.0;
        return true;
    }
    double prefix;
    const ut_unit *u = ut_lookup(name, len, false, &prefix);
    if (!u)
        return false;
    for (int i = 0; i < DIM_COUNT; i++)
        out->dim.e[i] = (int16_t)(u->e[i] * DIM_DEN);
    out->scale = u->scale * prefix;
    return true;
}

bool unit_is_name(const char *name, size_t len)
{
    ax_unit u;
    return !(len == 1 && name[0] == '1') && unit_lookup(name, len, &u);
}

const char *unit_spelled_out(const char *name, char *buf, size_t size)
{
    static const struct {
        const char *word, *sym;
    } BASE[] = {{"second", "s"},  {"seconds", "s"}, {"sec", "s"},      {"volt", "V"},
                {"volts", "V"},   {"amp", "A"},     {"amps", "A"},     {"ampere", "A"},
                {"siemens", "S"}, {"farad", "F"},   {"ohm", "ohm"},    {"ohms", "ohm"},
                {"hertz", "Hz"},  {"meter", "m"},   {"metre", "m"},    {"meters", "m"},
                {"mole", "mol"},  {"molar", "M"},   {"kelvin", "K"},   {"joule", "J"},
                {"watt", "W"},    {"coulomb", "C"}, {"liter", "l"},    {"litre", "l"}},
      PRE[] = {{"", ""},     {"m", "m"},     {"u", "u"},     {"n", "n"},    {"p", "p"},
               {"k", "k"},   {"M", "M"},     {"f", "f"},     {"c", "c"},    {"milli", "m"},
               {"micro", "u"}, {"nano", "n"}, {"pico", "p"}, {"kilo", "k"}, {"mega", "M"},
               {"centi", "c"}, {"femto", "f"}};
    size_t n = strlen(name);
    if (!n || unit_is_name(name, n))
        return NULL;
    for (size_t p = 0; p < COUNT(PRE); p++) {
        size_t pl = strlen(PRE[p].word);
        if (strncmp(name, PRE[p].word, pl))
            continue;
        for (size_t b = 0; b < COUNT(BASE); b++)
            if (!strcmp(name + pl, BASE[b].word)) {
                snprintf(buf, size, "%s%s", PRE[p].sym, BASE[b].sym);
                if (unit_is_name(buf, strlen(buf)))
                    return buf;
            }
    }
    /* a unit and a power run together: cm2, um3 */
    size_t k = n;
    while (k > 0 && name[k - 1] >= '0' && name[k - 1] <= '9')
        k--;
    if (k > 0 && k < n && unit_is_name(name, k)) {
        snprintf(buf, size, "%.*s^%s", (int)k, name, name + k);
        return buf;
    }
    return NULL;
}

const char *unit_base_name(const char *name, size_t len)
{
    double prefix;
    const ut_unit *u = ut_lookup(name, len, false, &prefix);
    return u ? u->sym : NULL;
}

static bool is_unit_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

bool unit_parse(const char *text, ax_unit *out, char *err, size_t errsize)
{
    ax_unit acc = {DIM_NONE, 1.0};
    const char *p = text;
    int sign = 1;
    for (;;) {
        const char *start = p;
        if (*p == '1')
            p++;
        else
            while (is_unit_char((unsigned char)*p))
                p++;
        if (p == start) {
            snprintf(err, errsize, "expected a unit name in '%s'", text);
            return false;
        }
        ax_unit u;
        if (!unit_lookup(start, (size_t)(p - start), &u)) {
            snprintf(err, errsize, "unknown unit '%.*s'", (int)(p - start), start);
            return false;
        }
        /* the power in twelfths (DIM_DEN): whole, or a decimal fraction such as 0.5 */
        int power = DIM_DEN;
        if (*p == '^') {
            const char *pw = ++p;
            int neg = 0;
            if (*p == '-') {
                neg = 1;
                p++;
            }
            if (*p < '0' || *p > '9') {
                snprintf(err, errsize, "expected a number after '^' in '%s'", text);
                return false;
            }
            long whole = 0;
            while (*p >= '0' && *p <= '9' && whole < 1000)
                whole = whole * 10 + (*p++ - '0');
            long frac = 0, scale = 1; /* the decimals as frac / scale */
            if (*p == '.') {
                for (p++; *p >= '0' && *p <= '9'; p++) {
                    if (scale < 100000000) {
                        frac = frac * 10 + (*p - '0');
                        scale *= 10;
                    } else if (*p != '0') {
                        scale = 0; /* too many decimals to be a twelfth */
                    }
                }
            }
            if (!scale || (frac * DIM_DEN) % scale) {
                snprintf(err, errsize, "the power '%.*s' in '%s' is not a multiple of 1/4 "
                         "(0.5, 0.25, 1.5 ...)", (int)(p - pw), pw, text);
                return false;
            }
            power = (int)(whole * DIM_DEN + frac * DIM_DEN / scale);
            if (neg)
                power = -power;
        }
        ax_dim d;
        if (!dim_pow(u.dim, power * sign, DIM_DEN, &d)) {
            snprintf(err, errsize, "unit power out of range in '%s'", text);
            return false;
        }
        acc.scale *= pow(u.scale, (double)(power * sign) / DIM_DEN);
        acc.dim = dim_mul(acc.dim, d);
        if (*p == '*')
            sign = 1;
        else if (*p == '/')
            sign = -1;
        else if (*p == 0)
            break;
        else {
            snprintf(err, errsize, "unexpected '%c' in unit '%s'", *p, text);
            return false;
        }
        p++;
    }
    *out = acc;
    return true;
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* The number syntax of the lexer: digit+ ("." digit+)? ([eE] [+-]? digit+)?, here with
 * an optional sign. Returns the end of the number, or NULL when p does not start one. */
static const char *scan_number(const char *p)
{
    if (*p == '-' || *p == '+')
        p++;
    if (!is_digit(*p))
        return NULL;
    while (is_digit(*p))
        p++;
    if (*p == '.') {
        if (!is_digit(p[1]))
            return NULL;
        for (p++; is_digit(*p);)
            p++;
    }
    const char *e = p;
    if (*e == 'e' || *e == 'E') {
        e++;
        if (*e == '-' || *e == '+')
            e++;
        if (is_digit(*e)) {
            while (is_digit(*e))
                e++;
            p = e;
        }
    }
    return p;
}

bool unit_parse_quantity(const char *text, ax_quantity *out, char *err, size_t errsize)
{
    const char *p = text;
    while (is_blank(*p))
        p++;
    size_t len = strlen(p);
    while (len && is_blank(p[len - 1]))
        len--;
    *out = (ax_quantity){0};
    if ((len == 4 && !memcmp(p, "true", 4)) || (len == 5 && !memcmp(p, "false", 5))) {
        out->si = len == 4;
        out->boolean = true;
        return true;
    }
    const char *end = scan_number(p);
    char buf[128];
    if (!end || end > p + len || len >= sizeof buf) {
        snprintf(err, errsize, "'%s' is not a number with an optional unit", text);
        return false;
    }
    memcpy(buf, p, (size_t)(end - p));
    buf[end - p] = 0;
    /* strtod reads the digits scan_number accepted (no hex, inf or nan) */
    double v = strtod(buf, NULL);
    const char *u = end;
    while (is_blank(*u))
        u++;
    size_t ulen = len - (size_t)(u - p);
    if (ulen) {
        /* a unit starts with a letter or the micro sign, as after a number in a model */
        if (!is_unit_char((unsigned char)*u)) {
            snprintf(err, errsize, "'%s' is not a number with an optional unit", text);
            return false;
        }
        memcpy(buf, u, ulen);
        buf[ulen] = 0;
        ax_unit unit;
        char uerr[128];
        if (!unit_parse(buf, &unit, uerr, sizeof uerr)) {
            snprintf(err, errsize, "'%s' is not a number with an optional unit: %s", text, uerr);
            return false;
        }
        v *= unit.scale;
        out->dim = unit.dim;
        out->has_unit = true;
    }
    if (!isfinite(v)) {
        snprintf(err, errsize, "'%s' is out of range", text);
        return false;
    }
    out->si = v;
    return true;
}
