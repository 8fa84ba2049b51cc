"""A small LSP client for the tests: starts `axon lsp`, sends messages, reads answers.

Every read has a deadline, so a server that stalls fails the test instead of hanging it.
"""
import json
import os
import select
import subprocess
import time


class Checks:
    """check(cond, what, got=None): counts a failed check in check.failures and prints it, with
    what was got (its JSON, cut to 800 characters)."""

    def __init__(self):
        self.failures = 0

    def __call__(self, cond, what, got=None):
        if cond:
            return
        self.failures += 1
        print("FAIL: %s%s" % (what, "" if got is None else "\n    got: %s" % json.dumps(got)[:800]))


class Server:
    def __init__(self, axon, *args, env=None):
        self.p = subprocess.Popen([axon, "lsp", *args], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.buf = b""
        self.next_id = 0
        self.notes = []  # notifications received while waiting for responses

    def send(self, obj):
        body = json.dumps(obj).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method, params=None, timeout=20):
        self.next_id += 1
        rid = self.next_id
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        while True:
            m = self.read(timeout)
            if m.get("id") == rid and "method" not in m:
                return m
            self.notes.append(m)

    def read(self, timeout=20):
        deadline = time.monotonic() + timeout
        while True:
            i = self.buf.find(b"\r\n\r\n")
            if i >= 0:
                head = self.buf[:i].decode()
                n = int([h for h in head.split("\r\n")
                         if h.lower().startswith("content-length:")][0].split(":")[1])
                if len(self.buf) >= i + 4 + n:
                    body = self.buf[i + 4:i + 4 + n]
                    self.buf = self.buf[i + 4 + n:]
                    return json.loads(body)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the server did not answer in time")
            r, _, _ = select.select([self.p.stdout], [], [], left)
            if r:
                chunk = os.read(self.p.stdout.fileno(), 1 << 16)
                if not chunk:
                    raise EOFError("the server closed its output (exit status %s)"
                                   % self.p.wait())
                self.buf += chunk

    def diagnostics(self, uri, timeout=20):
        """The next diagnostics published for uri (notifications already received first)."""
        while True:
            for k, m in enumerate(self.notes):
                if m.get("method") == "textDocument/publishDiagnostics" and \
                        m["params"]["uri"] == uri:
                    del self.notes[k]
                    return m["params"]["diagnostics"]
            self.notes.append(self.read(timeout))

    def close(self):
        try:
            self.p.stdin.close()
        except BrokenPipeError:
            pass
        return self.p.wait(timeout=20)
