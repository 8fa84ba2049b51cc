#!/usr/bin/env python3
"""The edges of `axon lsp`, each answer checked: its command line (bad --debounce values and
unknown options refused with exit status 2, --stdio accepted), percent-encoded file URIs (in
a directory with a space: decoded to read the file, encoded in the locations it answers),
hover on a name of another file (its file and line), requests missing a position or a new
name, formatting of a file that does not parse, documents that are not local files, an
error of an imported file shown at the import (of a directory, indented; of std/), edits
of a range (UTF-16 positions past non-ASCII characters), a diagnostic's located note as
related information, extern declarations (the information that their library is not
loaded, the outline, semantic tokens), messages without a method, responses, requests
after shutdown, notifications about no open document or without a text, positions that
are not positions, exit without shutdown, a client that goes away, spaces after a length, and
headers that are not the protocol's.

usage: edges.py AXON   (AXON_STDLIB must point at the stdlib)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lspclient import Checks, Server  # noqa: E402

check = Checks()


def start(axon, *args):
    s = Server(axon, *args)
    r = s.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    s.notify("initialized", {})
    return s, r.get("result", {}).get("capabilities", {})


def open_doc(s, uri, text):
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "axon",
                                                       "version": 1, "text": text}})
    return s.diagnostics(uri)


def command_line(axon):
    for args, want in ((["--debounce", "20000"], "--debounce takes milliseconds (0 to 10000)"),
                       (["--debounce", "-1"], "--debounce takes milliseconds (0 to 10000)"),
                       (["--debounce", "5x"], "--debounce takes milliseconds (0 to 10000)"),
                       (["--tcp"], "unknown option '--tcp'")):
        p = subprocess.run([axon, "lsp", *args], input=b"", capture_output=True, timeout=20)
        err = p.stderr.decode()
        check(p.returncode == 2 and want in err and p.stdout == b"",
              "axon lsp %s: a usage error" % " ".join(args), [p.returncode, err])
    s, caps = start(axon, "--stdio", "--debounce", "0")
    check(caps.get("hoverProvider") is True, "--stdio is accepted", caps)
    r = s.request("shutdown")
    check("result" in r and r["result"] is None, "shutdown after --stdio", r)
    s.notify("exit", None)
    check(s.close() == 0, "exit status 0 after --stdio")


def uris(axon, tmp):
    d = os.path.join(tmp, "my models-2")
    os.mkdir(d)
    lib = "neuron Cell {\n    state { v = 0 }\n    equations { v' = -v / (10 ms) }\n}\n"
    main = 'import "cells.axon"\n\nmodule M {\n    population A = Cell[3]\n}\n'
    with open(os.path.join(d, "cells.axon"), "w") as f:
        f.write(lib)
    with open(os.path.join(d, "main.axon"), "w") as f:
        f.write(main)
    real = os.path.realpath(d)
    # the client encodes the space and (with lower-case hex digits) the '-'
    main_uri = "file://" + real[:-len("my models-2")] + "my%20models%2d2/main.axon"
    s, _ = start(axon, "--debounce", "0")
    check(open_doc(s, main_uri, main) == [],
          "a percent-encoded URI: the import beside the file is found")
    r = s.request("textDocument/definition", {"textDocument": {"uri": main_uri},
                                              "position": {"line": 3, "character": 19}})
    loc = r.get("result") or {}
    want = "file://" + real[:-len("my models-2")] + "my%20models-2/cells.axon"
    check(loc.get("uri") == want and loc.get("range", {}).get("start") ==
          {"line": 0, "character": 7}, "a location in a directory with a space is encoded", r)

    # hover on a name defined in another file says where
    r = s.request("textDocument/hover", {"textDocument": {"uri": main_uri},
                                         "position": {"line": 3, "character": 19}})
    value = (r.get("result") or {}).get("contents", {}).get("value", "")
    check(value.endswith("\n*%s:1*\n" % os.path.join(real, "cells.axon")),
          "hover on an imported neuron names its file and line", r)
    # requests missing what they need: nothing, or a refusal that says what is missing
    r = s.request("textDocument/completion", {"textDocument": {"uri": main_uri}})
    check(r.get("result") == [], "completion without a position: nothing", r)
    r = s.request("textDocument/rename", {"textDocument": {"uri": main_uri},
                                          "position": {"line": 3, "character": 19}})
    check(r.get("error", {}).get("code") == -32803 and
          r["error"].get("message") == "newName is missing", "rename without newName", r)
    # a file that does not parse is not formatted (its errors are shown instead)
    broken = main.replace("Cell[3]", "Cell[3")
    s.notify("textDocument/didChange", {"textDocument": {"uri": main_uri, "version": 2},
                                        "contentChanges": [{"text": broken}]})
    check(len(s.diagnostics(main_uri)) >= 1, "the broken file has its error")
    r = s.request("textDocument/formatting", {"textDocument": {"uri": main_uri},
                                              "options": {"tabSize": 4, "insertSpaces": True}})
    check(r.get("result") == [], "a file that does not parse is not formatted", r)

    # not local files: an untitled buffer, a file on another host; checked from their text
    bad = "neuron N {\n    state { v = 0 }\n    equations { v' = -v / (10 ms) + 1 mV }\n}\n"
    for uri in ("untitled:Untitled-1", "file://otherhost/m.axon"):
        diags = open_doc(s, uri, bad)
        check(len(diags) == 1 and diags[0]["severity"] == 1 and
              diags[0]["range"]["start"]["line"] == 2 and
              diags[0]["message"].startswith("dimension mismatch in '+'"),
              "a document that is not a local file (%s) is checked from its text" % uri, diags)
        r = s.request("textDocument/hover", {"textDocument": {"uri": uri},
                                             "position": {"line": 2, "character": 17}})
        value = (r.get("result") or {}).get("contents", {}).get("value", "")
        check("state variable of neuron N" in value, "hover in %s" % uri, r)
        s.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        check(s.diagnostics(uri) == [], "closing %s clears its diagnostics" % uri)
    s.notify("exit", None)
    check(s.close() == 1, "exit without shutdown: status 1")


def import_places(axon, tmp):
    """An error in an imported file is shown at the line of the import that brings it in:
    an import of a directory, indented, below a comment; an import of std/ (from a copy of
    the stdlib with a mistake)."""
    d = os.path.join(tmp, "imports")
    os.makedirs(os.path.join(d, "lib"))
    bad = ("neuron Bad {\n    state { v = 0 mV }\n"
           "    equations { v' = -v / (10 ms) + 1 }\n}\n")
    with open(os.path.join(d, "lib", "bad.axon"), "w") as f:
        f.write(bad)
    main = '# models\n  import "lib"\n\nmodule M {\n    population A = Bad[3]\n}\n'
    path = os.path.join(os.path.realpath(d), "main.axon")
    with open(path, "w") as f:
        f.write(main)
    s, _ = start(axon, "--debounce", "0")
    uri = "file://" + path
    diags = open_doc(s, uri, main)
    lib_file = os.path.join(os.path.realpath(d), "lib", "bad.axon")
    check(len(diags) == 1 and diags[0]["range"] ==
          {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 14}} and
          diags[0]["message"].startswith(lib_file + ":3:22: dimension mismatch in '+'"),
          "an error in a file of an imported directory: at the import", diags)
    lib_diags = s.diagnostics("file://" + lib_file)
    check(len(lib_diags) == 1 and lib_diags[0]["range"]["start"] ==
          {"line": 2, "character": 21}, "and on the file itself", lib_diags)
    s.request("shutdown")
    s.notify("exit", None)
    s.close()

    std = os.path.join(tmp, "stdlib")
    shutil.copytree(os.environ["AXON_STDLIB"], std)
    lif = os.path.join(std, "neurons", "lif.axon")
    with open(lif) as f:
        t = f.read()
    with open(lif, "w") as f:
        f.write(t.replace("neuron LIF {", "neuron LIF {\n    parameters { zz = 1 mV + 1 ms }", 1))
    s = Server(axon, "--debounce", "0", env=dict(os.environ, AXON_STDLIB=std))
    s.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    main = ('# uses LIF\n\nimport "std/synapses/basic"\nimport "std/neurons/lif"\n\n'
            'module M {\n    population A = LIF[3]\n}\n')
    path = os.path.join(os.path.realpath(d), "std.axon")
    with open(path, "w") as f:
        f.write(main)
    uri = "file://" + path
    diags = open_doc(s, uri, main)
    check(len(diags) >= 1 and all(x["range"]["start"] == {"line": 3, "character": 0}
                                  for x in diags) and
          "dimension mismatch" in diags[0]["message"],
          "an error in a stdlib file: at its import 'std/neurons/lif'", diags)
    s.request("shutdown")
    s.notify("exit", None)
    s.close()


def ranged_edits(axon, tmp):
    path = os.path.join(tmp, "edit.axon")
    text = ("# µ and 😀 before the edit\n"
            "neuron N {\n"
            "    state { v = 0 mV } # 😀 é\n"
            "    equations { v' = -v / (10 ms) }\n"
            "}\n")
    with open(path, "w") as f:
        f.write(text)
    uri = "file://" + os.path.realpath(path)
    s, _ = start(axon, "--debounce", "0")
    check(open_doc(s, uri, text) == [], "the file to edit checks")

    def edit(sl, sc, el, ec, new, version):
        s.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": sl, "character": sc},
                                          "end": {"line": el, "character": ec}},
                                "text": new}]})
        return s.diagnostics(uri)

    def server_text():
        r = s.request("textDocument/formatting", {"textDocument": {"uri": uri},
                                                  "options": {"tabSize": 4,
                                                              "insertSpaces": True}})
        edits = r.get("result") or []
        return edits[0]["newText"] if len(edits) == 1 else None

    def fmt(t):
        return subprocess.run([axon, "fmt", "-"], input=t, capture_output=True,
                              text=True).stdout

    # on line 2, after "    state { v = 0 mV } # 😀 " (the emoji counts two UTF-16 units)
    line2 = "    state { v = 0 mV } # 😀 é"
    col = len("    state { v = 0 mV } # ") + 2 + 1
    diags = edit(2, col, 2, col + 1, "e", 2)
    check(diags == [], "an edit in a comment after an emoji", diags)
    text = text.replace(line2, line2.replace("é", "e"))
    check(server_text() == fmt(text), "the edit replaced the right character",
          server_text())
    # replace '10 ms' by '10 mV': a unit error, at the place the edit made
    p = text.split("\n")[3].index("ms")
    diags = edit(3, p, 3, p + 2, "mV", 3)
    check(len(diags) == 1 and diags[0]["range"]["start"]["line"] == 3,
          "an edit of a range that makes an error", diags)
    text = text.replace("(10 ms)", "(10 mV)")
    # an insertion spanning lines, and an end before its start (taken as an insertion)
    diags = edit(3, p, 3, p + 2, "ms", 4)
    check(diags == [], "the edit undone", diags)
    text = text.replace("(10 mV)", "(10 ms)")
    diags = edit(4, 1, 4, 0, "\n# the end", 5)
    text = text.rstrip("\n") + "\n# the end\n"
    check(diags == [] and server_text() == fmt(text),
          "an edit whose end is before its start inserts", server_text())
    # a position past the end of the text appends
    diags = edit(40, 0, 41, 0, "# after\n", 6)
    text += "# after\n"
    check(diags == [] and server_text() == fmt(text), "an edit past the end appends",
          server_text())
    r = s.request("shutdown")
    s.notify("exit", None)
    check(s.close() == 0, "exit status 0")


def notes_and_externs(axon, tmp):
    path = os.path.join(tmp, "dup.axon")
    text = ("neuron A {\n    state { v = 0 }\n}\n\n"
            "neuron A {\n    state { v = 0 }\n}\n")
    with open(path, "w") as f:
        f.write(text)
    uri = "file://" + os.path.realpath(path)
    s, caps = start(axon, "--debounce", "0")
    diags = open_doc(s, uri, text)
    d = diags[0] if len(diags) == 1 else {}
    check(d.get("message") == "neuron 'A' is already defined" and
          d.get("range", {}).get("start") == {"line": 4, "character": 0},
          "the second definition of a neuron is an error", diags)
    check(d.get("relatedInformation") ==
          [{"location": {"uri": uri, "range": {"start": {"line": 0, "character": 0},
                                                "end": {"line": 2, "character": 1}}},
            "message": "the first definition of 'A' is here"}],
          "the first definition is related information, not a hint", d)
    s.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    s.diagnostics(uri)

    path = os.path.join(tmp, "ext.axon")
    text = ('extern "libm.so.6" fn cbrt(x) -> real\n\n'
            'neuron C {\n    state { v = 0 }\n    equations { v\' = -cbrt(v) / (10 ms) }\n}\n')
    with open(path, "w") as f:
        f.write(text)
    uri = "file://" + os.path.realpath(path)
    diags = open_doc(s, uri, text)
    d = diags[0] if len(diags) == 1 else {}
    check(d.get("severity") == 3 and d.get("range", {}).get("start", {}).get("line") == 0 and
          "does not load extern libraries: calls to 'cbrt' are checked for their arguments "
          "only" in d.get("message", ""),
          "an extern declaration: the information that its library is not loaded", diags)
    r = s.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    syms = {x["name"]: x["kind"] for x in r.get("result") or []}
    check(syms.get("cbrt") == 12 and syms.get("C") is not None,
          "the outline shows the extern function as a function (12)", r)
    r = s.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})
    data = (r.get("result") or {}).get("data", [])
    legend = caps.get("semanticTokensProvider", {}).get("legend", {}).get("tokenTypes", [])
    line, col, kinds = 0, 0, {}
    lines = text.split("\n")
    for k in range(0, len(data) - 4, 5):
        dl, dc, n, ty, _ = data[k:k + 5]
        line, col = line + dl, (col + dc if dl == 0 else dc)
        kinds.setdefault(lines[line][col:col + n], set()).add(
            legend[ty] if ty < len(legend) else ty)
    check(kinds.get("cbrt") == {"function"}, "semantic tokens: cbrt is a function", kinds)
    r = s.request("shutdown")
    s.notify("exit", None)
    check(s.close() == 0, "exit status 0")


def protocol(axon):
    s, _ = start(axon, "--debounce", "0")
    s.send({"jsonrpc": "2.0", "id": 77})
    m = s.read()
    check(m.get("id") == 77 and m.get("error", {}).get("code") == -32600 and
          m["error"].get("message") == "a request needs a method",
          "a request without a method", m)
    s.send({"jsonrpc": "2.0", "id": 78, "result": None})  # a response: nothing to answer
    s.send({"jsonrpc": "2.0", "id": 79, "error": {"code": 1, "message": "x"}})
    s.send([1, 2])
    m = s.read()
    check(m.get("error", {}).get("code") == -32600 and
          m["error"].get("message") == "a message is a JSON object",
          "responses are not answered; an array is not a message", m)
    # notifications that name no open document, or lack their text, are ignored
    uri = "file:///nonexistent-dir/ok.axon"
    ok = "neuron N {\n    state { v = 0 }\n}\n"
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "version": 1}})
    s.notify("textDocument/didChange", {"textDocument": {"uri": "file:///other.axon"},
                                        "contentChanges": [{"text": "x"}]})
    s.notify("textDocument/didClose", {"textDocument": {"uri": "file:///other.axon"}})
    r = s.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    check(s.notes == [], "nothing published for notifications about no open document",
          s.notes)
    check(open_doc(s, uri, ok) == [], "a document at a path that does not exist is checked")
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                        "contentChanges": [{"text": 5}, {"range": None}]})
    check(s.diagnostics(uri) == [], "changes without a text leave the text as it was")
    # positions that are not positions: nothing
    for pos in ({"line": -1, "character": 0}, {"line": "1", "character": 11},
                {"line": 1, "character": 2 ** 40}):
        r = s.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": pos})
        check("result" in r and r["result"] is None, "hover at %s: nothing" % pos, r)
    r = s.request("textDocument/hover", {"textDocument": {"uri": uri},
                                         "position": {"line": 1, "character": 12}})
    check("state variable of neuron N" in json.dumps(r.get("result")),
          "hover at a real position of that document", r)

    r = s.request("shutdown")
    check("result" in r and r["result"] is None, "shutdown", r)
    r = s.request("textDocument/hover", {"textDocument": {"uri": "file:///x.axon"},
                                         "position": {"line": 0, "character": 0}})
    check(r.get("error", {}).get("code") == -32600 and
          r["error"].get("message") == "the server is shutting down",
          "a request after shutdown is refused", r)
    s.notify("textDocument/didOpen", {"textDocument": {"uri": "file:///x.axon", "text": "x"}})
    r = s.request("shutdown")
    check(r.get("error", {}).get("code") == -32600 and s.notes == [],
          "a notification after shutdown is ignored", [r, s.notes])
    s.notify("exit", None)
    check(s.close() == 0, "exit after shutdown: status 0")

    # spaces after the length are allowed; a client that goes away without shutdown: 1
    p = subprocess.Popen([axon, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                       "params": {"capabilities": {}}}).encode()
    out, err = p.communicate(b"Content-Length: %d  \r\n\r\n" % len(body) + body, timeout=20)
    check(p.returncode == 1 and b'"serverInfo"' in out and err == b"",
          "a length followed by spaces; the client gone without shutdown: status 1",
          [p.returncode, out.decode()[:200], err.decode()])

    for head in (b"Content-Type: text/plain\r\n\r\n{}", b"Content-Length: 12abc\r\n\r\n{}",
                 b"Content-Length: 99999999999999999999999999999999\r\n\r\n{}",
                 b"x" * 5000):
        p = subprocess.run([axon, "lsp"], input=head, capture_output=True, timeout=20)
        check(p.returncode == 1 and
              p.stderr.decode() == "axon lsp: not a protocol message header; stopping\n" and
              p.stdout == b"", "a header that is not the protocol's: %r" % head[:40],
              [p.returncode, p.stderr.decode()])


def main():
    axon = sys.argv[1]
    tmp = tempfile.mkdtemp()
    try:
        command_line(axon)
        uris(axon, tmp)
        import_places(axon, tmp)
        ranged_edits(axon, tmp)
        notes_and_externs(axon, tmp)
        protocol(axon)
    finally:
        shutil.rmtree(tmp)
    print("edges: %d failed" % check.failures)
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
