#!/usr/bin/env python3
"""A scripted conversation with `axon lsp`, each answer checked: initialize, didOpen of a file
with a unit error (the diagnostic must carry the message and hint of `axon check`), a fix
(diagnostics cleared), hover (units, doc comments, a population's type and size, the scheme
chosen for an equation), definition into the stdlib, references (in open files that import the file too), completion by place
(expressions, neuron types, synapses, units after a number, connectors, schemes, modules, the
keywords that start a line at the top, in a module and in a neuron, `post.`, `P.` and `m.A.`
members, stdlib files after `import "std/`), the outline, formatting (as `axon fmt`), rename (with its refusals, and across two files),
diagnostics of an imported file (on that file, and at the import; from the editor's unsaved
text when it is open),
errors for bad messages, shutdown and exit.

usage: conversation.py AXON   (AXON_STDLIB must point at the stdlib)
"""
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lspclient import Checks, Server  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
check = Checks()


def at(text, line_has, word, nth=0):
    """The LSP position of the nth `word` on the first line containing `line_has`."""
    for i, line in enumerate(text.split("\n")):
        if line_has in line:
            j = -1
            for _ in range(nth + 1):
                j = line.find(word, j + 1)
            return {"line": i, "character": j}
    raise KeyError(line_has)


def main():
    axon = sys.argv[1]
    stdlib = os.path.realpath(os.environ["AXON_STDLIB"])
    path = os.path.join(HERE, "model.axon")
    uri = "file://" + path
    text = open(path).read()
    doc = {"uri": uri}

    # requests before initialize are refused; the server keeps going
    s = Server(axon, "--debounce", "50")
    r = s.request("textDocument/hover", {"textDocument": doc, "position": {"line": 0, "character": 0}})
    check(r.get("error", {}).get("code") == -32002, "a request before initialize is refused", r)

    r = s.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    caps = r.get("result", {}).get("capabilities", {})
    check(r["result"].get("serverInfo", {}).get("name") == "axon", "serverInfo", r)
    for cap in ("hoverProvider", "definitionProvider", "referencesProvider",
                "documentSymbolProvider", "documentFormattingProvider"):
        check(caps.get(cap) is True, "capability " + cap, caps)
    check(caps.get("renameProvider") == {"prepareProvider": True}, "rename with prepareRename", caps)
    check(caps.get("textDocumentSync", {}).get("change") == 1, "full text sync", caps)
    check("." in caps.get("completionProvider", {}).get("triggerCharacters", []),
          "completion on '.'", caps)
    s.notify("initialized", {})

    # didOpen: the unit error, worded as axon check words it
    s.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "axon",
                                                       "version": 1, "text": text}})
    diags = s.diagnostics(uri)
    brief = subprocess.run([axon, "check", "--brief", path], capture_output=True, text=True,
                           env=dict(os.environ, NO_COLOR="1")).stderr.strip()
    check(len(diags) == 1, "one diagnostic for the unit error", diags)
    if diags:
        d = diags[0]
        p = at(text, "equations", "-v + I")
        check(d["severity"] == 1 and d["source"] == "axon", "an error from axon", d)
        check(d["range"] == {"start": p, "end": {"line": p["line"], "character": p["character"] + 6}},
              "the range of '-v + I'", d)
        msg = brief.split(": error: ", 1)[-1]
        check(d["message"] == msg + "\nhint: did you forget a resistance (Mohm)?",
              "the message and hint of axon check (%s)" % msg, d)

    # the fix clears them (after the debounce)
    fixed = text.replace("(-v + I)", "(-v + R * I)")
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2},
                                        "contentChanges": [{"text": fixed}]})
    check(s.diagnostics(uri) == [], "no diagnostics after the fix")
    text = fixed

    # hover: a parameter with its unit and doc comment; a population with type and size
    r = s.request("textDocument/hover", {"textDocument": doc,
                                         "position": at(text, "equations", "tau")})
    value = (r.get("result") or {}).get("contents", {}).get("value", "")
    check("tau = 10 ms" in value and "parameter of neuron Leaky: a time (ms)" in value and
          "the membrane time constant" in value, "hover on tau", r)
    r = s.request("textDocument/hover", {"textDocument": doc,
                                         "position": at(text, "equations", "v'")})
    value = (r.get("result") or {}).get("contents", {}).get("value", "")
    check("state variable of neuron Leaky: a voltage (mV)" in value and
          "integrated with exact in Net.Q" in value, "hover on an equation: the scheme", r)
    r = s.request("textDocument/hover", {"textDocument": doc,
                                         "position": at(text, "project", "P")})
    value = (r.get("result") or {}).get("contents", {}).get("value", "")
    check("population P = LIF[N]" in value and
          "N neurons of type LIF (10 with the default parameters)" in value,
          "hover on a population: its type and size", r)
    r = s.request("textDocument/hover", {"textDocument": doc,
                                         "position": at(text, "neuron Leaky", "Leaky")})
    value = (r.get("result") or {}).get("contents", {}).get("value", "")
    check("A leaky neuron" in value, "hover on a neuron shows its doc comment", r)

    # definition into the stdlib, and within the file
    r = s.request("textDocument/definition", {"textDocument": doc,
                                              "position": at(text, "population P", "LIF")})
    loc = r.get("result") or {}
    lif = open(os.path.join(stdlib, "neurons/lif.axon")).read()
    check(loc.get("uri") == "file://" + os.path.join(stdlib, "neurons/lif.axon") and
          loc.get("range", {}).get("start") == at(lif, "neuron LIF {", "LIF"),
          "definition of LIF in the stdlib", r)
    r = s.request("textDocument/definition", {"textDocument": doc,
                                              "position": at(text, "record", "v")})
    loc = r.get("result") or {}
    lif_v = lif.split("\n").index("        v     = v_rest")
    check(loc.get("uri", "").endswith("neurons/lif.axon") and
          loc.get("range", {}).get("start") == {"line": lif_v, "character": 8},
          "definition of P.v: LIF's state variable v", r)

    # references of tau: its declaration and its use
    r = s.request("textDocument/references", {"textDocument": doc,
                                              "position": at(text, "tau =", "tau"),
                                              "context": {"includeDeclaration": True}})
    refs = r.get("result") or []
    check([x["range"]["start"] for x in refs] ==
          [at(text, "tau =", "tau"), at(text, "equations", "tau")], "references of tau", r)

    # completion
    def labels(pos):
        r = s.request("textDocument/completion", {"textDocument": doc, "position": pos})
        return {i["label"]: i for i in (r.get("result") or [])}

    got = labels(at(text, "population P", "N"))
    for want in ("mV", "exp", "N", "P", "and", "dt"):
        check(want in got, "completion in an expression offers %r" % want, sorted(got))
    for unwanted in ("neuron", "population", "LIF", "Push"):
        check(unwanted not in got, "completion in an expression: no %r" % unwanted, sorted(got))

    def offers(pos, want, unwanted, what):
        got = labels(pos)
        check(all(w in got for w in want) and not any(u in got for u in unwanted), what,
              sorted(got))

    offers(at(text, "population Q", "Leaky"), ("LIF", "Leaky"), ("Push", "Net", "neuron", "mV"),
           "after 'population Q =': neuron types")
    offers(at(text, "project", "Push"), ("Push",), ("LIF", "Leaky", "N"),
           "after 'project P -> Q :': synapses")
    offers(at(text, "tau =", "ms"), ("ms", "mV", "nS"), ("tau", "exp", "neuron"),
           "after a number: units")
    offers(at(text, "project", "all_to_all"), ("all_to_all", "random", "from"), ("P", "mV"),
           "after 'connect': connectors")
    offers({"line": at(text, "module Net", "module")["line"], "character": 0},
           ("neuron", "synapse", "module", "import", "run"), ("population", "tau", "mV"),
           "at the start of a line at the top: the keywords that start a definition")
    offers({"line": at(text, "population P", "population")["line"], "character": 4},
           ("population", "project", "record", "let"), ("parameters", "neuron", "tau"),
           "at the start of a line in a module: the keywords of its items")
    offers({"line": at(text, "state {", "state")["line"], "character": 4},
           ("parameters", "state", "equations", "spike"), ("population", "neuron", "N"),
           "at the start of a line in a neuron: the keywords of its blocks")
    offers({"line": at(text, "R   =", "R")["line"], "character": 8}, ("tau", "R", "v", "I"),
           (), "at the start of a line in a block: the neuron's names")
    p = at(text, "post.v", "v")
    got = labels(p)
    check("v" in got and "I_syn" in got and "neuron" not in got, "completion after post.",
          sorted(got))
    p = at(text, "record P.v", "v")
    got = labels(p)
    check("tau_m" in got and "v" in got and "R" in got and "ge" not in got,
          "completion after P. (LIF's names)", sorted(got))
    typing = text.replace('import "std/synapses/basic"', 'import "std/neu')
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3},
                                        "contentChanges": [{"text": typing}]})
    got = labels({"line": 1, "character": len('import "std/neu')})
    item = got.get("std/neurons/lif", {})
    check(item.get("textEdit", {}).get("range", {}).get("start") == {"line": 1, "character": 8},
          "completion of std/neurons/lif replaces the typed path", item)

    # the outline
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 4},
                                        "contentChanges": [{"text": text}]})
    r = s.request("textDocument/documentSymbol", {"textDocument": doc})
    syms = r.get("result") or []
    check([x["name"] for x in syms] == ["Leaky", "Push", "Net"], "outline", syms)
    if len(syms) == 3:
        check([c["name"] for c in syms[2].get("children", [])] == ["N", "P", "Q"],
              "outline of Net", syms[2])

    # semantic tokens: decoded, the names of the first lines with what they are
    r = s.request("textDocument/semanticTokens/full", {"textDocument": doc})
    data = (r.get("result") or {}).get("data", [])
    legend = caps.get("semanticTokensProvider", {}).get("legend", {}).get("tokenTypes", [])
    toks, line, col = [], 0, 0
    lines = text.split("\n")
    for k in range(0, len(data) - 4, 5):
        dl, dc, n, ty, mod = data[k:k + 5]
        line, col = line + dl, (col + dc if dl == 0 else dc)
        toks.append((lines[line][col:col + n], legend[ty] if ty < len(legend) else ty, mod))
    check(toks[:6] == [("Leaky", "type", 1), ("tau", "parameter", 1), ("R", "parameter", 1),
                       ("v", "variable", 1), ("I", "property", 1), ("v", "variable", 0)],
          "semantic tokens", toks[:8])

    # formatting gives what axon fmt gives
    messy = text.replace("state { v = -65 mV }", "state{v=-65mV;u=0}")
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 5},
                                        "contentChanges": [{"text": messy}]})
    r = s.request("textDocument/formatting", {"textDocument": doc,
                                              "options": {"tabSize": 4, "insertSpaces": True}})
    edits = r.get("result") or []
    want = subprocess.run([axon, "fmt", "-"], input=messy, capture_output=True, text=True).stdout
    # the edit ends at the document's end: its last line, at that line's length (after a final
    # newline: the empty line after it), not past it
    nl = messy.count("\n")
    last = messy.split("\n")[-1]
    check(len(edits) == 1 and edits[0]["newText"] == want and
          edits[0]["range"]["start"] == {"line": 0, "character": 0} and
          edits[0]["range"]["end"] == {"line": nl, "character": len(last.encode("utf-16-le")) // 2},
          "formatting replaces the text by axon fmt's, to the document's end", r)

    # rename: prepareRename gives the name's range; rename edits its declaration and uses
    s.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 6},
                                        "contentChanges": [{"text": text}]})
    p = at(text, "equations", "tau")
    r = s.request("textDocument/prepareRename", {"textDocument": doc, "position": p})
    check(r.get("result") == {"range": {"start": p, "end": {"line": p["line"],
                                                           "character": p["character"] + 3}},
                              "placeholder": "tau"}, "prepareRename of tau", r)
    r = s.request("textDocument/rename", {"textDocument": doc, "position": p, "newName": "tau_m"})
    edits = ((r.get("result") or {}).get("changes") or {}).get(uri, [])
    check(sorted((e["range"]["start"]["line"], e["range"]["start"]["character"], e["newText"])
                 for e in edits) ==
          sorted([(at(text, "tau =", "tau")["line"], 8, "tau_m"),
                  (p["line"], p["character"], "tau_m")]) and
          len((r.get("result") or {}).get("changes") or {}) == 1,
          "rename of tau: its declaration and its use", r)

    def refused(pos, new, why, what):
        method = "textDocument/rename" if new else "textDocument/prepareRename"
        params = {"textDocument": doc, "position": pos}
        if new:
            params["newName"] = new
        r = s.request(method, params)
        check(r.get("error", {}).get("code") == -32803 and why in r["error"].get("message", ""),
              what, r)

    refused(at(text, "population P", "LIF"), None, "is defined in the standard library",
            "a stdlib name is not renamed")
    refused(at(text, "state", "v"), None, "also named as pre.v or post.v",
            "a neuron's variable named as post.v is not renamed")
    refused(p, "R", "'R' is already the name of a parameter", "rename to a name in scope")
    refused(p, "neuron", "'neuron' is a keyword", "rename to a keyword")
    refused(p, "mV", "'mV' is a unit", "rename to a unit")
    refused(p, "2x", "is not a name", "rename to something that is not a name")
    r = s.request("textDocument/prepareRename",
                  {"textDocument": doc, "position": at(text, "A leaky", "leaky")})
    check("result" in r and r["result"] is None, "prepareRename in a comment: nothing", r)

    # across files: a neuron defined in an imported file of the user's is renamed in both
    # files; from the imported file, in the open files that import it
    tmp = tempfile.mkdtemp()
    try:
        lib_path, main_path = os.path.join(tmp, "cells.axon"), os.path.join(tmp, "main.axon")
        lib_text = "neuron Cell {\n    state { v = 0 }\n    equations { v' = -v / (10 ms) }\n}\n"
        main_text = ('import "cells.axon"\n\nmodule M {\n    population A = Cell[3]\n'
                     '    record A.v\n}\n')
        for path_, t in ((lib_path, lib_text), (main_path, main_text)):
            with open(path_, "w") as f:
                f.write(t)
        lib_uri, main_uri = "file://" + os.path.realpath(lib_path), "file://" + os.path.realpath(main_path)
        s.notify("textDocument/didOpen", {"textDocument": {"uri": main_uri, "languageId": "axon",
                                                           "version": 1, "text": main_text}})
        check(s.diagnostics(main_uri) == [], "the two-file model checks")
        r = s.request("textDocument/rename", {"textDocument": {"uri": main_uri},
                                              "position": at(main_text, "population", "Cell"),
                                              "newName": "Cell2"})
        ch = (r.get("result") or {}).get("changes") or {}
        check(sorted(ch) == sorted([lib_uri, main_uri]) and
              [e["range"]["start"] for e in ch.get(lib_uri, [])] == [{"line": 0, "character": 7}]
              and [e["range"]["start"] for e in ch.get(main_uri, [])] ==
              [at(main_text, "population", "Cell")],
              "rename of an imported neuron edits both files", r)
        s.notify("textDocument/didOpen", {"textDocument": {"uri": lib_uri, "languageId": "axon",
                                                           "version": 1, "text": lib_text}})
        s.diagnostics(lib_uri)
        r = s.request("textDocument/rename", {"textDocument": {"uri": lib_uri},
                                              "position": at(lib_text, "state", "v"),
                                              "newName": "u"})
        ch = (r.get("result") or {}).get("changes") or {}
        check(sorted(ch) == sorted([lib_uri, main_uri]) and len(ch.get(lib_uri, [])) == 3 and
              [e["range"]["start"] for e in ch.get(main_uri, [])] ==
              [at(main_text, "record", "v")],
              "rename in the imported file edits the open file that imports it", r)
        r = s.request("textDocument/references", {"textDocument": {"uri": lib_uri},
                                                  "position": at(lib_text, "state", "v"),
                                                  "context": {"includeDeclaration": True}})
        check(sorted((x["uri"], x["range"]["start"]["line"]) for x in r.get("result") or []) ==
              sorted([(lib_uri, 1), (lib_uri, 2), (lib_uri, 2), (main_uri, 4)]),
              "references in the imported file include the open file that imports it", r)
        for u_ in (lib_uri, main_uri):
            s.notify("textDocument/didClose", {"textDocument": {"uri": u_}})
            check(s.diagnostics(u_) == [], "a closed file's diagnostics are cleared")

        # a mistake in an imported file: published on that file, and at the import
        bad_lib = lib_text.replace("-v / (10 ms)", "-v / (10 ms) + 1 mV")
        with open(lib_path, "w") as f:
            f.write(bad_lib)
        s.notify("textDocument/didOpen", {"textDocument": {"uri": main_uri, "languageId": "axon",
                                                           "version": 1, "text": main_text}})
        lib_diags, main_diags = s.diagnostics(lib_uri), s.diagnostics(main_uri)
        check(len(lib_diags) == 1 and lib_diags[0]["range"]["start"]["line"] == 2 and
              lib_diags[0]["message"].startswith("dimension mismatch in '+'"),
              "the error of the imported file, on that file", lib_diags)
        check(len(main_diags) == 1 and main_diags[0]["range"] ==
              {"start": {"line": 0, "character": 0},
               "end": {"line": 0, "character": len('import "cells.axon"')}} and
              main_diags[0]["message"].startswith(os.path.realpath(lib_path) + ":3:22: "
                                                  "dimension mismatch in '+'"),
              "the error of the imported file, at the import", main_diags)
        with open(lib_path, "w") as f:
            f.write(lib_text)
        s.notify("textDocument/didChange", {"textDocument": {"uri": main_uri, "version": 2},
                                            "contentChanges": [{"text": main_text}]})
        check(s.diagnostics(main_uri) == [] and s.diagnostics(lib_uri) == [],
              "the imported file fixed: its diagnostics cleared")
        with open(lib_path, "w") as f:
            f.write(bad_lib)
        s.notify("textDocument/didChange", {"textDocument": {"uri": main_uri, "version": 3},
                                            "contentChanges": [{"text": main_text}]})
        check(len(s.diagnostics(lib_uri)) == 1 and len(s.diagnostics(main_uri)) == 1,
              "the imported file broken again")
        s.notify("textDocument/didClose", {"textDocument": {"uri": main_uri}})
        check(s.diagnostics(main_uri) == [] and s.diagnostics(lib_uri) == [],
              "closing the importer clears what it published on the imported file")
        with open(lib_path, "w") as f:
            f.write(lib_text)

        # an imported file open in the editor is read as the editor has it (unsaved), and
        # the files that import it are checked again when it changes
        s.notify("textDocument/didOpen", {"textDocument": {"uri": lib_uri, "languageId": "axon",
                                                           "version": 1, "text": bad_lib}})
        check(len(s.diagnostics(lib_uri)) == 1, "the unsaved imported file has its error")
        s.notify("textDocument/didOpen", {"textDocument": {"uri": main_uri, "languageId": "axon",
                                                           "version": 1, "text": main_text}})
        main_diags = s.diagnostics(main_uri)
        check(len(main_diags) == 1 and "dimension mismatch" in main_diags[0]["message"],
              "the importer sees the unsaved text of the imported file", main_diags)
        s.notify("textDocument/didChange", {"textDocument": {"uri": lib_uri, "version": 2},
                                            "contentChanges": [{"text": lib_text}]})
        check(s.diagnostics(lib_uri) == [] and s.diagnostics(main_uri) == [],
              "a change of the imported file checks the importer again")
        check(not any(m.get("method") == "textDocument/publishDiagnostics" and
                      m["params"]["uri"] == lib_uri for m in s.notes),
              "the importer publishes nothing on an open imported file", s.notes)
        for u_ in (main_uri, lib_uri):
            s.notify("textDocument/didClose", {"textDocument": {"uri": u_}})
            s.diagnostics(u_)

        # completion along a path through an instance, of modules and of schemes
        nest_path = os.path.join(tmp, "nest.axon")
        nest_uri = "file://" + os.path.realpath(nest_path)
        nest = ('import "cells.axon"\n\nmodule M {\n    population A = Cell[3]\n}\n\n'
                'module Top {\n    m = M()\n    record m.A.v\n}\n\n'
                'neuron Z {\n    state { x = 0 }\n    method exact\n}\n\nrun Top for 1 s\n')
        s.notify("textDocument/didOpen", {"textDocument": {"uri": nest_uri, "languageId": "axon",
                                                           "version": 1, "text": nest}})
        doc = {"uri": nest_uri}
        offers(at(nest, "record", "A"), ("A",), ("v", "Cell", "neuron"), "after 'm.': M's items")
        offers(at(nest, "record", "v"), ("v",), ("A", "x"), "after 'm.A.': Cell's variables")
        offers(at(nest, "m = M()", "M"), ("M", "Top"), ("Cell", "Z", "A"), "after 'm =': modules")
        offers(at(nest, "run Top", "Top"), ("M", "Top"), ("Cell", "Z"), "after 'run': modules")
        offers(at(nest, "method", "exact"), ("exact", "rk4", "exponential_euler"), ("x", "mV"),
               "after 'method': the schemes")
        s.notify("textDocument/didClose", {"textDocument": {"uri": nest_uri}})
        doc = {"uri": uri}
    finally:
        shutil.rmtree(tmp)

    # bad messages get errors, and the server goes on
    r = s.request("textDocument/nonsense", {"textDocument": doc})
    check(r.get("error", {}).get("code") == -32601, "unknown method", r)
    body = b"{not json"
    s.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    s.p.stdin.flush()
    m = s.read()
    check(m.get("error", {}).get("code") == -32700, "a message that is not JSON", m)
    r = s.request("textDocument/hover", {"position": {"line": 0, "character": 0}})
    check(r.get("error", {}).get("code") == -32602, "a request without textDocument", r)

    r = s.request("shutdown")
    check("result" in r and r["result"] is None, "shutdown", r)
    s.notify("exit", None)
    status = s.close()
    check(status == 0, "exit status 0 after shutdown", status)

    print("conversation: %d failed" % check.failures)
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())
