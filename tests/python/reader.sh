#!/bin/sh
# The Python reader of recordings (python/axon_recording.py): needs numpy; Neo is optional.
set -u
export PYTHONDONTWRITEBYTECODE=1
: "${AXON_SRCDIR:?}"
py=/usr/bin/python3
[ -x "$py" ] || py=python3
if ! "$py" -c "import numpy" 2>/dev/null; then
    echo "SKIP: numpy (Debian: python3-numpy) not installed"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$py" "$AXON_SRCDIR/tests/python/check_reader.py" "$AXON_SRCDIR" "$work"
