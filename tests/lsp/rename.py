#!/usr/bin/env python3
"""Renaming keeps a model's meaning: every name declared in each example (definitions, their
members, a module's parameters, lets, populations, projections, signals) is renamed through
`axon lsp` (prepareRename, then rename to a fresh name, the edits applied), and the renamed
file must give the same `axon dump ir` as the original, once the fresh name is read as the old
one. A rename the server refuses must be refused for one of the documented reasons (a name
bound by name elsewhere: pre./post., a connection file's columns, a signal and a modulator).

usage: rename.py AXON DIR...   (the examples, tests/lsp/models; AXON_STDLIB must point at the
stdlib)
"""
import difflib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lspclient import Server  # noqa: E402

FRESH = "zz_renamed"
REASONS = ("also named as pre.", "takes values from the columns", "is bound by its name",
           "is bound to synapse")


def apply_edits(text, edits):
    """The text with the LSP edits applied (ASCII lines: characters are columns)."""
    lines = text.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)

    def off(p):
        return offsets[p["line"]] + p["character"]

    for e in sorted(edits, key=lambda e: off(e["range"]["start"]), reverse=True):
        a, b = off(e["range"]["start"]), off(e["range"]["end"])
        text = text[:a] + e["newText"] + text[b:]
    return text


def flatten(symbols):
    for s in symbols:
        yield s
        yield from flatten(s.get("children", []))


def dump_ir(axon, path):
    """The IR dump, its columns' padding squeezed (a longer name widens them)."""
    r = subprocess.run([axon, "dump", "ir", path], capture_output=True, text=True)
    return r.returncode, "\n".join(" ".join(line.split()) for line in
                                   (r.stdout + r.stderr).split("\n"))


def main():
    axon, dirs = sys.argv[1], sys.argv[2:]
    failures = renamed = 0
    refused = {}
    tmp = tempfile.mkdtemp()
    try:
        works = []
        for d, src in enumerate(dirs):
            works.append(os.path.join(tmp, "dir%d" % d))
            shutil.copytree(src, works[-1])
        s = Server(axon, "--debounce", "0")
        s.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        s.notify("initialized", {})
        for work, name in [(w, n) for w in works for n in sorted(os.listdir(w))]:
            if not name.endswith(".axon"):
                continue
            path = os.path.join(work, name)
            uri = "file://" + os.path.realpath(path)
            text = open(path).read()
            rc, want = dump_ir(axon, path)
            if rc != 0:
                print("FAIL: %s does not dump: %s" % (name, want[:400]))
                failures += 1
                continue
            s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "axon",
                                                               "version": 1, "text": text}})
            s.diagnostics(uri)
            syms = s.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
            for sym in flatten(syms.get("result") or []):
                pos = sym["selectionRange"]["start"]
                what = "%s: %s (line %d)" % (name, sym["name"], pos["line"] + 1)
                params = {"textDocument": {"uri": uri}, "position": pos}
                prep = s.request("textDocument/prepareRename", params)
                if "error" in prep:
                    msg = prep["error"]["message"]
                    if not any(r in msg for r in REASONS):
                        print("FAIL: %s: refused for no documented reason: %s" % (what, msg))
                        failures += 1
                    refused[what] = msg
                    continue
                res = prep.get("result") or {}
                if res.get("placeholder") != sym["name"] or res.get("range") != sym["selectionRange"]:
                    print("FAIL: %s: prepareRename gives %s" % (what, res))
                    failures += 1
                    continue
                r = s.request("textDocument/rename", dict(params, newName=FRESH))
                changes = (r.get("result") or {}).get("changes")
                if not changes or set(changes) != {uri}:
                    print("FAIL: %s: rename gives %s" % (what, r))
                    failures += 1
                    continue
                with open(path, "w") as f:
                    f.write(apply_edits(text, changes[uri]))
                rc, got = dump_ir(axon, path)
                with open(path, "w") as f:
                    f.write(text)
                if rc != 0 or got.replace(FRESH, sym["name"]) != want:
                    diff = difflib.unified_diff(want.split("\n"),
                                                got.replace(FRESH, sym["name"]).split("\n"),
                                                lineterm="", n=0)
                    print("FAIL: %s: renamed to %s, the model changes:\n%s"
                          % (what, FRESH, "\n".join(list(diff)[2:12])))
                    failures += 1
                renamed += 1
            s.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        s.request("shutdown")
        s.notify("exit", None)
        s.close()
    finally:
        shutil.rmtree(tmp)
    for what, msg in sorted(refused.items()):
        print("refused: %s: %s" % (what, msg))
    print("rename: %d names renamed (same IR), %d refused, %d failed"
          % (renamed, len(refused), failures))
    if renamed < 100:
        print("FAIL: too few names renamed")
        failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
