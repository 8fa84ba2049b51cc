/* Units: dimension algebra, unit names and prefixes, parsing, messages. */
#include "check_suites.h"

#include "sema/units.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../runtime/unit_table.h"

int rt_unit_parse(const char *u, double e[7], double *scale);

static ax_unit U(const char *text)
{
    ax_unit u;
    char err[128];
    ck_assert_msg(unit_parse(text, &u, err, sizeof err), "%s: %s", text, err);
    return u;
}

START_TEST(test_prefixes_and_scales)
{
    ck_assert_double_eq_tol(U("ms").scale, 1e-3, 1e-18);
    ck_assert_double_eq_tol(U("mV").scale, 1e-3, 1e-18);
    ck_assert_double_eq_tol(U("nS").scale, 1e-9, 1e-24);
    ck_assert_double_eq_tol(U("Mohm").scale, 1e6, 1e-6);
    ck_assert_double_eq_tol(U("pF").scale, 1e-12, 1e-27);
    ck_assert_double_eq_tol(U("kHz").scale, 1e3, 1e-12);
    ck_assert_double_eq_tol(U("mM").scale, 1.0, 1e-15); /* 1 mM = 1 mol/m^3 */
    ck_assert_double_eq_tol(U("\xc2\xb5s").scale, 1e-6, 1e-21);
    ck_assert(dim_eq(U("mV").dim, DIM_VOLTAGE));
    ck_assert(dim_eq(U("ms").dim, DIM_TIME));
    ck_assert(dim_is_none(U("1").dim));
    ck_assert(dim_is_none(U("rad").dim));
}
END_TEST

START_TEST(test_compound_units)
{
    ax_unit u = U("uF/cm^2");
    ck_assert_double_eq_tol(u.scale, 1e-2, 1e-16);
    ax_unit r = U("mV/ms");
    ck_assert_double_eq_tol(r.scale, 1.0, 1e-15);
    ck_assert(dim_eq(r.dim, dim_div(DIM_VOLTAGE, DIM_TIME)));
    /* ohm * S is dimensionless; V / A is an ohm */
    ck_assert(dim_is_none(U("ohm*S").dim));
    ck_assert(dim_eq(U("V/A").dim, U("ohm").dim));
    ck_assert(dim_eq(U("nS*ms").dim, dim_mul(U("S").dim, DIM_TIME)));
    ck_assert(dim_eq(U("1/s").dim, U("Hz").dim));
    ck_assert(dim_eq(U("s^-1").dim, U("Hz").dim));
}
END_TEST

START_TEST(test_bad_units)
{
    ax_unit u;
    char err[128];
    ck_assert(!unit_parse("mv", &u, err, sizeof err));
    ck_assert_str_eq(err, "unknown unit 'mv'");
    ck_assert(!unit_parse("mV/", &u, err, sizeof err));
    ck_assert(!unit_parse("cm^x", &u, err, sizeof err));
    ck_assert(!unit_is_name("x", 1));
    ck_assert(!unit_is_name("kK", 2)); /* kelvin takes no prefix */
    ck_assert(unit_is_name("Gohm", 4));
}
END_TEST

START_TEST(test_rational_powers)
{
    ax_dim d;
    /* sqrt(1/s): the unit of white noise */
    ck_assert(dim_pow(U("Hz").dim, 1, 2, &d));
    char buf[64];
    dim_format_si(d, buf, sizeof buf);
    ck_assert_str_eq(buf, "s^(-1/2)");
    ax_dim back;
    ck_assert(dim_pow(d, 2, 1, &back));
    ck_assert(dim_eq(back, U("Hz").dim));
    /* cube root of a volume is a length */
    ck_assert(dim_pow(U("m^3").dim, 1, 3, &d));
    ck_assert(dim_eq(d, U("m").dim));
    /* 1/5 of a second's exponent is not representable in twelfths */
    ck_assert(!dim_pow(DIM_TIME, 1, 5, &d));
}
END_TEST

