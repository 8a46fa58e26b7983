"""Step 7: where the graph lives — the embedded Oxigraph store, rdflib in memory, or any SPARQL 1.1
server through SPARQLWrapper.

All three answer the same library queries with the same rows (tested against Virtuoso).  Query
parameters are never pasted into query text:

a ``VALUES`` block of terms serialized by rdflib (which escapes quotes, backslashes and line
breaks) is placed at the top of the query's outermost ``WHERE`` group, so that a value can only
ever be one RDF term, with the same semantics on Oxigraph, rdflib and any remote server
(Oxigraph's own ``substitutions`` would need every parameter in the SELECT projection).

Loading into a remote server goes through a staging graph: every batch is inserted there, the
triple count is checked, and only then is the target graph replaced (``MOVE``).  A failure
midway leaves the previous target graph untouched and the staging graph removed.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

log = logging.getLogger(__name__)
DEFAULT_STORE = Path(".coalition-kg/store")
ENV_ENDPOINT_USER = "COALITION_KG_SPARQL_USER"
ENV_ENDPOINT_PASSWORD = "COALITION_KG_SPARQL_PASSWORD"


class StoreError(RuntimeError):
    pass


@dataclass
class Rows:
    variables: list[str]
    rows: list[dict[str, object]]   # values are rdflib terms (or None when unbound)


# ---------------------------------------------------------------------------------------------
# terms

def _to_ox(term):
    import pyoxigraph as ox
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")


def _from_ox(term):
    import pyoxigraph as ox
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value if term.datatype else None
        if dt == str(XSD.string):
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt) if dt else None)
    return Literal(str(term))


# ---------------------------------------------------------------------------------------------
# the embedded store

class OxigraphStore:
    """A persistent Oxigraph store in a directory; article graphs replace, never duplicate."""

    def __init__(self, path: str | Path = DEFAULT_STORE, read_only: bool = False):
        import pyoxigraph as ox
        self.path = Path(path)
        try:
            if read_only:
                if not self.path.exists():
                    raise StoreError(f"{self.path}: no store here (run `coalition-kg build … --store {self.path}` first)")
                self.store = ox.Store.read_only(str(self.path))
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(self.path))
        except OSError as exc:
            raise StoreError(f"{self.path}: cannot open the store ({exc})") from None

    def replace(self, ds: Dataset) -> int:
        """Load every named graph of ``ds``, replacing graphs of the same name; returns quads added."""
        import pyoxigraph as ox
        graphs = {c.identifier for c in ds.graphs() if len(c)}
        quads = []
        for s, p, o, g in ds.quads((None, None, None, None)):
            if g is None:
                continue
            gid = g.identifier if hasattr(g, "identifier") else g
            quads.append(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), _to_ox(gid)))
        if self._is_empty():
            # a new store: Oxigraph's bulk loader (no per-quad transaction), and the de-duplicated
            # default graph computed here rather than by a SPARQL update — about half the time
            self.store.bulk_extend(quads)
            self.store.bulk_extend(ox.Quad(t[0], t[1], t[2], ox.DefaultGraph())
                                   for t in {(q.subject, q.predicate, q.object) for q in quads})
            self.store.flush()
            return len(quads)
        for gid in graphs:
            if isinstance(gid, URIRef):
                node = ox.NamedNode(str(gid))
                if self.store.contains_named_graph(node):
                    self.store.remove_graph(node)
        self.store.extend(quads)
        self.refresh_union()
        self.store.flush()
        return len(quads)

    def _is_empty(self) -> bool:
        return next(iter(self.store.quads_for_pattern(None, None, None, None)), None) is None

    def refresh_union(self) -> None:
        """Keep the default graph equal to the set union of the article graphs.

        Entity descriptions repeat in every article graph that mentions them; Oxigraph's
        union-default-graph mode would return each repeat as a separate match and multiply joins,
        so queries run on this de-duplicated default graph instead (named graphs stay queryable
        with GRAPH)."""
        self.store.update("CLEAR SILENT DEFAULT; INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")

    def __len__(self) -> int:
        """Quads in the article graphs (the de-duplicated default graph is not counted)."""
        import pyoxigraph as ox
        return sum(1 for q in self.store.quads_for_pattern(None, None, None, None) if isinstance(q.graph_name, ox.NamedNode))

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())

    def query(self, text: str, bindings: dict[str, object] | None = None) -> Rows:
        try:
            result = self.store.query(with_values(text, bindings or {}))
        except SyntaxError as exc:
            raise StoreError(f"SPARQL syntax error: {exc}") from None
        variables = [v.value for v in result.variables]
        rows = [{v: _from_ox(sol[v]) for v in variables} for sol in result]
        return Rows(variables, rows)

    def dataset(self) -> Dataset:
        import pyoxigraph as ox
        ds = Dataset()
        for q in self.store.quads_for_pattern(None, None, None, None):
            if not isinstance(q.graph_name, ox.NamedNode):
                continue   # the default graph only mirrors the named graphs
            ds.graph(URIRef(q.graph_name.value)).add((_from_ox(q.subject), _from_ox(q.predicate), _from_ox(q.object)))
        return ds


# ---------------------------------------------------------------------------------------------
# rdflib in memory (used by the benchmark and when no store is wanted)

class MemoryStore:
    def __init__(self, ds: Dataset):
        from .rdf import union_graph
        self.graph = union_graph(ds)

    def query(self, text: str, bindings: dict[str, object] | None = None) -> Rows:
        result = self.graph.query(with_values(text, bindings or {}))
        variables = [str(v) for v in result.vars]
        rows = [{v: row[i] for i, v in enumerate(variables)} for row in result]
        return Rows(variables, rows)


# ---------------------------------------------------------------------------------------------
# a remote SPARQL 1.1 server

_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def with_values(text: str, bindings: dict[str, object]) -> str:
    """Insert ``VALUES (?a ?b) { (t1 t2) }`` at the start of the outermost WHERE group.

    Terms are serialized by rdflib (``Term.n3()``), which escapes quotes, backslashes and line
    breaks: whatever the value, it stays one literal or one IRI."""
    if not bindings:
        return text
    names = " ".join(f"?{k}" for k in bindings)
    terms = " ".join(_n3(v) for v in bindings.values())
    m = _first_where(text)
    if m is None:
        raise StoreError("cannot bind parameters: the query has no WHERE group")
    return text[:m] + f" VALUES ({names}) {{ ({terms}) }} " + text[m:]


def _n3(term) -> str:
    if isinstance(term, URIRef):
        iri = str(term)
        if any(ch in iri for ch in '<>"{}|^`\\ \n\t'):
            raise StoreError(f"not a valid IRI: {iri!r}")
        return f"<{iri}>"
    if isinstance(term, Literal):
        return term.n3()
    raise StoreError(f"cannot bind {term!r}")


def _first_where(text: str) -> int | None:
    """Position just after the '{' of the first WHERE outside comments, strings and IRIs."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if ch == "<" and re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]):
            i += re.match(r"<[^\s<>\"{}|^`\\]*>", text[i:]).end()
            continue
        m = _WHERE.match(text, i)
        if m:
            return m.end()
        i += 1
    return None


