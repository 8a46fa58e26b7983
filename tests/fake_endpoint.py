"""A SPARQL 1.1 endpoint on loopback for fault injection: answers from an in-memory Oxigraph
store, or forwards to a real server (Virtuoso), and fails the updates it is told to.

``fail_from = N``, ``mode = "refuse"``: the Nth update and every later one get HTTP 500 without
being run (the server went down).  ``mode = "lost"``: the Nth update is run, and its answer is
an HTTP 500 (the answer lost on the way back); later ones run normally.  ``answer``: a function
``(handler) -> bool`` that may answer a request itself (a hostile server); True when it did.
"""

from __future__ import annotations

import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox


class FakeEndpoint:
    def __init__(self, forward: dict | None = None):
        self.store = ox.Store()
        self.forward = forward              # {"query": url, "update": url, "user": u, "password": p}
        self.updates = 0
        self.fail_from: int | None = None
        self.mode = "refuse"
        self.answer = None
        self.requests: list[str] = []
        self._opener = None
        if forward:
            pw = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            pw.add_password(None, forward["update"], forward["user"], forward["password"])
            self._opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(pw))
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                endpoint.requests.append("GET " + self.path)
                if endpoint.answer and endpoint.answer(self):
                    return
                q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("query", [""])[0]
                endpoint._query(self, q)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n).decode("utf-8")
                endpoint.requests.append("POST " + self.path)
                if endpoint.answer and endpoint.answer(self):
                    return
                if self.headers.get("Content-Type", "").startswith("application/sparql-update"):
                    form = {"update": [body]}
                elif self.headers.get("Content-Type", "").startswith("application/sparql-query"):
                    form = {"query": [body]}
                else:
                    form = urllib.parse.parse_qs(body)
                if "update" in form:
                    endpoint._update(self, form["update"][0])
                else:
                    endpoint._query(self, form.get("query", [""])[0])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    # -- answering ------------------------------------------------------------------------------
    @staticmethod
    def _send(h, code: int, body: bytes, ctype: str = "text/plain") -> None:
        h.send_response(code)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _update(self, h, text: str) -> None:
        self.updates += 1
        n = self.updates
        if self.fail_from is not None and self.mode == "refuse" and n >= self.fail_from:
            return self._send(h, 500, b"injected failure")
        try:
            self.run_update(text)
        except Exception as exc:
            return self._send(h, 400, str(exc).encode())
        if self.fail_from is not None and self.mode == "lost" and n == self.fail_from:
            return self._send(h, 500, b"injected failure after running it")
        self._send(h, 200, b"")

    def _query(self, h, text: str) -> None:
        try:
            body, ctype = self.run_query(text)
        except Exception as exc:
            return self._send(h, 400, str(exc).encode())
        self._send(h, 200, body, ctype)

    # -- the backend ----------------------------------------------------------------------------
    def run_update(self, text: str) -> None:
        if self._opener is None:
            self.store.update(text)
            return
        data = urllib.parse.urlencode({"update": text}).encode()
        self._opener.open(urllib.request.Request(self.forward["update"], data=data), timeout=60).read()

    def run_query(self, text: str) -> tuple[bytes, str]:
        if self._opener is None:
            result = self.store.query(text)
            if isinstance(result, ox.QueryTriples):
                return result.serialize(format=ox.RdfFormat.TURTLE), "text/turtle"
            return result.serialize(format=ox.QueryResultsFormat.JSON), "application/sparql-results+json"
        data = urllib.parse.urlencode({"query": text}).encode()
        req = urllib.request.Request(self.forward["query"], data=data,
                                     headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.read(), resp.headers.get("Content-Type", "application/sparql-results+json")

    def triples(self, graph: str) -> set[tuple[str, str, str]]:
        """The triples of a graph, as N-Triples terms (through the backend, never injected)."""
        body, _ = self.run_query(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        import json
        rows = json.loads(body)["results"]["bindings"]
        return {tuple(_term(r[v]) for v in ("s", "p", "o")) for r in rows}

    def graphs(self, prefix: str) -> set[str]:
        body, _ = self.run_query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        import json
        return {r["g"]["value"] for r in json.loads(body)["results"]["bindings"]
                if r["g"]["value"].startswith(prefix)}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _term(b: dict) -> str:
    if b["type"] == "uri":
        return f"<{b['value']}>"
    dt = b.get("datatype")
    lang = b.get("xml:lang")
    return repr((b["value"], lang, dt if dt != "http://www.w3.org/2001/XMLSchema#string" else None))
