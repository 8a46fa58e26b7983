"""Step 7: where the graph lives — the embedded Oxigraph store, rdflib in memory, or any SPARQL 1.1
server through SPARQLWrapper.

All three answer the same library queries with the same rows (tested against Virtuoso).  Query
parameters are never pasted into query text:

a ``VALUES`` block of terms serialized by rdflib (which escapes quotes, backslashes and line
breaks) is placed at the top of the query's outermost ``WHERE`` group, so that a value can only
ever be one RDF term, with the same semantics on Oxigraph, rdflib and any remote server
(Oxigraph's own ``substitutions`` would need every parameter in the SELECT projection).

Literals are written by :func:`sparql_literal` (SPARQL 1.1 ECHAR escapes; a ``u`` after a
backslash written as ``\\U00000075`` so that engines which expand ``\\uXXXX`` before parsing, as
rdflib does, read the same value) and IRIs are validated (:func:`check_iri`) before they reach any
query or update text.

The embedded store is replaced atomically: a build writes a complete new store in a directory
beside the old one, marks it complete, and swaps the two directories in one ``renameat2``
exchange, so a reader (or a build killed at any moment) sees the whole old graph or the whole new
one.  A store without the completion mark is refused with a clear error.

Loading into a remote server goes through a staging graph: every batch is inserted there, the
triple count is checked, and only then is the target graph replaced (``MOVE``).  A failure
midway leaves the previous target graph untouched and the staging graph removed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

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
    boolean: bool | None = None     # the answer of an ASK query
    graph: Graph | None = None      # the answer of a CONSTRUCT / DESCRIBE query
    form: str = "SELECT"


# ---------------------------------------------------------------------------------------------
# validation and escaping of everything that reaches query text

# RFC 3987: an IRI has a scheme and none of these characters (nor spaces or controls)
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\\x7f-\x9f]*")
_LANG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_ECHAR = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r",
          ord("\t"): "\\t", ord("\b"): "\\b", ord("\f"): "\\f"}
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def check_iri(iri: str, what: str = "IRI") -> str:
    """``iri`` unchanged when it is an absolute IRI that can stand between ``<`` and ``>``."""
    if not isinstance(iri, str) or not _IRI.fullmatch(iri):
        raise StoreError(f"{what} {iri!r} is not a valid absolute IRI (RFC 3987: a scheme, and no spaces, "
                         f"control characters or any of <>\"{{}}|^`\\)")
    return iri


def sparql_literal(term: Literal) -> str:
    """One SPARQL literal for any string: ECHAR escapes for backslash, double quote and the
    control characters (not for ``'``, which rdflib misreads inside double quotes), and a
    ``u``/``U`` right after a backslash written as a code-point escape, so that no engine's ``\\uXXXX`` pre-processing changes it."""
    value = str(term)
    body = value.translate(_ECHAR)
    if "\\" in value:
        body = re.sub(r"(?<=\\\\)([uU])", lambda m: f"\\U{ord(m.group(1)):08X}", body)
    out = f'"{body}"'
    if term.language:
        if not _LANG.fullmatch(term.language):
            raise StoreError(f"not a valid language tag: {term.language!r}")
        return out + "@" + term.language
    if term.datatype is not None and str(term.datatype) != str(XSD.string):
        return out + "^^<" + check_iri(str(term.datatype), "datatype") + ">"
    return out


def query_form(text: str) -> str:
    """SELECT, ASK, CONSTRUCT, DESCRIBE — or the first keyword of whatever else ``text`` is."""
    i, n = 0, len(text)
    while i < n:
        m = re.compile(r"\s+|#[^\n]*").match(text, i)
        if m and m.end() > i:
            i = m.end()
            continue
        m = re.compile(r"(?i:BASE)\s*<[^>]*>|(?i:PREFIX)\s*[^\s:]*:\s*<[^>]*>").match(text, i)
        if m:
            i = m.end()
            continue
        break
    m = re.compile(r"[A-Za-z]+").match(text, i)
    return m.group().upper() if m else ""


def check_query(text: str) -> str:
    form = query_form(text)
    if form not in QUERY_FORMS:
        what = f"a SPARQL Update ({form})" if form in _UPDATE_WORDS else "not a SPARQL query"
        raise StoreError(f"refused: this is {what}; `query` runs only SELECT, ASK, CONSTRUCT or DESCRIBE")
    return form


_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


def check_endpoint(url: str, what: str = "endpoint") -> tuple[str, str | None, str | None]:
    """(URL without credentials, user, password) of an http(s) endpoint; anything else is refused."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port
    except ValueError:
        raise StoreError(f"{what} {scrub_url(url)!r}: not a valid URL") from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise StoreError(f"{what} {scrub_url(url)!r}: only http:// and https:// endpoints are supported")
    netloc = parts.netloc.rsplit("@", 1)[-1]
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    from urllib.parse import unquote
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return clean, user, password


def scrub_url(text: str) -> str:
    """``text`` with any ``user:password@`` of a URL inside it replaced by ``***@``."""
    return re.sub(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@]*@", r"\1***@", str(text))


# ---------------------------------------------------------------------------------------------
# terms

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

MARK = "coalition-kg-store.json"     # written into a store directory once its content is complete
BULK_LINES = 100_000                 # N-Quads lines buffered per call of Oxigraph's bulk loader (as fast as 200k, half the memory)
INCREMENTAL_SHARE = 0.25             # more graphs changed than this share: a new store is bulk-loaded
PREFIXES = {"ckg": "https://w3id.org/coalition-kg/ontology#", "id": "https://w3id.org/coalition-kg/id/",
            "prov": "http://www.w3.org/ns/prov#", "dcterms": "http://purl.org/dc/terms/",
            "owl": "http://www.w3.org/2002/07/owl#", "skos": "http://www.w3.org/2004/02/skos/core#",
            "schema": "https://schema.org/", "xsd": "http://www.w3.org/2001/XMLSchema#",
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}


def _digest(lines: list[str]) -> str:
    import hashlib
    return hashlib.sha1("".join(sorted(lines)).encode("utf-8")).hexdigest()


def _write_mark(store_dir: Path, info: dict) -> None:
    """Write a store's completion mark, durably, replacing any earlier one in one rename."""
    tmp = store_dir / f".{MARK}.{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(info, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, store_dir / MARK)


def _drop_graph(store, iri: str) -> None:
    """Remove a named graph, and from the default graph the triples no other graph holds."""
    import pyoxigraph as ox
    g = ox.NamedNode(iri)
    for q in list(store.quads_for_pattern(None, None, None, g)):
        store.remove(q)
        if not any(isinstance(x.graph_name, ox.NamedNode)
                   for x in store.quads_for_pattern(q.subject, q.predicate, q.object, None)):
            store.remove(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))