class RemoteStore:
    """A SPARQL 1.1 endpoint: queries through SPARQLWrapper, updates to ``update_url``."""

    def __init__(self, endpoint: str, update_endpoint: str | None = None, user: str | None = None,
                 password: str | None = None, timeout: int = 60, retries: int = 3):
        self.endpoint = endpoint
        self.update_endpoint = update_endpoint or endpoint
        self.user = user if user is not None else os.environ.get(ENV_ENDPOINT_USER)
        self.password = password if password is not None else os.environ.get(ENV_ENDPOINT_PASSWORD)
        self.timeout = timeout
        self.retries = retries

    def _wrapper(self, url: str):
        from SPARQLWrapper import DIGEST, POST, SPARQLWrapper
        sw = SPARQLWrapper(url)
        sw.setTimeout(self.timeout)
        if self.user:
            sw.setHTTPAuth(DIGEST)
            sw.setCredentials(self.user, self.password or "")
        sw.setMethod(POST)
        return sw

    def _safe(self, exc: Exception) -> str:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        for secret in (self.password, self.user):
            if secret:
                msg = msg.replace(secret, "***")
        return msg[:300]

    def _run(self, what: str, fn):
        from urllib.error import HTTPError, URLError
        from SPARQLWrapper.SPARQLExceptions import (EndPointInternalError, EndPointNotFound, QueryBadFormed,
                                                   Unauthorized)
        delay = 0.5
        for attempt in range(1, self.retries + 1):
            try:
                return fn()
            except Unauthorized:
                raise StoreError(f"{self.endpoint}: authentication failed (check the user and password)") from None
            except HTTPError as exc:
                if exc.code in (401, 403):
                    raise StoreError(f"{self.endpoint}: authentication failed (HTTP {exc.code})") from None
                if exc.code < 500 or attempt == self.retries:
                    raise StoreError(f"{self.endpoint}: {what} failed (HTTP {exc.code})") from None
            except QueryBadFormed as exc:
                raise StoreError(f"{self.endpoint}: {what} rejected as malformed ({self._safe(exc)})") from None
            except EndPointNotFound:
                raise StoreError(f"{self.endpoint}: no SPARQL endpoint at this address (HTTP 404)") from None
            except (URLError, ConnectionError, TimeoutError, OSError, EndPointInternalError) as exc:
                if attempt == self.retries:
                    reason = getattr(exc, "reason", exc)
                    raise StoreError(f"{self.endpoint}: {what} failed after {attempt} tries "
                                     f"({self._safe(reason if isinstance(reason, Exception) else exc)})") from None
            log.warning("%s: %s failed (try %d of %d); retrying", self.endpoint, what, attempt, self.retries)
            time.sleep(delay)
            delay *= 2
        raise StoreError(f"{self.endpoint}: {what} failed")

    # -- queries --------------------------------------------------------------------------------
    def query(self, text: str, bindings: dict[str, object] | None = None) -> Rows:
        from SPARQLWrapper import JSON
        text = with_values(text, bindings or {})

        def go():
            sw = self._wrapper(self.endpoint)
            sw.setQuery(text)
            sw.setReturnFormat(JSON)
            return sw.query().convert()

        data = self._run("query", go)
        variables = data["head"]["vars"]
        rows = [{v: _from_json(b.get(v)) for v in variables} for b in data["results"]["bindings"]]
        return Rows(variables, rows)

    def count(self, graph: str) -> int:
        rows = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return int(rows.rows[0]["n"]) if rows.rows else 0

    def update(self, text: str) -> None:
        def go():
            sw = self._wrapper(self.update_endpoint)
            sw.setQuery(text)
            sw.query()
        self._run("update", go)

    # -- loading --------------------------------------------------------------------------------
    def load(self, graph: Graph, target: str, batch_size: int = 2000, progress=None) -> int:
        """Insert ``graph`` into ``target`` through a staging graph; returns the triple count."""
        staging = f"{target.rstrip('/')}/staging-{int(time.time() * 1000)}"
        triples = [t for t in graph if not any(isinstance(x, BNode) for x in t)]
        skipped = len(graph) - len(triples)
        if skipped:
            log.warning("%d triples with blank nodes were not loaded", skipped)
        expected = len(set(triples))
        self.update(f"DROP SILENT GRAPH <{staging}>")
        try:
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
            self.update(f"DROP SILENT GRAPH <{target}>")
            self.update(f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{target}>")
        except Exception:
            try:
                self.update(f"DROP SILENT GRAPH <{staging}>")
            except StoreError:
                pass
            raise
        final = self.count(target)
        if final != expected:
            raise StoreError(f"{self.endpoint}: <{target}> holds {final} triples after loading, expected {expected}")
        return final


def _n3_any(term) -> str:
    if isinstance(term, URIRef):
        return _n3(term)
    if isinstance(term, Literal):
        return term.n3()
    raise StoreError(f"cannot serialize {term!r}")


def _from_json(b):
    if b is None:
        return None
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
