"""``coalition-kg build``: run the whole flow over a batch of articles and write the results.

Bad files are reported and skipped; outputs are written atomically (to a temporary file in the
same directory, then renamed), so an interrupted or failed build never leaves a half-written
graph where a good one was.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset

from . import pipeline, rdf, runner
from .readers import iter_inputs

FORMATS = {"ttl": ("turtle", "graph.ttl"), "nt": ("nt", "graph.nt"), "jsonld": ("json-ld", "graph.jsonld"),
           "trig": ("trig", "graph.trig")}


@dataclass
class BuildResult:
    resolved: pipeline.Resolved
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    _dataset: Dataset | None = None

    @property
    def dataset(self) -> Dataset:
        """The whole build as an in-memory rdflib Dataset (made on first use: for small builds)."""
        if self._dataset is None:
            self._dataset = rdf.to_dataset(self.resolved)
        return self._dataset

    def summary(self) -> dict:
        out = entity_summary(self.resolved, self.errors)
        out["triples"] = len(set((s, p, o) for s, p, o, _ in self.dataset.quads((None, None, None, None))))
        out["quads"] = len(self.dataset)
        return out


def entity_summary(resolved: pipeline.Resolved, errors: list[str]) -> dict:
    nodes: dict[str, set] = {}
    for r in resolved.results:
        for m in r.mentions:
            nodes.setdefault(m.kind, set()).add(m.node)
    nodes["Person"] = set(resolved.persons)
    nodes["UNResolution"] = {(x.body, x.number) for r in resolved.results for x in r.resolutions}
    return {"articles": len(resolved.results), "skipped": len(errors),
            "entities": {k: len(v) for k, v in sorted(nodes.items())}, "meetings": len(resolved.meetings)}


def run(inputs: list[str], recognizer, progress=None, input_format: str | None = None, fields=None) -> BuildResult:
    """Read, recognize and extract every article (in this process, the NER batched across
    articles), then resolve across them; the RDF is made when ``.dataset`` is first used.
    ``input_format`` and ``fields``: see :func:`.readers.iter_inputs`."""
    errors: list[str] = []
    warnings: list[str] = []
    articles = list(iter_inputs(inputs, errors, warnings, input_format, fields))
    results = runner.run(articles, recognizer=recognizer, workers=1, errors=errors,
                         progress=(lambda n: [progress(None) for _ in range(n)]) if progress else None)
    return BuildResult(pipeline.resolve(results), errors, warnings)


def graph_source(resolved: pipeline.Resolved):
    """A re-callable source of every named graph of the build, as ``(IRI, N-Triples lines)``,
    one article at a time (see :meth:`.store.OxigraphStore.write_graphs`)."""
    return lambda: rdf.named_graphs(resolved)


def build(inputs: list[str], spec: runner.TaggerSpec, out_dir: Path, fmt: str = "ttl", store=None,
          add: bool = False, workers: int | None = None, scheduler: str | None = None, cache=None,
          progress=None, recognizer=None, on_total=None, input_format: str | None = None, fields=None,
          on_phase=None) -> dict:
    """``coalition-kg build``: process the articles (workers or Dask; unchanged articles from the
    facts cache), resolve across them, stream every article graph into the store (``store``, an
    :class:`.store.OxigraphStore`; a temporary one when None) and write the output file from it.
    Memory holds the compact per-article facts, never the whole graph.  Returns the summary
    (``warnings``: what was read with a caveat, see :func:`.readers.iter_inputs`)."""
    errors: list[str] = []
    warnings: list[str] = []
    articles = list(iter_inputs(inputs, errors, warnings, input_format, fields))
    if on_total is not None:
        on_total(len(articles))
    if on_phase is not None:
        on_phase("tagging", articles=len(articles), words=sum(a.text.count(" ") + 1 for a in articles))
    t0 = time.perf_counter()
    path = out_dir / FORMATS[fmt][1]
    fingerprint = _fingerprint(cache.version, articles, errors, fmt) if (cache is not None and store is not None
                                                                 and not add and articles) else None
    if fingerprint is not None:
        # the same articles, code, word lists and tagger as the build that made this store, and its
        # output file untouched since: the graph would be the same, so nothing is redone
        info = store.info()
        if info.get("fingerprint") == fingerprint and info.get("output") == _file_state(path):
            return dict(info["summary"], errors=errors, warnings=warnings, articles_processed=0, articles_reused=len(articles),
                        output=str(path), store_update={"written": False, "changed": 0, "dropped": 0},
                        seconds={"articles": 0.0, "resolve": 0.0, "rdf_and_store": 0.0, "output": 0.0})
    stats: dict = {}
    read_errors = len(errors)
    results = runner.run(articles, spec, recognizer=recognizer, workers=workers, scheduler=scheduler, cache=cache,
                         errors=errors, progress=progress, stats=stats)
    if len(errors) > read_errors:
        fingerprint = None        # an article failed: the next build must try it again
    summary = {"errors": errors, "warnings": warnings, "articles_processed": stats["processed"], "articles_reused": stats["reused"]}
    if not results:
        return summary
    with _settled_heap():
        return _resolve_and_write(results, summary, errors, fingerprint, store, path, fmt, add, t0, on_phase)


@contextlib.contextmanager
def _settled_heap():
    """The articles' facts (and soon their resolution) are kept to the end of the build: out of
    the cycle collector's way (``gc.freeze``) until then.  A full collection otherwise walks every
    one of those objects — 1,000 articles make millions — each time the RDF writing and the store
    trigger one (and the store's own ``gc.collect`` calls), for nothing.  Restored after."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _resolve_and_write(results, summary: dict, errors: list[str], fingerprint, store, path: Path, fmt: str,
                       add: bool, t0: float, on_phase=None) -> dict:
    from .store import OxigraphStore
    phase = on_phase or (lambda *a, **k: None)
    phase("resolving", articles=len(results))
    t1 = time.perf_counter()
    resolved = pipeline.resolve(results)
    summary.update(entity_summary(resolved, errors))
    gc.freeze()                  # the resolution too stays to the end
    t2 = time.perf_counter()
    phase("writing the store and the file", meetings=len(resolved.meetings))
    tmp = None
    if store is None:
        tmp = tempfile.TemporaryDirectory(prefix="coalition-kg-build-")
        store = OxigraphStore(Path(tmp.name) / "store")
    try:
        written = store.write_graphs(graph_source(resolved), add=add, output=(path, fmt))
        summary.update(output=str(path), triples=store.triples(), quads=written["quads"], store_update=written)
        # the output file is written from the new store, while its article graphs are still
        # loading when it holds the union graph: "output" is part of "rdf_and_store" then
        summary["seconds"] = {"articles": round(t1 - t0, 2), "resolve": round(t2 - t1, 2),
                              "rdf_and_store": round(time.perf_counter() - t2, 2),
                              "output": written.pop("output_s")}
        if tmp is None:
            kept = {k: summary[k] for k in ("articles", "skipped", "entities", "meetings", "triples", "quads")}
            store.note(fingerprint=fingerprint, summary=kept, output=_file_state(path))
        store.close()
    finally:
        if tmp is not None:
            store.close()
            tmp.cleanup()
    return summary


def _fingerprint(version: str, articles, read_errors: list[str], fmt: str) -> str:
    """What a build's graph depends on: the version of code, word lists and tagger, the articles
    (ids and bytes, in order), the files that could not be read, and the output format."""
    h = hashlib.sha1(f"{version}|{fmt}".encode())
    for a in articles:
        h.update(f"|{a.id}:{a.key}".encode())
        meta = (a.url, a.publisher, a.headline, a.language, a.captured, a.position)
        if any(meta):           # a record's metadata is in its graph too
            h.update(repr(meta).encode())
    for e in read_errors:
        h.update(f"|!{e}".encode())
    return h.hexdigest()


def _file_state(path: Path) -> list | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return [str(path.resolve()), st.st_size, st.st_mtime_ns]


class _CallableModule(__import__("types").ModuleType):
    """``coalition_kg.build`` is both this module and the API's :func:`coalition_kg.api.build`:
    importing the module makes it the package's ``build`` attribute, so the module, called, builds."""

    def __call__(self, *args, **kwargs):
        from .api import build as api_build
        return api_build(*args, **kwargs)


__import__("sys").modules[__name__].__class__ = _CallableModule
