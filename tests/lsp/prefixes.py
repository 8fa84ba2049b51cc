#!/usr/bin/env python3
"""Robustness: every prefix of a few stdlib and example files, as the editor would send it
while the file is typed, must leave the server answering. For each prefix: a didChange with
the prefix, then hover, completion, outline, semantic-token, definition and rename requests
at its end; each must be answered (a result or an error, never silence) within the deadline. A crash
or a stall fails.

usage: prefixes.py AXON FILE... (every prefix of each FILE; AXON_LSP_STEP=k takes every k-th)
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lspclient import Server  # noqa: E402


def main():
    axon, files = sys.argv[1], sys.argv[2:]
    step = int(os.environ.get("AXON_LSP_STEP", "1"))
    s = Server(axon, "--debounce", "0")
    s.request("initialize", {"processId": None, "capabilities": {}})
    s.notify("initialized", {})
    total = 0
    t0 = time.monotonic()
    for path in files:
        text = open(path, encoding="utf-8").read()
        uri = "file://" + os.path.abspath(path)
        s.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "axon", "version": 0, "text": ""}})
        for n in list(range(0, len(text) + 1, step)) + [len(text)]:
            prefix = text[:n]
            s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": n + 1},
                                                "contentChanges": [{"text": prefix}]})
            lines = prefix.split("\n")
            pos = {"line": len(lines) - 1, "character": len(lines[-1].encode("utf-16-le")) // 2}
            doc = {"uri": uri}
            for method, params in (
                    ("textDocument/hover", {"textDocument": doc, "position": pos}),
                    ("textDocument/completion", {"textDocument": doc, "position": pos}),
                    ("textDocument/documentSymbol", {"textDocument": doc}),
                    ("textDocument/semanticTokens/full", {"textDocument": doc}),
                    ("textDocument/definition", {"textDocument": doc, "position": pos}),
                    ("textDocument/rename", {"textDocument": doc, "position": pos,
                                             "newName": "renamed"})):
                r = s.request(method, params, timeout=10)
                if "result" not in r and "error" not in r:
                    print("FAIL: %s at prefix %d of %s: %r" % (method, n, path, r))
                    return 1
            total += 1
            s.notes.clear()
        s.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    r = s.request("shutdown")
    s.notify("exit", None)
    status = s.close()
    if status != 0:
        print("FAIL: exit status %d after shutdown" % status)
        return 1
    print("prefixes: %d prefixes of %d files answered in %.1f s"
          % (total, len(files), time.monotonic() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
