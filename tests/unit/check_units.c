/* Units: dimension algebra, unit names and prefixes, parsing, messages. */
#include "check_suites.h"

#include "sema/units.h"

#include <math.h>
#include <string.h>

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

Suite *units_suite(void)
{
    Suite *s = suite_create("units");
    TCase *tc = tcase_create("units");
    tcase_add_test(tc, test_prefixes_and_scales);
    tcase_add_test(tc, test_compound_units);
    tcase_add_test(tc, test_bad_units);
    tcase_add_test(tc, test_rational_powers);
    tcase_add_test(tc, test_descriptions);
    suite_add_tcase(s, tc);
    return s;
}
