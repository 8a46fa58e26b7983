"""A remote SPARQL 1.1 server (requests through :mod:`.http`).

Loading goes through a staging graph: every batch is inserted there, the triple count is
checked, and only then is the target graph replaced, in one ``MOVE``.  A failure before that
leaves the previous target graph untouched and the staging graph removed; a failure of the
``MOVE`` keeps the staging graph and names it (:meth:`RemoteStore.load`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from urllib.parse import urlsplit, urlunsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from . import http
from .base import Rows, StoreError
from .sparql import _n3_any, check_iri, check_query, with_values

log = logging.getLogger("coalition_kg.store")
ENV_ENDPOINT_USER = "COALITION_KG_SPARQL_USER"
ENV_ENDPOINT_PASSWORD = "COALITION_KG_SPARQL_PASSWORD"


def check_endpoint(url: str, what: str = "endpoint") -> tuple[str, str | None, str | None]:
    """(URL without credentials, user, password) of an http(s) endpoint; anything else is refused."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port
    except ValueError:
        raise StoreError(f"{what} {scrub_url(url)!r}: not a valid URL (a '/', '@' or ':' in a user name or "
                         f"password is written %2F, %40, %3A)") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise StoreError(f"{what} {scrub_url(url)!r}: only http:// and https:// endpoints are supported")
    netloc = parts.netloc.rsplit("@", 1)[-1]
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    from urllib.parse import unquote
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return clean, user, password


