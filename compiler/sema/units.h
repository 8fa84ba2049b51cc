/*
 * units: physical dimensions and units. A dimension is a vector of
 * exponents of the seven SI base dimensions (length, mass, time, current,
 * temperature, amount, luminosity); exponents are rational, stored as
 * twelfths, so sqrt() of a noise term's 1/sqrt(s) and cube roots stay exact.
 * A unit is a dimension plus the factor that converts it to SI. Every
 * literal is converted to SI at compile time; generated code never sees a
 * unit. The unit symbols and SI prefixes are the table the runtime's API
 * shares (runtime/unit_table.h), less the symbols it takes at the API only.
 */
#ifndef AXON_UNITS_H
#define AXON_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { DIM_L, DIM_M, DIM_T, DIM_I, DIM_K, DIM_N, DIM_J, DIM_COUNT };
enum { DIM_DEN = 12 }; /* exponents are stored as multiples of 1/12 */

typedef struct {
    int16_t e[DIM_COUNT];
} ax_dim;

typedef struct {
    ax_dim dim;
    double scale; /* value in SI of one of this unit */
} ax_unit;

extern const ax_dim DIM_NONE;
extern const ax_dim DIM_TIME;
extern const ax_dim DIM_VOLTAGE;
extern const ax_dim DIM_CURRENT;

bool dim_eq(ax_dim a, ax_dim b);
bool dim_is_none(ax_dim a);
ax_dim dim_mul(ax_dim a, ax_dim b);
ax_dim dim_div(ax_dim a, ax_dim b);
/* a^(num/den); false when an exponent would not be a multiple of 1/12. */
bool dim_pow(ax_dim a, int num, int den, ax_dim *out);

/* "m^2*kg*s^-3*A^-1", or "1" for dimensionless. */
void dim_format_si(ax_dim d, char *buf, size_t size);
/* A name for the physical quantity ("voltage", "conductance"), or NULL. */
const char *dim_quantity(ax_dim d);
/* The unit a modeller would write for d ("mV", "nS", "ms"), or the SI
 * form when no named unit fits. Result is in buf. */
const char *dim_unit_name(ax_dim d, char *buf, size_t size);
/* The SI unit in which values of dimension d are stored ("V", "S/m^2"). */
const char *dim_si_name(ax_dim d, char *buf, size_t size);
/* "a voltage (mV)" / "a quantity of unit m^2*kg" — for messages. */
const char *dim_describe(ax_dim d, char *buf, size_t size);

/* One unit symbol with an optional SI prefix: "ms", "nS", "Mohm", "uF", "1". */
bool unit_lookup(const char *name, size_t len, ax_unit *out);
bool unit_is_name(const char *name, size_t len);
/* The base symbol of a unit name ("mV" -> "V"), for messages; NULL if none. */
const char *unit_base_name(const char *name, size_t len);
/* The unit symbol meant by a unit spelt out as Brian2 and others write it ("msecond",
 * "mvolt", "namp", "msec" -> "ms", "mV", "nA", "ms") or by a unit run together with its power
 * ("cm2" -> "cm^2"), into buf; NULL when name is none of these (or a unit already). */
const char *unit_spelled_out(const char *name, char *buf, size_t size);
/* Parses a unit expression as the lexer attaches it to a number:
 * atoms joined by '*' and '/', each atom optionally raised to a power that is
 * whole or a multiple of 1/4 written in decimals ("uF/cm^2", "mV/ms", "nS*ms",
 * "1/s", "mV/ms^0.5"). Returns false and a message on error. */
bool unit_parse(const char *text, ax_unit *out, char *err, size_t errsize);

/* A value given outside a model file (`axon run --set N=8000`): a number in
 * SI with its dimension, or a truth value. */
typedef struct {
    double si;     /* the value in SI; 1 or 0 for true and false */
    ax_dim dim;
    bool has_unit; /* a unit was written: "0 mV" has one, "8000" none */
    bool boolean;  /* true or false */
} ax_quantity;

/* Parses one number with an optional unit, as the language writes it: "8000",
 * "-65 mV", "2nS", "0.1 ms", "1e-3", "1.5 mV/ms" (blanks around it allowed),
 * or true / false. Anything else ("abc", "0/0", "nan", "1e999", "3 mv") is
 * refused with a message in err; the value is always finite. */
bool unit_parse_quantity(const char *text, ax_quantity *out, char *err, size_t errsize);

#endif
