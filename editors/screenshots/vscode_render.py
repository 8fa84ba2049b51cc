#!/usr/bin/env python3
"""The VS Code view of a model, drawn as HTML: the file coloured by the extension's TextMate
grammar (with VS Code's Dark+ colours), and the diagnostics of a real run of `axon lsp` as
squiggles with the first one's message in a hover box, as VS Code shows them.

usage: vscode_render.py AXON GRAMMAR FILE > page.html   (take.sh makes the PNG)
"""
import html
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "../../tests/editors"))
sys.path.insert(0, os.path.join(HERE, "../../tests/lsp"))
from grammar import Grammar  # noqa: E402
from lspclient import Server  # noqa: E402

# Dark+ colours, by scope prefix (the first that matches the innermost scope wins)
COLOURS = [
    ("comment", "#6A9955"), ("string", "#CE9178"), ("constant.numeric", "#B5CEA8"),
    ("keyword.other.unit", "#4EC9B0"), ("storage.type", "#569CD6"), ("storage", "#569CD6"),
    ("keyword.control", "#C586C0"), ("keyword.operator", "#D4D4D4"), ("keyword", "#569CD6"),
    ("constant.language", "#569CD6"), ("variable.language", "#569CD6"),
    ("entity.name.type", "#4EC9B0"), ("entity.name.function", "#DCDCAA"),
    ("support.function", "#DCDCAA"), ("support.constant", "#4FC1FF"),
    ("variable.other.derivative", "#9CDCFE"), ("variable", "#9CDCFE"),
]


def colour(scope):
    for s in reversed(scope.split()):
        for prefix, c in COLOURS:
            if s.startswith(prefix):
                return c
    return "#D4D4D4"


def main():
    axon, grammar, path = sys.argv[1], Grammar(sys.argv[2]), sys.argv[3]
    text = open(path, encoding="utf-8").read()
    uri = "file://" + os.path.abspath(path)
    s = Server(axon)
    s.request("initialize", {"processId": None, "capabilities": {}})
    s.notify("initialized", {})
    s.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "axon", "version": 1, "text": text}})
    diags = s.diagnostics(uri)
    s.request("shutdown")
    s.notify("exit", None)
    s.close()
    lines = text.rstrip("\n").split("\n")
    marks = {}
    for d in diags:
        r = d["range"]
        marks.setdefault(r["start"]["line"], []).append((r["start"]["character"],
                                                         r["end"]["character"], d))
    out = []
    for i, line in enumerate(lines):
        scopes = grammar.line(line)
        row = []
        for j, ch in enumerate(line):
            style = "color:%s" % colour(scopes[j])
            if any(a <= j < b for a, b, _ in marks.get(i, [])):
                style += ";text-decoration: underline wavy #F14C4C"
            row.append('<span style="%s">%s</span>' % (style, html.escape(ch)))
        hover = ""
        if i in marks:  # the hover box of the first diagnostic, over the lines below it
            a, _, d = marks[i][0]
            msg = html.escape(d["message"]).replace("\n", "<br>")
            hover = ('<div class="hover" style="left:%dch"><span class="sev">&#x2297;</span> %s '
                     '<span class="src">%s</span></div>'
                     % (a + 6, msg, html.escape(d.get("source", ""))))
        out.append('<div class="l"><span class="n">%d</span>%s%s</div>'
                   % (i + 1, "".join(row), hover))
    problems = "".join('<div><span class="sev">&#x2297;</span> %s <span class="src">%s [Ln %d, Col %d]'
                       '</span></div>' % (html.escape(d["message"].split("\n")[0]),
                                          html.escape(d.get("source", "")),
                                          d["range"]["start"]["line"] + 1,
                                          d["range"]["start"]["character"] + 1) for d in diags)
    print("""<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; background: #1E1E1E; font-family: 'DejaVu Sans Mono', monospace; font-size: 14px; }
.tab { background: #252526; color: #fff; padding: 6px 14px; font-family: sans-serif; font-size: 13px; }
.tab b { background: #1E1E1E; padding: 6px 14px; font-weight: normal; }
.code { padding: 6px 0; }
.l { white-space: pre; line-height: 19px; color: #D4D4D4; position: relative; }
.n { display: inline-block; width: 4ch; text-align: right; color: #858585; margin-right: 2ch; }
.hover { position: absolute; top: 21px; z-index: 1; white-space: normal; width: 62ch;
         background: #252526; border: 1px solid #454545; color: #CCCCCC; padding: 6px 10px;
         line-height: 19px; box-shadow: 0 2px 8px #000; }
.sev { color: #F14C4C; }
.src { color: #9D9D9D; }
.panel { border-top: 1px solid #414141; background: #1E1E1E; color: #CCCCCC; padding: 6px 14px;
         font-family: sans-serif; font-size: 13px; }
.panel .title { text-transform: uppercase; font-size: 11px; color: #E7E7E7; margin-bottom: 6px; }
</style></head><body>
<div class="tab"><b>%s</b> &nbsp; Axon</div>
<div class="code">%s</div>
<div class="panel"><div class="title">Problems (%d)</div>%s</div>
</body></html>""" % (html.escape(os.path.basename(path)), "\n".join(out), len(diags), problems))


if __name__ == "__main__":
    main()