def scrub_url(text: str) -> str:
    """``text`` with any ``user:password@`` of a URL inside it replaced by ``***@`` — up to the
    URL's last ``@``, so a password holding an unencoded ``/`` (or ``@``) is hidden too."""
    return re.sub(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s'\"]*@", r"\1***@", str(text))


class RemoteStore:
    """A SPARQL 1.1 endpoint: queries to ``endpoint``, updates to ``update_endpoint``, every
    request bounded (:mod:`.http`: one deadline, a capped body, no redirects)."""

    def __init__(self, endpoint: str, update_endpoint: str | None = None, user: str | None = None,
                 password: str | None = None, timeout: int = 60, retries: int = 3):
        self.endpoint, url_user, url_password = check_endpoint(endpoint)
        if update_endpoint:
            self.update_endpoint, u2, p2 = check_endpoint(update_endpoint, "update endpoint")
            url_user, url_password = url_user or u2, url_password or p2
        else:
            self.update_endpoint = self.endpoint
        self.user = user if user is not None else (url_user or os.environ.get(ENV_ENDPOINT_USER))
        self.password = password if password is not None else (url_password or os.environ.get(ENV_ENDPOINT_PASSWORD))
        if timeout is None or timeout <= 0:
            raise StoreError(f"timeout must be a positive number of seconds, not {timeout}")
        self.timeout = timeout
        self.retries = retries

    def _safe(self, exc) -> str:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        msg = scrub_url(msg)
        for secret in (self.password, self.user):
            if secret:
                msg = msg.replace(secret, "***")
        return msg[:300]

    def _run(self, what: str, fn, retries: int | None = None):
        """``fn()``, tried again (up to ``retries`` tries) when the server answers 5xx or cannot be
        reached; every other failure is one :class:`StoreError` at once."""
        delay = 0.5
        retries = self.retries if retries is None else retries
        for attempt in range(1, retries + 1):
            try:
                return fn()
            except http.HttpError as exc:
                if exc.code in (401, 403):
                    raise StoreError(f"{self.endpoint}: authentication failed (HTTP {exc.code}; check the user "
                                     f"and password)") from None
                if exc.code == 404:
                    raise StoreError(f"{self.endpoint}: no SPARQL endpoint at this address (HTTP 404)") from None
                if exc.code == 400:
                    raise StoreError(f"{self.endpoint}: {what} rejected as malformed ({self._safe(exc)})") from None
                if exc.code < 500 or attempt == retries:
                    raise StoreError(f"{self.endpoint}: {what} failed ({self._safe(exc)})"
                                     + (f" after {attempt} tries" if attempt > 1 else "")) from None
            except http.Refused as exc:
                raise StoreError(f"{self.endpoint}: {what} refused: {self._safe(exc)}") from None
            except http.Deadline as exc:
                raise StoreError(f"{self.endpoint}: {what} failed: {self._safe(exc)} (--timeout)") from None
            except OSError as exc:           # cannot connect, connection reset, not HTTP
                if attempt == retries:
                    raise StoreError(f"{self.endpoint}: {what} failed after {attempt} tries "
                                     f"({self._safe(exc)})") from None
            log.warning("%s: %s failed (try %d of %d); retrying", scrub_url(self.endpoint), what, attempt, retries)
            time.sleep(delay)
            delay *= 2
        raise StoreError(f"{self.endpoint}: {what} failed")

    def _post(self, url: str, form: dict, accept: str) -> bytes:
        return http.post(url, form, accept, self.timeout, self.user, self.password)

    # -- queries --------------------------------------------------------------------------------
    def query(self, text: str, bindings: dict[str, object] | None = None) -> Rows:
        form = check_query(text)
        text = with_values(text, bindings or {})
        graph = form in ("CONSTRUCT", "DESCRIBE")
        accept = "text/turtle" if graph else "application/sparql-results+json"
        body = self._run("query", lambda: self._post(self.endpoint, {"query": text}, accept))
        if graph:
            g = Graph()
            try:
                g.parse(data=body.decode("utf-8"), format="turtle")
            except Exception as exc:       # rdflib raises many kinds (RecursionError too)
                raise StoreError(f"{self.endpoint}: the answer is not an RDF graph in Turtle ({self._safe(exc)})") from None
            return Rows([], [], graph=g, form=form)
        data = self._json(body)
        if form == "ASK":
            if not isinstance(data.get("boolean"), bool):
                raise StoreError(f"{self.endpoint}: the answer to ASK holds no boolean")
            return Rows([], [], boolean=data["boolean"], form=form)
        try:
            variables = data["head"]["vars"]
            bindings_ = data["results"]["bindings"]
            if not (isinstance(variables, list) and all(isinstance(v, str) for v in variables)
                    and isinstance(bindings_, list) and all(isinstance(b, dict) for b in bindings_)):
                raise TypeError
            rows = [{v: _from_json(b.get(v)) for v in variables} for b in bindings_]
        except (KeyError, TypeError, AttributeError, ValueError):
            raise StoreError(f"{self.endpoint}: the answer is JSON but not SPARQL 1.1 query results") from None
        return Rows(variables, rows, form=form)

    def _json(self, body: bytes) -> dict:
        try:
            data = json.loads(body.decode("utf-8"))
        except RecursionError:
            raise StoreError(f"{self.endpoint}: the answer is JSON nested too deeply to be SPARQL results") from None
        except (UnicodeDecodeError, ValueError):
            head = body[:60].decode("utf-8", "replace").strip().splitlines()
            raise StoreError(f"{self.endpoint}: the answer is not SPARQL JSON results (starts {head[0][:40] if head else ''!r}); "
                             f"is this a SPARQL endpoint?") from None
        if not isinstance(data, dict):
            raise StoreError(f"{self.endpoint}: the answer is JSON but not SPARQL 1.1 query results")
        return data

    def count(self, graph: str) -> int:
        rows = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{check_iri(graph, 'graph')}> {{ ?s ?p ?o }} }}")
        try:
            return int(rows.rows[0]["n"]) if rows.rows else 0
        except (KeyError, TypeError, ValueError):
            raise StoreError(f"{self.endpoint}: the answer to a triple count is not a number") from None

    def update(self, text: str, retries: int | None = None) -> None:
        """Run an update (``retries``: tries in all; an update that is not idempotent, whose
        answer may be lost after it ran, is tried once)."""
        self._run("update", lambda: self._post(self.update_endpoint, {"update": text}, "*/*"), retries)

    # -- loading --------------------------------------------------------------------------------
    def load(self, graph: Graph, target: str, batch_size: int = 2000, progress=None) -> int:
        """Insert ``graph`` into ``target`` through a staging graph; returns the triple count.

        The endpoint is never left worse than it was: every batch goes into a fresh staging
        graph, its count is checked, and only then does one ``MOVE`` replace the target (no
        separate ``DROP`` of the target before it).  A failure before that step leaves the target
        untouched and removes the staging graph (or names it, if even that fails); a failure of
        the ``MOVE`` itself keeps the staging graph and names it in the error, unless the
        endpoint shows the move did happen (its answer lost), which is then a success."""
        check_iri(target, "graph")
        if batch_size is None or batch_size <= 0:
            raise StoreError(f"batch size must be a positive number, not {batch_size}")
        staging = check_iri(f"{target.rstrip('/')}/staging-{int(time.time() * 1000)}", "graph")
        triples = [t for t in graph if not any(isinstance(x, BNode) for x in t)]
        skipped = len(graph) - len(triples)
        if skipped:
            log.warning("%d triples with blank nodes were not loaded", skipped)
        expected = len(set(triples))
        try:
            self.update(f"DROP SILENT GRAPH <{staging}>")
            for i in range(0, len(triples), batch_size):
                chunk = triples[i:i + batch_size]
                body = "\n".join(f"{_n3_any(s)} {_n3_any(p)} {_n3_any(o)} ." for s, p, o in chunk)
                self.update(f"INSERT DATA {{ GRAPH <{staging}> {{\n{body}\n}} }}")
                if progress:
                    progress(len(chunk))
            got = self.count(staging)
            if got != expected:
                raise StoreError(f"{self.endpoint}: staging graph holds {got} triples, expected {expected}; "
                                 f"target <{target}> left unchanged")
        except StoreError as exc:
            try:
                self.update(f"DROP SILENT GRAPH <{staging}>")
            except StoreError:
                raise StoreError(f"{exc}; target <{target}> left unchanged; the staging graph <{staging}> "
                                 f"may be left behind: it could not be removed (DROP it when the endpoint is back)") from None
            raise
        try:
            # one step: MOVE replaces the target's content with the staging graph's.  Tried once:
            # run again after its answer was lost, it would move an empty staging graph
            self.update(f"MOVE GRAPH <{staging}> TO GRAPH <{target}>", retries=1)
        except StoreError as exc:
            try:
                now, kept = self.count(target), self.count(staging)
            except StoreError:
                now = kept = None
            if not (now == expected and kept == 0):          # else: moved, only its answer was lost
                state = (f"<{target}> now holds {now} triples" if now is not None
                         else f"the state of <{target}> could not be read")
                raise StoreError(f"{exc}; the last step (MOVE of the staging graph to <{target}>) did not "
                                 f"complete: {state}, and the new triples are kept in the staging graph "
                                 f"<{staging}> (MOVE it to the target, or DROP it)") from None
        final = self.count(target)
        if final != expected:
            raise StoreError(f"{self.endpoint}: <{target}> holds {final} triples after loading, expected {expected}")
        return final


def _from_json(b):
    if b is None:
        return None
    if not isinstance(b, dict) or not isinstance(b.get("value"), str):
        raise TypeError("not an RDF term")
    t = b.get("type")
    if t == "uri":
        return URIRef(b["value"])
    if t == "bnode":
        return BNode(b["value"])
    if b.get("xml:lang"):
        return Literal(b["value"], lang=b["xml:lang"])
    dt = b.get("datatype")
    if dt and dt != str(XSD.string):
        return Literal(b["value"], datatype=URIRef(dt))
    return Literal(b["value"])
