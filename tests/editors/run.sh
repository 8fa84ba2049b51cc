#!/bin/sh
# Editor support: the VS Code grammar against the lexer's tokens over every stdlib, example and
# formatter test file; the Emacs mode (indentation as axon fmt lays files out, highlighting);
# Emacs with eglot and Neovim with its LSP client talking to `axon lsp` (diagnostics, hover,
# definition, completion, rename).
# An editor that tools/debian-deps.sh installs (emacs-nox, elpa-eglot, neovim) must be here:
# its absence fails the test. Without that list (another system) a missing editor is skipped.
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
# Whether tools/debian-deps.sh installs Debian package $1 (then its test may not be skipped).
expected() { sed 's/#.*//' tools/debian-deps.sh 2>/dev/null | grep -qw -- "$1"; }
missing() { # $1: the package, $2: what is not tested
    if expected "$1"; then
        bad "$1 is not installed, but tools/debian-deps.sh installs it ($2 cannot be tested)"
    else
        echo "SKIP: $1 is not installed ($2 is not tested)"
        skip=$((skip + 1))
    fi
}

if "$PY" tests/editors/grammar.py "$AXON" editors/vscode/syntaxes/axon.tmLanguage.json \
        $files tests/fmt/*.axon; then ok; else bad "the VS Code grammar"; fi
for f in editors/vscode/package.json editors/vscode/language-configuration.json \
         editors/vscode/snippets/axon.json; do
    if "$PY" -c 'import json, sys; json.load(open(sys.argv[1]))' "$f"; then ok; else bad "$f is not JSON"; fi
done

# every built-in function of the language (compiler/sema/sx.c: FNS and SPECIAL_FNS) is one in
# each editor's highlighting
fns=$(sed -n '/^} FNS\[FN_COUNT\] = {/,/^};/p; /^static const char \*const SPECIAL_FNS/,/};/p' \
    compiler/sema/sx.c | grep -o '"[A-Za-z_0-9]*"' | tr -d '"')
[ "$(printf '%s\n' $fns | wc -l)" -ge 30 ] && ok || bad "the language's functions were not found in sx.c"
for f in editors/vim/syntax/axon.vim editors/emacs/axon-mode.el editors/vscode/syntaxes/axon.tmLanguage.json; do
    lacks=""
    for fn in $fns; do
        grep -q "[^A-Za-z_0-9]$fn[^A-Za-z_0-9]" "$f" || lacks="$lacks $fn"
    done
    if [ -z "$lacks" ]; then ok; else bad "$f lacks the functions:$lacks"; fi
done

if command -v emacs >/dev/null 2>&1; then
    out=$(emacs --batch -Q -l editors/emacs/axon-mode.el -l tests/editors/emacs.el \
              $files tests/fmt/*.expected 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -v '^Indenting'
    if [ $rc -eq 0 ]; then ok; else bad "the Emacs mode"; fi
else
    missing emacs-nox "the Emacs mode"
fi

# The editors with the language server run on a copy of the scripted conversation's model,
# with this axon first on the PATH (as the editors' configurations find it).
"$AXON" lsp </dev/null >/dev/null 2>&1
if [ $? -eq 2 ]; then
    echo "SKIP: axon was built without the language server (Emacs with eglot and Neovim are not tested)"
    skip=$((skip + 2))
    echo "editors: $pass passed, $fail failed, $skip skipped"
    [ $fail -eq 0 ]
    exit
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$(cd "$(dirname "$AXON")" && pwd)

if ! command -v emacs >/dev/null 2>&1; then
    missing emacs-nox "Emacs with eglot"
elif ! emacs --batch -Q --eval '(progn (setq package-directory-list (quote ("/usr/share/emacs/site-lisp/elpa"))) (package-initialize) (require (quote eglot)))' >/dev/null 2>&1; then
    missing elpa-eglot "Emacs with eglot"
else
    cp tests/lsp/model.axon "$tmp/model.axon" && chmod u+w "$tmp/model.axon" # distcheck: a read-only tree
    out=$(cd "$tmp" && PATH="$dir:$PATH" timeout 120 emacs --batch -Q \
              -l "$AXON_SRCDIR/editors/emacs/axon-mode.el" -l "$AXON_SRCDIR/tests/editors/eglot.el" \
              model.axon 2>&1)
    rc=$?
    printf '%s\n' "$out" | grep -v '^\[eglot\]\|^$'
    if [ $rc -eq 0 ]; then ok; else bad "Emacs with eglot and the language server"; fi
fi

if command -v nvim >/dev/null 2>&1; then
    cp tests/lsp/model.axon "$tmp/model.axon" && chmod u+w "$tmp/model.axon" # distcheck: a read-only tree
    if PATH="$dir:$PATH" timeout 120 nvim --headless -u NONE \
            --cmd "set rtp+=$AXON_SRCDIR/editors/vim,$AXON_SRCDIR/editors/nvim" \
            --cmd 'filetype plugin on' -c "luafile tests/editors/nvim.lua" "$tmp/model.axon"; then
        ok
    else
        bad "Neovim with the language server"
    fi
else
    missing neovim "Neovim with the language server"
fi

echo "editors: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
