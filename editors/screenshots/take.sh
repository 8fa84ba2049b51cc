#!/bin/sh
# Takes the screenshots of editors/README.md from real runs: Neovim and Emacs in a terminal
# under tmux (the pane captured with its colours, rendered to HTML by aha and to PNG by
# headless Chromium), and the VS Code extension's grammar with the diagnostics of axon lsp
# (vscode_render.py). The model is tests/lsp/model.axon, whose leaky neuron adds a current to
# a voltage. Needs tmux, nvim, emacs with elpa-eglot, aha and chromium (Debian packages).
#
#   sh editors/screenshots/take.sh    (from the source tree, after make)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
here="$top/editors/screenshots"
work=$(mktemp -d)
trap 'tmux kill-session -t axon-shot 2>/dev/null || true; rm -rf "$work"' EXIT
cp "$top/tests/lsp/model.axon" "$work/unit_error.axon"
env="PATH=$top:\$PATH AXON_STDLIB=$top/stdlib AXON_EMACS=$top/editors/emacs AXON_EDITORS=$top/editors TERM=xterm-256color"

# render NAME WIDTH HEIGHT: the tmux pane as NAME.png
render() {
    tmux capture-pane -e -p -t axon-shot >"$work/$1.ansi"
    aha --black --title "$1" <"$work/$1.ansi" |
        sed 's|<pre>|<pre style="font-family: DejaVu Sans Mono, monospace; font-size: 14px; line-height: 1.2; margin: 8px">|' \
        >"$work/$1.html"
    chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$2,$3" \
        --screenshot="$here/$1.png" "file://$work/$1.html" >/dev/null 2>&1
    tmux kill-session -t axon-shot
}

# Neovim: the diagnostic as virtual text, and its float (message and hint)
tmux new-session -d -s axon-shot -x 96 -y 28 \
    "cd $work && $env nvim -u $here/nvim-init.lua unit_error.axon"
sleep 4
tmux send-keys -t axon-shot 12G 0 'f(' l
sleep 0.5
tmux send-keys -t axon-shot ':lua vim.diagnostic.open_float()' Enter
sleep 2
render nvim 900 520

# Emacs: axon-mode with eglot; the flymake list below, the message in the echo area
tmux new-session -d -s axon-shot -x 96 -y 28 \
    "cd $work && $env emacs -nw -Q -l $here/emacs-init.el unit_error.axon"
sleep 5
tmux send-keys -t axon-shot C-s '(-v + I' Enter
sleep 0.5
tmux send-keys -t axon-shot M-x flymake-show-buffer-diagnostics Enter
sleep 2
tmux send-keys -t axon-shot C-x 1
tmux send-keys -t axon-shot C-x 2
tmux send-keys -t axon-shot C-x o C-x b '*Flymake diag' Tab Enter
sleep 0.5
tmux send-keys -t axon-shot C-x o C-b C-b C-b C-b C-b C-b
sleep 3
render emacs 900 560

# VS Code: the grammar and the server's diagnostic
(cd "$work" && PYTHONDONTWRITEBYTECODE=1 AXON_STDLIB="$top/stdlib" \
    python3 "$here/vscode_render.py" "$top/axon" \
    "$top/editors/vscode/syntaxes/axon.tmLanguage.json" unit_error.axon >vscode.html)
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=900,580 \
    --screenshot="$here/vscode.png" "file://$work/vscode.html" >/dev/null 2>&1
echo "wrote $here/nvim.png, emacs.png, vscode.png"
