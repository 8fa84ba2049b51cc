#!/bin/sh
# The language server: a scripted conversation with checked answers, its edges (command
# line, URIs, edits of a range, bad messages and headers; edges.py), every name of the
# examples and of tests/lsp/models renamed (the model must not change), and every prefix of a few stdlib and example
# files fed as edits (each must leave the server answering).
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
PY=${PYTHON3:-/usr/bin/python3}
export PYTHONDONTWRITEBYTECODE=1
cd "$AXON_SRCDIR" || exit 1
pass=0
fail=0
if "$PY" tests/lsp/conversation.py "$AXON"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
if "$PY" tests/lsp/edges.py "$AXON"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
out=$("$PY" tests/lsp/rename.py "$AXON" examples tests/lsp/models 2>&1)
rc=$?
printf '%s\n' "$out" | grep -v '^refused: '
if [ $rc -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
if "$PY" tests/lsp/prefixes.py "$AXON" stdlib/neurons/lif.axon stdlib/rules/stdp.axon \
        examples/coba.axon examples/reward.axon; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
fi
echo "lsp: $pass passed, $fail failed"
[ $fail -eq 0 ]
