"""The embedded store: a persistent Oxigraph store in a directory, replaced whole (or changed
in a hard-linked copy) and swapped in by :mod:`.generation`."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD

from .base import Rows, StoreError
from .generation import (MARK, ReaderLock, _exchange, _fsync_dir, _open_error, _write_mark, check_store_location,
                         swapping)
from .sparql import check_iri, check_query, with_values

DEFAULT_STORE = Path(".coalition-kg/store")
BULK_LINES = 100_000                 # N-Quads lines buffered per call of Oxigraph's bulk loader (as fast as 200k, half the memory)
INCREMENTAL_SHARE = 0.25             # more graphs changed than this share: a new store is bulk-loaded
PREFIXES = {"ckg": "https://w3id.org/coalition-kg/ontology#", "id": "https://w3id.org/coalition-kg/id/",
            "prov": "http://www.w3.org/ns/prov#", "dcterms": "http://purl.org/dc/terms/",
            "owl": "http://www.w3.org/2002/07/owl#", "skos": "http://www.w3.org/2004/02/skos/core#",
            "schema": "https://schema.org/", "xsd": "http://www.w3.org/2001/XMLSchema#",
            "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#"}


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


def _digest(lines: list[str]) -> str:
    import hashlib
    return hashlib.sha1("".join(sorted(lines)).encode("utf-8")).hexdigest()


def _drop_graph(store, iri: str) -> None:
    """Remove a named graph, and from the default graph the triples no other graph holds."""
    import pyoxigraph as ox
    g = ox.NamedNode(iri)
    for q in list(store.quads_for_pattern(None, None, None, g)):
        store.remove(q)
        if not any(isinstance(x.graph_name, ox.NamedNode)
                   for x in store.quads_for_pattern(q.subject, q.predicate, q.object, None)):
            store.remove(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()))


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
        self._reader = None
        if read_only:
            if self.path.is_dir():                   # (nothing to lock where there is no store)
                self._reader = ReaderLock(self.path)  # held until close: one whole generation
            try:
                self._check_readable()
            except BaseException:
                self.close()
                raise

    def _check_readable(self) -> None:
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
                    if self._reader is None and self.path.is_dir():
                        self._reader = ReaderLock(self.path)
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
        if self._reader is not None:
            self._reader.release()
            self._reader = None

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
        from ..atomic import atomic_path
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
                with swapping(self.path):      # no reader inside either generation meanwhile
                    if self.path.exists():
                        try:
                            _exchange(tmp, self.path)
                        except OSError:        # no renameat2: two renames (readers wait at the gate)
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
        from ..atomic import atomic_path
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
