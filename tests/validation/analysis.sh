#!/bin/sh
# axon analyze against the independent numpy/scipy implementation (check_analysis.py).
set -u
export PYTHONDONTWRITEBYTECODE=1
: "${AXON:?}" "${AXON_SRCDIR:?}"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$py" "$AXON_SRCDIR/tests/validation/check_analysis.py" "$AXON" "$AXON_SRCDIR" "$work"