def _exchange(a: Path, b: Path) -> None:
    """Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE)."""
    import ctypes
    import errno
    libc = ctypes.CDLL(None, use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        raise OSError(errno.ENOSYS, "renameat2 not available")
    if fn(-100, os.fsencode(str(a)), -100, os.fsencode(str(b)), 2) != 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _open_error(path: Path, exc: Exception) -> StoreError:
    msg = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return StoreError(f"{path}: cannot open the store — damaged or not an Oxigraph store ({msg}); "
                      f"rebuild it with `coalition-kg build … --store {path}`")


def check_store_location(path: str | Path, must_exist: bool = False) -> Path:
    """Refuse, before any expensive work, a --store that cannot become (or is not) a store."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise StoreError(f"{path}: exists and is not a store directory")
    if path.is_dir() and any(path.iterdir()) and not ((path / MARK).is_file() or (path / "CURRENT").is_file()):
        raise StoreError(f"{path}: a directory that is not a coalition-kg store; refusing to replace it")
    if must_exist and not (path / MARK).is_file():
        raise StoreError(f"{path}: no complete store here to add to (build without --add first)")
    parent = path.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{parent}: cannot create the store's directory ({exc.strerror})") from None
    if not os.access(parent, os.W_OK | os.X_OK):
        raise StoreError(f"{parent}: not writable; the store cannot be written there")
    return path


UNION_FORMATS = ("ttl", "nt")           # output formats written from the union default graph
_ARTICLE_SUBJECT = f"<{PREFIXES['id']}article/"   # an N-Triples line about an article's own resources
_DUMP_FORMATS = {"ttl": "TURTLE", "nt": "N_TRIPLES", "trig": "TRIG", "nq": "N_QUADS", "jsonld": "JSON_LD"}


def _dump_file(store, target: str | Path, fmt: str) -> None:
    """Write a pyoxigraph store's graph to the file ``target`` and sync it: ``ttl``/``nt`` the
    union default graph, ``trig``/``nq``/``jsonld`` every named graph."""
    import pyoxigraph as ox
    rdf_format = getattr(ox.RdfFormat, _DUMP_FORMATS[fmt])
    if fmt in UNION_FORMATS:
        # to a path, not a Python file: the serializer writes without taking the GIL
        store.dump(str(target), rdf_format, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)
    else:
        named = (q for q in store.quads_for_pattern(None, None, None, None) if isinstance(q.graph_name, ox.NamedNode))
        with open(target, "wb") as fh:
            ox.serialize(named, fh, rdf_format, prefixes=PREFIXES if fmt == "trig" else None)
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())


class _Loader:
    """Runs one job at a time in a thread of its own (Oxigraph's bulk loader and serializer
    release the GIL): ``put`` waits for the previous job, so at most one batch waits in memory
    per loader; what a job raises is raised again by the next ``put`` or ``wait``."""

    def __init__(self, job):
        self._job = job
        self._thread = None
        self._error: BaseException | None = None
        self.seconds = 0.0

    def _run(self, data) -> None:
        t = time.perf_counter()
        try:
            self._job(data)
        except BaseException as exc:
            self._error = exc
        self.seconds = round(self.seconds + time.perf_counter() - t, 2)

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def wait(self) -> None:
        self.join()
        if self._error is not None:
            raise self._error

    def put(self, data) -> None:
        import threading
        self.wait()
        self._thread = threading.Thread(target=self._run, args=(data,), daemon=True)
        self._thread.start()


def _stop(union, quads, triples) -> None:
    """Stop a bulk load's threads (the union file's writer quietly); each may already be done."""
    if union is not None:
        union.abort()
    for loader in (*quads, triples):
        loader.join()


class _UnionFile:
    """Writes the union graph (``ttl`` or ``nt``) to ``path`` from batches of the article graphs'
    N-Triples lines, in a thread of its own, while the store loads them.  A triple about an
    article's own resources (the article, its sentences, mentions and evidence: subjects under
    ``id:article/``) is in that article's graph only; any other line (an entity's description, a
    fact about a person or a meeting) may come again from another article and is written once —
    only those are remembered, so memory grows with the entities, not with the triples.  Each
    batch is sorted, so a subject's triples stand together.  ``close`` finishes the file and
    raises what the writing raised; ``abort`` stops it quietly."""

    def __init__(self, path: str | Path, fmt: str):
        import queue
        import threading
        self._queue: queue.Queue = queue.Queue(maxsize=2)
        self._seen: set[str] = set()
        self._error: BaseException | None = None
        self._open = True
        self.seconds = 0.0
        self._thread = threading.Thread(target=self._run, args=(str(path), fmt), daemon=True)
        self._thread.start()

    def _batches(self):
        while (batch := self._queue.get()) is not None:
            yield batch

    def _run(self, path: str, fmt: str) -> None:
        import pyoxigraph as ox
        t = time.perf_counter()
        try:
            if fmt == "nt":
                with open(path, "wb") as fh:
                    for batch in self._batches():
                        fh.write(batch)
            else:
                triples = (triple for batch in self._batches() for triple in ox.parse(batch, ox.RdfFormat.N_TRIPLES))
                ox.serialize(triples, path, getattr(ox.RdfFormat, _DUMP_FORMATS[fmt]), prefixes=PREFIXES)
        except BaseException as exc:
            self._error = exc
            for _ in self._batches():     # drain: the loading thread never waits on a dead writer
                pass
        self.seconds = round(time.perf_counter() - t, 2)

    def put(self, lines: list[str]) -> None:
        local, seen, out = _ARTICLE_SUBJECT, self._seen, []
        for line in lines:
            if line.startswith(local):
                out.append(line)
            elif line not in seen:
                seen.add(line)
                out.append(line)
        out.sort()
        self._queue.put("".join(out).encode("utf-8"))

    def _finish(self) -> None:
        if self._open:
            self._open = False
            self._queue.put(None)
            self._thread.join()

    def close(self) -> None:
        self._finish()
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        self._finish()


class OxigraphStore:
    """A persistent Oxigraph store in a directory.

    ``replace`` swaps in a complete new store; ``replace(ds, add=True)`` copies the current one
    (a RocksDB checkpoint: hard links), replaces the article graphs of ``ds`` in the copy and swaps
    that in.  Either way the directory at ``path`` always holds a complete store."""

    def __init__(self, path: str | Path = DEFAULT_STORE, read_only: bool = False):
        self.path = Path(path)
        self.read_only = read_only
        self._store = None
        if read_only:
            if not self.path.exists():
                raise StoreError(f"{self.path}: no store here (run `coalition-kg build … --store {self.path}` first)")
            if not self.path.is_dir():
                raise StoreError(f"{self.path}: not a store directory")
            if not (self.path / MARK).is_file():
                raise StoreError(f"{self.path}: not a complete coalition-kg store (a build into it never finished, "
                                 f"or an older version wrote it); run `coalition-kg build … --store {self.path}` again")
            _ = self.store

    @property
    def store(self):
        if self._store is None:
            import pyoxigraph as ox
            try:
                if self.read_only:
                    self._store = ox.Store.read_only(str(self.path))
                else:
                    self.path.mkdir(parents=True, exist_ok=True)
                    self._store = ox.Store(str(self.path))
            except Exception as exc:   # OSError, or RuntimeError from RocksDB on a damaged store
                raise _open_error(self.path, exc) from None
        return self._store

    def close(self) -> None:
        self._store = None
        import gc
        gc.collect()

    def info(self) -> dict:
        try:
            return json.loads((self.path / MARK).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    # -- writing --------------------------------------------------------------------------------
    def replace(self, ds: Dataset, add: bool = False) -> int:
        """Make the store hold exactly the named graphs of ``ds`` (``add``: the current graphs
        too, those named in ``ds`` replaced).  Atomic; returns the quads of ``ds`` written."""
        by_graph: dict[str, list[str]] = {}
        for s, p, o, g in ds.quads((None, None, None, None)):
            gid = g.identifier if hasattr(g, "identifier") else g
            if isinstance(gid, URIRef):
                by_graph.setdefault(str(gid), []).append(f"{s.n3()} {p.n3()} {o.n3()} .\n")
        self.write_graphs(lambda: iter(by_graph.items()), add=add)
        return sum(len(v) for v in by_graph.values())

    def write_graphs(self, source, add: bool = False, output: tuple[str | Path, str] | None = None) -> dict:
        """Make the store hold exactly the named graphs that ``source()`` yields, as
        ``(graph IRI, N-Triples lines)`` pairs (``add``: keep the store's other graphs too).

        Atomic, and incremental: the store's manifest records a digest of every graph; when no
        digest changed nothing is written, when a few did a hard-linked copy of the store gets
        just those graphs replaced, otherwise a new store is bulk-loaded.  Either way the new
        content is swapped in whole.  ``source`` is called once more when something changed, so
        it must give the same graphs again (the build regenerates them: cheaper than keeping
        them).  Only one graph's lines are held at a time (the bulk loader's buffers aside).

        ``output``: ``(path, format)`` of a file holding the new store's graph, as :meth:`dump`
        writes it.  When a new store is bulk-loaded and the file holds the union graph (ttl, nt),
        it is written from the same lines while they load (:class:`_UnionFile`), else dumped from
        the new store; either way it replaces the old file only once the new store is in place.  The result's ``output_s``: the seconds the
        file took (overlapping the loading or not)."""
        if output is None:
            return self._write_graphs(source, add, None)
        from .atomic import atomic_path
        path, fmt = output
        with atomic_path(path) as tmp:
            overlap = {"path": tmp, "fmt": fmt, "seconds": None} if fmt in UNION_FORMATS else None
            result = self._write_graphs(source, add, overlap)
            if overlap is None or overlap["seconds"] is None:
                t = time.perf_counter()
                _dump_file(self.store, tmp, fmt)
                result["output_s"] = round(time.perf_counter() - t, 2)
            else:
                result["output_s"] = overlap["seconds"]
        return result

    def _write_graphs(self, source, add: bool, output: dict | None) -> dict:
        import fcntl
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only")
        check_store_location(self.path)
        parent, name = self.path.parent, self.path.name
        lock = open(parent / f".{name}.lock", "a+")
        try:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise StoreError(f"{self.path}: another build is writing this store") from None
            for stale in parent.glob(f".{name}.new-*"):
                shutil.rmtree(stale, ignore_errors=True)
            try:
                old = self._manifest()
                if old is not None:
                    self.store                 # opens: a damaged store is rewritten whole (or refused for --add)
            except StoreError:
                if add:
                    raise
                old = None
            self.close()
            digests: dict[str, list] | None = None
            if old is not None:
                digests = {iri: [_digest(lines), len(lines)] for iri, lines in source()}
                changed = {g for g, d in digests.items() if old.get(g) != d}
                dropped = set() if add else {g for g in old if g not in digests}
                if not changed and not dropped:
                    return {"written": False, "changed": 0, "dropped": 0, "unchanged": len(digests),
                            "quads": self.info().get("quads"), "articles": self.info().get("articles")}
                incremental = add or len(changed) + len(dropped) <= INCREMENTAL_SHARE * max(len(old), 1)
            else:
                changed, dropped, incremental = set(), set(), False
            tmp = parent / f".{name}.new-{os.getpid()}"
            try:
                try:
                    if incremental:
                        manifest = self._write_changes(tmp, source, old, digests, changed, dropped)
                    else:
                        manifest = self._write_all(tmp, source, output)
                    n_articles = self._count_articles(tmp)
                except StoreError:
                    raise
                except Exception as exc:
                    raise StoreError(f"{self.path}: writing the new store failed ({exc}); "
                                     f"the old store is unchanged") from None
                self.close()
                info = {"articles": n_articles, "quads": sum(n for _, n in manifest.values()),
                        "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "graphs": manifest}
                _write_mark(tmp, info)
                _fsync_dir(tmp)
                if self.path.exists():
                    try:
                        _exchange(tmp, self.path)
                    except OSError:            # no renameat2: two renames (a short window with no store)
                        old_dir = parent / f".{name}.new-{os.getpid()}-old"
                        os.rename(self.path, old_dir)
                        os.rename(tmp, self.path)
                        os.rename(old_dir, tmp)
                else:
                    os.rename(tmp, self.path)
                _fsync_dir(parent)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        finally:
            lock.close()
        return {"written": True, "incremental": incremental,
                "changed": len(changed) if incremental else len(manifest), "dropped": len(dropped),
                "unchanged": len(manifest) - len(changed) if incremental else 0,
                "quads": info["quads"], "articles": n_articles}

    def note(self, **fields) -> None:
        """Record more facts about the complete store in its mark (rewritten atomically in place;
        the build's fingerprint and summary, the output file it wrote)."""
        info = self.info()
        if info:
            _write_mark(self.path, dict(info, **fields))

    def _manifest(self) -> dict[str, list] | None:
        """graph IRI -> [digest, quads] of a complete store (digest None: written before
        manifests existed); None when there is no complete store here."""
        if not (self.path / MARK).is_file():
            return None
        graphs = self.info().get("graphs")
        if isinstance(graphs, dict):
            return {g: list(v) for g, v in graphs.items()}
        return {g: [None, 0] for g in self.graphs()}

    def _write_all(self, tmp: Path, source, output: dict | None = None) -> dict:
        """Bulk-load a new store at ``tmp``: the article graphs (N-Quads, two loaders taking
        batches in turn) and the union default graph (N-Triples; a triple in several graphs is one
        key, the loader keeps it once), each loader a thread of its own fed while the next graphs
        are made.  ``output``: the union graph is written to ``output["path"]`` from the same
        lines, by a thread of its own, as they come (``output["seconds"]``: how long that took) —
        not dumped from the new store afterwards, which costs five times as much."""
        import pyoxigraph as ox
        new = ox.Store(str(tmp))
        manifest: dict[str, list] = {}
        nq: list[str] = []
        nt: list[str] = []
        quads = [_Loader(lambda data: new.bulk_load(input=data, format=ox.RdfFormat.N_QUADS)) for _ in range(2)]
        triples = _Loader(lambda data: new.bulk_load(input=data, format=ox.RdfFormat.N_TRIPLES,
                                                      to_graph=ox.DefaultGraph()))
        union = _UnionFile(output["path"], output["fmt"]) if output is not None else None
        batches = 0

        def flush() -> None:
            nonlocal batches
            if nq:
                quads[batches % 2].put("".join(nq).encode("utf-8"))
                triples.put("".join(nt).encode("utf-8"))
                if union is not None:
                    union.put(nt)
                batches += 1
                nq.clear()
                nt.clear()
        try:
            for iri, lines in source():
                manifest[iri] = [_digest(lines), len(lines)]
                tail = f" <{check_iri(iri, 'graph name')}> .\n"
                nq.extend(line[:-3] + tail for line in lines)
                nt.extend(lines)
                if len(nq) >= BULK_LINES:
                    flush()
            flush()
            if union is not None:
                union.close()
                output["seconds"] = union.seconds
            for loader in (*quads, triples):
                loader.wait()
        except BaseException:
            # the half-loaded store is closed before the caller removes its directory (else
            # RocksDB, still open through the traceback, writes into it again afterwards)
            _stop(union, quads, triples)
            del new
            import gc
            gc.collect()
            raise
        finally:
            _stop(union, quads, triples)
        new.flush()
        del new
        return manifest

    def _write_changes(self, tmp: Path, source, old: dict, digests: dict, changed: set, dropped: set) -> dict:
        import pyoxigraph as ox
        self.store.flush()
        self.store.backup(str(tmp))         # a RocksDB checkpoint: hard links, no copy
        self.close()
        new = ox.Store(str(tmp))
        manifest = {g: v for g, v in old.items() if g not in dropped}
        try:
            for g in dropped:
                _drop_graph(new, g)
            for iri, lines in source():
                if iri not in changed:
                    continue
                if iri in old:
                    _drop_graph(new, iri)
                tail = f" <{check_iri(iri, 'graph name')}> .\n"
                new.load(input="".join(line[:-3] + tail for line in lines).encode("utf-8"),
                         format=ox.RdfFormat.N_QUADS)
                new.load(input="".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES,
                         to_graph=ox.DefaultGraph())
                manifest[iri] = digests[iri]
        except BaseException:
            del new                   # closed before the caller removes its directory (see _write_all)
            import gc
            gc.collect()
            raise
        new.flush()
        del new
        return manifest

    @staticmethod
    def _count_articles(tmp: Path) -> int:
        import gc

        import pyoxigraph as ox
        gc.collect()
        st = ox.Store.read_only(str(tmp))
        n = next(iter(st.query("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH ?g { ?a a "
                               "<https://w3id.org/coalition-kg/ontology#Article> } }")))["n"]
        del st
        gc.collect()
        return int(n.value)

    def triples(self) -> int:
        """Distinct triples (the default graph: the union of the article graphs)."""
        import pyoxigraph as ox
        return self._reading(lambda: int(next(iter(self.store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value))

    def dump(self, path: str | Path, fmt: str) -> None:
        """Write the graph to a file (atomically): ``ttl``/``nt`` the union graph, ``trig``/``nq``
        /``jsonld`` every named graph."""
        from .atomic import atomic_path
        with atomic_path(path) as tmp:
            _dump_file(self.store, tmp, fmt)

    def _is_empty(self) -> bool:
        return next(iter(self.store.quads_for_pattern(None, None, None, None)), None) is None

    def refresh_union(self) -> None:
        """Keep the default graph equal to the set union of the article graphs.

        Entity descriptions repeat in every article graph that mentions them; Oxigraph's
        union-default-graph mode would return each repeat as a separate match and multiply joins,
        so queries run on this de-duplicated default graph instead (named graphs stay queryable
        with GRAPH)."""
        self.store.update("CLEAR SILENT DEFAULT; INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")

    # -- reading --------------------------------------------------------------------------------
    def __len__(self) -> int:
        """Quads in the article graphs (the de-duplicated default graph is not counted)."""
        import pyoxigraph as ox
        return self._reading(lambda: sum(1 for q in self.store.quads_for_pattern(None, None, None, None)
                                         if isinstance(q.graph_name, ox.NamedNode)))

    def graphs(self) -> list[str]:
        return self._reading(lambda: sorted(g.value for g in self.store.named_graphs()))

    def _reading(self, fn):
        try:
            return fn()
        except StoreError:
            raise
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"{self.path}: the store is damaged ({str(exc).strip()[:200]}); rebuild it") from None

    def query(self, text: str, bindings: dict[str, object] | None = None) -> Rows:
        import pyoxigraph as ox
        form = check_query(text)
        try:
            result = self.store.query(with_values(text, bindings or {}))
        except SyntaxError as exc:
            raise StoreError(f"SPARQL syntax error: {exc}") from None
        except (OSError, RuntimeError) as exc:
            raise StoreError(f"{self.path}: query failed ({str(exc).strip()[:200]})") from None

        def read():
            if isinstance(result, ox.QueryBoolean):
                return Rows([], [], boolean=bool(result), form=form)
            if isinstance(result, ox.QueryTriples):
                g = Graph()
                for t in result:
                    g.add((_from_ox(t.subject), _from_ox(t.predicate), _from_ox(t.object)))
                return Rows([], [], graph=g, form=form)
            variables = [v.value for v in result.variables]
            return Rows(variables, [{v: _from_ox(sol[v]) for v in variables} for sol in result], form=form)
        return self._reading(read)

    def dataset(self) -> Dataset:
        import pyoxigraph as ox

        def read():
            ds = Dataset()
            for q in self.store.quads_for_pattern(None, None, None, None):
                if not isinstance(q.graph_name, ox.NamedNode):
                    continue   # the default graph only mirrors the named graphs
                ds.graph(URIRef(q.graph_name.value)).add((_from_ox(q.subject), _from_ox(q.predicate),
                                                          _from_ox(q.object)))
            return ds
        return self._reading(read)


# ---------------------------------------------------------------------------------------------
# rdflib in memory (used by the benchmark and when no store is wanted)

class MemoryStore:
    def __init__(self, ds: Dataset):
        from .rdf import union_graph
        self.graph = union_graph(ds)

    def query(self, text: str, bindings: dict[str, object] | None = None) -> Rows:
        form = check_query(text)
        try:
            result = self.graph.query(with_values(text, bindings or {}))
        except StoreError:
            raise
        except Exception as exc:   # pyparsing's ParseException and friends
            raise StoreError(f"SPARQL syntax error: {str(exc).strip()[:300]}") from None
        if result.type == "ASK":
            return Rows([], [], boolean=bool(result.askAnswer), form=form)
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            g = Graph()
            for t in result:
                g.add(t)
            return Rows([], [], graph=g, form=form)
        variables = [str(v) for v in result.vars]
        rows = [{v: row[i] for i, v in enumerate(variables)} for row in result]
        return Rows(variables, rows, form=form)


# ---------------------------------------------------------------------------------------------
# a remote SPARQL 1.1 server

_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def with_values(text: str, bindings: dict[str, object]) -> str:
    """Insert ``VALUES (?a ?b) { (t1 t2) }`` at the start of the outermost WHERE group.

    Literals are written by :func:`sparql_literal` and IRIs validated by :func:`check_iri`:
    whatever the value, it stays one literal or one IRI."""
    if not bindings:
        return text
    for k in bindings:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
            raise StoreError(f"not a valid parameter name: {k!r}")
    names = " ".join(f"?{k}" for k in bindings)
    terms = " ".join(_n3(v) for v in bindings.values())
    m = _first_where(text)
    if m is None:
        raise StoreError("cannot bind parameters: the query has no WHERE group")
    return text[:m] + f" VALUES ({names}) {{ ({terms}) }} " + text[m:]


def _n3(term) -> str:
    if isinstance(term, URIRef):
        return f"<{check_iri(str(term))}>"
    if isinstance(term, Literal):
        return sparql_literal(term)
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

    def _wrapper(self, url: str):
        from SPARQLWrapper import DIGEST, POST, SPARQLWrapper
        sw = SPARQLWrapper(url)
        sw.setTimeout(self.timeout)
        if self.user:
            sw.setHTTPAuth(DIGEST)
            sw.setCredentials(self.user, self.password or "")
        sw.setMethod(POST)
        return sw

    def _safe(self, exc) -> str:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        msg = scrub_url(msg)
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
            log.warning("%s: %s failed (try %d of %d); retrying", scrub_url(self.endpoint), what, attempt, self.retries)
            time.sleep(delay)
            delay *= 2
        raise StoreError(f"{self.endpoint}: {what} failed")

    # -- queries --------------------------------------------------------------------------------
    def query(self, text: str, bindings: dict[str, object] | None = None) -> Rows:
        from SPARQLWrapper import JSON, TURTLE
        form = check_query(text)
        text = with_values(text, bindings or {})

        def go():
            sw = self._wrapper(self.endpoint)
            sw.setQuery(text)
            if sw.isSparqlUpdateRequest() or sw.queryType not in QUERY_FORMS:
                raise StoreError(f"refused: the query would be sent as {sw.queryType}")
            sw.setReturnFormat(TURTLE if form in ("CONSTRUCT", "DESCRIBE") else JSON)
            res = sw.query()
            return res.response.read()

        body = self._run("query", go)
        if form in ("CONSTRUCT", "DESCRIBE"):
            g = Graph()
            try:
                g.parse(data=body.decode("utf-8"), format="turtle")
            except Exception as exc:
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

    def update(self, text: str) -> None:
        def go():
            sw = self._wrapper(self.update_endpoint)
            sw.setQuery(text)
            sw.query()
        self._run("update", go)

    # -- loading --------------------------------------------------------------------------------
    def load(self, graph: Graph, target: str, batch_size: int = 2000, progress=None) -> int:
        """Insert ``graph`` into ``target`` through a staging graph; returns the triple count."""
        check_iri(target, "graph")
        if batch_size is None or batch_size <= 0:
            raise StoreError(f"batch size must be a positive number, not {batch_size}")
        staging = check_iri(f"{target.rstrip('/')}/staging-{int(time.time() * 1000)}", "graph")
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
    if isinstance(term, (URIRef, Literal)):
        return _n3(term)
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
