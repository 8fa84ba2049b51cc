#!/bin/sh
# Science validation (see check_neurons.py): runs the models and compares
# them with analytic solutions and Brian2 reference data.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 "$AXON_SRCDIR/tests/validation/check_neurons.py" "$AXON" "$AXON_SRCDIR" "$work"
