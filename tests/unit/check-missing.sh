#!/bin/sh
# Stands in for the unit tests (tests/unit/check_axon) when configure did not find the
# Check framework: a hard error, so that `make check` fails instead of passing without them.
echo "ERROR: the unit tests need the Check unit-test framework (pkg-config module check >= 0.11)," >&2
echo "       which configure did not find: install the Debian package check, then re-run configure." >&2
exit 99