START_TEST(test_fractional_unit_powers)
{
    /* mV/ms^0.5: a noise amplitude, 1e-3 / sqrt(1e-3) in SI */
    ax_unit u = U("mV/ms^0.5");
    ck_assert_double_eq_tol(u.scale, 1e-3 / sqrt(1e-3), 1e-15);
    ax_dim want;
    ck_assert(dim_pow(DIM_TIME, 1, 2, &want));
    ck_assert(dim_eq(u.dim, dim_div(DIM_VOLTAGE, want)));
    ck_assert(dim_eq(U("s^-0.5").dim, dim_div(DIM_NONE, want)));
    ck_assert(dim_eq(U("ms^1.5").dim, dim_mul(DIM_TIME, want)));
    ck_assert_double_eq_tol(U("ms^0.25").scale, pow(1e-3, 0.25), 1e-15);
    /* whole powers written with decimals are the same unit */
    ck_assert(dim_eq(U("cm^2.0").dim, U("cm^2").dim));
    ax_unit bad;
    char err[128];
    ck_assert(!unit_parse("ms^0.3", &bad, err, sizeof err));
    ck_assert_str_eq(err, "the power '0.3' in 'ms^0.3' is not a multiple of 1/4 (0.5, 0.25, 1.5 ...)");
    ck_assert(!unit_parse("ms^0.1234567891", &bad, err, sizeof err));
    /* names in messages */
    char buf[64];
    ck_assert_str_eq(dim_unit_name(u.dim, buf, sizeof buf), "mV/ms^0.5");
    ck_assert_str_eq(dim_unit_name(U("nA*s^0.5").dim, buf, sizeof buf), "nA*ms^0.5");
    ck_assert_str_eq(dim_unit_name(U("s^1.5").dim, buf, sizeof buf), "ms^1.5");
    ck_assert_str_eq(dim_unit_name(U("s^-0.5").dim, buf, sizeof buf), "1/sqrt(s)");
    /* what the name says parses back to the dimension */
    ck_assert(dim_eq(U("mV/ms^1.5").dim, dim_div(u.dim, DIM_TIME)));
}
END_TEST

START_TEST(test_descriptions)
{
    char buf[128];
    ck_assert_str_eq(dim_describe(DIM_VOLTAGE, buf, sizeof buf), "a voltage (mV)");
    ck_assert_str_eq(dim_describe(DIM_CURRENT, buf, sizeof buf), "a current (nA)");
    ck_assert_str_eq(dim_describe(U("nS").dim, buf, sizeof buf), "a conductance (nS)");
    ck_assert_str_eq(dim_describe(DIM_NONE, buf, sizeof buf), "dimensionless");
    dim_format_si(DIM_VOLTAGE, buf, sizeof buf);
    ck_assert_str_eq(buf, "kg*m^2*s^-3*A^-1");
}
END_TEST

static ax_quantity Q(const char *text)
{
    ax_quantity q;
    char err[256];
    ck_assert_msg(unit_parse_quantity(text, &q, err, sizeof err), "%s: %s", text, err);
    return q;
}

START_TEST(test_quantities)
{
    ax_quantity q = Q("8000");
    ck_assert_double_eq(q.si, 8000);
    ck_assert(dim_is_none(q.dim) && !q.has_unit && !q.boolean);
    q = Q("-65 mV");
    ck_assert_double_eq_tol(q.si, -0.065, 1e-15);
    ck_assert(dim_eq(q.dim, DIM_VOLTAGE) && q.has_unit);
    q = Q("2nS");
    ck_assert_double_eq_tol(q.si, 2e-9, 1e-24);
    ck_assert(dim_eq(q.dim, U("S").dim));
    ck_assert_double_eq_tol(Q("0.1 ms").si, 1e-4, 1e-19);
    ck_assert_double_eq_tol(Q(" 30\tms ").si, 0.03, 1e-17);
    ck_assert_double_eq_tol(Q("1e-3").si, 1e-3, 1e-18);
    ck_assert_double_eq_tol(Q("+2.5E+4").si, 2.5e4, 1e-9);
    ck_assert_double_eq_tol(Q("1.5 mV/ms").si, 1.5, 1e-15);
    ck_assert_double_eq_tol(Q("1 uF/cm^2").si, 1e-2, 1e-17);
    /* a written unit is recorded even when the value is 0 or the unit is dimensionless */
    ck_assert(Q("0 mV").has_unit);
    ck_assert(Q("1 rad").has_unit && dim_is_none(Q("1 rad").dim));
    q = Q("true");
    ck_assert(q.boolean && q.si == 1);
    q = Q("false");
    ck_assert(q.boolean && q.si == 0);
}
END_TEST

