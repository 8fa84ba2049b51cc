#!/usr/bin/python3
"""The coefficients of exprel's polynomial in compiler/codegen/cg_math.c (R_COEF).

exprel(x) = (e^x - 1) / x is computed there as 1 + x R(x) on [LO, HI), with
R(x) = (exprel(x) - 1) / x a Chebyshev fit of degree DEG (mpmath's chebyfit at 60
digits, each coefficient rounded to the nearest double), evaluated by Horner's
scheme with fused multiply-adds. This script prints the fit's error and the
coefficients, lowest degree first, as the C table takes them.

    /usr/bin/python3 tools/exprel_fit.py [DEG LO HI]   # default: 10 -0.75 0.125

mpmath comes with Debian's python3-mpmath (a dependency of python3-sympy and
python3-brian). The accuracy in ulp of the rounded coefficients is measured on
the compiled kernel, not here: tools/exprel_ulp.c (2^20 arguments per range
against expm1l(x) / x; its figures are in bench/HISTORY.md) and check_axonc's
test_exprel_kernel (0.9 ulp on the polynomial's interval).
"""
import sys

import mpmath as mp


def r(x):
    x = mp.mpf(x)
    if x == 0:
        return mp.mpf(1) / 2
    return (mp.expm1(x) / x - 1) / x


def main():
    deg, lo, hi = 10, -0.75, 0.125
    if len(sys.argv) == 4:
        deg, lo, hi = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
    mp.mp.dps = 60
    poly, err = mp.chebyfit(r, [lo, hi], deg + 1, error=True)
    print("/* degree %d on [%r, %r): fit error %s */" % (deg, lo, hi, mp.nstr(err, 3)))
    coef = [repr(float(c)) for c in reversed(poly)]
    print("static const double R_COEF[%d] = {%s};" % (deg + 1, ", ".join(coef)))


if __name__ == "__main__":
    main()
