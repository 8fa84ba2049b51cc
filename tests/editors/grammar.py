#!/usr/bin/env python3
"""The TextMate grammar of the VS Code extension (editors/vscode/syntaxes/axon.tmLanguage.json)
against the lexer. A small TextMate tokeniser (match and single-line begin/end rules, captures,
includes: what the grammar uses; its regular expressions are written to mean the same in
Python as in Oniguruma) scopes every line of every stdlib and example file; then every token
of `axon dump tokens` must have the right scope where it starts:
  keywords -> keyword.*, storage.*, constant.language.*, variable.language.*
  numbers -> constant.numeric.*, and the unit attached to a number -> keyword.other.unit.*
  strings -> string.*, derivatives -> variable.other.derivative.*
  identifiers -> never a keyword scope
and every comment is a comment.

usage: grammar.py AXON GRAMMAR FILE...
"""
import json
import re
import subprocess
import sys


class Grammar:
    def __init__(self, path):
        g = json.load(open(path, encoding="utf-8"))
        self.repo = g.get("repository", {})
        self.top = self.flatten(g["patterns"])

    def flatten(self, pats):
        out = []
        for p in pats:
            if "include" in p:
                out += self.flatten([self.repo[p["include"][1:]]])
            elif "patterns" in p and "match" not in p and "begin" not in p:
                out += self.flatten(p["patterns"])
            else:
                q = dict(p)
                for k in ("match", "begin", "end"):
                    if k in q:
                        q[k + "_re"] = re.compile(q[k])
                if "patterns" in q:
                    q["inner"] = self.flatten(q["patterns"])
                out.append(q)
        return out

    def line(self, text):
        """The scopes of each character of one line: space-separated, outermost first."""
        scopes = [""] * len(text)
        pos = 0
        while pos < len(text):
            best = None
            for p in self.top:
                r = p.get("match_re") or p.get("begin_re")
                m = r.search(text, pos)
                if m and m.end() > m.start() and (best is None or m.start() < best[1].start()):
                    best = (p, m)
            if best is None:
                break
            p, m = best
            if "match_re" in p:
                self.paint(scopes, m, p)
                pos = m.end()
            else:
                e = p["end_re"].search(text, m.end())
                end = e.end() if e else len(text)
                for i in range(m.start(), end):
                    scopes[i] = p.get("name", "")
                pos = max(end, m.end())
        return scopes

    @staticmethod
    def paint(scopes, m, p):
        if "name" in p:
            for i in range(m.start(), m.end()):
                scopes[i] = p["name"]
        for k, c in p.get("captures", {}).items():
            k = int(k)
            if m.start(k) >= 0 and "name" in c:
                for i in range(m.start(k), m.end(k)):
                    scopes[i] = (scopes[i] + " " + c["name"]).strip()


KEYWORD_SCOPES = ("keyword.", "storage.", "constant.language.", "variable.language.")


def has(scope, prefixes):
    """Does one of the scopes (space-separated) start with one of the prefixes?"""
    if isinstance(prefixes, str):
        prefixes = (prefixes,)
    return any(s.startswith(prefixes) for s in scope.split())


def main():
    axon, grammar, files = sys.argv[1], Grammar(sys.argv[2]), sys.argv[3:]
    failures = checked = 0

    def fail(msg):
        nonlocal failures
        failures += 1
        if failures <= 30:
            print("FAIL: " + msg)

    for path in files:
        lines = open(path, encoding="utf-8").read().split("\n")
        scoped = [grammar.line(l) for l in lines]
        out = subprocess.run([axon, "dump", "tokens", path], capture_output=True, text=True)
        for row in out.stdout.splitlines():
            where, tok = row.split("\t", 1)
            (l0, c0), (l1, c1) = [map(int, p.split(":")) for p in where.split("-")]
            if tok.startswith("SEP") or tok == "end of file" or l0 != l1:
                continue
            text = lines[l0 - 1][c0 - 1:c1 - 1]
            sc = scoped[l0 - 1][c0 - 1] or ""
            checked += 1
            what = "%s:%d:%d %r" % (path, l0, c0, text)
            if tok.startswith("identifier "):
                # `fn` of `extern "lib" fn f(x)` is a name to the lexer, a keyword to the eye
                if has(sc, KEYWORD_SCOPES) and not has(sc, "variable.language.time") and \
                        text != "fn":
                    fail("%s: a name scoped as %s" % (what, sc))
            elif tok.startswith("number"):
                if not has(sc, "constant.numeric"):
                    fail("%s: a number scoped as %r" % (what, sc))
                parts = tok.split(" ")
                if len(parts) > 2:  # a unit follows the number
                    unit = parts[2]
                    u0 = c0 - 1 + text.rfind(unit)
                    usc = scoped[l0 - 1][u0] or ""
                    if not has(usc, "keyword.other.unit"):
                        fail("%s: the unit %r scoped as %r" % (what, unit, usc))
            elif tok.startswith("string"):
                if not has(sc, "string."):
                    fail("%s: a string scoped as %r" % (what, sc))
            elif tok.startswith("derivative"):
                if not has(sc, "variable.other.derivative"):
                    fail("%s: a derivative scoped as %r" % (what, sc))
            elif re.fullmatch(r"[a-z][a-z-]*", tok):  # a keyword
                if not has(sc, KEYWORD_SCOPES):
                    fail("%s: the keyword %r scoped as %r" % (what, tok, sc))
        for i, l in enumerate(lines):
            s = l.lstrip()
            if s.startswith("#"):
                checked += 1
                sc = scoped[i][len(l) - len(s)] or ""
                if not has(sc, "comment."):
                    fail("%s:%d: a comment scoped as %r" % (path, i + 1, sc))
    print("grammar: %d tokens of %d files checked, %d failed" % (checked, len(files), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