START_TEST(test_bad_quantities)
{
    static const char *const BAD[] = {
        "", " ", "abc", "0/0", "1/0", "nan", "inf", "-inf", "0x10", "4000 } module X {", "1.",
        ".5", "1e", "3 mv", "2 3", "5 1", "mV", "2 nS nS", "1 + 1", "(1)", "1e999", "1e300 Gohm",
        "True", "truex", "--1", "1 mV/",
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        ax_quantity q;
        char err[256] = "";
        ck_assert_msg(!unit_parse_quantity(BAD[i], &q, err, sizeof err), "'%s' accepted", BAD[i]);
        ck_assert_msg(err[0], "no message for '%s'", BAD[i]);
    }
    ax_quantity q;
    char err[256];
    unit_parse_quantity("abc", &q, err, sizeof err);
    ck_assert_str_eq(err, "'abc' is not a number with an optional unit");
    unit_parse_quantity("3 mv", &q, err, sizeof err);
    ck_assert_str_eq(err, "'3 mv' is not a number with an optional unit: unknown unit 'mv'");
    unit_parse_quantity("1e999", &q, err, sizeof err);
    ck_assert_str_eq(err, "'1e999' is out of range");
}
END_TEST

/* One table of unit symbols and prefixes (runtime/unit_table.h) for a model and the API: every
 * symbol a model takes, with each prefix it takes, is the same unit at the API. */
START_TEST(test_one_table_for_model_and_api)
{
    size_t checked = 0;
    for (size_t k = 0; k < UT_NUNITS; k++)
        for (size_t p = 0; p <= UT_NPREFIXES; p++) {
            char name[16];
            snprintf(name, sizeof name, "%s%s", p ? UT_PREFIXES[p - 1].sym : "", UT_UNITS[k].sym);
            ax_unit u;
            char err[128];
            if (!unit_parse(name, &u, err, sizeof err))
                continue;
            ck_assert_msg(!(UT_UNITS[k].flags & UT_API) && (!p || !(UT_PREFIXES[p - 1].flags & UT_API)),
                          "%s: at the API only, but a model takes it", name);
            double e[7], scale;
            ck_assert_msg(rt_unit_parse(name, e, &scale) == 0, "%s: a model's unit, not the API's",
                          name);
            ck_assert_msg(fabs(scale - u.scale) <= 1e-12 * u.scale, "%s: %g in a model, %g at the API",
                          name, u.scale, scale);
            for (int d = 0; d < DIM_COUNT; d++)
                ck_assert_msg(e[d] * DIM_DEN == u.dim.e[d], "%s: dimension %d", name, d);
            checked++;
        }
    ck_assert_uint_eq(checked, 19 + 14 * 12); /* 19 symbols, 14 of them with 12 prefixes */
    /* the minute, in a model and at the API, takes no prefix */
    ck_assert_double_eq_tol(U("min").scale, 60, 1e-12);
    ck_assert(dim_eq(U("min").dim, DIM_TIME));
    ck_assert_double_eq_tol(U("1/min").scale, 1.0 / 60, 1e-15);
    ck_assert_double_eq_tol(Q("2 min").si, 120, 1e-12);
    double e[7], scale;
    ck_assert_int_eq(rt_unit_parse("min", e, &scale), 0);
    ck_assert_double_eq(scale, 60);
    ck_assert(!unit_is_name("mmin", 4));
    ck_assert_int_eq(rt_unit_parse("mmin", e, &scale), -1);
    /* symbols at the API only: in a model they would take names of variables (dV, hA, mL) */
    static const char *const API_ONLY[] = {"dV", "hA", "aS", "daN", "hPa", "mL", "ul", "mT",
                                           "uH", "Wb", "Ohm", "\xce\xa9", "mK", "kcd"};
    for (size_t i = 0; i < sizeof API_ONLY / sizeof API_ONLY[0]; i++) {
        ck_assert_msg(!unit_is_name(API_ONLY[i], strlen(API_ONLY[i])), "%s", API_ONLY[i]);
        ck_assert_msg(rt_unit_parse(API_ONLY[i], e, &scale) == 0, "%s", API_ONLY[i]);
    }
    ck_assert_int_eq(rt_unit_parse("hPa", e, &scale), 0);
    ck_assert_double_eq_tol(scale, 100, 1e-12);
}
END_TEST

Suite *units_suite(void)
{
    Suite *s = suite_create("units");
    TCase *tc = tcase_create("units");
    tcase_add_test(tc, test_prefixes_and_scales);
    tcase_add_test(tc, test_compound_units);
    tcase_add_test(tc, test_bad_units);
    tcase_add_test(tc, test_rational_powers);
    tcase_add_test(tc, test_fractional_unit_powers);
    tcase_add_test(tc, test_descriptions);
    tcase_add_test(tc, test_quantities);
    tcase_add_test(tc, test_bad_quantities);
    tcase_add_test(tc, test_one_table_for_model_and_api);
    suite_add_tcase(s, tc);
    return s;
}
