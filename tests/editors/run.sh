#!/bin/sh
# Editor support: the VS Code grammar against the lexer's tokens over every stdlib, example and
# formatter test file (always); the Emacs mode (indentation as axon fmt lays files out,
# highlighting) and Neovim with the language server, when emacs and nvim are installed.
set -u
: "${AXON:?}" "${AXON_SRCDIR:?}"
PY=${PYTHON3:-/usr/bin/python3}
export PYTHONDONTWRITEBYTECODE=1
cd "$AXON_SRCDIR" || exit 1
files=$(find stdlib examples -name '*.axon' | sort)
pass=0
fail=0
skip=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

if "$PY" tests/editors/grammar.py "$AXON" editors/vscode/syntaxes/axon.tmLanguage.json \
        $files tests/fmt/*.axon; then ok; else bad "the VS Code grammar"; fi
for f in editors/vscode/package.json editors/vscode/language-configuration.json \
         editors/vscode/snippets/axon.json; do
    if "$PY" -c 'import json, sys; json.load(open(sys.argv[1]))' "$f"; then ok; else bad "$f is not JSON"; fi
done

if command -v emacs >/dev/null 2>&1; then
    out=$(emacs --batch -Q -l editors/emacs/axon-mode.el -l tests/editors/emacs.el \
              $files tests/fmt/*.expected 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -v '^Indenting'
    if [ $rc -eq 0 ]; then ok; else bad "the Emacs mode"; fi
else
    echo "SKIP: emacs is not installed (the Emacs mode is not tested)"
    skip=$((skip + 1))
fi

"$AXON" lsp </dev/null >/dev/null 2>&1
if [ $? -eq 2 ]; then
    echo "SKIP: axon was built without the language server (Neovim is not tested)"
    skip=$((skip + 1))
elif command -v nvim >/dev/null 2>&1; then
    tmp=$(mktemp -d)
    cp tests/lsp/model.axon "$tmp/model.axon"
    dir=$(dirname "$AXON")
    if PATH="$dir:$PATH" timeout 60 nvim --headless -u NONE \
            --cmd "set rtp+=$AXON_SRCDIR/editors/vim,$AXON_SRCDIR/editors/nvim" \
            --cmd 'filetype plugin on' -c "luafile tests/editors/nvim.lua" "$tmp/model.axon"; then
        ok
    else
        bad "Neovim with the language server"
    fi
    rm -rf "$tmp"
else
    echo "SKIP: nvim is not installed (the Neovim configuration is not tested)"
    skip=$((skip + 1))
fi

echo "editors: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
